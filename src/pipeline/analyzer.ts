// The one engine underneath every face of hsi: packets in (from a file, stdin, a replay
// or a live capture), connection records out, in the order the connections ended.
//
// The Engine (sync, per packet) hands finished connections here; each is diagnosed in
// turn — certificate chains are judged asynchronously (WebCrypto), so records go
// through a promise chain that keeps their order. Readers await drain() between chunks
// so that pending work never piles up.

import type { Packet } from '../capture/packet.js';
import type { Connection } from '../engine/connection.js';
import { DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_FLOWS, DEFAULT_SESSION_IDLE_TIMEOUT, Engine, type EngineOptions, type EngineStats } from '../engine/engine.js';
import { diagnose, type Diagnosis } from '../diagnose/diagnose.js';
import { handshakeServer, type DiagnosisInput } from '../diagnose/input.js';
import { Knowledge, ProbeKnowledge, SliceKnowledge, type KnowledgeView, type Lesson, type ServerKnowledge } from '../diagnose/knowledge.js';
import { DROP_SENSITIVE, QUIC_RULES, RULES, stageOf } from '../diagnose/rules.js';
import { annotateQuic } from '../diagnose/rules-quic.js';
import { quicJson } from '../quic/json.js';
import { looksLikeQuicInitial, looksLikeQuicLongHeader } from '../quic/packet.js';
import { QuicTracker } from '../quic/tracker.js';
import { annotateTunnel } from '../diagnose/rules-tunnel.js';
import { annotateResets } from '../diagnose/rules-reset.js';
import { annotateDecryption } from '../diagnose/decryption.js';
import { vantageOf, VantageTally } from '../diagnose/vantage.js';
import { sshFindings } from '../diagnose/findings-ssh.js';
import { tlsFindings } from '../diagnose/findings-tls.js';
import { tunnelFindings } from '../diagnose/findings-tunnel.js';
import { buildRecord, type ConnectionRecord } from '../report/record.js';
import { lookupKnownHosts, type KnownHostsFile } from '../ssh/known-hosts.js';
import { sshJson } from '../ssh/json.js';
import { SshTracker } from '../ssh/tracker.js';
import { tlsJson } from '../tls/json.js';
import { TlsTracker } from '../tls/tracker.js';
import { PREAMBLE_PORTS } from '../tunnel/detect.js';
import { tunnelJson } from '../tunnel/json.js';
import { DSB_TLS_KEYLOG, KeyStore } from '../keylog/keylog.js';
import { isProxyKind } from '../tunnel/state.js';
import { PreambleTracker } from '../tunnel/tracker.js';
import { trackerStates } from './states.js';
import { certificateJson, judgeChainNow, type ChainReport, type TrustStore } from '../x509/index.js';

export interface AnalyzerOptions {
  ports: readonly number[];
  /** UDP ports watched for QUIC (DEFAULT_UDP_PORTS); on others only a client's Initial by its bytes opens a flow. */
  udpPorts?: readonly number[];
  /** Ports watched for a preamble before TLS (reported only when something recognisable shows). */
  preamblePorts?: readonly number[];
  anyPort?: boolean;
  idleTimeout?: number;
  maxFlows?: number;
  /** Trust anchors for certificate chains; a function so the system store loads only when needed. */
  trust: () => TrustStore | null;
  knownHosts?: { file: KnownHostsFile; path: string } | null;
  /** Secrets to open protected TLS records (and QUIC packets) with; the capture's own secrets are added to it. */
  keys?: KeyStore;
  /** Keep each connection's packets (bounded) so they can be saved (--save-failures, TUI). */
  keepPackets?: boolean;
  /** Live capture: packets the capture lost while a connection was open (null: unknown). */
  dropsDuring?: (startTime: number, endTime: number) => number | null;
  onRecord: (rec: ConnectionRecord, conn: Connection) => void;
  /** A `--jobs` worker (pipeline/worker.ts): how it shares the work with the main thread. */
  shard?: ShardHooks;
}

/**
 * What a `--jobs` worker needs from the analyzer: its engine keeps the worker's share of
 * the packets, says when ids are given and connections end, and the connections whose
 * rules ask about other connections (the knowledge, kept in capture order by the main
 * thread) are deferred.
 */
export interface ShardHooks {
  owns: NonNullable<EngineOptions['owns']>;
  maxEmbryonic: number;
  onReported: (c: Connection, frame: number) => void;
  /** A connection ended (before any diagnosis): its place in the output is decided now. */
  onEnded: (c: Connection) => void;
  /** Its rules asked about its server: diagnose it later with resume(). */
  onDeferred: (d: Deferred) => void;
  /** What the connection teaches about its server, for the main thread's knowledge. */
  onLesson: (c: Connection, lesson: Lesson | null) => void;
}

/** A connection waiting for its server's knowledge (and its global id). */
export interface Deferred {
  conn: Connection;
  openAtEnd: boolean;
  chain: ChainReport | null;
  server: { ip: string; port: number };
}

export const DEFAULT_PORTS = [443, 22] as const;
export const DEFAULT_UDP_PORTS = [443] as const;
/** The usual proxy, STARTTLS and database ports, watched by default beside DEFAULT_PORTS. */
export const DEFAULT_PREAMBLE_PORTS: readonly number[] = Object.keys(PREAMBLE_PORTS).map(Number);
/** Bytes of packets kept per connection when packets are kept. */
export const KEEP_PACKET_BYTES = 2 * 1024 * 1024;

/** On a watched UDP port any client long header opens a flow (a QUIC attempt even of a version no one speaks); elsewhere only an Initial that looks like one. */
function quicRecogniser(watched: ReadonlySet<number>): (payload: Uint8Array, dstPort: number) => boolean {
  return (payload, dstPort) => (watched.has(dstPort) ? looksLikeQuicLongHeader(payload) : looksLikeQuicInitial(payload));
}

export class Analyzer {
  readonly engine: Engine;
  readonly knowledge = new Knowledge();
  /** Where the capture was taken, over all connections so far. */
  readonly vantage = new VantageTally();
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: unknown = null;

  /** The key log (and the secrets the capture itself carries). */
  readonly keys: KeyStore;

  constructor(private readonly opts: AnalyzerOptions) {
    this.keys = opts.keys ?? new KeyStore();
    this.engine = new Engine({
      ports: new Set(opts.ports),
      preamblePorts: new Set(opts.preamblePorts ?? []),
      anyPort: opts.anyPort ?? false,
      idleTimeout: opts.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
      sessionIdleTimeout: Math.max(opts.idleTimeout ?? 0, DEFAULT_SESSION_IDLE_TIMEOUT),
      maxFlows: opts.maxFlows ?? DEFAULT_MAX_FLOWS,
      trackers: {
        tls: (ctx) => new TlsTracker(ctx, { keys: this.keys }),
        ssh: (ctx) => new SshTracker(ctx),
        tunnel: (ctx, kind) => new PreambleTracker(ctx, kind, { tls: (c) => new TlsTracker(c, { keys: this.keys }), ssh: (c) => new SshTracker(c) }),
      },
      onConnection: (c) => this.enqueue(c),
      datagrams: { tracker: (ctx) => new QuicTracker(ctx, this.keys), recognise: quicRecogniser(new Set(opts.udpPorts ?? DEFAULT_UDP_PORTS)) },
      keepPackets: opts.keepPackets ? { maxBytesPerConnection: KEEP_PACKET_BYTES } : null,
      ...(opts.shard ? { owns: opts.shard.owns, onReported: opts.shard.onReported, maxEmbryonic: opts.shard.maxEmbryonic } : {}),
    });
  }

  get stats(): EngineStats {
    return this.engine.stats;
  }

  packet(p: Packet): void {
    this.engine.packet(p);
  }

  /** Decryption secrets found in the capture (pcapng Decryption Secrets Block). */
  secrets(type: number, data: Uint8Array): void {
    if (type === DSB_TLS_KEYLOG) this.keys.addText(Buffer.from(data).toString('utf8'), "the capture's decryption secrets block");
  }

  tick(now: number): void {
    this.engine.tick(now);
  }

  /** Wait until every finished connection has been diagnosed and handed on. */
  async drain(): Promise<void> {
    while (this.pending > 0) await this.queue;
    if (this.failure) throw this.failure;
  }

  /** End of input: flush open connections, then drain. */
  async end(): Promise<void> {
    this.engine.end();
    await this.drain();
  }

  /**
   * Provisional records of the connections still open (a live view: the TUI's detail pane
   * of a connection in progress). Diagnosed as if the input ended now; certificates are not
   * judged and nothing is learnt from them.
   */
  snapshotOpen(): { record: ConnectionRecord; conn: Connection }[] {
    return this.engine.openConnections().map((conn) => {
      const input = this.input(conn, true, null);
      const d = diagnose(input, input.quic ? QUIC_RULES : RULES, stageOf);
      return { record: this.record(input, d), conn };
    });
  }

  private enqueue(conn: Connection): void {
    this.opts.shard?.onEnded(conn);
    const openAtEnd = conn.endReason === 'end-of-input';
    const { tls, tunnel } = trackerStates(conn);
    // Most connections need nothing asynchronous: diagnose them right away when nothing is
    // queued (a chain whose signatures were all checked before is judged at once too). Behind
    // a queue, the chain is judged in turn.
    const now = this.pending === 0 ? (tls ? this.judge(conn, tls, tunnel) : null) : undefined;
    if (now !== undefined && !(now instanceof Promise)) {
      this.finish(conn, openAtEnd, now);
      return;
    }
    this.pending++;
    this.queue = this.queue
      .then(async () => {
        this.finish(conn, openAtEnd, await (now ?? (tls ? this.judge(conn, tls, tunnel) : null)));
      })
      .catch((e) => {
        this.failure ??= e;
      })
      .finally(() => {
        this.pending--;
      });
  }

  /** The chain's judgement: at once when its signatures were checked before, else a promise (which never rejects). */
  private judge(conn: Connection, tls: NonNullable<DiagnosisInput['tls']>, tunnel: DiagnosisInput['tunnel']): ChainReport | null | Promise<ChainReport | null> {
    const certs = tls.certificates;
    if (!certs || certs.ders.length === 0) return null;
    const trust = this.opts.trust();
    if (!trust) return null;
    const failed = (e: unknown): null => {
      conn.addFinding({ severity: 'error', code: 'internal.chain_failed', message: `certificate chain could not be judged: ${e instanceof Error ? e.message : String(e)}` });
      return null;
    };
    try {
      const r = judgeChainNow(chainJudgeInput(conn, tls, tunnel, trust));
      return r instanceof Promise ? r.catch(failed) : r;
    } catch (e) {
      return failed(e);
    }
  }

  private finish(conn: Connection, openAtEnd: boolean, chain: ChainReport | null): void {
    const shard = this.opts.shard;
    if (!shard) {
      this.conclude(this.input(conn, openAtEnd, chain, this.knowledge));
      return;
    }
    const probe = new ProbeKnowledge();
    const input = this.input(conn, openAtEnd, chain, probe);
    shard.onLesson(conn, lessonOf(input));
    const d = diagnose(input, input.quic ? QUIC_RULES : RULES, stageOf);
    if (probe.asked) shard.onDeferred({ conn, openAtEnd, chain, server: handshakeServer(input) });
    else this.conclude(input, d);
  }

  /** A deferred connection, with its global id and what the main thread knew of its server then. */
  resume(d: Deferred, id: number, slice: ServerKnowledge | undefined): void {
    d.conn.id = id;
    this.conclude(this.input(d.conn, d.openAtEnd, d.chain, new SliceKnowledge(slice)));
  }

  private conclude(input: DiagnosisInput, diagnosis?: Diagnosis): void {
    const conn = input.conn;
    const d = diagnosis ?? diagnose(input, input.quic ? QUIC_RULES : RULES, stageOf);
    annotateTunnel(d, input);
    annotateQuic(d, input);
    annotateResets(d, input);
    annotateDecryption(d, input, this.keys.sources);
    downgradeForDrops(d, input.drops);
    for (const f of [...tlsFindings(input), ...sshFindings(input), ...tunnelFindings(input)]) conn.addFinding(f);
    const rec = this.record(input, d);
    this.vantage.add(rec.vantage, conn.client.endpoint.ip, conn.server.endpoint.ip);
    if (!this.opts.shard) {
      const lesson = lessonOf(input);
      if (lesson) this.knowledge.learn(lesson, rec.id, rec.firstFrame);
    }
    this.opts.onRecord(rec, conn);
  }

  private input(conn: Connection, openAtEnd: boolean, chain: ChainReport | null, knowledge: KnowledgeView = this.knowledge): DiagnosisInput {
    const { tls, ssh, tunnel, quic } = trackerStates(conn);
    const kh = this.opts.knownHosts;
    return {
      conn,
      openAtEnd,
      tls,
      ssh,
      tunnel,
      quic,
      chain,
      knowledge,
      knownHosts: kh && ssh?.hostKey ? lookupKnownHosts(kh.file, conn.server.endpoint.ip, conn.server.endpoint.port, ssh.hostKey.blob) : null,
      knownHostsPath: kh?.path ?? null,
      drops: this.opts.dropsDuring ? this.opts.dropsDuring(conn.startTime, conn.lastTime) : null,
    };
  }

  private record(input: DiagnosisInput, d: Diagnosis): ConnectionRecord {
    const { conn, tls, ssh, chain, tunnel } = input;
    const protocol = protocolOf(input);
    const app: { tls?: unknown; ssh?: unknown; tunnel?: unknown; vantage?: unknown; quic?: unknown } = {};
    if (tunnel) app.tunnel = tunnelJson(tunnel);
    if (input.quic) app.quic = quicJson(input.quic, tls, conn.paths);
    app.vantage = vantageOf(conn);
    if (tls) {
      // Set in place (no spread of the ~40-field object): certificates keeps its place, chain comes last.
      const t: ReturnType<typeof tlsJson> & { chain?: ReturnType<typeof chainSummary> } = tlsJson(tls);
      t.certificates = chain ? certificateJson(chain) : [];
      if (chain) t.chain = chainSummary(chain);
      app.tls = t;
    }
    if (ssh) app.ssh = sshJson(ssh);
    conn.ladder.sort((a, b) => a.frame - b.frame);
    return buildRecord(conn, d, protocol, app);
  }
}

/** What this connection showed about its server, for the connections after it (null: nothing). */
function lessonOf(input: DiagnosisInput): Lesson | null {
  const tls = input.tls;
  const hk = input.ssh?.hostKey;
  const completedTls = tls?.completed && tls.version !== null && tls.cipherSuite !== null;
  if (!completedTls && !hk) return null;
  const { ip, port } = handshakeServer(input);
  let t: Lesson['tls'] = null;
  if (completedTls) {
    const group = tls.serverHello?.hello.ext.serverKeyShare?.group ?? (tls.serverKeyExchange?.value.kind === 'ecdhe' ? tls.serverKeyExchange.value.namedGroup : null);
    t = { version: tls.version!, cipherSuite: tls.cipherSuite!, group, serverName: tls.clientHello?.hello.ext.serverName ?? null };
  }
  return { ip, port, tls: t, ssh: hk ? { type: hk.type, fingerprint: hk.fingerprint, frame: hk.frame, time: hk.time } : null };
}

/** What a connection's certificate chain is judged with: the chain, the name the client asked for, the capture's time. */
export function chainJudgeInput(conn: Connection, tls: NonNullable<DiagnosisInput['tls']>, tunnel: DiagnosisInput['tunnel'], trust: TrustStore): Parameters<typeof judgeChainNow>[0] {
  const certs = tls.certificates!;
  return {
    chain: certs.ders,
    // without SNI, behind a proxy the name the client asked the proxy for
    serverName: tls.clientHello?.hello.ext.serverName ?? targetName(tunnel),
    time: new Date(certs.time * 1000),
    trust,
    ocsp: tls.ocsp?.responses[0] ?? null,
    port: handshakeServer({ conn, tunnel }).port,
  };
}

/** The host name a tunnel's client asked for (not an address literal), or null. */
function targetName(t: DiagnosisInput['tunnel']): string | null {
  const h = t?.targetHost;
  if (!h || /^[\d.]+$/.test(h) || h.includes(':')) return null;
  return h;
}

/** What the bytes on the wire were, not what the port suggests. */
export function protocolOf(input: DiagnosisInput): 'tls' | 'ssh' | 'quic' | 'unknown' {
  if (input.quic) return 'quic';
  const t = input.tls;
  if (t && (t.clientHello || t.serverHello || t.records.client.length > 0 || t.records.server.length > 0)) return 'tls';
  const s = input.ssh;
  if (s && (s.client.banner || s.server.banner)) return 'ssh';
  // A STARTTLS-style upgrade the client asked for (or wanted and was not offered) is TLS
  // that did not start; a proxy tunnel can carry anything.
  const u = input.tunnel;
  if (u && !isProxyKind(u.kind) && (u.attempts > 0 || u.result === 'starttls-not-offered')) return 'tls';
  return 'unknown';
}

/** A verdict resting on a packet that never showed is only `possible` when the capture itself lost packets. */
function downgradeForDrops(d: Diagnosis, drops: number | null): void {
  if (!drops || drops <= 0 || !DROP_SENSITIVE.has(d.verdict.code)) return;
  d.verdict.confidence = 'possible';
  d.verdict.evidence.push(`the capture itself dropped ${drops} packet${drops > 1 ? 's' : ''} while this connection was open: the packet that seems missing may have been lost by the capture, not by the network`);
}

function chainSummary(c: ChainReport) {
  return {
    ok: c.ok,
    pathEnd: c.pathEnd,
    primary: c.primary ? { code: c.primary.code, message: c.primary.message } : null,
    problems: c.problems.map((p) => ({ code: p.code, severity: p.severity, message: p.message, certIndex: p.certIndex ?? null })),
    trustStore: c.trustStore,
    hostname: c.hostname,
    checks: c.checks,
  };
}
