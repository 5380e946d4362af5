// readCapture / readCaptureChunks: files (fast path and its chunk size), gzip (whole,
// chunked, cut short, corrupt), input errors as messages, AbortSignal, and streaming:
// standard input and a FIFO deliver packets while the writer is still writing.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as zlibConstants, createGzip, gzipSync } from 'node:zlib';
import { corpusPcapDir } from './helpers/paths.js';
import { describeFsError, readCapture, readCaptureChunks, type CaptureResult } from '../src/capture/source.js';
import type { Packet } from '../src/capture/packet.js';

const corpus = (name: string): string => join(corpusPcapDir, name);

interface Seen {
  frame: number;
  ts: string;
  caplen: number;
  origLen: number;
  data: string;
}
const seen = (p: Packet): Seen => ({ frame: p.frame, ts: `${p.tsSec}.${p.tsNsec}`, caplen: p.caplen, origLen: p.origLen, data: Buffer.from(p.data).toString('hex') });

async function readAll(path: string, opts: Parameters<typeof readCapture>[2] = {}): Promise<{ packets: Seen[]; result: CaptureResult }> {
  const packets: Seen[] = [];
  const result = await readCapture(path, (p) => packets.push(seen(p)), opts);
  return { packets, result };
}

async function* chunksOf(bytes: Uint8Array, step: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += step) yield bytes.slice(i, i + step);
}

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hsi-source-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('files', () => {
  it('a missing file: "cannot open X: no such file", nothing thrown', async () => {
    const { packets, result } = await readAll('/nonexistent/dir/x.pcap');
    assert.equal(packets.length, 0);
    assert.equal(result.info, null);
    assert.deepEqual(result.stats.problems.map((p) => [p.message, p.fatal]), [['cannot open /nonexistent/dir/x.pcap: no such file', true]]);
  });

  it('a directory: "cannot read X: is a directory"', async () => {
    const { result } = await readAll(dir);
    assert.deepEqual(result.stats.problems.map((p) => p.message), [`cannot read ${dir}: is a directory`]);
  });

  it('file system errors become one plain line', () => {
    const cases: [string, 'open' | 'read', string][] = [
      ['EACCES', 'open', 'cannot open x.pcap: permission denied'],
      ['EPERM', 'open', 'cannot open x.pcap: permission denied'],
      ['ENOENT', 'open', 'cannot open x.pcap: no such file'],
      ['EISDIR', 'read', 'cannot read x.pcap: is a directory'],
      ['EIO', 'read', 'cannot read x.pcap: input/output error'],
    ];
    for (const [code, verb, message] of cases) assert.equal(describeFsError(verb, 'x.pcap', Object.assign(new Error(code), { code })), message);
    assert.equal(describeFsError('read', 'x.pcap', Object.assign(new Error('ESTRANGE: odd'), { code: 'ESTRANGE' })), 'cannot read x.pcap: ESTRANGE: odd');
  });

  it('an empty file and an HTML page', async () => {
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    assert.deepEqual((await readAll(empty)).result.stats.problems.map((p) => p.message), ['empty input: no capture data at all']);
    const html = join(dir, 'download.pcap');
    writeFileSync(html, '<html><head><title>404</title></head></html>\n');
    assert.deepEqual((await readAll(html)).result.stats.problems.map((p) => p.message), ['not a pcap or pcapng file: starts with 3c 68 74 6d (looks like HTML/text)']);
  });

  it('the chunk size does not change the packets (records straddle 64 KiB reads)', async () => {
    for (const name of ['http2-with-cookies.pcapng', 'ssh-scp-1050.pcap']) {
      const whole = await readAll(corpus(name));
      const small = await readAll(corpus(name), { chunkSize: 64 * 1024 + 3 });
      assert.ok(whole.packets.length > 900);
      assert.deepEqual(small.packets, whole.packets, name);
      assert.deepEqual(small.result.stats, whole.result.stats, name);
    }
  });

  it('a file cut in the middle of a packet: a warning, every whole packet delivered', async () => {
    const bytes = readFileSync(corpus('ssh-scp-1050.pcap'));
    const path = join(dir, 'cut.pcap');
    writeFileSync(path, bytes.subarray(0, bytes.length - 100));
    const { packets, result } = await readAll(path);
    assert.equal(packets.length, 999);
    assert.equal(result.stats.cutShort, true);
    assert.equal(result.stats.stoppedEarly, false);
    assert.equal(result.stats.problems.length, 1);
    assert.match(result.stats.problems[0]!.message, /^cut short in the middle of a packet/);
    assert.equal(result.stats.problems[0]!.frame, 1000);
  });

  it('an AbortSignal stops reading: what was read is kept', async () => {
    const ac = new AbortController();
    const packets: number[] = [];
    const result = await readCapture(corpus('http2-with-cookies.pcapng'), (p) => {
      packets.push(p.frame);
      if (p.frame === 1) ac.abort();
    }, { signal: ac.signal, chunkSize: 64 * 1024 });
    assert.ok(packets.length >= 1 && packets.length < 1607, `${packets.length}`);
    assert.equal(result.stats.aborted, true);
    assert.equal(result.stats.stoppedEarly, true);
    assert.equal(result.stats.packets, packets.length);
  });
});

describe('an exception from the packet callback is a bug: it propagates, it is not a read problem', () => {
  for (const [name, make] of [
    ['regular file', (f: string): string => f],
    ['gzip stream', (f: string): string => {
      const gz = join(dir, 'throw.gz');
      writeFileSync(gz, gzipSync(readFileSync(f)));
      return gz;
    }],
  ] as const) {
    it(name, async () => {
      const boom = new Error('engine bug');
      await assert.rejects(readCapture(make(corpus('tls-sni.pcapng')), (p) => {
        if (p.frame === 3) throw boom;
      }), (e) => e === boom);
    });
  }
});

describe('gzip', () => {
  for (const name of ['ssh.pcapng', 'socks-https-example.pcap']) {
    it(`${name} gzip-compressed: recognised by magic, same packets`, async () => {
      const plain = await readAll(corpus(name));
      const gz = join(dir, `${name}.data`); // no .gz: detection is by magic
      writeFileSync(gz, gzipSync(readFileSync(corpus(name))));
      const { packets, result } = await readAll(gz);
      assert.equal(result.compressed, true);
      assert.deepEqual(packets, plain.packets);
      assert.deepEqual(result.stats.problems, []);
    });
  }

  it('gzip chunks fed 1, 2 and 7 bytes at a time', async () => {
    for (const [name, step] of [['tls-non-ascii-alpn.pcapng', 1], ['tls12.pcap', 2], ['tls-sni.pcapng', 7]] as const) {
      const raw = readFileSync(corpus(name));
      const plain = await readAll(corpus(name));
      const packets: Seen[] = [];
      const r = await readCaptureChunks(chunksOf(gzipSync(raw), step), (p) => packets.push(seen(p)));
      assert.equal(r.compressed, true);
      assert.deepEqual(packets, plain.packets, `step ${step}`);
    }
  });

  it('a gzip file cut short: a warning, the packets before the cut delivered', async () => {
    const gz = gzipSync(readFileSync(corpus('ssh2.pcapng')));
    const path = join(dir, 'cut.pcapng.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
    const { packets, result } = await readAll(path);
    assert.ok(packets.length > 100 && packets.length < 1391, `${packets.length}`);
    assert.equal(result.stats.cutShort, true);
    assert.ok(result.stats.problems.some((p) => p.message === 'gzip data cut short: the compressed file ends early' && !p.fatal));
    assert.ok(result.stats.problems.every((p) => !p.fatal));
  });

  it('corrupt gzip data: a fatal problem, no exception, what came before delivered', async () => {
    const gz = Buffer.from(gzipSync(readFileSync(corpus('ssh2.pcapng'))));
    const at = gz.length - 1000;
    for (let i = at; i < at + 400; i++) gz[i] = 0xff;
    const path = join(dir, 'corrupt.gz');
    writeFileSync(path, gz);
    const { packets, result } = await readAll(path);
    assert.ok(packets.length > 500 && packets.length < 1391, `${packets.length}`);
    const fatal = result.stats.problems.filter((p) => p.fatal);
    assert.equal(fatal.length, 1, JSON.stringify(result.stats.problems));
    assert.match(fatal[0]!.message, /^gzip data is corrupt: /);
    assert.equal(result.stats.stoppedEarly, true);
  });
});

describe('iterables and streams', () => {
  it('readCaptureChunks: an iterable that fails mid-way gives a read error, packets kept', async () => {
    const bytes = readFileSync(corpus('badcurveball.pcap'));
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, 1000);
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    const packets: Seen[] = [];
    const r = await readCaptureChunks(failing(), (p) => packets.push(seen(p)), { name: 'disk.pcap' });
    assert.ok(packets.length >= 1);
    assert.deepEqual(r.stats.problems.map((p) => [p.message, p.fatal]), [['cannot read disk.pcap: input/output error', true]]);
  });

  it('an AbortSignal ends the wait for a source that has gone quiet', async () => {
    const bytes = readFileSync(corpus('badcurveball.pcap'));
    async function* quiet(): AsyncGenerator<Uint8Array> {
      yield bytes;
      await new Promise(() => {}); // the writer never writes again
    }
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await readCaptureChunks(quiet(), () => {}, { signal: ac.signal });
    assert.equal(r.stats.packets, 12);
    assert.equal(r.stats.aborted, true);
  });

  const sourceModule = fileURLToPath(new URL('../src/capture/source.js', import.meta.url));

  /** Wait until `child`'s stdout has printed a line matching re. */
  function waitForLine(child: ChildProcess, re: RegExp, ms: number): Promise<string> {
    return new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; got ${JSON.stringify(buf)}`)), ms);
      const onData = (d: Buffer): void => {
        buf += d.toString();
        const m = buf.split('\n').find((l) => re.test(l));
        if (m !== undefined) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve(m);
        }
      };
      child.stdout!.on('data', onData);
    });
  }

  /** A capture split in three: the file header, the first packet record, the rest. */
  function threeParts(): [Buffer, Buffer, Buffer] {
    const b = readFileSync(corpus('badcurveball.pcap'));
    const first = 24 + 16 + b.readUInt32LE(24 + 8);
    return [b.subarray(0, 24), b.subarray(24, first), b.subarray(first)];
  }

  /** A child node process reading a capture from its standard input with readCapture('-'). */
  const stdinReader = (): ChildProcess =>
    spawn(process.execPath, [
      '--input-type=module',
      '-e',
      `import { readCapture } from ${JSON.stringify(sourceModule)};
       const r = await readCapture('-', (p) => console.log('frame ' + p.frame));
       console.log('done ' + r.stats.packets + ' ' + r.stats.problems.length + ' ' + r.compressed);`,
    ], { stdio: ['pipe', 'pipe', 'inherit'] });

  const STDIN_CASES: { name: string; gzip: boolean }[] = [
    { name: 'standard input is streamed: the first packet arrives while the writer is still writing', gzip: false },
    { name: 'gzip on standard input is streamed too (flushed after the first packet)', gzip: true },
  ];
  for (const c of STDIN_CASES) {
    it(c.name, async () => {
      const reader = stdinReader();
      const gz = createGzip();
      if (c.gzip) gz.pipe(reader.stdin!);
      const sink = c.gzip ? gz : reader.stdin!;
      try {
        const [head, first, rest] = threeParts();
        sink.write(Buffer.concat([head, first]));
        if (c.gzip) gz.flush(zlibConstants.Z_SYNC_FLUSH);
        // Only the first packet has been written and the pipe is still open.
        assert.equal(await waitForLine(reader, /^frame 1$/, 10000), 'frame 1');
        sink.end(rest);
        assert.equal(await waitForLine(reader, /^done /, 10000), `done 12 0 ${c.gzip}`);
      } finally {
        reader.kill();
      }
    });
  }

  it('a FIFO is streamed: the writer only finishes after the reader saw the first packet', { skip: spawnSync('mkfifo', ['--version'], { stdio: 'ignore' }).status !== 0 && 'mkfifo not available' }, async () => {
    const fifo = join(dir, 'capture.fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const [head, first, rest] = threeParts();
    // The writer sends the header and one packet, then waits for "go" on its stdin.
    const writer = spawn(process.execPath, [
      '-e',
      `const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(fifo)}, 'w');
       const [a, b, c] = JSON.parse(process.argv[1]).map((h) => Buffer.from(h, 'hex'));
       fs.writeSync(fd, a); fs.writeSync(fd, b);
       process.stdin.once('data', () => { fs.writeSync(fd, c); fs.closeSync(fd); process.exit(0); });`,
      JSON.stringify([head, first, rest].map((b) => b.toString('hex'))),
    ], { stdio: ['pipe', 'inherit', 'inherit'] });
    try {
      const frames: number[] = [];
      const result = await readCapture(fifo, (p) => {
        frames.push(p.frame);
        if (p.frame === 1) writer.stdin!.write('go\n');
      });
      assert.equal(frames.length, 12);
      assert.deepEqual(result.stats.problems, []);
    } finally {
      writer.kill();
    }
  });
});
