// Failure groups: the records of failed connections gathered by cause, so that 50,000
// records read as a few lines a sysadmin can act on. A group is (verdict code, server
// address and port, SNI, the client's fingerprint: JA4 for TLS and QUIC, HASSH and banner
// for SSH), with counts, first and last seen, example connections and the client addresses.
// Completed connections are counted per server and SNI too: a group then says whether the
// same server works for others ("every other SNI on this server is fine").
//
// Bounded: groups, clients per group and servers are capped; past the group cap a failure
// joins its code's overflow group, so the groups' counts always add up to the failures.

import type { ConnectionRecord } from './record.js';

/** What a record gives the groups: the verdict, the endpoints and times, the client's fingerprint. */
export interface GroupedRecord {
  id: number;
  outcome: ConnectionRecord['outcome'];
  verdict: { code: string; summary: string };
  client: { ip: string };
  server: { ip: string; port: number };
  startTime: string;
  endTime: string;
  cutFrame: number | null;
  tls?: { ja4?: string | null; clientHello?: { serverName?: string | null } | null } | null;
  ssh?: { hassh?: string | null; clientBanner?: string | null } | null;
}

/** A whole record (its tls/ssh objects read for the fingerprint), or its grouped fields alone. */
export type Groupable = ConnectionRecord | GroupedRecord;

/** A record's grouped fields alone (what a `--jobs` worker sends the main thread). */
export function groupedFields(r: ConnectionRecord): GroupedRecord {
  const g = r as GroupedRecord;
  return {
    id: r.id,
    outcome: r.outcome,
    verdict: { code: r.verdict.code, summary: r.verdict.summary },
    client: r.client,
    server: r.server,
    startTime: r.startTime,
    endTime: r.endTime,
    cutFrame: r.cutFrame,
    ...(g.tls ? { tls: { ja4: g.tls.ja4 ?? null, clientHello: g.tls.clientHello ? { serverName: g.tls.clientHello.serverName ?? null } : null } } : {}),
    ...(g.ssh ? { ssh: { hassh: g.ssh.hassh ?? null, clientBanner: g.ssh.clientBanner ?? null } } : {}),
  };
}

export const MAX_GROUPS = 1000;
/** Distinct client addresses counted exactly per group; past it the count is a lower bound. */
export const MAX_CLIENTS_PER_GROUP = 4096;
const MAX_EXAMPLES = 5;
const MAX_SERVERS = 10_000;
const MAX_NAMES_PER_SERVER = 64;

export interface GroupKey {
  code: string;
  server: { ip: string; port: number } | null;
  serverName: string | null;
  clientFingerprint: string | null;
}

export interface FailureGroup extends GroupKey {
  type: 'group';
  count: number;
  /** Distinct client addresses (a lower bound when clientsCapped). */
  clients: number;
  clientsCapped: boolean;
  /** The busiest client addresses, most connections first. */
  topClients: { ip: string; count: number }[];
  firstTime: string;
  lastTime: string;
  /** Connection ids (the first few) and the frames where they were cut. */
  examples: number[];
  exampleFrames: (number | null)[];
  /** The verdict's summary of the first connection of the group (all of the group share the code). */
  summary: string;
  /** The client software, when its bytes said (SSH banner). */
  clientSoftware: string | null;
  /** On the same server: completed connections, and those with this SNI. */
  sameServer: { completed: number; completedSameName: number; otherNamesCompleted: number; failedOtherGroups: number };
  /** The overflow group of its code (the group cap was reached): server, name and fingerprint vary. */
  overflow: boolean;
}

interface Acc {
  key: GroupKey;
  count: number;
  clientCounts: Map<string, number>;
  clientsCapped: boolean;
  clientsSeen: number;
  first: string;
  last: string;
  examples: number[];
  exampleFrames: (number | null)[];
  summary: string;
  clientSoftware: string | null;
  overflow: boolean;
}

interface ServerAcc {
  completed: number;
  failed: number;
  byName: Map<string, { completed: number; failed: number }>;
}

const epKey = (e: { ip: string; port: number }) => `${e.ip}|${e.port}`;

/** The group key of a record: its handshake's server (through a proxy: the target) and client fingerprint. */
export function groupKeyOf(r: Groupable): GroupKey {
  const { tls, ssh } = r as GroupedRecord;
  const fp = tls?.ja4 ?? (ssh?.hassh ? `${ssh.hassh}${ssh.clientBanner ? ` ${ssh.clientBanner}` : ''}` : null);
  return { code: r.verdict.code, server: { ip: r.server.ip, port: r.server.port }, serverName: tls?.clientHello?.serverName ?? null, clientFingerprint: fp };
}

export class FailureGroups {
  private readonly groups = new Map<string, Acc>();
  private readonly servers = new Map<string, ServerAcc>();
  failed = 0;

  add(rec: Groupable): void {
    const r = rec as GroupedRecord;
    const key = groupKeyOf(r);
    this.server(r, key.serverName);
    if (r.outcome !== 'failed') return;
    this.failed++;
    let k = JSON.stringify([key.code, key.server && epKey(key.server), key.serverName, key.clientFingerprint]);
    let g = this.groups.get(k);
    if (!g && this.groups.size >= MAX_GROUPS) {
      k = JSON.stringify([key.code, '*']);
      g = this.groups.get(k);
      if (!g) g = this.create(k, { code: key.code, server: null, serverName: null, clientFingerprint: null }, r, true);
    }
    g ??= this.create(k, key, r, false);
    g.count++;
    if (r.startTime < g.first) g.first = r.startTime;
    if (r.endTime > g.last) g.last = r.endTime;
    if (g.examples.length < MAX_EXAMPLES) {
      g.examples.push(r.id);
      g.exampleFrames.push(r.cutFrame);
    }
    const ip = r.client.ip;
    const n = g.clientCounts.get(ip);
    if (n !== undefined) g.clientCounts.set(ip, n + 1);
    else if (g.clientCounts.size < MAX_CLIENTS_PER_GROUP) {
      g.clientCounts.set(ip, 1);
      g.clientsSeen++;
    } else {
      g.clientsCapped = true;
    }
  }

  private create(k: string, key: GroupKey, r: GroupedRecord, overflow: boolean): Acc {
    const g: Acc = {
      key, count: 0, clientCounts: new Map(), clientsCapped: false, clientsSeen: 0, first: r.startTime, last: r.endTime,
      examples: [], exampleFrames: [], summary: r.verdict.summary, clientSoftware: r.ssh?.clientBanner ?? null, overflow,
    };
    this.groups.set(k, g);
    return g;
  }

  private server(r: GroupedRecord, name: string | null): void {
    const k = epKey(r.server);
    let s = this.servers.get(k);
    if (!s) {
      if (this.servers.size >= MAX_SERVERS) return;
      s = { completed: 0, failed: 0, byName: new Map() };
      this.servers.set(k, s);
    }
    const ok = r.outcome === 'completed';
    if (ok) s.completed++;
    else if (r.outcome === 'failed') s.failed++;
    else return;
    const nk = name ?? '';
    let byName = s.byName.get(nk);
    if (!byName && s.byName.size < MAX_NAMES_PER_SERVER) s.byName.set(nk, (byName = { completed: 0, failed: 0 }));
    if (byName) ok ? byName.completed++ : byName.failed++;
  }

  /** The groups, biggest first (then by first seen). */
  list(): FailureGroup[] {
    const out: FailureGroup[] = [];
    for (const g of this.groups.values()) {
      const top = [...g.clientCounts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([ip, count]) => ({ ip, count }));
      const s = g.key.server ? this.servers.get(epKey(g.key.server)) : undefined;
      const same = s?.byName.get(g.key.serverName ?? '');
      out.push({
        type: 'group', ...g.key, count: g.count, clients: g.clientsSeen, clientsCapped: g.clientsCapped, topClients: top,
        firstTime: g.first, lastTime: g.last, examples: g.examples, exampleFrames: g.exampleFrames, summary: g.summary,
        clientSoftware: g.clientSoftware,
        sameServer: {
          completed: s?.completed ?? 0,
          completedSameName: same?.completed ?? 0,
          otherNamesCompleted: (s?.completed ?? 0) - (same?.completed ?? 0),
          failedOtherGroups: (s?.failed ?? 0) - g.count,
        },
        overflow: g.overflow,
      });
    }
    return out.sort((a, b) => b.count - a.count || (a.firstTime < b.firstTime ? -1 : a.firstTime > b.firstTime ? 1 : 0));
  }
}
