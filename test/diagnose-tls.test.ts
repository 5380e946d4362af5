// TLS and certificate diagnosis on the real captures in captures/: which rule wins when
// several could apply, what the verdicts say (the client's offer, what other clients
// negotiated, the frames), the fixes with the connection's own values, the security
// findings, and that every tls.* code of the contract comes out of some real capture.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DiagnosisInput } from '../src/diagnose/input.js';
import { tlsFindings } from '../src/diagnose/findings-tls.js';
import { olderSide, opensslSuiteName, OPENSSL_SUITE_NAMES } from '../src/diagnose/fixes-tls.js';
import { clientVersions, TLS_RULES_INFERRED, TLS_RULES_PATH, TLS_RULES_WIRE } from '../src/diagnose/rules-tls.js';
import { CERT_RULES, tlsEnd } from '../src/diagnose/rules-cert.js';
import type { ConnectionRecord } from '../src/report/record.js';
import { analyseInputs, capturePath } from './helpers/analyse.js';
import { capturesDir, repoRoot } from './helpers/paths.js';

const files = existsSync(capturesDir) ? readdirSync(capturesDir) : [];
const optionsOf = (name: string): string[] => (JSON.parse(readFileSync(join(capturesDir, `${name}.expect.json`), 'utf8')) as { options?: string[] }).options ?? [];

type Analysed = { record: ConnectionRecord; input: DiagnosisInput }[];
const cache = new Map<string, Promise<Analysed>>();
/** The records (and inputs) of captures/NAME.*, with its expectation's options; analysed once. */
function analysed(name: string): Promise<Analysed> {
  let p = cache.get(name);
  if (!p) {
    p = analyseInputs(capturePath(name, files), optionsOf(name));
    cache.set(name, p);
  }
  return p;
}

interface Case {
  capture: string;
  /** 1-based connection id (default 1). */
  id?: number;
  code: string;
  confidence?: string;
  summary?: RegExp[];
  evidence?: RegExp[];
  fixes?: RegExp[];
  /** Record fields that must hold as well. */
  record?: Partial<Pick<ConnectionRecord, 'cutFrame' | 'closedBy' | 'closeKind' | 'stage'>>;
}

const CASES: Case[] = [
  {
    capture: 'tls-cipher-mismatch', id: 2, code: 'tls.cipher_mismatch', confidence: 'certain',
    summary: [/refusing the only suite the client offered/, /with other clients it used TLS_RSA_WITH_AES_256_CBC_SHA/],
    evidence: [
      /^frame 24 \(\+[\d.]+ s\): ClientHello for "www\.example\.test" offering .*1 cipher suite: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256$/,
      /^frame 26 \(\+[\d.]+ s\): server alert handshake_failure\(40\), fatal$/,
      /^other clients negotiated TLS 1\.2 \/ TLS_RSA_WITH_AES_256_CBC_SHA with this server \(connection #1\)$/,
    ],
    fixes: [/^Modernise the server .*nginx `ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256/, /Apache `SSLCipherSuite /, /HAProxy `ciphers /, /Tomcat `<SSLHostConfig ciphers=/, /stopgap.*curl --ciphers AES256-SHA/, /openssl s_client -connect 10\.77\.0\.2:443 -servername www\.example\.test -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256/],
    record: { cutFrame: 26, closedBy: 'server', closeKind: 'alert', stage: 'client_hello' },
  },
  {
    capture: 'tls-version-mismatch', code: 'tls.version_mismatch', confidence: 'certain',
    summary: [/up to TLS 1\.2/, /most likely it requires TLS 1\.3/],
    evidence: [/ClientHello .*up to TLS 1\.2 \(legacy_version; no supported_versions/, /^frame 6 .*server alert protocol_version\(70\)/],
    fixes: [/-Djdk\.tls\.client\.protocols=TLSv1\.2,TLSv1\.3/, /jdk\.tls\.disabledAlgorithms/, /ssl_protocols TLSv1\.2 TLSv1\.3;/, /openssl s_client -connect 10\.77\.0\.2:443 -servername www\.example\.test -tls1_3/],
  },
  {
    capture: 'tls-version-mismatch-old-server', code: 'tls.version_mismatch',
    summary: [/only TLS 1\.3 \(supported_versions\), which the server does not support/],
    fixes: [/^Upgrade the server: .*SSLProtocol -all \+TLSv1\.2 \+TLSv1\.3.*<SSLHostConfig protocols="TLSv1\.2\+TLSv1\.3">/, /Until then the client may also allow TLS 1\.2.*curl --tlsv1\.2/],
  },
  {
    capture: 'tls-group-mismatch', code: 'tls.group_mismatch', confidence: 'certain',
    summary: [/only x25519, which the server does not accept/, /no HelloRetryRequest/],
    evidence: [/supported_groups x25519; key_share x25519/, /^no HelloRetryRequest/],
    fixes: [/nginx `ssl_ecdh_curve X25519:prime256v1:secp384r1;`/, /SSLOpenSSLConfCmd Curves/, /-groups X25519:P-256:P-384/],
  },
  {
    capture: 'tls-sni-rejected', code: 'tls.sni_rejected', confidence: 'certain',
    summary: [/"bad\.example\.test"/, /unrecognized_name\(112\)/],
    fixes: [/nginx `server_name bad\.example\.test;`/, /ServerAlias bad\.example\.test/],
  },
  {
    capture: 'tls-alpn-mismatch', code: 'tls.alpn_mismatch', confidence: 'certain',
    summary: [/offered http\/1\.1/], evidence: [/ALPN http\/1\.1/], fixes: [/alpn h2,http\/1\.1/, /-alpn h2/],
  },
  {
    capture: 'tls-client-cert-required-12', code: 'tls.client_cert_required', confidence: 'certain',
    summary: [/had none to send/, /handshake_failure\(40\)/],
    evidence: [/^frame 10 .*CertificateRequest, 1 acceptable CA name\)/, /^frame 12 .*empty Certificate message/, /^frame 13 .*server alert handshake_failure\(40\)/],
    fixes: [/curl --cert client\.pem --key client\.key/, /ssl_verify_client optional/, /certificateVerification="optional"/],
    record: { cutFrame: 13, closedBy: 'server', closeKind: 'alert' },
  },
  {
    capture: 'tls-client-cert-required-13', code: 'tls.client_cert_required', confidence: 'likely',
    evidence: [/empty Certificate message \(recognised by its size\)/, /^frame 13 .*19-byte encrypted record/],
    record: { cutFrame: 13, closedBy: 'server', closeKind: 'alert' },
  },
  {
    capture: 'tls-server-closed', code: 'tls.server_closed', confidence: 'certain',
    summary: [/right after the ClientHello/, /Remote host terminated the handshake/],
    evidence: [/^frame 6 .*the server closed the connection \(FIN\) without a TLS alert$/, /^frame 8 .*client alert handshake_failure\(40\).*after the server had closed: a reaction to the close, not its cause$/],
    fixes: [/-Djavax\.net\.debug=ssl:handshake/, /-Djdk\.tls\.client\.protocols=TLSv1\.2,TLSv1\.3/, /Read the server's log at 20\d\d-/],
    record: { cutFrame: 6, closedBy: 'server', closeKind: 'fin', stage: 'client_hello' },
  },
  {
    capture: 'tls-server-reset', code: 'tls.server_closed',
    summary: [/reset the connection/], evidence: [/\(RST\) without a TLS alert/], fixes: [/firewall or IPS/],
    record: { closeKind: 'rst' },
  },
  {
    capture: 'tls-client-closed', code: 'tls.client_closed', confidence: 'certain',
    summary: [/before the server answered/], evidence: [/^the server had sent nothing yet$/, /the server's answer came only after the client had closed/],
    record: { stage: 'client_hello', closedBy: 'client', closeKind: 'fin' },
  },
  {
    capture: 'tls-no-response', code: 'tls.no_response', confidence: 'likely',
    summary: [/never answered/, /3\.0 s/], evidence: [/^frame \d+: the server's TCP acknowledged the ClientHello/, /gave up and closed the connection \(FIN\) 3\.\d+ s after its ClientHello/],
    fixes: [/ss -tlnp 'sport = :443'/, /openssl s_client -connect 127\.0\.0\.1:443 -servername www\.example\.test/],
  },
  {
    capture: 'tls-not-tls-http-to-tls', code: 'tls.not_tls', confidence: 'certain',
    summary: [/the client sent plain HTTP to port 443/],
    evidence: [/the client sent plain HTTP instead of TLS: "GET \/ HTTP\/1\.1"/, /the server answered in plain HTTP: "HTTP\/1\.1 400 Bad Request"/],
    fixes: [/use https:\/\//],
  },
  {
    capture: 'tls-not-tls-tls-to-http', code: 'tls.not_tls',
    summary: [/answered in plain HTTP \("HTTP\/1\.1 400 Bad Request"\)/], fixes: [/nginx `listen 443 ssl;`/, /SSLEngine on/],
  },
  {
    capture: 'tls-protocol-error', code: 'tls.protocol_error', confidence: 'certain',
    summary: [/decode_error\(50\)/], evidence: [/^frame 4: the client's extension 10 is malformed: .*supported_groups/, /server alert decode_error\(50\)/],
  },
  {
    capture: 'tls-alert-other', code: 'tls.alert', confidence: 'certain',
    summary: [/(bad_record_mac\(20\)|decrypt_error\(51\))/, /pre-shared key/],
    evidence: [/ServerHello selecting TLS 1\.2, TLS_PSK_WITH_AES_128_GCM_SHA256/, /server alert (bad_record_mac\(20\)|decrypt_error\(51\)), fatal/],
  },
  {
    capture: 'tls-mtu-blackhole', code: 'tls.mtu_blackhole', confidence: 'likely',
    summary: [/Path-MTU black hole/, /1500 bytes/],
    evidence: [/server sent 1448 bytes \(IP packet 1500 bytes\), retransmitted in frames .*never acknowledged/, /the client gave up \(FIN\)/],
    fixes: [/certificate flight is the first full-size packet/, /TCPMSS --clamp-mss-to-pmtu/, /ping -M do -s 1472 10\.77\.2\.1/],
  },
  {
    capture: 'cert-expired', code: 'tls.cert_expired', confidence: 'certain',
    summary: [/certificate_expired\(45\)/, /notAfter 2021-01-01/],
    evidence: [/the server sent its certificate chain \(2 certificates\): #0 CN=www\.example\.test, #1 CN=HSI Test Intermediate CA/, /^frame 12 .*client alert certificate_expired\(45\)/, /^judged with the trust store .*captures\/certs\/test-root\.pem \(file, 1 anchor\)/],
    fixes: [/certbot renew/, /openssl x509 -noout -subject -issuer -dates/, /timedatectl/],
    record: { cutFrame: 12, closedBy: 'client', closeKind: 'alert', stage: 'server_hello_done' },
  },
  {
    capture: 'cert-not-yet-valid', code: 'tls.cert_not_yet_valid', confidence: 'certain',
    summary: [/bad_certificate\(42\)/, /not valid yet \(notBefore 2090-01-01/], fixes: [/timedatectl/, /chronyc tracking/],
  },
  {
    capture: 'cert-hostname-mismatch', code: 'tls.cert_hostname_mismatch', confidence: 'certain',
    summary: [/does not name "www\.example\.test".*covers other\.example\.test/], fixes: [/subjectAltName=DNS:www\.example\.test/, /server_name/],
  },
  {
    capture: 'cert-self-signed', code: 'tls.cert_self_signed', confidence: 'certain',
    summary: [/unknown_ca\(48\)/, /self-signed/], fixes: [/update-ca-certificates/, /keytool -importcert -cacerts/],
  },
  {
    capture: 'cert-chain-incomplete', code: 'tls.cert_chain_incomplete', confidence: 'certain',
    summary: [/did not send the intermediate certificate "CN=HSI Test Intermediate CA/], evidence: [/\(1 certificate\): #0 CN=www\.example\.test/],
    fixes: [/fullchain\.pem/, /SSLCertificateFile/, /keytool -importcert -alias intermediate/],
  },
  {
    // bad_certificate for a self-signed leaf with a 1024-bit key: either fault is the client's
    // reason, so the one ranked first is only likely, and the other's fix comes too
    capture: 'cert-weak-key-self-signed', code: 'tls.cert_self_signed', confidence: 'likely',
    summary: [/bad_certificate\(42\)/, /self-signed/],
    evidence: [/^also: .*1024/, /does not say which of these it objected to: each is a reason to refuse/],
    fixes: [/Replace the self-signed certificate/, /RSA key of 2048 bits or more/],
  },
  {
    // leaf + intermediate sent, the root private and not in this machine's store (read
    // without --ca-file): a missing intermediate or a private root, said as such
    capture: 'vantage-container-host', code: 'tls.cert_chain_incomplete', confidence: 'likely',
    summary: [/unknown_ca\(48\)/, /its chain stops at a CA certificate whose issuer "CN=HSI Test Root CA.*an intermediate the server did not send, or the root of a private CA the client does not hold/],
    fixes: [/"CN=HSI Test Root CA,O=Handshake Inspector Tests" is the root of your private CA, trust its root certificate on the clients: .*update-ca-certificates/, /fullchain\.pem/],
  },
  {
    capture: 'cert-untrusted', code: 'tls.cert_untrusted', confidence: 'certain',
    summary: [/unknown_ca\(48\)/, /HSI Private Root CA \(untrusted\)/], fixes: [/update-ca-certificates/, /NODE_EXTRA_CA_CERTS/],
  },
  {
    capture: 'cert-rejected-13', code: 'tls.cert_rejected', confidence: 'likely',
    summary: [/encrypted alert right after the server's TLS 1\.3 flight/],
    evidence: [/^frame 11 .*19-byte encrypted record, the size of an encrypted alert/, /^TLS 1\.3: the server's certificate travelled encrypted/],
    fixes: [/-showcerts/, /--tls-max 1\.2/],
    record: { cutFrame: 11, closedBy: 'client', closeKind: 'alert', stage: 'encrypted_handshake' },
  },
  {
    capture: 'cert-rejected-13-openssl', code: 'tls.cert_rejected', confidence: 'certain',
    summary: [/unknown_ca\(48\): it does not trust the certificate's issuer/, /encrypted in TLS 1\.3/],
  },
  {
    capture: 'cert-ok-but-unverified', code: 'tls.ok', confidence: 'certain',
    summary: [/although the server's certificate is not valid: it has expired/],
    evidence: [/^certificate problem the client accepted: .*expired/], fixes: [/certbot renew/],
  },
  { capture: 'tls-ok-13', code: 'tls.ok', confidence: 'likely', evidence: [/handshake finished \(the client sent a record of Finished size/] },
  { capture: 'tls-ok-12', code: 'tls.ok', confidence: 'certain', evidence: [/handshake finished \(Finished from both sides\)/] },
  { capture: 'demo', id: 4, code: 'tls.version_mismatch', summary: [/only TLS 1\.3 \(supported_versions\), which the server does not support/] },
  { capture: 'demo', id: 5, code: 'tls.cert_expired', summary: [/certificate_expired\(45\)/], evidence: [/judged with the trust store/] },
];

function matchAll(what: string, texts: readonly string[], patterns: readonly RegExp[] | undefined): void {
  for (const re of patterns ?? []) assert.ok(texts.some((t) => re.test(t)), `${what}: nothing matches ${re}\n  ${texts.join('\n  ')}`);
}

describe('TLS verdicts on real captures: wording, evidence and fixes', () => {
  for (const c of CASES) {
    it(`${c.capture}${c.id ? ` #${c.id}` : ''} → ${c.code}`, async () => {
      const rec = (await analysed(c.capture)).find((x) => x.record.id === (c.id ?? 1))?.record;
      assert.ok(rec, `connection #${c.id ?? 1} in ${c.capture}`);
      const v = rec.verdict;
      assert.equal(v.code, c.code, `${c.capture}: ${v.summary}`);
      if (c.confidence) assert.equal(v.confidence, c.confidence);
      matchAll('summary', [v.summary], c.summary);
      matchAll('evidence', v.evidence, c.evidence);
      matchAll('fixes', v.fixes, c.fixes);
      for (const [k, want] of Object.entries(c.record ?? {})) assert.equal(rec[k as keyof ConnectionRecord], want, k);
      if (rec.outcome === 'failed') assert.ok(v.fixes.length > 0, 'a failure comes with fixes');
      assert.ok(!rec.findings.some((f) => f.code === 'internal.rule_failed'), `a rule threw: ${JSON.stringify(rec.findings)}`);
    });
  }
});

describe('TLS rule precedence', () => {
  it('a client alert sent after the server\'s FIN does not make the close anything but tls.server_closed', async () => {
    const [{ record, input }] = await analysed('tls-server-closed');
    const alerts = record.tls as { alerts: { frame: number; from: string; level: number }[] };
    const fin = input.conn.server.fin!.frame;
    assert.ok(alerts.alerts.some((a) => a.from === 'client' && a.level === 2 && a.frame > fin), 'the capture has the client alert after the FIN');
    assert.deepEqual(tlsEnd(input), { kind: 'close', side: 'server', frame: fin, time: input.conn.server.fin!.time, alert: null, close: 'fin' });
    assert.equal(record.verdict.code, 'tls.server_closed');
  });

  it('an MTU black hole wins over the client closing without an alert after it', async () => {
    const [{ record, input }] = await analysed('tls-mtu-blackhole');
    assert.equal(tlsEnd(input)?.side, 'client');
    assert.equal(record.closedBy, 'client');
    assert.equal(record.verdict.code, 'tls.mtu_blackhole');
    assert.ok(TLS_RULES_WIRE.every((r) => r.test(input) === null), 'no wire rule claims a path problem');
  });

  it('a ClientHello that is never acknowledged is tcp.stalled, not tls.no_response', async () => {
    const [{ record, input }] = await analysed('tcp-stalled');
    assert.equal(record.verdict.code, 'tcp.stalled');
    assert.ok(input.tls?.clientHello, 'the stalled segment is a ClientHello');
    assert.equal(TLS_RULES_INFERRED.find((r) => r.code === 'tls.no_response')!.test(input), null);
  });

  it('the client closing at once is tls.client_closed, the client giving up after seconds of silence is tls.no_response', async () => {
    const [quick] = await analysed('tls-client-closed');
    const [slow] = await analysed('tls-no-response');
    const closed = TLS_RULES_WIRE.find((r) => r.code === 'tls.client_closed')!;
    assert.ok(closed.test(quick!.input));
    assert.equal(closed.test(slow!.input), null);
    assert.equal(slow!.record.verdict.code, 'tls.no_response');
  });

  it('handshake_failure after an empty client Certificate is tls.client_cert_required, not a cipher mismatch', async () => {
    const [{ record, input }] = await analysed('tls-client-cert-required-12');
    assert.ok(input.tls?.serverHello, 'parameters were agreed');
    assert.equal(record.verdict.code, 'tls.client_cert_required');
  });

  it('a certificate alert from the client goes to the chain\'s problem, not to tls.alert', async () => {
    for (const name of ['cert-expired', 'cert-chain-incomplete', 'cert-self-signed']) {
      const [{ record, input }] = await analysed(name);
      assert.ok(TLS_RULES_WIRE.find((r) => r.code === 'tls.alert')!.test(input), `${name}: tls.alert would apply too`);
      assert.notEqual(record.verdict.code, 'tls.alert');
      assert.equal(record.verdict.code, input.chain?.primary?.verdict);
    }
  });

  it('the connection that completed before a mismatch is tls.ok, and is what the mismatch cites', async () => {
    const recs = await analysed('tls-cipher-mismatch');
    assert.equal(recs[0]!.record.verdict.code, 'tls.ok');
    assert.ok(recs[1]!.record.verdict.evidence.some((e) => e.includes(`(connection #${recs[0]!.record.id})`)));
  });

  // The two tests below vary one fact of a real capture to reach a branch no capture shows.
  it('a client closing without a word right after a certificate with a problem: the problem, but only likely', async () => {
    const [{ record, input }] = await analysed('cert-chain-incomplete');
    assert.equal(record.verdict.confidence, 'certain');
    const silent: DiagnosisInput = { ...input, tls: { ...input.tls!, alerts: [] } };
    const hit = CERT_RULES.find((r) => r.code === 'tls.cert_chain_incomplete')!.test(silent);
    assert.ok(hit, 'still tls.cert_chain_incomplete');
    assert.equal(hit.confidence, 'likely');
    assert.equal(hit.closeKind, 'fin');
    assert.match(hit.summary, /by closing the connection right after the server's certificate, without an alert/);
    // without a problem in the chain, the same silent close is only tls.client_closed
    const fine: DiagnosisInput = { ...silent, chain: { ...silent.chain!, ok: true, problems: [], primary: null } };
    assert.ok(CERT_RULES.every((r) => r.test(fine) === null));
    assert.ok(TLS_RULES_WIRE.find((r) => r.code === 'tls.client_closed')!.test(fine));
  });

  it('a client refusing a chain that passes every check here: tls.cert_rejected, with what was and was not checked', async () => {
    const [{ input }] = await analysed('cert-expired');
    const passing: DiagnosisInput = { ...input, chain: { ...input.chain!, ok: true, problems: [], primary: null } };
    const hit = CERT_RULES.find((r) => r.code === 'tls.cert_rejected')!.test(passing);
    assert.ok(hit);
    assert.equal(hit.confidence, 'certain');
    assert.match(hit.summary, /certificate_expired\(45\), although the chain passes every check made here with .*test-root\.pem/);
    assert.ok(hit.evidence.some((e) => /^checked: built the path .*→/.test(e)));
    assert.ok(hit.evidence.some((e) => /^not checked: revocation by CRL or live OCSP/.test(e)));
    assert.ok(hit.fixes.some((x) => x.includes('keytool -list -cacerts')));
  });

  it('an untrusted chain that looks re-signed names the interception device and how to confirm it', async () => {
    const [{ input }] = await analysed('cert-untrusted');
    const confirm = 'run `openssl s_client -connect www.example.test:443 -servername www.example.test -showcerts </dev/null` from a network without the proxy';
    const intercepted: DiagnosisInput = { ...input, chain: { ...input.chain!, interception: { product: 'Zscaler', confidence: 'likely', evidence: 'issuer of #0 "Zscaler Root CA" names Zscaler', confirm } } };
    const hit = CERT_RULES.find((r) => r.code === 'tls.cert_untrusted')!.test(intercepted);
    assert.ok(hit);
    assert.match(hit.summary, /an interception device \(Zscaler\) is likely re-signing it/);
    assert.ok(hit.evidence.some((e) => e.includes('interception: issuer of #0') && e.includes(confirm)));
    assert.ok(hit.fixes.some((x) => x.startsWith('An interception device (Zscaler) is likely re-signing this connection: to confirm, run `openssl s_client')));
  });

  it('midstream and incomplete captures get no TLS verdict', async () => {
    const [{ record, input }] = await analysed('tcp-midstream');
    assert.equal(record.verdict.code, 'incomplete');
    for (const r of [...TLS_RULES_WIRE, ...TLS_RULES_PATH, ...TLS_RULES_INFERRED]) assert.equal(r.test(input), null, r.code);
  });
});

/** The tls.* verdict codes of the contract (spec/report-format.md). */
const CONTRACT_TLS_CODES = [
  'tls.ok', 'tls.version_mismatch', 'tls.cipher_mismatch', 'tls.group_mismatch', 'tls.sni_rejected', 'tls.alpn_mismatch',
  'tls.cert_expired', 'tls.cert_not_yet_valid', 'tls.cert_hostname_mismatch', 'tls.cert_self_signed', 'tls.cert_chain_incomplete',
  'tls.cert_untrusted', 'tls.cert_rejected', 'tls.client_cert_required', 'tls.server_closed', 'tls.client_closed', 'tls.no_response',
  'tls.mtu_blackhole', 'tls.not_tls', 'tls.protocol_error', 'tls.alert',
] as const;

describe('every tls.* code of the contract comes out of a real capture', () => {
  it('the verdict table of spec/report-format.md is covered by captures/', async () => {
    // The spec lives next to the repository in the development setup; the list below is its copy.
    const spec = join(repoRoot, '..', 'shared', 'spec', 'report-format.md');
    if (existsSync(spec)) {
      const verdictTable = readFileSync(spec, 'utf8').split('## Verdict codes')[1] ?? '';
      const fromSpec = [...verdictTable.matchAll(/^\| `(tls\.[a-z_]+)` \|/gm)].map((m) => m[1]!);
      assert.deepEqual([...fromSpec].sort(), [...CONTRACT_TLS_CODES].sort(), 'the copy of the contract\'s tls.* codes is current');
    }
    const fromRules = [...TLS_RULES_WIRE, ...TLS_RULES_PATH, ...TLS_RULES_INFERRED].map((r) => r.code);
    assert.deepEqual([...new Set(fromRules)].sort(), [...CONTRACT_TLS_CODES].sort(), 'one rule per contract code');
    const codes = CONTRACT_TLS_CODES;
    const names = files.filter((f) => f.endsWith('.expect.json') && !f.startsWith('ssh-')).map((f) => f.replace(/\.expect\.json$/, ''));
    const produced = new Map<string, string>();
    for (const n of names) for (const { record } of await analysed(n)) if (!produced.has(record.verdict.code)) produced.set(record.verdict.code, n);
    const missing = codes.filter((c) => !produced.has(c));
    assert.deepEqual(missing, [], `codes without a capture: ${missing.join(', ')}`);
  });
});

describe('security findings (tlsFindings)', () => {
  const codes = (fs: { code: string }[]) => fs.map((f) => f.code);

  it('a completed TLS 1.0 handshake with an anonymous CBC suite and no EMS', async () => {
    const [{ record, input }] = await analysed('tls-weak-ok');
    assert.equal(record.verdict.code, 'tls.ok');
    const mine = tlsFindings(input);
    const all = [...codes(record.findings), ...codes(mine)];
    for (const c of ['tls.weak_version', 'tls.weak_suite_negotiated', 'tls.weak_suite_offered', 'tls.no_extended_master_secret']) assert.ok(all.includes(c), `${c} in ${all.join(', ')}`);
    const suite = mine.find((f) => f.code === 'tls.weak_suite_negotiated')!;
    assert.equal(suite.severity, 'error');
    assert.match(suite.message, /TLS_ECDH_anon_WITH_AES_128_CBC_SHA: anonymous key exchange.*; CBC with MAC-then-encrypt/);
    assert.match(mine.find((f) => f.code === 'tls.weak_suite_offered')!.message, /offers 1 broken suite \(TLS_ECDH_anon_WITH_AES_128_CBC_SHA\)/);
    assert.match(mine.find((f) => f.code === 'tls.no_extended_master_secret')!.message, /neither side used it/);
    assert.ok(!all.includes('tls.no_renegotiation_info'), 'OpenSSL signals secure renegotiation');
    assert.ok(!all.includes('tls.no_forward_secrecy'), 'anonymous ECDH is ephemeral');
    assert.ok(mine.every((f) => f.frames && f.frames.length > 0), 'findings point at frames');
  });

  it('modern handshakes have none', async () => {
    for (const name of ['tls-ok-13', 'tls-ok-12', 'tls-ok-nginx-curl', 'tls-hrr']) {
      for (const { input } of await analysed(name)) {
        const weak = tlsFindings(input).filter((f) => f.code.startsWith('tls.'));
        assert.deepEqual(weak, [], `${name}: ${JSON.stringify(weak)}`);
      }
    }
  });

  it('the downgrade sentinel counts only when the client offered TLS 1.3', async () => {
    const [{ input }] = await analysed('tls-ok-12');
    assert.equal(input.tls?.serverHello?.hello.downgradeSentinel, 'tls12', 'OpenSSL marks its TLS 1.2 ServerHello');
    assert.ok(!clientVersions(input.tls!.clientHello!.hello).includes(0x0304));
    assert.ok(!codes(tlsFindings(input)).includes('tls.downgrade_sentinel'));
  });

  it('static RSA key exchange: no forward secrecy', async () => {
    const [{ input }] = await analysed('tls-cipher-mismatch');
    const f = tlsFindings(input).find((x) => x.code === 'tls.no_forward_secrecy');
    assert.ok(f);
    assert.match(f.message, /TLS_RSA_WITH_AES_256_CBC_SHA: static RSA key exchange/);
    assert.ok(!tlsFindings(input).some((x) => x.code === 'tls.weak_suite_negotiated'), 'CBC with encrypt_then_mac (OpenSSL negotiates it) is not flagged');
  });

  it('a certificate problem on a completed handshake is a finding', async () => {
    const [{ input }] = await analysed('cert-ok-but-unverified');
    const f = tlsFindings(input).find((x) => x.code === 'tls.cert_expired');
    assert.ok(f, 'tls.cert_expired finding');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /expired: notAfter 2021-01-01/);
  });

  it('nothing for connections that are not TLS', async () => {
    for (const name of ['tcp-refused', 'tcp-other-protocol']) for (const { input } of await analysed(name)) assert.deepEqual(tlsFindings(input), []);
  });
});

describe('fix helpers', () => {
  it('olderSide: which side is behind when no version is shared', () => {
    const table: [number[], number[], ReturnType<typeof olderSide>][] = [
      [[0x0304], [], { side: 'server', sure: true }],
      [[0x0303], [], { side: 'client', sure: false }],
      [[0x0301, 0x0302], [0x0304], { side: 'client', sure: true }],
      [[0x0304, 0x0303], [0x0301], { side: 'server', sure: true }],
      [[0x0303], [0x0303], null],
      [[0x0a0a], [], null],
    ];
    for (const [client, server, want] of table) assert.deepEqual(olderSide({ clientVersions: client, serverVersions: server }), want, `${client} vs ${server}`);
  });

  it('OpenSSL names agree with the OpenSSL on this machine', (t) => {
    let out: string;
    try {
      out = execFileSync('openssl', ['ciphers', '-V', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' });
    } catch {
      t.skip('openssl is not installed');
      return;
    }
    let checked = 0;
    for (const line of out.split('\n')) {
      const m = /^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)/.exec(line);
      if (!m || m[3]!.startsWith('TLS_')) continue;
      const code = parseInt(m[1]! + m[2]!, 16);
      assert.equal(OPENSSL_SUITE_NAMES[code], m[3], `0x${code.toString(16)}`);
      checked++;
    }
    assert.ok(checked > 50, `checked ${checked}`);
    assert.equal(opensslSuiteName(0x1301), 'TLS_AES_128_GCM_SHA256');
    assert.equal(opensslSuiteName(0xffff), null);
  });
});
