// Negotiation (RFC 4253 §7.1) as a table, and HASSH over hand-built KEXINITs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeKexInit, type KexInit } from '../src/ssh/kexinit.js';
import { negotiate, type NegotiatedField } from '../src/ssh/negotiate.js';
import { hassh, hasshAlgorithms, hasshServer } from '../src/ssh/hassh.js';
import { kexinitPayload, type KexInitLists } from './fixtures/ssh-wire.js';

function kexinit(l: KexInitLists): KexInit {
  const r = decodeKexInit(kexinitPayload(l));
  assert.equal(r.status, 'ok');
  return (r as { value: KexInit }).value;
}

const OPENSSH_CLIENT: KexInitLists = {
  kex: ['sntrup761x25519-sha512@openssh.com', 'curve25519-sha256', 'ecdh-sha2-nistp256', 'ext-info-c', 'kex-strict-c-v00@openssh.com'],
  hostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256'],
  encC2S: ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-gcm@openssh.com'],
  macC2S: ['umac-64-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com'],
  compC2S: ['none', 'zlib@openssh.com'],
};
const OPENSSH_SERVER: KexInitLists = {
  kex: ['sntrup761x25519-sha512@openssh.com', 'curve25519-sha256', 'ext-info-s', 'kex-strict-s-v00@openssh.com'],
  hostKey: ['rsa-sha2-512', 'ssh-ed25519'],
  encC2S: ['chacha20-poly1305@openssh.com', 'aes128-ctr'],
  macC2S: ['umac-64-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com'],
  compC2S: ['none', 'zlib@openssh.com'],
};

interface Case {
  name: string;
  client: Partial<KexInitLists>;
  server: Partial<KexInitLists>;
  ok: boolean;
  failedList?: NegotiatedField;
  reason?: 'no-common' | 'hostkey-incompatible';
  expect?: Partial<Record<NegotiatedField, string | null>>;
}

const cases: Case[] = [
  {
    name: 'OpenSSH to OpenSSH: first client algorithm the server supports',
    client: {},
    server: {},
    ok: true,
    expect: { kex: 'sntrup761x25519-sha512@openssh.com', hostKey: 'ssh-ed25519', cipherC2S: 'chacha20-poly1305@openssh.com', macC2S: null, compressionC2S: 'none' },
  },
  {
    name: 'client order wins over server order',
    client: { encC2S: ['aes128-ctr', 'chacha20-poly1305@openssh.com'] },
    server: {},
    ok: true,
    expect: { cipherC2S: 'aes128-ctr', macC2S: 'umac-64-etm@openssh.com' },
  },
  {
    name: 'AEAD without any MAC in common is fine (MAC implicit)',
    client: { encC2S: ['aes256-gcm@openssh.com'], macC2S: ['hmac-sha2-512'] },
    server: { encC2S: ['aes256-gcm@openssh.com'], macC2S: ['hmac-md5'] },
    ok: true,
    expect: { cipherC2S: 'aes256-gcm@openssh.com', macC2S: null, macS2C: null },
  },
  {
    name: 'non-AEAD cipher without a common MAC fails on the MAC',
    client: { encC2S: ['aes128-ctr'], macC2S: ['hmac-sha2-512'] },
    server: { encC2S: ['aes128-ctr'], macC2S: ['hmac-md5'] },
    ok: false,
    failedList: 'macC2S',
    reason: 'no-common',
  },
  {
    name: 'marker names are not algorithms',
    client: { kex: ['ext-info-c', 'kex-strict-c-v00@openssh.com', 'diffie-hellman-group1-sha1'] },
    server: { kex: ['curve25519-sha256', 'ext-info-c', 'kex-strict-c-v00@openssh.com'] },
    ok: false,
    failedList: 'kex',
    reason: 'no-common',
  },
  {
    name: 'no common kex',
    client: { kex: ['diffie-hellman-group1-sha1'] },
    server: {},
    ok: false,
    failedList: 'kex',
    reason: 'no-common',
    expect: { kex: null, cipherC2S: 'chacha20-poly1305@openssh.com' },
  },
  {
    name: 'no common host key algorithm',
    client: { hostKey: ['ssh-rsa'] },
    server: { hostKey: ['ssh-ed25519'] },
    ok: false,
    failedList: 'hostKey',
    reason: 'no-common',
  },
  {
    name: 'RSA key exchange needs an encryption-capable host key: ed25519 will not do',
    client: { kex: ['rsa2048-sha256'], hostKey: ['ssh-ed25519'] },
    server: { kex: ['rsa2048-sha256'], hostKey: ['ssh-ed25519'] },
    ok: false,
    failedList: 'kex',
    reason: 'hostkey-incompatible',
  },
  {
    name: 'a kex that does not fit the host keys is skipped for the next one',
    client: { kex: ['rsa2048-sha256', 'curve25519-sha256'], hostKey: ['ssh-ed25519', 'rsa-sha2-256'] },
    server: { kex: ['rsa2048-sha256', 'curve25519-sha256'], hostKey: ['ssh-ed25519'] },
    ok: true,
    expect: { kex: 'curve25519-sha256', hostKey: 'ssh-ed25519' },
  },
  {
    name: 'RSA key exchange picks the RSA host key, not the first common one',
    client: { kex: ['rsa2048-sha256'], hostKey: ['ssh-ed25519', 'rsa-sha2-256'] },
    server: { kex: ['rsa2048-sha256'], hostKey: ['ssh-ed25519', 'rsa-sha2-256'] },
    ok: true,
    expect: { kex: 'rsa2048-sha256', hostKey: 'rsa-sha2-256' },
  },
  {
    name: 'cipher mismatch in one direction only',
    client: { encC2S: ['aes128-cbc'], encS2C: ['aes128-ctr'] },
    server: {},
    ok: false,
    failedList: 'cipherC2S',
    expect: { cipherS2C: 'aes128-ctr' },
  },
  {
    name: 'compression mismatch',
    client: { compC2S: ['zlib'] },
    server: { compC2S: ['none'] },
    ok: false,
    failedList: 'compressionC2S',
  },
  {
    name: 'first failing list in Go order: kex before cipher',
    client: { kex: ['x'], encC2S: ['y'] },
    server: {},
    ok: false,
    failedList: 'kex',
  },
];

test('negotiation table', () => {
  for (const c of cases) {
    const client = kexinit({ ...OPENSSH_CLIENT, ...c.client });
    const server = kexinit({ ...OPENSSH_SERVER, ...c.server });
    const r = negotiate(client, server);
    assert.equal(r.ok, c.ok, c.name);
    assert.equal(r.failedList, c.failedList ?? null, c.name);
    if (c.reason) assert.equal(r.failure?.reason, c.reason, c.name);
    if (!c.ok) {
      const key = ({ kex: 'kexAlgorithms', hostKey: 'serverHostKeyAlgorithms', cipherC2S: 'encryptionC2S', macC2S: 'macC2S', compressionC2S: 'compressionC2S' } as const)[c.failedList as 'kex'];
      if (key) {
        // Both offers are there, without marker names.
        assert.deepEqual(r.failure?.clientOffer, client[key].filter((n) => !n.startsWith('ext-info') && !n.startsWith('kex-strict')), c.name);
        assert.deepEqual(r.failure?.serverOffer, server[key].filter((n) => !n.startsWith('ext-info') && !n.startsWith('kex-strict')), c.name);
      }
    }
    for (const [f, v] of Object.entries(c.expect ?? {})) assert.equal(r.negotiated[f as NegotiatedField], v, `${c.name}: ${f}`);
  }
});

test('strict KEX, Terrapin exposure, ext-info', () => {
  const both = negotiate(kexinit(OPENSSH_CLIENT), kexinit(OPENSSH_SERVER));
  assert.deepEqual(both.strictKex, { client: true, server: true, active: true });
  assert.equal(both.terrapinExposed, false);
  assert.deepEqual(both.extInfo, { client: true, server: true });
  assert.deepEqual(both.macImplicit, { c2s: true, s2c: true });
  const oldServer = negotiate(kexinit(OPENSSH_CLIENT), kexinit({ ...OPENSSH_SERVER, kex: ['curve25519-sha256'] }));
  assert.deepEqual(oldServer.strictKex, { client: true, server: false, active: false });
  assert.equal(oldServer.terrapinExposed, true, 'chacha20-poly1305 without strict KEX');
  const ctr = negotiate(kexinit({ ...OPENSSH_CLIENT, kex: ['curve25519-sha256'], encC2S: ['aes128-ctr'] }), kexinit({ ...OPENSSH_SERVER, kex: ['curve25519-sha256'] }));
  assert.equal(ctr.terrapinExposed, false, 'CTR + EtM is not practically exploitable');
  const cbcEtm = negotiate(
    kexinit({ ...OPENSSH_CLIENT, kex: ['curve25519-sha256'], encC2S: ['aes128-cbc'], macC2S: ['hmac-sha2-256-etm@openssh.com'] }),
    kexinit({ ...OPENSSH_SERVER, kex: ['curve25519-sha256'], encC2S: ['aes128-cbc'], macC2S: ['hmac-sha2-256-etm@openssh.com'] }),
  );
  assert.equal(cbcEtm.terrapinExposed, true, 'CBC + EtM');
});

test('guessed key-exchange packets: right and wrong guesses', () => {
  const right = negotiate(kexinit({ ...OPENSSH_CLIENT, follows: true }), kexinit({ ...OPENSSH_SERVER, hostKey: ['ssh-ed25519'] }));
  assert.equal(right.guess.client, 'right');
  assert.equal(right.guess.server, 'none');
  const wrongKex = negotiate(kexinit({ ...OPENSSH_CLIENT, kex: ['curve25519-sha256', 'sntrup761x25519-sha512@openssh.com'], follows: true }), kexinit({ ...OPENSSH_SERVER, hostKey: ['ssh-ed25519'] }));
  assert.equal(wrongKex.guess.client, 'wrong');
  const wrongHostKey = negotiate(kexinit({ ...OPENSSH_CLIENT, follows: true }), kexinit(OPENSSH_SERVER));
  assert.equal(wrongHostKey.guess.client, 'wrong', 'preferred host key algorithms differ');
  const failed = negotiate(kexinit({ ...OPENSSH_CLIENT, encC2S: ['x'], follows: true }), kexinit({ ...OPENSSH_SERVER, hostKey: ['ssh-ed25519'], follows: true }));
  assert.equal(failed.guess.client, 'wrong', 'a failed negotiation makes every guess wrong');
  assert.equal(failed.guess.server, 'wrong');
});

test('HASSH strings and hashes (Salesforce definition)', () => {
  const c = kexinit(OPENSSH_CLIENT);
  const s = kexinit({ ...OPENSSH_SERVER, encS2C: ['aes256-ctr'], macS2C: ['hmac-sha1'], compS2C: ['zlib'] });
  const cs = 'sntrup761x25519-sha512@openssh.com,curve25519-sha256,ecdh-sha2-nistp256,ext-info-c,kex-strict-c-v00@openssh.com;chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com;umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com;none,zlib@openssh.com';
  assert.equal(hasshAlgorithms(c), cs);
  assert.equal(hassh(c), createHash('md5').update(cs).digest('hex'));
  // The server's hash uses its server-to-client lists.
  const ss = 'sntrup761x25519-sha512@openssh.com,curve25519-sha256,ext-info-s,kex-strict-s-v00@openssh.com;aes256-ctr;hmac-sha1;zlib';
  assert.equal(hasshServer(s), createHash('md5').update(ss).digest('hex'));
  // The reference vector of the HASSH README (Cyberduck 6.7.1): its hasshAlgorithms and hassh.
  const cyberduck = kexinit({
    kex: ['curve25519-sha256@libssh.org', 'diffie-hellman-group-exchange-sha256', 'ecdh-sha2-nistp521', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp256', 'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1', 'diffie-hellman-group14-sha256', 'diffie-hellman-group15-sha512', 'diffie-hellman-group16-sha512', 'diffie-hellman-group17-sha512', 'diffie-hellman-group18-sha512', 'diffie-hellman-group14-sha256@ssh.com', 'diffie-hellman-group15-sha256', 'diffie-hellman-group15-sha256@ssh.com', 'diffie-hellman-group15-sha384@ssh.com', 'diffie-hellman-group16-sha256', 'diffie-hellman-group16-sha384@ssh.com', 'diffie-hellman-group16-sha512@ssh.com', 'diffie-hellman-group18-sha512@ssh.com'],
    hostKey: ['ssh-rsa'],
    encC2S: ['aes128-cbc', 'aes128-ctr', 'aes192-cbc', 'aes192-ctr', 'aes256-cbc', 'aes256-ctr', 'blowfish-cbc', 'blowfish-ctr', 'cast128-cbc', 'cast128-ctr', 'idea-cbc', 'idea-ctr', 'serpent128-cbc', 'serpent128-ctr', 'serpent192-cbc', 'serpent192-ctr', 'serpent256-cbc', 'serpent256-ctr', '3des-cbc', '3des-ctr', 'twofish128-cbc', 'twofish128-ctr', 'twofish192-cbc', 'twofish192-ctr', 'twofish256-cbc', 'twofish256-ctr', 'twofish-cbc', 'arcfour', 'arcfour128', 'arcfour256'],
    macC2S: ['hmac-sha1', 'hmac-sha1-96', 'hmac-md5', 'hmac-md5-96', 'hmac-sha2-256', 'hmac-sha2-512'],
    compC2S: ['zlib@openssh.com', 'zlib', 'none'],
  });
  assert.equal(hassh(cyberduck), '8a8ae540028bf433cd68356c1b9e8d5b');
});
