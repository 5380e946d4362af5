// The command line as a user meets it: exit statuses, NDJSON, the human report, bad input
// (a clear one-line message, never a stack trace), stdin and gzip.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { renderRecord } from '../src/report/text.js';
import { PLAIN } from '../src/report/style.js';
import type { ConnectionRecord } from '../src/report/record.js';
import { capturesDir, repoRoot } from './helpers/paths.js';

const hsi = join(repoRoot, 'bin', 'hsi.js');
const demo = join(capturesDir, 'demo.pcapng');
const tmp = mkdtempSync(join(tmpdir(), 'hsi-cli-'));

function run(args: string[], opts: { input?: Buffer; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [hsi, ...args], { input: opts.input, env: { ...process.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

const CONTRACT_FIELDS = ['id', 'protocol', 'client', 'server', 'firstFrame', 'lastFrame', 'startTime', 'endTime', 'outcome', 'stage', 'cutFrame', 'closedBy', 'closeKind', 'verdict'];

function noStackTrace(stderr: string) {
  assert.doesNotMatch(stderr, /\n\s+at .+\(.*:\d+:\d+\)/, 'no stack trace');
}

describe('hsi read', () => {
  it('--json prints one contract record per line, in end order, ids by first packet', () => {
    const r = run(['read', demo, '--json', '--ca-file', join(capturesDir, 'certs', 'test-root.pem')]);
    assert.equal(r.status, 1, 'the demo has failures: exit 1');
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as ConnectionRecord);
    assert.ok(recs.length >= 5);
    for (const rec of recs) {
      for (const f of CONTRACT_FIELDS) assert.ok(f in rec, `field ${f}`);
      for (const f of ['code', 'confidence', 'summary', 'evidence', 'fixes']) assert.ok(f in rec.verdict, `verdict.${f}`);
      if (rec.protocol === 'tls') assert.ok(rec.tls, 'tls object on a TLS record');
      if (rec.protocol === 'ssh') assert.ok(rec.ssh, 'ssh object on an SSH record');
    }
    assert.deepEqual([...recs.map((x) => x.id)].sort((a, b) => a - b), recs.map((_, i) => i + 1), 'ids are 1..n');
    // The nested fields the contract names, with their types.
    const at = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
    const tlsRec = recs.find((x) => x.protocol === 'tls' && x.outcome === 'completed' && (at(x, 'tls.certificates') as unknown[]).length > 0)!;
    assert.ok(tlsRec, 'a completed TLS 1.2 connection with its chain');
    assert.equal(typeof at(tlsRec, 'tls.clientHello.serverName'), 'string');
    for (const f of ['tls.clientHello.cipherSuites', 'tls.clientHello.extensions', 'tls.clientHello.supportedVersions', 'tls.clientHello.alpn', 'tls.alerts', 'tls.certificates']) {
      assert.ok(Array.isArray(at(tlsRec, f)), f);
    }
    assert.ok((at(tlsRec, 'tls.clientHello.cipherSuites') as unknown[]).every((x) => typeof x === 'number'));
    assert.equal(typeof at(tlsRec, 'tls.serverHello.version'), 'number');
    assert.equal(typeof at(tlsRec, 'tls.serverHello.cipherSuite'), 'number');
    assert.match(at(tlsRec, 'tls.ja4') as string, /^t1[23]d\d{4}/);
    for (const k of ['subject', 'issuer', 'notBefore', 'notAfter', 'sha256', 'dnsNames']) assert.ok(k in (at(tlsRec, 'tls.certificates') as Record<string, unknown>[])[0]!, `tls.certificates[].${k}`);
    const alertRec = recs.find((x) => x.verdict.code === 'tls.version_mismatch')!;
    for (const k of ['frame', 'from', 'level', 'description', 'encrypted']) assert.ok(k in (at(alertRec, 'tls.alerts') as Record<string, unknown>[])[0]!, `tls.alerts[].${k}`);
    const sshRec = recs.find((x) => x.protocol === 'ssh' && x.outcome === 'completed')!;
    assert.match(at(sshRec, 'ssh.clientBanner') as string, /^SSH-2\.0-/);
    assert.match(at(sshRec, 'ssh.serverBanner') as string, /^SSH-2\.0-/);
    for (const k of ['kex', 'hostKey', 'cipherC2S', 'cipherS2C', 'macC2S', 'macS2C', 'compressionC2S', 'compressionS2C']) assert.ok(k in (at(sshRec, 'ssh.negotiated') as object), `ssh.negotiated.${k}`);
    assert.match(at(sshRec, 'ssh.hostKey.fingerprint') as string, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.match(at(sshRec, 'ssh.hassh') as string, /^[0-9a-f]{32}$/);
    assert.match(at(sshRec, 'ssh.hasshServer') as string, /^[0-9a-f]{32}$/);
  });

  it('the human report starts with the summary and has no colour when not on a terminal', () => {
    const r = run(['read', demo]);
    assert.equal(r.status, 1);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /demo\.pcapng \(pcapng\): [\d,]+ packets, \d+ connections? reported/);
    assert.match(lines[1]!, /connections/);
    assert.doesNotMatch(r.stdout, /\x1b\[/);
    assert.match(r.stdout, /evidence:/);
    assert.match(r.stdout, /fixes:/);
  });

  it('colour only when asked for, never with NO_COLOR', () => {
    assert.match(run(['read', demo, '--color', 'always']).stdout, /\x1b\[/);
    assert.doesNotMatch(run(['read', demo], { env: { NO_COLOR: '1' } }).stdout, /\x1b\[/);
  });

  it('--jobs N: the same NDJSON as --jobs 1 from the command line (test/jobs.test.ts has every capture)', () => {
    for (const name of ['demo.pcapng', 'proxy-tunnelled-failures.pcap', 'quic-ok.pcap']) {
      const file = join(capturesDir, name);
      const one = run(['read', file, '--json', '--jobs', '1']);
      const two = run(['read', file, '--json', '--jobs', '2']);
      assert.equal(two.stdout, one.stdout, name);
      assert.equal(two.status, one.status, name);
      assert.equal(two.stderr, one.stderr, name);
    }
    assert.equal(run(['read', join(capturesDir, 'demo.pcapng'), '--jobs', '0']).status, 2);
  });

  it('--only-failed leaves out completed handshakes', () => {
    const all = run(['read', demo, '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as ConnectionRecord);
    const failed = run(['read', demo, '--json', '--only-failed']).stdout.trim().split('\n').map((l) => JSON.parse(l) as ConnectionRecord);
    assert.ok(failed.length < all.length);
    assert.ok(failed.every((x) => x.outcome !== 'completed'));
  });

  it('exit 0 when every handshake completed', () => {
    assert.equal(run(['read', join(capturesDir, 'tls-ok-13.pcap')]).status, 0);
  });

  it('reads standard input and gzip, with the same records as the file', () => {
    const file = join(capturesDir, 'tls-ok-13.pcap');
    const direct = run(['read', file, '--json']).stdout;
    const piped = run(['read', '-', '--json'], { input: readFileSync(file) }).stdout;
    const gz = join(tmp, 'x.bin');
    writeFileSync(gz, gzipSync(readFileSync(file)));
    const gunzipped = run(['read', gz, '--json']).stdout;
    const strip = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l).verdict.code);
    assert.deepEqual(strip(piped), strip(direct));
    assert.deepEqual(strip(gunzipped), strip(direct));
  });

  it('a file cut in the middle of a packet: warning, records still reported', () => {
    const bytes = readFileSync(join(capturesDir, 'tls-version-mismatch.pcap'));
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 7));
    const r = run(['read', cut, '--json']);
    noStackTrace(r.stderr);
    assert.match(r.stderr, /cut short/);
    assert.ok(r.stdout.trim().length > 0, 'connections before the cut are reported');
    assert.notEqual(r.status, 2, 'a cut last packet is a warning, not an unreadable input');
  });

  it('garbage after a valid start: exit 2, one clear message, what was read is reported', () => {
    const bytes = readFileSync(join(capturesDir, 'tls-version-mismatch.pcap'));
    // Keep the file header and the first three whole packet records, then a record header
    // whose lengths are lies.
    let end = 24;
    for (let i = 0; i < 3; i++) end += 16 + bytes.readUInt32LE(end + 8);
    const bad = Buffer.concat([bytes.subarray(0, end), Buffer.alloc(64, 0xff)]);
    const file = join(tmp, 'garbage.pcap');
    writeFileSync(file, bad);
    const r = run(['read', file, '--json']);
    assert.equal(r.status, 2);
    noStackTrace(r.stderr);
    assert.match(r.stderr, /^hsi: .*garbage\.pcap: .*frame 4/m);
    assert.equal(r.stdout.trim().split('\n').length, 1, 'the connection of the first three packets is reported');
  });

  const bad: [string, string[], RegExp][] = [
    ['a missing file', ['read', join(tmp, 'nope.pcap')], /no such file/],
    ['not a capture', ['read', join(repoRoot, 'package.json')], /not a pcap or pcapng file/],
    ['an empty file', ['read', (writeFileSync(join(tmp, 'empty'), ''), join(tmp, 'empty'))], /empty|cut short|no data/i],
    ['an unknown option', ['read', demo, '--bogus'], /unknown option --bogus/],
    ['a bad port', ['read', demo, '--port', '99999'], /not a port number/],
    ['no file', ['read'], /needs a capture file/],
    ['an unknown command', ['frobnicate'], /unknown command/],
    ['a missing known_hosts file', ['read', demo, '--known-hosts', join(tmp, 'kh')], /cannot read --known-hosts/],
  ];
  for (const [name, args, message] of bad) {
    it(`${name}: exit 2 with a one-line reason`, () => {
      const r = run(args);
      assert.equal(r.status, 2, r.stderr);
      noStackTrace(r.stderr);
      assert.match(r.stderr, message);
      assert.ok(r.stderr.trim().split('\n').length <= 2, `short message: ${r.stderr}`);
    });
  }

  it('--save-failures writes the failed connections with their verdict as a comment', () => {
    const out = join(tmp, 'failures.pcapng');
    const r = run(['read', demo, '--save-failures', out]);
    assert.equal(r.status, 1);
    const saved = run(['read', out, '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as ConnectionRecord);
    assert.ok(saved.length > 0);
    assert.ok(saved.every((x) => x.outcome !== 'completed'), 'only failed connections were saved');
    assert.ok(readFileSync(out).includes(Buffer.from('hsi #')), 'verdict comment present');
  });
});

describe('other commands', () => {
  it('read --replay feeds the file at its recorded pace through the live path: same verdicts', () => {
    const codes = (out: string) => out.trim().split('\n').map((l) => (JSON.parse(l) as ConnectionRecord).verdict.code).sort();
    const direct = run(['read', demo, '--json']);
    const t0 = Date.now();
    const replayed = run(['read', demo, '--json', '--replay', '4']);
    const took = Date.now() - t0;
    assert.deepEqual(codes(replayed.stdout), codes(direct.stdout));
    // The demo spans ~3.6 s of capture time: at ×4 the replay takes most of a second.
    assert.ok(took > 500, `paced, not instant (${took} ms)`);
  });

  it('interfaces lists what can be captured on, loopback included', () => {
    const r = run(['interfaces']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\s*\*?\s*lo\s+up/m);
  });

  it('--help and --version', () => {
    assert.match(run(['--help']).stdout, /hsi <command>/);
    assert.match(run(['read', '--help']).stdout, /--only-failed/);
    assert.match(run(['--version']).stdout, /^hsi \d+\.\d+\.\d+/);
  });
});

describe('nothing from the wire reaches the terminal unescaped', () => {
  it('control characters and escape sequences in SNI, banners and verdict text are shown escaped', () => {
    const evil = 'evil\x1b[2J\x07.example\u202e';
    const rec = {
      id: 1, protocol: 'tls', client: { ip: '10.0.0.1', port: 1 }, server: { ip: '10.0.0.2', port: 443 },
      firstFrame: 1, lastFrame: 2, startTime: 'x', endTime: 'x', duration: 0, outcome: 'failed', stage: 'client_hello',
      cutFrame: 2, closedBy: 'server', closeKind: 'fin',
      verdict: { code: 'tls.server_closed', confidence: 'likely', summary: `server for ${evil} closed`, evidence: [`SNI ${evil}`], fixes: [] },
      tls: { clientHello: { serverName: evil, alpn: [evil] } },
      ssh: { clientBanner: `SSH-2.0-${evil}` },
      tcp: {} as ConnectionRecord['tcp'], findings: [{ severity: 'warning', code: 'x', message: evil }], ladder: [],
    } as unknown as ConnectionRecord;
    const text = renderRecord(rec, PLAIN);
    assert.doesNotMatch(text, /[\x00-\x08\x0b-\x1f\x7f\u202e]/);
    assert.match(text, /evil\\x1b\[2J\\x07\.example\\u202e/);
  });
});
