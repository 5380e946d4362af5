// Which `--jobs` worker owns a packet, decided on the packet as net/decode.ts decoded it:
// every link layer, tunnel and reassembled fragment the engine reads is routed alike, by a
// symmetric hash of the address pair with the TCP ports, so both directions of a
// connection have one owner. An ICMP error goes with the connection of the packet it
// quotes. UDP, and what the engine only counts (non-IP, pieces of a datagram still being
// reassembled, damaged headers), belong to worker 0: a QUIC connection follows its
// connection IDs across addresses (migration, NAT rebinding), so its datagrams stay together.

import { Skip, type TcpSegment } from './decode.js';

/** The worker (0..n-1) that owns a decoded packet. */
export function packetOwner(r: Skip, seg: TcpSegment, n: number): number {
  if (n <= 1 || (r !== Skip.None && r !== Skip.IcmpError)) return 0;
  return flowHash(seg) % n;
}

/** A non-negative hash of the segment's address pair and ports, the same in both directions. */
function flowHash(seg: TcpSegment): number {
  const a = seg.ipVersion === 4 ? mix(seg.src4) : fold(seg.src6);
  const b = seg.ipVersion === 4 ? mix(seg.dst4) : fold(seg.dst6);
  return pair(mix((a ^ Math.imul(seg.srcPort, 0x9e3779b1)) >>> 0), mix((b ^ Math.imul(seg.dstPort, 0x9e3779b1)) >>> 0));
}

/** A 32-bit mix (the murmur3 finaliser) so that neighbouring addresses and ports spread. */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Order-independent: the same for (a, b) and (b, a). */
function pair(a: number, b: number): number {
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  return mix((mix(lo) + Math.imul(hi, 0x9e3779b1)) | 0) & 0x7fffffff;
}

function fold(addr: Uint8Array): number {
  let h = 0;
  for (let i = 0; i + 3 < addr.length; i += 4) h = mix((h ^ ((addr[i]! << 24) | (addr[i + 1]! << 16) | (addr[i + 2]! << 8) | addr[i + 3]!)) >>> 0);
  return h;
}
