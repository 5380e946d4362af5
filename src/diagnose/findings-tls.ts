// Security findings on a TLS connection, completed or not: what it negotiated or offered
// that is weak today, whatever the verdict. The analyzer adds them to the connection's
// findings:
//
//   for (const f of tlsFindings(input)) input.conn.addFinding(f);
//
// Codes: tls.weak_version (SSL 3.0 / TLS 1.0 / TLS 1.1 negotiated, or the most the client
// offers), tls.weak_suite_negotiated, tls.weak_suite_offered (NULL, EXPORT, RC4, DES/3DES,
// RC2, anonymous, integrity-only; negotiated CBC without encrypt_then_mac),
// tls.no_forward_secrecy (static RSA/DH/ECDH key exchange), tls.no_renegotiation_info (RFC 5746), tls.no_extended_master_secret (RFC 7627),
// tls.downgrade_sentinel (a TLS 1.3 server's downgrade marker while the client offered
// TLS 1.3), and the certificate chain's errors and warnings (cert.* / tls.cert_* codes).
// A code the TLS tracker already reported for this connection is not repeated.

import type { Finding } from '../engine/types.js';
import { cipherSuiteInfo, cipherSuiteName, type CipherWeakness, suiteWeaknesses } from '../registry/tls-ciphers.js';
import { EXT } from '../registry/tls-extensions.js';
import { isGrease } from '../registry/tls-names.js';
import { isDeprecatedVersion, isTls13Family, TLS12, versionName, versionRank } from '../registry/tls-versions.js';
import type { ClientHello } from '../tls/hello.js';
import type { TlsState } from '../tls/state.js';
import type { DiagnosisInput } from './input.js';

/** Weaknesses that make a suite unfit to offer at all (CBC and SHA-1 MACs are merely dated). */
const BROKEN: ReadonlySet<CipherWeakness> = new Set(['null-cipher', 'export', 'rc4', 'des', '3des', 'rc2', 'anonymous', 'null-auth-integrity-only', 'md5-mac']);
/** Of those, the ones that leave no confidentiality or no authentication at all. */
const NO_SECURITY: ReadonlySet<CipherWeakness> = new Set(['null-cipher', 'export', 'anonymous', 'null-auth-integrity-only']);

const WEAKNESS_WORDS: Readonly<Record<CipherWeakness, string>> = {
  'null-cipher': 'no encryption (NULL cipher)',
  export: 'export-grade keys (40/56 bits)',
  rc4: 'RC4 (RFC 7465 forbids it)',
  des: 'single DES (56-bit)',
  '3des': '3DES with 64-bit blocks (Sweet32)',
  rc2: 'RC2',
  anonymous: 'anonymous key exchange: the server is not authenticated, so anyone in the path can intercept',
  cbc: 'CBC with MAC-then-encrypt and no encrypt_then_mac (padding-oracle attacks such as Lucky13)',
  'md5-mac': 'an HMAC-MD5 record MAC',
  'sha1-mac': 'an HMAC-SHA1 record MAC',
  'null-auth-integrity-only': 'integrity only, no encryption (RFC 9150)',
};
/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3). */
const RENEGOTIATION_SCSV = 0x00ff;
const MAX_LISTED = 6;

/** The client's versions: supported_versions, else legacy_version as the maximum. */
function clientMax(ch: ClientHello): number {
  const sv = (ch.ext.supportedVersions ?? []).filter((v) => !isGrease(v));
  return sv.length ? sv.reduce((a, b) => (versionRank(b) > versionRank(a) ? b : a)) : ch.legacyVersion;
}

const offers13 = (ch: ClientHello): boolean => (ch.ext.supportedVersions ?? []).some(isTls13Family);

function versionFindings(tls: TlsState, ch: ClientHello | null): Finding[] {
  const sh = tls.serverHello;
  if (sh && isDeprecatedVersion(sh.hello.version)) {
    return [{ severity: 'warning', code: 'tls.weak_version', message: `negotiated ${versionName(sh.hello.version)}, obsolete since RFC 8996 (2021)${ch && versionRank(clientMax(ch)) > versionRank(sh.hello.version) ? `, although the client offered up to ${versionName(clientMax(ch))}: the server is the old side` : ''}`, frames: [sh.frame] }];
  }
  if (ch && !sh && isDeprecatedVersion(clientMax(ch))) {
    return [{ severity: 'warning', code: 'tls.weak_version', message: `the client offers at most ${versionName(clientMax(ch))}, obsolete since RFC 8996 (2021)`, frames: [tls.clientHello!.frame] }];
  }
  return [];
}

/** Broken suites in an offer, per offer list (identical hellos share theirs: tls/hello.ts). */
const BROKEN_OFFERED = new WeakMap<readonly number[], number[]>();
function brokenSuites(suites: readonly number[]): number[] {
  let b = BROKEN_OFFERED.get(suites);
  if (!b) {
    b = suites.filter((c) => !isGrease(c) && (cipherSuiteInfo(c)?.weaknesses ?? []).some((w) => BROKEN.has(w)));
    BROKEN_OFFERED.set(suites, b);
  }
  return b;
}

function suiteFindings(tls: TlsState, ch: ClientHello | null): Finding[] {
  const out: Finding[] = [];
  const sh = tls.serverHello;
  if (sh) {
    const suite = sh.hello.cipherSuite;
    const etm = sh.hello.ext.encryptThenMac === true;
    const weak = suiteWeaknesses(suite, { encryptThenMac: etm }).filter((w) => BROKEN.has(w) || w === 'cbc');
    if (weak.length) {
      out.push({
        severity: weak.some((w) => NO_SECURITY.has(w)) ? 'error' : 'warning',
        code: 'tls.weak_suite_negotiated',
        message: `negotiated ${cipherSuiteName(suite)}: ${weak.map((w) => WEAKNESS_WORDS[w]).join('; ')}`,
        frames: [sh.frame],
      });
    }
    const info = cipherSuiteInfo(suite);
    const kx = info?.keyExchange;
    // (anonymous DH/ECDH suites use ephemeral keys: their weakness is the missing authentication)
    if ((kx === 'RSA' || kx === 'DH' || kx === 'ECDH') && info?.authentication !== 'anon') {
      out.push({ severity: 'warning', code: 'tls.no_forward_secrecy', message: `negotiated ${cipherSuiteName(suite)}: static ${kx} key exchange, no forward secrecy (whoever obtains the server's private key can decrypt recorded traffic)`, frames: [sh.frame] });
    }
  }
  if (ch) {
    const broken = brokenSuites(ch.cipherSuites);
    if (broken.length) {
      const names = broken.slice(0, MAX_LISTED).map(cipherSuiteName).join(', ');
      out.push({
        severity: 'warning',
        code: 'tls.weak_suite_offered',
        message: `the client offers ${broken.length} broken suite${broken.length === 1 ? '' : 's'} (${names}${broken.length > MAX_LISTED ? ', …' : ''}): a server that prefers ${broken.length === 1 ? 'it' : 'them'}, or an attacker who can force ${broken.length === 1 ? 'it' : 'them'}, gets a weak connection`,
        frames: [tls.clientHello!.frame],
      });
    }
  }
  return out;
}

/** RFC 5746 and RFC 7627 protections, which matter when TLS ≤ 1.2 was negotiated. */
function extensionFindings(tls: TlsState, ch: ClientHello | null): Finding[] {
  const sh = tls.serverHello;
  if (!sh || isTls13Family(sh.hello.version) || versionRank(sh.hello.version) > versionRank(TLS12)) return [];
  const out: Finding[] = [];
  const has = (types: readonly { type: number }[], t: number) => types.some((e) => e.type === t);
  const clientRi = ch ? has(ch.extensions, EXT.renegotiation_info) || ch.cipherSuites.includes(RENEGOTIATION_SCSV) : true;
  const serverRi = has(sh.hello.extensions, EXT.renegotiation_info);
  if (!serverRi || !clientRi) {
    const who = !serverRi && !clientRi ? 'neither side signals' : !serverRi ? 'the server does not support' : 'the client does not signal';
    out.push({ severity: 'warning', code: 'tls.no_renegotiation_info', message: `${who} secure renegotiation (renegotiation_info, RFC 5746): renegotiation could splice an attacker's data into the connection (CVE-2009-3555)`, frames: [sh.frame] });
  }
  if (!has(sh.hello.extensions, EXT.extended_master_secret)) {
    const clientEms = ch ? has(ch.extensions, EXT.extended_master_secret) : false;
    out.push({
      severity: 'warning',
      code: 'tls.no_extended_master_secret',
      message: `no extended master secret (RFC 7627): ${clientEms ? 'the client offered it, the server did not accept it' : 'neither side used it'}; the session keys are not bound to the handshake (triple-handshake attacks), and FIPS 140-3 requires it for TLS 1.2`,
      frames: [sh.frame],
    });
  }
  return out;
}

function downgradeFindings(tls: TlsState, ch: ClientHello | null): Finding[] {
  const sh = tls.serverHello;
  if (!sh?.hello.downgradeSentinel || !ch || !offers13(ch)) return [];
  return [{
    severity: 'error',
    code: 'tls.downgrade_sentinel',
    message: `the client offered TLS 1.3, yet the server negotiated ${versionName(sh.hello.version)} and marked its random with the ${sh.hello.downgradeSentinel === 'tls12' ? 'TLS 1.2' : 'TLS 1.1'} downgrade sentinel (RFC 8446 §4.1.3): something between them removed TLS 1.3 from the ClientHello (a middlebox), or the server's front end does not pass it on; a TLS 1.3 client aborts such a handshake`,
    frames: [sh.frame],
  }];
}

function certificateFindings(input: DiagnosisInput): Finding[] {
  const chain = input.chain;
  const frame = input.tls?.certificates?.frame;
  if (!chain) return [];
  return chain.problems
    .filter((p) => p.severity !== 'info')
    .map((p) => ({ severity: p.severity, code: p.code, message: `certificate: ${p.message}`, ...(frame !== undefined ? { frames: [frame] } : {}) }));
}

/** The security findings of one TLS connection (none for other protocols or an empty TLS state). */
export function tlsFindings(input: DiagnosisInput): Finding[] {
  const tls = input.tls;
  if (!tls || tls.midstream || (!tls.clientHello && !tls.serverHello)) return [];
  const ch = tls.clientHellos[tls.clientHellos.length - 1]?.hello ?? null;
  const all = [
    ...versionFindings(tls, ch),
    ...suiteFindings(tls, ch),
    ...extensionFindings(tls, ch),
    ...downgradeFindings(tls, ch),
    ...certificateFindings(input),
  ];
  const reported = new Set(tls.findings.map((f) => f.code));
  return all.filter((f) => !reported.has(f.code));
}
