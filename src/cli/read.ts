// hsi read FILE|-: analyse a capture, print the records (NDJSON or the human report).

import { formatProblem, type CaptureStats } from '../capture/decoder.js';
import { linkTypeName } from '../capture/packet.js';
import { replayCapture } from '../capture/replay.js';
import { readCapture, STDIN_NAME, type CaptureResult } from '../capture/source.js';
import { DEFAULT_MAX_EMBRYONIC, type UntrackedServer } from '../engine/embryonic.js';
import type { EngineStats } from '../engine/engine.js';
import { Analyzer } from '../pipeline/analyzer.js';
import { chooseStyle, PLAIN } from '../report/style.js';
import { ParallelAnalyzer } from '../pipeline/parallel.js';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { escapeForTerminal } from '../wire/text.js';
import { UsageError, type Args } from './args.js';
import { analysisSettings, RecordOutput, recordSink, ringOptions, type AnalysisSettings } from './setup.js';
import { thousands } from '../report/number.js';

export async function readCommand(args: Args, io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream; signal: AbortSignal }): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'read needs a capture file (or - for standard input)' : 'read takes one capture file');
  const path = args.positionals[0]!;
  const settings = analysisSettings(args);
  for (const w of settings.warnings) io.stderr.write(`hsi: warning: ${escapeForTerminal(w)}\n`);
  const streaming = path === '-' || args.replay !== null;
  const sink = recordSink(args, io.stdout);
  const onHup = () => sink.file?.reopen();
  if (sink.file) process.on('SIGHUP', onHup);
  const output = new RecordOutput(sink.out, {
    json: args.json,
    onlyFailed: args.onlyFailed,
    style: chooseStyle(io.stdout, args.color),
    summaryFirst: !streaming,
    saveFailures: args.saveFailures,
    groups: args.groups,
    ring: ringOptions(args),
  });
  const jobs = decodingThreads(args, path);
  const done = jobs > 1 ? await readParallel(args, io, path, jobs, output) : await readOneThread(args, io, path, settings, output);
  const { result, stats, untracked } = done;

  const name = path === '-' ? STDIN_NAME : path;
  for (const p of result.stats.problems) io.stderr.write(`hsi: ${escapeForTerminal(name)}: ${formatProblem(p)}\n`);
  if (result.stats.suppressedProblems > 0) io.stderr.write(`hsi: ${escapeForTerminal(name)}: ${result.stats.suppressedProblems} more problems not shown\n`);
  const fatal = result.stats.problems.some((p) => p.fatal);
  if (result.info === null && fatal) return 2;

  const flood = untrackedNote(stats, untracked);
  if (args.json && flood) io.stderr.write(`hsi: note: ${escapeForTerminal(flood)}\n`);
  await output.finish(header(name, result, stats), notes(result.stats, stats, output.saved, args.saveFailures, untracked), done.vantage);
  if (sink.file) {
    process.off('SIGHUP', onHup);
    await new Promise<void>((r) => sink.file!.end(r));
  }
  if (fatal) return 2;
  return output.status;
}

/** What reading a capture leaves for the report's header, notes and vantage line. */
interface ReadDone {
  result: CaptureResult;
  stats: EngineStats;
  untracked: readonly UntrackedServer[];
  vantage: string | null;
}

async function readOneThread(args: Args, io: { signal: AbortSignal }, path: string, settings: AnalysisSettings, output: RecordOutput): Promise<ReadDone> {
  const { warnings: _warnings, ...options } = settings;
  const analyzer = new Analyzer({ ...options, onRecord: (rec, conn) => output.record(rec, conn) });
  let result: CaptureResult;
  if (args.replay !== null) {
    result = await replayCapture(path, args.replay, (p) => analyzer.packet(p), { signal: io.signal, onTick: (t) => analyzer.tick(t) });
  } else {
    result = await readCapture(path, (p) => analyzer.packet(p), {
      onSecrets: (type, data) => analyzer.secrets(type, data),
      signal: io.signal,
      afterChunk: async () => {
        await analyzer.drain();
        await output.drained();
      },
    });
  }
  await analyzer.end();
  return { result, stats: analyzer.stats, untracked: analyzer.engine.untracked.list(), vantage: analyzer.vantage.summary() };
}

async function readParallel(args: Args, io: { stdout: NodeJS.WriteStream; signal: AbortSignal }, path: string, jobs: number, output: RecordOutput): Promise<ReadDone> {
  const par = new ParallelAnalyzer(jobs, path, args, output, { json: args.json, color: chooseStyle(io.stdout, args.color) !== PLAIN, onlyFailed: args.onlyFailed });
  const { capture, stats, untracked } = await par.run(io.signal);
  return { result: capture, stats, untracked, vantage: par.vantage.summary() };
}

/** Below this size a file is read on one thread whatever the number of cores: starting workers costs more. */
const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;
/**
 * Fewer cores than this: one decoding thread by default. Measured on 2 cores (README,
 * Speed): one thread already keeps both busy (V8 collects garbage on the other), and
 * two workers plus the main thread take longer (4.2 s vs 3.6 s) and twice the memory.
 */
const PARALLEL_MIN_CORES = 4;

/**
 * How many threads decode: --jobs N, else the number of cores for a file big enough to
 * gain on a machine with cores enough. One for standard input (each worker reads the file
 * itself), --replay (paced) and --save-failures (it needs each connection's packets).
 */
function decodingThreads(args: Args, path: string): number {
  if (args.replay !== null || args.saveFailures !== null || path === '-') return 1;
  if (args.jobs !== null) return args.jobs;
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    return 1;
  }
  const cores = availableParallelism();
  return size >= PARALLEL_MIN_BYTES && cores >= PARALLEL_MIN_CORES ? Math.min(cores, 8) : 1;
}

function header(name: string, r: CaptureResult, e: EngineStats): string {
  const fmt = r.info ? `${r.compressed ? 'gzip-compressed ' : ''}${r.info.format}` : 'capture';
  return `${escapeForTerminal(name)} (${fmt}): ${thousands(e.packets)} packets, ${thousands(e.connectionsReported)} connection${e.connectionsReported === 1 ? '' : 's'} reported`;
}

/** What the reader and the engine skipped or could not see, said once at the end. */
export function notes(c: CaptureStats, e: EngineStats, saved: number, saveFile: string | null, untracked: readonly UntrackedServer[] = []): string[] {
  const out: string[] = [];
  if (c.cutShort) out.push('the capture file was cut short in the middle of a packet (the writer was stopped): the last packet is incomplete');
  if (c.problems.some((p) => p.fatal)) out.push('reading stopped early at a damaged part of the file: connections after it are missing (see the messages above)');
  if (c.truncated > 0) out.push(`${thousands(c.truncated)} packets were cut by the snaplen (capture with tcpdump -s 0 to keep whole packets)${e.tcpPayloadCut > 0 ? `; ${e.tcpPayloadCut} of them lost TCP payload, shown as gaps` : ''}`);
  for (const [lt, n] of Object.entries(e.skippedLinkTypes)) out.push(`${thousands(n)} packets with link type ${linkTypeName(Number(lt))} were not decoded`);
  const drops = c.drops.reduce((s, d) => s + (d.dropped ?? 0) + (d.osDropped ?? 0), 0);
  if (drops > 0) out.push(`the capturing interface recorded ${thousands(drops)} dropped packets: verdicts that rest on a missing packet may be wrong`);
  if (e.fragments.incomplete > 0) out.push(`${e.fragments.incomplete} fragmented IP datagrams could not be reassembled`);
  if (e.captureCopies > 0) out.push(`${thousands(e.captureCopies)} TCP packets were in the capture twice (the same datagram seen at two points: tcpdump -i any on a host that forwards it, a mirror port over two switch ports, merged captures): the second copies were left out, not taken for retransmissions`);
  if (e.translated > 0) out.push(`${thousands(e.translated)} connection${e.translated === 1 ? ' was' : 's were'} captured before and after the capturing host translated ${e.translated === 1 ? 'its' : 'their'} addresses (NAT): each leg is reported, tcp.translated names the other`);
  if (e.evicted > 0) out.push(`${thousands(e.evicted)} connections were evicted from a full connection table (--max-flows) and reported as incomplete`);
  const u = untrackedNote(e, untracked);
  if (u) out.push(u);
  if (saveFile) out.push(`${saved} failed connection${saved === 1 ? '' : 's'} saved to ${escapeForTerminal(saveFile)}`);
  return out;
}

/** Packets past the embryonic-flow cap (a SYN flood, a scan): how many, to whom, from how many. */
export function untrackedNote(e: EngineStats, servers: readonly UntrackedServer[]): string | null {
  if (e.untracked === 0) return null;
  const n = thousands;
  const top = servers.slice(0, 3).map((s) => `${n(s.packets)} to ${s.server} (${n(s.syns)} SYN${s.syns === 1 ? "" : "s"}) from ${s.sourcesCapped ? 'at least ' : ''}${n(s.sources)} source${s.sources === 1 ? '' : 's'}, frames ${s.firstFrame}–${s.lastFrame}`);
  return `${n(e.untracked)} packets that would each have opened a one-sided, payload-less flow (a SYN flood or a scan) were counted, not tracked, past ${n(DEFAULT_MAX_EMBRYONIC)} such flows at once: ${top.join('; ')}${servers.length > 3 ? `; and ${servers.length - 3} more servers` : ''}`;
}
