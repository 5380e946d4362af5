// Key-log decryption on real captures, with tshark as the oracle: given the same key log,
// tshark and hsi must read the same handshake messages and alerts in the same frames.
// Plus: the key log parser, key material kept out of every output, a wrong key log is a
// finding and not a crash, secrets from a pcapng Decryption Secrets Block, and the key
// derivations against published vectors (RFC 9001 Appendix A).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KeyStore } from '../src/keylog/keylog.js';
import { hkdfExpandLabel, hkdfExtract } from '../src/tls/keyschedule.js';
import { analyse } from './helpers/analyse.js';
import { capturesDir, repoRoot } from './helpers/paths.js';

interface Msg {
  frame: number;
  from: string;
  type: number | null;
}
interface TlsView {
  decrypted: boolean;
  messages: Msg[];
  alerts: { frame: number; description: number | null }[];
  decryption: { keys: string[]; failures: unknown[] } | null;
}

/** A record field by its contract name ("tls.decrypted"). */
const field = (r: object, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | null | undefined)?.[k], r);

const CASES = ['keylog-cert-rejected-13', 'keylog-client-cert-required-13', 'keylog-suites', 'keylog-bad-record-mac-12'];
const CA = ['--ca-file', 'captures/certs/test-root.pem'];

/** Per frame: the handshake types and alert descriptions tshark decodes with the key log. */
function tsharkView(file: string, keys: string): Map<number, { types: number[]; alerts: number[] }> | null {
  const r = spawnSync('tshark', ['-n', '-d', 'tcp.port==4443,tls', '-r', file, '-o', `tls.keylog_file:${keys}`, '-Y', 'tls', '-T', 'fields', '-E', 'separator=;', '-e', 'frame.number', '-e', 'tls.handshake.type', '-e', 'tls.alert_message.desc'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const out = new Map<number, { types: number[]; alerts: number[] }>();
  for (const line of r.stdout.trim().split('\n')) {
    const [frame, types, alerts] = line.split(';');
    const nums = (s: string | undefined) => (s ? s.split(',').filter((x) => x !== '').map(Number) : []);
    out.set(Number(frame), { types: nums(types), alerts: nums(alerts) });
  }
  return out;
}

describe('key logs: hsi reads what tshark reads with the same key log', () => {
  for (const name of CASES) {
    it(name, async (t) => {
      const file = join(capturesDir, `${name}.pcap`);
      const keys = join(capturesDir, `${name}.keys`);
      const want = tsharkView(file, keys);
      if (!want) return t.skip('tshark is not installed (the scenario tests still check the verdicts)');
      const recs = await analyse(file, [...CA, '--keylog', keys]);
      const seenTypes = new Map<number, Set<number>>();
      const seenAlerts = new Map<number, Set<number>>();
      // hsi reads a connection up to its handshake's end: compare the frames until then
      const until = new Map<number, number>();
      for (const r of recs) {
        const t = r.tls as TlsView & { completedFrame: number | null };
        for (let f = r.firstFrame; f <= (t.completedFrame ?? r.lastFrame); f++) until.set(f, 1);
        if (name !== 'keylog-bad-record-mac-12') assert.ok(t.decrypted, `#${r.id} decrypted`);
        for (const m of t.messages) if (m.type !== null) (seenTypes.get(m.frame) ?? seenTypes.set(m.frame, new Set()).get(m.frame)!).add(m.type);
        for (const a of t.alerts) if (a.description !== null) (seenAlerts.get(a.frame) ?? seenAlerts.set(a.frame, new Set()).get(a.frame)!).add(a.description);
      }
      let compared = 0;
      for (const [frame, w] of want) {
        if (!until.has(frame)) continue;
        for (const type of w.types) {
          assert.ok(seenTypes.get(frame)?.has(type), `frame ${frame}: tshark reads handshake type ${type}, hsi has ${[...(seenTypes.get(frame) ?? [])].join(',')}`);
          compared++;
        }
        for (const d of w.alerts) {
          assert.ok(seenAlerts.get(frame)?.has(d), `frame ${frame}: tshark reads alert ${d}, hsi has ${[...(seenAlerts.get(frame) ?? [])].join(',')}`);
          compared++;
        }
      }
      assert.ok(compared >= 5, `${compared} messages compared`);
    });
  }

  it('TLS 1.3: the chain in the encrypted flight is judged, the alert is read', async () => {
    const [gnutls] = await analyse(join(capturesDir, 'keylog-cert-rejected-13.pcap'), [...CA, '--keylog', 'captures/keylog-cert-rejected-13.keys']);
    assert.equal(gnutls!.verdict.code, 'tls.cert_untrusted');
    assert.equal(gnutls!.verdict.confidence, 'certain');
    const t = gnutls!.tls as TlsView & { certificates: unknown[] };
    assert.ok(t.certificates.length > 0, 'the certificates were decrypted and judged');
    const [without] = await analyse(join(capturesDir, 'keylog-cert-rejected-13.pcap'), CA);
    assert.equal(without!.verdict.code, 'tls.cert_rejected', 'without the key log the cause stays hidden');
    assert.equal(without!.verdict.confidence, 'likely');
  });

  it('secrets from the capture itself (editcap --inject-secrets: a Decryption Secrets Block)', async () => {
    const [r] = await analyse(join(capturesDir, 'keylog-injected.pcapng'), CA);
    assert.equal((r!.tls as TlsView).decrypted, true);
    assert.equal(r!.verdict.code, 'tls.client_cert_required');
    assert.match(r!.verdict.evidence.join('\n'), /decryption secrets block/);
  });

  it('altered bytes: the record that does not open is named, not a crash', async () => {
    const [r] = await analyse(join(capturesDir, 'keylog-bad-record-mac-12.pcap'), [...CA, '--keylog', 'captures/keylog-bad-record-mac-12.keys']);
    assert.equal(r!.verdict.code, 'tls.alert');
    assert.match(r!.verdict.evidence.join('\n'), /does not open with the logged keys/);
    assert.ok(r!.findings.some((f) => f.code === 'tls.decrypt_failed'));
  });

  it('a wrong key log: every record stays encrypted, findings say so, verdicts are those without keys', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hsi-keylog-'));
    const wrong = join(tmp, 'wrong.keys');
    const text = readFileSync(join(capturesDir, 'keylog-client-cert-required-13.keys'), 'utf8');
    // the same client random, other secrets
    writeFileSync(wrong, text.replace(/ ([0-9a-f]{64,96})$/gm, (_m, s: string) => ' ' + s.replace(/[0-9a-f]/g, (c) => ((parseInt(c, 16) + 1) % 16).toString(16))), { mode: 0o600 });
    const [r] = await analyse(join(capturesDir, 'keylog-client-cert-required-13.pcap'), [...CA, '--keylog', wrong]);
    const t = r!.tls as TlsView;
    assert.equal(t.decrypted, false);
    assert.ok(r!.findings.some((f) => f.code === 'tls.decrypt_failed'));
    assert.equal(r!.verdict.code, 'tls.client_cert_required');
    assert.equal(r!.verdict.confidence, 'likely', 'the inference without keys');
  });

  // The contract's tls.decrypted on every key-log capture: true for each TLS connection the
  // key log opened, false for the same capture read without it (and for the one whose
  // relay altered the bytes: its records do not open).
  const DECRYPTED: [capture: string, keys: string | null, want: boolean][] = [
    ['keylog-suites.pcap', 'keylog-suites.keys', true],
    ['keylog-suites.pcap', null, false],
    ['keylog-cert-rejected-13.pcap', 'keylog-cert-rejected-13.keys', true],
    ['keylog-client-cert-required-13.pcap', 'keylog-client-cert-required-13.keys', true],
    ['keylog-client-cert-required-13.pcap', null, false],
    ['keylog-injected.pcapng', null, true],
    ['keylog-bad-record-mac-12.pcap', 'keylog-bad-record-mac-12.keys', false],
  ];
  for (const [capture, keys, want] of DECRYPTED) {
    it(`tls.decrypted is ${want}: ${capture}${keys ? ' with its key log' : ' without a key log'}`, async () => {
      const recs = await analyse(join(capturesDir, capture), [...CA, ...(keys ? ['--keylog', join('captures', keys)] : [])]);
      const tls = recs.filter((r) => r.protocol === 'tls');
      assert.ok(tls.length > 0);
      for (const r of tls) assert.equal(field(r, 'tls.decrypted'), want, `#${r.id}`);
      // No key log given and none in the capture: nothing about key logs is said.
      if (!keys && !capture.endsWith('.pcapng')) {
        for (const r of tls) {
          assert.equal(field(r, 'tls.decryption'), null, `#${r.id}`);
          assert.doesNotMatch(r.verdict.evidence.join('\n'), /key log/, `#${r.id}`);
        }
      }
    });
  }

  it('key material never appears in any output', () => {
    const hsi = join(repoRoot, 'bin', 'hsi.js');
    for (const name of CASES) {
      const keys = join(capturesDir, `${name}.keys`);
      const secrets = readFileSync(keys, 'utf8').split('\n').filter((l) => !l.startsWith('#')).map((l) => l.trim().split(/\s+/)[2]).filter((x): x is string => !!x && /^([0-9a-f]{2}){32,}$/i.test(x));
      assert.ok(secrets.length > 0);
      const out = [
        spawnSync(process.execPath, [hsi, 'read', join(capturesDir, `${name}.pcap`), '--json', '--keylog', keys, ...CA.map((x) => (x.startsWith('captures/') ? join(repoRoot, x) : x))]),
        spawnSync(process.execPath, [hsi, 'read', join(capturesDir, `${name}.pcap`), '--keylog', keys]),
      ].map((x) => x.stdout.toString() + x.stderr.toString()).join('\n');
      for (const s of secrets) {
        assert.ok(!out.toLowerCase().includes(s.toLowerCase()), `${name}: a secret appears in the output`);
        assert.ok(!out.includes(Buffer.from(s, 'hex').toString('base64')), `${name}: a secret (base64) appears in the output`);
      }
      assert.match(out, /SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_RANDOM/, 'labels are named');
    }
  });

  it('a key log other users can read is used, with a warning on stderr', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hsi-keylog-'));
    const open = join(tmp, 'open.keys');
    writeFileSync(open, readFileSync(join(capturesDir, 'keylog-suites.keys')), { mode: 0o644 });
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'hsi.js'), 'read', join(capturesDir, 'keylog-suites.pcap'), '--json', '--keylog', open], { encoding: 'utf8' });
    assert.match(r.stderr, /warning: the key log .* can be read by other users \(mode 644\)/);
    assert.ok(r.stdout.split('\n').filter((l) => l.includes('"decrypted":true')).length > 0, 'and still used');
  });
});

describe('key log parsing', () => {
  it('labels, comments, unknown labels, malformed lines', () => {
    const k = new KeyStore();
    const r = 'ab'.repeat(32);
    k.addText(`# comment\nCLIENT_RANDOM ${r} ${'11'.repeat(48)}\nSERVER_HANDSHAKE_TRAFFIC_SECRET ${r} ${'22'.repeat(32)}\nFUTURE_LABEL ${r} ${'33'.repeat(32)}\nCLIENT_RANDOM nothex ${'11'.repeat(48)}\n\n`, 'test');
    assert.deepEqual({ lines: k.stats.lines, secrets: k.stats.secrets, unknown: k.stats.unknownLabels, malformed: k.stats.malformed }, { lines: 4, secrets: 2, unknown: 1, malformed: 1 });
    const s = k.lookup(Buffer.from(r, 'hex'));
    assert.equal(s?.get('CLIENT_RANDOM')?.length, 48);
    assert.equal(k.lookup(new Uint8Array(32)), null);
  });
});

describe('key derivation vectors (RFC 9001 Appendix A.1: Initial keys for DCID 0x8394c8f03e515708)', () => {
  const salt = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
  const initial = hkdfExtract('sha256', salt, Buffer.from('8394c8f03e515708', 'hex'));
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const empty = new Uint8Array(0);
  it('client: secret, key, iv, hp', () => {
    const c = hkdfExpandLabel('sha256', initial, 'client in', empty, 32);
    assert.equal(hex(c), 'c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea');
    assert.equal(hex(hkdfExpandLabel('sha256', c, 'quic key', empty, 16)), '1f369613dd76d5467730efcbe3b1a22d');
    assert.equal(hex(hkdfExpandLabel('sha256', c, 'quic iv', empty, 12)), 'fa044b2f42a3fd3b46fb255c');
    assert.equal(hex(hkdfExpandLabel('sha256', c, 'quic hp', empty, 16)), '9f50449e04a0e810283a1e9933adedd2');
  });
  it('server: secret, key, iv, hp', () => {
    const s = hkdfExpandLabel('sha256', initial, 'server in', empty, 32);
    assert.equal(hex(s), '3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b');
    assert.equal(hex(hkdfExpandLabel('sha256', s, 'quic key', empty, 16)), 'cf3a5331653c364c88f0f379b6067e37');
    assert.equal(hex(hkdfExpandLabel('sha256', s, 'quic iv', empty, 12)), '0ac1493ca1905853b0bba03e');
    assert.equal(hex(hkdfExpandLabel('sha256', s, 'quic hp', empty, 16)), 'c206b8d9b9f0f37644430b490eeaa314');
  });
});
