// The TCP flow table: connections (and the tombstones of ended ones) by their endpoint
// pair, either way round. IPv4 endpoints are numbers (ip * 65536 + port) in a map of maps,
// lo endpoint → hi endpoint, so a lookup allocates nothing; IPv6 endpoints ("ip]port") are
// joined into one string key.

import type { Connection, EndReason } from './connection.js';

/**
 * What stays in the flow table after a connection ended, for a while: enough to absorb its
 * stragglers (final ACKs, retransmitted FINs, late RSTs) and to tell a new connection on
 * the same 4-tuple (another ISN) from them. The Connection itself is let go.
 */
export class Tombstone {
  constructor(
    readonly endReason: EndReason,
    readonly lastTime: number,
    readonly client: { readonly key: number | string; readonly isn: number },
    readonly server: { readonly key: number | string },
  ) {}
}

export type Entry = Connection | Tombstone;

export class FlowTable {
  private readonly v4 = new Map<number, Map<number, Entry>>();
  private readonly v6 = new Map<string, Entry>();

  get(a: number | string, b: number | string): Entry | undefined {
    if (typeof a === 'number') {
      const bn = b as number;
      return a < bn ? this.v4.get(a)?.get(bn) : this.v4.get(bn)?.get(a);
    }
    return this.v6.get(v6Key(a, b as string));
  }

  /** Put an entry in its slot (a connection, or the tombstone replacing it). */
  set(e: Entry): void {
    const a = e.client.key;
    const b = e.server.key;
    if (typeof a === 'number') {
      const bn = b as number;
      const lo = a < bn ? a : bn;
      let inner = this.v4.get(lo);
      if (!inner) this.v4.set(lo, (inner = new Map()));
      inner.set(a < bn ? bn : a, e);
    } else this.v6.set(v6Key(a, b as string), e);
  }

  /** Take an entry out, if its slot still holds it. */
  delete(e: Entry): void {
    const a = e.client.key;
    const b = e.server.key;
    if (typeof a === 'number') {
      const bn = b as number;
      const lo = a < bn ? a : bn;
      const inner = this.v4.get(lo);
      if (!inner) return;
      const hi = a < bn ? bn : a;
      if (inner.get(hi) === e) inner.delete(hi);
      if (inner.size === 0) this.v4.delete(lo);
    } else {
      const k = v6Key(a, b as string);
      if (this.v6.get(k) === e) this.v6.delete(k);
    }
  }

  forEach(fn: (e: Entry) => void): void {
    for (const inner of this.v4.values()) for (const e of inner.values()) fn(e);
    for (const e of this.v6.values()) fn(e);
  }

  clear(): void {
    this.v4.clear();
    this.v6.clear();
  }
}

const v6Key = (a: string, b: string): string => (a < b ? a + '|' + b : b + '|' + a);
