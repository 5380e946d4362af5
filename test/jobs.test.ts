// --jobs N against --jobs 1, byte for byte, on every capture in the repository (the
// scenario captures and the third-party corpus): the same NDJSON with the failure groups,
// the same human report, the same exit status. Workers see only their share of the flows
// (net/route.ts), so this is where ordering, numbering and the knowledge about servers
// kept by the main thread are proven.

import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { parseArgs } from '../src/cli/args.js';
import { readCommand } from '../src/cli/read.js';
import { packetOwner } from '../src/net/route.js';
import { decodePacket, Skip, TcpSegment } from '../src/net/decode.js';
import { FragmentReassembler } from '../src/net/fragments.js';
import { readCapture } from '../src/capture/source.js';
import { capturesDir, corpusDir } from './helpers/paths.js';

function captures(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...captures(p));
    else if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(name)) out.push(p);
  }
  return out;
}

class Collect extends Writable {
  chunks: Buffer[] = [];
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    cb();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

async function read(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const stdout = new Collect();
  const stderr = new Collect();
  const status = await readCommand(parseArgs(['read', ...argv]), { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream, signal: new AbortController().signal });
  return { status, stdout: stdout.text, stderr: stderr.text };
}

const all = [...captures(capturesDir), ...captures(corpusDir)];

describe('--jobs N gives what --jobs 1 gives', () => {
  it(`NDJSON with --groups, on all ${all.length} captures (2 threads)`, async () => {
    let records = 0;
    for (const file of all) {
      const one = await read([file, '--json', '--groups', '--jobs', '1']);
      const two = await read([file, '--json', '--groups', '--jobs', '2']);
      assert.equal(two.stdout, one.stdout, file);
      assert.equal(two.status, one.status, file);
      assert.equal(two.stderr, one.stderr, file);
      records += one.stdout.split('\n').filter((l) => l.startsWith('{"id"')).length;
    }
    assert.ok(records > 400, `records compared: ${records}`);
  });

  it('the human report and --only-failed, with 3 threads', async () => {
    const some = all.filter((f) => /demo|vantage-(client|server)|proxy-tunnelled|quic-ok|hostkey|keylog-tls13|cert-expired/.test(f));
    assert.ok(some.length >= 8, `${some.length} captures`);
    for (const file of some) {
      for (const extra of [[], ['--json', '--only-failed']]) {
        const one = await read([file, '--color', 'never', ...extra, '--jobs', '1']);
        const three = await read([file, '--color', 'never', ...extra, '--jobs', '3']);
        assert.equal(three.stdout, one.stdout, `${file} ${extra.join(' ')}`);
        assert.equal(three.status, one.status);
      }
    }
  });
});

describe('which worker owns a packet', () => {
  /** Owners (of 4) of every packet of a capture, by the engine's own decoding. */
  async function owners(file: string): Promise<{ r: Skip; flow: string; owner: number }[]> {
    const seg = new TcpSegment();
    const frags = new FragmentReassembler();
    const out: { r: Skip; flow: string; owner: number }[] = [];
    await readCapture(file, (p) => {
      const r = decodePacket(p.linkType, p.data, seg, frags, p.frame, p.tsSec);
      const a = `${seg.ipVersion === 4 ? seg.src4 : seg.src6.join('.')}:${seg.srcPort}`;
      const b = `${seg.ipVersion === 4 ? seg.dst4 : seg.dst6.join('.')}:${seg.dstPort}`;
      out.push({ r, flow: a < b ? `${a}-${b}` : `${b}-${a}`, owner: packetOwner(r, seg, 4) });
    });
    return out;
  }

  it('both directions of a connection, and the ICMP errors about it, have one owner; connections spread', async () => {
    // a refused port answered by ICMP, IPv6, GRE/ERSPAN/VXLAN tunnels, the bench-like demo
    const files = [join(capturesDir, 'tcp-rejected-icmp.pcap'), join(capturesDir, 'demo.pcapng'), join(corpusDir, 'pcap', 'v6.pcap'), join(corpusDir, 'pcap', 'gre-erspan-vxlan.pcap')];
    const used = new Set<number>();
    let icmp = 0;
    for (const file of files) {
      const byFlow = new Map<string, number>();
      for (const x of await owners(file)) {
        if (x.r === Skip.Udp) assert.equal(x.owner, 0, 'UDP stays on worker 0 (QUIC follows its connection IDs)');
        if (x.r !== Skip.None && x.r !== Skip.IcmpError) continue;
        if (x.r === Skip.IcmpError) icmp++;
        const o = byFlow.get(x.flow);
        if (o === undefined) byFlow.set(x.flow, x.owner);
        else assert.equal(x.owner, o, `${file}: ${x.flow}`);
        used.add(x.owner);
      }
    }
    assert.ok(icmp > 0, 'ICMP errors were routed with their connection');
    assert.equal(used.size, 4, 'every worker owns some connections');
  });
});
