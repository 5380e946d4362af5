// Failure groups on real captures: every failure in exactly one group, biggest first, the
// key fields of the contract, the human report's ending, --json --groups lines; and the
// bounds (the group cap sends failures to their code's overflow group, counts still add up).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FailureGroups, MAX_GROUPS } from '../src/report/groups.js';
import type { ConnectionRecord } from '../src/report/record.js';
import { analyse } from './helpers/analyse.js';
import { capturesDir, corpusPcapDir, repoRoot } from './helpers/paths.js';

const hsi = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'hsi.js'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

describe('failure groups', () => {
  it('on every capture in the repo: each failure in one group, counts add up, biggest first, one key per group', async () => {
    const files = readdirSync(capturesDir).filter((f) => /\.(pcap|pcapng)$/.test(f));
    assert.ok(files.length > 100);
    let groupsSeen = 0;
    for (const f of files) {
      const recs = await analyse(join(capturesDir, f), ['--ca-file', 'captures/certs/test-root.pem']);
      const g = new FailureGroups();
      for (const r of recs) g.add(r);
      const list = g.list();
      const failed = recs.filter((r) => r.outcome === 'failed');
      assert.equal(list.reduce((s, x) => s + x.count, 0), failed.length, f);
      for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]!.count >= list[i]!.count, `${f}: biggest first`);
      const ids = list.flatMap((x) => x.examples);
      assert.equal(new Set(ids).size, ids.length, `${f}: an example in one group only`);
      for (const x of list) {
        const members = failed.filter((r) => x.examples.includes(r.id));
        assert.ok(members.every((r) => r.verdict.code === x.code && r.server.ip === x.server!.ip && r.server.port === x.server!.port), f);
        assert.ok(x.clients >= 1 && x.clients <= x.count);
      }
      groupsSeen += list.length;
    }
    assert.ok(groupsSeen >= 80, `${groupsSeen} groups`);
  });

  it('two clients failing the same way are two groups (their fingerprints differ); the human report ends with them', () => {
    const r = hsi(['read', join(capturesDir, 'keylog-cert-rejected-13.pcap'), '--ca-file', join(capturesDir, 'certs', 'test-root.pem')]);
    const tail = r.stdout.slice(r.stdout.indexOf('failure groups'));
    // gnutls-cli and openssl s_client: two clients, two fingerprints, two groups of one
    assert.match(tail, /^failure groups, biggest first \(2\):/);
    assert.match(tail, /1\. tls\.cert_\w+ · SNI www\.example\.test · 10\.81\.0\.2:443 · client t13d/);
    assert.match(tail, /1 connection from 1 client, \d{4}-\d\d-\d\d [\d:]+–[\d:]+; e\.g\. #1 \(cut at frame \d+\)/);
  });

  it('--json --groups: one {"type":"group"} line per group after the records, the contract fields, counts adding up', () => {
    const r = hsi(['read', join(capturesDir, 'demo.pcapng'), '--json', '--groups', '--ca-file', join(capturesDir, 'certs', 'test-root.pem')]);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const firstGroup = lines.findIndex((l) => l.type === 'group');
    assert.ok(firstGroup > 0);
    assert.ok(lines.slice(firstGroup).every((l) => l.type === 'group'), 'groups come after every record');
    assert.ok(lines.slice(0, firstGroup).every((l) => !('type' in l)), 'records carry no type');
    const groups = lines.slice(firstGroup);
    for (const g of groups) for (const k of ['code', 'count', 'server', 'serverName', 'clientFingerprint', 'clients', 'firstTime', 'lastTime', 'examples']) assert.ok(k in g, `${k} in ${JSON.stringify(g)}`);
    const failed = lines.slice(0, firstGroup).filter((l) => l.outcome === 'failed').length;
    assert.equal(groups.reduce((s, g) => s + (g.count as number), 0), failed);
    const without = hsi(['read', join(capturesDir, 'demo.pcapng'), '--json', '--ca-file', join(capturesDir, 'certs', 'test-root.pem')]);
    assert.ok(!without.stdout.includes('"type":"group"'), 'only with --groups');
  });

  it('third-party captures: the groups account for every failure, each group its own code and server', async () => {
    let failures = 0;
    for (const f of readdirSync(corpusPcapDir).filter((x) => /\.(pcap|pcapng)$/.test(x))) {
      const recs = await analyse(join(corpusPcapDir, f));
      const g = new FailureGroups();
      for (const r of recs) g.add(r);
      const failed = recs.filter((r) => r.outcome === 'failed');
      failures += failed.length;
      const list = g.list();
      assert.equal(list.reduce((s, x) => s + x.count, 0), failed.length, f);
      for (const x of list) for (const id of x.examples) assert.equal(failed.find((r) => r.id === id)?.verdict.code, x.code, `${f} #${id}`);
    }
    assert.ok(failures >= 5, `${failures} failures in the corpus (badcurveball, gre-sample, ssh-r, sshv1, v6 have one each)`);
  });

  it(`past ${MAX_GROUPS} groups a failure joins its code's overflow group: counts still add up`, async () => {
    const [base] = (await analyse(join(capturesDir, 'tcp-refused.pcap'))) as ConnectionRecord[];
    assert.equal(base!.outcome, 'failed');
    const g = new FailureGroups();
    const n = MAX_GROUPS + 250;
    for (let i = 0; i < n; i++) g.add({ ...base!, id: i + 1, server: { ip: `10.${(i >> 8) & 255}.${i & 255}.1`, port: 443 } });
    const list = g.list();
    assert.equal(list.length, MAX_GROUPS + 1);
    const over = list.find((x) => x.overflow)!;
    assert.equal(over.count, 250);
    assert.equal(over.server, null);
    assert.equal(list.reduce((s, x) => s + x.count, 0), n);
  });
});
