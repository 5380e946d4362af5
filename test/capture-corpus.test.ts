// The reader on real third-party captures (test/corpus/ja4/pcap): frame counts from
// capinfos, every frame's timestamp and lengths against tshark, the classic-pcap files
// against pcap-parser as an independent oracle, and files re-written by Wireshark's own
// tools (nanosecond pcap, pcapng, merged link types, concatenated sections).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { corpusPcapDir } from './helpers/paths.js';
import { readCapture, type CaptureResult } from '../src/capture/source.js';
import type { Packet } from '../src/capture/packet.js';

const run = promisify(execFile);
const has = (tool: string): boolean => spawnSync(tool, ['-v'], { stdio: 'ignore' }).status === 0;
const HAS_TSHARK = has('tshark');
const HAS_EDITCAP = has('editcap') && has('mergecap');

/** Frame counts (capinfos -c), the format by magic (not by name) and link types, computed once. */
const EXPECTED: [name: string, packets: number, format: 'pcap' | 'pcapng', linkTypes: number[]][] = [
  ['CVE-2018-6794.pcap', 33, 'pcap', [1]],
  ['badcurveball.pcap', 12, 'pcap', [1]],
  ['browsers-x509.pcapng', 179, 'pcapng', [1]],
  ['chrome-cloudflare-quic-with-secrets.pcapng', 83, 'pcapng', [1]],
  ['dhcp.pcapng', 4, 'pcapng', [1]],
  ['dhcpv6.pcap', 12, 'pcap', [1]],
  ['dtls-udp.notest.cap', 7, 'pcap', [1]],
  ['gre-erspan-vxlan.pcap', 7, 'pcap', [1]],
  ['gre-sample.pcap', 40, 'pcap', [1]],
  ['http-empty-useragent.pcap', 16, 'pcap', [0]],
  ['http1-with-cookies.pcapng', 12, 'pcapng', [0]],
  ['http1.pcapng', 184, 'pcap', [1]],
  ['http2-with-cookies.pcapng', 1607, 'pcapng', [1]],
  ['https-connect.pcap', 18, 'pcap', [1]],
  ['https3-301-get.pcap', 23, 'pcap', [1]],
  ['ipv6.pcapng', 9, 'pcap', [0]],
  ['latest.pcapng', 209, 'pcapng', [1]],
  ['macos_tcp_flags.pcap', 43, 'pcap', [1]],
  ['quic-tls-handshake.pcapng', 1, 'pcapng', [1]],
  ['quic-with-several-tls-frames.pcapng', 1, 'pcapng', [1]],
  ['single-packets.pcap', 9, 'pcap', [1]],
  ['socks-https-example.pcap', 93, 'pcap', [1]],
  ['socks4-https.pcap', 16, 'pcap', [1]],
  ['ssh-r.pcap', 1852, 'pcap', [1]],
  ['ssh-scp-1050.pcap', 1000, 'pcap', [1]],
  ['ssh.pcapng', 318, 'pcapng', [1]],
  ['ssh2-malformed.pcap', 22, 'pcap', [1]],
  ['ssh2-moloch-crash.pcap', 22, 'pcap', [1]],
  ['ssh2.pcapng', 1391, 'pcapng', [1]],
  ['sshv1.pcap', 161, 'pcap', [1]],
  ['tcpdump-geneve.pcap', 39, 'pcap', [1]],
  ['tls-alpn-h2.pcap', 9, 'pcap', [0]],
  ['tls-handshake.pcapng', 193, 'pcapng', [1]],
  ['tls-non-ascii-alpn.pcapng', 2, 'pcapng', [1]],
  ['tls-sni.pcapng', 84, 'pcapng', [1]],
  ['tls12.pcap', 1, 'pcap', [1]],
  ['tls3.pcapng', 1189, 'pcapng', [1]],
  ['v6.pcap', 161, 'pcap', [1]],
];

/** Classic pcap files also compared frame by frame with tshark (the rest: with pcap-parser). */
const TSHARK_CLASSIC = ['http1.pcapng', 'ipv6.pcapng', 'ssh-r.pcap', 'tls-alpn-h2.pcap'];

/** Interface statistics blocks some files carry (read with a hex dump once). */
const ISB_EXPECTED: [name: string, received: number, dropped: number][] = [
  ['latest.pcapng', 209, 0],
  ['http1-with-cookies.pcapng', 12, 0],
  ['tls-handshake.pcapng', 17417, 0],
  ['ssh.pcapng', 1391, 0],
];

/** One line per frame, as tshark prints it: number, epoch time (9 digits), len, caplen, interface. */
const frameLine = (p: Packet): string => `${p.frame}\t${p.tsSec}.${String(p.tsNsec).padStart(9, '0')}\t${p.origLen}\t${p.caplen}\t${p.interfaceId}`;

async function readLines(path: string): Promise<{ lines: string[]; result: CaptureResult }> {
  const lines: string[] = [];
  const result = await readCapture(path, (p) => lines.push(frameLine(p)));
  return { lines, result };
}

async function tsharkLines(path: string): Promise<string[]> {
  const { stdout } = await run(
    'tshark',
    ['-n', '--disable-protocol', 'ALL', '-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.interface_id'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  // Classic pcap has no interface id field: tshark leaves it empty.
  return stdout.split('\n').filter(Boolean).map((l) => (l.endsWith('\t') ? l + '0' : l));
}

/** Run `fn` over items, `width` at a time. */
async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

describe('real captures (test/corpus/ja4/pcap)', () => {
  it('the table covers every file in the corpus directory', () => {
    assert.deepEqual(readdirSync(corpusPcapDir).sort(), EXPECTED.map(([n]) => n).sort());
  });

  for (const [name, packets, format, linkTypes] of EXPECTED) {
    it(`${name}: ${packets} frames, ${format}, no problems`, async () => {
      const { lines, result } = await readLines(join(corpusPcapDir, name));
      assert.equal(lines.length, packets);
      assert.equal(result.stats.packets, packets);
      assert.deepEqual(result.stats.problems, []);
      assert.equal(result.stats.cutShort, false);
      assert.equal(result.stats.stoppedEarly, false);
      assert.equal(result.info?.format, format);
      assert.deepEqual(result.stats.linkTypes.map((l) => l.linkType), linkTypes);
      assert.equal(result.compressed, false);
    });
  }

  for (const [name, received, dropped] of ISB_EXPECTED) {
    it(`${name}: interface statistics (isb_ifrecv ${received}, isb_ifdrop ${dropped}) in stats`, async () => {
      const { result } = await readLines(join(corpusPcapDir, name));
      assert.equal(result.stats.drops.length, 1);
      assert.equal(result.stats.drops[0]!.received, received);
      assert.equal(result.stats.drops[0]!.dropped, dropped);
      assert.equal(result.stats.drops[0]!.osDropped, undefined);
    });
  }

  // tshark costs ~0.3 s per start: every pcapng file, and classic files of each link type
  // (pcap-parser checks every classic file below).
  const forTshark = EXPECTED.filter(([name, , format]) => format === 'pcapng' || TSHARK_CLASSIC.includes(name));
  it(`every frame of ${forTshark.length} files matches tshark (number, epoch time to the ns, len, caplen, interface)`, { skip: !HAS_TSHARK && 'tshark is not installed' }, async () => {
    let frames = 0;
    await pool(forTshark.map(([n]) => n), 2, async (name) => {
      const path = join(corpusPcapDir, name);
      const [ours, theirs] = await Promise.all([readLines(path), tsharkLines(path)]);
      assert.deepEqual(ours.lines, theirs, name);
      frames += theirs.length;
    });
    assert.equal(frames, forTshark.reduce((n, [, p]) => n + p, 0));
  });
});

// pcap-parser 0.2.1 ships no types: the part of its API used here.
interface PcapParserPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}
interface PcapParserEmitter {
  on(ev: 'packet', f: (p: PcapParserPacket) => void): this;
  on(ev: 'end', f: () => void): this;
  on(ev: 'error', f: (e: Error) => void): this;
}
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(path: string): PcapParserEmitter };

function parseWithPcapParser(path: string): Promise<PcapParserPacket[]> {
  return new Promise((resolve, reject) => {
    const out: PcapParserPacket[] = [];
    pcapParser
      .parse(path)
      .on('packet', (p) => out.push({ header: { ...p.header }, data: Buffer.from(p.data) }))
      .on('end', () => resolve(out))
      .on('error', reject);
  });
}

describe('pcap-parser as an independent oracle (microsecond pcap files)', () => {
  const classic = EXPECTED.filter(([name]) => readFileSync(join(corpusPcapDir, name)).readUInt32LE(0) === 0xa1b2c3d4);

  it('there are classic microsecond files to compare', () => assert.ok(classic.length >= 20, `${classic.length}`));

  for (const [name] of classic) {
    it(`${name}: same packets as pcap-parser`, async () => {
      const path = join(corpusPcapDir, name);
      const oracle = await parseWithPcapParser(path);
      const ours: { tsSec: number; tsNsec: number; caplen: number; origLen: number; data: Buffer }[] = [];
      await readCapture(path, (p) => ours.push({ tsSec: p.tsSec, tsNsec: p.tsNsec, caplen: p.caplen, origLen: p.origLen, data: Buffer.from(p.data) }));
      assert.equal(ours.length, oracle.length);
      ours.forEach((p, i) => {
        const o = oracle[i]!;
        assert.deepEqual(
          [p.tsSec, p.tsNsec, p.caplen, p.origLen],
          [o.header.timestampSeconds, o.header.timestampMicroseconds * 1000, o.header.capturedLength, o.header.originalLength],
          `${name} frame ${i + 1}`,
        );
        assert.ok(p.data.equals(o.data), `${name} frame ${i + 1} bytes`);
      });
    });
  }
});

describe("files re-written by Wireshark's tools", { skip: !HAS_EDITCAP && 'editcap/mergecap are not installed' }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hsi-capture-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const collect = async (path: string): Promise<{ packets: { ts: string; len: number; data: string; linkType: number; interfaceId: number; frame: number }[]; result: CaptureResult }> => {
    const packets: { ts: string; len: number; data: string; linkType: number; interfaceId: number; frame: number }[] = [];
    const result = await readCapture(path, (p) =>
      packets.push({ ts: `${p.tsSec}.${p.tsNsec}`, len: p.origLen, data: Buffer.from(p.data).toString('hex'), linkType: p.linkType, interfaceId: p.interfaceId, frame: p.frame }),
    );
    return { packets, result };
  };

  const EDITCAP_CASES: { name: string; src: string; format: string; check: (r: CaptureResult, out: Buffer) => void }[] = [
    {
      name: 'nanosecond pcap',
      src: 'socks-https-example.pcap',
      format: 'nsecpcap',
      check: (r, out) => {
        assert.equal(out.readUInt32LE(0), 0xa1b23c4d);
        assert.equal(r.info?.timestampPrecision, 'nanoseconds');
      },
    },
    { name: 'pcapng', src: 'ssh-r.pcap', format: 'pcapng', check: (r) => assert.equal(r.info?.format, 'pcapng') },
  ];
  for (const c of EDITCAP_CASES) {
    it(`editcap -F ${c.format}: the same file as ${c.name} gives the same packets`, async () => {
      const src = join(corpusPcapDir, c.src);
      const out = join(dir, `${c.src}.${c.format}`);
      await run('editcap', ['-F', c.format, src, out]);
      const a = await collect(src);
      const b = await collect(out);
      c.check(b.result, readFileSync(out));
      assert.ok(a.packets.length > 0);
      assert.deepEqual(b.packets, a.packets);
    });
  }

  it('mergecap of two link types: one pcapng, two interfaces, each packet with its own link type', async () => {
    const out = join(dir, 'merged.pcapng');
    await run('mergecap', ['-w', out, join(corpusPcapDir, 'tls-alpn-h2.pcap'), join(corpusPcapDir, 'tls12.pcap')]);
    const { packets, result } = await collect(out);
    assert.equal(packets.length, 10);
    assert.deepEqual(result.stats.linkTypes.map((l) => [l.linkType, l.packets]).sort(), [
      [0, 9],
      [1, 1],
    ]);
    for (const p of packets) assert.equal(p.linkType, p.interfaceId === 0 ? 0 : 1);
    if (HAS_TSHARK) assert.deepEqual((await readLines(out)).lines, await tsharkLines(out));
  });

  it('two pcapng files concatenated: two sections, frames numbered across both', async () => {
    const a = readFileSync(join(corpusPcapDir, 'tls-non-ascii-alpn.pcapng'));
    const b = readFileSync(join(corpusPcapDir, 'http1-with-cookies.pcapng'));
    const out = join(dir, 'two-sections.pcapng');
    writeFileSync(out, Buffer.concat([a, b]));
    const { packets, result } = await collect(out);
    assert.equal(packets.length, 2 + 12);
    assert.deepEqual(packets.map((p) => p.frame), Array.from({ length: 14 }, (_, i) => i + 1));
    assert.equal(result.info?.sections.length, 2);
    assert.deepEqual(packets.map((p) => p.linkType), [1, 1, ...Array(12).fill(0)]);
    assert.equal(result.stats.drops.length, 2);
    if (HAS_TSHARK) assert.deepEqual((await readLines(out)).lines, await tsharkLines(out));
  });
});
