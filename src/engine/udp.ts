// UDP flows: the second transport of the one engine. A datagram on a watched UDP port (443
// by default), or one that starts like a QUIC Initial on any port, opens a flow keyed by
// its address pair; the side that sent the first Initial is the client. Each flow is a
// Connection (transport "udp", its TCP facts empty) with a DatagramTracker, and ends on
// idle timeout or at the end of input, reported through the same callback and id
// sequence as TCP connections. Bounded by the engine's flow cap.
//
// A QUIC connection outlives its address pair (RFC 9000 §9): the tracker reports the
// connection IDs each side receives on, and a datagram from an unknown pair whose
// Destination Connection ID is one of them joins that connection as a new path (client
// migration, NAT rebinding) instead of being dropped or opening a second record.

import type { Packet } from '../capture/packet.js';
import { ipv4String, ipv6String, type TcpSegment } from '../net/decode.js';
import { Connection } from './connection.js';
import type { DatagramTracker, FrameRef, Side, TrackerContext } from './types.js';

export interface UdpOptions {
  idleTimeout: number;
  sessionIdleTimeout: number;
  maxFlows: number;
  /** Whether a first datagram opens a flow on an unwatched port (a QUIC Initial by its bytes). */
  recognise: (payload: Uint8Array, dstPort: number) => boolean;
  tracker: (ctx: TrackerContext) => DatagramTracker;
  /** The engine's shared sequences: flow creation order and reported ids. */
  nextSeq: () => number;
  /** The flow is reported from now on: it gets its id (sets c.reported and c.id). */
  reported: (c: Connection) => void;
  onConnection: (c: Connection) => void;
}

const flowKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** Connection IDs remembered per connection, and address pairs per connection. */
const MAX_CIDS_PER_FLOW = 16;
const MAX_PATHS_PER_FLOW = 8;

interface Route {
  c: Connection;
  /** The endpoint key of the client on this address pair. */
  clientKey: string;
}

interface CidOwner {
  c: Connection;
  owner: Side;
}

export interface UdpStats {
  packets: number;
  flows: number;
  ignored: number;
  evicted: number;
}

export class UdpFlows {
  private readonly flows = new Map<string, Route>();
  /** Every address pair a connection used, and the connection IDs it registered. */
  private readonly owned = new Map<Connection, { keys: string[]; cids: string[] }>();
  private readonly cids = new Map<string, CidOwner>();
  /** Lengths of the connection IDs registered (a short header does not carry its length). */
  private readonly cidLengths = new Map<number, number>();
  readonly stats: UdpStats = { packets: 0, flows: 0, ignored: 0, evicted: 0 };

  constructor(private readonly opts: UdpOptions) {}

  get size(): number {
    return this.owned.size;
  }

  packet(p: Packet, s: TcpSegment, time: number): void {
    this.stats.packets++;
    const src = s.ipVersion === 4 ? ipv4String(s.src4) : ipv6String(s.src6);
    const dst = s.ipVersion === 4 ? ipv4String(s.dst4) : ipv6String(s.dst6);
    const a = `${src}|${s.srcPort}`;
    const b = `${dst}|${s.dstPort}`;
    const key = flowKey(a, b);
    const payload = s.payload;
    let route: Route | null | undefined = this.flows.get(key);
    if (!route) route = this.follow(payload, key, a, b, p.frame) ?? this.open(p, s, key, a, b, src, dst, time);
    if (!route) {
      this.stats.ignored++;
      return;
    }
    const c = route.c;
    c.packets++;
    c.lastFrame = p.frame;
    c.lastTime = time;
    c.endTsSec = p.tsSec;
    c.endTsNsec = p.tsNsec;
    const side: Side = route.clientKey === a ? 'client' : 'server';
    const st = c.side(side);
    st.packets++;
    st.payloadBytes += s.payloadLen;
    if (st.ttl < 0) st.ttl = s.ttl;
    else if (s.ttl !== st.ttl) st.ttlChanges++;
    if (st.firstPayloadFrame === 0) st.firstPayloadFrame = p.frame;
    st.lastPayloadFrame = p.frame;
    st.lastPayloadTime = time;
    const ref: FrameRef = { frame: p.frame, time };
    if (!c.datagram!.done) c.datagram!.onDatagram(side, payload, ref);
  }

  /** Only a client's Initial opens a flow (on any port: QUIC is recognised by its bytes); a
   *  server's answer alone, or other UDP traffic, says nothing to diagnose. */
  private open(p: Packet, s: TcpSegment, key: string, a: string, b: string, src: string, dst: string, time: number): Route | null {
    if (!this.opts.recognise(s.payload, s.dstPort)) return null;
    const c = new Connection(this.opts.nextSeq(), { ip: src, port: s.srcPort }, a, { ip: dst, port: s.dstPort }, b, p.frame, p.tsSec, p.tsNsec, time);
    c.transport = 'udp';
    c.oriented = true;
    c.orientation = 'content';
    this.opts.reported(c);
    c.tunnel = s.tunnel;
    c.vlan = s.vlan;
    const owned = { keys: [key], cids: [] as string[] };
    c.datagram = this.opts.tracker({
      ladder: (ev) => c.addLadder(ev),
      finding: (f) => c.addFinding(f),
      connectionId: (owner, cid) => this.register(c, owned.cids, owner, cid),
    });
    const route = { c, clientKey: a };
    this.flows.set(key, route);
    this.owned.set(c, owned);
    this.stats.flows++;
    if (this.owned.size > this.opts.maxFlows) this.evictOldest();
    return route;
  }

  private register(c: Connection, list: string[], owner: Side, cid: Uint8Array): void {
    if (cid.length === 0 || list.length >= MAX_CIDS_PER_FLOW) return;
    const hex = Buffer.from(cid).toString('hex');
    if (this.cids.has(hex)) return;
    this.cids.set(hex, { c, owner });
    list.push(hex);
    this.cidLengths.set(cid.length, (this.cidLengths.get(cid.length) ?? 0) + 1);
  }

  /** A datagram on an unknown address pair whose Destination Connection ID is known. */
  private follow(payload: Uint8Array, key: string, a: string, b: string, frame: number): Route | null {
    if (this.cids.size === 0 || payload.length < 2) return null;
    let hit: CidOwner | undefined;
    if (payload[0]! & 0x80) {
      const len = payload[5];
      if (len !== undefined && 6 + len <= payload.length) hit = this.cids.get(Buffer.from(payload.subarray(6, 6 + len)).toString('hex'));
    } else {
      for (const len of this.cidLengths.keys()) {
        if (1 + len > payload.length) continue;
        hit = this.cids.get(Buffer.from(payload.subarray(1, 1 + len)).toString('hex'));
        if (hit) break;
      }
    }
    if (!hit) return null;
    const owned = this.owned.get(hit.c);
    if (!owned || owned.keys.length >= MAX_PATHS_PER_FLOW) return null;
    // The DCID is the one its owner receives on: the sender is the other side.
    const clientKey = hit.owner === 'server' ? a : b;
    const serverKey = clientKey === a ? b : a;
    const route = { c: hit.c, clientKey };
    this.flows.set(key, route);
    owned.keys.push(key);
    hit.c.paths.push({ client: endpointOf(clientKey), server: endpointOf(serverKey), frame });
    return route;
  }

  /** Idle flows end (in creation order). */
  sweep(now: number): void {
    const expired: Connection[] = [];
    for (const c of this.owned.keys()) {
      const idle = now - c.lastTime;
      if (idle > (c.datagram?.done ? this.opts.sessionIdleTimeout : this.opts.idleTimeout)) expired.push(c);
    }
    expired.sort((x, y) => x.seq - y.seq);
    for (const c of expired) this.finish(c, 'timeout');
  }

  /** Open flows (a live view; the engine ends them with the TCP connections at the end of input). */
  connections(): Connection[] {
    return [...this.owned.keys()];
  }

  finish(c: Connection, reason: 'timeout' | 'end-of-input' | 'evicted'): void {
    const owned = this.owned.get(c);
    if (owned) {
      for (const k of owned.keys) this.flows.delete(k);
      for (const h of owned.cids) {
        this.cids.delete(h);
        const len = h.length / 2;
        const n = (this.cidLengths.get(len) ?? 1) - 1;
        if (n > 0) this.cidLengths.set(len, n);
        else this.cidLengths.delete(len);
      }
      this.owned.delete(c);
    }
    c.endReason = reason;
    c.datagram?.finish?.();
    if (reason === 'evicted') this.stats.evicted++;
    this.opts.onConnection(c);
  }

  private evictOldest(): void {
    const all = [...this.owned.keys()].sort((x, y) => x.lastTime - y.lastTime);
    for (const c of all.slice(0, Math.max(1, Math.floor(all.length / 10)))) this.finish(c, 'evicted');
  }
}

/** "ip|port" back to an endpoint. */
function endpointOf(key: string): { ip: string; port: number } {
  const i = key.lastIndexOf('|');
  return { ip: key.slice(0, i), port: Number(key.slice(i + 1)) };
}
