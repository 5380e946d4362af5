// The connection record: the project's output contract (spec/report-format.md).
// Built once per finished connection from the engine's state and the diagnosis; the
// JSON output, the human report and the TUI all render this same object.

import { isoTime } from '../capture/packet.js';
import type { Connection, SideState } from '../engine/connection.js';
import type { Finding, Side } from '../engine/types.js';
import type { Diagnosis } from '../diagnose/diagnose.js';
import type { CloseKind, Outcome, Verdict } from '../diagnose/types.js';
import type { Vantage } from '../diagnose/vantage.js';
import { clientHelloText } from '../tls/json.js';

export interface EndpointJson {
  ip: string;
  port: number;
}

export interface LadderJson {
  frame: number;
  /** Seconds since the connection's first packet. */
  t: number;
  from: Side;
  label: string;
  layer: string;
  retransmission?: boolean;
  detail?: string;
}

export interface TcpSideJson {
  packets: number;
  payloadBytes: number;
  synFrames: number[];
  mss: number | null;
  windowScale: number | null;
  sackPermitted: boolean;
  retransmissions: number;
  captureGaps: number;
  captureGapBytes: number;
  snaplenCut: number;
  /** Second copies of this side's packets (a forwarding host captured on all its interfaces), left out. */
  captureCopies: number;
  /** Packets the capture marked as received by / sent by the capturing host (Linux cooked headers, pcapng flags), when it did. */
  marked: { in: number; out: number; otherHost: number } | null;
  fin: number | null;
  rst: number | null;
}

export interface TcpJson {
  client: TcpSideJson;
  server: TcpSideJson;
  established: boolean;
  /** No SYN seen: the capture started after the connection. */
  midstream: boolean;
  /** How the client/server roles were decided: syn, syn-ack, content, port, first-sender. */
  roles: string;
  endReason: string | null;
  /** Tunnel the packets came through (GRE, VXLAN, Geneve, ERSPAN, IPIP), with its endpoints. */
  tunnel: { kind: string; clientEndpoint: string; serverEndpoint: string } | null;
  vlan: number | null;
  /**
   * The capturing host translated this connection's addresses (NAT) and the capture holds it
   * on both sides: this record is the leg `before` or `after` the translation, `other` the
   * other leg's endpoints (reported as a connection of its own).
   */
  translated: { leg: 'before' | 'after'; other: { client: EndpointJson; server: EndpointJson } } | null;
  /** ICMP errors about this connection's packets (unreachable, fragmentation needed...). */
  icmp: { frame: number; type: number; code: number; from: string; about: Side; mtu: number | null; description: string }[];
}

export interface ConnectionRecord {
  id: number;
  protocol: 'tls' | 'ssh' | 'quic' | 'unknown';
  client: EndpointJson;
  server: EndpointJson;
  firstFrame: number;
  lastFrame: number;
  startTime: string;
  endTime: string;
  /** Seconds from the first to the last packet. */
  duration: number;
  outcome: Outcome;
  stage: string;
  cutFrame: number | null;
  closedBy: Side | null;
  closeKind: CloseKind | null;
  verdict: Verdict;
  /** `tcp`, or `udp` for QUIC. */
  transport: 'tcp' | 'udp';
  /** The plain-text preamble before TLS (proxy CONNECT / SOCKS, STARTTLS...), or null. */
  tunnel: unknown;
  /** Where the capture was taken, as this connection's packets show. */
  vantage: Vantage;
  tls?: unknown;
  ssh?: unknown;
  /** QUIC connections: the QUIC layer's facts. */
  quic?: unknown;
  /** TCP facts (null for QUIC, which runs over UDP). */
  tcp: TcpJson | null;
  findings: Finding[];
  ladder: LadderJson[];
}

function sideJson(st: SideState): TcpSideJson {
  return {
    packets: st.packets,
    payloadBytes: st.payloadBytes,
    synFrames: st.synFrames,
    mss: st.mss >= 0 ? st.mss : null,
    windowScale: st.wscale >= 0 ? st.wscale : null,
    sackPermitted: st.sackPermitted,
    retransmissions: st.stream.retransmissions,
    captureGaps: st.stream.gaps,
    captureGapBytes: st.stream.gapBytes,
    snaplenCut: st.snaplenCut,
    captureCopies: st.copies,
    marked: st.markedIn + st.markedOut + st.markedOther > 0 ? { in: st.markedIn, out: st.markedOut, otherHost: st.markedOther } : null,
    fin: st.fin?.frame ?? null,
    rst: st.rst?.frame ?? null,
  };
}

export function buildRecord(
  conn: Connection,
  d: Diagnosis,
  protocol: 'tls' | 'ssh' | 'quic' | 'unknown',
  app: { tls?: unknown; ssh?: unknown; tunnel?: unknown; vantage?: unknown; quic?: unknown },
): ConnectionRecord {
  const rec: ConnectionRecord = {
    id: conn.id,
    protocol,
    client: { ...conn.client.endpoint },
    server: { ...conn.server.endpoint },
    firstFrame: conn.firstFrame,
    lastFrame: conn.lastFrame,
    startTime: isoTime(conn.startTsSec, conn.startTsNsec),
    endTime: isoTime(conn.endTsSec, conn.endTsNsec),
    duration: round6(conn.lastTime - conn.startTime),
    outcome: d.outcome,
    stage: d.stage,
    cutFrame: d.cutFrame,
    closedBy: d.closedBy,
    closeKind: d.closeKind,
    verdict: d.verdict,
    transport: conn.transport,
    tunnel: app.tunnel ?? null,
    vantage: (app.vantage as Vantage | undefined) ?? { point: 'unknown', confidence: 'possible', evidence: [] },
    tcp: conn.transport === 'udp' ? null : {
      client: sideJson(conn.client),
      server: sideJson(conn.server),
      established: conn.established,
      midstream: conn.midstream,
      roles: conn.orientation,
      endReason: conn.endReason,
      tunnel: conn.tunnel ? { kind: conn.tunnel, clientEndpoint: conn.client.outerIp, serverEndpoint: conn.server.outerIp } : null,
      vlan: conn.vlan >= 0 ? conn.vlan : null,
      translated: conn.translation,
      icmp: conn.icmp.map((e) => ({ frame: e.frame, type: e.type, code: e.code, from: e.from, about: e.about, mtu: e.mtu >= 0 ? e.mtu : null, description: e.description })),
    },
    findings: conn.findings,
    ladder: conn.ladder.map((e) => ({
      frame: e.frame,
      t: round6(e.time - conn.startTime),
      from: e.from,
      label: e.label,
      layer: e.layer,
      ...(e.retransmission ? { retransmission: true } : {}),
      ...(e.detail ? { detail: e.detail } : {}),
    })),
  };
  if (app.tls !== undefined) rec.tls = app.tls;
  if (app.ssh !== undefined) rec.ssh = app.ssh;
  if (app.quic !== undefined) rec.quic = app.quic;
  return rec;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

const PLACEHOLDER = '\u0000hsi:clientHello\u0000';
const QUOTED = JSON.stringify(PLACEHOLDER);

/**
 * A record as one NDJSON line: JSON.stringify's output, with the clientHello object's text
 * taken from the hello cache when it is known (identical hellos are serialised once).
 */
export function recordJson(rec: ConnectionRecord): string {
  const tls = rec.tls as { clientHello?: object | null } | null | undefined;
  const ch = tls?.clientHello;
  const text = ch ? clientHelloText(ch) : undefined;
  if (!tls || !ch || text === undefined) return JSON.stringify(rec);
  (tls as { clientHello: unknown }).clientHello = PLACEHOLDER;
  let s: string;
  try {
    s = JSON.stringify(rec);
  } finally {
    tls.clientHello = ch;
  }
  const i = s.indexOf(QUOTED);
  return s.slice(0, i) + text + s.slice(i + QUOTED.length);
}
