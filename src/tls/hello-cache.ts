// Identical ClientHellos, computed once. The clients in a capture are a few kinds of
// software, and each sends the same hello connection after connection but for its random,
// session id, key share values and ticket: the fingerprints (JA4, JA4_r, JA3) and the
// record's clientHello object (and its JSON text) are a function of the rest. The key is
// the one the hello was decoded under (tls/hello.ts), which leaves exactly that out; hellos
// decoded on their own (a PSK, decoding issues, an odd framing) are not cached. Bounded:
// the table is cleared when full.

import { clientHelloShareKey, type ClientHello } from './hello.js';

export const MAX_CACHED_HELLOS = 512;

/** The cache key of a hello, or null when it must not be cached (QUIC's hellos apart from TCP's). */
export function helloKey(ch: ClientHello, transport: 't' | 'q'): number | null {
  const shared = clientHelloShareKey(ch);
  if (shared === undefined) return null;
  return transport === 't' ? shared : -shared - 1;
}

/** A bounded map from hello key to what was computed from it. */
export class HelloCache<T> {
  private readonly map = new Map<number, T>();
  hits = 0;
  misses = 0;

  get(key: number | null, make: () => T): T {
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
