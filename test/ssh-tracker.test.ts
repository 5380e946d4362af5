// SshTracker on real captures: our own OpenSSH/Dropbear scenarios (test/fixtures/ssh-captures,
// made by ssh-make-captures.sh) and the JA4 corpus, replayed segment by segment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpusExpectedDir } from './helpers/paths.js';
import { loadStreams, replay, sshFixturesDir, type ConnFixture } from './fixtures/ssh-replay.js';
import { sshJson } from '../src/ssh/json.js';
import { inferAfterKex, AUTH_FAIL_MAX_SERVER_BYTES } from '../src/ssh/postauth.js';
import { lookupKnownHosts, parseKnownHosts } from '../src/ssh/known-hosts.js';
import { SshTracker } from '../src/ssh/tracker.js';
import type { Finding, LadderEvent } from '../src/engine/types.js';
import { rng } from './fixtures/ssh-wire.js';

const capturesDir = join(sshFixturesDir, 'ssh-captures');
const fp = (name: string): string => readFileSync(join(capturesDir, `${name}.sha256.txt`), 'utf8').split(' ')[1]!;
const md5 = (name: string): string => readFileSync(join(capturesDir, `${name}.md5.txt`), 'utf8').split(' ')[1]!;
const one = (name: string): ConnFixture => {
  const f = loadStreams(name);
  assert.equal(f.connections.length, 1, name);
  return f.connections[0]!;
};
const run = (name: string) => {
  const r = replay(one(name));
  return { ...r, json: sshJson(r.tracker.state), state: r.tracker.state };
};
const codes = (fs: Finding[]): string[] => fs.map((f) => f.code);

test('OpenSSH success: handshake, host key, negotiation, session inferred', () => {
  const { json, state, ladder, findings } = run('ssh-success');
  assert.match(json.clientBanner!, /^SSH-2\.0-OpenSSH_9\.2p1/);
  assert.match(json.serverBanner!, /^SSH-2\.0-OpenSSH_9\.2p1/);
  assert.equal(json.completed, true);
  assert.deepEqual(json.negotiated, {
    kex: 'sntrup761x25519-sha512',
    hostKey: 'ssh-ed25519',
    cipherC2S: 'chacha20-poly1305@openssh.com',
    cipherS2C: 'chacha20-poly1305@openssh.com',
    macC2S: null,
    macS2C: null,
    compressionC2S: 'none',
    compressionS2C: 'none',
  });
  assert.deepEqual(json.macImplicit, { c2s: true, s2c: true });
  assert.equal(json.hostKey?.type, 'ssh-ed25519');
  assert.equal(json.hostKey?.fingerprint, fp('host_ed25519'));
  assert.equal(json.hostKey?.md5, md5('host_ed25519'));
  assert.deepEqual(json.strictKex, { client: true, server: true, active: true });
  assert.equal(json.terrapinExposed, false);
  assert.match(json.hassh!, /^[0-9a-f]{32}$/);
  assert.match(json.hasshServer!, /^[0-9a-f]{32}$/);
  assert.equal(json.stage, 'session');
  assert.deepEqual(json.afterKex.outcome, 'session');
  assert.deepEqual(json.afterKex.confidence, 'likely');
  assert.ok(state.client.newkeys && state.server.newkeys);
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  // Messages, with frames and sides, in order.
  const names = state.messages.map((m) => `${m.from}:${m.name}`);
  assert.deepEqual(names, ['client:KEXINIT', 'server:KEXINIT', 'client:KEX_HYBRID_INIT', 'server:KEX_HYBRID_REPLY', 'server:NEWKEYS', 'client:NEWKEYS']);
  const reply = state.messages[3]!;
  assert.ok(reply.startFrame <= reply.frame);
  assert.equal(state.hostKey!.frame, reply.frame);
  // The ladder: banners, KEXINITs, key exchange, NEWKEYS, a few encrypted events and a summary.
  const labels = ladder.map((e) => e.label);
  assert.ok(labels[0]!.startsWith('SSH-2.0-OpenSSH'));
  assert.ok(labels.includes('KEXINIT'));
  assert.ok(labels.includes('KEX_HYBRID_REPLY (ssh-ed25519 256)'));
  assert.equal(labels.filter((l) => l === 'NEWKEYS').length, 2);
  const single = ladder.filter((e) => e.label.startsWith('Encrypted ('));
  assert.ok(single.length <= 8, 'at most 4 single encrypted events per direction');
  assert.ok(ladder.some((e) => e.label.startsWith('Encrypted ×')));
  assert.equal(json.encrypted.client.segments + json.encrypted.server.segments, state.client.encrypted.segments + state.server.encrypted.segments);
  assert.ok(state.server.encrypted.samples.length <= 64);
});

test('publickey denied: key exchange completes, then auth failure is inferred (likely)', () => {
  for (const name of ['ssh-auth-denied', 'ssh-dropbear-denied', 'ssh-maxauthtries']) {
    const { json, state } = run(name);
    assert.equal(json.completed, true, name);
    assert.equal(json.stage, 'authentication', name);
    const inf = inferAfterKex(state);
    assert.equal(inf.outcome, 'auth_failed', name);
    assert.equal(inf.confidence, 'likely', name);
    assert.ok(state.server.encrypted.bytes <= AUTH_FAIL_MAX_SERVER_BYTES);
    assert.ok(inf.reasons.some((r) => /frame \d+/.test(r)), 'reasons name frames');
    assert.ok(inf.frames.length > 0);
  }
  assert.match(run('ssh-dropbear-denied').json.serverBanner!, /dropbear/);
});

test('short successful sessions are not taken for auth failures', () => {
  for (const name of ['ssh-success-short', 'ssh-gex-rsa', 'ssh-dh14-ecdsa', 'ssh-ecdh-gcm', 'ssh-host-cert', 'ssh-dbclient-success']) {
    const inf = inferAfterKex(run(name).state);
    assert.equal(inf.outcome, 'session', name);
    assert.equal(inf.confidence, 'possible', name);
  }
});

test('negotiation failures name the list and both offers', () => {
  const cases: [string, string, string[]][] = [
    ['ssh-kex-mismatch', 'kex', ['diffie-hellman-group1-sha1']],
    ['ssh-cipher-mismatch', 'cipherC2S', ['aes128-cbc']],
    ['ssh-hostkey-mismatch', 'hostKey', ['ssh-rsa']],
  ];
  for (const [name, list, clientOffer] of cases) {
    const { json } = run(name);
    assert.equal(json.completed, false, name);
    assert.equal(json.stage, 'kexinit', name);
    assert.equal(json.failedList, list, name);
    assert.deepEqual(json.failure?.clientOffer, clientOffer, name);
    assert.ok((json.failure?.serverOffer.length ?? 0) > 0, name);
    assert.ok(json.clientKexinit && json.serverKexinit);
    assert.equal(json.hostKey, null);
  }
  assert.equal(run('ssh-kex-mismatch').json.negotiated.kex, null);
});

test('key exchange variants: DH group exchange, classic DH, ECDH with GCM, host certificate', () => {
  const gex = run('ssh-gex-rsa');
  assert.equal(gex.json.negotiated.kex, 'diffie-hellman-group-exchange-sha256');
  assert.equal(gex.json.negotiated.hostKey, 'rsa-sha2-512');
  assert.equal(gex.json.hostKey?.type, 'ssh-rsa');
  assert.equal(gex.json.hostKey?.bits, 3072);
  assert.equal(gex.json.hostKey?.fingerprint, fp('host_rsa'));
  assert.deepEqual(gex.state.messages.filter((m) => m.type >= 30).map((m) => `${m.from}:${m.name}`), [
    'client:KEX_DH_GEX_REQUEST',
    'server:KEX_DH_GEX_GROUP',
    'client:KEX_DH_GEX_INIT',
    'server:KEX_DH_GEX_REPLY',
  ]);
  assert.ok(gex.json.gex && gex.json.gex.min === 2048 && (gex.json.gex.primeBits ?? 0) >= 2048);
  const dh = run('ssh-dh14-ecdsa');
  assert.equal(dh.json.negotiated.kex, 'diffie-hellman-group14-sha256');
  assert.equal(dh.json.negotiated.macC2S, 'hmac-sha2-256-etm@openssh.com');
  assert.equal(dh.json.hostKey?.fingerprint, fp('host_ecdsa'));
  assert.deepEqual(dh.state.messages.filter((m) => m.type >= 30).map((m) => m.name), ['KEXDH_INIT', 'KEXDH_REPLY']);
  const gcm = run('ssh-ecdh-gcm');
  assert.equal(gcm.json.negotiated.cipherC2S, 'aes256-gcm@openssh.com');
  assert.equal(gcm.json.negotiated.macC2S, null);
  assert.deepEqual(gcm.state.messages.filter((m) => m.type >= 30).map((m) => m.name), ['KEX_ECDH_INIT', 'KEX_ECDH_REPLY']);
  const cert = run('ssh-host-cert');
  assert.equal(cert.json.hostKey?.type, 'ssh-ed25519-cert-v01@openssh.com');
  assert.equal(cert.json.hostKey?.fingerprint, fp('host_ed25519'));
  assert.equal(cert.json.hostKey?.certificate?.caFingerprint, fp('host_ca'));
  // The host key from the wire checks against known_hosts files made by ssh-keygen.
  const kh = parseKnownHosts(readFileSync(join(sshFixturesDir, 'ssh-known-hosts', 'known_hosts.hashed'), 'utf8'));
  assert.equal(lookupKnownHosts(kh, '127.0.0.1', 22, cert.state.hostKey!.blob).status, 'ca-signed');
  assert.equal(lookupKnownHosts(kh, '127.0.0.1', 22, gex.state.hostKey!.blob).status, 'match');
  assert.equal(lookupKnownHosts(kh, 'changed.example', 22, run('ssh-success').state.hostKey!.blob).status, 'mismatch');
});

test('Dropbear client: a wrongly guessed key-exchange packet is marked ignored', () => {
  const { state, json } = run('ssh-dbclient-success');
  assert.match(json.clientBanner!, /dropbear/);
  assert.equal(state.client.kexinit?.value.firstKexPacketFollows, true);
  assert.equal(state.negotiation?.guess.client, 'wrong');
  const kexFromClient = state.messages.filter((m) => m.from === 'client' && m.type === 30);
  assert.equal(kexFromClient.length, 2);
  assert.equal(kexFromClient[0]!.ignored, true);
  assert.equal(kexFromClient[1]!.ignored, undefined);
  assert.equal(json.completed, true);
});

test('peers that are not SSH, text before and after banners, DISCONNECT in clear', () => {
  const http = run('ssh-http-to-sshd');
  assert.equal(http.json.notSsh.client?.kind, 'http-request');
  assert.equal(http.json.clientBanner, null);
  assert.deepEqual(http.json.postBannerLines.server.map((l) => l.text), ['Invalid SSH identification string.']);
  assert.ok(codes(http.findings).includes('ssh.not_ssh'));
  assert.ok(!codes(http.findings).includes('ssh.malformed_packet'));
  const toHttp = run('ssh-to-http');
  assert.equal(toHttp.json.notSsh.server?.kind, 'html');
  assert.equal(typeof toHttp.json.notSsh.server?.frame, 'number');
  assert.ok(toHttp.json.notSsh.server!.preview.length <= 128);
  const max = run('ssh-maxstartups');
  assert.equal(max.json.serverBanner, null);
  assert.deepEqual(max.json.preBannerLines.server.map((l) => l.text), ['Exceeded MaxStartups']);
  assert.equal(max.json.stage, 'banner');
  assert.ok(max.state.server.closed, 'the server closed (FIN or RST: sshd varies)');
  const disc = run('ssh-prebanner-disconnect');
  assert.deepEqual(disc.json.preBannerLines.server.map((l) => l.text), ['Welcome to the lab gateway', 'Too many sessions for this account']);
  assert.deepEqual(
    { from: disc.json.disconnect?.from, code: disc.json.disconnect?.reasonCode, name: disc.json.disconnect?.reasonName, text: disc.json.disconnect?.description },
    { from: 'server', code: 12, name: 'TOO_MANY_CONNECTIONS(12)', text: 'Too many connections for this user' },
  );
  assert.ok(disc.ladder.some((e) => e.label === 'DISCONNECT TOO_MANY_CONNECTIONS(12)'));
});

/** Which fixture holds each corpus capture. */
const CORPUS_FIXTURE: Record<string, string> = {
  'ssh.pcapng.json': 'corpus-ssh',
  'ssh2.pcapng.json': 'corpus-ssh2',
  'ssh-r.pcap.json': 'corpus-ssh-r',
  'ssh-scp-1050.pcap.json': 'corpus-ssh-scp-1050',
  'ssh2-malformed.pcap.json': 'corpus-ssh2-malformed',
  'ssh2-moloch-crash.pcap.json': 'corpus-ssh2-moloch-crash',
  'sshv1.pcap.json': 'corpus-sshv1',
  'gre-sample.pcap.json': 'corpus-gre-sample',
  'tcpdump-geneve.pcap.json': 'corpus-tcpdump-geneve',
  'v6.pcap.json': 'corpus-v6',
};

test('JA4 corpus: banners, HASSH, HASSHServer and the server cipher agree with the expected outputs', () => {
  let checked = 0;
  for (const file of readdirSync(corpusExpectedDir)) {
    const rows = JSON.parse(readFileSync(join(corpusExpectedDir, file), 'utf8')) as { srcport: string; ssh_extras?: Record<string, string> }[];
    for (const row of rows) {
      const x = row.ssh_extras;
      if (!x) continue;
      const fixture = CORPUS_FIXTURE[file];
      assert.ok(fixture, `a fixture for ${file}`);
      const conn = loadStreams(fixture!).connections.find((c) => c.client[1] === Number(row.srcport));
      assert.ok(conn, `${file}: connection from port ${row.srcport}`);
      const { tracker } = replay(conn!);
      const j = sshJson(tracker.state);
      const what = `${file}:${row.srcport}`;
      assert.equal(j.clientBanner, x.ssh_protocol_client, what);
      assert.equal(j.serverBanner, x.ssh_protocol_server, what);
      assert.equal(j.hassh ?? '', x.hassh, what);
      assert.equal(j.hasshServer ?? '', x.hassh_server, what);
      // JA4's "encryption_algorithm" is the first cipher of the server's offer, not the negotiated one.
      assert.equal(j.serverKexinit?.encryptionS2C[0] ?? '', x.encryption_algorithm, what);
      if (j.completed) assert.ok(j.negotiated.cipherC2S && j.serverKexinit!.encryptionC2S.includes(j.negotiated.cipherC2S), what);
      checked++;
    }
  }
  assert.ok(checked >= 12, `checked ${checked} corpus SSH connections`);
});

test('corpus oddities: protocol 1, malformed replies, no crash', () => {
  const v1 = replay(loadStreams('corpus-sshv1').connections[0]!);
  assert.equal(v1.tracker.state.client.protocol, '1.x');
  assert.equal(v1.tracker.state.server.protocol, '1.x');
  assert.ok(v1.tracker.state.client.v1Packets + v1.tracker.state.server.v1Packets > 0, 'protocol 1 packets counted');
  assert.ok(codes(v1.findings).includes('ssh.protocol1'));
  for (const name of ['corpus-ssh2-malformed', 'corpus-ssh2-moloch-crash']) {
    const r = replay(loadStreams(name).connections[0]!);
    const f = r.findings.find((x) => x.code === 'ssh.malformed_message');
    assert.ok(f && f.frames && f.frames.length === 1, `${name}: malformed reply reported with its frame`);
    assert.equal(r.tracker.state.server.protocol, '1.99');
  }
  const gre = replay(loadStreams('corpus-gre-sample').connections[0]!);
  assert.ok(gre.findings.some((f) => f.code === 'ssh.weak_algorithm' && f.message.includes('blowfish-cbc')));
  assert.ok(gre.findings.some((f) => f.code === 'ssh.weak_host_key'));
  const putty = replay(loadStreams('corpus-ssh-r').connections.find((c) => c.client[1] === 64980)!);
  assert.equal(putty.tracker.state.negotiation?.negotiated.cipherC2S, 'aes256-ctr', 'RFC 4253: the client (PuTTY) order decides');
});

const ALL_FIXTURES = readdirSync(join(sshFixturesDir, 'ssh-streams')).map((f) => f.replace(/\.json$/, ''));

test('feeding 1, 2 or 7 bytes at a time gives the same facts as whole segments', () => {
  for (const name of ALL_FIXTURES) {
    for (const conn of loadStreams(name).connections) {
      const whole = JSON.stringify(sshJson(replay(conn).tracker.state));
      for (const chunk of [1, 2, 7]) {
        assert.equal(JSON.stringify(sshJson(replay(conn, { chunk }).tracker.state)), whole, `${name}#${conn.stream} in ${chunk}-byte pieces`);
      }
    }
  }
});

test('a capture gap before encryption stops that side with a finding, never a throw', () => {
  const conn = one('ssh-gex-rsa');
  // Drop the server's KEXINIT segment: a hole in the server's stream.
  const kexinitFrame = replay(conn).tracker.state.server.kexinit!.frame;
  const holed = { ...conn, segments: conn.segments.filter((s) => s[0] !== kexinitFrame) };
  const r = replay(holed);
  assert.ok(codes(r.findings).includes('ssh.gap'));
  assert.equal(r.tracker.state.server.stopped?.reason.startsWith('capture gap'), true);
  assert.equal(r.tracker.needsBytes('server'), false);
  assert.equal(r.tracker.state.completed, false);
});

test('seeded fuzz: mutated captures and random streams never throw', () => {
  const next = rng(0xc0ffee);
  const sources = ['ssh-success', 'ssh-gex-rsa', 'ssh-kex-mismatch', 'ssh-prebanner-disconnect', 'ssh-dbclient-success'].map(one);
  for (let i = 0; i < 300; i++) {
    const base = sources[i % sources.length]!;
    const segments = base.segments.map((s) => [...s] as typeof s);
    // Flip bytes in the cleartext part of a few segments.
    for (let k = 0; k < 1 + (next() % 4); k++) {
      const s = segments[next() % Math.min(segments.length, 14)]!;
      if (!s[6]) continue;
      const b = Buffer.from(s[6], 'hex');
      b[next() % b.length] = next() & 0xff;
      s[6] = b.toString('hex');
    }
    assert.doesNotThrow(() => {
      const r = replay({ ...base, segments }, { chunk: 1 + (next() % 9) });
      sshJson(r.tracker.state);
      inferAfterKex(r.tracker.state);
    });
  }
  for (let i = 0; i < 200; i++) {
    const ladder: LadderEvent[] = [];
    const t = new SshTracker({ ladder: (e) => ladder.push(e), finding: () => undefined });
    const prefix = i % 2 === 0 ? Buffer.from('SSH-2.0-fuzz\r\n') : Buffer.alloc(0);
    for (let k = 0; k < 20; k++) {
      const side = next() % 2 === 0 ? 'client' : 'server';
      const data = Buffer.alloc(next() % 300);
      for (let j = 0; j < data.length; j++) data[j] = next() & 0xff;
      const bytes = k === 0 ? Buffer.concat([prefix, data]) : data;
      assert.doesNotThrow(() => (t.needsBytes(side) ? t.onData(side, bytes, { frame: k + 1, time: k }) : t.onOpaque(side, bytes.length, { frame: k + 1, time: k })));
    }
    assert.doesNotThrow(() => t.onClose('client', 'rst', { frame: 99, time: 99 }));
    assert.doesNotThrow(() => sshJson(t.state));
  }
});

interface ProjectExpect {
  connections: { protocol?: string; stage?: string; verdict?: { code: string }; ssh?: { clientBanner?: string; serverBanner?: string; negotiated?: Record<string, string>; hostKey?: { type: string; fingerprint: string } } }[];
}

test('project scenario captures (captures/ssh-*.pcap): facts agree with their expectations', () => {
  const names = ALL_FIXTURES.filter((n) => n.startsWith('captures-'));
  assert.ok(names.length >= 15, 'the project captures are extracted');
  const mismatchList: Record<string, RegExp> = {
    'ssh.kex_mismatch': /^kex$/,
    'ssh.hostkey_mismatch': /^hostKey$/,
    'ssh.cipher_mismatch': /^cipher/,
    'ssh.mac_mismatch': /^mac/,
    'ssh.compression_mismatch': /^compression/,
  };
  let checked = 0;
  for (const name of names) {
    const fx = loadStreams(name) as ReturnType<typeof loadStreams> & { expect?: ProjectExpect };
    fx.connections.forEach((conn, i) => {
      const e = fx.expect?.connections[i];
      if (!e || e.protocol !== 'ssh') return;
      const { tracker } = replay(conn);
      const j = sshJson(tracker.state);
      const what = `${name}#${i}`;
      if (e.ssh?.clientBanner !== undefined) assert.equal(j.clientBanner, e.ssh.clientBanner, what);
      if (e.ssh?.serverBanner !== undefined) assert.equal(j.serverBanner, e.ssh.serverBanner, what);
      for (const [k, v] of Object.entries(e.ssh?.negotiated ?? {})) assert.equal(j.negotiated[k as keyof typeof j.negotiated], v, `${what} negotiated.${k}`);
      if (e.ssh?.hostKey) assert.deepEqual({ type: j.hostKey?.type, fingerprint: j.hostKey?.fingerprint }, e.ssh.hostKey, what);
      if (e.stage && ['kexinit', 'key_exchange', 'authentication'].includes(e.stage)) assert.equal(j.stage, e.stage, what);
      const code = e.verdict?.code ?? '';
      const inf = inferAfterKex(tracker.state);
      if (code === 'ssh.auth_failed') assert.equal(inf.outcome, 'auth_failed', what);
      if (code === 'ssh.ok') {
        assert.equal(j.completed, true, what);
        assert.notEqual(inf.outcome, 'auth_failed', what);
      }
      if (mismatchList[code]) assert.match(j.failedList ?? '', mismatchList[code]!, what);
      if (code === 'ssh.disconnect') assert.ok(j.disconnect, what);
      if (code === 'ssh.protocol_mismatch') {
        const v2 = (p: string | null): boolean => p === '2.0' || p === '1.99';
        assert.ok(j.notSsh.client || j.notSsh.server || !v2(j.protocol.client) || !v2(j.protocol.server), what);
      }
      checked++;
    });
  }
  assert.ok(checked >= 15, `checked ${checked}`);
});
