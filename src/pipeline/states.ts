// The facts of a connection's trackers, whichever layers it went through: a direct TLS or
// SSH connection has one tracker; a tunnelled one has the preamble layer with the TLS (or
// SSH) tracker inside it.

import type { Connection } from '../engine/connection.js';
import { SshTracker } from '../ssh/tracker.js';
import type { SshState } from '../ssh/state.js';
import { TlsTracker } from '../tls/tracker.js';
import type { TlsState } from '../tls/state.js';
import { PreambleTracker } from '../tunnel/tracker.js';
import type { TunnelState } from '../tunnel/state.js';
import { QuicTracker } from '../quic/tracker.js';
import type { QuicState } from '../quic/state.js';

export interface TrackerStates {
  tls: TlsState | null;
  ssh: SshState | null;
  tunnel: TunnelState | null;
  quic: QuicState | null;
}

export function trackerStates(conn: Connection): TrackerStates {
  const d = conn.datagram;
  if (d instanceof QuicTracker) return { tls: d.tls.state, ssh: null, tunnel: null, quic: d.state };
  let t = conn.tracker;
  let tunnel: TunnelState | null = null;
  if (t instanceof PreambleTracker) {
    tunnel = t.state;
    t = t.inner;
  }
  return {
    tls: t instanceof TlsTracker ? t.state : null,
    ssh: t instanceof SshTracker ? t.state : null,
    tunnel,
    quic: null,
  };
}
