// The byte buffer behind the NDJSON batch, the report spool and a worker's reply: text and
// bytes come back in order, UTF-8 encoded, across growth, clear and take.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBuffer, utf8Bound } from '../src/report/bytes.js';

test('appends strings and bytes in order, growing as needed; clear keeps, take hands over', () => {
  const b = new ByteBuffer(8);
  const parts: (string | Uint8Array)[] = ['{"a":1}\n', Buffer.from('é→≥ '), 'x'.repeat(100), new Uint8Array([0x41, 0x42]), '\u{1F600}'];
  const starts = parts.map((p) => b.append(p));
  const want = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
  assert.deepEqual(Buffer.from(b.bytes()), want);
  assert.equal(starts[1], 8, 'where each piece starts');
  assert.equal(b.used, want.length);
  for (const p of parts) assert.ok(utf8Bound(p) >= (typeof p === 'string' ? Buffer.byteLength(p) : p.length));
  const taken = b.take();
  b.append('next');
  assert.deepEqual(Buffer.from(taken), want, 'what was taken is not overwritten by later appends');
  b.clear();
  assert.equal(b.used, 0);
  b.append('again');
  assert.equal(Buffer.from(b.bytes()).toString(), 'again');
});
