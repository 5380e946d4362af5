// Walk the rules in precedence order; the first that applies gives the verdict. The
// stage and the close fields come from the hit when the rule sets them, else from what
// the wire shows.

import type { Side } from '../engine/types.js';
import { firstClose } from './tcp-facts.js';
import type { BaseInput } from './rules-tcp.js';
import type { CloseKind, Hit, Outcome, Rule, Verdict } from './types.js';

export interface Diagnosis {
  verdict: Verdict;
  outcome: Outcome;
  stage: string;
  cutFrame: number | null;
  closedBy: Side | null;
  closeKind: CloseKind | null;
}

export function diagnose<I extends BaseInput>(input: I, rules: readonly Rule<I>[], stageOf: (input: I) => string): Diagnosis {
  for (const rule of rules) {
    let hit: Hit | null;
    try {
      hit = rule.test(input);
    } catch (e) {
      // A rule bug must not lose the connection: say so and keep going.
      hit = null;
      input.conn.addFinding({ severity: 'error', code: 'internal.rule_failed', message: `rule ${rule.code} failed: ${e instanceof Error ? e.message : String(e)}` });
    }
    if (!hit) continue;
    const close = firstClose(input.conn);
    return {
      verdict: { code: rule.code, confidence: hit.confidence, summary: hit.summary, evidence: hit.evidence, fixes: hit.fixes },
      outcome: rule.outcome,
      stage: hit.stage ?? stageOf(input),
      cutFrame: hit.cutFrame !== undefined ? hit.cutFrame : rule.outcome === 'failed' ? (close?.frame ?? null) : null,
      closedBy: hit.closedBy !== undefined ? hit.closedBy : (close?.side ?? null),
      closeKind: hit.closeKind !== undefined ? hit.closeKind : (close?.kind ?? (input.conn.endReason === 'timeout' ? 'timeout' : null)),
    };
  }
  throw new Error('no rule applied: the rule list must end with a catch-all');
}
