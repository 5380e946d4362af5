// Everything a rule may read about one finished connection. Built by the analyzer; rules
// are pure functions of it.

import type { KnownHostsResult } from '../ssh/known-hosts.js';
import type { SshState } from '../ssh/state.js';
import type { TlsState } from '../tls/state.js';
import type { ChainReport } from '../x509/index.js';
import type { Knowledge } from './knowledge.js';
import type { BaseInput } from './rules-tcp.js';

export interface DiagnosisInput extends BaseInput {
  /** The TLS tracker's facts, when the connection was handed to the TLS tracker. */
  tls: TlsState | null;
  /** The SSH tracker's facts, when the connection was handed to the SSH tracker. */
  ssh: SshState | null;
  /** The server's certificate chain judged at the capture's time (TLS ≤ 1.2 with a visible Certificate). */
  chain: ChainReport | null;
  /** What other connections in the input showed about servers. */
  knowledge: Knowledge;
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
