// The second copy of a packet in one capture (engine/copies.ts): a forwarding host captured
// on all its interfaces holds each packet as it came in and as it went out. Table of what
// is and is not a copy, then the direction marks read off real Linux cooked captures
// against tshark's sll.pkttype.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCapture } from '../src/capture/source.js';
import { SideState } from '../src/engine/connection.js';
import { Copy, RecentSyns, secondCopy } from '../src/engine/copies.js';
import { decodePacket, Direction, Skip, TcpSegment, TCP_ACK, TCP_SYN } from '../src/net/decode.js';
import { capturesDir } from './helpers/paths.js';

interface Pkt {
  t: number;
  ttl: number;
  ipId?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  len?: number;
  window?: number;
  dir?: Direction;
}

function seg(p: Pkt): TcpSegment {
  const s = new TcpSegment();
  s.ttl = p.ttl;
  s.ipId = p.ipId ?? 0x1234;
  s.seq = p.seq ?? 1000;
  s.ack = p.ack ?? 2000;
  s.flags = p.flags ?? TCP_ACK;
  s.payloadLen = p.len ?? 100;
  s.window = p.window ?? 500;
  s.direction = p.dir ?? Direction.Unknown;
  return s;
}

const A: Pkt = { t: 0, ttl: 64 };
const ACK0: Pkt = { ...A, ipId: 0, len: 0 };
const SYNACK: Pkt = { ...A, ipId: 0, flags: TCP_SYN | TCP_ACK, len: 0 };
const { No, Routed, Mirrored } = { No: Copy.No, Routed: Copy.Routed, Mirrored: Copy.Mirrored };
const CASES: { name: string; packets: Pkt[]; copies: Copy[] }[] = [
  { name: 'routed: the same datagram one hop lower, moments later', packets: [A, { ...A, t: 0.00002, ttl: 63 }], copies: [No, Routed] },
  { name: 'routed twice on one host (three interfaces)', packets: [A, { ...A, t: 0.00001, ttl: 63 }, { ...A, t: 0.00002, ttl: 62 }], copies: [No, Routed, Routed] },
  { name: 'bridged: same TTL, marked in then out', packets: [{ ...A, dir: Direction.In }, { ...A, t: 0.00001, dir: Direction.Out }], copies: [No, Mirrored] },
  { name: 'mirrored: same TTL, unmarked, the same IPv4 identification', packets: [A, { ...A, t: 0.00001 }], copies: [No, Mirrored] },
  { name: 'same TTL and identification 20 ms later: too late for a mirror (a fast retransmission by a stack that repeats its ID)', packets: [A, { ...A, t: 0.02 }], copies: [No, No] },
  { name: 'one hop lower 20 ms later: still routed', packets: [A, { ...A, t: 0.02, ttl: 63 }], copies: [No, Routed] },
  { name: 'IP ID 0, marked out twice: the host may have sent it again', packets: [{ ...ACK0, dir: Direction.Out }, { ...ACK0, t: 0.00001, dir: Direction.Out }], copies: [No, No] },
  { name: 'IP ID 0, marked out then in: one host saw it pass', packets: [{ ...ACK0, dir: Direction.Out }, { ...ACK0, t: 0.00001, dir: Direction.In }], copies: [No, Mirrored] },
  { name: "marked in twice, the same IPv4 identification: a container's packet on its veth and on the bridge", packets: [{ ...A, dir: Direction.In }, { ...A, t: 0.00001, dir: Direction.In }], copies: [No, Mirrored] },
  { name: 'a stack that always sends IP ID 0: the same ACK twice may be two duplicate ACKs', packets: [ACK0, { ...ACK0, t: 0.00001 }], copies: [No, No] },
  { name: 'the same ACK with ID 0, one hop lower: routed', packets: [ACK0, { ...ACK0, t: 0.00001, ttl: 63 }], copies: [No, Routed] },
  { name: 'a retransmission: new IPv4 identification', packets: [A, { ...A, t: 0.2, ttl: 63, ipId: 0x1235 }], copies: [No, No] },
  { name: 'too late to be a copy', packets: [A, { ...A, t: 0.3, ttl: 63 }], copies: [No, No] },
  { name: 'another segment (seq moved)', packets: [A, { ...A, t: 0.00001, ttl: 63, seq: 1100 }], copies: [No, No] },
  { name: 'another ACK (ack moved)', packets: [A, { ...A, t: 0.00001, ttl: 63, ack: 2100 }], copies: [No, No] },
  { name: 'a window update', packets: [A, { ...A, t: 0.00001, ttl: 63, window: 600 }], copies: [No, No] },
  { name: 'SYN-ACK with IP ID 0, forwarded', packets: [SYNACK, { ...SYNACK, t: 0.00001, ttl: 63 }], copies: [No, Routed] },
  { name: 'SYN-ACK with IP ID 0, mirrored (a SYN is retransmitted a second later at the earliest)', packets: [SYNACK, { ...SYNACK, t: 0.00001 }], copies: [No, Mirrored] },
  { name: 'IPv6 (no identification): hop limit one lower', packets: [{ ...A, ipId: -1 }, { ...A, t: 0.00001, ttl: 63, ipId: -1 }], copies: [No, Routed] },
  { name: 'IPv6, same hop limit, unmarked: nothing tells a copy', packets: [{ ...A, ipId: -1 }, { ...A, t: 0.00001, ipId: -1 }], copies: [No, No] },
  { name: 'copy, then the next packet, then its copy', packets: [A, { ...A, t: 0.00001, ttl: 63 }, { ...A, t: 0.001, seq: 1100, ipId: 0x1235 }, { ...A, t: 0.00101, ttl: 63, seq: 1100, ipId: 0x1235 }], copies: [No, Routed, No, Routed] },
];

describe('second copies of a packet', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const me = new SideState({ ip: '10.0.0.1', port: 1 }, 1);
      assert.deepEqual(c.packets.map((p) => secondCopy(me, seg(p), p.t)), c.copies);
    });
  }
});

describe('direction marks of Linux cooked captures agree with tshark', () => {
  const WANT: Record<string, Direction> = { '0': Direction.In, '1': Direction.In, '2': Direction.In, '3': Direction.Other, '4': Direction.Out };
  for (const f of ['tcp-any-sll.pcap', 'tcp-any-sll2.pcap', 'vantage-any-interface-router.pcap']) {
    it(f, async (t) => {
      const file = join(capturesDir, f);
      const ts = spawnSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'sll.pkttype'], { encoding: 'utf8' });
      if (ts.status !== 0) return t.skip('no tshark here');
      const want = new Map(ts.stdout.trim().split('\n').map((l) => l.split('\t')).map((x) => [Number(x[0]), WANT[x[1]!]]));
      const s = new TcpSegment();
      let n = 0;
      const seen = new Set<Direction>();
      await readCapture(file, (p) => {
        assert.equal(decodePacket(p.linkType, p.data, s, null, p.frame, 0), Skip.None);
        assert.equal(s.direction, want.get(p.frame), `frame ${p.frame}`);
        seen.add(s.direction);
        n++;
      });
      assert.equal(n, want.size);
      assert.deepEqual([...seen].sort(), [Direction.In, Direction.Out]);
    });
  }
});

describe('a SYN seen again under other addresses (NAT on the capturing host)', () => {
  const syn = (o: Partial<{ seq: number; ipId: number; ttl: number }> = {}): TcpSegment => seg({ t: 0, ttl: o.ttl ?? 64, ipId: o.ipId ?? 0x4242, seq: o.seq ?? 123456789, flags: TCP_SYN, len: 0, ack: 0 });
  const ROWS: { name: string; second: { seq?: number; ipId?: number; ttl?: number; t: number; src: number; dst: number }; linked: boolean }[] = [
    { name: 'masqueraded: another source, one hop lower', second: { t: 0.00001, ttl: 63, src: 77, dst: 2 }, linked: true },
    { name: 'port-forwarded: another destination, same TTL', second: { t: 0.00001, src: 1, dst: 99 }, linked: true },
    { name: 'the same endpoints again (a copy or a retransmission)', second: { t: 0.00001, src: 1, dst: 2 }, linked: false },
    { name: 'another ISN', second: { t: 0.00001, seq: 987654321, src: 77, dst: 2 }, linked: false },
    { name: 'another IPv4 identification', second: { t: 0.00001, ipId: 0x4243, src: 77, dst: 2 }, linked: false },
    { name: 'too late', second: { t: 0.2, ttl: 63, src: 77, dst: 2 }, linked: false },
    { name: 'a TTL that went up', second: { t: 0.00001, ttl: 65, src: 77, dst: 2 }, linked: false },
  ];
  for (const r of ROWS) {
    it(r.name, () => {
      const syns = new RecentSyns();
      assert.equal(syns.earlier(syn(), 0, 1, 2), null);
      const got = syns.earlier(syn(r.second), r.second.t, r.second.src, r.second.dst);
      assert.deepEqual(got, r.linked ? { src: 1, dst: 2 } : null);
    });
  }
});
