// Certificate decoding against independent oracles: certificates made with the openssl
// CLI at test time, compared field by field with `openssl x509` output and Node's
// crypto.X509Certificate; the DN of every root in the system bundle compared with
// OpenSSL's RFC 2253 printing; hand-built names for string types; robustness on every
// prefix, corruptions and garbage.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Reader } from '../src/wire/reader.js';
import { parseCertificate, type CertInfo } from '../src/x509/cert.js';
import { decodeTime, readTlv } from '../src/x509/der.js';
import { formatDuration } from '../src/x509/duration.js';
import { Lru } from '../src/x509/lru.js';
import { decodeName, formatDn, nameKey } from '../src/x509/name.js';
import { parseIp } from '../src/x509/ip.js';
import { Pki, type Issued, DAY } from './fixtures/x509-pki.js';

const pki = new Pki();
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
after(() => pki.cleanup());

function decoded(der: Uint8Array): CertInfo {
  const r = parseCertificate(der);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.cert;
}

/** `openssl x509 -noout <flags>` on a certificate file, trimmed. */
const opensslX509 = (cert: Issued, ...flags: string[]) => pki.openssl(['x509', '-in', cert.certPath, '-noout', ...flags]).toString('utf8').trim();

const KU_TEXT: Record<string, string> = {
  digitalSignature: 'Digital Signature', nonRepudiation: 'Non Repudiation', keyEncipherment: 'Key Encipherment',
  dataEncipherment: 'Data Encipherment', keyAgreement: 'Key Agreement', keyCertSign: 'Certificate Sign', cRLSign: 'CRL Sign',
  encipherOnly: 'Encipher Only', decipherOnly: 'Decipher Only',
};

describe('certificates made with openssl, compared with openssl and Node', () => {
  const made: { label: string; cert: Issued; keyType: string; bits: number | null; curve?: string }[] = [];
  let root: Issued;

  before(() => {
    root = pki.root('dec-root', { subject: '/C=US/O=Decode Test/CN=Decode Root', key: { rsa: 2048 } });
    const int = pki.intermediate('dec-int', { subject: '/C=US/O=Decode Test/OU=Issuing/CN=Decode Int', key: { ec: 'P-384' }, aia: 'caIssuers;URI:http://ca.example/root.der' }, root);
    const leafSpec = (cn: string) => ({
      subject: `/CN=${cn}`,
      san: [`DNS:${cn}`, 'DNS:*.wild.example', 'IP:192.0.2.7', 'IP:2001:db8::1', 'IP:::ffff:10.1.2.3', 'email:ops@example.com', 'URI:https://example.com/x'],
      aia: 'caIssuers;URI:http://ca.example/int.der,OCSP;URI:http://ocsp.example',
      extra: ['crlDistributionPoints = URI:http://crl.example/int.crl'],
    });
    made.push(
      { label: 'RSA 1024 leaf', cert: pki.leaf('dec-rsa1024', { ...leafSpec('rsa1024.example'), key: { rsa: 1024 } }, int), keyType: 'RSA', bits: 1024 },
      { label: 'RSA 2048 leaf', cert: pki.leaf('dec-rsa2048', { ...leafSpec('rsa2048.example'), key: { rsa: 2048 } }, int), keyType: 'RSA', bits: 2048 },
      { label: 'EC P-256 leaf', cert: pki.leaf('dec-p256', { ...leafSpec('p256.example'), key: { ec: 'P-256' } }, int), keyType: 'EC', bits: 256, curve: 'P-256' },
      { label: 'EC P-521 leaf', cert: pki.leaf('dec-p521', { ...leafSpec('p521.example'), key: { ec: 'P-521' } }, int), keyType: 'EC', bits: 521, curve: 'P-521' },
      { label: 'secp256k1 leaf', cert: pki.leaf('dec-k1', { ...leafSpec('k1.example'), key: { ec: 'secp256k1' } }, int), keyType: 'EC', bits: 256, curve: 'secp256k1' },
      { label: 'Ed25519 leaf', cert: pki.leaf('dec-ed25519', { ...leafSpec('ed.example'), key: 'ed25519', keyUsage: 'critical,digitalSignature' }, int), keyType: 'Ed25519', bits: 256 },
      { label: 'Ed448 self-signed', cert: pki.root('dec-ed448', { subject: '/CN=Ed448 Root', key: 'ed448' }), keyType: 'Ed448', bits: 456 },
      { label: 'RSA root', cert: root, keyType: 'RSA', bits: 2048 },
      { label: 'EC intermediate', cert: int, keyType: 'EC', bits: 384, curve: 'P-384' },
      {
        label: 'special characters, multi-valued RDN, UTF-8',
        cert: pki.leaf('dec-special', { subject: '/C=DE/O=Grüße \\, GmbH/OU=R\\+D+UID=42/CN= lead#x;y<z>"q"\\\\/emailAddress=a@b.c', san: ['DNS:special.example'] }, int),
        keyType: 'EC', bits: 256, curve: 'P-256',
      },
      { label: 'GeneralizedTime notAfter (past 2049)', cert: pki.leaf('dec-2081', { subject: '/CN=far.example', days: 20000 }, int), keyType: 'EC', bits: 256, curve: 'P-256' },
      { label: 'v3 without key identifiers, SHA-1 signed', cert: pki.leaf('dec-nokid', { subject: '/CN=nokid.example', noKeyIds: true, digest: 'sha1' }, root), keyType: 'EC', bits: 256, curve: 'P-256' },
    );
  });

  test('subject and issuer match `openssl x509 -nameopt RFC2253,-esc_msb`', () => {
    for (const m of made) {
      const c = decoded(m.cert.der);
      assert.equal(`subject=${c.subject}`, opensslX509(m.cert, '-subject', '-nameopt', 'RFC2253,-esc_msb'), m.label);
      assert.equal(`issuer=${c.issuer}`, opensslX509(m.cert, '-issuer', '-nameopt', 'RFC2253,-esc_msb'), m.label);
    }
  });

  test('serial, fingerprint, dates, SAN, CA flag, EKU and key match Node X509Certificate', () => {
    for (const m of made) {
      const c = decoded(m.cert.der);
      const x = new X509Certificate(m.cert.der);
      assert.equal(c.serial, x.serialNumber, m.label);
      assert.equal(c.serial, m.cert.serialHex, m.label);
      assert.equal(c.sha256Colon, x.fingerprint256, m.label);
      assert.equal(c.sha256, x.fingerprint256.replace(/:/g, '').toLowerCase(), m.label);
      assert.equal(c.notBeforeDate.getTime(), Date.parse(x.validFrom), m.label);
      assert.equal(c.notAfterDate.getTime(), Date.parse(x.validTo), m.label);
      assert.equal(c.notBefore, c.notBeforeDate.toISOString().replace('.000Z', 'Z'));
      assert.equal(c.isCA, x.ca, m.label);
      assert.deepEqual(c.extKeyUsageOids ?? undefined, x.keyUsage, m.label);
      const nodeSan = (x.subjectAltName ?? '').split(', ').filter(Boolean);
      assert.deepEqual(c.dnsNames, nodeSan.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)), m.label);
      assert.deepEqual(c.emailAddresses, nodeSan.filter((s) => s.startsWith('email:')).map((s) => s.slice(6)), m.label);
      assert.deepEqual(c.uris, nodeSan.filter((s) => s.startsWith('URI:')).map((s) => s.slice(4)), m.label);
      const nodeIps = nodeSan.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice(11));
      assert.deepEqual(c.ipAddresses.map((ip) => [...parseIp(ip)!]), nodeIps.map((ip) => [...parseIp(ip)!]), m.label);
      assert.equal(c.publicKey.type, m.keyType, m.label);
      assert.equal(c.publicKey.bits, m.bits, m.label);
      if (m.curve) assert.equal(c.publicKey.curve, m.curve, m.label);
      const details = x.publicKey.asymmetricKeyDetails ?? {};
      if (details.modulusLength) assert.equal(c.publicKey.bits, details.modulusLength, m.label);
      assert.equal(c.publicKey.spkiSha256.length, 64);
      const spki = x.publicKey.export({ type: 'spki', format: 'der' });
      assert.equal(c.publicKey.spkiSha256, sha256(spki), m.label);
      assert.equal(c.selfSigned, c.selfIssued && x.verify(x.publicKey), m.label);
      assert.equal(c.length, m.cert.der.length);
    }
  });

  test('the SAN of a leaf is decoded in full, IPs canonical (RFC 5952)', () => {
    const c = decoded(made[1]!.cert.der);
    assert.deepEqual(c.dnsNames, ['rsa2048.example', '*.wild.example']);
    assert.deepEqual(c.ipAddresses, ['192.0.2.7', '2001:db8::1', '::ffff:10.1.2.3']);
    assert.deepEqual(c.emailAddresses, ['ops@example.com']);
    assert.deepEqual(c.uris, ['https://example.com/x']);
    assert.deepEqual(c.aia, { caIssuers: ['http://ca.example/int.der'], ocsp: ['http://ocsp.example'] });
    assert.deepEqual(c.crlUrls, ['http://crl.example/int.crl']);
    assert.deepEqual(c.extKeyUsage, ['serverAuth']);
    assert.deepEqual(c.basicConstraints, { ca: false, pathLen: null, critical: true });
    assert.equal(c.signatureAlgorithm.name, 'ecdsa-with-SHA256');
    assert.equal(c.signatureAlgorithm.hash, 'sha256');
    assert.equal(c.subjectCN, 'rsa2048.example');
    assert.equal(c.issuerCN, 'Decode Int');
    assert.equal(c.version, 3);
    assert.deepEqual(c.anomalies, []);
  });

  test('key identifiers, key usage, AIA and signature algorithm agree with `openssl x509 -text`', () => {
    for (const m of made) {
      const c = decoded(m.cert.der);
      const text = opensslX509(m.cert, '-text');
      const ski = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(text)?.[1];
      assert.equal(c.subjectKeyId, ski ? ski.replace(/:/g, '').toLowerCase() : null, m.label);
      const aki = /Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)/.exec(text)?.[1];
      assert.equal(c.authorityKeyId, aki ? aki.replace(/:/g, '').toLowerCase() : null, m.label);
      const ku = /Key Usage: (?:critical)?\s*\n\s*(.+)/.exec(text)?.[1];
      assert.equal((c.keyUsage ?? []).map((k) => KU_TEXT[k]).join(', '), ku ?? '', m.label);
      assert.match(text, new RegExp(`Signature Algorithm: ${c.signatureAlgorithm.name}`), m.label);
      assert.equal(c.aia.ocsp.join('\n'), opensslX509(m.cert, '-ocsp_uri'), m.label);
      const pathLen = /CA:TRUE, pathlen:(\d+)/.exec(text)?.[1];
      assert.equal(c.basicConstraints?.pathLen ?? null, pathLen === undefined ? null : Number(pathLen), m.label);
    }
  });

  test('self-issued and self-signed flags', () => {
    const byLabel = (l: string) => decoded(made.find((m) => m.label === l)!.cert.der);
    assert.equal(byLabel('RSA root').selfSigned, true);
    assert.equal(byLabel('Ed448 self-signed').selfSigned, true);
    assert.equal(byLabel('RSA 2048 leaf').selfIssued, false);
    assert.equal(byLabel('RSA 2048 leaf').selfSigned, false);
  });

  test('certificate times: UTCTime before 2050, GeneralizedTime after', () => {
    const far = decoded(made.find((m) => m.label.startsWith('GeneralizedTime'))!.cert.der);
    assert.ok(far.notAfterDate.getUTCFullYear() > 2049);
    assert.ok(far.validityDays > 19999 && far.validityDays < 20001);
  });
});


describe('the system trust bundle: every root decodes like OpenSSL prints it', { skip: !existsSync('/etc/ssl/certs/ca-certificates.crt') }, () => {
  test('subject DNs and fingerprints of all roots', () => {
    const bundle = readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8');
    const pems = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    assert.ok(pems.length > 50, 'bundle has roots');
    // One openssl process per root, eight at a time: "<index> subject=..." lines.
    pems.forEach((pem, i) => writeFileSync(pki.path(`bundle-${i}.pem`), pem));
    const script = `cd ${pki.dir} && ls bundle-*.pem | xargs -P 8 -I{} sh -c 'echo "{} $(openssl x509 -in {} -noout -subject -nameopt RFC2253,-esc_msb)"'`;
    const lines: string[] = [];
    for (const line of execShell(script).trim().split('\n')) {
      const m = /^bundle-(\d+)\.pem (.*)$/.exec(line);
      assert.ok(m, line);
      lines[Number(m[1])] = m[2]!;
    }
    assert.equal(lines.filter((l) => l !== undefined).length, pems.length);
    pems.forEach((pem, i) => {
      const der = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
      const c = decoded(der);
      assert.equal(`subject=${c.subject}`, lines[i], `root ${i}`);
      assert.equal(c.sha256Colon, new X509Certificate(der).fingerprint256);
      assert.equal(c.issuer, c.subject, 'roots are self-issued');
    });
  });
});

function execShell(script: string): string {
  return execFileSync('bash', ['-c', script], { env: { ...process.env, TZ: 'UTC' }, maxBuffer: 16 * 1024 * 1024 }).toString('utf8');
}

// ---- hand-built DER ---------------------------------------------------------------------

function tlv(tag: number, ...parts: (Uint8Array | number[])[]): Uint8Array {
  const body = Buffer.concat(parts.map((p) => Buffer.from(p)));
  const len = body.length < 0x80 ? [body.length] : body.length < 0x100 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
  return new Uint8Array(Buffer.concat([Buffer.from([tag, ...len]), body]));
}
const oid = (...bytes: number[]) => tlv(0x06, bytes);
const CN = [0x55, 0x04, 0x03];
const O = [0x55, 0x04, 0x0a];
const atv = (type: number[], value: Uint8Array) => tlv(0x30, oid(...type), value);
const rdn = (...atvs: Uint8Array[]) => tlv(0x31, ...atvs);
const name = (...rdns: Uint8Array[]) => tlv(0x30, ...rdns);
const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();

describe('names: string types and escaping (RFC 4514)', () => {
  const cases: { label: string; der: Uint8Array; expect: string }[] = [
    { label: 'BMPString', der: name(rdn(atv(CN, tlv(0x1e, utf16be('Zoë €'))))), expect: 'CN=Zoë €' },
    { label: 'UniversalString', der: name(rdn(atv(CN, tlv(0x1c, [0, 0, 0, 0x41, 0, 1, 0xf6, 0x00])))), expect: 'CN=A\u{1f600}' },
    { label: 'TeletexString as Latin-1', der: name(rdn(atv(O, tlv(0x14, [0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72])))), expect: 'O=Müller' },
    { label: 'control characters kept', der: name(rdn(atv(CN, tlv(0x0c, Buffer.from('a\nb\x1b[31m'))))), expect: 'CN=a\nb\x1b[31m' },
    { label: 'non-string value as #hex', der: name(rdn(atv(CN, tlv(0x02, [0x01, 0x02])))), expect: 'CN=#02020102' },
    { label: 'unknown attribute type as OID=#hex', der: name(rdn(atv([0x2a, 0x03, 0x04], tlv(0x0c, Buffer.from('x'))))), expect: '1.2.3.4=#0C0178' },
    { label: 'RDN order reversed, + inside an RDN', der: name(rdn(atv(O, tlv(0x0c, Buffer.from('Org')))), rdn(atv(CN, tlv(0x0c, Buffer.from('a'))), atv(O, tlv(0x0c, Buffer.from('b'))))), expect: 'O=b+CN=a,O=Org' },
    { label: 'leading/trailing space and leading #', der: name(rdn(atv(CN, tlv(0x0c, Buffer.from(' #x '))))), expect: 'CN=\\ #x\\ ' },
    { label: 'empty name', der: name(), expect: '' },
  ];
  for (const c of cases) {
    test(c.label, () => assert.equal(formatDn(decodeName(c.der)), c.expect));
  }

  test('name keys ignore case, spacing and string type (RFC 5280 7.1)', () => {
    const a = decodeName(name(rdn(atv(O, tlv(0x13, Buffer.from('Example  Org')))), rdn(atv(CN, tlv(0x0c, Buffer.from(' Root CA'))))));
    const b = decodeName(name(rdn(atv(O, tlv(0x0c, Buffer.from('example org')))), rdn(atv(CN, tlv(0x1e, utf16be('ROOT CA'))))));
    const c = decodeName(name(rdn(atv(O, tlv(0x0c, Buffer.from('example org')))), rdn(atv(CN, tlv(0x0c, Buffer.from('Other CA'))))));
    assert.equal(nameKey(a), nameKey(b));
    assert.notEqual(nameKey(a), nameKey(c));
  });

  test('malformed names throw DecodeError inside (callers wrap), never anything else', () => {
    for (const bad of [tlv(0x30, [0x31, 0x00]), tlv(0x30, [0x30, 0x00]), tlv(0x30, rdn(tlv(0x30, oid(...CN)))), Uint8Array.from([0x30, 0x05, 0x31])]) {
      assert.throws(() => decodeName(bad), { name: 'DecodeError' });
    }
  });
});

describe('DER times', () => {
  const time = (tag: number, s: string) => decodeTime(readTlv(new Reader(tlv(tag, Buffer.from(s))), 't'), 't');
  const cases: [number, string, string][] = [
    [0x17, '490101000000Z', '2049-01-01T00:00:00.000Z'],
    [0x17, '500101000000Z', '1950-01-01T00:00:00.000Z'],
    [0x17, '2403041506Z', '2024-03-04T15:06:00.000Z'],
    [0x17, '240304150607+0200', '2024-03-04T13:06:07.000Z'],
    [0x18, '20500101000000Z', '2050-01-01T00:00:00.000Z'],
    [0x18, '20240304150607.25Z', '2024-03-04T15:06:07.250Z'],
    [0x18, '00500101000000Z', '0050-01-01T00:00:00.000Z'],
  ];
  for (const [tag, s, iso] of cases) {
    test(`${tag === 0x17 ? 'UTCTime' : 'GeneralizedTime'} ${s}`, () => {
      assert.equal(time(tag, s).getTime(), Date.parse(iso));
    });
  }
  for (const bad of ['2403041506', '24130415060Z', '991332000000Z', 'abcdefghijklZ']) {
    test(`malformed time ${bad} is a DecodeError`, () => assert.throws(() => time(0x17, bad), { name: 'DecodeError' }));
  }
});

describe('robustness: never a throw, wrong input gives ok:false', () => {
  let der: Uint8Array;
  before(() => {
    const r = pki.root('rob-root', { subject: '/CN=Robust Root' });
    der = pki.leaf('rob-leaf', { subject: '/CN=robust.example', san: ['DNS:robust.example', 'IP:10.0.0.1'], aia: 'OCSP;URI:http://o.example' }, r).der;
  });

  test('every strict prefix of a real certificate', () => {
    for (let n = 0; n < der.length; n++) {
      const r = parseCertificate(der.subarray(0, n));
      assert.equal(r.ok, false, `prefix ${n}`);
      if (!r.ok) assert.match(r.error, /truncated|empty|bad-value|trailing/);
    }
    assert.equal(parseCertificate(der).ok, true);
  });

  test('trailing bytes after the certificate', () => {
    const r = parseCertificate(Uint8Array.from([...der, 0]));
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, /trailing/);
  });

  test('garbage and hostile headers', () => {
    const inputs = [
      new Uint8Array(0), Uint8Array.from([0x30]), Uint8Array.from([0x30, 0x80, 0, 0]), Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
      Uint8Array.from([0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]), Uint8Array.from([0x1f, 0xff, 0xff, 0xff, 0xff, 0x7f, 0]),
      new TextEncoder().encode('-----BEGIN CERTIFICATE-----'), new Uint8Array(300_000).fill(0x30),
    ];
    for (const input of inputs) assert.equal(parseCertificate(input).ok, false);
  });

  test('single-byte corruptions anywhere: a result, never an exception', () => {
    let okCount = 0;
    for (let i = 0; i < der.length; i++) {
      for (const v of [0x00, 0xff, der[i]! ^ 0x01, 0x80]) {
        const copy = Uint8Array.from(der);
        copy[i] = v;
        const r = parseCertificate(copy);
        if (r.ok) okCount++;
      }
    }
    assert.ok(okCount > 0, 'corruptions inside values still decode');
  });

  test('a malformed extension is an anomaly, the rest still decodes', () => {
    // SAN: OID 2.5.29.17 then OCTET STRING { SEQUENCE ... }: turn the inner SEQUENCE into a SET.
    const at = Buffer.from(der).indexOf(Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x11]));
    assert.ok(at > 0);
    const copy = Uint8Array.from(der);
    let p = at + 5;
    if (copy[p] === 0x01) p += 3; // critical BOOLEAN
    assert.equal(copy[p], 0x04);
    assert.equal(copy[p + 2], 0x30);
    copy[p + 2] = 0x31;
    const c = decoded(copy);
    assert.deepEqual(c.dnsNames, []);
    assert.equal(c.hasSan, false);
    assert.ok(c.anomalies.some((a) => a.startsWith('extension subjectAltName is malformed')), c.anomalies.join('|'));
    assert.equal(c.subjectCN, 'robust.example');
  });
});

describe('helpers', () => {
  test('formatDuration', () => {
    const H = 3_600_000;
    assert.equal(formatDuration(3 * DAY + 4 * H + 59_000), '3 days 4 hours');
    assert.equal(formatDuration(-(2 * H + 5 * 60_000)), '2 hours 5 minutes');
    assert.equal(formatDuration(DAY + 5 * 60_000), '1 day');
    assert.equal(formatDuration(42_000), '42 seconds');
    assert.equal(formatDuration(400 * DAY), '1 year 35 days');
    assert.equal(formatDuration(10), '0 seconds');
  });

  test('Lru keeps the most recently used entries within its capacity', () => {
    const l = new Lru<string, number>(2);
    l.set('a', 1);
    l.set('b', 2);
    assert.equal(l.get('a'), 1);
    l.set('c', 3);
    assert.equal(l.has('b'), false);
    assert.equal(l.get('a'), 1);
    assert.equal(l.get('c'), 3);
    assert.equal(l.size, 2);
    assert.throws(() => new Lru(0));
  });
});
