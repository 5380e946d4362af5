// Live capture end to end, as root, inside network namespaces this test creates
// (hsi-live-*): real traffic on the namespace's loopback, captured by a child process that
// uses LiveCapture exactly as `hsi live` does, compared with tcpdump where it matters.
//
// This file is also the child: started with HSI_LIVE_CHILD=<json config> it plays one role
// (capture, traffic generator, open-only, interface listing) and talks to the test over
// stdin/stdout lines ("READY {...}", "RESULT {...}", "ERROR {...}", "DONE {...}").
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  LiveCapture,
  LiveCaptureError,
  buildFilter,
  defaultInterface,
  listInterfaces,
  loadLiveBackend,
  type LiveStats,
} from '../src/capture/live.js';
import { dropPrivileges, effectiveCapabilities, keepPrivileges } from '../src/capture/privileges.js';

const SELF = fileURLToPath(import.meta.url);
const CHILD_ENV = 'HSI_LIVE_CHILD';

// ---- roles ---------------------------------------------------------------------------------

interface OpenConfig {
  iface: string;
  precision?: 'nano' | 'micro';
  snaplen?: number;
  filter?: string;
  bufferSize?: number;
}

interface CaptureConfig {
  role: 'capture';
  open: OpenConfig;
  /** drop: dropPrivileges(); keep: keepPrivileges() (the debugging option). */
  privileges: 'drop' | 'keep';
  /** packets: report every packet; soak: verify UDP payloads, force GCs, report counts. */
  record: 'packets' | 'soak';
  tickMs?: number;
  /** Try start() before the privilege step and report what happened. */
  startBeforeDrop?: boolean;
  /** Exercise close/stop twice, start after stop, close inside the callback. */
  lifecycleChecks?: boolean;
  gcEveryBatches?: number;
}

interface OpenOnlyConfig {
  role: 'open-only';
  open: OpenConfig;
}

interface TcpTrafficConfig {
  role: 'tcp-traffic';
  ports: number[];
  messages: number;
  size: number;
}

interface UdpFloodConfig {
  role: 'udp-flood';
  port: number;
  count: number;
}

interface InterfacesConfig {
  role: 'interfaces';
}

type ChildConfig = CaptureConfig | OpenOnlyConfig | TcpTrafficConfig | UdpFloodConfig | InterfacesConfig;

/** One captured packet as the child reports it. */
type PacketRow = [frame: number, tsSec: number, tsNsec: number, caplen: number, origLen: number, sha1: string, head: string];

interface ReadyReport {
  precision: 'nano' | 'micro';
  linkType: number;
  snaplen: number;
  uid: number;
  euid: number;
  gid: number;
  groups: number[];
  setuid0: string;
  capEff: string | null;
  startBeforeDrop: string | null;
  drop: { action: string; uid: number; gid: number; message: string } | null;
}

interface CaptureResult {
  stats: LiveStats;
  packets: PacketRow[];
  batches: number;
  batchPackets: number;
  ticks: number;
  /** Packets whose data.length differed from caplen. */
  sizeMismatch: number;
  soak?: { good: number; bad: number; distinct: number; gcs: number; badExamples: string[] };
  lifecycle?: Record<string, unknown>;
}

const sha1 = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function emit(tag: string, value: unknown): Promise<void> {
  return new Promise((resolve) => process.stdout.write(`${tag} ${JSON.stringify(value)}\n`, () => resolve()));
}

function soakPayloadOk(d: Uint8Array): { ok: boolean; seq: number } {
  // Ethernet (14) + IPv4 (IHL) + UDP (8) + payload: u32 seq, then (seq + i) & 0xff.
  if (d.length < 14 + 20 + 8 + 4 || d[12] !== 0x08 || d[13] !== 0x00) return { ok: false, seq: -1 };
  const ihl = (d[14]! & 0x0f) * 4;
  const p = 14 + ihl + 8;
  const udpLen = (d[14 + ihl + 4]! << 8) | d[14 + ihl + 5]!;
  const payloadLen = udpLen - 8;
  if (p + payloadLen !== d.length || payloadLen < 4) return { ok: false, seq: -1 };
  const seq = ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0;
  if (payloadLen !== 8 + (seq % 200)) return { ok: false, seq };
  for (let i = 4; i < payloadLen; i++) if (d[p + i] !== ((seq + i) & 0xff)) return { ok: false, seq };
  return { ok: true, seq };
}

async function captureRole(cfg: CaptureConfig): Promise<void> {
  const backend = loadLiveBackend();
  let cap: LiveCapture;
  try {
    cap = LiveCapture.open({ ...cfg.open });
  } catch (e) {
    await emit('ERROR', { code: (e as LiveCaptureError).code, message: (e as Error).message });
    process.exit(0);
  }
  let startBeforeDrop: string | null = null;
  if (cfg.startBeforeDrop) {
    try {
      cap.start(() => undefined);
      startBeforeDrop = 'started';
    } catch (e) {
      startBeforeDrop = `${(e as LiveCaptureError).code}: ${(e as Error).message}`;
    }
  }
  const drop =
    cfg.privileges === 'drop'
      ? dropPrivileges({ iface: cfg.open.iface, dropCapabilities: backend.available ? backend.binding.dropCapabilities : undefined })
      : keepPrivileges(cfg.open.iface);

  const packets: PacketRow[] = [];
  let batches = 0;
  let batchPackets = 0;
  let ticks = 0;
  const soak = { good: 0, bad: 0, distinct: 0, gcs: 0, badExamples: [] as string[] };
  const seen = new Set<number>();
  const gc = (globalThis as { gc?: () => void }).gc;
  let sizeMismatch = 0;

  cap.start(
    (p) => {
      if (p.data.length !== p.caplen) sizeMismatch++;
      if (cfg.record === 'packets') {
        packets.push([p.frame, p.tsSec, p.tsNsec, p.caplen, p.origLen, sha1(p.data), hex(p.data.subarray(0, 64))]);
      } else {
        const r = soakPayloadOk(p.data);
        if (r.ok) {
          soak.good++;
          seen.add(r.seq);
        } else {
          soak.bad++;
          if (soak.badExamples.length < 3) soak.badExamples.push(hex(p.data.subarray(0, 80)));
        }
      }
    },
    {
      tickMs: cfg.tickMs ?? 250,
      onTick: () => ticks++,
      onBatchEnd: (b) => {
        batches++;
        batchPackets += b.packets;
        if (gc && cfg.gcEveryBatches && batches % cfg.gcEveryBatches === 0) {
          gc();
          soak.gcs++;
        }
      },
      onError: (e) => void emit('ERROR', { code: e.code, message: e.message }),
    },
  );

  let setuid0 = 'not tried';
  if (process.getuid!() !== 0) {
    try {
      process.setuid!(0);
      setuid0 = 'succeeded';
    } catch (e) {
      setuid0 = (e as NodeJS.ErrnoException).code ?? 'failed';
    }
  }
  const caps = effectiveCapabilities();
  const ready: ReadyReport = {
    precision: cap.precision,
    linkType: cap.linkType,
    snaplen: cap.snaplen,
    uid: process.getuid!(),
    euid: process.geteuid!(),
    gid: process.getgid!(),
    groups: process.getgroups!(),
    setuid0,
    capEff: caps === null ? null : caps.toString(16),
    startBeforeDrop,
    drop,
  };
  await emit('READY', ready);

  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => {
    rl.on('line', (l) => l.trim() === 'stop' && resolve());
    rl.on('close', resolve);
  });
  const stats = cap.stop();
  const result: CaptureResult = { stats, packets, batches, batchPackets, ticks, sizeMismatch };
  if (cfg.record === 'soak') result.soak = { ...soak, distinct: seen.size };
  if (cfg.lifecycleChecks) result.lifecycle = await lifecycleChecks(cap, stats, cfg.open.iface);
  await emit('RESULT', result);
  process.exit(0);
}

/** Runs after the main capture stopped (privileges are already dropped or kept). */
async function lifecycleChecks(cap: LiveCapture, finalStats: LiveStats, iface: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  out.secondStopSame = JSON.stringify(cap.stop()) === JSON.stringify(finalStats);
  out.thirdStopSame = JSON.stringify(cap.stop({ drain: false })) === JSON.stringify(finalStats);
  out.statsAfterStop = JSON.stringify(cap.stats()) === JSON.stringify(finalStats);
  try {
    cap.start(() => undefined);
    out.startAfterStop = 'started';
  } catch (e) {
    out.startAfterStop = (e as LiveCaptureError).code;
  }
  out.running = cap.running;

  const backend = loadLiveBackend();
  if (!backend.available) return out;
  // The raw binding, on a fresh handle: close twice, stats after close, start after close.
  const h = new backend.binding.Capture({ iface, filter: 'tcp and port 7999' });
  h.close();
  h.close();
  const s = h.stats();
  out.rawClosed = h.closed;
  out.rawStatsFinal = s.final;
  try {
    h.start(() => undefined);
    out.rawStartAfterClose = 'started';
  } catch (e) {
    out.rawStartAfterClose = (e as { code?: string }).code;
  }
  h.dispatch();
  out.rawDispatchAfterClose = 'ok';

  // close() from inside the batch callback, then stop() from inside the packet callback.
  const inner = new backend.binding.Capture({ iface, filter: 'tcp and port 7998' });
  let innerBatches = 0;
  await new Promise<void>((resolve) => {
    inner.start(() => {
      innerBatches++;
      inner.close();
      inner.close();
      setTimeout(resolve, 300); // any batch after the close would be counted meanwhile
    });
    void tcpExchange(7998, 5, 100);
  });
  out.closeInsideCallback = { batches: innerBatches, closed: inner.closed };

  const live = LiveCapture.open({ iface, filter: 'tcp and port 7997' });
  let seenAfterStop = 0;
  let stoppedInside: LiveStats | null = null;
  await new Promise<void>((resolve) => {
    live.start((p) => {
      if (stoppedInside) seenAfterStop++;
      else {
        stoppedInside = live.stop();
        setTimeout(resolve, 300);
      }
      void p;
    });
    void tcpExchange(7997, 5, 100);
  });
  out.stopInsideCallback = { delivered: stoppedInside ? (stoppedInside as LiveStats).delivered : -1, seenAfterStop, running: live.running };
  return out;
}

async function openOnlyRole(cfg: OpenOnlyConfig): Promise<void> {
  try {
    const cap = LiveCapture.open({ ...cfg.open });
    const stats = cap.stop();
    await emit('RESULT', { opened: true, stats });
  } catch (e) {
    await emit('ERROR', { code: (e as LiveCaptureError).code, message: (e as Error).message });
  }
  process.exit(0);
}

/** A TCP echo exchange on 127.0.0.1:port: `messages` writes of `size` bytes, each echoed. */
async function tcpExchange(port: number, messages: number, size: number): Promise<number> {
  const server = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const sock: Socket = connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise<void>((r) => sock.once('connect', () => r()));
  let received = 0;
  for (let i = 0; i < messages; i++) {
    const msg = Buffer.alloc(size, (i * 7 + port) & 0xff);
    msg.writeUInt32BE(i, 0);
    const want = received + size;
    sock.write(msg);
    await new Promise<void>((resolve) => {
      const onData = (d: Buffer): void => {
        received += d.length;
        if (received >= want) {
          sock.off('data', onData);
          resolve();
        }
      };
      sock.on('data', onData);
    });
  }
  await new Promise<void>((r) => sock.end(r));
  await new Promise<void>((r) => sock.once('close', () => r()));
  await new Promise<void>((r) => server.close(() => r()));
  return received;
}

async function tcpTrafficRole(cfg: TcpTrafficConfig): Promise<void> {
  const echoed = await Promise.all(cfg.ports.map((p) => tcpExchange(p, cfg.messages, cfg.size)));
  await emit('DONE', { echoed });
  process.exit(0);
}

async function udpFloodRole(cfg: UdpFloodConfig): Promise<void> {
  const sock = createSocket('udp4');
  const started = Date.now();
  let sent = 0;
  const BURST = 512;
  for (let seq = 0; seq < cfg.count; seq += BURST) {
    const sends: Promise<void>[] = [];
    for (let s = seq; s < Math.min(seq + BURST, cfg.count); s++) {
      const len = 8 + (s % 200);
      const b = Buffer.allocUnsafe(len);
      b.writeUInt32BE(s >>> 0, 0);
      for (let i = 4; i < len; i++) b[i] = (s + i) & 0xff;
      sends.push(new Promise<void>((r) => sock.send(b, cfg.port, '127.0.0.1', () => r())));
    }
    await Promise.all(sends);
    sent = Math.min(seq + BURST, cfg.count);
  }
  sock.close();
  await emit('DONE', { sent, ms: Date.now() - started });
  process.exit(0);
}

async function interfacesRole(): Promise<void> {
  await emit('RESULT', { interfaces: listInterfaces(), default: defaultInterface() });
  process.exit(0);
}

async function runChild(cfg: ChildConfig): Promise<void> {
  switch (cfg.role) {
    case 'capture':
      return captureRole(cfg);
    case 'open-only':
      return openOnlyRole(cfg);
    case 'tcp-traffic':
      return tcpTrafficRole(cfg);
    case 'udp-flood':
      return udpFloodRole(cfg);
    case 'interfaces':
      return interfacesRole();
  }
}

// ---- the test side ---------------------------------------------------------------------------

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });
const have = (cmd: string): boolean => run('/bin/sh', ['-c', `command -v ${cmd}`]).status === 0;

function liveSkipReason(): string | null {
  if (process.platform !== 'linux') return 'live capture tests need Linux network namespaces';
  if (process.getuid?.() !== 0) return 'live capture tests need root (network namespaces, CAP_NET_RAW); run the suite as root';
  const backend = loadLiveBackend();
  if (!backend.available) return backend.reason;
  if (!have('ip') || run('ip', ['netns', 'list']).status !== 0) return '`ip netns` is not available';
  return null;
}

let nsCounter = 0;

class Netns {
  readonly name = `hsi-live-${process.pid}-${++nsCounter}`;
  private readonly children = new Set<ChildProcess>();

  constructor() {
    this.ip('netns', 'add', this.name);
    this.ip('-n', this.name, 'link', 'set', 'lo', 'up');
  }

  ip(...args: string[]): void {
    const r = run('ip', args);
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  }

  /** Runs argv inside the namespace; stdout lines are collected. */
  spawn(argv: string[], env: NodeJS.ProcessEnv = process.env): ChildRun {
    const proc = spawn('ip', ['netns', 'exec', this.name, ...argv], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(proc);
    proc.on('exit', () => this.children.delete(proc));
    return new ChildRun(proc);
  }

  /** Runs this file as a child in the namespace, in the given role. */
  child(cfg: ChildConfig, opts: { nodeArgs?: string[]; prefix?: string[]; env?: NodeJS.ProcessEnv } = {}): ChildRun {
    const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, [CHILD_ENV]: JSON.stringify(cfg) };
    delete env.NODE_TEST_CONTEXT;
    return this.spawn([...(opts.prefix ?? []), process.execPath, ...(opts.nodeArgs ?? []), SELF], env);
  }

  delete(): void {
    for (const c of this.children) c.kill('SIGKILL');
    run('ip', ['netns', 'del', this.name]);
  }
}

class ChildRun {
  private readonly lines: string[] = [];
  private waiters: (() => void)[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      this.lines.push(l);
      for (const w of this.waiters.splice(0)) w();
    });
    proc.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((resolve) =>
      proc.on('exit', (code, signal) => {
        resolve({ code, signal });
        for (const w of this.waiters.splice(0)) w();
      }),
    );
  }

  /** The first line starting with one of the tags (parsed JSON), or a failure with stderr. */
  async waitLine<T>(tags: string[], timeoutMs: number): Promise<{ tag: string; value: T }> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const line = this.lines.find((l) => tags.some((t) => l.startsWith(t + ' ')));
      if (line) {
        const tag = line.slice(0, line.indexOf(' '));
        return { tag, value: JSON.parse(line.slice(tag.length + 1)) as T };
      }
      if (exited || Date.now() > deadline)
        throw new Error(`no ${tags.join('/')} line (exited: ${exited}); stdout: ${this.lines.join('\n').slice(0, 2000)}; stderr: ${this.stderr.slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits until stderr contains the text (tcpdump's "listening on"). */
  async waitStderr(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stderr.includes(text)) {
      if (Date.now() > deadline) throw new Error(`stderr never said "${text}": ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  send(line: string): void {
    this.proc.stdin!.write(line + '\n');
  }
}

async function ready(c: ChildRun): Promise<ReadyReport> {
  const r = await c.waitLine<ReadyReport & { code?: string; message?: string }>(['READY', 'ERROR'], 8000);
  if (r.tag === 'ERROR') throw new Error(`capture child failed to open: ${JSON.stringify(r.value)}`);
  return r.value;
}

async function finish(c: ChildRun): Promise<CaptureResult> {
  c.send('stop');
  const r = await c.waitLine<CaptureResult>(['RESULT'], 8000);
  const { code } = await c.exited;
  assert.equal(code, 0, `capture child exit code; stderr: ${c.stderr}`);
  return r.value;
}

async function traffic(ns: Netns, cfg: Omit<TcpTrafficConfig, 'role'>): Promise<void> {
  const t = ns.child({ role: 'tcp-traffic', ...cfg });
  await t.waitLine(['DONE'], 10_000);
  assert.equal((await t.exited).code, 0, t.stderr);
}

/** Minimal nanosecond-pcap reader for tcpdump's output (only what this test needs). */
function readNanoPcap(path: string): { tsSec: number; tsNsec: number; sha1: string }[] {
  const b = readFileSync(path);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b23c4d;
  assert.ok(le || b.readUInt32BE(0) === 0xa1b23c4d, `not a nanosecond pcap (magic ${magic.toString(16)})`);
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const out: { tsSec: number; tsNsec: number; sha1: string }[] = [];
  for (let o = 24; o + 16 <= b.length; ) {
    const incl = u32(o + 8);
    if (o + 16 + incl > b.length) break;
    out.push({ tsSec: u32(o), tsNsec: u32(o + 4), sha1: sha1(b.subarray(o + 16, o + 16 + incl)) });
    o += 16 + incl;
  }
  return out;
}

/** TCP ports of an Ethernet/IPv4 frame given as hex of its first bytes. */
function tcpPorts(headHex: string): [number, number] | null {
  const d = Buffer.from(headHex, 'hex');
  if (d.length < 38 || d.readUInt16BE(12) !== 0x0800 || d[23] !== 6) return null;
  const l4 = 14 + (d[14]! & 0x0f) * 4;
  return [d.readUInt16BE(l4), d.readUInt16BE(l4 + 2)];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function registerTests(): void {
  const skip = liveSkipReason();
  const liveTest = (
    name: string,
    fn: (ns: Netns, t: { diagnostic(msg: string): void }) => Promise<void>,
    extraSkip?: () => string | null,
  ): void => {
    test(name, { timeout: 20_000 }, async (t) => {
      const why = skip ?? extraSkip?.() ?? null;
      if (why) {
        t.skip(why);
        return;
      }
      const ns = new Netns();
      try {
        await fn(ns, t);
      } finally {
        ns.delete();
      }
    });
  };

  liveTest(
    'kernel timestamps: nanosecond, monotonic, equal to tcpdump\'s within 1 ms; stats and ticks',
    async (ns, t) => {
      const dir = mkdtempSync(join(tmpdir(), 'hsi-live-ts-'));
      try {
        const pcap = join(dir, 'tcpdump.pcap');
        const dump = ns.spawn(['tcpdump', '-i', 'lo', '-n', '-U', '-Z', 'root', '--time-stamp-precision=nano', '-s', '262144', '-w', pcap, 'tcp and port 7001']);
        await dump.waitStderr('listening on', 8000);
        const cap = ns.child({ role: 'capture', open: { iface: 'lo', filter: buildFilter({ ports: [7001] }) }, privileges: 'drop', record: 'packets', tickMs: 100 });
        const micro = ns.child({ role: 'capture', open: { iface: 'lo', filter: 'tcp and port 7001', precision: 'micro' }, privileges: 'drop', record: 'packets' });
        const r0 = await ready(cap);
        assert.equal(r0.precision, 'nano');
        assert.equal(r0.linkType, 1); // Linux lo is DLT_EN10MB
        assert.equal((await ready(micro)).precision, 'micro');
        await traffic(ns, { ports: [7001], messages: 40, size: 700 });
        await sleep(800); // quiet: ticks must keep coming
        const res = await finish(cap);
        const resMicro = await finish(micro);
        dump.proc.kill('SIGINT');
        await dump.exited;

        const ours = res.packets;
        assert.ok(ours.length >= 80, `captured ${ours.length} packets`);
        assert.deepEqual(ours.map((p) => p[0]), ours.map((_, i) => i + 1), 'frames are 1..n in arrival order');
        for (let i = 1; i < ours.length; i++) {
          const prev = ours[i - 1]!;
          const cur = ours[i]!;
          assert.ok(cur[1] > prev[1] || (cur[1] === prev[1] && cur[2] >= prev[2]), `timestamp of frame ${cur[0]} goes back`);
        }
        for (const p of ours) assert.ok(p[2] >= 0 && p[2] < 1e9);
        assert.ok(ours.some((p) => p[2] % 1000 !== 0), 'nanosecond digits present');
        const nowSec = Date.now() / 1000;
        assert.ok(Math.abs(ours[0]![1] - nowSec) < 60, 'timestamps are wall-clock seconds');

        const theirs = readNanoPcap(pcap);
        assert.equal(theirs.length, ours.length, 'tcpdump saw as many packets');
        const byHash = new Map<string, { tsSec: number; tsNsec: number }[]>();
        for (const p of theirs) byHash.set(p.sha1, [...(byHash.get(p.sha1) ?? []), p]);
        let maxDeltaNs = 0;
        for (const p of ours) {
          const match = byHash.get(p[5])?.shift();
          assert.ok(match, `frame ${p[0]} not in tcpdump's capture`);
          const delta = Math.abs((p[1] - match.tsSec) * 1e9 + (p[2] - match.tsNsec));
          maxDeltaNs = Math.max(maxDeltaNs, delta);
        }
        assert.ok(maxDeltaNs <= 1e6, `timestamps differ from tcpdump's by up to ${maxDeltaNs} ns`);
        t.diagnostic(`${ours.length} packets; largest difference from tcpdump's timestamps: ${maxDeltaNs} ns`);

        // Microsecond precision: the same packets, stamped by the kernel for that socket (so
        // close, not identical: each socket is stamped when the packet reaches it, and on a
        // busy VM that can be a few ms apart), with no sub-microsecond digits.
        const nanoByHash = new Map(ours.map((p) => [p[5], p]));
        assert.equal(resMicro.packets.length, ours.length);
        for (const p of resMicro.packets) {
          assert.equal(p[2] % 1000, 0, 'microsecond timestamps have no sub-µs digits');
          const n = nanoByHash.get(p[5]);
          assert.ok(n, `micro frame ${p[0]} not in the nano capture`);
          const delta = Math.abs((n[1] - p[1]) * 1e9 + (n[2] - p[2]));
          assert.ok(delta <= 5e6, `micro timestamp of frame ${p[0]} is ${delta} ns from the nano one`);
        }

        assert.equal(res.stats.delivered, ours.length);
        assert.equal(res.stats.dropped, 0);
        assert.equal(res.stats.received, res.stats.delivered + res.stats.dropped);
        assert.equal(res.stats.snaplenCut, 0);
        assert.ok(res.batches >= 1);
        assert.equal(res.batchPackets, ours.length, 'onBatchEnd saw every packet');
        assert.ok(res.ticks >= 3, `only ${res.ticks} ticks during 800 ms of quiet at 100 ms`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    () => (have('tcpdump') ? null : 'tcpdump is not installed'),
  );

  liveTest('snapshot length: caplen < origLen is counted', async (ns) => {
    const cap = ns.child({ role: 'capture', open: { iface: 'lo', snaplen: 96, filter: 'tcp and port 7004' }, privileges: 'drop', record: 'packets' });
    const r0 = await ready(cap);
    assert.equal(r0.snaplen, 96);
    await traffic(ns, { ports: [7004], messages: 20, size: 1000 });
    await sleep(200);
    const res = await finish(cap);
    const cut = res.packets.filter((p) => p[3] < p[4]);
    assert.ok(cut.length >= 40, `${cut.length} packets cut`);
    assert.ok(res.packets.some((p) => p[3] === p[4]), 'small packets (SYN, ACK) are whole');
    for (const p of res.packets) {
      assert.ok(p[3] <= 96, `caplen ${p[3]}`);
      assert.equal(p[3], Math.min(p[4], 96));
    }
    assert.equal(res.stats.snaplenCut, cut.length);
    assert.equal(res.sizeMismatch, 0, 'data.length === caplen for every packet');
  });

  liveTest('BPF filter is applied in the kernel', async (ns) => {
    const filtered = ns.child({ role: 'capture', open: { iface: 'lo', filter: buildFilter({ ports: [7002] }) }, privileges: 'drop', record: 'packets' });
    const all = ns.child({ role: 'capture', open: { iface: 'lo', filter: '' }, privileges: 'drop', record: 'packets' });
    await ready(filtered);
    await ready(all);
    await traffic(ns, { ports: [7002, 7003], messages: 10, size: 300 });
    await sleep(200);
    const f = await finish(filtered);
    const a = await finish(all);
    const portsOf = (rows: PacketRow[]) => rows.map((p) => tcpPorts(p[6])).filter((x): x is [number, number] => x !== null);
    const fPorts = portsOf(f.packets);
    assert.equal(fPorts.length, f.packets.length, 'every filtered packet is IPv4 TCP');
    assert.ok(fPorts.length >= 20);
    for (const [s, d] of fPorts) assert.ok(s === 7002 || d === 7002, `port ${s}→${d} passed the filter`);
    const aPorts = portsOf(a.packets);
    const on7003 = aPorts.filter(([s, d]) => s === 7003 || d === 7003).length;
    const on7002 = aPorts.filter(([s, d]) => s === 7002 || d === 7002).length;
    assert.ok(on7003 >= 20, 'the unfiltered capture saw the other port');
    assert.equal(on7002, fPorts.length, 'the filter kept every packet of its port');
    assert.equal(f.stats.received, f.stats.delivered, 'the kernel counts only what passed the filter');
  });

  liveTest('stop/close twice, start after stop, close and stop inside the callback', async (ns) => {
    const cap = ns.child({ role: 'capture', open: { iface: 'lo', filter: 'tcp and port 7005' }, privileges: 'keep', record: 'packets', lifecycleChecks: true });
    await ready(cap);
    await traffic(ns, { ports: [7005], messages: 5, size: 100 });
    await sleep(100);
    const res = await finish(cap);
    assert.ok(res.packets.length > 0);
    assert.deepEqual(res.lifecycle, {
      secondStopSame: true,
      thirdStopSame: true,
      statsAfterStop: true,
      startAfterStop: 'closed',
      running: false,
      rawClosed: true,
      rawStatsFinal: true,
      rawStartAfterClose: 'CLOSED',
      rawDispatchAfterClose: 'ok',
      closeInsideCallback: { batches: 1, closed: true },
      stopInsideCallback: { delivered: 1, seenAfterStop: 0, running: false },
    });
  });

  liveTest('forced-GC soak: 300k packets, every payload intact', async (ns, t) => {
    const SENT = 300_000;
    const cap = ns.child(
      { role: 'capture', open: { iface: 'lo', filter: 'udp and dst port 7100' }, privileges: 'drop', record: 'soak', gcEveryBatches: 16 },
      { nodeArgs: ['--expose-gc'] },
    );
    await ready(cap);
    const flood = ns.child({ role: 'udp-flood', port: 7100, count: SENT });
    const done = await flood.waitLine<{ sent: number; ms: number }>(['DONE'], 15_000);
    assert.equal(done.value.sent, SENT);
    await sleep(300);
    const res = await finish(cap);
    const soak = res.soak!;
    assert.equal(soak.bad, 0, `corrupted packets: ${soak.badExamples.join(' | ')}`);
    assert.ok(soak.gcs >= 5, `only ${soak.gcs} forced GCs`);
    assert.equal(soak.good, res.stats.delivered);
    assert.equal(soak.distinct, soak.good, 'no packet delivered twice');
    assert.equal(res.stats.received, SENT, 'the kernel passed every datagram to the capture');
    assert.equal(res.stats.delivered + res.stats.dropped, res.stats.received, 'delivered + dropped = received');
    assert.ok(res.stats.delivered >= SENT * 0.25, `delivered only ${res.stats.delivered} of ${SENT}`);
    t.diagnostic(
      `sent ${SENT} in ${done.value.ms} ms; delivered ${res.stats.delivered}, kernel dropped ${res.stats.dropped}, ` +
        `${res.batches} batches, ${soak.gcs} forced GCs`,
    );
  });

  liveTest('privileges: refused as root, dropped to SUDO_UID, capture continues', async (ns) => {
    const cap = ns.child(
      { role: 'capture', open: { iface: 'lo', filter: 'tcp and port 7006' }, privileges: 'drop', record: 'packets', startBeforeDrop: true },
      { env: { SUDO_UID: '4242', SUDO_GID: '4343', SUDO_USER: 'no-such-user' } },
    );
    const r0 = await ready(cap);
    assert.match(r0.startBeforeDrop ?? '', /^privileges: refusing to decode packets as root/);
    assert.equal(r0.drop?.action, 'dropped');
    assert.equal(r0.drop?.message, 'capturing on lo as root, decoding as uid 4242');
    assert.equal(r0.uid, 4242);
    assert.equal(r0.euid, 4242);
    assert.equal(r0.gid, 4343);
    assert.deepEqual(r0.groups.filter((g) => g !== 4343), []);
    assert.equal(r0.setuid0, 'EPERM');
    assert.equal(r0.capEff, '0');
    await traffic(ns, { ports: [7006], messages: 10, size: 200 });
    await sleep(200);
    const res = await finish(cap);
    assert.ok(res.packets.length >= 20, `${res.packets.length} packets after the drop`);
  });

  liveTest(
    'without CAP_NET_RAW opening fails with the clear message',
    async (ns) => {
      const c = ns.child(
        { role: 'open-only', open: { iface: 'lo' } },
        { prefix: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all'] },
      );
      const r = await c.waitLine<{ code: string; message: string }>(['ERROR', 'RESULT'], 8000);
      assert.equal(r.tag, 'ERROR', JSON.stringify(r.value));
      assert.equal(r.value.code, 'permission');
      assert.equal(
        r.value.message,
        'cannot capture on lo: permission denied. Run with sudo, or allow node to capture with ' +
          '`sudo setcap cap_net_raw,cap_net_admin+eip $(readlink -f $(which node))` ' +
          '(trade-off: every script run by that node binary can then sniff traffic)',
      );
      assert.equal((await c.exited).code, 0, c.stderr);
    },
    () => (have('setpriv') ? null : 'setpriv is not installed'),
  );

  liveTest(
    'with only CAP_NET_RAW: capture works, capabilities cleared after open',
    async (ns) => {
      const cap = ns.child(
        { role: 'capture', open: { iface: 'lo', filter: 'tcp and port 7007' }, privileges: 'drop', record: 'packets' },
        { prefix: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=+net_raw', '--ambient-caps=+net_raw'] },
      );
      const r0 = await ready(cap);
      assert.equal(r0.uid, 65534);
      assert.equal(r0.drop?.action, 'capabilities-dropped');
      assert.match(r0.drop?.message ?? '', /^capturing on lo with capabilities 0x2000, decoding as uid 65534 without them$/);
      assert.equal(r0.capEff, '0');
      await traffic(ns, { ports: [7007], messages: 10, size: 200 });
      await sleep(200);
      const res = await finish(cap);
      assert.ok(res.packets.length >= 20, `${res.packets.length} packets`);
    },
    () => (have('setpriv') ? null : 'setpriv is not installed'),
  );

  liveTest('no such device: the message lists the available ones', async (ns) => {
    const c = ns.child({ role: 'open-only', open: { iface: 'nosuch0' } });
    const r = await c.waitLine<{ code: string; message: string }>(['ERROR', 'RESULT'], 8000);
    assert.equal(r.tag, 'ERROR');
    assert.equal(r.value.code, 'no-such-device');
    assert.match(r.value.message, /^no interface named "nosuch0"; available: .*\blo\b/);
    const bad = ns.child({ role: 'open-only', open: { iface: 'lo', filter: 'tcp and porrt 1' } });
    const rb = await bad.waitLine<{ code: string; message: string }>(['ERROR', 'RESULT'], 8000);
    assert.equal(rb.value.code, 'bad-filter');
    assert.match(rb.value.message, /^invalid capture filter "tcp and porrt 1": syntax error/);
  });

  liveTest('an interface that disappears ends the capture with a clear error', async (ns) => {
    ns.ip('-n', ns.name, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ns.ip('-n', ns.name, 'link', 'set', 'v0', 'up');
    ns.ip('-n', ns.name, 'link', 'set', 'v1', 'up');
    const cap = ns.child({ role: 'capture', open: { iface: 'v0' }, privileges: 'drop', record: 'packets' });
    await ready(cap);
    ns.ip('-n', ns.name, 'link', 'del', 'v0');
    const err = await cap.waitLine<{ code: string; message: string }>(['ERROR'], 8000);
    assert.deepEqual(err.value, { code: 'read-failed', message: 'capture on v0 stopped: capture read failed: The interface disappeared' });
    const res = await finish(cap);
    assert.equal(res.stats.delivered, res.packets.length);
  });

  liveTest('interfaces and the default interface of a namespace', async (ns) => {
    ns.ip('-n', ns.name, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ns.ip('-n', ns.name, 'addr', 'add', '10.9.0.1/24', 'dev', 'v0');
    ns.ip('-n', ns.name, 'link', 'set', 'v0', 'up');
    ns.ip('-n', ns.name, 'link', 'set', 'v1', 'up');
    ns.ip('-n', ns.name, 'route', 'add', 'default', 'via', '10.9.0.2', 'dev', 'v0');
    type Listing = { interfaces: { name: string; up: boolean; loopback: boolean; addresses: { family: string; address: string }[] }[]; default: { name: string; how: string } | null };
    const list = async (): Promise<Listing> => {
      const c = ns.child({ role: 'interfaces' });
      return (await c.waitLine<Listing>(['RESULT'], 8000)).value;
    };
    const withRoute = await list();
    const lo = withRoute.interfaces.find((i) => i.name === 'lo');
    const v0 = withRoute.interfaces.find((i) => i.name === 'v0');
    assert.ok(lo && lo.loopback && lo.up);
    assert.ok(v0 && !v0.loopback && v0.up);
    assert.ok(v0.addresses.some((a) => a.family === 'IPv4' && a.address === '10.9.0.1'));
    assert.equal(withRoute.interfaces.some((i) => i.name === 'eth0'), false, 'the namespace hides the host interfaces');
    assert.deepEqual(withRoute.default, { name: 'v0', how: 'the IPv4 default route (/proc/net/route)' });
    ns.ip('-n', ns.name, 'route', 'del', 'default');
    const noRoute = await list();
    assert.deepEqual(noRoute.default, { name: 'v0', how: 'the first interface that is up and not loopback (no default route)' });
  });
}

if (process.env[CHILD_ENV]) await runChild(JSON.parse(process.env[CHILD_ENV]) as ChildConfig);
else registerTests();
