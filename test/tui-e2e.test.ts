// End to end in a real terminal: tmux (own server socket, fixed size, TERM=xterm-256color,
// NCURSES_NO_UTF8_ACS=1) runs `hsi tui` on real captures; send-keys navigates and
// capture-pane reads the screen. The expected texts come from `hsi read --json` on the
// same capture, so the screen is checked against the records it renders. Skipped, with
// the reason, when tmux is not installed.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionRecord } from '../src/report/record.js';
import { capturesDir, repoRoot } from './helpers/paths.js';

const HSI = join(repoRoot, 'bin', 'hsi.js');
const CA = ['--ca-file', join(capturesDir, 'certs', 'test-root.pem')];
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = `hsi-tui-test-${process.pid}`;

const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The records `hsi read --json` gives for a capture, in order of first packet. */
function readRecords(file: string, extra: string[] = []): ConnectionRecord[] {
  const r = spawnSync(process.execPath, [HSI, 'read', file, '--json', ...extra], { encoding: 'utf8' });
  const recs = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ConnectionRecord);
  return recs.sort((a, b) => a.firstFrame - b.firstFrame);
}

class Term {
  constructor(readonly name: string) {}

  static start(name: string, cols: number, rows: number, args: string[], cwd = repoRoot): Term {
    // A marker before and the exit status after: what is left on screen once hsi is gone.
    const cmd = `cd ${q(cwd)} && echo before-hsi && TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 ${q(process.execPath)} ${q(HSI)} ${args.map(q).join(' ')}; echo "hsi-exit=$?"; sleep 60`;
    tmux('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), cmd);
    return new Term(name);
  }

  screen(): string {
    return tmux('capture-pane', '-p', '-t', this.name);
  }

  keys(...keys: string[]): void {
    for (const k of keys) tmux('send-keys', '-t', this.name, k);
  }

  value(format: string): string {
    return tmux('display-message', '-p', '-t', this.name, format).trim();
  }

  /** Wait until the screen satisfies `test` (or fail with the last screen). */
  async waitFor(test: (screen: string) => boolean, what: string, ms = 6000): Promise<string> {
    const end = Date.now() + ms;
    let s = '';
    while (Date.now() < end) {
      s = this.screen();
      if (test(s)) return s;
      await sleep(80);
    }
    assert.fail(`timed out waiting for ${what}; screen:\n${s}`);
  }

  waitText(text: string, ms?: number): Promise<string> {
    return this.waitFor((s) => s.includes(text), JSON.stringify(text), ms);
  }

  /** Quit with a key; the exit status and a restored terminal (main screen, cursor shown). */
  async quit(key: string): Promise<void> {
    this.keys(key);
    const s = await this.waitFor((x) => /hsi-exit=\d+/.test(x), 'hsi to exit');
    assert.match(s, /hsi-exit=0/);
    assert.match(s, /before-hsi/, 'the shell screen is back');
    assert.ok(!/[┌└│]/.test(s), `no TUI left on the screen:\n${s}`);
    assert.equal(this.value('#{alternate_on}'), '0', 'alternate screen left');
    assert.equal(this.value('#{cursor_flag}'), '1', 'cursor visible again');
  }

  kill(): void {
    spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', this.name]);
  }
}

describe('hsi tui in a terminal (tmux)', { skip: hasTmux ? false : 'tmux is not installed (apt-get install tmux)' }, () => {
  after(() => spawnSync('tmux', ['-L', SOCKET, 'kill-server']));

  it('80×24: a TLS cipher mismatch, offers, verdict, ladder, q', { timeout: 15000 }, async () => {
    const file = join(capturesDir, 'tls-cipher-mismatch.pcap');
    const recs = readRecords(file, CA);
    const idx = recs.findIndex((r) => r.outcome !== 'completed');
    assert.ok(idx >= 0, 'the capture has a connection that did not complete');
    const bad = recs[idx]!;
    const tls = bad.tls as { clientHello: { cipherSuiteNames: string[] }; alerts: { from: string; descriptionName: string; description: number }[] };
    const t = Term.start('tls', 80, 24, ['tui', file, ...CA]);
    try {
      await t.waitText('Connections 2');
      t.keys(...Array<string>(idx).fill('j'));
      await t.waitText(`Offers #${bad.id}`);
      const offers = await t.waitText('No match');
      for (const name of tls.clientHello.cipherSuiteNames) assert.ok(offers.includes(name), `client suite ${name} on screen:\n${offers}`);
      const alert = tls.alerts.find((a) => a.from === 'server')!;
      assert.ok(offers.includes(`${alert.descriptionName}(${alert.description})`), offers);
      t.keys('3');
      const verdict = await t.waitText(`Verdict #${bad.id}`);
      assert.ok(verdict.includes(bad.verdict.code), verdict);
      assert.ok(verdict.includes(bad.verdict.summary.slice(0, 40)), verdict);
      t.keys('2');
      const ladder = await t.waitText(`Ladder #${bad.id}`);
      assert.ok(ladder.includes('ClientHello'), ladder);
      assert.ok(ladder.includes(`Alert ${alert.descriptionName}(${alert.description})`), ladder);
      const cutLine = ladder.split('\n').find((l) => l.includes('✂'));
      assert.ok(cutLine?.includes(bad.verdict.code), ladder);
      if (bad.cutFrame !== null) assert.ok(cutLine!.includes(`cut at frame ${bad.cutFrame}`), cutLine);
      await t.quit('q');
    } finally {
      t.kill();
    }
  });

  it('160×48 then 80×24: an SSH kex mismatch, all panes side by side, resize, Ctrl-C', { timeout: 15000 }, async () => {
    const file = join(capturesDir, 'ssh-kex-mismatch.pcap');
    const [rec] = readRecords(file);
    const ssh = rec!.ssh as { clientBanner: string; serverBanner: string; clientKexinit: { kexAlgorithms: string[] }; serverKexinit: { kexAlgorithms: string[] }; failedList: string | null };
    const t = Term.start('ssh', 160, 48, ['tui', file]);
    try {
      const s = await t.waitText('Ladder #1');
      for (const p of ['Connections 1', 'Offers #1', 'Verdict #1']) assert.ok(s.includes(p), `${p}:\n${s}`);
      assert.ok(s.includes(ssh.clientBanner) && s.includes(ssh.serverBanner), s);
      for (const n of [...ssh.clientKexinit.kexAlgorithms, ...ssh.serverKexinit.kexAlgorithms.slice(0, 5)]) assert.ok(s.includes(n), `${n}:\n${s}`);
      assert.equal(ssh.failedList, 'kex');
      assert.match(s, /Key exchange NO MATCH/);
      assert.match(s, /diffie-hellman-group1-sha1 \(insecure\)/);
      const cutLine = s.split('\n').find((l) => l.includes('✂'));
      assert.ok(cutLine?.includes(rec!.verdict.code), s);
      if (rec!.cutFrame !== null) assert.ok(cutLine!.includes(`cut at frame ${rec!.cutFrame}`), cutLine);
      assert.ok(s.includes(`${rec!.verdict.code} (${rec!.verdict.confidence})`), s);
      tmux('resize-window', '-t', 'ssh', '-x', '80', '-y', '24');
      const small = await t.waitText('1 Offers 2 Ladder 3 Verdict');
      const rows = small.replace(/\n$/, '').split('\n');
      assert.equal(rows.length, 24);
      assert.ok(rows.every((l) => l.length <= 80));
      assert.ok(!small.includes('Ladder #1'), 'one detail pane at a time when stacked');
      t.keys('Tab', 'Tab');
      await t.waitText('Ladder #1');
      await t.quit('C-c');
    } finally {
      t.kill();
    }
  });

  it('--replay: connections appear as the file plays; s saves packets, e exports the record', { timeout: 15000 }, async () => {
    const file = join(capturesDir, 'demo.pcapng');
    const recs = readRecords(file, CA);
    const dir = mkdtempSync(join(tmpdir(), 'hsi-tui-'));
    const t = Term.start('replay', 120, 36, ['tui', file, '--replay', '20', ...CA], dir);
    try {
      const done = await t.waitText('replay finished', 12000);
      assert.ok(done.includes(`Connections ${recs.length}`), done);
      const first = recs[0]!;
      t.keys('s');
      const saved = await t.waitText('packets saved to');
      const pcap = readdirSync(dir).find((f) => f.endsWith('.pcapng'));
      assert.ok(pcap, saved);
      const again = readRecords(join(dir, pcap), CA);
      assert.equal(again.length, 1);
      assert.deepEqual([again[0]!.client, again[0]!.server, again[0]!.verdict.code], [first.client, first.server, first.verdict.code]);
      t.keys('e');
      await t.waitText('record exported to');
      const json = readdirSync(dir).find((f) => f.endsWith('.json'));
      assert.ok(json);
      const exported = JSON.parse(readFileSync(join(dir, json), 'utf8')) as ConnectionRecord;
      assert.deepEqual([exported.id, exported.client, exported.verdict.code], [first.id, first.client, first.verdict.code]);
      await t.quit('q');
    } finally {
      t.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hsi tui without a terminal', () => {
  it('refuses with exit status 2 and a one-line reason', () => {
    const file = join(capturesDir, 'ssh-kex-mismatch.pcap');
    assert.ok(existsSync(file));
    const r = spawnSync(process.execPath, [HSI, 'tui', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^hsi: hsi tui needs a terminal/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});
