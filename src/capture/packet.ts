// What every packet source (pcap, pcapng, live libpcap, replay) hands to the engine.

export interface Packet {
  /** 1-based frame number across the whole input, as Wireshark counts. */
  frame: number;
  /** Timestamp: whole seconds since the epoch and the nanoseconds within that second. */
  tsSec: number;
  tsNsec: number;
  /** Bytes captured (data.length) and the packet's length on the wire. */
  caplen: number;
  origLen: number;
  /** LINKTYPE_* value (https://www.tcpdump.org/linktypes.html). */
  linkType: number;
  /** Interface index (pcapng IDB index; 0 for classic pcap and live). */
  interfaceId: number;
  /**
   * The captured bytes. Only valid during the callback that received the packet: the
   * buffer is reused for the next read. Copy what must outlive the call.
   */
  data: Uint8Array;
  /** pcapng opt_comment of the packet block, when the file has one. */
  comment?: string;
  /** pcapng epb_flags direction: 1 inbound, 2 outbound (as net/decode.ts Direction), when the file says. */
  direction?: number;
}

/** Timestamp as float seconds since the epoch (exact to the microsecond for our era). */
export const packetTime = (p: Packet): number => p.tsSec + p.tsNsec / 1e9;

/** ISO-8601 with the precision the source had (9 digits when nanoseconds are non-zero below µs). */
let lastSec = NaN;
let lastBase = '';
export function isoTime(tsSec: number, tsNsec: number): string {
  // records come in bursts within the same second: the date part is made once per second
  if (tsSec !== lastSec) {
    lastSec = tsSec;
    lastBase = new Date(tsSec * 1000).toISOString().slice(0, 19);
  }
  const base = lastBase;
  const frac = tsNsec % 1000 === 0 ? String(tsNsec / 1000).padStart(6, '0') : String(tsNsec).padStart(9, '0');
  return `${base}.${frac}Z`;
}

/** Float seconds → ISO-8601 with microseconds. */
export function isoFromSeconds(t: number): string {
  const sec = Math.floor(t);
  const usec = Math.round((t - sec) * 1e6);
  return usec >= 1e6 ? isoTime(sec + 1, 0) : isoTime(sec, usec * 1000);
}

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Names for the report when a link type is not decoded (kept as data; unknown → number). */
export const LINKTYPE_NAMES: Record<number, string> = {
  0: 'NULL (BSD loopback)',
  1: 'ETHERNET',
  6: 'IEEE802_5',
  9: 'PPP',
  10: 'FDDI',
  12: 'RAW (OpenBSD)',
  14: 'RAW (BSD/OS)',
  50: 'PPP_HDLC',
  51: 'PPP_ETHER',
  101: 'RAW',
  104: 'C_HDLC',
  105: 'IEEE802_11',
  108: 'LOOP (OpenBSD loopback)',
  113: 'LINUX_SLL',
  119: 'IEEE802_11_PRISM',
  127: 'IEEE802_11_RADIOTAP',
  143: 'DOCSIS',
  147: 'USER0',
  187: 'BLUETOOTH_HCI_H4',
  192: 'PPI',
  195: 'IEEE802_15_4',
  201: 'BLUETOOTH_HCI_H4_WITH_PHDR',
  220: 'USB_LINUX_MMAPPED',
  228: 'IPV4',
  229: 'IPV6',
  249: 'NETLINK',
  252: 'WIRESHARK_UPPER_PDU',
  263: 'DBUS',
  274: 'NFLOG',
  276: 'LINUX_SLL2',
};

export const linkTypeName = (lt: number): string => LINKTYPE_NAMES[lt] ?? `LINKTYPE ${lt}`;
