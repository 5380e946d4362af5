// pcapng: a sequence of blocks, each `type(4) totalLength(4) body totalLength(4)`.
// A Section Header Block (its type 0a0d0d0a reads the same in both byte orders) fixes the
// byte order and starts a new list of interfaces; Interface Description Blocks give each
// interface its link type, snaplen and timestamp unit; packets come in Enhanced, Simple
// and (obsolete) Packet Blocks; Interface Statistics Blocks carry drop counters. Other
// blocks are skipped by their length.
// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html

import { incomplete, invalid, ok, type Decoded } from '../wire/reader.js';
import { wireString } from '../wire/text.js';
import type { FormatSink, InterfaceInfo, RecordFormat } from './format.js';
import { linkTypeName } from './packet.js';
import { u16, u32, u32be, u32le } from './pcap.js';

export const BLOCK = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  OPB: 0x00000002,
  SPB: 0x00000003,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
  SJE: 0x00000009,
  DSB: 0x0000000a,
  CB: 0x00000bad,
  DCB: 0x40000bad,
} as const;

export const BLOCK_NAMES: Record<number, string> = {
  [BLOCK.SHB]: 'section header block',
  [BLOCK.IDB]: 'interface description block',
  [BLOCK.OPB]: 'packet block (obsolete)',
  [BLOCK.SPB]: 'simple packet block',
  [BLOCK.NRB]: 'name resolution block',
  [BLOCK.ISB]: 'interface statistics block',
  [BLOCK.EPB]: 'enhanced packet block',
  [BLOCK.SJE]: 'systemd journal export block',
  [BLOCK.DSB]: 'decryption secrets block',
  [BLOCK.CB]: 'custom block',
  [BLOCK.DCB]: 'custom block (do not copy)',
};

export const blockName = (type: number): string => BLOCK_NAMES[type] ?? `block of type 0x${type.toString(16).padStart(8, '0')}`;

/** The SHB type as it appears in the file (palindromic: the same in both byte orders). */
export const PCAPNG_SHB_TYPE_BYTES: readonly number[] = [0x0a, 0x0d, 0x0d, 0x0a];
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Blocks larger than this are refused (Wireshark's limit too): a lying length. */
export const MAX_BLOCK_LEN = 16 * 1024 * 1024;
/** type + length + trailing length. */
export const MIN_BLOCK_LEN = 12;
/** Smallest valid total length of a block of this type. */
export function minBlockLength(type: number): number {
  switch (type) {
    case BLOCK.EPB:
    case BLOCK.OPB:
      return 32;
    case BLOCK.SHB:
      return 28;
    case BLOCK.ISB:
      return 24;
    case BLOCK.IDB:
      return 20;
    case BLOCK.SPB:
      return 16;
    default:
      return MIN_BLOCK_LEN;
  }
}
const isPacketBlock = (type: number): boolean => type === BLOCK.EPB || type === BLOCK.SPB || type === BLOCK.OPB;
/** Offset of the packet data in EPB and OPB (type, len, ifid, ts hi, ts lo, caplen, len). */
const PACKET_DATA_OFFSET = 28;
const SPB_DATA_OFFSET = 12;
const PCAPNG_VERSION_MAJOR = 1;
/** Default if_tsresol: microseconds. */
const DEFAULT_TSRESOL = 6;

export const OPT = { ENDOFOPT: 0, COMMENT: 1 } as const;
/** Enhanced Packet Block options (pcapng §4.3.1). */
export const EPB_OPT = { FLAGS: 2 } as const;
export const SHB_OPT = { HARDWARE: 2, OS: 3, USERAPPL: 4 } as const;
export const IF_OPT = { NAME: 2, DESCRIPTION: 3, TSRESOL: 9, FILTER: 11, OS: 12, FCSLEN: 13, TSOFFSET: 14 } as const;
export const ISB_OPT = { STARTTIME: 2, ENDTIME: 3, IFRECV: 4, IFDROP: 5, FILTERACCEPT: 6, OSDROP: 7, USRDELIV: 8 } as const;

const pad4 = (n: number): number => n + ((4 - (n % 4)) % 4);

// --- options -------------------------------------------------------------------------

export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

/** Options in b[start, end): the list up to opt_endofopt, and why it stopped early if it did. */
export function decodeOptions(b: Uint8Array, start: number, end: number, le: boolean): { options: PcapngOption[]; error?: string } {
  const options: PcapngOption[] = [];
  let p = start;
  while (p + 4 <= end) {
    const code = u16(b, p, le);
    const len = u16(b, p + 2, le);
    if (code === OPT.ENDOFOPT) return { options };
    if (p + 4 + len > end) return { options, error: `option ${code} says ${len} bytes but only ${end - p - 4} remain in the block` };
    options.push({ code, value: b.subarray(p + 4, p + 4 + len) });
    p += 4 + pad4(len);
  }
  return p < end ? { options, error: `${end - p} stray bytes after the options` } : { options };
}

/** A string option (UTF-8, trailing NULs from some writers dropped). */
const optString = (v: Uint8Array): string => wireString(v).replace(/\0+$/, '');

/** An unsigned 64-bit option value as a number (exact below 2^53). */
function optU64(v: Uint8Array, le: boolean): number | undefined {
  if (v.length !== 8) return undefined;
  return le ? u32(v, 4, true) * 4294967296 + u32(v, 0, true) : u32(v, 0, false) * 4294967296 + u32(v, 4, false);
}

/** A signed 64-bit option value as a number. */
function optI64(v: Uint8Array, le: boolean): number | undefined {
  if (v.length !== 8) return undefined;
  const hi = u32(v, le ? 4 : 0, le) | 0;
  const lo = u32(v, le ? 0 : 4, le);
  return hi * 4294967296 + lo;
}

const optionError = (what: string, error: string | undefined): string | undefined => (error ? `${what} options: ${error}` : undefined);

// --- block bodies --------------------------------------------------------------------

export interface SectionHeader {
  littleEndian: boolean;
  versionMajor: number;
  versionMinor: number;
  hardware?: string;
  os?: string;
  application?: string;
  /** Options that could not be read (the block is still used). */
  warning?: string;
}

/** Byte order from the SHB's byte-order magic at b[pos+8], or null if it is neither. */
export function shbByteOrder(b: Uint8Array, pos: number): boolean | null {
  if (u32(b, pos + 8, true) === BYTE_ORDER_MAGIC) return true;
  if (u32(b, pos + 8, false) === BYTE_ORDER_MAGIC) return false;
  return null;
}

/** Decode a whole Section Header Block b[pos, pos+len). */
export function decodeSectionHeader(b: Uint8Array, pos: number, len: number): Decoded<SectionHeader> {
  if (b.length - pos < len || len < minBlockLength(BLOCK.SHB)) return incomplete(minBlockLength(BLOCK.SHB));
  const le = shbByteOrder(b, pos);
  if (le === null) return invalid({ kind: 'bad-value', path: ['shb', 'byte_order_magic'], offset: pos + 8, message: 'no valid byte-order magic' });
  const v: SectionHeader = { littleEndian: le, versionMajor: u16(b, pos + 12, le), versionMinor: u16(b, pos + 14, le) };
  const { options, error } = decodeOptions(b, pos + 24, pos + len - 4, le);
  for (const o of options) {
    if (o.code === SHB_OPT.HARDWARE) v.hardware = optString(o.value);
    else if (o.code === SHB_OPT.OS) v.os = optString(o.value);
    else if (o.code === SHB_OPT.USERAPPL) v.application = optString(o.value);
  }
  const warning = optionError('section header', error);
  if (warning) v.warning = warning;
  return ok(v, len);
}

export interface InterfaceDescription {
  linkType: number;
  snaplen: number;
  /** Raw if_tsresol byte: 10^-n, or 2^-(n & 0x7f) when the high bit is set. */
  tsResolution: number;
  tsOffset: number;
  name?: string;
  description?: string;
  os?: string;
  filter?: string;
  warning?: string;
}

/** Decode a whole Interface Description Block b[pos, pos+len). */
export function decodeInterfaceDescription(b: Uint8Array, pos: number, len: number, le: boolean): Decoded<InterfaceDescription> {
  if (b.length - pos < len || len < minBlockLength(BLOCK.IDB)) return incomplete(minBlockLength(BLOCK.IDB));
  const v: InterfaceDescription = { linkType: u16(b, pos + 8, le), snaplen: u32(b, pos + 12, le), tsResolution: DEFAULT_TSRESOL, tsOffset: 0 };
  const { options, error } = decodeOptions(b, pos + 16, pos + len - 4, le);
  const bad: string[] = [];
  for (const o of options) {
    switch (o.code) {
      case IF_OPT.NAME: v.name = optString(o.value); break;
      case IF_OPT.DESCRIPTION: v.description = optString(o.value); break;
      case IF_OPT.OS: v.os = optString(o.value); break;
      // The first byte says the filter's kind (0: libpcap text); keep the text.
      case IF_OPT.FILTER: v.filter = optString(o.value.subarray(1)); break;
      case IF_OPT.TSRESOL:
        if (o.value.length === 1) v.tsResolution = o.value[0]!;
        else bad.push(`if_tsresol of ${o.value.length} bytes`);
        break;
      case IF_OPT.TSOFFSET: {
        const off = optI64(o.value, le);
        if (off === undefined) bad.push(`if_tsoffset of ${o.value.length} bytes`);
        else v.tsOffset = off;
        break;
      }
    }
  }
  const warning = optionError('interface description', [error, ...bad].filter(Boolean).join('; ') || undefined);
  if (warning) v.warning = warning;
  return ok(v, len);
}

export interface InterfaceStatistics {
  interfaceId: number;
  received?: number;
  dropped?: number;
  osDropped?: number;
  warning?: string;
}

/** Decode a whole Interface Statistics Block b[pos, pos+len). */
export function decodeInterfaceStatistics(b: Uint8Array, pos: number, len: number, le: boolean): Decoded<InterfaceStatistics> {
  if (b.length - pos < len || len < minBlockLength(BLOCK.ISB)) return incomplete(minBlockLength(BLOCK.ISB));
  const v: InterfaceStatistics = { interfaceId: u32(b, pos + 8, le) };
  const { options, error } = decodeOptions(b, pos + 20, pos + len - 4, le);
  for (const o of options) {
    const n = o.code === ISB_OPT.IFRECV || o.code === ISB_OPT.IFDROP || o.code === ISB_OPT.OSDROP ? optU64(o.value, le) : undefined;
    if (n === undefined) continue;
    if (o.code === ISB_OPT.IFRECV) v.received = n;
    else if (o.code === ISB_OPT.IFDROP) v.dropped = n;
    else v.osDropped = n;
  }
  const warning = optionError('interface statistics', error);
  if (warning) v.warning = warning;
  return ok(v, len);
}

// --- timestamps ----------------------------------------------------------------------

/** How one interface's 64-bit timestamps become seconds + nanoseconds. */
export interface TsUnits {
  perSecond: number;
  /** perSecond as a BigInt when it is too large for exact double arithmetic (> 2^30). */
  big: bigint | null;
  /** ns per unit when that is a whole number (10^-n, n ≤ 9); 0 otherwise. */
  nsPerUnit: number;
}

/** if_tsresol byte → units. High bit clear: 10^-n s; set: 2^-(n & 0x7f) s. */
export function tsUnits(tsresol: number): TsUnits {
  const binary = (tsresol & 0x80) !== 0;
  const exp = tsresol & 0x7f;
  const big = binary ? 1n << BigInt(exp) : 10n ** BigInt(exp);
  const perSecond = Number(big);
  return { perSecond, big: perSecond > 0x40000000 ? big : null, nsPerUnit: !binary && exp <= 9 ? 10 ** (9 - exp) : 0 };
}

/**
 * Split a timestamp (hi·2^32 + lo units) into whole seconds and nanoseconds, exactly:
 * plain doubles below 2^53, 16-bit long division above (each step stays below 2^46),
 * BigInt only for exotic units finer than 2^-30 s.
 */
export function splitTimestamp(hi: number, lo: number, u: TsUnits, out: { sec: number; nsec: number }): void {
  const d = u.perSecond;
  let sec: number;
  let rem: number;
  if (hi < 0x200000) {
    const ts = hi * 4294967296 + lo;
    sec = Math.floor(ts / d);
    rem = ts - sec * d;
    if (rem < 0) {
      sec -= 1;
      rem += d;
    } else if (rem >= d) {
      sec += 1;
      rem -= d;
    }
  } else if (u.big === null) {
    sec = 0;
    rem = 0;
    for (let i = 0; i < 4; i++) {
      const limb = i === 0 ? hi >>> 16 : i === 1 ? hi & 0xffff : i === 2 ? lo >>> 16 : lo & 0xffff;
      const cur = rem * 65536 + limb;
      let q = Math.floor(cur / d);
      rem = cur - q * d;
      if (rem < 0) {
        q -= 1;
        rem += d;
      }
      sec = sec * 65536 + q;
    }
  } else {
    const ts = (BigInt(hi) << 32n) | BigInt(lo);
    out.sec = Number(ts / u.big);
    out.nsec = Number(((ts % u.big) * 1000000000n) / u.big);
    return;
  }
  out.sec = sec;
  out.nsec = u.nsPerUnit > 0 ? rem * u.nsPerUnit : Math.min(999999999, Math.floor((rem / d) * 1e9));
}

// --- the framer ----------------------------------------------------------------------

interface Iface {
  info: InterfaceInfo;
  units: TsUnits;
  tsOffset: number;
  snaplen: number;
}

/** The pcapng block framer (see RecordFormat in decoder.ts). */
export class PcapngFormat implements RecordFormat {
  readonly headerLen = MIN_BLOCK_LEN;
  private le = true;
  private section = -1;
  private ifaces: Iface[] = [];
  /** Last packet timestamp: SPBs have none and take it. */
  private ts = { sec: 0, nsec: 0 };

  constructor(private readonly sink: FormatSink) {}

  recordLength(buf: Uint8Array, pos: number): number {
    let type: number;
    if (buf[pos] === 0x0a && buf[pos + 1] === 0x0d && buf[pos + 2] === 0x0d && buf[pos + 3] === 0x0a) {
      type = BLOCK.SHB;
      const le = shbByteOrder(buf, pos);
      if (le === null) return this.fail('section header block: no valid byte-order magic (1a2b3c4d)', false);
      this.le = le;
    } else {
      type = this.le ? u32le(buf, pos) : u32be(buf, pos);
    }
    const len = this.le ? u32le(buf, pos + 4) : u32be(buf, pos + 4);
    if ((len & 3) === 0 && len >= minBlockLength(type) && len <= MAX_BLOCK_LEN) return len;
    const packet = isPacketBlock(type);
    if (len % 4 !== 0) return this.fail(`${blockName(type)}: block length ${len} is not a multiple of 4`, packet);
    if (len < minBlockLength(type)) return this.fail(`${blockName(type)}: block length ${len} is below the minimum of ${minBlockLength(type)}`, packet);
    return this.fail(`${blockName(type)}: block length ${len} is over the ${MAX_BLOCK_LEN}-byte limit`, packet);
  }

  record(buf: Uint8Array, pos: number, len: number): void {
    const le = this.le;
    const type = le ? u32le(buf, pos) : u32be(buf, pos);
    const trailer = le ? u32le(buf, pos + len - 4) : u32be(buf, pos + len - 4);
    if (trailer !== len) {
      this.fail(`${blockName(type)}: trailing length ${trailer} differs from the leading length ${len}`, isPacketBlock(type));
      return;
    }
    switch (type) {
      case BLOCK.EPB:
        this.packetBlock(buf, pos, len, le ? u32le(buf, pos + 8) : u32be(buf, pos + 8));
        return;
      case BLOCK.OPB:
        this.packetBlock(buf, pos, len, u16(buf, pos + 8, le));
        return;
      case BLOCK.SPB:
        this.simplePacket(buf, pos, len);
        return;
      case BLOCK.IDB:
        this.interfaceDescription(buf, pos, len);
        return;
      case BLOCK.ISB:
        this.interfaceStatistics(buf, pos, len);
        return;
      case BLOCK.SHB:
        this.sectionHeader(buf, pos, len);
        return;
      case BLOCK.DSB: {
        // secrets type, secrets length, the secrets (padded to 32 bits), options
        if (len < 20) return this.sink.problem('decryption secrets block shorter than its header', false, false);
        const stype = le ? u32le(buf, pos + 8) : u32be(buf, pos + 8);
        const slen = le ? u32le(buf, pos + 12) : u32be(buf, pos + 12);
        if (16 + slen > len - 4) return this.sink.problem(`decryption secrets block: ${slen} bytes of secrets do not fit in its ${len} bytes`, false, false);
        this.sink.secrets?.(stype, buf.subarray(pos + 16, pos + 16 + slen));
        return;
      }
      default:
        // Name resolution, custom and unknown blocks: skipped.
        return;
    }
  }

  describePartial(buf: Uint8Array, have: number): { what: string; fatal: boolean; packetRecord: boolean } {
    if (this.section < 0) return { what: 'the pcapng section header block', fatal: true, packetRecord: false };
    if (have < 4) return { what: 'a block header', fatal: false, packetRecord: false };
    const type = u32(buf, 0, this.le);
    const packet = isPacketBlock(type);
    const name = blockName(type);
    return { what: packet ? `a packet (${name})` : `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`, fatal: false, packetRecord: packet };
  }

  private fail(message: string, packetRecord: boolean): -1 {
    this.sink.problem(message, true, packetRecord);
    return -1;
  }

  private missingInterface(id: number, what: string): null {
    this.fail(`${what} for interface ${id}, but the section describes ${this.ifaces.length} interface(s)`, true);
    return null;
  }

  private packetBlock(buf: Uint8Array, pos: number, len: number, ifid: number): void {
    const le = this.le;
    const caplen = le ? u32le(buf, pos + 20) : u32be(buf, pos + 20);
    const dataStart = pos + PACKET_DATA_OFFSET;
    const end = pos + len - 4;
    // caplen is checked against the block (≤ 16 MiB) before any padding arithmetic.
    const padded = caplen <= len ? (caplen + 3) & ~3 : len;
    if (dataStart + padded > end) {
      this.fail(`${blockName(u32(buf, pos, le))}: captured length ${caplen} runs past the end of its ${len}-byte block`, true);
      return;
    }
    const f = this.ifaces[ifid] ?? this.missingInterface(ifid, 'packet');
    if (f === null) return;
    const ts = this.ts;
    splitTimestamp(le ? u32le(buf, pos + 12) : u32be(buf, pos + 12), le ? u32le(buf, pos + 16) : u32be(buf, pos + 16), f.units, ts);
    if (f.tsOffset !== 0) ts.sec += f.tsOffset;
    const optStart = dataStart + padded;
    const o = optStart < end ? this.packetOptions(buf, optStart, end) : null;
    this.sink.packet(f.info, ts.sec, ts.nsec, caplen, le ? u32le(buf, pos + 24) : u32be(buf, pos + 24), buf.subarray(dataStart, dataStart + caplen), o?.comment, o?.direction);
  }

  /** opt_comment, and the direction in epb_flags (bits 0-1: 1 inbound, 2 outbound; as Direction). */
  private packetOptions(buf: Uint8Array, start: number, end: number): { comment: string | undefined; direction: number } {
    const { options, error } = decodeOptions(buf, start, end, this.le);
    if (error) this.sink.problem(`packet options: ${error}`, false, true);
    const c = options.find((o) => o.code === OPT.COMMENT);
    const f = options.find((o) => o.code === EPB_OPT.FLAGS && o.value.length === 4);
    const bits = f ? u32(f.value, 0, this.le) & 3 : 0;
    return { comment: c ? optString(c.value) : undefined, direction: bits === 1 || bits === 2 ? bits : 0 };
  }

  private simplePacket(buf: Uint8Array, pos: number, len: number): void {
    const origLen = u32(buf, pos + 8, this.le);
    const f = this.ifaces[0] ?? this.missingInterface(0, 'simple packet block');
    if (f === null) return;
    const caplen = f.snaplen > 0 ? Math.min(origLen, f.snaplen) : origLen;
    if (caplen > len - 16) {
      this.fail(`simple packet block: packet length ${caplen} runs past the end of its ${len}-byte block`, true);
      return;
    }
    const start = pos + SPB_DATA_OFFSET;
    this.sink.packet(f.info, this.ts.sec, this.ts.nsec, caplen, origLen, buf.subarray(start, start + caplen));
  }

  private sectionHeader(buf: Uint8Array, pos: number, len: number): void {
    const d = decodeSectionHeader(buf, pos, len);
    if (d.status !== 'ok') {
      this.fail(`section header block: ${d.status === 'invalid' ? d.error.message : 'cut short'}`, false);
      return;
    }
    const h = d.value;
    if (h.versionMajor !== PCAPNG_VERSION_MAJOR) {
      this.fail(`unsupported pcapng version ${h.versionMajor}.${h.versionMinor}`, false);
      return;
    }
    if (h.warning) this.sink.problem(h.warning, false, false);
    this.section++;
    this.ifaces = [];
    const byteOrder = h.littleEndian ? 'little-endian' : 'big-endian';
    const version = `${h.versionMajor}.${h.versionMinor}`;
    this.sink.setInfo({ format: 'pcapng', byteOrder, version });
    this.sink.addSection({
      index: this.section,
      byteOrder,
      version,
      ...(h.hardware !== undefined && { hardware: h.hardware }),
      ...(h.os !== undefined && { os: h.os }),
      ...(h.application !== undefined && { application: h.application }),
    });
  }

  private interfaceDescription(buf: Uint8Array, pos: number, len: number): void {
    const d = decodeInterfaceDescription(buf, pos, len, this.le);
    if (d.status !== 'ok') {
      this.fail(`interface description block: ${d.status === 'invalid' ? d.error.message : 'cut short'}`, false);
      return;
    }
    const v = d.value;
    if (v.warning) this.sink.problem(v.warning, false, false);
    const units = tsUnits(v.tsResolution);
    const info: InterfaceInfo = {
      section: this.section,
      id: this.ifaces.length,
      linkType: v.linkType,
      linkTypeName: linkTypeName(v.linkType),
      snaplen: v.snaplen,
      tsUnitsPerSecond: units.perSecond,
      tsOffset: v.tsOffset,
      packets: 0,
      ...(v.name !== undefined && { name: v.name }),
      ...(v.description !== undefined && { description: v.description }),
      ...(v.os !== undefined && { os: v.os }),
      ...(v.filter !== undefined && { filter: v.filter }),
    };
    this.ifaces.push({ info, units, tsOffset: v.tsOffset, snaplen: v.snaplen });
    this.sink.addInterface(info);
  }

  private interfaceStatistics(buf: Uint8Array, pos: number, len: number): void {
    const d = decodeInterfaceStatistics(buf, pos, len, this.le);
    if (d.status !== 'ok') return;
    const s = d.value;
    if (s.warning) this.sink.problem(s.warning, false, false);
    const f = this.ifaces[s.interfaceId];
    if (f === undefined) {
      this.sink.problem(`interface statistics for interface ${s.interfaceId}, but the section describes ${this.ifaces.length} interface(s)`, false, false);
      return;
    }
    // Counters are cumulative: the last ISB for an interface wins.
    if (s.received !== undefined) f.info.received = s.received;
    if (s.dropped !== undefined) f.info.dropped = s.dropped;
    if (s.osDropped !== undefined) f.info.osDropped = s.osDropped;
  }
}
