// Trust anchors: the system CA bundle (first of the usual places that exists), a PEM file
// given with --ca-file, or Node's built-in Mozilla roots as the last resort. Loading only
// indexes each anchor (subject name key, subject key identifier, key hash, fingerprint);
// full decoding happens on first use, through the shared certificate cache.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Reader } from '../wire/reader.js';
import { type ParsedCert, decodeCertificate, readAnchorFields, sha256Hex } from './cert.js';
import { readTlv } from './der.js';
import { MAX_TRUST_ANCHORS, MAX_TRUST_FILE_BYTES } from './limits.js';
import { type DistinguishedName, decodeName, formatDn, nameKey } from './name.js';

/**
 * Where CA bundles live, in the order Go's crypto/x509 looks: Debian/Ubuntu/Gentoo/Arch,
 * Fedora/RHEL 6, openSUSE, OpenELEC, CentOS/RHEL 7+, Alpine/macOS/OpenBSD, FreeBSD.
 */
export const SYSTEM_TRUST_BUNDLES: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
  '/usr/local/etc/ssl/cert.pem',
  '/usr/local/share/certs/ca-root-nss.crt',
];

export const NODE_BUNDLED_SOURCE = 'node:tls.rootCertificates';

/**
 * One anchor, indexed at load by its raw subject Name, key identifier, key and fingerprint;
 * the subject is decoded only when asked for (display, or a lookup by canonical name).
 */
export class TrustAnchor {
  private name: DistinguishedName | null | undefined;

  constructor(
    readonly der: Uint8Array,
    /** SHA-256 of the DER, lowercase hex. */
    readonly sha256: string,
    /** The subject Name's DER. */
    readonly subjectDer: Uint8Array,
    /** Subject key identifier (hex) or null. */
    readonly ski: string | null,
    /** SHA-256 of the SubjectPublicKeyInfo. */
    readonly spkiSha256: string,
  ) {}

  private decoded(): DistinguishedName | null {
    if (this.name === undefined) {
      try {
        this.name = decodeName(this.subjectDer);
      } catch {
        this.name = null;
      }
    }
    return this.name;
  }

  /** RFC 2253 subject DN. */
  get subject(): string {
    const n = this.decoded();
    return n ? formatDn(n) : '(undecodable subject)';
  }

  /** Canonical name key (name.ts nameKey), or null when the subject does not decode. */
  get subjectKey(): string | null {
    const n = this.decoded();
    return n ? nameKey(n) : null;
  }
}

export type TrustStoreKind = 'file' | 'system' | 'bundled';

export class TrustStoreError extends Error {
  override name = 'TrustStoreError';
}

const rawKey = (der: Uint8Array): string => Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
const push = <K>(m: Map<K, TrustAnchor[]>, k: K, a: TrustAnchor) => m.set(k, [...(m.get(k) ?? []), a]);

export class TrustStore {
  private readonly byRawSubject = new Map<string, TrustAnchor[]>();
  /** Built on the first lookup by canonical name (most lookups hit the raw index). */
  private bySubjectKey: Map<string, TrustAnchor[]> | null = null;
  private readonly bySkiHex = new Map<string, TrustAnchor[]>();
  private readonly bySpkiHash = new Map<string, TrustAnchor[]>();
  private readonly byFp = new Map<string, TrustAnchor>();
  readonly anchors: readonly TrustAnchor[];

  /**
   * @param source the file read, or NODE_BUNDLED_SOURCE
   * @param kind how it was chosen: --ca-file, the system bundle, or Node's bundled roots
   * @param rejected PEM blocks that did not decode as certificates (skipped)
   * @param loadMs time spent reading and indexing
   */
  constructor(
    readonly source: string,
    readonly kind: TrustStoreKind,
    anchors: readonly TrustAnchor[],
    readonly rejected: number,
    readonly loadMs: number,
  ) {
    for (const a of anchors) {
      if (this.byFp.has(a.sha256)) continue;
      this.byFp.set(a.sha256, a);
      push(this.byRawSubject, rawKey(a.subjectDer), a);
      push(this.bySpkiHash, a.spkiSha256, a);
      if (a.ski) push(this.bySkiHex, a.ski, a);
    }
    this.anchors = [...this.byFp.values()];
  }

  get size(): number {
    return this.byFp.size;
  }

  /** Anchors whose subject has this canonical name key (name.ts nameKey). */
  bySubject(key: string): readonly TrustAnchor[] {
    if (!this.bySubjectKey) {
      this.bySubjectKey = new Map();
      for (const a of this.anchors) {
        const k = a.subjectKey;
        if (k !== null) push(this.bySubjectKey, k, a);
      }
    }
    return this.bySubjectKey.get(key) ?? [];
  }

  /** Anchors named `name`: byte-identical subject first (cheap), else by canonical key. */
  byName(name: DistinguishedName): readonly TrustAnchor[] {
    return this.byRawSubject.get(rawKey(name.der)) ?? this.bySubject(nameKey(name));
  }

  bySki(skiHex: string): readonly TrustAnchor[] {
    return this.bySkiHex.get(skiHex) ?? [];
  }

  bySpki(spkiSha256: string): readonly TrustAnchor[] {
    return this.bySpkiHash.get(spkiSha256) ?? [];
  }

  byFingerprint(sha256: string): TrustAnchor | undefined {
    return this.byFp.get(sha256);
  }

  /** The anchor decoded in full (cached); null if it does not decode. */
  parsed(anchor: TrustAnchor): ParsedCert | null {
    const d = decodeCertificate(anchor.der);
    return d.ok ? d.cert : null;
  }

  /** "…/ca-certificates.crt (146 anchors)" for the report. */
  describe(): string {
    return `${this.source} (${this.size} anchor${this.size === 1 ? '' : 's'}${this.rejected ? `, ${this.rejected} unreadable skipped` : ''})`;
  }
}

const PEM_BLOCK = /-----BEGIN (TRUSTED |X509 )?CERTIFICATE-----([\s\S]*?)-----END \1?CERTIFICATE-----/g;

/** Index one certificate as an anchor; null when it does not decode. */
function anchorFrom(der: Uint8Array): TrustAnchor | null {
  try {
    // A "TRUSTED CERTIFICATE" block is the certificate followed by OpenSSL's trust settings.
    const first = readTlv(new Reader(der, 0, der.length, ['anchor']), 'certificate').raw;
    const f = readAnchorFields(first);
    return new TrustAnchor(first, sha256Hex(first), f.subject, f.ski, sha256Hex(f.spki));
  } catch {
    return null;
  }
}

/** Build a store from PEM text (or a lone DER certificate). */
export function trustStoreFromPem(pem: string | Uint8Array, source: string, kind: TrustStoreKind, t0 = performance.now()): TrustStore {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('latin1');
  const ders: Uint8Array[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    if (ders.length >= MAX_TRUST_ANCHORS) break;
    ders.push(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64'));
  }
  if (ders.length === 0 && typeof pem !== 'string' && pem[0] === 0x30) ders.push(pem);
  const anchors: TrustAnchor[] = [];
  for (const d of ders) {
    const a = anchorFrom(d);
    if (a) anchors.push(a);
  }
  return new TrustStore(source, kind, anchors, ders.length - anchors.length, performance.now() - t0);
}

function readBundle(path: string, kind: TrustStoreKind): TrustStore {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new TrustStoreError(`cannot read CA file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (size > MAX_TRUST_FILE_BYTES) throw new TrustStoreError(`CA file ${path} is ${size} bytes (limit ${MAX_TRUST_FILE_BYTES})`);
  const t0 = performance.now();
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new TrustStoreError(`cannot read CA file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const store = trustStoreFromPem(bytes, path, kind, t0);
  if (store.size === 0) throw new TrustStoreError(`CA file ${path} holds no readable certificate`);
  return store;
}

/**
 * Load trust anchors: `path` when given (a PEM file, as --ca-file); otherwise
 * $SSL_CERT_FILE, then the first system bundle that exists, then Node's bundled Mozilla
 * roots. Throws TrustStoreError (with a one-line reason) when a given file cannot be used.
 */
export function loadTrustStore(path?: string): TrustStore {
  if (path !== undefined) return readBundle(path, 'file');
  const env = process.env['SSL_CERT_FILE'];
  if (env && existsSync(env)) return readBundle(env, 'system');
  for (const p of SYSTEM_TRUST_BUNDLES) {
    if (!existsSync(p)) continue;
    try {
      return readBundle(p, 'system');
    } catch {
      // unreadable or empty: try the next place
    }
  }
  return trustStoreFromPem(rootCertificates.join('\n'), NODE_BUNDLED_SOURCE, 'bundled');
}
