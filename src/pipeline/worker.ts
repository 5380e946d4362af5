// A `--jobs` worker: it reads the whole capture and its Analyzer keeps the worker's share
// of the flows (net/route.ts): nothing but records crosses between threads, and the
// engine, seeing every packet's time, sweeps idle flows where one engine would. Each
// finished connection goes back as record text with its place in the output (shard.ts
// OrderKey). What needs the whole capture stays with the main thread: connection ids,
// the knowledge about servers, the summary and the groups.

import { parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_MAX_EMBRYONIC } from '../engine/embryonic.js';
import type { Connection } from '../engine/connection.js';
import type { Lesson } from '../diagnose/knowledge.js';
import { analysisSettings } from '../cli/setup.js';
import { recordJson, type ConnectionRecord } from '../report/record.js';
import { COLOR, PLAIN } from '../report/style.js';
import { renderRecord } from '../report/text.js';
import { ByteBuffer } from '../report/bytes.js';
import { Analyzer, type Deferred } from './analyzer.js';
import { readCapture } from '../capture/source.js';
import { packetOwner } from '../net/route.js';
import { END_FRAME, MAX_AHEAD, slimRecord, type FromWorker, type OrderKey, type ShardItem, type ToWorker, type WorkerSetup } from './shard.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const style = setup.color ? COLOR : PLAIN;

/** The frame being read, and a count for ties within it. */
let frame = 0;
let counter = 0;
let reports: number[] = [];
let items: ShardItem[] = [];
/** Ended connections not sent yet: their place, and what they teach about their server. */
const ended = new Map<Connection, { key: OrderKey; lesson: Lesson | null }>();
const deferred = new Map<number, Deferred>();
let nextRef = 0;

/** The UTF-8 text of the records of the reply being made. */
const bytes = new ByteBuffer();

function itemOf(conn: Connection, rec: ConnectionRecord | null, ref: number, server: ShardItem['server']): ShardItem {
  const { key, lesson } = ended.get(conn)!;
  if (rec) ended.delete(conn);
  let start = -1;
  let end = -1;
  let idAt = 0;
  if (rec && !(setup.onlyFailed && rec.outcome === 'completed')) {
    let text: string;
    if (setup.output === 'json') {
      text = recordJson(rec) + '\n';
      idAt = 6; // {"id":N
    } else {
      text = renderRecord(rec, style) + '\n\n';
      const at = text.indexOf(`#${rec.id}`) + 1;
      idAt = Buffer.byteLength(text.slice(0, at));
    }
    start = bytes.append(text);
    end = bytes.used;
  }
  return { key, id: conn.id, firstFrame: conn.firstFrame, lesson, start, end, idAt, idLen: String(conn.id).length, slim: rec ? slimRecord(rec) : null, ref, server };
}

/** Resolved deferred connections report here: the record goes back on its own. */
let resolving: number | null = null;
const { warnings: _warnings, ...settings } = analysisSettings(setup.args);
const analyzer = new Analyzer({
  ...settings,
  keepPackets: false,
  onRecord: (rec, conn) => {
    const item = itemOf(conn, rec, 0, null);
    if (resolving !== null) post({ type: 'resolved', ref: resolving, item, bytes: bytes.take() });
    else items.push(item);
  },
  shard: {
    owns: (r, seg) => packetOwner(r, seg, setup.jobs) === setup.index,
    maxEmbryonic: Math.ceil(DEFAULT_MAX_EMBRYONIC / setup.jobs),
    onReported: (c, f) => {
      reports.push(c.id, f);
    },
    onEnded: (c) => {
      // timeouts end in the sweep after the frame's packet, the rest at the end of input or during the packet
      let key: OrderKey;
      if (c.endReason === 'timeout') key = c.transport === 'udp' ? [frame, 1, 0, counter++] : [frame, 1, 1, c.firstFrame];
      else if (c.endReason === 'end-of-input') key = [END_FRAME, 2, 0, c.firstFrame];
      else key = [frame, 0, 0, counter++];
      ended.set(c, { key, lesson: null });
    },
    onLesson: (c, lesson) => {
      ended.get(c)!.lesson = lesson;
    },
    onDeferred: (d) => {
      const ref = ++nextRef;
      deferred.set(ref, d);
      items.push(itemOf(d.conn, null, ref, d.server));
    },
  },
});

function post(m: FromWorker): void {
  port.postMessage(m, 'bytes' in m ? [m.bytes.buffer as ArrayBuffer] : []);
}

function take(): { reports: number[]; items: ShardItem[]; bytes: Uint8Array } {
  const out = { reports, items, bytes: bytes.take() };
  reports = [];
  items = [];
  return out;
}

function onPacket(p: Parameters<Analyzer['packet']>[0]): void {
  frame = p.frame;
  analyzer.packet(p);
}

/** The main thread has placed every record up to this frame. */
let placed = 0;
let wake: (() => void) | null = null;
/** The last frame of the latest replies sent (MAX_AHEAD + 1), to wait when too far ahead of the main thread. */
const sentUpTo: number[] = [];
const abort = new AbortController();

async function afterChunk(): Promise<void> {
  await analyzer.drain();
  post({ type: 'batch', upTo: frame, ...take() });
  sentUpTo.push(frame);
  if (sentUpTo.length > MAX_AHEAD + 1) sentUpTo.shift();
  // bounded memory in the main thread: at most MAX_AHEAD replies past what it could place
  while (sentUpTo.length > MAX_AHEAD && sentUpTo[0]! > placed && !abort.signal.aborted) {
    await new Promise<void>((resolve) => (wake = resolve));
  }
}

async function run(): Promise<void> {
  const result = await readCapture(setup.path, onPacket, {
    onSecrets: (type, data) => analyzer.secrets(type, data),
    signal: abort.signal,
    afterChunk,
  });
  await analyzer.end();
  post({ type: 'end', upTo: END_FRAME, ...take(), stats: analyzer.stats, untracked: analyzer.engine.untracked.list(), capture: setup.index === 0 ? result : null });
}

port.on('message', (m: ToWorker) => {
  try {
    switch (m.type) {
      case 'resolve': {
        const d = deferred.get(m.ref)!;
        deferred.delete(m.ref);
        resolving = m.ref;
        try {
          analyzer.resume(d, m.id, m.slice);
        } finally {
          resolving = null;
        }
        return;
      }
      case 'placed':
        placed = m.upTo;
        break;
      case 'abort':
        abort.abort();
        break;
      case 'close':
        port.close();
        return;
    }
    const w = wake;
    wake = null;
    w?.();
  } catch (e) {
    fail(e);
  }
});

function fail(e: unknown): void {
  post({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

run().catch(fail);
