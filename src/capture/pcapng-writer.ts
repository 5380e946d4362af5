// A small pcapng writer: one Section Header Block (user application
// "handshake-inspector"), one Interface Description Block per (link type, snaplen) pair
// as packets need them (if_tsresol = 9: nanosecond timestamps), and Enhanced Packet
// Blocks with an optional opt_comment each (used to store a connection's verdict next to
// its packets). Output goes to a file (synchronous appends as packets come) or to memory.
// Little-endian, as every common writer does.

import { closeSync, openSync, writeSync } from 'node:fs';
import { BLOCK, BYTE_ORDER_MAGIC, IF_OPT, OPT, SHB_OPT } from './pcapng.js';
import { MAX_PCAP_CAPLEN } from './pcap.js';
import type { Packet } from './packet.js';

export const WRITER_APPLICATION = 'handshake-inspector';
/** if_tsresol value written: 10^-9 s. */
const TSRESOL_NANO = 9;
const NS_PER_SEC = 1000000000n;
const OPTION_MAX = 0xffff;

export interface PcapngWriterOptions {
  /** shb_userappl; default "handshake-inspector". */
  application?: string;
  /** shb_os / shb_hardware, when worth recording. */
  os?: string;
  hardware?: string;
}

/** What the writer needs of a packet (a Packet fits). */
export type WritablePacket = Pick<Packet, 'tsSec' | 'tsNsec' | 'origLen' | 'linkType' | 'data'>;

export interface WriteOptions {
  /** opt_comment for this packet (UTF-8). */
  comment?: string;
  /** The interface's snaplen (default 262144); a new IDB is written per (linkType, snaplen). */
  snaplen?: number;
}

const pad = (n: number): number => (4 - (n % 4)) % 4;

/** Encode options (code, value) + opt_endofopt, each value padded to 4 bytes. */
function encodeOptions(options: [number, Uint8Array][]): Buffer {
  if (options.length === 0) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for (const [code, value] of options) {
    if (value.length > OPTION_MAX) throw new RangeError(`pcapng option ${code} is ${value.length} bytes (max ${OPTION_MAX})`);
    const h = Buffer.alloc(4);
    h.writeUInt16LE(code, 0);
    h.writeUInt16LE(value.length, 2);
    parts.push(h, Buffer.from(value.buffer, value.byteOffset, value.byteLength), Buffer.alloc(pad(value.length)));
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

const textOption = (code: number, s: string | undefined): [number, Uint8Array][] => (s === undefined ? [] : [[code, Buffer.from(s, 'utf8')]]);

/** A whole block: type, total length, body, total length. */
function encodeBlock(type: number, body: Buffer[]): Buffer {
  const bodyLen = body.reduce((n, b) => n + b.length, 0);
  const total = 12 + bodyLen;
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(total, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(total, 0);
  return Buffer.concat([head, ...body, tail], total);
}

export class PcapngWriter {
  /** Interface index per "linkType/snaplen". */
  private readonly ifaces = new Map<string, number>();
  private readonly parts: Buffer[] = [];
  private closed = false;
  private count = 0;
  private readonly memory: boolean;

  private constructor(
    private fd: number | null,
    opts: PcapngWriterOptions,
  ) {
    this.memory = fd === null;
    const fixed = Buffer.alloc(16);
    fixed.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
    fixed.writeUInt16LE(1, 4); // version 1.0
    fixed.writeUInt16LE(0, 6);
    fixed.writeInt32LE(-1, 8); // section length: not given
    fixed.writeInt32LE(-1, 12);
    const options = encodeOptions([
      ...textOption(SHB_OPT.HARDWARE, opts.hardware),
      ...textOption(SHB_OPT.OS, opts.os),
      ...textOption(SHB_OPT.USERAPPL, opts.application ?? WRITER_APPLICATION),
    ]);
    this.emit(encodeBlock(BLOCK.SHB, [fixed, options]));
  }

  /** Write to a file (created or truncated); each block is appended with writeSync. Throws if the file cannot be opened. */
  static toFile(path: string, opts: PcapngWriterOptions = {}): PcapngWriter {
    return new PcapngWriter(openSync(path, 'w'), opts);
  }

  /** Collect the file in memory; get it with toBuffer(). */
  static inMemory(opts: PcapngWriterOptions = {}): PcapngWriter {
    return new PcapngWriter(null, opts);
  }

  /** Packets written so far. */
  get packets(): number {
    return this.count;
  }

  write(p: WritablePacket, opts: WriteOptions = {}): void {
    if (this.closed) throw new Error('pcapng writer is closed');
    const ifid = this.interfaceFor(p.linkType, opts.snaplen ?? MAX_PCAP_CAPLEN);
    const ts = BigInt(p.tsSec) * NS_PER_SEC + BigInt(p.tsNsec);
    const fixed = Buffer.alloc(20);
    fixed.writeUInt32LE(ifid, 0);
    fixed.writeUInt32LE(Number(ts >> 32n), 4);
    fixed.writeUInt32LE(Number(ts & 0xffffffffn), 8);
    fixed.writeUInt32LE(p.data.length, 12);
    fixed.writeUInt32LE(p.origLen, 16);
    const data = Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength);
    const options = encodeOptions(textOption(OPT.COMMENT, opts.comment));
    this.emit(encodeBlock(BLOCK.EPB, [fixed, data, Buffer.alloc(pad(data.length)), options]));
    this.count++;
  }

  /** The file so far (in-memory writers only). */
  toBuffer(): Buffer {
    if (!this.memory) throw new Error('toBuffer() is for in-memory writers');
    return Buffer.concat(this.parts);
  }

  /** Close the file (idempotent). In-memory writers just stop accepting packets. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }

  private interfaceFor(linkType: number, snaplen: number): number {
    const key = `${linkType}/${snaplen}`;
    const known = this.ifaces.get(key);
    if (known !== undefined) return known;
    const id = this.ifaces.size;
    const fixed = Buffer.alloc(8);
    fixed.writeUInt16LE(linkType, 0);
    fixed.writeUInt32LE(snaplen, 4);
    const options = encodeOptions([[IF_OPT.TSRESOL, Uint8Array.of(TSRESOL_NANO)]]);
    this.emit(encodeBlock(BLOCK.IDB, [fixed, options]));
    this.ifaces.set(key, id);
    return id;
  }

  private written = 0;

  /** Bytes of the file so far. */
  get bytes(): number {
    return this.written;
  }

  private emit(block: Buffer): void {
    this.written += block.length;
    if (this.fd === null) {
      this.parts.push(block);
      return;
    }
    for (let off = 0; off < block.length; ) off += writeSync(this.fd, block, off, block.length - off);
  }
}
