// A growing buffer of UTF-8 bytes that text and bytes are appended to: NDJSON lines batched
// for one write, the human report's blocks held before the summary, a --jobs worker's reply.
// Strings are encoded at once, so nothing waiting to be written sits in the JavaScript heap.

/** The most UTF-8 bytes a piece can take (3 per UTF-16 unit for a string). */
export const utf8Bound = (t: string | Uint8Array): number => (typeof t === 'string' ? t.length * 3 : t.length);

export class ByteBuffer {
  private buf: Buffer;
  /** Bytes held. */
  used = 0;

  constructor(private readonly initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(initial);
  }

  /** Append a piece (grown as needed); returns where its bytes start. */
  append(t: string | Uint8Array): number {
    const start = this.used;
    const need = start + utf8Bound(t);
    if (need > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < need) size *= 2;
      const next = Buffer.allocUnsafeSlow(size);
      this.buf.copy(next, 0, 0, start);
      this.buf = next;
    }
    if (typeof t === 'string') this.used += this.buf.write(t, start, 'utf8');
    else {
      this.buf.set(t, start);
      this.used += t.length;
    }
    return start;
  }

  /** The bytes held (a view: valid until the next append or clear). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.used);
  }

  /** Empty, keeping the buffer for reuse. */
  clear(): void {
    this.used = 0;
  }

  /** The bytes held, handed over for good: the buffer starts anew (the old one may stay referenced). */
  take(): Uint8Array {
    const out = this.bytes();
    this.buf = Buffer.allocUnsafeSlow(Math.max(this.initial, Math.ceil(this.used * 1.25)));
    this.used = 0;
    return out;
  }
}
