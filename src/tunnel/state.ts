// The facts the preamble layer establishes about one connection: which plain-text
// preamble came before TLS (a proxy's CONNECT or SOCKS exchange, a STARTTLS-style
// upgrade), what the client asked for, what the proxy or server answered, and whether
// the tunnel was set up. Plain data with the frames each fact rests on; diagnosis rules
// read it like any other fact. Credentials are never part of it (only whether they were sent).

import type { Side } from '../engine/types.js';

export type TunnelKind =
  | 'http-connect'
  | 'socks4'
  | 'socks4a'
  | 'socks5'
  | 'starttls-smtp'
  | 'starttls-imap'
  | 'starttls-pop3'
  | 'ftp-auth-tls'
  | 'starttls-ldap'
  | 'postgres-ssl'
  | 'mysql-ssl';

/** Proxies carry any protocol; the STARTTLS family exists only to start TLS. */
export const PROXY_KINDS: ReadonlySet<TunnelKind> = new Set(['http-connect', 'socks4', 'socks4a', 'socks5']);
export const isProxyKind = (k: TunnelKind): boolean => PROXY_KINDS.has(k);

/** How the preamble ended (or where it stands when the connection ended). */
export type TunnelResult =
  | 'greeting' // nothing asked yet (a server greeting, a SOCKS5 method exchange...)
  | 'pending' // the request was sent, no answer
  | 'established' // the proxy or server said yes: TLS (or another protocol) follows
  | 'auth-required' // HTTP 407, SOCKS5 no acceptable method / failed login, SOCKS4 identd refusal
  | 'denied' // HTTP 403, SOCKS5 0x02, SOCKS4 0x5B
  | 'upstream-failed' // HTTP 502/503/504, SOCKS5 0x03-0x06
  | 'not-a-proxy' // a CONNECT answered by something that is not a proxy (TLS bytes, a web server's 400/405)
  | 'failed' // another refusal (HTTP 400, SOCKS general failure, command not supported)
  | 'starttls-refused' // STARTTLS / STLS / AUTH TLS / StartTLS / SSLRequest answered with an error or 'N'
  | 'starttls-not-offered' // the server's capabilities lacked it and the client did not try
  | 'starttls-not-requested' // offered (or possible), but the client went on in plain text
  | 'server-refused' // the server refused the session before any upgrade could be asked (SMTP 554, MySQL ERR)
  | 'plain-request'; // a proxy port carried a plain HTTP request, not a tunnel

export interface TunnelStep {
  frame: number;
  time: number;
  from: Side;
  /** What was said, credentials withheld: "CONNECT www.example.test:443", "HTTP/1.1 407 Proxy Authentication Required". */
  text: string;
}

export interface TunnelState {
  kind: TunnelKind;
  /** The client's request (CONNECT, SOCKS request, STARTTLS command...), the last one when retried. */
  request: TunnelStep | null;
  /** host:port the client asked the proxy for (IPv6 in brackets), or null. */
  target: string | null;
  targetHost: string | null;
  targetPort: number | null;
  /** The answer to the request. */
  answer: TunnelStep | null;
  /** The answer as the record's status string: "200", "407", "socks5:0x05", "220", "OK", "S"... */
  status: string | null;
  result: TunnelResult;
  /** Frame where the tunnel was set up (the proxy's / server's yes). */
  establishedFrame: number | null;
  /** Requests made on this connection (a CONNECT retried with credentials after a 407). */
  attempts: number;
  /** The server advertised the upgrade (EHLO STARTTLS, IMAP/POP3 capability, FEAT AUTH TLS, MySQL CLIENT_SSL); null: not seen. */
  offered: boolean | null;
  offeredFrame: number | null;
  /** The client sent credentials in the preamble (Proxy-Authorization, SOCKS5 username/password, SOCKS4 user id, a plain-text login). Never their value. */
  credentials: { what: string; frame: number } | null;
  /** Credentials (or a login) sent in plain text before TLS: a security problem of its own. */
  plaintextLogin: { what: string; frame: number } | null;
  /** Evidence from the answer: Via, Server, Proxy-Authenticate, X-Squid-Error, the greeting... (name → value, sanitised). */
  notes: { name: string; value: string; frame: number }[];
  /** Every message of the preamble in order (capped). */
  steps: TunnelStep[];
  /** A message that could not be decoded (the side's preamble is then lost). */
  malformed: { from: Side; frame: number; message: string } | null;
  /** Where the inner protocol starts: frame of its first byte per side. */
  innerStart: Record<Side, number | null>;
  /** The protocol seen inside the tunnel, once its first bytes arrived. */
  inner: 'tls' | 'ssh' | 'other' | null;
}

export const MAX_TUNNEL_STEPS = 32;
export const MAX_TUNNEL_NOTES = 16;

export function emptyTunnelState(kind: TunnelKind): TunnelState {
  return {
    kind, request: null, target: null, targetHost: null, targetPort: null, answer: null, status: null,
    result: 'greeting', establishedFrame: null, attempts: 0, offered: null, offeredFrame: null,
    credentials: null, plaintextLogin: null, notes: [], steps: [], malformed: null,
    innerStart: { client: null, server: null }, inner: null,
  };
}

/** Kind names for display. */
export const TUNNEL_KIND_NAMES: Readonly<Record<TunnelKind, string>> = {
  'http-connect': 'HTTP CONNECT proxy',
  socks4: 'SOCKS4 proxy',
  socks4a: 'SOCKS4a proxy',
  socks5: 'SOCKS5 proxy',
  'starttls-smtp': 'SMTP STARTTLS',
  'starttls-imap': 'IMAP STARTTLS',
  'starttls-pop3': 'POP3 STLS',
  'ftp-auth-tls': 'FTP AUTH TLS',
  'starttls-ldap': 'LDAP StartTLS',
  'postgres-ssl': 'PostgreSQL SSLRequest',
  'mysql-ssl': 'MySQL SSL',
};
