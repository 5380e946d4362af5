// TCP-level rules: what can be said from SYNs, RSTs, FINs, retransmissions and
// acknowledgements alone, whatever protocol was (or was not) spoken.

import type { Connection } from '../engine/connection.js';
import { escapeForTerminal, latin1 } from '../wire/text.js';
import { classify, describeSpeech } from '../engine/detect.js';
import { icmpRejects } from '../net/decode.js';
import { fixCaptureMore, fixHostFirewall, fixListening, fixNetworkFirewall, fixReachability, fixStalled, fixTcpWrappers } from './fixes.js';
import { endpointText, firstClose, lossCutFrame, lossEvidence, rel, stalled, synEvidence, synSpan, SYN_TIMEOUT_MIN_SECONDS, who } from './tcp-facts.js';
import type { Hit, Rule } from './types.js';

/** The part of the diagnosis input TCP rules read. */
export interface BaseInput {
  conn: Connection;
  /** The input ended (or the capture stopped) while this connection was still open. */
  openAtEnd: boolean;
}

const server = (c: Connection) => c.server.endpoint;
const noPayload = (c: Connection) => c.client.payloadBytes === 0 && c.server.payloadBytes === 0;
const isSsh = (c: Connection) => c.server.endpoint.port === 22 || c.detected === 'ssh';

/** The first ICMP error that rejects the client's packets (port unreachable, administratively prohibited). */
const icmpRejection = (c: Connection) => c.icmp.find((e) => e.about === 'client' && icmpRejects(e.type, e.code));

export const tcpRefused: Rule<BaseInput> = {
  code: 'tcp.refused',
  description: 'the SYN was answered by a RST (or an ICMP port unreachable / prohibited): nothing listens, or a firewall rejects',
  outcome: 'failed',
  test({ conn }) {
    const c = conn;
    const icmp = c.server.rst ? undefined : icmpRejection(c);
    if (c.client.synFrames.length === 0 || c.server.synFrames.length > 0 || !(c.server.rst || icmp) || !noPayload(c)) return null;
    const { ip, port } = server(c);
    const retries = c.client.synFrames.length - 1;
    const after = retries > 0 ? ` (after ${retries} retransmission${retries > 1 ? 's' : ''})` : '';
    if (icmp) {
      const byServer = icmp.from === ip;
      return {
        confidence: 'certain',
        summary: `Connection refused: the SYN to ${endpointText(c, 'server')} was answered by an ${icmp.description.replace(/^ICMP(v6)? /, 'ICMP ')} from ${byServer ? 'the server itself' : `${icmp.from}, a router or firewall on the path`}${after}: a firewall rejects port ${port}${icmp.code === 3 && byServer ? ' (iptables REJECT sends this by default; a closed TCP port would answer with a RST)' : ''}.`,
        evidence: [...synEvidence(c), `frame ${icmp.frame} (${rel(c, icmp.time)}): ${icmp.description} from ${icmp.from}, quoting the client's SYN; no SYN-ACK`],
        fixes: [
          fixHostFirewall(port) + ` (look for a REJECT rule: iptables -L -n -v | grep -i reject)`,
          ...(byServer ? [] : [`The rejection comes from ${icmp.from}, not from the server: check that router's or firewall's rules for TCP ${port}`]),
          fixNetworkFirewall(port),
          fixListening(port),
        ],
        cutFrame: icmp.frame,
        closedBy: 'server',
        closeKind: null,
        stage: 'tcp_connect',
      };
    }
    const rst = c.server.rst!;
    return {
      confidence: 'certain',
      summary: `Connection refused: ${endpointText(c, 'server')} answered the SYN with a reset${after}; nothing accepts connections on port ${port}, or a firewall rejects them.`,
      evidence: [...synEvidence(c), `frame ${rst.frame} (${rel(c, rst.time)}): RST from ${endpointText(c, 'server')}, no SYN-ACK`],
      fixes: [fixListening(port), fixHostFirewall(port), fixReachability(ip, port)],
      cutFrame: rst.frame,
      closedBy: 'server',
      closeKind: 'rst',
      stage: 'tcp_connect',
    };
  },
};

export const tcpTimeout: Rule<BaseInput> = {
  code: 'tcp.timeout',
  description: 'SYN sent (and retransmitted) with no answer: host down, or a firewall drops',
  outcome: 'failed',
  test({ conn }) {
    const c = conn;
    const syns = c.client.synFrames;
    if (syns.length === 0 || c.server.packets > 0 || c.client.payloadBytes > 0 || icmpRejection(c)) return null;
    const waited = c.lastTime - c.client.synTimes[0]!;
    if (syns.length < 2 && waited < SYN_TIMEOUT_MIN_SECONDS) return null;
    const { ip, port } = server(c);
    const retries = syns.length - 1;
    const lastSyn = syns[syns.length - 1]!;
    const span = synSpan(c);
    return {
      confidence: 'likely', // an answer that never came: inferred from timing, never read off the wire
      summary: `Connection timed out: the client sent ${syns.length} SYN${syns.length > 1 ? 's' : ''} to ${endpointText(c, 'server')} over ${span.toFixed(1)} s and got no answer at all; the host is down or unreachable, or a firewall silently drops port ${port}.`,
      evidence: [
        ...synEvidence(c),
        ...c.icmp.map((e) => `frame ${e.frame} (${rel(c, e.time)}): ${e.description} from ${e.from}${e.from === ip ? '' : ' (a router on the path)'}`),
        c.icmp.length > 0 ? `no SYN-ACK or RST from ${ip}` : `no SYN-ACK, RST or ICMP error from ${ip} in the capture`,
      ],
      fixes: [
        fixNetworkFirewall(port),
        fixHostFirewall(port) + ' (a DROP rule gives a timeout; a REJECT rule would give "connection refused")',
        fixReachability(ip, port),
        ...(isSsh(c) ? ['ssh -vvv shows "Connection timed out" for this case; ssh -o ConnectTimeout=5 fails faster'] : []),
      ],
      cutFrame: lastSyn,
      // the client retransmitted its SYN, then went silent: it gave up
      closedBy: 'client',
      closeKind: 'timeout',
      stage: 'tcp_connect',
    };
  },
};

/** SYN-ACK seen but the three-way handshake never completed / was reset right away. */
export const tcpReset: Rule<BaseInput> = {
  code: 'tcp.reset',
  description: 'the connection was reset before any handshake byte moved',
  outcome: 'failed',
  test({ conn }) {
    const c = conn;
    const close = firstClose(c);
    if (!close || close.kind !== 'rst' || !noPayload(c)) return null;
    if (c.client.synFrames.length > 0 && c.server.synFrames.length === 0) return null; // refused
    const by = close.side;
    const { port } = server(c);
    return {
      confidence: 'certain',
      summary: `The ${who(by)} reset the connection ${c.established ? 'right after it was established' : 'during the TCP handshake'}, before any ${c.detected && c.detected !== 'unknown' ? c.detected.toUpperCase() : 'handshake'} byte was sent.`,
      evidence: [
        ...(c.established ? [`frame ${c.establishedFrame}: TCP connection established`] : []),
        `frame ${close.frame} (${rel(c, close.time)}): RST from the ${who(by)} (${endpointText(c, by)}), no payload exchanged`,
      ],
      fixes:
        by === 'server'
          ? [
              `The service accepted and immediately reset: check its logs at ${new Date(close.time * 1000).toISOString()} (connection limits, access rules, a crashing worker)`,
              ...(isSsh(c) ? [fixTcpWrappers, 'sshd: check MaxStartups and the journal (journalctl -u ssh)'] : []),
              `A load balancer or firewall in front of port ${port} may reset connections it has no backend for: check its health checks and rules`,
            ]
          : ['The client aborted before sending anything: check its logs and timeout settings; a port scanner or health check also looks like this'],
      cutFrame: close.frame,
      closedBy: by,
      closeKind: 'rst',
      stage: 'tcp_connect',
    };
  },
};

export const tcpStalled: Rule<BaseInput> = {
  code: 'tcp.stalled',
  description: 'data sent and retransmitted without being acknowledged (not a path-MTU case)',
  outcome: 'failed',
  test({ conn }) {
    const s = stalled(conn);
    if (!s) return null;
    const { ip, port } = server(conn);
    const close = firstClose(conn);
    return {
      confidence: 'likely',
      summary: s.segments.length > 0
        ? `The ${who(s.side)}'s data was retransmitted and never acknowledged: it is lost on the way (or dropped by a firewall) after the TCP connection was set up.`
        : `Part of the ${who(s.side)}'s data never arrived and was never acknowledged: it is lost on the way (or dropped by a firewall) after the TCP connection was set up.`,
      evidence: [...lossEvidence(conn, s.side, s.segments, s.holes), `small packets (the TCP handshake) got through, so the path is not simply down`],
      fixes: fixStalled(ip, port),
      cutFrame: lossCutFrame(conn, s.side, s.segments),
      // the side that kept retransmitting (or waiting) and went silent gave up
      closedBy: close?.side ?? (s.segments.length > 0 ? s.side : s.side === 'client' ? 'server' : 'client'),
      closeKind: close?.kind ?? 'timeout',
    };
  },
};

export const noPayloadRule: Rule<BaseInput> = {
  code: 'unknown.no_payload',
  description: 'the TCP connection opened and closed with no payload',
  outcome: 'failed',
  test({ conn, openAtEnd }) {
    const c = conn;
    if (!noPayload(c) || openAtEnd || !c.established) return null;
    const close = firstClose(c);
    if (!close) return null;
    return {
      confidence: 'certain',
      summary: `The TCP connection was opened and closed by the ${who(close.side)} without a single byte of payload (a port check, health probe, or a service that closes at once).`,
      evidence: [`frame ${c.establishedFrame}: TCP connection established`, `frame ${close.frame} (${rel(c, close.time)}): ${close.kind.toUpperCase()} from the ${who(close.side)}, no payload either way`],
      fixes: [
        'If this is a load-balancer health check or a port scan, nothing is wrong',
        close.side === 'server' ? `Otherwise the service on port ${c.server.endpoint.port} closes new connections at once: check its logs and connection limits` : 'Otherwise the client gave up before speaking: check its logs',
      ],
      cutFrame: close.frame,
      closedBy: close.side,
      closeKind: close.kind,
      stage: 'tcp_connect',
    };
  },
};

export const otherProtocol: Rule<BaseInput> = {
  code: 'unknown.other',
  description: 'payload that is neither TLS nor SSH',
  outcome: 'failed',
  test({ conn }) {
    const c = conn;
    // Bytes from the middle of a connection (an encrypted SSH session...) say nothing about its protocol.
    if (c.detected !== 'unknown' || c.midstream) return null;
    const evidence: string[] = [];
    for (const side of ['client', 'server'] as const) {
      const st = c.side(side);
      if (!st.preview) continue;
      evidence.push(`frame ${st.previewFrame}: the ${who(side)} sent ${describeSpeech(classify(st.preview))}: "${previewText(st.preview)}"`);
    }
    const close = firstClose(c);
    return {
      confidence: 'certain',
      summary: `Neither TLS nor SSH: this connection carried another protocol.`,
      evidence,
      fixes: ['Nothing to diagnose at the TLS/SSH level; use --port to choose which ports are expected to carry TLS or SSH'],
      cutFrame: close?.frame ?? null,
      closedBy: close?.side ?? null,
      closeKind: close?.kind ?? null,
    };
  },
};

export const incompleteRule: Rule<BaseInput> = {
  code: 'incomplete',
  description: 'the capture ended, or started, in the middle: nothing can be concluded',
  outcome: 'incomplete',
  test({ conn, openAtEnd }) {
    const c = conn;
    const why: string[] = [];
    if (c.midstream) why.push(`the capture started after the connection did (no SYN seen; first packet is frame ${c.firstFrame})`);
    if (openAtEnd) why.push(`the capture ended while the connection was still open (last packet frame ${c.lastFrame})`);
    if (c.endReason === 'timeout') why.push(`no packet for a long time after frame ${c.lastFrame}: the connection went idle`);
    if (c.endReason === 'evicted') why.push('the connection table was full and this idle connection was evicted');
    if (why.length === 0) why.push('the handshake neither completed nor visibly failed');
    return {
      confidence: 'certain',
      summary: 'Incomplete: the capture does not show enough of this connection to say how its handshake ended.',
      evidence: why,
      fixes: [fixCaptureMore],
    };
  },
};

export function previewText(b: Uint8Array, max = 60): string {
  const line = latin1(b.subarray(0, max)).split(/\r?\n/)[0]!;
  return escapeForTerminal(line);
}

/** Rules for connections that carried no TLS/SSH handshake, after the protocol rules. */
export const TCP_TAIL_RULES: Rule<BaseInput>[] = [noPayloadRule, otherProtocol];

export type { Hit };
