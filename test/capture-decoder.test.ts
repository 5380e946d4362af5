// CaptureDecoder on hand-built bytes (and real files transformed programmatically):
// pcap in both byte orders and precisions, pcapng blocks and options, every corruption
// the reader must survive, every truncation point, every chunk boundary.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusPcapDir } from './helpers/paths.js';
import { CaptureDecoder, MAX_PROBLEMS, describeUnknownMagic, formatProblem, type CaptureInfo, type CaptureStats } from '../src/capture/decoder.js';
import { decodePcapHeader, MAX_PCAP_CAPLEN, u32le } from '../src/capture/pcap.js';
import { BLOCK, MAX_BLOCK_LEN, decodeOptions, splitTimestamp, tsUnits } from '../src/capture/pcapng.js';
import type { Packet } from '../src/capture/packet.js';

// --- byte builders -------------------------------------------------------------------

/** Little growable byte writer with a byte order. */
class W {
  private parts: Buffer[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number): this {
    this.parts.push(Buffer.of(v));
    return this;
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    if (this.le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    this.parts.push(b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    if (this.le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    this.parts.push(b);
    return this;
  }
  u64(v: bigint): this {
    const b = Buffer.alloc(8);
    if (this.le) b.writeBigUInt64LE(BigInt.asUintN(64, v));
    else b.writeBigUInt64BE(BigInt.asUintN(64, v));
    this.parts.push(b);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.parts.push(Buffer.from(b));
    return this;
  }
  pad4(): this {
    const n = this.length % 4;
    if (n) this.parts.push(Buffer.alloc(4 - n));
    return this;
  }
  get length(): number {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const payload = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

interface Rec {
  sec: number;
  frac: number;
  data: Uint8Array;
  origLen?: number;
}

function pcapFile(recs: Rec[], o: { le?: boolean; nano?: boolean; snaplen?: number; linkType?: number; major?: number } = {}): Buffer {
  const le = o.le ?? true;
  const w = new W(le)
    .u32(o.nano ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(o.major ?? 2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(o.snaplen ?? 65535)
    .u32(o.linkType ?? 1);
  for (const r of recs) w.u32(r.sec).u32(r.frac).u32(r.data.length).u32(r.origLen ?? r.data.length).bytes(r.data);
  return w.done();
}

/** An option (code, value) padded; `end` writes opt_endofopt. */
function options(le: boolean, opts: [number, Uint8Array][]): Buffer {
  const w = new W(le);
  for (const [code, v] of opts) w.u16(code).u16(v.length).bytes(v).pad4();
  if (opts.length) w.u16(0).u16(0);
  return w.done();
}

function block(le: boolean, type: number, body: Buffer, lenOverride?: { head?: number; tail?: number }): Buffer {
  const total = 12 + body.length;
  return new W(le).u32(type).u32(lenOverride?.head ?? total).bytes(body).u32(lenOverride?.tail ?? total).done();
}

const shb = (le: boolean, opts: [number, Uint8Array][] = [], major = 1): Buffer =>
  block(le, BLOCK.SHB, Buffer.concat([new W(le).u32(0x1a2b3c4d).u16(major).u16(0).u64(-1n).done(), options(le, opts)]));

const idb = (le: boolean, linkType: number, snaplen: number, opts: [number, Uint8Array][] = []): Buffer =>
  block(le, BLOCK.IDB, Buffer.concat([new W(le).u16(linkType).u16(0).u32(snaplen).done(), options(le, opts)]));

function epb(le: boolean, ifid: number, ts: bigint, data: Uint8Array, o: { origLen?: number; opts?: [number, Uint8Array][]; caplen?: number } = {}): Buffer {
  const w = new W(le).u32(ifid).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn)).u32(o.caplen ?? data.length).u32(o.origLen ?? data.length).bytes(data).pad4();
  return block(le, BLOCK.EPB, Buffer.concat([w.done(), options(le, o.opts ?? [])]));
}

function opb(le: boolean, ifid: number, ts: bigint, data: Uint8Array): Buffer {
  const w = new W(le).u16(ifid).u16(0).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn)).u32(data.length).u32(data.length).bytes(data).pad4();
  return block(le, BLOCK.OPB, w.done());
}

const spb = (le: boolean, origLen: number, data: Uint8Array): Buffer => block(le, BLOCK.SPB, new W(le).u32(origLen).bytes(data).pad4().done());

function isb(le: boolean, ifid: number, counters: [number, bigint][]): Buffer {
  const opts: [number, Uint8Array][] = counters.map(([code, v]) => [code, new W(le).u64(v).done()]);
  return block(le, BLOCK.ISB, Buffer.concat([new W(le).u32(ifid).u32(0).u32(0).done(), options(le, opts)]));
}

const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const byte = (v: number): Uint8Array => Uint8Array.of(v);
const i64 = (le: boolean, v: bigint): Uint8Array => new W(le).u64(v).done();

// --- decoding helpers ----------------------------------------------------------------

/** A packet with its bytes as hex (kept after the callback). */
type Got = Omit<Packet, 'data'> & { data: string };

const keep = (p: Packet): Got => ({
  frame: p.frame,
  tsSec: p.tsSec,
  tsNsec: p.tsNsec,
  caplen: p.caplen,
  origLen: p.origLen,
  linkType: p.linkType,
  interfaceId: p.interfaceId,
  data: Buffer.from(p.data).toString('hex'),
  ...(p.comment !== undefined && { comment: p.comment }),
  ...(p.direction !== undefined && { direction: p.direction }),
});

/** Decode bytes fed in chunks of `step` bytes (0 = whole). */
function decode(bytes: Uint8Array, step = 0): { packets: Got[]; stats: CaptureStats; info: CaptureInfo | null } {
  const packets: Got[] = [];
  const d = new CaptureDecoder((p) => packets.push(keep(p)));
  if (step <= 0) d.push(bytes);
  else for (let i = 0; i < bytes.length; i += step) d.push(bytes.subarray(i, i + step));
  d.end();
  return { packets, stats: d.stats, info: d.info };
}

const ns = (sec: number, nsec: number): bigint => BigInt(sec) * 1000000000n + BigInt(nsec);

const corpus = (name: string): Buffer => readFileSync(join(corpusPcapDir, name));

/** Record boundaries of a little-endian µs pcap (offsets of each record). */
function pcapRecordOffsets(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let o = 24; o < b.length; o += 16 + u32le(b, o + 8)) out.push(o);
  return out;
}

/** Swap a little-endian pcap's header fields into big-endian (data untouched). */
function toBigEndian(le: Buffer): Buffer {
  const b = Buffer.from(le);
  const swap32 = (o: number): void => void b.writeUInt32BE(le.readUInt32LE(o), o);
  const swap16 = (o: number): void => void b.writeUInt16BE(le.readUInt16LE(o), o);
  swap32(0);
  swap16(4);
  swap16(6);
  for (const o of [8, 12, 16, 20]) swap32(o);
  for (const r of pcapRecordOffsets(le)) for (const f of [0, 4, 8, 12]) swap32(r + f);
  return b;
}

/** A µs pcap turned into a ns pcap by hand: new magic, fraction × 1000. */
function toNanosecond(le: Buffer): Buffer {
  const b = Buffer.from(le);
  b.writeUInt32LE(0xa1b23c4d, 0);
  for (const r of pcapRecordOffsets(le)) b.writeUInt32LE(le.readUInt32LE(r + 4) * 1000, r + 4);
  return b;
}

// --- a small reference file used by the structural tests ------------------------------

const SMALL_PCAP = pcapFile(
  [
    { sec: 1700000000, frac: 1, data: payload(60, 1) },
    { sec: 1700000000, frac: 999999, data: payload(54, 2), origLen: 1514 },
    { sec: 1700000001, frac: 500000, data: payload(1, 3) },
    { sec: 1700000002, frac: 0, data: payload(0, 4) },
  ],
  { snaplen: 65535 },
);

const SMALL_PCAPNG = Buffer.concat([
  shb(true, [[4, text('test')]]),
  idb(true, 1, 65535, [[9, byte(9)]]),
  epb(true, 0, ns(1700000000, 123456789), payload(61, 5), { opts: [[1, text('first')]] }),
  block(true, 0x0bad, Buffer.alloc(8, 0xee)),
  idb(true, 101, 128),
  epb(true, 1, ns(1700000000, 223456000) / 1000n, payload(130, 6), { origLen: 1400 }),
  spb(true, 70, payload(70, 7)),
  isb(true, 0, [[4, 3n], [5, 7n], [7, 1n]]),
]);

// --- tests ---------------------------------------------------------------------------

describe('classic pcap', () => {
  it('reads microsecond pcap: timestamps, lengths, truncation count', () => {
    const { packets, stats, info } = decode(SMALL_PCAP);
    assert.deepEqual(
      packets.map((p) => [p.frame, p.tsSec, p.tsNsec, p.caplen, p.origLen, p.linkType, p.interfaceId]),
      [
        [1, 1700000000, 1000, 60, 60, 1, 0],
        [2, 1700000000, 999999000, 54, 1514, 1, 0],
        [3, 1700000001, 500000000, 1, 1, 1, 0],
        [4, 1700000002, 0, 0, 0, 1, 0],
      ],
    );
    assert.equal(packets[0]!.data, Buffer.from(payload(60, 1)).toString('hex'));
    assert.equal(stats.packets, 4);
    assert.equal(stats.bytes, 60 + 54 + 1);
    assert.equal(stats.truncated, 1);
    assert.deepEqual(stats.problems, []);
    assert.deepEqual(stats.linkTypes, [{ linkType: 1, name: 'ETHERNET', packets: 4 }]);
    assert.equal(info?.format, 'pcap');
    assert.equal(info?.timestampPrecision, 'microseconds');
    assert.equal(info?.interfaces[0]?.snaplen, 65535);
  });

  it('big-endian pcap (a real file with its headers swapped) gives the same packets', () => {
    for (const name of ['tls12.pcap', 'badcurveball.pcap', 'socks4-https.pcap']) {
      const le = corpus(name);
      const a = decode(le);
      const b = decode(toBigEndian(le));
      assert.ok(a.packets.length > 0, name);
      assert.deepEqual(b.packets, a.packets, name);
      assert.equal(b.info?.byteOrder, 'big-endian');
      assert.equal(a.info?.byteOrder, 'little-endian');
      assert.deepEqual(b.stats.problems, []);
    }
  });

  it('nanosecond pcap (converted by hand from a real file) keeps the nanoseconds', () => {
    const le = corpus('badcurveball.pcap');
    const us = decode(le);
    const nsFile = decode(toNanosecond(le));
    assert.equal(nsFile.info?.timestampPrecision, 'nanoseconds');
    assert.deepEqual(nsFile.packets, us.packets);
    const odd = decode(pcapFile([{ sec: 5, frac: 123456789, data: payload(4, 0) }], { nano: true, le: false }));
    assert.deepEqual([odd.packets[0]!.tsSec, odd.packets[0]!.tsNsec], [5, 123456789]);
  });

  it('carries an overflowing fraction into the seconds', () => {
    const { packets } = decode(pcapFile([{ sec: 10, frac: 2500000, data: payload(4, 0) }]));
    assert.deepEqual([packets[0]!.tsSec, packets[0]!.tsNsec], [12, 500000000]);
  });

  it('decodePcapHeader: every strict prefix is incomplete, a wrong magic invalid', () => {
    const head = SMALL_PCAP.subarray(0, 24);
    for (let n = 0; n < 24; n++) assert.equal(decodePcapHeader(head.subarray(0, n)).status, 'incomplete', `prefix ${n}`);
    const whole = decodePcapHeader(head);
    assert.equal(whole.status, 'ok');
    assert.equal(decodePcapHeader(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')).status, 'invalid');
  });
});

describe('pcapng', () => {
  it('reads SHB/IDB/EPB/SPB/ISB, options, comments, two link types, unknown blocks skipped', () => {
    const { packets, stats, info } = decode(SMALL_PCAPNG);
    assert.deepEqual(packets, [
      { frame: 1, tsSec: 1700000000, tsNsec: 123456789, caplen: 61, origLen: 61, linkType: 1, interfaceId: 0, data: Buffer.from(payload(61, 5)).toString('hex'), comment: 'first' },
      { frame: 2, tsSec: 1700000000, tsNsec: 223456000, caplen: 130, origLen: 1400, linkType: 101, interfaceId: 1, data: Buffer.from(payload(130, 6)).toString('hex') },
      // SPB: interface 0, the previous packet's timestamp.
      { frame: 3, tsSec: 1700000000, tsNsec: 223456000, caplen: 70, origLen: 70, linkType: 1, interfaceId: 0, data: Buffer.from(payload(70, 7)).toString('hex') },
    ]);
    assert.deepEqual(stats.problems, []);
    assert.equal(stats.truncated, 1);
    assert.deepEqual(stats.linkTypes, [
      { linkType: 1, name: 'ETHERNET', packets: 2 },
      { linkType: 101, name: 'RAW', packets: 1 },
    ]);
    assert.deepEqual(stats.drops, [{ section: 0, interfaceId: 0, received: 3, dropped: 7, osDropped: 1 }]);
    assert.equal(info?.format, 'pcapng');
    assert.equal(info?.sections[0]?.application, 'test');
    assert.deepEqual(info?.interfaces.map((i) => [i.linkType, i.snaplen, i.tsUnitsPerSecond, i.packets]), [
      [1, 65535, 1e9, 2],
      [101, 128, 1e6, 1],
    ]);
  });

  it('two sections in both byte orders: a new SHB resets the interface list, frames keep counting', () => {
    const file = Buffer.concat([
      shb(true),
      idb(true, 1, 0),
      idb(true, 113, 0),
      epb(true, 1, ns(100, 0) / 1000n, payload(20, 1)),
      shb(false),
      idb(false, 276, 0, [[9, byte(9)]]),
      epb(false, 0, ns(200, 5), payload(21, 2)),
      opb(false, 0, ns(201, 6), payload(22, 3)),
    ]);
    const { packets, stats, info } = decode(file);
    assert.deepEqual(
      packets.map((p) => [p.frame, p.linkType, p.interfaceId, p.tsSec, p.tsNsec, p.caplen]),
      [
        [1, 113, 1, 100, 0, 20],
        [2, 276, 0, 200, 5, 21],
        [3, 276, 0, 201, 6, 22],
      ],
    );
    assert.deepEqual(stats.problems, []);
    assert.deepEqual(info?.sections.map((s) => s.byteOrder), ['little-endian', 'big-endian']);
    assert.deepEqual(info?.interfaces.map((i) => [i.section, i.id, i.linkType]), [
      [0, 0, 1],
      [0, 1, 113],
      [1, 0, 276],
    ]);
    // Interface 1 existed only in the first section.
    const stale = decode(Buffer.concat([file, epb(false, 1, 0n, payload(4, 0))]));
    assert.equal(stale.packets.length, 3);
    assert.match(stale.stats.problems[0]!.message, /interface 1, but the section describes 1 interface/);
    assert.equal(stale.stats.problems[0]!.frame, 4);
    assert.equal(stale.stats.problems[0]!.fatal, true);
  });

  const TSRESOL_CASES: { name: string; tsresol?: number; offset?: bigint; ts: bigint; sec: number; nsec: number }[] = [
    { name: 'default (no if_tsresol): µs', ts: 1700000000_123456n, sec: 1700000000, nsec: 123456000 },
    { name: 'if_tsresol=6', tsresol: 6, ts: 1700000000_654321n, sec: 1700000000, nsec: 654321000 },
    { name: 'if_tsresol=9 (above 2^53)', tsresol: 9, ts: 1700000000_987654321n, sec: 1700000000, nsec: 987654321 },
    { name: 'if_tsresol=9, last ns of a second', tsresol: 9, ts: 1700000000_999999999n, sec: 1700000000, nsec: 999999999 },
    { name: 'if_tsresol=2^-10', tsresol: 0x8a, ts: 1700000000n * 1024n + 512n, sec: 1700000000, nsec: 500000000 },
    { name: 'if_tsresol=2^-10, 1/1024 s', tsresol: 0x8a, ts: 1700000000n * 1024n + 1n, sec: 1700000000, nsec: 976562 },
    { name: 'if_tsresol=3 (ms)', tsresol: 3, ts: 1700000000_042n, sec: 1700000000, nsec: 42000000 },
    { name: 'if_tsresol=0 (s)', tsresol: 0, ts: 1700000000n, sec: 1700000000, nsec: 0 },
    { name: 'if_tsresol=12 (ps, BigInt path)', tsresol: 12, ts: 10000000_123456789012n, sec: 10000000, nsec: 123456789 },
    { name: 'if_tsoffset=+3600 with µs', tsresol: 6, offset: 3600n, ts: 1000_000001n, sec: 4600, nsec: 1000 },
    { name: 'if_tsoffset negative', tsresol: 9, offset: -100n, ts: 1000_000000005n, sec: 900, nsec: 5 },
  ];
  for (const c of TSRESOL_CASES) {
    for (const le of [true, false]) {
      it(`timestamps: ${c.name} (${le ? 'LE' : 'BE'})`, () => {
        const opts: [number, Uint8Array][] = [];
        if (c.tsresol !== undefined) opts.push([9, byte(c.tsresol)]);
        if (c.offset !== undefined) opts.push([14, i64(le, c.offset)]);
        const { packets, stats, info } = decode(Buffer.concat([shb(le), idb(le, 1, 0, opts), epb(le, 0, c.ts, payload(8, 0))]));
        assert.deepEqual(stats.problems, []);
        assert.deepEqual([packets[0]!.tsSec, packets[0]!.tsNsec], [c.sec, c.nsec]);
        assert.equal(info?.interfaces[0]?.tsOffset, Number(c.offset ?? 0n));
      });
    }
  }

  it('splitTimestamp agrees with BigInt arithmetic on random 64-bit values', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const out = { sec: 0, nsec: 0 };
    for (const code of [0, 3, 6, 9, 0x80, 0x8a, 0x94, 0x9e]) {
      const u = tsUnits(code);
      const d = BigInt(u.perSecond);
      let checked = 0;
      for (let i = 0; i < 3000; i++) {
        const hi = i % 3 === 0 ? rnd() >>> 11 : rnd();
        const lo = rnd();
        const ts = (BigInt(hi) << 32n) | BigInt(lo);
        // Whole seconds beyond 2^53 (hundreds of millions of years) are out of scope.
        if (ts / d > 2n ** 53n) continue;
        checked++;
        splitTimestamp(hi, lo, u, out);
        assert.equal(BigInt(out.sec), ts / d, `code ${code} ts ${ts}`);
        const exactNs = Number(((ts % d) * 1000000000n) / d);
        assert.ok(Math.abs(out.nsec - exactNs) <= 1, `code ${code} ts ${ts}: ${out.nsec} vs ${exactNs}`);
      }
      assert.ok(checked >= 1000, `code ${code}: only ${checked} values in range`);
    }
  });

  it('epb_flags: the direction bits (inbound 1, outbound 2) in either byte order; 0 (not given) and 3 (invalid) say nothing', () => {
    for (const le of [true, false]) {
      const flags = (v: number): [number, Uint8Array][] => [[2, new W(le).u32(v).done()]];
      const { packets, stats } = decode(Buffer.concat([
        shb(le), idb(le, 1, 0),
        epb(le, 0, 1n, payload(8, 1), { opts: flags(1) }),
        epb(le, 0, 2n, payload(8, 2), { opts: [[1, text('out')], ...flags(0x10002)] }), // reception type bits above: ignored
        epb(le, 0, 3n, payload(8, 3), { opts: flags(0) }),
        epb(le, 0, 4n, payload(8, 4), { opts: flags(3) }),
        epb(le, 0, 5n, payload(8, 5)),
      ]));
      assert.deepEqual(stats.problems, []);
      assert.deepEqual(packets.map((p) => [p.direction, p.comment]), [[1, undefined], [2, 'out'], [undefined, undefined], [undefined, undefined], [undefined, undefined]]);
    }
  });

  it('SPB takes the snaplen into account; OPB is read like an EPB', () => {
    const { packets, stats } = decode(Buffer.concat([shb(true), idb(true, 1, 64), spb(true, 1500, payload(64, 9)), opb(true, 0, ns(7, 8000) / 1000n, payload(5, 1))]));
    assert.deepEqual(stats.problems, []);
    assert.deepEqual(packets.map((p) => [p.caplen, p.origLen, p.tsSec, p.tsNsec]), [
      [64, 1500, 0, 0],
      [5, 5, 7, 8000],
    ]);
    assert.equal(stats.truncated, 1);
  });

  it('decodeOptions stops at opt_endofopt and reports an option that runs past the block', () => {
    const good = options(true, [[1, text('abc')], [2, byte(1)]]);
    const r = decodeOptions(good, 0, good.length, true);
    assert.deepEqual(r.options.map((o) => [o.code, Buffer.from(o.value).toString()]), [
      [1, 'abc'],
      [2, '\x01'],
    ]);
    assert.equal(r.error, undefined);
    const bad = new W(true).u16(1).u16(200).bytes(text('abcd')).done();
    assert.match(decodeOptions(bad, 0, bad.length, true).error ?? '', /option 1 says 200 bytes but only 4 remain/);
  });

  it('a broken option is a warning: the packet is still delivered', () => {
    const broken = block(
      true,
      BLOCK.EPB,
      Buffer.concat([new W(true).u32(0).u32(0).u32(0).u32(4).u32(4).bytes(payload(4, 0)).done(), new W(true).u16(1).u16(99).u32(0).done()]),
    );
    const { packets, stats } = decode(Buffer.concat([shb(true), idb(true, 1, 0), broken, epb(true, 0, 5n, payload(3, 0))]));
    assert.equal(packets.length, 2);
    assert.equal(stats.problems.length, 1);
    assert.equal(stats.problems[0]!.fatal, false);
    assert.equal(stats.problems[0]!.frame, 1);
    assert.match(stats.problems[0]!.message, /packet options: option 1 says 99 bytes/);
  });

  it('caps the problem list and counts the rest', () => {
    const broken = block(true, BLOCK.EPB, Buffer.concat([new W(true).u32(0).u32(0).u32(0).u32(0).u32(0).done(), new W(true).u16(1).u16(99).u32(0).done()]));
    const n = MAX_PROBLEMS + 17;
    const { packets, stats } = decode(Buffer.concat([shb(true), idb(true, 1, 0), ...Array.from({ length: n }, () => broken)]));
    assert.equal(packets.length, n);
    assert.equal(stats.problems.length, MAX_PROBLEMS);
    assert.equal(stats.suppressedProblems, 17);
  });
});

describe('bad input: a clear message, never a throw, everything before it delivered', () => {
  const pcapOK = SMALL_PCAP;
  const pcapHead = SMALL_PCAP.subarray(0, 24);
  const ngHead = Buffer.concat([shb(true), idb(true, 1, 1500)]);
  const twoPackets = Buffer.concat([ngHead, epb(true, 0, 1n, payload(10, 1)), epb(true, 0, 2n, payload(10, 2))]);
  const goodEpbLen = epb(true, 0, 3n, payload(10, 3)).length;

  const CASES: { name: string; bytes: Uint8Array; packets: number; message: RegExp; fatal: boolean; frame?: number; offset?: number; cutShort?: boolean }[] = [
    { name: 'HTML instead of a capture', bytes: text('<html><body>Not Found</body></html>\n'), packets: 0, message: /^not a pcap or pcapng file: starts with 3c 68 74 6d \(looks like HTML\/text\)$/, fatal: true, offset: 0 },
    { name: 'binary junk', bytes: Uint8Array.of(0, 1, 2, 3, 0xff, 0xfe), packets: 0, message: /^not a pcap or pcapng file: starts with 00 01 02 03 \(unknown format\)$/, fatal: true },
    { name: 'gzip bytes given to the decoder', bytes: Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0), packets: 0, message: /gzip-compressed data/, fatal: true },
    { name: 'empty input', bytes: new Uint8Array(0), packets: 0, message: /^empty input/, fatal: true },
    { name: 'three bytes', bytes: Uint8Array.of(0xd4, 0xc3, 0xb2), packets: 0, message: /only 3 bytes: too short/, fatal: true },
    { name: 'pcap header cut short', bytes: pcapHead.subarray(0, 10), packets: 0, message: /cut short in the middle of the pcap file header \(10 of (at least )?24 bytes\)/, fatal: true },
    { name: 'pcap version 1', bytes: pcapFile([], { major: 1 }), packets: 0, message: /unsupported pcap version 1\.4/, fatal: true },
    {
      name: 'pcap cut in the middle of the last packet',
      bytes: pcapOK.subarray(0, pcapOK.length - 16 - 1),
      packets: 2,
      message: /cut short in the middle of a packet \(16 of 17 bytes\)/,
      fatal: false,
      frame: 3,
      cutShort: true,
    },
    {
      name: 'pcap caplen over 256 KiB',
      bytes: Buffer.concat([pcapOK, new W(true).u32(1).u32(0).u32(MAX_PCAP_CAPLEN + 1).u32(60).done(), Buffer.alloc(100)]),
      packets: 4,
      message: /captured length 262145 is over the 262144-byte maximum/,
      fatal: true,
      frame: 5,
      offset: pcapOK.length,
    },
    {
      name: 'pcap caplen far over a small snaplen',
      bytes: Buffer.concat([pcapFile([{ sec: 1, frac: 0, data: payload(96, 0) }], { snaplen: 96 }), new W(true).u32(1).u32(0).u32(50000).u32(60).done(), Buffer.alloc(50000)]),
      packets: 1,
      message: /captured length 50000 is far over the file's snaplen 96/,
      fatal: true,
      frame: 2,
    },
    { name: 'garbage after the pcap header', bytes: Buffer.concat([pcapHead, text('this is not a packet record at all, only text')]), packets: 0, message: /captured length \d+ is over the 262144-byte maximum/, fatal: true, frame: 1, offset: 24 },
    { name: 'pcapng SHB with a bad byte-order magic', bytes: Buffer.from(shb(true)).fill(0x77, 8, 12), packets: 0, message: /no valid byte-order magic/, fatal: true },
    { name: 'pcapng version 2', bytes: shb(true, [], 2), packets: 0, message: /unsupported pcapng version 2\.0/, fatal: true },
    { name: 'pcapng cut inside the SHB', bytes: shb(true).subarray(0, 20), packets: 0, message: /cut short in the middle of the pcapng section header block/, fatal: true },
    {
      name: 'block length not a multiple of 4',
      bytes: Buffer.concat([twoPackets, new W(true).u32(6).u32(45).done(), Buffer.alloc(60)]),
      packets: 2,
      message: /enhanced packet block: block length 45 is not a multiple of 4/,
      fatal: true,
      frame: 3,
      offset: twoPackets.length,
    },
    { name: 'block length below the minimum', bytes: Buffer.concat([twoPackets, new W(true).u32(6).u32(16).u32(0).u32(16).done()]), packets: 2, message: /block length 16 is below the minimum of 32/, fatal: true, frame: 3 },
    { name: 'generic block below 12 bytes', bytes: Buffer.concat([twoPackets, new W(true).u32(0x99).u32(8).u32(8).done()]), packets: 2, message: /block of type 0x00000099: block length 8 is below the minimum of 12/, fatal: true },
    { name: 'block length over 16 MiB', bytes: Buffer.concat([twoPackets, new W(true).u32(6).u32(MAX_BLOCK_LEN + 4).done(), Buffer.alloc(32)]), packets: 2, message: /block length 16777220 is over the 16777216-byte limit/, fatal: true },
    {
      name: 'trailer length differs from header length',
      bytes: Buffer.concat([ngHead, epb(true, 0, 1n, payload(10, 1)), block(true, BLOCK.EPB, epb(true, 0, 2n, payload(10, 2)).subarray(8, -4), { tail: 40 }), epb(true, 0, 3n, payload(10, 3))]),
      packets: 1,
      message: /enhanced packet block: trailing length 40 differs from the leading length 44/,
      fatal: true,
      frame: 2,
    },
    {
      name: 'block length running past the next block (trailer check catches it)',
      bytes: Buffer.concat([ngHead, epb(true, 0, 1n, payload(10, 1)), block(true, BLOCK.EPB, epb(true, 0, 2n, payload(10, 2)).subarray(8, -4), { head: 44 + goodEpbLen }), epb(true, 0, 3n, payload(10, 3)), Buffer.alloc(8)]),
      packets: 1,
      message: /trailing length 44 differs from the leading length 88/,
      fatal: true,
      frame: 2,
    },
    { name: 'EPB caplen running past its block', bytes: Buffer.concat([twoPackets, epb(true, 0, 3n, payload(10, 3), { caplen: 400 })]), packets: 2, message: /captured length 400 runs past the end of its 44-byte block/, fatal: true, frame: 3 },
    { name: 'SPB length running past its block', bytes: Buffer.concat([shb(true), idb(true, 1, 0), spb(true, 900, payload(10, 3))]), packets: 0, message: /simple packet block: packet length 900 runs past/, fatal: true, frame: 1 },
    { name: 'EPB for an interface never described', bytes: Buffer.concat([twoPackets, epb(true, 3, 3n, payload(10, 3))]), packets: 2, message: /packet for interface 3, but the section describes 1 interface\(s\)/, fatal: true, frame: 3 },
    { name: 'EPB before any IDB', bytes: Buffer.concat([shb(true), epb(true, 0, 3n, payload(10, 3))]), packets: 0, message: /describes 0 interface/, fatal: true, frame: 1 },
    {
      name: 'pcapng cut in the middle of the last packet',
      bytes: twoPackets.subarray(0, twoPackets.length - 5),
      packets: 1,
      message: /cut short in the middle of a packet \(enhanced packet block\) \(39 of 44 bytes\)/,
      fatal: false,
      frame: 2,
      cutShort: true,
    },
    { name: 'pcapng cut inside a block header', bytes: Buffer.concat([twoPackets, Uint8Array.of(6, 0)]), packets: 2, message: /cut short in the middle of a block header \(2 of at least 12 bytes\)/, fatal: false, cutShort: true },
    { name: 'pcapng cut in an ISB', bytes: Buffer.concat([twoPackets, isb(true, 0, [[5, 1n]]).subarray(0, 30)]), packets: 2, message: /cut short in the middle of an interface statistics block \(30 of 40 bytes\)/, fatal: false, cutShort: true },
    { name: 'ISB for an unknown interface: a warning', bytes: Buffer.concat([twoPackets, isb(true, 9, [[5, 1n]]), epb(true, 0, 9n, payload(3, 0))]), packets: 3, message: /interface statistics for interface 9/, fatal: false },
    { name: 'bad if_tsresol length: a warning, default kept', bytes: Buffer.concat([shb(true), idb(true, 1, 0, [[9, Uint8Array.of(9, 9)]]), epb(true, 0, 5_000001n, payload(3, 0))]), packets: 1, message: /if_tsresol of 2 bytes/, fatal: false },
  ];

  for (const c of CASES) {
    it(c.name, () => {
      for (const step of [0, 1, 7]) {
        const { packets, stats } = decode(c.bytes, step);
        assert.equal(packets.length, c.packets, `packets (step ${step})`);
        assert.ok(stats.problems.length >= 1, `a problem (step ${step})`);
        const p = stats.problems.find((x) => c.message.test(x.message));
        assert.ok(p, `message ${c.message} in ${JSON.stringify(stats.problems)} (step ${step})`);
        assert.equal(p.fatal, c.fatal);
        assert.equal(stats.stoppedEarly, c.fatal);
        assert.equal(stats.cutShort, c.cutShort ?? false);
        if (c.frame !== undefined) assert.equal(p.frame, c.frame);
        if (c.offset !== undefined) assert.equal(p.offset, c.offset);
        assert.ok(formatProblem(p).includes(p.message));
      }
    });
  }

  it('after a fatal problem further input is ignored', () => {
    const packets: Packet[] = [];
    const d = new CaptureDecoder((p) => packets.push(p));
    d.push(text('<!DOCTYPE html>'));
    d.push(SMALL_PCAP);
    d.end();
    assert.equal(packets.length, 0);
    assert.equal(d.stats.problems.length, 1);
    assert.equal(d.done, true);
  });

  it('describeUnknownMagic names other formats', () => {
    assert.match(describeUnknownMagic(Uint8Array.of(0x50, 0x4b, 3, 4)), /ZIP archive/);
    assert.match(describeUnknownMagic(Uint8Array.of(0x34, 0xcd, 0xb2, 0xa1)), /modified \(Kuznetzov\) pcap/);
    assert.match(describeUnknownMagic(text('snoop\0\0\0')), /snoop capture/);
  });

});

describe('framing: truncation points and chunk boundaries', () => {
  const FILES: { name: string; bytes: Buffer }[] = [
    { name: 'hand-built pcap', bytes: SMALL_PCAP },
    { name: 'hand-built pcapng', bytes: SMALL_PCAPNG },
    { name: 'tls12.pcap (real)', bytes: corpus('tls12.pcap') },
    { name: 'quic-tls-handshake.pcapng (real)', bytes: corpus('quic-tls-handshake.pcapng') },
  ];

  /** End offsets of each packet record, from decoding the whole file with a byte counter. */
  function packetEnds(bytes: Buffer): number[] {
    const ends: number[] = [];
    for (let n = 1; n <= bytes.length; n++) {
      const got = decode(bytes.subarray(0, n)).packets.length;
      if (got > ends.length) ends.push(n);
    }
    return ends;
  }

  for (const f of FILES) {
    it(`${f.name}: every prefix decodes without throwing, packets up to the cut delivered`, () => {
      const whole = decode(f.bytes);
      assert.deepEqual(whole.stats.problems, []);
      const ends = packetEnds(f.bytes);
      assert.equal(ends.length, whole.packets.length);
      for (let n = 0; n < f.bytes.length; n++) {
        const { packets, stats } = decode(f.bytes.subarray(0, n));
        const expected = ends.filter((e) => e <= n).length;
        assert.equal(packets.length, expected, `prefix ${n}`);
        assert.deepEqual(packets, whole.packets.slice(0, expected), `prefix ${n}`);
        // A cut is reported unless it falls exactly between records.
        assert.ok(stats.problems.length <= 1, `prefix ${n}`);
      }
    });

    it(`${f.name}: split at every offset, or fed 1, 2, 7 bytes at a time, gives the same packets`, () => {
      const whole = decode(f.bytes);
      for (const step of [1, 2, 7]) assert.deepEqual(decode(f.bytes, step), whole, `step ${step}`);
      for (let cut = 0; cut <= f.bytes.length; cut++) {
        const got: Got[] = [];
        const d = new CaptureDecoder((p) => got.push(keep(p)));
        d.push(f.bytes.subarray(0, cut));
        d.push(f.bytes.subarray(cut));
        d.end();
        assert.deepEqual(got, whole.packets, `cut at ${cut}`);
        assert.deepEqual(d.stats, whole.stats, `cut at ${cut}`);
      }
    });
  }

  it('a reused chunk buffer does not corrupt carried partial records', () => {
    const bytes = corpus('badcurveball.pcap');
    const whole = decode(bytes);
    for (const size of [5, 64, 1000]) {
      const got: Got[] = [];
      const d = new CaptureDecoder((p) => got.push(keep(p)));
      const buf = new Uint8Array(size);
      for (let i = 0; i < bytes.length; i += size) {
        const n = Math.min(size, bytes.length - i);
        buf.set(bytes.subarray(i, i + n));
        d.push(buf.subarray(0, n));
        buf.fill(0xaa); // the caller reuses its buffer after push() returns
      }
      d.end();
      assert.deepEqual(got, whole.packets, `size ${size}`);
    }
  });
});
