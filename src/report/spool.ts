// Text that must come after something not known yet (the human report's blocks, printed
// after the summary): held in memory up to a few MiB, then in an anonymous temporary file
// (opened, then unlinked at once: nothing is left behind, even on a crash). Memory stays
// bounded whatever the number of records.

import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bytes kept in memory before spilling to the file. */
export const SPOOL_MEMORY = 1024 * 1024;
const CHUNK = 1024 * 1024;

export class Spool {
  /** The bytes not in the file yet: one buffer, grown up to `memory`, written out and reused. */
  private buf: Buffer | null = null;
  private used = 0;
  private fd: number | null = null;
  private written = 0;
  /** Bytes that went to the file (0: all in memory). */
  get spilled(): number {
    return this.written;
  }

  constructor(private readonly memory = SPOOL_MEMORY, private readonly dir = tmpdir()) {}

  add(text: string | Uint8Array): void {
    // Encoded into the spool's own buffer at once: a string kept until the spill would
    // survive collections, be promoted and make the heap grow; a Buffer per block would
    // leave the allocator fragmented.
    const most = typeof text === 'string' ? text.length * 3 : text.length; // UTF-8: at most 3 bytes per UTF-16 unit
    if (this.used + most > this.memory) {
      this.spill();
      if (most > this.memory) {
        const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
        writeSync(this.file(), bytes, 0, bytes.length, this.written);
        this.written += bytes.length;
        return;
      }
    }
    if (!this.buf || this.used + most > this.buf.length) this.grow(this.used + most);
    const buf = this.buf!;
    if (typeof text === 'string') this.used += buf.write(text, this.used, 'utf8');
    else {
      buf.set(text, this.used);
      this.used += text.length;
    }
  }

  private grow(need: number): void {
    let size = this.buf?.length ?? 64 * 1024;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafeSlow(Math.min(size, Math.max(need, this.memory)));
    if (this.buf) this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }

  private file(): number {
    if (this.fd === null) {
      const d = mkdtempSync(join(this.dir, 'hsi-report-'));
      const f = join(d, 'blocks');
      this.fd = openSync(f, 'w+', 0o600);
      unlinkSync(f);
      rmdirSync(d);
    }
    return this.fd;
  }

  private spill(): void {
    if (this.used === 0) return;
    writeSync(this.file(), this.buf!, 0, this.used, this.written);
    this.written += this.used;
    this.used = 0;
  }

  /** Everything added, in order, in chunks of about 1 MiB; the spool is empty afterwards. */
  *drain(): Generator<Uint8Array> {
    if (this.fd !== null) {
      this.spill();
      this.buf = null;
      const buf = Buffer.alloc(CHUNK);
      for (let pos = 0; pos < this.written; ) {
        const n = readSync(this.fd, buf, 0, CHUNK, pos);
        if (n <= 0) break;
        pos += n;
        yield Buffer.from(buf.subarray(0, n));
      }
      closeSync(this.fd);
      this.fd = null;
      this.written = 0;
      return;
    }
    const held = this.buf?.subarray(0, this.used);
    this.buf = null;
    this.used = 0;
    if (held && held.length > 0) yield held;
  }
}
