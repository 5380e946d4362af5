// TLS rules. (Being extended: every tls.* code of the contract.)

import type { DiagnosisInput } from './input.js';
import type { Rule } from './types.js';
import { cipherSuiteName } from '../registry/tls-ciphers.js';
import { versionName } from '../registry/tls-versions.js';

export const tlsOk: Rule<DiagnosisInput> = {
  code: 'tls.ok',
  description: 'the TLS handshake completed',
  outcome: 'completed',
  test({ tls }) {
    if (!tls?.completed) return null;
    const v = tls.version !== null ? versionName(tls.version) : 'TLS';
    const suite = tls.cipherSuite !== null ? cipherSuiteName(tls.cipherSuite) : 'an unknown suite';
    return {
      confidence: 'certain',
      summary: `The TLS handshake completed: ${v} with ${suite}${tls.resumption ? ` (resumed by ${tls.resumption.kind})` : ''}.`,
      evidence: [
        ...(tls.clientHello ? [`frame ${tls.clientHello.frame}: ClientHello`] : []),
        ...(tls.serverHello ? [`frame ${tls.serverHello.frame}: ServerHello selecting ${v}, ${suite}`] : []),
        ...(tls.completedFrame !== null ? [`frame ${tls.completedFrame}: handshake finished`] : []),
      ],
      fixes: [],
      cutFrame: null,
    };
  },
};

export const TLS_RULES_WIRE: Rule<DiagnosisInput>[] = [tlsOk];
export const TLS_RULES_PATH: Rule<DiagnosisInput>[] = [];
export const TLS_RULES_INFERRED: Rule<DiagnosisInput>[] = [];
