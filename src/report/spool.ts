// Text that must come after something not known yet (the human report's blocks, printed
// after the summary): held in memory up to a few MiB, then in an anonymous temporary file
// (opened, then unlinked at once: nothing is left behind, even on a crash). Memory stays
// bounded whatever the number of records.

import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteBuffer, utf8Bound } from './bytes.js';

/** Bytes kept in memory before spilling to the file. */
export const SPOOL_MEMORY = 1024 * 1024;
const CHUNK = 1024 * 1024;

export class Spool {
  /** The bytes not in the file yet (up to `memory`), written out and reused. */
  private held: ByteBuffer | null = null;
  private fd: number | null = null;
  private written = 0;
  /** Bytes that went to the file (0: all in memory). */
  get spilled(): number {
    return this.written;
  }

  constructor(private readonly memory = SPOOL_MEMORY, private readonly dir = tmpdir()) {}

  add(text: string | Uint8Array): void {
    // Encoded at once: a string kept until the spill would survive collections, be promoted
    // and make the heap grow.
    const most = utf8Bound(text);
    if ((this.held?.used ?? 0) + most > this.memory) {
      this.spill();
      if (most > this.memory) {
        const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
        writeSync(this.file(), bytes, 0, bytes.length, this.written);
        this.written += bytes.length;
        return;
      }
    }
    (this.held ??= new ByteBuffer()).append(text);
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
    if (!this.held || this.held.used === 0) return;
    const b = this.held.bytes();
    writeSync(this.file(), b, 0, b.length, this.written);
    this.written += b.length;
    this.held.clear();
  }

  /** Everything added, in order, in chunks of about 1 MiB; the spool is empty afterwards. */
  *drain(): Generator<Uint8Array> {
    if (this.fd !== null) {
      this.spill();
      this.held = null;
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
    const held = this.held?.bytes();
    this.held = null;
    if (held && held.length > 0) yield held;
  }
}
