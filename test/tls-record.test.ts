// Record framer and handshake defragmenter: strict prefixes are "incomplete" (never a
// throw), byte-at-a-time feeding equals whole feeding, lying lengths are "invalid".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameRecord, MAX_RECORD_LENGTH } from '../src/tls/record.js';
import { frameHandshake, HandshakeAssembler, MAX_HANDSHAKE_MESSAGE } from '../src/tls/handshake.js';
import { loadStreams } from './fixtures/tls-replay.js';

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** The server's first flight of a real TLS 1.2 handshake (several records in one segment). */
function serverFlight12(): Uint8Array {
  const ev = loadStreams('tls12-full')[0]!.events.find((e) => e.from === 'server' && e.kind === 'data')!;
  return h(ev.hex!);
}

function frameAll(buf: Uint8Array): { type: number; length: number }[] {
  const out: { type: number; length: number }[] = [];
  let off = 0;
  for (;;) {
    const r = frameRecord(buf, off);
    if (r.status !== 'ok') break;
    out.push({ type: r.value.contentType, length: r.value.fragment.length });
    off += r.size;
  }
  return out;
}

test('record framer: every strict prefix of a record is incomplete with the right need', () => {
  const rec = h('16 03 01 00 05 0e 00 00 00 ff');
  for (let n = 0; n < rec.length; n++) {
    const r = frameRecord(rec.subarray(0, n));
    assert.equal(r.status, 'incomplete', `prefix ${n}`);
    if (r.status === 'incomplete') assert.equal(r.needed, n < 5 ? 5 - n : 10 - n, `need at prefix ${n}`);
  }
  const whole = frameRecord(rec);
  assert.equal(whole.status, 'ok');
  if (whole.status === 'ok') {
    assert.equal(whole.size, 10);
    assert.equal(whole.value.contentType, 22);
    assert.equal(whole.value.version, 0x0301);
    assert.deepEqual([...whole.value.fragment], [0x0e, 0, 0, 0, 0xff]);
  }
});

test('record framer: several records per segment, and unknown content types kept', () => {
  const buf = h('16 03 03 00 01 aa   14 03 03 00 01 01   63 03 03 00 00   17 03 03 00 02 bb cc');
  assert.deepEqual(frameAll(buf), [
    { type: 22, length: 1 }, { type: 20, length: 1 }, { type: 0x63, length: 0 }, { type: 23, length: 2 },
  ]);
  const flight = serverFlight12();
  const recs = frameAll(flight);
  assert.ok(recs.length >= 1);
  assert.equal(recs.reduce((a, r) => a + r.length + 5, 0), flight.length, 'the real flight is exactly a sequence of records');
});

test('record framer: corrupted headers and lying lengths are invalid, never a throw', () => {
  const table: [string, string][] = [
    ['47 45 54 20 2f', 'HTTP GET'],
    ['16 02 01 00 05', 'major version 2'],
    ['16 03 03 48 01', 'length over 2^14+2048'],
    ['16 03 03 ff ff', 'length 65535'],
    ['53 53 48 2d 32', 'SSH banner'],
  ];
  for (const [bytes, what] of table) {
    const r = frameRecord(h(bytes));
    assert.equal(r.status, 'invalid', what);
  }
  const atLimit = new Uint8Array(5 + MAX_RECORD_LENGTH);
  atLimit.set([23, 3, 3, MAX_RECORD_LENGTH >> 8, MAX_RECORD_LENGTH & 0xff]);
  assert.equal(frameRecord(atLimit).status, 'ok');
});

test('record framer: SSLv2 ClientHello form only where allowed', () => {
  // 0x80|len, len, CLIENT-HELLO, version 3.1, spec len 3, sid 0, challenge 16, spec 0x00002f, challenge
  const body = '01 0301 0003 0000 0010 00002f' + '11'.repeat(16);
  const rec = h(`80 ${(body.replace(/\s/g, '').length / 2).toString(16)} ${body}`);
  assert.equal(frameRecord(rec).status, 'invalid');
  const r = frameRecord(rec, 0, { allowSslv2: true });
  assert.equal(r.status, 'ok');
  if (r.status === 'ok') {
    assert.equal(r.value.sslv2, true);
    assert.equal(r.value.fragment[0], 1);
    assert.equal(r.size, rec.length);
  }
  for (let n = 0; n < rec.length; n++) assert.equal(frameRecord(rec.subarray(0, n), 0, { allowSslv2: true }).status, 'incomplete', `prefix ${n}`);
});

test('handshake framer: prefixes incomplete, over-cap lengths invalid', () => {
  const msg = h('02 00 00 03 aa bb cc');
  for (let n = 0; n < msg.length; n++) assert.equal(frameHandshake(msg.subarray(0, n)).status, 'incomplete');
  const ok = frameHandshake(msg);
  assert.equal(ok.status, 'ok');
  const huge = h('0b ff ff ff 00');
  const r = frameHandshake(huge);
  assert.equal(r.status, 'invalid');
  if (r.status === 'invalid') assert.equal(r.error.kind, 'too-large');
  assert.equal(frameHandshake(h('0b 01 00 01'), 0, MAX_HANDSHAKE_MESSAGE).status, 'invalid');
});

interface Got { type: number; len: number; first: number; frame: number }

function assemble(fragments: { bytes: Uint8Array; frame: number }[]): { msgs: Got[]; error: boolean } {
  const asm = new HandshakeAssembler();
  const msgs: Got[] = [];
  let error = false;
  for (const f of fragments) {
    const out = asm.push(f.bytes, { firstFrame: f.frame, frame: f.frame, time: 0 });
    for (const m of out.messages) msgs.push({ type: m.type, len: m.body.length, first: m.firstFrame, frame: m.frame });
    if (out.error) error = true;
  }
  return { msgs, error };
}

test('defragmenter: several messages per record, one message over several records, frames attributed', () => {
  const two = h('0e 00 00 00   02 00 00 02 01 02');
  assert.deepEqual(assemble([{ bytes: two, frame: 5 }]).msgs, [
    { type: 14, len: 0, first: 5, frame: 5 }, { type: 2, len: 2, first: 5, frame: 5 },
  ]);
  const split = [
    { bytes: h('0b 00 00 06 01'), frame: 7 },
    { bytes: h('02 03'), frame: 8 },
    { bytes: h('04 05 06  0e 00'), frame: 9 },
    { bytes: h('00 00'), frame: 10 },
  ];
  assert.deepEqual(assemble(split).msgs, [
    { type: 11, len: 6, first: 7, frame: 9 }, { type: 14, len: 0, first: 9, frame: 10 },
  ]);
});

test('defragmenter: 1, 2 and 7 bytes at a time give the same messages as whole records', () => {
  const flight = serverFlight12();
  const payloads: Uint8Array[] = [];
  for (let off = 0; ;) {
    const r = frameRecord(flight, off);
    if (r.status !== 'ok') break;
    if (r.value.contentType === 22) payloads.push(r.value.fragment);
    off += r.size;
  }
  const joined = Buffer.concat(payloads);
  const whole = assemble([{ bytes: new Uint8Array(joined), frame: 1 }]).msgs.map((m) => [m.type, m.len]);
  assert.ok(whole.length >= 3, 'ServerHello, Certificate, ... in the flight');
  for (const step of [1, 2, 7]) {
    const frags = [];
    for (let i = 0; i < joined.length; i += step) frags.push({ bytes: new Uint8Array(joined.subarray(i, i + step)), frame: 1 });
    assert.deepEqual(assemble(frags).msgs.map((m) => [m.type, m.len]), whole, `step ${step}`);
  }
});

test('defragmenter: a lying length turns it invalid for good (absorbing state)', () => {
  const asm = new HandshakeAssembler(1024);
  const out = asm.push(h('0b 00 10 00 00'), { firstFrame: 1, frame: 1, time: 0 });
  assert.ok(out.error);
  assert.equal(out.error!.kind, 'too-large');
  const after = asm.push(h('0e 00 00 00'), { firstFrame: 2, frame: 2, time: 0 });
  assert.deepEqual(after.messages, []);
  assert.ok(asm.error);
});
