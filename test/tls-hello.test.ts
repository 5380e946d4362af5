// ClientHello / ServerHello / other handshake messages: RFC 8448 example bytes, and
// hand-built variants for the corner cases (HRR, downgrade sentinel, SSLv2 form,
// malformed / duplicate extensions, PSK not last, truncations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeClientHello, decodeServerHello, decodeSslv2ClientHello, HELLO_RETRY_REQUEST_RANDOM, clientMaxVersion } from '../src/tls/hello.js';
import {
  decodeAlert, decodeCertificate, decodeCertificateRequest, decodeCertificateStatus, decodeChangeCipherSpec,
  decodeNewSessionTicket, decodeServerKeyExchange,
} from '../src/tls/messages.js';
import { bitLength } from '../src/wire/reader.js';
import { ja4 } from '../src/tls/fingerprint.js';

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const body = (msg: Uint8Array): Uint8Array => msg.subarray(4);

// RFC 8448 §3 "Simple 1-RTT Handshake": the ClientHello and ServerHello handshake messages.
const RFC8448_CLIENT_HELLO = h(`
01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83
02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01
00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 23 00 00 00 33 00
26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69
1e 52 9a af 2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01
05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01`);
const RFC8448_SERVER_HELLO = h(`
02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55 77 2e
d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1
56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04`);
// RFC 8448 §3: the server's TLS 1.3 Certificate message (one 432-byte RSA certificate).
const RFC8448_CERTIFICATE = h(`
0b 00 01 b9 00 00 01 b5 00 01 b0 30 82 01 ac 30 82 01 15 a0 03 02 01 02 02 01 02 30 0d 06 09 2a 86 48
86 f7 0d 01 01 0b 05 00 30 0e 31 0c 30 0a 06 03 55 04 03 13 03 72 73 61 30 1e 17 0d 31 36 30 37 33 30
30 31 32 33 35 39 5a 17 0d 32 36 30 37 33 30 30 31 32 33 35 39 5a 30 0e 31 0c 30 0a 06 03 55 04 03 13
03 72 73 61 30 81 9f 30 0d 06 09 2a 86 48 86 f7 0d 01 01 01 05 00 03 81 8d 00 30 81 89 02 81 81 00 b4
bb 49 8f 82 79 30 3d 98 08 36 39 9b 36 c6 98 8c 0c 68 de 55 e1 bd b8 26 d3 90 1a 24 61 ea fd 2d e4 9a
91 d0 15 ab bc 9a 95 13 7a ce 6c 1a f1 9e aa 6a f9 8c 7c ed 43 12 09 98 e1 87 a8 0e e0 cc b0 52 4b 1b
01 8c 3e 0b 63 26 4d 44 9a 6d 38 e2 2a 5f da 43 08 46 74 80 30 53 0e f0 46 1c 8c a9 d9 ef bf ae 8e a6
d1 d0 3e 2b d1 93 ef f0 ab 9a 80 02 c4 74 28 a6 d3 5a 8d 88 d7 9f 7f 1e 3f 02 03 01 00 01 a3 1a 30 18
30 09 06 03 55 1d 13 04 02 30 00 30 0b 06 03 55 1d 0f 04 04 03 02 05 a0 30 0d 06 09 2a 86 48 86 f7 0d
01 01 0b 05 00 03 81 81 00 85 aa d2 a0 e5 b9 27 6b 90 8c 65 f7 3a 72 67 17 06 18 a5 4c 5f 8a 7b 33 7d
2d f7 a5 94 36 54 17 f2 ea e8 f8 a5 8c 8f 81 72 f9 31 9c f3 6b 7f d6 c5 5b 80 f2 1a 03 01 51 56 72 60
96 fd 33 5e 5e 67 f2 db f1 02 70 2e 60 8c ca e6 be c1 fc 63 a4 2a 99 be 5c 3e b7 10 7c 3c 54 e9 b9 eb
2b d5 20 3b 1c 3b 84 e0 a8 b2 f7 59 40 9b a3 ea c9 d9 1d 40 2d cc 0c c8 f8 96 12 29 ac 91 87 b4 2b 4d
e1 00 00`);

function ok<T>(r: { status: string; value?: T }): T {
  assert.equal(r.status, 'ok', JSON.stringify(r));
  return r.value as T;
}

test('RFC 8448 ClientHello decodes to the right fields', () => {
  const ch = ok(decodeClientHello(body(RFC8448_CLIENT_HELLO)));
  assert.equal(ch.form, 'tls');
  assert.equal(ch.legacyVersion, 0x0303);
  assert.equal(Buffer.from(ch.random).toString('hex'), 'cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7');
  assert.equal(ch.sessionId.length, 0);
  assert.deepEqual(ch.cipherSuites, [0x1301, 0x1303, 0x1302]);
  assert.deepEqual(ch.compressionMethods, [0]);
  assert.deepEqual(ch.extensions.map((e) => e.type), [0, 0xff01, 10, 35, 51, 43, 13, 45, 28]);
  assert.equal(ch.ext.serverName, 'server');
  assert.deepEqual(ch.ext.supportedGroups, [0x1d, 0x17, 0x18, 0x19, 0x100, 0x101, 0x102, 0x103, 0x104]);
  assert.deepEqual(ch.ext.keyShares, [{ group: 0x1d, keyLength: 32 }]);
  assert.deepEqual(ch.ext.supportedVersions, [0x0304]);
  assert.deepEqual(ch.ext.signatureAlgorithms, [0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202]);
  assert.deepEqual(ch.ext.pskKeyExchangeModes, [1]);
  assert.equal(ch.ext.recordSizeLimit, 0x4001);
  assert.deepEqual(ch.ext.sessionTicket, { length: 0 });
  assert.deepEqual(ch.ext.renegotiationInfo, { length: 0 });
  assert.deepEqual(ch.issues, []);
  assert.equal(clientMaxVersion(ch), 0x0304);
  assert.equal(ja4(ch).ja4.slice(0, 10), 't13d0309' + '00');
});

test('RFC 8448 ServerHello decodes to the right fields', () => {
  const sh = ok(decodeServerHello(body(RFC8448_SERVER_HELLO)));
  assert.equal(sh.legacyVersion, 0x0303);
  assert.equal(sh.version, 0x0304);
  assert.equal(sh.cipherSuite, 0x1301);
  assert.equal(sh.compressionMethod, 0);
  assert.equal(sh.isHelloRetryRequest, false);
  assert.equal(sh.downgradeSentinel, null);
  assert.deepEqual(sh.extensions.map((e) => e.type), [51, 43]);
  assert.deepEqual(sh.ext.serverKeyShare, { group: 0x1d, keyLength: 32 });
  assert.deepEqual(sh.issues, []);
});

test('RFC 8448 Certificate decodes in the TLS 1.3 form with the DER copied', () => {
  const c = ok(decodeCertificate(body(RFC8448_CERTIFICATE), true));
  assert.equal(c.form, 'tls13');
  assert.equal(c.requestContext!.length, 0);
  assert.equal(c.certificates.length, 1);
  assert.equal(c.certificates[0]!.der.length, 0x1b0);
  assert.equal(c.certificates[0]!.der[0], 0x30);
  assert.deepEqual(c.certificates[0]!.extensions, []);
  // the same bytes are not a valid TLS 1.2 Certificate
  assert.equal(decodeCertificate(body(RFC8448_CERTIFICATE), false).status, 'invalid');
});

test('HelloRetryRequest is recognised by its random, with its selected group', () => {
  const random = Buffer.from(HELLO_RETRY_REQUEST_RANDOM).toString('hex');
  assert.equal(random, 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c');
  const hrr = h(`0303 ${random} 00 1302 00 000c 002b 0002 0304 0033 0002 0017`);
  const sh = ok(decodeServerHello(hrr));
  assert.equal(sh.isHelloRetryRequest, true);
  assert.equal(sh.ext.hrrSelectedGroup, 0x17);
  assert.equal(sh.version, 0x0304);
});

test('downgrade sentinels in the server random are recognised (judged later, against the client offer)', () => {
  for (const [last, kind] of [['01', 'tls12'], ['00', 'tls11']] as const) {
    const random = '11'.repeat(24) + '444f574e4752 44' + last;
    const sh = ok(decodeServerHello(h(`0303 ${random} 00 c02f 00`)));
    assert.equal(sh.downgradeSentinel, kind);
    assert.ok(!sh.issues.some((i) => i.code === 'tls.downgrade_sentinel'), 'not an issue by itself');
    assert.equal(sh.version, 0x0303);
    assert.deepEqual(sh.extensions, []);
  }
});

test('SSLv2-compatible ClientHello maps onto the ClientHello shape', () => {
  const challenge = 'a0'.repeat(16);
  const b = h(`01 0301 0009 0000 0010 010080 00002f 000035 ${challenge}`);
  const ch = ok(decodeSslv2ClientHello(b));
  assert.equal(ch.form, 'sslv2');
  assert.equal(ch.legacyVersion, 0x0301);
  assert.deepEqual(ch.sslv2CipherSpecs, [0x010080, 0x00002f, 0x000035]);
  assert.deepEqual(ch.cipherSuites, [0x002f, 0x0035]);
  assert.equal(Buffer.from(ch.random).toString('hex'), '00'.repeat(16) + challenge);
  assert.equal(ja4(ch).ja4.slice(0, 4), 't10i');
  const bad: [string, string][] = [
    [`01 0301 0008 0000 0010 010080 00002f ${challenge}`, 'spec length not a multiple of 3'],
    [`01 0301 0003 0000 0008 010080 ${'a0'.repeat(8)}`, 'challenge too short'],
    [`02 0301 0003 0000 0010 010080 ${challenge}`, 'not a CLIENT-HELLO'],
    [`01 0301 0003 0000 0010 010080 ${challenge} ff`, 'trailing byte'],
  ];
  for (const [hex, what] of bad) assert.equal(decodeSslv2ClientHello(h(hex)).status, 'invalid', what);
});

/** A ClientHello body with the given extension block (hex, without the u16 length). */
function chWith(exts: string): Uint8Array {
  const e = exts.replace(/\s+/g, '');
  const len = (e.length / 2).toString(16).padStart(4, '0');
  return h(`0303 ${'00'.repeat(32)} 00 0004 1301 c02f 0100 ${len} ${e}`);
}

test('a malformed extension body is an issue on that extension; the hello stays usable', () => {
  // SNI whose inner length lies, then a good ALPN
  const ch = ok(decodeClientHello(chWith('0000 0005 0003 00 00ff   0010 0005 0003 026832')));
  assert.equal(ch.extensions.length, 2);
  assert.ok(ch.extensions[0]!.error);
  assert.deepEqual([...ch.extensions[0]!.data], [0, 3, 0, 0, 0xff]);
  assert.deepEqual(ch.ext.alpn, ['h2']);
  assert.equal(ch.ext.serverName, undefined);
  const issue = ch.issues.find((i) => i.code === 'tls.ext_malformed')!;
  assert.equal(issue.extension, 0);
  assert.deepEqual(issue.error!.path.slice(0, 2), ['client_hello', 'extensions']);
});

test('duplicate extensions and a pre_shared_key that is not last are issues', () => {
  const pskExt = '0029 000e 0007 0001aa00000000 0003 0201bb';
  const ch = ok(decodeClientHello(chWith(`000a 0004 0002 001d   000a 0004 0002 0017   ${pskExt}   0017 0000`)));
  const codes = ch.issues.map((i) => i.code);
  assert.ok(codes.includes('tls.ext_duplicate'), codes.join());
  assert.ok(codes.includes('tls.psk_not_last'), codes.join());
  assert.deepEqual(ch.ext.supportedGroups, [0x1d], 'the first occurrence wins');
  assert.deepEqual(ch.ext.preSharedKey, { identities: 1, identityLengths: [1], binders: 1 });
  const last = ok(decodeClientHello(chWith(`0017 0000 ${pskExt}`)));
  assert.deepEqual(last.issues, []);
});

test('GREASE values are kept in lists and wire order', () => {
  const ch = ok(decodeClientHello(h(`0303 ${'00'.repeat(32)} 00 0006 3a3a 1301 c02f 0100 000d 2a2a 0000 002b 0005 04 9a9a 0304`)));
  assert.deepEqual(ch.cipherSuites, [0x3a3a, 0x1301, 0xc02f]);
  assert.deepEqual(ch.extensions.map((e) => e.type), [0x2a2a, 0x002b]);
  assert.deepEqual(ch.ext.supportedVersions, [0x9a9a, 0x0304]);
  assert.equal(clientMaxVersion(ch), 0x0304);
});

test('truncated and corrupted hellos are invalid with a path, never a throw', () => {
  const full = body(RFC8448_CLIENT_HELLO);
  // Strict prefixes that cut the fixed part are invalid; cuts inside the extension block still decode with an issue.
  for (let n = 0; n < full.length; n++) {
    const r = decodeClientHello(full.subarray(0, n));
    if (n < 2 + 32 + 1 + 2 + 6 + 2) assert.equal(r.status, 'invalid', `prefix ${n}`);
    else assert.notEqual(r.status, 'incomplete', 'decoders never answer incomplete');
  }
  const odd = ok(decodeClientHello(full)).cipherSuites.length;
  assert.equal(odd, 3);
  const bad = full.slice();
  bad[2 + 32 + 1 + 1] = 5; // cipher_suites length 5: odd
  const r = decodeClientHello(bad);
  assert.equal(r.status, 'invalid');
  if (r.status === 'invalid') assert.deepEqual(r.error.path, ['client_hello', 'cipher_suites']);
  const sid = full.slice();
  sid[34] = 33; // session id longer than 32
  assert.equal(decodeClientHello(sid).status, 'invalid');
});

test('ServerKeyExchange: ECDHE named group, DHE prime size, other kept raw', () => {
  const ecdhe = ok(decodeServerKeyExchange(h('03 001d 20' + '11'.repeat(32) + '0804 0004 aabbccdd'), { keyExchange: 'ECDHE', authentication: 'RSA', version: 0x0303 }));
  assert.deepEqual(ecdhe, { kind: 'ecdhe', curveType: 3, namedGroup: 0x1d, publicKeyLength: 32, signatureScheme: 0x0804, length: 44 });
  const p = '80' + '00'.repeat(127); // a 1024-bit value
  const dhe = ok(decodeServerKeyExchange(h(`0080 ${p} 0001 02 0002 1234 0004 aabbccdd`), { keyExchange: 'DHE', authentication: 'RSA', version: 0x0302 }));
  assert.equal(dhe.kind, 'dhe');
  if (dhe.kind === 'dhe') {
    assert.equal(dhe.pBits, 1024);
    assert.equal(dhe.signatureScheme, null);
  }
  const other = ok(decodeServerKeyExchange(h('0004 68696e74'), { keyExchange: 'PSK', authentication: 'PSK', version: 0x0303 }));
  assert.equal(other.kind, 'other');
  assert.equal(decodeServerKeyExchange(h('03 001d 20 11'), { keyExchange: 'ECDHE', authentication: 'RSA', version: 0x0303 }).status, 'invalid');
  assert.equal(bitLength(h('00 01')), 1);
  assert.equal(bitLength(h('00 00')), 0);
  assert.equal(bitLength(h('ff ff')), 16);
});

test('CertificateRequest (1.2), CertificateStatus, NewSessionTicket, Alert, CCS', () => {
  const cr = ok(decodeCertificateRequest(h('02 01 40  0004 0401 0804  0008 0002 3000 0002 3100'), 0x0303, false));
  assert.deepEqual(cr, { form: 'tls12', certificateTypes: [1, 64], signatureAlgorithms: [0x0401, 0x0804], caNames: 2 });
  const cr11 = ok(decodeCertificateRequest(h('01 01  0000'), 0x0302, false));
  assert.deepEqual(cr11.signatureAlgorithms, []);
  const cs = ok(decodeCertificateStatus(h('01 000003 300100')));
  assert.equal(cs.statusType, 1);
  assert.deepEqual([...cs.responses[0]!], [0x30, 0x01, 0x00]);
  const nst = ok(decodeNewSessionTicket(h('00001c20 0003 aabbcc'), false));
  assert.deepEqual(nst, { lifetime: 7200, ticketLength: 3 });
  assert.deepEqual(ok(decodeAlert(h('0228'))), { level: 2, description: 40 });
  assert.equal(decodeAlert(h('02')).status, 'invalid');
  assert.equal(decodeAlert(h('022800')).status, 'invalid');
  assert.equal(ok(decodeChangeCipherSpec(h('01'))).value, 1);
  assert.equal(decodeChangeCipherSpec(h('02')).status, 'invalid');
});
