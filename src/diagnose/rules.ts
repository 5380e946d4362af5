// The rule list, in precedence order: the first rule that applies gives the verdict.
//
//  1. TCP setup: refused, timeout, reset before any byte; then what a preamble before TLS
//     says (a proxy's or STARTTLS server's refusal, TLS sent straight to a proxy).
//  2. What the wire says for certain (TLS alerts and mismatches, SSH lists, DISCONNECT,
//     a completed handshake...).
//  3. Path problems: an MTU black hole (TLS / SSH), a stalled transfer.
//  4. What can only be inferred (sizes, timing, who closed).
//  5. Connections that carried no handshake: no payload, another protocol.
//  6. incomplete: nothing can be concluded.

import type { DiagnosisInput } from './input.js';
import { incompleteRule, tcpRefused, tcpReset, tcpStalled, tcpTimeout, TCP_TAIL_RULES } from './rules-tcp.js';
import { tcpResetInjected } from './rules-reset.js';
import { TLS_RULES_WIRE, TLS_RULES_PATH, TLS_RULES_INFERRED } from './rules-tls.js';
import { SSH_RULES_WIRE, SSH_RULES_PATH, SSH_RULES_INFERRED } from './rules-ssh.js';
import { TUNNEL_RULES, tunnelStage } from './rules-tunnel.js';
import { QUIC_RULES_FIRST, QUIC_RULES_LAST } from './rules-quic.js';
import type { Rule } from './types.js';

export const RULES: readonly Rule<DiagnosisInput>[] = [
  tcpRefused,
  tcpTimeout,
  tcpResetInjected,
  tcpReset,
  ...TUNNEL_RULES,
  ...TLS_RULES_WIRE,
  ...SSH_RULES_WIRE,
  ...TLS_RULES_PATH,
  ...SSH_RULES_PATH,
  tcpStalled,
  ...TLS_RULES_INFERRED,
  ...SSH_RULES_INFERRED,
  ...TCP_TAIL_RULES,
  incompleteRule,
];

/**
 * A QUIC connection: the QUIC facts first, then what the TLS handshake inside says (a TLS
 * alert carried by CONNECTION_CLOSE is read as the alert it is), then the other closes.
 */
export const QUIC_RULES: readonly Rule<DiagnosisInput>[] = [...QUIC_RULES_FIRST, ...TLS_RULES_WIRE, ...QUIC_RULES_LAST, incompleteRule];

/** Verdicts that rest on a packet that never showed: only `possible` when the capture dropped packets. */
export const DROP_SENSITIVE: ReadonlySet<string> = new Set(['tls.no_response', 'tcp.timeout', 'tls.mtu_blackhole', 'ssh.mtu_blackhole', 'tcp.stalled', 'quic.no_response']);

/** The last handshake step reached, from the trackers (tcp_connect before any handshake byte). */
export function stageOf(input: DiagnosisInput): string {
  if (input.quic) return input.quic.stage;
  return input.tls?.stage ?? input.ssh?.stage ?? tunnelStage(input.tunnel) ?? 'tcp_connect';
}
