// Proxy dialogues: HTTP CONNECT (RFC 9110 §9.3.6), SOCKS4/4a, SOCKS5 (RFC 1928) with
// username/password (RFC 1929). Each reads one message at a time and says when the
// tunnel is up; what the proxy answered decides the TunnelResult.

import type { Side } from '../engine/types.js';
import { socksCommandName, socksMethodName, socksReply, socksStatus, type SocksOutcome } from '../registry/socks.js';
import { chunkedBodySize, connectTarget, decodeHttpHead, header, requestBody, responseBody, type BodyLength, type HttpRequestHead, type HttpResponseHead } from './http.js';
import { clip, type Dialogue, type DialogueHost, type MessageSeen, type ReadResult } from './dialogue.js';
import {
  decodeSocks4Reply, decodeSocks4Request, decodeSocks5AuthReply, decodeSocks5AuthRequest, decodeSocks5Greeting,
  decodeSocks5MethodSelection, decodeSocks5Reply, decodeSocks5Request, hostPort,
} from './socks.js';
import type { TunnelResult } from './state.js';

/** Bytes of a chunked body held to find its end before giving up. */
const MAX_CHUNKED_BODY = 64 * 1024;

/** Response headers kept as evidence (their values say which proxy answered and why). */
const EVIDENCE_HEADERS = ['via', 'server', 'proxy-agent', 'proxy-authenticate', 'x-squid-error', 'x-cache', 'proxy-status', 'connection'];

/** What an HTTP proxy's non-2xx answer to CONNECT means. */
export function connectRefusal(res: HttpResponseHead): TunnelResult {
  const s = res.status;
  const squid = header(res, 'x-squid-error') ?? '';
  const text = `${res.reason} ${squid}`;
  if (s === 407) return 'auth-required';
  if (/ERR_(CONNECT_FAIL|DNS_FAIL|READ_TIMEOUT|CONNECT_TIMEOUT|GATEWAY_FAILURE|CANNOT_FORWARD)/.test(squid) || /unable to connect|could not connect|connection refused|timed? ?out|unreachable/i.test(res.reason)) return 'upstream-failed';
  if (s === 403 || /ERR_ACCESS_DENIED/.test(squid)) return 'denied';
  if (s === 502 || s === 503 || s === 504) return 'upstream-failed';
  if (s === 405 || s === 501 || /plain HTTP request was sent to HTTPS port/i.test(text)) return 'not-a-proxy';
  return 'failed';
}

export class HttpConnectDialogue implements Dialogue {
  /** The request waiting for its answer (null: the client may send the next one). */
  private asked: HttpRequestHead | null = null;
  /** Server: a response body still to skip. */
  private body: BodyLength | null = null;
  private bodyLeft = 0;
  /** Client: a request body to skip (a plain request's POST body). */
  private clientBodyLeft = 0;

  constructor(private readonly host: DialogueHost) {}

  read(from: Side, bytes: Uint8Array, seen: (size: number) => MessageSeen): ReadResult {
    return from === 'client' ? this.client(bytes, seen) : this.server(bytes, seen);
  }

  closed(from: Side): void {
    if (from === 'server' && this.body?.kind === 'until-close') this.body = null;
  }

  private client(bytes: Uint8Array, seen: (size: number) => MessageSeen): ReadResult {
    const st = this.host.state;
    if (this.clientBodyLeft > 0) {
      const n = Math.min(this.clientBodyLeft, bytes.length);
      this.clientBodyLeft -= n;
      return n;
    }
    if (this.asked) return 'wait'; // the answer decides what these bytes are
    const r = decodeHttpHead(bytes);
    if (r.status === 'incomplete') return 'wait';
    if (r.status === 'invalid') return { error: `the client's request: ${r.error.message}` };
    const req = r.value;
    if (req.kind !== 'request') return { error: 'the client sent an HTTP response' };
    const at = seen(r.size);
    if (req.method !== 'CONNECT') {
      // A plain request through a forward proxy ("GET http://host/ HTTP/1.1"): no tunnel.
      this.host.said('client', at, `${req.method} ${clip(targetForDisplay(req.target), 80)} ${req.version}`, 'a plain HTTP request, not a tunnel');
      if (st.attempts === 0) this.host.end('plain-request');
      else this.host.end(st.result);
      return r.size;
    }
    st.attempts++;
    const t = connectTarget(req.target);
    st.targetHost = t?.host ?? null;
    st.targetPort = t?.port ?? null;
    st.target = t ? hostPort(t.host, t.port) : clip(req.target, 200);
    const auth = header(req, 'proxy-authorization');
    if (auth !== null) st.credentials = { what: `Proxy-Authorization: ${auth}`, frame: at.frame };
    const step = this.host.said('client', at, `CONNECT ${st.target} ${req.version}`, auth !== null ? `with Proxy-Authorization (${auth})` : 'without Proxy-Authorization');
    st.request = step;
    st.result = 'pending';
    this.asked = req;
    const b = requestBody(req);
    if (b.kind === 'length') this.clientBodyLeft = b.bytes;
    return r.size;
  }

  private server(bytes: Uint8Array, seen: (size: number) => MessageSeen): ReadResult {
    const st = this.host.state;
    if (this.body) return this.skipBody(bytes);
    const r = decodeHttpHead(bytes);
    if (r.status === 'incomplete') return 'wait';
    if (r.status === 'invalid' || r.value.kind !== 'response') {
      if (!this.asked) return { error: "the server's bytes are not an HTTP response" };
      // A CONNECT answered by something that is not an HTTP proxy (a TLS server's alert, an SSH banner...).
      const at = seen(bytes.length);
      st.answer = this.host.said('server', at, describeNonHttp(bytes), 'the answer to CONNECT is not HTTP');
      st.status = null;
      this.host.end('not-a-proxy');
      return bytes.length;
    }
    const res = r.value;
    const at = seen(r.size);
    for (const h of res.headers) if (EVIDENCE_HEADERS.includes(h.name.toLowerCase())) this.host.note(h.name, clip(h.value, 160), at.frame);
    const line = `${res.version} ${res.status}${res.reason ? ' ' + clip(res.reason, 80) : ''}`;
    if (!this.asked) {
      this.host.said('server', at, line, 'a response with no request before it');
      return r.size;
    }
    if (res.status >= 100 && res.status < 200) {
      this.host.said('server', at, line);
      return r.size;
    }
    st.answer = this.host.said('server', at, line);
    st.status = String(res.status);
    const method = this.asked.method;
    this.asked = null;
    if (res.status >= 200 && res.status < 300) {
      this.host.switchSide('server');
      this.host.switchSide('client');
      this.host.establish(at, st.status);
      return r.size;
    }
    st.result = connectRefusal(res);
    const body = responseBody(res, method);
    if (body.kind !== 'none' && body.kind !== 'tunnel') {
      this.body = body;
      this.bodyLeft = body.kind === 'length' ? body.bytes : 0;
    }
    return r.size;
  }

  private skipBody(bytes: Uint8Array): ReadResult {
    const b = this.body!;
    if (b.kind === 'until-close') return bytes.length;
    if (b.kind === 'length') {
      const n = Math.min(this.bodyLeft, bytes.length);
      this.bodyLeft -= n;
      if (this.bodyLeft === 0) this.body = null;
      return n;
    }
    const r = chunkedBodySize(bytes);
    if (r.status === 'ok') {
      this.body = null;
      return r.size;
    }
    if (r.status === 'invalid') return { error: `the proxy's chunked body: ${r.error.message}` };
    if (bytes.length > MAX_CHUNKED_BODY) return { error: `a chunked body longer than ${MAX_CHUNKED_BODY} bytes` };
    return 'wait';
  }
}

/** An absolute URI without its user info (user:password@). */
function targetForDisplay(target: string): string {
  return target.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@]*@/, '$1');
}

/** What a non-HTTP answer looks like: "a TLS alert record", "an SSH banner", "12 bytes of binary data". */
export function describeNonHttp(b: Uint8Array): string {
  if (b.length >= 5 && b[0]! >= 20 && b[0]! <= 23 && b[1] === 3) return b[0] === 21 ? 'a TLS alert record' : 'TLS records';
  if (b.length >= 4 && b[0] === 0x53 && b[1] === 0x53 && b[2] === 0x48 && b[3] === 0x2d) return 'an SSH banner';
  return `${b.length} bytes that are not an HTTP response`;
}

/** SOCKS outcome → tunnel result. */
const SOCKS_RESULT: Record<SocksOutcome, TunnelResult> = {
  granted: 'established',
  denied: 'denied',
  upstream: 'upstream-failed',
  auth: 'auth-required',
  unsupported: 'failed',
  failure: 'failed',
};

export class Socks4Dialogue implements Dialogue {
  private asked = false;

  constructor(private readonly host: DialogueHost) {}

  read(from: Side, bytes: Uint8Array, seen: (size: number) => MessageSeen): ReadResult {
    const st = this.host.state;
    if (from === 'client') {
      if (this.asked) return 'wait';
      const r = decodeSocks4Request(bytes);
      if (r.status === 'incomplete') return 'wait';
      if (r.status === 'invalid') return { error: r.error.message };
      const q = r.value;
      st.kind = q.socks4a ? 'socks4a' : 'socks4';
      st.targetHost = q.host;
      st.targetPort = q.port;
      st.target = hostPort(q.host, q.port);
      st.attempts++;
      if (q.userIdLength > 0) st.credentials = { what: `a SOCKS4 user id (${q.userIdLength} bytes)`, frame: seen(r.size).frame };
      st.request = this.host.said('client', seen(r.size), `SOCKS${q.socks4a ? '4a' : '4'} ${socksCommandName(q.command)} ${st.target}`, q.userIdLength > 0 ? `user id of ${q.userIdLength} bytes` : 'empty user id');
      st.result = 'pending';
      this.asked = true;
      return r.size;
    }
    if (!this.asked) return 'wait';
    const r = decodeSocks4Reply(bytes);
    if (r.status === 'incomplete') return 'wait';
    if (r.status === 'invalid') return this.notSocks(bytes, seen, r.error.message);
    const info = socksReply(4, r.value.code);
    const at = seen(r.size);
    st.status = socksStatus(4, r.value.code);
    st.answer = this.host.said('server', at, `SOCKS4 reply 0x${r.value.code.toString(16)}: ${info.name}`, info.meaning);
    this.asked = false;
    if (info.outcome === 'granted') {
      this.host.switchSide('server');
      this.host.switchSide('client');
      this.host.establish(at, st.status);
    } else this.host.end(SOCKS_RESULT[info.outcome]);
    return r.size;
  }

  private notSocks(bytes: Uint8Array, seen: (size: number) => MessageSeen, why: string): ReadResult {
    const st = this.host.state;
    st.answer = this.host.said('server', seen(bytes.length), `${describeNonHttp(bytes).replace('not an HTTP response', 'not a SOCKS reply')}`, why);
    this.host.end('not-a-proxy');
    return bytes.length;
  }
}

type Socks5Phase = 'greeting' | 'method' | 'auth' | 'auth-reply' | 'request' | 'reply' | 'done';

export class Socks5Dialogue implements Dialogue {
  /** What is expected next: client messages at 'greeting' | 'auth' | 'request', server at 'method' | 'auth-reply' | 'reply'. */
  private phase: Socks5Phase = 'greeting';
  private offered: number[] = [];

  constructor(private readonly host: DialogueHost) {}

  read(from: Side, bytes: Uint8Array, seen: (size: number) => MessageSeen): ReadResult {
    const clientTurn = this.phase === 'greeting' || this.phase === 'auth' || this.phase === 'request';
    if ((from === 'client') !== clientTurn) return 'wait';
    const st = this.host.state;
    switch (this.phase) {
      case 'greeting': {
        const r = decodeSocks5Greeting(bytes);
        if (r.status === 'incomplete') return 'wait';
        if (r.status === 'invalid') return { error: r.error.message };
        this.offered = r.value.methods;
        this.host.said('client', seen(r.size), `SOCKS5 greeting: ${this.offered.map(socksMethodName).join(', ')}`);
        this.phase = 'method';
        return r.size;
      }
      case 'method': {
        const r = decodeSocks5MethodSelection(bytes);
        if (r.status === 'incomplete') return 'wait';
        if (r.status === 'invalid') return this.notSocks(bytes, seen, r.error.message);
        const m = r.value.method;
        const at = seen(r.size);
        const step = this.host.said('server', at, `SOCKS5 method: ${socksMethodName(m)}`);
        if (m === 0xff) {
          st.answer = step;
          st.status = socksStatus(5, 0xff).replace('socks5', 'socks5-method');
          this.host.note('offered methods', this.offered.map(socksMethodName).join(', '), at.frame);
          this.host.end('auth-required');
        } else if (m === 0x02) this.phase = 'auth';
        else if (m === 0x00) this.phase = 'request';
        else {
          // GSSAPI and others: the rest of the dialogue is encapsulated; nothing more can be read.
          st.answer = step;
          st.status = `socks5-method:0x${m.toString(16).padStart(2, '0')}`;
          this.host.note('method', socksMethodName(m), at.frame);
          this.host.end(st.result);
        }
        return r.size;
      }
      case 'auth': {
        const r = decodeSocks5AuthRequest(bytes);
        if (r.status === 'incomplete') return 'wait';
        if (r.status === 'invalid') return { error: r.error.message };
        const at = seen(r.size);
        st.credentials = { what: 'a SOCKS5 username and password (RFC 1929)', frame: at.frame };
        this.host.said('client', at, 'SOCKS5 username/password authentication', `user name of ${r.value.usernameLength} bytes, password of ${r.value.passwordLength} bytes (withheld)`);
        this.phase = 'auth-reply';
        return r.size;
      }
      case 'auth-reply': {
        const r = decodeSocks5AuthReply(bytes);
        if (r.status === 'incomplete') return 'wait';
        if (r.status === 'invalid') return this.notSocks(bytes, seen, r.error.message);
        const at = seen(r.size);
        const good = r.value.status === 0;
        const step = this.host.said('server', at, `SOCKS5 authentication ${good ? 'accepted' : `failed (status 0x${r.value.status.toString(16).padStart(2, '0')})`}`);
        if (good) this.phase = 'request';
        else {
          st.answer = step;
          st.status = `socks5-auth:0x${r.value.status.toString(16).padStart(2, '0')}`;
          this.host.end('auth-required');
        }
        return r.size;
      }
      case 'request': {
        const r = decodeSocks5Request(bytes);
        if (r.status === 'incomplete') return 'wait';
        if (r.status === 'invalid') return { error: r.error.message };
        const q = r.value;
        st.targetHost = q.host;
        st.targetPort = q.port;
        st.target = hostPort(q.host, q.port);
        st.attempts++;
        st.request = this.host.said('client', seen(r.size), `SOCKS5 ${socksCommandName(q.command)} ${st.target}`, q.type === 3 ? 'by host name (the proxy resolves it)' : q.type === 4 ? 'by IPv6 address' : 'by IPv4 address (the client resolved the name itself)');
        if (q.type !== 3) this.host.note('address', 'the client resolved the host name itself and sent an address', st.request.frame);
        st.result = 'pending';
        this.phase = 'reply';
        return r.size;
      }
      case 'reply': {
        const r = decodeSocks5Reply(bytes);
        if (r.status === 'incomplete') return 'wait';
        if (r.status === 'invalid') return this.notSocks(bytes, seen, r.error.message);
        const info = socksReply(5, r.value.code);
        const at = seen(r.size);
        st.status = socksStatus(5, r.value.code);
        st.answer = this.host.said('server', at, `SOCKS5 reply 0x${r.value.code.toString(16).padStart(2, '0')}: ${info.name}`, info.meaning);
        this.phase = 'done';
        if (info.outcome === 'granted') {
          this.host.switchSide('server');
          this.host.switchSide('client');
          this.host.establish(at, st.status);
        } else this.host.end(SOCKS_RESULT[info.outcome]);
        return r.size;
      }
      default:
        return 'wait';
    }
  }

  private notSocks(bytes: Uint8Array, seen: (size: number) => MessageSeen, why: string): ReadResult {
    const st = this.host.state;
    st.answer = this.host.said('server', seen(bytes.length), describeNonHttp(bytes).replace('not an HTTP response', 'not a SOCKS5 reply'), why);
    this.host.end('not-a-proxy');
    return bytes.length;
  }
}
