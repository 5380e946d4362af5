// Where a capture was taken, as far as its packets show — per connection, and for the
// whole input. Pure: reads the TCP/IP facts the engine keeps (engine/ip-facts.ts).
//
// Signs, strongest first:
//  - the capture's own word: a Linux cooked header (`tcpdump -i any`) or pcapng's flags
//    mark each packet received by or sent by the capturing host; one side's packets all
//    sent by it, the other's received, put the capture on the first side's host. The same
//    packets captured twice, coming in and going out one hop lower, put it on a host that
//    forwards the connection (a router or firewall captured on every interface);
//  - checksum offload: a host's own packets are captured before its NIC fills in the TCP
//    checksum; wrong checksums on one side only mean the capture ran on that side's host;
//  - TTLs: a packet shows its sender's initial TTL (64, 128, 255) until a router forwards
//    it; the side whose packets arrive with their initial value is on the capture's side of
//    every router (the host itself, or a tap / router interface next to it);
//  - the handshake's RTT split: on the client, SYN-ACK → ACK is the client's own stack (near
//    zero) and SYN → SYN-ACK the whole round trip; on the server the other way round; in
//    the middle both take time. Only read where the round trip is long enough to measure.
// A router's interface facing the client looks like the client: the answer is then
// `client` with a `possible`, and its evidence says so; never a guess beyond the packets.

import type { Connection } from '../engine/connection.js';
import type { Side } from '../engine/types.js';
import { hostPort } from '../wire/text.js';
import type { Confidence } from './types.js';

export type VantagePoint = 'client' | 'server' | 'middle' | 'unknown';

export interface Vantage {
  point: VantagePoint;
  confidence: Confidence;
  evidence: string[];
}

/** Initial TTL / hop limit values of common stacks (Linux, macOS and BSDs 64, Windows 128, network gear 255; some 32). */
export const INITIAL_TTLS: ReadonlySet<number> = new Set([32, 64, 128, 255]);
/** A handshake round trip under this is too short to tell its two halves apart. */
const RTT_MEASURABLE_SECONDS = 0.001;
/** One half of the round trip this many times the other: the capture ran at the fast half's end. */
const RTT_RATIO = 4;

const hopsFromInitial = (ttl: number): number => {
  let best = Infinity;
  for (const i of INITIAL_TTLS) if (i >= ttl) best = Math.min(best, i - ttl);
  return best;
};

function ttlWords(side: Side, ttl: number): string {
  const hops = hopsFromInitial(ttl);
  return hops === 0 ? `the ${side}'s packets arrive with TTL ${ttl}, an initial value: no router between it and the capture` : `the ${side}'s packets arrive with TTL ${ttl} (${hops} hop${hops === 1 ? '' : 's'} from an initial ${ttl + hops})`;
}

/** SYN → SYN-ACK and SYN-ACK → ACK, in seconds, when the capture saw all three. */
function rttSplit(conn: Connection): { t1: number; t2: number } | null {
  const c = conn.client;
  const s = conn.server;
  if (c.synTimes.length !== 1 || s.synTimes.length === 0 || !conn.established || conn.establishedTime === 0) return null;
  const t1 = s.synTimes[0]! - c.synTimes[0]!;
  const t2 = conn.establishedTime - s.synTimes[0]!;
  return t1 >= 0 && t2 >= 0 ? { t1, t2 } : null;
}

const isLoopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1' || ip.startsWith('::ffff:127.');
const sameHost = (a: string, b: string): boolean => a === b || (isLoopback(a) && isLoopback(b));

/** The side whose packets are all marked sent by the capturing host while none of the other's are. */
function markedSender(conn: Connection): Side | null {
  const c = conn.client;
  const s = conn.server;
  if (c.markedOut > 0 && c.markedOut === c.packets && s.markedOut === 0 && s.markedIn === s.packets) return 'client';
  if (s.markedOut > 0 && s.markedOut === s.packets && c.markedOut === 0 && c.markedIn === c.packets) return 'server';
  return null;
}

const ms = (x: number): string => `${(x * 1000).toFixed(x < 0.01 ? 3 : 1)} ms`;

export function vantageOf(conn: Connection): Vantage {
  const c = conn.client;
  const s = conn.server;
  const evidence: string[] = [];

  // 0. One host at both ends; what the capture marked: copies of forwarded packets, the host's own packets.
  if (sameHost(c.endpoint.ip, s.endpoint.ip)) {
    evidence.push(`the client and the server are one host (${c.endpoint.ip === s.endpoint.ip ? c.endpoint.ip : 'loopback addresses'}): the capture ran on it and saw both ends`);
    return { point: 'client', confidence: 'likely', evidence };
  }
  const t = conn.translation;
  if (t !== null) {
    evidence.push(`the capture holds this connection ${t.leg === 'before' ? 'again after' : 'also before'} its addresses were translated (as ${hostPort(t.other.client)} → ${hostPort(t.other.server)}: the same SYN, sequence number and IPv4 identification): the capture ran on the host that translates it (a NAT router, a firewall or a container host)`);
    return { point: 'middle', confidence: 'likely', evidence };
  }
  const copies = c.copies + s.copies;
  if (copies > 0) {
    evidence.push(
      c.copiesRouted + s.copiesRouted > 0
        ? `${copies} of the connection's packets are in the capture twice, coming in on one interface and going out on another one hop lower: the capture ran on a host that forwards this connection (a router, firewall or NAT box, on all its interfaces)`
        : `${copies} of the connection's packets are in the capture twice with the same TTL and IPv4 identification: captured at two points between the hosts at once (a bridge, a mirror port over two switch ports, or two captures merged)`,
    );
    return { point: 'middle', confidence: 'likely', evidence };
  }
  const byMark = markedSender(conn);
  if (byMark) {
    const other = byMark === 'client' ? 'server' : 'client';
    evidence.push(`the capture marks the ${byMark}'s packets as sent by the capturing host${(byMark === 'client' ? s : c).packets > 0 ? ` and the ${other}'s as received by it` : ''} (Linux cooked header or pcapng flags): the capture ran on the ${byMark}'s host`);
    return { point: byMark, confidence: 'likely', evidence };
  }
  if (c.markedOther > 0 && c.markedOther === c.packets && s.markedOther === s.packets) {
    evidence.push('the capture marks every packet as addressed to another host (promiscuous mode): the capture ran on a tap, a mirror port or a bridge between the two');
    return { point: 'middle', confidence: 'likely', evidence };
  }

  // 1. Checksum offload.
  let byChecksum: Side | null = null;
  if (c.checksumsChecked > 0 && s.checksumsChecked > 0) {
    const cBad = c.checksumsBad === c.checksumsChecked;
    const sBad = s.checksumsBad === s.checksumsChecked;
    if (cBad && s.checksumsBad === 0) byChecksum = 'client';
    else if (sBad && c.checksumsBad === 0) byChecksum = 'server';
    if (byChecksum) evidence.push(`the ${byChecksum}'s packets carry TCP checksums not filled in yet (checksum offload), the other side's are right: the capture ran on the ${byChecksum}'s host`);
  }

  // 2. TTLs.
  let byTtl: Side | 'middle' | 'same' | null = null;
  if (c.ttl >= 0 && s.ttl >= 0) {
    const ci = INITIAL_TTLS.has(c.ttl);
    const si = INITIAL_TTLS.has(s.ttl);
    if (ci && !si) byTtl = 'client';
    else if (si && !ci) byTtl = 'server';
    else if (!ci && !si) byTtl = 'middle';
    else byTtl = 'same';
    evidence.push(`${ttlWords('client', c.ttl)}; ${ttlWords('server', s.ttl)}`);
  } else if (c.ttl >= 0 && s.packets === 0 && INITIAL_TTLS.has(c.ttl)) {
    // Only the client spoke (an unanswered SYN): its initial TTL still places the capture on its side.
    byTtl = 'client';
    evidence.push(`${ttlWords('client', c.ttl)}; nothing came back from the server to compare`);
  }

  // 3. The handshake's RTT split.
  let byRtt: Side | 'middle' | null = null;
  const split = rttSplit(conn);
  if (split && Math.max(split.t1, split.t2) >= RTT_MEASURABLE_SECONDS) {
    const { t1, t2 } = split;
    if (t1 >= RTT_RATIO * t2) byRtt = 'client';
    else if (t2 >= RTT_RATIO * t1) byRtt = 'server';
    else if (Math.min(t1, t2) >= RTT_MEASURABLE_SECONDS) byRtt = 'middle';
    evidence.push(`SYN → SYN-ACK took ${ms(t1)}, SYN-ACK → ACK ${ms(t2)}${byRtt === 'client' ? ': the client answered at once (its own stack)' : byRtt === 'server' ? ': the server answered at once (its own stack)' : byRtt === 'middle' ? ': both halves take time, as seen from in between' : ''}`);
  }

  // Virtual links (veth, bridges) carry unfinished checksums across hosts: trust them only
  // where the TTLs do not point the other way.
  if (byChecksum && (byTtl === null || byTtl === 'same' || byTtl === byChecksum)) return { point: byChecksum, confidence: 'likely', evidence };
  if (byTtl === 'client' || byTtl === 'server') {
    if (byRtt === 'middle') {
      evidence.push(`the capture point is next to the ${byTtl} (a router or tap on its side), not the ${byTtl} itself`);
      return { point: 'middle', confidence: 'possible', evidence };
    }
    if (byRtt === byTtl) return { point: byTtl, confidence: 'likely', evidence };
    evidence.push(`on the ${byTtl}, or on a router or tap on the ${byTtl}'s side of every hop: the packets look the same there`);
    return { point: byTtl, confidence: 'possible', evidence };
  }
  if (byTtl === 'middle') {
    evidence.push('neither side shows its initial TTL: routers on both sides of the capture point');
    return { point: 'middle', confidence: byRtt === 'middle' || byRtt === null ? 'likely' : 'possible', evidence };
  }
  if (byRtt) return { point: byRtt, confidence: 'possible', evidence };
  if (evidence.length === 0) evidence.push('the capture shows neither TTLs, checksum signs nor a whole TCP handshake to tell');
  else if (byTtl === 'same') evidence.push('both sides show their initial TTL (one network segment, no router in between): the TTLs do not tell which end the capture ran on');
  return { point: 'unknown', confidence: 'possible', evidence };
}

/** The whole input's vantage: what most connections agree on (the first connections' evidence). */
export class VantageTally {
  private readonly counts = new Map<string, { n: number; vantage: Vantage; client: string; server: string }>();

  add(v: Vantage, client: string, server: string): void {
    const key = `${v.point}|${v.point === 'client' ? client : v.point === 'server' ? server : ''}`;
    const e = this.counts.get(key);
    if (e) e.n++;
    else if (this.counts.size < 64) this.counts.set(key, { n: 1, vantage: v, client, server });
  }

  /** One line for the report's header, or null with nothing to say. */
  summary(): string | null {
    const all = [...this.counts.values()];
    const total = all.reduce((a, b) => a + b.n, 0);
    const known = all.filter((e) => e.vantage.point !== 'unknown').sort((a, b) => b.n - a.n);
    if (total === 0 || known.length === 0) return null;
    const top = known[0]!;
    const share = top.n === total ? 'every connection' : `${top.n} of ${total} connections`;
    const where =
      top.vantage.point === 'client' ? `on the client side (${top.client})` : top.vantage.point === 'server' ? `on the server side (${top.server})` : 'in the middle of the path';
    return `captured ${where}, as ${share} show${top.n === 1 || top.n === total ? 's' : ''} (${top.vantage.confidence}): ${top.vantage.evidence[0] ?? ''}`;
  }
}
