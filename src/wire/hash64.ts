// A 64-bit non-cryptographic hash (two independent 32-bit FNV-1a-style lanes) for cache
// keys of wire messages: no crypto object per message. Among the few hundred entries a
// cache holds, a collision is about 1e-11 likely.

export class Hash64 {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;

  num(v: number): void {
    this.a = Math.imul(this.a ^ (v & 0xffff), 0x01000193);
    this.b = Math.imul(this.b ^ ((v >>> 16) | ((v & 0xffff) << 16)), 0x5bd1e995) ^ (this.b >>> 15);
  }

  /** Bytes [start, end) of d, with their length. */
  bytes(d: Uint8Array, start = 0, end = d.length): void {
    this.num(end - start);
    let a = this.a;
    let b = this.b;
    for (let i = start; i < end; i++) {
      a = Math.imul(a ^ d[i]!, 0x01000193);
      b = Math.imul(b ^ d[i]!, 0x5bd1e995) ^ (b >>> 13);
    }
    this.a = a;
    this.b = b;
  }

  /** The hash as a JavaScript number: 53 of the 64 bits (a collision among a few hundred keys stays ~1e-11 likely). */
  digest(): number {
    return (this.a >>> 0) * 2097152 + (this.b >>> 11);
  }
}
