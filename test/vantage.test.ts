// Verdicts that hold wherever the capture was taken: each failure of
// scripts/captures/vantage.sh was captured at once on the client, on the router's
// interface facing the client and on the server. The verdict must be the same at the three
// points, or the one that vantage point can prove (stated in the table); the inferred
// vantage must be the one the packets support. Plus the facts under it, on real packets:
// TCP checksums as tshark computes them, a RST's TTL against its sender's.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCapture } from '../src/capture/source.js';
import { decodePacket, Skip, TcpSegment } from '../src/net/decode.js';
import type { ConnectionRecord } from '../src/report/record.js';
import { analyse } from './helpers/analyse.js';
import { capturesDir, corpusPcapDir } from './helpers/paths.js';

type Point = 'client' | 'router' | 'server';

/** Per scenario: the verdict at each point (null: the capture holds no connection), and the vantage where it is not VANTAGE's. */
const SCENARIOS: Record<string, { verdict: Record<Point, string | null>; why?: string; vantage?: Record<Point, string>; options?: string[]; bothClosed?: boolean }> = {
  'any-interface': {
    verdict: { client: 'tls.ok', router: 'tls.ok', server: 'tls.ok' },
    why: 'tcpdump -i any: the kernel marks each packet in or out; the router holds every packet twice',
    vantage: { client: 'client', router: 'middle', server: 'server' },
    options: ['--ca-file', 'captures/certs/test-root.pem'],
    // both ends send their FIN at once after the reply: each capture sees its own host's first
    bothClosed: true,
  },
  'mtu-blackhole': { verdict: { client: 'tls.mtu_blackhole', router: 'tls.mtu_blackhole', server: 'tls.mtu_blackhole' } },
  'cert-not-yet-valid': { verdict: { client: 'tls.cert_not_yet_valid', router: 'tls.cert_not_yet_valid', server: 'tls.cert_not_yet_valid' } },
  'cert-other-name': { verdict: { client: 'tls.cert_hostname_mismatch', router: 'tls.cert_hostname_mismatch', server: 'tls.cert_hostname_mismatch' } },
  'syn-timeout': { verdict: { client: 'tcp.timeout', router: 'tcp.timeout', server: null }, why: 'the router drops the SYNs: nothing reaches the server' },
  'reset-injected': {
    verdict: { client: 'tcp.reset_injected', router: 'tcp.reset_injected', server: 'incomplete' },
    why: 'the forged RST goes to the client only; the server sees an established connection go silent',
  },
  'server-closed': { verdict: { client: 'tls.server_closed', router: 'tls.server_closed', server: 'tls.server_closed' } },
  'ssh-hostkey-mismatch': { verdict: { client: 'ssh.hostkey_mismatch', router: 'ssh.hostkey_mismatch', server: 'ssh.hostkey_mismatch' } },
};

/** The router's interface facing the client sees the client's packets with their initial TTL: it looks like the client. */
const VANTAGE: Record<Point, string> = { client: 'client', router: 'client', server: 'server' };

const recordsAt = async (scenario: string, point: Point): Promise<ConnectionRecord[]> =>
  analyse(join(capturesDir, `vantage-${scenario}-${point}.pcap`), SCENARIOS[scenario]?.options ?? []);

describe('the same failure seen from the client, the router and the server', () => {
  for (const [scenario, s] of Object.entries(SCENARIOS)) {
    it(`${scenario}${s.why ? ` (${s.why})` : ''}`, async () => {
      const seen: Record<string, unknown> = {};
      for (const point of ['client', 'router', 'server'] as const) {
        const recs = await recordsAt(scenario, point);
        const want = s.verdict[point];
        if (want === null) {
          assert.equal(recs.length, 0, `${point}: no connection`);
          continue;
        }
        assert.equal(recs.length, 1, `${point}: one connection`);
        const r = recs[0]!;
        seen[point] = { code: r.verdict.code, ...(s.bothClosed ? {} : { closedBy: r.closedBy }), closeKind: r.closeKind, stage: r.stage };
        assert.equal(r.verdict.code, want, `${point}: ${r.verdict.summary}`);
        assert.equal(r.vantage.point, (s.vantage ?? VANTAGE)[point], `${point}: vantage ${JSON.stringify(r.vantage)}`);
        assert.ok(r.vantage.evidence.length > 0, 'the vantage says why');
      }
      // Where the verdict is the same, so are who gave up, how, and the stage the client reached.
      const same = (['client', 'router', 'server'] as const).filter((p) => s.verdict[p] === s.verdict.client && seen[p]);
      for (const p of same) assert.deepEqual(seen[p], seen['client'], `${p} agrees with the client: ${JSON.stringify(seen)}`);
    });
  }

  it('tcpdump -i any on the router: each packet came in and went out; the second copies are no retransmissions', async () => {
    const [r] = await recordsAt('any-interface', 'router');
    const [atClient] = await recordsAt('any-interface', 'client');
    const t = r!.tcp!;
    assert.equal(t.client.retransmissions + t.server.retransmissions, 0);
    assert.ok(t.client.captureCopies > 0 && t.server.captureCopies > 0, JSON.stringify(t));
    // one copy of each packet is the handshake the client saw, message for message
    const messages = (x: ConnectionRecord) => (x.tls as { messages: { name: string; length: number }[] }).messages.map((m) => `${m.name}:${m.length}`);
    assert.deepEqual(messages(r!), messages(atClient!));
    assert.equal(t.client.payloadBytes, atClient!.tcp!.client.payloadBytes);
    assert.match(r!.vantage.evidence[0]!, /in the capture twice, coming in on one interface and going out on another one hop lower/);
    const out = spawnSync(process.execPath, [join(capturesDir, '..', 'bin', 'hsi.js'), 'read', join(capturesDir, 'vantage-any-interface-router.pcap')]).stdout.toString();
    assert.match(out, /note: \d+ TCP packets were in the capture twice/);
  });

  it('two bridge ports mirrored into one file: every packet twice, the same TTL; the second copies left out', async () => {
    const opts = ['--ca-file', 'captures/certs/test-root.pem'];
    const [r] = await analyse(join(capturesDir, 'vantage-mirrored-bridge.pcap'), opts);
    const t = r!.tcp!;
    assert.equal(r!.verdict.code, 'tls.ok');
    assert.equal(t.client.retransmissions + t.server.retransmissions, 0);
    assert.equal(t.client.synFrames.length + t.server.synFrames.length, 2, 'one SYN and one SYN-ACK, not four');
    // each packet twice: one copy of each is counted, the other left out (but the copy of
    // the FIN that closed the connection, which comes after its end)
    for (const side of [t.client, t.server]) assert.ok(side.captureCopies >= side.packets - 1 && side.captureCopies <= side.packets, JSON.stringify(side));
    assert.equal(r!.vantage.point, 'middle');
    assert.match(r!.vantage.evidence[0]!, /twice with the same TTL and IPv4 identification/);
  });

  it('a NAT router captured with -i any: both legs reported, each naming the other; the ends see one leg each', async () => {
    const legs = await recordsAt('nat-any', 'router');
    const [atClient] = await recordsAt('nat-any', 'client');
    const [atServer] = await recordsAt('nat-any', 'server');
    assert.equal(legs.length, 2);
    const before = legs.find((r) => r.tcp!.translated?.leg === 'before')!;
    const after = legs.find((r) => r.tcp!.translated?.leg === 'after')!;
    assert.ok(before && after, JSON.stringify(legs.map((r) => r.tcp!.translated)));
    // the leg before translation is the client's connection, the one after the server's
    assert.deepEqual(before.client, atClient!.client);
    assert.deepEqual(after.client, atServer!.client);
    assert.notDeepEqual(before.client, after.client);
    assert.deepEqual(before.tcp!.translated!.other, { client: after.client, server: after.server });
    assert.deepEqual(after.tcp!.translated!.other, { client: before.client, server: before.server });
    for (const r of legs) {
      assert.equal(r.verdict.code, atClient!.verdict.code);
      assert.equal(r.vantage.point, 'middle');
      assert.match(r.vantage.evidence[0]!, /addresses were translated .*the same SYN, sequence number and IPv4 identification/);
    }
    assert.equal(atClient!.tcp!.translated, null);
    const out = spawnSync(process.execPath, [join(capturesDir, '..', 'bin', 'hsi.js'), 'read', join(capturesDir, 'vantage-nat-any-router.pcap')]).stdout.toString();
    assert.match(out, /note: 1 connection was captured before and after the capturing host translated its addresses/);
    assert.match(out, /before address translation on the capturing host: 10\.80\.0\.1:\d+ → 10\.80\.1\.2:443/);
  });

  it('a container host (veth on a bridge, masquerade) captured with -i any: the copies left out, the legs linked', async () => {
    const legs = await analyse(join(capturesDir, 'vantage-container-host.pcap'));
    assert.equal(legs.length, 2);
    const inside = legs.find((r) => r.client.ip === '10.88.0.2')!;
    const outside = legs.find((r) => r.client.ip === '10.80.1.254')!;
    assert.equal(inside.tcp!.translated!.leg, 'before');
    assert.deepEqual(inside.tcp!.translated!.other.client, outside.client);
    assert.equal(outside.tcp!.translated!.leg, 'after');
    // inside, each packet on the veth and on the bridge: the second copies out, no retransmission
    assert.ok(inside.tcp!.client.captureCopies > 0 && inside.tcp!.server.captureCopies > 0, JSON.stringify(inside.tcp));
    assert.equal(outside.tcp!.client.captureCopies + outside.tcp!.server.captureCopies, 0);
    for (const r of legs) {
      assert.equal(r.tcp!.client.retransmissions + r.tcp!.server.retransmissions, 0);
      assert.equal(r.verdict.code, legs[0]!.verdict.code);
      assert.equal(r.vantage.point, 'middle');
    }
    assert.equal(inside.tcp!.client.packets, outside.tcp!.client.packets, 'one packet inside for each outside');
  });

  it('a port published from a container (DNAT) captured with -i any: the leg as sent, the leg as delivered', async () => {
    const legs = await analyse(join(capturesDir, 'vantage-port-forward.pcap'));
    assert.equal(legs.length, 2);
    const sent = legs.find((r) => r.server.ip === '10.80.1.254')!;
    const delivered = legs.find((r) => r.server.ip === '10.88.0.2')!;
    assert.deepEqual(sent.client, delivered.client, 'DNAT keeps the client');
    assert.equal(sent.tcp!.translated!.leg, 'before');
    assert.deepEqual(sent.tcp!.translated!.other.server, delivered.server);
    assert.equal(delivered.tcp!.translated!.leg, 'after');
    assert.ok(delivered.tcp!.client.captureCopies > 0, 'on the bridge and the veth');
    for (const r of legs) {
      assert.equal(r.verdict.code, 'tls.cert_hostname_mismatch');
      assert.equal(r.tcp!.client.retransmissions + r.tcp!.server.retransmissions, 0);
    }
  });

  it('a loopback capture ran on the one host that is both ends (IPv4 and IPv6)', async () => {
    for (const f of ['keylog-bad-record-mac-12.pcap', 'ssh-ipv6.pcap']) {
      const [r] = await analyse(join(capturesDir, f));
      assert.equal(r!.client.ip, r!.server.ip);
      assert.equal(r!.vantage.point, 'client', f);
      assert.match(r!.vantage.evidence[0]!, /one host \((127\.0\.0\.1|::1)\)/);
    }
  });

  it('tcpdump -i any on an end host: the kernel marked its own packets outgoing', async () => {
    for (const [point, side] of [['client', 'client'], ['server', 'server']] as const) {
      const [r] = await recordsAt('any-interface', point);
      const own = r!.tcp![side];
      const other = r!.tcp![side === 'client' ? 'server' : 'client'];
      assert.deepEqual(own.marked, { in: 0, out: own.packets, otherHost: 0 });
      assert.deepEqual(other.marked, { in: other.packets, out: 0, otherHost: 0 });
      assert.equal(r!.vantage.confidence, 'likely');
    }
    // the same on the older bundled -i any captures (SLL and SLL2), taken on the client
    for (const f of ['tcp-any-sll.pcap', 'tcp-any-sll2.pcap']) {
      const [r] = await analyse(join(capturesDir, f));
      assert.equal(r!.vantage.point, 'client', `${f}: ${JSON.stringify(r!.vantage)}`);
    }
  });

  it('a server-side capture of the black hole claims nothing the client could not have seen', async () => {
    const [r] = await recordsAt('mtu-blackhole', 'server');
    assert.equal(r!.stage, 'client_hello', 'the ServerHello never reached the client');
    assert.match(r!.verdict.evidence.join('\n'), /the client never acknowledged frames? [\d, -]+: (they were|it was) lost on the way/);
    assert.ok(!r!.verdict.code.startsWith('tls.cert'), 'no certificate verdict');
  });

  it('the client-side capture reads the hole, the tail and the duplicate ACKs', async () => {
    const [r] = await recordsAt('mtu-blackhole', 'client');
    assert.match(r!.verdict.summary, /only the short tail/);
    assert.match(r!.verdict.evidence.join('\n'), /never arrived.*duplicate ACKs in frame/);
  });

  it('an unanswered SYN: the client gave up', async () => {
    const [r] = await recordsAt('syn-timeout', 'client');
    assert.equal(r!.closedBy, 'client');
    assert.equal(r!.closeKind, 'timeout');
  });

  it("the forged RST's TTL is in the evidence, and the human report says where the capture was taken", async () => {
    const [r] = await recordsAt('reset-injected', 'client');
    assert.match(r!.verdict.evidence.join('\n'), /arrived with TTL 64, where every other packet of the server arrived with 63/);
    const out = spawnSync(process.execPath, [join(capturesDir, '..', 'bin', 'hsi.js'), 'read', join(capturesDir, 'vantage-reset-injected-server.pcap')]).stdout.toString();
    assert.match(out.split('\n')[1]!, /^ {2}captured on the server side \(10\.80\.1\.2\)/);
  });

  it('a genuine RST is vouched for by its sender (tls-server-reset)', async () => {
    const [r] = await analyse(join(capturesDir, 'tls-server-reset.pcap'));
    assert.equal(r!.verdict.code, 'tls.server_closed');
    assert.match(r!.verdict.evidence.join('\n'), /the RST arrived with TTL \d+, like the server's other packets: the server sent it/);
  });

  it('without --ca-file, a fault of this machine\'s store is only likely, and says so', async () => {
    const [r] = await analyse(join(capturesDir, 'cert-untrusted.pcap'));
    assert.equal(r!.verdict.code, 'tls.cert_untrusted');
    assert.equal(r!.verdict.confidence, 'likely');
    assert.match(r!.verdict.evidence.join('\n'), /not necessarily the client's: give the client's CA bundle with --ca-file/);
    const [withCa] = await analyse(join(capturesDir, 'cert-untrusted.pcap'), ['--ca-file', join(capturesDir, 'certs', 'test-root.pem')]);
    assert.equal(withCa!.verdict.confidence, 'certain', 'a specific alert with the store the user gave decides');
  });
});

describe('vantage on third-party captures', () => {
  it('browsers-x509: a Windows client captured on itself (checksum offload, TTL 128 against servers many hops away)', async () => {
    const recs = await analyse(join(corpusPcapDir, 'browsers-x509.pcapng'));
    assert.ok(recs.length >= 3);
    for (const r of recs) {
      assert.equal(r.vantage.point, 'client', JSON.stringify(r.vantage));
      assert.equal(r.vantage.confidence, 'likely');
      assert.match(r.vantage.evidence[0]!, /checksum offload/);
    }
  });
});

describe('TCP checksums agree with tshark on real captures', () => {
  // browsers-x509 and tls3 were taken on a host with checksum offload: wrong and right checksums mixed
  const files = readdirSync(corpusPcapDir).filter((f) => /^(browsers-x509|tls3|ssh|socks-https-example)\.pcap/.test(f));
  for (const f of files) {
    it(f, async () => {
      const file = join(corpusPcapDir, f);
      const t = spawnSync('tshark', ['-n', '-r', file, '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.checksum.status'], { encoding: 'utf8' });
      if (t.status !== 0) return; // no tshark here: the scenario tests still run
      const want = new Map(t.stdout.trim().split('\n').map((l) => l.split('\t')).filter((x) => x[1] === '0' || x[1] === '1').map((x) => [Number(x[0]), x[1] === '1']));
      const seg = new TcpSegment();
      let compared = 0;
      await readCapture(file, (p) => {
        if (decodePacket(p.linkType, p.data, seg, null, p.frame, 0) !== Skip.None || !want.has(p.frame)) return;
        const ok = seg.checksumValid();
        if (ok === null) return;
        assert.equal(ok, want.get(p.frame), `frame ${p.frame}`);
        compared++;
      });
      assert.ok(compared > 5, `${compared} packets compared`);
    });
  }
});
