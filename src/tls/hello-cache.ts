// Identical ClientHellos, computed once. The clients in a capture are a few kinds of
// software, and each sends the same hello connection after connection but for its random,
// session id, key share values and ticket: the fingerprints (JA4, JA4_r, JA3) and the
// record's clientHello object (and its JSON text) are a function of the rest. The key hashes
// exactly that rest; hellos whose JSON would depend on more (a PSK, decoding issues) are
// not cached. Bounded: the table is cleared when full.

import { Hash64 } from '../wire/hash64.js';
import { clientHelloShareKey, type ClientHello } from './hello.js';

/** Extensions whose bodies differ per connection and reach the record only by length or kind. */
const VOLATILE = new Set([
  0x0023, // session_ticket: its length
  0x0015, // padding: its length
  0xfe0d, // encrypted_client_hello: its type byte (kept below)
]);
const KEY_SHARE = 0x0033;
const PRE_SHARED_KEY = 0x0029;
export const MAX_CACHED_HELLOS = 512;

/** The cache key of a hello, or null when it must not be cached. */
export function helloKey(ch: ClientHello, transport: 't' | 'q'): number | string | null {
  if (ch.form !== 'tls' || ch.issues.length > 0) return null;
  // Decoded from bytes seen before (or to be shared): the key of those bytes, which
  // differ from another hello's in no more than what this key leaves out.
  const shared = clientHelloShareKey(ch);
  if (shared !== undefined) return transport === 't' ? shared : -shared - 1; // QUIC's hellos apart
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
  return 's' + h.digest();
}

/** A bounded map from hello key to what was computed from it. */
export class HelloCache<T> {
  private readonly map = new Map<number | string, T>();
  hits = 0;
  misses = 0;

  get(key: number | string | null, make: () => T): T {
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
