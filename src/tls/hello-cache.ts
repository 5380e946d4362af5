// Identical ClientHellos, computed once. The clients in a capture are a few kinds of
// software, and each sends the same hello connection after connection but for its random,
// session id, key share values and ticket: the fingerprints (JA4, JA4_r, JA3) and the
// record's clientHello object (and its JSON text) are a function of the rest. The key hashes
// exactly that rest; hellos whose JSON would depend on more (a PSK, decoding issues) are
// not cached. Bounded: the table is cleared when full.

import type { ClientHello } from './hello.js';

/** Extensions whose bodies differ per connection and reach the record only by length or kind. */
const VOLATILE = new Set([
  0x0023, // session_ticket: its length
  0x0015, // padding: its length
  0xfe0d, // encrypted_client_hello: its type byte (kept below)
]);
const KEY_SHARE = 0x0033;
const PRE_SHARED_KEY = 0x0029;
export const MAX_CACHED_HELLOS = 512;

/**
 * Two independent 32-bit FNV-1a-style hashes over the fields (64 bits in all): no crypto
 * object per hello. A collision among the few hundred hellos held is about 1e-14 likely.
 */
class Hash64 {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;
  num(v: number): void {
    this.a = Math.imul(this.a ^ (v & 0xffff), 0x01000193);
    this.b = Math.imul(this.b ^ ((v >>> 16) | ((v & 0xffff) << 16)), 0x5bd1e995) ^ (this.b >>> 15);
  }
  bytes(d: Uint8Array): void {
    this.num(d.length);
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < d.length; i++) {
      a = Math.imul(a ^ d[i]!, 0x01000193);
      b = Math.imul(b ^ d[i]!, 0x5bd1e995) ^ (b >>> 13);
    }
    this.a = a;
    this.b = b;
  }
  digest(): string {
    return (this.a >>> 0).toString(36) + ':' + (this.b >>> 0).toString(36);
  }
}

/** The cache key of a hello, or null when it must not be cached. */
export function helloKey(ch: ClientHello, transport: string): string | null {
  if (ch.form !== 'tls' || ch.issues.length > 0) return null;
  const h = new Hash64();
  h.num(transport.charCodeAt(0));
  h.num(ch.legacyVersion);
  h.num(ch.sessionId.length);
  h.num(ch.cipherSuites.length);
  for (const c of ch.cipherSuites) h.num(c);
  h.num(ch.compressionMethods.length);
  for (const c of ch.compressionMethods) h.num(c);
  h.num(ch.extensions.length);
  for (const e of ch.extensions) {
    if (e.type === PRE_SHARED_KEY || e.error) return null;
    h.num(e.type);
    h.num(e.data.length);
    if (e.type === KEY_SHARE) {
      for (const k of ch.ext.keyShares ?? []) {
        h.num(k.group);
        h.num(k.keyLength);
      }
    } else if (VOLATILE.has(e.type)) {
      if (e.type === 0xfe0d) h.num(e.data[0] ?? -1);
    } else h.bytes(e.data);
  }
  return h.digest();
}

/** A bounded map from hello key to what was computed from it. */
export class HelloCache<T> {
  private readonly map = new Map<string, T>();
  hits = 0;
  misses = 0;

  get(key: string | null, make: () => T): T {
    if (key === null) return make();
    let v = this.map.get(key);
    if (v === undefined) {
      this.misses++;
      v = make();
      if (this.map.size >= MAX_CACHED_HELLOS) this.map.clear();
      this.map.set(key, v);
    } else this.hits++;
    return v;
  }
}
