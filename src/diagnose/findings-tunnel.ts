// Security findings on a connection that went through a preamble, whatever the verdict:
// credentials sent in plain text before TLS, a proxy password in the clear, a SOCKS
// client that resolved the name itself, a ClientHello for another name than the one the
// client asked the proxy for. The analyzer adds them to the connection's findings.
//
// Codes: tunnel.plaintext_login, tunnel.proxy_credentials_clear, tunnel.local_dns,
// tunnel.sni_target_mismatch.

import type { Finding } from '../engine/types.js';
import { escapeForTerminal } from '../wire/text.js';
import type { DiagnosisInput } from './input.js';

const isAddress = (h: string): boolean => /^[\d.]+$/.test(h) || h.includes(':');

export function tunnelFindings(input: DiagnosisInput): Finding[] {
  const t = input.tunnel;
  if (!t) return [];
  const out: Finding[] = [];
  if (t.plaintextLogin) {
    out.push({ severity: 'error', code: 'tunnel.plaintext_login', message: `the client logged in in plain text before any TLS (${escapeForTerminal(t.plaintextLogin.what)}): anyone on the path can read the credentials`, frames: [t.plaintextLogin.frame] });
  } else if (t.credentials && (t.kind === 'http-connect' || t.kind === 'socks5')) {
    const what = t.kind === 'socks5' ? 'a SOCKS5 username and password' : escapeForTerminal(t.credentials.what);
    const clear = t.kind === 'socks5' || /^Proxy-Authorization: Basic\b/i.test(t.credentials.what);
    if (clear) out.push({ severity: 'warning', code: 'tunnel.proxy_credentials_clear', message: `the proxy credentials (${what}) travel unencrypted to the proxy: anyone between the client and the proxy can read them (use an HTTPS proxy URL, or Negotiate/Kerberos)`, frames: [t.credentials.frame] });
  }
  const sni = input.tls?.clientHello?.hello.ext.serverName;
  if (t.targetHost && sni && t.result === 'established') {
    if (isAddress(t.targetHost) && t.kind.startsWith('socks')) {
      out.push({ severity: 'info', code: 'tunnel.local_dns', message: `the client resolved "${escapeForTerminal(sni)}" itself and asked the SOCKS proxy for ${t.target}: its DNS query did not go through the proxy (curl --socks5-hostname / socks5h:// sends the name instead)`, frames: t.request ? [t.request.frame] : [] });
    } else if (!isAddress(t.targetHost) && sni.toLowerCase() !== t.targetHost.toLowerCase()) {
      out.push({ severity: 'warning', code: 'tunnel.sni_target_mismatch', message: `the client asked the proxy for ${escapeForTerminal(t.target ?? t.targetHost)} but its ClientHello names "${escapeForTerminal(sni)}": the certificate is judged against the SNI`, frames: [input.tls!.clientHello!.frame] });
    }
  }
  return out;
}
