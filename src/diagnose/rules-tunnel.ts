// Preamble rules: what a proxy's or server's answer before TLS says (the tunnel facts of
// tunnel/state.ts), and TLS sent straight to a proxy. They come after the TCP setup rules
// and before the TLS rules; once a tunnel is up, the TLS rules judge the tunnelled
// handshake and annotateTunnel() names the tunnel in their verdict.

import { PROXY_PORTS } from '../tunnel/detect.js';
import { isProxyKind, TUNNEL_KIND_NAMES, type TunnelState, type TunnelStep } from '../tunnel/state.js';
import { escapeForTerminal } from '../wire/text.js';
import type { Diagnosis } from './diagnose.js';
import {
  fixesInterceptionBehindProxy, fixesNotAProxy, fixesProxyAuth, fixesProxyDenied, fixesProxyUpstream, fixesStarttlsNotRequested,
  fixesStarttlsRefused, type ProxyTarget,
} from './fixes-tunnel.js';
import type { DiagnosisInput } from './input.js';
import { at } from './rules-cert.js';
import { endpointText, firstClose, who } from './tcp-facts.js';
import type { Hit, Rule } from './types.js';

/** A client that waited this long for a proxy's answer before giving up met a proxy stuck on its upstream. */
export const PROXY_WAIT_MIN_SECONDS = 2;

const q = (s: string): string => `"${escapeForTerminal(s)}"`;

function target(input: DiagnosisInput, t: TunnelState): ProxyTarget {
  const { ip, port } = input.conn.server.endpoint;
  return { proxy: ip, proxyPort: port, target: t.target, targetHost: t.targetHost, targetPort: t.targetPort };
}

const stepLine = (input: DiagnosisInput, s: TunnelStep): string => `${at(input, s.frame, s.time)}: ${who(s.from)}: ${escapeForTerminal(s.text)}`;

/** The preamble as evidence: every message up to the answer, the evidence headers, the close. */
function preambleEvidence(input: DiagnosisInput, t: TunnelState, upTo = t.answer?.frame ?? Infinity): string[] {
  const out = t.steps.filter((s) => s.frame <= upTo).slice(-8).map((s) => stepLine(input, s));
  for (const n of t.notes) out.push(`frame ${n.frame}: ${escapeForTerminal(n.name)}: ${escapeForTerminal(n.value)}`);
  if (t.credentials) out.push(`frame ${t.credentials.frame}: the client sent ${escapeForTerminal(t.credentials.what)}`);
  const close = firstClose(input.conn);
  if (close) out.push(`${at(input, close.frame, close.time)}: the ${who(close.side)} closed the connection (${close.kind.toUpperCase()})`);
  return out;
}

/** "HTTP CONNECT proxy 10.0.0.2:3128". */
const proxyName = (input: DiagnosisInput, t: TunnelState): string => `${TUNNEL_KIND_NAMES[t.kind]} ${endpointText(input.conn, 'server')}`;
const note = (t: TunnelState, name: string): string | null => t.notes.find((n) => n.name.toLowerCase() === name)?.value ?? null;

/** The close fields of a refusal: cut at the answer; closed by whoever closed first after it. */
function answerCut(input: DiagnosisInput, t: TunnelState): Pick<Hit, 'cutFrame' | 'closedBy' | 'closeKind' | 'stage'> {
  const close = firstClose(input.conn);
  return { cutFrame: t.answer?.frame ?? close?.frame ?? null, closedBy: close?.side ?? 'server', closeKind: close?.kind ?? null, stage: 'tunnel_request' };
}

const tunnelIs = (input: DiagnosisInput, ...results: TunnelState['result'][]): TunnelState | null => {
  const t = input.tunnel;
  return t && results.includes(t.result) ? t : null;
};

export const proxyAuthRequired: Rule<DiagnosisInput> = {
  code: 'proxy.auth_required',
  description: 'the proxy wants credentials (HTTP 407, SOCKS5 no acceptable method or a failed username/password)',
  outcome: 'failed',
  test(input) {
    const t = tunnelIs(input, 'auth-required');
    if (!t) return null;
    const name = proxyName(input, t);
    const challenge = note(t, 'proxy-authenticate');
    let summary: string;
    if (t.kind === 'http-connect') {
      summary = t.credentials
        ? `The ${name} rejected the client's credentials: it answered the CONNECT to ${t.target ?? 'the target'} with ${t.status} although the request carried Proxy-Authorization${t.attempts > 1 ? ` (${t.attempts} attempts)` : ''}.`
        : `The ${name} wants credentials: it answered the CONNECT to ${t.target ?? 'the target'} with ${t.status} Proxy Authentication Required, and the client sent none${challenge ? ` (it asks for ${escapeForTerminal(challenge)})` : ''}.`;
    } else if (t.status?.startsWith('socks5-method')) {
      summary = `The SOCKS5 proxy ${endpointText(input.conn, 'server')} accepts none of the authentication methods the client offered (${escapeForTerminal(note(t, 'offered methods') ?? 'see evidence')}): it requires credentials (username/password) the client did not offer.`;
    } else if (t.status?.startsWith('socks5-auth')) {
      summary = `The SOCKS5 proxy ${endpointText(input.conn, 'server')} rejected the client's user name and password (RFC 1929 status ${t.status.split(':')[1]}).`;
    } else summary = `The ${name} refused the client's identity (${t.answer ? escapeForTerminal(t.answer.text) : t.status}).`;
    return { confidence: 'certain', summary, evidence: preambleEvidence(input, t), fixes: fixesProxyAuth(target(input, t), t.kind, challenge), ...answerCut(input, t) };
  },
};

export const proxyDenied: Rule<DiagnosisInput> = {
  code: 'proxy.denied',
  description: 'the proxy refused the target (HTTP 403, SOCKS4 0x5B, SOCKS5 0x02)',
  outcome: 'failed',
  test(input) {
    const t = tunnelIs(input, 'denied');
    if (!t) return null;
    const socks4 = t.kind === 'socks4' || t.kind === 'socks4a';
    const squid = note(t, 'x-squid-error');
    return {
      confidence: socks4 ? 'likely' : 'certain',
      summary: socks4
        ? `The SOCKS4 proxy ${endpointText(input.conn, 'server')} refused the request to ${t.target ?? 'the target'} (reply 0x5b): its rules deny it, or it could not connect (SOCKS4 has one code for both; its log says which).`
        : `The ${proxyName(input, t)} refused to open a tunnel to ${t.target ?? 'the target'}: ${t.answer ? escapeForTerminal(t.answer.text) : t.status}${squid ? ` (${escapeForTerminal(squid)})` : ''}; its access rules deny this client or destination.`,
      evidence: preambleEvidence(input, t),
      fixes: fixesProxyDenied(target(input, t), t.kind),
      ...answerCut(input, t),
    };
  },
};

export const proxyUpstreamFailed: Rule<DiagnosisInput> = {
  code: 'proxy.upstream_failed',
  description: 'the proxy could not reach the target (HTTP 502/503/504, SOCKS5 0x03-0x05)',
  outcome: 'failed',
  test(input) {
    const t = input.tunnel;
    if (!t || !isProxyKind(t.kind)) return null;
    const squid = note(t, 'x-squid-error');
    if (t.result === 'upstream-failed') {
      const why = squid ?? (t.answer ? t.answer.text.replace(/^(HTTP\/\S+ \d+ |SOCKS\d reply 0x[0-9a-f]+: )/, '') : null);
      return {
        confidence: 'certain',
        summary: `The ${proxyName(input, t)} could not reach ${t.target ?? 'the target'}: ${t.answer ? escapeForTerminal(t.answer.text) : t.status}${squid ? ` (${escapeForTerminal(squid)})` : ''}. The client and the proxy are fine; the path from the proxy to the target is not.`,
        evidence: preambleEvidence(input, t),
        fixes: fixesProxyUpstream(target(input, t), t.kind, why ? escapeForTerminal(why) : null),
        ...answerCut(input, t),
      };
    }
    // The request went out and the proxy never answered: it was still trying the target when the client gave up.
    if (t.result !== 'pending' || !t.request || input.openAtEnd) return null;
    const close = firstClose(input.conn);
    const waited = (close?.time ?? input.conn.lastTime) - t.request.time;
    if (waited < PROXY_WAIT_MIN_SECONDS) return null;
    return {
      confidence: 'possible',
      summary: `The ${proxyName(input, t)} never answered the request for ${t.target ?? 'the target'}: after ${waited.toFixed(1)} s the ${close ? who(close.side) : 'client'} gave up. A proxy stays silent like this while its own connection to the target hangs (a target that drops SYNs).`,
      evidence: [...preambleEvidence(input, t), `no answer from the proxy in ${waited.toFixed(1)} s after the request`],
      fixes: fixesProxyUpstream(target(input, t), t.kind, 'no answer: the connection from the proxy probably timed out'),
      cutFrame: t.request.frame,
      closedBy: close?.side ?? 'client',
      closeKind: close?.kind ?? 'timeout',
      stage: 'tunnel_request',
    };
  },
};

/** TLS sent straight to a proxy port: the proxy answers in HTTP (400) or drops the connection. */
function tlsToProxy(input: DiagnosisInput): Hit | null {
  const tls = input.tls;
  const port = input.conn.server.endpoint.port;
  if (input.tunnel || !tls?.clientHello || !PROXY_PORTS.has(port) || tls.serverHello || tls.records.server.length > 0) return null;
  const answer = tls.notTls.server;
  const close = firstClose(input.conn);
  if (!answer && !(close && close.side === 'server')) return null;
  const socks = port === 1080;
  const ch = tls.clientHello;
  const sni = ch.hello.ext.serverName;
  const t: ProxyTarget = { proxy: input.conn.server.endpoint.ip, proxyPort: port, target: sni ? `${sni}:443` : null, targetHost: sni ?? null, targetPort: sni ? 443 : null };
  const answerText = answer ? (answer.firstLine !== null ? q(answer.firstLine.slice(0, 100)) : `${answer.preview.length} bytes that are not TLS`) : null;
  return {
    confidence: answer?.kind === 'http-response' ? 'certain' : 'likely',
    summary: `The client sent a TLS ClientHello${sni ? ` for ${q(sni)}` : ''} straight to port ${port}, a ${socks ? 'SOCKS' : 'HTTP'} proxy port: ${answer ? `the proxy answered ${answerText}` : 'the proxy closed the connection'}. The client was meant to use it as a proxy (CONNECT${socks ? ' or SOCKS' : ''}), not as a TLS server.`,
    evidence: [
      `${at(input, ch.frame, ch.time)}: ClientHello${sni ? ` for ${q(sni)}` : ''} sent directly to ${endpointText(input.conn, 'server')}`,
      ...(answer ? [`${at(input, answer.frame, answer.time)}: the server answered ${answerText}${answer.kind === 'http-response' ? ' (an HTTP proxy rejecting bytes it cannot parse)' : ''}`] : []),
      ...(close ? [`${at(input, close.frame, close.time)}: the ${who(close.side)} closed the connection (${close.kind.toUpperCase()})`] : []),
    ],
    fixes: fixesNotAProxy(t, 'tls-to-proxy', socks ? 'socks' : 'http'),
    cutFrame: answer?.frame ?? close?.frame ?? null,
    closedBy: close?.side ?? 'server',
    stage: 'client_hello',
  };
}

export const proxyNotAProxy: Rule<DiagnosisInput> = {
  code: 'proxy.not_a_proxy',
  description: 'TLS sent straight to a proxy port, or a proxy request sent to a server that is not a proxy',
  outcome: 'failed',
  test(input) {
    const direct = tlsToProxy(input);
    if (direct) return direct;
    const t = input.tunnel;
    if (!t) return null;
    const server = endpointText(input.conn, 'server');
    const close = firstClose(input.conn);
    if (t.result === 'pending' && isProxyKind(t.kind) && close?.side === 'server' && !t.steps.some((s) => s.from === 'server')) {
      // Closed without a word: a TLS server (or anything else) that dropped bytes it could not parse.
      return {
        confidence: 'likely',
        summary: `The client sent a proxy request (${t.request ? escapeForTerminal(t.request.text) : TUNNEL_KIND_NAMES[t.kind]}) to ${server}, which closed the connection without answering: it is not a proxy (a proxy answers, even to refuse).`,
        evidence: preambleEvidence(input, t, Infinity),
        fixes: fixesNotAProxy(target(input, t), 'connect-to-server', t.kind === 'http-connect' ? 'http' : 'socks'),
        cutFrame: close.frame,
        closedBy: 'server',
        closeKind: close.kind,
        stage: 'tunnel_request',
      };
    }
    if (t.result !== 'not-a-proxy') return null;
    const answer = t.answer ? escapeForTerminal(t.answer.text) : 'something else';
    const tlsServer = /TLS/.test(t.answer?.text ?? '') || /HTTPS port/i.test(t.answer?.text ?? '');
    return {
      confidence: 'certain',
      summary: `The client sent a proxy request (${t.request ? escapeForTerminal(t.request.text) : TUNNEL_KIND_NAMES[t.kind]}) to ${server}, which is not a proxy: it answered with ${answer}${tlsServer ? ' (a TLS server)' : ''}.`,
      evidence: preambleEvidence(input, t),
      fixes: fixesNotAProxy(target(input, t), 'connect-to-server', t.kind === 'http-connect' ? 'http' : 'socks'),
      ...answerCut(input, t),
    };
  },
};

export const starttlsRefused: Rule<DiagnosisInput> = {
  code: 'starttls.refused',
  description: 'the server refused STARTTLS (an error reply) or never offered it',
  outcome: 'failed',
  test(input) {
    const t = input.tunnel;
    if (!t || isProxyKind(t.kind)) return null;
    const server = endpointText(input.conn, 'server');
    const name = TUNNEL_KIND_NAMES[t.kind];
    if (t.result === 'starttls-refused') {
      return {
        confidence: 'certain',
        summary: `The server ${server} refused the upgrade to TLS (${name}): it answered ${t.request ? escapeForTerminal(t.request.text) : 'the request'} with ${t.answer ? q(t.answer.text) : t.status}${t.offered === false ? ', and never offered it' : ''}.`,
        evidence: preambleEvidence(input, t),
        fixes: fixesStarttlsRefused(t.kind, 'refused', server),
        ...answerCut(input, t),
      };
    }
    if (t.result === 'starttls-not-offered') {
      const offer = t.steps.find((s) => s.frame === t.offeredFrame);
      return {
        confidence: 'likely',
        summary: `The server ${server} does not offer TLS (${name}): ${offer ? `its answer in frame ${offer.frame} lists no upgrade` : 'it never offered the upgrade'}, so the client ${t.plaintextLogin || t.steps.some((s) => s.from === 'client' && s.frame > (t.offeredFrame ?? 0)) ? 'could not start TLS' : 'gave up'}. A misconfigured server, or a middlebox stripping the offer (a downgrade).`,
        evidence: preambleEvidence(input, t, Infinity),
        fixes: fixesStarttlsRefused(t.kind, 'not-offered', server),
        ...answerCut(input, t),
        cutFrame: t.offeredFrame ?? firstClose(input.conn)?.frame ?? null,
      };
    }
    if (t.result !== 'pending' || !t.request || input.openAtEnd) return null;
    const close = firstClose(input.conn);
    if (!close) return null;
    return {
      confidence: 'possible',
      summary: `The server ${server} never answered ${escapeForTerminal(t.request.text)} (${name}): the ${who(close.side)} closed the connection ${(close.time - t.request.time).toFixed(1)} s later.`,
      evidence: preambleEvidence(input, t, Infinity),
      fixes: fixesStarttlsRefused(t.kind, 'no-answer', server),
      cutFrame: t.request.frame,
      closedBy: close.side,
      closeKind: close.kind,
      stage: 'tunnel_request',
    };
  },
};

export const starttlsNotRequested: Rule<DiagnosisInput> = {
  code: 'starttls.not_requested',
  description: 'the server offered the upgrade to TLS, but the client went on in plain text',
  outcome: 'failed',
  test(input) {
    const t = tunnelIs(input, 'starttls-not-requested');
    if (!t) return null;
    const last = [...t.steps].reverse().find((s) => s.from === 'client');
    return {
      confidence: 'likely',
      summary: `No TLS: ${t.offered ? `the server offered ${TUNNEL_KIND_NAMES[t.kind]} (frame ${t.offeredFrame})` : 'the server could have upgraded'}, but the client went on in plain text${last ? ` (frame ${last.frame}: ${escapeForTerminal(last.text)})` : ''}${t.plaintextLogin ? ', credentials included' : ''}.`,
      evidence: preambleEvidence(input, t, Infinity),
      fixes: fixesStarttlsNotRequested(t.kind),
      cutFrame: last?.frame ?? null,
      closedBy: firstClose(input.conn)?.side ?? null,
      closeKind: firstClose(input.conn)?.kind ?? null,
      stage: 'tunnel_request',
    };
  },
};

/** A preamble port that carried something else: a plain proxied request, a session refused before any upgrade. */
export const tunnelOther: Rule<DiagnosisInput> = {
  code: 'unknown.other',
  description: 'a preamble port that carried no TLS: a plain HTTP request through the proxy, a server that refused the session',
  outcome: 'failed',
  test(input) {
    const t = input.tunnel;
    if (!t || input.tls || input.ssh) return null;
    const ended = !input.openAtEnd && firstClose(input.conn) !== null;
    if (!(t.result === 'plain-request' || t.result === 'server-refused' || (t.result === 'greeting' && ended) || (t.result === 'established' && t.inner === 'other'))) return null;
    const summary =
      t.result === 'plain-request'
        ? `Neither TLS nor SSH: a plain HTTP request through the proxy ${endpointText(input.conn, 'server')}, not a tunnel.`
        : t.result === 'server-refused'
          ? `Neither TLS nor SSH: the server ${endpointText(input.conn, 'server')} refused the session before any upgrade could be asked (${t.answer ? q(t.answer.text) : t.status}).`
          : t.result === 'established'
            ? `Neither TLS nor SSH: the tunnel to ${t.target ?? 'the target'} carried another protocol.`
            : `Neither TLS nor SSH: the ${TUNNEL_KIND_NAMES[t.kind].replace(/ (STARTTLS|STLS|AUTH TLS|StartTLS|SSLRequest|SSL)$/, '')} session ended before any upgrade was asked.`;
    return { confidence: 'certain', summary, evidence: preambleEvidence(input, t, Infinity), fixes: ['Nothing to diagnose at the TLS/SSH level; use --port to choose which ports are expected to carry TLS or SSH'], ...answerCut(input, t) };
  },
};

export const TUNNEL_RULES: Rule<DiagnosisInput>[] = [proxyAuthRequired, proxyDenied, proxyUpstreamFailed, proxyNotAProxy, starttlsRefused, starttlsNotRequested, tunnelOther];

/** The stage of a connection whose TLS never started: the preamble's. */
export function tunnelStage(t: TunnelState | null): string | null {
  if (!t) return null;
  return t.result === 'established' ? 'tunnel_established' : 'tunnel_request';
}

/**
 * A TLS (or SSH) verdict on a tunnelled handshake names the tunnel: in the summary, as
 * the first evidence lines, and (behind a proxy) with the interception fixes when the
 * chain was untrusted.
 */
export function annotateTunnel(d: Diagnosis, input: DiagnosisInput): void {
  const t = input.tunnel;
  if (!t || t.result !== 'established') return;
  const v = d.verdict;
  if (!v.code.startsWith('tls.') && !v.code.startsWith('ssh.')) return;
  const via = isProxyKind(t.kind)
    ? `through the ${TUNNEL_KIND_NAMES[t.kind]} ${endpointText(input.conn, 'server')} to ${t.target ?? 'the target'}`
    : `after ${TUNNEL_KIND_NAMES[t.kind]} on ${endpointText(input.conn, 'server')}`;
  v.summary = v.summary.replace(/\.$/, '') + ` (${via}).`;
  const pre = t.steps.filter((s) => s.frame <= (t.establishedFrame ?? 0)).slice(-4).map((s) => stepLine(input, s));
  v.evidence = [...pre, ...v.evidence];
  if (isProxyKind(t.kind) && (v.code === 'tls.cert_untrusted' || v.code === 'tls.cert_self_signed' || v.code === 'tls.cert_rejected')) {
    v.fixes = [...fixesInterceptionBehindProxy(target(input, t)), ...v.fixes];
  }
}
