// Every real capture in captures/ with its expectation file: run the analyzer on it and
// check the listed fields of each expected connection record (partial match, in order of
// the connections' first packets). The captures are made by scripts/captures/*.sh with
// real clients and servers.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyse } from './helpers/analyse.js';
import { capturesDir } from './helpers/paths.js';

interface Expectation {
  description: string;
  options?: string[];
  connections: Record<string, unknown>[];
}

/** Every key of `expected` must be in `actual` with an equal value (objects: recursively; arrays: element-wise). */
export function assertSubset(actual: unknown, expected: unknown, path: string): void {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [k, v] of Object.entries(expected)) assertSubset((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((v, i) => assertSubset(actual[i], v, `${path}[${i}]`));
    return;
  }
  assert.deepEqual(actual, expected, `${path}`);
}

const files = existsSync(capturesDir) ? readdirSync(capturesDir).filter((f) => f.endsWith('.expect.json')).sort() : [];

describe('scenario captures', () => {
  it('there are scenario captures to check', () => assert.ok(files.length > 0, `no *.expect.json in ${capturesDir}`));
  for (const f of files) {
    const exp = JSON.parse(readFileSync(join(capturesDir, f), 'utf8')) as Expectation;
    const base = f.replace(/\.expect\.json$/, '');
    const capture = readdirSync(capturesDir).find((c) => c !== f && c.startsWith(base + '.') && /\.(pcap|pcapng)(\.gz)?$/.test(c));
    it(`${base}: ${exp.description}`, async () => {
      assert.ok(capture, `capture file for ${f}`);
      const recs = await analyse(join(capturesDir, capture), exp.options ?? []);
      const summary = recs.map((r) => `#${r.id} ${r.verdict.code} ${r.outcome} ${r.stage}`).join('; ');
      assert.equal(recs.length, exp.connections.length, `number of connections (got: ${summary})`);
      exp.connections.forEach((c, i) => assertSubset(recs[i], c, `${base} connection ${i + 1} [${summary}]`));
    });
  }
});
