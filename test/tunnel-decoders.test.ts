// The preamble decoders (src/tunnel/): HTTP heads, SOCKS4/4a/5, SMTP/FTP/IMAP/POP3 replies,
// LDAP messages, PostgreSQL and MySQL packets, and the detection of a preamble from first
// bytes. Hand-built bytes, as their documents give them (decoder unit tests only: the
// scenarios run on real captures). Every strict prefix of a valid message is incomplete,
// never invalid and never a throw; lying lengths are invalid; random bytes never throw.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decoded } from '../src/wire/reader.js';
import { chunkedBodySize, connectTarget, decodeHttpHead, header, responseBody } from '../src/tunnel/http.js';
import { decodeCodedReply, decodeImapLine, decodePop3Reply, ehloKeywords, imapCapabilities } from '../src/tunnel/mail.js';
import { decodeLdapMessage, START_TLS_OID } from '../src/tunnel/ldap.js';
import { decodeMysqlClientHello, decodeMysqlGreeting, decodePgSslAnswer, decodePgStartup } from '../src/tunnel/database.js';
import {
  decodeSocks4Reply, decodeSocks4Request, decodeSocks5AuthReply, decodeSocks5AuthRequest, decodeSocks5Greeting,
  decodeSocks5MethodSelection, decodeSocks5Reply, decodeSocks5Request,
} from '../src/tunnel/socks.js';
import { recognisePreamble } from '../src/tunnel/detect.js';
import { readLine } from '../src/tunnel/lines.js';

const te = new TextEncoder();
const text = (s: string) => te.encode(s);
const bytes = (...xs: (number | string | number[])[]) => Uint8Array.from(xs.flatMap((x) => (typeof x === 'string' ? [...te.encode(x)] : Array.isArray(x) ? x : [x])));

type Decoder = (b: Uint8Array) => Decoded<unknown>;

interface Case {
  name: string;
  decode: Decoder;
  input: Uint8Array;
  /** Fields the decoded value must have. */
  want: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    name: 'HTTP: CONNECT request with Proxy-Authorization (RFC 9110 §9.3.6)',
    decode: (b) => decodeHttpHead(b),
    input: text('CONNECT server.example.com:443 HTTP/1.1\r\nHost: server.example.com:443\r\nProxy-Authorization: Basic YWxpY2U6c2VjcmV0\r\n\r\n'),
    want: { kind: 'request', method: 'CONNECT', target: 'server.example.com:443', version: 'HTTP/1.1' },
  },
  {
    name: 'HTTP: 407 with Proxy-Authenticate and a folded header',
    decode: (b) => decodeHttpHead(b),
    input: text('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\nVia: 1.1 proxy\r\n  (squid/5.7)\r\nContent-Length: 12\r\n\r\n'),
    want: { kind: 'response', status: 407, reason: 'Proxy Authentication Required' },
  },
  {
    name: 'HTTP: 200 Connection established, bare LF line ends',
    decode: (b) => decodeHttpHead(b),
    input: text('HTTP/1.0 200 Connection established\n\n'),
    want: { kind: 'response', status: 200 },
  },
  {
    name: 'SOCKS4 CONNECT with a user id',
    decode: decodeSocks4Request,
    input: bytes(4, 1, 0x01, 0xbb, 93, 184, 216, 34, 'fred', 0),
    want: { command: 1, port: 443, host: '93.184.216.34', socks4a: false, userIdLength: 4 },
  },
  {
    name: 'SOCKS4a CONNECT by host name',
    decode: decodeSocks4Request,
    input: bytes(4, 1, 0x01, 0xbb, 0, 0, 0, 1, 0, 'www.example.com', 0),
    want: { host: 'www.example.com', socks4a: true, userIdLength: 0 },
  },
  { name: 'SOCKS4 reply: granted', decode: decodeSocks4Reply, input: bytes(0, 0x5a, 0, 0, 0, 0, 0, 0), want: { code: 0x5a } },
  { name: 'SOCKS5 greeting (RFC 1928 §3)', decode: decodeSocks5Greeting, input: bytes(5, 2, 0, 2), want: { methods: [0, 2] } },
  { name: 'SOCKS5 method selection', decode: decodeSocks5MethodSelection, input: bytes(5, 0xff), want: { method: 0xff } },
  {
    name: 'SOCKS5 username/password (RFC 1929): lengths only',
    decode: decodeSocks5AuthRequest,
    input: bytes(1, 5, 'alice', 6, 'secret'),
    want: { usernameLength: 5, passwordLength: 6 },
  },
  { name: 'SOCKS5 auth reply', decode: decodeSocks5AuthReply, input: bytes(1, 1), want: { status: 1 } },
  { name: 'SOCKS5 CONNECT by domain name', decode: decodeSocks5Request, input: bytes(5, 1, 0, 3, 11, 'example.com', 0x01, 0xbb), want: { command: 1, type: 3, host: 'example.com', port: 443 } },
  { name: 'SOCKS5 CONNECT by IPv4', decode: decodeSocks5Request, input: bytes(5, 1, 0, 1, 10, 0, 0, 7, 0x20, 0xfb), want: { type: 1, host: '10.0.0.7', port: 8443 } },
  {
    name: 'SOCKS5 CONNECT by IPv6',
    decode: decodeSocks5Request,
    input: bytes(5, 1, 0, 4, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 0x01, 0xbb),
    want: { type: 4, host: '2001:db8::1', port: 443 },
  },
  { name: 'SOCKS5 reply: connection refused', decode: decodeSocks5Reply, input: bytes(5, 5, 0, 1, 0, 0, 0, 0, 0, 0), want: { code: 5 } },
  {
    name: 'SMTP EHLO reply, multi-line (RFC 5321 §4.2.1)',
    decode: (b) => decodeCodedReply(b),
    input: text('250-mail.example.com\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n'),
    want: { code: 250, lines: ['mail.example.com', 'PIPELINING', 'STARTTLS', '8BITMIME'] },
  },
  {
    name: 'FTP multi-line FEAT reply (RFC 959 §4.2, RFC 2389)',
    decode: (b) => decodeCodedReply(b),
    input: text('211-Features:\r\n AUTH TLS\r\n PBSZ\r\n211 End\r\n'),
    want: { code: 211, lines: ['Features:', ' AUTH TLS', ' PBSZ', 'End'] },
  },
  { name: 'IMAP tagged OK', decode: (b) => decodeImapLine(b), input: text('a1 OK Begin TLS negotiation now.\r\n'), want: { tag: 'a1', status: 'OK' } },
  { name: 'IMAP greeting with capabilities', decode: (b) => decodeImapLine(b), input: text('* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n'), want: { tag: '*', status: 'OK' } },
  { name: 'POP3 CAPA, multi-line (RFC 2449)', decode: (b) => decodePop3Reply(b, 0, true), input: text('+OK\r\nUSER\r\nSTLS\r\n.\r\n'), want: { ok: true, lines: ['USER', 'STLS'] } },
  {
    name: 'LDAP StartTLS extendedReq (RFC 4511 §4.14.1)',
    decode: decodeLdapMessage,
    input: bytes(0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16, START_TLS_OID),
    want: { messageId: 1, op: 23, requestName: START_TLS_OID },
  },
  {
    name: 'LDAP extendedResp protocolError with a diagnostic',
    decode: decodeLdapMessage,
    input: bytes(0x30, 0x1a, 0x02, 0x01, 0x01, 0x78, 0x15, 0x0a, 0x01, 0x02, 0x04, 0x00, 0x04, 0x0c, 'unsupported!', 0x8a, 0x00),
    want: { op: 24, resultCode: 2, diagnostic: 'unsupported!' },
  },
  { name: 'PostgreSQL SSLRequest', decode: decodePgStartup, input: bytes(0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f), want: { kind: 'ssl-request', length: 8 } },
  { name: 'PostgreSQL GSSENCRequest', decode: decodePgStartup, input: bytes(0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30), want: { kind: 'gssenc-request' } },
  { name: "PostgreSQL answer 'S'", decode: decodePgSslAnswer, input: text('S'), want: { answer: 'S' } },
  {
    name: 'MySQL HandshakeV10 with CLIENT_SSL',
    decode: decodeMysqlGreeting,
    input: bytes(0x1d, 0, 0, 0, 0x0a, '8.0.36', 0, 1, 0, 0, 0, [1, 2, 3, 4, 5, 6, 7, 8], 0, 0xff, 0x0f, 0x21, 2, 0, 0xff, 0xc1, 0),
    want: { kind: 'handshake', serverVersion: '8.0.36', ssl: true },
  },
  { name: 'MySQL SSLRequest (32-byte payload)', decode: decodeMysqlClientHello, input: bytes(0x20, 0, 0, 1, [0x00, 0x0a, 0, 0], [0, 0, 0, 1], 0x21, new Array<number>(23).fill(0)), want: { kind: 'ssl-request' } },
];

describe('preamble decoders: whole messages', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const r = c.decode(c.input);
      assert.equal(r.status, 'ok', JSON.stringify(r));
      if (r.status !== 'ok') return;
      assert.equal(r.size, c.input.length, 'consumes exactly the message');
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual((r.value as Record<string, unknown>)[k], v, k);
    });
  }
});

describe('preamble decoders: every strict prefix is incomplete, and trailing bytes are not consumed', () => {
  for (const c of CASES) {
    it(c.name, () => {
      for (let n = 0; n < c.input.length; n++) {
        const r = c.decode(c.input.subarray(0, n));
        // a POP3 or PostgreSQL one-byte answer has no prefix but the empty one
        assert.equal(r.status, 'incomplete', `prefix of ${n} bytes: ${JSON.stringify(r)}`);
      }
      const more = new Uint8Array(c.input.length + 5);
      more.set(c.input);
      const r = c.decode(more);
      assert.ok(r.status === 'ok' && r.size === c.input.length, 'the message is framed, the rest left');
    });
  }
});

describe('preamble decoders: credentials never leave the wire buffer', () => {
  it('Proxy-Authorization keeps only its scheme', () => {
    const r = decodeHttpHead(CASES[0]!.input);
    assert.ok(r.status === 'ok');
    assert.equal(header(r.value, 'proxy-authorization'), 'Basic (credentials withheld)');
    assert.doesNotMatch(JSON.stringify(r.value), /YWxpY2U6c2VjcmV0/);
  });
  it('RFC 1929 requests decode to lengths', () => {
    const r = decodeSocks5AuthRequest(bytes(1, 5, 'alice', 6, 'secret'));
    assert.doesNotMatch(JSON.stringify(r), /secret|alice/);
  });
});

describe('preamble decoders: malformed input is invalid, never a throw', () => {
  const bad: [string, Decoder, Uint8Array][] = [
    ['HTTP: not a request line', (b) => decodeHttpHead(b), text('HELLO\r\n\r\n')],
    ['HTTP: a header without a name', (b) => decodeHttpHead(b), text('HTTP/1.1 200 OK\r\n: x\r\n\r\n')],
    ['HTTP: a head longer than the cap', (b) => decodeHttpHead(b, 0, 64), text('HTTP/1.1 200 OK\r\n' + 'X-A: b\r\n'.repeat(20))],
    ['SOCKS4: version 5', decodeSocks4Request, bytes(5, 1, 0, 80, 1, 2, 3, 4, 0)],
    ['SOCKS4: a user id with no end', decodeSocks4Request, bytes(4, 1, 0, 80, 1, 2, 3, 4, ...new Array<number>(300).fill(0x41))],
    ['SOCKS5: zero methods', decodeSocks5Greeting, bytes(5, 0)],
    ['SOCKS5: reserved byte set', decodeSocks5Request, bytes(5, 1, 1, 1, 1, 2, 3, 4, 0, 80)],
    ['SOCKS5: unknown address type', decodeSocks5Reply, bytes(5, 0, 0, 9, 0, 0)],
    ['SMTP: not a reply', (b) => decodeCodedReply(b), text('hello\r\n')],
    ['LDAP: indefinite length', decodeLdapMessage, bytes(0x30, 0x80, 0x02, 0x01, 0x01)],
    ['LDAP: a lying length bigger than the cap', decodeLdapMessage, bytes(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02)],
    ['PostgreSQL: an unknown startup code', decodePgStartup, bytes(0, 0, 0, 8, 1, 2, 3, 4)],
    ['MySQL: sequence id 3', decodeMysqlGreeting, bytes(5, 0, 0, 3, 0x0a, 0, 0, 0, 0)],
  ];
  for (const [name, decode, input] of bad) {
    it(name, () => assert.equal(decode(input).status, 'invalid'));
  }
  it('seeded random bytes: every decoder answers, none throws', () => {
    let seed = 0x2545f491;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const decoders: Decoder[] = [...new Set(CASES.map((c) => c.decode))];
    for (let i = 0; i < 3000; i++) {
      const b = Uint8Array.from({ length: rnd() % 64 }, rnd);
      if (i % 3 === 0 && b.length > 0) b[0] = [4, 5, 0x30, 0][i % 4]!;
      for (const d of decoders) assert.ok(['ok', 'incomplete', 'invalid'].includes(d(b).status));
      assert.doesNotThrow(() => chunkedBodySize(b));
      assert.doesNotThrow(() => recognisePreamble(i % 2 ? 'client' : 'server', b, 443));
    }
  });
});

describe('helpers', () => {
  it('connectTarget: authority form, IPv6, absolute URI without user info', () => {
    assert.deepEqual(connectTarget('www.example.com:443'), { host: 'www.example.com', port: 443 });
    assert.deepEqual(connectTarget('[2001:db8::1]:8443'), { host: '2001:db8::1', port: 8443 });
    assert.deepEqual(connectTarget('http://user:pw@example.com:8080/x'), { host: 'example.com', port: 8080 });
    assert.equal(connectTarget('bad target'), null);
  });
  it('responseBody: 2xx to CONNECT is a tunnel; Content-Length; chunked', () => {
    const res = (h: string) => {
      const r = decodeHttpHead(text(h));
      assert.ok(r.status === 'ok' && r.value.kind === 'response');
      return r.value;
    };
    assert.deepEqual(responseBody(res('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'), 'CONNECT'), { kind: 'tunnel' });
    assert.deepEqual(responseBody(res('HTTP/1.1 407 X\r\nContent-Length: 5\r\n\r\n'), 'CONNECT'), { kind: 'length', bytes: 5 });
    assert.deepEqual(responseBody(res('HTTP/1.1 403 X\r\nTransfer-Encoding: chunked\r\n\r\n'), 'CONNECT'), { kind: 'chunked' });
    assert.deepEqual(responseBody(res('HTTP/1.0 503 X\r\n\r\n'), 'CONNECT'), { kind: 'until-close' });
    const body = text('5\r\nhello\r\n0\r\n\r\n');
    const r = chunkedBodySize(body);
    assert.ok(r.status === 'ok' && r.size === body.length);
    for (let n = 0; n < body.length; n++) assert.equal(chunkedBodySize(body.subarray(0, n)).status, 'incomplete', `prefix ${n}`);
  });
  it('EHLO keywords, IMAP capabilities, line framing', () => {
    const r = decodeCodedReply(CASES.find((c) => c.name.startsWith('SMTP EHLO'))!.input);
    assert.ok(r.status === 'ok');
    assert.ok(ehloKeywords(r.value).includes('STARTTLS'));
    assert.deepEqual(imapCapabilities('[CAPABILITY IMAP4rev1 STARTTLS] ready'), ['IMAP4REV1', 'STARTTLS']);
    assert.equal(readLine(text('abc'), 0).status, 'incomplete');
    assert.equal(readLine(text('x'.repeat(40)), 0, 16).status, 'invalid');
  });
});

describe('recognisePreamble: which preamble the first bytes start', () => {
  const rows: [string, 'client' | 'server', Uint8Array, number, unknown][] = [
    ['CONNECT, any port', 'client', text('CONNECT a:443 HTTP/1.1\r\n'), 9999, { kind: 'http-connect', strong: true }],
    ['CONNEC (could still be CONNECT)', 'client', text('CONNEC'), 8080, 'too-short'],
    ['SOCKS5 greeting of exactly its size', 'client', bytes(5, 1, 0), 9999, { kind: 'socks5', strong: true }],
    ['SOCKS5 greeting followed by more bytes: not a greeting', 'client', bytes(5, 1, 0, 7, 7), 9999, null],
    ['SOCKS4 request', 'client', CASES[3]!.input, 9999, { kind: 'socks4', strong: true }],
    ['PostgreSQL SSLRequest', 'client', bytes(0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f), 9999, { kind: 'postgres', strong: true }],
    ['LDAP StartTLS', 'client', CASES.find((c) => c.name.startsWith('LDAP StartTLS'))!.input, 9999, { kind: 'ldap', strong: true }],
    ['SMTP greeting on 25', 'server', text('220 mail.example.com ESMTP\r\n'), 25, { kind: 'smtp', strong: false }],
    ['FTP greeting on 21', 'server', text('220 (vsFTPd 3.0.3)\r\n'), 21, { kind: 'ftp', strong: false }],
    ['IMAP greeting', 'server', text('* OK ready\r\n'), 143, { kind: 'imap', strong: false }],
    ['POP3 greeting', 'server', text('+OK Dovecot ready.\r\n'), 110, { kind: 'pop3', strong: false }],
    ['MySQL greeting', 'server', CASES.find((c) => c.name.startsWith('MySQL HandshakeV10'))!.input, 9999, { kind: 'mysql', strong: true }],
    ['an HTTP GET is no preamble', 'client', text('GET / HTTP/1.1\r\n\r\n'), 8080, null],
    ['an SSH banner is no preamble', 'server', text('SSH-2.0-OpenSSH_9.2\r\n'), 22, null],
  ];
  for (const [name, side, b, port, want] of rows) it(name, () => assert.deepEqual(recognisePreamble(side, b, port), want));
});
