// Unit tests of the pure SSH decoders: identification lines, the packet framer, KEXINIT,
// transport and key-exchange messages, host key blobs and fingerprints, detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyPeer, frameLine, parseIdentification, MAX_LINE_BYTES } from '../src/ssh/banner.js';
import { framePacket, frameV1Packet, MAX_PACKET_LENGTH } from '../src/ssh/packet.js';
import { decodeKexInit, kexInitIdentity } from '../src/ssh/kexinit.js';
import { hassh } from '../src/ssh/hassh.js';
import { negotiate } from '../src/ssh/negotiate.js';
import { decodeMessage } from '../src/ssh/messages.js';
import { fingerprintMd5, fingerprintSha256, parseHostKey } from '../src/ssh/hostkey.js';
import { looksLikeSshBanner, sshDetect, sshRoleHint } from '../src/ssh/detect.js';
import { sshAlgorithm, kexFamily, isMarkerName } from '../src/registry/ssh-algorithms.js';
import { disconnectReasonName, sshMessageName } from '../src/registry/ssh-messages.js';
import type { Decoded } from '../src/wire/reader.js';
import { kexinitPayload, packet, rng, sshString, u32 } from './fixtures/ssh-wire.js';
import { sshFixturesDir } from './fixtures/ssh-replay.js';

const captures = join(sshFixturesDir, 'ssh-captures');

/** Feed `bytes` to a framer `step` bytes at a time as a stream would; return the first non-incomplete result. */
function feed<T>(framer: (b: Uint8Array) => Decoded<T>, bytes: Uint8Array, step: number): Decoded<T> {
  let buf = new Uint8Array(0);
  for (let i = 0; i < bytes.length; i += step) {
    const next = new Uint8Array(buf.length + Math.min(step, bytes.length - i));
    next.set(buf, 0);
    next.set(bytes.subarray(i, i + step), buf.length);
    buf = next;
    const r = framer(buf);
    if (r.status !== 'incomplete') return r;
  }
  return framer(buf);
}

/** Every strict prefix is incomplete; 1/2/7-byte feeding gives the whole result. */
function framerContract<T>(name: string, framer: (b: Uint8Array) => Decoded<T>, input: Uint8Array): void {
  const bytes = Uint8Array.from(input); // plain Uint8Array views, as the fed copies are
  const whole = framer(bytes);
  assert.equal(whole.status, 'ok', `${name}: whole message decodes`);
  for (let n = 0; n < bytes.length; n++) {
    const r = framer(bytes.subarray(0, n));
    assert.equal(r.status, 'incomplete', `${name}: prefix of ${n} bytes`);
  }
  for (const step of [1, 2, 7]) assert.deepEqual(feed(framer, bytes, step), whole, `${name}: fed ${step} bytes at a time`);
}

test('identification lines: framing and parsing', () => {
  const cases: { line: string; proto: string; software: string; comments: string | null; protocol: string; anomalies: number }[] = [
    { line: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n', proto: '2.0', software: 'OpenSSH_9.2p1', comments: 'Debian-2+deb12u3', protocol: '2.0', anomalies: 0 },
    { line: 'SSH-1.99-OpenSSH_3.9p1\n', proto: '1.99', software: 'OpenSSH_3.9p1', comments: null, protocol: '1.99', anomalies: 1 },
    { line: 'SSH-1.5-1.2.26\r\n', proto: '1.5', software: '1.2.26', comments: null, protocol: '1.x', anomalies: 0 },
    { line: 'SSH-3.0-Future\r\n', proto: '3.0', software: 'Future', comments: null, protocol: 'other', anomalies: 0 },
    { line: 'SSH-2.0\r\n', proto: '2.0', software: '', comments: null, protocol: '2.0', anomalies: 1 },
    { line: `SSH-2.0-${'x'.repeat(300)}\r\n`, proto: '2.0', software: 'x'.repeat(300), comments: null, protocol: '2.0', anomalies: 1 },
  ];
  for (const c of cases) {
    const bytes = Buffer.from(c.line, 'latin1');
    framerContract(c.line.slice(0, 20), (b) => frameLine(b), bytes);
    const f = frameLine(bytes);
    assert.equal(f.status, 'ok');
    if (f.status !== 'ok') continue;
    assert.equal(f.size, bytes.length);
    const id = parseIdentification(f.value);
    assert.equal(id.raw, c.line.replace(/\r?\n$/, ''));
    assert.equal(id.protoVersion, c.proto);
    assert.equal(id.softwareVersion, c.software);
    assert.equal(id.comments, c.comments);
    assert.equal(id.protocol, c.protocol);
    assert.equal(id.anomalies.length, c.anomalies, c.line.slice(0, 30) + ': ' + id.anomalies.join('; '));
  }
  // Two lines in one buffer: the framer takes the first only.
  const two = frameLine(Buffer.from('Exceeded MaxStartups\r\nSSH-2.0-x\r\n'));
  assert.ok(two.status === 'ok' && two.value.text === 'Exceeded MaxStartups' && two.size === 22);
  // No line end within the limit: invalid, never a throw.
  const long = frameLine(new Uint8Array(MAX_LINE_BYTES).fill(0x41));
  assert.equal(long.status, 'invalid');
  assert.equal(frameLine(new Uint8Array(MAX_LINE_BYTES - 1).fill(0x41)).status, 'incomplete');
});

test('classifyPeer tells what a non-SSH peer sent', () => {
  const cases: [Uint8Array, string][] = [
    [Buffer.from('SSH-2.0-x\r\n'), 'ssh'],
    [Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00]), 'tls'],
    [Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]), 'tls'],
    [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'http-request'],
    [Buffer.from('HTTP/1.1 400 Bad Request\r\n'), 'http-response'],
    [Buffer.from('<!DOCTYPE HTML>\n<html>'), 'html'],
    [Buffer.from('220 mail.example ESMTP\r\n'), 'text'],
    [Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x80]), 'binary'],
    [new Uint8Array(0), 'empty'],
  ];
  for (const [b, kind] of cases) assert.equal(classifyPeer(b).kind, kind, Buffer.from(b).toString('latin1'));
  assert.equal(classifyPeer(new Uint8Array(1000).fill(0x41)).length, 128);
});

test('packet framer: contract, lying lengths, anomalies', () => {
  const payloads = [Buffer.from([21]), kexinitPayload({ kex: ['curve25519-sha256'], hostKey: ['ssh-ed25519'], encC2S: ['aes128-ctr'], macC2S: ['hmac-sha2-256'] })];
  for (const p of payloads) {
    const bytes = packet(p);
    framerContract(`packet type ${p[0]}`, framePacket, bytes);
    const r = framePacket(bytes);
    assert.ok(r.status === 'ok');
    if (r.status === 'ok') {
      assert.deepEqual(Buffer.from(r.value.payload), p);
      assert.deepEqual(r.value.anomalies, []);
    }
  }
  // Several packets in one buffer: one at a time, sizes add up.
  const two = Buffer.concat([packet(Buffer.from([21])), packet(Buffer.from([2, 0, 0, 0, 0]))]);
  const first = framePacket(two);
  assert.ok(first.status === 'ok');
  if (first.status === 'ok') assert.equal(framePacket(two.subarray(first.size)).status, 'ok');
  // "need n more" from the header alone.
  const need = framePacket(packet(Buffer.from([21])).subarray(0, 6));
  assert.deepEqual(need, { status: 'incomplete', needed: 10 });
  // Lying lengths: invalid at once, before the bytes arrive.
  const lies: [Buffer, string][] = [
    [u32(MAX_PACKET_LENGTH + 1), 'too-large'],
    [u32(0xffffffff), 'too-large'],
    [u32(1), 'bad-value'],
    [Buffer.concat([u32(12), Buffer.from([11])]), 'bad-value'],
    [Buffer.concat([u32(12), Buffer.from([255])]), 'bad-value'],
  ];
  for (const [b, kind] of lies) {
    const r = framePacket(b);
    assert.equal(r.status, 'invalid', b.toString('hex'));
    if (r.status === 'invalid') assert.equal(r.error.kind, kind);
  }
  // Anomalies: short padding, misaligned length.
  const short = framePacket(packet(Buffer.from([21, 0, 0, 0, 0, 0, 0]), { padding: 3 }));
  assert.ok(short.status === 'ok' && short.value.anomalies.includes('short-padding'));
  const mis = framePacket(packet(Buffer.from([21]), { padding: 5 }));
  assert.ok(mis.status === 'ok' && mis.value.anomalies.includes('misaligned'));
});

test('SSH-1 packet framer counts packets', () => {
  const body = Buffer.alloc(13, 1); // type + data + CRC
  const bytes = Buffer.concat([u32(13), Buffer.alloc(3), body]);
  framerContract('v1', frameV1Packet, bytes);
  assert.equal(frameV1Packet(u32(0x7fffffff)).status, 'invalid');
  assert.equal(frameV1Packet(u32(2)).status, 'invalid');
});

test('seeded fuzz: framers and decoders never throw', () => {
  const next = rng(0x55aa);
  const base = packet(kexinitPayload({ kex: ['a', 'b'], hostKey: ['ssh-ed25519'], encC2S: ['aes128-ctr'], macC2S: ['hmac-sha2-256'] }));
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.from(base);
    const flips = 1 + (next() % 6);
    for (let j = 0; j < flips; j++) b[next() % b.length] = next() & 0xff;
    const cut = b.subarray(0, next() % (b.length + 1));
    for (const fn of [framePacket, frameV1Packet, frameLine, decodeKexInit, parseHostKey, classifyPeer, sshDetect, sshRoleHint] as ((x: Uint8Array) => unknown)[]) {
      assert.doesNotThrow(() => fn(cut));
    }
    for (const fam of ['dh', 'gex', 'ecdh', 'rsa', 'gss', 'unknown'] as const) {
      const payload = Buffer.from(cut.subarray(5));
      if (payload.length > 0) payload[0] = 30 + (next() % 5);
      const r = decodeMessage(payload, fam);
      assert.ok(['ok', 'invalid'].includes(r.status));
    }
  }
});

test('KEXINIT decodes the ten lists, flag and reserved; truncations are invalid', () => {
  const p = kexinitPayload({
    kex: ['sntrup761x25519-sha512@openssh.com', 'curve25519-sha256', 'ext-info-c', 'kex-strict-c-v00@openssh.com'],
    hostKey: ['ssh-ed25519', 'rsa-sha2-512'],
    encC2S: ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com'],
    encS2C: ['aes128-ctr'],
    macC2S: ['hmac-sha2-256-etm@openssh.com'],
    macS2C: ['hmac-sha1'],
    compC2S: ['none', 'zlib@openssh.com'],
    compS2C: ['none'],
    follows: true,
  });
  const r = decodeKexInit(p);
  assert.equal(r.status, 'ok');
  if (r.status !== 'ok') return;
  const k = r.value;
  assert.equal(k.cookie, 'ab'.repeat(16));
  assert.deepEqual(k.kexAlgorithms, ['sntrup761x25519-sha512@openssh.com', 'curve25519-sha256', 'ext-info-c', 'kex-strict-c-v00@openssh.com']);
  assert.deepEqual(k.serverHostKeyAlgorithms, ['ssh-ed25519', 'rsa-sha2-512']);
  assert.deepEqual(k.encryptionS2C, ['aes128-ctr']);
  assert.deepEqual(k.macS2C, ['hmac-sha1']);
  assert.deepEqual(k.compressionC2S, ['none', 'zlib@openssh.com']);
  assert.deepEqual(k.languagesC2S, []);
  assert.equal(k.firstKexPacketFollows, true);
  assert.equal(k.reserved, 0);
  assert.deepEqual(k.warnings, []);
  for (let n = 0; n < p.length; n++) assert.equal(decodeKexInit(p.subarray(0, n)).status, 'invalid', `truncated to ${n}`);
  // A name-list length that lies: invalid.
  const lying = Buffer.from(p);
  lying.writeUInt32BE(0xfffffff0, 17);
  assert.equal(decodeKexInit(lying).status, 'invalid');
  // Oddities are warnings, not failures.
  const odd = Buffer.concat([kexinitPayload({ kex: ['a,,b'], hostKey: ['x'.repeat(70)], encC2S: ['c'], macC2S: ['m'] }), Buffer.from([1, 2])]);
  const o = decodeKexInit(odd);
  assert.ok(o.status === 'ok');
  if (o.status === 'ok') assert.equal(o.value.warnings.length, 3, o.value.warnings.join('; '));
});

test('KEXINIT: identical ones but for the cookie share one decoding; any other byte is a new one', () => {
  const p = kexinitPayload({ kex: ['curve25519-sha256', 'ext-info-c'], hostKey: ['ssh-ed25519'], encC2S: ['aes128-ctr'], macC2S: ['hmac-sha2-256'], compC2S: ['none', 'zlib'] });
  const q = Buffer.from(p);
  q.fill(0xcd, 1, 17); // another cookie
  const a = decodeKexInit(p);
  const b = decodeKexInit(q);
  assert.ok(a.status === 'ok' && b.status === 'ok');
  if (a.status !== 'ok' || b.status !== 'ok') return;
  assert.equal(a.value.cookie, 'ab'.repeat(16));
  assert.equal(b.value.cookie, 'cd'.repeat(16));
  assert.equal(b.value.kexAlgorithms, a.value.kexAlgorithms, 'the same lists');
  assert.equal(kexInitIdentity(b.value), kexInitIdentity(a.value), 'one decoding');
  assert.equal(hassh(b.value), hassh(a.value));
  const n = negotiate(a.value, a.value);
  assert.equal(negotiate(b.value, b.value), n, 'one negotiation for identical pairs');
  assert.equal(n.negotiated.kex, 'curve25519-sha256');
  // One byte of a list changed (zlib → zlic): decoded afresh, its own lists and hash.
  const r = Buffer.from(q);
  r[r.indexOf('zlib') + 3] = 0x63;
  const c = decodeKexInit(r);
  assert.ok(c.status === 'ok');
  if (c.status !== 'ok') return;
  assert.deepEqual(c.value.compressionC2S, ['none', 'zlic']);
  assert.deepEqual(a.value.compressionC2S, ['none', 'zlib'], 'the cached lists are untouched');
  assert.notEqual(kexInitIdentity(c.value), kexInitIdentity(a.value));
  assert.notEqual(hassh(c.value), hassh(a.value));
  // The flag byte after the lists is part of the key too.
  const f = Buffer.from(p);
  f[f.length - 5] = 1;
  const g = decodeKexInit(f);
  assert.ok(g.status === 'ok' && g.value.firstKexPacketFollows === true);
  // Truncations are invalid whether or not the whole message was seen before.
  for (let n = 0; n < q.length; n++) assert.equal(decodeKexInit(q.subarray(0, n)).status, 'invalid', `truncated to ${n}`);
});

test('transport messages: DISCONNECT, DEBUG, IGNORE, UNIMPLEMENTED, EXT_INFO, SERVICE_*', () => {
  const disc = decodeMessage(Buffer.concat([Buffer.from([1]), u32(3), sshString('no matching kex'), sshString('en')]));
  assert.ok(disc.status === 'ok');
  if (disc.status === 'ok') {
    assert.equal(disc.value.name, 'DISCONNECT');
    assert.deepEqual(disc.value.msg, { kind: 'disconnect', reasonCode: 3, reasonName: 'KEY_EXCHANGE_FAILED(3)', description: 'no matching kex', language: 'en' });
  }
  const noLang = decodeMessage(Buffer.concat([Buffer.from([1]), u32(99), sshString('x')]));
  assert.ok(noLang.status === 'ok' && noLang.value.msg.kind === 'disconnect' && noLang.value.msg.reasonName === 'UNKNOWN_REASON(99)');
  const dbg = decodeMessage(Buffer.concat([Buffer.from([4, 1]), sshString('hello'), sshString('')]));
  assert.ok(dbg.status === 'ok' && dbg.value.msg.kind === 'debug' && dbg.value.msg.message === 'hello' && dbg.value.msg.alwaysDisplay);
  const ign = decodeMessage(Buffer.concat([Buffer.from([2]), sshString('xxxx')]));
  assert.ok(ign.status === 'ok' && ign.value.msg.kind === 'ignore' && ign.value.msg.dataLength === 4);
  const unimp = decodeMessage(Buffer.concat([Buffer.from([3]), u32(7)]));
  assert.ok(unimp.status === 'ok' && unimp.value.msg.kind === 'unimplemented' && unimp.value.msg.sequence === 7);
  const ext = decodeMessage(Buffer.concat([Buffer.from([7]), u32(1), sshString('server-sig-algs'), sshString('ssh-ed25519,rsa-sha2-512')]));
  assert.ok(ext.status === 'ok' && ext.value.msg.kind === 'ext_info');
  if (ext.status === 'ok' && ext.value.msg.kind === 'ext_info') assert.deepEqual(ext.value.msg.extensions, [{ name: 'server-sig-algs', value: 'ssh-ed25519,rsa-sha2-512' }]);
  const svc = decodeMessage(Buffer.concat([Buffer.from([5]), sshString('ssh-userauth')]));
  assert.ok(svc.status === 'ok' && svc.value.msg.kind === 'service_request' && svc.value.msg.service === 'ssh-userauth');
  assert.equal(decodeMessage(Buffer.concat([Buffer.from([1]), u32(3), u32(100)])).status, 'invalid');
  assert.equal(decodeMessage(Buffer.from([50, 1, 2, 3])).status, 'ok');
  assert.equal(disconnectReasonName(14), 'NO_MORE_AUTH_METHODS_AVAILABLE(14)');
});

test('key-exchange messages read by family (30..34 overlap)', () => {
  const ed = readFileSync(join(captures, 'host_ed25519.pub'), 'utf8').split(' ');
  const blob = Buffer.from(ed[1]!, 'base64');
  const sig = sshString(Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.alloc(64))]));
  const reply = Buffer.concat([Buffer.from([31]), sshString(blob), sshString(Buffer.alloc(32)), sig]);
  for (const fam of ['ecdh', 'dh', 'hybrid', 'unknown'] as const) {
    const r = decodeMessage(reply, fam);
    assert.ok(r.status === 'ok' && r.value.msg.kind === 'kex_reply', fam);
    if (r.status === 'ok' && r.value.msg.kind === 'kex_reply') {
      assert.equal(r.value.msg.signatureAlgorithm, 'ssh-ed25519');
      assert.equal(r.value.msg.serverPublicLength, 32);
      assert.deepEqual(Buffer.from(r.value.msg.hostKeyBlob), blob);
    }
  }
  assert.equal(sshMessageName(31, 'ecdh'), 'KEX_ECDH_REPLY');
  assert.equal(sshMessageName(31, 'gex'), 'KEX_DH_GEX_GROUP');
  assert.equal(sshMessageName(30, 'dh'), 'KEXDH_INIT');
  // Group exchange: 34 REQUEST, 30 REQUEST_OLD, 31 GROUP, 32 INIT, 33 REPLY.
  const req = decodeMessage(Buffer.concat([Buffer.from([34]), u32(2048), u32(3072), u32(8192)]), 'gex');
  assert.ok(req.status === 'ok');
  if (req.status === 'ok') assert.deepEqual(req.value.msg, { kind: 'gex_request', min: 2048, preferred: 3072, max: 8192 });
  const old = decodeMessage(Buffer.concat([Buffer.from([30]), u32(1024)]), 'gex');
  assert.ok(old.status === 'ok' && old.value.msg.kind === 'gex_request_old' && old.value.name === 'KEX_DH_GEX_REQUEST_OLD');
  const p = Buffer.concat([Buffer.from([0]), Buffer.alloc(256, 0xff)]);
  const group = decodeMessage(Buffer.concat([Buffer.from([31]), sshString(p), sshString(Buffer.from([2]))]), 'gex');
  assert.ok(group.status === 'ok');
  if (group.status === 'ok') assert.deepEqual(group.value.msg, { kind: 'gex_group', primeBits: 2048, generator: '2' });
  const gexReply = decodeMessage(Buffer.concat([Buffer.from([33]), reply.subarray(1)]), 'gex');
  assert.ok(gexReply.status === 'ok' && gexReply.value.msg.kind === 'kex_reply' && gexReply.value.name === 'KEX_DH_GEX_REPLY');
  // RSA key exchange (RFC 4432): the server's 30 carries the host key.
  const rsa = decodeMessage(Buffer.concat([Buffer.from([30]), sshString(blob), sshString(Buffer.alloc(10))]), 'rsa');
  assert.ok(rsa.status === 'ok' && rsa.value.msg.kind === 'rsa_pubkey');
  // A reply whose inner lengths lie is invalid, not a throw.
  const bad = Buffer.from(reply);
  bad.writeUInt32BE(0xfffffff8, 1);
  assert.equal(decodeMessage(bad, 'ecdh').status, 'invalid');
});

test('host key blobs and fingerprints match ssh-keygen -l', () => {
  for (const name of ['host_ed25519', 'host_rsa', 'host_ecdsa', 'host_ca']) {
    const pub = readFileSync(join(captures, `${name}.pub`), 'utf8').trim().split(' ');
    const sha = readFileSync(join(captures, `${name}.sha256.txt`), 'utf8').trim().split(' ');
    const md5 = readFileSync(join(captures, `${name}.md5.txt`), 'utf8').trim().split(' ');
    const blob = Buffer.from(pub[1]!, 'base64');
    assert.equal(fingerprintSha256(blob), sha[1], name);
    assert.equal(fingerprintMd5(blob), md5[1], name);
    const k = parseHostKey(blob);
    assert.ok(k.status === 'ok', name);
    if (k.status !== 'ok') continue;
    assert.equal(k.value.type, pub[0]);
    assert.equal(k.value.bits, Number(sha[0]), `${name} bits as ssh-keygen`);
    assert.equal(k.value.fingerprint, sha[1]);
    assert.equal(k.value.certificate, null);
  }
  // A host certificate: ssh-keygen fingerprints the certified plain key.
  const cert = readFileSync(join(captures, 'host_ed25519-cert.pub'), 'utf8').trim().split(' ');
  const plainFp = readFileSync(join(captures, 'host_ed25519.sha256.txt'), 'utf8').split(' ')[1];
  const caFp = readFileSync(join(captures, 'host_ca.sha256.txt'), 'utf8').split(' ')[1];
  const c = parseHostKey(Buffer.from(cert[1]!, 'base64'));
  assert.ok(c.status === 'ok');
  if (c.status === 'ok') {
    assert.equal(c.value.type, 'ssh-ed25519-cert-v01@openssh.com');
    assert.equal(c.value.fingerprint, plainFp);
    assert.equal(c.value.certificate?.keyType, 'ssh-ed25519');
    assert.equal(c.value.certificate?.certType, 2);
    assert.equal(c.value.certificate?.keyId, 'hsi-host');
    assert.deepEqual(c.value.certificate?.principals, ['127.0.0.1', 'localhost']);
    assert.equal(c.value.certificate?.validBefore, '18446744073709551615');
    assert.equal(c.value.certificate?.signatureKey.fingerprint, caFp);
  }
  // Truncated or padded blobs: invalid.
  const ed = Buffer.from(readFileSync(join(captures, 'host_ed25519.pub'), 'utf8').split(' ')[1]!, 'base64');
  assert.equal(parseHostKey(ed.subarray(0, ed.length - 1)).status, 'invalid');
  assert.equal(parseHostKey(Buffer.concat([ed, Buffer.from([0])])).status, 'invalid');
  // Unknown key types keep their type and fingerprint.
  const unknown = parseHostKey(Buffer.concat([sshString('x-new-key@example.com'), sshString('abc')]));
  assert.ok(unknown.status === 'ok' && unknown.value.type === 'x-new-key@example.com' && unknown.value.bits === null);
  // A key seen before is decoded once: the same answer, untouched by later changes to the
  // caller's bytes; one byte more or less is another key.
  const again = Buffer.from(ed);
  const first = parseHostKey(again);
  again[again.length - 1] ^= 0xff;
  const second = parseHostKey(Buffer.from(ed));
  assert.deepEqual(second, first);
  assert.ok(first.status === 'ok' && first.value.fingerprint === fingerprintSha256(ed) && first.value.plainBlob[first.value.plainBlob.length - 1] === ed[ed.length - 1]);
  const changed = parseHostKey(again);
  assert.ok(changed.status === 'ok' && changed.value.fingerprint === fingerprintSha256(again) && changed.value.fingerprint !== fingerprintSha256(ed));
});

test('detection predicates', () => {
  const cases: [string | Uint8Array, string][] = [
    ['SSH-2.0-OpenSSH_9.2\r\n', 'ssh'],
    ['SS', 'need-more'],
    ['', 'need-more'],
    ['Exceeded MaxStartups\r\nSSH-2.0-x\r\n', 'ssh'],
    ['Welcome\r\n', 'need-more'],
    ['GET / HTTP/1.1\r\n\r\n', 'need-more'],
    [Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), 'not-ssh'],
    ['HTTP/1.1 400 Bad\r\n\r\n<html>' + 'x'.repeat(5000), 'not-ssh'],
  ];
  for (const [b, want] of cases) {
    const bytes = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    assert.equal(sshDetect(bytes), want, JSON.stringify(typeof b === 'string' ? b.slice(0, 30) : 'binary'));
  }
  assert.equal(looksLikeSshBanner(Buffer.from('SSH-2.0-x\r\n')), true);
  assert.equal(looksLikeSshBanner(Buffer.from('xSSH-2.0-x\r\n')), false);
  // Role: the side sending KEX_ECDH_INIT (30) or GEX_REQUEST (34) is the client; 31/33 the server.
  const kex = packet(kexinitPayload({ kex: ['curve25519-sha256'], hostKey: ['ssh-ed25519'], encC2S: ['aes128-ctr'], macC2S: ['hmac-sha2-256'] }));
  const banner = Buffer.from('SSH-2.0-x\r\n');
  const mk = (type: number): Buffer => Buffer.concat([banner, kex, packet(Buffer.concat([Buffer.from([type]), sshString(Buffer.alloc(32))]))]);
  assert.equal(sshRoleHint(mk(30)), 'client');
  assert.equal(sshRoleHint(mk(34)), 'client');
  assert.equal(sshRoleHint(mk(31)), 'server');
  assert.equal(sshRoleHint(Buffer.concat([banner, kex])), null);
  assert.equal(sshRoleHint(Buffer.from('Too many users\r\nSSH-2.0-x\r\n')), 'server');
});

test('algorithm registry: kinds, weaknesses, markers, unknown names kept', () => {
  assert.equal(sshAlgorithm('kex', 'diffie-hellman-group1-sha1').rating, 'insecure');
  assert.match(sshAlgorithm('kex', 'diffie-hellman-group1-sha1').openssh ?? '', /7\.0/);
  assert.equal(sshAlgorithm('kex', 'diffie-hellman-group14-sha1').rating, 'weak');
  assert.equal(sshAlgorithm('kex', 'mlkem768x25519-sha256').postQuantum, true);
  assert.equal(sshAlgorithm('hostkey', 'ssh-rsa').rating, 'weak');
  assert.match(sshAlgorithm('hostkey', 'ssh-rsa').openssh ?? '', /8\.8/);
  assert.equal(sshAlgorithm('hostkey', 'rsa-sha2-512').keyType, 'ssh-rsa');
  assert.equal(sshAlgorithm('hostkey', 'rsa-sha2-512').canEncrypt, true);
  assert.equal(sshAlgorithm('hostkey', 'ssh-ed25519').canEncrypt, false);
  assert.equal(sshAlgorithm('hostkey', 'ssh-dss').rating, 'insecure');
  assert.equal(sshAlgorithm('cipher', 'aes128-cbc').cbc, true);
  assert.equal(sshAlgorithm('cipher', 'arcfour256').rating, 'insecure');
  assert.equal(sshAlgorithm('cipher', '3des-cbc').rating, 'insecure');
  assert.equal(sshAlgorithm('cipher', 'chacha20-poly1305@openssh.com').macIgnored, true);
  assert.equal(sshAlgorithm('mac', 'hmac-md5-96').rating, 'insecure');
  assert.equal(sshAlgorithm('mac', 'hmac-sha1-96').rating, 'weak');
  assert.equal(sshAlgorithm('mac', 'hmac-sha2-256-etm@openssh.com').etm, true);
  assert.equal(sshAlgorithm('cipher', 'none').rating, 'insecure');
  const unknown = sshAlgorithm('cipher', 'frobnicate-256@example.com');
  assert.equal(unknown.rating, 'unknown');
  assert.equal(unknown.name, 'frobnicate-256@example.com');
  assert.equal(kexFamily('gss-group14-sha256-toWM5Slw5Ew8Mqkay+al2g=='), 'gss');
  assert.equal(kexFamily('diffie-hellman-group-exchange-sha256'), 'gex');
  assert.equal(kexFamily('ecdh-sha2-1.3.132.0.10'), 'ecdh');
  assert.equal(kexFamily('sntrup761x25519-sha512@openssh.com'), 'hybrid');
  for (const m of ['ext-info-c', 'ext-info-s', 'ext-info-in-auth@openssh.com', 'kex-strict-c-v00@openssh.com', 'kex-strict-s-v00@openssh.com']) assert.ok(isMarkerName(m));
  assert.equal(isMarkerName('curve25519-sha256'), false);
});
