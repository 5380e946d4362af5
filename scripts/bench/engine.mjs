#!/usr/bin/env node
// hsi's engine alone (scripts/bench.sh): the capture reader, IP/TCP decoding, the flow
// table, reassembly and the TLS/SSH trackers, without diagnosis or output. This is the
// part measured against the flow-table floor; `hsi read --json` adds rules and records.
import { readCapture } from '../../dist/src/capture/source.js';
import { Engine, DEFAULT_IDLE_TIMEOUT, DEFAULT_SESSION_IDLE_TIMEOUT, DEFAULT_MAX_FLOWS } from '../../dist/src/engine/engine.js';
import { TlsTracker } from '../../dist/src/tls/tracker.js';
import { SshTracker } from '../../dist/src/ssh/tracker.js';

// --tcp-only: the TCP engine's own share (flow table, reassembly bookkeeping, protocol
// detection), with trackers that take no bytes.
const tcpOnly = process.argv[3] === '--tcp-only';
const silent = (protocol) => () => ({ protocol, onData() {}, onGap() {}, onOpaque() {}, onClose() {}, needsBytes: () => false });
let connections = 0;
const engine = new Engine({
  ports: new Set([443, 22]),
  anyPort: false,
  idleTimeout: DEFAULT_IDLE_TIMEOUT,
  sessionIdleTimeout: DEFAULT_SESSION_IDLE_TIMEOUT,
  maxFlows: DEFAULT_MAX_FLOWS,
  trackers: tcpOnly ? { tls: silent('tls'), ssh: silent('ssh') } : { tls: (ctx) => new TlsTracker(ctx), ssh: (ctx) => new SshTracker(ctx) },
  onConnection: () => connections++,
});
const r = await readCapture(process.argv[2], (p) => engine.packet(p));
engine.end();
console.log(JSON.stringify({ packets: r.stats.packets, connections, tcpPackets: engine.stats.tcpPackets }));
