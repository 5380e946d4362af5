#!/usr/bin/env node
// The floors hsi is measured against (scripts/bench.sh):
//   walk  FILE: a bare loop over the pcap records, 4 MiB reads (what reading costs at all)
//   flows FILE: the same plus IP/TCP header parsing and a flow table keyed by the 4-tuple
//               (what any flow-aware tool must pay before decoding a single handshake)
import { openSync, readSync, closeSync } from 'node:fs';

const [mode, file] = process.argv.slice(2);
const fd = openSync(file, 'r');
const buf = Buffer.alloc(4 * 1024 * 1024);
let have = readSync(fd, buf, 0, buf.length, null);
let off = 24;
let packets = 0;
let bytes = 0;
const flows = new Map();
const ETH = 14;
function onPacket(p, caplen) {
  if (mode !== 'flows') return;
  if (buf[p + 12] !== 8 || buf[p + 13] !== 0) return;
  const ip = p + ETH;
  if (buf[ip + 9] !== 6) return;
  const ihl = (buf[ip] & 15) * 4;
  const t = ip + ihl;
  const src = buf.readUInt32BE(ip + 12), dst = buf.readUInt32BE(ip + 16);
  const sp = buf.readUInt16BE(t), dp = buf.readUInt16BE(t + 2);
  const a = src * 65536 + sp, b = dst * 65536 + dp;
  const lo = a < b ? a : b, hi = a < b ? b : a;
  let inner = flows.get(lo);
  if (!inner) flows.set(lo, (inner = new Map()));
  const f = inner.get(hi);
  const flags = buf[t + 13];
  const seq = buf.readUInt32BE(t + 4);
  if (f) { f.packets++; f.seq = seq; f.flags |= flags; } else inner.set(hi, { packets: 1, seq, flags });
  void caplen;
}
for (;;) {
  while (off + 16 <= have) {
    const caplen = buf.readUInt32LE(off + 8);
    if (off + 16 + caplen > have) break;
    onPacket(off + 16, caplen);
    packets++;
    bytes += caplen;
    off += 16 + caplen;
  }
  const rest = have - off;
  buf.copy(buf, 0, off, have);
  const n = readSync(fd, buf, rest, buf.length - rest, null);
  if (n === 0) break;
  have = rest + n;
  off = 0;
}
closeSync(fd);
let nflows = 0;
for (const m of flows.values()) nflows += m.size;
console.log(JSON.stringify({ mode, packets, bytes, flows: nflows }));
