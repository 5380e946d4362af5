// SSH algorithm names as data: key exchange, host key, cipher, MAC, compression. Each entry
// says what kind it is, how it rates today, why (weakness notes), and where OpenSSH changed
// its defaults (facts from the OpenSSH release notes, for the fixes a report suggests).
// Unknown names are kept as they are and rated 'unknown'; a few families are recognised by
// prefix (gss-*, ecdh-sha2-*, diffie-hellman-group*) so their key-exchange messages decode.

import type { KexFamily } from './ssh-messages.js';

export type SshAlgorithmKind = 'kex' | 'hostkey' | 'cipher' | 'mac' | 'compression';

/**
 * recommended: modern, no known weakness. acceptable: sound but not first choice.
 * weak: deprecated (SHA-1, CBC, 64-bit tags...). insecure: broken or no protection at all.
 */
export type SshRating = 'recommended' | 'acceptable' | 'weak' | 'insecure' | 'unknown';

export interface SshAlgorithmInfo {
  name: string;
  kind: SshAlgorithmKind;
  rating: SshRating;
  /** Why it rates that way (empty for good ones). */
  notes: readonly string[];
  /** What OpenSSH did with it, e.g. "disabled by default in OpenSSH 8.8". */
  openssh?: string;
  /** kex: the message family, and what the host key must be able to do (RFC 4253 §7.1). */
  family?: KexFamily;
  needsHostKey?: 'signature' | 'encryption' | 'none';
  /** kex: a post-quantum hybrid. */
  postQuantum?: boolean;
  /** hostkey: the key type of the blob it uses ("rsa-sha2-256" → "ssh-rsa"). */
  keyType?: string;
  /** hostkey: capabilities (RFC 4253 §7.1 "signature-capable", "encryption-capable"). */
  canSign?: boolean;
  canEncrypt?: boolean;
  certificate?: boolean;
  /** cipher: authenticated encryption; with macIgnored the negotiated MAC is not used. */
  aead?: boolean;
  macIgnored?: boolean;
  /** cipher: CBC mode (Terrapin with an EtM MAC, plaintext recovery attacks). */
  cbc?: boolean;
  /** mac: encrypt-then-MAC. */
  etm?: boolean;
}

type Entry = Omit<SshAlgorithmInfo, 'name' | 'kind' | 'notes'> & { notes?: readonly string[] };

const SHA1_KEX = 'uses SHA-1 for the exchange hash';
const SMALL_GROUP = '1024-bit group, within reach of precomputation (Logjam)';
const CBC = 'CBC mode: plaintext-recovery attacks on SSH CBC (CVE-2008-5161); Terrapin-prone with EtM MACs';
const SHORT_BLOCK = '64-bit block cipher (SWEET32)';
const RC4 = 'RC4 has known keystream biases (RFC 8758 deprecates arcfour)';
const SHA1_SIG = 'SHA-1 signatures (chosen-prefix collisions are practical)';
const MD5_MAC = 'MD5-based MAC';
const TRUNC_MAC = 'truncated 96-bit MAC tag';
const SHA1_MAC = 'SHA-1-based MAC (still unbroken as an HMAC, but deprecated)';
const SMALL_MAC = '64-bit MAC tag';
const NO_ENC = 'no encryption at all';
const NO_MAC = 'no integrity protection at all';
const OSSH_CBC_SERVER = 'removed from sshd defaults in OpenSSH 6.7; the client stopped offering CBC by default in 7.6';

const KEX: Record<string, Entry> = {
  'mlkem768x25519-sha256': { rating: 'recommended', family: 'hybrid', postQuantum: true, openssh: 'added in OpenSSH 9.9, the default from 10.0' },
  'sntrup761x25519-sha512@openssh.com': { rating: 'recommended', family: 'hybrid', postQuantum: true, openssh: 'the default since OpenSSH 9.0' },
  'sntrup761x25519-sha512': { rating: 'recommended', family: 'hybrid', postQuantum: true, openssh: 'standard name of sntrup761x25519-sha512@openssh.com (OpenSSH 9.9)' },
  'mlkem768nistp256-sha256': { rating: 'recommended', family: 'hybrid', postQuantum: true },
  'mlkem1024nistp384-sha384': { rating: 'recommended', family: 'hybrid', postQuantum: true },
  'curve25519-sha256': { rating: 'recommended', family: 'ecdh', openssh: 'added in OpenSSH 7.4 (RFC 8731 name)' },
  'curve25519-sha256@libssh.org': { rating: 'recommended', family: 'ecdh', openssh: 'added in OpenSSH 6.5' },
  'curve448-sha512': { rating: 'recommended', family: 'ecdh' },
  'ecdh-sha2-nistp256': { rating: 'acceptable', family: 'ecdh', notes: ['NIST P-256 curve'] },
  'ecdh-sha2-nistp384': { rating: 'acceptable', family: 'ecdh', notes: ['NIST P-384 curve'] },
  'ecdh-sha2-nistp521': { rating: 'acceptable', family: 'ecdh', notes: ['NIST P-521 curve'] },
  'diffie-hellman-group1-sha1': { rating: 'insecure', family: 'dh', notes: [SMALL_GROUP, SHA1_KEX], openssh: 'disabled by default in OpenSSH 7.0' },
  'diffie-hellman-group14-sha1': { rating: 'weak', family: 'dh', notes: [SHA1_KEX], openssh: 'removed from the default proposal of client and server in OpenSSH 8.2' },
  'diffie-hellman-group14-sha256': { rating: 'acceptable', family: 'dh', notes: ['2048-bit group'] },
  'diffie-hellman-group15-sha512': { rating: 'acceptable', family: 'dh' },
  'diffie-hellman-group16-sha512': { rating: 'acceptable', family: 'dh' },
  'diffie-hellman-group17-sha512': { rating: 'acceptable', family: 'dh' },
  'diffie-hellman-group18-sha512': { rating: 'acceptable', family: 'dh' },
  'diffie-hellman-group14-sha256@ssh.com': { rating: 'acceptable', family: 'dh' },
  'diffie-hellman-group15-sha256@ssh.com': { rating: 'acceptable', family: 'dh' },
  'diffie-hellman-group15-sha384@ssh.com': { rating: 'acceptable', family: 'dh' },
  'diffie-hellman-group16-sha384@ssh.com': { rating: 'acceptable', family: 'dh' },
  'diffie-hellman-group16-sha512@ssh.com': { rating: 'acceptable', family: 'dh' },
  'diffie-hellman-group18-sha512@ssh.com': { rating: 'acceptable', family: 'dh' },
  'diffie-hellman-group-exchange-sha1': { rating: 'weak', family: 'gex', notes: [SHA1_KEX], openssh: 'not in the default proposal of current OpenSSH' },
  'diffie-hellman-group-exchange-sha256': { rating: 'acceptable', family: 'gex', openssh: 'OpenSSH 7.2 raised the minimum group size to 2048 bits' },
  'rsa1024-sha1': { rating: 'insecure', family: 'rsa', needsHostKey: 'encryption', notes: ['1024-bit transient RSA key', SHA1_KEX] },
  'rsa2048-sha256': { rating: 'acceptable', family: 'rsa', needsHostKey: 'encryption' },
};

interface HostKeyEntry extends Entry {
  keyType: string;
}

const HOSTKEY: Record<string, HostKeyEntry> = {
  'ssh-ed25519': { rating: 'recommended', keyType: 'ssh-ed25519', openssh: 'added in OpenSSH 6.5' },
  'ssh-ed25519-cert-v01@openssh.com': { rating: 'recommended', keyType: 'ssh-ed25519-cert-v01@openssh.com', certificate: true },
  'sk-ssh-ed25519@openssh.com': { rating: 'recommended', keyType: 'sk-ssh-ed25519@openssh.com' },
  'sk-ssh-ed25519-cert-v01@openssh.com': { rating: 'recommended', keyType: 'sk-ssh-ed25519-cert-v01@openssh.com', certificate: true },
  'ssh-ed448': { rating: 'recommended', keyType: 'ssh-ed448' },
  'ecdsa-sha2-nistp256': { rating: 'acceptable', keyType: 'ecdsa-sha2-nistp256' },
  'ecdsa-sha2-nistp384': { rating: 'acceptable', keyType: 'ecdsa-sha2-nistp384' },
  'ecdsa-sha2-nistp521': { rating: 'acceptable', keyType: 'ecdsa-sha2-nistp521' },
  'ecdsa-sha2-nistp256-cert-v01@openssh.com': { rating: 'acceptable', keyType: 'ecdsa-sha2-nistp256-cert-v01@openssh.com', certificate: true },
  'ecdsa-sha2-nistp384-cert-v01@openssh.com': { rating: 'acceptable', keyType: 'ecdsa-sha2-nistp384-cert-v01@openssh.com', certificate: true },
  'ecdsa-sha2-nistp521-cert-v01@openssh.com': { rating: 'acceptable', keyType: 'ecdsa-sha2-nistp521-cert-v01@openssh.com', certificate: true },
  'sk-ecdsa-sha2-nistp256@openssh.com': { rating: 'acceptable', keyType: 'sk-ecdsa-sha2-nistp256@openssh.com' },
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com': { rating: 'acceptable', keyType: 'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com', certificate: true },
  'rsa-sha2-512': { rating: 'acceptable', keyType: 'ssh-rsa', canEncrypt: true, openssh: 'RFC 8332 RSA/SHA-2 signatures, OpenSSH 7.2' },
  'rsa-sha2-256': { rating: 'acceptable', keyType: 'ssh-rsa', canEncrypt: true, openssh: 'RFC 8332 RSA/SHA-2 signatures, OpenSSH 7.2' },
  'rsa-sha2-512-cert-v01@openssh.com': { rating: 'acceptable', keyType: 'ssh-rsa-cert-v01@openssh.com', canEncrypt: true, certificate: true },
  'rsa-sha2-256-cert-v01@openssh.com': { rating: 'acceptable', keyType: 'ssh-rsa-cert-v01@openssh.com', canEncrypt: true, certificate: true },
  'ssh-rsa': { rating: 'weak', keyType: 'ssh-rsa', canEncrypt: true, notes: [SHA1_SIG], openssh: 'the ssh-rsa (RSA/SHA-1) signature algorithm is disabled by default since OpenSSH 8.8; RSA keys keep working with rsa-sha2-256/512' },
  'ssh-rsa-cert-v01@openssh.com': { rating: 'weak', keyType: 'ssh-rsa-cert-v01@openssh.com', canEncrypt: true, certificate: true, notes: [SHA1_SIG], openssh: 'disabled by default since OpenSSH 8.8' },
  'ssh-dss': { rating: 'insecure', keyType: 'ssh-dss', notes: ['DSA: 1024-bit keys, SHA-1 signatures'], openssh: 'disabled by default in OpenSSH 7.0, compiled out by default in 9.8, removed in 10.0' },
  'ssh-dss-cert-v01@openssh.com': { rating: 'insecure', keyType: 'ssh-dss-cert-v01@openssh.com', certificate: true, notes: ['DSA: 1024-bit keys, SHA-1 signatures'], openssh: 'disabled by default in OpenSSH 7.0' },
  'x509v3-ssh-rsa': { rating: 'weak', keyType: 'x509v3-ssh-rsa', canEncrypt: true, notes: [SHA1_SIG] },
  'x509v3-rsa2048-sha256': { rating: 'acceptable', keyType: 'x509v3-rsa2048-sha256', canEncrypt: true },
  'x509v3-ssh-dss': { rating: 'insecure', keyType: 'x509v3-ssh-dss', notes: ['DSA'] },
  'x509v3-ecdsa-sha2-nistp256': { rating: 'acceptable', keyType: 'x509v3-ecdsa-sha2-nistp256' },
  'x509v3-ecdsa-sha2-nistp384': { rating: 'acceptable', keyType: 'x509v3-ecdsa-sha2-nistp384' },
  'x509v3-ecdsa-sha2-nistp521': { rating: 'acceptable', keyType: 'x509v3-ecdsa-sha2-nistp521' },
  null: { rating: 'acceptable', keyType: 'null', canSign: false, notes: ['no host key: server authentication comes from GSS-API key exchange'] },
};

const CIPHER: Record<string, Entry> = {
  'chacha20-poly1305@openssh.com': { rating: 'recommended', aead: true, macIgnored: true, notes: ['Terrapin-prone without strict key exchange (CVE-2023-48795)'], openssh: 'added in OpenSSH 6.5; Terrapin countermeasure (strict KEX) since 9.6' },
  'aes256-gcm@openssh.com': { rating: 'recommended', aead: true, macIgnored: true },
  'aes128-gcm@openssh.com': { rating: 'recommended', aead: true, macIgnored: true },
  AEAD_AES_128_GCM: { rating: 'acceptable', aead: true, notes: ['RFC 5647 form: the MAC must be negotiated to the same name'] },
  AEAD_AES_256_GCM: { rating: 'acceptable', aead: true, notes: ['RFC 5647 form: the MAC must be negotiated to the same name'] },
  'aes256-ctr': { rating: 'recommended' },
  'aes192-ctr': { rating: 'recommended' },
  'aes128-ctr': { rating: 'recommended' },
  'aes256-cbc': { rating: 'weak', cbc: true, notes: [CBC], openssh: OSSH_CBC_SERVER },
  'aes192-cbc': { rating: 'weak', cbc: true, notes: [CBC], openssh: OSSH_CBC_SERVER },
  'aes128-cbc': { rating: 'weak', cbc: true, notes: [CBC], openssh: OSSH_CBC_SERVER },
  'rijndael-cbc@lysator.liu.se': { rating: 'weak', cbc: true, notes: [CBC], openssh: 'disabled by default in the client in OpenSSH 7.2' },
  '3des-cbc': { rating: 'insecure', cbc: true, notes: [SHORT_BLOCK, CBC], openssh: 'removed from the client default proposal in OpenSSH 7.4' },
  '3des-ctr': { rating: 'weak', notes: [SHORT_BLOCK] },
  'blowfish-cbc': { rating: 'insecure', cbc: true, notes: [SHORT_BLOCK, CBC], openssh: 'disabled by default in the client in OpenSSH 7.2, removed in 7.6' },
  'blowfish-ctr': { rating: 'weak', notes: [SHORT_BLOCK] },
  'cast128-cbc': { rating: 'insecure', cbc: true, notes: [SHORT_BLOCK, CBC], openssh: 'disabled by default in the client in OpenSSH 7.2, removed in 7.6' },
  'cast128-ctr': { rating: 'weak', notes: [SHORT_BLOCK] },
  'idea-cbc': { rating: 'insecure', cbc: true, notes: [SHORT_BLOCK, CBC] },
  'twofish-cbc': { rating: 'weak', cbc: true, notes: [CBC] },
  'twofish128-cbc': { rating: 'weak', cbc: true, notes: [CBC] },
  'twofish192-cbc': { rating: 'weak', cbc: true, notes: [CBC] },
  'twofish256-cbc': { rating: 'weak', cbc: true, notes: [CBC] },
  'twofish128-ctr': { rating: 'acceptable' },
  'twofish192-ctr': { rating: 'acceptable' },
  'twofish256-ctr': { rating: 'acceptable' },
  'serpent128-cbc': { rating: 'weak', cbc: true, notes: [CBC] },
  'serpent192-cbc': { rating: 'weak', cbc: true, notes: [CBC] },
  'serpent256-cbc': { rating: 'weak', cbc: true, notes: [CBC] },
  'serpent128-ctr': { rating: 'acceptable' },
  'serpent192-ctr': { rating: 'acceptable' },
  'serpent256-ctr': { rating: 'acceptable' },
  'des-cbc': { rating: 'insecure', cbc: true, notes: ['56-bit DES', CBC] },
  'des-cbc@ssh.com': { rating: 'insecure', cbc: true, notes: ['56-bit DES', CBC] },
  arcfour: { rating: 'insecure', notes: [RC4], openssh: 'disabled by default in the client in OpenSSH 7.2, removed in 7.6' },
  arcfour128: { rating: 'insecure', notes: [RC4], openssh: 'disabled by default in the client in OpenSSH 7.2, removed in 7.6' },
  arcfour256: { rating: 'insecure', notes: [RC4], openssh: 'disabled by default in the client in OpenSSH 7.2, removed in 7.6' },
  none: { rating: 'insecure', notes: [NO_ENC] },
};

const MAC: Record<string, Entry> = {
  'hmac-sha2-256-etm@openssh.com': { rating: 'recommended', etm: true },
  'hmac-sha2-512-etm@openssh.com': { rating: 'recommended', etm: true },
  'umac-128-etm@openssh.com': { rating: 'recommended', etm: true },
  'hmac-sha2-256': { rating: 'acceptable', notes: ['encrypt-and-MAC (the -etm@openssh.com variant is preferred)'] },
  'hmac-sha2-512': { rating: 'acceptable', notes: ['encrypt-and-MAC (the -etm@openssh.com variant is preferred)'] },
  'umac-128@openssh.com': { rating: 'acceptable' },
  'hmac-sha1': { rating: 'weak', notes: [SHA1_MAC] },
  'hmac-sha1-etm@openssh.com': { rating: 'weak', etm: true, notes: [SHA1_MAC] },
  'umac-64@openssh.com': { rating: 'weak', notes: [SMALL_MAC] },
  'umac-64-etm@openssh.com': { rating: 'weak', etm: true, notes: [SMALL_MAC] },
  'hmac-sha1-96': { rating: 'weak', notes: [TRUNC_MAC, SHA1_MAC], openssh: 'truncated MACs disabled by default in sshd in OpenSSH 6.7 and in the client in 7.2' },
  'hmac-sha1-96-etm@openssh.com': { rating: 'weak', etm: true, notes: [TRUNC_MAC, SHA1_MAC] },
  'hmac-sha2-256-96': { rating: 'weak', notes: [TRUNC_MAC] },
  'hmac-sha2-512-96': { rating: 'weak', notes: [TRUNC_MAC] },
  'hmac-md5': { rating: 'insecure', notes: [MD5_MAC], openssh: 'MD5 MACs disabled by default in sshd in OpenSSH 6.7 and in the client in 7.2' },
  'hmac-md5-etm@openssh.com': { rating: 'insecure', etm: true, notes: [MD5_MAC] },
  'hmac-md5-96': { rating: 'insecure', notes: [MD5_MAC, TRUNC_MAC], openssh: 'MD5 MACs disabled by default in sshd in OpenSSH 6.7 and in the client in 7.2' },
  'hmac-md5-96-etm@openssh.com': { rating: 'insecure', etm: true, notes: [MD5_MAC, TRUNC_MAC] },
  'hmac-ripemd160': { rating: 'weak', notes: ['RIPEMD-160'], openssh: 'removed in OpenSSH 7.6' },
  'hmac-ripemd160@openssh.com': { rating: 'weak', notes: ['RIPEMD-160'], openssh: 'removed in OpenSSH 7.6' },
  'hmac-ripemd160-etm@openssh.com': { rating: 'weak', etm: true, notes: ['RIPEMD-160'], openssh: 'removed in OpenSSH 7.6' },
  AEAD_AES_128_GCM: { rating: 'acceptable' },
  AEAD_AES_256_GCM: { rating: 'acceptable' },
  none: { rating: 'insecure', notes: [NO_MAC] },
};

const COMPRESSION: Record<string, Entry> = {
  none: { rating: 'recommended' },
  'zlib@openssh.com': { rating: 'recommended', notes: ['compression starts after authentication'] },
  zlib: { rating: 'acceptable', notes: ['compression from the start, before authentication'], openssh: 'sshd dropped pre-authentication compression in OpenSSH 7.4' },
};

const TABLES: Record<SshAlgorithmKind, Record<string, Entry>> = {
  kex: KEX,
  hostkey: HOSTKEY,
  cipher: CIPHER,
  mac: MAC,
  compression: COMPRESSION,
};

/**
 * Names that appear in the kex list but are not algorithms: extension and strict-KEX markers
 * (RFC 8308, OpenSSH PROTOCOL). They are never negotiated.
 */
export const SSH_MARKER_NAMES: ReadonlySet<string> = new Set([
  'ext-info-c',
  'ext-info-s',
  'ext-info-in-auth@openssh.com',
  'kex-strict-c-v00@openssh.com',
  'kex-strict-s-v00@openssh.com',
]);

export const STRICT_KEX_CLIENT = 'kex-strict-c-v00@openssh.com';
export const STRICT_KEX_SERVER = 'kex-strict-s-v00@openssh.com';

export const isMarkerName = (name: string): boolean => SSH_MARKER_NAMES.has(name);

/** Key-exchange family for names not in the table, recognised by their standard prefixes. */
function kexFamilyByPrefix(name: string): KexFamily {
  if (name.startsWith('gss-')) return 'gss';
  if (name.startsWith('diffie-hellman-group-exchange-')) return 'gex';
  if (name.startsWith('diffie-hellman-group')) return 'dh';
  if (name.startsWith('ecdh-sha2-')) return 'ecdh';
  if (name.startsWith('curve25519-') || name.startsWith('curve448-')) return 'ecdh';
  if (name.startsWith('sntrup') || name.startsWith('mlkem')) return 'hybrid';
  return 'unknown';
}

/** Everything known about an algorithm name of one kind; unknown names get rating 'unknown'. */
/** Looked-up names, per kind: every connection asks about the same few dozen. */
const infoCache = new Map<string, SshAlgorithmInfo>();
const MAX_CACHED_NAMES = 4096;

export function sshAlgorithm(kind: SshAlgorithmKind, name: string): SshAlgorithmInfo {
  const key = kind + '\0' + name;
  let info = infoCache.get(key);
  if (!info) {
    info = lookupAlgorithm(kind, name);
    if (infoCache.size < MAX_CACHED_NAMES) infoCache.set(key, info);
  }
  return info;
}

function lookupAlgorithm(kind: SshAlgorithmKind, name: string): SshAlgorithmInfo {
  const e = Object.prototype.hasOwnProperty.call(TABLES[kind], name) ? TABLES[kind][name] : undefined;
  const info: SshAlgorithmInfo = { name, kind, rating: 'unknown', notes: [], ...e, ...(e ? { notes: e.notes ?? [] } : {}) };
  if (kind === 'kex') {
    info.family ??= kexFamilyByPrefix(name);
    // GSS-API key exchange authenticates the server through GSS, with the "null" host key.
    info.needsHostKey ??= info.family === 'gss' ? 'none' : 'signature';
  }
  if (kind === 'hostkey') {
    info.keyType ??= name;
    info.canSign ??= true;
    info.canEncrypt ??= false;
    info.certificate ??= name.includes('-cert-');
  }
  if (kind === 'cipher') {
    info.aead ??= false;
    info.macIgnored ??= false;
    info.cbc ??= name.endsWith('-cbc') || name.includes('-cbc@');
  }
  if (kind === 'mac') info.etm ??= name.includes('-etm@');
  return info;
}

/** The key-exchange family of a kex name (decides how messages 30..49 read). */
export const kexFamily = (name: string): KexFamily => sshAlgorithm('kex', name).family ?? 'unknown';

/** Names of one kind with a rating of weak or insecure, in the order given. */
export function weakNames(kind: SshAlgorithmKind, names: readonly string[]): SshAlgorithmInfo[] {
  return names
    .map((n) => sshAlgorithm(kind, n))
    .filter((i) => i.rating === 'weak' || i.rating === 'insecure');
}
