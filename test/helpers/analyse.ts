// Run the whole pipeline on a capture in-process: the records `hsi read FILE [options]
// --json` prints, sorted by id.
import { join } from 'node:path';
import { readCapture } from '../../src/capture/source.js';
import { parseArgs } from '../../src/cli/args.js';
import { analysisSettings } from '../../src/cli/setup.js';
import { Analyzer } from '../../src/pipeline/analyzer.js';
import type { ConnectionRecord } from '../../src/report/record.js';
import { repoRoot } from './paths.js';

export async function analyse(file: string, options: string[] = []): Promise<ConnectionRecord[]> {
  const args = parseArgs(['read', file, ...options.map((o) => (o.startsWith('captures/') ? join(repoRoot, o) : o))]);
  const records: ConnectionRecord[] = [];
  const analyzer = new Analyzer({ ...analysisSettings(args), onRecord: (r) => records.push(r) });
  await readCapture(file, (p) => analyzer.packet(p), { afterChunk: () => analyzer.drain() });
  await analyzer.end();
  return records.sort((a, b) => a.id - b.id);
}
