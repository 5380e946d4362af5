// Stapled OCSP responses made by `openssl ocsp` (index file + responder key): decoded
// and compared with `openssl ocsp -resp_text` and with pkijs' own parser, then judged with
// the chain: good, revoked, unknown, about another certificate, out of date, delegated
// responder, wrong signer; and robustness on every prefix and on garbage.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import * as pkijs from 'pkijs';
import { judgeChain } from '../src/x509/chain.js';
import { parseOcspResponse, type OcspInfo } from '../src/x509/ocsp.js';
import { type TrustStore, trustStoreFromPem } from '../src/x509/trust.js';
import { DAY, type Issued, Pki } from './fixtures/x509-pki.js';

const pki = new Pki();
after(() => pki.cleanup());

let root: Issued;
let int: Issued;
let leaf: Issued;
let other: Issued;
let store: TrustStore;

before(() => {
  const started = new Date(Date.now() - 10 * DAY);
  root = pki.root('o-root', { subject: '/O=OCSP Test/CN=OCSP Root', days: 3650, start: started });
  int = pki.intermediate('o-int', { subject: '/O=OCSP Test/CN=OCSP Int', key: { rsa: 2048 }, days: 3650, start: started }, root);
  leaf = pki.leaf('o-leaf', { subject: '/CN=ocsp.example.test', san: ['DNS:ocsp.example.test'], aia: 'OCSP;URI:http://ocsp.example.test' }, int);
  other = pki.leaf('o-other', { subject: '/CN=other.example.test', san: ['DNS:other.example.test'] }, int);
  store = trustStoreFromPem(root.pem, 'ocsp-store.pem', 'file');
});

function decoded(der: Uint8Array): OcspInfo {
  const r = parseOcspResponse(der);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.ocsp;
}

const judge = (ocsp: Uint8Array, time = new Date()) =>
  judgeChain({ chain: [leaf.der, int.der], serverName: 'ocsp.example.test', time, trust: store, ocsp });

/** `openssl ocsp -resp_text` of a response. */
function respText(der: Uint8Array): string {
  const f = pki.path(`resp-${Math.random().toString(36).slice(2)}.der`);
  writeFileSync(f, der);
  return pki.openssl(['ocsp', '-respin', f, '-resp_text', '-noverify']).toString('utf8');
}
const opensslDate = (text: string, label: string) => Date.parse(new RegExp(`${label}: (.+)`).exec(text)![1]!);

describe('decoding, compared with openssl and pkijs', () => {
  test('good', () => {
    const der = pki.ocsp(leaf, int, [{ serialHex: leaf.serialHex, status: 'V' }]);
    const o = decoded(der);
    assert.equal(o.responseStatus, 'successful');
    assert.equal(o.status, 'good');
    assert.equal(o.responses.length, 1);
    assert.equal(o.responses[0]!.serial, leaf.serialHex);
    assert.equal(o.responderName, 'CN=OCSP Int,O=OCSP Test');
    assert.equal(o.signatureAlgorithm?.name, 'sha256WithRSAEncryption');
    const text = respText(der);
    assert.match(text, /Cert Status: good/);
    assert.equal(Date.parse(o.thisUpdate!), opensslDate(text, 'This Update'));
    assert.equal(Date.parse(o.nextUpdate!), opensslDate(text, 'Next Update'));
    assert.equal(Date.parse(o.producedAt!), opensslDate(text, 'Produced At'));
    assert.match(text, new RegExp(`Serial Number: ${leaf.serialHex}`));
    // pkijs' parser as a second oracle.
    const resp = pkijs.OCSPResponse.fromBER(der);
    const basic = pkijs.BasicOCSPResponse.fromBER(resp.responseBytes!.response.valueBlock.valueHexView);
    const single = basic.tbsResponseData.responses[0]!;
    assert.equal(single.certStatus.idBlock.tagNumber, 0);
    assert.equal(single.thisUpdate.getTime(), Date.parse(o.thisUpdate!));
    assert.equal(single.nextUpdate!.getTime(), Date.parse(o.nextUpdate!));
    assert.equal(Buffer.from(single.certID.serialNumber.valueBlock.valueHexView).toString('hex').toUpperCase().replace(/^0+(?=..)/, ''), o.responses[0]!.serial);
    assert.equal(Buffer.from(single.certID.issuerKeyHash.valueBlock.valueHexView).toString('hex'), o.responses[0]!.issuerKeyHash);
    assert.equal(basic.tbsResponseData.producedAt.getTime(), Date.parse(o.producedAt!));
  });

  test('revoked, with time and reason', () => {
    const when = new Date(Date.now() - 2 * DAY);
    const der = pki.ocsp(leaf, int, [{ serialHex: leaf.serialHex, status: 'R', revoked: when, reason: 'keyCompromise' }]);
    const o = decoded(der);
    assert.equal(o.status, 'revoked');
    assert.equal(o.revocationReason, 'keyCompromise');
    assert.equal(o.responses[0]!.revocationReasonCode, 1);
    assert.equal(Date.parse(o.revocationTime!), Math.floor(when.getTime() / 1000) * 1000);
    const text = respText(der);
    assert.match(text, /Cert Status: revoked/);
    assert.match(text, /Revocation Reason: keyCompromise \(0x1\)/);
    assert.equal(Date.parse(o.revocationTime!), opensslDate(text, 'Revocation Time'));
  });

  test('a non-successful response carries only its status', () => {
    const o = decoded(Uint8Array.from([0x30, 0x03, 0x0a, 0x01, 0x03]));
    assert.equal(o.responseStatus, 'tryLater');
    assert.equal(o.status, null);
    assert.deepEqual(o.responses, []);
  });
});

describe('judged with the chain', () => {
  test('good: no problem, signature by the issuer verifies', async () => {
    const r = await judge(pki.ocsp(leaf, int, [{ serialHex: leaf.serialHex, status: 'V' }]));
    assert.deepEqual(r.problems.map((p) => p.code), []);
    assert.equal(r.ocsp?.matched?.status, 'good');
    assert.equal(r.ocsp?.signer, 'issuer');
    assert.equal(r.ocsp?.signature?.valid, true);
    assert.ok(r.checks.some((c) => c === 'stapled OCSP response: good'));
  });

  test('revoked: an error, the primary cause', async () => {
    const r = await judge(pki.ocsp(leaf, int, [{ serialHex: leaf.serialHex, status: 'R', reason: 'superseded' }]));
    assert.equal(r.primary?.code, 'cert.ocsp_revoked');
    assert.equal(r.primary?.verdict, 'tls.cert_rejected');
    assert.match(r.primary!.message, /superseded/);
    assert.equal(r.ok, false);
  });

  test('unknown to the responder', async () => {
    const r = await judge(pki.ocsp(leaf, int, [{ serialHex: 'ABCD', status: 'V' }]));
    assert.equal(r.ocsp?.matched?.status, 'unknown');
    assert.ok(r.problems.some((p) => p.code === 'cert.ocsp_unknown'));
  });

  test('about another certificate', async () => {
    const r = await judge(pki.ocsp(other, int, [{ serialHex: other.serialHex, status: 'V' }]));
    assert.equal(r.ocsp?.matched, null);
    assert.match(r.problems.find((p) => p.code === 'cert.ocsp_mismatch')!.message, new RegExp(`${other.serialHex}.*${leaf.serialHex}`));
  });

  test('out of date at the capture time', async () => {
    const der = pki.ocsp(leaf, int, [{ serialHex: leaf.serialHex, status: 'V' }], { ndays: 2 });
    assert.ok((await judge(der)).ok);
    const r = await judge(der, new Date(Date.now() + 5 * DAY));
    assert.match(r.problems.find((p) => p.code === 'cert.ocsp_stale')!.message, /nextUpdate .* is 3 days before the capture time/);
  });

  test('a delegated responder certified by the issuer', async () => {
    const responder = pki.issue('o-responder', { subject: '/O=OCSP Test/CN=OCSP Responder', extKeyUsage: 'OCSPSigning', ca: false }, int);
    const r = await judge(pki.ocsp(leaf, int, [{ serialHex: leaf.serialHex, status: 'V' }], { responder }));
    assert.equal(r.ocsp?.signer, 'delegated');
    assert.equal(r.ocsp?.signature?.valid, true);
    assert.deepEqual(r.problems.map((p) => p.code), []);
  });

  test('a responder the issuer never certified', async () => {
    const rogue = pki.root('o-rogue', { subject: '/CN=Rogue Responder' });
    const r = await judge(pki.ocsp(leaf, int, [{ serialHex: leaf.serialHex, status: 'V' }], { responder: rogue }));
    assert.equal(r.ocsp?.signature?.valid, false);
    assert.ok(r.problems.some((p) => p.code === 'cert.ocsp_bad_signature'));
  });

  test('garbage or a non-successful status: a warning, never a crash', async () => {
    const g = await judge(Uint8Array.from([1, 2, 3]));
    assert.equal(g.ocsp?.info, null);
    assert.ok(g.problems.some((p) => p.code === 'cert.ocsp_invalid'));
    assert.equal(g.ok, true);
    const later = await judge(Uint8Array.from([0x30, 0x03, 0x0a, 0x01, 0x03]));
    assert.match(later.problems.find((p) => p.code === 'cert.ocsp_invalid')!.message, /tryLater/);
  });
});

describe('robustness', () => {
  test('every strict prefix of a real response, and byte corruptions', () => {
    const der = pki.ocsp(leaf, int, [{ serialHex: leaf.serialHex, status: 'R', reason: 'keyCompromise' }]);
    for (let n = 0; n < der.length; n++) assert.equal(parseOcspResponse(der.subarray(0, n)).ok, false, `prefix ${n}`);
    assert.equal(parseOcspResponse(Uint8Array.from([...der, 0])).ok, false);
    for (let i = 0; i < der.length; i++) {
      for (const v of [0x00, 0xff, der[i]! ^ 0x20]) {
        const copy = Uint8Array.from(der);
        copy[i] = v;
        assert.doesNotThrow(() => parseOcspResponse(copy));
      }
    }
  });

  test('a successful status without a body is invalid', () => {
    assert.equal(parseOcspResponse(Uint8Array.from([0x30, 0x03, 0x0a, 0x01, 0x00])).ok, false);
  });
});
