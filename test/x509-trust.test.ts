// Trust stores: the system bundle (Debian path) loads fast and indexes every root; a
// custom PEM file (with text around the blocks, OpenSSL "TRUSTED CERTIFICATE" form, or a
// lone DER file) loads; unusable files fail with a one-line reason.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { after, describe, test } from 'node:test';
import { decodeName, formatDn, nameKey } from '../src/x509/name.js';
import {
  NODE_BUNDLED_SOURCE, SYSTEM_TRUST_BUNDLES, TrustStoreError, loadTrustStore, trustStoreFromPem,
} from '../src/x509/trust.js';
import { Pki } from './fixtures/x509-pki.js';

const DEBIAN_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const pki = new Pki();
after(() => pki.cleanup());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('the system bundle', { skip: !existsSync(DEBIAN_BUNDLE) }, () => {
  test('is found first on Debian and indexes every root', () => {
    assert.equal(SYSTEM_TRUST_BUNDLES[0], DEBIAN_BUNDLE);
    const store = loadTrustStore();
    assert.equal(store.source, DEBIAN_BUNDLE);
    assert.equal(store.kind, 'system');
    const blocks = readFileSync(DEBIAN_BUNDLE, 'utf8').match(/-----BEGIN CERTIFICATE-----/g)!.length;
    assert.equal(store.size + store.rejected, blocks);
    assert.equal(store.rejected, 0);
    assert.match(store.describe(), new RegExp(`^${DEBIAN_BUNDLE} \\(${store.size} anchors\\)$`));
    for (const a of store.anchors) {
      const x = new X509Certificate(a.der);
      assert.equal(a.sha256, x.fingerprint256.replace(/:/g, '').toLowerCase());
      assert.ok(store.bySubject(a.subjectKey!).includes(a));
      assert.ok(store.byName(decodeName(a.subjectDer)).includes(a));
      assert.equal(a.subject, formatDn(decodeName(a.subjectDer)));
      assert.equal(store.byFingerprint(a.sha256), a);
      assert.ok(store.bySpki(a.spkiSha256).includes(a));
      if (a.ski) assert.ok(store.bySki(a.ski).includes(a));
    }
    assert.ok(store.anchors.filter((a) => a.ski).length > store.size / 2, 'most roots carry a subject key identifier');
  });

  test('loads well under 100 ms (median of 5, timed around the call)', (t) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const s = loadTrustStore();
      times.push(performance.now() - t0);
      assert.ok(s.loadMs <= times[i]! + 1);
    }
    const m = median(times);
    t.diagnostic(`system bundle load: median ${m.toFixed(1)} ms over 5 runs (${times.map((t) => t.toFixed(1)).join(', ')})`);
    assert.ok(m < 100, `median load ${m.toFixed(1)} ms`);
  });

  test('SSL_CERT_FILE overrides the system places', () => {
    const root = pki.root('t-env', { subject: '/CN=Env Root' });
    const file = pki.path('env.pem');
    writeFileSync(file, root.pem);
    const saved = process.env['SSL_CERT_FILE'];
    process.env['SSL_CERT_FILE'] = file;
    try {
      const s = loadTrustStore();
      assert.equal(s.source, file);
      assert.equal(s.size, 1);
    } finally {
      if (saved === undefined) delete process.env['SSL_CERT_FILE'];
      else process.env['SSL_CERT_FILE'] = saved;
    }
  });
});

describe('a custom CA file (--ca-file)', () => {
  test('PEM blocks among text, duplicates counted once, the TRUSTED CERTIFICATE form', () => {
    const a = pki.root('t-a', { subject: '/O=Custom/CN=Custom Root A' });
    const b = pki.root('t-b', { subject: '/O=Custom/CN=Custom Root B', key: 'ed25519' });
    const c = pki.root('t-c', { subject: '/O=Custom/CN=Custom Root C', key: { rsa: 2048 } });
    const trusted = pki.openssl(['x509', '-in', c.certPath, '-trustout', '-addtrust', 'serverAuth']).toString('utf8');
    assert.match(trusted, /BEGIN TRUSTED CERTIFICATE/);
    const file = pki.path('custom.pem');
    writeFileSync(file, `# my CAs\nCustom Root A\n${a.pem}\nsome notes\n${b.pem}${a.pem}${trusted}`);
    const s = loadTrustStore(file);
    assert.equal(s.source, file);
    assert.equal(s.kind, 'file');
    assert.equal(s.size, 3);
    assert.equal(s.rejected, 0);
    for (const [issued, cn] of [[a, 'Custom Root A'], [b, 'Custom Root B'], [c, 'Custom Root C']] as const) {
      const x = new X509Certificate(issued.der);
      const anchor = s.byFingerprint(x.fingerprint256.replace(/:/g, '').toLowerCase());
      assert.ok(anchor, cn);
      assert.equal(anchor.subject, `CN=${cn},O=Custom`);
      assert.equal(s.parsed(anchor)?.info.subjectCN, cn);
      assert.ok(s.bySubject(nameKey(decodeName(s.parsed(anchor)!.subjectName.der))).includes(anchor));
    }
    assert.ok(s.loadMs >= 0);
  });

  test('lookup by name: identical bytes, or the same name in another encoding (RFC 5280 7.1)', () => {
    const r = pki.root('t-canon', { subject: '/O=Canon Test/CN=Canon Root' });
    const s = trustStoreFromPem(r.pem, 'canon.pem', 'file');
    const anchor = s.anchors[0]!;
    assert.deepEqual(s.byName(decodeName(anchor.subjectDer)), [anchor]);
    // The same name as PrintableStrings, other case and spacing.
    const seq = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag, body.length]), body]);
    const atv = (oidLast: number, text: string) => seq(0x31, seq(0x30, Buffer.concat([Buffer.from([0x06, 0x03, 0x55, 0x04, oidLast]), seq(0x13, Buffer.from(text))])));
    const other = decodeName(new Uint8Array(seq(0x30, Buffer.concat([atv(0x0a, 'CANON TEST'), atv(0x03, 'canon  root')]))));
    assert.notDeepEqual(Buffer.from(other.der), Buffer.from(anchor.subjectDer));
    assert.deepEqual(s.byName(other), [anchor]);
    assert.deepEqual(s.byName(decodeName(new Uint8Array(seq(0x30, atv(0x03, 'Someone Else'))))), []);
  });

  test('a lone DER certificate', () => {
    const d = pki.root('t-der', { subject: '/CN=DER Root' });
    const file = pki.path('root.der');
    writeFileSync(file, d.der);
    assert.equal(loadTrustStore(file).size, 1);
  });

  test('unusable files: a TrustStoreError with a one-line reason', () => {
    const empty = pki.path('empty.pem');
    writeFileSync(empty, 'no certificates here\n');
    const broken = pki.path('broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    for (const [file, reason] of [[pki.path('missing.pem'), /cannot read CA file .*ENOENT/], [empty, /holds no readable certificate/], [broken, /holds no readable certificate/], [pki.dir, /cannot read CA file .*EISDIR/]] as const) {
      assert.throws(() => loadTrustStore(file), (e: unknown) => e instanceof TrustStoreError && reason.test(e.message) && !e.message.includes('\n'));
    }
  });

  test('a block that does not decode is skipped and counted', () => {
    const ok = pki.root('t-ok', { subject: '/CN=Fine Root' });
    const s = trustStoreFromPem(`${ok.pem}-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n`, 'mixed.pem', 'file');
    assert.equal(s.size, 1);
    assert.equal(s.rejected, 1);
    assert.match(s.describe(), /1 anchor, 1 unreadable skipped/);
  });
});

describe("Node's bundled Mozilla roots (the last resort)", () => {
  test('decode and index', () => {
    const s = trustStoreFromPem(rootCertificates.join('\n'), NODE_BUNDLED_SOURCE, 'bundled');
    assert.equal(s.size, new Set(rootCertificates).size);
    assert.equal(s.rejected, 0);
  });
});
