// The human report's spool: blocks come back in order and whole, whether they stayed in
// memory or went through the temporary file, and the file leaves nothing behind.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Spool } from '../src/report/spool.js';

const text = (parts: Iterable<string | Uint8Array>) => Buffer.concat([...parts].map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString('utf8');

describe('report spool', () => {
  const blocks = Array.from({ length: 3000 }, (_, i) => `#${i} ${'é→'.repeat(i % 50)} block\n\n`);
  for (const memory of [1 << 30, 4096, 1]) {
    it(`${memory === 1 << 30 ? 'in memory' : `spilling past ${memory} bytes`}: the same text, in order`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'hsi-spool-test-'));
      const s = new Spool(memory, dir);
      for (const b of blocks) s.add(b);
      assert.equal(readdirSync(dir).length, 0, 'no file left in the directory, even while spooling');
      if (memory < 1 << 30) assert.ok(s.spilled > 0);
      assert.equal(text(s.drain()), blocks.join(''));
      assert.equal(text(s.drain()), '', 'drained once');
    });
  }
});
