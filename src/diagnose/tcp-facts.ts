// Facts about the TCP layer of a connection, derived (pure) from the engine's state.
// Rules of every layer use these; they never look at packets themselves.

import type { Connection, Hole, SentSegment, SideState } from '../engine/connection.js';
import type { Side } from '../engine/types.js';
import { seqAdd, seqDiff } from '../net/stream.js';
import { hostPort } from '../wire/text.js';

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
  return hostPort(conn.side(s).endpoint);
}

/** Segments a side sent that were retransmitted and never acknowledged. */
export function unackedRetransmitted(st: SideState): SentSegment[] {
  return st.sent.filter((s) => s.ackedBy === 0 && s.frames.length > 1);
}

export interface MtuEvidence {
  side: Side;
  /**
   * sender: the capture saw the full-size segments leave and never be acknowledged (it ran
   * on the sender's side of the loss); receiver: it saw only what got through — a hole in
   * the side's stream the peer never acknowledged past, the small tail after it, the peer's
   * duplicate ACKs (it ran on the receiver's side).
   */
  view: 'sender' | 'receiver';
  /** sender view: the lost segments. */
  segments: SentSegment[];
  smallest: number;
  largestAcked: number;
  /** receiver view: the hole, the segments that arrived after it, the peer's duplicate ACKs. */
  hole: Hole | null;
  tail: SentSegment[];
  dupAckFrames: number[];
}

/**
 * Bytes of a side's stream the capture never saw and the peer never acknowledged past:
 * they never reached the peer (lost on the path), as opposed to packets the capture
 * missed (which the peer acknowledges).
 */
export function lostHoles(conn: Connection, side: Side): Hole[] {
  const st = conn.side(side);
  return st.holes.filter((h) => st.highestAcked < 0 || seqDiff(st.highestAcked, h.seq) <= 0);
}

/**
 * Whether the data a side sent in `frame` reached its peer: its segment was acknowledged.
 * null when the capture does not tell (the segment is not among those tracked).
 */
export function peerReceived(conn: Connection, side: Side, frame: number): boolean | null {
  const st = conn.side(side);
  const seg = st.sent.find((x) => x.frames.includes(frame));
  if (!seg) return null;
  return seg.ackedBy !== 0 || (st.highestAcked >= 0 && seqDiff(st.highestAcked, seqAdd(seg.seq, seg.len)) >= 0);
}

/** Data lost on the path, from either view: retransmitted and never acknowledged, or a hole never acknowledged past. */
export const pathLoss = (conn: Connection): boolean =>
  unackedRetransmitted(conn.client).length > 0 || unackedRetransmitted(conn.server).length > 0 || lostHoles(conn, 'server').length > 0 || lostHoles(conn, 'client').length > 0;

/**
 * A path-MTU black hole, seen from the capture: a side's full-size segments were
 * retransmitted and never acknowledged, while its small packets got through (the peer
 * answered its SYN-ACK / earlier small segments) and no small segment was lost.
 */
export function mtuBlackhole(conn: Connection): MtuEvidence | null {
  return mtuBySender(conn) ?? mtuByReceiver(conn);
}

function mtuBySender(conn: Connection): MtuEvidence | null {
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
    return { side, view: 'sender', segments: lost, smallest, largestAcked: st.maxAckedSegment, hole: null, tail: [], dupAckFrames: [] };
  }
  return null;
}

/**
 * Seen from the receiving side: a hole of at least one full-size segment in a side's
 * stream that the peer never acknowledged past, while the small segments after it arrived
 * and the peer asked for the missing bytes again (duplicate ACKs).
 */
function mtuByReceiver(conn: Connection): MtuEvidence | null {
  for (const side of ['server', 'client'] as const) {
    const st = conn.side(side);
    const hole = lostHoles(conn, side).find((h) => h.len >= MTU_SUSPECT_IP_LEN - 40);
    if (!hole || st.dupAcks === 0) continue;
    const after = seqAdd(hole.seq, hole.len);
    const tail = st.sent.filter((x) => seqDiff(x.seq, after) >= 0);
    if (tail.length === 0 || tail.some((x) => x.ipLen >= MTU_SUSPECT_IP_LEN)) continue;
    return { side, view: 'receiver', segments: [], smallest: 0, largestAcked: st.maxAckedSegment, hole, tail, dupAckFrames: st.dupAckFrames };
  }
  return null;
}

/** Segments retransmitted and never acknowledged, on either side (stall evidence), or data that never reached the peer. */
export function stalled(conn: Connection): { side: Side; segments: SentSegment[]; holes: Hole[] } | null {
  for (const side of ['client', 'server'] as const) {
    const lost = unackedRetransmitted(conn.side(side));
    if (lost.length > 0) return { side, segments: lost, holes: [] };
  }
  for (const side of ['client', 'server'] as const) {
    const holes = lostHoles(conn, side);
    if (holes.length > 0 && conn.side(side).dupAcks > 0) return { side, segments: [], holes };
  }
  return null;
}

/** A lost hole as an evidence line. */
export function holeEvidence(conn: Connection, side: Side, h: Hole): string {
  const st = conn.side(side);
  const after = seqAdd(h.seq, h.len);
  const tail = st.sent.filter((x) => seqDiff(x.seq, after) >= 0).slice(0, 3);
  const peer = side === 'client' ? 'server' : 'client';
  return `${h.len} bytes of the ${who(side)}'s data never arrived (relative sequence ${seqDiff(h.seq, st.isn >= 0 ? seqAdd(st.isn, 1) : h.seq) + 1}-${seqDiff(after, st.isn >= 0 ? seqAdd(st.isn, 1) : h.seq)}): ${tail.length ? `what followed did (frame${tail.length > 1 ? 's' : ''} ${tail.map((x) => `${x.frames[0]} (${x.len} bytes)`).join(', ')}), ` : ''}and the ${peer} never acknowledged past the hole${st.dupAckFrames.length ? ` (duplicate ACKs in frame${st.dupAckFrames.length > 1 ? 's' : ''} ${st.dupAckFrames.slice(0, 6).join(', ')})` : ''}`;
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

/** Evidence lines for data lost on the path, from whichever view the capture has. */
export function lossEvidence(conn: Connection, side: Side, segments: readonly SentSegment[], holes: readonly Hole[]): string[] {
  if (segments.length > 0) {
    const peer = side === 'client' ? 'server' : 'client';
    const frames = segments.map((x) => x.frames[0]!);
    return [
      ...segmentEvidence(conn, side, [...segments]),
      `the ${peer} never acknowledged frame${frames.length > 1 ? 's' : ''} ${frameList(frames)}: ${frames.length > 1 ? 'they were' : 'it was'} lost on the way (the capture saw ${frames.length > 1 ? 'them' : 'it'} leave, before the loss)`,
    ];
  }
  return holes.slice(0, 3).map((h) => holeEvidence(conn, side, h) + ': they were lost on the way, before the capture point');
}

/** Where the loss shows last: the last retransmission of the first lost segment, or the peer's last duplicate ACK. */
export function lossCutFrame(conn: Connection, side: Side, segments: readonly SentSegment[]): number | null {
  const first = segments[0];
  if (first) return first.frames[first.frames.length - 1]!;
  const dups = conn.side(side).dupAckFrames;
  return dups[dups.length - 1] ?? null;
}

/** "9-14" for consecutive frames, else "9, 12, 14". */
export function frameList(frames: readonly number[]): string {
  const f = [...frames].sort((a, b) => a - b);
  if (f.length > 2 && f[f.length - 1]! - f[0]! === f.length - 1) return `${f[0]}-${f[f.length - 1]}`;
  return f.slice(0, 8).join(', ') + (f.length > 8 ? ` … (${f.length} in all)` : '');
}

/** What a side's RST says about its sender, against that side's other packets. */
export interface ResetJudgement {
  side: Side;
  frame: number;
  time: number;
  ttl: number;
  /** The TTL every other packet of the side arrived with. */
  expectedTtl: number;
  /** The RST's TTL differs from all the side's other packets (which never varied). */
  ttlMismatch: boolean;
  /** The side's IPv4 IDs follow a counter and the RST's does not fit it. */
  ipIdMismatch: boolean;
  ipId: number;
  lastIpId: number;
}

export function judgeReset(conn: Connection, side: Side): ResetJudgement | null {
  const st = conn.side(side);
  const rst = st.rst;
  if (!rst || st.ttl < 0 || rst.ttl <= 0) return null;
  const ttlMismatch = rst.ttl !== st.ttl && st.ttlChanges === 0;
  const step = (rst.ipId - st.ipIdLast) & 0xffff;
  const ipIdMismatch = rst.ipId > 0 && st.ipIdLast > 0 && st.ipIdSteps >= 2 && st.ipIdJumps === 0 && !(step >= 1 && step <= 64);
  return { side, frame: rst.frame, time: rst.time, ttl: rst.ttl, expectedTtl: st.ttl, ttlMismatch, ipIdMismatch, ipId: rst.ipId, lastIpId: st.ipIdLast };
}

/** The RST as an evidence line: whether its sender's other packets vouch for it. */
export function resetEvidence(conn: Connection, j: ResetJudgement): string {
  const hex = (x: number) => '0x' + x.toString(16).padStart(4, '0');
  if (j.ttlMismatch) {
    return `frame ${j.frame} (${rel(conn, j.time)}): the RST claiming to come from the ${who(j.side)} arrived with TTL ${j.ttl}, where every other packet of the ${who(j.side)} arrived with ${j.expectedTtl}${j.ipIdMismatch ? `, and its IP ID ${hex(j.ipId)} does not follow the ${who(j.side)}'s counter (last ${hex(j.lastIpId)})` : ''}: another device sent it`;
  }
  return `frame ${j.frame} (${rel(conn, j.time)}): the RST arrived with TTL ${j.ttl}, like the ${who(j.side)}'s other packets${j.ipIdMismatch ? `, though its IP ID ${hex(j.ipId)} does not follow the ${who(j.side)}'s counter (last ${hex(j.lastIpId)})` : ''}: the ${who(j.side)} sent it`;
}
