// hsi tui FILE [--replay [SPEED]]: the terminal UI over a capture's connection records.
// Without --replay the file is read first (problems reported like `read` does, exit 2 if
// it cannot be read) and then shown; with --replay its packets go through the analyzer at
// their recorded pace, as a live capture's would: connections appear as they end, the
// ones still open are shown in progress and refreshed a few times a second.

import { accessSync, constants } from 'node:fs';
import { Writable } from 'node:stream';
import { formatProblem } from '../capture/decoder.js';
import { replayCapture } from '../capture/replay.js';
import { readCapture, type CaptureResult } from '../capture/source.js';
import type { Connection } from '../engine/connection.js';
import { Analyzer } from '../pipeline/analyzer.js';
import type { ConnectionRecord } from '../report/record.js';
import { TuiApp } from '../tui/app.js';
import { escapeForTerminal } from '../wire/text.js';
import { UsageError, type Args } from './args.js';
import { notes } from './read.js';
import { analysisSettings, InputError } from './setup.js';
import { thousands } from '../report/number.js';

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  signal: AbortSignal;
}

/** How often open connections are re-diagnosed for the screen (milliseconds). */
export const OPEN_REFRESH_MS = 250;

/** The terminal UI needs a terminal on both sides: keys in, screen out. */
export function requireTerminal(io: Io, what: string): void {
  if (!io.stdout.isTTY || !process.stdin.isTTY) throw new InputError(`${what} needs a terminal (standard input and output): use hsi read for files and pipes`);
}

export async function tuiCommand(args: Args, io: Io): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'tui needs a capture file' : 'tui takes one capture file');
  const path = args.positionals[0]!;
  if (path === '-') throw new UsageError('tui reads a capture file, not standard input (the terminal is its input): use hsi read - for pipes');
  const settings = { ...analysisSettings(args), keepPackets: true };
  for (const w of settings.warnings) io.stderr.write(`hsi: warning: ${escapeForTerminal(w)}\n`);
  requireTerminal(io, 'hsi tui');
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    throw new InputError(`cannot open ${escapeForTerminal(path)}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const outcome = args.onlyFailed ? ('problems' as const) : undefined;

  if (args.replay === null) {
    // Read everything first: a file that cannot be read never opens the screen.
    const finished: { rec: ConnectionRecord; conn: Connection }[] = [];
    const analyzer = new Analyzer({ ...settings, onRecord: (rec, conn) => finished.push({ rec, conn }) });
    const result = await readCapture(path, (p) => analyzer.packet(p), { signal: io.signal, afterChunk: () => analyzer.drain(), onSecrets: (type, data) => analyzer.secrets(type, data) });
    await analyzer.end();
    if (reportProblems(io, path, result)) return 2;
    if (io.signal.aborted) return 0;
    const app = new TuiApp({ source: { kind: 'file', name: path }, ...(outcome ? { outcome } : {}) });
    for (const f of finished) app.record(f.rec, f.conn);
    app.stats(analyzer.stats.packets, null);
    app.inputDone(endNote(result, analyzer, `${thousands(analyzer.stats.packets)} packets, ${finished.length} connection${finished.length === 1 ? '' : 's'}`));
    return await untilQuit(app, io);
  }

  const app = new TuiApp({ source: { kind: 'replay', name: `${path} ×${args.replay}` }, ...(outcome ? { outcome } : {}) });
  const stop = new AbortController();
  void app.quit.then(() => stop.abort());
  const onAbort = () => stop.abort();
  io.signal.addEventListener('abort', onAbort, { once: true });
  const analyzer = new Analyzer({ ...settings, onRecord: (rec, conn) => app.record(rec, conn) });
  const refresh = setInterval(() => {
    app.open(analyzer.snapshotOpen());
    app.stats(analyzer.stats.packets, null);
  }, OPEN_REFRESH_MS);
  let result: CaptureResult;
  try {
    result = await replayCapture(path, args.replay, (p) => analyzer.packet(p), { signal: stop.signal, onTick: (t) => analyzer.tick(t) });
    await analyzer.end();
  } finally {
    clearInterval(refresh);
    io.signal.removeEventListener('abort', onAbort);
  }
  app.open([]);
  app.stats(analyzer.stats.packets, null);
  const fatal = result.stats.problems.find((p) => p.fatal);
  app.inputDone(fatal ? `replay stopped: ${formatProblem(fatal)}` : endNote(result, analyzer, stop.signal.aborted ? 'replay stopped' : 'replay finished'));
  return await untilQuit(app, io);
}

/** Print read problems as `read` does; true when the input could not be read at all. */
function reportProblems(io: Io, path: string, result: CaptureResult): boolean {
  for (const p of result.stats.problems) io.stderr.write(`hsi: ${escapeForTerminal(path)}: ${formatProblem(p)}\n`);
  return result.info === null && result.stats.problems.some((p) => p.fatal);
}

/** The status line's message at the end of input: what was read, and the first note. */
function endNote(result: CaptureResult, analyzer: Analyzer, what: string): string {
  const n = notes(result.stats, analyzer.stats, 0, null, analyzer.engine.untracked.list());
  return n.length > 0 ? `${what}; note: ${n[0]}` : what;
}

async function untilQuit(app: TuiApp, io: Io): Promise<number> {
  const onAbort = () => app.close();
  io.signal.addEventListener('abort', onAbort, { once: true });
  if (io.signal.aborted) app.close();
  await app.quit;
  io.signal.removeEventListener('abort', onAbort);
  return 0;
}

/**
 * hsi live --tui: the screen over a live capture. live.ts hands it the records as they
 * end and calls refresh() on each capture tick (open connections, packet and drop counts);
 * quitting the screen stops the capture.
 */
export class LiveTui {
  readonly app: TuiApp;
  private last = 0;

  constructor(iface: string, args: Args) {
    this.app = new TuiApp({ source: { kind: 'live', name: iface }, ...(args.onlyFailed ? { outcome: 'problems' as const } : {}) });
  }

  /** A writable that discards: the text report is not printed under the screen. */
  sink(): NodeJS.WritableStream {
    return new Writable({ write: (_c, _e, cb) => cb() });
  }

  refresh(analyzer: Analyzer, s: { delivered: number; dropped: number; ifDropped: number }, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < OPEN_REFRESH_MS) return;
    this.last = now;
    this.app.open(analyzer.snapshotOpen());
    this.app.stats(s.delivered, s.dropped + s.ifDropped);
  }
}
