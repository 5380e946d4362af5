// The shape of the code: no import cycles between the modules of src/ (type-only imports
// included), and the layers point one way: decoders never import trackers, rules or
// renderers; rules never import renderers.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './helpers/paths.js';

const src = join(repoRoot, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** module (path under src/, without .ts) → the modules it imports. */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files(src)) {
    const text = readFileSync(f, 'utf8');
    const deps = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)\.js'/gms)].map((m) => relative(src, resolve(dirname(f), m[1]!)));
    g.set(relative(src, f).replace(/\.ts$/, ''), [...new Set(deps)]);
  }
  return g;
}

describe('module shape', () => {
  const g = graph();
  it('src/ has modules and they import each other', () => assert.ok(g.size > 100 && [...g.values()].some((d) => d.length > 0)));
  it('no import cycles', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (m: string, path: string[]): void => {
      if (state.get(m) === 'done') return;
      if (state.get(m) === 'open') {
        cycles.push([...path.slice(path.indexOf(m)), m].join(' → '));
        return;
      }
      state.set(m, 'open');
      for (const d of g.get(m) ?? []) visit(d, [...path, m]);
      state.set(m, 'done');
    };
    for (const m of g.keys()) visit(m, []);
    assert.deepEqual(cycles, []);
  });
  it('decoders (wire, registry, tls/ssh/quic/tunnel decoders) import no tracker, rule or renderer', () => {
    const pure = [...g.keys()].filter((m) => /^(wire|registry)\//.test(m) || /^(tls\/(record|hello|messages|extensions|handshake|decrypt|keyschedule)|quic\/(packet|frames|protection|transport-params)|tunnel\/(lines|http|socks|mail|ldap|database))$/.test(m));
    assert.ok(pure.length > 20, `${pure.length} decoder modules`);
    const bad = pure.flatMap((m) => (g.get(m) ?? []).filter((d) => /^(engine|pipeline|diagnose|report|tui|cli)\/|tracker$/.test(d)).map((d) => `${m} → ${d}`));
    assert.deepEqual(bad, []);
  });
  it('rules import no renderer', () => {
    const bad = [...g.keys()].filter((m) => m.startsWith('diagnose/')).flatMap((m) => (g.get(m) ?? []).filter((d) => /^(report|tui|cli)\//.test(d)).map((d) => `${m} → ${d}`));
    assert.deepEqual(bad, []);
  });
});
