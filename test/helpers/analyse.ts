// Running the analyzer on a capture file, as `hsi read FILE [options] --json` does, for the
// tests: the records, and (for tests of single rules and findings) the diagnosis inputs.

import { join } from 'node:path';
import { readCapture } from '../../src/capture/source.js';
import { parseArgs } from '../../src/cli/args.js';
import { analysisSettings } from '../../src/cli/setup.js';
import type { Connection } from '../../src/engine/connection.js';
import type { DiagnosisInput } from '../../src/diagnose/input.js';
import { Analyzer, chainJudgeInput } from '../../src/pipeline/analyzer.js';
import type { ConnectionRecord } from '../../src/report/record.js';
import { trackerStates } from '../../src/pipeline/states.js';
import { judgeChain } from '../../src/x509/index.js';
import { capturesDir, repoRoot } from './paths.js';

/** Options as the expectation files write them: paths under captures/ are relative to the repository. */
const resolveOptions = (options: readonly string[]): string[] => options.map((o) => (o.startsWith('captures/') ? join(repoRoot, o) : o));

async function run(file: string, options: readonly string[]) {
  const args = parseArgs(['read', file, ...resolveOptions(options)]);
  const settings = analysisSettings(args);
  const out: { record: ConnectionRecord; conn: Connection }[] = [];
  const analyzer = new Analyzer({ ...settings, onRecord: (record, conn) => out.push({ record, conn }) });
  await readCapture(file, (p) => analyzer.packet(p), { afterChunk: () => analyzer.drain(), onSecrets: (type, data) => analyzer.secrets(type, data) });
  await analyzer.end();
  out.sort((a, b) => a.record.id - b.record.id);
  return { out, settings, analyzer };
}

/** Records of a capture, as `hsi read FILE [options] --json` gives them, sorted by id. */
export async function analyse(file: string, options: string[] = []): Promise<ConnectionRecord[]> {
  return (await run(file, options)).out.map((x) => x.record);
}

/** A capture in captures/ by its scenario name (NAME.pcap, .pcapng or .pcap.gz). */
export function capturePath(name: string, files: readonly string[]): string {
  const f = files.find((c) => c.startsWith(name + '.') && /\.(pcap|pcapng)(\.gz)?$/.test(c));
  if (!f) throw new Error(`no capture file for ${name} in ${capturesDir}`);
  return join(capturesDir, f);
}

/**
 * Records with the diagnosis input rebuilt for each (the chain judged again the way the
 * analyzer does; `knowledge` is the analyzer's at the end of the input, not at the time the
 * connection was diagnosed).
 */
export async function analyseInputs(file: string, options: string[] = []): Promise<{ record: ConnectionRecord; input: DiagnosisInput }[]> {
  const { out, settings, analyzer } = await run(file, options);
  const result: { record: ConnectionRecord; input: DiagnosisInput }[] = [];
  for (const { record, conn } of out) {
    const { tls, ssh, tunnel } = trackerStates(conn);
    const trust = settings.trust();
    const certs = tls?.certificates;
    const chain = certs && certs.ders.length > 0 && trust
      ? await judgeChain(chainJudgeInput(conn, tls, tunnel, trust))
      : null;
    result.push({
      record,
      input: { conn, openAtEnd: conn.endReason === 'end-of-input', tls, ssh, tunnel, chain, knowledge: analyzer.knowledge, knownHosts: null, knownHostsPath: null, drops: null },
    });
  }
  return result;
}
