#!/usr/bin/env node
// A SYN flood capture for the benchmark and the memory test (adversarial load, not a
// scenario: generated, not captured): COUNT SYNs to DST:443 from random sources, none
// answered, 10 µs apart, valid IPv4 and TCP checksums, written as a microsecond pcap.
//
//   node scripts/bench/synflood.mjs OUT.pcap [COUNT=1000000] [SEED=1]
import { openSync, writeSync, closeSync } from 'node:fs';

const [out, countArg, seedArg] = process.argv.slice(2);
if (!out) {
  console.error('usage: synflood.mjs OUT.pcap [COUNT] [SEED]');
  process.exit(2);
}
const count = Number(countArg ?? 1_000_000);
let seed = Number(seedArg ?? 1) >>> 0 || 1;
const rand = () => ((seed ^= seed << 13), (seed ^= seed >>> 17), (seed ^= seed << 5), seed >>> 0);

const DST = [10, 99, 1, 2];
const FRAME = 14 + 20 + 40; // Ethernet, IPv4, TCP with MSS, SACK-permitted, timestamps, NOP, window scale
const fd = openSync(out, 'w');
const header = Buffer.alloc(24);
header.writeUInt32LE(0xa1b2c3d4, 0);
header.writeUInt16LE(2, 4);
header.writeUInt16LE(4, 6);
header.writeUInt32LE(262144, 16);
header.writeUInt32LE(1, 20);
writeSync(fd, header);

const BATCH = 8192;
const buf = Buffer.alloc(BATCH * (16 + FRAME));
function sum16(b, start, end, init = 0) {
  let s = init;
  for (let i = start; i < end; i += 2) s += (b[i] << 8) | b[i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
let t0 = 1_800_000_000;
for (let done = 0; done < count; ) {
  const n = Math.min(BATCH, count - done);
  let o = 0;
  for (let i = 0; i < n; i++, done++) {
    const us = done * 10;
    buf.writeUInt32LE(t0 + Math.floor(us / 1e6), o);
    buf.writeUInt32LE(us % 1e6, o + 4);
    buf.writeUInt32LE(FRAME, o + 8);
    buf.writeUInt32LE(FRAME, o + 12);
    const p = o + 16;
    buf.fill(0, p, p + FRAME);
    buf.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00], p);
    const ip = p + 14;
    const src = [rand() % 223 + 1, rand() & 255, rand() & 255, (rand() % 254) + 1];
    buf.set([0x45, 0, 0, 60, (done >>> 8) & 255, done & 255, 0x40, 0, 64, 6, 0, 0, ...src, ...DST], ip);
    const ipsum = ~sum16(buf, ip, ip + 20) & 0xffff;
    buf.writeUInt16BE(ipsum, ip + 10);
    const tcp = ip + 20;
    buf.writeUInt16BE(1024 + (rand() % 64000), tcp);
    buf.writeUInt16BE(443, tcp + 2);
    buf.writeUInt32BE(rand(), tcp + 4);
    buf[tcp + 12] = 0xa0; // 40-byte header
    buf[tcp + 13] = 0x02; // SYN
    buf.writeUInt16BE(64240, tcp + 14);
    buf.set([2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7], tcp + 20);
    // pseudo-header: src, dst, protocol, TCP length
    let s = sum16(buf, ip + 12, ip + 20, 6 + 40);
    s = sum16(buf, tcp, tcp + 40, s);
    buf.writeUInt16BE(~s & 0xffff, tcp + 16);
    o += 16 + FRAME;
  }
  writeSync(fd, buf, 0, o);
}
closeSync(fd);
console.error(`${out}: ${count} SYNs`);
