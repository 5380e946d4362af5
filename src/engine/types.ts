// The seam between the TCP engine and the protocol trackers (TLS, SSH).
//
// The engine reassembles each direction of a connection and hands the in-order bytes to
// one AppTracker per connection, in capture order across the two directions. Trackers
// are stateful, one per connection, and own their buffers (with caps); decoders under
// them are pure.

export type Side = 'client' | 'server';

export const otherSide = (s: Side): Side => (s === 'client' ? 'server' : 'client');

/** Where a piece of stream data came from: the frame that delivered it, and its time. */
export interface FrameRef {
  /** 1-based frame number in the input, as Wireshark counts. */
  frame: number;
  /** Packet timestamp, seconds since the epoch (microsecond resolution is exact). */
  time: number;
}

/** One step of the handshake as a sequence diagram shows it (the TUI ladder, evidence). */
export interface LadderEvent {
  frame: number;
  time: number;
  from: Side;
  /** Short label: "SYN", "ClientHello", "Alert handshake_failure(40)", "KEXINIT", ... */
  label: string;
  layer: 'tcp' | 'tunnel' | 'tls' | 'ssh' | 'data';
  /** Optional longer text. */
  detail?: string;
  /** A retransmission of something already seen. */
  retransmission?: boolean;
}

/** Something worth telling the user that is not the verdict itself. */
export interface Finding {
  severity: 'info' | 'warning' | 'error';
  /** Stable machine code, e.g. "tls.weak_version", "tcp.gap", "ssh.terrapin". */
  code: string;
  message: string;
  frames?: number[];
}

/** Context handed to trackers at creation: a sink for ladder events and findings. */
export interface TrackerContext {
  ladder(ev: LadderEvent): void;
  finding(f: Finding): void;
  /**
   * A datagram tracker learned a connection ID that `owner` will receive packets on (QUIC):
   * the flow table then follows the connection to a new address (migration, NAT rebinding).
   */
  connectionId?(owner: Side, cid: Uint8Array): void;
}

export interface AppTracker {
  readonly protocol: 'tls' | 'ssh' | 'tunnel';
  /**
   * In-order stream bytes from one side. `data` is only valid during the call: a tracker
   * that needs bytes later copies them (within its caps).
   */
  onData(from: Side, data: Uint8Array, ref: FrameRef): void;
  /** The capture missed `length` bytes of this side's stream (never silently joined). */
  onGap(from: Side, length: number, ref: FrameRef): void;
  /** Payload of a segment from a side the tracker no longer needs bytes from (sizes only). */
  onOpaque(from: Side, length: number, ref: FrameRef): void;
  /** A side sent FIN or RST. */
  onClose(from: Side, kind: 'fin' | 'rst', ref: FrameRef): void;
  /** False once the tracker needs no more bytes from this side (encrypted / past handshake). */
  needsBytes(from: Side): boolean;
  /** The connection ended (closed, timed out, end of input): flush what is pending. */
  finish?(): void;
}

/** The protocol side of one UDP flow (QUIC): datagrams in, facts kept (quic/tracker.ts). */
export interface DatagramTracker {
  readonly protocol: 'quic';
  /** One UDP payload from a side (valid only during the call). */
  onDatagram(from: Side, data: Uint8Array, ref: FrameRef): void;
  /** The flow needs no more decoding (its handshake ended): datagrams are only counted. */
  readonly done: boolean;
  /** The flow ended (idle, end of input): flush what is pending. */
  finish?(): void;
}
