// SSH rules. (Being extended: every ssh.* code of the contract.)

import type { DiagnosisInput } from './input.js';
import type { Rule } from './types.js';

export const sshOk: Rule<DiagnosisInput> = {
  code: 'ssh.ok',
  description: 'the SSH key exchange completed (NEWKEYS both ways)',
  outcome: 'completed',
  test({ ssh }) {
    if (!ssh?.completed) return null;
    const n = ssh.negotiation?.negotiated;
    return {
      confidence: 'certain',
      summary: `The SSH key exchange completed${n?.kex ? ` (${n.kex}, ${n.cipherC2S})` : ''}.`,
      evidence: [
        ...(ssh.client.newkeys ? [`frame ${ssh.client.newkeys.frame}: NEWKEYS from the client`] : []),
        ...(ssh.server.newkeys ? [`frame ${ssh.server.newkeys.frame}: NEWKEYS from the server`] : []),
      ],
      fixes: [],
      cutFrame: null,
    };
  },
};

export const SSH_RULES_WIRE: Rule<DiagnosisInput>[] = [sshOk];
export const SSH_RULES_PATH: Rule<DiagnosisInput>[] = [];
export const SSH_RULES_INFERRED: Rule<DiagnosisInput>[] = [];
