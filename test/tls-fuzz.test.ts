// Seeded fuzzing: thousands of mutated ClientHellos and handshake streams through the
// decoders and the tracker. Nothing may throw; every answer is ok / incomplete / invalid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers/paths.js';
import { frameRecord } from '../src/tls/record.js';
import { decodeClientHello, decodeServerHello, decodeSslv2ClientHello } from '../src/tls/hello.js';
import { decodeCertificate, decodeCertificateRequest, decodeServerKeyExchange } from '../src/tls/messages.js';
import { ja3, ja4 } from '../src/tls/fingerprint.js';
import { tlsJson } from '../src/tls/json.js';
import { loadStreams, replay, type StreamEvent } from './fixtures/tls-replay.js';

/** mulberry32: a small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  let b = src.slice();
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const op = Math.floor(rnd() * 5);
    const at = Math.floor(rnd() * Math.max(1, b.length));
    if (op === 0) b[at] = Math.floor(rnd() * 256); // random byte
    else if (op === 1) b[at] = b[at]! ^ (1 << Math.floor(rnd() * 8)); // bit flip
    else if (op === 2) b = b.slice(0, at); // truncate
    else if (op === 3) { b[at] = 0xff; if (at + 1 < b.length) b[at + 1] = 0xff; } // lying length
    else { const ins = new Uint8Array(Math.floor(rnd() * 8)).map(() => Math.floor(rnd() * 256)); b = new Uint8Array([...b.subarray(0, at), ...ins, ...b.subarray(at)]); }
  }
  return b;
}

const hellos: Uint8Array[] = (JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'tls-ja4-hellos.json'), 'utf8')) as { hex: string }[])
  .slice(0, 40)
  .map((c) => {
    const b = new Uint8Array(Buffer.from(c.hex, 'hex'));
    const r = frameRecord(b);
    assert.equal(r.status, 'ok');
    return r.status === 'ok' ? r.value.fragment.slice(4) : new Uint8Array(0);
  });

test('5000 mutated ClientHellos: decoders and fingerprints never throw', () => {
  const rnd = prng(0x5eed);
  const seen = { ok: 0, invalid: 0 };
  for (let i = 0; i < 5000; i++) {
    const b = mutate(hellos[i % hellos.length]!, rnd);
    const r = decodeClientHello(b);
    assert.notEqual(r.status, 'incomplete');
    if (r.status === 'ok') {
      seen.ok++;
      ja4(r.value);
      ja3(r.value);
    } else if (r.status === 'invalid') {
      seen.invalid++;
      assert.ok(r.error.path.length > 0);
      assert.notEqual(r.error.path[0], '<internal>', `decoder fault: ${r.error.message}`);
    }
    decodeServerHello(b);
    decodeSslv2ClientHello(b);
    decodeCertificate(b, i % 2 === 0);
    decodeCertificateRequest(b, 0x0303, i % 2 === 0);
    decodeServerKeyExchange(b, { keyExchange: i % 2 ? 'ECDHE' : 'DHE', authentication: 'RSA', version: 0x0303 });
  }
  assert.ok(seen.ok > 100 && seen.invalid > 100, JSON.stringify(seen));
});

test('2000 mutated handshake streams through the tracker: never a throw, output always serialisable', () => {
  const rnd = prng(0xbadc0de);
  const sources = ['tls12-full', 'tls13-full', 'tls13-hrr', 'tls12-client-cert-required', 'tls13-cert-rejected'].map((n) => loadStreams(n)[0]!.events);
  for (let i = 0; i < 2000; i++) {
    const ev = sources[i % sources.length]!;
    const k = Math.floor(rnd() * ev.length);
    const mutated: StreamEvent[] = ev.map((e, j) =>
      j === k && e.kind === 'data' ? { ...e, hex: Buffer.from(mutate(new Uint8Array(Buffer.from(e.hex!, 'hex')), rnd)).toString('hex') } : e,
    ).filter((e) => e.kind !== 'data' || e.hex!.length > 0);
    const r = replay(mutated, 1 + Math.floor(rnd() * 64));
    JSON.stringify(tlsJson(r.tracker.state));
    for (const m of r.tracker.state.malformed) assert.notEqual(m.error.path[0], '<internal>', `decoder fault: ${m.error.message}`);
  }
});

test('random bytes as record streams: the framer answers, never throws', () => {
  const rnd = prng(42);
  for (let i = 0; i < 3000; i++) {
    const b = new Uint8Array(Math.floor(rnd() * 40)).map(() => Math.floor(rnd() * 256));
    if (i % 3 === 0 && b.length > 2) { b[0] = 0x16; b[1] = 0x03; }
    const r = frameRecord(b, 0, { allowSslv2: i % 2 === 0 });
    assert.ok(['ok', 'incomplete', 'invalid'].includes(r.status));
  }
});
