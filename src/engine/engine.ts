// The engine: packets in, finished connections out.
//
// One code path for every source (file, stdin, replay, live): feed packet() in capture
// order, call tick(now) when time passes without packets (live), end() at the end of
// input. Each TCP connection is keyed by its 4-tuple, oriented (client/server), both
// directions reassembled and fed to one protocol tracker. When a connection ends (FIN both
// ways, RST, idle timeout, end of input, eviction) it is handed to onConnection.

import type { Packet } from '../capture/packet.js';
import { FragmentReassembler } from '../net/fragments.js';
import { decodePacket, icmpDescription, ipv4String, ipv6String, Skip, SKIP_NAMES, TcpSegment, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../net/decode.js';
import { SegmentKind, seqAdd, seqDiff, type StreamSink } from '../net/stream.js';
import { Connection, MAX_HOLES, MAX_SYN_FRAMES, MAX_TRACKED_SEGMENTS, PREVIEW_BYTES, type EndReason, type SideState } from './connection.js';
import { observeIp } from './ip-facts.js';
import { Copy, RecentSyns, secondCopy } from './copies.js';
import { FlowTable, Tombstone, type Entry } from './flows.js';
import { chooseProtocol } from './choose.js';
import { classify, senderIsClient } from './detect.js';
import type { PreambleKind } from '../tunnel/detect.js';
import type { AppTracker, DatagramTracker, FrameRef, Side, TrackerContext } from './types.js';
import { DEFAULT_MAX_EMBRYONIC, endpointFromKey, endpointOfKey, UntrackedTally } from './embryonic.js';
import { UdpFlows } from './udp.js';

export interface EngineOptions {
  /** Server ports to watch (default 443, 22): every connection to them is reported. */
  ports: ReadonlySet<number>;
  /**
   * Ports watched for a preamble before TLS (proxies, STARTTLS, databases): a connection
   * to them is reported when its bytes are TLS, SSH or a preamble, or when it carried no
   * payload at all (refused, timed out); plain traffic on them is not.
   */
  preamblePorts?: ReadonlySet<number>;
  /** Report every TCP connection. */
  anyPort: boolean;
  /** Seconds without a packet after which a connection still in its handshake is ended as timed out. */
  idleTimeout: number;
  /** The same for connections past their handshake (interactive SSH sessions idle for long). */
  sessionIdleTimeout: number;
  /** Cap on connections tracked at once; the oldest idle ones are evicted beyond it. */
  maxFlows: number;
  /** Cap on embryonic flows (one side, no payload: SYN floods, scans); past it they are tallied (DEFAULT_MAX_EMBRYONIC). */
  maxEmbryonic?: number;
  /** Build the tracker for a protocol. */
  trackers: {
    tls: (ctx: TrackerContext) => AppTracker;
    ssh: (ctx: TrackerContext) => AppTracker;
    /** The preamble layer, handing the rest of the stream to TLS (tunnel/tracker.ts). */
    tunnel?: (ctx: TrackerContext, kind: PreambleKind) => AppTracker;
  };
  /** Called when a reported connection ends. */
  onConnection: (conn: Connection) => void;
  /** UDP flows (QUIC): the tracker of a flow, and what opens one. */
  datagrams?: { tracker: (ctx: TrackerContext) => DatagramTracker; recognise: (payload: Uint8Array, dstPort: number) => boolean };
  /** Keep each reported connection's packets (bounded) for saving them later. */
  keepPackets?: { maxBytesPerConnection: number } | null;
  /**
   * A `--jobs` worker's share (net/route.ts): it reads every packet — so idle sweeps fall
   * where one engine's would — and processes those it owns.
   */
  owns?: (r: Skip, seg: TcpSegment) => boolean;
  /** A connection got its id (its report starts): at the frame being processed. */
  onReported?: (c: Connection, frame: number) => void;
}

export const DEFAULT_IDLE_TIMEOUT = 120;
export const DEFAULT_SESSION_IDLE_TIMEOUT = 3600;
export const DEFAULT_MAX_FLOWS = 200_000;
/** Seconds a finished connection's 4-tuple keeps absorbing stray packets (final ACKs, late RSTs). */
export const TOMBSTONE_SECONDS = 60;
/** How often (capture seconds) idle connections are looked for. */
const SWEEP_INTERVAL = 5;
const EMPTY_BYTES = new Uint8Array(0);
/** Bytes held per side while the protocol / roles are not known yet. */
const MAX_PENDING_BYTES = 64 * 1024;

export interface EngineStats {
  packets: number;
  tcpPackets: number;
  skipped: Record<string, number>;
  skippedLinkTypes: Record<number, number>;
  tcpPayloadCut: number;
  connectionsSeen: number;
  connectionsReported: number;
  connectionsIgnored: number;
  evicted: number;
  timedOut: number;
  /** Packets that would have opened an embryonic flow past the cap: tallied, not tracked. */
  untracked: number;
  /** Second copies of TCP packets (a forwarding host captured on all its interfaces), left out (engine/copies.ts). */
  captureCopies: number;
  /** Connections captured again after address translation (their second leg). */
  translated: number;
  fragments: { fragments: number; reassembled: number; incomplete: number };
  tunnels: Record<string, number>;
  openAtEnd: number;
}

export class Engine {
  private readonly seg = new TcpSegment();
  private readonly frags = new FragmentReassembler();
  private readonly syns = new RecentSyns();
  private readonly maxEmbryonic: number;
  private readonly flows = new FlowTable();
  private live = 0;
  /** Embryonic flows open now (one side seen, no payload). */
  private embryonic = 0;
  /** Past the embryonic cap: SYNs and stray packets per server. */
  readonly untracked = new UntrackedTally();
  private flowSeq = 0;
  private nextId = 1;
  private lastSweep = 0;
  private now = 0;
  /** The frame being processed. */
  private frame = 0;
  private ended = false;
  readonly stats: EngineStats = {
    packets: 0,
    tcpPackets: 0,
    skipped: {},
    skippedLinkTypes: {},
    tcpPayloadCut: 0,
    connectionsSeen: 0,
    connectionsReported: 0,
    connectionsIgnored: 0,
    evicted: 0,
    untracked: 0,
    captureCopies: 0,
    translated: 0,
    timedOut: 0,
    fragments: this.frags.stats,
    tunnels: {},
    openAtEnd: 0,
  };

  /** UDP flows (QUIC), when the engine was given a datagram tracker. */
  readonly udp: UdpFlows | null;

  constructor(private readonly opts: EngineOptions) {
    this.maxEmbryonic = opts.maxEmbryonic ?? DEFAULT_MAX_EMBRYONIC;
    const d = opts.datagrams;
    this.udp = d
      ? new UdpFlows({
        idleTimeout: opts.idleTimeout, sessionIdleTimeout: opts.sessionIdleTimeout, maxFlows: opts.maxFlows,
        recognise: d.recognise, tracker: d.tracker, nextSeq: () => ++this.flowSeq,
        reported: (c) => this.report(c),
        onConnection: (c) => opts.onConnection(c),
      })
      : null;
  }

  /** Flows tracked now (TCP connections open, and UDP flows). */
  get flowsTracked(): number {
    return this.live + (this.udp?.size ?? 0);
  }

  /** Current capture time (seconds since the epoch) as seen by the engine. */
  get time(): number {
    return this.now;
  }

  packet(p: Packet): void {
    this.frame = p.frame;
    const time = p.tsSec + p.tsNsec / 1e9;
    if (time > this.now) this.now = time;
    const seg = this.seg;
    const r = decodePacket(p.linkType, p.data, seg, this.frags, p.frame, time);
    if (p.direction !== undefined && seg.direction === 0) seg.direction = p.direction;
    this.translatedFrom = null;
    // every SYN, owned or not (--jobs): a translated one links to its other leg wherever that
    // is; not in a flood past the embryonic cap, whose SYNs are only tallied
    if (r === Skip.None && (seg.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && this.embryonic < this.maxEmbryonic) this.noteSyn(time);
    if (this.opts.owns === undefined || this.opts.owns(r, seg)) {
      this.stats.packets++;
      if (r === Skip.IcmpError) this.icmp(p, time);
      else if (r === Skip.Udp && this.udp) this.udp.packet(p, seg, time);
      else if (r !== Skip.None) {
        const name = SKIP_NAMES[r]!;
        this.stats.skipped[name] = (this.stats.skipped[name] ?? 0) + 1;
        if (r === Skip.LinkType) this.stats.skippedLinkTypes[p.linkType] = (this.stats.skippedLinkTypes[p.linkType] ?? 0) + 1;
      } else {
        this.stats.tcpPackets++;
        this.tcp(p, time);
      }
    }
    if (this.now - this.lastSweep >= SWEEP_INTERVAL) this.sweep();
  }

  /** The current SYN's earlier leg, when it is a connection seen again after address translation. */
  private translatedFrom: { src: number | string; dst: number | string } | null = null;

  private noteSyn(time: number): void {
    this.keys();
    const e = this.syns.earlier(this.seg, time, this.srcKey, this.dstKey);
    if (e === null) return;
    this.translatedFrom = e;
    const before = this.flows.get(e.src, e.dst);
    if (before instanceof Connection && before.translation === null) {
      before.translation = { leg: 'before', other: { client: endpointFromKey(this.srcKey), server: endpointFromKey(this.dstKey) } };
    }
  }

  /** Time passes without packets (live capture, replay): fire idle timeouts. */
  tick(now: number): void {
    if (now > this.now) this.now = now;
    if (this.now - this.lastSweep >= SWEEP_INTERVAL) this.sweep();
  }

  /** End of input: every open connection ends now. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const open: Connection[] = [];
    this.flows.forEach((c) => {
      if (c instanceof Connection && c.endReason === null) open.push(c);
    });
    const flows = this.udp?.connections() ?? [];
    open.push(...flows);
    open.sort((a, b) => a.seq - b.seq);
    this.stats.openAtEnd = open.filter((c) => c.reported).length;
    for (const c of open) {
      if (c.transport === 'udp') this.udp!.finish(c, 'end-of-input');
      else this.finish(c, 'end-of-input');
    }
    this.frags.flush();
    this.flows.clear();
  }

  /** Connections currently open (reported ones), for a live view. */
  openConnections(): Connection[] {
    const out: Connection[] = [];
    this.flows.forEach((c) => {
      if (c instanceof Connection && c.endReason === null && c.reported) out.push(c);
    });
    return out.sort((a, b) => a.seq - b.seq);
  }

  // ---- endpoint keys -----------------------------------------------------------------

  /** The current segment's endpoint keys: ip * 65536 + port (IPv4) or "ip]port" (IPv6). */
  private srcKey: number | string = 0;
  private dstKey: number | string = 0;

  private keys(): void {
    const s = this.seg;
    if (s.ipVersion === 4) {
      this.srcKey = s.src4 * 65536 + s.srcPort;
      this.dstKey = s.dst4 * 65536 + s.dstPort;
    } else {
      this.srcKey = ipv6String(s.src6) + ']' + s.srcPort;
      this.dstKey = ipv6String(s.dst6) + ']' + s.dstPort;
    }
  }

  private create(p: Packet, time: number, srcKey: number | string, dstKey: number | string): Connection {
    const s = this.seg;
    const src = { ip: s.ipVersion === 4 ? ipv4String(s.src4) : ipv6String(s.src6), port: s.srcPort };
    const dst = { ip: s.ipVersion === 4 ? ipv4String(s.dst4) : ipv6String(s.dst6), port: s.dstPort };
    const c = new Connection(++this.flowSeq, src, srcKey, dst, dstKey, p.frame, p.tsSec, p.tsNsec, time);
    c.tunnel = s.tunnel;
    c.vlan = s.vlan;
    if (s.tunnel) {
      c.client.outerIp = s.outerSrc;
      c.server.outerIp = s.outerDst;
    }
    if (s.tunnel) this.stats.tunnels[s.tunnel] = (this.stats.tunnels[s.tunnel] ?? 0) + 1;
    this.stats.connectionsSeen++;
    // Roles: the SYN's sender is the client; a SYN-ACK's receiver is.
    const flags = s.flags;
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      c.orientation = 'syn';
      c.oriented = true;
    } else if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
      c.swap();
      c.orientation = 'syn-ack';
      c.oriented = true;
      c.midstream = true; // the SYN itself is missing
    } else {
      c.midstream = true;
    }
    this.decideReporting(c);
    if (this.opts.keepPackets && c.reported) c.packetLog = [];
    this.flows.set(c);
    this.live++;
    if (this.live > this.opts.maxFlows) this.evict();
    return c;
  }

  /** Watched port, or --any-port: reported from the start. Others wait for their first bytes. */
  private decideReporting(c: Connection): void {
    if (this.opts.anyPort || this.watched(c)) this.report(c);
  }

  private watched(c: Connection): boolean {
    const ports = this.opts.ports;
    if (c.oriented) return ports.has(c.server.endpoint.port);
    return ports.has(c.server.endpoint.port) || ports.has(c.client.endpoint.port);
  }

  private report(c: Connection): void {
    if (c.reported) return;
    c.reported = true;
    c.id = this.nextId++;
    this.stats.connectionsReported++;
    this.opts.onReported?.(c, this.frame);
  }

  // ---- per packet ---------------------------------------------------------------------

  /** An ICMP error quoting one of a tracked connection's packets: evidence for it. */
  private icmp(p: Packet, time: number): void {
    const s = this.seg;
    this.keys();
    const c = this.flows.get(this.srcKey, this.dstKey);
    if (!(c instanceof Connection) || !c.reported) return;
    const about: Side = c.client.key === this.srcKey ? 'client' : 'server';
    if (c.icmp.length >= MAX_SYN_FRAMES) return;
    const description = icmpDescription(s.icmpType, s.icmpCode, s.icmpMtu);
    c.icmp.push({ frame: p.frame, time, type: s.icmpType, code: s.icmpCode, from: s.icmpFrom, about, mtu: s.icmpMtu, description });
    c.packets++;
    c.lastFrame = p.frame;
    c.lastTime = time;
    c.endTsSec = p.tsSec;
    c.endTsNsec = p.tsNsec;
    if (c.packetLog) this.logPacket(c, p);
    c.addLadder({ frame: p.frame, time, from: about === 'client' ? 'server' : 'client', label: description.replace(/^ICMP(v6)? /, 'ICMP '), layer: 'tcp', detail: `from ${s.icmpFrom}` });
  }

  private tcp(p: Packet, time: number): void {
    const s = this.seg;
    this.keys();
    const srcKey = this.srcKey;
    const dstKey = this.dstKey;
    const found = this.flows.get(srcKey, dstKey);
    let c: Connection | undefined;
    const isSyn = (s.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    if (found instanceof Tombstone) {
      // A finished connection's tuple: a new SYN (another ISN) starts a new connection;
      // anything else is a straggler of the old one.
      if (isSyn && (found.client.isn < 0 || s.seq !== found.client.isn)) {
        this.flows.delete(found);
      } else {
        if (time - found.lastTime > TOMBSTONE_SECONDS) {
          this.flows.delete(found);
          if ((s.flags & TCP_RST) !== 0 || s.payloadLen === 0) return; // a lone ACK/RST after a long silence
        } else return;
      }
    } else c = found;
    if (c && isSyn && (c.client.isn < 0 ? c.packets > 0 && c.client.synFrames.length === 0 : s.seq !== c.client.isn && c.established)) {
      // A new connection on a tuple we still thought open (port reuse, or a flow first
      // seen mid-stream that the client has abandoned).
      this.finish(c, 'reused');
      this.flows.delete(c);
      c = undefined;
    }
    if (!c) {
      // A payload-less packet that is not an answer opens an embryonic flow: capped.
      if (s.payloadLen === 0 && (s.flags & (TCP_SYN | TCP_ACK)) !== (TCP_SYN | TCP_ACK)) {
        if (this.embryonic >= this.maxEmbryonic) {
          this.untracked.add(endpointOfKey(dstKey), srcKey, isSyn, p.frame, time);
          this.stats.untracked++;
          return;
        }
        c = this.create(p, time, srcKey, dstKey);
        c.embryonic = true;
        c.openedBy = srcKey;
        this.embryonic++;
      } else c = this.create(p, time, srcKey, dstKey);
      const e = this.translatedFrom;
      if (e !== null && c.translation === null) {
        c.translation = { leg: 'after', other: { client: endpointFromKey(e.src), server: endpointFromKey(e.dst) } };
        this.stats.translated++;
      }
    } else if (c.embryonic && (s.payloadLen > 0 || c.openedBy !== srcKey)) {
      // the other side answered, or data came: a connection, not a flood's packet
      c.embryonic = false;
      this.embryonic--;
    }

    c.packets++;
    c.lastFrame = p.frame;
    c.lastTime = time;
    c.endTsSec = p.tsSec;
    c.endTsNsec = p.tsNsec;
    if (c.packetLog && c.reported) this.logPacket(c, p);
    if (c.ignored) {
      this.trackCloseOnly(c.client.key === srcKey ? c.client : c.server, c, time, p.frame);
      return;
    }

    if (!c.oriented && (s.flags & TCP_SYN)) {
      // Roles from the handshake flags: a SYN's sender is the client, a SYN-ACK's the server.
      const srcIsClient = (s.flags & TCP_ACK) === 0;
      if ((c.client.key === srcKey) !== srcIsClient) c.swap();
      c.oriented = true;
      c.orientation = srcIsClient ? 'syn' : 'syn-ack';
    }
    const fromClient = c.client.key === srcKey;
    const me = fromClient ? c.client : c.server;
    const peer = fromClient ? c.server : c.client;
    const side: Side = fromClient ? 'client' : 'server';
    const copy = secondCopy(me, s, time);
    if (copy !== Copy.No) {
      me.copies++;
      if (copy === Copy.Routed) me.copiesRouted++;
      this.stats.captureCopies++;
      return;
    }
    const ref: FrameRef = { frame: p.frame, time };
    me.packets++;
    observeIp(me, s);
    const flags = s.flags;

    if (flags & TCP_SYN) this.syn(c, me, side, ref);
    if (flags & TCP_ACK) this.ackFrom(c, peer, s.ack, ref);
    if (s.payloadLen > 0) this.payload(c, me, side, ref);
    if ((flags & TCP_FIN) && !me.fin) {
      me.fin = { frame: p.frame, time, ttl: s.ttl, ipId: s.ipId };
      me.stream.fin(s.seq, s.payloadLen);
      this.ladder(c, side, ref, 'FIN');
      this.endStream(c, me, side, ref);
      c.tracker?.onClose(side, 'fin', ref);
    }
    if ((flags & TCP_RST) && !me.rst) {
      me.rst = { frame: p.frame, time, ttl: s.ttl, ipId: s.ipId };
      this.ladder(c, side, ref, 'RST');
      this.endStream(c, me, side, ref);
      this.endStream(c, peer, side === 'client' ? 'server' : 'client', ref);
      c.tracker?.onClose(side, 'rst', ref);
    }
    if (c.closed) {
      this.finish(c, c.client.rst || c.server.rst ? 'reset' : 'closed');
      this.bury(c);
    }
  }

  private syn(c: Connection, me: SideState, side: Side, ref: FrameRef): void {
    const s = this.seg;
    const isSynAck = (s.flags & TCP_ACK) !== 0;
    const retrans = me.synFrames.length > 0 && me.isn === s.seq;
    if (me.synFrames.length < MAX_SYN_FRAMES) {
      me.synFrames.push(ref.frame);
      me.synTimes.push(ref.time);
    }
    if (me.isn < 0 || !retrans) {
      me.isn = s.seq;
      me.stream.begin(seqAdd(s.seq, 1));
    }
    if (s.mss >= 0) me.mss = s.mss;
    if (s.wscale >= 0) me.wscale = s.wscale;
    if (s.sackPermitted) me.sackPermitted = true;
    if (side === 'client' && !isSynAck && me.synFrames.length === 1) c.midstream = false;
    this.ladder(c, side, ref, isSynAck ? 'SYN-ACK' : 'SYN', retrans);
  }

  /** `acker` acknowledged `ackedSide`'s data up to `ack`. */
  private ackFrom(c: Connection, ackedSide: SideState, ack: number, ref: FrameRef): void {
    if (!c.established && ackedSide === c.server && ackedSide.isn >= 0 && c.client.isn >= 0 && seqDiff(ack, ackedSide.isn) >= 1) {
      c.established = true;
      c.establishedFrame = ref.frame;
      c.establishedTime = ref.time;
    }
    // Only an ACK that moves forward can cover more segments (duplicate ACKs are common).
    if (ackedSide.highestAcked >= 0 && seqDiff(ack, ackedSide.highestAcked) <= 0) {
      // A pure ACK repeating itself while data is outstanding: the receiver misses a segment.
      if (this.seg.payloadLen === 0 && ack === ackedSide.highestAcked && (this.seg.flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0 && ackedSide.dataSegments > 0 && seqDiff(ackedSide.seqEnd, ack) > 0) {
        ackedSide.dupAcks++;
        if (ackedSide.dupAckFrames.length < MAX_SYN_FRAMES) ackedSide.dupAckFrames.push(ref.frame);
      }
      return;
    }
    ackedSide.highestAcked = ack;
    for (const seg of ackedSide.sent) {
      if (seg.ackedBy === 0 && seqDiff(ack, seqAdd(seg.seq, seg.len)) >= 0) {
        seg.ackedBy = ref.frame;
        if (seg.len > ackedSide.maxAckedSegment) ackedSide.maxAckedSegment = seg.len;
      }
    }
    if (c.oriented && !ackedSide.stream.opaque) ackedSide.stream.acked(ack, ref, this.sink(c, ackedSide));
  }

  private payload(c: Connection, me: SideState, side: Side, ref: FrameRef): void {
    const s = this.seg;
    if (!c.established && c.client.synFrames.length > 0 && c.server.synFrames.length > 0) {
      c.established = true;
      c.establishedFrame = ref.frame;
      c.establishedTime = ref.time;
    }
    me.dataSegments++;
    me.payloadBytes += s.payloadLen;
    const end = seqAdd(s.seq, s.payloadLen);
    if (me.dataSegments === 1 || seqDiff(end, me.seqEnd) > 0) me.seqEnd = end;
    if (s.payloadLen > me.maxSegment) me.maxSegment = s.payloadLen;
    if (s.ipLen > me.maxIpLen) me.maxIpLen = s.ipLen;
    if (s.payloadCaptured < s.payloadLen) {
      me.snaplenCut++;
      this.stats.tcpPayloadCut++;
    }
    if (me.firstPayloadFrame === 0) me.firstPayloadFrame = ref.frame;
    me.lastPayloadFrame = ref.frame;
    me.lastPayloadTime = ref.time;
    if (!me.preview && s.payloadCaptured > 0) {
      me.preview = s.payload.slice(0, PREVIEW_BYTES);
      me.previewFrame = ref.frame;
    }
    if (!c.oriented) this.orientByContent(c, side, s.payload);
    // Roles may just have been swapped: `me` is bound to the endpoint, its role may differ.
    const nowSide: Side = c.client === me ? 'client' : 'server';
    const st = me;
    const stream = st.stream;
    const kind = stream.segment(s.seq, stream.opaque ? EMPTY_BYTES : s.payload, s.payloadLen, ref, this.sink(c, st));
    // Past the handshake only retransmissions (and the first segments) are tracked: a path
    // problem can hit the very segment that finished the handshake (an SSH KEX reply + NEWKEYS).
    if (!stream.opaque || kind === SegmentKind.Retransmission || st.sent.length < MAX_TRACKED_SEGMENTS) this.trackSent(st, kind, ref);
    if (kind === SegmentKind.Retransmission) this.ladder(c, nowSide, ref, `Retransmission (${s.payloadLen} bytes)`, true);
    if (c.tracker && !stream.opaque && !c.tracker.needsBytes(nowSide)) stream.goOpaque();
  }

  /** Remember data segments (bounded) for retransmission / acknowledgement reasoning. */
  private trackSent(me: SideState, kind: SegmentKind, ref: FrameRef): void {
    const s = this.seg;
    if (kind === SegmentKind.Retransmission || kind === SegmentKind.Overlap) {
      for (let i = me.sent.length - 1; i >= 0; i--) {
        const x = me.sent[i]!;
        if (seqDiff(s.seq, x.seq) >= 0 && seqDiff(s.seq, seqAdd(x.seq, x.len)) < 0) {
          if (x.frames.length < MAX_SYN_FRAMES) {
            x.frames.push(ref.frame);
            x.times.push(ref.time);
          }
          return;
        }
      }
      return;
    }
    if (me.sent.length >= MAX_TRACKED_SEGMENTS) {
      // Keep the first half (the handshake) and a window of the latest.
      const idx = me.sent.findIndex((x, i) => i >= MAX_TRACKED_SEGMENTS / 2 && x.ackedBy !== 0);
      me.sent.splice(idx >= 0 ? idx : MAX_TRACKED_SEGMENTS / 2, 1);
      me.sentOverflow++;
    }
    me.sent.push({ seq: s.seq, len: s.payloadLen, frames: [ref.frame], times: [ref.time], ackedBy: 0, ipLen: s.ipLen });
  }

  /** No SYN seen: decide roles from what the first payload says, else by port, else first sender. */
  private orientByContent(c: Connection, side: Side, bytes: Uint8Array): void {
    const speech = classify(bytes);
    let senderClient = senderIsClient(speech);
    if (senderClient !== null) c.orientation = 'content';
    if (senderClient === null) {
      const me = c.side(side).endpoint.port;
      const other = c.side(side === 'client' ? 'server' : 'client').endpoint.port;
      const ports = this.opts.ports;
      if (ports.has(me) !== ports.has(other)) senderClient = ports.has(other);
      else if ((me < 1024) !== (other < 1024)) senderClient = other < 1024;
      if (speech === 'ssh-banner' && senderClient === null) senderClient = false; // servers speak first
      if (senderClient !== null) c.orientation = 'port';
    }
    if (senderClient === null) {
      senderClient = side === 'client';
      c.orientation = 'first-sender';
    }
    if (senderClient !== (side === 'client')) c.swap();
    c.oriented = true;
    // Streams start where we first see them.
    if (!c.reported && (this.opts.anyPort || this.watched(c))) this.report(c);
  }

  // ---- streams → trackers -------------------------------------------------------------

  /** The side's sink, made once; the role is looked up at delivery (roles may swap before the first byte). */
  private sink(c: Connection, st: SideState): StreamSink {
    if (st.sink) return st.sink;
    const role = (): Side => (c.client === st ? 'client' : 'server');
    st.sink = {
      data: (bytes, ref) => this.deliver(c, role(), bytes, ref),
      opaque: (len, ref) => c.tracker?.onOpaque(role(), len, ref),
      gap: (len, ref, seq) => {
        const side = role();
        if (st.holes.length < MAX_HOLES) st.holes.push({ seq, len, frame: ref.frame, time: ref.time });
        c.addFinding({ severity: 'warning', code: 'tcp.capture_gap', message: `${len} bytes from the ${side} were not captured (frame ${ref.frame})`, frames: [ref.frame] });
        this.ladder(c, side, ref, `[${len} bytes not captured]`);
        if (c.tracker) c.tracker.onGap(side, len, ref);
        else if (c.pending) c.pending.push({ side, data: new Uint8Array(0), ref: { frame: -len, time: ref.time } });
      },
    };
    return st.sink;
  }

  private deliver(c: Connection, side: Side, bytes: Uint8Array, ref: FrameRef): void {
    if (c.tracker) {
      c.tracker.onData(side, bytes, ref);
      return;
    }
    if (c.detected === 'unknown') return;
    // Not decided yet: hold (copied, bounded) until enough bytes say what this is.
    if (!c.pending) c.pending = [];
    if (c.pendingBytes < MAX_PENDING_BYTES) {
      const take = bytes.subarray(0, MAX_PENDING_BYTES - c.pendingBytes);
      c.pending.push({ side, data: take.slice(), ref });
      c.pendingBytes += take.length;
    }
    this.detect(c, false);
  }

  /** Pick the protocol from the first bytes of either side (or the port when the start was seen). */
  private detect(c: Connection, final: boolean): void {
    if (c.detected !== null || !c.pending || c.pending.length === 0) return;
    const port = c.server.endpoint.port;
    const choice = chooseProtocol(c.pending, {
      serverPort: port,
      midstream: c.midstream,
      watched: this.opts.ports.has(port),
      preamblePort: this.opts.anyPort || (this.opts.preamblePorts?.has(port) ?? false),
      final,
    });
    if (choice === 'wait') return;
    const proto = choice.proto === 'tunnel' && !this.opts.trackers.tunnel ? 'unknown' : choice.proto;
    c.detected = proto;
    if (proto === 'unknown') {
      c.pending = null;
      c.pendingBytes = 0;
      if (!c.reported) this.ignore(c);
      else {
        c.client.stream.goOpaque();
        c.server.stream.goOpaque();
      }
      return;
    }
    if (!c.reported) this.report(c);
    if (c.packetLog === null && this.opts.keepPackets) c.packetLog = [];
    const ctx: TrackerContext = {
      ladder: (ev) => c.addLadder(ev),
      finding: (f) => c.addFinding(f),
    };
    const t = this.opts.trackers;
    const tracker = proto === 'tls' ? t.tls(ctx) : proto === 'ssh' ? t.ssh(ctx) : t.tunnel!(ctx, (choice as { kind: PreambleKind }).kind);
    c.tracker = tracker;
    const pending = c.pending;
    c.pending = null;
    c.pendingBytes = 0;
    for (const item of pending) {
      if (item.ref.frame < 0) tracker.onGap(item.side, -item.ref.frame, { frame: c.lastFrame, time: item.ref.time });
      else if (tracker.needsBytes(item.side)) tracker.onData(item.side, item.data, item.ref);
    }
    for (const side of ['client', 'server'] as const) {
      const st = c.side(side);
      if (st.fin) tracker.onClose(side, 'fin', st.fin);
      else if (st.rst) tracker.onClose(side, 'rst', st.rst);
      if (!st.stream.opaque && !tracker.needsBytes(side)) st.stream.goOpaque();
    }
  }

  private ignore(c: Connection): void {
    c.ignored = true;
    c.client.stream.goOpaque();
    c.server.stream.goOpaque();
    c.pending = null;
    c.packetLog = null;
    c.ladder = [];
    this.stats.connectionsIgnored++;
  }

  private trackCloseOnly(me: SideState, c: Connection, time: number, frame: number): void {
    const s = this.seg;
    if (s.flags & TCP_FIN && !me.fin) me.fin = { frame, time, ttl: s.ttl, ipId: s.ipId };
    if (s.flags & TCP_RST && !me.rst) me.rst = { frame, time, ttl: s.ttl, ipId: s.ipId };
    if (c.closed) {
      this.finish(c, 'closed');
      this.bury(c);
    }
  }

  private endStream(c: Connection, st: SideState, side: Side, ref: FrameRef): void {
    if (!st.stream.opaque && c.oriented) st.stream.flush(ref, this.sink(c, st));
  }

  private ladder(c: Connection, from: Side, ref: FrameRef, label: string, retransmission = false): void {
    if (c.ignored) return;
    c.addLadder({ frame: ref.frame, time: ref.time, from, label, layer: 'tcp', ...(retransmission ? { retransmission } : {}) });
  }

  private logPacket(c: Connection, p: Packet): void {
    const cap = this.opts.keepPackets!.maxBytesPerConnection;
    if (c.packetLogBytes + p.data.length > cap) return;
    c.packetLog!.push({ frame: p.frame, tsSec: p.tsSec, tsNsec: p.tsNsec, linkType: p.linkType, origLen: p.origLen, data: p.data.slice() });
    c.packetLogBytes += p.data.length;
  }

  // ---- ending -------------------------------------------------------------------------

  private finish(c: Connection, reason: EndReason): void {
    if (c.endReason !== null) return;
    c.endReason = reason;
    this.live--;
    if (c.embryonic) {
      c.embryonic = false;
      this.embryonic--;
    }
    if (c.ignored) return;
    const ref: FrameRef = { frame: c.lastFrame, time: c.lastTime };
    if (c.oriented) {
      this.endStream(c, c.client, 'client', ref);
      this.endStream(c, c.server, 'server', ref);
    }
    if (!c.tracker && c.pending && c.pending.length > 0) this.detect(c, true);
    c.tracker?.finish?.();
    // A preamble port that carried nothing: the connection failed before any byte (refused, timed out).
    if (!c.reported && !c.ignored && c.client.payloadBytes === 0 && c.server.payloadBytes === 0 && this.opts.preamblePorts?.has(c.server.endpoint.port) && c.client.synFrames.length > 0) this.report(c);
    if (!c.reported) return;
    if (reason === 'timeout') this.stats.timedOut++;
    if (reason === 'evicted') this.stats.evicted++;
    this.opts.onConnection(c);
    c.pending = null;
  }

  /** Replace a finished connection by its tombstone (the Connection can then be collected). */
  private bury(c: Connection): void {
    this.flows.set(new Tombstone(c.endReason!, c.lastTime, { key: c.client.key, isn: c.client.isn }, { key: c.server.key }));
  }

  private sweep(): void {
    this.lastSweep = this.now;
    this.udp?.sweep(this.now);
    const expired: Connection[] = [];
    const dead: Entry[] = [];
    this.flows.forEach((c) => {
      const idle = this.now - c.lastTime;
      if (c instanceof Connection && c.endReason === null) {
        const past = c.client.stream.opaque && c.server.stream.opaque && !c.ignored;
        if (idle > (past ? this.opts.sessionIdleTimeout : this.opts.idleTimeout)) expired.push(c);
      } else if (idle > TOMBSTONE_SECONDS) dead.push(c);
    });
    expired.sort((a, b) => a.seq - b.seq);
    for (const c of expired) {
      this.finish(c, 'timeout');
      this.bury(c);
    }
    for (const c of dead) this.flows.delete(c);
  }

  /** Over the flow cap: end the tenth of connections idle the longest. */
  private evict(): void {
    const open: Connection[] = [];
    this.flows.forEach((c) => {
      if (c instanceof Connection && c.endReason === null) open.push(c);
    });
    open.sort((a, b) => a.lastTime - b.lastTime);
    const n = Math.max(1, Math.floor(open.length / 10));
    for (const c of open.slice(0, n)) {
      this.finish(c, 'evicted');
      this.flows.delete(c);
    }
  }
}
