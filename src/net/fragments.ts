// IP fragment reassembly, bounded. Fragmented TCP is rare (PMTUD usually prevents it)
// but a tunnel or an old middlebox can produce it; we rebuild the datagram when every
// piece was captured, and count what we had to give up on.

/** Datagrams being rebuilt at once; the oldest is dropped beyond this. */
export const MAX_FRAGMENT_DATAGRAMS = 256;
/** Largest datagram we rebuild (the IP maximum). */
export const MAX_DATAGRAM = 65535;
/** Seconds after which an unfinished datagram is dropped (Linux ipfrag_time default). */
export const FRAGMENT_TIMEOUT = 30;

interface Pending {
  pieces: { off: number; data: Uint8Array }[];
  /** Total payload length, known once the last fragment (MF=0) arrived. */
  total: number;
  bytes: number;
  firstFrame: number;
  time: number;
}

export interface FragmentStats {
  fragments: number;
  reassembled: number;
  /** Datagrams given up: timed out, evicted, too large, or overlapping inconsistently. */
  incomplete: number;
}

export class FragmentReassembler {
  private readonly pending = new Map<string, Pending>();
  readonly stats: FragmentStats = { fragments: 0, reassembled: 0, incomplete: 0 };

  add4(src: number, dst: number, id: number, proto: number, off: number, more: boolean, data: Uint8Array, wireLen: number, frame: number, time: number): Uint8Array | null {
    return this.add(`4|${src}|${dst}|${id}|${proto}`, off, more, data, wireLen, frame, time);
  }

  add6(src: Uint8Array, dst: Uint8Array, id: number, nextHeader: number, off: number, more: boolean, data: Uint8Array, wireLen: number, frame: number, time: number): Uint8Array | null {
    const key = `6|${Buffer.from(src).toString('hex')}|${Buffer.from(dst).toString('hex')}|${id}|${nextHeader}`;
    return this.add(key, off, more, data, wireLen, frame, time);
  }

  private add(key: string, off: number, more: boolean, data: Uint8Array, wireLen: number, frame: number, time: number): Uint8Array | null {
    this.stats.fragments++;
    this.expire(time);
    let p = this.pending.get(key);
    if (!p) {
      if (this.pending.size >= MAX_FRAGMENT_DATAGRAMS) {
        const oldest = this.pending.keys().next().value as string;
        this.pending.delete(oldest);
        this.stats.incomplete++;
      }
      p = { pieces: [], total: -1, bytes: 0, firstFrame: frame, time };
      this.pending.set(key, p);
    }
    if (data.length < wireLen || off + wireLen > MAX_DATAGRAM) {
      // A fragment cut by the snaplen cannot be rebuilt faithfully.
      this.pending.delete(key);
      this.stats.incomplete++;
      return null;
    }
    if (!more) p.total = off + wireLen;
    p.pieces.push({ off, data: data.slice(0, wireLen) });
    p.bytes += wireLen;
    if (p.total < 0 || p.bytes < p.total) return null;
    // Every byte may be there (overlaps can inflate the count): check coverage while copying.
    const out = new Uint8Array(p.total);
    const covered = new Uint8Array(p.total);
    for (const piece of p.pieces) {
      const end = Math.min(p.total, piece.off + piece.data.length);
      out.set(piece.data.subarray(0, end - piece.off), piece.off);
      covered.fill(1, piece.off, end);
    }
    if (covered.includes(0)) return null;
    this.pending.delete(key);
    this.stats.reassembled++;
    return out;
  }

  private expire(now: number): void {
    for (const [key, p] of this.pending) {
      if (now - p.time <= FRAGMENT_TIMEOUT) break; // insertion order ≈ time order
      this.pending.delete(key);
      this.stats.incomplete++;
    }
  }

  /** At end of input: whatever is still waiting was never completed. */
  flush(): void {
    this.stats.incomplete += this.pending.size;
    this.pending.clear();
  }
}
