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
  private parts: (string | Uint8Array)[] = [];
  private bytes = 0;
  private fd: number | null = null;
  private written = 0;
  /** Bytes that went to the file (0: all in memory). */
  get spilled(): number {
    return this.written;
  }

  constructor(private readonly memory = SPOOL_MEMORY, private readonly dir = tmpdir()) {}

  add(text: string | Uint8Array): void {
    this.parts.push(text);
    this.bytes += text.length;
    if (this.bytes >= this.memory) this.spill();
  }

  private spill(): void {
    if (this.fd === null) {
      const d = mkdtempSync(join(this.dir, 'hsi-report-'));
      const f = join(d, 'blocks');
      this.fd = openSync(f, 'w+', 0o600);
      unlinkSync(f);
      rmdirSync(d);
    }
    const buf = Buffer.concat(this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
    writeSync(this.fd, buf, 0, buf.length, this.written);
    this.written += buf.length;
    this.parts = [];
    this.bytes = 0;
  }

  /** Everything added, in order, in chunks of about 1 MiB; the spool is empty afterwards. */
  *drain(): Generator<string | Uint8Array> {
    if (this.fd !== null) {
      if (this.parts.length > 0) this.spill();
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
    for (const p of this.parts) yield p;
    this.parts = [];
    this.bytes = 0;
  }
}
