// What a `--jobs` worker and the main thread say to each other (pipeline/worker.ts,
// pipeline/parallel.ts). Plain data: everything here crosses postMessage.

import type { Lesson, ServerKnowledge } from '../diagnose/knowledge.js';
import type { Vantage } from '../diagnose/vantage.js';
import type { UntrackedServer } from '../engine/embryonic.js';
import type { EngineStats } from '../engine/engine.js';
import type { ConnectionRecord } from '../report/record.js';
import { groupedFields, type GroupedRecord } from '../report/groups.js';
import type { Args } from '../cli/args.js';
import type { CaptureResult } from '../capture/source.js';

export interface WorkerSetup {
  args: Args;
  path: string;
  index: number;
  jobs: number;
  /** The text each record is written as: an NDJSON line, or the human report's block. */
  output: 'json' | 'text';
  color: boolean;
  onlyFailed: boolean;
}

/**
 * Where a record goes in the output: where one engine would have ended its connection.
 * [frame, phase, group, n]: phase 0 while a packet is processed (n: the worker's count),
 * 1 in the sweep after it (UDP flows first, then TCP by first frame, as Engine.sweep),
 * 2 at the end of input (by first frame, the engine's creation order).
 */
export type OrderKey = [number, number, number, number];

export const END_FRAME = 2 ** 32;

/** Replies a worker may send past the frame the main thread has placed records up to. */
export const MAX_AHEAD = 4;

export function compareKeys(a: OrderKey, b: OrderKey): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3];
}

/** What the main thread needs of a record besides its text: the summary counts, the failure groups, the vantage line. */
export type SlimRecord = GroupedRecord & { protocol: ConnectionRecord['protocol']; vantage: Vantage };

export const slimRecord = (r: ConnectionRecord): SlimRecord => ({ ...groupedFields(r), protocol: r.protocol, vantage: r.vantage });

/** A finished connection, in the worker's words. */
export interface ShardItem {
  key: OrderKey;
  /** The worker's id for it (the main thread numbers all connections). */
  id: number;
  firstFrame: number;
  lesson: Lesson | null;
  /** Its record's UTF-8 text in the reply's bytes, [start, end) (start -1: left out by --only-failed), and where the id's digits sit in it. */
  start: number;
  end: number;
  idAt: number;
  idLen: number;
  slim: SlimRecord | null;
  /** Deferred: its rules ask about its server; the main thread answers with `resolve`. */
  ref: number;
  server: { ip: string; port: number } | null;
}

export type ToWorker =
  | { type: 'resolve'; ref: number; id: number; slice: ServerKnowledge | undefined }
  /** Records are placed up to this frame (the worker may read on). */
  | { type: 'placed'; upTo: number }
  | { type: 'abort' }
  | { type: 'close' };

/** `upTo`: the last frame the worker has read; its records up to there are in this reply or before. */
export type FromWorker =
  | { type: 'batch'; upTo: number; reports: number[]; items: ShardItem[]; bytes: Uint8Array }
  | { type: 'resolved'; ref: number; item: ShardItem; bytes: Uint8Array }
  | { type: 'end'; upTo: number; reports: number[]; items: ShardItem[]; bytes: Uint8Array; stats: EngineStats; untracked: UntrackedServer[]; capture: CaptureResult | null }
  | { type: 'error'; message: string };
