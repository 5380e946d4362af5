// What each packet's IP and TCP headers say about its sender beyond the stream: the TTL
// (hop limit) it arrived with, the IPv4 identification sequence, and — for the first few
// packets — whether its TCP checksum is right. Diagnosis uses them to tell where the
// capture was taken (a local host's own packets show their initial TTL, and a wrong
// checksum where the NIC fills it in; the direction a Linux cooked header or pcapng flags
// mark a packet with) and to recognise a RST that its claimed sender's
// other packets contradict. Constant work per packet; checksums only on small packets.

import { Direction, TCP_RST, type TcpSegment } from '../net/decode.js';
import { CHECKSUM_SAMPLES, type SideState } from './connection.js';

/** Payload bytes up to which a packet's checksum is worth computing (handshake packets). */
const CHECKSUM_MAX_PAYLOAD = 64;

export function observeIp(me: SideState, s: TcpSegment): void {
  const d = s.direction;
  if (d === Direction.In) me.markedIn++;
  else if (d === Direction.Out) me.markedOut++;
  else if (d === Direction.Other) me.markedOther++;
  if (s.flags & TCP_RST) return; // judged against the others, never part of them
  if (me.ttl < 0) me.ttl = s.ttl;
  else if (s.ttl !== me.ttl) me.ttlChanges++;
  // 0 is what many stacks send with DF set (Linux's SYN-ACK): no counter to follow
  if (s.ipId > 0) {
    if (me.ipIdLast >= 0) {
      const step = (s.ipId - me.ipIdLast) & 0xffff;
      if (step >= 1 && step <= 64) me.ipIdSteps++;
      else if (step !== 0) me.ipIdJumps++;
    }
    me.ipIdLast = s.ipId;
  }
  if (me.checksumsChecked < CHECKSUM_SAMPLES && s.payloadLen <= CHECKSUM_MAX_PAYLOAD) {
    const ok = s.checksumValid();
    if (ok !== null) {
      me.checksumsChecked++;
      if (!ok) me.checksumsBad++;
    }
  }
}
