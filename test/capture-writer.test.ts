// PcapngWriter: write → read back with our reader → identical packets (comments, link
// types, nanosecond timestamps); and Wireshark's tools read what it writes.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { corpusPcapDir } from './helpers/paths.js';
import { CaptureDecoder } from '../src/capture/decoder.js';
import { PcapngWriter, WRITER_APPLICATION } from '../src/capture/pcapng-writer.js';
import { readCapture } from '../src/capture/source.js';
import type { Packet } from '../src/capture/packet.js';

const run = promisify(execFile);
const HAS_TSHARK = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;

interface Copy {
  tsSec: number;
  tsNsec: number;
  caplen: number;
  origLen: number;
  linkType: number;
  data: string;
  comment?: string;
}
const copy = (p: Packet, comment?: string): Copy => ({
  tsSec: p.tsSec,
  tsNsec: p.tsNsec,
  caplen: p.caplen,
  origLen: p.origLen,
  linkType: p.linkType,
  data: Buffer.from(p.data).toString('hex'),
  ...(comment !== undefined && { comment }),
});

/** Packets of several real files with different link types and snaplens, some commented. */
async function sourcePackets(): Promise<{ packet: Copy; snaplen: number; comment?: string }[]> {
  const out: { packet: Copy; snaplen: number; comment?: string }[] = [];
  const files: [string, number][] = [
    ['tls-alpn-h2.pcap', 262144], // NULL loopback
    ['badcurveball.pcap', 16384], // Ethernet
    ['tls12.pcap', 65535], // Ethernet, another snaplen: another IDB
  ];
  for (const [name, snaplen] of files) {
    await readCapture(join(corpusPcapDir, name), (p) => {
      const comment = p.frame % 3 === 0 ? `verdict: tls.ok (frame ${p.frame}) — ünïcode ✓` : undefined;
      out.push({ packet: copy(p), snaplen, ...(comment !== undefined && { comment }) });
    });
  }
  // Nanosecond timestamps beyond 2^53 ns and a truncated packet.
  out.push({ packet: { tsSec: 1999999999, tsNsec: 999999999, caplen: 3, origLen: 1500, linkType: 1, data: 'aabbcc' }, snaplen: 16384 });
  return out;
}

function writeAll(w: PcapngWriter, items: { packet: Copy; snaplen: number; comment?: string }[]): void {
  for (const { packet, snaplen, comment } of items) {
    w.write({ ...packet, data: Buffer.from(packet.data, 'hex') }, { snaplen, ...(comment !== undefined && { comment }) });
  }
}

function readBack(bytes: Uint8Array): { packets: Copy[]; decoder: CaptureDecoder } {
  const packets: Copy[] = [];
  const decoder = new CaptureDecoder((p) => packets.push(copy(p, p.comment)));
  decoder.push(bytes);
  decoder.end();
  return { packets, decoder };
}

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hsi-writer-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('pcapng writer', () => {
  it('in memory: write → read back gives identical packets, comments and one IDB per (link type, snaplen)', async () => {
    const items = await sourcePackets();
    const w = PcapngWriter.inMemory();
    writeAll(w, items);
    assert.equal(w.packets, items.length);
    const { packets, decoder } = readBack(w.toBuffer());
    assert.deepEqual(packets, items.map((i) => ({ ...i.packet, ...(i.comment !== undefined && { comment: i.comment }) })));
    assert.deepEqual(decoder.stats.problems, []);
    const info = decoder.info!;
    assert.equal(info.sections[0]?.application, WRITER_APPLICATION);
    assert.deepEqual(info.interfaces.map((i) => [i.linkType, i.snaplen, i.tsUnitsPerSecond]), [
      [0, 262144, 1e9],
      [1, 16384, 1e9],
      [1, 65535, 1e9],
    ]);
    assert.equal(decoder.stats.truncated, 1);
  });

  it('to a file: appended as packets come, the same bytes as in memory', async () => {
    const items = await sourcePackets();
    const path = join(dir, 'out.pcapng');
    const f = PcapngWriter.toFile(path, { os: 'Linux' });
    writeAll(f, items.slice(0, 5));
    // Blocks are on disk before close().
    assert.equal(readBack(readFileSync(path)).packets.length, 5);
    writeAll(f, items.slice(5));
    f.close();
    f.close();
    const m = PcapngWriter.inMemory({ os: 'Linux' });
    writeAll(m, items);
    assert.ok(readFileSync(path).equals(m.toBuffer()));
    assert.throws(() => f.write({ tsSec: 0, tsNsec: 0, origLen: 0, linkType: 1, data: new Uint8Array(0) }), /closed/);
    assert.throws(() => f.toBuffer(), /in-memory/);
  });

  it('tshark and capinfos read it: count, application, comments, interfaces, ns timestamps', { skip: !HAS_TSHARK && 'tshark is not installed' }, async () => {
    const items = await sourcePackets();
    const path = join(dir, 'tshark.pcapng');
    const w = PcapngWriter.toFile(path);
    writeAll(w, items);
    w.close();
    const info = (await run('capinfos', [path])).stdout;
    assert.match(info, new RegExp(`Number of packets:\\s+${items.length}\\n`));
    assert.match(info, /Capture application:\s+handshake-inspector/);
    assert.match(info, /Number of interfaces in file: 3/);
    const { stdout } = await run('tshark', ['-n', '-r', path, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.comment']);
    const rows = stdout.trimEnd().split('\n');
    assert.deepEqual(
      rows,
      items.map((it, i) => `${i + 1}|${it.packet.tsSec}.${String(it.packet.tsNsec).padStart(9, '0')}|${it.packet.origLen}|${it.packet.caplen}|${it.comment ?? ''}`),
    );
  });
});
