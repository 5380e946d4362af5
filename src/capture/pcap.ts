// Classic libpcap files: a 24-byte file header, then 16-byte record headers each
// followed by caplen bytes. Magic a1b2c3d4 (microsecond timestamps) or a1b23c4d
// (nanosecond), written in the writer's byte order (both orders are read).
// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html

import { incomplete, invalid, ok, type Decoded } from '../wire/reader.js';
import type { FormatSink, InterfaceInfo, RecordFormat } from './format.js';
import { linkTypeName } from './packet.js';

export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
/** Largest caplen accepted (libpcap's and Wireshark's maximum for ordinary link types). */
export const MAX_PCAP_CAPLEN = 262144;
/**
 * caplen may exceed the header's snaplen a little (some writers); more than the snaplen
 * again and at least this many bytes over it is a lying length (a corrupt record).
 */
export const SNAPLEN_SLACK = 4096;
/** The supported major version (every pcap writer since 1998 writes 2.4). */
const PCAP_VERSION_MAJOR = 2;

// --- byte order helpers (shared with pcapng.ts) ---------------------------------------

export const u16le = (b: Uint8Array, p: number): number => b[p]! | (b[p + 1]! << 8);
export const u16be = (b: Uint8Array, p: number): number => (b[p]! << 8) | b[p + 1]!;
export const u32le = (b: Uint8Array, p: number): number =>
  (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
export const u32be = (b: Uint8Array, p: number): number =>
  ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
export const u16 = (b: Uint8Array, p: number, le: boolean): number => (le ? u16le(b, p) : u16be(b, p));
export const u32 = (b: Uint8Array, p: number, le: boolean): number => (le ? u32le(b, p) : u32be(b, p));

// --- file header ----------------------------------------------------------------------

/** The four magics: [byte 0..3 as stored] → byte order and precision. */
const MAGICS: { bytes: readonly number[]; littleEndian: boolean; nanosecond: boolean }[] = [
  { bytes: [0xd4, 0xc3, 0xb2, 0xa1], littleEndian: true, nanosecond: false },
  { bytes: [0xa1, 0xb2, 0xc3, 0xd4], littleEndian: false, nanosecond: false },
  { bytes: [0x4d, 0x3c, 0xb2, 0xa1], littleEndian: true, nanosecond: true },
  { bytes: [0xa1, 0xb2, 0x3c, 0x4d], littleEndian: false, nanosecond: true },
];

/** Classic pcap magic at b[pos], or null. */
export function pcapMagic(b: Uint8Array, pos: number): { littleEndian: boolean; nanosecond: boolean } | null {
  const m = MAGICS.find((x) => x.bytes.every((v, i) => b[pos + i] === v));
  return m ? { littleEndian: m.littleEndian, nanosecond: m.nanosecond } : null;
}

export interface PcapHeader {
  littleEndian: boolean;
  nanosecond: boolean;
  versionMajor: number;
  versionMinor: number;
  /** GMT to local correction (always 0 in practice; not applied). */
  thiszone: number;
  snaplen: number;
  linkType: number;
  /** FCS length in bytes when the header says it (bits 28-31 with bit 26 set), else null. */
  fcsLength: number | null;
}

/** Decode the 24-byte file header at b[pos]. */
export function decodePcapHeader(b: Uint8Array, pos = 0): Decoded<PcapHeader> {
  const avail = b.length - pos;
  if (avail < 4 || (avail < PCAP_FILE_HEADER_LEN && pcapMagic(b, pos))) return incomplete(PCAP_FILE_HEADER_LEN - Math.max(avail, 0));
  const magic = pcapMagic(b, pos);
  if (!magic) return invalid({ kind: 'bad-value', path: ['pcap', 'magic'], offset: pos, message: 'not a classic pcap magic number' });
  const le = magic.littleEndian;
  const versionMajor = u16(b, pos + 4, le);
  const versionMinor = u16(b, pos + 6, le);
  if (versionMajor !== PCAP_VERSION_MAJOR) {
    return invalid({ kind: 'bad-value', path: ['pcap', 'version'], offset: pos + 4, message: `unsupported pcap version ${versionMajor}.${versionMinor} (only 2.x exists)` });
  }
  const linkField = u32(b, pos + 20, le);
  return ok(
    {
      littleEndian: le,
      nanosecond: magic.nanosecond,
      versionMajor,
      versionMinor,
      thiszone: u32(b, pos + 8, le) | 0,
      snaplen: u32(b, pos + 16, le),
      linkType: linkField & 0xffff,
      fcsLength: linkField & 0x04000000 ? (linkField >>> 28) * 2 : null,
    },
    PCAP_FILE_HEADER_LEN,
  );
}

/** Why a record's caplen cannot be true, or null when it is plausible. */
export function pcapCaplenProblem(caplen: number, snaplen: number): string | null {
  if (caplen > MAX_PCAP_CAPLEN) return `captured length ${caplen} is over the ${MAX_PCAP_CAPLEN}-byte maximum: the file is corrupt from here on`;
  if (snaplen > 0 && caplen > snaplen + Math.max(snaplen, SNAPLEN_SLACK)) {
    return `captured length ${caplen} is far over the file's snaplen ${snaplen}: the file is corrupt from here on`;
  }
  return null;
}

/** The classic pcap record framer (see RecordFormat in decoder.ts). */
export class PcapFormat implements RecordFormat {
  headerLen = PCAP_FILE_HEADER_LEN;
  private snaplen = 0;
  private iface: InterfaceInfo | null = null;

  constructor(
    private readonly sink: FormatSink,
    private readonly le: boolean,
    private readonly nano: boolean,
  ) {}

  recordLength(buf: Uint8Array, pos: number): number {
    if (this.iface === null) return PCAP_FILE_HEADER_LEN;
    const caplen = this.le ? u32le(buf, pos + 8) : u32be(buf, pos + 8);
    if (caplen > MAX_PCAP_CAPLEN || caplen > this.snaplen + SNAPLEN_SLACK) {
      const why = pcapCaplenProblem(caplen, this.snaplen);
      if (why !== null) {
        this.sink.problem(why, true, true);
        return -1;
      }
    }
    return PCAP_RECORD_HEADER_LEN + caplen;
  }

  record(buf: Uint8Array, pos: number, len: number): void {
    const iface = this.iface;
    if (iface === null) {
      this.fileHeader(buf, pos);
      return;
    }
    const le = this.le;
    let sec = le ? u32le(buf, pos) : u32be(buf, pos);
    const frac = le ? u32le(buf, pos + 4) : u32be(buf, pos + 4);
    const origLen = le ? u32le(buf, pos + 12) : u32be(buf, pos + 12);
    let nsec = this.nano ? frac : frac * 1000;
    if (nsec >= 1e9) {
      // Some writers overflow the fraction; carry it into the seconds as Wireshark does.
      sec += Math.floor(nsec / 1e9);
      nsec %= 1e9;
    }
    this.sink.packet(iface, sec, nsec, len - PCAP_RECORD_HEADER_LEN, origLen, buf.subarray(pos + PCAP_RECORD_HEADER_LEN, pos + len));
  }

  describePartial(_buf: Uint8Array, _have: number, _need: number): { what: string; fatal: boolean; packetRecord: boolean } {
    if (this.iface === null) return { what: 'the pcap file header', fatal: true, packetRecord: false };
    return { what: 'a packet', fatal: false, packetRecord: true };
  }

  private fileHeader(buf: Uint8Array, pos: number): void {
    const h = decodePcapHeader(buf.subarray(pos, pos + PCAP_FILE_HEADER_LEN));
    if (h.status !== 'ok') {
      this.sink.problem(h.status === 'invalid' ? h.error.message : 'pcap file header cut short', true, false);
      return;
    }
    const v = h.value;
    this.snaplen = v.snaplen;
    this.headerLen = PCAP_RECORD_HEADER_LEN;
    this.sink.setInfo({
      format: 'pcap',
      byteOrder: v.littleEndian ? 'little-endian' : 'big-endian',
      version: `${v.versionMajor}.${v.versionMinor}`,
      timestampPrecision: v.nanosecond ? 'nanoseconds' : 'microseconds',
    });
    const iface: InterfaceInfo = {
      section: 0,
      id: 0,
      linkType: v.linkType,
      linkTypeName: linkTypeName(v.linkType),
      snaplen: v.snaplen,
      tsUnitsPerSecond: v.nanosecond ? 1e9 : 1e6,
      tsOffset: 0,
      packets: 0,
    };
    this.iface = iface;
    this.sink.addInterface(iface);
  }
}
