// One direction of a TCP connection, reassembled into an in-order byte stream.
//
// In-order bytes go straight to the sink (no copy). Segments from the future are copied
// into a small, capped out-of-order queue. Bytes the capture never saw are reported as a
// gap — never silently joined — when the receiver acknowledges past them (the segment
// was on the wire, the capture missed it), when the queue overflows, or at the end.
// Retransmissions and overlaps keep the first copy seen.

import type { FrameRef } from '../engine/types.js';

/** Bytes of out-of-order data buffered per direction before declaring a gap. */
export const MAX_OOO_BYTES = 256 * 1024;
/** Out-of-order segments buffered per direction. */
export const MAX_OOO_SEGMENTS = 128;

/** Signed distance a - b in sequence space (RFC 1982 style, 32-bit). */
export const seqDiff = (a: number, b: number): number => (a - b) | 0;
export const seqAdd = (a: number, n: number): number => (a + n) >>> 0;

export interface StreamSink {
  data(bytes: Uint8Array, ref: FrameRef): void;
  /** `length` bytes from sequence number `seq` are missing from what was captured. */
  gap(length: number, ref: FrameRef, seq: number): void;
  /** Opaque mode: `length` new bytes went by (not buffered, not delivered). */
  opaque?(length: number, ref: FrameRef): void;
}

export const enum SegmentKind {
  InOrder = 0,
  /** Entirely old data: a retransmission (or a duplicate from the capture). */
  Retransmission = 1,
  /** Partly old, partly new: the new part was delivered. */
  Overlap = 2,
  /** Ahead of the expected sequence number: held back. */
  OutOfOrder = 3,
  Empty = 4,
}

interface Held {
  seq: number;
  data: Uint8Array;
  frame: number;
  time: number;
}

export class StreamReassembler {
  /** Next expected sequence number (valid once started). */
  next = 0;
  started = false;
  /** Stop buffering: sizes only (past the handshake). */
  opaque = false;
  /** Sequence number of this side's FIN (it occupies one sequence number), or -1. */
  finSeq = -1;
  private held: Held[] = [];
  private heldBytes = 0;

  retransmissions = 0;
  outOfOrder = 0;
  gaps = 0;
  gapBytes = 0;
  delivered = 0;

  /** Start the stream at a known sequence number (ISN + 1 after a SYN). */
  begin(seq: number): void {
    this.next = seq >>> 0;
    this.started = true;
  }

  /**
   * Feed one segment's payload (a view valid during this call). Returns what it was.
   * In opaque mode nothing is buffered: sizes are tracked for retransmission detection only
   * and `sink.opaque` receives the new byte count.
   */
  segment(seq: number, payload: Uint8Array, wireLen: number, ref: FrameRef, sink: StreamSink): SegmentKind {
    if (wireLen === 0) return SegmentKind.Empty;
    if (!this.started) this.begin(seq);
    let d = seqDiff(seq, this.next);
    if (this.opaque) {
      const end = d + wireLen;
      if (end <= 0) {
        this.retransmissions++;
        return SegmentKind.Retransmission;
      }
      // Jumps forward are accepted as they are: past the handshake we only count.
      this.next = seqAdd(seq, wireLen);
      const fresh = d < 0 ? end : wireLen;
      this.delivered += fresh;
      sink.opaque?.(fresh, ref);
      return d < 0 ? SegmentKind.Overlap : SegmentKind.InOrder;
    }
    if (d + wireLen <= 0) {
      this.retransmissions++;
      return SegmentKind.Retransmission;
    }
    // Bytes cut by the snaplen are missing from the capture: deliver what we have, then a gap.
    if (d <= 0) {
      const skip = -d;
      const have = Math.max(0, payload.length - skip);
      if (have > 0) {
        this.delivered += have;
        sink.data(payload.subarray(skip), ref);
      }
      const missing = wireLen - skip - have;
      if (missing > 0) this.markGap(seqAdd(seq, skip + have), missing, ref, sink);
      this.next = seqAdd(seq, wireLen);
      this.drain(ref, sink);
      return skip > 0 ? SegmentKind.Overlap : SegmentKind.InOrder;
    }
    // Ahead of the stream: hold a copy (bounded).
    this.outOfOrder++;
    if (this.held.length >= MAX_OOO_SEGMENTS || this.heldBytes + payload.length > MAX_OOO_BYTES) {
      // Give up waiting for the hole: it is a gap in what we saw.
      this.skipTo(this.held.length > 0 ? this.held[0]!.seq : seq, ref, sink);
      d = seqDiff(seq, this.next);
      if (d <= 0) return this.segment(seq, payload, wireLen, ref, sink);
    }
    this.hold({ seq, data: payload.slice(), frame: ref.frame, time: ref.time }, wireLen);
    return SegmentKind.OutOfOrder;
  }

  private hold(h: Held, wireLen: number): void {
    // Snaplen-cut held data: remember only what we have; the rest surfaces as a gap later.
    void wireLen;
    let i = this.held.length;
    while (i > 0 && seqDiff(this.held[i - 1]!.seq, h.seq) > 0) i--;
    this.held.splice(i, 0, h);
    this.heldBytes += h.data.length;
  }

  /** Deliver held segments that have become in-order. */
  private drain(ref: FrameRef, sink: StreamSink): void {
    while (this.held.length > 0) {
      const h = this.held[0]!;
      const d = seqDiff(h.seq, this.next);
      if (d > 0) return;
      this.held.shift();
      this.heldBytes -= h.data.length;
      const skip = -d;
      if (skip < h.data.length) {
        this.delivered += h.data.length - skip;
        // The bytes arrived in h.frame, but they became usable only now (Wireshark reports
        // the reassembled PDU at the frame that completed it).
        sink.data(h.data.subarray(skip), { frame: Math.max(h.frame, ref.frame), time: Math.max(h.time, ref.time) });
        this.next = seqAdd(h.seq, h.data.length);
      }
    }
  }

  private markGap(seq: number, length: number, ref: FrameRef, sink: StreamSink): void {
    this.gaps++;
    this.gapBytes += length;
    sink.gap(length, ref, seq);
  }

  /** Declare everything before `seq` missing from the capture, then deliver what follows. */
  private skipTo(seq: number, ref: FrameRef, sink: StreamSink): void {
    const missing = seqDiff(seq, this.next);
    if (missing > 0) {
      this.markGap(this.next, missing, ref, sink);
      this.next = seq >>> 0;
    }
    this.drain(ref, sink);
  }

  /**
   * The other side acknowledged `ack`: bytes before it were on the wire. If we never saw
   * them, that is a capture gap (Wireshark's "ACKed unseen segment").
   */
  acked(ack: number, ref: FrameRef, sink: StreamSink): void {
    if (!this.started || this.opaque) return;
    if (this.finSeq >= 0 && seqDiff(ack, this.finSeq) > 0) ack = this.finSeq; // the FIN's own sequence number
    if (seqDiff(ack, this.next) <= 0) return;
    const firstHeld = this.held.length > 0 ? this.held[0]!.seq : ack;
    const upTo = seqDiff(firstHeld, ack) < 0 ? firstHeld : ack;
    this.skipTo(upTo, ref, sink);
  }

  /** End of the stream (FIN, RST, timeout, end of input): flush what is held, marking holes. */
  flush(ref: FrameRef, sink: StreamSink): void {
    while (this.held.length > 0) this.skipTo(this.held[0]!.seq, ref, sink);
  }

  /** This side sent FIN on a segment starting at `seq` with `len` payload bytes. */
  fin(seq: number, len: number): void {
    if (this.finSeq < 0) this.finSeq = seqAdd(seq, len);
  }

  /** Switch to counting only; drop anything held. */
  goOpaque(): void {
    this.opaque = true;
    this.held = [];
    this.heldBytes = 0;
  }

  get bufferedBytes(): number {
    return this.heldBytes;
  }
}
