// Diagnosis rules are data: one rule, one verdict code, a test over the connection's
// facts that returns the evidence and the fixes when it applies. diagnose() walks the
// list in order (precedence) and the first rule that applies gives the verdict.

import type { Connection } from '../engine/connection.js';
import type { Side } from '../engine/types.js';

export type Confidence = 'certain' | 'likely' | 'possible';
export type CloseKind = 'alert' | 'disconnect' | 'fin' | 'rst' | 'timeout';
export type Outcome = 'completed' | 'failed' | 'incomplete';

export interface Verdict {
  code: string;
  confidence: Confidence;
  summary: string;
  evidence: string[];
  fixes: string[];
}

/** What a rule returns when it applies. Unset close fields fall back to what the wire shows. */
export interface Hit {
  confidence: Confidence;
  summary: string;
  evidence: string[];
  fixes: string[];
  cutFrame?: number | null;
  closedBy?: Side | null;
  closeKind?: CloseKind | null;
  /** Override the stage (e.g. tcp_connect for connection-level failures). */
  stage?: string;
}

export interface Rule<I> {
  code: string;
  /** One line on what the rule recognises (for documentation and `hsi rules`). */
  description: string;
  /** Outcome the code implies. */
  outcome: Outcome;
  test(input: I): Hit | null;
}

/** Drops reported by a live capture around a connection's time window. */
export interface DropWindow {
  /** Packets the kernel or interface dropped while this connection was open (or unknown: null). */
  dropped: number | null;
}

export interface TcpView {
  conn: Connection;
  /** Capture time at which the input ended (or now, live). */
  endOfInput: number;
  /** True when the input ended while this connection was still open. */
  openAtEnd: boolean;
}
