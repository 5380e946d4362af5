// Prometheus metrics for `hsi live --metrics HOST:PORT` (prom-client: the field's standard
// client, with the process metrics every exporter has). Counters follow the records as they
// end; capture and engine figures are read when scraped. Cardinality is capped: verdict
// codes and protocols are a fixed set; the per-cause failure series keep the first
// MAX_FAILURE_SERIES (code, server, SNI) label sets, the rest count under "other".

import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ConnectionRecord } from '../report/record.js';
import { hostPort } from '../wire/text.js';

export const MAX_FAILURE_SERIES = 200;

/** What the capture and the engine can tell at scrape time. */
export interface LiveFigures {
  packets: number;
  bytes: number;
  kernelDropped: number;
  interfaceDropped: number;
  internalDropped: number;
  flowsTracked: number;
  evicted: number;
  untracked: number;
  malformed: number;
}

/** Seconds from a completed handshake's first packet to the frame that completed it, when the record says. */
export function handshakeSeconds(r: ConnectionRecord): number | null {
  if (r.outcome !== 'completed') return null;
  const tls = r.tls as { completedFrame?: number | null } | null | undefined;
  const quic = r.quic as { handshakeDone?: { frame: number } | null } | null | undefined;
  let frame: number | null | undefined = quic?.handshakeDone?.frame ?? tls?.completedFrame;
  if (frame == null && r.protocol === 'ssh') frame = [...r.ladder].reverse().find((e) => e.label === 'NEWKEYS')?.frame;
  if (frame == null) return null;
  const ev = r.ladder.find((e) => e.frame >= frame!);
  return ev ? ev.t : null;
}

export class HsiMetrics {
  readonly registry = new Registry();
  private readonly connections: Counter<'protocol' | 'verdict' | 'outcome'>;
  private readonly failures: Counter<'verdict' | 'server' | 'server_name'>;
  private readonly duration: Histogram<'protocol'>;
  private readonly series = new Set<string>();

  constructor(figures: () => LiveFigures) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'hsi_' });
    // prom-client names three gauges *_total, which Prometheus reserves for counters (promtool
    // check metrics says so): left out.
    for (const g of ['active_handles_total', 'active_requests_total', 'active_resources_total']) this.registry.removeSingleMetric(`hsi_nodejs_${g}`);
    this.connections = new Counter({ name: 'hsi_connections_total', help: 'Connections reported, by protocol, verdict code and outcome', labelNames: ['protocol', 'verdict', 'outcome'], registers });
    this.failures = new Counter({ name: 'hsi_failures_total', help: `Failed connections by cause: verdict, server and SNI (the first ${MAX_FAILURE_SERIES} combinations; the rest under server="other")`, labelNames: ['verdict', 'server', 'server_name'], registers });
    this.duration = new Histogram({ name: 'hsi_handshake_duration_seconds', help: 'Completed handshakes: first packet (SYN) to the Finished / NEWKEYS / HANDSHAKE_DONE that completed them', labelNames: ['protocol'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
    // Totals the capture and the engine keep: read at scrape time, each counter advanced by
    // what changed since the last scrape (they only grow).
    const total = (name: string, help: string, pick: (f: LiveFigures) => number): void => {
      let seen = 0;
      new Counter({
        name, help, registers,
        collect() {
          const v = pick(figures());
          if (v > seen) this.inc(v - seen);
          seen = Math.max(seen, v);
        },
      });
    };
    total('hsi_packets_total', 'Packets the capture delivered', (f) => f.packets);
    total('hsi_bytes_total', 'Bytes of the delivered packets, as on the wire', (f) => f.bytes);
    total('hsi_flows_evicted_total', 'Connections ended early because the flow table was full', (f) => f.evicted);
    total('hsi_untracked_packets_total', 'One-sided payload-less packets counted, not tracked, past the embryonic-flow cap (SYN floods, scans)', (f) => f.untracked);
    total('hsi_decode_errors_total', 'Packets whose headers could not be decoded', (f) => f.malformed);
    const seenDrops: Record<string, number> = { kernel: 0, interface: 0, hsi: 0 };
    new Counter({
      name: 'hsi_capture_dropped_packets_total', help: 'Packets lost before hsi saw them: by the kernel (buffer full), the interface, or hsi (out of memory)', labelNames: ['where'], registers,
      collect() {
        const f = figures();
        for (const [where, v] of [['kernel', f.kernelDropped], ['interface', f.interfaceDropped], ['hsi', f.internalDropped]] as const) {
          this.inc({ where }, Math.max(0, v - seenDrops[where]!));
          seenDrops[where] = Math.max(seenDrops[where]!, v);
        }
      },
    });
    new Gauge({ name: 'hsi_flows_tracked', help: 'Flows (TCP connections, QUIC flows) tracked now', registers, collect() { this.set(figures().flowsTracked); } });
  }

  /** A record as it ends. */
  record(r: ConnectionRecord): void {
    this.connections.inc({ protocol: r.protocol, verdict: r.verdict.code, outcome: r.outcome });
    const d = handshakeSeconds(r);
    if (d !== null) this.duration.observe({ protocol: r.protocol }, d);
    if (r.outcome !== 'failed') return;
    const tls = r.tls as { clientHello?: { serverName?: string | null } | null } | null | undefined;
    const server = hostPort(r.server);
    const name = tls?.clientHello?.serverName ?? '';
    const key = `${r.verdict.code}|${server}|${name}`;
    if (this.series.has(key) || this.series.size < MAX_FAILURE_SERIES) {
      this.series.add(key);
      this.failures.inc({ verdict: r.verdict.code, server, server_name: name });
    } else this.failures.inc({ verdict: r.verdict.code, server: 'other', server_name: 'other' });
  }

  /** Serve GET /metrics (text exposition) on host:port; resolves once listening. */
  serve(host: string, port: number): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url !== '/metrics' && !req.url?.startsWith('/metrics?'))) {
        res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(req.url === '/' ? 'hsi live: metrics at /metrics\n' : 'not found: metrics are at /metrics\n');
        return;
      }
      this.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': this.registry.contentType });
          res.end(text);
        },
        (e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`metrics failed: ${e instanceof Error ? e.message : String(e)}\n`);
        },
      );
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.unref();
        resolve(server);
      });
    });
  }
}

/** "HOST:PORT", "[v6]:PORT" or ":PORT" (all addresses). */
export function parseListen(v: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(v.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
