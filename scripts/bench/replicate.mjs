#!/usr/bin/env node
// Build a large capture from a real one: write the base capture's packets again and
// again, each copy with its client addresses moved to a new /24 and its timestamps moved
// after the previous copy, until the output reaches the target size. The traffic in every
// copy is real (made by real clients and servers); only the client addresses and the
// times differ, so each copy's connections are distinct connections.
//
// usage: replicate.mjs BASE.pcap OUT.pcap TARGET_BYTES CLIENT_PREFIX
//   CLIENT_PREFIX: the first three octets of the client addresses to move, e.g. 10.99.1
import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';

const [base, out, targetArg, prefix] = process.argv.slice(2);
if (!base || !out || !targetArg || !prefix) {
  console.error('usage: replicate.mjs BASE.pcap OUT.pcap TARGET_BYTES CLIENT_PREFIX');
  process.exit(2);
}
const target = Number(targetArg);
const buf = readFileSync(base);
if (buf.readUInt32LE(0) !== 0xa1b2c3d4 || buf.readUInt32LE(20) !== 1) {
  console.error('base must be a little-endian microsecond pcap with Ethernet link type');
  process.exit(2);
}
const [p1, p2, p3] = prefix.split('.').map(Number);
// Index packet records once.
const recs = [];
for (let off = 24; off + 16 <= buf.length; ) {
  const caplen = buf.readUInt32LE(off + 8);
  recs.push(off);
  off += 16 + caplen;
}
const first = buf.readUInt32LE(24);
const lastOff = recs[recs.length - 1];
const span = buf.readUInt32LE(lastOff) - first + 2;

const fd = openSync(out, 'w');
writeSync(fd, buf.subarray(0, 24));
let written = 24;
let copy = 0;
let packets = 0;
const chunk = Buffer.alloc(8 * 1024 * 1024);
let used = 0;
const flush = () => {
  writeSync(fd, chunk.subarray(0, used));
  used = 0;
};
while (written < target) {
  // Client network of this copy: 10.(100 + copy / 256).(copy % 256).x
  const o2 = 100 + (copy >> 8);
  const o3 = copy & 255;
  for (const off of recs) {
    const caplen = buf.readUInt32LE(off + 8);
    const n = 16 + caplen;
    if (used + n > chunk.length) flush();
    buf.copy(chunk, used, off, off + n);
    chunk.writeUInt32LE(buf.readUInt32LE(off) + copy * span, used);
    const ip = used + 16 + 14;
    if (caplen >= 34 && chunk[used + 16 + 12] === 0x08 && chunk[used + 16 + 13] === 0x00) {
      for (const a of [ip + 12, ip + 16]) {
        if (chunk[a] === p1 && chunk[a + 1] === p2 && chunk[a + 2] === p3) {
          chunk[a] = 10;
          chunk[a + 1] = o2;
          chunk[a + 2] = o3;
        }
      }
    }
    used += n;
    written += n;
    packets++;
  }
  copy++;
}
flush();
closeSync(fd);
console.log(JSON.stringify({ copies: copy, packets, bytes: written, basePackets: recs.length }));
