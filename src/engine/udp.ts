// UDP flows: the second transport of the one engine. A datagram on a watched UDP port (443
// by default), or one that starts like a QUIC Initial on any port, opens a flow keyed by
// its address pair; the side that sent the first Initial is the client. Each flow is a
// Connection (transport "udp", its TCP facts empty) with a DatagramTracker, and ends on
// idle timeout or at the end of input, reported through the same callback and id
// sequence as TCP connections. Bounded by the engine's flow cap.

import type { Packet } from '../capture/packet.js';
import { ipv4String, ipv6String, type TcpSegment } from '../net/decode.js';
import { Connection } from './connection.js';
import type { DatagramTracker, FrameRef, Side, TrackerContext } from './types.js';

export interface UdpOptions {
  idleTimeout: number;
  sessionIdleTimeout: number;
  maxFlows: number;
  /** Whether a first datagram opens a flow on an unwatched port (a QUIC Initial by its bytes). */
  recognise: (payload: Uint8Array) => boolean;
  tracker: (ctx: TrackerContext) => DatagramTracker;
  /** The engine's shared sequences: flow creation order and reported ids. */
  nextSeq: () => number;
  nextId: () => number;
  onConnection: (c: Connection) => void;
}

const flowKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

export interface UdpStats {
  packets: number;
  flows: number;
  ignored: number;
  evicted: number;
}

export class UdpFlows {
  private readonly flows = new Map<string, Connection>();
  readonly stats: UdpStats = { packets: 0, flows: 0, ignored: 0, evicted: 0 };

  constructor(private readonly opts: UdpOptions) {}

  get size(): number {
    return this.flows.size;
  }

  packet(p: Packet, s: TcpSegment, time: number): void {
    this.stats.packets++;
    const src = s.ipVersion === 4 ? ipv4String(s.src4) : ipv6String(s.src6);
    const dst = s.ipVersion === 4 ? ipv4String(s.dst4) : ipv6String(s.dst6);
    const a = `${src}|${s.srcPort}`;
    const b = `${dst}|${s.dstPort}`;
    const key = flowKey(a, b);
    let c = this.flows.get(key);
    const payload = s.payload;
    if (!c) {
      // Only a client's Initial opens a flow (on any port: QUIC is recognised by its bytes);
      // a server's answer alone, or other UDP traffic, says nothing to diagnose.
      if (!this.opts.recognise(payload)) {
        this.stats.ignored++;
        return;
      }
      c = new Connection(this.opts.nextSeq(), { ip: src, port: s.srcPort }, a, { ip: dst, port: s.dstPort }, b, p.frame, p.tsSec, p.tsNsec, time);
      c.transport = 'udp';
      c.oriented = true;
      c.orientation = 'content';
      c.reported = true;
      c.id = this.opts.nextId();
      c.tunnel = s.tunnel;
      c.vlan = s.vlan;
      const conn = c;
      c.datagram = this.opts.tracker({ ladder: (ev) => conn.addLadder(ev), finding: (f) => conn.addFinding(f) });
      this.flows.set(key, c);
      this.stats.flows++;
      if (this.flows.size > this.opts.maxFlows) this.evictOldest();
    }
    c.packets++;
    c.lastFrame = p.frame;
    c.lastTime = time;
    c.endTsSec = p.tsSec;
    c.endTsNsec = p.tsNsec;
    const side: Side = c.client.key === a ? 'client' : 'server';
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

  /** Idle flows end (in creation order). */
  sweep(now: number): void {
    const expired: Connection[] = [];
    for (const c of this.flows.values()) {
      const idle = now - c.lastTime;
      if (idle > (c.datagram?.done ? this.opts.sessionIdleTimeout : this.opts.idleTimeout)) expired.push(c);
    }
    expired.sort((x, y) => x.seq - y.seq);
    for (const c of expired) this.finish(c, 'timeout');
  }

  /** Open flows (a live view; the engine ends them with the TCP connections at the end of input). */
  open(): Connection[] {
    return [...this.flows.values()];
  }

  finish(c: Connection, reason: 'timeout' | 'end-of-input' | 'evicted'): void {
    this.flows.delete(flowKey(c.client.key as string, c.server.key as string));
    c.endReason = reason;
    c.datagram?.finish?.();
    if (reason === 'evicted') this.stats.evicted++;
    this.opts.onConnection(c);
  }

  private evictOldest(): void {
    const all = [...this.flows.values()].sort((x, y) => x.lastTime - y.lastTime);
    for (const c of all.slice(0, Math.max(1, Math.floor(all.length / 10)))) this.finish(c, 'evicted');
  }
}
