// replayCapture: recorded pace × speed, ticks while nothing flows, Ctrl-C (AbortSignal),
// a bounded queue on a large file, and the same problems as readCapture.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { PcapngWriter } from '../src/capture/pcapng-writer.js';
import { REPLAY_LOW_WATER, replayCapture } from '../src/capture/replay.js';
import type { Packet } from '../src/capture/packet.js';

const T0 = 1700000000;

/** A pcapng file with packets at the given offsets (seconds) from T0. */
function captureAt(path: string, offsets: number[], size = 60): void {
  const w = PcapngWriter.toFile(path);
  offsets.forEach((off, i) => {
    const sec = T0 + Math.floor(off);
    const nsec = Math.round((off - Math.floor(off)) * 1e9);
    w.write({ tsSec: sec, tsNsec: nsec, origLen: size, linkType: 1, data: Uint8Array.from({ length: size }, (_, j) => (i + j) & 0xff) });
  });
  w.close();
}

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hsi-replay-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('replay', () => {
  const PACE_CASES: { speed: number; offsets: number[] }[] = [
    { speed: 4, offsets: [0, 0.1, 0.5, 0.5, 1.0] },
    { speed: 10, offsets: [0, 1, 1.5, 3] },
  ];
  for (const c of PACE_CASES) {
    it(`emits packets at their recorded pace × ${c.speed}, ticks every 0.25 s of capture time`, async () => {
      const path = join(dir, `pace-${c.speed}.pcapng`);
      captureAt(path, c.offsets);
      const events: { kind: 'packet' | 'tick'; t: number; wall: number; frame?: number; data?: Uint8Array }[] = [];
      const start = performance.now();
      const result = await replayCapture(path, c.speed, (p: Packet) => events.push({ kind: 'packet', t: p.tsSec + p.tsNsec / 1e9, wall: performance.now() - start, frame: p.frame, data: p.data }), {
        onTick: (t) => events.push({ kind: 'tick', t, wall: performance.now() - start }),
      });
      assert.deepEqual(result.stats.problems, []);
      const packets = events.filter((e) => e.kind === 'packet');
      assert.deepEqual(packets.map((e) => e.frame), c.offsets.map((_, i) => i + 1));
      // Data handed to the callback is a copy: still intact after the replay.
      packets.forEach((e, i) => assert.equal(e.data![0], i & 0xff));
      const last = c.offsets[c.offsets.length - 1]!;
      const ticks = events.filter((e) => e.kind === 'tick');
      assert.deepEqual(ticks.map((e) => Math.round((e.t - T0) * 1000)), Array.from({ length: Math.floor(last / 0.25) }, (_, i) => (i + 1) * 250));
      // Capture time never goes backwards across ticks and packets.
      for (let i = 1; i < events.length; i++) assert.ok(events[i]!.t >= events[i - 1]!.t - 1e-9, `event ${i}`);
      for (const e of events) {
        const due = ((e.t - T0) * 1000) / c.speed;
        assert.ok(e.wall >= due - 2, `${e.kind} at capture +${(e.t - T0).toFixed(3)} s came early: ${e.wall.toFixed(1)} ms < ${due.toFixed(1)} ms`);
        assert.ok(e.wall <= due + 150, `${e.kind} at capture +${(e.t - T0).toFixed(3)} s came late: ${e.wall.toFixed(1)} ms > ${due.toFixed(1)} ms`);
      }
    });
  }

  it('Ctrl-C (AbortSignal) stops a slow replay promptly, keeping what was emitted', async () => {
    const path = join(dir, 'slow.pcapng');
    captureAt(path, [0, 0.05, 5, 10]);
    const ac = new AbortController();
    const frames: number[] = [];
    const start = performance.now();
    setTimeout(() => ac.abort(), 200);
    const result = await replayCapture(path, 1, (p) => frames.push(p.frame), { signal: ac.signal, onTick: () => {} });
    const took = performance.now() - start;
    assert.deepEqual(frames, [1, 2]);
    assert.ok(took < 1000, `took ${took} ms`);
    assert.equal(result.stats.aborted, true);
    assert.equal(result.stats.stoppedEarly, true);
  });

  it('a large file is read chunk by chunk: the queue stays bounded, every packet is emitted in order', async () => {
    const path = join(dir, 'many.pcapng');
    const n = 20000;
    captureAt(path, Array.from({ length: n }, (_, i) => i * 1e-5), 100);
    let expected = 1;
    let ok = true;
    const result = await replayCapture(path, 1, (p) => {
      if (p.frame !== expected++) ok = false;
    });
    assert.ok(ok);
    assert.equal(expected - 1, n);
    assert.equal(result.stats.packets, n);
    // ~2000 EPBs of 100 bytes fit one 256 KiB read; the whole file is 20000.
    assert.ok(result.maxQueued < 2500 + REPLAY_LOW_WATER, `maxQueued ${result.maxQueued}`);
    assert.ok(result.maxQueued > REPLAY_LOW_WATER);
  });

  it('gzip input, problems and bad arguments behave as in readCapture', async () => {
    const path = join(dir, 'gz.pcapng');
    captureAt(path, [0, 0.01, 0.02]);
    const gz = join(dir, 'gz.pcapng.gz');
    writeFileSync(gz, gzipSync(readFileSync(path)));
    let count = 0;
    const r = await replayCapture(gz, 100, () => count++);
    assert.equal(r.compressed, true);
    assert.equal(count, 3);

    const missing = await replayCapture(join(dir, 'nope.pcap'), 1, () => {});
    assert.deepEqual(missing.stats.problems.map((p) => p.message), [`cannot open ${join(dir, 'nope.pcap')}: no such file`]);

    const cut = join(dir, 'cut.pcapng');
    writeFileSync(cut, readFileSync(path).subarray(0, readFileSync(path).length - 10));
    const c = await replayCapture(cut, 100, () => {});
    assert.equal(c.stats.packets, 2);
    assert.equal(c.stats.cutShort, true);

    for (const bad of [0, -1, Number.NaN, Infinity]) await assert.rejects(replayCapture(path, bad, () => {}), RangeError);
    await assert.rejects(replayCapture(path, 1, () => {}, { tickInterval: 0 }), RangeError);
  });
});
