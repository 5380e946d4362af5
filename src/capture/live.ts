// Live capture through the project's own libpcap binding (native/src/hsi_pcap.c).
//
// The binding watches libpcap's selectable descriptor on the event loop and hands packets
// over in batches: one Buffer with the bytes back to back plus a Uint32Array of META_FIELDS
// words per packet. This module turns them into Packet objects (kernel timestamps,
// original lengths, 1-based frame numbers), counts packets cut by the snapshot length,
// keeps a periodic tick going on a quiet interface, and turns libpcap's failures into
// one-line messages that say what to do.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Packet } from './packet.js';
import { packetDeliveryAllowed } from './privileges.js';

// ---- the native module's shape -------------------------------------------------------------

export interface NativeCaptureOptions {
  iface: string;
  snaplen?: number;
  promisc?: boolean;
  immediate?: boolean;
  bufferSize?: number;
  filter?: string;
  nano?: boolean;
  direction?: 'in' | 'out' | 'inout';
}

export interface NativeStats {
  received: number;
  dropped: number;
  ifDropped: number;
  internalDropped: number;
  /** True once the handle is closed (the numbers are the last ones read). */
  final: boolean;
}

export interface NativeCapture {
  readonly iface: string;
  readonly filter: string;
  readonly linkType: number;
  readonly linkTypeName: string | null;
  readonly snaplen: number;
  readonly precision: 'nano' | 'micro';
  readonly warning: string | null;
  readonly direction: 'in' | 'out' | 'inout';
  /** True when the kernel itself drops the other direction (PACKET_IGNORE_OUTGOING). */
  readonly kernelDirection: boolean;
  readonly closed: boolean;
  start(onBatch: (data: Buffer, meta: Uint32Array, count: number) => void, onError?: (err: NativeError) => void): void;
  dispatch(): void;
  stop(): void;
  close(): void;
  stats(): NativeStats;
}

export interface NativeAddress {
  family: 'IPv4' | 'IPv6' | 'MAC';
  address: string;
  netmask: string | null;
  broadaddr: string | null;
  dstaddr: string | null;
}

export interface NativeDevice {
  name: string;
  description: string | null;
  addresses: NativeAddress[];
  loopback: boolean;
  up: boolean;
  running: boolean;
  wireless: boolean;
  connection: 'connected' | 'disconnected' | 'not-applicable' | 'unknown';
}

export interface NativeBinding {
  Capture: new (opts: NativeCaptureOptions) => NativeCapture;
  findAllDevs(): NativeDevice[];
  compileFilter(
    expr: string,
    linkType?: number,
    snaplen?: number,
    packets?: Uint8Array[],
  ): { ok: boolean; error: string | null; instructions: number; matches?: boolean[] };
  libVersion(): string;
  dropCapabilities(): { ok: boolean; error: string | null };
  readonly META_FIELDS: number;
  readonly BATCH_MAX_PACKETS: number;
  readonly BATCH_MAX_BYTES: number;
  readonly SNAPLEN_MAX: number;
}

export type NativeError = Error & { code?: string };

/** Word positions in the per-packet metadata (must match META_* in hsi_pcap.c). */
const META = { TS_SEC_LO: 0, TS_SEC_HI: 1, TS_NSEC: 2, CAPLEN: 3, ORIGLEN: 4, OFFSET: 5 } as const;
const META_FIELDS = 6;

// ---- loading the backend ---------------------------------------------------------------------

export const ADDON_RELATIVE_PATH = join('native', 'build', 'Release', 'hsi_pcap.node');

export type LiveBackend =
  | { available: true; binding: NativeBinding; path: string; version: string }
  | { available: false; reason: string; path: string };

const REBUILD_HINT =
  'install libpcap-dev (Debian/Ubuntu) or libpcap-devel (Fedora) and a C compiler, then run ' +
  '`npm rebuild handshake-inspector` (in a source checkout: `npm run install`)';

/** The package root: the nearest directory above this module holding native/binding.gyp. */
function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'native', 'binding.gyp'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

const backendCache = new Map<string, LiveBackend>();

/**
 * The libpcap binding, or why it is unavailable (what to install and rebuild).
 * `addonPath` overrides where the compiled addon is looked for.
 */
export function loadLiveBackend(addonPath?: string): LiveBackend {
  const root = packageRoot();
  const path = addonPath ?? (root ? join(root, ADDON_RELATIVE_PATH) : ADDON_RELATIVE_PATH);
  const cached = backendCache.get(path);
  if (cached) return cached;
  let result: LiveBackend;
  if (!existsSync(path)) {
    result = { available: false, path, reason: `live capture unavailable: the libpcap binding is not built (${path} is missing); ${REBUILD_HINT}` };
  } else {
    try {
      const binding = createRequire(import.meta.url)(path) as NativeBinding;
      if (binding.META_FIELDS !== META_FIELDS) throw new Error(`binding has ${binding.META_FIELDS} metadata words per packet, expected ${META_FIELDS}`);
      result = { available: true, binding, path, version: binding.libVersion() };
    } catch (e) {
      result = { available: false, path, reason: `live capture unavailable: the libpcap binding does not load (${(e as Error).message.split('\n')[0]}); ${REBUILD_HINT}` };
    }
  }
  backendCache.set(path, result);
  return result;
}

// ---- errors ----------------------------------------------------------------------------------

export type LiveErrorCode =
  | 'unavailable'
  | 'permission'
  | 'no-such-device'
  | 'iface-down'
  | 'bad-filter'
  | 'privileges'
  | 'closed'
  | 'read-failed'
  | 'failed';

export class LiveCaptureError extends Error {
  constructor(
    readonly code: LiveErrorCode,
    message: string,
    /** libpcap's own words, when there are any. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'LiveCaptureError';
  }
}

export const SETCAP_COMMAND = 'sudo setcap cap_net_raw,cap_net_admin+eip $(readlink -f $(which node))';

/** Turns the binding's error for an open() into the one line a user needs. */
export function describeOpenError(err: NativeError, iface: string, available: readonly string[]): LiveCaptureError {
  const detail = err.message;
  const names = available.length ? available.join(', ') : 'none found';
  switch (err.code) {
    case 'PERM_DENIED':
    case 'PROMISC_PERM_DENIED':
      return new LiveCaptureError(
        'permission',
        `cannot capture on ${iface}: permission denied. Run with sudo, or allow node to capture with ` +
          `\`${SETCAP_COMMAND}\` (trade-off: every script run by that node binary can then sniff traffic)`,
        detail,
      );
    case 'NO_SUCH_DEVICE':
      return new LiveCaptureError('no-such-device', `no interface named "${iface}"; available: ${names}`, detail);
    case 'IFACE_NOT_UP':
      return new LiveCaptureError(
        'iface-down',
        `interface ${iface} is down: bring it up (ip link set ${iface} up) or pick another; available: ${names}`,
        detail,
      );
    case 'BAD_FILTER':
    case 'SETFILTER_FAILED':
      return new LiveCaptureError('bad-filter', detail, detail);
    default:
      return new LiveCaptureError('failed', `cannot capture on ${iface}: ${detail}`, detail);
  }
}

// ---- the capture -------------------------------------------------------------------------------

export const DEFAULT_SNAPLEN = 262144;
export const DEFAULT_BUFFER_SIZE = 32 * 1024 * 1024;
export const DEFAULT_TICK_MS = 250;

export interface LiveOpenOptions {
  iface: string;
  snaplen?: number;
  promisc?: boolean;
  bufferSize?: number;
  /**
   * A BPF expression, or what to build it from (buildFilter); empty or absent: everything.
   * Built with its VLAN clause first; where the link layer has no VLAN tags (Linux cooked
   * headers of `-i any`, raw IP of tun and WireGuard devices) libpcap refuses that, and the
   * filter without it is used.
   */
  filter?: string | FilterSpec;
  immediate?: boolean;
  /**
   * Which packets: default 'in' on loopback devices (each packet passes there twice, out and
   * in; one copy is kept, and the kernel then queues and counts it once), 'inout' elsewhere.
   */
  direction?: 'in' | 'out' | 'inout';
  /** Timestamp precision to ask for (default 'nano'; falls back to 'micro' where unsupported). */
  precision?: 'nano' | 'micro';
  /** The backend to use (default: loadLiveBackend()). */
  backend?: LiveBackend;
}

export interface LiveStats {
  /**
   * Packets the kernel passed the filter and queued for the capture, including those it then
   * dropped (libpcap ps_recv on Linux). On loopback each packet once (see direction).
   */
  received: number;
  /** Packets the kernel dropped for lack of buffer space (ps_drop). */
  dropped: number;
  /** Packets the interface/driver dropped (ps_ifdrop). */
  ifDropped: number;
  /** Packets handed to the callback. */
  delivered: number;
  /** Delivered packets whose caplen < origLen (cut by the snapshot length). */
  snaplenCut: number;
  /** Packets the binding could not stage (out of memory); normally 0. */
  internalDropped: number;
}

export interface BatchInfo {
  /** Packets in the batch just delivered. */
  packets: number;
  /** Frame number of the last packet delivered. */
  lastFrame: number;
}

export interface LiveStartHooks {
  /** After each batch: the engine's place to run idle timeouts. */
  onBatchEnd?: (info: BatchInfo) => void;
  /** Every tickMs while no packet arrives: timeouts fire on a quiet interface too. */
  onTick?: () => void;
  tickMs?: number;
  /** A read failure (interface gone...). The capture is closed before this is called. */
  onError?: (err: LiveCaptureError) => void;
}

const openCaptures = new Set<LiveCapture>();
let exitHookInstalled = false;

function closeAllOnExit(): void {
  for (const c of openCaptures) c.stop({ drain: false });
}

export class LiveCapture {
  readonly iface: string;
  readonly filter: string;
  readonly linkType: number;
  readonly linkTypeName: string;
  readonly snaplen: number;
  /** Timestamp precision in use: 'nano' when the kernel gives nanoseconds, else 'micro'. */
  readonly precision: 'nano' | 'micro';
  /** libpcap's activation warning (e.g. promiscuous mode not supported), or null. */
  readonly warning: string | null;
  /** Direction captured ('in' on loopback by default) and whether the kernel enforces it. */
  readonly direction: 'in' | 'out' | 'inout';
  readonly kernelDirection: boolean;
  readonly libVersion: string;

  private readonly handle: NativeCapture;
  private frame = 0;
  private delivered = 0;
  private snaplenCut = 0;
  private started = false;
  private stopped = false;
  private tick: NodeJS.Timeout | null = null;
  private lastActivity = 0;
  private finalStats: LiveStats | null = null;

  private constructor(handle: NativeCapture, libVersion: string) {
    this.handle = handle;
    this.iface = handle.iface;
    this.filter = handle.filter;
    this.linkType = handle.linkType;
    this.linkTypeName = handle.linkTypeName ?? `LINKTYPE ${handle.linkType}`;
    this.snaplen = handle.snaplen;
    this.precision = handle.precision;
    this.warning = handle.warning;
    this.direction = handle.direction;
    this.kernelDirection = handle.kernelDirection;
    this.libVersion = libVersion;
  }

  /** Opens the interface; throws LiveCaptureError with a one-line, actionable message. */
  static open(opts: LiveOpenOptions): LiveCapture {
    const backend = opts.backend ?? loadLiveBackend();
    if (!backend.available) throw new LiveCaptureError('unavailable', backend.reason);
    const b = backend.binding;
    let devices: NativeDevice[] | null = null;
    const deviceList = (): NativeDevice[] => {
      try {
        devices ??= b.findAllDevs();
      } catch {
        devices = [];
      }
      return devices;
    };
    const direction = opts.direction ?? (deviceList().find((d) => d.name === opts.iface)?.loopback ? 'in' : 'inout');
    const spec = typeof opts.filter === 'object' ? opts.filter : null;
    const open = (filter: string): NativeCapture =>
      new b.Capture({
        iface: opts.iface,
        snaplen: opts.snaplen ?? DEFAULT_SNAPLEN,
        promisc: opts.promisc ?? true,
        bufferSize: opts.bufferSize ?? DEFAULT_BUFFER_SIZE,
        filter,
        immediate: opts.immediate ?? true,
        nano: opts.precision !== 'micro',
        direction,
      });
    let handle: NativeCapture;
    try {
      try {
        handle = open(spec ? buildFilter(spec) : (opts.filter as string | undefined) ?? '');
      } catch (e) {
        // no VLAN tags on this link layer: the filter without its VLAN clause
        if (!spec || spec.vlan === false || (e as NativeError).code !== 'BAD_FILTER') throw e;
        handle = open(buildFilter({ ...spec, vlan: false }));
      }
    } catch (e) {
      const err = e as NativeError;
      if (!err.code || err.code.startsWith('ERR_')) throw e; // a programming error, not the system's
      throw describeOpenError(err, opts.iface, deviceList().map((d) => d.name));
    }
    const cap = new LiveCapture(handle, backend.version);
    openCaptures.add(cap);
    if (!exitHookInstalled) {
      process.on('exit', closeAllOnExit);
      exitHookInstalled = true;
    }
    return cap;
  }

  /** True between start() and stop(). */
  get running(): boolean {
    return this.started && !this.stopped;
  }

  /**
   * Starts delivering packets. Refused while the process is root and has not dropped its
   * privileges (see privileges.ts).
   */
  start(onPacket: (p: Packet) => void, hooks: LiveStartHooks = {}): void {
    if (this.stopped) throw new LiveCaptureError('closed', `the capture on ${this.iface} is closed`);
    if (this.started) throw new LiveCaptureError('failed', `the capture on ${this.iface} is already started`);
    const gate = packetDeliveryAllowed();
    if (!gate.ok) throw new LiveCaptureError('privileges', gate.reason);

    const linkType = this.linkType;
    const onBatch = (data: Buffer, meta: Uint32Array, count: number): void => {
      this.lastActivity = Date.now();
      for (let i = 0; i < count && !this.stopped; i++) {
        const m = i * META_FIELDS;
        const caplen = meta[m + META.CAPLEN]!;
        const origLen = meta[m + META.ORIGLEN]!;
        const offset = meta[m + META.OFFSET]!;
        if (caplen < origLen) this.snaplenCut++;
        this.delivered++;
        onPacket({
          frame: ++this.frame,
          tsSec: meta[m + META.TS_SEC_HI]! * 2 ** 32 + meta[m + META.TS_SEC_LO]!,
          tsNsec: meta[m + META.TS_NSEC]!,
          caplen,
          origLen,
          linkType,
          interfaceId: 0,
          data: data.subarray(offset, offset + caplen),
        });
      }
      if (!this.stopped) hooks.onBatchEnd?.({ packets: count, lastFrame: this.frame });
    };
    const onError = (e: NativeError): void => {
      const err = new LiveCaptureError('read-failed', `capture on ${this.iface} stopped: ${e.message}`, e.message);
      this.stop({ drain: false });
      if (hooks.onError) hooks.onError(err);
      else throw err;
    };
    this.handle.start(onBatch, onError);
    this.started = true;
    this.lastActivity = Date.now();
    if (hooks.onTick) {
      const tickMs = hooks.tickMs ?? DEFAULT_TICK_MS;
      const onTick = hooks.onTick;
      this.tick = setInterval(() => {
        if (!this.stopped && Date.now() - this.lastActivity >= tickMs) onTick();
      }, tickMs);
      this.tick.unref();
    }
  }

  /** Counters now (after stop(): the final ones). */
  stats(): LiveStats {
    if (this.finalStats) return { ...this.finalStats };
    const s = this.handle.stats();
    return {
      received: s.received,
      dropped: s.dropped,
      ifDropped: s.ifDropped,
      delivered: this.delivered,
      snaplenCut: this.snaplenCut,
      internalDropped: s.internalDropped,
    };
  }

  /**
   * Stops and closes the capture; safe to call any number of times, also from inside the
   * packet callback. By default first delivers what the kernel already queued (not when
   * called from inside the callback). Returns the final statistics.
   */
  stop(opts: { drain?: boolean } = {}): LiveStats {
    if (this.stopped) return this.stats();
    if (this.started && (opts.drain ?? true)) {
      try {
        this.handle.dispatch();
      } catch (e) {
        if ((e as NativeError).code !== 'BUSY') throw e; // BUSY: called from inside the callback
      }
    }
    this.stopped = true;
    if (this.tick) clearInterval(this.tick);
    this.tick = null;
    this.handle.close();
    this.finalStats = this.stats();
    openCaptures.delete(this);
    return { ...this.finalStats };
  }
}

// ---- filters ---------------------------------------------------------------------------------

export interface FilterSpec {
  /** Server ports to watch, or 'any' for every TCP packet. */
  ports: readonly number[] | 'any';
  /** UDP ports to watch as well (QUIC); none: TCP only. */
  udpPorts?: readonly number[];
  /** An extra BPF expression ANDed on (e.g. "host 10.0.0.5"). */
  extra?: string;
  /** Also match the same traffic inside 802.1Q VLAN tags (default true). */
  vlan?: boolean;
}

/**
 * The BPF expression for the watched traffic: `tcp and (port 443 or port 22)`, with
 * `(...) or (udp and port 443)` for QUIC, `... and (EXTRA)`, wrapped as
 * `(X) or (vlan and (X))` to match VLAN-tagged frames too.
 */
export function buildFilter(spec: FilterSpec): string {
  let base = 'tcp';
  if (spec.ports !== 'any') {
    const ports = checkedPorts(spec.ports);
    if (ports.length === 0) throw new RangeError('buildFilter: no ports given (use "any" for every TCP packet)');
    base += ports.length > 1 ? ` and (${portClause(ports)})` : ` and ${portClause(ports)}`;
  }
  const udp = checkedPorts(spec.udpPorts ?? []);
  if (udp.length > 0) base = `(${base}) or (udp and ${udp.length > 1 ? `(${portClause(udp)})` : portClause(udp)})`;
  const extra = spec.extra?.trim();
  if (extra) {
    if (extra.includes('\0')) throw new RangeError('buildFilter: the extra expression contains a NUL character');
    base = udp.length > 0 ? `(${base}) and (${extra})` : `${base} and (${extra})`;
  }
  return spec.vlan === false ? base : `(${base}) or (vlan and (${base}))`;
}

function checkedPorts(list: readonly number[]): number[] {
  const ports = [...new Set(list)];
  for (const p of ports) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`buildFilter: invalid port ${String(p)}`);
  return ports;
}
const portClause = (ports: readonly number[]): string => ports.map((p) => `port ${p}`).join(' or ');

// ---- interfaces --------------------------------------------------------------------------------

export interface InterfaceAddress {
  family: 'IPv4' | 'IPv6' | 'MAC';
  address: string;
  netmask: string | null;
}

export interface InterfaceInfo {
  name: string;
  description: string | null;
  addresses: InterfaceAddress[];
  up: boolean;
  running: boolean;
  loopback: boolean;
  /** Where the facts came from: libpcap's device list, or the system when the binding is unavailable. */
  source: 'libpcap' | 'system';
}

/** Interfaces for `hsi interfaces`: libpcap's list (what can be opened), else the system's. */
export function listInterfaces(backend: LiveBackend = loadLiveBackend()): InterfaceInfo[] {
  if (backend.available) {
    return backend.binding.findAllDevs().map((d) => ({
      name: d.name,
      description: d.description,
      addresses: d.addresses.map((a) => ({ family: a.family, address: a.address, netmask: a.netmask })),
      up: d.up,
      running: d.running,
      loopback: d.loopback,
      source: 'libpcap' as const,
    }));
  }
  return systemInterfaces();
}

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_RUNNING = 0x40;

function systemInterfaces(): InterfaceInfo[] {
  const addrs = networkInterfaces();
  let names: string[];
  try {
    names = readdirSync('/sys/class/net').sort();
  } catch {
    names = Object.keys(addrs);
  }
  return names.map((name) => {
    let flags: number | null = null;
    try {
      flags = parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
    } catch {
      // not Linux: flags unknown
    }
    const list = addrs[name] ?? [];
    const seenMac = new Set<string>();
    const out: InterfaceAddress[] = [];
    for (const a of list) {
      if (a.mac && a.mac !== '00:00:00:00:00:00' && !seenMac.has(a.mac)) {
        seenMac.add(a.mac);
        out.push({ family: 'MAC', address: a.mac, netmask: null });
      }
      out.push({ family: a.family === 'IPv6' ? 'IPv6' : 'IPv4', address: a.address, netmask: a.netmask });
    }
    const internal = list.some((a) => a.internal);
    return {
      name,
      description: null,
      addresses: out,
      up: flags !== null ? (flags & IFF_UP) !== 0 : list.length > 0,
      running: flags !== null ? (flags & IFF_RUNNING) !== 0 : list.length > 0,
      loopback: flags !== null ? (flags & IFF_LOOPBACK) !== 0 : internal,
      source: 'system' as const,
    };
  });
}

// ---- default interface -------------------------------------------------------------------------

export interface DefaultInterface {
  name: string;
  /** How it was chosen, for the report ("the IPv4 default route"). */
  how: string;
}

const RTF_UP = 0x1;
const RTF_REJECT = 0x200;

/** The interface of the lowest-metric IPv4 default route in /proc/net/route text. */
export function parseDefaultRouteV4(text: string): string | null {
  let best: { iface: string; metric: number } | null = null;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, , flagsHex, , , metricStr, mask] = f as [string, string, string, string, string, string, string, string];
    const flags = parseInt(flagsHex, 16);
    if (dest !== '00000000' || mask !== '00000000' || !(flags & RTF_UP) || flags & RTF_REJECT) continue;
    const metric = Number(metricStr);
    if (!best || metric < best.metric) best = { iface, metric };
  }
  return best?.iface ?? null;
}

/** The interface of the lowest-metric IPv6 default route in /proc/net/ipv6_route text. */
export function parseDefaultRouteV6(text: string): string | null {
  let best: { iface: string; metric: number } | null = null;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest, plen, , , , metricHex, , , flagsHex, iface] = f as string[] as [
      string, string, string, string, string, string, string, string, string, string,
    ];
    const flags = parseInt(flagsHex, 16);
    if (!/^0{32}$/.test(dest) || plen !== '00' || iface === 'lo' || !(flags & RTF_UP) || flags & RTF_REJECT) continue;
    const metric = parseInt(metricHex, 16);
    if (!best || metric < best.metric) best = { iface, metric };
  }
  return best?.iface ?? null;
}

/** Pseudo-devices libpcap lists that are never "the" network interface. */
const PSEUDO_DEVICES = /^(any|nflog|nfqueue|dbus-.*|bluetooth.*|usbmon\d*)$/;

/**
 * The interface to capture on when none is given: the one of the default route (IPv4, then
 * IPv6), else the first interface that is up and not loopback. Null when there is none.
 */
export function defaultInterface(
  sources: { routeV4?: string; routeV6?: string; interfaces?: () => InterfaceInfo[] } = {},
): DefaultInterface | null {
  const v4 = parseDefaultRouteV4(sources.routeV4 ?? readOr('/proc/net/route'));
  if (v4) return { name: v4, how: 'the IPv4 default route (/proc/net/route)' };
  const v6 = parseDefaultRouteV6(sources.routeV6 ?? readOr('/proc/net/ipv6_route'));
  if (v6) return { name: v6, how: 'the IPv6 default route (/proc/net/ipv6_route)' };
  const list = (sources.interfaces ?? (() => listInterfaces()))().filter(
    (i) => i.up && !i.loopback && !PSEUDO_DEVICES.test(i.name),
  );
  // Prefer a running device with IPv4, then with a global IPv6 address, then any.
  const score = (i: InterfaceInfo): number =>
    !i.running ? 0
    : i.addresses.some((a) => a.family === 'IPv4') ? 3
    : i.addresses.some((a) => a.family === 'IPv6' && !/^fe[89ab]/i.test(a.address)) ? 2
    : 1;
  let pick: InterfaceInfo | undefined;
  for (const i of list) if (!pick || score(i) > score(pick)) pick = i;
  return pick ? { name: pick.name, how: 'the first interface that is up and not loopback (no default route)' } : null;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
