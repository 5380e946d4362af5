// Command-line parsing. Options are declared once, as data: the parser and the help
// text both come from the table.

export class UsageError extends Error {
  override name = 'UsageError';
}

type Kind = 'flag' | 'string' | 'number' | 'optional-number' | 'list';

interface OptionSpec {
  name: string;
  short?: string;
  kind: Kind;
  arg?: string;
  help: string;
  commands: readonly string[];
  default?: unknown;
}

const READ = ['read', 'tui', 'live'] as const;

export const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', kind: 'flag', help: 'NDJSON connection records on stdout instead of the human report', commands: ['read', 'live'] },
  { name: 'port', kind: 'list', arg: 'LIST', help: 'server ports to watch, comma-separated, repeatable: N or tcp/N for TCP, udp/N for QUIC (default 443,22 and udp/443, and the usual proxy, STARTTLS and database ports when their connections carry TLS or a preamble); TLS, SSH, a proxy request or a QUIC Initial on other ports is recognised by its bytes', commands: READ },
  { name: 'jobs', kind: 'number', arg: 'N', help: 'decoding threads for a capture file (default: the number of cores, for files of 64 MiB and more on 4 cores or more; else 1); the output is the same whatever N', commands: READ },
  { name: 'groups', kind: 'flag', help: 'with --json: end with one {"type":"group"} line per failure group (the human report always ends with the groups)', commands: ['read', 'live'] },
  { name: 'any-port', kind: 'flag', help: 'report every TCP connection, whatever its port or content', commands: READ },
  { name: 'known-hosts', kind: 'string', arg: 'FILE', help: 'OpenSSH known_hosts file to check SSH host keys against (plain or hashed)', commands: READ },
  { name: 'ca-file', kind: 'string', arg: 'FILE', help: 'PEM trust anchors for judging certificate chains (default: the system store)', commands: READ },
  { name: 'keylog', kind: 'string', arg: 'FILE', help: 'NSS key log (SSLKEYLOGFILE format) to decrypt TLS and QUIC handshakes with; $SSLKEYLOGFILE and pcapng decryption secrets blocks are read too', commands: READ },
  { name: 'only-failed', kind: 'flag', help: 'leave out connections whose handshake completed', commands: READ },
  { name: 'replay', kind: 'optional-number', arg: 'SPEED', help: "feed the file's packets at their recorded pace (x SPEED, default 1), as a live capture would", commands: ['read', 'tui'] },
  { name: 'idle-timeout', kind: 'number', arg: 'SECONDS', help: 'end a connection in its handshake after this much silence (default 120)', commands: READ },
  { name: 'max-flows', kind: 'number', arg: 'N', help: 'connections tracked at once; the longest idle are evicted beyond it (default 200000)', commands: READ },
  { name: 'color', kind: 'string', arg: 'WHEN', help: 'auto (default: on a terminal, unless NO_COLOR), always, never', commands: ['read', 'live'] },
  { name: 'no-color', kind: 'flag', help: 'same as --color never', commands: ['read', 'live'] },
  { name: 'interface', short: 'i', kind: 'string', arg: 'IFACE', help: 'interface to capture on (default: the one of the default route)', commands: ['live'] },
  { name: 'metrics', kind: 'string', arg: 'HOST:PORT', help: 'serve Prometheus metrics at http://HOST:PORT/metrics (":9464" for every address)', commands: ['live'] },
  { name: 'filter', kind: 'string', arg: 'BPF', help: 'extra BPF filter, ANDed with the port filter', commands: ['live'] },
  { name: 'duration', kind: 'number', arg: 'SECONDS', help: 'stop after this many seconds', commands: ['live'] },
  { name: 'count', kind: 'number', arg: 'N', help: 'stop after N connections have been reported', commands: ['live'] },
  { name: 'save-failures', kind: 'string', arg: 'FILE|DIR', help: 'write the packets of failed connections to a pcapng file, with the verdict as a packet comment; a directory (existing, or ending in /) gets a ring of files (--ring-size, --ring-files)', commands: ['live', 'read'] },
  { name: 'ring-size', kind: 'string', arg: 'SIZE', help: 'with --save-failures DIR: bytes per pcapng file before the next (default 100M; k, M, G suffixes)', commands: ['live', 'read'] },
  { name: 'ring-files', kind: 'number', arg: 'N', help: 'with --save-failures DIR: files kept, the oldest deleted (default 10)', commands: ['live', 'read'] },
  { name: 'output', kind: 'string', arg: 'FILE', help: 'append the records (NDJSON or the report) to FILE instead of stdout; SIGHUP reopens it (logrotate)', commands: ['live', 'read'] },
  { name: 'rotate', kind: 'string', arg: 'SIZE', help: 'with --output: rotate FILE to FILE.1 (… FILE.5) when it reaches SIZE (k, M, G suffixes)', commands: ['live', 'read'] },
  { name: 'summary-every', kind: 'string', arg: 'DURATION', help: 'a one-line summary on stderr every DURATION (30s, 5m, 1h): for the journal', commands: ['live'] },
  { name: 'snaplen', kind: 'number', arg: 'BYTES', help: 'bytes captured per packet (default 262144)', commands: ['live'] },
  { name: 'tui', kind: 'flag', help: 'open the terminal UI over the live records', commands: ['live'] },
  { name: 'no-drop-privileges', kind: 'flag', help: 'keep root after opening the capture (debugging only: wire bytes are then parsed as root)', commands: ['live'] },
  { name: 'help', short: 'h', kind: 'flag', help: 'show this help', commands: ['read', 'live', 'tui', 'interfaces', ''] },
  { name: 'version', short: 'V', kind: 'flag', help: 'print the version', commands: [''] },
];

export interface Args {
  command: string;
  positionals: string[];
  json: boolean;
  groups: boolean;
  jobs: number | null;
  ports: number[];
  /** UDP ports given as udp/N (QUIC); empty: the default, 443. */
  udpPorts: number[];
  anyPort: boolean;
  knownHosts: string | null;
  caFile: string | null;
  keylog: string | null;
  onlyFailed: boolean;
  replay: number | null;
  idleTimeout: number | null;
  maxFlows: number | null;
  color: 'auto' | 'always' | 'never';
  iface: string | null;
  filter: string | null;
  metrics: string | null;
  duration: number | null;
  count: number | null;
  saveFailures: string | null;
  ringBytes: number | null;
  ringFiles: number | null;
  output: string | null;
  rotateBytes: number | null;
  summaryEvery: number | null;
  snaplen: number | null;
  tui: boolean;
  dropPrivileges: boolean;
  help: boolean;
  version: boolean;
}

export const COMMANDS: Record<string, string> = {
  read: 'analyse a capture file (pcap, pcapng, gzip-compressed; - for stdin)',
  live: 'capture on an interface (root or CAP_NET_RAW) and report connections as they end',
  tui: 'the terminal UI over a capture file',
  interfaces: 'list the interfaces that can be captured on',
};

/** A --port list: N or tcp/N (TCP), udp/N (QUIC over UDP). */
function parsePorts(v: string): { tcp: number[]; udp: number[] } {
  const out = { tcp: [] as number[], udp: [] as number[] };
  for (const raw of v.split(',')) {
    const x = raw.trim();
    if (x === '') continue;
    const m = /^(tcp|udp)\/(.*)$/i.exec(x);
    const n = Number(m ? m[2] : x);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--port: "${x}" is not a port number (1-65535), tcp/N or udp/N`);
    (m && m[1]!.toLowerCase() === 'udp' ? out.udp : out.tcp).push(n);
  }
  return out;
}

/** "100M", "512k", "2G", "4096" → bytes. */
export function parseSize(opt: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)i?[bB]?$/.exec(v.trim());
  if (!m) throw new UsageError(`${opt}: "${v}" is not a size (like 100M, 512k, 1G)`);
  const n = Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2]!.toLowerCase()]!;
  if (!(n >= 1)) throw new UsageError(`${opt}: "${v}" is too small`);
  return Math.floor(n);
}

/** "30s", "5m", "1h", "90" (seconds) → seconds. */
export function parseDuration(opt: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smh]?)$/.exec(v.trim());
  if (!m) throw new UsageError(`${opt}: "${v}" is not a duration (like 30s, 5m, 1h)`);
  const n = Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as Record<string, number>)[m[2]!]!;
  if (!(n > 0)) throw new UsageError(`${opt}: "${v}" must be more than 0`);
  return n;
}

export function parseArgs(argv: readonly string[]): Args {
  const out: Args = {
    command: '',
    positionals: [],
    json: false,
    groups: false,
    jobs: null,
    ports: [],
    udpPorts: [],
    anyPort: false,
    knownHosts: null,
    caFile: null,
    keylog: null,
    onlyFailed: false,
    replay: null,
    idleTimeout: null,
    metrics: null,
    maxFlows: null,
    color: 'auto',
    iface: null,
    filter: null,
    duration: null,
    count: null,
    saveFailures: null,
    ringBytes: null,
    ringFiles: null,
    output: null,
    rotateBytes: null,
    summaryEvery: null,
    snaplen: null,
    tui: false,
    dropPrivileges: true,
    help: false,
    version: false,
  };
  let i = 0;
  if (argv.length > 0 && !argv[0]!.startsWith('-')) {
    out.command = argv[0]!;
    i = 1;
    if (!(out.command in COMMANDS)) throw new UsageError(`unknown command "${out.command}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
  }
  const byName = new Map(OPTIONS.map((o) => [o.name, o]));
  const byShort = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short!, o]));
  let onlyPositional = false;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (onlyPositional || a === '-' || !a.startsWith('-')) {
      out.positionals.push(a);
      continue;
    }
    if (a === '--') {
      onlyPositional = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    let spec: OptionSpec | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
      spec = byName.get(name);
    } else {
      name = a.slice(1, 2);
      spec = byShort.get(name);
      if (a.length > 2) inline = a.slice(2);
    }
    if (!spec) throw new UsageError(`unknown option ${a}${out.command ? ` for "${out.command}"` : ''} (see hsi ${out.command || ''} --help)`);
    if (!spec.commands.includes(out.command) && !(spec.name === 'help')) {
      throw new UsageError(`option --${spec.name} does not apply to ${out.command ? `"${out.command}"` : 'this command'}`);
    }
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined) throw new UsageError(`option --${spec!.name} needs a value (${spec!.arg})`);
      i++;
      return v;
    };
    const num = (v: string): number => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`option --${spec!.name}: "${v}" is not a positive number`);
      return n;
    };
    switch (spec.name) {
      case 'json': out.json = true; break;
      case 'port': {
        const p = parsePorts(takeValue());
        out.ports.push(...p.tcp);
        out.udpPorts.push(...p.udp);
        break;
      }
      case 'any-port': out.anyPort = true; break;
      case 'groups': out.groups = true; break;
      case 'jobs': {
        const n = num(takeValue());
        if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--jobs: "${n}" is not a number of threads (1-256)`);
        out.jobs = n;
        break;
      }
      case 'known-hosts': out.knownHosts = takeValue(); break;
      case 'ca-file': out.caFile = takeValue(); break;
      case 'keylog': out.keylog = takeValue(); break;
      case 'only-failed': out.onlyFailed = true; break;
      case 'replay': {
        const next = inline ?? argv[i + 1];
        if (next !== undefined && /^\d+(\.\d+)?$/.test(next)) {
          out.replay = num(next);
          if (inline === undefined) i++;
        } else out.replay = 1;
        break;
      }
      case 'idle-timeout': out.idleTimeout = num(takeValue()); break;
      case 'max-flows': out.maxFlows = Math.floor(num(takeValue())); break;
      case 'color': {
        const v = takeValue();
        if (v !== 'auto' && v !== 'always' && v !== 'never') throw new UsageError(`--color: expected auto, always or never, not "${v}"`);
        out.color = v;
        break;
      }
      case 'no-color': out.color = 'never'; break;
      case 'interface': out.iface = takeValue(); break;
      case 'filter': out.filter = takeValue(); break;
      case 'metrics': out.metrics = takeValue(); break;
      case 'duration': out.duration = num(takeValue()); break;
      case 'count': out.count = Math.floor(num(takeValue())); break;
      case 'save-failures': out.saveFailures = takeValue(); break;
      case 'ring-size': out.ringBytes = parseSize('--ring-size', takeValue()); break;
      case 'ring-files': out.ringFiles = Math.floor(num(takeValue())); break;
      case 'output': out.output = takeValue(); break;
      case 'rotate': out.rotateBytes = parseSize('--rotate', takeValue()); break;
      case 'summary-every': out.summaryEvery = parseDuration('--summary-every', takeValue()); break;
      case 'snaplen': out.snaplen = Math.floor(num(takeValue())); break;
      case 'tui': out.tui = true; break;
      case 'no-drop-privileges': out.dropPrivileges = false; break;
      case 'help': out.help = true; break;
      case 'version': out.version = true; break;
    }
  }
  return out;
}

export function usage(command = ''): string {
  const lines: string[] = [];
  if (!command) {
    lines.push('hsi (handshake-inspector): where and why TLS and SSH handshakes were cut off, read from packets', '');
    lines.push('usage: hsi <command> [options]', '', 'commands:');
    for (const [c, h] of Object.entries(COMMANDS)) lines.push(`  ${c.padEnd(12)} ${h}`);
    lines.push('', 'examples:', '  hsi read capture.pcapng', '  tcpdump -i eth0 -U -w - port 443 | hsi read -', '  sudo hsi live -i eth0 --port 443,8443', '  hsi tui capture.pcap', '', 'hsi <command> --help shows the options of a command.');
    lines.push('', 'exit status: 0 every reported handshake completed; 1 at least one failed; 2 the input could not be read or the command line was wrong');
    return lines.join('\n');
  }
  const synopsis: Record<string, string> = {
    read: 'hsi read FILE|- [options]',
    live: 'hsi live [-i IFACE] [options]',
    tui: 'hsi tui FILE [options]',
    interfaces: 'hsi interfaces',
  };
  lines.push(`usage: ${synopsis[command] ?? `hsi ${command}`}`, '', COMMANDS[command] ?? '', '');
  const opts = OPTIONS.filter((o) => o.commands.includes(command));
  if (opts.length > 0) lines.push('options:');
  for (const o of opts) {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.arg ? (o.kind === 'optional-number' ? ` [${o.arg}]` : ` ${o.arg}`) : ''}`;
    lines.push(`  ${flag.padEnd(28)} ${o.help}`);
  }
  return lines.join('\n');
}
