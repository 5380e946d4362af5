import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LINKTYPE } from '../src/capture/packet.js';
import { decodePacket, ipv6String, Skip, TcpSegment } from '../src/net/decode.js';
import { FragmentReassembler } from '../src/net/fragments.js';
import { ethernet, F, ipv4Tcp, ipv6Tcp } from './helpers/packets.js';

const payload = Uint8Array.from([0x16, 3, 1, 0, 5, 1, 2, 3, 4, 5]);

function decode(linkType: number, data: Uint8Array, frags: FragmentReassembler | null = null) {
  const seg = new TcpSegment();
  const r = decodePacket(linkType, data, seg, frags, 1, 0);
  return { r, seg };
}

describe('link layers', () => {
  const ip = ipv4Tcp({ sport: 51000, dport: 443, payload });
  const cases: { name: string; lt: number; data: Uint8Array; vlan?: number }[] = [
    { name: 'Ethernet', lt: LINKTYPE.ETHERNET, data: ethernet(ip) },
    { name: '802.1Q', lt: LINKTYPE.ETHERNET, data: ethernet(ip, 0x0800, [{ tpid: 0x8100, id: 100 }]), vlan: 100 },
    { name: 'QinQ 802.1ad', lt: LINKTYPE.ETHERNET, data: ethernet(ip, 0x0800, [{ tpid: 0x88a8, id: 10 }, { tpid: 0x8100, id: 20 }]), vlan: 10 },
    { name: 'Linux SLL', lt: LINKTYPE.LINUX_SLL, data: Uint8Array.from([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 8, 0, ...ip]) },
    { name: 'Linux SLL2', lt: LINKTYPE.LINUX_SLL2, data: Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...ip]) },
    { name: 'raw IP', lt: LINKTYPE.RAW, data: Uint8Array.from(ip) },
    { name: 'IPv4 link type', lt: LINKTYPE.IPV4, data: Uint8Array.from(ip) },
    { name: 'BSD NULL little-endian', lt: LINKTYPE.NULL, data: Uint8Array.from([2, 0, 0, 0, ...ip]) },
    { name: 'BSD NULL big-endian', lt: LINKTYPE.NULL, data: Uint8Array.from([0, 0, 0, 2, ...ip]) },
    { name: 'OpenBSD LOOP', lt: LINKTYPE.LOOP, data: Uint8Array.from([0, 0, 0, 2, ...ip]) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { r, seg } = decode(c.lt, c.data);
      assert.equal(r, Skip.None);
      assert.equal(seg.srcPort, 51000);
      assert.equal(seg.dstPort, 443);
      assert.deepEqual([...seg.payload], [...payload]);
      assert.equal(seg.vlan, c.vlan ?? -1);
    });
  }
  it('an unknown link type is skipped, not fatal', () => {
    assert.equal(decode(147, Uint8Array.from(ip)).r, Skip.LinkType);
  });
  it('ARP is not IP', () => {
    assert.equal(decode(LINKTYPE.ETHERNET, ethernet([0, 1, 8, 0, 6, 4, 0, 1], 0x0806)).r, Skip.NotIp);
  });
});

describe('IPv4 and TCP headers', () => {
  it('reads IP options and TCP options on a SYN', () => {
    const opts = [2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7];
    const data = ethernet(ipv4Tcp({ flags: F.SYN, options: opts }, { ipOptions: [1, 1, 1, 0] }));
    const { r, seg } = decode(LINKTYPE.ETHERNET, data);
    assert.equal(r, Skip.None);
    assert.equal(seg.mss, 1460);
    assert.equal(seg.wscale, 7);
    assert.equal(seg.sackPermitted, true);
    assert.equal(seg.flags, F.SYN);
  });
  it('every truncation of a frame is skipped or cut, never a throw', () => {
    const data = ethernet(ipv4Tcp({ payload }));
    for (let n = 0; n < data.length; n++) {
      const { r, seg } = decode(LINKTYPE.ETHERNET, data.subarray(0, n));
      if (r === Skip.None) assert.ok(seg.payload.length < seg.payloadLen || seg.payloadLen === 0 || n === data.length);
    }
  });
  it('payload cut by the snaplen keeps the wire length', () => {
    const data = ethernet(ipv4Tcp({ payload }));
    const { r, seg } = decode(LINKTYPE.ETHERNET, data.subarray(0, data.length - 4));
    assert.equal(r, Skip.None);
    assert.equal(seg.payloadLen, payload.length);
    assert.equal(seg.payload.length, payload.length - 4);
  });
  it('a lying IHL or data offset is malformed', () => {
    const ip = ipv4Tcp({ payload });
    ip[0] = 0x42; // IHL 2
    assert.equal(decode(LINKTYPE.RAW, Uint8Array.from(ip)).r, Skip.Malformed);
  });
});

describe('IPv6', () => {
  it('walks hop-by-hop and destination options headers', () => {
    const hop = [60, 0, 1, 4, 0, 0, 0, 0]; // next: destination options
    const dest = [6, 0, 1, 4, 0, 0, 0, 0]; // next: TCP
    const { r, seg } = decode(LINKTYPE.RAW, Uint8Array.from(ipv6Tcp({ src: '2001:db8::1', dst: '2001:db8::2', dport: 22, payload }, [...hop, ...dest], 0)));
    assert.equal(r, Skip.None);
    assert.equal(seg.ipVersion, 6);
    assert.equal(ipv6String(seg.src6), '2001:db8::1');
    assert.equal(seg.dstPort, 22);
    assert.equal(seg.payload.length, payload.length);
  });
  it('formats addresses as RFC 5952', () => {
    const b = (s: number[]) => Uint8Array.from(s);
    assert.equal(ipv6String(b([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])), '::1');
    assert.equal(ipv6String(b([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1])), '2001:db8::1:0:0:1');
    assert.equal(ipv6String(b([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1])), '::ffff:192.0.2.1');
  });
});

describe('IPv4 fragments', () => {
  it('reassembles a fragmented TCP segment, in any order', () => {
    const full = ipv4Tcp({ payload: Uint8Array.from({ length: 40 }, (_, i) => i) });
    const l4 = full.slice(20);
    const part1 = l4.slice(0, 32);
    const part2 = l4.slice(32);
    const f1 = ipv4Tcp({}, { id: 7, frag: 0x2000, body: part1 });
    const f2 = ipv4Tcp({}, { id: 7, frag: 32 / 8, body: part2 });
    for (const order of [[f1, f2], [f2, f1]]) {
      const frags = new FragmentReassembler();
      assert.equal(decode(LINKTYPE.RAW, Uint8Array.from(order[0]!), frags).r, Skip.Fragment);
      const { r, seg } = decode(LINKTYPE.RAW, Uint8Array.from(order[1]!), frags);
      assert.equal(r, Skip.None);
      assert.equal(seg.payload.length, 40);
      assert.equal(seg.payload[39], 39);
      assert.equal(frags.stats.reassembled, 1);
    }
  });
  it('counts a datagram never completed', () => {
    const frags = new FragmentReassembler();
    decode(LINKTYPE.RAW, Uint8Array.from(ipv4Tcp({}, { id: 9, frag: 0x2000, body: new Array(16).fill(0) })), frags);
    frags.flush();
    assert.equal(frags.stats.incomplete, 1);
  });
});

describe('ICMP errors about TCP packets', () => {
  it('an ICMP port unreachable quoting a SYN gives the quoted 4-tuple and who sent it', () => {
    const syn = ipv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 443, flags: F.SYN });
    const icmp = [3, 3, 0, 0, 0, 0, 0, 0, ...syn.slice(0, 28)];
    const data = ethernet(ipv4Tcp({ src: '10.0.0.2', dst: '10.0.0.1' }, { proto: 1, body: icmp }));
    const { r, seg } = decode(LINKTYPE.ETHERNET, data);
    assert.equal(r, Skip.IcmpError);
    assert.equal(seg.icmpType, 3);
    assert.equal(seg.icmpCode, 3);
    assert.equal(seg.icmpFrom, '10.0.0.2');
    assert.equal(seg.srcPort, 40000);
    assert.equal(seg.dstPort, 443);
  });
  it('fragmentation needed carries the next-hop MTU; an echo request is not an error', () => {
    const syn = ipv4Tcp({ flags: F.ACK, payload });
    const frag = [3, 4, 0, 0, 0, 0, 0x05, 0x78, ...syn.slice(0, 28)];
    const { r, seg } = decode(LINKTYPE.RAW, Uint8Array.from(ipv4Tcp({}, { proto: 1, body: frag })));
    assert.equal(r, Skip.IcmpError);
    assert.equal(seg.icmpMtu, 1400);
    assert.equal(decode(LINKTYPE.RAW, Uint8Array.from(ipv4Tcp({}, { proto: 1, body: [8, 0, 0, 0, 0, 1, 0, 1] }))).r, Skip.NotTcp);
  });
});

describe('tunnels', () => {
  it('unwraps GRE carrying IPv4', () => {
    const inner = ipv4Tcp({ src: '172.16.0.1', dst: '172.16.0.2', dport: 22, payload });
    const gre = [0, 0, 0x08, 0x00, ...inner];
    const outer = ethernet(ipv4Tcp({}, { proto: 47, body: gre }));
    const { r, seg } = decode(LINKTYPE.ETHERNET, outer);
    assert.equal(r, Skip.None);
    assert.equal(seg.tunnel, 'GRE');
    assert.equal(seg.dstPort, 22);
    assert.equal(seg.src4 >>> 24, 172);
  });
  it('unwraps VXLAN', () => {
    const innerEth = [...ethernet(ipv4Tcp({ dport: 443, payload }))];
    const udp = [0x30, 0x39, 0x12, 0xb5, 0, 8 + 8 + innerEth.length, 0, 0, 0x08, 0, 0, 0, 0, 0, 1, 0, ...innerEth];
    const { r, seg } = decode(LINKTYPE.ETHERNET, ethernet(ipv4Tcp({}, { proto: 17, body: udp })));
    assert.equal(r, Skip.None);
    assert.equal(seg.tunnel, 'VXLAN');
    assert.equal(seg.dstPort, 443);
  });
});
