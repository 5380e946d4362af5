// The shapes capture formats and their reader share: interfaces, sections, statistics,
// problems, and the two interfaces between the framing loop (CaptureDecoder) and a format
// parser (pcap, pcapng). Types only.

export interface CaptureProblem {
  /** Byte offset (in the decompressed input) of the record where the problem is. */
  offset: number;
  /** The frame number the record has or would have had, when it is a packet record. */
  frame?: number;
  message: string;
  /** Fatal: decoding stopped here. Not fatal: a warning, decoding went on. */
  fatal: boolean;
}

/** One capture interface: the pcap file itself, or one pcapng IDB. */
export interface InterfaceInfo {
  /** 0-based pcapng section (SHB) index; 0 for classic pcap. */
  section: number;
  /** Interface index within its section (Packet.interfaceId). */
  id: number;
  linkType: number;
  linkTypeName: string;
  /** 0 when not set. */
  snaplen: number;
  /** Timestamp units per second (1e6 for µs, 1e9 for ns, 1024 for if_tsresol 2^-10). */
  tsUnitsPerSecond: number;
  /** if_tsoffset: seconds added to every timestamp. */
  tsOffset: number;
  name?: string;
  description?: string;
  os?: string;
  filter?: string;
  /** Packets read on this interface. */
  packets: number;
  /** From the last Interface Statistics Block for this interface, when present. */
  received?: number;
  dropped?: number;
  osDropped?: number;
}

export interface SectionInfo {
  index: number;
  byteOrder: 'little-endian' | 'big-endian';
  version: string;
  hardware?: string;
  os?: string;
  application?: string;
}

export interface CaptureInfo {
  format: 'pcap' | 'pcapng';
  /** Byte order of the file (of the first section for pcapng). */
  byteOrder: 'little-endian' | 'big-endian';
  version: string;
  /** Classic pcap only: which magic the file had. */
  timestampPrecision?: 'microseconds' | 'nanoseconds';
  /** pcapng sections (SHBs) seen; empty for classic pcap. */
  sections: SectionInfo[];
  /** Every interface seen, across sections. */
  interfaces: InterfaceInfo[];
}

export interface InterfaceDrops {
  section: number;
  interfaceId: number;
  name?: string;
  received?: number;
  /** isb_ifdrop: dropped by the interface / capture buffer. */
  dropped?: number;
  /** isb_osdrop: dropped by the operating system. */
  osDropped?: number;
}

export interface CaptureStats {
  /** Packets delivered (= the last frame number). */
  packets: number;
  /** Captured bytes delivered (sum of caplen). */
  bytes: number;
  /** Packets cut by the snaplen (caplen < origLen). */
  truncated: number;
  /** Input bytes seen (decompressed). */
  inputBytes: number;
  linkTypes: { linkType: number; name: string; packets: number }[];
  /** Interface drop counters from pcapng ISBs (empty when the file has none). */
  drops: InterfaceDrops[];
  problems: CaptureProblem[];
  /** Problems beyond MAX_PROBLEMS, counted only. */
  suppressedProblems: number;
  /** The input ended in the middle of a record (Wireshark: "cut short in the middle of a packet"). */
  cutShort: boolean;
  /** Decoding stopped before the end of the input (a fatal problem, or stop()). */
  stoppedEarly: boolean;
  /** stop() was called (Ctrl-C / AbortSignal). */
  aborted: boolean;
}

/** What a format parser reports to; implemented by CaptureDecoder. */
export interface FormatSink {
  /** `direction`: pcapng epb_flags' inbound (1) / outbound (2), 0 when not given (net/decode.ts Direction). */
  packet(iface: InterfaceInfo, tsSec: number, tsNsec: number, caplen: number, origLen: number, data: Uint8Array, comment?: string, direction?: number): void;
  /** `packetRecord`: the current record is a packet (the problem gets its frame number). */
  problem(message: string, fatal: boolean, packetRecord: boolean): void;
  addInterface(iface: InterfaceInfo): void;
  addSection(section: SectionInfo): void;
  setInfo(info: Omit<CaptureInfo, 'sections' | 'interfaces'>): void;
  /** A pcapng Decryption Secrets Block: its secrets type and data. */
  secrets?(type: number, data: Uint8Array): void;
}

/** A capture format as the framing loop sees it. */
export interface RecordFormat {
  /** Bytes needed at a record's start to learn its length (may change after the file header). */
  readonly headerLen: number;
  /** Total length of the record starting at buf[pos] (headerLen bytes available), or -1 after reporting a fatal problem. */
  recordLength(buf: Uint8Array, pos: number): number;
  /** Decode one whole record buf[pos, pos+len). */
  record(buf: Uint8Array, pos: number, len: number): void;
  /** End of input inside a record: what was being read, and whether losing it is fatal (no file header yet). */
  describePartial(buf: Uint8Array, have: number, need: number): { what: string; fatal: boolean; packetRecord: boolean };
}
