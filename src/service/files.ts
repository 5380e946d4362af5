// Outputs that survive weeks of `hsi live`:
// - RecordFile: the records (NDJSON or text) appended to a file; reopen() on SIGHUP
//   (logrotate's convention: it renames the file, hsi then creates a new one), or rotation
//   by size (FILE → FILE.1 → ... FILE.N, the oldest dropped). Writes are whole lines or
//   batches of whole lines, and rotation happens between writes: no record is cut, lost or
//   written twice.
// - FailureRing: --save-failures DIR as a ring of pcapng files, like dumpcap's
//   `-b filesize:` / `-b files:`: a new file past the size, the oldest deleted past the count.

import { closeSync, existsSync, fstatSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { PcapngWriter, type WritablePacket } from '../capture/pcapng-writer.js';

export interface RecordFileOptions {
  /** Rotate when the file reaches this many bytes (0: only on reopen()). */
  rotateBytes?: number;
  /** Rotated files kept (FILE.1 .. FILE.N). */
  keep?: number;
}

export class RecordFile extends Writable {
  private fd: number;
  private size: number;
  rotations = 0;
  reopens = 0;

  constructor(readonly path: string, private readonly opts: RecordFileOptions = {}) {
    super({ decodeStrings: true });
    this.fd = openSync(path, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    try {
      const limit = this.opts.rotateBytes ?? 0;
      if (limit > 0 && this.size > 0 && this.size + chunk.length > limit) this.rotate();
      for (let off = 0; off < chunk.length; ) off += writeSync(this.fd, chunk, off, chunk.length - off);
      this.size += chunk.length;
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  /** Close and open the path again (after logrotate moved it away): a new file if it is gone. */
  reopen(): void {
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
    this.reopens++;
  }

  private rotate(): void {
    const keep = Math.max(1, this.opts.keep ?? 5);
    closeSync(this.fd);
    if (existsSync(`${this.path}.${keep}`)) rmSync(`${this.path}.${keep}`);
    for (let i = keep - 1; i >= 1; i--) if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'a', 0o640);
    this.size = 0;
    this.rotations++;
  }

  override _final(done: (e?: Error | null) => void): void {
    try {
      closeSync(this.fd);
      done();
    } catch (e) {
      done(e as Error);
    }
  }
}

export interface RingOptions {
  /** Bytes per file before the next one starts. */
  fileBytes: number;
  /** Files kept; the oldest is deleted past it. */
  files: number;
}

/** Failed connections' packets in DIR/hsi-failures-NNNNN.pcapng, at most `files` files of about `fileBytes`. */
export class FailureRing {
  private writer: PcapngWriter | null = null;
  private seq = 0;
  private readonly names: string[] = [];

  constructor(readonly dir: string, private readonly opts: RingOptions) {
    // continue after what an earlier run left
    for (const f of readdirSync(dir).filter((x) => /^hsi-failures-\d{5,}\.pcapng$/.test(x)).sort()) {
      this.names.push(f);
      this.seq = Math.max(this.seq, Number(/(\d+)/.exec(f)![1]));
    }
    this.trim(this.opts.files);
  }

  /** The writer for the next connection's packets (a new file when the current one is full). */
  next(): PcapngWriter {
    if (this.writer && this.writer.bytes >= this.opts.fileBytes) {
      this.writer.close();
      this.writer = null;
    }
    if (!this.writer) {
      this.trim(this.opts.files - 1);
      const name = `hsi-failures-${String(++this.seq).padStart(5, '0')}.pcapng`;
      this.writer = PcapngWriter.toFile(join(this.dir, name));
      this.names.push(name);
    }
    return this.writer;
  }

  write(p: WritablePacket, comment?: string): void {
    this.next().write(p, comment ? { comment } : {});
  }

  /** Files in the ring now, oldest first. */
  get files(): readonly string[] {
    return this.names;
  }

  close(): void {
    this.writer?.close();
    this.writer = null;
  }

  private trim(max: number): void {
    while (this.names.length > Math.max(0, max)) rmSync(join(this.dir, this.names.shift()!), { force: true });
  }
}
