// Which `--jobs` worker a packet goes to: a symmetric hash of the address pair — IP
// addresses and TCP ports — so that both directions of a flow land on one worker. Pure:
// bytes in, a route out (RouteInfo, reused).
//
// Exceptions keep each worker's view whole:
//  - An IP fragment carries the ports only in its first piece: it is FRAGMENT, with its
//    datagram's key, and the main thread (FragmentRouter) sends every piece where the
//    first one goes.
//  - Tunnelled packets (IP-in-IP, GRE) go by the outer address pair, the same both ways.
//  - ICMP errors go to every worker (ROUTE_ALL): the packet they quote belongs to a flow
//    between other addresses than the ICMP message's own (a router's).
//  - UDP goes to worker 0: a QUIC connection follows its connection IDs across address
//    changes (migration, NAT rebinding), and UDP tunnels (VXLAN, Geneve) stay together.
//  - What is not IP (ARP, an undecoded link type, a damaged header) goes to worker 0.
// The link layers are those net/decode.ts reads, walked the same way.

import { LINKTYPE } from '../capture/packet.js';

/** Send the packet to every worker. */
export const ROUTE_ALL = -1;
/** An IP fragment: see RouteInfo.fragment. */
export const ROUTE_FRAGMENT = -2;

export interface RouteInfo {
  /** The datagram a fragment belongs to (addresses, id, protocol), and whether it is the first piece. */
  fragment: string;
  first: boolean;
  /** For a first piece: the hash of its full address pair (with ports). */
  hash: number;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;

let info: RouteInfo = { fragment: '', first: false, hash: 0 };

/** The worker (0..n-1) for a packet, ROUTE_ALL, or ROUTE_FRAGMENT (then `out` says which datagram). */
export function routePacket(linkType: number, data: Uint8Array, n: number, out: RouteInfo): number {
  if (n <= 1) return 0;
  info = out;
  const h = routeHash(linkType, data);
  return h < 0 ? h : h % n;
}

/** A non-negative hash of the packet's address pair (0 for worker 0's share), ROUTE_ALL or ROUTE_FRAGMENT. */
export function routeHash(linkType: number, data: Uint8Array): number {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return data.length < 14 ? 0 : etherType((data[12]! << 8) | data[13]!, data, 14);
    case LINKTYPE.LINUX_SLL:
      return data.length < 16 ? 0 : etherType((data[14]! << 8) | data[15]!, data, 16);
    case LINKTYPE.LINUX_SLL2:
      return data.length < 20 ? 0 : etherType((data[0]! << 8) | data[1]!, data, 20);
    case LINKTYPE.RAW:
    case 12:
    case 14:
      return rawIp(data, 0);
    case LINKTYPE.IPV4:
      return ipv4(data, 0);
    case LINKTYPE.IPV6:
      return ipv6(data, 0);
    case LINKTYPE.NULL: {
      if (data.length < 4) return 0;
      const le = data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24);
      const be = (data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!;
      return loopFamily(le < 256 ? le : be, data);
    }
    case LINKTYPE.LOOP:
      return data.length < 4 ? 0 : loopFamily((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!, data);
    default:
      return 0;
  }
}

function loopFamily(af: number, data: Uint8Array): number {
  if (af === 2) return ipv4(data, 4);
  if (af === 24 || af === 28 || af === 30 || af === 10) return ipv6(data, 4);
  return 0;
}

function etherType(type: number, data: Uint8Array, off: number): number {
  while (type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD) {
    if (data.length < off + 4) return 0;
    type = (data[off + 2]! << 8) | data[off + 3]!;
    off += 4;
  }
  if (type === ETH_IPV4) return ipv4(data, off);
  if (type === ETH_IPV6) return ipv6(data, off);
  if (type === 0x8864 && data.length >= off + 8) {
    const ppp = (data[off + 6]! << 8) | data[off + 7]!;
    if (ppp === 0x0021) return ipv4(data, off + 8);
    if (ppp === 0x0057) return ipv6(data, off + 8);
  }
  if (type === 0x8847 || type === 0x8848) {
    while (data.length >= off + 4) {
      const bottom = (data[off + 2]! & 1) === 1;
      off += 4;
      if (bottom) return rawIp(data, off);
    }
  }
  return 0;
}

function rawIp(data: Uint8Array, off: number): number {
  if (data.length <= off) return 0;
  const v = data[off]! >> 4;
  return v === 4 ? ipv4(data, off) : v === 6 ? ipv6(data, off) : 0;
}

/** A 32-bit mix (the murmur3 finaliser) so that neighbouring addresses spread. */
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

/**
 * The main thread's side of fragments: the pieces of a datagram wait until its first
 * piece (with the ports) is seen, then all go where it goes, in their order; later pieces
 * follow. Bounded: past MAX_DATAGRAMS datagrams the oldest is let go (its held pieces to
 * worker 0, where they end as an incomplete datagram, as they would have).
 */
export class FragmentRouter<P> {
  private readonly held = new Map<string, { packets: P[]; worker: number }>();
  static readonly MAX_DATAGRAMS = 4096;

  constructor(
    private readonly n: number,
    /** Keep a packet past the read callback (its bytes are reused). */
    private readonly copy: (p: P) => P,
    private readonly deliver: (worker: number, p: P) => void,
  ) {}

  route(r: RouteInfo, p: P): void {
    let e = this.held.get(r.fragment);
    if (e && e.worker >= 0) {
      this.deliver(e.worker, p);
      return;
    }
    if (!e) {
      if (this.held.size >= FragmentRouter.MAX_DATAGRAMS) {
        const [k, old] = this.held.entries().next().value as [string, { packets: P[] }];
        this.held.delete(k);
        for (const q of old.packets) this.deliver(0, q);
      }
      e = { packets: [], worker: -1 };
      this.held.set(r.fragment, e);
    }
    if (!r.first) {
      e.packets.push(this.copy(p));
      return;
    }
    e.worker = r.hash < 0 ? 0 : r.hash % this.n;
    for (const q of e.packets) this.deliver(e.worker, q);
    e.packets = [];
    this.deliver(e.worker, p);
  }

  /** End of input: pieces whose first never came, to worker 0. */
  drain(): void {
    for (const e of this.held.values()) for (const q of e.packets) this.deliver(0, q);
    this.held.clear();
  }
}

function l4(proto: number, data: Uint8Array, off: number, hash: number, v6: boolean): number {
  if (proto === 17) return 0;
  if (proto === 6) {
    if (data.length < off + 4) return hash;
    const a = (data[off]! << 8) | data[off + 1]!;
    const b = (data[off + 2]! << 8) | data[off + 3]!;
    return pair(hash ^ a, hash ^ b);
  }
  if (!v6 && proto === 1 && data.length > off) {
    const t = data[off]!;
    if (t === 3 || t === 4 || t === 5 || t === 11 || t === 12) return ROUTE_ALL;
  }
  if (v6 && proto === 58 && data.length > off) {
    const t = data[off]!;
    if (t >= 1 && t <= 4) return ROUTE_ALL;
  }
  return hash;
}

function ipv4(data: Uint8Array, off: number): number {
  if (data.length < off + 20 || data[off]! >> 4 !== 4) return 0;
  const src = ((data[off + 12]! << 24) | (data[off + 13]! << 16) | (data[off + 14]! << 8) | data[off + 15]!) >>> 0;
  const dst = ((data[off + 16]! << 24) | (data[off + 17]! << 16) | (data[off + 18]! << 8) | data[off + 19]!) >>> 0;
  const ihl = (data[off]! & 0x0f) * 4;
  const field = (data[off + 6]! << 8) | data[off + 7]!;
  const fragOffset = field & 0x1fff;
  const proto = data[off + 9]!;
  const hash = pair(src, dst);
  if (proto !== 17 && (fragOffset !== 0 || (field & 0x2000) !== 0)) {
    info.fragment = `${src}>${dst}/${(data[off + 4]! << 8) | data[off + 5]!}/${proto}`;
    info.first = fragOffset === 0;
    info.hash = info.first ? l4(proto, data, off + ihl, hash, false) : hash;
    return ROUTE_FRAGMENT;
  }
  return l4(proto, data, off + ihl, hash, false);
}

function fold(data: Uint8Array, off: number): number {
  let h = 0;
  for (let i = 0; i < 16; i += 4) h = mix((h ^ ((data[off + i]! << 24) | (data[off + i + 1]! << 16) | (data[off + i + 2]! << 8) | data[off + i + 3]!)) >>> 0);
  return h;
}

function ipv6(data: Uint8Array, off: number): number {
  if (data.length < off + 40 || data[off]! >> 4 !== 6) return 0;
  const hash = pair(fold(data, off + 8), fold(data, off + 24));
  let next = data[off + 6]!;
  let p = off + 40;
  let frag: string | null = null;
  let first = true;
  for (let hops = 0; hops < 16; hops++) {
    if (next === 0 || next === 43 || next === 60 || next === 51) {
      if (data.length < p + 2) return hash;
      const len = next === 51 ? (data[p + 1]! + 2) * 4 : (data[p + 1]! + 1) * 8;
      next = data[p]!;
      p += len;
    } else if (next === 44) {
      if (data.length < p + 8) return hash;
      const fo = ((data[p + 2]! << 8) | data[p + 3]!) & 0xfff8;
      const more = (data[p + 3]! & 1) === 1;
      if (fo !== 0 || more) {
        first = fo === 0;
        frag = `${fold(data, off + 8)}>${fold(data, off + 24)}/${(data[p + 4]! << 24) | (data[p + 5]! << 16) | (data[p + 6]! << 8) | data[p + 7]!}`;
      }
      next = data[p]!;
      p += 8;
    } else break;
  }
  if (frag !== null && next !== 17) {
    info.fragment = `${frag}/${next}`;
    info.first = first;
    info.hash = first ? l4(next, data, p, hash, true) : hash;
    return ROUTE_FRAGMENT;
  }
  return l4(next, data, first ? p : data.length, hash, true);
}
