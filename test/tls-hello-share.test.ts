// Identical hellos are decoded once (tls/hello.ts): a hello whose bytes differ from one
// seen before only in its random, session id, key share values, ticket, cookie or ECH
// payload is that decoding with its own values. On every real ClientHello of the JA4
// corpus fixture and every ServerHello of the bundled captures: the shared decoding
// equals a decoding on its own, byte changes where the key looks land in another entry,
// and prefixes decode as they would alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers/paths.js';
import { frameRecord } from '../src/tls/record.js';
import { HandshakeAssembler } from '../src/tls/handshake.js';
import { clientHelloShareKey, decodeClientHello, decodeClientHelloAlone, decodeServerHello, decodeServerHelloAlone } from '../src/tls/hello.js';
import { readCapture } from '../src/capture/source.js';
import { decodePacket, Skip, TcpSegment } from '../src/net/decode.js';
import { capturesDir } from './helpers/paths.js';
import { readdirSync } from 'node:fs';

const cases: { file: string; stream: number; hex: string }[] = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'tls-ja4-hellos.json'), 'utf8'));

/** Every ClientHello body of a client byte stream. */
function helloBodies(bytes: Uint8Array): Uint8Array[] {
  const asm = new HandshakeAssembler();
  const out: Uint8Array[] = [];
  for (let off = 0; ; ) {
    const r = frameRecord(bytes, off);
    if (r.status !== 'ok') break;
    off += r.size;
    if (r.value.contentType !== 22) continue;
    for (const m of asm.push(r.value.fragment, { firstFrame: 0, frame: 0, time: 0 }).messages) if (m.type === 1) out.push(m.body.slice());
  }
  return out;
}

/** Where the per-connection parts of a hello body are: [start, end) ranges. */
function volatileRanges(b: Uint8Array, client = true): [number, number][] {
  const sid = b[34]!;
  const out: [number, number][] = [[2, client ? 34 : 26], [35, 35 + sid]];
  let p = 35 + sid;
  if (client) {
    p += 2 + ((b[p]! << 8) | b[p + 1]!);
    p += 1 + b[p]!;
  } else p += 3;
  if (p + 2 > b.length) return out;
  p += 2;
  while (p + 4 <= b.length) {
    const type = (b[p]! << 8) | b[p + 1]!;
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    const start = p + 4;
    if (type === 0x0033 && !client && len > 2) out.push([start + 4, start + len]);
    else if (type === 0x0033 && client) {
      for (let q = start + 2; q + 4 <= start + len; ) {
        const kl = (b[q + 2]! << 8) | b[q + 3]!;
        out.push([q + 4, q + 4 + kl]);
        q += 4 + kl;
      }
    } else if (type === 0x0023 || type === 0x002c) out.push([start, start + len]);
    else if (type === 0xfe0d && len > 1) out.push([start + 1, start + len]);
    p = start + len;
  }
  return out;
}

const bodies = cases.flatMap((c) => helloBodies(Buffer.from(c.hex, 'hex')).map((body, i) => ({ name: `${c.file}#${c.stream}.${i}`, body })));

test('the fixture gives real hellos to share', () => {
  assert.ok(bodies.length >= 100, `${bodies.length} hellos`);
  const shared = bodies.filter((b) => {
    decodeClientHello(b.body);
    const again = decodeClientHello(b.body);
    return again.status === 'ok' && clientHelloShareKey(again.value) !== undefined;
  });
  assert.ok(shared.length >= bodies.length * 0.8, `${shared.length} of ${bodies.length} shareable`);
});

for (const { name, body } of bodies) {
  test(`shared decoding = decoding alone: ${name}`, () => {
    const first = decodeClientHello(body);
    assert.deepEqual(first, decodeClientHelloAlone(body));
    // The same hello from another connection: every per-connection byte changed.
    const other = Buffer.from(body);
    for (const [s, e] of volatileRanges(body)) for (let i = s; i < e; i++) other[i] ^= 0x5a;
    const second = decodeClientHello(other);
    assert.deepEqual(second, decodeClientHelloAlone(other));
    if (first.status === 'ok' && second.status === 'ok') {
      assert.notDeepEqual(second.value.random, first.value.random);
      const key = clientHelloShareKey(first.value);
      if (key !== undefined) assert.equal(clientHelloShareKey(second.value), key, 'the same entry');
      // A byte the key covers (the first cipher suite): another entry.
      const sid = body[34]!;
      const suite = Buffer.from(other);
      suite[35 + sid + 2] ^= 0x01;
      const third = decodeClientHello(suite);
      assert.deepEqual(third, decodeClientHelloAlone(suite));
      if (key !== undefined && third.status === 'ok') assert.notEqual(clientHelloShareKey(third.value), key);
    }
  });
}

test('strict prefixes of a shared hello decode as they would alone', () => {
  const { body } = bodies.find((b) => b.body.length > 200)!;
  decodeClientHello(body);
  for (let n = 0; n < body.length; n++) {
    const cut = body.subarray(0, n);
    assert.deepEqual(decodeClientHello(cut), decodeClientHelloAlone(cut), `prefix ${n}`);
  }
});

test('a hello with a decoding issue is never shared', () => {
  const { body } = bodies.find((b) => b.body.length > 200)!;
  // The extensions block claims one byte less than it has: trailing data, an issue.
  const bad = Buffer.from(body);
  const sid = bad[34]!;
  let p = 35 + sid;
  p += 2 + bad.readUInt16BE(p);
  p += 1 + bad[p]!;
  bad.writeUInt16BE(bad.readUInt16BE(p) - 1, p);
  for (let i = 0; i < 2; i++) {
    const r = decodeClientHello(bad);
    assert.deepEqual(r, decodeClientHelloAlone(bad));
    if (r.status === 'ok') assert.equal(clientHelloShareKey(r.value), undefined);
  }
});

/** The first ServerHello body of each TLS connection in a capture (from a single segment). */
async function serverHellos(file: string): Promise<Uint8Array[]> {
  const seg = new TcpSegment();
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  await readCapture(file, (p) => {
    if (decodePacket(p.linkType, p.data, seg, null, p.frame, p.tsSec) !== Skip.None) return;
    const d = seg.payload;
    if (d.length < 9 || d[0] !== 22 || d[1] !== 3 || d[5] !== 2) return;
    const flow = `${seg.srcPort}-${seg.dstPort}-${p.frame}`;
    if (seen.has(flow)) return;
    seen.add(flow);
    const len = (d[6]! << 16) | (d[7]! << 8) | d[8]!;
    if (9 + len <= d.length) out.push(d.slice(9, 9 + len));
  });
  return out;
}

test('shared ServerHello decoding = decoding alone, on every ServerHello of the bundled captures', async () => {
  const files = readdirSync(capturesDir).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f));
  let hellos = 0;
  let shared = 0;
  for (const f of files) {
    for (const body of await serverHellos(join(capturesDir, f))) {
      hellos++;
      const first = decodeServerHello(body);
      assert.deepEqual(first, decodeServerHelloAlone(body), f);
      const other = Uint8Array.from(body);
      for (const [s, e] of volatileRanges(body, false)) for (let i = s; i < e; i++) other[i] ^= 0x5a;
      const second = decodeServerHello(other);
      assert.deepEqual(second, decodeServerHelloAlone(other), `${f}: another connection's ServerHello`);
      if (first.status === 'ok' && second.status === 'ok' && first.value.issues.length === 0) shared++;
      // the cipher suite is covered by the key
      const sid = body[34]!;
      const suite = Uint8Array.from(other);
      suite[35 + sid + 1] ^= 0x01;
      assert.deepEqual(decodeServerHello(suite), decodeServerHelloAlone(suite), `${f}: another suite`);
      for (let n = 0; n < body.length; n += 7) assert.deepEqual(decodeServerHello(body.subarray(0, n)), decodeServerHelloAlone(body.subarray(0, n)), `${f}: prefix ${n}`);
    }
  }
  assert.ok(hellos >= 40, `${hellos} ServerHellos`);
  assert.ok(shared >= 30, `${shared} shared`);
});
