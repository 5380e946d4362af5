// A bounded cursor over wire bytes, in the manner of Go's cryptobyte: reading a
// length prefix hands back a child Reader scoped to that vector, so decoders never do
// offset arithmetic. Every read is bounds-checked; running short throws a DecodeError
// that the public decode() functions turn into an "invalid" result (never an exception
// escaping to callers).

export type DecodeErrorKind = 'truncated' | 'trailing' | 'duplicate' | 'too-large' | 'bad-value' | 'empty';

export class DecodeError extends Error {
  constructor(
    readonly kind: DecodeErrorKind,
    readonly path: readonly string[],
    readonly offset: number,
    detail?: string,
  ) {
    super(`${kind} at ${path.join('/') || '<root>'} (offset ${offset})${detail ? `: ${detail}` : ''}`);
    this.name = 'DecodeError';
  }

  toInfo(): DecodeErrorInfo {
    return { kind: this.kind, path: [...this.path], offset: this.offset, message: this.message };
  }
}

export interface DecodeErrorInfo {
  kind: DecodeErrorKind;
  path: string[];
  offset: number;
  message: string;
}

/** The result of every public decoder: whole, not enough bytes yet, or malformed. */
export type Decoded<T> =
  | { status: 'ok'; value: T; size: number }
  | { status: 'incomplete'; needed?: number }
  | { status: 'invalid'; error: DecodeErrorInfo };

export const ok = <T>(value: T, size: number): Decoded<T> => ({ status: 'ok', value, size });
export const incomplete = <T>(needed?: number): Decoded<T> =>
  needed === undefined ? { status: 'incomplete' } : { status: 'incomplete', needed };
export const invalid = <T>(error: DecodeErrorInfo): Decoded<T> => ({ status: 'invalid', error });

/**
 * Run a decoder body that may throw DecodeError and turn the outcome into a Decoded.
 * Any other exception is a bug in the decoder; it is still reported as invalid so that
 * wire bytes can never crash the program.
 */
export function decodeWith<T>(fn: () => { value: T; size: number }): Decoded<T> {
  try {
    const { value, size } = fn();
    return ok(value, size);
  } catch (e) {
    if (e instanceof DecodeError) return invalid(e.toInfo());
    const message = e instanceof Error ? e.message : String(e);
    return invalid({ kind: 'bad-value', path: ['<internal>'], offset: 0, message: `decoder fault: ${message}` });
  }
}

export class Reader {
  private pos: number;
  /** A child reader's parent and name: its path is built only when an error needs it. */
  private parent: Reader | null = null;
  private name: string | undefined = undefined;

  constructor(
    readonly buf: Uint8Array,
    private readonly start = 0,
    private readonly end = buf.length,
    private readonly rootPath: readonly string[] = [],
  ) {
    this.pos = start;
  }

  /** Where this reader is, for error messages: the root's path, then each named vector. */
  get path(): readonly string[] {
    if (this.parent === null) return this.rootPath;
    const base = this.parent.path;
    return this.name === undefined ? base : [...base, this.name];
  }

  /** Bytes consumed from this reader's start. */
  get offset(): number {
    return this.pos - this.start;
  }

  /** Absolute offset in the underlying buffer. */
  get absoluteOffset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get empty(): boolean {
    return this.pos >= this.end;
  }

  fail(kind: DecodeErrorKind, detail?: string): never {
    throw new DecodeError(kind, this.path, this.pos, detail);
  }

  private need(n: number, what?: string): void {
    if (n < 0 || this.pos + n > this.end) {
      this.fail('truncated', what ? `${what}: need ${n} bytes, have ${this.remaining}` : `need ${n} bytes, have ${this.remaining}`);
    }
  }

  u8(what?: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what?: string): number {
    this.need(2, what);
    const b = this.buf;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u24(what?: string): number {
    this.need(3, what);
    const b = this.buf;
    const v = (b[this.pos]! << 16) | (b[this.pos + 1]! << 8) | b[this.pos + 2]!;
    this.pos += 3;
    return v;
  }

  u32(what?: string): number {
    this.need(4, what);
    const b = this.buf;
    const v = ((b[this.pos]! << 24) >>> 0) + ((b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!);
    this.pos += 4;
    return v;
  }

  peekU8(at = 0): number | undefined {
    return this.pos + at < this.end ? this.buf[this.pos + at] : undefined;
  }

  /** n bytes as a view (no copy). */
  bytes(n: number, what?: string): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number, what?: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** The rest of this reader as a view. */
  rest(): Uint8Array {
    const v = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return v;
  }

  /** A child reader over the next n bytes. */
  sub(n: number, name?: string): Reader {
    this.need(n, name);
    const child = new Reader(this.buf, this.pos, this.pos + n);
    child.parent = this;
    if (name) child.name = name;
    this.pos += n;
    return child;
  }

  vec8(name?: string): Reader {
    return this.sub(this.u8(name), name);
  }

  vec16(name?: string): Reader {
    return this.sub(this.u16(name), name);
  }

  vec24(name?: string): Reader {
    return this.sub(this.u24(name), name);
  }

  /** SSH-style string / TLS-style 32-bit vector. */
  vec32(name?: string): Reader {
    return this.sub(this.u32(name), name);
  }

  /** Fail if bytes are left over (they would otherwise be silently ignored). */
  done(what?: string): void {
    if (this.pos !== this.end) this.fail('trailing', `${this.remaining} bytes left over${what ? ` in ${what}` : ''}`);
  }

  /** A reader with a longer path, same bounds and position (for nested error paths). */
  named(name: string): Reader {
    return new Reader(this.buf, this.pos, this.end, [...this.path, name]);
  }
}

/** The big-endian 32-bit unsigned integer at `o` (the caller has checked the length). */
/** Bit length of an unsigned big-endian integer. */
export function bitLength(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

/** a then b in one buffer; either one itself when the other is empty (no copy). */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export const u32be = (b: Uint8Array, o: number): number => ((b[o]! << 24) >>> 0) + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** 0x1a2b style display of a code point. */
export function hex16(v: number): string {
  return '0x' + v.toString(16).padStart(4, '0');
}
