// Bytes of one direction of a stream that a decoder has not consumed yet, with the frame
// each byte arrived in: messages are attributed to the frame where they start and the
// frame that completed them. Appends copy (the engine's views are only valid during the
// call); the holder caps how much it keeps.

export interface ByteRef {
  frame: number;
  time: number;
}

interface Chunk {
  len: number;
  frame: number;
  time: number;
}

const EMPTY = new Uint8Array(0);

export class FramedBytes {
  private buf: Uint8Array = EMPTY;
  private chunks: Chunk[] = [];

  get length(): number {
    return this.buf.length;
  }

  /** The unconsumed bytes (a view, valid until the next append or consume). */
  get bytes(): Uint8Array {
    return this.buf;
  }

  append(data: Uint8Array, ref: ByteRef): void {
    if (data.length === 0) return;
    if (this.buf.length === 0) this.buf = data.slice();
    else {
      const out = new Uint8Array(this.buf.length + data.length);
      out.set(this.buf, 0);
      out.set(data, this.buf.length);
      this.buf = out;
    }
    this.chunks.push({ len: data.length, frame: ref.frame, time: ref.time });
  }

  /** The frame that delivered the byte at `offset` (the last frame when past the end). */
  at(offset: number): ByteRef {
    let acc = 0;
    for (const c of this.chunks) {
      acc += c.len;
      if (offset < acc) return c;
    }
    return this.chunks[this.chunks.length - 1] ?? { frame: 0, time: 0 };
  }

  consume(n: number): void {
    if (n <= 0) return;
    this.buf = n >= this.buf.length ? EMPTY : this.buf.subarray(n);
    let left = n;
    while (left > 0 && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      if (c.len <= left) {
        left -= c.len;
        this.chunks.shift();
      } else {
        c.len -= left;
        left = 0;
      }
    }
  }

  /** Everything unconsumed, chunk by chunk with its frame, and empty afterwards. */
  drain(): { data: Uint8Array; ref: ByteRef }[] {
    const out: { data: Uint8Array; ref: ByteRef }[] = [];
    let off = 0;
    for (const c of this.chunks) {
      out.push({ data: this.buf.subarray(off, off + c.len), ref: { frame: c.frame, time: c.time } });
      off += c.len;
    }
    this.buf = EMPTY;
    this.chunks = [];
    return out;
  }
}
