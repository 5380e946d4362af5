// known_hosts parsing and lookup against files built by the real ssh-keygen
// (test/fixtures/ssh-make-known-hosts.sh): plain and `ssh-keygen -H` hashed, with the lines
// `ssh-keygen -F` finds for each name as the oracle for host matching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KnownHosts, entryMatchesHost, knownHostsName, lookupKnownHosts, parseKnownHosts, wildcardMatch, type KnownHostsStatus } from '../src/ssh/known-hosts.js';
import { sshFixturesDir } from './fixtures/ssh-replay.js';

const dir = join(sshFixturesDir, 'ssh-known-hosts');
const keyBlob = (name: string): Uint8Array =>
  Buffer.from(readFileSync(join(sshFixturesDir, 'ssh-captures', `${name}.pub`), 'utf8').trim().split(' ')[1]!, 'base64');
const fingerprint = (name: string): string => readFileSync(join(sshFixturesDir, 'ssh-captures', `${name}.sha256.txt`), 'utf8').split(' ')[1]!;

for (const file of ['known_hosts', 'known_hosts.hashed']) {
  test(`${file}: parsing, and host matching agrees with ssh-keygen -F`, () => {
    const kh = parseKnownHosts(readFileSync(join(dir, file), 'utf8'));
    assert.equal(kh.malformedCount, 3, JSON.stringify(kh.malformed));
    assert.deepEqual(kh.malformed.map((m) => m.line).sort((a, b) => a - b), [13, 14, 15]);
    assert.equal(kh.entries.length, 10);
    if (file.endsWith('hashed')) assert.ok(kh.entries.filter((e) => e.hashed).length >= 5, 'ssh-keygen -H hashed the plain host names');
    const expected = readFileSync(join(dir, 'expected-F.txt'), 'utf8').trim().split('\n').filter((l) => l.startsWith(file + ' '));
    assert.ok(expected.length >= 10);
    for (const line of expected) {
      const [, name, ...lines] = line.split(' ');
      const got = kh.entries.filter((e) => entryMatchesHost(e, name!)).map((e) => e.line);
      assert.deepEqual(got, lines.map(Number), `${file} ${name}`);
    }
  });

  test(`${file}: lookup statuses`, () => {
    const kh = parseKnownHosts(readFileSync(join(dir, file), 'utf8'));
    const cert = keyBlob('host_ed25519-cert');
    const cases: { host: string; port: number; key: Uint8Array; status: KnownHostsStatus; lines: number[]; principalOk?: boolean }[] = [
      { host: '127.0.0.1', port: 22, key: keyBlob('host_ed25519'), status: 'match', lines: [3] },
      { host: '127.0.0.1', port: 22, key: keyBlob('host_rsa'), status: 'match', lines: [4] },
      { host: '127.0.0.1', port: 22, key: keyBlob('host_ecdsa'), status: 'unknown', lines: [3, 4] },
      { host: '127.0.0.1', port: 2222, key: keyBlob('host_ecdsa'), status: 'match', lines: [5] },
      { host: '127.0.0.1', port: 2222, key: keyBlob('host_ed25519'), status: 'unknown', lines: [5] },
      { host: 'CHANGED.example', port: 22, key: keyBlob('host_ed25519'), status: 'mismatch', lines: [6] },
      { host: 'a.lab.example', port: 22, key: keyBlob('host_ed25519'), status: 'match', lines: [7] },
      { host: 'bad.lab.example', port: 22, key: keyBlob('host_ed25519'), status: 'mismatch', lines: [8] },
      { host: 'host1.example', port: 22, key: keyBlob('host_ecdsa'), status: 'match', lines: [9] },
      { host: 'host12.example', port: 22, key: keyBlob('host_ecdsa'), status: 'unknown', lines: [] },
      { host: 'revoked.example', port: 22, key: keyBlob('host_rsa'), status: 'revoked', lines: [11] },
      { host: 'nowhere.example', port: 22, key: keyBlob('host_rsa'), status: 'unknown', lines: [] },
      { host: '127.0.0.1', port: 22, key: cert, status: 'ca-signed', lines: [10], principalOk: true },
      { host: 'nowhere.example', port: 22, key: cert, status: 'ca-signed', lines: [10], principalOk: false },
      { host: '127.0.0.1', port: 2222, key: cert, status: 'unknown', lines: [5] },
    ];
    for (const c of cases) {
      const r = lookupKnownHosts(kh, c.host, c.port, c.key);
      const what = `${file} ${c.host}:${c.port}`;
      assert.equal(r.status, c.status, what);
      assert.deepEqual(r.lines, c.lines, what);
      assert.equal(r.name, knownHostsName(c.host, c.port));
      if (c.principalOk !== undefined) assert.equal(r.principalOk, c.principalOk, what);
    }
    const mismatch = lookupKnownHosts(kh, 'changed.example', 22, keyBlob('host_ed25519'));
    assert.notEqual(mismatch.knownKeys[0]!.fingerprint, fingerprint('host_ed25519'));
    assert.equal(mismatch.knownKeys[0]!.type, 'ssh-ed25519');
    const match = new KnownHosts(kh).lookup('127.0.0.1', 22, keyBlob('host_rsa'));
    assert.equal(match.knownKeys[0]!.fingerprint, fingerprint('host_rsa'));
    assert.equal(lookupKnownHosts(kh, 'revoked.example', 22, keyBlob('host_rsa')).knownKeys[0]!.marker, 'revoked');
  });
}

test('known_hosts edge cases: names, wildcards, CRLF, comments, garbage', () => {
  assert.equal(knownHostsName('Example.COM', 22), 'example.com');
  assert.equal(knownHostsName('10.0.0.1', 2222), '[10.0.0.1]:2222');
  const w: [string, string, boolean][] = [
    ['a.example', '*.example', true],
    ['example', '*.example', false],
    ['host1', 'host?', true],
    ['host12', 'host?', false],
    ['anything', '*', true],
    ['[10.0.0.1]:2222', '[10.0.0.*]:2222', true],
    ['abc', 'a*c*', true],
    ['ab', 'a*c', false],
  ];
  for (const [s, p, want] of w) assert.equal(wildcardMatch(s, p), want, `${s} ~ ${p}`);
  const ed = Buffer.from(keyBlob('host_ed25519')).toString('base64');
  const text = [
    '  # indented comment',
    `host.example ssh-ed25519 ${ed} a comment with spaces\r`,
    '@weird host ssh-ed25519 AAAA',
    `|1|notbase64!|x ssh-ed25519 ${ed}`,
    `host2.example ssh-ed25519 ${ed.slice(0, 20)}`,
    '',
  ].join('\n');
  const kh = parseKnownHosts(text);
  assert.equal(kh.entries.length, 1);
  assert.equal(kh.entries[0]!.comment, 'a comment with spaces');
  assert.equal(kh.malformedCount, 3);
  assert.equal(lookupKnownHosts(kh, 'HOST.example', 22, keyBlob('host_ed25519')).status, 'match');
  // Garbage never throws.
  assert.doesNotThrow(() => parseKnownHosts('\u0000\u0001 @@ |1|| ssh-rsa ==\n'.repeat(50)));
  assert.doesNotThrow(() => lookupKnownHosts(kh, 'x', 22, new Uint8Array([1, 2, 3])));
});
