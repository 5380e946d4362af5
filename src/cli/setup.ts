// What read, live and tui share: options → analyzer settings, output of records (NDJSON
// or the human report), failures saved to pcapng, and the exit status.

import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { FailureRing, RecordFile } from '../service/files.js';
import { KeyStore } from '../keylog/keylog.js';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import type { Connection } from '../engine/connection.js';
import { DEFAULT_PORTS, DEFAULT_PREAMBLE_PORTS, DEFAULT_UDP_PORTS, type AnalyzerOptions } from '../pipeline/analyzer.js';
import { recordJson, type ConnectionRecord } from '../report/record.js';
import type { Style } from '../report/style.js';
import { Spool } from '../report/spool.js';
import { ByteBuffer, utf8Bound } from '../report/bytes.js';
import { FailureGroups } from '../report/groups.js';
import { count, emptyCounts, renderGroups, renderRecord, renderSummary, type SummaryCounts } from '../report/text.js';
import { parseKnownHosts } from '../ssh/known-hosts.js';
import { loadTrustStore, type TrustStore } from '../x509/index.js';
import { UsageError, type Args } from './args.js';
import type { SlimRecord } from '../pipeline/shard.js';

/** A problem with the command line or its files: one line on stderr, exit status 2. */
export class InputError extends Error {
  override name = 'InputError';
}

export type AnalysisSettings = Omit<AnalyzerOptions, 'onRecord'> & {
  /** Said once on stderr by the command (a key log others can read...). */
  warnings: string[];
};

/**
 * The key log: --keylog FILE, and $SSLKEYLOGFILE when it names a file. A file that other
 * users can read is used, with a warning: whoever reads it can decrypt these sessions.
 */
function loadKeylog(args: Args, warnings: string[]): KeyStore {
  const store = new KeyStore();
  const files: { path: string; source: string; required: boolean }[] = [];
  if (args.keylog) files.push({ path: args.keylog, source: `--keylog ${args.keylog}`, required: true });
  const env = process.env['SSLKEYLOGFILE'];
  if (env && env !== args.keylog && existsSync(env)) files.push({ path: env, source: `SSLKEYLOGFILE=${env}`, required: false });
  for (const f of files) {
    let text: string;
    try {
      const st = statSync(f.path);
      if ((st.mode & 0o044) !== 0) warnings.push(`the key log ${f.path} can be read by other users (mode ${(st.mode & 0o777).toString(8)}): anyone who reads it can decrypt these sessions; chmod 600 it`);
      text = readFileSync(f.path, 'utf8');
    } catch (e) {
      if (!f.required) continue;
      throw new InputError(`cannot read --keylog ${f.path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    store.addText(text, f.source);
    if (f.required && store.stats.secrets === 0) warnings.push(`the key log ${f.path} holds no secret in the NSS key log format (LABEL client_random secret)`);
  }
  return store;
}

export function analysisSettings(args: Args): AnalysisSettings {
  let knownHosts: AnalyzerOptions['knownHosts'] = null;
  if (args.knownHosts) {
    let text: string;
    try {
      text = readFileSync(args.knownHosts, 'utf8');
    } catch (e) {
      throw new InputError(`cannot read --known-hosts ${args.knownHosts}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    knownHosts = { file: parseKnownHosts(text), path: args.knownHosts };
  }
  let trust: () => TrustStore | null;
  if (args.caFile) {
    let store: TrustStore;
    try {
      store = loadTrustStore(args.caFile);
    } catch (e) {
      throw new InputError(`cannot use --ca-file ${args.caFile}: ${(e as Error).message}`);
    }
    trust = () => store;
  } else {
    let store: TrustStore | null | undefined;
    trust = () => {
      if (store === undefined) {
        try {
          store = loadTrustStore();
        } catch {
          store = null; // no system store: chains are still decoded, trust is not judged
        }
      }
      return store;
    };
  }
  if (args.anyPort && args.ports.length > 0) throw new UsageError('--any-port and --port exclude each other');
  const warnings: string[] = [];
  const keys = loadKeylog(args, warnings);
  return {
    warnings,
    keys,
    ports: args.ports.length > 0 ? args.ports : [...DEFAULT_PORTS],
    udpPorts: args.udpPorts.length > 0 ? args.udpPorts : [...DEFAULT_UDP_PORTS],
    preamblePorts: args.ports.length > 0 ? [] : DEFAULT_PREAMBLE_PORTS,
    anyPort: args.anyPort,
    ...(args.idleTimeout !== null ? { idleTimeout: args.idleTimeout } : {}),
    ...(args.maxFlows !== null ? { maxFlows: args.maxFlows } : {}),
    trust,
    knownHosts,
    keepPackets: args.saveFailures !== null,
  };
}

/** Write a connection's kept packets, the verdict as the first packet's pcapng comment. */
export function saveConnection(writer: PcapngWriter, rec: ConnectionRecord, conn: Connection): number {
  const packets = conn.packetLog ?? [];
  const comment = `hsi #${rec.id} ${rec.verdict.code} (${rec.verdict.confidence}): ${rec.verdict.summary}`;
  packets.forEach((p, i) => writer.write(p, i === 0 ? { comment } : {}));
  return packets.length;
}

/** Where the records go: stdout, or --output FILE (rotated by --rotate, reopened by reopen()). */
export function recordSink(args: Args, stdout: NodeJS.WritableStream): { out: NodeJS.WritableStream; file: RecordFile | null } {
  if (args.rotateBytes !== null && args.output === null) throw new UsageError('--rotate goes with --output FILE');
  if (args.output === null) return { out: stdout, file: null };
  try {
    const file = new RecordFile(args.output, { rotateBytes: args.rotateBytes ?? 0 });
    return { out: file, file };
  } catch (e) {
    throw new InputError(`--output ${args.output}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** --ring-size / --ring-files for a --save-failures directory. */
export const ringOptions = (args: Args): { fileBytes: number; files: number } => ({ fileBytes: args.ringBytes ?? 100 * 1024 * 1024, files: Math.max(1, args.ringFiles ?? 10) });

/** Bytes of NDJSON gathered before one write. */
const BATCH_BYTES = 1 << 20;

/** Where records go: NDJSON lines, or the human report (buffered when the summary comes first). */
export class RecordOutput {
  readonly counts: SummaryCounts = emptyCounts();
  /** Failures by cause, for the end of the report (and --groups lines). */
  readonly groups = new FailureGroups();
  /** The human report's blocks, printed after the summary (memory, then a temporary file). */
  private readonly blocks = new Spool();
  private writer: PcapngWriter | null = null;
  /** NDJSON lines not written yet, encoded into one buffer (batched when reading a file: one write per MiB). */
  private batch: ByteBuffer | null = null;
  saved = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly opts: { json: boolean; onlyFailed: boolean; style: Style; summaryFirst: boolean; saveFailures: string | null; groups?: boolean; ring?: { fileBytes: number; files: number } },
  ) {}

  record(rec: ConnectionRecord, conn: Connection): void {
    count(this.counts, rec);
    this.groups.add(rec);
    if (rec.outcome === 'failed' && this.opts.saveFailures) this.save(rec, conn);
    if (this.opts.onlyFailed && rec.outcome === 'completed') return;
    this.emit(this.opts.json ? recordJson(rec) + '\n' : renderRecord(rec, this.opts.style) + '\n\n');
  }

  /**
   * A record a `--jobs` worker already wrote out (its NDJSON line or report block; null
   * when --only-failed leaves it out), with what the summary and the groups need of it.
   */
  prepared(rec: SlimRecord, text: readonly (string | Uint8Array)[] | null): void {
    count(this.counts, rec);
    this.groups.add(rec);
    if (text !== null && !(this.opts.onlyFailed && rec.outcome === 'completed')) for (const t of text) this.emit(t);
  }

  /** One NDJSON line or report block (or a part of one), in order. */
  private emit(text: string | Uint8Array): void {
    if (!this.opts.json) {
      if (this.opts.summaryFirst) this.blocks.add(text);
      else this.write(text);
      return;
    }
    if (!this.opts.summaryFirst) {
      this.write(text); // streaming (stdin, replay, live): each record as it ends
      return;
    }
    const most = utf8Bound(text);
    if (this.batch && this.batch.used + most > BATCH_BYTES) this.flush();
    if (most > BATCH_BYTES) {
      this.write(text);
      return;
    }
    (this.batch ??= new ByteBuffer(BATCH_BYTES)).append(text);
  }

  private ring: FailureRing | null = null;

  private save(rec: ConnectionRecord, conn: Connection): void {
    if (!conn.packetLog || conn.packetLog.length === 0) return;
    const path = this.opts.saveFailures!;
    if (!this.ring && !this.writer) {
      // a directory (or a name ending in /): a ring of files; else one file
      if (path.endsWith('/') || (existsSync(path) && statSync(path).isDirectory())) {
        mkdirSync(path, { recursive: true });
        this.ring = new FailureRing(path, this.opts.ring ?? { fileBytes: 100 * 1024 * 1024, files: 10 });
      } else this.writer = PcapngWriter.toFile(path);
    }
    saveConnection(this.ring ? this.ring.next() : this.writer!, rec, conn);
    this.saved++;
  }

  /** Write the batched NDJSON lines. */
  flush(): void {
    if (!this.batch || this.batch.used === 0) return;
    this.write(this.batch.bytes());
    // A stream may keep the buffer it was given (an output file until written, any
    // Writable that holds its chunks): a new one for the next lines. Only standard output,
    // when it took the bytes at once (a file, a terminal, a pipe: written synchronously on
    // Linux), hands it back for reuse, which keeps the allocator from fragmenting.
    if (this.out === process.stdout && process.stdout.writableLength === 0) this.batch.clear();
    else this.batch = null;
  }

  private congested = false;

  private write(text: string | Uint8Array): void {
    if (!this.out.write(text)) this.congested = true;
  }

  /**
   * Resolves once the output has taken what was written (a pipe to a slow reader): the
   * reader awaits it between chunks, so records never pile up in memory.
   */
  drained(): Promise<void> {
    this.flush();
    if (!this.congested) return Promise.resolve();
    return new Promise((resolve) => {
      this.out.once('drain', () => {
        this.congested = false;
        resolve();
      });
    });
  }

  /** End of input: the summary (first, for files) and the spooled blocks, at the pace of the output. */
  async finish(header: string, notes: string[], vantage: string | null = null): Promise<void> {
    this.flush();
    this.writer?.close();
    this.ring?.close();
    const groups = this.groups.list();
    if (this.opts.json) {
      if (this.opts.groups) for (const g of groups) this.write(JSON.stringify(g) + '\n');
      return;
    }
    const summary = renderSummary(this.counts, this.opts.style, header, notes, vantage);
    if (this.opts.summaryFirst) {
      this.write(summary + '\n\n');
      for (const b of this.blocks.drain()) {
        this.write(b);
        await this.drained();
      }
    } else this.write(summary + '\n');
    const text = renderGroups(groups, this.opts.style);
    if (text) this.write((this.opts.summaryFirst ? '' : '\n') + text + '\n');
  }

  /** Exit status: 1 when any reported handshake failed, else 0. */
  get status(): number {
    return this.counts.failed > 0 ? 1 : 0;
  }
}
