// Embryonic flows: a flow seen from one side only, without payload (a SYN nobody answered,
// a stray ACK or RST). A SYN flood or a scan is made of nothing else, so the engine tracks
// only so many at once; beyond that, such packets are tallied here per server endpoint
// (bounded) instead of opening a flow each, and the report says how many and from how
// many sources. A legitimate connection caught in the flood is still analysed: its SYN-ACK
// or first data opens the flow (mid-stream).

import { ipv4String } from '../net/decode.js';
import type { Endpoint } from './connection.js';

/** One-sided payload-less flows tracked at once (the rest are tallied). */
export const DEFAULT_MAX_EMBRYONIC = 10_000;
/** Server endpoints tallied one by one; the others are summed. */
const MAX_SERVERS = 64;
/** Distinct sources counted exactly per server; past it, the count is a lower bound. */
const MAX_SOURCES = 4096;

export interface UntrackedServer {
  server: string;
  /** Packets that would have opened a flow, and how many of them were SYNs. */
  packets: number;
  syns: number;
  /** Distinct source addresses (exact up to MAX_SOURCES, then a lower bound). */
  sources: number;
  sourcesCapped: boolean;
  firstFrame: number;
  lastFrame: number;
  firstTime: number;
  lastTime: number;
}

interface Entry extends UntrackedServer {
  seen: Set<number | string>;
}

export class UntrackedTally {
  private readonly servers = new Map<string, Entry>();
  /** Packets of servers beyond the tally's cap. */
  otherPackets = 0;
  total = 0;

  /** A packet that would have opened an embryonic flow to `server` from `source`. */
  add(server: string, source: number | string, syn: boolean, frame: number, time: number): void {
    this.total++;
    let e = this.servers.get(server);
    if (!e) {
      if (this.servers.size >= MAX_SERVERS) {
        this.otherPackets++;
        return;
      }
      e = { server, packets: 0, syns: 0, sources: 0, sourcesCapped: false, firstFrame: frame, lastFrame: frame, firstTime: time, lastTime: time, seen: new Set() };
      this.servers.set(server, e);
    }
    e.packets++;
    if (syn) e.syns++;
    e.lastFrame = frame;
    e.lastTime = time;
    if (!e.sourcesCapped) {
      e.seen.add(source);
      e.sources = e.seen.size;
      if (e.seen.size >= MAX_SOURCES) {
        e.sourcesCapped = true;
        e.seen.clear();
      }
    }
  }

  /** Servers by packets tallied, most first. */
  list(): UntrackedServer[] {
    return [...this.servers.values()].map(({ seen: _seen, ...rest }) => rest).sort((a, b) => b.packets - a.packets || a.firstFrame - b.firstFrame);
  }
}

/** An endpoint key (ip * 65536 + port, or "ip]port") as an Endpoint. */
export function endpointFromKey(key: number | string): Endpoint {
  if (typeof key === 'number') return { ip: ipv4String(Math.floor(key / 65536)), port: key % 65536 };
  const i = key.lastIndexOf(']');
  return { ip: key.slice(0, i), port: Number(key.slice(i + 1)) };
}

/**
 * An endpoint key as "ip:port" text (wire/text.ts hostPort's form), straight from the key:
 * it runs once per packet of a flood, where going through an Endpoint measured slower.
 */
export function endpointOfKey(key: number | string): string {
  if (typeof key === 'number') return `${ipv4String(Math.floor(key / 65536))}:${key % 65536}`;
  const i = key.lastIndexOf(']');
  return `[${key.slice(0, i)}]:${key.slice(i + 1)}`;
}
