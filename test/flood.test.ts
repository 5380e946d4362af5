// Hostile load stays bounded: a SYN flood (generated: adversarial input, not a scenario)
// is read with a small heap, the SYNs past the embryonic-flow cap are counted and said,
// and a real handshake after the flood is still analysed.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_EMBRYONIC } from '../src/engine/embryonic.js';
import { capturesDir, repoRoot } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'hsi-flood-'));
const SYNS = 200_000;

/** The flood, then a real capture's packets one second after it (same link type, microsecond pcap). */
function floodThen(real: string): string {
  const flood = join(tmp, 'flood.pcap');
  const g = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'bench', 'synflood.mjs'), flood, String(SYNS), '7'], { encoding: 'utf8' });
  assert.equal(g.status, 0, g.stderr);
  const f = readFileSync(flood);
  const r = readFileSync(real);
  assert.equal(r.readUInt32LE(0), 0xa1b2c3d4, 'a microsecond little-endian pcap');
  assert.equal(r.readUInt32LE(20), f.readUInt32LE(20), 'same link type');
  // last flood timestamp + 1 s, keeping the real capture's own spacing
  let off = 24;
  let last = 0;
  while (off < f.length) {
    last = f.readUInt32LE(off);
    off += 16 + f.readUInt32LE(off + 8);
  }
  const out = Buffer.from(r.subarray(24));
  const first = out.readUInt32LE(0);
  for (let o = 0; o < out.length; o += 16 + out.readUInt32LE(o + 8)) out.writeUInt32LE(out.readUInt32LE(o) - first + last + 1, o);
  const file = join(tmp, 'flood-then-real.pcap');
  writeFileSync(file, Buffer.concat([f, out]));
  return file;
}

describe('a SYN flood', () => {
  it(`${SYNS.toLocaleString('en-US')} SYNs from random sources, then a real TLS version mismatch: read within an 80 MB heap, the flood counted, the handshake analysed`, () => {
    const file = floodThen(join(capturesDir, 'tls-version-mismatch.pcap'));
    const r = spawnSync(process.execPath, ['--max-old-space-size=80', join(repoRoot, 'bin', 'hsi.js'), 'read', file, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
    assert.equal(r.status, 1, r.stderr.slice(0, 2000));
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { verdict: { code: string }; firstFrame: number; protocol: string });
    assert.equal(recs.length, DEFAULT_MAX_EMBRYONIC + 1, 'the SYNs under the cap, and the real connection');
    const real = recs.filter((x) => x.protocol === 'tls');
    assert.equal(real.length, 1);
    // its SYN came while the cap was full: the flow opens at the SYN-ACK, the handshake is read whole
    assert.equal(real[0]!.verdict.code, 'tls.version_mismatch');
    assert.equal(real[0]!.firstFrame, SYNS + 2);
    const note = /hsi: note: ([\d,]+) packets that would each have opened .* past [\d,]+ such flows at once: ([\d,]+) to 10\.99\.1\.2:443 \(([\d,]+) SYNs\) from at least 4,096 sources/.exec(r.stderr);
    assert.ok(note, r.stderr);
    const n = (s: string) => Number(s.replace(/,/g, ''));
    assert.equal(n(note[1]!), SYNS - DEFAULT_MAX_EMBRYONIC + 1, "the flood's SYNs past the cap, and the real client's SYN");
    assert.equal(n(note[3]!), SYNS - DEFAULT_MAX_EMBRYONIC);
    assert.match(r.stderr, /1 to 10\.77\.0\.2:443 \(1 SYN\) from 1 source/);
  });
});
