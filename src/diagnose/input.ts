// Everything a rule may read about one finished connection. Built by the analyzer; rules
// are pure functions of it.

import type { KnownHostsResult } from '../ssh/known-hosts.js';
import type { SshState } from '../ssh/state.js';
import type { TlsState } from '../tls/state.js';
import type { TunnelState } from '../tunnel/state.js';
import type { QuicState } from '../quic/state.js';
import type { ChainReport } from '../x509/index.js';
import type { KnowledgeView } from './knowledge.js';
import type { BaseInput } from './rules-tcp.js';

export interface DiagnosisInput extends BaseInput {
  /** The TLS tracker's facts, when the connection was handed to the TLS tracker. */
  tls: TlsState | null;
  /** The SSH tracker's facts, when the connection was handed to the SSH tracker. */
  ssh: SshState | null;
  /** The preamble before TLS (a proxy's CONNECT / SOCKS exchange, STARTTLS...), when there was one. */
  tunnel: TunnelState | null;
  /** A QUIC connection's own facts (its TLS handshake is in `tls`). */
  quic?: QuicState | null;
  /** The server's certificate chain judged at the capture's time (TLS ≤ 1.2 with a visible Certificate). */
  chain: ChainReport | null;
  /** What other connections in the input showed about servers. */
  knowledge: KnowledgeView;
  /** The server's host key checked against --known-hosts (null without the option or without a key). */
  knownHosts: KnownHostsResult | null;
  /** The known_hosts file given, for evidence ("~/.ssh/known_hosts line 3"). */
  knownHostsPath: string | null;
  /**
   * Packets the live capture lost (kernel + interface drops) while this connection was
   * open; null when unknown or not live. Verdicts that rest on a missing packet are
   * downgraded to `possible` when this is > 0.
   */
  drops: number | null;
}

/**
 * The server a connection's handshake was with, for what is learnt across connections: the
 * endpoint, or behind a proxy tunnel the target the proxy connected to (every target
 * behind one proxy is a different server).
 */
export function handshakeServer(input: Pick<DiagnosisInput, 'conn' | 'tunnel'>): { ip: string; port: number } {
  const t = input.tunnel;
  if (t && t.result === 'established' && t.targetHost !== null && t.targetPort !== null && (t.kind === 'http-connect' || t.kind.startsWith('socks'))) return { ip: t.targetHost, port: t.targetPort };
  return input.conn.server.endpoint;
}
