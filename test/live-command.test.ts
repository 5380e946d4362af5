// `hsi live` end to end, as root, inside network namespaces the test creates: real servers
// and clients fail on purpose while hsi captures; the records, their kernel timestamps
// (against tcpdump's), the dropped privileges, the Ctrl-C summary; and a soak of a few
// thousand real handshakes with memory that does not grow with their number.
// Without root, libpcap support or the tools, each test skips with the reason.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadLiveBackend } from '../src/capture/live.js';
import type { ConnectionRecord } from '../src/report/record.js';
import { repoRoot } from './helpers/paths.js';

const hsi = join(repoRoot, 'bin', 'hsi.js');
const have = (cmd: string) => spawnSync('/bin/sh', ['-c', `command -v ${cmd}`]).status === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function skipReason(tools: string[]): string | null {
  if (process.getuid?.() !== 0) return 'live capture tests need root (they create network namespaces and capture in them)';
  const b = loadLiveBackend();
  if (!b.available) return `live capture backend unavailable: ${b.reason}`;
  const missing = ['ip', ...tools].filter((t) => !have(t));
  return missing.length > 0 ? `missing tools: ${missing.join(', ')}` : null;
}

function sh(cmd: string): string {
  const r = spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
}

class Netns {
  readonly name: string;
  private readonly procs: ChildProcess[] = [];
  constructor(tag: string) {
    this.name = `hsi-live-${tag}-${process.pid}`;
    spawnSync('ip', ['netns', 'del', this.name]);
    sh(`ip netns add ${this.name} && ip -n ${this.name} link set lo up`);
  }
  /** Start a long-running process in the namespace. */
  start(args: string[], env: Record<string, string> = {}): ChildProcess & { out: string; err: string } {
    const p = spawn('ip', ['netns', 'exec', this.name, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { out: string; err: string };
    p.out = '';
    p.err = '';
    p.stdout!.on('data', (d) => (p.out += d));
    p.stderr!.on('data', (d) => (p.err += d));
    this.procs.push(p);
    return p;
  }
  run(cmd: string, timeoutMs = 20000): { status: number | null; out: string; err: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.name, '/bin/sh', '-c', cmd], { encoding: 'utf8', timeout: timeoutMs });
    return { status: r.status, out: r.stdout, err: r.stderr };
  }
  close(): void {
    for (const p of this.procs) if (p.exitCode === null) p.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}

async function waitFor(cond: () => boolean, what: string, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

/** A throwaway certificate, an sshd config with its own host key, and a user key. */
function material(dir: string): { cert: string; key: string; sshdConfig: string; userKey: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  sh(`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${key} -out ${cert} -days 2 -subj /CN=live.test 2>/dev/null`);
  sh(`ssh-keygen -q -t ed25519 -N '' -f ${dir}/host_key && ssh-keygen -q -t ed25519 -N '' -f ${dir}/user_key && cp ${dir}/user_key.pub ${dir}/authorized_keys`);
  const sshdConfig = join(dir, 'sshd_config');
  writeFileSync(sshdConfig, [`Port 22`, `ListenAddress 127.0.0.1`, `HostKey ${dir}/host_key`, `PidFile ${dir}/sshd.pid`, `AuthorizedKeysFile ${dir}/authorized_keys`, 'StrictModes no', 'UsePAM no', 'MaxStartups 200', 'PasswordAuthentication no', ''].join('\n'));
  sh('mkdir -p /run/sshd');
  return { cert, key, sshdConfig, userKey: join(dir, 'user_key') };
}

const SSH = (key: string, extra = '') => `ssh -F /dev/null -i ${key} -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5 ${extra} root@127.0.0.1`;

function records(out: string): ConnectionRecord[] {
  return out.trim() === '' ? [] : out.trim().split('\n').map((l) => JSON.parse(l) as ConnectionRecord);
}

/** "2026-11-22T20:30:02.546096123Z" → [seconds, nanoseconds]. */
function isoNs(s: string): [number, number] {
  const m = /^(.*T\d\d:\d\d:\d\d)\.(\d+)Z$/.exec(s)!;
  return [Date.parse(m[1]! + 'Z') / 1000, Number(m[2]!.padEnd(9, '0'))];
}

/** SYN packets (client port → timestamp) of a nanosecond pcap written by tcpdump on lo (Ethernet link type). */
function synTimes(file: string): Map<number, [number, number]> {
  const b = readFileSync(file);
  assert.equal(b.readUInt32LE(0), 0xa1b23c4d, 'tcpdump wrote nanosecond pcap');
  const out = new Map<number, [number, number]>();
  for (let off = 24; off + 16 <= b.length; ) {
    const caplen = b.readUInt32LE(off + 8);
    const p = off + 16;
    const ip = p + 14;
    if (b[p + 12] === 8 && b[p + 13] === 0 && b[ip + 9] === 6) {
      const t = ip + (b[ip]! & 15) * 4;
      const flags = b[t + 13]!;
      if ((flags & 0x12) === 0x02) {
        const sport = b.readUInt16BE(t);
        if (!out.has(sport)) out.set(sport, [b.readUInt32LE(off), b.readUInt32LE(off + 4)]);
      }
    }
    off += 16 + caplen;
  }
  return out;
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

describe('hsi live', () => {
  it('reports real failures with kernel timestamps, decodes without root, prints the Ctrl-C summary', async (t) => {
    const why = skipReason(['openssl', 'tcpdump', '/usr/sbin/sshd', 'ssh', 'ssh-keygen']);
    if (why) return t.skip(why);
    const dir = mkdtempSync(join(tmpdir(), 'hsi-live-'));
    chmodSync(dir, 0o755);
    const m = material(dir);
    const ns = new Netns('cmd');
    try {
      const pcap = join(dir, 'tcpdump.pcap');
      const td = ns.start(['tcpdump', '-i', 'lo', '-s', '0', '-U', '--immediate-mode', '--time-stamp-precision=nano', '-w', pcap, 'tcp']);
      await waitFor(() => td.err.includes('listening on'), 'tcpdump');
      const live = ns.start([process.execPath, hsi, 'live', '-i', 'lo', '--json'], { SUDO_UID: '65534', SUDO_GID: '65534' });
      await waitFor(() => live.err.includes('Ctrl-C stops'), `hsi live to start (stderr: ${live.err})`);
      assert.match(live.err, /decoding as uid 65534/);
      // The process that decodes packets is not root (real, effective, saved and fs uids).
      const uids = /Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(readFileSync(`/proc/${live.pid}/status`, 'utf8'))!;
      assert.deepEqual(uids.slice(1).map(Number), [65534, 65534, 65534, 65534]);

      const server = ns.start(['openssl', 's_server', '-accept', '443', '-tls1_3', '-cert', m.cert, '-key', m.key, '-quiet']);
      ns.start(['/usr/sbin/sshd', '-D', '-e', '-f', m.sshdConfig]);
      await waitFor(() => ns.run("ss -ltnH 'sport = :443'").out.includes('443') && ns.run("ss -ltnH 'sport = :22'").out.includes(':22'), 'servers');
      const tls = ns.run('openssl s_client -connect 127.0.0.1:443 -tls1_2 </dev/null');
      assert.notEqual(tls.status, 0, 'TLS 1.2 client against a TLS 1.3-only server fails');
      const ssh = ns.run(`${SSH(m.userKey, '-o KexAlgorithms=diffie-hellman-group1-sha1')} true`);
      assert.notEqual(ssh.status, 0, 'ssh with only diffie-hellman-group1-sha1 fails against a default sshd');
      await sleep(1500);
      live.kill('SIGINT');
      const code = await exited(live);
      td.kill('SIGINT');
      await exited(td);
      server.kill();

      assert.equal(code, 1, `exit 1: failures were seen (stderr: ${live.err})`);
      const recs = records(live.out);
      const tlsRec = recs.find((r) => r.server.port === 443);
      const sshRec = recs.find((r) => r.server.port === 22);
      assert.ok(tlsRec && sshRec, `both connections reported: ${live.out}`);
      assert.equal(tlsRec.verdict.code, 'tls.version_mismatch');
      assert.equal(sshRec.verdict.code, 'ssh.kex_mismatch');
      // Kernel timestamps: the record's first packet is tcpdump's SYN, within 1 ms.
      const syns = synTimes(pcap);
      for (const r of [tlsRec, sshRec]) {
        const [s, ns2] = isoNs(r.startTime);
        const ref = syns.get(r.client.port);
        assert.ok(ref, `tcpdump saw the SYN from port ${r.client.port}`);
        const diff = Math.abs(s - ref[0] + (ns2 - ref[1]) / 1e9);
        assert.ok(diff < 0.001, `start time ${r.startTime} within 1 ms of tcpdump's SYN (diff ${diff}s)`);
        assert.ok(/\.\d{9}Z$/.test(r.startTime) || /\.\d{6}Z$/.test(r.startTime));
        const ts = r.ladder.map((e) => e.t);
        assert.deepEqual(ts, [...ts].sort((a, b) => a - b), 'monotonic timestamps within the connection');
      }
      // The Ctrl-C summary: packets seen, drops, connections by outcome.
      assert.match(live.err, /live capture on lo: [\d,]+ packets seen, [\d,]+ dropped \(kernel \d+, interface \d+\)/);
      assert.match(live.err, /\d+ connections, \d+ completed, [1-9]\d* failed/);
    } finally {
      ns.close();
    }
  });

  it('-i any (Linux cooked headers) and a tun device (raw IP): no VLAN clause where the link has no VLAN tags; the kernel\'s direction marks reach the record', async (t) => {
    const why = skipReason(['openssl']);
    if (why) return t.skip(why);
    const dir = mkdtempSync(join(tmpdir(), 'hsi-live-any-'));
    chmodSync(dir, 0o755);
    const m = material(dir);
    const ns = new Netns('any');
    try {
      // a veth pair to a second address in the same namespace would be loopback: a peer namespace
      const peer = `${ns.name}-p`;
      spawnSync('ip', ['netns', 'del', peer]);
      sh(`ip netns add ${peer} && ip link add hsa0 netns ${ns.name} type veth peer name hsa1 netns ${peer}`);
      sh(`ip -n ${ns.name} addr add 10.82.0.1/24 dev hsa0 && ip -n ${peer} addr add 10.82.0.2/24 dev hsa1 && ip -n ${ns.name} link set hsa0 up && ip -n ${peer} link set hsa1 up && ip -n ${peer} link set lo up`);
      const server = spawn('ip', ['netns', 'exec', peer, 'openssl', 's_server', '-accept', '443', '-tls1_3', '-cert', m.cert, '-key', m.key, '-quiet'], { stdio: 'ignore' });
      try {
        await waitFor(() => spawnSync('ip', ['netns', 'exec', peer, 'ss', '-ltnH', 'sport = :443'], { encoding: 'utf8' }).stdout.includes('443'), 's_server');
        const live = ns.start([process.execPath, hsi, 'live', '-i', 'any', '--json', '--no-drop-privileges']);
        await waitFor(() => live.err.includes('Ctrl-C stops'), `hsi live -i any to start (stderr: ${live.err})`);
        assert.doesNotMatch(live.err, /vlan/, 'the filter has no VLAN clause on Linux cooked headers');
        assert.notEqual(ns.run('openssl s_client -connect 10.82.0.2:443 -tls1_2 </dev/null').status, 0);
        await sleep(1000);
        live.kill('SIGINT');
        assert.equal(await exited(live), 1, live.err);
        const [r] = records(live.out);
        assert.equal(r?.verdict.code, 'tls.version_mismatch', live.out);
        assert.deepEqual(r!.tcp!.client.marked, { in: 0, out: r!.tcp!.client.packets, otherHost: 0 });
        assert.equal(r!.vantage.point, 'client');
      } finally {
        server.kill();
        spawnSync('ip', ['netns', 'del', peer]);
      }
      // a tun device (OpenVPN, WireGuard-like raw IP): opens and stops cleanly
      const tunMade = ns.run('ip tuntap add mode tun hsitun0 && ip link set hsitun0 up');
      if (tunMade.status !== 0) t.diagnostic(`no tun device here (${tunMade.err.trim()}): the raw-IP half was not run`);
      else {
        const tun = ns.start([process.execPath, hsi, 'live', '-i', 'hsitun0', '--json', '--no-drop-privileges']);
        await waitFor(() => tun.err.includes('Ctrl-C stops') || tun.exitCode !== null, 'hsi live -i hsitun0');
        assert.match(tun.err, /Ctrl-C stops/, tun.err);
        tun.kill('SIGINT');
        assert.equal(await exited(tun), 0, tun.err);
      }
    } finally {
      ns.close();
    }
  });

  it('live --tui shows connections as they end; q quits and prints the summary', async (t) => {
    const why = skipReason(['openssl', 'tmux']);
    if (why) return t.skip(why);
    const dir = mkdtempSync(join(tmpdir(), 'hsi-livetui-'));
    chmodSync(dir, 0o755);
    const m = material(dir);
    const ns = new Netns('tui');
    const sock = `hsi-live-tui-${process.pid}`;
    const tmux = (...a: string[]) => spawnSync('ip', ['netns', 'exec', ns.name, 'tmux', '-L', sock, ...a], { encoding: 'utf8' });
    const pane = () => tmux('capture-pane', '-p', '-t', 'live').stdout;
    try {
      // The TUI draws on the pane's terminal; the summary follows on it once the UI is closed.
      const cmd = `TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 ${process.execPath} ${hsi} live -i lo --tui --no-drop-privileges 2> ${dir}/err.txt; echo EXIT=$? > ${dir}/exit.txt; sleep 30`;
      assert.equal(tmux('new-session', '-d', '-s', 'live', '-x', '120', '-y', '36', cmd).status, 0);
      await waitFor(() => /Connections|connections/.test(pane()), 'the TUI to draw');
      ns.start(['openssl', 's_server', '-accept', '443', '-tls1_3', '-cert', m.cert, '-key', m.key, '-quiet']);
      await waitFor(() => ns.run("ss -ltnH 'sport = :443'").out.includes('443'), 's_server');
      ns.run('openssl s_client -connect 127.0.0.1:443 -tls1_2 </dev/null');
      await waitFor(() => pane().includes('tls.version_mismatch'), `the failed connection in the list (pane: ${pane()})`, 15000);
      tmux('send-keys', '-t', 'live', 'q');
      await waitFor(() => {
        try {
          return readFileSync(join(dir, 'exit.txt'), 'utf8').includes('EXIT=');
        } catch {
          return false;
        }
      }, 'hsi to exit after q');
      assert.match(readFileSync(join(dir, 'exit.txt'), 'utf8'), /EXIT=1/, 'exit 1: a failure was seen');
      await waitFor(() => /live capture on lo: [\d,]+ packets seen/.test(pane()), `the summary after the UI closed (pane: ${pane()})`);
    } finally {
      tmux('kill-server');
      ns.close();
    }
  });

  it('soak: thousands of real TLS and SSH handshakes, every one reported, memory flat', async (t) => {
    const why = skipReason(['openssl', '/usr/sbin/sshd', 'ssh', 'ssh-keygen']);
    if (why) return t.skip(why);
    const dir = mkdtempSync(join(tmpdir(), 'hsi-soak-'));
    chmodSync(dir, 0o755);
    const m = material(dir);
    const ns = new Netns('soak');
    const TLS_N = 3000;
    const SSH_N = 60;
    try {
      const live = ns.start([process.execPath, hsi, 'live', '-i', 'lo', '--json', '--no-drop-privileges']);
      await waitFor(() => live.err.includes('Ctrl-C stops'), `hsi live to start (stderr: ${live.err})`);
      ns.start(['/usr/sbin/sshd', '-D', '-e', '-f', m.sshdConfig]);
      // Node's TLS (OpenSSL) on both ends, in one process inside the namespace.
      const script = join(dir, 'tls-load.mjs');
      writeFileSync(script, `
        import tls from 'node:tls'; import { readFileSync } from 'node:fs';
        const [n, cert, key] = process.argv.slice(2);
        const server = tls.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (s) => s.end('ok'));
        await new Promise((r) => server.listen(443, '127.0.0.1', r));
        let done = 0;
        const one = () => new Promise((r) => { const c = tls.connect({ host: '127.0.0.1', port: 443, rejectUnauthorized: false }, () => {}); c.on('data', () => {}); c.on('close', r); c.on('error', r); });
        for (let i = 0; i < Number(n); i += 20) { await Promise.all(Array.from({ length: Math.min(20, Number(n) - i) }, one)); done = i + 20; if (done % 1000 === 0) process.stdout.write('progress ' + done + '\\n'); }
        server.close(); process.stdout.write('done\\n');`);
      await waitFor(() => ns.run("ss -ltnH 'sport = :22'").out.includes(':22'), 'sshd');
      const load = ns.start([process.execPath, script, String(TLS_N), m.cert, m.key]);
      await waitFor(() => load.out.includes('progress 1000'), 'the first thousand handshakes', 60000);
      await sleep(500);
      const rssEarly = rssKb(live.pid!);
      await waitFor(() => load.out.includes('done'), 'the TLS load', 120000);
      for (let i = 0; i < SSH_N; i++) ns.run(`${SSH(m.userKey)} true`);
      await sleep(1500);
      const rssLate = rssKb(live.pid!);
      live.kill('SIGINT');
      assert.equal(await exited(live), 0, live.err.slice(-2000));
      const recs = records(live.out);
      const tlsOk = recs.filter((r) => r.server.port === 443 && r.verdict.code === 'tls.ok').length;
      const sshOk = recs.filter((r) => r.server.port === 22 && r.verdict.code === 'ssh.ok').length;
      assert.equal(tlsOk, TLS_N, 'every TLS handshake reported as completed');
      assert.equal(sshOk, SSH_N, 'every SSH handshake reported as completed');
      // Two thirds of the handshakes happened between the two readings: memory must not follow them.
      assert.ok(rssLate - rssEarly < 40 * 1024, `RSS grew from ${rssEarly} kB to ${rssLate} kB`);
      assert.match(live.err, / 0 dropped/);
    } finally {
      ns.close();
    }
  });
});
