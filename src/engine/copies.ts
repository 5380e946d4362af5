// A packet the capture holds twice. `tcpdump -i any` on a host that forwards the
// connection (a router, a firewall, a container host) sees each packet come in on one
// interface and go out on another; a SPAN session over two switch ports, or two taps merged
// with mergecap, hold each packet as it passed each point. Either way it is the same IP
// datagram — same IPv4 identification, TCP sequence and acknowledgment numbers, flags,
// window and length — moments later, with its TTL one lower (routed), or the same TTL with
// the other direction mark (bridged), or simply the same TTL (mirrored; also a container's
// packet captured on its veth and again on the bridge). Counting the copy
// as a retransmission would invent losses; the engine leaves it out and counts it.
// A retransmission is sent again by the host itself: a new IPv4 identification, a
// retransmission timeout later (a SYN's a second later at the earliest).

import { TCP_SYN, type TcpSegment } from '../net/decode.js';
import type { SideState } from './connection.js';

/** A host forwards a packet in microseconds; a retransmission timeout is 200 ms at least. */
const COPY_WITHIN_SECONDS = 0.05;
/**
 * The same TTL is weaker evidence (a fast retransmission on a LAN can follow within a
 * millisecond, and a stack may repeat its IPv4 identification): mirrored copies must come
 * closer, as a bridge or a mirror port delivers them (microseconds; merged taps: their clocks).
 */
const MIRRORED_WITHIN_SECONDS = 0.01;

export const enum Copy {
  No = 0,
  /** The TTL one lower: the copy after a router (or routing host) forwarded it. */
  Routed = 1,
  /** The same TTL: a bridge, a mirror port, two captures merged. */
  Mirrored = 2,
}

/** Whether `s` is a second copy of `me`'s last packet; remembers `s` for the next one either way. */
export function secondCopy(me: SideState, s: TcpSegment, time: number): Copy {
  let copy = Copy.No;
  if (
    time - me.lastTime <= COPY_WITHIN_SECONDS &&
    s.seq === me.lastSeq &&
    s.ack === me.lastAck &&
    s.flags === me.lastFlags &&
    s.payloadLen === me.lastLen &&
    s.window === me.lastWindow &&
    s.ipId === me.lastIpId
  ) {
    if (s.ttl === me.lastTtl - 1) copy = Copy.Routed;
    else if (s.ttl === me.lastTtl && time - me.lastTime <= MIRRORED_WITHIN_SECONDS) {
      // The same IPv4 identification (never reused by its sender within moments; 0 is what
      // some stacks always send), a SYN, or marked in and then out: one datagram seen twice.
      const marksDiffer = s.direction !== 0 && me.lastDirection !== 0 && s.direction !== me.lastDirection;
      if (s.ipId > 0 || (s.flags & TCP_SYN) !== 0 || marksDiffer) copy = Copy.Mirrored;
    }
  }
  me.lastTime = time;
  me.lastTtl = s.ttl;
  me.lastDirection = s.direction;
  if (copy !== Copy.No) return copy;
  me.lastSeq = s.seq;
  me.lastAck = s.ack;
  me.lastFlags = s.flags;
  me.lastLen = s.payloadLen;
  me.lastWindow = s.window;
  me.lastIpId = s.ipId;
  return Copy.No;
}

/** Recent SYNs kept for recognising a translated one (a power of two). */
const SYN_SLOTS = 4096;

/**
 * The same connection under other addresses: a host that translates them (masquerade, a
 * port forward, a container host) and was captured on all its interfaces shows each
 * packet before and after, and a SYN keeps its sequence number and IPv4 identification
 * through NAT. A SYN with the ISN and identification of one seen moments earlier under
 * other endpoints (its TTL the same or one lower) is that connection's other leg.
 * Fixed-size: a slot per ISN hash, overwritten; a flood only churns it.
 */
export class RecentSyns {
  private readonly isn = new Float64Array(SYN_SLOTS).fill(-1);
  private readonly ipId = new Int32Array(SYN_SLOTS);
  private readonly ttl = new Int16Array(SYN_SLOTS);
  private readonly time = new Float64Array(SYN_SLOTS);
  /** Endpoint keys: IPv4's numbers in typed arrays (no boxed number per SYN), IPv6's strings beside. */
  private readonly src4 = new Float64Array(SYN_SLOTS);
  private readonly dst4 = new Float64Array(SYN_SLOTS);
  private readonly src6: string[] = new Array<string>(SYN_SLOTS).fill('');
  private readonly dst6: string[] = new Array<string>(SYN_SLOTS).fill('');

  /** The endpoint keys of the earlier SYN `s` is the translated copy of, or null (then `s` is remembered). */
  earlier(s: TcpSegment, time: number, src: number | string, dst: number | string): { src: number | string; dst: number | string } | null {
    const i = (s.seq ^ (s.seq >>> 12)) & (SYN_SLOTS - 1);
    const v4 = typeof src === 'number';
    if (this.isn[i] === s.seq && time - this.time[i]! <= COPY_WITHIN_SECONDS && this.ipId[i] === s.ipId && v4 === (this.src6[i] === '')) {
      const was = v4 ? { src: this.src4[i]!, dst: this.dst4[i]! } : { src: this.src6[i]!, dst: this.dst6[i]! };
      if (was.src === src && was.dst === dst) return null; // the same SYN again (a copy, a retransmission)
      if (s.ttl === this.ttl[i] || s.ttl === this.ttl[i]! - 1) return was;
    }
    this.isn[i] = s.seq;
    this.ipId[i] = s.ipId;
    this.ttl[i] = s.ttl;
    this.time[i] = time;
    if (v4) {
      this.src4[i] = src;
      this.dst4[i] = dst as number;
      this.src6[i] = '';
    } else {
      this.src6[i] = src;
      this.dst6[i] = dst as string;
    }
    return null;
  }
}
