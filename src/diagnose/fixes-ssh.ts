// Fix texts for SSH verdicts: the sshd_config / ssh_config lines and commands a sysadmin
// runs, worded from the facts of the connection (addresses, the software each side
// announced, the algorithms each side offered). Which algorithm to enable where comes from
// the registry: ratings, weakness notes, and the OpenSSH versions that added or removed a
// name. Pure functions of their arguments.

import type { NegotiatedField } from '../ssh/negotiate.js';
import { knownHostsName } from '../ssh/known-hosts.js';
import { type SshAlgorithmInfo, type SshAlgorithmKind, type SshRating, sshAlgorithm } from '../registry/ssh-algorithms.js';
import { fixTcpWrappers } from './fixes.js';

// --- the software a side announced -------------------------------------------------------

export interface SshSoftware {
  /** The software version field of the identification ("OpenSSH_9.2p1"), or null. */
  raw: string | null;
  product: 'OpenSSH' | 'dropbear' | 'AsyncSSH' | 'paramiko' | 'other';
  /** major.minor when the product is recognised, else null. */
  version: [number, number] | null;
}

const PRODUCTS: readonly { re: RegExp; product: SshSoftware['product'] }[] = [
  { re: /^OpenSSH_(\d+)\.(\d+)/, product: 'OpenSSH' },
  { re: /^dropbear_(\d+)\.(\d+)/i, product: 'dropbear' },
  { re: /^AsyncSSH_(\d+)\.(\d+)/, product: 'AsyncSSH' },
  { re: /^paramiko_(\d+)\.(\d+)/i, product: 'paramiko' },
];

export function sshSoftware(softwareVersion: string | null | undefined): SshSoftware {
  const raw = softwareVersion ?? null;
  for (const p of PRODUCTS) {
    const m = raw?.match(p.re);
    if (m) return { raw, product: p.product, version: [Number(m[1]), Number(m[2])] };
  }
  return { raw, product: 'other', version: null };
}

const older = (a: [number, number], b: [number, number]): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

// --- the algorithm lists ----------------------------------------------------------------------

/** The five lists of a KEXINIT as a sysadmin names them (one setting covers both directions). */
export type ListKind = 'kex' | 'hostKey' | 'cipher' | 'mac' | 'compression';

interface ListInfo {
  /** sshd_config / ssh_config keyword. */
  keyword: string;
  registry: SshAlgorithmKind;
  /** Plural and singular nouns for text ("key exchange methods"). */
  noun: string;
  one: string;
  /** OpenSSH's words in "no matching ... found" (ssherr.c). */
  opensshError: string;
}

export const LISTS: Readonly<Record<ListKind, ListInfo>> = {
  kex: { keyword: 'KexAlgorithms', registry: 'kex', noun: 'key exchange methods', one: 'key exchange method', opensshError: 'no matching key exchange method found' },
  hostKey: { keyword: 'HostKeyAlgorithms', registry: 'hostkey', noun: 'host key algorithms', one: 'host key algorithm', opensshError: 'no matching host key type found' },
  cipher: { keyword: 'Ciphers', registry: 'cipher', noun: 'ciphers', one: 'cipher', opensshError: 'no matching cipher found' },
  mac: { keyword: 'MACs', registry: 'mac', noun: 'MACs', one: 'MAC', opensshError: 'no matching MAC found' },
  compression: { keyword: 'Compression', registry: 'compression', noun: 'compression methods', one: 'compression method', opensshError: 'no matching compression method found' },
};

export function listKind(f: NegotiatedField): ListKind {
  if (f === 'kex' || f === 'hostKey') return f;
  if (f.startsWith('cipher')) return 'cipher';
  if (f.startsWith('mac')) return 'mac';
  return 'compression';
}

/** "client→server" / "server→client" for the per-direction lists, '' otherwise. */
export function direction(f: NegotiatedField): string {
  if (f.endsWith('C2S')) return 'client→server';
  if (f.endsWith('S2C')) return 'server→client';
  return '';
}

/** Per-product names of the settings, for software that is not configured like OpenSSH. */
const PRODUCT_SETTING: Partial<Record<SshSoftware['product'], (l: ListKind) => string>> = {
  AsyncSSH: (l) => `the ${({ kex: 'kex_algs', hostKey: 'server_host_key_algs', cipher: 'encryption_algs', mac: 'mac_algs', compression: 'compression_algs' } as const)[l]} argument of asyncssh.connect() / create_server()`,
  paramiko: () => 'the disabled_algorithms argument of paramiko.Transport / SSHClient.connect()',
  dropbear: () => 'dropbear chooses its algorithms when it is built (localoptions.h): upgrade or rebuild it',
};

const RANK: Readonly<Record<SshRating, number>> = { recommended: 0, acceptable: 1, weak: 2, insecure: 3, unknown: 4 };
export const isWeak = (i: SshAlgorithmInfo): boolean => i.rating === 'weak' || i.rating === 'insecure';

/** An OpenSSH version in a registry note: "added in OpenSSH 6.5", "removed in 7.6". */
function noteVersion(note: string | undefined, verb: 'added' | 'removed'): [number, number] | null {
  const m = note?.match(new RegExp(`${verb} in (?:OpenSSH )?(\\d+)\\.(\\d+)`));
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** Names sshd stopped accepting at a version although the client still can (not in the notes' wording). */
const SERVER_REMOVED: readonly { registry: SshAlgorithmKind; name: string; since: [number, number] }[] = [
  { registry: 'compression', name: 'zlib', since: [7, 4] },
];

/** Can this side's software be configured to use the algorithm? Unknown software: if the registry knows the name. */
export function canEnable(info: SshAlgorithmInfo, sw: SshSoftware, side: 'client' | 'server'): boolean {
  if (info.rating === 'unknown') return false;
  if (sw.product !== 'OpenSSH' || !sw.version) return true;
  const added = noteVersion(info.openssh, 'added');
  const removed = noteVersion(info.openssh, 'removed');
  if (added && older(sw.version, added)) return false;
  if (removed && !older(sw.version, removed)) return false;
  const gone = side === 'server' && SERVER_REMOVED.find((r) => r.registry === info.kind && r.name === info.name);
  return !(gone && !older(sw.version, gone.since));
}

/**
 * The algorithm one side should enable to meet the other: from the other side's offer,
 * the best-rated one its software supports (ties: the other side's preference order). For
 * host keys on the server, algorithms that work with a key type the server already has
 * come first (no new key needed).
 */
export function bestToEnable(kind: ListKind, otherOffer: readonly string[], sw: SshSoftware, side: 'client' | 'server', existingKeyTypes: readonly string[] = []): SshAlgorithmInfo | null {
  const cands = otherOffer.map((n) => sshAlgorithm(LISTS[kind].registry, n)).filter((i) => canEnable(i, sw, side));
  const hasKey = (i: SshAlgorithmInfo): number => (kind === 'hostKey' && side === 'server' && !existingKeyTypes.includes(i.keyType ?? i.name) ? 1 : 0);
  cands.sort((a, b) => hasKey(a) - hasKey(b) || RANK[a.rating] - RANK[b.rating]);
  return cands[0] ?? null;
}

/** " (security cost: ... )" when the algorithm is weak, else ''. */
export function securityCost(i: SshAlgorithmInfo): string {
  if (!isWeak(i)) return '';
  const why = [...i.notes, ...(i.openssh ? [i.openssh] : [])].join('; ');
  return ` — security cost: ${i.name} is ${i.rating}${why ? ` (${why})` : ''}`;
}

/** The value of the setting that enables `name`: "+name", or yes/no for Compression. */
function settingValue(kind: ListKind, name: string): string {
  if (kind === 'compression') return name === 'none' ? 'no' : 'yes';
  return `+${name}`;
}

/** How to reach the server on the command line: "10.0.0.2" or "-p 2222 10.0.0.2". */
export function sshTarget(ip: string, port: number): string {
  return port === 22 ? ip : `-p ${port} ${ip}`;
}

export interface Endpoints {
  serverIp: string;
  serverPort: number;
}

/** The line to change on the server so that it accepts `pick` from the client's list. */
export function serverEnableFix(kind: ListKind, pick: SshAlgorithmInfo, sw: SshSoftware, existingKeyTypes: readonly string[]): string {
  const kw = LISTS[kind].keyword;
  const alt = PRODUCT_SETTING[sw.product];
  let how: string;
  if (sw.product === 'OpenSSH' || !alt) {
    const extra = kind === 'compression' && pick.name !== 'none' ? ' (sshd then also offers zlib@openssh.com, used after authentication)' : '';
    how = `in /etc/ssh/sshd_config set \`${kw} ${settingValue(kind, pick.name)}\`${extra} (replace any ${kw} line already there: sshd keeps the first value it reads), check with \`sshd -t\` and reload: \`systemctl reload ssh\``;
  } else how = `${alt(kind)}: add ${pick.name}`;
  const keyNote =
    kind === 'hostKey' ? (existingKeyTypes.includes(pick.keyType ?? pick.name) ? ` (works with the server's existing ${pick.keyType} key)` : ` (the server needs a ${pick.keyType} host key for it)`) : '';
  return `On the server${sw.raw ? ` (${sw.raw})` : ''}, accept ${pick.name} from the client's list${keyNote}: ${how}${securityCost(pick)}`;
}

/** The client option (command line and ~/.ssh/config) that makes it accept `pick` from the server's list. */
export function clientEnableFix(kind: ListKind, pick: SshAlgorithmInfo, sw: SshSoftware, e: Endpoints): string {
  const kw = LISTS[kind].keyword;
  const v = settingValue(kind, pick.name);
  const alt = PRODUCT_SETTING[sw.product];
  let how: string;
  if (sw.product === 'OpenSSH' || !alt) {
    const rsaUserKeys = kind === 'hostKey' && pick.name === 'ssh-rsa' ? ' (with an RSA user key against the same old server, add -o PubkeyAcceptedAlgorithms=+ssh-rsa too)' : '';
    how = `\`ssh -o ${kw}=${v} ${sshTarget(e.serverIp, e.serverPort)}\`, or for this server only in ~/.ssh/config: \`Host ${e.serverIp}\` + \`    ${kw} ${v}\`${rsaUserKeys}`;
  } else how = `${alt(kind)}: add ${pick.name}`;
  return `On the client${sw.raw ? ` (${sw.raw})` : ''}, accept ${pick.name} from the server's list: ${how}${securityCost(pick)}`;
}

/** Generate and configure an ed25519 host key on an OpenSSH server. */
export const fixEd25519HostKey =
  "Better: give the server a modern host key: `ssh-keygen -t ed25519 -f /etc/ssh/ssh_host_ed25519_key -N ''`, add `HostKey /etc/ssh/ssh_host_ed25519_key` to /etc/ssh/sshd_config, `sshd -t`, `systemctl reload ssh` (clients see a new key type: they ask once, or learn it with UpdateHostKeys)";

/** When a side offers nothing but weak algorithms in a list: fix that side rather than weaken the other. */
export function fixUpgradeWeakSide(kind: ListKind, side: 'client' | 'server', sw: SshSoftware, offer: readonly string[]): string {
  const kw = LISTS[kind].keyword;
  const cfg = side === 'server' ? '/etc/ssh/sshd_config' : '~/.ssh/config, /etc/ssh/ssh_config or an -o option';
  return `Better: the ${side}${sw.raw ? ` (${sw.raw})` : ''} offers only weak ${LISTS[kind].noun} (${offer.join(', ')}): remove the ${kw} setting that restricts it (${cfg}) or upgrade its SSH software, rather than weakening the other side`;
}

/** For a MAC mismatch: an AEAD cipher makes the MAC lists irrelevant. */
export const fixAeadInsteadOfMac =
  'Or agree on an AEAD cipher, which carries its own integrity tag so the MAC lists are not used: e.g. `Ciphers +chacha20-poly1305@openssh.com,aes256-gcm@openssh.com` on the server and `-o Ciphers=+aes256-gcm@openssh.com` on the client';

// --- host keys ------------------------------------------------------------------------------

/** The public half of the server's host key file for a key type (OpenSSH's default names). */
export function hostKeyFile(type: string): string {
  const t = type.replace(/-cert-v01@openssh\.com$/, '');
  if (t.includes('ed25519')) return '/etc/ssh/ssh_host_ed25519_key.pub';
  if (t.includes('ecdsa')) return '/etc/ssh/ssh_host_ecdsa_key.pub';
  if (t.includes('dss')) return '/etc/ssh/ssh_host_dsa_key.pub';
  return '/etc/ssh/ssh_host_rsa_key.pub';
}

/** Verify a changed host key out of band, then replace the stored one; rule out a man in the middle. */
export function fixHostKeyChanged(e: Endpoints, key: { type: string; fingerprint: string }, knownHostsPath: string | null): string[] {
  const name = knownHostsName(e.serverIp, e.serverPort);
  const file = knownHostsPath ? ` -f ${knownHostsPath}` : '';
  const quoted = name.startsWith('[') ? `'${name}'` : name;
  return [
    `Verify the new key out of band before trusting it: on the server's console run \`ssh-keygen -lf ${hostKeyFile(key.type)}\` and compare with ${key.fingerprint} (the key the server presented)`,
    `If it matches (the server was reinstalled, or its keys regenerated), drop the old entry and reconnect: \`ssh-keygen -R ${quoted}${file}\` (and \`ssh-keygen -R NAME\` for the host name you connect by${e.serverPort === 22 ? "; entries for a server on another port are written '[host]:port'" : ''})`,
    `If it does not match, do not log in: rule out a man-in-the-middle (ARP or DNS spoofing, an intercepting proxy, a different machine answering on ${e.serverIp}) before anything else`,
    'With several servers behind one address (a load balancer, a failover pair), give them the same host keys or use host certificates (@cert-authority in known_hosts) so the key stays the same',
  ];
}

// --- closes before the banner -----------------------------------------------------------------

/** What a pre-banner line says about the refusal, and the fix that goes first. */
const PRE_BANNER_CAUSES: readonly { re: RegExp; cause: string; fix: string }[] = [
  {
    re: /MaxStartups/i,
    cause: 'sshd is at its MaxStartups limit of unauthenticated connections and drops new ones',
    fix: "sshd drops new connections while MaxStartups (default 10:30:100) unauthenticated ones are pending; the journal says 'drop connection #N ... past MaxStartups'. Count them on the server (`ss -tn state established '( sport = :22 )'`, `ss -tn state syn-recv '( sport = :22 )'` for a SYN flood, `ps ax | grep 'sshd.*\\[net\\]'`), raise MaxStartups (e.g. `MaxStartups 30:30:100`) or lower LoginGraceTime, and block the scanners that hold the slots (fail2ban)",
  },
];

export function preBannerCause(lines: readonly string[]): { cause: string; fix: string } | null {
  for (const l of lines) for (const c of PRE_BANNER_CAUSES) if (c.re.test(l)) return { cause: c.cause, fix: c.fix };
  return null;
}

/** What to check when a server accepts TCP and closes before its banner. */
export function fixClosedBeforeBanner(port: number, preBanner: readonly string[]): string[] {
  const known = preBannerCause(preBanner);
  const generic = [
    fixTcpWrappers + ' (a refusal there closes the connection before the banner)',
    `Check that sshd is healthy: \`journalctl -u ssh\` (or /var/log/auth.log) at the time of the connection, \`sshd -t\` for a configuration error, and core dumps / OOM kills for a crashing sshd`,
    'fail2ban or DenyHosts may have banned the client address: `fail2ban-client status sshd`, /etc/hosts.deny',
    "MaxStartups: too many unauthenticated connections make sshd drop new ones (the journal says 'past MaxStartups'); `ss -tn state established '( sport = :22 )'` counts them",
    `If a port forwarder, load balancer or container mapping (docker-proxy, kubectl port-forward, HAProxy) accepts port ${port} for sshd, it may have no working backend: check that sshd runs and listens where it points (ListenAddress / Port in sshd_config, \`ss -tlnp 'sport = :22'\` on the backend)`,
  ];
  return known ? [known.fix, ...generic.filter((g) => !g.startsWith('MaxStartups'))] : generic;
}

// --- authentication ---------------------------------------------------------------------------

/** What to check when authentication is refused. */
export function fixAuthFailed(e: Endpoints, client: SshSoftware, server: SshSoftware, when: string): string[] {
  const out: string[] = [];
  // OpenSSH 8.8 refuses ssh-rsa (SHA-1) user-key signatures; clients before OpenSSH 7.2 can make no other.
  if (server.product === 'OpenSSH' && server.version && !older(server.version, [8, 8]) && client.product === 'OpenSSH' && client.version && older(client.version, [7, 2])) {
    out.push(
      `The client (${client.raw}) predates RSA/SHA-2 signatures and the server (${server.raw}) refuses ssh-rsa (SHA-1) user-key signatures since OpenSSH 8.8: use an ed25519 key, upgrade the client, or (weakening the server) \`PubkeyAcceptedAlgorithms +ssh-rsa\` in sshd_config`,
    );
  }
  out.push(
    `Run \`ssh -vvv ${sshTarget(e.serverIp, e.serverPort)}\`: it shows which keys are offered ("Offering public key") and which methods the server accepts ("Authentications that can continue: publickey,password")`,
    `Read the server's log for that moment (${when}): \`journalctl -u ssh\` or /var/log/auth.log (/var/log/secure) says why ("Failed publickey", "Authentication refused: bad ownership or modes", "not listed in AllowUsers", "ROOT LOGIN REFUSED")`,
    'On the server, check PasswordAuthentication, PubkeyAuthentication, AuthenticationMethods, AllowUsers / AllowGroups / DenyUsers and PermitRootLogin in sshd_config and its Match blocks; `sshd -T | grep -Ei "^(passwordauthentication|pubkeyauthentication|authenticationmethods|allowusers|allowgroups|denyusers|permitrootlogin) "` prints the effective values',
    "Check that the client's public key is in the user's ~/.ssh/authorized_keys on the server and that the permissions pass StrictModes: `chmod 700 ~/.ssh; chmod 600 ~/.ssh/authorized_keys`, home directory not group/world-writable, all owned by the user",
    'Compare the key: `ssh-keygen -y -f ~/.ssh/id_ed25519` prints the public key of the private key the client uses; it must be the line in authorized_keys',
    'Many keys in an agent can hit MaxAuthTries ("Too many authentication failures"): choose one with `ssh -o IdentitiesOnly=yes -i KEY`',
  );
  return out;
}

// --- DISCONNECT -------------------------------------------------------------------------------

/** What to check for each RFC 4253 §11.1 reason code (the text of the message adds the detail). */
export function fixDisconnect(reason: number, e: Endpoints, sentBy: 'client' | 'server', hostKey: { type: string; fingerprint: string } | null, knownHostsPath: string | null, client: SshSoftware, server: SshSoftware, when: string): string[] {
  const peerLog = sentBy === 'server' ? 'the server log (`journalctl -u ssh`, /var/log/auth.log)' : `the client's output (\`ssh -vvv ${sshTarget(e.serverIp, e.serverPort)}\`)`;
  switch (reason) {
    case 1:
      return [
        'The server refuses connections from this client address: check AllowUsers/DenyUsers (user@host patterns) and Match Address blocks in sshd_config',
        fixTcpWrappers,
        'fail2ban or DenyHosts may have banned the address: `fail2ban-client status sshd`',
      ];
    case 2:
      return [`A protocol error: the two implementations disagree; ${peerLog} names the message it did not accept`, 'Upgrade the older side; try `ssh -vvv` to see the last message before the error'];
    case 3:
      return [
        `The key exchange failed although the algorithm lists match: ${peerLog} gives the reason (e.g. a Diffie-Hellman group size outside the accepted range, a bad signature)`,
        'Try another key exchange method on the client: `ssh -o KexAlgorithms=curve25519-sha256 ...`',
      ];
    case 5:
      return ['A MAC error: packets were corrupted on the way (a faulty NIC offload, middlebox or memory) or the implementations disagree on the MAC', 'Try another cipher/MAC (`ssh -c aes128-ctr -m hmac-sha2-256 ...`) and check the path for corruption'];
    case 7:
      return [`The requested service is not available on the server: ${peerLog}`, 'Check the Subsystem lines (sftp) and any ForceCommand / Match blocks in sshd_config'];
    case 8:
      return ['The protocol version is not supported: upgrade the older side (SSH protocol 1 is gone from OpenSSH since 7.6)'];
    case 9:
      return hostKey
        ? [`The client could not verify the server's host key (${hostKey.type} ${hostKey.fingerprint}): it is not in the client's known hosts, or another key is stored there for ${e.serverIp}`, ...fixHostKeyChanged(e, hostKey, knownHostsPath).slice(0, 3)]
        : ["The client could not verify the server's host key: check the client's known_hosts for the server"];
    case 12:
      return [
        'The server has too many connections: check sshd MaxStartups and MaxSessions, and per-user limits (pam_limits maxlogins)',
        "`ss -tn state established '( sport = :22 )' | wc -l` on the server counts the connections",
      ];
    case 13:
      return ['The user cancelled the authentication (closed the prompt, pressed Ctrl-C): nothing to fix on the server'];
    case 14:
      return fixAuthFailed(e, client, server, when);
    case 15:
      return ['The user name is not accepted: check that the user exists on the server (`id USER`) and AllowUsers/DenyUsers in sshd_config'];
    default:
      return [`${peerLog} gives the reason for the disconnect`];
  }
}

/** What to check when a side closes during the key exchange without a word. */
export function fixClosedDuringKex(closer: 'client' | 'server', hostKeyRejected: boolean, e: Endpoints, when: string): string[] {
  if (hostKeyRejected) {
    return [
      'The OpenSSH client closes this way when it rejects the host key ("Host key verification failed.", "REMOTE HOST IDENTIFICATION HAS CHANGED!"), or when the user answers no to "Are you sure you want to continue connecting": run `ssh -vvv` to see which',
      'Give hsi the client\'s known_hosts (`--known-hosts ~/.ssh/known_hosts`) to check the presented key against it',
    ];
  }
  if (closer === 'server') {
    return [
      `Read the server's log for that moment (${when}): \`journalctl -u ssh\` or /var/log/auth.log; sshd logs why it dropped the key exchange (a fatal error, a crash, "fatal: ... [preauth]")`,
      'Check sshd: `sshd -t`, the permissions of /etc/ssh/ssh_host_*_key (0600, owned by root), core dumps / OOM kills, and for diffie-hellman-group-exchange a readable /etc/ssh/moduli',
    ];
  }
  return [
    `Run the client with \`ssh -vvv ${sshTarget(e.serverIp, e.serverPort)}\` to see why it stopped`,
    'A port scanner, banner grabber or health check (nmap, nc -z, a load-balancer probe) also opens and closes like this: if so nothing is wrong',
  ];
}

// --- protocol --------------------------------------------------------------------------------

export function fixNotSsh(side: 'client' | 'server', kind: string, e: Endpoints): string[] {
  if (side === 'server') {
    const what = kind.startsWith('http') || kind === 'html' ? 'a web server' : kind === 'tls' ? 'a TLS service' : 'another service';
    return [
      `${what[0]!.toUpperCase()}${what.slice(1)} answers on ${e.serverIp} port ${e.serverPort}, not sshd: on the server, \`ss -tlnp 'sport = :${e.serverPort}'\` shows which program listens; move it or sshd (Port in sshd_config)`,
      `If the port is forwarded (NAT, load balancer, container mapping), check where port ${e.serverPort} goes; or connect to the port sshd really uses: \`ssh -p PORT ${e.serverIp}\``,
    ];
  }
  return [
    `The client is not an SSH client: something (a browser, curl, a TLS client, a health check) connects to the SSH port ${e.serverPort}; point it at the right port, or make the health check a plain TCP check`,
  ];
}

export function fixProtocolVersion(side: 'client' | 'server', version: string): string[] {
  if (version.startsWith('1.')) {
    return [
      `The ${side} speaks only SSH protocol 1 (${version}), which is insecure (no real integrity protection, CRC-32 compensation attack) and was removed from OpenSSH in 7.6: upgrade or replace the ${side === 'server' ? 'server (device firmware)' : 'client'}`,
      "If nothing else is possible, only an isolated network and an old client built with protocol 1 (OpenSSH ≤ 7.5, 'ssh -1') can still talk to it",
    ];
  }
  return [`The ${side} announces SSH protocol version "${version}", which the other side does not speak: upgrade or reconfigure it to SSH-2.0`];
}
