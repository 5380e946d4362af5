// Facts about the TCP layer of a connection, derived (pure) from the engine's state.
// Rules of every layer use these; they never look at packets themselves.

import type { Connection, SentSegment, SideState } from '../engine/connection.js';
import type { Side } from '../engine/types.js';

/** IP datagrams at least this large are "full-size" for path-MTU reasoning. */
export const MTU_SUSPECT_IP_LEN = 1000;
/** A SYN unanswered for this long (without retransmission) counts as a timeout, not as "capture ended". */
export const SYN_TIMEOUT_MIN_SECONDS = 3;

export const who = (s: Side): string => (s === 'client' ? 'client' : 'server');

/** "+1.234 s" from the connection's first packet. */
export function rel(conn: Connection, time: number): string {
  const d = time - conn.startTime;
  return `+${d.toFixed(3)} s`;
}

export function endpointText(conn: Connection, s: Side): string {
  const e = conn.side(s).endpoint;
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** Segments a side sent that were retransmitted and never acknowledged. */
export function unackedRetransmitted(st: SideState): SentSegment[] {
  return st.sent.filter((s) => s.ackedBy === 0 && s.frames.length > 1);
}

export interface MtuEvidence {
  side: Side;
  segments: SentSegment[];
  smallest: number;
  largestAcked: number;
}

/**
 * A path-MTU black hole, seen from the capture: a side's full-size segments were
 * retransmitted and never acknowledged, while its small packets got through (the peer
 * answered its SYN-ACK / earlier small segments) and no small segment was lost.
 */
export function mtuBlackhole(conn: Connection): MtuEvidence | null {
  for (const side of ['server', 'client'] as const) {
    const st = conn.side(side);
    const lost = unackedRetransmitted(st);
    if (lost.length === 0) continue;
    const smallest = Math.min(...lost.map((s) => s.ipLen));
    if (smallest < MTU_SUSPECT_IP_LEN) continue;
    // Small packets from this side got through: the peer completed the handshake with it,
    // or acknowledged a smaller data segment.
    const peer = conn.side(side === 'server' ? 'client' : 'server');
    const smallPassed = (conn.established && peer.packets > 0) || (st.maxAckedSegment > 0 && st.maxAckedSegment < smallest);
    if (!smallPassed) continue;
    if (st.sent.some((s) => s.ackedBy !== 0 && s.ipLen >= smallest)) continue; // big ones did pass
    return { side, segments: lost, smallest, largestAcked: st.maxAckedSegment };
  }
  return null;
}

/** Segments retransmitted and never acknowledged, on either side (stall evidence). */
export function stalled(conn: Connection): { side: Side; segments: SentSegment[] } | null {
  for (const side of ['client', 'server'] as const) {
    const lost = unackedRetransmitted(conn.side(side));
    if (lost.length > 0) return { side, segments: lost };
  }
  return null;
}

export function segmentEvidence(conn: Connection, side: Side, segs: SentSegment[], max = 4): string[] {
  const out: string[] = [];
  for (const s of segs.slice(0, max)) {
    const retries = s.frames.slice(1).map((f, i) => `${f} (${rel(conn, s.times[i + 1]!)})`);
    out.push(`frame ${s.frames[0]} (${rel(conn, s.times[0]!)}): ${who(side)} sent ${s.len} bytes (IP packet ${s.ipLen} bytes), retransmitted in frame${retries.length > 1 ? 's' : ''} ${retries.join(', ')}, never acknowledged`);
  }
  if (segs.length > max) out.push(`… and ${segs.length - max} more such segments`);
  return out;
}

export function synEvidence(conn: Connection): string[] {
  const c = conn.client;
  const dst = endpointText(conn, 'server');
  return c.synFrames.map((f, i) => (i === 0 ? `frame ${f} (${rel(conn, c.synTimes[i]!)}): SYN to ${dst}` : `frame ${f} (${rel(conn, c.synTimes[i]!)}): SYN retransmitted (retry ${i})`));
}

/** Time the client kept trying without an answer. */
export function synSpan(conn: Connection): number {
  const t = conn.client.synTimes;
  return t.length > 0 ? t[t.length - 1]! - t[0]! : 0;
}

/** The first close on the wire: which side, how, and where. */
export function firstClose(conn: Connection): { side: Side; kind: 'fin' | 'rst'; frame: number; time: number } | null {
  const ev: { side: Side; kind: 'fin' | 'rst'; frame: number; time: number }[] = [];
  for (const side of ['client', 'server'] as const) {
    const st = conn.side(side);
    if (st.fin) ev.push({ side, kind: 'fin', frame: st.fin.frame, time: st.fin.time });
    if (st.rst) ev.push({ side, kind: 'rst', frame: st.rst.frame, time: st.rst.time });
  }
  ev.sort((a, b) => a.frame - b.frame);
  return ev[0] ?? null;
}
