// SOCKS code points: SOCKS4 (the NEC protocol document, 4a extension), SOCKS5 (RFC 1928),
// username/password authentication (RFC 1929). Each reply carries the outcome the
// diagnosis rules key on; unknown values stay numbers and print as 0x..

export type SocksOutcome = 'granted' | 'denied' | 'upstream' | 'auth' | 'unsupported' | 'failure';

export interface SocksReplyInfo {
  name: string;
  outcome: SocksOutcome;
  /** What it means, in words. */
  meaning: string;
}

const r = (name: string, outcome: SocksOutcome, meaning: string): SocksReplyInfo => ({ name, outcome, meaning });

/** SOCKS4 reply codes (CD field of the reply). 0x5B covers both a refusal and a failed connect. */
export const SOCKS4_REPLIES: Readonly<Record<number, SocksReplyInfo>> = Object.freeze({
  0x5a: r('request granted', 'granted', 'the proxy connected to the target'),
  0x5b: r('request rejected or failed', 'denied', 'the proxy refused the request, or could not connect to the target'),
  0x5c: r('rejected: identd unreachable', 'auth', 'the proxy could not reach an identd on the client to check its user id'),
  0x5d: r('rejected: user id mismatch', 'auth', "the client's identd reported another user id than the request"),
});

/** SOCKS5 reply field REP (RFC 1928 §6). */
export const SOCKS5_REPLIES: Readonly<Record<number, SocksReplyInfo>> = Object.freeze({
  0x00: r('succeeded', 'granted', 'the proxy connected to the target'),
  0x01: r('general SOCKS server failure', 'failure', 'the proxy failed for a reason of its own'),
  0x02: r('connection not allowed by ruleset', 'denied', "the proxy's rules do not allow this client to reach this target"),
  0x03: r('network unreachable', 'upstream', 'the proxy has no route to the target network'),
  0x04: r('host unreachable', 'upstream', 'the proxy could not reach the target host'),
  0x05: r('connection refused', 'upstream', 'the target refused the connection from the proxy (nothing listens on that port)'),
  0x06: r('TTL expired', 'upstream', 'the connection from the proxy to the target timed out'),
  0x07: r('command not supported', 'unsupported', 'the proxy does not support the command (CONNECT, BIND or UDP ASSOCIATE)'),
  0x08: r('address type not supported', 'unsupported', 'the proxy does not support that address type'),
});

/** SOCKS5 authentication methods (RFC 1928 §3, IANA "SOCKS Methods"). */
export const SOCKS5_METHODS: Readonly<Record<number, string>> = Object.freeze({
  0x00: 'no authentication',
  0x01: 'GSSAPI',
  0x02: 'username/password',
  0x03: 'CHAP',
  0x05: 'challenge-response',
  0x06: 'SSL',
  0x07: 'NDS',
  0x08: 'multi-authentication framework',
  0x09: 'JSON parameter block',
  0xff: 'no acceptable methods',
});

export const SOCKS_COMMANDS: Readonly<Record<number, string>> = Object.freeze({ 1: 'CONNECT', 2: 'BIND', 3: 'UDP ASSOCIATE' });

const hex2 = (v: number) => '0x' + v.toString(16).padStart(2, '0');

export const socksMethodName = (m: number): string => SOCKS5_METHODS[m] ?? (m >= 0x80 && m <= 0xfe ? `private method ${hex2(m)}` : `method ${hex2(m)}`);
export const socksCommandName = (c: number): string => SOCKS_COMMANDS[c] ?? `command ${hex2(c)}`;

export function socksReply(version: 4 | 5, code: number): SocksReplyInfo {
  const table = version === 4 ? SOCKS4_REPLIES : SOCKS5_REPLIES;
  return table[code] ?? r(`reply ${hex2(code)}`, 'failure', 'an unassigned reply code');
}

/** "socks5:0x05": the status string of the record's tunnel object. */
export const socksStatus = (version: 4 | 5, code: number): string => `socks${version}:${hex2(code)}`;
