// Live-capture plumbing that needs no privileges: BPF filter building (checked with
// libpcap's own compiler and matcher on hand-built frames), default-route parsing, the
// privilege-drop target, error messages, backend loading, and the native build script.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import {
  SETCAP_COMMAND,
  buildFilter,
  defaultInterface,
  describeOpenError,
  loadLiveBackend,
  parseDefaultRouteV4,
  parseDefaultRouteV6,
  type FilterSpec,
  type InterfaceInfo,
} from '../src/capture/live.js';
import { effectiveCapabilities, packetDeliveryAllowed, parseAccounts, resolveDropTarget } from '../src/capture/privileges.js';
import { repoRoot } from './helpers/paths.js';

const backend = loadLiveBackend();

// ---- hand-built Ethernet frames -----------------------------------------------------------

interface FrameSpec {
  proto: 'tcp' | 'udp';
  sport: number;
  dport: number;
  src?: string;
  dst?: string;
  vlan?: number;
  ipv6?: boolean;
}

const be16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const ipv4 = (s: string): number[] => s.split('.').map(Number);

function frame(f: FrameSpec): Uint8Array {
  const l4 =
    f.proto === 'tcp'
      ? [...be16(f.sport), ...be16(f.dport), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]
      : [...be16(f.sport), ...be16(f.dport), ...be16(8), 0, 0];
  const protoNum = f.proto === 'tcp' ? 6 : 17;
  const l3 = f.ipv6
    ? [0x60, 0, 0, 0, ...be16(l4.length), protoNum, 64, ...new Array(15).fill(0), 1, ...new Array(15).fill(0), 1]
    : [0x45, 0, ...be16(20 + l4.length), 0, 0, 0x40, 0, 64, protoNum, 0, 0, ...ipv4(f.src ?? '10.0.0.1'), ...ipv4(f.dst ?? '10.0.0.2')];
  const tag = f.vlan !== undefined ? [0x81, 0x00, ...be16(f.vlan)] : [];
  const type = f.ipv6 ? [0x86, 0xdd] : [0x08, 0x00];
  return Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, ...tag, ...type, ...l3, ...l4]);
}

interface FilterCase {
  name: string;
  spec: FilterSpec;
  expr: string;
  /** Frames and whether the filter must accept them. */
  frames: [FrameSpec, boolean][];
}

const tcp443: FrameSpec = { proto: 'tcp', sport: 50000, dport: 443 };
const filterCases: FilterCase[] = [
  {
    name: 'two ports, VLAN-tagged traffic too',
    spec: { ports: [443, 22] },
    expr: '(tcp and (port 443 or port 22)) or (vlan and (tcp and (port 443 or port 22)))',
    frames: [
      [tcp443, true],
      [{ proto: 'tcp', sport: 22, dport: 40000 }, true],
      [{ proto: 'tcp', sport: 50000, dport: 80 }, false],
      [{ proto: 'udp', sport: 50000, dport: 443 }, false],
      [{ ...tcp443, vlan: 10 }, true],
      [{ proto: 'tcp', sport: 50000, dport: 80, vlan: 10 }, false],
      [{ ...tcp443, ipv6: true }, true],
      [{ ...tcp443, ipv6: true, vlan: 7 }, true],
    ],
  },
  {
    name: 'without the VLAN clause',
    spec: { ports: [443, 22], vlan: false },
    expr: 'tcp and (port 443 or port 22)',
    frames: [
      [tcp443, true],
      [{ ...tcp443, vlan: 10 }, false],
    ],
  },
  {
    name: 'one port, duplicates removed',
    spec: { ports: [443, 443], vlan: false },
    expr: 'tcp and port 443',
    frames: [
      [tcp443, true],
      [{ proto: 'tcp', sport: 50000, dport: 22 }, false],
    ],
  },
  {
    name: 'QUIC: UDP ports beside the TCP ones, the extra expression over both',
    spec: { ports: [443, 22], udpPorts: [443, 4433], extra: 'host 10.0.0.9', vlan: false },
    expr: '((tcp and (port 443 or port 22)) or (udp and (port 443 or port 4433))) and (host 10.0.0.9)',
    frames: [
      [{ ...tcp443, src: '10.0.0.9' }, true],
      [{ proto: 'udp', sport: 50000, dport: 443, src: '10.0.0.9' }, true],
      [{ proto: 'udp', sport: 4433, dport: 50000, dst: '10.0.0.9' }, true],
      [{ proto: 'udp', sport: 50000, dport: 22, src: '10.0.0.9' }, false],
      [{ proto: 'udp', sport: 50000, dport: 443, src: '10.0.0.1' }, false],
    ],
  },
  {
    name: 'QUIC: one UDP port, VLAN-tagged too',
    spec: { ports: [22], udpPorts: [443] },
    expr: '((tcp and port 22) or (udp and port 443)) or (vlan and ((tcp and port 22) or (udp and port 443)))',
    frames: [
      [{ proto: 'udp', sport: 50000, dport: 443 }, true],
      [{ proto: 'udp', sport: 50000, dport: 443, vlan: 4 }, true],
      [{ proto: 'tcp', sport: 50000, dport: 443 }, false],
    ],
  },
  {
    name: 'any port',
    spec: { ports: 'any' },
    expr: '(tcp) or (vlan and (tcp))',
    frames: [
      [{ proto: 'tcp', sport: 1, dport: 2 }, true],
      [{ proto: 'tcp', sport: 1, dport: 2, vlan: 5 }, true],
      [{ proto: 'udp', sport: 1, dport: 2 }, false],
    ],
  },
  {
    name: 'extra expression ANDed on',
    spec: { ports: [443], extra: '  host 10.0.0.9 ' },
    expr: '(tcp and port 443 and (host 10.0.0.9)) or (vlan and (tcp and port 443 and (host 10.0.0.9)))',
    frames: [
      [{ ...tcp443, src: '10.0.0.9' }, true],
      [{ ...tcp443, src: '10.0.0.1' }, false],
      [{ ...tcp443, dst: '10.0.0.9', vlan: 3 }, true],
    ],
  },
  {
    name: 'extra with its own "or" stays grouped',
    spec: { ports: [22], extra: 'host 10.0.0.9 or host 10.0.0.8', vlan: false },
    expr: 'tcp and port 22 and (host 10.0.0.9 or host 10.0.0.8)',
    frames: [
      [{ proto: 'tcp', sport: 5, dport: 22, src: '10.0.0.8' }, true],
      [{ proto: 'tcp', sport: 5, dport: 80, src: '10.0.0.8' }, false],
    ],
  },
];

for (const c of filterCases) {
  test(`buildFilter: ${c.name}`, (t) => {
    const expr = buildFilter(c.spec);
    assert.equal(expr, c.expr);
    if (!backend.available) {
      t.skip(`filter semantics not checked: ${backend.reason}`);
      return;
    }
    const frames = c.frames.map(([f]) => frame(f));
    const r = backend.binding.compileFilter(expr, 1, 262144, frames);
    assert.equal(r.error, null);
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.matches,
      c.frames.map(([, want]) => want),
      `matches for ${JSON.stringify(c.frames.map(([f]) => f))}`,
    );
  });
}

test('buildFilter rejects bad ports and NUL characters', () => {
  const bad: FilterSpec[] = [
    { ports: [] },
    { ports: [0] },
    { ports: [65536] },
    { ports: [443.5] },
    { ports: [Number.NaN] },
    { ports: [-22] },
    { ports: [443], extra: 'host\0x' },
  ];
  for (const spec of bad) assert.throws(() => buildFilter(spec), RangeError, JSON.stringify(spec));
});

test('compileFilter reports a syntax error instead of throwing', (t) => {
  if (!backend.available) {
    t.skip(backend.reason);
    return;
  }
  const r = backend.binding.compileFilter('tcp and porrt 443');
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /syntax error/);
  assert.throws(() => backend.binding.compileFilter('tcp', 1, 100, [new Uint16Array(3) as unknown as Uint8Array]), /not a Uint8Array/);
});

// ---- default interface ---------------------------------------------------------------------

// Captured from a network namespace with a veth pair and a default route (Linux 6.x).
const ROUTE_V4_VETH = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
v0\t00000000\t0200090A\t0003\t0\t0\t0\t00000000\t0\t0\t0
v0\t0000090A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
`;
const ROUTE_V4_TWO_DEFAULTS = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
`;
const ROUTE_V4_NO_DEFAULT = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
`;
const ROUTE_V4_DOWN_DEFAULT = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth1\t00000000\t0100000A\t0002\t0\t0\t0\t00000000\t0\t0\t0
`;
// Only the loopback "unreachable" default (flags 0x00200200: RTF_REJECT) and link-local routes.
const ROUTE_V6_LO_ONLY = `fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001       v0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
`;
const ROUTE_V6_DEFAULT = `${ROUTE_V6_LO_ONLY}00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00450003     eth2
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000002 00000200 00000001 00000000 00450003     eth3
`;

test('parseDefaultRouteV4 / V6', () => {
  const cases: [string, (s: string) => string | null, string, string | null][] = [
    ['veth default', parseDefaultRouteV4, ROUTE_V4_VETH, 'v0'],
    ['lowest metric wins', parseDefaultRouteV4, ROUTE_V4_TWO_DEFAULTS, 'eth0'],
    ['no default route', parseDefaultRouteV4, ROUTE_V4_NO_DEFAULT, null],
    ['default route not up', parseDefaultRouteV4, ROUTE_V4_DOWN_DEFAULT, null],
    ['empty file', parseDefaultRouteV4, '', null],
    ['garbage', parseDefaultRouteV4, 'x\ny z\n\u0000\n', null],
    ['v6: loopback reject route ignored', parseDefaultRouteV6, ROUTE_V6_LO_ONLY, null],
    ['v6: lowest metric default', parseDefaultRouteV6, ROUTE_V6_DEFAULT, 'eth3'],
    ['v6: empty', parseDefaultRouteV6, '', null],
  ];
  for (const [name, fn, text, want] of cases) assert.equal(fn(text), want, name);
});

const iface = (name: string, over: Partial<InterfaceInfo> = {}): InterfaceInfo => ({
  name,
  description: null,
  addresses: [{ family: 'IPv4', address: '10.1.1.1', netmask: '255.255.255.0' }],
  up: true,
  running: true,
  loopback: false,
  source: 'libpcap',
  ...over,
});

test('defaultInterface: route first, then the first up non-loopback device', () => {
  const none = () => [] as InterfaceInfo[];
  assert.deepEqual(defaultInterface({ routeV4: ROUTE_V4_TWO_DEFAULTS, routeV6: '', interfaces: none }), {
    name: 'eth0',
    how: 'the IPv4 default route (/proc/net/route)',
  });
  assert.deepEqual(defaultInterface({ routeV4: ROUTE_V4_NO_DEFAULT, routeV6: ROUTE_V6_DEFAULT, interfaces: none }), {
    name: 'eth3',
    how: 'the IPv6 default route (/proc/net/ipv6_route)',
  });
  const devices = () => [
    iface('any', { addresses: [] }),
    iface('lo', { loopback: true }),
    iface('eth9', { up: false }),
    iface('veth1', { addresses: [{ family: 'MAC', address: '02:00:00:00:00:01', netmask: null }] }),
    iface('eth1'),
  ];
  assert.deepEqual(defaultInterface({ routeV4: '', routeV6: ROUTE_V6_LO_ONLY, interfaces: devices }), {
    name: 'eth1',
    how: 'the first interface that is up and not loopback (no default route)',
  });
  assert.equal(defaultInterface({ routeV4: '', routeV6: '', interfaces: () => [iface('lo', { loopback: true })] }), null);
});

// ---- privilege target ----------------------------------------------------------------------

const PASSWD = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
bob:x:1001:100::/home/bob:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`;
const GROUP_DEBIAN = `root:x:0:
users:x:100:
alice:x:1000:
nogroup:x:65534:
`;
const GROUP_FEDORA = `root:x:0:
nobody:x:65534:
`;

test('resolveDropTarget: the sudo invoker, else nobody/nogroup, never 0', () => {
  const cases: [string, NodeJS.ProcessEnv, string, string, { uid: number; gid: number; name: string; source: string }][] = [
    ['sudo with uid, gid and user', { SUDO_UID: '1000', SUDO_GID: '1000', SUDO_USER: 'alice' }, PASSWD, GROUP_DEBIAN, { uid: 1000, gid: 1000, name: 'uid 1000 (alice)', source: 'sudo' }],
    ['sudo without SUDO_GID: primary group from passwd', { SUDO_UID: '1001' }, PASSWD, GROUP_DEBIAN, { uid: 1001, gid: 100, name: 'uid 1001 (bob)', source: 'sudo' }],
    ['sudo uid unknown to passwd', { SUDO_UID: '4242', SUDO_GID: '4343' }, PASSWD, GROUP_DEBIAN, { uid: 4242, gid: 4343, name: 'uid 4242', source: 'sudo' }],
    ['sudo uid unknown, no gid: nogroup', { SUDO_UID: '4242' }, PASSWD, GROUP_DEBIAN, { uid: 4242, gid: 65534, name: 'uid 4242', source: 'sudo' }],
    ['SUDO_USER that does not match the uid is not trusted', { SUDO_UID: '1000', SUDO_GID: '1000', SUDO_USER: 'bob' }, PASSWD, GROUP_DEBIAN, { uid: 1000, gid: 1000, name: 'uid 1000 (alice)', source: 'sudo' }],
    ['sudo from root (SUDO_UID=0): nobody', { SUDO_UID: '0', SUDO_GID: '0' }, PASSWD, GROUP_DEBIAN, { uid: 65534, gid: 65534, name: 'uid 65534 (nobody)', source: 'fallback' }],
    ['SUDO_GID=0 is not used', { SUDO_UID: '1000', SUDO_GID: '0' }, PASSWD, GROUP_DEBIAN, { uid: 1000, gid: 1000, name: 'uid 1000 (alice)', source: 'sudo' }],
    ['not a number', { SUDO_UID: '1000x' }, PASSWD, GROUP_DEBIAN, { uid: 65534, gid: 65534, name: 'uid 65534 (nobody)', source: 'fallback' }],
    ['no sudo, Fedora groups', {}, PASSWD, GROUP_FEDORA, { uid: 65534, gid: 65534, name: 'uid 65534 (nobody)', source: 'fallback' }],
    ['no account files at all', {}, '', '', { uid: 65534, gid: 65534, name: 'uid 65534 (nobody)', source: 'fallback' }],
  ];
  for (const [name, env, passwd, group, want] of cases) assert.deepEqual(resolveDropTarget(env, passwd, group), want, name);
});

test('parseAccounts and effectiveCapabilities read the system formats', () => {
  const users = parseAccounts(PASSWD + 'broken line\n#comment:x:5:5\n');
  assert.deepEqual(users.get('bob'), { id: 1001, gid: 100 });
  assert.equal(users.has('broken line'), false);
  assert.equal(users.has('#comment'), false);
  assert.equal(effectiveCapabilities('Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t0000000000003000\n'), 0x3000n);
  assert.equal(effectiveCapabilities('CapEff:\t0000000000000000\n'), 0n);
  assert.equal(effectiveCapabilities('no such line'), null);
});

test('packets are refused to a root process that has not dropped privileges', () => {
  const gate = packetDeliveryAllowed();
  if (process.getuid?.() === 0) {
    assert.equal(gate.ok, false);
    assert.match(gate.ok ? '' : gate.reason, /refusing to decode packets as root/);
  } else {
    assert.deepEqual(gate, { ok: true });
  }
});

// ---- messages ------------------------------------------------------------------------------

test('describeOpenError: one actionable line per failure', () => {
  const err = (code: string, message: string) => Object.assign(new Error(message), { code });
  const perm = describeOpenError(err('PERM_DENIED', 'eth0: You don\'t have permission (socket: Operation not permitted)'), 'eth0', ['eth0', 'lo']);
  assert.equal(perm.code, 'permission');
  assert.match(perm.message, /Run with sudo/);
  assert.ok(perm.message.includes(SETCAP_COMMAND));
  assert.equal(SETCAP_COMMAND, 'sudo setcap cap_net_raw,cap_net_admin+eip $(readlink -f $(which node))');
  assert.match(perm.message, /trade-off: every script run by that node binary can then sniff/);
  const nodev = describeOpenError(err('NO_SUCH_DEVICE', 'x'), 'eht0', ['eth0', 'any', 'lo']);
  assert.equal(nodev.code, 'no-such-device');
  assert.equal(nodev.message, 'no interface named "eht0"; available: eth0, any, lo');
  const down = describeOpenError(err('IFACE_NOT_UP', 'x'), 'eth1', ['eth1']);
  assert.equal(down.code, 'iface-down');
  assert.match(down.message, /ip link set eth1 up/);
  const filter = describeOpenError(err('BAD_FILTER', 'invalid capture filter "x y": syntax error'), 'eth0', []);
  assert.equal(filter.code, 'bad-filter');
  assert.equal(filter.message, 'invalid capture filter "x y": syntax error');
  const other = describeOpenError(err('ACTIVATE_FAILED', 'eth0: boom'), 'eth0', []);
  assert.equal(other.code, 'failed');
  for (const e of [perm, nodev, down, filter, other]) assert.equal(e.message.includes('\n'), false, e.message);
});

test('loadLiveBackend explains a missing or broken binding', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hsi-live-load-'));
  try {
    const missing = loadLiveBackend(join(dir, 'hsi_pcap.node'));
    assert.equal(missing.available, false);
    assert.match(missing.available ? '' : missing.reason, /not built .*libpcap-dev \(Debian\/Ubuntu\).*npm rebuild/);
    const broken = join(dir, 'broken.node');
    writeFileSync(broken, 'not an ELF file');
    const bad = loadLiveBackend(broken);
    assert.equal(bad.available, false);
    assert.match(bad.available ? '' : bad.reason, /does not load .*npm rebuild/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- scripts/build-native.mjs ----------------------------------------------------------------

const buildScript = join(repoRoot, 'scripts', 'build-native.mjs');

function runBuild(nativeDir: string, env: Record<string, string>): { status: number | null; lines: string[]; stderr: string } {
  const r = spawnSync(process.execPath, [buildScript], {
    encoding: 'utf8',
    env: { ...process.env, HSI_SKIP_NATIVE: '', ...env, HSI_NATIVE_DIR: nativeDir },
    timeout: 60_000,
  });
  return { status: r.status, lines: r.stdout.split('\n').filter(Boolean), stderr: r.stderr };
}

function copyNative(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hsi-live-build-'));
  cpSync(join(repoRoot, 'native', 'binding.gyp'), join(dir, 'binding.gyp'));
  cpSync(join(repoRoot, 'native', 'src'), join(dir, 'src'), { recursive: true });
  return dir;
}

const hasCompiler = spawnSync('/bin/sh', ['-c', 'command -v cc'], { encoding: 'utf8' }).status === 0;

test('build-native: builds and loads the binding', { timeout: 60_000 }, (t) => {
  if (!hasCompiler) {
    t.skip('no C compiler (cc) on this machine');
    return;
  }
  const dir = copyNative();
  try {
    const r = runBuild(dir, {});
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.lines.length, 1, r.lines.join('\n'));
    const addon = join(dir, 'build', 'Release', 'hsi_pcap.node');
    if (r.lines[0]!.startsWith('live capture disabled:')) {
      t.skip(`cannot build here: ${r.lines[0]}`);
      return;
    }
    assert.match(r.lines[0]!, /^live capture: built .*hsi_pcap\.node against libpcap version /);
    const loaded = loadLiveBackend(addon);
    assert.equal(loaded.available, true);
    assert.ok(existsSync(join(dir, 'build', 'build.log')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('build-native: missing libpcap headers → one line, exit 0', { timeout: 30_000 }, (t) => {
  if (!hasCompiler) {
    t.skip('no C compiler (cc) on this machine');
    return;
  }
  const dir = copyNative();
  const empty = join(dir, 'empty-include');
  mkdirSync(empty);
  try {
    // -nostdinc with an empty include path: the compiler sees no pcap.h, as without libpcap-dev.
    const r = runBuild(dir, { CC: `cc -nostdinc -I${empty}` });
    assert.equal(r.status, 0);
    assert.deepEqual(r.lines, ['live capture disabled: install libpcap-dev (Debian/Ubuntu) / libpcap-devel (Fedora), then npm rebuild']);
    assert.equal(existsSync(join(dir, 'build', 'Release', 'hsi_pcap.node')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('build-native: a failing node-gyp or no compiler → one line, exit 0', { timeout: 30_000 }, (t) => {
  if (!hasCompiler) {
    t.skip('no C compiler (cc) on this machine');
    return;
  }
  const dir = copyNative();
  const fakeGyp = join(dir, 'fake-node-gyp.js');
  writeFileSync(fakeGyp, 'console.error("gyp ERR! configure error: simulated"); process.exit(1);\n');
  try {
    const failed = runBuild(dir, { npm_config_node_gyp: fakeGyp });
    assert.equal(failed.status, 0);
    assert.equal(failed.lines.length, 1);
    assert.match(failed.lines[0]!, /^live capture disabled: building the libpcap binding failed \(gyp ERR! configure error: simulated\); full log in .*build\.log$/);
    const noCc = runBuild(dir, { CC: join(dir, 'no-such-compiler') });
    assert.equal(noCc.status, 0);
    assert.equal(noCc.lines.length, 1);
    assert.match(noCc.lines[0]!, /^live capture disabled: no working C compiler .*build-essential/);
    const skipped = runBuild(dir, { HSI_SKIP_NATIVE: '1' });
    assert.equal(skipped.status, 0);
    assert.deepEqual(skipped.lines, ['live capture disabled: HSI_SKIP_NATIVE is set (unset it, then npm rebuild)']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
