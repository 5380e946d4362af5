// Link layer → IPv4/IPv6 (through tunnels) → TCP, without allocating per packet.
//
// decodePacket() fills a reused TcpSegment and returns a status. Only TCP matters to the
// inspector; everything else is counted by kind so the report can say what it skipped.
// Tunnels seen in real captures (GRE, ERSPAN, VXLAN, Geneve, IP-in-IP) are unwrapped so
// the inner TCP connection is analysed; the outer addresses are ignored.

import { LINKTYPE } from '../capture/packet.js';
import type { FragmentReassembler } from './fragments.js';

export const enum Skip {
  None = 0,
  LinkType = 1, // link type not decoded
  NotIp = 2, // an ethertype other than IPv4/IPv6 (ARP, LLDP...)
  NotTcp = 3, // UDP, ICMP... (not a tunnel we unwrap)
  Malformed = 4, // a header that does not fit, a bad length
  Fragment = 5, // an IP fragment held for reassembly (or dropped: counted by the reassembler)
  Truncated = 6, // the TCP header itself was cut by the snaplen
  /** An ICMP error about a TCP packet: `seg` holds the quoted packet's 4-tuple and the ICMP fields. */
  IcmpError = 7,
  /** A UDP datagram (not a tunnel we unwrap): `seg` holds its ports and payload. */
  Udp = 8,
}

export const SKIP_NAMES: Record<number, string> = {
  [Skip.LinkType]: 'link type not decoded',
  [Skip.NotIp]: 'not IP',
  [Skip.NotTcp]: 'not TCP',
  [Skip.Malformed]: 'malformed header',
  [Skip.Fragment]: 'IP fragment',
  [Skip.Truncated]: 'TCP header cut by snaplen',
  [Skip.Udp]: 'UDP',
  [Skip.IcmpError]: 'ICMP error about a TCP packet',
};

/**
 * Which way the capture saw a packet go, where it says: Linux cooked headers (`tcpdump -i
 * any`: the kernel's packet type) and pcapng's epb_flags. 0 when the capture does not say.
 */
export const enum Direction {
  Unknown = 0,
  /** Received by the capturing host (addressed to it, or broadcast / multicast). */
  In = 1,
  /** Sent by the capturing host. */
  Out = 2,
  /** Addressed to another host, seen in promiscuous mode (a tap, a SPAN port, a bridge). */
  Other = 3,
}

/** Linux packet types (PACKET_HOST, _BROADCAST, _MULTICAST, _OTHERHOST, _OUTGOING) as directions. */
const SLL_DIRECTION: readonly Direction[] = [Direction.In, Direction.In, Direction.In, Direction.Other, Direction.Out];
const sllDirection = (type: number): Direction => SLL_DIRECTION[type] ?? Direction.Unknown;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** Tunnel nesting we follow before giving up (GRE in VXLAN in ...). */
const MAX_ENCAP_DEPTH = 4;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;
const ETH_TEB = 0x6558; // transparent Ethernet bridging (GRE → Ethernet)
const ETH_ERSPAN2 = 0x88be;
const ETH_ERSPAN3 = 0x22eb;

const UDP_VXLAN = 4789;
const UDP_GENEVE = 6081;

/** One decoded TCP segment. Reused between packets: copy what you keep. */
export class TcpSegment {
  ipVersion: 4 | 6 = 4;
  /** IPv4 addresses as unsigned 32-bit numbers (ipVersion 4). */
  src4 = 0;
  dst4 = 0;
  /** IPv6 addresses (views into the packet; ipVersion 6). */
  src6: Uint8Array = EMPTY;
  dst6: Uint8Array = EMPTY;
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  /** TCP options found on this segment (-1 when absent). */
  mss = -1;
  wscale = -1;
  sackPermitted = false;
  /** The frame the segment was decoded from, and where its payload starts in it. */
  data: Uint8Array = EMPTY;
  payloadStart = 0;
  /** Payload bytes present in the capture (≤ payloadLen). */
  payloadCaptured = 0;
  /** Payload length on the wire (from the IP length): larger than payload.length when cut by snaplen. */
  payloadLen = 0;
  /** IP datagram length on the wire (for path-MTU reasoning). */
  ipLen = 0;
  /** Outer encapsulation unwrapped to reach this segment, e.g. "GRE", "VXLAN" ("" when none). */
  tunnel = '';
  /** IcmpError: ICMP type/code (ICMPv6 types are stored + 256), who sent it, next-hop MTU (or -1). */
  icmpType = 0;
  icmpCode = 0;
  icmpFrom = '';
  icmpMtu = -1;
  /** The outermost IP addresses when tunnelled (the tunnel endpoints), else "". */
  outerSrc = '';
  outerDst = '';
  vlan = -1;
  /** IPv4 TTL or IPv6 hop limit of the (innermost) IP header. */
  ttl = 0;
  /** IPv4 identification, or -1 (IPv6, or a reassembled datagram). */
  ipId = -1;
  /** Which way the capture saw the packet go (Linux cooked headers; the engine adds pcapng's flags). */
  direction: Direction = Direction.Unknown;
  /** Where the IP header starts in `data`, and where the TCP header does (for checksums on demand). */
  ipStart = 0;
  tcpStart = 0;
  /** TCP header + payload length on the wire. */
  tcpLen = 0;

  /** The captured payload bytes, as a view (made on demand: bulk data past the handshake never needs them). */
  get payload(): Uint8Array {
    return this.data.subarray(this.payloadStart, this.payloadStart + this.payloadCaptured);
  }

  /**
   * Whether the TCP checksum is right (RFC 9293 §3.1, pseudo-header per RFC 791 / 8200);
   * null when the segment was not captured whole or came out of a reassembled datagram.
   * Computed on demand: a host capturing its own packets sees them before the NIC fills
   * the checksum in (offload), which tells which side the capture ran on.
   */
  checksumValid(): boolean | null {
    const d = this.data;
    if (this.ipId === -2 || this.tcpStart + this.tcpLen > d.length || this.tcpLen < 20) return null;
    let sum = 0;
    if (this.ipVersion === 4) {
      const a = this.ipStart;
      sum += ((d[a + 12]! << 8) | d[a + 13]!) + ((d[a + 14]! << 8) | d[a + 15]!) + ((d[a + 16]! << 8) | d[a + 17]!) + ((d[a + 18]! << 8) | d[a + 19]!);
    } else {
      for (let i = 0; i < 16; i += 2) sum += ((this.src6[i]! << 8) | this.src6[i + 1]!) + ((this.dst6[i]! << 8) | this.dst6[i + 1]!);
    }
    sum += 6 + this.tcpLen;
    const end = this.tcpStart + this.tcpLen;
    let i = this.tcpStart;
    for (; i + 1 < end; i += 2) sum += (d[i]! << 8) | d[i + 1]!;
    if (i < end) sum += d[i]! << 8;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    return sum === 0xffff;
  }
}

const EMPTY = new Uint8Array(0);

/** Decode one captured frame into `seg`. */
export function decodePacket(
  linkType: number,
  data: Uint8Array,
  seg: TcpSegment,
  frags: FragmentReassembler | null,
  frame: number,
  time: number,
): Skip {
  seg.tunnel = '';
  seg.vlan = -1;
  seg.direction = Direction.Unknown;
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return ethernet(data, 0, seg, frags, frame, time, 0);
    case LINKTYPE.LINUX_SLL: {
      // 16-byte cooked header: packet type at 0, protocol at offset 14.
      if (data.length < 16) return Skip.Malformed;
      seg.direction = sllDirection((data[0]! << 8) | data[1]!);
      return etherType((data[14]! << 8) | data[15]!, data, 16, seg, frags, frame, time, 0);
    }
    case LINKTYPE.LINUX_SLL2: {
      // 20-byte header: protocol at offset 0, packet type at 10.
      if (data.length < 20) return Skip.Malformed;
      seg.direction = sllDirection(data[10]!);
      return etherType((data[0]! << 8) | data[1]!, data, 20, seg, frags, frame, time, 0);
    }
    case LINKTYPE.RAW:
    case 12: // LINKTYPE_RAW as some OpenBSD files write it (DLT_RAW = 12)
    case 14:
      return rawIp(data, 0, seg, frags, frame, time, 0);
    case LINKTYPE.IPV4:
      return ipv4(data, 0, seg, frags, frame, time, 0);
    case LINKTYPE.IPV6:
      return ipv6(data, 0, seg, frags, frame, time, 0);
    case LINKTYPE.NULL: {
      // 4-byte address family in the *capturing host's* byte order.
      if (data.length < 4) return Skip.Malformed;
      const le = data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24);
      const be = (data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!;
      return loopFamily(le < 256 ? le : be, data, seg, frags, frame, time);
    }
    case LINKTYPE.LOOP: {
      if (data.length < 4) return Skip.Malformed;
      return loopFamily((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!, data, seg, frags, frame, time);
    }
    default:
      return Skip.LinkType;
  }
}

function loopFamily(af: number, data: Uint8Array, seg: TcpSegment, frags: FragmentReassembler | null, frame: number, time: number): Skip {
  // AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
  if (af === 2) return ipv4(data, 4, seg, frags, frame, time, 0);
  if (af === 24 || af === 28 || af === 30 || af === 10) return ipv6(data, 4, seg, frags, frame, time, 0);
  return Skip.NotIp;
}

function ethernet(data: Uint8Array, off: number, seg: TcpSegment, frags: FragmentReassembler | null, frame: number, time: number, depth: number): Skip {
  if (data.length < off + 14) return Skip.Malformed;
  return etherType((data[off + 12]! << 8) | data[off + 13]!, data, off + 14, seg, frags, frame, time, depth);
}

function etherType(type: number, data: Uint8Array, off: number, seg: TcpSegment, frags: FragmentReassembler | null, frame: number, time: number, depth: number): Skip {
  // VLAN tags (802.1Q, 802.1ad QinQ, and the old 0x9100), any number of them.
  while (type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD) {
    if (data.length < off + 4) return Skip.Malformed;
    if (seg.vlan < 0) seg.vlan = ((data[off]! & 0x0f) << 8) | data[off + 1]!;
    type = (data[off + 2]! << 8) | data[off + 3]!;
    off += 4;
  }
  if (type === ETH_IPV4) return ipv4(data, off, seg, frags, frame, time, depth);
  if (type === ETH_IPV6) return ipv6(data, off, seg, frags, frame, time, depth);
  if (type === 0x8864 && data.length >= off + 8) {
    // PPPoE session: 6-byte header, then the 2-byte PPP protocol.
    const ppp = (data[off + 6]! << 8) | data[off + 7]!;
    if (ppp === 0x0021) return ipv4(data, off + 8, seg, frags, frame, time, depth);
    if (ppp === 0x0057) return ipv6(data, off + 8, seg, frags, frame, time, depth);
  }
  if (type === 0x8847 || type === 0x8848) {
    // MPLS: pop labels until bottom of stack, then guess IPv4/IPv6 by the version nibble.
    while (data.length >= off + 4) {
      const bottom = (data[off + 2]! & 1) === 1;
      off += 4;
      if (bottom) return rawIp(data, off, seg, frags, frame, time, depth);
    }
    return Skip.Malformed;
  }
  return Skip.NotIp;
}

function rawIp(data: Uint8Array, off: number, seg: TcpSegment, frags: FragmentReassembler | null, frame: number, time: number, depth: number): Skip {
  if (data.length <= off) return Skip.Malformed;
  const v = data[off]! >> 4;
  if (v === 4) return ipv4(data, off, seg, frags, frame, time, depth);
  if (v === 6) return ipv6(data, off, seg, frags, frame, time, depth);
  return Skip.NotIp;
}

function ipv4(data: Uint8Array, off: number, seg: TcpSegment, frags: FragmentReassembler | null, frame: number, time: number, depth: number): Skip {
  if (data.length < off + 20) return Skip.Malformed;
  const vihl = data[off]!;
  if (vihl >> 4 !== 4) return Skip.Malformed;
  const ihl = (vihl & 0x0f) * 4;
  if (ihl < 20) return Skip.Malformed;
  const totalLen = (data[off + 2]! << 8) | data[off + 3]!;
  // totalLen 0 happens with TSO on the capturing host: use what was captured.
  const wireLen = totalLen === 0 ? data.length - off : totalLen;
  if (wireLen < ihl) return Skip.Malformed;
  const proto = data[off + 9]!;
  const src = ((data[off + 12]! << 24) >>> 0) + ((data[off + 13]! << 16) | (data[off + 14]! << 8) | data[off + 15]!);
  const dst = ((data[off + 16]! << 24) >>> 0) + ((data[off + 17]! << 16) | (data[off + 18]! << 8) | data[off + 19]!);
  const fragField = (data[off + 6]! << 8) | data[off + 7]!;
  const moreFrags = (fragField & 0x2000) !== 0;
  const fragOffset = (fragField & 0x1fff) * 8;
  if (data.length < off + ihl) return Skip.Malformed;
  const captured = Math.min(data.length, off + wireLen);
  if (moreFrags || fragOffset !== 0) {
    if (!frags) return Skip.Fragment;
    const whole = frags.add4(src, dst, (data[off + 4]! << 8) | data[off + 5]!, proto, fragOffset, moreFrags, data.subarray(off + ihl, captured), wireLen - ihl, frame, time);
    if (!whole) return Skip.Fragment;
    seg.ipVersion = 4;
    seg.src4 = src;
    seg.dst4 = dst;
    seg.ipLen = ihl + whole.length;
    seg.ttl = data[off + 8]!;
    seg.ipId = -2; // reassembled: no checksum on demand
    return l4(proto, whole, 0, whole.length, seg, frags, frame, time, depth);
  }
  seg.ipVersion = 4;
  seg.src4 = src;
  seg.dst4 = dst;
  seg.ipLen = wireLen;
  seg.ttl = data[off + 8]!;
  seg.ipId = (data[off + 4]! << 8) | data[off + 5]!;
  seg.ipStart = off;
  // TCP bounds its payload by the IP length itself; other protocols get the datagram trimmed
  // of any link-layer padding.
  return l4(proto, proto === 6 ? data : data.subarray(0, captured), off + ihl, wireLen - ihl, seg, frags, frame, time, depth);
}

function ipv6(data: Uint8Array, off: number, seg: TcpSegment, frags: FragmentReassembler | null, frame: number, time: number, depth: number): Skip {
  if (data.length < off + 40) return Skip.Malformed;
  if (data[off]! >> 4 !== 6) return Skip.Malformed;
  const payloadLen = (data[off + 4]! << 8) | data[off + 5]!;
  let next = data[off + 6]!;
  const src = data.subarray(off + 8, off + 24);
  const dst = data.subarray(off + 24, off + 40);
  const end = payloadLen === 0 ? data.length : Math.min(data.length, off + 40 + payloadLen); // 0: jumbogram/TSO
  let wireRemaining = payloadLen === 0 ? data.length - off - 40 : payloadLen;
  let p = off + 40;
  // Extension headers: hop-by-hop 0, routing 43, fragment 44, destination options 60, AH 51.
  for (let hops = 0; hops < 16; hops++) {
    if (next === 0 || next === 43 || next === 60) {
      if (end < p + 2) return Skip.Malformed;
      const len = (data[p + 1]! + 1) * 8;
      next = data[p]!;
      p += len;
      wireRemaining -= len;
    } else if (next === 51) {
      if (end < p + 2) return Skip.Malformed;
      const len = (data[p + 1]! + 2) * 4;
      next = data[p]!;
      p += len;
      wireRemaining -= len;
    } else if (next === 44) {
      if (end < p + 8) return Skip.Malformed;
      const nh = data[p]!;
      const fo = ((data[p + 2]! << 8) | data[p + 3]!) & 0xfff8;
      const more = (data[p + 3]! & 1) === 1;
      const id = ((data[p + 4]! << 24) >>> 0) + ((data[p + 5]! << 16) | (data[p + 6]! << 8) | data[p + 7]!);
      p += 8;
      wireRemaining -= 8;
      if (fo === 0 && !more) {
        next = nh; // atomic fragment
        continue;
      }
      if (!frags) return Skip.Fragment;
      const whole = frags.add6(src, dst, id, nh, fo, more, data.subarray(p, end), wireRemaining, frame, time);
      if (!whole) return Skip.Fragment;
      seg.ipVersion = 6;
      seg.src6 = src;
      seg.dst6 = dst;
      seg.ipLen = 40 + whole.length;
      seg.ttl = data[off + 7]!;
      seg.ipId = -2;
      return l4(nh, whole, 0, whole.length, seg, frags, frame, time, depth);
    } else break;
    if (p > end) return Skip.Malformed;
  }
  seg.ipVersion = 6;
  seg.src6 = src;
  seg.dst6 = dst;
  seg.ipLen = 40 + (payloadLen === 0 ? data.length - off - 40 : payloadLen);
  seg.ttl = data[off + 7]!;
  seg.ipId = -1;
  seg.ipStart = off;
  return l4(next, next === 6 ? data : data.subarray(0, end), p, wireRemaining, seg, frags, frame, time, depth);
}

function l4(proto: number, data: Uint8Array, off: number, wireLen: number, seg: TcpSegment, frags: FragmentReassembler | null, frame: number, time: number, depth: number): Skip {
  if (proto === 6) return tcp(data, off, wireLen, seg);
  if (proto === 1 || proto === 58) return icmpError(proto === 58, data, off, seg);
  if (depth >= MAX_ENCAP_DEPTH) return Skip.NotTcp;
  if (proto === 4) return tunnelled('IPIP', () => ipv4(data, off, seg, frags, frame, time, depth + 1), seg);
  if (proto === 41) return tunnelled('IPv6-in-IP', () => ipv6(data, off, seg, frags, frame, time, depth + 1), seg);
  if (proto === 47) return gre(data, off, seg, frags, frame, time, depth + 1);
  if (proto === 17) {
    if (data.length < off + 8) return Skip.NotTcp;
    const dport = (data[off + 2]! << 8) | data[off + 3]!;
    if (dport === UDP_VXLAN && data.length >= off + 16 && (data[off + 8]! & 0x08) !== 0) {
      return tunnelled('VXLAN', () => ethernet(data, off + 16, seg, frags, frame, time, depth + 1), seg);
    }
    if (dport === UDP_GENEVE && data.length >= off + 16) {
      const optLen = (data[off + 8]! & 0x3f) * 4;
      const ptype = (data[off + 10]! << 8) | data[off + 11]!;
      const inner = off + 16 + optLen;
      if (ptype === ETH_TEB) return tunnelled('Geneve', () => ethernet(data, inner, seg, frags, frame, time, depth + 1), seg);
      return tunnelled('Geneve', () => etherType(ptype, data, inner, seg, frags, frame, time, depth + 1), seg);
    }
    seg.srcPort = (data[off]! << 8) | data[off + 1]!;
    seg.dstPort = dport;
    seg.flags = 0;
    seg.seq = 0;
    seg.ack = 0;
    const ulen = (data[off + 4]! << 8) | data[off + 5]!;
    const len = Math.max(0, Math.min(ulen >= 8 ? ulen : wireLen, wireLen) - 8);
    seg.data = data;
    seg.tcpStart = off;
    seg.tcpLen = wireLen;
    seg.payloadStart = off + 8;
    seg.payloadLen = len;
    seg.payloadCaptured = Math.max(0, Math.min(data.length, off + 8 + len) - (off + 8));
    return Skip.Udp;
  }
  return Skip.NotTcp;
}

function tunnelled(name: string, inner: () => Skip, seg: TcpSegment): Skip {
  if (!seg.tunnel) {
    // The addresses decoded so far are the outer header's: the tunnel endpoints.
    seg.outerSrc = seg.ipVersion === 4 ? ipv4String(seg.src4) : ipv6String(seg.src6);
    seg.outerDst = seg.ipVersion === 4 ? ipv4String(seg.dst4) : ipv6String(seg.dst6);
  }
  const r = inner();
  if (r === Skip.None) seg.tunnel = seg.tunnel ? `${name}/${seg.tunnel}` : name;
  return r;
}

function gre(data: Uint8Array, off: number, seg: TcpSegment, frags: FragmentReassembler | null, frame: number, time: number, depth: number): Skip {
  if (data.length < off + 4) return Skip.NotTcp;
  const flags = data[off]!;
  const version = data[off + 1]! & 0x07;
  const ptype = (data[off + 2]! << 8) | data[off + 3]!;
  let p = off + 4;
  if (version === 1) {
    // Enhanced GRE (PPTP): key always present, optional seq/ack; payload is PPP.
    p += 4;
    if (flags & 0x10) p += 4;
    if (data[off + 1]! & 0x80) p += 4;
    if (ptype !== 0x880b || data.length < p + 2) return Skip.NotTcp;
    let pp = p;
    if (data[pp] === 0xff && data[pp + 1] === 0x03) pp += 2;
    const pppProto = data[pp] === 0x21 ? 0x21 : (data[pp]! << 8) | data[pp + 1]!;
    pp += pppProto === 0x21 ? 1 : 2;
    if (pppProto === 0x21 || pppProto === 0x0021) return tunnelled('GRE/PPP', () => ipv4(data, pp, seg, frags, frame, time, depth), seg);
    return Skip.NotTcp;
  }
  if (flags & 0x80) p += 4; // checksum + reserved
  if (flags & 0x20) p += 4; // key
  if (flags & 0x10) p += 4; // sequence number
  if (data.length < p) return Skip.NotTcp;
  if (ptype === ETH_TEB) return tunnelled('GRE', () => ethernet(data, p, seg, frags, frame, time, depth), seg);
  if (ptype === ETH_ERSPAN2) {
    // ERSPAN type II: 8-byte header (type I has no GRE sequence bit and no header).
    const hdr = flags & 0x10 ? 8 : 0;
    return tunnelled('ERSPAN', () => ethernet(data, p + hdr, seg, frags, frame, time, depth), seg);
  }
  if (ptype === ETH_ERSPAN3) {
    if (data.length < p + 12) return Skip.NotTcp;
    const o = (data[p + 11]! & 0x01) !== 0 ? 8 : 0; // optional platform-specific subheader
    return tunnelled('ERSPAN', () => ethernet(data, p + 12 + o, seg, frags, frame, time, depth), seg);
  }
  return tunnelled('GRE', () => etherType(ptype, data, p, seg, frags, frame, time, depth), seg);
}

/**
 * An ICMP error (destination unreachable, fragmentation needed / packet too big, time
 * exceeded) quoting a TCP packet: its sender, type and code, and the quoted packet's
 * addresses and ports in `seg` (src = the sender of the packet that failed).
 */
function icmpError(v6: boolean, data: Uint8Array, off: number, seg: TcpSegment): Skip {
  if (data.length < off + 8) return Skip.NotTcp;
  const type = data[off]!;
  const code = data[off + 1]!;
  const isError = v6 ? type >= 1 && type <= 3 : type === 3 || type === 11;
  if (!isError) return Skip.NotTcp;
  const from = v6 ? ipv6String(seg.src6) : ipv4String(seg.src4);
  let mtu = -1;
  if (!v6 && type === 3 && code === 4) mtu = (data[off + 6]! << 8) | data[off + 7]!;
  if (v6 && type === 2) mtu = ((data[off + 4]! << 24) >>> 0) + ((data[off + 5]! << 16) | (data[off + 6]! << 8) | data[off + 7]!);
  const q = off + 8; // the quoted IP header
  let t: number;
  if (!v6) {
    if (data.length < q + 20 || data[q]! >> 4 !== 4 || data[q + 9] !== 6) return Skip.NotTcp;
    t = q + (data[q]! & 0x0f) * 4;
    seg.ipVersion = 4;
    seg.src4 = ((data[q + 12]! << 24) >>> 0) + ((data[q + 13]! << 16) | (data[q + 14]! << 8) | data[q + 15]!);
    seg.dst4 = ((data[q + 16]! << 24) >>> 0) + ((data[q + 17]! << 16) | (data[q + 18]! << 8) | data[q + 19]!);
  } else {
    if (data.length < q + 40 || data[q]! >> 4 !== 6 || data[q + 6] !== 6) return Skip.NotTcp;
    t = q + 40;
    seg.ipVersion = 6;
    seg.src6 = data.subarray(q + 8, q + 24);
    seg.dst6 = data.subarray(q + 24, q + 40);
  }
  if (data.length < t + 8) return Skip.NotTcp;
  seg.srcPort = (data[t]! << 8) | data[t + 1]!;
  seg.dstPort = (data[t + 2]! << 8) | data[t + 3]!;
  seg.seq = ((data[t + 4]! << 24) >>> 0) + ((data[t + 5]! << 16) | (data[t + 6]! << 8) | data[t + 7]!);
  seg.icmpType = v6 ? 256 + type : type;
  seg.icmpCode = code;
  seg.icmpFrom = from;
  seg.icmpMtu = mtu;
  return Skip.IcmpError;
}

/** "port unreachable", "administratively prohibited", "fragmentation needed (MTU 1400)"... */
export function icmpDescription(type: number, code: number, mtu: number): string {
  if (type === 3) {
    const names: Record<number, string> = {
      0: 'network unreachable', 1: 'host unreachable', 2: 'protocol unreachable', 3: 'port unreachable',
      4: `fragmentation needed${mtu >= 0 ? ` (next-hop MTU ${mtu})` : ''}`, 5: 'source route failed', 6: 'destination network unknown',
      7: 'destination host unknown', 9: 'network administratively prohibited', 10: 'host administratively prohibited',
      11: 'network unreachable for TOS', 12: 'host unreachable for TOS', 13: 'communication administratively prohibited',
    };
    return `ICMP destination unreachable: ${names[code] ?? `code ${code}`}`;
  }
  if (type === 11) return code === 0 ? 'ICMP time exceeded in transit (TTL)' : 'ICMP fragment reassembly time exceeded';
  if (type === 257) {
    const names: Record<number, string> = { 0: 'no route', 1: 'administratively prohibited', 3: 'address unreachable', 4: 'port unreachable', 5: 'source address failed policy', 6: 'reject route' };
    return `ICMPv6 destination unreachable: ${names[code] ?? `code ${code}`}`;
  }
  if (type === 258) return `ICMPv6 packet too big (MTU ${mtu})`;
  if (type === 259) return 'ICMPv6 time exceeded';
  return `ICMP type ${type} code ${code}`;
}

/** An ICMP error that means "this port is closed or a firewall rejects it" (like a RST). */
export function icmpRejects(type: number, code: number): boolean {
  return (type === 3 && (code === 3 || code === 9 || code === 10 || code === 13)) || (type === 257 && (code === 1 || code === 4 || code === 6));
}

function tcp(data: Uint8Array, off: number, wireLen: number, seg: TcpSegment): Skip {
  if (data.length < off + 20) return data.length > off ? Skip.Truncated : Skip.Malformed;
  const doff = (data[off + 12]! >> 4) * 4;
  if (doff < 20 || doff > wireLen) return Skip.Malformed;
  if (data.length < off + doff) return Skip.Truncated;
  seg.srcPort = (data[off]! << 8) | data[off + 1]!;
  seg.dstPort = (data[off + 2]! << 8) | data[off + 3]!;
  seg.seq = ((data[off + 4]! << 24) >>> 0) + ((data[off + 5]! << 16) | (data[off + 6]! << 8) | data[off + 7]!);
  seg.ack = ((data[off + 8]! << 24) >>> 0) + ((data[off + 9]! << 16) | (data[off + 10]! << 8) | data[off + 11]!);
  seg.flags = data[off + 13]!;
  seg.window = (data[off + 14]! << 8) | data[off + 15]!;
  seg.mss = -1;
  seg.wscale = -1;
  seg.sackPermitted = false;
  if (doff > 20 && (seg.flags & TCP_SYN) !== 0) tcpOptions(data, off + 20, off + doff, seg);
  const start = off + doff;
  seg.tcpStart = off;
  seg.tcpLen = wireLen;
  seg.payloadLen = wireLen - doff;
  seg.data = data;
  seg.payloadStart = start;
  seg.payloadCaptured = Math.max(0, Math.min(data.length, start + seg.payloadLen) - start);
  return Skip.None;
}

function tcpOptions(data: Uint8Array, p: number, end: number, seg: TcpSegment): void {
  while (p < end) {
    const kind = data[p]!;
    if (kind === 0) return;
    if (kind === 1) {
      p++;
      continue;
    }
    if (p + 1 >= end) return;
    const len = data[p + 1]!;
    if (len < 2 || p + len > end) return;
    if (kind === 2 && len === 4) seg.mss = (data[p + 2]! << 8) | data[p + 3]!;
    else if (kind === 3 && len === 3) seg.wscale = data[p + 2]!;
    else if (kind === 4 && len === 2) seg.sackPermitted = true;
    p += len;
  }
}

/** Dotted-quad / RFC 5952 text of an address. */
export function ipv4String(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function ipv6String(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  // IPv4-mapped
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  // longest run of zeros (length ≥ 2) becomes ::
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexw = (w: number) => w.toString(16);
  if (bestStart < 0) return words.map(hexw).join(':');
  const left = words.slice(0, bestStart).map(hexw).join(':');
  const right = words.slice(bestStart + bestLen).map(hexw).join(':');
  return `${left}::${right}`;
}
