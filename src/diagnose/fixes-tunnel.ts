// Fix texts for proxy and STARTTLS verdicts: the settings people change in squid,
// tinyproxy, Dante, curl, the proxy environment variables, Java, postfix, dovecot,
// vsftpd, slapd, PostgreSQL and MariaDB. Functions of the connection's own values (the
// proxy's address, the target), so commands can be pasted as they are.

import type { TunnelKind } from '../tunnel/state.js';

export interface ProxyTarget {
  /** The proxy (or server) the client connected to. */
  proxy: string;
  proxyPort: number;
  /** host:port asked for, or null. */
  target: string | null;
  targetHost: string | null;
  targetPort: number | null;
}

const bracket = (ip: string): string => (ip.includes(':') ? `[${ip}]` : ip);
const proxyUrl = (t: ProxyTarget, scheme: string): string => `${scheme}://${bracket(t.proxy)}:${t.proxyPort}`;
const targetUrl = (t: ProxyTarget): string => `https://${t.targetHost ?? 'HOST'}${t.targetPort && t.targetPort !== 443 ? ':' + t.targetPort : ''}/`;
const isSocks = (k: TunnelKind): boolean => k === 'socks4' || k === 'socks4a' || k === 'socks5';
const socksScheme = (k: TunnelKind): string => (k === 'socks5' ? 'socks5h' : k === 'socks4a' ? 'socks4a' : 'socks4');

export function fixesProxyAuth(t: ProxyTarget, kind: TunnelKind, challenge: string | null): string[] {
  if (isSocks(kind)) {
    return [
      `Give the client the proxy's credentials: curl -x ${socksScheme(kind)}://USER:PASSWORD@${bracket(t.proxy)}:${t.proxyPort} ${targetUrl(t)} (or --proxy-user USER:PASSWORD); ssh -o ProxyCommand='nc -X 5 -x ${bracket(t.proxy)}:${t.proxyPort} %h %p' cannot send a password: use a SOCKS client that can`,
      `Dante: which methods it accepts is \`socksmethod: username\` (or \`none\`) in the client/socks pass rules of /etc/danted.conf; with \`username\`, the user must exist on the proxy host (check its log: "method: username ... authentication failed")`,
      `Java: -DsocksProxyHost=${t.proxy} -DsocksProxyPort=${t.proxyPort} with java.net.Authenticator for the user name and password`,
    ];
  }
  return [
    `Send the proxy's credentials: curl -x ${proxyUrl(t, 'http')} --proxy-user USER:PASSWORD ${targetUrl(t)} (or HTTPS_PROXY=http://USER:PASSWORD@${bracket(t.proxy)}:${t.proxyPort}; percent-encode special characters)${challenge ? `; the proxy asks for: ${challenge}` : ''}`,
    `Java: -Dhttps.proxyHost=${t.proxy} -Dhttps.proxyPort=${t.proxyPort}, with an Authenticator for the credentials; since Java 8u111 Basic is disabled for CONNECT: -Djdk.http.auth.tunneling.disabledSchemes=""`,
    `squid: the request matched an \`http_access allow\` rule that requires \`proxy_auth\` (\`acl authenticated proxy_auth REQUIRED\`): check the auth_param helper and /var/log/squid/access.log (TCP_DENIED/407)`,
  ];
}

export function fixesProxyDenied(t: ProxyTarget, kind: TunnelKind): string[] {
  const port = t.targetPort ?? 443;
  if (isSocks(kind)) {
    return [
      `Dante refuses this client or target: allow it in /etc/danted.conf with a \`socks pass { from: CLIENT/32 to: ${t.targetHost ?? 'TARGET'}/32 port = ${port} }\` rule (rules are first-match; \`client pass\` must allow the client too), then check its log for the rule that blocked`,
      `If the proxy policy is right, ask for the target through a proxy that may reach it, or connect directly (NO_PROXY=${t.targetHost ?? 'HOST'})`,
    ];
  }
  return [
    `squid: an \`http_access deny\` rule matched (the default config denies CONNECT to any port outside \`acl SSL_ports port 443\`): ${port === 443 ? `allow the client's network or this site with an acl before the deny (\`acl allowed_sites dstdomain ${t.targetHost ?? '.example.com'}\` + \`http_access allow allowed_sites\`)` : `add the port: \`acl SSL_ports port 443 ${port}\` (and \`acl Safe_ports port ${port}\`), then \`squid -k reconfigure\``}; /var/log/squid/access.log shows TCP_DENIED/403 for it`,
    `tinyproxy: CONNECT is limited to the \`ConnectPort\` lines of tinyproxy.conf (add \`ConnectPort ${port}\`), and clients to the \`Allow\` lines`,
    `If the policy is intended, the destination is blocked on purpose: ask the proxy's owners, or reach it without the proxy (NO_PROXY=${t.targetHost ?? 'HOST'})`,
  ];
}

export function fixesProxyUpstream(t: ProxyTarget, kind: TunnelKind, why: string | null): string[] {
  const tgt = t.target ?? 'the target';
  return [
    `The proxy could not reach ${tgt}${why ? ` (${why})` : ''}: from the proxy host, test it directly: nc -vz ${t.targetHost ?? 'HOST'} ${t.targetPort ?? 443} (or curl -v ${targetUrl(t)})`,
    ...(kind === 'socks5' || kind === 'socks4a'
      ? [`With a host name the proxy resolves it: check DNS on the proxy host (getent hosts ${t.targetHost ?? 'HOST'}); curl --socks5-hostname sends the name, --socks5 resolves locally and sends an address`]
      : isSocks(kind)
        ? []
        : [`squid logs the cause in /var/log/squid/cache.log and access.log (TCP_TUNNEL/503, ERR_CONNECT_FAIL with the errno, ERR_DNS_FAIL); a slow target hits \`connect_timeout\` (default 1 minute)`]),
    `A firewall between the proxy and the target (or the target's own) may drop or reject it: check the egress rules of the proxy host and whether ${tgt} listens`,
  ];
}

export function fixesNotAProxy(t: ProxyTarget, how: 'tls-to-proxy' | 'connect-to-server', proxyKind: 'http' | 'socks'): string[] {
  if (how === 'tls-to-proxy') {
    return proxyKind === 'socks'
      ? [
          `Port ${t.proxyPort} is a SOCKS proxy: tell the client to use it as one (curl --socks5-hostname ${bracket(t.proxy)}:${t.proxyPort} ${targetUrl(t)}, ALL_PROXY=socks5h://${bracket(t.proxy)}:${t.proxyPort}) instead of connecting TLS straight to it`,
          `Java: -DsocksProxyHost=${t.proxy} -DsocksProxyPort=${t.proxyPort}, not an https:// URL pointing at the proxy`,
        ]
      : [
          `Port ${t.proxyPort} is an HTTP proxy that expects CONNECT: use it as a proxy (curl -x ${proxyUrl(t, 'http')} ${targetUrl(t)}, HTTPS_PROXY=${proxyUrl(t, 'http')}) instead of connecting TLS straight to it`,
          `A proxy URL with https:// (HTTPS_PROXY=https://${bracket(t.proxy)}:${t.proxyPort}) makes curl speak TLS to the proxy itself: write http:// unless the proxy has a TLS listener (squid \`https_port ${t.proxyPort} tls-cert=...\`)`,
          `Java: -Dhttps.proxyHost=${t.proxy} -Dhttps.proxyPort=${t.proxyPort}, not an https:// URL pointing at the proxy`,
        ];
  }
  return [
    `${bracket(t.proxy)}:${t.proxyPort} is not a proxy: point the client's proxy setting at the real proxy (curl -x, HTTPS_PROXY / https_proxy, Java -Dhttps.proxyHost) or remove it and connect directly (NO_PROXY=${t.targetHost ?? 'HOST'})`,
    `Check the environment the client inherits: env | grep -i _proxy (a stale HTTPS_PROXY pointing at a web server is a common cause)`,
  ];
}

/** The server's switch, per protocol. */
const SERVER_TLS: Readonly<Record<string, string>> = {
  'starttls-smtp': 'postfix: `smtpd_tls_security_level = may` (or `encrypt`) with `smtpd_tls_cert_file` / `smtpd_tls_key_file` in main.cf, then `postfix reload`; the log says "warning: TLS library problem" when the key cannot be read',
  'starttls-imap': 'dovecot: `ssl = yes` (or `required`) with `ssl_cert = </etc/dovecot/private/dovecot.pem` and `ssl_key = <...` in 10-ssl.conf, then `doveadm reload`',
  'starttls-pop3': 'dovecot: `ssl = yes` (or `required`) with `ssl_cert` / `ssl_key` in 10-ssl.conf (the same switch serves POP3 STLS), then `doveadm reload`',
  'ftp-auth-tls': 'vsftpd: `ssl_enable=YES` with `rsa_cert_file` / `rsa_private_key_file` in vsftpd.conf (pure-ftpd: `TLS 1` or `--tls=1`)',
  'starttls-ldap': 'slapd: set olcTLSCertificateFile / olcTLSCertificateKeyFile (and olcTLSCACertificateFile) on cn=config with ldapmodify, readable by the openldap user; "unavailable (52)" means slapd has no TLS configured',
  'postgres-ssl': 'PostgreSQL: `ssl = on` with `ssl_cert_file` / `ssl_key_file` in postgresql.conf (the key readable only by postgres), then reload; `hostssl` lines in pg_hba.conf require it',
  'mysql-ssl': 'MariaDB / MySQL: `ssl_cert`, `ssl_key` (and `ssl_ca`) in the [mysqld] section, then restart; SHOW VARIABLES LIKE \'have_ssl\' must say YES',
};

/** The client's switch, per protocol. */
const CLIENT_TLS: Readonly<Record<string, string>> = {
  'starttls-smtp': 'client: openssl s_client -starttls smtp -connect HOST:PORT, swaks --tls, curl --ssl-reqd smtp://HOST; postfix as a client: `smtp_tls_security_level = encrypt`',
  'starttls-imap': 'client: openssl s_client -starttls imap -connect HOST:143, curl --ssl-reqd imap://HOST/; or use IMAPS on port 993',
  'starttls-pop3': 'client: openssl s_client -starttls pop3 -connect HOST:110, curl --ssl-reqd pop3://HOST/; or use POP3S on port 995',
  'ftp-auth-tls': 'client: curl --ssl-reqd ftp://HOST/, lftp `set ftp:ssl-force true`, openssl s_client -starttls ftp -connect HOST:21',
  'starttls-ldap': 'client: ldapsearch -ZZ (fail without TLS) instead of -Z; `TLS_REQCERT demand` in ldap.conf; or ldaps:// on port 636',
  'postgres-ssl': 'client: sslmode=require (or verify-full) in the connection string / PGSSLMODE; sslmode=prefer falls back to plain text silently',
  'mysql-ssl': 'client: mysql --ssl-mode=REQUIRED (MariaDB: --ssl --ssl-verify-server-cert); JDBC sslMode=REQUIRED',
};

export function fixesStarttlsRefused(kind: TunnelKind, how: 'refused' | 'not-offered' | 'no-answer', server: string): string[] {
  const out = [
    `Enable TLS on the server ${server}: ${SERVER_TLS[kind] ?? 'enable TLS on the service'}`,
    how === 'not-offered'
      ? `If the server does offer it when asked directly but not to this client, something on the path strips it (an SMTP "fixup"/inspection firewall such as Cisco ASA's ESMTP inspection replaces STARTTLS by XXXXXXXX): compare with openssl s_client -starttls from another network, and disable that inspection`
      : `Check the server's log at the time of the connection for why it refused (a missing or unreadable certificate or key is the usual cause)`,
    CLIENT_TLS[kind] ?? 'Make the client require TLS, so it never continues in plain text',
  ];
  return out;
}

export function fixesStarttlsNotRequested(kind: TunnelKind): string[] {
  return [
    `The client continued in plain text although the upgrade was ${kind === 'postgres-ssl' ? 'possible' : 'offered'}: make it require TLS (${CLIENT_TLS[kind] ?? 'a "require TLS" setting'})`,
    `And make the server insist: ${kind === 'starttls-smtp' ? 'postfix `smtpd_tls_security_level = encrypt` (submission port 587: `smtpd_tls_auth_only = yes`)' : kind === 'starttls-imap' || kind === 'starttls-pop3' ? 'dovecot `ssl = required` and `disable_plaintext_auth = yes`' : kind === 'postgres-ssl' ? '`hostssl` instead of `host` lines in pg_hba.conf' : kind === 'mysql-ssl' ? '`require_secure_transport = ON`, or `ALTER USER ... REQUIRE SSL`' : kind === 'starttls-ldap' ? 'slapd `olcSecurity: tls=1`' : 'vsftpd `force_local_logins_ssl=YES` and `force_local_data_ssl=YES`'}`,
  ];
}

/** Behind a CONNECT, an untrusted chain for the target is the classic interception sign. */
export function fixesInterceptionBehindProxy(t: ProxyTarget): string[] {
  return [
    `The proxy ${bracket(t.proxy)}:${t.proxyPort} presented its own certificate for ${t.targetHost ?? 'the target'} (TLS interception): install the proxy's CA certificate on the client (Debian: copy it to /usr/local/share/ca-certificates/ and run update-ca-certificates; Java: keytool -importcert -cacerts -alias proxy-ca -file proxy-ca.pem; curl --proxy-cacert / --cacert)`,
    `Or let this host through uninspected: squid \`acl nobump ssl::server_name ${t.targetHost ?? '.example.com'}\` with \`ssl_bump splice nobump\` before \`ssl_bump bump all\`, or bypass the proxy for it (NO_PROXY=${t.targetHost ?? 'HOST'}, Java -Dhttp.nonProxyHosts=${t.targetHost ?? 'HOST'})`,
    `Never "fix" it with curl --proxy-insecure / -k or a trust-all TrustManager: that accepts any interceptor`,
  ];
}
