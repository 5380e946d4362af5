// Resets nobody sent: a RST whose TTL (or IPv6 hop limit) contradicts every other packet
// of the side it claims to come from was sent by something on the path (a firewall, an
// IPS, a censor). The verdict when that RST ended the connection; evidence on the verdicts
// that rest on a RST otherwise (annotateResets).

import { fixNetworkFirewall } from './fixes.js';
import type { Diagnosis } from './diagnose.js';
import type { DiagnosisInput } from './input.js';
import { endpointText, firstClose, judgeReset, resetEvidence, who } from './tcp-facts.js';
import type { Rule } from './types.js';

/** Verdicts whose story includes a RST: they get a line on whether the RST was genuine. */
const RESET_VERDICTS: ReadonlySet<string> = new Set(['tcp.reset', 'tls.server_closed', 'tls.client_closed', 'ssh.closed', 'ssh.closed_before_banner', 'unknown.no_payload']);

export const tcpResetInjected: Rule<DiagnosisInput> = {
  code: 'tcp.reset_injected',
  description: "a RST that the claimed sender's other packets contradict (TTL / hop limit, IP ID): most likely injected by a middlebox",
  outcome: 'failed',
  test(input) {
    const { conn, tls, ssh } = input;
    const close = firstClose(conn);
    if (!close || close.kind !== 'rst') return null;
    const j = judgeReset(conn, close.side);
    if (!j || !j.ttlMismatch) return null;
    // An alert or DISCONNECT before the RST ended the handshake first: that verdict stands.
    if (tls?.alerts.some((a) => a.frame < close.frame)) return null;
    if (ssh?.disconnect) return null;
    const claimed = who(close.side);
    const other = close.side === 'server' ? 'client' : 'server';
    const target = endpointText(conn, 'server');
    const lastData = conn.side(other).lastPayloadFrame;
    return {
      confidence: 'likely',
      summary: `The connection was reset by a packet in the ${claimed}'s name that the ${claimed} did not send: it arrived with TTL ${j.ttl} where every other packet of the ${claimed} arrived with ${j.expectedTtl}. A firewall, IPS or censor between the capture point and ${close.side === 'server' ? target : 'the client'} injected it${lastData > 0 && lastData < close.frame ? ` after the ${other}'s data in frame ${lastData}` : ''}.`,
      evidence: [
        ...(lastData > 0 && lastData < close.frame ? [`frame ${lastData}: the ${other}'s last data before the reset`] : []),
        resetEvidence(conn, j),
        `the ${claimed}'s own packets in this connection: TTL ${j.expectedTtl} throughout (${conn.side(close.side).packets - 1} packets)`,
      ],
      fixes: [
        `Look for the device that resets: firewall, IPS or web-filter logs at ${new Date(close.time * 1000).toISOString()} for ${endpointText(conn, 'client')} → ${target} (a "reset" / "reject with tcp reset" action, an SNI or URL category block, an IPS signature)`,
        `Confirm it: capture on the ${claimed} at the same time; a forged RST never appears there, and the ${claimed} sees the connection go silent instead`,
        fixNetworkFirewall(conn.server.endpoint.port),
        `Not a server problem: nothing on ${target} needs to change until the middlebox is found`,
      ],
      cutFrame: close.frame,
      closedBy: close.side,
      closeKind: 'rst',
      stage: input.tls?.stage ?? input.ssh?.stage ?? 'tcp_connect',
    };
  },
};

/** A verdict that rests on a RST says whether the RST's sender vouches for it. */
export function annotateResets(d: Diagnosis, input: DiagnosisInput): void {
  if (!RESET_VERDICTS.has(d.verdict.code)) return;
  for (const side of ['server', 'client'] as const) {
    const j = judgeReset(input.conn, side);
    if (j) d.verdict.evidence.push(resetEvidence(input.conn, j));
  }
}
