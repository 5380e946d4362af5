// `hsi live` as a service, in a network namespace: run as the systemd unit would (no root,
// CAP_NET_RAW and CAP_NET_ADMIN as ambient capabilities), with real clients in a loop
// failing in known ways (a TLS version mismatch, an expired certificate, a refused port, an
// SSH key-exchange mismatch) beside good handshakes. The test scrapes /metrics with curl and
// checks the counters against what the clients did, promtool accepts the exposition, the
// failure groups name the injected causes, and memory stays flat while it runs.
// Without root, libpcap support or the tools, it skips with the reason.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadLiveBackend } from '../src/capture/live.js';
import { capturesDir, repoRoot } from './helpers/paths.js';

const hsi = join(repoRoot, 'bin', 'hsi.js');
const certs = join(capturesDir, 'certs');
const have = (cmd: string) => spawnSync('/bin/sh', ['-c', `command -v ${cmd}`]).status === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'the service test needs root (it creates a network namespace)';
  const b = loadLiveBackend();
  if (!b.available) return `live capture backend unavailable: ${b.reason}`;
  const missing = ['ip', 'setpriv', 'openssl', 'curl', '/usr/sbin/sshd', 'ssh', 'ssh-keygen'].filter((t) => !have(t));
  return missing.length > 0 ? `missing tools: ${missing.join(', ')}` : null;
}

function sh(cmd: string): string {
  const r = spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
}

/** A parsed Prometheus text exposition: "name{labels}" → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('hsi live as a service', () => {
  it('metrics match what real clients did; groups name the causes; memory stays flat', { timeout: 120_000 }, async (t) => {
    const why = skipReason();
    if (why) return t.skip(why);
    const dir = mkdtempSync(join(tmpdir(), 'hsi-service-'));
    chmodSync(dir, 0o755);
    const ns = `hsi-svc-${process.pid}`;
    spawnSync('ip', ['netns', 'del', ns]);
    sh(`ip netns add ${ns} && ip -n ${ns} link set lo up`);
    const procs: ChildProcess[] = [];
    const start = (args: string[]) => {
      const p = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { out: string; err: string };
      p.out = '';
      p.err = '';
      p.stdout!.on('data', (d) => (p.out += d));
      p.stderr!.on('data', (d) => (p.err += d));
      procs.push(p);
      return p;
    };
    // where the unprivileged service may write: its output and its ring
    const out = join(dir, 'out');
    const ring = join(dir, 'ring');
    sh(`mkdir -p ${out} ${ring} && chown 65534:65534 ${out} ${ring}`);
    const run = (cmd: string) => spawnSync('ip', ['netns', 'exec', ns, '/bin/sh', '-c', cmd], { encoding: 'utf8', timeout: 20_000 });
    try {
      // servers: TLS 1.3 only on 443, an expired chain on 8443, sshd on 22; nothing on 444
      start(['openssl', 's_server', '-accept', '443', '-tls1_3', '-www', '-cert', join(certs, 'www.pem'), '-key', join(certs, 'www.key'), '-cert_chain', join(certs, 'test-intermediate.pem'), '-quiet']);
      start(['openssl', 's_server', '-accept', '8443', '-no_tls1_3', '-www', '-cert', join(certs, 'www-expired.pem'), '-key', join(certs, 'www-expired.key'), '-cert_chain', join(certs, 'test-intermediate.pem'), '-quiet']);
      sh(`ssh-keygen -q -t ed25519 -N '' -f ${dir}/host_key && mkdir -p /run/sshd`);
      writeFileSync(join(dir, 'sshd_config'), ['Port 22', 'ListenAddress 127.0.0.1', `HostKey ${dir}/host_key`, `PidFile ${dir}/sshd.pid`, 'UsePAM no', 'StrictModes no', 'MaxStartups 200', ''].join('\n'));
      start(['/usr/sbin/sshd', '-D', '-e', '-f', join(dir, 'sshd_config')]);
      const listening = () => ['443', '8443', '22'].every((p) => run(`ss -ltnH 'sport = :${p}'`).stdout.includes(`:${p}`));
      for (let i = 0; i < 100 && !listening(); i++) await sleep(100);
      assert.ok(listening(), 'the servers listen');

      // hsi as the unit runs it: an unprivileged user with the two capabilities, nothing else
      const live = start(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=+net_raw,+net_admin', '--ambient-caps=+net_raw,+net_admin', '--',
        process.execPath, hsi, 'live', '-i', 'lo', '--port', '443,8443,22,444', '--ca-file', join(certs, 'test-root.pem'), '--metrics', '127.0.0.1:9464', '--json', '--groups',
        '--output', join(out, 'records.ndjson'), '--save-failures', `${ring}/`, '--ring-size', '20k', '--ring-files', '3', '--summary-every', '2s']) as ChildProcess & { out: string; err: string };
      for (let i = 0; i < 100 && !live.err.includes('Ctrl-C stops'); i++) await sleep(100);
      assert.match(live.err, /metrics at http:\/\/127\.0\.0\.1:9464\/metrics/, live.err);
      // ip netns exec and setpriv exec their command: the child is hsi itself
      const pid = live.pid!;
      assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /hsi\.js\0live/);
      const uid = /Uid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
      assert.equal(uid, '65534', 'not root');

      // clients in a loop, counting what each saw
      const saw = { ok: 0, version: 0, expired: 0, refused: 0, kex: 0 };
      const rss: number[] = [];
      const curl = `curl -s --max-time 5 --cacert ${join(certs, 'test-root.pem')} --resolve www.example.test:443:127.0.0.1 --resolve www.example.test:8443:127.0.0.1`;
      const ssh = 'ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5 -o KexAlgorithms=diffie-hellman-group1-sha1 root@127.0.0.1 true';
      const rounds = 12;
      for (let i = 0; i < rounds; i++) {
        if (i === rounds / 2) {
          // logrotate: move the file away, then SIGHUP
          renameSync(join(out, 'records.ndjson'), join(out, 'records.ndjson.1'));
          live.kill('SIGHUP');
          for (let k = 0; k < 50 && !live.err.includes('reopened (SIGHUP)'); k++) await sleep(50);
        }
        for (let j = 0; j < 3; j++) if (run(`${curl} https://www.example.test/ -o /dev/null`).status === 0) saw.ok++;
        if (run(`${curl} --tls-max 1.2 https://www.example.test/ -o /dev/null`).status === 35) saw.version++;
        if (run(`${curl} https://www.example.test:8443/ -o /dev/null`).status === 60) saw.expired++;
        if (run('curl -s --max-time 5 http://127.0.0.1:444/ -o /dev/null').status === 7) saw.refused++;
        if (run(ssh).status !== 0) saw.kex++;
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        rss.push(Number(m?.[1] ?? 0));
        await sleep(250);
      }
      assert.deepEqual(saw, { ok: rounds * 3, version: rounds, expired: rounds, refused: rounds, kex: rounds }, 'the clients saw what was injected');
      await sleep(1500); // the last connections end (FIN/RST seen)

      const scrape = run('curl -s --max-time 5 http://127.0.0.1:9464/metrics');
      assert.equal(scrape.status, 0, scrape.stderr);
      const m = samples(scrape.stdout);
      const conns = (verdict: string) => [...m].filter(([k]) => k.startsWith('hsi_connections_total{') && k.includes(`verdict="${verdict}"`)).reduce((s, [, v]) => s + v, 0);
      assert.equal(conns('tls.ok'), saw.ok);
      assert.equal(conns('tls.version_mismatch'), saw.version);
      assert.equal(conns('tls.cert_expired'), saw.expired);
      assert.equal(conns('tcp.refused'), saw.refused);
      assert.equal(conns('ssh.kex_mismatch'), saw.kex);
      assert.equal(m.get('hsi_failures_total{verdict="tls.cert_expired",server="127.0.0.1:8443",server_name="www.example.test"}'), saw.expired);
      assert.equal(m.get('hsi_handshake_duration_seconds_count{protocol="tls"}'), saw.ok);
      assert.ok((m.get('hsi_packets_total') ?? 0) > 100);
      assert.ok((m.get('hsi_bytes_total') ?? 0) > 10_000);
      assert.equal(m.get('hsi_capture_dropped_packets_total{where="kernel"}'), 0);
      assert.ok((m.get('hsi_process_resident_memory_bytes') ?? 0) > 0, 'process metrics');
      if (have('promtool')) {
        const p = spawnSync('promtool', ['check', 'metrics'], { input: scrape.stdout, encoding: 'utf8' });
        assert.equal(p.status, 0, `promtool check metrics: ${p.stdout}${p.stderr}`);
      }

      // memory: flat over the run (the first samples include start-up)
      const later = rss.slice(3);
      assert.ok(Math.max(...later) - Math.min(...later) < 16 * 1024, `RSS stays within 16 MiB: ${rss.join(', ')} kB`);

      live.kill('SIGTERM');
      await new Promise((r) => (live.exitCode !== null ? r(0) : live.once('exit', r)));
      assert.match(live.err, /records\.ndjson reopened \(SIGHUP\)/);
      assert.match(live.err, /hsi: last 2s: \d+ connections, \d+ failed/, 'the periodic summary');
      const before = readFileSync(join(out, 'records.ndjson.1'), 'utf8');
      const after = readFileSync(join(out, 'records.ndjson'), 'utf8');
      assert.ok(before.length > 0 && after.length > 0, 'records on both sides of the rotation');
      const lines = (before + after).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const recs = lines.filter((l) => !('type' in l));
      const ids = recs.map((r) => r.id as number);
      assert.equal(new Set(ids).size, ids.length, 'no record twice');
      assert.equal(recs.length, saw.ok + saw.version + saw.expired + saw.refused + saw.kex, 'no record lost');
      // the ring: failed connections' packets, never more than 3 files
      const files = readdirSync(ring);
      assert.ok(files.length >= 1 && files.length <= 3, files.join(', '));
      const groups = lines.filter((l) => l.type === 'group') as { code: string; count: number; server: { port: number } }[];
      const byCode = new Map(groups.map((g) => [g.code, g]));
      for (const [code, port, n] of [['tls.version_mismatch', 443, saw.version], ['tls.cert_expired', 8443, saw.expired], ['tcp.refused', 444, saw.refused], ['ssh.kex_mismatch', 22, saw.kex]] as const) {
        const g = byCode.get(code);
        assert.ok(g, `a group for ${code}: ${JSON.stringify(groups)}`);
        assert.equal(g.count, n, code);
        assert.equal(g.server.port, port);
      }
      assert.equal(groups.length, 4, 'one group per injected cause (one client program each)');
    } finally {
      for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});

describe('the systemd unit (contrib/hsi.service)', () => {
  const unit = readFileSync(join(repoRoot, 'contrib', 'hsi.service'), 'utf8');
  it('runs hsi live without root, with only the capture capabilities, and its command line parses', async () => {
    assert.match(unit, /^DynamicUser=yes$/m);
    assert.match(unit, /^AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN$/m);
    assert.match(unit, /^CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN$/m);
    assert.match(unit, /^ProtectSystem=strict$/m);
    assert.match(unit, /^MemoryMax=/m);
    const exec = /^ExecStart=(\S+)((?: --\S+)*) (\S+) (.*)$/m.exec(unit)!;
    // node runs hsi with the flags bin/hsi.js's own shebang gives it (a small young generation)
    const shebang = /^#!\/usr\/bin\/env -S node((?: --\S+)*)$/m.exec(readFileSync(join(repoRoot, 'bin', 'hsi.js'), 'utf8'));
    assert.ok(shebang, 'bin/hsi.js starts with #!/usr/bin/env -S node FLAGS');
    assert.equal(exec[2], shebang[1]);
    const { parseArgs } = await import('../src/cli/args.js');
    const a = parseArgs(exec[4]!.split(/\s+/));
    assert.equal(a.command, 'live');
    assert.ok(a.json && a.groups && a.metrics === '127.0.0.1:9464');
    assert.deepEqual(a.udpPorts, [443]);
  });
  it('systemd-analyze verify accepts it', (t) => {
    if (!have('systemd-analyze')) return t.skip('systemd-analyze is not installed');
    const dir = mkdtempSync(join(tmpdir(), 'hsi-unit-'));
    const file = join(dir, 'hsi.service');
    // the unit names /usr/bin/node and /opt/hsi; verify checks that ExecStart exists
    writeFileSync(file, unit.replace('/usr/bin/node', process.execPath).replace('/opt/hsi/bin/hsi.js', hsi));
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('hsi live when the interface goes away and comes back', () => {
  it('keeps running, logs the gap, reopens the capture and reports the connections after it', { timeout: 60_000 }, async (t) => {
    const why = skipReason();
    if (why) return t.skip(why);
    const a = `hsi-flap-a-${process.pid}`;
    const b = `hsi-flap-b-${process.pid}`;
    for (const n of [a, b]) {
      spawnSync('ip', ['netns', 'del', n]);
      sh(`ip netns add ${n} && ip -n ${n} link set lo up`);
    }
    const link = () => sh(`ip link add v0 netns ${a} type veth peer name v1 netns ${b} && ip -n ${a} addr add 10.9.0.1/24 dev v0 && ip -n ${b} addr add 10.9.0.2/24 dev v1 && ip -n ${a} link set v0 up && ip -n ${b} link set v1 up`);
    const procs: ChildProcess[] = [];
    try {
      link();
      const server = spawn('ip', ['netns', 'exec', b, 'openssl', 's_server', '-accept', '443', '-www', '-cert', join(certs, 'www.pem'), '-key', join(certs, 'www.key'), '-quiet'], { stdio: 'ignore' });
      procs.push(server);
      const live = spawn('ip', ['netns', 'exec', a, process.execPath, hsi, 'live', '-i', 'v0', '--json', '--no-drop-privileges'], { stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { out: string; err: string };
      live.out = '';
      live.err = '';
      live.stdout!.on('data', (d) => (live.out += d));
      live.stderr!.on('data', (d) => (live.err += d));
      procs.push(live);
      const waitErr = async (re: RegExp, what: string) => {
        for (let i = 0; i < 200 && !re.test(live.err); i++) await sleep(50);
        assert.match(live.err, re, what);
      };
      await waitErr(/Ctrl-C stops/, 'hsi live starts');
      const fetch = () => spawnSync('ip', ['netns', 'exec', a, 'curl', '-sk', '--max-time', '5', 'https://10.9.0.2/', '-o', '/dev/null'], { timeout: 10_000 }).status;
      for (let i = 0; i < 30 && fetch() !== 0; i++) await sleep(100);
      await sleep(500); // the capture's ring hands over what it holds (its blocks retire within 100 ms)
      sh(`ip -n ${a} link del v0`);
      await waitErr(/waiting for v0 to come back/, 'the loss is logged');
      assert.equal(live.exitCode, null, 'still running');
      await sleep(1500);
      link();
      await waitErr(/capture on v0 reopened after [\d.]+ s without packets/, 'the capture is reopened');
      assert.equal(fetch(), 0);
      await sleep(1000);
      live.kill('SIGINT');
      await new Promise((r) => (live.exitCode !== null ? r(0) : live.once('exit', r)));
      const recs = live.out.trim().split('\n').map((l) => JSON.parse(l) as { verdict: { code: string }; startTime: string });
      assert.ok(recs.filter((r) => r.verdict.code === "tls.ok").length >= 2, `a handshake before and one after the gap: ${live.err}`);
      assert.match(live.err, /note: the capture was interrupted 1 time/);
    } finally {
      for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
      for (const n of [a, b]) spawnSync('ip', ['netns', 'del', n]);
    }
  });
});
