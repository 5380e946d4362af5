// The TLS registries: data tables with derived properties, GREASE as a predicate,
// unknown values shown as hex.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CIPHER_SUITES, cipherSuiteInfo, cipherSuiteName, IANA_CIPHER_SUITES, suiteWeaknesses, sslv2CipherSpecName } from '../src/registry/tls-ciphers.js';
import { isGrease, isGrease8 } from '../src/registry/tls-names.js';
import { groupName, isPostQuantumGroup, NAMED_GROUPS } from '../src/registry/tls-groups.js';
import { signatureSchemeName } from '../src/registry/tls-sigschemes.js';
import { extensionName } from '../src/registry/tls-extensions.js';
import { alertCategory, alertName, CERTIFICATE_REJECTION_ALERTS } from '../src/registry/tls-alerts.js';
import { isTls13Family, versionName, versionRank } from '../src/registry/tls-versions.js';

test('cipher suite properties derived from IANA names', () => {
  const table: [number, Partial<ReturnType<typeof cipherSuiteInfo> & object>][] = [
    [0x1301, { name: 'TLS_AES_128_GCM_SHA256', tls13Only: true, mode: 'GCM', mac: 'AEAD', prfHash: 'SHA256', weaknesses: [] }],
    [0x1302, { tls13Only: true, prfHash: 'SHA384' }],
    [0x1303, { mode: 'ChaCha20-Poly1305', tls13Only: true }],
    [0x1305, { cipher: 'AES_128_CCM_8', mode: 'CCM' }],
    [0xc02f, { keyExchange: 'ECDHE', authentication: 'RSA', cipher: 'AES_128_GCM', mode: 'GCM', mac: 'AEAD', tls13Only: false, weaknesses: [] }],
    [0xc030, { prfHash: 'SHA384' }],
    [0xcca8, { mode: 'ChaCha20-Poly1305', keyExchange: 'ECDHE' }],
    [0x002f, { keyExchange: 'RSA', authentication: 'RSA', cipher: 'AES_128_CBC', mode: 'CBC', mac: 'SHA1', weaknesses: ['cbc', 'sha1-mac'] }],
    [0x0004, { cipher: 'RC4_128', mode: 'stream', mac: 'MD5', weaknesses: ['rc4', 'md5-mac'] }],
    [0x000a, { cipher: '3DES_EDE_CBC', weaknesses: ['3des', 'cbc', 'sha1-mac'] }],
    [0x0003, { keyExchange: 'RSA', weaknesses: ['export', 'rc4', 'md5-mac'] }],
    [0x0018, { authentication: 'anon', keyExchange: 'DH' }],
    [0x0001, { mode: 'NULL', weaknesses: ['null-cipher', 'md5-mac'] }],
    [0x00ff, { scsv: true }],
    [0x5600, { scsv: true, name: 'TLS_FALLBACK_SCSV' }],
    [0xc0b4, { tls13Only: true, mode: 'NULL', weaknesses: ['null-auth-integrity-only'] }],
    [0xc103, { tls13Only: true, mode: 'MGM' }],
    [0xc0ac, { keyExchange: 'ECDHE', authentication: 'ECDSA', mode: 'CCM' }],
    [0x00c6, { name: 'TLS_SM4_GCM_SM3', tls13Only: true, prfHash: 'SM3' }],
    [0xcc13, { iana: false, mode: 'ChaCha20-Poly1305' }],
  ];
  for (const [code, want] of table) {
    const info = cipherSuiteInfo(code);
    assert.ok(info, code.toString(16));
    for (const [k, v] of Object.entries(want)) assert.deepEqual((info as unknown as Record<string, unknown>)[k], v, `${code.toString(16)} ${k}`);
  }
  assert.ok(IANA_CIPHER_SUITES.length > 340);
  for (const i of CIPHER_SUITES.values()) {
    assert.ok(i.mode !== 'none' || i.scsv, `${i.name} has a mode`);
    assert.ok(i.keyExchange.length > 0 && !i.keyExchange.includes('WITH'), `${i.name} kx ${i.keyExchange}`);
  }
  assert.deepEqual(suiteWeaknesses(0x002f, { encryptThenMac: true }), ['sha1-mac']);
});

test('GREASE is a predicate and unknown values display as hex', () => {
  for (let i = 0; i < 16; i++) assert.ok(isGrease(0x0a0a + i * 0x1010));
  for (const v of [0x0a0b, 0x1a2a, 0x0000, 0x1301, 0xfafb]) assert.equal(isGrease(v), false, v.toString(16));
  assert.ok(isGrease8(0x0b) && isGrease8(0x2a) && isGrease8(0xe4) && !isGrease8(0x01));
  assert.equal(cipherSuiteName(0x1a1a), 'GREASE(0x1a1a)');
  assert.equal(cipherSuiteName(0x7777), '0x7777');
  assert.equal(groupName(0x11ec), 'X25519MLKEM768');
  assert.equal(groupName(0x1234), '0x1234');
  assert.ok(isPostQuantumGroup(0x11ec) && isPostQuantumGroup(0x0201) && !isPostQuantumGroup(29));
  assert.equal(NAMED_GROUPS[0x11eb]?.name, 'SecP256r1MLKEM768');
  assert.equal(signatureSchemeName(0x0804), 'rsa_pss_rsae_sha256');
  assert.equal(signatureSchemeName(0x0905), 'mldsa65');
  assert.equal(extensionName(0xfe0d), 'encrypted_client_hello');
  assert.equal(extensionName(0x5678), '0x5678');
  assert.equal(sslv2CipherSpecName(0x0700c0), 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5');
  assert.equal(sslv2CipherSpecName(0x00002f), 'TLS_RSA_WITH_AES_128_CBC_SHA');
});

test('alerts: names, categories, and the certificate-rejection set', () => {
  assert.equal(alertName(40), 'handshake_failure');
  assert.equal(alertName(116), 'certificate_required');
  assert.equal(alertName(200), 'unknown_alert_200');
  for (const c of [42, 43, 44, 45, 46, 48, 113]) {
    assert.ok(CERTIFICATE_REJECTION_ALERTS.has(c));
    assert.equal(alertCategory(c), 'certificate');
  }
  assert.equal(CERTIFICATE_REJECTION_ALERTS.has(49), false, 'access_denied is an authorisation refusal');
  assert.equal(alertCategory(49), 'access');
  assert.equal(alertCategory(70), 'version');
  assert.equal(alertCategory(112), 'sni');
  assert.equal(alertCategory(120), 'alpn');
  assert.equal(alertCategory(116), 'client-certificate');
});

test('versions: names, drafts, ranking', () => {
  assert.equal(versionName(0x0304), 'TLS 1.3');
  assert.equal(versionName(0x7f17), 'TLS 1.3 draft 23');
  assert.equal(versionName(0x0002), 'SSL 2.0');
  assert.equal(versionName(0xfefd), 'DTLS 1.2');
  assert.equal(versionName(0x4a4a), 'GREASE(0x4a4a)');
  assert.ok(isTls13Family(0x7f1c) && isTls13Family(0x0304) && !isTls13Family(0x0303));
  assert.ok(versionRank(0x0304) > versionRank(0x7f1c) && versionRank(0x7f1c) > versionRank(0x0303) && versionRank(0x0303) > versionRank(0x0300));
  assert.equal(versionRank(0x2a2a), -1);
});
