// Outputs that survive weeks: the record file rotated by size or reopened after a rename
// (logrotate) without a line cut, lost or written twice; the failure ring that never holds
// more than its files. Real records and packets from a bundled capture.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCapture } from '../src/capture/source.js';
import type { Packet } from '../src/capture/packet.js';
import { FailureRing, RecordFile } from '../src/service/files.js';
import { analyse } from './helpers/analyse.js';
import { capturesDir } from './helpers/paths.js';

const lines = async (): Promise<string[]> => (await analyse(join(capturesDir, 'demo.pcapng'))).map((r) => JSON.stringify(r) + '\n');
const write = (f: RecordFile, s: string) => new Promise<void>((r, j) => f.write(s, (e) => (e ? j(e) : r())));
const end = (f: RecordFile) => new Promise<void>((r) => f.end(r));

describe('record file', () => {
  it('rotates by size between lines: FILE, FILE.1 … FILE.5 hold every line once, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hsi-rot-'));
    const path = join(dir, 'records.ndjson');
    const f = new RecordFile(path, { rotateBytes: 12_000, keep: 5 });
    const all = await lines();
    const written: string[] = [];
    for (let i = 0; i < 3; i++) for (const l of all) {
      await write(f, l);
      written.push(l);
    }
    await end(f);
    const files = [5, 4, 3, 2, 1].map((i) => `${path}.${i}`).filter(existsSync);
    assert.ok(f.rotations >= 2, `${f.rotations} rotations`);
    const back = [...files, path].flatMap((p) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((x) => x + '\n'));
    // the oldest may have been dropped past keep: what is left is the tail, each line whole
    assert.deepEqual(back, written.slice(written.length - back.length));
    for (const p of [...files, path]) assert.ok(statSync(p).size <= 12_000 + Math.max(...all.map((l) => Buffer.byteLength(l))), p);
    for (const l of back) JSON.parse(l);
  });
  it('reopen() after the file was renamed (logrotate): the old name gets the lines before, the new file those after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hsi-hup-'));
    const path = join(dir, 'hsi.log');
    const f = new RecordFile(path);
    const all = await lines();
    const half = Math.floor(all.length / 2);
    for (const l of all.slice(0, half)) await write(f, l);
    renameSync(path, `${path}.1`);
    await write(f, all[half]!); // still to the renamed file until the signal
    f.reopen();
    for (const l of all.slice(half + 1)) await write(f, l);
    await end(f);
    assert.equal(readFileSync(`${path}.1`, 'utf8'), all.slice(0, half + 1).join(''));
    assert.equal(readFileSync(path, 'utf8'), all.slice(half + 1).join(''));
    assert.equal(f.reopens, 1);
  });
});

describe('failure ring', () => {
  it('never holds more than its files, each about its size; continues numbering after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hsi-ring-'));
    const packets: Packet[] = [];
    await readCapture(join(capturesDir, 'demo.pcapng'), (p) => packets.push({ ...p, data: p.data.slice() }));
    const ring = new FailureRing(dir, { fileBytes: 8_000, files: 3 });
    for (let round = 0; round < 5; round++) {
      for (let c = 0; c < 4; c++) {
        const w = ring.next();
        for (const p of packets.slice(c * 30, c * 30 + 30)) w.write(p);
        assert.ok(readdirSync(dir).length <= 3, `at most 3 files: ${readdirSync(dir).join(', ')}`);
      }
    }
    ring.close();
    const names = readdirSync(dir).sort();
    assert.equal(names.length, 3);
    assert.ok(names.every((n) => /^hsi-failures-\d{5}\.pcapng$/.test(n)));
    const again = new FailureRing(dir, { fileBytes: 8_000, files: 3 });
    again.next().write(packets[0]!);
    again.close();
    const after = readdirSync(dir).sort();
    assert.equal(after.length, 3);
    assert.ok(after.at(-1)! > names.at(-1)!, 'numbering continues');
  });
});
