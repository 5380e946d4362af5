// Replay a capture file at its recorded pace (× speed) through the same Packet callback
// as a live capture, so live behaviour (idle timeouts, connections reported as they end)
// can be shown from a file. The file is never loaded whole: a chunk is decoded, its
// packets are copied into a queue and emitted on time, and the next chunk is read when
// the queue runs low. onTick reports the capture clock periodically, also while no
// packets flow, so the engine can fire its timeouts as it would live.

import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { CaptureDecoder } from './decoder.js';
import type { Packet } from './packet.js';
import { openCaptureInput, pumpChunks, type CaptureResult } from './source.js';

/** Capture seconds between two onTick calls (by default). */
export const DEFAULT_TICK_INTERVAL = 0.25;
/** Read size while replaying: small, the queue holds copies of one chunk's packets. */
export const REPLAY_CHUNK = 256 * 1024;
/** Read the next chunk once fewer packets than this wait in the queue. */
export const REPLAY_LOW_WATER = 256;
/** Packets emitted back to back (all overdue) before yielding to the event loop. */
const BURST = 1024;

export interface ReplayOptions {
  /** Stops the replay (Ctrl-C); the result keeps what was emitted. */
  signal?: AbortSignal;
  /** Called with the capture time (float seconds since the epoch) every tickInterval of capture time. */
  onTick?: (captureTime: number) => void;
  /** Capture seconds between ticks (default 0.25). */
  tickInterval?: number;
}

export interface ReplayResult extends CaptureResult {
  /** Largest number of packets that waited in the queue at once. */
  maxQueued: number;
}

/** Emits queued packets when their time (relative to the first packet, divided by speed) has come. */
class PacedQueue {
  private queue: (Packet | undefined)[] = [];
  private head = 0;
  private wallStart = -1;
  private t0 = 0;
  private nextTick = 0;
  private burst = 0;
  maxQueued = 0;

  constructor(
    private readonly speed: number,
    private readonly onPacket: (p: Packet) => void,
    private readonly opts: ReplayOptions,
    private readonly tickInterval: number,
  ) {}

  get length(): number {
    return this.queue.length - this.head;
  }

  /** Keep a copy (the decoder's data views are only valid during its callback). */
  add(p: Packet): void {
    this.queue.push({ ...p, data: p.data.slice() });
    if (this.length > this.maxQueued) this.maxQueued = this.length;
  }

  /** Emit on time while more than `keep` packets wait; false if aborted. */
  async drain(keep: number): Promise<boolean> {
    while (this.length > keep) {
      const p = this.queue[this.head]!;
      const t = p.tsSec + p.tsNsec / 1e9;
      if (this.wallStart < 0) {
        this.wallStart = performance.now();
        this.t0 = t;
        this.nextTick = t + this.tickInterval;
      }
      while (this.nextTick <= t) {
        if (!(await this.waitFor(this.nextTick))) return false;
        this.opts.onTick?.(this.nextTick);
        this.nextTick += this.tickInterval;
      }
      if (!(await this.waitFor(t))) return false;
      this.queue[this.head++] = undefined;
      if (this.head >= 4096 && this.head * 2 >= this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.onPacket(p);
    }
    return true;
  }

  /** Sleep until capture time t is due on the wall clock; false if aborted. */
  private async waitFor(t: number): Promise<boolean> {
    const signal = this.opts.signal;
    const ms = this.wallStart + ((t - this.t0) * 1000) / this.speed - performance.now();
    if (ms >= 1) {
      this.burst = 0;
      try {
        await sleep(ms, undefined, signal ? { signal } : {});
      } catch {
        return false;
      }
    } else if (++this.burst >= BURST) {
      this.burst = 0;
      await nextTurn();
    }
    return !signal?.aborted;
  }
}

/** Validate speed and tick interval (programming errors, thrown); returns the tick interval. */
function checkPace(speed: number, opts: ReplayOptions): number {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`replay speed must be a positive number, not ${speed}`);
  const tick = opts.tickInterval ?? DEFAULT_TICK_INTERVAL;
  if (!(tick > 0) || !Number.isFinite(tick)) throw new RangeError(`tick interval must be a positive number, not ${tick}`);
  return tick;
}

/** Replay an async iterable of (possibly gzip) capture chunks. */
export async function replayChunks(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  speed: number,
  onPacket: (p: Packet) => void,
  opts: ReplayOptions = {},
): Promise<ReplayResult> {
  const tick = checkPace(speed, opts);
  const queue = new PacedQueue(speed, onPacket, opts, tick);
  const decoder = new CaptureDecoder((p) => queue.add(p));
  let aborted = false;
  const r = await pumpChunks(
    chunks,
    name,
    async (chunk) => {
      decoder.push(chunk);
      aborted = !(await queue.drain(REPLAY_LOW_WATER));
      return !aborted && !decoder.done;
    },
    (message, fatal, cutShort) => decoder.reportInputProblem(message, fatal, cutShort),
    opts.signal,
  );
  aborted ||= r.aborted;
  if (!aborted) aborted = !(await queue.drain(0));
  if (aborted) decoder.stop();
  decoder.end();
  return { stats: decoder.stats, info: decoder.info, compressed: r.compressed, maxQueued: queue.maxQueued };
}

/**
 * Replay a capture file ('-' = stdin; gzip recognised) at its recorded pace × speed
 * (speed > 0: 1 real time, 10 ten times faster, 0.5 half speed). Resolves when the file
 * is done or the signal aborts; bad input becomes problems in the stats, as readCapture.
 */
export async function replayCapture(
  path: string,
  speed: number,
  onPacket: (p: Packet) => void,
  opts: ReplayOptions = {},
): Promise<ReplayResult> {
  checkPace(speed, opts);
  const input = openCaptureInput(path, REPLAY_CHUNK);
  if ('error' in input) {
    const decoder = new CaptureDecoder(() => {});
    decoder.reportInputProblem(input.error, true);
    decoder.end();
    return { stats: decoder.stats, info: null, compressed: false, maxQueued: 0 };
  }
  try {
    return await replayChunks(input.chunks, input.name, speed, onPacket, opts);
  } finally {
    input.close();
  }
}
