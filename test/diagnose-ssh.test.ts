// The SSH rules on the real captures of captures/ (made by scripts/captures/ssh.sh with
// OpenSSH, dropbear and asyncssh peers): verdicts, wording (both offers, the line to change,
// the client's own error message as recorded when the capture was made), precedence, the
// security findings, and that every ssh.* code of the contract comes out of a real capture.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCapture } from '../src/capture/source.js';
import { parseArgs } from '../src/cli/args.js';
import { analysisSettings } from '../src/cli/setup.js';
import { diagnose } from '../src/diagnose/diagnose.js';
import { sshFindings } from '../src/diagnose/findings-ssh.js';
import { bestToEnable, canEnable, sshSoftware } from '../src/diagnose/fixes-ssh.js';
import type { DiagnosisInput } from '../src/diagnose/input.js';
import { Knowledge } from '../src/diagnose/knowledge.js';
import { RULES, stageOf } from '../src/diagnose/rules.js';
import { SSH_RULES_INFERRED, SSH_RULES_PATH, SSH_RULES_WIRE, sshDisconnect, sshOk } from '../src/diagnose/rules-ssh.js';
import type { Finding } from '../src/engine/types.js';
import { Analyzer } from '../src/pipeline/analyzer.js';
import { sshAlgorithm } from '../src/registry/ssh-algorithms.js';
import type { ConnectionRecord } from '../src/report/record.js';
import { lookupKnownHosts } from '../src/ssh/known-hosts.js';
import { SshTracker } from '../src/ssh/tracker.js';
import { analyse } from './helpers/analyse.js';
import { capturesDir, repoRoot } from './helpers/paths.js';

/** The ssh.* codes of the contract (report-format.md, "Verdict codes"). */
const CONTRACT_SSH_CODES = [
  'ssh.ok',
  'ssh.kex_mismatch',
  'ssh.hostkey_mismatch',
  'ssh.cipher_mismatch',
  'ssh.mac_mismatch',
  'ssh.compression_mismatch',
  'ssh.hostkey_changed',
  'ssh.protocol_mismatch',
  'ssh.closed_before_banner',
  'ssh.disconnect',
  'ssh.auth_failed',
  'ssh.mtu_blackhole',
  'ssh.closed',
];

const KNOWN_HOSTS = ['--known-hosts', 'captures/ssh-known_hosts'];

interface Seen {
  record: ConnectionRecord;
  input: DiagnosisInput;
  /** What the tracker put on the connection, and what sshFindings adds. */
  trackerFindings: Finding[];
  extra: Finding[];
}

/**
 * Run the pipeline and rebuild, for each SSH connection, the diagnosis input as the analyzer
 * sees it (knowledge of the connections before it only), for calling rules and sshFindings.
 */
async function analyseInputs(capture: string, options: string[] = []): Promise<Seen[]> {
  const file = join(capturesDir, capture);
  const args = parseArgs(['read', file, ...options.map((o) => (o.startsWith('captures/') ? join(repoRoot, o) : o))]);
  const settings = analysisSettings(args);
  const knowledge = new Knowledge();
  const out: Seen[] = [];
  const analyzer = new Analyzer({
    ...settings,
    onRecord: (record, conn) => {
      if (!(conn.tracker instanceof SshTracker)) return;
      const ssh = conn.tracker.state;
      const kh = settings.knownHosts;
      const { ip, port } = conn.server.endpoint;
      const input: DiagnosisInput = {
        conn,
        openAtEnd: conn.endReason === 'end-of-input',
        tls: null,
        ssh,
        tunnel: null,
        chain: null,
        knowledge,
        knownHosts: kh && ssh.hostKey ? lookupKnownHosts(kh.file, ip, port, ssh.hostKey.blob) : null,
        knownHostsPath: kh?.path ?? null,
        drops: null,
      };
      const extra = sshFindings(input);
      // Once the analyzer adds sshFindings itself, keep them apart from the tracker's.
      const trackerFindings = conn.findings.filter((f) => !extra.some((e) => e.code === f.code && e.message === f.message));
      out.push({ record, input, trackerFindings, extra });
      if (ssh.hostKey) knowledge.recordSshHostKey(ip, port, { type: ssh.hostKey.type, fingerprint: ssh.hostKey.fingerprint, id: record.id, frame: ssh.hostKey.frame, time: ssh.hostKey.time });
    },
  });
  await readCapture(file, (p) => analyzer.packet(p), { afterChunk: () => analyzer.drain() });
  await analyzer.end();
  return out;
}

/** The OpenSSH client's message as recorded in the capture's description ("the client says: Unable to negotiate ..."). */
function recordedClientMessage(capture: string): string {
  const exp = JSON.parse(readFileSync(join(capturesDir, capture.replace(/\.pcap$/, '.expect.json')), 'utf8')) as { description: string };
  const m = /the client says: (Unable to negotiate .*?)(?: \(|$)/.exec(exp.description);
  assert.ok(m, `no recorded client message in ${capture}`);
  return m[1]!;
}

interface Case {
  capture: string;
  options?: string[];
  /** Which connection (1-based id). */
  id?: number;
  code: string;
  confidence?: string;
  outcome?: string;
  stage?: string;
  summary?: RegExp[];
  evidence?: RegExp[];
  fixes?: RegExp[];
  /** The client's own "Unable to negotiate" line from the expectation must be quoted verbatim. */
  clientMessage?: boolean;
}

const CASES: Case[] = [
  {
    capture: 'ssh-kex-mismatch.pcap',
    code: 'ssh.kex_mismatch',
    confidence: 'certain',
    stage: 'kexinit',
    clientMessage: true,
    summary: [/no key exchange method in common/i, /diffie-hellman-group1-sha1/],
    evidence: [/^frame 8: client KexAlgorithms: diffie-hellman-group1-sha1$/, /^frame 9: server KexAlgorithms: sntrup761x25519-sha512,/, /sshd .* logs: Unable to negotiate with 10\.78\.0\.1 port \d+: no matching key exchange method found\. Their offer: diffie-hellman-group1-sha1/, /FIN from the server without a DISCONNECT/],
    fixes: [/sshd_config set `KexAlgorithms \+diffie-hellman-group1-sha1`.*security cost: diffie-hellman-group1-sha1 is insecure/, /`ssh -o KexAlgorithms=\+sntrup761x25519-sha512 10\.78\.0\.2`/, /~\/\.ssh\/config: `Host 10\.78\.0\.2`/, /Better: the client .* offers only weak key exchange methods/],
  },
  {
    capture: 'ssh-hostkey-mismatch.pcap',
    code: 'ssh.hostkey_mismatch',
    confidence: 'certain',
    clientMessage: true,
    evidence: [/^frame 10: server HostKeyAlgorithms: ssh-rsa$/, /^frame 8: client HostKeyAlgorithms: .*rsa-sha2-512/],
    fixes: [/existing ssh-rsa key.*`HostKeyAlgorithms \+rsa-sha2-512`/, /ssh-keygen -t ed25519 -f \/etc\/ssh\/ssh_host_ed25519_key/, /HostKey \/etc\/ssh\/ssh_host_ed25519_key/, /ssh -o HostKeyAlgorithms=\+ssh-rsa .*PubkeyAcceptedAlgorithms=\+ssh-rsa.*security cost: ssh-rsa is weak/],
  },
  {
    capture: 'ssh-cipher-mismatch.pcap',
    code: 'ssh.cipher_mismatch',
    clientMessage: true,
    evidence: [/^frame 8: client Ciphers: aes256-gcm@openssh\.com$/, /^frame 9: server Ciphers: aes128-ctr$/],
    fixes: [/`Ciphers \+aes256-gcm@openssh\.com`/, /`ssh -o Ciphers=\+aes128-ctr 10\.78\.0\.2`/],
  },
  {
    capture: 'ssh-mac-mismatch.pcap',
    code: 'ssh.mac_mismatch',
    clientMessage: true,
    evidence: [/^frame 8: client MACs: hmac-sha1$/, /^frame 9: server MACs: hmac-sha2-512$/],
    fixes: [/`ssh -o MACs=\+hmac-sha2-512 /, /`MACs \+hmac-sha1`.*security cost: hmac-sha1 is weak/, /AEAD cipher/],
  },
  {
    // asyncssh sends a DISCONNECT with the mismatch: the lists decide the code, the DISCONNECT is evidence and the cut.
    capture: 'ssh-compression-mismatch.pcap',
    code: 'ssh.compression_mismatch',
    confidence: 'certain',
    evidence: [/^frame 8: client Compression: zlib@openssh\.com,zlib$/, /^frame 10: server Compression: none$/, /frame 11 .*DISCONNECT SSH_DISCONNECT_KEY_EXCHANGE_FAILED \(3\): "No matching compression algorithm found/, /an OpenSSH client would report: .*no matching compression method found/],
    fixes: [/`Compression yes`/, /compression_algs .*add none/],
  },
  {
    capture: 'ssh-disconnect.pcap',
    code: 'ssh.disconnect',
    confidence: 'certain',
    summary: [/SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE \(9\)/, /"Host key is not trusted"/],
    evidence: [/^frame 12 .*the client sent DISCONNECT SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE \(9\): "Host key is not trusted"$/, /host key SHA256:xG\/F\+QTSIEhhjoVdMlZPjuPOL4eoPKNrlZXz\/Y8h5\/0/],
    fixes: [/ssh-keygen -lf \/etc\/ssh\/ssh_host_ed25519_key\.pub/, /ssh-keygen -R 10\.78\.0\.2/],
  },
  {
    capture: 'ssh-hostkey-changed-known-hosts.pcap',
    options: KNOWN_HOSTS,
    code: 'ssh.hostkey_changed',
    confidence: 'certain',
    outcome: 'failed',
    summary: [/REMOTE HOST IDENTIFICATION HAS CHANGED/],
    evidence: [/server presented its ssh-ed25519 host key SHA256:NEMcjuH8dlneXKXx3uhvqW15FBpGJoNDDhv\/N72Gu\/4/, /ssh-known_hosts line 4: ssh-ed25519 SHA256:\S+ for 10\.78\.0\.2$/, /FIN from the client before sending its NEWKEYS/],
    fixes: [/ssh-keygen -lf \/etc\/ssh\/ssh_host_ed25519_key\.pub/, /ssh-keygen -R 10\.78\.0\.2 -f \S+ssh-known_hosts/, /man-in-the-middle/],
  },
  {
    // Without --known-hosts the same capture shows only a silent close after the server's NEWKEYS.
    capture: 'ssh-hostkey-changed-known-hosts.pcap',
    code: 'ssh.closed',
    summary: [/client closed .* after the server's NEWKEYS/, /Host key verification failed/],
    fixes: [/--known-hosts/],
  },
  { capture: 'ssh-hostkey-changed.pcap', id: 1, code: 'ssh.ok', outcome: 'completed', stage: 'authentication' },
  {
    capture: 'ssh-hostkey-changed.pcap',
    id: 2,
    code: 'ssh.hostkey_changed',
    confidence: 'certain',
    summary: [/now SHA256:ccEWlTl39TUeiQuqGK27f\/qrOpM62ZplyM\/3HfvJ10E/, /connection #1\) it was SHA256:hvgxKZByo4arbzsep\/GfeVM\+Z0ruZY43qE7cVkMB9MA/],
    evidence: [/^connection #1, frame 13 .*SHA256:hvgx/],
    fixes: [/ssh-keygen -R 10\.78\.0\.2/],
  },
  {
    capture: 'ssh-protocol-1.pcap',
    code: 'ssh.protocol_mismatch',
    summary: [/only SSH protocol 1/, /"SSH-1\.5-OldServer"/],
    evidence: [/^frame 4 .*server identification "SSH-1\.5-OldServer": protocol version 1\.5/],
    fixes: [/removed from OpenSSH in 7\.6/],
  },
  {
    capture: 'ssh-http-on-ssh-port.pcap',
    code: 'ssh.protocol_mismatch',
    summary: [/HTTP response/],
    evidence: [/^frame 6 .*the server sent an HTTP response .*: "HTTP\/1\.1 400 Bad Request"$/],
    fixes: [/ss -tlnp 'sport = :22'/],
  },
  {
    capture: 'ssh-maxstartups.pcap',
    code: 'ssh.closed_before_banner',
    confidence: 'certain',
    summary: [/MaxStartups/],
    evidence: [/^frame 4 .*the server sent "Exceeded MaxStartups" instead of its SSH identification$/, /^frame 6 .*FIN from the server/],
    fixes: [/^sshd drops new connections while MaxStartups/, /hosts\.allow/, /journalctl -u ssh/, /fail2ban/],
  },
  {
    capture: 'ssh-closed-before-banner.pcap',
    code: 'ssh.closed_before_banner',
    summary: [/closed it before sending its SSH banner/, /kex_exchange_identification: Connection closed by remote host/],
    fixes: [/hosts\.allow/, /MaxStartups/, /sshd -t/, /ListenAddress/],
  },
  {
    capture: 'ssh-closed-during-kex.pcap',
    code: 'ssh.closed',
    confidence: 'certain',
    stage: 'key_exchange',
    summary: [/server closed the connection during the key exchange, after the client's KEX_ECDH_INIT \(frame 12\)/],
    fixes: [/journalctl -u ssh/],
  },
  {
    capture: 'ssh-auth-failed.pcap',
    code: 'ssh.auth_failed',
    confidence: 'likely',
    outcome: 'failed',
    stage: 'authentication',
    evidence: [/NEWKEYS from the server/, /USERAUTH_FAILURE/],
    fixes: [/ssh -vvv/, /PasswordAuthentication, PubkeyAuthentication, AuthenticationMethods, AllowUsers/, /PermitRootLogin/, /authorized_keys/, /chmod 700 ~\/\.ssh; chmod 600 ~\/\.ssh\/authorized_keys/, /ssh-keygen -y -f/, /journalctl -u ssh/],
  },
  { capture: 'ssh-auth-failed-password.pcap', code: 'ssh.auth_failed', confidence: 'likely', outcome: 'failed' },
  {
    capture: 'ssh-mtu-blackhole.pcap',
    code: 'ssh.mtu_blackhole',
    confidence: 'likely',
    stage: 'key_exchange',
    evidence: [/^frame 13 .*server sent 1448 bytes .*retransmitted .*never acknowledged/, /KEX_HYBRID_REPLY/],
    fixes: [/fragmentation needed/, /KexAlgorithms=curve25519-sha256/],
  },
  { capture: 'ssh-ok.pcap', code: 'ssh.ok', outcome: 'completed', stage: 'authentication', evidence: [/NEWKEYS from the client/, /NEWKEYS from the server/] },
  { capture: 'ssh-ok-dropbear.pcap', code: 'ssh.ok', outcome: 'completed' },
  { capture: 'ssh-ipv6.pcap', code: 'ssh.ok', outcome: 'completed' },
  { capture: 'ssh-weak-algorithms-ok.pcap', code: 'ssh.ok', outcome: 'completed' },
  { capture: 'ssh-terrapin-exposed.pcap', code: 'ssh.ok', outcome: 'completed' },
];

function matchAll(what: string, lines: string[], res: RegExp[] | undefined): void {
  for (const re of res ?? []) assert.ok(lines.some((l) => re.test(l)), `${what}: no line matches ${re}\n${lines.map((l) => `  | ${l}`).join('\n')}`);
}

const produced = new Map<string, string>();

describe('SSH rules on real captures', () => {
  for (const c of CASES) {
    it(`${c.capture}${c.options ? ' ' + c.options.join(' ') : ''}${c.id ? ` #${c.id}` : ''} → ${c.code}`, async () => {
      const recs = await analyse(join(capturesDir, c.capture), c.options ?? []);
      const r = recs.find((x) => x.id === (c.id ?? 1));
      assert.ok(r, `connection ${c.id ?? 1}`);
      const v = r.verdict;
      assert.equal(v.code, c.code, `${v.code}: ${v.summary}`);
      produced.set(c.code, c.capture);
      if (c.confidence) assert.equal(v.confidence, c.confidence);
      if (c.outcome) assert.equal(r.outcome, c.outcome);
      if (c.stage) assert.equal(r.stage, c.stage);
      matchAll('summary', [v.summary], c.summary);
      matchAll('evidence', v.evidence, c.evidence);
      matchAll('fixes', v.fixes, c.fixes);
      if (c.clientMessage) {
        const said = recordedClientMessage(c.capture);
        assert.ok(v.evidence.some((l) => l.endsWith(said)), `the client's recorded message is not quoted: ${said}`);
      }
      if (r.outcome === 'failed') {
        assert.ok(v.evidence.length > 0 && v.fixes.length > 0, 'a failure has evidence and fixes');
        assert.ok(v.evidence.some((l) => /^frames? \d+/.test(l)), 'evidence points at frames');
      }
    });
  }

  it('every ssh.* code of the contract is produced by a real capture, and every SSH rule has a contract code', () => {
    const ruleCodes = [...SSH_RULES_WIRE, ...SSH_RULES_PATH, ...SSH_RULES_INFERRED].map((r) => r.code);
    assert.deepEqual([...ruleCodes].sort(), [...CONTRACT_SSH_CODES].sort());
    for (const code of CONTRACT_SSH_CODES) assert.ok(produced.has(code), `${code}: no capture above produced it`);
  });
});

describe('precedence', () => {
  it('a DISCONNECT that comes with a list mismatch: the mismatch wins, the DISCONNECT is the cut', async () => {
    const [s] = await analyseInputs('ssh-compression-mismatch.pcap');
    assert.ok(s);
    assert.ok(sshDisconnect.test(s.input), 'the DISCONNECT rule applies on its own');
    const d = diagnose(s.input, RULES, stageOf);
    assert.equal(d.verdict.code, 'ssh.compression_mismatch');
    assert.deepEqual([d.cutFrame, d.closedBy, d.closeKind], [11, 'client', 'disconnect']);
  });

  it('a completed key exchange followed by an authentication failure is ssh.auth_failed, not ssh.ok', async () => {
    const [s] = await analyseInputs('ssh-auth-failed.pcap');
    assert.ok(s?.input.ssh?.completed);
    assert.equal(sshOk.test(s.input), null);
    assert.equal(s.record.verdict.code, 'ssh.auth_failed');
  });

  it('host key changed against known_hosts beats the silent close; the same capture without it is ssh.closed', async () => {
    const [withFile] = await analyseInputs('ssh-hostkey-changed-known-hosts.pcap', KNOWN_HOSTS);
    const [without] = await analyseInputs('ssh-hostkey-changed-known-hosts.pcap');
    assert.equal(withFile?.input.knownHosts?.status, 'mismatch');
    assert.equal(withFile?.record.verdict.code, 'ssh.hostkey_changed');
    assert.equal(without?.record.verdict.code, 'ssh.closed');
  });

  it('host key changed against an earlier connection to the same server', async () => {
    const seen = await analyseInputs('ssh-hostkey-changed.pcap');
    assert.deepEqual(seen.map((s) => s.record.verdict.code), ['ssh.ok', 'ssh.hostkey_changed']);
    assert.equal(seen[1]!.input.knownHosts, null, 'no known_hosts file: the earlier connection decides');
  });

  it('a changed key on a connection that went on with a session stays ssh.ok, with a finding', async () => {
    const [s] = await analyseInputs('ssh-ok.pcap', KNOWN_HOSTS);
    assert.equal(s?.input.knownHosts?.status, 'mismatch');
    assert.equal(s?.record.verdict.code, 'ssh.ok');
    assert.ok(s?.extra.some((f) => f.code === 'ssh.hostkey_differs' && f.severity === 'warning'));
  });
});

describe('security findings', () => {
  const all = (s: Seen): Finding[] => [...s.trackerFindings, ...s.extra];

  it('ssh-weak-algorithms-ok: every weak negotiated algorithm is reported once', async () => {
    const [s] = await analyseInputs('ssh-weak-algorithms-ok.pcap');
    assert.ok(s);
    for (const name of ['diffie-hellman-group14-sha1', 'ssh-rsa', 'aes128-cbc', 'hmac-sha1']) {
      const about = all(s).filter((f) => f.code.startsWith('ssh.weak') && new RegExp(`\\b${name.replace(/[.-]/g, '\\$&')}\\b`).test(f.message));
      assert.equal(about.length, 1, `${name}: ${JSON.stringify(about)}`);
    }
  });

  it('ssh-terrapin-exposed: one Terrapin finding (no strict KEX on the server, chacha20-poly1305)', async () => {
    const [s] = await analyseInputs('ssh-terrapin-exposed.pcap');
    assert.ok(s);
    assert.equal(s.input.ssh?.negotiation?.strictKex.server, false);
    const t = all(s).filter((f) => f.code === 'ssh.terrapin');
    assert.equal(t.length, 1);
    assert.match(t[0]!.message, /CVE-2023-48795/);
  });

  it('ssh-ok: strict KEX on both sides, no Terrapin finding; the weak MACs still offered are reported per side', async () => {
    const [s] = await analyseInputs('ssh-ok.pcap');
    assert.ok(s);
    assert.equal(all(s).filter((f) => f.code === 'ssh.terrapin').length, 0);
    const offers = s.extra.filter((f) => f.code === 'ssh.weak_offer');
    assert.deepEqual(offers.map((f) => f.message.split(' ')[1]), ['client', 'server']);
    assert.ok(offers.every((f) => /hmac-sha1\b/.test(f.message) && f.severity === 'info'));
  });

  it('ssh-kex-mismatch: the client offering diffie-hellman-group1-sha1 is a warning', async () => {
    const [s] = await analyseInputs('ssh-kex-mismatch.pcap');
    const f = s?.extra.find((x) => x.code === 'ssh.weak_offer' && / client /.test(x.message));
    assert.ok(f);
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /diffie-hellman-group1-sha1/);
  });

  it('findings never repeat what the tracker already said', async () => {
    const escape = (n: string): string => n.replace(/[.+]/g, '\\$&');
    for (const capture of ['ssh-weak-algorithms-ok.pcap', 'ssh-terrapin-exposed.pcap', 'ssh-cipher-mismatch.pcap', 'ssh-ok-dropbear.pcap']) {
      for (const s of await analyseInputs(capture)) {
        // The tracker words them "negotiated <kind> <name> is <rating>: ...".
        const negotiated = s.trackerFindings.flatMap((f) => (f.code === 'ssh.weak_algorithm' ? [/^negotiated \S+ (\S+) is/.exec(f.message)![1]!] : []));
        for (const f of s.extra.filter((x) => x.code === 'ssh.weak_offer')) {
          for (const n of negotiated) assert.doesNotMatch(f.message, new RegExp(`(^|[ ,])${escape(n)} \\(`), `${capture}: ${n} reported twice`);
        }
        const terrapin = [...s.trackerFindings, ...s.extra].filter((f) => f.code === 'ssh.terrapin');
        assert.ok(terrapin.length <= 1, `${capture}: two Terrapin findings`);
      }
    }
  });
});

describe('which algorithm to enable where (registry + OpenSSH versions)', () => {
  const cases: { name: string; kind: 'kex' | 'hostkey' | 'cipher'; software: string; side: 'client' | 'server'; ok: boolean }[] = [
    { name: 'curve25519-sha256', kind: 'kex', software: 'OpenSSH_7.4p1', side: 'server', ok: true },
    { name: 'curve25519-sha256', kind: 'kex', software: 'OpenSSH_7.3', side: 'server', ok: false },
    { name: 'arcfour', kind: 'cipher', software: 'OpenSSH_7.5', side: 'client', ok: true },
    { name: 'arcfour', kind: 'cipher', software: 'OpenSSH_7.6p1', side: 'client', ok: false },
    { name: 'ssh-dss', kind: 'hostkey', software: 'OpenSSH_9.2p1', side: 'server', ok: true },
    { name: 'ssh-dss', kind: 'hostkey', software: 'OpenSSH_10.0', side: 'server', ok: false },
    { name: 'unheard-of@example.com', kind: 'cipher', software: 'SomeSSH_1.0', side: 'server', ok: false },
    { name: 'aes128-ctr', kind: 'cipher', software: 'SomeSSH_1.0', side: 'server', ok: true },
  ];
  for (const c of cases) {
    it(`${c.software} ${c.side}: ${c.name} → ${c.ok}`, () => assert.equal(canEnable(sshAlgorithm(c.kind, c.name), sshSoftware(c.software), c.side), c.ok));
  }

  it('sshd cannot go back to pre-authentication zlib after OpenSSH 7.4', () => {
    assert.equal(bestToEnable('compression', ['zlib'], sshSoftware('OpenSSH_9.2p1'), 'server'), null);
    assert.equal(bestToEnable('compression', ['zlib'], sshSoftware('OpenSSH_9.2p1'), 'client')?.name, 'zlib');
  });

  it('the best-rated of the other side’s list wins; a host key type the server already has comes first', () => {
    const sw = sshSoftware('OpenSSH_9.2p1');
    assert.equal(bestToEnable('kex', ['diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha256', 'curve25519-sha256'], sw, 'client')?.name, 'curve25519-sha256');
    assert.equal(bestToEnable('hostKey', ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256'], sw, 'server', ['ssh-rsa'])?.name, 'rsa-sha2-512');
    assert.equal(bestToEnable('hostKey', ['ssh-ed25519', 'rsa-sha2-512'], sw, 'server', [])?.name, 'ssh-ed25519');
  });
});
