// The per-connection state the engine keeps, and the TCP facts diagnosis reads.
// Everything here is bounded: lists have caps, streams stop buffering past the handshake.

import { StreamReassembler } from '../net/stream.js';
import type { AppTracker, DatagramTracker, Finding, FrameRef, LadderEvent, Side } from './types.js';

/** TCP segments remembered per side for retransmission / acknowledgement reasoning. */
export const MAX_TRACKED_SEGMENTS = 64;
/** Ladder events kept per connection (the TUI ladder, evidence). */
export const MAX_LADDER_EVENTS = 256;
/** Findings kept per connection. */
export const MAX_FINDINGS = 64;
/** Bytes of the first payload kept per side for "what did it speak" evidence. */
export const PREVIEW_BYTES = 128;
/** SYN (and SYN-ACK) frames remembered. */
export const MAX_SYN_FRAMES = 16;

/** A connection seen on both sides of an address translation by the capturing host. */
export interface Translation {
  /** This leg is the connection before or after the translation. */
  leg: 'before' | 'after';
  /** The other leg's endpoints. */
  other: { client: Endpoint; server: Endpoint };
}

export interface Endpoint {
  ip: string;
  port: number;
}

/** A data segment a side sent, and what happened to it. */
export interface SentSegment {
  seq: number;
  /** Payload length on the wire. */
  len: number;
  /** Frame of the first transmission, then each retransmission. */
  frames: number[];
  times: number[];
  /** Frame of the acknowledgement covering it, or 0. */
  ackedBy: number;
  /** IP datagram length of the first transmission (path-MTU reasoning). */
  ipLen: number;
}

export interface CloseEvent {
  frame: number;
  time: number;
  /** TTL / hop limit and IPv4 identification (-1: none) of the packet that carried it. */
  ttl: number;
  ipId: number;
}

/** Bytes of a side's stream the capture never saw, and where. */
export interface Hole {
  seq: number;
  len: number;
  frame: number;
  time: number;
}

/** Holes remembered per side. */
export const MAX_HOLES = 8;
/** Handshake packets per side whose TCP checksum is checked (offload signs). */
export const CHECKSUM_SAMPLES = 3;

export class SideState {
  readonly stream = new StreamReassembler();
  /** SYN (client) or SYN-ACK (server) frames, first then retransmissions. */
  synFrames: number[] = [];
  synTimes: number[] = [];
  isn = -1;
  mss = -1;
  wscale = -1;
  sackPermitted = false;
  fin: CloseEvent | null = null;
  rst: CloseEvent | null = null;
  packets = 0;
  /** Payload bytes on the wire (retransmissions included). */
  payloadBytes = 0;
  dataSegments = 0;
  /** Largest payload segment seen, and the largest acknowledged one. */
  maxSegment = 0;
  maxAckedSegment = 0;
  maxIpLen = 0;
  /** Highest acknowledgement this side's data received from the peer (seq space of this side). */
  highestAcked = -1;
  sent: SentSegment[] = [];
  sentOverflow = 0;
  firstPayloadFrame = 0;
  lastPayloadFrame = 0;
  lastPayloadTime = 0;
  /** The first bytes this side sent (copy), for evidence about unknown protocols. */
  preview: Uint8Array | null = null;
  previewFrame = 0;
  /** Packets whose TCP payload was cut by the snaplen. */
  snaplenCut = 0;
  /** When tunnelled: this side's tunnel endpoint (the outer IP address). */
  outerIp = '';
  /** TTL / hop limit of this side's packets as captured (the first one; RSTs left out), -1 until seen. */
  ttl = -1;
  /** Packets (RSTs left out) whose TTL differed from the first one. */
  ttlChanges = 0;
  /** IPv4 identification of this side's last packet (RSTs left out; -1: none). */
  ipIdLast = -1;
  /** Consecutive packets whose IP ID went up by 1..64 (a per-connection counter), and those that did not. */
  ipIdSteps = 0;
  ipIdJumps = 0;
  /** TCP checksums checked on this side's first packets, and how many were wrong. */
  checksumsChecked = 0;
  checksumsBad = 0;
  /** Packets the capture marked received by the capturing host, sent by it, or seen for another host (net/decode.ts Direction). */
  markedIn = 0;
  markedOut = 0;
  markedOther = 0;
  /** Second copies of this side's packets in the capture (a forwarding host captured on all its interfaces): left out. */
  copies = 0;
  /** Of them, copies one hop lower (a routing host captured on all its interfaces). */
  copiesRouted = 0;
  /** This side's last packet, to recognise a second copy of it (engine/copies.ts). */
  lastTime = -Infinity;
  lastSeq = 0;
  lastAck = 0;
  lastFlags = 0;
  lastLen = 0;
  lastWindow = 0;
  lastIpId = 0;
  lastTtl = 0;
  lastDirection = 0;
  /** Highest sequence number this side's data reached (seq + length), valid once it sent data. */
  seqEnd = 0;
  /** Acknowledgements this side received that did not move (duplicate ACKs from the peer). */
  dupAcks = 0;
  dupAckFrames: number[] = [];
  /** Bytes of this side's stream missing from the capture. */
  holes: Hole[] = [];
  /** Where this side's reassembled bytes go (made once by the engine). */
  sink: import('../net/stream.js').StreamSink | null = null;

  /** Endpoint identity for fast packet → side matching: ip * 65536 + port (IPv4) or "ip]port" (IPv6). */
  readonly key: number | string;

  constructor(readonly endpoint: Endpoint, key: number | string) {
    this.key = key;
  }
}

/** An ICMP error about one of this connection's packets. */
export interface IcmpEvent {
  frame: number;
  time: number;
  /** ICMP type (ICMPv6: + 256) and code. */
  type: number;
  code: number;
  /** Address that sent the ICMP message (the server itself, or a router on the path). */
  from: string;
  /** The side whose packet could not be delivered. */
  about: 'client' | 'server';
  /** Next-hop MTU (fragmentation needed / packet too big), else -1. */
  mtu: number;
  description: string;
}

export type EndReason = 'closed' | 'reset' | 'timeout' | 'end-of-input' | 'evicted' | 'reused';

export class Connection {
  /** 1-based id among reported connections, in order of first packet (0 until reported). */
  id = 0;
  /** Creation order among all TCP flows (ids are assigned from it). */
  readonly seq: number;
  client: SideState;
  server: SideState;
  /** How the client/server roles were decided. */
  orientation: 'syn' | 'syn-ack' | 'content' | 'port' | 'first-sender' = 'first-sender';
  /** False until roles are settled (no SYN seen and no payload yet). */
  oriented = false;
  /** No SYN seen: the capture started after the connection did. */
  midstream = false;
  tracker: AppTracker | null = null;
  /** `udp`: a QUIC flow (the TCP fields stay empty), decoded by `datagram`. */
  transport: 'tcp' | 'udp' = 'tcp';
  datagram: DatagramTracker | null = null;
  /** UDP: the address pairs after the first (a migrated or rebound client), by first frame. */
  paths: { client: Endpoint; server: Endpoint; frame: number }[] = [];
  /** 'tls' | 'ssh' | 'tunnel' (a preamble before TLS) when a tracker runs; 'unknown' otherwise. */
  detected: 'tls' | 'ssh' | 'tunnel' | 'unknown' | null = null;
  /** Seen from one side only, without payload, so far (counted against the engine's embryonic cap). */
  embryonic = false;
  /** The endpoint key of the packet that opened an embryonic flow. */
  openedBy: number | string = 0;
  /** Reported (watched port, recognised protocol, or --any-port). */
  reported = false;
  /** Decided not to report: only counted until it ends. */
  ignored = false;
  firstFrame: number;
  lastFrame: number;
  startTsSec: number;
  startTsNsec: number;
  endTsSec: number;
  endTsNsec: number;
  startTime: number;
  lastTime: number;
  packets = 0;
  /** ICMP errors about this connection's packets (capped). */
  icmp: IcmpEvent[] = [];
  /** Captured before and after the capturing host translated its addresses (engine/copies.ts RecentSyns). */
  translation: Translation | null = null;
  /** Tunnel / VLAN the packets came through (first seen). */
  tunnel = '';
  vlan = -1;
  ladder: LadderEvent[] = [];
  ladderDropped = 0;
  findings: Finding[] = [];
  findingsDropped = 0;
  endReason: EndReason | null = null;
  /** Bytes held before the protocol was known (copied), replayed into the tracker. */
  pending: { side: Side; data: Uint8Array; ref: FrameRef }[] | null = null;
  pendingBytes = 0;
  /** The three-way handshake completed (final ACK or first data after SYN-ACK). */
  established = false;
  establishedFrame = 0;
  establishedTime = 0;
  /** Packets of this connection retained for --save-failures / TUI save (bounded), if enabled. */
  packetLog: { frame: number; tsSec: number; tsNsec: number; linkType: number; origLen: number; data: Uint8Array }[] | null = null;
  packetLogBytes = 0;

  constructor(seq: number, a: Endpoint, aKey: number | string, b: Endpoint, bKey: number | string, frame: number, tsSec: number, tsNsec: number, time: number) {
    this.seq = seq;
    this.client = new SideState(a, aKey);
    this.server = new SideState(b, bKey);
    this.firstFrame = this.lastFrame = frame;
    this.startTsSec = this.endTsSec = tsSec;
    this.startTsNsec = this.endTsNsec = tsNsec;
    this.startTime = this.lastTime = time;
  }

  side(s: Side): SideState {
    return s === 'client' ? this.client : this.server;
  }

  /** Swap roles (decided after the first packets). */
  swap(): void {
    const c = this.client;
    this.client = this.server;
    this.server = c;
  }

  addLadder(ev: LadderEvent): void {
    if (this.ladder.length < MAX_LADDER_EVENTS) this.ladder.push(ev);
    else this.ladderDropped++;
  }

  addFinding(f: Finding): void {
    if (this.findings.some((x) => x.code === f.code && x.message === f.message)) return;
    if (this.findings.length < MAX_FINDINGS) this.findings.push(f);
    else this.findingsDropped++;
  }

  /** Both directions finished (FIN each way) or a reset. */
  get closed(): boolean {
    return this.client.rst !== null || this.server.rst !== null || (this.client.fin !== null && this.server.fin !== null);
  }
}
