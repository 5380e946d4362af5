// hsi live: capture on an interface and report each connection as it ends; hsi interfaces.
// Packets from the live source go through the same Analyzer as files: one code path.

import type { Server } from 'node:http';
import { untrackedNote } from './read.js';
import { HsiMetrics, parseListen } from '../service/metrics.js';
import { buildFilter, defaultInterface, listInterfaces, LiveCapture, LiveCaptureError, loadLiveBackend, type FilterSpec, type LiveStats } from '../capture/live.js';
import { dropPrivileges, keepPrivileges, PrivilegeError } from '../capture/privileges.js';
import { Analyzer } from '../pipeline/analyzer.js';
import { chooseStyle } from '../report/style.js';
import { renderSummary } from '../report/text.js';
import { escapeForTerminal } from '../wire/text.js';
import { UsageError, type Args } from './args.js';
import { analysisSettings, InputError, RecordOutput, recordSink, ringOptions } from './setup.js';
import { thousands } from '../report/number.js';

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  signal: AbortSignal;
}

/** Cumulative capture drops over capture time, to tell which connections a drop may have hit. */
export class DropTimeline {
  private readonly times: number[] = [];
  private readonly drops: number[] = [];
  static readonly MAX_SAMPLES = 4096;

  sample(time: number, cumulative: number): void {
    const n = this.drops.length;
    if (n > 0 && this.drops[n - 1] === cumulative) {
      this.times[n - 1] = time; // extend the flat stretch
      return;
    }
    if (n >= DropTimeline.MAX_SAMPLES) {
      this.times.splice(0, n / 2);
      this.drops.splice(0, n / 2);
    }
    this.times.push(time);
    this.drops.push(cumulative);
  }

  /** Drops counted from capture time t0 until shortly after t1 (null before the first sample). */
  between(t0: number, t1: number): number | null {
    const n = this.drops.length;
    if (n === 0) return null;
    let before = 0;
    for (let i = 0; i < n && this.times[i]! <= t0; i++) before = this.drops[i]!;
    let after = this.drops[n - 1]!;
    for (let i = 0; i < n; i++) {
      if (this.times[i]! >= t1 + DropTimeline.GRACE) {
        after = this.drops[i]!;
        break;
      }
    }
    return Math.max(0, after - before);
  }

  /** A drop counted this long after a connection's last packet may still have hit it (seconds). */
  static readonly GRACE = 1;
}

export async function liveCommand(args: Args, io: Io): Promise<number> {
  if (args.tui) {
    if (args.json) throw new UsageError('--tui and --json exclude each other');
    (await import('./tui.js')).requireTerminal(io, 'hsi live --tui');
  }
  // --known-hosts / --ca-file are read before privileges are dropped; the TUI keeps packets for `s`.
  const settings = { ...analysisSettings(args), ...(args.tui ? { keepPackets: true } : {}) };
  for (const w of settings.warnings) io.stderr.write(`hsi: warning: ${escapeForTerminal(w)}\n`);
  const backend = loadLiveBackend();
  if (!backend.available) throw new InputError(backend.reason);
  let iface = args.iface;
  if (!iface) {
    const d = defaultInterface();
    if (!d) throw new InputError('no interface to capture on: give one with -i (hsi interfaces lists them)');
    iface = d.name;
    io.stderr.write(`hsi: capturing on ${escapeForTerminal(iface)} (${d.how}; choose another with -i)\n`);
  }
  const filter: FilterSpec = { ports: settings.anyPort ? 'any' : [...settings.ports, ...(settings.preamblePorts ?? [])], udpPorts: settings.udpPorts ?? [], ...(args.filter ? { extra: args.filter } : {}) };
  buildFilter(filter); // a bad port list or extra expression is reported before any capture opens
  const listen = args.metrics !== null ? parseListen(args.metrics) : null;
  if (args.metrics !== null && !listen) throw new UsageError(`--metrics: "${args.metrics}" is not HOST:PORT (e.g. 127.0.0.1:9464, :9464, [::1]:9464)`);
  let cap: LiveCapture;
  try {
    cap = LiveCapture.open({ iface, filter, snaplen: args.snaplen ?? undefined, immediate: false });
  } catch (e) {
    if (e instanceof LiveCaptureError) throw new InputError(e.message);
    throw e;
  }
  let liveStats = (): LiveStats => cap.stats();
  // The metrics socket is bound before privileges go (a port below 1024 may need them).
  let bytes = 0;
  let analyzerRef: Analyzer | null = null;
  const metrics = listen
    ? new HsiMetrics(() => {
        const s = liveStats();
        const e = analyzerRef?.stats;
        return { packets: s.delivered, bytes, kernelDropped: s.dropped, interfaceDropped: s.ifDropped, internalDropped: s.internalDropped, flowsTracked: analyzerRef?.engine.flowsTracked ?? 0, evicted: e?.evicted ?? 0, untracked: e?.untracked ?? 0, malformed: e?.skipped['malformed header'] ?? 0 };
      })
    : null;
  let metricsServer: Server | null = null;
  if (metrics && listen) {
    try {
      metricsServer = await metrics.serve(listen.host, listen.port);
    } catch (e) {
      cap.stop({ drain: false });
      throw new InputError(`--metrics ${args.metrics}: cannot listen: ${e instanceof Error ? e.message : String(e)}`);
    }
    io.stderr.write(`hsi: metrics at http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}/metrics\n`);
  }
  try {
    const who = args.dropPrivileges ? dropPrivileges({ iface, dropCapabilities: backend.binding.dropCapabilities }) : keepPrivileges(iface);
    io.stderr.write(`hsi: ${who.message}\n`);
  } catch (e) {
    cap.stop({ drain: false });
    if (e instanceof PrivilegeError) throw new InputError(e.message);
    throw e;
  }
  if (cap.warning) io.stderr.write(`hsi: ${escapeForTerminal(cap.warning)}\n`);
  io.stderr.write(`hsi: filter "${cap.filter}", ${cap.precision}second timestamps; Ctrl-C stops and prints the summary\n`);

  const timeline = new DropTimeline();
  const tui = args.tui ? new (await import('./tui.js')).LiveTui(iface, args) : null;
  // Under the TUI the records go to the screen: the output only counts them and saves failures.
  const sink = recordSink(args, io.stdout);
  // logrotate's convention: SIGHUP reopens the output file
  const onHup = () => {
    sink.file?.reopen();
    io.stderr.write(`hsi: ${escapeForTerminal(sink.file?.path ?? '')} reopened (SIGHUP)\n`);
  };
  if (sink.file) process.on('SIGHUP', onHup);
  const output = new RecordOutput(tui ? tui.sink() : sink.out, {
    json: args.json || tui !== null,
    onlyFailed: args.onlyFailed,
    style: chooseStyle(io.stdout, args.color),
    summaryFirst: false,
    saveFailures: args.saveFailures,
    groups: args.groups,
    ring: ringOptions(args),
  });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  io.signal.addEventListener('abort', onAbort, { once: true });
  let reported = 0;
  const analyzer = new Analyzer({
    ...settings,
    dropsDuring: (t0, t1) => timeline.between(t0, t1),
    onRecord: (rec, conn) => {
      output.record(rec, conn);
      metrics?.record(rec);
      tui?.app.record(rec, conn);
      reported++;
      if (args.count !== null && reported >= args.count) stop.abort();
    },
  });
  // Packets of earlier captures (the interface went away and came back), and the gaps.
  let earlier: LiveStats | null = null;
  let gapDrops = 0;
  const gaps: { seconds: number; message: string }[] = [];
  liveStats = () => addStats(earlier, cap.stats());
  const sampleDrops = (time: number) => {
    const s = liveStats();
    timeline.sample(time, s.dropped + s.ifDropped + s.internalDropped + gapDrops);
  };
  let failure: LiveCaptureError | null = null;
  analyzerRef = analyzer;
  const begin = (c: LiveCapture): void => c.start((p) => {
    bytes += p.origLen;
    analyzer.packet(p);
  }, {
    onBatchEnd: () => {
      sampleDrops(analyzer.engine.time);
      tui?.refresh(analyzer, liveStats());
    },
    onTick: () => {
      const now = Date.now() / 1000;
      sampleDrops(now);
      analyzer.tick(now);
      tui?.refresh(analyzer, liveStats());
    },
    onError: (e) => {
      if ((e.code !== 'read-failed' && e.code !== 'iface-down' && e.code !== 'no-such-device') || stop.signal.aborted) {
        failure = e;
        stop.abort();
        return;
      }
      // The interface went down or away: keep the flows, wait for it, and mark the gap (the
      // verdicts that rest on a missing packet while it lasted become "possible").
      const lost = Date.now();
      earlier = addStats(earlier, cap.stop({ drain: true }));
      gapDrops++;
      sampleDrops(lost / 1000);
      io.stderr.write(`hsi: ${escapeForTerminal(e.message)}; waiting for ${escapeForTerminal(iface!)} to come back\n`);
      const retry = setInterval(() => {
        let next: LiveCapture;
        // back and up (a device just created is down until configured)
        if (!listInterfaces().some((i) => i.name === iface && i.up && i.running)) return;
        try {
          next = LiveCapture.open({ iface: iface!, filter, snaplen: args.snaplen ?? undefined, immediate: false });
        } catch (again) {
          // Reopening needs the privileges of the first open: once they are dropped, stop
          // (under systemd, Restart=on-failure starts a new hsi); else wait for the device.
          if (again instanceof LiveCaptureError && again.code === 'permission') {
            clearInterval(retry);
            failure = new LiveCaptureError(e.code, `${e.message}; cannot reopen it without the capture privileges (dropped after the first open; --no-drop-privileges keeps them)`);
            stop.abort();
          }
          return;
        }
        clearInterval(retry);
        cap = next;
        const seconds = (Date.now() - lost) / 1000;
        gaps.push({ seconds, message: e.message });
        io.stderr.write(`hsi: capture on ${escapeForTerminal(iface!)} reopened after ${seconds.toFixed(1)} s without packets\n`);
        begin(next);
      }, 1000);
      stop.signal.addEventListener('abort', () => clearInterval(retry), { once: true });
    },
  });
  begin(cap);
  const timer = args.duration !== null ? setTimeout(() => stop.abort(), args.duration * 1000) : null;
  // --summary-every: one line for the journal (what changed since the last one)
  let last = { total: 0, failed: 0, byVerdict: new Map<string, number>(), dropped: 0 };
  const periodic = args.summaryEvery !== null
    ? setInterval(() => {
        const c = output.counts;
        const s = liveStats();
        const dropped = s.dropped + s.ifDropped + s.internalDropped;
        const failed = [...c.byVerdict].filter(([code]) => !code.endsWith('.ok') && code !== 'incomplete').map(([code, n]) => [code, n - (last.byVerdict.get(code) ?? 0)] as const).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
        const mem = Math.round(process.memoryUsage.rss() / 1048576);
        io.stderr.write(`hsi: last ${args.summaryEvery}s: ${c.total - last.total} connections, ${c.failed - last.failed} failed${failed.length ? ` (${failed.slice(0, 5).map(([code, n]) => `${code} ${n}`).join(', ')})` : ''}; ${dropped - last.dropped} packets dropped; ${analyzer.engine.flowsTracked} flows tracked; ${mem} MiB\n`);
        last = { total: c.total, failed: c.failed, byVerdict: new Map(c.byVerdict), dropped };
      }, args.summaryEvery * 1000)
    : null;
  periodic?.unref();
  void tui?.app.quit.then(() => stop.abort());
  await new Promise<void>((resolve) => {
    if (stop.signal.aborted) resolve();
    else stop.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  if (timer) clearTimeout(timer);
  if (periodic) clearInterval(periodic);
  io.signal.removeEventListener('abort', onAbort);
  const stats = addStats(earlier, cap.stop({ drain: true }));
  await analyzer.end();
  metricsServer?.close();
  if (tui && !io.signal.aborted) {
    // Stopped by --duration / --count / an error: the screen stays until the user quits.
    tui.refresh(analyzer, stats, true);
    tui.app.inputDone(failure ? `capture failed: ${(failure as LiveCaptureError).message}` : 'capture stopped');
    await tui.app.quit;
  }
  tui?.app.close();
  const summaryOut = args.json ? io.stderr : io.stdout;
  const notes = liveNotes(stats, output.saved, args.saveFailures);
  if (gaps.length > 0) notes.push(`the capture was interrupted ${gaps.length} time${gaps.length === 1 ? '' : 's'} (${gaps.map((g) => `${g.seconds.toFixed(1)} s: ${g.message}`).join('; ')}): connections open then may miss packets`);
  const flood = untrackedNote(analyzer.stats, analyzer.engine.untracked.list());
  if (flood) notes.push(flood);
  if (failure) notes.unshift((failure as LiveCaptureError).message);
  const header = `live capture on ${escapeForTerminal(iface)}: ${thousands(stats.delivered)} packets seen, ${thousands(stats.dropped + stats.ifDropped)} dropped (kernel ${stats.dropped}, interface ${stats.ifDropped})`;
  if (args.json) {
    await output.finish(header, notes, analyzer.vantage.summary()); // the --groups lines
    summaryOut.write(`${header}; ${output.counts.total} connections, ${output.counts.completed} completed, ${output.counts.failed} failed, ${output.counts.incomplete} incomplete\n`);
    for (const n of notes) summaryOut.write(`note: ${n}\n`);
  } else if (tui) {
    await output.finish(header, notes, analyzer.vantage.summary());
    io.stdout.write(renderSummary(output.counts, chooseStyle(io.stdout, args.color), header, notes, analyzer.vantage.summary()) + '\n');
  } else await output.finish(header, notes, analyzer.vantage.summary());
  if (sink.file) {
    process.off('SIGHUP', onHup);
    await new Promise<void>((r) => sink.file!.end(r));
  }
  return failure ? 2 : output.status;
}

/** Two captures' counters added (the one before an interface came back, and the current one). */
function addStats(a: LiveStats | null, b: LiveStats): LiveStats {
  if (!a) return b;
  const out = { ...b } as Record<string, unknown>;
  for (const [k, v] of Object.entries(a)) if (typeof v === 'number' && typeof out[k] === 'number') out[k] = (out[k] as number) + v;
  return out as unknown as LiveStats;
}

function liveNotes(s: LiveStats, saved: number, saveFile: string | null): string[] {
  const out: string[] = [];
  if (s.dropped + s.ifDropped > 0) out.push(`the capture lost ${s.dropped + s.ifDropped} packets: verdicts resting on a missing packet during those moments are only "possible"`);
  if (s.snaplenCut > 0) out.push(`${s.snaplenCut} packets were cut by the snaplen`);
  if (saveFile) out.push(`${saved} failed connection${saved === 1 ? '' : 's'} saved to ${escapeForTerminal(saveFile)}`);
  return out;
}

export async function interfacesCommand(_args: Args, io: Io): Promise<number> {
  const list = listInterfaces();
  const def = defaultInterface({ interfaces: () => list });
  const rows = list.map((i) => {
    const addrs = i.addresses.filter((a) => a.family !== 'MAC').map((a) => a.address).join(', ');
    const state = i.up ? (i.running ? 'up' : 'up, no carrier') : 'down';
    return `${i.name === def?.name ? '*' : ' '} ${escapeForTerminal(i.name).padEnd(16)} ${state.padEnd(15)} ${i.loopback ? 'loopback ' : ''}${escapeForTerminal(addrs)}`;
  });
  io.stdout.write(rows.join('\n') + '\n');
  if (def) io.stdout.write(`\n* default: ${def.name} (${def.how})\n`);
  if (list.length > 0 && list[0]!.source === 'system') io.stdout.write('(live capture is not built: the list comes from the system; hsi live will say what to install)\n');
  return 0;
}
