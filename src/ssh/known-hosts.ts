// OpenSSH known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): one key per line as
// `[marker] hostpatterns keytype base64-key [comment]`, where hostpatterns is a comma list
// with * and ? wildcards and ! negation, `[host]:port` for a port other than 22, or a hashed
// `|1|base64(salt)|base64(HMAC-SHA1(salt, host))`; markers are @cert-authority and @revoked.
// Comments and blank lines are skipped; malformed lines are skipped and counted.

import { createHmac } from 'node:crypto';
import { Reader } from '../wire/reader.js';
import { latin1 } from '../wire/text.js';
import { fingerprintSha256, parseHostKey } from './hostkey.js';

/** Lines longer than this are malformed (OpenSSH reads with a 16 KiB-plus line buffer). */
export const MAX_KNOWN_HOSTS_LINE = 64 * 1024;
/** Lines read from one file. */
export const MAX_KNOWN_HOSTS_LINES = 1_000_000;
/** Malformed lines remembered with their reason (all are counted). */
export const MAX_MALFORMED_KEPT = 100;

export type KnownHostsMarker = 'cert-authority' | 'revoked' | null;

export interface KnownHostsEntry {
  /** 1-based line number. */
  line: number;
  marker: KnownHostsMarker;
  /** Plain patterns (lower-cased), or empty for a hashed entry. */
  patterns: string[];
  /** Hashed entry: salt and HMAC-SHA1. */
  hashed: { salt: Uint8Array; hash: Uint8Array } | null;
  keyType: string;
  blob: Uint8Array;
  fingerprint: string;
  comment: string;
}

export interface KnownHostsFile {
  entries: KnownHostsEntry[];
  malformedCount: number;
  malformed: { line: number; reason: string }[];
  lines: number;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function b64(s: string): Uint8Array | null {
  if (!BASE64.test(s) || s.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/** The type string at the start of a key blob, or null. */
function blobType(blob: Uint8Array): string | null {
  try {
    return latin1(new Reader(blob).vec32('type').rest());
  } catch {
    return null;
  }
}

function parseLine(text: string, line: number): KnownHostsEntry | string | null {
  const t = text.trim();
  if (t === '' || t.startsWith('#')) return null;
  const fields = t.split(/[ \t]+/);
  let marker: KnownHostsMarker = null;
  if (fields[0]!.startsWith('@')) {
    const m = fields.shift()!;
    if (m === '@cert-authority') marker = 'cert-authority';
    else if (m === '@revoked') marker = 'revoked';
    else return `unknown marker ${m}`;
  }
  if (fields.length < 3) return 'expected host patterns, key type and key';
  const [hosts, keyType, keyB64, ...rest] = fields as [string, string, string, ...string[]];
  let hashed: KnownHostsEntry['hashed'] = null;
  let patterns: string[] = [];
  if (hosts.startsWith('|')) {
    const parts = hosts.split('|');
    if (parts.length !== 4 || parts[1] !== '1') return 'unsupported hashed host format';
    const salt = b64(parts[2]!);
    const hash = b64(parts[3]!);
    if (!salt || !hash || hash.length !== 20) return 'bad hashed host';
    hashed = { salt, hash };
  } else {
    patterns = hosts.toLowerCase().split(',').filter((p) => p !== '');
    if (patterns.length === 0) return 'empty host pattern list';
  }
  const blob = b64(keyB64);
  if (!blob) return 'key is not base64';
  const parsed = parseHostKey(blob);
  if (parsed.status !== 'ok') return 'key blob is not a valid SSH public key';
  if (parsed.value.type !== keyType) return `key type ${keyType} does not match the key's own type ${parsed.value.type}`;
  return { line, marker, patterns, hashed, keyType, blob, fingerprint: fingerprintSha256(blob), comment: rest.join(' ') };
}

/** Parse a known_hosts file's text. */
export function parseKnownHosts(text: string): KnownHostsFile {
  const out: KnownHostsFile = { entries: [], malformedCount: 0, malformed: [], lines: 0 };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && i < MAX_KNOWN_HOSTS_LINES; i++) {
    out.lines++;
    const raw = lines[i]!.replace(/\r$/, '');
    const r = raw.length > MAX_KNOWN_HOSTS_LINE ? 'line too long' : parseLine(raw, i + 1);
    if (r === null) continue;
    if (typeof r === 'string') {
      out.malformedCount++;
      if (out.malformed.length < MAX_MALFORMED_KEPT) out.malformed.push({ line: i + 1, reason: r });
      continue;
    }
    out.entries.push(r);
  }
  if (lines.length > 0 && lines[lines.length - 1] === '') out.lines--;
  return out;
}

/** The name OpenSSH looks up: "host" for port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** OpenSSH match_pattern: '*' any run, '?' one character. */
export function wildcardMatch(s: string, pattern: string): boolean {
  // Iterative glob with backtracking on the last '*'.
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < pattern.length && (pattern[pi] === '?' || pattern[pi] === s[si])) {
      si++;
      pi++;
    } else if (pi < pattern.length && pattern[pi] === '*') {
      star = pi++;
      mark = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else return false;
  }
  while (pi < pattern.length && pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

/** Does an entry name this host? Negated patterns veto the whole line (match_pattern_list). */
export function entryMatchesHost(e: KnownHostsEntry, name: string): boolean {
  if (e.hashed) {
    const mac = createHmac('sha1', e.hashed.salt).update(name).digest();
    return Buffer.compare(mac, Buffer.from(e.hashed.hash)) === 0;
  }
  let positive = false;
  for (const p of e.patterns) {
    if (p.startsWith('!')) {
      if (wildcardMatch(name, p.slice(1))) return false;
    } else if (wildcardMatch(name, p)) positive = true;
  }
  return positive;
}

export type KnownHostsStatus = 'match' | 'mismatch' | 'revoked' | 'unknown' | 'ca-signed';

export interface KnownKey {
  type: string;
  fingerprint: string;
  line: number;
  marker: KnownHostsMarker;
}

export interface KnownHostsResult {
  status: KnownHostsStatus;
  /** The name looked up ("host" or "[host]:port"). */
  name: string;
  /** The entries that decided the status (for unknown: keys of other types known for the host). */
  knownKeys: KnownKey[];
  lines: number[];
  /** ca-signed: the host name is among the certificate's principals (OpenSSH requires it). */
  principalOk?: boolean;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
const known = (e: KnownHostsEntry): KnownKey => ({ type: e.keyType, fingerprint: e.fingerprint, line: e.line, marker: e.marker });

/**
 * Check a server's host key blob for host:port against the file, as ssh(1) does:
 * revoked (the key, or the CA of a certificate, is @revoked) → ca-signed (a certificate
 * signed by an @cert-authority for this host) → match (a plain entry with this key) →
 * mismatch (a plain entry with another key of the same type) → unknown.
 */
export function lookupKnownHosts(file: KnownHostsFile, host: string, port: number, keyBlob: Uint8Array): KnownHostsResult {
  const name = knownHostsName(host, port);
  const parsed = parseHostKey(keyBlob);
  const plain = parsed.status === 'ok' ? parsed.value.plainBlob : keyBlob;
  const plainType = parsed.status === 'ok' ? (parsed.value.certificate?.keyType ?? parsed.value.type) : blobType(keyBlob) ?? '';
  const cert = parsed.status === 'ok' ? parsed.value.certificate : null;
  const forHost = file.entries.filter((e) => entryMatchesHost(e, name));
  const result = (status: KnownHostsStatus, es: KnownHostsEntry[], extra: Partial<KnownHostsResult> = {}): KnownHostsResult => ({
    status,
    name,
    knownKeys: es.map(known),
    lines: es.map((e) => e.line),
    ...extra,
  });

  const revoked = forHost.filter(
    (e) => e.marker === 'revoked' && (sameBytes(e.blob, keyBlob) || sameBytes(e.blob, plain) || (cert !== null && sameBytes(e.blob, cert.signatureKey.blob))),
  );
  if (revoked.length > 0) return result('revoked', revoked);
  if (cert) {
    const cas = forHost.filter((e) => e.marker === 'cert-authority' && sameBytes(e.blob, cert.signatureKey.blob));
    if (cas.length > 0) {
      const hostOnly = host.toLowerCase();
      return result('ca-signed', cas, { principalOk: cert.certType === 2 && cert.principals.some((p) => p.toLowerCase() === hostOnly) });
    }
  }
  const plainEntries = forHost.filter((e) => e.marker === null);
  const matches = plainEntries.filter((e) => sameBytes(e.blob, plain));
  if (matches.length > 0) return result('match', matches);
  const sameType = plainEntries.filter((e) => e.keyType === plainType);
  if (sameType.length > 0) return result('mismatch', sameType);
  return result('unknown', plainEntries);
}

/** A parsed known_hosts file with the lookup ssh(1) does (see lookupKnownHosts). */
export class KnownHosts {
  constructor(readonly file: KnownHostsFile) {}

  static parse(text: string): KnownHosts {
    return new KnownHosts(parseKnownHosts(text));
  }

  lookup(host: string, port: number, keyBlob: Uint8Array): KnownHostsResult {
    return lookupKnownHosts(this.file, host, port, keyBlob);
  }
}
