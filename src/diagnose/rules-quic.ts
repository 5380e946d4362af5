// QUIC rules: the quic.* verdicts of the contract, read off the QUIC layer's facts
// (quic/state.ts). A CONNECTION_CLOSE whose error is a TLS alert (CRYPTO_ERROR 0x0100+N) is
// left to the TLS rules, which read it as the alert it is; annotateQuic() then names the
// QUIC frame in their evidence.

import { applicationErrorName, cryptoAlert, isReservedQuicVersion, quicErrorName, quicVersionName } from '../registry/quic.js';
import { alertLabel } from '../registry/tls-alerts.js';
import { cipherSuiteName } from '../registry/tls-ciphers.js';
import { quicApplication, type QuicState, transportParametersOf } from '../quic/state.js';
import { decodeTransportParameters, transportParameterProblems } from '../quic/transport-params.js';
import type { Diagnosis } from './diagnose.js';
import type { DiagnosisInput } from './input.js';
import { endpointText, rel } from './tcp-facts.js';
import type { Hit, Rule } from './types.js';

/** Client Initials this far apart with nothing back: the path drops UDP. */
export const QUIC_SILENCE_SECONDS = 1;

const at = (input: DiagnosisInput, frame: number, time: number): string => `frame ${frame} (${rel(input.conn, time)})`;

function quicOf(input: DiagnosisInput): QuicState | null {
  return input.quic ?? null;
}

/** The version used, and how it was reached when the server moved the client to another. */
function versionStory(q: QuicState): string {
  const first = q.version ?? 1;
  const used = q.negotiatedVersion ?? first;
  if (used === first) return quicVersionName(used);
  const how = q.versionNegotiation ? 'after a Version Negotiation packet' : 'the server moved it by compatible version negotiation, RFC 9368';
  return `${quicVersionName(used)} (the client started in ${quicVersionName(first)}; ${how})`;
}

const serverSilent = (q: QuicState): boolean => Object.values(q.counts.server).every((n) => n === 0);

export const quicOk: Rule<DiagnosisInput> = {
  code: 'quic.ok',
  description: 'the QUIC handshake completed (HANDSHAKE_DONE, the client Finished, or 1-RTT traffic both ways)',
  outcome: 'completed',
  test(input) {
    const q = quicOf(input);
    if (!q?.completed) return null;
    const tls = input.tls;
    const alpn = tls?.encryptedExtensions?.value.alpn ?? null;
    return {
      confidence: q.handshakeDone || tls?.completed ? 'certain' : 'likely',
      summary: `The QUIC handshake completed: ${versionStory(q)}${tls?.cipherSuite != null ? `, TLS 1.3 with ${cipherSuiteName(tls.cipherSuite)}` : ''}${alpn ? `, ALPN ${alpn}` : ''} (${q.completedBy}).`,
      evidence: [
        `frame ${q.clientInitialFrames[0] ?? input.conn.firstFrame}: the client's Initial${tls?.clientHello?.hello.ext.serverName ? ` for "${tls.clientHello.hello.ext.serverName}"` : ''}`,
        ...(q.handshakeDone ? [`${at(input, q.handshakeDone.frame, q.handshakeDone.time)}: HANDSHAKE_DONE from the server`] : []),
        `${q.counts.client.one_rtt} client and ${q.counts.server.one_rtt} server 1-RTT packets`,
      ],
      fixes: [],
      cutFrame: null,
      closedBy: null,
      closeKind: null,
      stage: q.stage,
    };
  },
};

export const quicVersionMismatch: Rule<DiagnosisInput> = {
  code: 'quic.version_mismatch',
  description: 'Version Negotiation without a version both sides speak',
  outcome: 'failed',
  test(input) {
    const q = quicOf(input);
    const vn = q?.versionNegotiation;
    if (!q || !vn || q.completed) return null;
    const common = q.clientVersions.filter((v) => vn.versions.includes(v));
    if (common.length > 0) return null;
    const offered = q.clientVersions.map(quicVersionName).join(', ') || 'an unknown version';
    // A reserved version in the list only greases negotiation: nobody "speaks" it.
    const real = vn.versions.filter((v) => !isReservedQuicVersion(v));
    const greased = vn.versions.length - real.length;
    const speaks = real.length ? real.map(quicVersionName).join(', ') : 'no real version';
    return {
      confidence: 'certain',
      summary: `No QUIC version in common: the client's Initial used ${offered}; the server answered with Version Negotiation listing ${speaks}${greased ? ` (and ${greased === 1 ? 'a reserved version, which only exercises' : `${greased} reserved versions, which only exercise`} negotiation)` : ''}, and the client never tried one of them.`,
      evidence: [
        `frame ${q.clientInitialFrames[0] ?? input.conn.firstFrame}: the client's Initial, ${offered}`,
        `${at(input, vn.frame, vn.time)}: Version Negotiation from the server: ${vn.versions.map(quicVersionName).join(', ')}`,
        ...(q.clientVersions.length > 0 && q.clientVersions.every(isReservedQuicVersion) ? [`the client's version is itself a reserved one: a client that greases negotiation must then pick a version from the list, and this one did not`] : []),
      ],
      fixes: [
        `Let the client use a version the server speaks (${speaks}): update it (a current browser, curl with HTTP/3${real.length ? `, ngtcp2 --preferred-versions ${real.map((v) => '0x' + v.toString(16).padStart(8, '0')).join(',')}` : ''})`,
        `Or make the server accept the client's version: update the QUIC library of the server (nginx 1.25+ speaks v1; quic-go, quiche, ngtcp2 speak v1 and v2)`,
        `Clients fall back to TCP (HTTP/2 over TLS) when QUIC fails: check that the TCP path works meanwhile`,
      ],
      cutFrame: vn.frame,
      closedBy: 'server',
      closeKind: null,
      stage: 'server_initial',
    };
  },
};

export const quicRetryLoop: Rule<DiagnosisInput> = {
  code: 'quic.retry_loop',
  description: 'Retry answered by Initials that never satisfy the server',
  outcome: 'failed',
  test(input) {
    const q = quicOf(input);
    if (!q || q.completed || q.retries.length < 2 || q.counts.server.handshake > 0 || q.counts.server.one_rtt > 0) return null;
    const bad = q.retries.filter((r) => !r.tagValid).length;
    return {
      confidence: 'likely',
      summary: `The server kept answering with Retry (${q.retries.length} times): the client's Initials with the token never satisfied it${bad ? `, and ${bad} of the Retry packets fail their integrity check` : ''}. The token does not validate where the server checks it (another instance behind a load balancer, or the client's address changed since the Retry: NAT rebinding).`,
      evidence: [
        ...q.retries.slice(0, 4).map((r) => `${at(input, r.frame, r.time)}: Retry with a ${r.tokenLength}-byte token (integrity tag ${r.tagValid ? 'valid' : 'INVALID'})`),
        `${q.clientInitialFrames.length} client Initials in frames ${q.clientInitialFrames.slice(0, 8).join(', ')}`,
      ],
      fixes: [
        'Behind a load balancer, every server instance must accept the others\' Retry tokens: share the token key (or route by connection ID, RFC 9312), or let only the load balancer send Retry',
        'If a NAT in front of the clients rebinds UDP ports quickly, address-validating tokens fail: disable Retry (nginx: `quic_retry off;`) or raise the NAT\'s UDP timeout',
      ],
      cutFrame: q.retries[q.retries.length - 1]!.frame,
      closedBy: 'server',
      closeKind: null,
      stage: 'server_initial',
    };
  },
};

/** TRANSPORT_PARAMETER_ERROR: what in the peer's parameters RFC 9000 forbids, when they can be read. */
function peerParameterProblems(input: DiagnosisInput, c: QuicState['closes'][number]): string[] {
  if (c.app || c.errorCode !== 0x08) return [];
  const peer = c.from === 'server' ? 'client' : 'server';
  const raw = transportParametersOf(input.tls, peer);
  if (!raw) return [`the ${peer}'s transport parameters ${peer === 'server' ? 'are encrypted (a key log would show them)' : 'were not seen'}`];
  const problems = transportParameterProblems(decodeTransportParameters(raw).parameters, peer);
  return problems.length ? problems.map((p) => `the ${peer}'s transport parameters break RFC 9000 §18.2: ${p}`) : [`the ${peer}'s transport parameters look valid to this tool: the ${c.from} applies a rule of its own`];
}

export const quicNoResponse: Rule<DiagnosisInput> = {
  code: 'quic.no_response',
  description: "the client's Initials were retransmitted and nothing came back: UDP to that port is blocked on the path",
  outcome: 'failed',
  test(input) {
    const q = quicOf(input);
    if (!q || !serverSilent(q)) return null;
    const frames = q.clientInitialFrames;
    const waited = input.conn.lastTime - input.conn.startTime;
    if (frames.length < 2 && waited < QUIC_SILENCE_SECONDS) return null;
    const port = input.conn.server.endpoint.port;
    // RFC 9000 §14.1: a server drops a client Initial in a datagram smaller than 1200 bytes
    const initials = q.packets.filter((p) => p.from === 'client' && (p.kind === 'initial' || p.kind === 'unknown'));
    const largest = Math.max(0, ...initials.map((p) => p.size));
    if (initials.length > 0 && largest < 1200) {
      return {
        confidence: 'likely',
        summary: `Nothing came back, and the client's Initials are too small to be answered: ${initials.length} datagram${initials.length === 1 ? '' : 's'} of at most ${largest} bytes, while a server must drop a client Initial in a datagram under 1200 bytes (RFC 9000 §14.1).`,
        evidence: [
          ...initials.slice(0, 6).map((p, i) => `frame ${p.frame}: the client's Initial${i === 0 ? '' : ' again'}, a UDP payload of ${p.size} bytes (under 1200)`),
          'no packet at all from the server in the capture',
        ],
        fixes: [
          'Let the client pad its Initials to 1200 bytes: a client setting or bug caps its datagram size (ngtcp2 --max-udp-payload-size, quic-go MaxPacketSize, an MTU below 1280 on the client\'s interface); QUIC cannot run over a path that does not carry 1200-byte datagrams',
          `Check the client's interface MTU: ip link show (QUIC needs an IPv4 MTU of at least 1228, IPv6 1248)`,
          'Clients fall back to TCP (HTTP/2 over TLS) when QUIC fails: check that the TCP path works meanwhile',
        ],
        cutFrame: frames[frames.length - 1] ?? input.conn.lastFrame,
        closedBy: input.openAtEnd ? null : 'client',
        closeKind: input.openAtEnd ? null : 'timeout',
        stage: 'initial',
      };
    }
    return {
      confidence: 'likely',
      summary: `Nothing came back: the client sent ${frames.length} Initial${frames.length === 1 ? '' : 's'} to ${endpointText(input.conn, 'server')} over ${waited.toFixed(1)} s and got no QUIC packet and no ICMP error: UDP ${port} is blocked (dropped) on the path, or nothing listens and the host drops silently. Clients then fall back to TCP (HTTP/2 over TLS).`,
      evidence: [
        ...frames.slice(0, 6).map((f, i) => `frame ${f}: the client's Initial${i === 0 ? '' : ' again (retransmission)'}`),
        'no packet at all from the server in the capture',
      ],
      fixes: [
        `Open UDP ${port} on the path and on the server: nft add rule inet filter input udp dport ${port} accept (iptables -A INPUT -p udp --dport ${port} -j ACCEPT); cloud security groups and corporate firewalls often allow only TCP 443`,
        `Check that the server listens on UDP: ss -lunp | grep :${port} (nginx: \`listen ${port} quic reuseport;\` next to \`listen ${port} ssl;\`, and \`add_header Alt-Svc 'h3=":${port}"';\`)`,
        'Browsers remember a failed QUIC attempt and use TCP for a while: the site works, only slower to connect; curl --http3-only shows the failure',
      ],
      cutFrame: frames[frames.length - 1] ?? input.conn.lastFrame,
      closedBy: input.openAtEnd ? null : 'client',
      closeKind: input.openAtEnd ? null : 'timeout',
      stage: 'initial',
    };
  },
};

export const quicConnectionClosed: Rule<DiagnosisInput> = {
  code: 'quic.connection_closed',
  description: 'CONNECTION_CLOSE during the handshake (a TLS alert in it is read as the tls.* verdict it is)',
  outcome: 'failed',
  test(input) {
    const q = quicOf(input);
    const c = q?.closes[0];
    if (!q || !c || q.completed) return null;
    const alert = c.app ? null : cryptoAlert(c.errorCode);
    const name = c.app ? applicationErrorName(c.errorCode, quicApplication(input.tls)) : quicErrorName(c.errorCode);
    const problems = peerParameterProblems(input, c);
    const broken = problems.filter((x) => x.includes('break RFC 9000')).map((x) => x.replace(/^.*§18\.2: /, ''));
    const hit: Hit = {
      confidence: 'certain',
      summary: `The ${c.from} closed the QUIC connection during the handshake with ${name}${alert !== null ? ` (TLS alert ${alertLabel(alert)})` : ''}${c.reason ? `: "${c.reason.slice(0, 100)}"` : ''}.`,
      evidence: [
        `${at(input, c.frame, c.time)}: CONNECTION_CLOSE from the ${c.from} in a${c.level === 'initial' ? 'n Initial' : c.level === 'handshake' ? ' Handshake' : ' 1-RTT'} packet: ${name}${c.frameType !== null && c.frameType !== 0 ? ` (triggered by frame type 0x${c.frameType.toString(16)})` : ''}${c.reason ? `, reason "${c.reason.slice(0, 200)}"` : ''}`,
        ...problems,
      ],
      fixes: [...(broken.length ? [`Correct the ${c.from === 'server' ? 'client' : 'server'}'s QUIC settings: ${broken.join('; ')} (RFC 9000 §18.2); the value usually comes from a tuning option of its QUIC library`] : []), ...closeFixes(c.errorCode, c.app, c.from)],
      cutFrame: c.frame,
      closedBy: c.from,
      closeKind: null,
      stage: q.stage,
    };
    return hit;
  },
};

function closeFixes(code: number, app: boolean, from: string): string[] {
  if (app) return [`The ${from}'s application (HTTP/3) refused the connection: its logs say why`];
  const by: Record<number, string> = {
    0x02: 'The server refused the connection (CONNECTION_REFUSED): it is overloaded or rejects this client; check its QUIC connection limits and logs',
    0x08: 'A transport parameter was refused (TRANSPORT_PARAMETER_ERROR): the two QUIC stacks disagree; update the older one',
    0x0a: 'A protocol violation was detected (PROTOCOL_VIOLATION): one side (or a middlebox rewriting packets) breaks RFC 9000; capture at both ends and update the offending stack',
    0x0b: 'The Retry/NEW_TOKEN token was refused (INVALID_TOKEN): see the Retry setup of the server (shared token keys behind a load balancer)',
    0x11: 'Version negotiation failed (VERSION_NEGOTIATION_ERROR): update the client or the server to a common QUIC version',
  };
  return [by[code] ?? `The ${from} closed with ${quicErrorName(code)}: its QUIC logs (qlog) say why`, 'Clients fall back to TCP when QUIC fails: check the TCP path meanwhile'];
}

/** Rules that come first for a QUIC connection; TLS alerts (crypto errors) follow through the TLS rules. */
export const QUIC_RULES_FIRST: Rule<DiagnosisInput>[] = [quicOk, quicVersionMismatch, quicRetryLoop, quicNoResponse];

/** A non-crypto CONNECTION_CLOSE: after the TLS rules (which take the crypto errors). */
export const QUIC_RULES_LAST: Rule<DiagnosisInput>[] = [quicConnectionClosed];

/** A TLS verdict on a QUIC connection names the QUIC frame that carried the alert. */
export function annotateQuic(d: Diagnosis, input: DiagnosisInput): void {
  const q = input.quic;
  if (!q || !d.verdict.code.startsWith('tls.')) return;
  d.verdict.summary = d.verdict.summary.replace(/\.$/, '') + ' (over QUIC).';
  const c = q.closes.find((x) => !x.app && cryptoAlert(x.errorCode) !== null);
  if (c) d.verdict.evidence.push(`${at(input, c.frame, c.time)}: the alert travelled as a QUIC CONNECTION_CLOSE with ${quicErrorName(c.errorCode)} (0x0100 + alert ${cryptoAlert(c.errorCode)}) from the ${c.from}`);
  d.stage = q.stage;
}
