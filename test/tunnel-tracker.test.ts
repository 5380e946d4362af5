// The preamble layer on real captures (captures/proxy-*, socks-*, starttls-*, db-*): the
// streams the engine hands it are recorded, then replayed into fresh trackers whole, one
// byte at a time and seven bytes at a time: the tunnel facts and what the inner TLS
// tracker decoded must not depend on how the bytes were cut. And the inner tracker sees
// the very frames of a direct connection.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCapture } from '../src/capture/source.js';
import { DEFAULT_PREAMBLE_PORTS } from '../src/pipeline/analyzer.js';
import { Engine } from '../src/engine/engine.js';
import type { AppTracker, FrameRef, Side, TrackerContext } from '../src/engine/types.js';
import { SshTracker } from '../src/ssh/tracker.js';
import { TlsTracker } from '../src/tls/tracker.js';
import type { PreambleKind } from '../src/tunnel/detect.js';
import { PreambleTracker } from '../src/tunnel/tracker.js';
import { capturesDir } from './helpers/paths.js';

type Call =
  | { op: 'data'; side: Side; data: Uint8Array; ref: FrameRef }
  | { op: 'gap'; side: Side; len: number; ref: FrameRef }
  | { op: 'opaque'; side: Side; len: number; ref: FrameRef }
  | { op: 'close'; side: Side; kind: 'fin' | 'rst'; ref: FrameRef }
  | { op: 'finish' };

interface Recorded {
  kind: PreambleKind;
  calls: Call[];
}

const QUIET: TrackerContext = { ladder: () => {}, finding: () => {} };
const inner = { tls: (c: TrackerContext) => new TlsTracker(c), ssh: (c: TrackerContext) => new SshTracker(c) };

/** Every tunnel connection of a capture, with the calls its tracker received. */
async function record(file: string): Promise<Recorded[]> {
  const out: Recorded[] = [];
  const engine = new Engine({
    ports: new Set([443, 22]),
    preamblePorts: new Set(DEFAULT_PREAMBLE_PORTS),
    anyPort: false,
    idleTimeout: 120,
    sessionIdleTimeout: 3600,
    maxFlows: 10_000,
    onConnection: () => {},
    trackers: {
      tls: (c) => new TlsTracker(c),
      ssh: (c) => new SshTracker(c),
      tunnel: (ctx, kind) => {
        const rec: Recorded = { kind, calls: [] };
        out.push(rec);
        const real = new PreambleTracker(ctx, kind, inner);
        const t: AppTracker = {
          protocol: 'tunnel',
          needsBytes: (s) => real.needsBytes(s),
          onData: (side, data, ref) => (rec.calls.push({ op: 'data', side, data: data.slice(), ref }), real.onData(side, data, ref)),
          onGap: (side, len, ref) => (rec.calls.push({ op: 'gap', side, len, ref }), real.onGap(side, len, ref)),
          onOpaque: (side, len, ref) => (rec.calls.push({ op: 'opaque', side, len, ref }), real.onOpaque(side, len, ref)),
          onClose: (side, kind2, ref) => (rec.calls.push({ op: 'close', side, kind: kind2, ref }), real.onClose(side, kind2, ref)),
          finish: () => (rec.calls.push({ op: 'finish' }), real.finish()),
        };
        return t;
      },
    },
  });
  await readCapture(file, (p) => engine.packet(p));
  engine.end();
  return out;
}

/** Replay into a fresh tracker, data cut into pieces of `step` bytes (0: whole). */
function replay(r: Recorded, step: number): PreambleTracker {
  const t = new PreambleTracker(QUIET, r.kind, inner);
  for (const c of r.calls) {
    if (c.op === 'data') {
      if (!t.needsBytes(c.side)) {
        t.onOpaque(c.side, c.data.length, c.ref);
        continue;
      }
      if (step === 0) t.onData(c.side, c.data, c.ref);
      else for (let i = 0; i < c.data.length; i += step) t.onData(c.side, c.data.subarray(i, i + step), c.ref);
    } else if (c.op === 'gap') t.onGap(c.side, c.len, c.ref);
    else if (c.op === 'opaque') t.onOpaque(c.side, c.len, c.ref);
    else if (c.op === 'close') t.onClose(c.side, c.kind, c.ref);
    else t.finish();
  }
  return t;
}

/** What must not depend on the cutting: the tunnel facts and the inner TLS decoding. */
function summary(t: PreambleTracker) {
  const tls = t.inner instanceof TlsTracker ? t.inner.state : null;
  return {
    tunnel: { ...t.state },
    tls: tls && {
      sni: tls.clientHello?.hello.ext.serverName ?? null,
      ja4: tls.clientHello?.ja4 ?? null,
      helloFrame: tls.clientHello?.frame ?? null,
      version: tls.version,
      suite: tls.cipherSuite,
      stage: tls.stage,
      completed: tls.completed,
      alerts: tls.alerts.map((a) => [a.frame, a.from, a.description]),
      certificates: tls.certificates?.ders.length ?? 0,
    },
  };
}

const captures = readdirSync(capturesDir).filter((f) => /^(proxy|socks|starttls|db)-.*\.pcap$/.test(f)).sort();

describe('preamble tracker on real captures: the same facts however the stream is cut', () => {
  it('there are preamble captures', () => assert.ok(captures.length >= 10, captures.join(', ')));
  for (const f of captures) {
    it(f, async () => {
      const recs = await record(join(capturesDir, f));
      assert.ok(recs.length > 0, 'tunnel connections found');
      for (const r of recs) {
        const whole = summary(replay(r, 0));
        assert.deepEqual(summary(replay(r, 1)), whole, `${f}: one byte at a time`);
        assert.deepEqual(summary(replay(r, 7)), whole, `${f}: seven bytes at a time`);
      }
    });
  }
});

describe('preamble tracker: the inner TLS tracker sees the frames of the capture', () => {
  it('proxy-connect-ok: the ClientHello keeps its frame after CONNECT / 200', async () => {
    const [r] = await record(join(capturesDir, 'proxy-connect-ok.pcap'));
    const t = replay(r!, 0);
    assert.equal(t.state.kind, 'http-connect');
    assert.equal(t.state.result, 'established');
    assert.equal(t.state.target, 'www.example.test:443');
    const tls = (t.inner as TlsTracker).state;
    // frame 4 CONNECT, 6 the 200, 8 the ClientHello (tshark numbering)
    assert.equal(t.state.request?.frame, 4);
    assert.equal(t.state.establishedFrame, 6);
    assert.equal(tls.clientHello?.frame, 8);
    assert.equal(t.state.innerStart.client, 8);
  });
  it('a preamble longer than the cap is given up with a finding, not buffered', () => {
    const found: string[] = [];
    const t = new PreambleTracker({ ladder: () => {}, finding: (f) => found.push(f.code) }, 'smtp', inner);
    const ref = { frame: 1, time: 0 };
    t.onData('server', new TextEncoder().encode('220-' + 'x'.repeat(70_000)), ref);
    assert.equal(t.needsBytes('server'), false);
    assert.ok(found.includes('tunnel.malformed'));
  });
});
