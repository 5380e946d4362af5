// Fix texts for TLS and certificate verdicts, written for the software people run: nginx,
// Apache httpd, HAProxy, Tomcat, Java clients and servers, OpenSSL and curl, proxies and load
// balancers in between. Functions of the connection's own values (address, port, SNI, the
// versions, suites and groups seen), so the commands can be pasted as they are. Where one
// side is outdated, the texts say to upgrade it first and only then, as a stopgap, to relax
// the modern side; they never suggest going below TLS 1.2 or re-enabling broken suites
// without saying so.

import { cipherSuiteInfo, cipherSuiteName, isSignalSuite, suiteWeaknesses } from '../registry/tls-ciphers.js';
import { groupName } from '../registry/tls-groups.js';
import { isGrease } from '../registry/tls-names.js';
import { TLS12, TLS13, versionName, versionRank } from '../registry/tls-versions.js';
import { fixMtu } from './fixes.js';

/** The server a fix is about, as the client reached it. */
export interface FixTarget {
  ip: string;
  port: number;
  /** The SNI the client sent, or null. */
  sni: string | null;
  /** Reached through an HTTP CONNECT proxy ("host:port"): commands go through it too. */
  proxy?: string;
  /** Reached through a SOCKS proxy ("host:port"). */
  socks?: string;
  /** TLS started by an upgrade: openssl s_client's -starttls protocol name (smtp, imap, pop3, ftp, ldap, postgres, mysql). */
  starttls?: string;
  /** Over QUIC (UDP): TLS 1.3 only, and openssl s_client tests the TCP side of the same server. */
  quic?: boolean;
}

const bracket = (ip: string): string => (ip.includes(':') ? `[${ip}]` : ip);
/** "host:port" for openssl -connect. */
export const connectAddr = (t: FixTarget): string => `${bracket(t.ip)}:${t.port}`;
/** The name to use in URLs and commands: the SNI, else the address. */
export const hostOf = (t: FixTarget): string => t.sni ?? t.ip;

/** `openssl s_client` against this server with its SNI and extra flags. */
export function sClient(t: FixTarget, flags = ''): string {
  const sni = t.sni ? ` -servername ${t.sni}` : '';
  const via = t.proxy ? ` -proxy ${t.proxy}` : t.starttls ? ` -starttls ${t.starttls}` : '';
  const cmd = `openssl s_client -connect ${connectAddr(t)}${sni}${via}${flags ? ' ' + flags : ''} </dev/null`;
  if (t.quic) return `${cmd} (its TLS settings over TCP; QUIC itself: curl --http3-only -v https://${t.sni ?? bracket(t.ip)}${t.port === 443 ? '' : `:${t.port}`}/)`;
  return t.socks ? `${cmd} (through the SOCKS proxy ${t.socks}: run it from a host that reaches ${connectAddr(t)} directly, or with proxychains)` : cmd;
}

/** `curl -v` against this server, by name (with --resolve) when there was an SNI. */
export function curlCmd(t: FixTarget, flags = ''): string {
  const f = (flags ? ` ${flags}` : '') + (t.proxy ? ` -x http://${t.proxy}` : t.socks ? ` -x socks5h://${t.socks}` : '');
  if (t.starttls) return sClient(t);
  const port = t.port === 443 ? '' : `:${t.port}`;
  // through a proxy the proxy resolves the name: no --resolve
  if (t.proxy || t.socks) return `curl -v${f} https://${t.sni ?? bracket(t.ip)}${port}/`;
  return t.sni
    ? `curl -v${f} --resolve ${t.sni}:${t.port}:${bracket(t.ip)} https://${t.sni}${port}/`
    : `curl -v${f} https://${bracket(t.ip)}${port}/`;
}

// ---- names in the dialects of the software ------------------------------------------------

/**
 * OpenSSL's names for TLS ≤ 1.2 cipher suites (nginx ssl_ciphers, Apache SSLCipherSuite,
 * HAProxy ciphers, curl --ciphers, openssl -cipher take only these; Java and Tomcat also take
 * the IANA names). From `openssl ciphers -V 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'` (OpenSSL 3.0),
 * plus the 3DES and RC4 suites of OpenSSL 1.x builds.
 */
export const OPENSSL_SUITE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x0001: 'NULL-MD5', 0x0002: 'NULL-SHA', 0x002c: 'PSK-NULL-SHA', 0x002d: 'DHE-PSK-NULL-SHA',
  0x002e: 'RSA-PSK-NULL-SHA', 0x002f: 'AES128-SHA', 0x0032: 'DHE-DSS-AES128-SHA',
  0x0033: 'DHE-RSA-AES128-SHA', 0x0034: 'ADH-AES128-SHA', 0x0035: 'AES256-SHA', 0x0038: 'DHE-DSS-AES256-SHA',
  0x0039: 'DHE-RSA-AES256-SHA', 0x003a: 'ADH-AES256-SHA', 0x003b: 'NULL-SHA256', 0x003c: 'AES128-SHA256',
  0x003d: 'AES256-SHA256', 0x0040: 'DHE-DSS-AES128-SHA256', 0x0041: 'CAMELLIA128-SHA',
  0x0044: 'DHE-DSS-CAMELLIA128-SHA', 0x0045: 'DHE-RSA-CAMELLIA128-SHA', 0x0046: 'ADH-CAMELLIA128-SHA',
  0x0067: 'DHE-RSA-AES128-SHA256', 0x006a: 'DHE-DSS-AES256-SHA256', 0x006b: 'DHE-RSA-AES256-SHA256',
  0x006c: 'ADH-AES128-SHA256', 0x006d: 'ADH-AES256-SHA256', 0x0084: 'CAMELLIA256-SHA',
  0x0087: 'DHE-DSS-CAMELLIA256-SHA', 0x0088: 'DHE-RSA-CAMELLIA256-SHA', 0x0089: 'ADH-CAMELLIA256-SHA',
  0x008c: 'PSK-AES128-CBC-SHA', 0x008d: 'PSK-AES256-CBC-SHA', 0x0090: 'DHE-PSK-AES128-CBC-SHA',
  0x0091: 'DHE-PSK-AES256-CBC-SHA', 0x0094: 'RSA-PSK-AES128-CBC-SHA', 0x0095: 'RSA-PSK-AES256-CBC-SHA',
  0x009c: 'AES128-GCM-SHA256', 0x009d: 'AES256-GCM-SHA384', 0x009e: 'DHE-RSA-AES128-GCM-SHA256',
  0x009f: 'DHE-RSA-AES256-GCM-SHA384', 0x00a2: 'DHE-DSS-AES128-GCM-SHA256',
  0x00a3: 'DHE-DSS-AES256-GCM-SHA384', 0x00a6: 'ADH-AES128-GCM-SHA256', 0x00a7: 'ADH-AES256-GCM-SHA384',
  0x00a8: 'PSK-AES128-GCM-SHA256', 0x00a9: 'PSK-AES256-GCM-SHA384', 0x00aa: 'DHE-PSK-AES128-GCM-SHA256',
  0x00ab: 'DHE-PSK-AES256-GCM-SHA384', 0x00ac: 'RSA-PSK-AES128-GCM-SHA256',
  0x00ad: 'RSA-PSK-AES256-GCM-SHA384', 0x00ae: 'PSK-AES128-CBC-SHA256', 0x00af: 'PSK-AES256-CBC-SHA384',
  0x00b0: 'PSK-NULL-SHA256', 0x00b1: 'PSK-NULL-SHA384', 0x00b2: 'DHE-PSK-AES128-CBC-SHA256',
  0x00b3: 'DHE-PSK-AES256-CBC-SHA384', 0x00b4: 'DHE-PSK-NULL-SHA256', 0x00b5: 'DHE-PSK-NULL-SHA384',
  0x00b6: 'RSA-PSK-AES128-CBC-SHA256', 0x00b7: 'RSA-PSK-AES256-CBC-SHA384', 0x00b8: 'RSA-PSK-NULL-SHA256',
  0x00b9: 'RSA-PSK-NULL-SHA384', 0x00ba: 'CAMELLIA128-SHA256', 0x00bd: 'DHE-DSS-CAMELLIA128-SHA256',
  0x00be: 'DHE-RSA-CAMELLIA128-SHA256', 0x00bf: 'ADH-CAMELLIA128-SHA256', 0x00c0: 'CAMELLIA256-SHA256',
  0x00c3: 'DHE-DSS-CAMELLIA256-SHA256', 0x00c4: 'DHE-RSA-CAMELLIA256-SHA256',
  0x00c5: 'ADH-CAMELLIA256-SHA256', 0xc006: 'ECDHE-ECDSA-NULL-SHA', 0xc009: 'ECDHE-ECDSA-AES128-SHA',
  0xc00a: 'ECDHE-ECDSA-AES256-SHA', 0xc010: 'ECDHE-RSA-NULL-SHA', 0xc013: 'ECDHE-RSA-AES128-SHA',
  0xc014: 'ECDHE-RSA-AES256-SHA', 0xc015: 'AECDH-NULL-SHA', 0xc018: 'AECDH-AES128-SHA',
  0xc019: 'AECDH-AES256-SHA', 0xc01d: 'SRP-AES-128-CBC-SHA', 0xc01e: 'SRP-RSA-AES-128-CBC-SHA',
  0xc01f: 'SRP-DSS-AES-128-CBC-SHA', 0xc020: 'SRP-AES-256-CBC-SHA', 0xc021: 'SRP-RSA-AES-256-CBC-SHA',
  0xc022: 'SRP-DSS-AES-256-CBC-SHA', 0xc023: 'ECDHE-ECDSA-AES128-SHA256',
  0xc024: 'ECDHE-ECDSA-AES256-SHA384', 0xc027: 'ECDHE-RSA-AES128-SHA256', 0xc028: 'ECDHE-RSA-AES256-SHA384',
  0xc02b: 'ECDHE-ECDSA-AES128-GCM-SHA256', 0xc02c: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  0xc02f: 'ECDHE-RSA-AES128-GCM-SHA256', 0xc030: 'ECDHE-RSA-AES256-GCM-SHA384',
  0xc035: 'ECDHE-PSK-AES128-CBC-SHA', 0xc036: 'ECDHE-PSK-AES256-CBC-SHA',
  0xc037: 'ECDHE-PSK-AES128-CBC-SHA256', 0xc038: 'ECDHE-PSK-AES256-CBC-SHA384', 0xc039: 'ECDHE-PSK-NULL-SHA',
  0xc03a: 'ECDHE-PSK-NULL-SHA256', 0xc03b: 'ECDHE-PSK-NULL-SHA384', 0xc050: 'ARIA128-GCM-SHA256',
  0xc051: 'ARIA256-GCM-SHA384', 0xc052: 'DHE-RSA-ARIA128-GCM-SHA256', 0xc053: 'DHE-RSA-ARIA256-GCM-SHA384',
  0xc056: 'DHE-DSS-ARIA128-GCM-SHA256', 0xc057: 'DHE-DSS-ARIA256-GCM-SHA384',
  0xc05c: 'ECDHE-ECDSA-ARIA128-GCM-SHA256', 0xc05d: 'ECDHE-ECDSA-ARIA256-GCM-SHA384',
  0xc060: 'ECDHE-ARIA128-GCM-SHA256', 0xc061: 'ECDHE-ARIA256-GCM-SHA384', 0xc06a: 'PSK-ARIA128-GCM-SHA256',
  0xc06b: 'PSK-ARIA256-GCM-SHA384', 0xc06c: 'DHE-PSK-ARIA128-GCM-SHA256',
  0xc06d: 'DHE-PSK-ARIA256-GCM-SHA384', 0xc06e: 'RSA-PSK-ARIA128-GCM-SHA256',
  0xc06f: 'RSA-PSK-ARIA256-GCM-SHA384', 0xc072: 'ECDHE-ECDSA-CAMELLIA128-SHA256',
  0xc073: 'ECDHE-ECDSA-CAMELLIA256-SHA384', 0xc076: 'ECDHE-RSA-CAMELLIA128-SHA256',
  0xc077: 'ECDHE-RSA-CAMELLIA256-SHA384', 0xc094: 'PSK-CAMELLIA128-SHA256', 0xc095: 'PSK-CAMELLIA256-SHA384',
  0xc096: 'DHE-PSK-CAMELLIA128-SHA256', 0xc097: 'DHE-PSK-CAMELLIA256-SHA384',
  0xc098: 'RSA-PSK-CAMELLIA128-SHA256', 0xc099: 'RSA-PSK-CAMELLIA256-SHA384',
  0xc09a: 'ECDHE-PSK-CAMELLIA128-SHA256', 0xc09b: 'ECDHE-PSK-CAMELLIA256-SHA384', 0xc09c: 'AES128-CCM',
  0xc09d: 'AES256-CCM', 0xc09e: 'DHE-RSA-AES128-CCM', 0xc09f: 'DHE-RSA-AES256-CCM', 0xc0a0: 'AES128-CCM8',
  0xc0a1: 'AES256-CCM8', 0xc0a2: 'DHE-RSA-AES128-CCM8', 0xc0a3: 'DHE-RSA-AES256-CCM8',
  0xc0a4: 'PSK-AES128-CCM', 0xc0a5: 'PSK-AES256-CCM', 0xc0a6: 'DHE-PSK-AES128-CCM',
  0xc0a7: 'DHE-PSK-AES256-CCM', 0xc0a8: 'PSK-AES128-CCM8', 0xc0a9: 'PSK-AES256-CCM8',
  0xc0aa: 'DHE-PSK-AES128-CCM8', 0xc0ab: 'DHE-PSK-AES256-CCM8', 0xc0ac: 'ECDHE-ECDSA-AES128-CCM',
  0xc0ad: 'ECDHE-ECDSA-AES256-CCM', 0xc0ae: 'ECDHE-ECDSA-AES128-CCM8', 0xc0af: 'ECDHE-ECDSA-AES256-CCM8',
  0xcca8: 'ECDHE-RSA-CHACHA20-POLY1305', 0xcca9: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  0xccaa: 'DHE-RSA-CHACHA20-POLY1305', 0xccab: 'PSK-CHACHA20-POLY1305',
  0xccac: 'ECDHE-PSK-CHACHA20-POLY1305', 0xccad: 'DHE-PSK-CHACHA20-POLY1305',
  0xccae: 'RSA-PSK-CHACHA20-POLY1305',
  // 3DES and RC4: OpenSSL 1.x names (not built into every OpenSSL 3)
  0x0004: 'RC4-MD5', 0x0005: 'RC4-SHA', 0x000a: 'DES-CBC3-SHA', 0x0016: 'EDH-RSA-DES-CBC3-SHA',
  0xc007: 'ECDHE-ECDSA-RC4-SHA', 0xc008: 'ECDHE-ECDSA-DES-CBC3-SHA', 0xc011: 'ECDHE-RSA-RC4-SHA',
  0xc012: 'ECDHE-RSA-DES-CBC3-SHA',
});

/** OpenSSL's name for a suite (TLS 1.3 suites keep their IANA name), or null when unknown. */
export function opensslSuiteName(code: number): string | null {
  const info = cipherSuiteInfo(code);
  if (info?.tls13Only) return info.name;
  return OPENSSL_SUITE_NAMES[code] ?? null;
}

/** OpenSSL's names for groups (openssl -groups, curl --curves, nginx ssl_ecdh_curve). */
const OPENSSL_GROUP_NAMES: Readonly<Record<number, string>> = Object.freeze({
  23: 'P-256', 24: 'P-384', 25: 'P-521', 29: 'X25519', 30: 'X448',
  256: 'ffdhe2048', 257: 'ffdhe3072', 258: 'ffdhe4096', 259: 'ffdhe6144', 260: 'ffdhe8192',
});
export const opensslGroupName = (g: number): string => OPENSSL_GROUP_NAMES[g] ?? groupName(g);

/** openssl s_client flags. */
const OPENSSL_FLAG: Readonly<Record<number, string>> = Object.freeze({ 0x0300: '-ssl3', 0x0301: '-tls1', 0x0302: '-tls1_1', 0x0303: '-tls1_2', 0x0304: '-tls1_3' });


// ---- shared pieces ---------------------------------------------------------------------------

/** Where to read why a side gave up, per software. */
const fixServerLog = (t: FixTarget, when: string): string =>
  `Read the server's log at ${when} for its reason (nginx: error_log at level info shows "SSL_do_handshake() failed" with the cause; Apache: LogLevel ssl:info; HAProxy: the "SSL handshake failure" log lines; Tomcat/Java servers: -Djavax.net.debug=ssl:handshake) on ${connectAddr(t)}`;

export const fixJavaDebug = 'Java clients and servers: run with -Djavax.net.debug=ssl:handshake to print the offered and accepted parameters and the exact exception';

export const fixMiddlebox = (t: FixTarget): string =>
  `If a proxy, load balancer or firewall with TLS inspection sits between the client and ${connectAddr(t)}, it may be the party that answered or cut the handshake: repeat the test from the proxy's other side or straight against the backend (${sClient(t)}) and compare`;

// ---- versions --------------------------------------------------------------------------------

export interface VersionFixFacts {
  /** Versions the client offered (supported_versions, else legacy_version and below). */
  clientVersions: readonly number[];
  /** Versions the server is known to accept (from other connections), possibly empty. */
  serverVersions: readonly number[];
}

/**
 * Which side is behind when no version is shared. With versions the server accepted (from
 * other connections, or its ServerHello) it is a comparison; without them, a client that
 * offers TLS 1.3 met a server that only speaks older versions, and a client that does not
 * offer TLS 1.3 most likely met a server that requires it (`sure` false).
 */
export function olderSide(f: VersionFixFacts): { side: 'server' | 'client'; sure: boolean } | null {
  const c = f.clientVersions.filter((v) => !isGrease(v));
  if (c.length === 0) return null;
  const cMin = Math.min(...c.map(versionRank));
  const cMax = Math.max(...c.map(versionRank));
  if (f.serverVersions.length > 0) {
    const sMax = Math.max(...f.serverVersions.map(versionRank));
    const sMin = Math.min(...f.serverVersions.map(versionRank));
    if (sMax < cMin) return { side: 'server', sure: true };
    if (sMin > cMax) return { side: 'client', sure: true };
    return null;
  }
  return cMax >= versionRank(TLS13) ? { side: 'server', sure: true } : { side: 'client', sure: false };
}

const serverProtocols = (list: string): string =>
  `nginx \`ssl_protocols ${list.split(' ').join(' ')};\`, Apache \`SSLProtocol -all ${list.split(' ').map((p) => '+' + p).join(' ')}\`, HAProxy \`ssl-min-ver ${list.split(' ')[0]!.replace(/^TLSv1$/, 'TLSv1.0')}\` on the bind line (or ssl-default-bind-options), Tomcat \`<SSLHostConfig protocols="${list.split(' ').join('+')}">\` in server.xml`;

export function fixesVersion(t: FixTarget, f: VersionFixFacts): string[] {
  const older = olderSide(f)?.side ?? null;
  const offered = f.clientVersions.filter((v) => !isGrease(v));
  const clientMax = Math.max(...offered.map(versionRank), -1);
  const sMax = f.serverVersions.length ? Math.max(...f.serverVersions.map(versionRank)) : -1;
  const out: string[] = [];
  const upgradeServer = `Upgrade the server: enable TLS 1.2 and TLS 1.3 (OpenSSL 1.1.1 or later has TLS 1.3): ${serverProtocols('TLSv1.2 TLSv1.3')}; Java servers need Java 11+ (or 8u261+) for TLS 1.3`;
  const upgradeClient = `Upgrade or reconfigure the client to offer TLS 1.2 and 1.3: Java clients -Djdk.tls.client.protocols=TLSv1.2,TLSv1.3 (and check that jdk.tls.disabledAlgorithms in $JAVA_HOME/conf/security/java.security does not list them); curl: --tlsv1.2 is a minimum, drop --tls-max; OpenSSL-based clients: drop -tls1_2 / -no_tls1_3 style restrictions (MinProtocol/MaxProtocol in openssl.cnf)`;
  if (older === 'server') {
    out.push(upgradeServer);
    if (sMax < 0 || sMax >= versionRank(TLS12)) {
      out.push(`Until then the client may also allow TLS 1.2, which is still safe${sMax < 0 ? ' (if the server speaks it)' : ''}: curl --tlsv1.2 (a minimum) instead of --tlsv1.3, openssl s_client -tls1_2, Java -Djdk.tls.client.protocols=TLSv1.2,TLSv1.3`);
    } else {
      out.push(`The server only speaks ${f.serverVersions.map(versionName).join('/')}, which is obsolete (RFC 8996): replace or upgrade it rather than re-enabling it on clients (Java disables TLS 1.0/1.1 in jdk.tls.disabledAlgorithms since 8u291/11.0.11; removing them there is a last resort)`);
    }
  } else if (older === 'client') {
    out.push(upgradeClient);
    if (clientMax >= 0 && clientMax < versionRank(TLS12)) {
      out.push(`The client offers only ${offered.map(versionName).join('/')}, which is obsolete: update it (old Java 6/7, Android < 4.4, Windows 7 without updates) rather than re-enabling old versions on the server`);
    } else {
      out.push(`If the server must keep serving such clients, also allow TLS 1.2 there: ${serverProtocols('TLSv1.2 TLSv1.3')}`);
    }
  } else {
    out.push(upgradeServer, upgradeClient);
  }
  const probes = [TLS12, TLS13].map((v) => sClient(t, OPENSSL_FLAG[v]!));
  out.push(`See which versions the server accepts: ${probes.join(' ; ')}`);
  return out;
}

// ---- cipher suites ---------------------------------------------------------------------------

/** Why a suite is a poor choice today (empty: it is fine): real weaknesses, or no forward secrecy. */
export function weakReasons(code: number): string[] {
  const info = cipherSuiteInfo(code);
  if (!info || info.tls13Only) return [];
  const out: string[] = suiteWeaknesses(code).filter((x) => x !== 'sha1-mac' && x !== 'md5-mac').map((w) => (w === 'cbc' ? 'CBC mode' : w));
  if ((info.keyExchange === 'RSA' || info.keyExchange === 'DH' || info.keyExchange === 'ECDH') && info.authentication !== 'anon') out.push(`no forward secrecy (${info.keyExchange} key exchange)`);
  return out;
}
const weakForAdvice = (code: number): boolean => weakReasons(code).length > 0;

/** The client's strongest-looking offered suites, in OpenSSL names (TLS ≤ 1.2 ones). */
function goodOffered(offered: readonly number[], max = 3): string[] {
  return offered.filter((c) => !weakForAdvice(c) && !cipherSuiteInfo(c)?.tls13Only).map(opensslSuiteName).filter((n): n is string => n !== null).slice(0, max);
}

export interface CipherFixFacts {
  /** The client's cipher_suites, wire order. */
  offered: readonly number[];
  /** Suites the server negotiated with other clients. */
  serverSuites: readonly number[];
}

export function fixesCipher(t: FixTarget, f: CipherFixFacts): string[] {
  const offered13 = f.offered.filter((c) => cipherSuiteInfo(c)?.tls13Only);
  if (t.quic || (offered13.length > 0 && offered13.length === f.offered.filter((c) => cipherSuiteInfo(c) !== undefined && !isSignalSuite(c)).length)) return fixesCipher13(t, offered13);
  const good = goodOffered(f.offered);
  const serverWeak = f.serverSuites.length > 0 && f.serverSuites.every(weakForAdvice);
  const list = good.length ? good.join(':') : 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384';
  const out = [
    `${serverWeak ? `Modernise the server (it only accepted ${f.serverSuites.map((c) => `${cipherSuiteName(c)}: ${weakReasons(c).join(', ')}`).join('; ')}): a` : 'On the server, a'}dd suites the client offers: nginx \`ssl_ciphers ${list}:HIGH:!aNULL:!MD5;\`, Apache \`SSLCipherSuite ${list}:HIGH:!aNULL:!MD5\`, HAProxy \`ciphers ${list}\` on the bind line (TLS 1.3 suites go in \`ciphersuites\`), Tomcat \`<SSLHostConfig ciphers="${list}">\` (Tomcat also takes IANA names)`,
    `Check the certificate type matches the suites: ECDHE-ECDSA suites need an ECDSA certificate, ECDHE-RSA suites an RSA one`,
  ];
  const serverNames = f.serverSuites.map((c) => opensslSuiteName(c)).filter((n): n is string => n !== null);
  if (serverNames.length) {
    out.push(
      `${serverWeak ? 'Only as a stopgap, until the server is fixed, l' : 'Or l'}et the client offer what the server accepts: curl --ciphers ${serverNames.join(':')}, openssl s_client -cipher '${serverNames.join(':')}'; Java clients: the suite may be disabled by jdk.tls.disabledAlgorithms in $JAVA_HOME/conf/security/java.security${serverWeak ? ' (for good reason)' : ''}`,
    );
  }
  out.push(`Test one suite at a time: ${sClient(t, `-tls1_2 -cipher ${good[0] ?? 'ECDHE-RSA-AES128-GCM-SHA256'}`)}`);
  return out;
}

/** TLS 1.3 suites (the only ones over QUIC): set apart from ssl_ciphers in every server. */
function fixesCipher13(t: FixTarget, offered: readonly number[]): string[] {
  const names = [...new Set(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', ...offered.map(cipherSuiteName)])].join(':');
  const first = offered.length ? cipherSuiteName(offered[0]!) : 'TLS_AES_128_GCM_SHA256';
  return [
    `On the server, enable the TLS 1.3 suites the client offers (TLS 1.3 suites are not set by ssl_ciphers): nginx \`ssl_conf_command Ciphersuites ${names};\`, Apache \`SSLCipherSuite TLSv1.3 ${names}\`, HAProxy \`ciphersuites ${names}\` on the bind line, Java servers jdk.tls.server.cipherSuites${t.quic ? '; a QUIC server takes them from its TLS library (ngtcp2 examples: --ciphers)' : ''}`,
    `Or let the client offer TLS_AES_128_GCM_SHA256, which every TLS 1.3 implementation must support: curl --tls13-ciphers TLS_AES_128_GCM_SHA256:${first}, openssl s_client -ciphersuites TLS_AES_128_GCM_SHA256:${first}`,
    `Test one suite at a time: ${sClient(t, `-tls1_3 -ciphersuites ${first}`)}`,
  ];
}

// ---- groups ----------------------------------------------------------------------------------

export function fixesGroup(t: FixTarget, f: { offered: readonly number[]; serverGroups: readonly number[] }): string[] {
  const want = [...new Set([29, 23, 24, ...f.offered.filter((g) => OPENSSL_GROUP_NAMES[g] !== undefined)])].slice(0, 4);
  const ossl = want.map(opensslGroupName).join(':');
  const nginx = want.map((g) => (g === 23 ? 'prime256v1' : g === 24 ? 'secp384r1' : g === 25 ? 'secp521r1' : opensslGroupName(g))).join(':');
  const out = [
    `On the server, allow the common groups (X25519, P-256, P-384): nginx \`ssl_ecdh_curve ${nginx};\`, Apache \`SSLOpenSSLConfCmd Curves ${ossl}\`, HAProxy \`curves ${ossl}\` on the bind line (or ssl-default-bind-curves), Java servers -Djdk.tls.namedGroups=${want.map((g) => groupName(g)).join(',')}`,
  ];
  if (f.serverGroups.length) {
    const names = f.serverGroups.map(opensslGroupName).join(':');
    out.push(`Or let the client offer a group the server accepts (${f.serverGroups.map(groupName).join(', ')}): openssl s_client -groups ${names}, curl --curves ${names}, Java clients -Djdk.tls.namedGroups=${f.serverGroups.map(groupName).join(',')}`);
  }
  out.push(`Test: ${sClient(t, `-tls1_3 -groups ${ossl}`)}`);
  return out;
}

// ---- SNI, ALPN ---------------------------------------------------------------------------------

export function fixesSni(t: FixTarget, noSni: boolean): string[] {
  if (noSni) {
    return [
      `The client sent no server name (SNI): connect by host name, not by IP address (clients send no SNI for IP literals): e.g. ${curlCmd({ ...t, sni: 'HOST' })}; openssl s_client needs -servername HOST`,
      `Clients too old to send SNI (Java 6, Android 2.x, Windows XP) need a default certificate on the server: nginx \`listen ${t.port} ssl default_server;\` with a certificate, HAProxy without \`strict-sni\`, Apache: the first <VirtualHost *:${t.port}> answers unnamed requests`,
      fixMiddlebox(t),
    ];
  }
  const name = t.sni!;
  return [
    `The server serves no site named "${name}": add it where the certificate for it is configured: nginx \`server_name ${name};\` in the matching server block (or a \`default_server\` for unknown names), Apache \`ServerName\`/\`ServerAlias ${name}\` in <VirtualHost *:${t.port}>, HAProxy: a certificate for ${name} in the \`crt\` directory or crt-list (with \`strict-sni\` unknown names are refused)`,
    `Or make the client ask for a name the server serves: check the URL's host name and DNS (curl --resolve NAME:${t.port}:${bracket(t.ip)} https://NAME/ tests a name without DNS; openssl s_client -servername NAME)`,
    `Compare: ${sClient(t)} against the same command with the expected name`,
  ];
}

export function fixesAlpn(t: FixTarget, offered: readonly string[]): string[] {
  const list = offered.length ? offered.join(', ') : '(none)';
  return [
    `The server supports none of the application protocols the client offered (${list}): a server configured for h2 only refuses HTTP/1.1 clients: allow both, e.g. HAProxy \`bind :${t.port} ssl crt ... alpn h2,http/1.1\`, Node.js \`ALPNProtocols: ['h2', 'http/1.1']\`, Envoy/gRPC listeners: add http/1.1 or put an HTTP/1.1-capable proxy in front`,
    `Or make the client offer what the server speaks: curl --http2 (h2) or --http1.1; gRPC clients always need h2`,
    `See what the server accepts: ${sClient(t, '-alpn h2')} and ${sClient(t, '-alpn http/1.1')} (look for "ALPN protocol:" in the output)`,
  ];
}

// ---- client certificates ---------------------------------------------------------------------

export function fixesClientCert(t: FixTarget, refused: boolean): string[] {
  const give = `Give the client a certificate issued by a CA the server accepts: curl --cert client.pem --key client.key, openssl s_client -cert client.pem -key client.key, Java -Djavax.net.ssl.keyStore=client.p12 -Djavax.net.ssl.keyStorePassword=... -Djavax.net.ssl.keyStoreType=PKCS12`;
  const optional = `If a client certificate should not be required here: nginx \`ssl_verify_client optional;\`, Apache \`SSLVerifyClient optional\`, HAProxy \`verify optional\` on the bind line, Tomcat \`certificateVerification="optional"\` in <SSLHostConfig>`;
  if (refused) {
    return [
      `The server refused the client's certificate: check it has not expired, carries the clientAuth extended key usage, and chains to the CA the server trusts for clients (nginx ssl_client_certificate, Apache SSLCACertificateFile, HAProxy \`ca-file\` on the bind line, Tomcat truststoreFile)`,
      fixServerLog(t, 'the time of the connection'),
      give,
    ];
  }
  return [
    give,
    `Java clients send a certificate only when its issuer is in the server's list of acceptable CAs (CertificateRequest): check the keystore's chain matches that list (-Djavax.net.debug=ssl:handshake shows both)`,
    optional,
  ];
}

// ---- closes, silence, other protocols ----------------------------------------------------------

export function fixesServerClosed(t: FixTarget, when: string, kind: 'fin' | 'rst'): string[] {
  return [
    fixServerLog(t, when),
    `Find which parameters the server accepts: ${sClient(t, '-tls1_2')} and ${sClient(t, '-tls1_3')}; if one works, align the client's versions and suites (Java clients: -Djdk.tls.client.protocols=TLSv1.2,TLSv1.3 and jdk.tls.disabledAlgorithms in $JAVA_HOME/conf/security/java.security; curl --tlsv1.2 --ciphers ...)`,
    fixJavaDebug + ' (Java reports this close as "Remote host terminated the handshake"; curl and OpenSSL as "unexpected eof while reading" or "SSL_ERROR_SYSCALL")',
    kind === 'rst'
      ? `A reset right after the ClientHello often comes from a firewall or IPS that filters on the SNI or on TLS versions, or from a load balancer with no healthy backend: check the devices on the path and the balancer's backend health`
      : fixMiddlebox(t),
  ];
}

export function fixesClientClosed(t: FixTarget): string[] {
  return [
    `The client gave up by itself: its own log says why (curl -v, openssl s_client output, the application's exception); a client that distrusts the server's certificate may close without sending an alert`,
    fixJavaDebug,
    `Check the server's certificate chain as the client sees it: ${sClient(t, '-showcerts')}`,
    `If the client closes after a fixed delay, it is a client timeout: find why the server answers slowly, or raise the client's handshake timeout`,
  ];
}

export function fixesNoResponse(t: FixTarget): string[] {
  return [
    `Something accepted the TCP connection on ${connectAddr(t)} but never answered the ClientHello: check that the process listening there is a TLS server and is not hung (ss -tlnp 'sport = :${t.port}', its logs, a full worker pool: Tomcat maxThreads, nginx worker_connections)`,
    `A load balancer or proxy may have accepted the connection with no backend to hand it to: check its backend health and timeouts`,
    `Run the test on the server itself to separate the network from the service: openssl s_client -connect 127.0.0.1:${t.port}${t.sni ? ` -servername ${t.sni}` : ''} </dev/null`,
    `If the port serves a plain-text protocol that waits for a full request, it will never answer TLS bytes: check with ${`curl -v http://${bracket(t.ip)}:${t.port}/`}`,
  ];
}

export function fixesNotTls(t: FixTarget, wrong: 'client' | 'server', what: string): string[] {
  if (wrong === 'client') {
    return [
      `The client spoke ${what} to a TLS port: use https:// (curl https://${hostOf(t)}${t.port === 443 ? '' : ':' + t.port}/, not http://${hostOf(t)}:${t.port}/)`,
      `Behind a proxy or load balancer, make the backend connection use TLS: nginx \`proxy_pass https://${bracket(t.ip)}:${t.port};\`, HAProxy \`server app ${bracket(t.ip)}:${t.port} ssl verify required ca-file /etc/ssl/certs/ca-certificates.crt\`, Apache \`ProxyPass / https://${bracket(t.ip)}:${t.port}/\` with \`SSLProxyEngine on\``,
    ];
  }
  return [
    `Port ${t.port} on ${t.ip} answers in ${what}, not TLS: use the right scheme or port (curl -v http://${bracket(t.ip)}:${t.port}/ works if it is plain HTTP), or enable TLS on that listener`,
    `To serve TLS there: nginx \`listen ${t.port} ssl;\` with ssl_certificate/ssl_certificate_key, Apache \`SSLEngine on\` in <VirtualHost *:${t.port}>, HAProxy \`bind :${t.port} ssl crt /etc/haproxy/certs/site.pem\`, Tomcat \`SSLEnabled="true"\` on the <Connector port="${t.port}">`,
  ];
}

export function fixesProtocolError(t: FixTarget, rejecter: 'client' | 'server'): string[] {
  const sender = rejecter === 'server' ? 'client' : 'server';
  return [
    `The ${rejecter} found the ${sender}'s message malformed or out of place: update the ${sender}'s TLS library (or the ${rejecter}'s, if the message is valid and it is the one with the bug)`,
    `Capture at both ends at once: if the bytes differ, a middlebox (TLS inspection, IPS, a "TLS-aware" load balancer) rewrites the handshake; if not, one implementation has a bug`,
    `Reproduce with a known-good client: ${sClient(t)}`,
  ];
}

/** What an alert usually means, and where to look (alerts without a verdict of their own). */
export const ALERT_ADVICE: Readonly<Record<number, { meaning: string; fix: string }>> = Object.freeze({
  20: { meaning: 'a record failed its integrity check: the two sides derived different keys (a pre-shared key mismatch), or a device on the path altered the bytes', fix: 'Check that both sides use the same pre-shared key and identity; disable TLS inspection or NIC offloads suspected of corrupting traffic and compare captures from both ends' },
  51: { meaning: 'a signature or Finished check failed: different keys on the two sides (a pre-shared key mismatch), a wrong private key for the certificate, or a broken middlebox', fix: 'Check that the server\'s private key matches its certificate (openssl x509 -noout -pubkey -in cert.pem vs openssl pkey -pubout -in key.pem) and that pre-shared keys match' },
  21: { meaning: 'decryption failed (an old alert for a bad record)', fix: 'Update the side that sent this obsolete alert; compare captures from both ends for altered bytes' },
  80: { meaning: 'the sender failed internally (not the peer\'s fault)', fix: 'Read the sender\'s log: a missing or unreadable key file, an HSM or engine error, no usable cipher for its certificate type, memory exhaustion' },
  117: { meaning: 'the sender hit a generic error', fix: 'Read the sender\'s log for the cause' },
  49: { meaning: 'the sender authenticated the peer but its access control refused it (not a certificate validation error)', fix: 'Check the sender\'s authorisation rules for this client or certificate (allowed subjects, IP allow-lists)' },
  86: { meaning: 'the client retried with a lower version after a failed attempt, and the server, which supports a higher one, refused the downgrade (TLS_FALLBACK_SCSV)', fix: 'Find why the client\'s first, higher-version attempt failed (often a middlebox); the fallback itself is correctly refused' },
  115: { meaning: 'the server does not know the pre-shared key identity the client used', fix: 'Give both sides the same PSK identity and key' },
  121: { meaning: 'the server requires Encrypted Client Hello and the client did not use it', fix: 'Update the client\'s ECH configuration (the server\'s current ECH keys from DNS HTTPS records)' },
  100: { meaning: 'renegotiation was refused', fix: 'Disable renegotiation on the side that requested it' },
});

export function fixesAlert(t: FixTarget, description: number | null, sender: 'client' | 'server'): string[] {
  const a = description === null ? undefined : ALERT_ADVICE[description];
  return [
    ...(a ? [a.fix] : [sender === 'server' ? fixServerLog(t, 'the time of the connection') : 'Read the client\'s log or error message for the reason it sent this alert']),
    fixJavaDebug,
    fixMiddlebox(t),
  ];
}

export function fixesMtu(t: FixTarget): string[] {
  return [
    `TLS is hit first because the server's certificate flight is the first full-size packet of the connection: the TCP handshake and the ClientHello are small, so the connection opens and then hangs`,
    ...fixMtu(t.ip),
  ];
}

// ---- certificates ----------------------------------------------------------------------------

const showServed = (t: FixTarget): string =>
  `echo | ${sClient(t).replace(' </dev/null', '')} 2>/dev/null | openssl x509 -noout -subject -issuer -dates -ext subjectAltName`;

const reloadServers = 'reload the server so it serves the new file (systemctl reload nginx / apache2 / haproxy; restart Tomcat)';

const trustOnClients = (what: string): string =>
  `trust ${what} on the clients: Debian/Ubuntu \`cp ca.pem /usr/local/share/ca-certificates/ca.crt && update-ca-certificates\`, RHEL \`trust anchor ca.pem\`, Java \`keytool -importcert -cacerts -alias private-ca -file ca.pem\`, curl --cacert ca.pem, Python SSL_CERT_FILE/REQUESTS_CA_BUNDLE, Node.js NODE_EXTRA_CA_CERTS=ca.pem`;

export function fixesCertExpired(t: FixTarget, leafExpired: boolean): string[] {
  return [
    leafExpired
      ? `Renew the certificate (certbot renew, or your CA's renewal), then ${reloadServers}; check what is served: ${showServed(t)}`
      : `An intermediate or root on the path has expired: replace the chain file with the CA's current intermediate (certbot's fullchain.pem, or the CA's download), then ${reloadServers}`,
    `If a renewed certificate is already on disk, the server still serves the old one: check the paths in nginx \`ssl_certificate\`, Apache \`SSLCertificateFile\`, HAProxy \`crt\`, the Tomcat keystore, and that certbot's deploy hook reloads the server`,
    `If the dates look right to you, check the client's clock: timedatectl (System clock synchronized: yes), chronyc tracking`,
  ];
}

export function fixesNotYetValid(t: FixTarget): string[] {
  return [
    `Check the clocks: a client whose clock is behind rejects a freshly issued certificate: timedatectl (System clock synchronized: yes), chronyc tracking, systemctl status systemd-timesyncd; enable NTP with timedatectl set-ntp true`,
    `If the clocks are right, the certificate was issued with a start date in the future: reissue it or wait until it is valid; check it with ${showServed(t)}`,
  ];
}

export function fixesHostname(t: FixTarget, covered: readonly string[]): string[] {
  const name = t.sni ?? 'HOST';
  const names = covered.length ? covered.join(', ') : '(no names)';
  return [
    `Issue a certificate that names "${name}" in its subjectAltName (certbot certonly -d ${name}${covered.slice(0, 2).map((n) => ' -d ' + n).join('')}; with openssl: -addext "subjectAltName=DNS:${name}"), then ${reloadServers}`,
    `Or the server chose the wrong certificate for this name (it sent one for ${names}): check nginx server_name / ssl_certificate in the server block for ${name}, Apache ServerName/ServerAlias, HAProxy crt order or crt-list`,
    `Or the client uses a name the certificate does not cover: connect with one of ${names} (curl --resolve ${covered[0] ?? 'NAME'}:${t.port}:${bracket(t.ip)} https://${covered[0] ?? 'NAME'}/)`,
  ];
}

export function fixesSelfSigned(t: FixTarget): string[] {
  return [
    `Replace the self-signed certificate with one from a CA the clients trust (public: certbot --nginx -d ${t.sni ?? 'HOST'} / certbot --apache; internal: your company CA), then ${reloadServers}`,
    `For an internal service that keeps it, ${trustOnClients('this certificate')}`,
  ];
}

export const fixesWeakKey = (): string[] => [
  'Reissue the certificate with an RSA key of 2048 bits or more (openssl req -newkey rsa:2048 ...) or an ECDSA P-256 key: OpenSSL 3 clients refuse smaller keys at their default security level (curl: "EE certificate key too weak")',
];

export const fixesWeakSignature = (): string[] => [
  'Reissue the certificate (and any intermediate signed the same way) with a SHA-256 signature (openssl x509/req -sha256, or the CA\'s current profile): OpenSSL 3 clients refuse SHA-1 and MD5 signatures at their default security level (curl: "CA signature digest algorithm too weak"), browsers long since',
];

export const fixesNoServerAuth = (): string[] => [
  'Reissue the certificate with the serverAuth extended key usage (openssl req -addext "extendedKeyUsage=serverAuth", or a TLS server profile at the CA): OpenSSL-based clients refuse it with "unsupported certificate purpose"',
];

export function fixesChainIncomplete(t: FixTarget, issuer: string | null, urls: readonly string[], maybePrivateRoot = false): string[] {
  const what = issuer ? `the intermediate "${issuer}"` : 'the intermediate certificate(s)';
  return [
    ...(maybePrivateRoot ? [`If ${issuer ? `"${issuer}"` : 'the missing issuer'} is the root of your private CA, ${trustOnClients('its root certificate')}`] : []),
    `Send ${what} after the server certificate: nginx \`ssl_certificate\` must point to the full chain (cat cert.pem intermediate.pem > fullchain.pem; certbot's fullchain.pem, not cert.pem), Apache 2.4.8+ \`SSLCertificateFile\` with the intermediate appended (older: SSLCertificateChainFile), HAProxy \`crt\` file = certificate + intermediate + key, Tomcat: import it into the keystore (keytool -importcert -alias intermediate -file intermediate.pem -keystore keystore.jks) or set certificateChainFile`,
    ...(urls.length ? [`The issuer's certificate can be downloaded from ${urls.join(', ')} (convert with openssl x509 -inform DER -in issuer.cer -out intermediate.pem)`] : []),
    `Browsers often still work (they cache intermediates or fetch them), while curl, Java, Python and OpenSSL clients fail: check with ${sClient(t, '-showcerts')} ("Verify return code: 21 (unable to verify the first certificate)")`,
  ];
}

export function fixesUntrusted(t: FixTarget, root: string | null, interception: { product: string | null; confirm: string } | null): string[] {
  const out: string[] = [];
  if (interception) {
    out.push(`An interception device${interception.product ? ` (${interception.product})` : ''} is likely re-signing this connection: to confirm, ${interception.confirm}`);
    out.push(`Then either install the device's CA on the clients (company policy), or exempt ${t.sni ?? t.ip} from TLS inspection on the device`);
  }
  out.push(`If ${root ? `"${root}"` : 'the root'} is your private CA, ${trustOnClients('its root certificate')}`);
  out.push(`If the site should use a public CA, the server sends the wrong chain (a test or staging certificate): fix nginx ssl_certificate / Apache SSLCertificateFile / HAProxy crt / the Tomcat keystore and ${reloadServers}`);
  return out;
}

export function fixesCertRejected(t: FixTarget, chainSeen: boolean): string[] {
  return [
    chainSeen
      ? `The chain passes the checks made here, so the client judged with something else: its own trust store (Java: keytool -list -cacerts; Debian: /etc/ssl/certs; an application bundle), a pinned key, or revocation/Certificate Transparency checks; make the client's trust store current (update-ca-certificates; a newer Java)`
      : `The certificate travelled encrypted (TLS 1.3), so it could not be judged here: fetch it with ${sClient(t, '-showcerts')} and check it (dates, names, chain), or capture a TLS 1.2 handshake (${curlCmd(t, '--tls-max 1.2')}) for hsi to judge`,
    `The client's own error names the reason: curl -v, gnutls-cli -d 3, openssl s_client (verify error:num=...), ${fixJavaDebug.replace('Java clients and servers: run', 'Java: run')}`,
  ];
}
