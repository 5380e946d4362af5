// The push-based capture decoder: bytes in (any chunking), Packets out.
//
// One CaptureDecoder serves files, stdin, gzip streams and replay. It detects the format
// from the first bytes (never from a file name), then frames records: a format (pcap.ts,
// pcapng.ts) says how many header bytes it needs to learn a record's length and decodes
// whole records. Records that straddle two chunks are completed in a carry buffer (only
// the partial record is copied, never whole chunks). Every problem is recorded with its
// byte offset and frame number; a fatal one stops decoding, and everything before it has
// already been delivered. Nothing here throws on input bytes.

import type { CaptureProblem, InterfaceInfo, SectionInfo, CaptureInfo, InterfaceDrops, CaptureStats, FormatSink, RecordFormat } from './format.js';
import { linkTypeName, type Packet } from './packet.js';
import { PcapFormat, pcapMagic } from './pcap.js';
import { PcapngFormat, PCAPNG_SHB_TYPE_BYTES } from './pcapng.js';

/** Problems kept in stats; later ones are only counted. */
export const MAX_PROBLEMS = 50;
/** Carry buffer starts this big and grows (up to the largest record a format allows). */
const INITIAL_CARRY = 64 * 1024;
/** Bytes needed to recognise a format by its magic. */
const MAGIC_LEN = 4;

export type { CaptureProblem, InterfaceInfo, SectionInfo, CaptureInfo, InterfaceDrops, CaptureStats, FormatSink, RecordFormat } from './format.js';

/** Known non-capture magics, to say what a file is instead (kept as data). */
const OTHER_MAGICS: { bytes: number[]; what: string }[] = [
  { bytes: [0x1f, 0x8b], what: 'gzip-compressed data (decompress it first)' },
  { bytes: [0x42, 0x5a, 0x68], what: 'bzip2-compressed (decompress with bunzip2 first)' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58], what: 'xz-compressed (decompress with unxz first)' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed (decompress with unzstd first)' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'an ELF executable' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x73, 0x6e, 0x6f, 0x6f], what: 'a snoop capture (convert with: editcap -F pcapng IN OUT)' },
  { bytes: [0x47, 0x4d, 0x42, 0x55], what: 'a Microsoft Network Monitor capture (convert with: editcap -F pcapng IN OUT)' },
  { bytes: [0xa1, 0xb2, 0xcd, 0x34], what: 'a modified (Kuznetzov) pcap (convert with: editcap -F pcap IN OUT)' },
  { bytes: [0x34, 0xcd, 0xb2, 0xa1], what: 'a modified (Kuznetzov) pcap (convert with: editcap -F pcap IN OUT)' },
];

const isTextByte = (c: number): boolean => (c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d;

/** "not a pcap or pcapng file: starts with 3c 68 74 6d (looks like HTML/text)". */
export function describeUnknownMagic(head: Uint8Array): string {
  const shown = Array.from(head.subarray(0, MAGIC_LEN), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const known = OTHER_MAGICS.find((m) => m.bytes.every((b, i) => head[i] === b));
  let guess: string;
  if (known) guess = known.what;
  else if (head.length > 0 && head.every(isTextByte)) guess = 'looks like HTML/text';
  else guess = 'unknown format';
  return `not a pcap or pcapng file: starts with ${shown} (${guess})`;
}

/** One line for a problem: "error at frame 12, byte 4096: ..." / "warning at byte 96: ...". */
export function formatProblem(p: CaptureProblem): string {
  const where = p.frame !== undefined ? `frame ${p.frame}, byte ${p.offset}` : `byte ${p.offset}`;
  return `${p.fatal ? 'error' : 'warning'} at ${where}: ${p.message}`;
}

/** The first fatal problem, if decoding stopped on one. */
export const fatalProblem = (s: CaptureStats): CaptureProblem | undefined => s.problems.find((p) => p.fatal);

export class CaptureDecoder implements FormatSink {
  private fmt: RecordFormat | null = null;
  private carry = new Uint8Array(INITIAL_CARRY);
  private carryLen = 0;
  /** Length of the record in carry once known (0 = not yet). */
  private carryNeed = 0;
  /** Absolute offset of the first byte of the next chunk. */
  private offset = 0;
  /** Absolute offset of the record being decoded (for problems). */
  private recordStart = 0;
  private stopped = false;

  private frames = 0;
  private bytes = 0;
  private truncated = 0;
  private problems: CaptureProblem[] = [];
  private suppressed = 0;
  private cutShort = false;
  private stoppedEarly = false;
  private aborted = false;
  private ended = false;

  private baseInfo: Omit<CaptureInfo, 'sections' | 'interfaces'> | null = null;
  private sections: SectionInfo[] = [];
  private interfaces: InterfaceInfo[] = [];

  constructor(
    private readonly onPacket: (p: Packet) => void,
    /** Decryption secrets found in the capture (pcapng DSB), before the packets they open. */
    private readonly onSecrets?: (type: number, data: Uint8Array) => void,
  ) {}

  secrets(type: number, data: Uint8Array): void {
    this.onSecrets?.(type, data.slice());
  }

  /** True once decoding stopped (fatal problem, stop(), or end()): further pushes are ignored. */
  get done(): boolean {
    return this.stopped || this.ended;
  }

  get info(): CaptureInfo | null {
    if (!this.baseInfo) return null;
    return { ...this.baseInfo, sections: this.sections.map((s) => ({ ...s })), interfaces: this.interfaces.map((i) => ({ ...i })) };
  }

  get stats(): CaptureStats {
    const byType = new Map<number, number>();
    for (const i of this.interfaces) if (i.packets > 0) byType.set(i.linkType, (byType.get(i.linkType) ?? 0) + i.packets);
    const drops: InterfaceDrops[] = [];
    for (const i of this.interfaces) {
      if (i.received === undefined && i.dropped === undefined && i.osDropped === undefined) continue;
      const d: InterfaceDrops = { section: i.section, interfaceId: i.id };
      if (i.name !== undefined) d.name = i.name;
      if (i.received !== undefined) d.received = i.received;
      if (i.dropped !== undefined) d.dropped = i.dropped;
      if (i.osDropped !== undefined) d.osDropped = i.osDropped;
      drops.push(d);
    }
    return {
      packets: this.frames,
      bytes: this.bytes,
      truncated: this.truncated,
      inputBytes: this.offset,
      linkTypes: [...byType].map(([linkType, packets]) => ({ linkType, name: linkTypeName(linkType), packets })),
      drops,
      problems: this.problems.map((p) => ({ ...p })),
      suppressedProblems: this.suppressed,
      cutShort: this.cutShort,
      stoppedEarly: this.stoppedEarly,
      aborted: this.aborted,
    };
  }

  /**
   * Feed the next bytes. The chunk is not kept after the call returns (the caller may
   * reuse its buffer); packets handed to onPacket during the call may view into it.
   */
  push(input: Uint8Array): void {
    if (this.stopped || this.ended) return;
    // Packets view plain Uint8Arrays whatever the source (Buffer from streams): one shape for consumers.
    const chunk = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    const n = chunk.length;
    let pos = 0;
    if (this.fmt === null || this.carryLen > 0) pos = this.completeCarry(chunk);
    const fmt = this.fmt;
    if (fmt !== null) {
      while (!this.stopped) {
        const avail = n - pos;
        if (avail < fmt.headerLen) break;
        this.recordStart = this.offset + pos;
        const len = fmt.recordLength(chunk, pos);
        if (len < 0 || avail < len) {
          if (len >= 0) this.carryNeed = len;
          break;
        }
        fmt.record(chunk, pos, len);
        pos += len;
      }
    }
    if (!this.stopped && pos < n) {
      // Keep the start of the next record (less than one record) for the next chunk.
      const rest = n - pos;
      this.ensureCarry(rest);
      this.carry.set(chunk.subarray(pos), 0);
      this.carryLen = rest;
      this.recordStart = this.offset + pos;
    }
    this.offset += n;
  }

  /** The input ended: report a record cut in the middle, or a file too short to be a capture. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.stopped) return;
    this.recordStart = this.offset - this.carryLen;
    if (this.fmt === null) {
      if (this.offset === 0) this.problem('empty input: no capture data at all', true, false);
      else if (this.carry.subarray(0, this.carryLen).every(isTextByte)) this.problem(describeUnknownMagic(this.carry.subarray(0, this.carryLen)), true, false);
      else this.problem(`only ${this.offset} byte${this.offset === 1 ? '' : 's'}: too short to be a pcap or pcapng file`, true, false);
      return;
    }
    if (this.carryLen === 0) return;
    const need = this.carryNeed || this.fmt.headerLen;
    const partial = this.fmt.describePartial(this.carry, this.carryLen, need);
    const message = `cut short in the middle of ${partial.what} (${this.carryLen} of ${this.carryNeed ? '' : 'at least '}${need} bytes)`;
    if (!partial.fatal) this.cutShort = true;
    this.problem(message, partial.fatal, partial.packetRecord);
  }

  /** Stop decoding (Ctrl-C): what was delivered stays, the rest is ignored. */
  stop(): void {
    if (this.stopped || this.ended) return;
    this.stopped = true;
    this.stoppedEarly = true;
    this.aborted = true;
  }

  /** A problem found outside the byte stream (decompression, read error) at the current offset. */
  reportInputProblem(message: string, fatal: boolean, cutShort = false): void {
    if (this.stopped) return;
    this.recordStart = this.offset - this.carryLen;
    if (cutShort) this.cutShort = true;
    this.problem(message, fatal, false);
  }

  // --- FormatSink -------------------------------------------------------------------

  packet(iface: InterfaceInfo, tsSec: number, tsNsec: number, caplen: number, origLen: number, data: Uint8Array, comment?: string, direction?: number): void {
    const frame = ++this.frames;
    iface.packets++;
    this.bytes += caplen;
    if (caplen < origLen) this.truncated++;
    const p: Packet = { frame, tsSec, tsNsec, caplen, origLen, linkType: iface.linkType, interfaceId: iface.id, data };
    if (comment !== undefined) p.comment = comment;
    if (direction) p.direction = direction;
    this.onPacket(p);
  }

  problem(message: string, fatal: boolean, packetRecord: boolean): void {
    if (fatal) {
      this.stopped = true;
      this.stoppedEarly = true;
    }
    // A fatal problem is always kept, even past the cap: it explains why reading stopped.
    if (this.problems.length >= MAX_PROBLEMS && !fatal) {
      this.suppressed++;
      return;
    }
    const p: CaptureProblem = { offset: this.recordStart, message, fatal };
    if (packetRecord) p.frame = this.frames + 1;
    this.problems.push(p);
  }

  addInterface(iface: InterfaceInfo): void {
    this.interfaces.push(iface);
  }

  addSection(section: SectionInfo): void {
    this.sections.push(section);
  }

  setInfo(info: Omit<CaptureInfo, 'sections' | 'interfaces'>): void {
    if (!this.baseInfo) this.baseInfo = info;
  }

  // --- framing across chunks ------------------------------------------------------

  private ensureCarry(size: number): void {
    if (size <= this.carry.length) return;
    let cap = this.carry.length;
    while (cap < size) cap *= 2;
    const bigger = new Uint8Array(cap);
    bigger.set(this.carry.subarray(0, this.carryLen));
    this.carry = bigger;
  }

  /** Copy into carry up to `target` bytes; returns the new chunk position. */
  private fill(chunk: Uint8Array, pos: number, target: number): number {
    const take = Math.min(target - this.carryLen, chunk.length - pos);
    if (take <= 0) return pos;
    this.ensureCarry(this.carryLen + take);
    this.carry.set(chunk.subarray(pos, pos + take), this.carryLen);
    this.carryLen += take;
    return pos + take;
  }

  /**
   * Finish the record begun in carry (and detect the format first if needed), taking
   * only the bytes that record needs from the chunk. Returns where the chunk's unread
   * bytes start; if the record is still not whole, the chunk is used up.
   */
  private completeCarry(chunk: Uint8Array): number {
    let pos = 0;
    if (this.fmt === null) {
      pos = this.fill(chunk, pos, MAGIC_LEN);
      if (this.carryLen < MAGIC_LEN) return pos;
      this.fmt = this.detect(this.carry);
      if (this.fmt === null) return chunk.length;
    }
    const fmt = this.fmt;
    if (this.carryNeed === 0) {
      pos = this.fill(chunk, pos, fmt.headerLen);
      if (this.carryLen < fmt.headerLen) return pos;
      const len = fmt.recordLength(this.carry, 0);
      if (len < 0) return chunk.length;
      this.carryNeed = len;
    }
    pos = this.fill(chunk, pos, this.carryNeed);
    if (this.carryLen < this.carryNeed) return pos;
    fmt.record(this.carry, 0, this.carryNeed);
    this.carryLen = 0;
    this.carryNeed = 0;
    return pos;
  }

  private detect(head: Uint8Array): RecordFormat | null {
    this.recordStart = 0;
    const magic = pcapMagic(head, 0);
    if (magic) return new PcapFormat(this, magic.littleEndian, magic.nanosecond);
    if (PCAPNG_SHB_TYPE_BYTES.every((b, i) => head[i] === b)) return new PcapngFormat(this);
    this.problem(describeUnknownMagic(head.subarray(0, MAGIC_LEN)), true, false);
    return null;
  }
}
