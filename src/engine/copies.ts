// A packet the capture holds twice. `tcpdump -i any` on a host that forwards the
// connection (a router, a firewall, a container host) sees each packet come in on one
// interface and go out on another: the same IP datagram — same IPv4 identification, same
// TCP sequence and acknowledgment numbers, flags, window and length — its TTL one lower
// (routed) or the same with the other direction mark (bridged), moments later. Counting
// the copy as a retransmission would invent losses; the engine leaves it out and counts it.
// A real retransmission is sent again by the host itself: a new IPv4 identification, its
// own TTL, a retransmission timeout later.

import type { TcpSegment } from '../net/decode.js';
import type { SideState } from './connection.js';

/** A host forwards a packet in microseconds; a retransmission takes 200 ms at least. */
const COPY_WITHIN_SECONDS = 0.05;

/** Whether `s` is a second copy of `me`'s last packet; remembers `s` for the next one either way. */
export function secondCopy(me: SideState, s: TcpSegment, time: number): boolean {
  const copy =
    time - me.lastTime <= COPY_WITHIN_SECONDS &&
    s.seq === me.lastSeq &&
    s.ack === me.lastAck &&
    s.flags === me.lastFlags &&
    s.payloadLen === me.lastLen &&
    s.window === me.lastWindow &&
    s.ipId === me.lastIpId &&
    (s.ttl === me.lastTtl - 1 || (s.ttl === me.lastTtl && s.direction !== 0 && me.lastDirection !== 0 && s.direction !== me.lastDirection));
  me.lastTime = time;
  me.lastTtl = s.ttl;
  me.lastDirection = s.direction;
  if (copy) return true;
  me.lastSeq = s.seq;
  me.lastAck = s.ack;
  me.lastFlags = s.flags;
  me.lastLen = s.payloadLen;
  me.lastWindow = s.window;
  me.lastIpId = s.ipId;
  return false;
}
