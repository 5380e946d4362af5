// The NSS key log format (SSLKEYLOGFILE, written by OpenSSL, GnuTLS, NSS, BoringSSL, curl,
// browsers): one secret per line, "LABEL <client_random hex> <secret hex>", comments with
// '#'. Read from --keylog, from $SSLKEYLOGFILE, and from pcapng Decryption Secrets Blocks
// (type "TLSK", which `editcap --inject-secrets tls,FILE` and Wireshark write).
//
// The store maps a ClientHello's random to its secrets. Bounded; the secrets never leave
// it except to derive keys (tls/keys.ts, quic/protection.ts): no output names a secret's
// value, only its label.

/** Labels of the format; unknown labels are counted and skipped. */
export const KEYLOG_LABELS = [
  'CLIENT_RANDOM', // TLS 1.2 and below: the 48-byte master secret
  'CLIENT_EARLY_TRAFFIC_SECRET',
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
  'EXPORTER_SECRET',
  'EARLY_EXPORTER_SECRET',
] as const;

export type KeylogLabel = (typeof KEYLOG_LABELS)[number];

const LABELS: ReadonlySet<string> = new Set(KEYLOG_LABELS);

/** Sessions remembered (the oldest are forgotten beyond this). */
export const MAX_KEYLOG_SESSIONS = 200_000;
/** pcapng Decryption Secrets Block type for a TLS key log ("TLSK"). */
export const DSB_TLS_KEYLOG = 0x544c534b;

export interface KeylogStats {
  lines: number;
  secrets: number;
  sessions: number;
  unknownLabels: number;
  malformed: number;
  forgotten: number;
}

export type Secrets = ReadonlyMap<KeylogLabel, Uint8Array>;

export class KeyStore {
  private readonly sessions = new Map<string, Map<KeylogLabel, Uint8Array>>();
  readonly stats: KeylogStats = { lines: 0, secrets: 0, sessions: 0, unknownLabels: 0, malformed: 0, forgotten: 0 };
  /** Where the secrets came from ("--keylog keys.txt", "the capture's decryption secrets block"), for evidence. */
  readonly sources: string[] = [];

  get size(): number {
    return this.sessions.size;
  }

  /** Add every line of a key log text. */
  addText(text: string, source: string): void {
    if (!this.sources.includes(source)) this.sources.push(source);
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      this.stats.lines++;
      const parts = line.split(/\s+/);
      if (parts.length !== 3) {
        this.stats.malformed++;
        continue;
      }
      const [label, random, secret] = parts as [string, string, string];
      if (!LABELS.has(label)) {
        this.stats.unknownLabels++;
        continue;
      }
      if (!/^[0-9a-fA-F]{64}$/.test(random) || !/^([0-9a-fA-F]{2}){16,64}$/.test(secret)) {
        this.stats.malformed++;
        continue;
      }
      const key = random.toLowerCase();
      let s = this.sessions.get(key);
      if (!s) {
        if (this.sessions.size >= MAX_KEYLOG_SESSIONS) {
          this.sessions.delete(this.sessions.keys().next().value as string);
          this.stats.forgotten++;
        }
        s = new Map();
        this.sessions.set(key, s);
        this.stats.sessions++;
      }
      s.set(label as KeylogLabel, Uint8Array.from(Buffer.from(secret, 'hex')));
      this.stats.secrets++;
    }
  }

  /** The secrets logged for a ClientHello random (32 bytes), or null. */
  lookup(clientRandom: Uint8Array): Secrets | null {
    if (this.sessions.size === 0 || clientRandom.length !== 32) return null;
    return this.sessions.get(Buffer.from(clientRandom).toString('hex')) ?? null;
  }
}
