// `hsi read --jobs N`: N workers (pipeline/worker.ts) each read the capture and keep their
// share of the flows — a symmetric hash of the address pair and ports (net/route.ts) —
// through a whole analyzer, and send back finished connections as record text. This thread puts
// them back where one engine would have ended them (shard.ts OrderKey), numbers them in
// the order they were first reported (the ids one engine gives), keeps the knowledge
// about servers in that order — answering the workers whose rules ask about it (deferred
// connections) — and writes the records through the same RecordOutput. The output is
// byte for byte that of --jobs 1 (test/jobs.test.ts), short of a full flow table
// (--max-flows) or embryonic cap, which each worker applies to its share.

import { Worker } from 'node:worker_threads';
import type { CaptureResult } from '../capture/source.js';
import { Knowledge } from '../diagnose/knowledge.js';
import { VantageTally } from '../diagnose/vantage.js';
import type { UntrackedServer } from '../engine/embryonic.js';
import type { EngineStats } from '../engine/engine.js';
import type { RecordOutput } from '../cli/setup.js';
import type { Args } from '../cli/args.js';
import { compareKeys, END_FRAME, type FromWorker, type ShardItem, type SlimRecord, type ToWorker, type WorkerSetup } from './shard.js';

/** A record in output order; slim is null while its worker is still diagnosing it (deferred). */
interface OutEntry {
  slim: SlimRecord | null;
  /** The record's text with the global id in it: its parts. */
  text: (string | Uint8Array)[] | null;
}

/** A first-in first-out queue over an array, compacted as it empties. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T {
    const x = this.items[this.head]!;
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return x;
  }
}

/** One worker's replies not placed yet. */
interface Lane {
  upTo: number;
  /** [its id, the frame it was given at] */
  reports: Fifo<[number, number]>;
  items: Fifo<{ item: ShardItem; bytes: Uint8Array }>;
  /** Its ids → the global ids, until the connection's record is placed. */
  ids: Map<number, number>;
}

export interface ParallelResult {
  capture: CaptureResult;
  stats: EngineStats;
  untracked: UntrackedServer[];
}

export class ParallelAnalyzer {
  private readonly workers: Worker[] = [];
  private readonly lanes: Lane[] = [];
  private readonly knowledge = new Knowledge();
  readonly vantage = new VantageTally();
  private nextId = 1;
  /** Frame up to which every record is placed. */
  private placedUpTo = 0;
  private readonly out = new Fifo<OutEntry>();
  private readonly waiting = new Map<string, OutEntry>();
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private readonly ends: Extract<FromWorker, { type: 'end' }>[] = [];

  constructor(
    private readonly jobs: number,
    path: string,
    args: Args,
    private readonly output: RecordOutput,
    mode: { json: boolean; color: boolean; onlyFailed: boolean },
  ) {
    for (let i = 0; i < jobs; i++) {
      const setup: WorkerSetup = { args, path, index: i, jobs, output: mode.json ? 'json' : 'text', color: mode.color, onlyFailed: mode.onlyFailed };
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: setup });
      w.on('message', (m: FromWorker) => this.onMessage(i, m));
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`decoding thread ${i + 1} stopped (exit code ${code})`));
      });
      this.workers.push(w);
      this.lanes.push({ upTo: 0, reports: new Fifo(), items: new Fifo(), ids: new Map() });
    }
  }

  /** Until every worker has read the capture and every record is written. */
  async run(signal: AbortSignal): Promise<ParallelResult> {
    const onAbort = () => this.broadcast({ type: 'abort' });
    signal.addEventListener('abort', onAbort);
    try {
      let told = 0;
      while ((this.ends.length < this.jobs || this.waiting.size > 0 || this.out.size > 0) && !this.failure) {
        await new Promise<void>((r) => (this.wake = r));
        // the workers read on once the output has taken what is placed (a slow pipe holds them back)
        await this.output.drained();
        if (this.placedUpTo > told && this.placedUpTo < END_FRAME) {
          told = this.placedUpTo;
          this.broadcast({ type: 'placed', upTo: told });
        }
      }
      if (this.failure) throw this.failure;
    } catch (e) {
      await Promise.all(this.workers.map((w) => w.terminate()));
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    const exited = this.workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
    this.broadcast({ type: 'close' });
    await Promise.all(exited);
    const capture = this.ends.find((e) => e.capture)!.capture!;
    return { capture, stats: mergeStats(this.ends.map((e) => e.stats), capture.stats.packets), untracked: mergeUntracked(this.ends.map((e) => e.untracked)) };
  }

  private broadcast(m: ToWorker): void {
    for (const w of this.workers) w.postMessage(m);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private onMessage(worker: number, m: FromWorker): void {
    try {
      if (m.type === 'error') throw new Error(`decoding thread ${worker + 1}: ${m.message}`);
      if (m.type === 'resolved') {
        const key = `${worker}:${m.ref}`;
        const e = this.waiting.get(key)!;
        this.waiting.delete(key);
        this.fill(e, m.item, m.item.id, m.bytes);
        this.flush();
      } else {
        const lane = this.lanes[worker]!;
        lane.upTo = m.upTo;
        for (let i = 0; i < m.reports.length; i += 2) lane.reports.push([m.reports[i]!, m.reports[i + 1]!]);
        for (const item of m.items) lane.items.push({ item, bytes: m.bytes });
        if (m.type === 'end') this.ends.push(m);
        this.place();
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    }
    this.poke();
  }

  /** Place what every worker has read past: ids first, then records in order. */
  private place(): void {
    const lanes = this.lanes;
    let upTo = Infinity;
    for (const l of lanes) upTo = Math.min(upTo, l.upTo);
    if (upTo <= this.placedUpTo && upTo < END_FRAME) return;
    // Ids in the order connections were first reported, as one engine numbers them.
    for (;;) {
      const l = earliest(lanes, (x) => x.reports.peek()?.[1], upTo, (a, b) => a - b);
      if (!l) break;
      const [id] = l.reports.shift();
      l.ids.set(id, this.nextId++);
    }
    // Records where one engine would have ended them.
    for (;;) {
      const l = earliest(lanes, (x) => x.items.peek()?.item.key, upTo, compareKeys);
      if (!l) break;
      const { item, bytes } = l.items.shift();
      this.placeItem(lanes.indexOf(l), item, bytes);
    }
    this.flush();
    if (upTo > this.placedUpTo) this.placedUpTo = upTo;
  }

  private placeItem(worker: number, item: ShardItem, bytes: Uint8Array): void {
    const ids = this.lanes[worker]!.ids;
    const id = ids.get(item.id);
    if (id === undefined) throw new Error(`connection ${item.id} of thread ${worker + 1} has no id`);
    ids.delete(item.id);
    const e: OutEntry = { slim: null, text: null };
    if (item.ref > 0) {
      // its rules ask what the capture showed of its server before it: as of now
      const server = item.server!;
      this.workers[worker]!.postMessage({ type: 'resolve', ref: item.ref, id, slice: this.knowledge.get(server.ip, server.port) } satisfies ToWorker);
      this.waiting.set(`${worker}:${item.ref}`, e);
    } else this.fill(e, item, id, bytes);
    if (item.lesson) this.knowledge.learn(item.lesson, id, item.firstFrame);
    this.out.push(e);
  }

  private fill(e: OutEntry, item: ShardItem, id: number, bytes: Uint8Array): void {
    const slim = item.slim!;
    slim.id = id;
    e.slim = slim;
    // the worker's id in the text becomes the global one
    e.text = item.start < 0 ? null : [bytes.subarray(item.start, item.start + item.idAt), String(id), bytes.subarray(item.start + item.idAt + item.idLen, item.end)];
  }

  /** Write the records whose turn it is. */
  private flush(): void {
    for (let e = this.out.peek(); e && e.slim !== null; e = this.out.peek()) {
      this.out.shift();
      this.vantage.add(e.slim.vantage, e.slim.client.ip, e.slim.server.ip);
      this.output.prepared(e.slim, e.text);
    }
  }
}

/** The lane whose next entry comes first, among those at or before frame `upTo`. */
function earliest<K extends number | readonly number[]>(lanes: readonly Lane[], next: (l: Lane) => K | undefined, upTo: number, cmp: (a: K, b: K) => number): Lane | null {
  let best: Lane | null = null;
  let bestKey: K | undefined;
  for (const l of lanes) {
    const k = next(l);
    if (k === undefined || (typeof k === 'number' ? k : (k as readonly number[])[0]!) > upTo) continue;
    if (best === null || cmp(k, bestKey!) < 0) {
      best = l;
      bestKey = k;
    }
  }
  return best;
}

/**
 * The workers' engine counters added up — but packets are as read, and the fragment
 * counters are every worker's alike (each reassembles every datagram to see its ports).
 */
function mergeStats(all: EngineStats[], packets: number): EngineStats {
  const add = (a: Record<string, unknown>, b: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(b)) {
      if (typeof v === 'number') a[k] = ((a[k] as number | undefined) ?? 0) + v;
      else if (v && typeof v === 'object') {
        a[k] ??= {};
        add(a[k] as Record<string, unknown>, v as Record<string, unknown>);
      }
    }
  };
  const out = {} as Record<string, unknown>;
  for (const s of all) add(out, s as unknown as Record<string, unknown>);
  const stats = out as unknown as EngineStats;
  stats.packets = packets;
  stats.fragments = { ...all[0]!.fragments };
  return stats;
}

/** The workers' tallies of untracked flood packets, server by server. */
function mergeUntracked(all: UntrackedServer[][]): UntrackedServer[] {
  const by = new Map<string, UntrackedServer>();
  for (const list of all) {
    for (const s of list) {
      const e = by.get(s.server);
      if (!e) {
        by.set(s.server, { ...s });
        continue;
      }
      e.packets += s.packets;
      e.syns += s.syns;
      e.sources += s.sources;
      e.sourcesCapped ||= s.sourcesCapped;
      e.firstFrame = Math.min(e.firstFrame, s.firstFrame);
      e.lastFrame = Math.max(e.lastFrame, s.lastFrame);
      e.firstTime = Math.min(e.firstTime, s.firstTime);
      e.lastTime = Math.max(e.lastTime, s.lastTime);
    }
  }
  return [...by.values()].sort((a, b) => b.packets - a.packets || a.firstFrame - b.firstFrame);
}
