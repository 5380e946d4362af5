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
import { FragmentRouter, ROUTE_ALL, ROUTE_FRAGMENT, routePacket, type RouteInfo } from '../src/net/route.js';
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

describe('routing packets to workers', () => {
  const info: RouteInfo = { fragment: '', first: false, hash: 0 };
  // IPv4/TCP in Ethernet, from a to b
  function tcp(src: number[], dst: number[], sport: number, dport: number, frag = 0): Uint8Array {
    const b = new Uint8Array(14 + 20 + 20);
    b[12] = 0x08;
    b[14] = 0x45;
    b[14 + 6] = frag >> 8;
    b[14 + 7] = frag & 0xff;
    b[14 + 9] = 6;
    b.set(src, 14 + 12);
    b.set(dst, 14 + 16);
    b[34] = sport >> 8;
    b[35] = sport & 0xff;
    b[36] = dport >> 8;
    b[37] = dport & 0xff;
    return b;
  }

  it('both directions of a flow go to one worker; flows spread', () => {
    const seen = new Set<number>();
    for (let port = 40000; port < 40064; port++) {
      const a = routePacket(1, tcp([10, 0, 0, 1], [10, 0, 0, 2], port, 443), 4, info);
      const b = routePacket(1, tcp([10, 0, 0, 2], [10, 0, 0, 1], 443, port), 4, info);
      assert.equal(a, b);
      seen.add(a);
    }
    assert.equal(seen.size, 4, 'one client, 64 ports: every worker gets some');
  });

  it('ICMP errors go to every worker, UDP to the first, fragments wait for their first piece', () => {
    const icmp = tcp([10, 0, 0, 9], [10, 0, 0, 1], 0, 0);
    icmp[14 + 9] = 1;
    icmp[34] = 3; // destination unreachable
    assert.equal(routePacket(1, icmp, 4, info), ROUTE_ALL);
    const udp = tcp([10, 0, 0, 1], [10, 0, 0, 2], 5000, 443);
    udp[14 + 9] = 17;
    assert.equal(routePacket(1, udp, 4, info), 0);

    const delivered: [number, string][] = [];
    const router = new FragmentRouter<string>(4, (p) => p, (w, p) => delivered.push([w, p]));
    const whole = routePacket(1, tcp([10, 0, 0, 1], [10, 0, 0, 2], 40001, 443), 4, info);
    // the second piece (offset 8 bytes, no ports) comes first: held until the first piece
    assert.equal(routePacket(1, tcp([10, 0, 0, 1], [10, 0, 0, 2], 0, 0, 1), 4, info), ROUTE_FRAGMENT);
    router.route(info, 'second');
    assert.deepEqual(delivered, []);
    assert.equal(routePacket(1, tcp([10, 0, 0, 1], [10, 0, 0, 2], 40001, 443, 0x2000), 4, info), ROUTE_FRAGMENT);
    router.route(info, 'first');
    assert.deepEqual(delivered, [[whole, 'second'], [whole, 'first']]);
  });
});
