// judgeChain on chains made with openssl at test time: each scenario a client meets
// (good chain, missing intermediate, self-signed, private root, misordered and extra
// certificates, expired / not yet valid, host names, weak algorithms, CA constraints, bad
// signatures, interception products), checked for its problems, primary cause and path.
// `openssl verify` is the oracle for the trust outcome where it applies.

import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type ChainReport, clearSignatureCache, judgeChain, judgeChainNow, signatureCacheStats } from '../src/x509/chain.js';
import { certificateJson } from '../src/x509/json.js';
import { type ProblemCode } from '../src/x509/problems.js';
import { type TrustStore, loadTrustStore, trustStoreFromPem } from '../src/x509/trust.js';
import { DAY, HOUR, type Issued, Pki } from './fixtures/x509-pki.js';

const pki = new Pki();
after(() => pki.cleanup());

/** Start of the test run: certificates issued "now" start a little after it. */
const NOW = new Date();
const codes = (r: ChainReport) => r.problems.map((p) => p.code);
const has = (r: ChainReport, code: ProblemCode) => r.problems.find((p) => p.code === code);
const storeOf = (...roots: Issued[]) => trustStoreFromPem(roots.map((r) => r.pem).join('\n'), 'test-store.pem', 'file');

function judge(chain: Issued[], serverName: string | null, trust: TrustStore, extra: { time?: Date; ocsp?: Uint8Array } = {}) {
  return judgeChain({ chain: chain.map((c) => c.der), serverName, time: extra.time ?? new Date(), trust, ocsp: extra.ocsp ?? null });
}

/** `openssl verify` of the leaf with the rest as untrusted, against the roots; true when OK. */
function opensslVerifies(leaf: Issued, untrusted: Issued[], roots: Issued[], at = new Date()): boolean {
  const bundle = pki.path(`verify-${Math.random().toString(36).slice(2)}.pem`);
  const chainFile = pki.path(`chain-${Math.random().toString(36).slice(2)}.pem`);
  writeFileSync(bundle, roots.map((r) => r.pem).join(''));
  writeFileSync(chainFile, untrusted.map((r) => r.pem).join(''));
  try {
    pki.openssl(['verify', '-attime', String(Math.floor(at.getTime() / 1000)), '-CAfile', bundle, ...(untrusted.length ? ['-untrusted', chainFile] : []), leaf.certPath]);
    return true;
  } catch {
    return false;
  }
}

let root: Issued;
let int: Issued;
let leaf: Issued;
let store: TrustStore;

before(() => {
  const started = new Date(NOW.getTime() - 60 * DAY);
  root = pki.root('c-root', { subject: '/C=US/O=Chain Test/CN=Chain Root', key: { rsa: 2048 }, days: 3650, start: started });
  int = pki.intermediate('c-int', { subject: '/C=US/O=Chain Test/CN=Chain Int', aia: 'caIssuers;URI:http://ca.example/root.der', days: 1825, start: started }, root);
  leaf = pki.leaf('c-leaf', { subject: '/CN=www.example.test', san: ['DNS:www.example.test', 'DNS:*.api.example.test', 'IP:192.0.2.80'], aia: 'caIssuers;URI:http://ca.example/int.der,OCSP;URI:http://ocsp.example' }, int);
  store = storeOf(root);
});

describe('a good chain', () => {
  test('trusted, no problems, path leaf → intermediate → store root', async () => {
    const r = await judge([leaf, int], 'www.example.test', store);
    assert.deepEqual(codes(r), []);
    assert.equal(r.ok, true);
    assert.equal(r.primary, null);
    assert.equal(r.pathEnd, 'trusted');
    assert.deepEqual(r.path.map((s) => [s.certIndex, s.trustAnchor]), [[0, false], [1, false], [null, true]]);
    assert.deepEqual(r.path.slice(0, 2).map((s) => s.signature?.valid), [true, true]);
    assert.equal(r.anchor?.subject, 'CN=Chain Root,O=Chain Test,C=US');
    assert.equal(r.anchor?.sent, false);
    assert.deepEqual(r.certificates.map((c) => c.role), ['leaf', 'intermediate']);
    assert.equal(r.hostname?.matched, true);
    assert.equal(r.trustStore.source, 'test-store.pem');
    assert.ok(r.checks.some((c) => c.startsWith('built the path')));
    assert.ok(r.checks.some((c) => c.includes('test-store.pem (1 anchor)')));
    assert.ok(r.notChecked.length > 0);
    assert.equal(opensslVerifies(leaf, [int], [root]), true);
  });

  test('wildcard and IP SNI', async () => {
    assert.equal((await judge([leaf, int], 'v1.api.example.test', store)).ok, true);
    const ip = await judge([leaf, int], '192.0.2.80', store);
    assert.equal(ip.ok, true);
    assert.equal(ip.hostname?.kind, 'ip');
  });

  test('the root sent too is harmless (info)', async () => {
    const r = await judge([leaf, int, root], 'www.example.test', store);
    assert.equal(r.ok, true);
    assert.deepEqual(codes(r), ['cert.root_sent']);
    assert.equal(has(r, 'cert.root_sent')?.certIndex, 2);
    assert.equal(r.anchor?.sent, true);
    assert.deepEqual(r.certificates.map((c) => c.role), ['leaf', 'intermediate', 'root']);
  });

  test('certificateJson: contract fields in sent order', async () => {
    const r = await judge([leaf, int], 'www.example.test', store);
    const j = certificateJson(r);
    assert.equal(j.length, 2);
    for (const k of ['subject', 'issuer', 'notBefore', 'notAfter', 'sha256', 'dnsNames'] as const) assert.ok(k in j[0]!, k);
    assert.equal(j[0]!.subject, 'CN=www.example.test');
    assert.equal(j[0]!.issuer, 'CN=Chain Int,O=Chain Test,C=US');
    assert.deepEqual(j[0]!.dnsNames, ['www.example.test', '*.api.example.test']);
    assert.deepEqual(j[0]!.ipAddresses, ['192.0.2.80']);
    assert.equal(j[1]!.isCA, true);
    assert.equal(j[0]!.role, 'leaf');
    assert.match(j[0]!.sha256, /^[0-9a-f]{64}$/);
    assert.doesNotThrow(() => JSON.stringify(j));
  });
});

describe('trust failures', () => {
  test('missing intermediate: chain incomplete, with the AIA URL', async () => {
    const r = await judge([leaf], 'www.example.test', store);
    assert.equal(r.primary?.code, 'tls.cert_chain_incomplete');
    assert.equal(r.primary?.verdict, 'tls.cert_chain_incomplete');
    assert.equal(r.pathEnd, 'incomplete');
    assert.equal(r.missingIssuer?.name, 'CN=Chain Int,O=Chain Test,C=US');
    assert.deepEqual(r.missingIssuer?.caIssuersUrls, ['http://ca.example/int.der']);
    assert.equal(r.missingIssuer?.probablyRoot, false);
    assert.match(r.primary!.message, /http:\/\/ca\.example\/int\.der/);
    assert.equal(opensslVerifies(leaf, [], [root]), false);
  });

  test('self-signed leaf', async () => {
    const self = pki.leaf('c-self', { subject: '/CN=self.example.test', san: ['DNS:self.example.test'] }, null);
    const r = await judge([self], 'self.example.test', store);
    assert.equal(r.primary?.code, 'tls.cert_self_signed');
    assert.equal(r.pathEnd, 'untrusted_root');
    assert.equal(r.certificates[0]!.cert?.selfSigned, true);
    // The same certificate given as the trust store (--ca-file): accepted, noted.
    const pinned = await judge([self], 'self.example.test', storeOf(self));
    assert.equal(pinned.ok, true);
    assert.ok(has(pinned, 'cert.anchor_in_chain'));
  });

  test('private root, sent but absent from the store: untrusted', async () => {
    const pRoot = pki.root('c-proot', { subject: '/O=Private/CN=Private Root' });
    const pInt = pki.intermediate('c-pint', { subject: '/O=Private/CN=Private Int' }, pRoot);
    const pLeaf = pki.leaf('c-pleaf', { subject: '/CN=intranet.example.test', san: ['DNS:intranet.example.test'], aia: 'OCSP;URI:http://ocsp.private', days: 90 }, pInt);
    const r = await judge([pLeaf, pInt, pRoot], 'intranet.example.test', store);
    assert.equal(r.primary?.code, 'tls.cert_untrusted');
    assert.equal(r.primary?.certIndex, 2);
    assert.equal(r.pathEnd, 'untrusted_root');
    assert.match(r.primary!.message, /not in the trust store test-store\.pem/);
    assert.equal(r.interception, null, 'a private CA with AIA pointers is not flagged as interception');
    // Root not sent: the chain stops at the intermediate, whose issuer is likely a private root.
    const r2 = await judge([pLeaf, pInt], 'intranet.example.test', store);
    assert.equal(r2.primary?.code, 'tls.cert_chain_incomplete');
    assert.equal(r2.missingIssuer?.probablyRoot, true);
    assert.match(r2.primary!.message, /private CA/);
    // With the private root in the store: fine.
    assert.equal((await judge([pLeaf, pInt], 'intranet.example.test', storeOf(root, pRoot))).ok, true);
  });

  test('the system store does not know a private CA', { skip: !existsSync('/etc/ssl/certs/ca-certificates.crt') }, async () => {
    const sys = loadTrustStore();
    const r = await judge([leaf, int, root], 'www.example.test', sys);
    assert.equal(r.primary?.code, 'tls.cert_untrusted');
    assert.equal(r.trustStore.kind, 'system');
    assert.match(r.primary!.message, /ca-certificates\.crt/);
  });

  test('a root in the store with the same name but another key: incomplete, with a hint', async () => {
    const twin = pki.root('c-root-twin', { subject: '/C=US/O=Chain Test/CN=Chain Root' });
    const r = await judge([leaf, int], 'www.example.test', storeOf(twin));
    assert.equal(r.primary?.code, 'tls.cert_chain_incomplete');
    assert.match(r.primary!.message, /different key/);
  });

  test('bad signature: the sent intermediate has the right name but another key', async () => {
    const impostor = pki.intermediate('c-int-impostor', { subject: '/C=US/O=Chain Test/CN=Chain Int' }, root);
    const r = await judge([leaf, impostor], 'www.example.test', store);
    assert.equal(r.primary?.code, 'cert.bad_signature');
    assert.equal(r.primary?.verdict, 'tls.cert_rejected');
    assert.equal(r.pathEnd, 'bad_signature');
    assert.equal(opensslVerifies(leaf, [impostor], [root]), false);
  });

  test('an unrecognised certificate and an empty chain', async () => {
    const garbage = { ...leaf, der: Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01]) };
    const r = await judge([garbage], 'www.example.test', store);
    assert.equal(r.primary?.code, 'cert.unparsable');
    assert.equal(r.pathEnd, 'no_leaf');
    assert.equal(r.certificates[0]!.cert, null);
    assert.equal(certificateJson(r)[0]!.subject, null);
    assert.ok(certificateJson(r)[0]!.error);
    const withJunk = await judge([leaf, int, garbage], 'www.example.test', store);
    assert.equal(withJunk.pathEnd, 'trusted');
    assert.equal(withJunk.primary?.code, 'cert.unparsable');
    const empty = await judge([], 'www.example.test', store);
    assert.equal(empty.primary?.code, 'cert.empty_chain');
  });
});

describe('chain shape', () => {
  test('misordered with an extra certificate: trusted, warnings', async () => {
    const stranger = pki.root('c-stranger', { subject: '/CN=Unrelated CA' });
    const r = await judge([leaf, root, stranger, int], 'www.example.test', store);
    assert.equal(r.ok, true);
    assert.equal(r.pathEnd, 'trusted');
    assert.ok(has(r, 'cert.misordered'));
    assert.equal(has(r, 'cert.extra')?.certIndex, 2);
    assert.ok(has(r, 'cert.root_sent'));
    assert.deepEqual(r.path.map((s) => s.certIndex), [0, 3, 1]);
    assert.deepEqual(r.certificates.map((c) => c.role), ['leaf', 'root', 'extra', 'intermediate']);
  });

  test('a CA certificate sent first', async () => {
    const r = await judge([int, leaf], 'www.example.test', store);
    const m = has(r, 'cert.misordered');
    assert.ok(m);
    assert.match(m.message, /#1 "CN=www\.example\.test".*intended server certificate/);
    assert.equal(r.primary?.code, 'tls.cert_hostname_mismatch');
  });

  test('a cross-signed copy of the trusted root', async () => {
    const oldRoot = pki.root('c-oldroot', { subject: '/CN=Old Root' });
    const cross = pki.issue('c-cross', { subject: '/C=US/O=Chain Test/CN=Chain Root', keyOf: root, ca: true, keyUsage: 'critical,keyCertSign,cRLSign' }, oldRoot);
    const r = await judge([leaf, int, cross], 'www.example.test', store);
    assert.equal(r.ok, true);
    assert.equal(has(r, 'cert.cross_signed')?.certIndex, 2);
    assert.equal(has(r, 'cert.extra'), undefined);
    // A client that only trusts the old root goes through the cross-signed copy.
    const viaOld = await judge([leaf, int, cross], 'www.example.test', storeOf(oldRoot));
    assert.equal(viaOld.ok, true);
    assert.deepEqual(viaOld.path.map((s) => s.certIndex), [0, 1, 2, null]);
  });
});

describe('dates at the capture time', () => {
  test('expired leaf: how long ago', async () => {
    const old = pki.leaf('c-expired', { subject: '/CN=old.example.test', san: ['DNS:old.example.test'], start: new Date(NOW.getTime() - 40 * DAY), days: 30 }, int);
    const r = await judge([old, int], 'old.example.test', store);
    assert.equal(r.primary?.code, 'tls.cert_expired');
    assert.equal(r.primary?.certIndex, 0);
    assert.match(r.primary!.message, /notAfter .* is (9|10) days( \d+ hours?)? before the capture time/);
    assert.equal(opensslVerifies(old, [int], [root]), false);
    // At a time inside its validity, it is fine: the capture time decides, not the wall clock.
    assert.equal((await judge([old, int], 'old.example.test', store, { time: new Date(NOW.getTime() - 20 * DAY) })).ok, true);
  });

  test('not yet valid: which date, by how much', async () => {
    const future = pki.leaf('c-future', { subject: '/CN=new.example.test', san: ['DNS:new.example.test'], start: new Date(NOW.getTime() + 3 * DAY + 4 * HOUR + 30_000) }, int);
    const r = await judge([future, int], 'new.example.test', store, { time: NOW });
    assert.equal(r.primary?.code, 'tls.cert_not_yet_valid');
    assert.match(r.primary!.message, /notBefore .* is 3 days 4 hours after the capture time/);
    assert.match(r.primary!.message, /clock/);
  });

  test('expired intermediate and expired trust anchor', async () => {
    const oldInt = pki.intermediate('c-oldint', { subject: '/C=US/O=Chain Test/CN=Old Int', start: new Date(NOW.getTime() - 100 * DAY), days: 50 }, root);
    const l = pki.leaf('c-leaf-oldint', { subject: '/CN=www.example.test', san: ['DNS:www.example.test'] }, oldInt);
    const r = await judge([l, oldInt], 'www.example.test', store);
    assert.equal(r.primary?.code, 'tls.cert_expired');
    assert.equal(r.primary?.certIndex, 1);
    const later = new Date(NOW.getTime() + 3600 * DAY);
    const r2 = await judge([leaf, int], 'www.example.test', store, { time: later });
    assert.ok(r2.problems.some((p) => p.code === 'tls.cert_expired' && p.certIndex === undefined && p.message.includes('trust anchor')));
  });
});

describe('host names', () => {
  test('mismatch lists what the certificate covers', async () => {
    const r = await judge([leaf, int], 'mail.example.test', store);
    assert.equal(r.primary?.code, 'tls.cert_hostname_mismatch');
    assert.match(r.primary!.message, /www\.example\.test, \*\.api\.example\.test, 192\.0\.2\.80/);
  });

  test('no SNI: said, and what the certificate covers (info only)', async () => {
    const r = await judge([leaf, int], null, store);
    assert.equal(r.ok, true);
    assert.match(has(r, 'cert.no_sni')!.message, /www\.example\.test/);
    assert.equal(r.hostname?.kind, 'none');
  });

  test('CN-only certificate: warning', async () => {
    const cnOnly = pki.leaf('c-cnonly', { subject: '/CN=legacy.example.test' }, int);
    const r = await judge([cnOnly, int], 'legacy.example.test', store);
    assert.equal(r.ok, true);
    assert.ok(has(r, 'cert.cn_only'));
  });
});

describe('weak but accepted, and CA constraints', () => {
  test('RSA 1024 leaf signed with SHA-1', async () => {
    const rsaInt = pki.intermediate('c-rsaint', { subject: '/O=Chain Test/CN=RSA Int', key: { rsa: 2048 } }, root);
    const weak = pki.leaf('c-weak', { subject: '/CN=weak.example.test', san: ['DNS:weak.example.test'], key: { rsa: 1024 }, digest: 'sha1' }, rsaInt);
    const r = await judge([weak, rsaInt], 'weak.example.test', store);
    assert.equal(r.ok, true, 'warnings only');
    assert.match(has(r, 'cert.weak_key')!.message, /1024-bit RSA/);
    assert.match(has(r, 'cert.sha1_signature')!.message, /sha1WithRSAEncryption/);
    assert.equal(r.path[0]!.signature?.valid, true);
  });

  test('validity over 398 days', async () => {
    const long = pki.leaf('c-long', { subject: '/CN=long.example.test', san: ['DNS:long.example.test'], days: 825 }, int);
    assert.match(has(await judge([long, int], 'long.example.test', store), 'cert.long_validity')!.message, /825 days/);
  });

  test('CA:TRUE leaf, EKU without serverAuth, key usage without digitalSignature', async () => {
    const odd = pki.issue('c-odd', { subject: '/CN=odd.example.test', san: ['DNS:odd.example.test'], ca: true, extKeyUsage: 'clientAuth', keyUsage: 'critical,keyAgreement' }, int);
    const r = await judge([odd, int], 'odd.example.test', store);
    assert.deepEqual(r.problems.filter((p) => p.severity === 'warning').map((p) => p.code).sort(), ['cert.ca_leaf', 'cert.leaf_key_usage', 'cert.no_server_auth']);
    assert.equal(r.ok, true);
  });

  test('an issuer that is not a CA; a path length exceeded', async () => {
    const notCa = pki.issue('c-notca', { subject: '/O=Chain Test/CN=Not A CA', ca: false }, root);
    const below = pki.leaf('c-below-notca', { subject: '/CN=x.example.test', san: ['DNS:x.example.test'] }, notCa);
    const r = await judge([below, notCa], 'x.example.test', store);
    assert.equal(r.primary?.code, 'cert.not_ca');
    assert.equal(r.primary?.certIndex, 1);
    assert.equal(opensslVerifies(below, [notCa], [root]), false);
    // int has pathlen:0; an intermediate below it breaks the constraint.
    const sub = pki.intermediate('c-sub', { subject: '/O=Chain Test/CN=Sub Int' }, int);
    const deep = pki.leaf('c-deep', { subject: '/CN=deep.example.test', san: ['DNS:deep.example.test'] }, sub);
    const r2 = await judge([deep, sub, int], 'deep.example.test', store);
    assert.equal(r2.primary?.code, 'cert.path_length');
    assert.equal(r2.primary?.certIndex, 2);
    assert.equal(opensslVerifies(deep, [sub, int], [root]), false);
  });

  test('an unknown critical extension', async () => {
    const crit = pki.leaf('c-crit', { subject: '/CN=crit.example.test', san: ['DNS:crit.example.test'], extra: ['1.2.3.4.5 = critical,ASN1:UTF8String:x'] }, int);
    const r = await judge([crit, int], 'crit.example.test', store);
    assert.equal(r.primary?.code, 'cert.unhandled_critical');
    assert.equal(opensslVerifies(crit, [int], [root]), false);
  });
});

describe('EdDSA chains (signatures checked with Node crypto)', () => {
  test('Ed25519 root → Ed448 intermediate → Ed25519 leaf', async () => {
    const edRoot = pki.root('c-edroot', { subject: '/CN=Ed Root', key: 'ed25519' });
    const edInt = pki.intermediate('c-edint', { subject: '/CN=Ed Int', key: 'ed448' }, edRoot);
    const edLeaf = pki.leaf('c-edleaf', { subject: '/CN=ed.example.test', san: ['DNS:ed.example.test'], key: 'ed25519', keyUsage: 'critical,digitalSignature' }, edInt);
    const r = await judge([edLeaf, edInt], 'ed.example.test', storeOf(edRoot));
    assert.deepEqual(codes(r), []);
    assert.deepEqual(r.path.slice(0, 2).map((s) => s.signature), [{ valid: true, by: 'node' }, { valid: true, by: 'node' }]);
    const forged = pki.intermediate('c-edint-forged', { subject: '/CN=Ed Int', key: 'ed448' }, edRoot);
    assert.equal((await judge([edLeaf, forged], 'ed.example.test', storeOf(edRoot))).primary?.code, 'cert.bad_signature');
  });
});

describe('interception', () => {
  test('a FortiGate CA re-signing: likely, with the product and how to confirm', async () => {
    const forti = pki.root('c-forti', { subject: '/C=US/ST=California/L=Sunnyvale/O=Fortinet/OU=Certificate Authority/CN=FortiGate CA' });
    const fake = pki.leaf('c-forti-leaf', { subject: '/CN=www.example.test', san: ['DNS:www.example.test'] }, forti);
    const r = await judge([fake, forti], 'www.example.test', store);
    assert.equal(r.primary?.code, 'tls.cert_untrusted');
    assert.equal(r.interception?.product, 'Fortinet FortiGate');
    assert.equal(r.interception?.confidence, 'likely');
    assert.match(r.interception!.confirm, /openssl s_client -connect www\.example\.test:443 -servername www\.example\.test -showcerts/);
    assert.match(has(r, 'cert.interception_likely')!.message, /FortiGate/);
    // Proxy CA not sent: still recognised from the leaf's issuer name.
    assert.equal((await judge([fake], 'www.example.test', store)).interception?.product, 'Fortinet FortiGate');
    // Trusted (the proxy CA deployed in the store): only an info note.
    const trusted = await judge([fake], 'www.example.test', storeOf(forti));
    assert.equal(trusted.ok, true);
    assert.ok(has(trusted, 'cert.inspection_trusted'));
  });

  test('an unknown private CA minting a fresh certificate for exactly the SNI: possible', async () => {
    const proxy = pki.root('c-proxy', { subject: '/O=Acme Corp/CN=Acme Security Gateway' });
    const minted = pki.leaf('c-minted', { subject: '/CN=bank.example.test', san: ['DNS:bank.example.test'] }, proxy);
    const r = await judge([minted], 'bank.example.test', store);
    assert.equal(r.interception?.product, null);
    assert.equal(r.interception?.confidence, 'possible');
    assert.match(r.interception!.evidence, /names exactly "bank\.example\.test"/);
  });
});

describe('caching', () => {
  test('repeat judgements reuse signature checks; caches are bounded', async () => {
    clearSignatureCache();
    await judge([leaf, int], 'www.example.test', store);
    const size = signatureCacheStats().size;
    assert.ok(size >= 2);
    // Repeats check no signature again: each is judged at once (no promise), the cache unchanged.
    for (let i = 0; i < 200; i++) {
      const r = judgeChainNow({ chain: [leaf.der, int.der], serverName: 'www.example.test', time: new Date(NOW.getTime() + i * 1000), trust: store, ocsp: null });
      assert.ok(!(r instanceof Promise), `repeat ${i}`);
    }
    assert.equal(signatureCacheStats().size, size);
    assert.ok(signatureCacheStats().capacity > 0);
  });

  test('a chain whose signatures were checked before is judged at once, as the asynchronous judgement judges it', async () => {
    clearSignatureCache();
    const input = { chain: [leaf.der, int.der], serverName: 'www.example.test', time: new Date(), trust: store, ocsp: null };
    const first = judgeChainNow(input);
    assert.ok(first instanceof Promise, 'the first judgement checks signatures asynchronously');
    const now = judgeChainNow(input);
    assert.ok(now instanceof Promise, 'still pending: a promise again');
    const report = await first;
    await now;
    const again = judgeChainNow(input);
    assert.ok(!(again instanceof Promise), 'every signature settled: judged at once');
    assert.deepEqual(again, report);
    assert.deepEqual(again, await judgeChain(input));
    // Another name, another time: the same signatures, judged at once, and judged for that name.
    const other = judgeChainNow({ ...input, serverName: 'other.example.test', time: new Date(NOW.getTime() + 1000) });
    assert.ok(!(other instanceof Promise));
    assert.ok(has(other, 'tls.cert_hostname_mismatch'));
    // A stapled OCSP response is checked asynchronously, whatever the cache holds.
    const ocsp = pki.ocsp(leaf, int, [{ serialHex: leaf.serialHex, status: 'V' }]);
    const stapled = judgeChainNow({ ...input, ocsp });
    assert.ok(stapled instanceof Promise);
    assert.equal((await stapled).ocsp?.matched?.status, 'good');
    assert.throws(() => judgeChainNow({ ...input, time: new Date(NaN) }), TypeError);
  });

  test('judging the same chain concurrently gives identical reports', async () => {
    clearSignatureCache();
    const reports = await Promise.all(Array.from({ length: 20 }, () => judge([leaf, int], 'www.example.test', store)));
    for (const r of reports) assert.deepEqual(codes(r), []);
  });
});

describe('robustness', () => {
  test('corrupted certificates and OCSP bytes: always a report, never an exception', async () => {
    const ocsp = pki.ocsp(leaf, int, [{ serialHex: leaf.serialHex, status: 'V' }]);
    let reports = 0;
    for (let i = 0; i < leaf.der.length; i += 3) {
      const bad = Uint8Array.from(leaf.der);
      bad[i] = bad[i]! ^ 0x55;
      const badOcsp = Uint8Array.from(ocsp);
      badOcsp[i % ocsp.length] = 0xff;
      const r = await judgeChain({ chain: [bad, int.der.subarray(0, int.der.length - (i % 7))], serverName: 'www.example.test', time: new Date(), trust: store, ocsp: badOcsp });
      assert.ok(r.problems.length > 0);
      reports++;
    }
    assert.ok(reports > 100);
  });

  test('a time that is not a Date is a caller error', async () => {
    await assert.rejects(judgeChain({ chain: [leaf.der], serverName: null, time: new Date(NaN), trust: store }), TypeError);
  });
});
