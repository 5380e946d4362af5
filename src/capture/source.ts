// Where capture bytes come from: a regular file (fast path: readSync into one reused
// buffer), standard input or a FIFO (streamed: packets are delivered while the writer is
// still running), any async iterable of chunks (tests, replay), each of them optionally
// gzip-compressed (recognised by its magic, decompressed as a stream). Input problems
// (missing file, gzip damage, read errors) become CaptureProblems like format problems:
// readCapture() resolves with what could be read and never throws on bad input.

import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { CaptureDecoder, type CaptureInfo, type CaptureStats } from './decoder.js';
import type { Packet } from './packet.js';

/**
 * Read size for regular files: large reads matter (3× over 64 KiB on a 1 GB file). Not a
 * multiple of the page size on purpose: measured on Linux 6.18 (Debian 12 VM), page-aligned
 * reads of 256 KiB and more from the page cache cost 4× the kernel time of odd-sized ones
 * (1.1 GB: 0.42 s against 0.09 s for 4 MiB - 4 bytes).
 */
export const FILE_CHUNK = 4 * 1024 * 1024 - 4;
/** Read size for streams (FIFOs, gzip files) and decompressed output. */
export const STREAM_CHUNK = 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b] as const;
/**
 * Compressed bytes handed to zlib per write. When zlib fails (corrupt data, bad CRC) the
 * output of the failing write is lost, so writes are kept small: everything decompressed
 * before the last 64 KiB of input is still delivered.
 */
const GZIP_WRITE = 64 * 1024;
/** Name used in messages for '-'. */
export const STDIN_NAME = 'standard input';

export interface ReadOptions {
  /** Stop reading when aborted (Ctrl-C); what was read is kept. */
  signal?: AbortSignal;
  /** Read size for regular files (default FILE_CHUNK). */
  chunkSize?: number;
  /**
   * Awaited after each chunk's packets were delivered: lets a consumer with asynchronous
   * work per packet (certificate checks) catch up before more is read (back-pressure).
   */
  afterChunk?: () => void | Promise<void>;
  /** Decryption secrets the capture itself carries (pcapng DSB), handed over before the packets after them. */
  onSecrets?: (type: number, data: Uint8Array) => void;
}

export interface CaptureResult {
  stats: CaptureStats;
  /** null when not even the file header could be read. */
  info: CaptureInfo | null;
  /** The input was gzip-compressed. */
  compressed: boolean;
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** "cannot open x.pcap: no such file". */
export function describeFsError(verb: 'open' | 'read', name: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const reason = (code && FS_REASONS[code]) ?? (err instanceof Error ? err.message : String(err));
  return `cannot ${verb} ${name}: ${reason}`;
}

/** A zlib error as a capture problem: a cut-off stream is a warning, corrupt data is fatal. */
function gzipProblem(err: NodeJS.ErrnoException): { message: string; fatal: boolean; cutShort: boolean } {
  if (err.code === 'Z_BUF_ERROR') return { message: 'gzip data cut short: the compressed file ends early', fatal: false, cutShort: true };
  return { message: `gzip data is corrupt: ${err.message}`, fatal: true, cutShort: false };
}

const isZlibError = (e: unknown): e is NodeJS.ErrnoException =>
  typeof (e as NodeJS.ErrnoException | null)?.code === 'string' && (e as NodeJS.ErrnoException).code!.startsWith('Z_');

const startsWithGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === GZIP_MAGIC[0] && b[1] === GZIP_MAGIC[1];

/** Join a few small chunks (only used for the first bytes of a stream). */
function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A chunk cut into views of at most `size` bytes. */
function* sliced(chunk: Uint8Array, size: number): Generator<Uint8Array> {
  if (chunk.length <= size) {
    yield chunk;
    return;
  }
  for (let i = 0; i < chunk.length; i += size) yield chunk.subarray(i, i + size);
}

/**
 * The chunks of `src`, decompressed when they start with the gzip magic. `state.compressed`
 * is set once that is known. Chunks must not be reused by the producer after being yielded.
 */
export async function* gunzipIfNeeded(src: AsyncIterable<Uint8Array>, state: { compressed: boolean }): AsyncGenerator<Uint8Array> {
  const it = src[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headLen = 0;
  let ended = false;
  while (headLen < GZIP_MAGIC.length) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    head.push(r.value);
    headLen += r.value.length;
  }
  const first = concat(head);
  async function* rest(slice: number): AsyncGenerator<Uint8Array> {
    if (first.length > 0) yield* sliced(first, slice);
    if (ended) return;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield* sliced(r.value, slice);
      }
    } finally {
      await it.return?.();
    }
  }
  if (!startsWithGzip(first)) {
    yield* rest(Infinity);
    return;
  }
  state.compressed = true;
  const gunzip = createGunzip({ chunkSize: STREAM_CHUNK });
  // Errors (from the source or zlib) surface through the iteration of gunzip below.
  pipeline(Readable.from(rest(GZIP_WRITE), { objectMode: false }), gunzip, () => {});
  yield* gunzip as AsyncIterable<Uint8Array>;
}

export interface PumpResult {
  compressed: boolean;
  aborted: boolean;
}

/**
 * Pull chunks (decompressed if gzip) and hand each to `take` until it returns false, the
 * input ends, or the signal aborts. Source and zlib errors are reported through
 * `problem` (with the input's name) instead of thrown.
 */
export async function pumpChunks(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  take: (chunk: Uint8Array) => boolean | Promise<boolean>,
  problem: (message: string, fatal: boolean, cutShort: boolean) => void,
  signal?: AbortSignal,
): Promise<PumpResult> {
  const state = { compressed: false };
  const it = gunzipIfNeeded(chunks, state);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const finish = (wasAborted: boolean): PumpResult => {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    return { compressed: state.compressed, aborted: wasAborted };
  };
  const stop = (): void => void it.return(undefined).catch(() => {});
  for (;;) {
    if (signal?.aborted) {
      stop();
      return finish(true);
    }
    let r: IteratorResult<Uint8Array> | 'aborted';
    try {
      r = signal ? await Promise.race([it.next(), aborted]) : await it.next();
    } catch (e) {
      // Only the source and zlib are caught here: an exception from `take` (the
      // caller's packet callback) is a bug and propagates.
      if (isZlibError(e)) {
        const p = gzipProblem(e);
        problem(p.message, p.fatal, p.cutShort);
      } else {
        problem(describeFsError('read', name, e), true, false);
      }
      return finish(false);
    }
    if (r === 'aborted') {
      stop();
      return finish(true);
    }
    if (r.done) return finish(false);
    let more: boolean;
    try {
      more = await take(r.value);
    } catch (e) {
      stop();
      finish(false);
      throw e;
    }
    if (!more) {
      stop();
      return finish(false);
    }
  }
}

/** Drive a fresh decoder with an async iterable of chunks (gzip recognised). */
export async function readCaptureChunks(
  chunks: AsyncIterable<Uint8Array>,
  onPacket: (p: Packet) => void,
  opts: ReadOptions & { name?: string } = {},
): Promise<CaptureResult> {
  const decoder = new CaptureDecoder(onPacket, opts.onSecrets);
  return decodeChunks(decoder, chunks, opts.name ?? 'input', opts.signal, opts.afterChunk);
}

async function decodeChunks(decoder: CaptureDecoder, chunks: AsyncIterable<Uint8Array>, name: string, signal?: AbortSignal, afterChunk?: ReadOptions['afterChunk']): Promise<CaptureResult> {
  const r = await pumpChunks(
    chunks,
    name,
    async (chunk) => {
      decoder.push(chunk);
      if (afterChunk) await afterChunk();
      return !decoder.done;
    },
    (message, fatal, cutShort) => decoder.reportInputProblem(message, fatal, cutShort),
    signal,
  );
  if (r.aborted) decoder.stop();
  decoder.end();
  return result(decoder, r.compressed);
}

export interface CaptureInput {
  /** For messages: the path, or "standard input". */
  name: string;
  /** Raw (possibly gzip) chunks; each is a fresh buffer. */
  chunks: AsyncIterable<Uint8Array>;
  /** Release the file / stream (idempotent). */
  close(): void;
}

/** Open a file for reading; a directory or an open error gives a message instead. */
function openFile(path: string): { fd: number; regular: boolean } | { error: string } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return { error: describeFsError('open', path, e) };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isDirectory()) return { fd, regular: st.isFile() };
  } catch (e) {
    closeSync(fd);
    return { error: describeFsError('read', path, e) };
  }
  closeSync(fd);
  return { error: `cannot read ${path}: is a directory` };
}

function streamInput(name: string, fd: number, chunkSize: number, start?: number): CaptureInput {
  const stream = createReadStream('', { fd, highWaterMark: chunkSize, autoClose: true, ...(start !== undefined && { start }) });
  return { name, chunks: stream, close: () => stream.destroy() };
}

/**
 * Open a path ('-' = stdin) as a stream of raw chunks. Returns a message instead when it
 * cannot be opened (missing, unreadable, a directory, an interactive terminal).
 */
export function openCaptureInput(path: string, chunkSize = STREAM_CHUNK): CaptureInput | { error: string } {
  if (path === '-') {
    if (process.stdin.isTTY) return { error: `${STDIN_NAME} is a terminal: pipe a capture into it (tcpdump -U -w - ... | hsi read -)` };
    return { name: STDIN_NAME, chunks: process.stdin, close: () => process.stdin.destroy() };
  }
  const f = openFile(path);
  return 'error' in f ? f : streamInput(path, f.fd, chunkSize);
}

/**
 * Read a whole capture (pcap / pcapng, optionally gzip; '-' = stdin), calling onPacket for
 * each packet in order. Resolves with stats (problems included) and the file info; never
 * rejects on bad input, only if onPacket itself throws.
 */
export async function readCapture(path: string, onPacket: (p: Packet) => void, opts: ReadOptions = {}): Promise<CaptureResult> {
  const decoder = new CaptureDecoder(onPacket, opts.onSecrets);
  let input: CaptureInput | { error: string };
  if (path === '-') {
    input = openCaptureInput(path);
  } else {
    const f = openFile(path);
    if ('error' in f) input = f;
    else if (f.regular && (await readRegularFile(decoder, path, f.fd, opts))) return result(decoder, false);
    // A FIFO or device is streamed as it is; a gzip file is streamed from its start.
    else input = streamInput(path, f.fd, STREAM_CHUNK, f.regular ? 0 : undefined);
  }
  if ('error' in input) {
    decoder.reportInputProblem(input.error, true);
    decoder.end();
    return result(decoder, false);
  }
  try {
    return await decodeChunks(decoder, input.chunks, input.name, opts.signal, opts.afterChunk);
  } finally {
    input.close();
  }
}

const result = (decoder: CaptureDecoder, compressed: boolean): CaptureResult => ({ stats: decoder.stats, info: decoder.info, compressed });

/**
 * The fast path for an uncompressed regular file: readSync into one reused buffer,
 * yielding to the event loop between chunks (so an AbortSignal is seen). Returns false,
 * leaving the fd open, when the file starts with the gzip magic; otherwise closes it.
 */
async function readRegularFile(decoder: CaptureDecoder, path: string, fd: number, opts: ReadOptions): Promise<boolean> {
  const size = Math.max(opts.chunkSize ?? FILE_CHUNK, 64 * 1024);
  const buf = new Uint8Array(size);
  /** readSync, with a read error recorded as a fatal problem (then 0: the end). */
  const read = (): number => {
    try {
      return readSync(fd, buf, 0, size, null);
    } catch (e) {
      decoder.reportInputProblem(describeFsError('read', path, e), true);
      return 0;
    }
  };
  let n = read();
  if (startsWithGzip(buf.subarray(0, n))) return false;
  try {
    while (n > 0) {
      decoder.push(n === size ? buf : buf.subarray(0, n));
      if (decoder.done) break;
      if (opts.afterChunk) await opts.afterChunk();
      await nextTurn();
      if (opts.signal?.aborted) {
        decoder.stop();
        break;
      }
      n = read();
    }
  } finally {
    closeSync(fd);
  }
  decoder.end();
  return true;
}
