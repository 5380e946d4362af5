// What the input has shown so far about each server, across connections: which TLS
// versions / suites / groups it completed handshakes with, which SSH host keys it
// presented. Rules use it for evidence like "other clients negotiated TLS 1.3 /
// TLS_AES_256_GCM_SHA384 with this server" and for a host key that changed between two
// connections. Bounded: a cap on servers, and on entries per server.

/** Servers remembered; the least recently updated are forgotten beyond this. */
export const MAX_SERVERS = 10_000;
/** Distinct values remembered per server and kind. */
const MAX_VALUES = 16;

export interface TlsSuccess {
  version: number;
  cipherSuite: number;
  group: number | null;
  /** The SNI the client sent (null: none). */
  serverName: string | null;
  /** The connection id and its first frame, for evidence. */
  id: number;
  frame: number;
  count: number;
}

export interface SshHostKeySeen {
  type: string;
  fingerprint: string;
  id: number;
  frame: number;
  time: number;
}

export interface ServerKnowledge {
  tlsSuccesses: TlsSuccess[];
  sshHostKeys: SshHostKeySeen[];
}

/** What rules read: the knowledge about one server. */
export interface KnowledgeView {
  get(ip: string, port: number): ServerKnowledge | undefined;
}

/** What one finished connection teaches about its server (its id and frame are added by whoever numbers it). */
export interface Lesson {
  ip: string;
  port: number;
  tls: Omit<TlsSuccess, 'count' | 'id' | 'frame'> | null;
  ssh: Omit<SshHostKeySeen, 'id'> | null;
}

/**
 * A view that knows nothing and notes whether it was asked: a `--jobs` worker diagnoses
 * with it first, and hands the connections whose rules asked to the main thread, which
 * alone holds the knowledge in capture order.
 */
export class ProbeKnowledge implements KnowledgeView {
  asked = false;
  get(): undefined {
    this.asked = true;
    return undefined;
  }
}

/** A view of one server's knowledge (the slice the main thread sent back). */
export class SliceKnowledge implements KnowledgeView {
  constructor(private readonly slice: ServerKnowledge | undefined) {}
  get(): ServerKnowledge | undefined {
    return this.slice;
  }
}

export class Knowledge implements KnowledgeView {
  private readonly servers = new Map<string, ServerKnowledge>();

  static key(ip: string, port: number): string {
    return `${ip}|${port}`;
  }

  get(ip: string, port: number): ServerKnowledge | undefined {
    return this.servers.get(Knowledge.key(ip, port));
  }

  private entry(ip: string, port: number): ServerKnowledge {
    const k = Knowledge.key(ip, port);
    let e = this.servers.get(k);
    if (e) {
      // Keep insertion order as recency order.
      this.servers.delete(k);
    } else {
      e = { tlsSuccesses: [], sshHostKeys: [] };
      if (this.servers.size >= MAX_SERVERS) this.servers.delete(this.servers.keys().next().value as string);
    }
    this.servers.set(k, e);
    return e;
  }

  /** Learn a connection's lesson under its id and first frame. */
  learn(l: Lesson, id: number, firstFrame: number): void {
    // Fields spelt out: an object spread of the lesson is a slow generic copy here.
    const t = l.tls;
    if (t) this.recordTls(l.ip, l.port, { version: t.version, cipherSuite: t.cipherSuite, group: t.group, serverName: t.serverName, id, frame: firstFrame });
    const k = l.ssh;
    if (k) this.recordSshHostKey(l.ip, l.port, { type: k.type, fingerprint: k.fingerprint, frame: k.frame, time: k.time, id });
  }

  recordTls(ip: string, port: number, s: Omit<TlsSuccess, 'count'>): void {
    const e = this.entry(ip, port);
    const same = e.tlsSuccesses.find((x) => x.version === s.version && x.cipherSuite === s.cipherSuite && x.group === s.group && x.serverName === s.serverName);
    if (same) same.count++;
    else if (e.tlsSuccesses.length < MAX_VALUES) e.tlsSuccesses.push({ ...s, count: 1 });
  }

  recordSshHostKey(ip: string, port: number, k: SshHostKeySeen): void {
    const e = this.entry(ip, port);
    if (e.sshHostKeys.some((x) => x.fingerprint === k.fingerprint)) return;
    if (e.sshHostKeys.length >= MAX_VALUES) e.sshHostKeys.shift();
    e.sshHostKeys.push(k);
  }
}
