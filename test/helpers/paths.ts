// Locations the tests read from, found from this file's place in the repo (tests run
// from compiled output under dist*/test/, so walk up to the directory with package.json).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export const repoRoot = findRoot();
export const capturesDir = join(repoRoot, 'captures');
/** The JA4 project's third-party captures and expected decodings (copied into the repo). */
export const corpusDir = join(repoRoot, 'test', 'corpus', 'ja4');
export const corpusPcapDir = join(corpusDir, 'pcap');
export const corpusExpectedDir = join(corpusDir, 'expected');
