// HASSH and HASSHServer (Salesforce, BSD 3-Clause): MD5 over four KEXINIT name-lists joined
// by ";" — kex;encryption;mac;compression — the client's client-to-server lists for HASSH,
// the server's server-to-client lists for HASSHServer. Lists are taken exactly as sent
// (marker names such as ext-info-c included), as the reference Zeek script does.

import { createHash } from 'node:crypto';
import { kexInitIdentity, type KexInit } from './kexinit.js';

/** The string HASSH hashes ("hasshAlgorithms"): kex;enc_c2s;mac_c2s;cmp_c2s. */
export function hasshAlgorithms(client: KexInit): string {
  return [client.kexAlgorithms, client.encryptionC2S, client.macC2S, client.compressionC2S].map((l) => l.join(',')).join(';');
}

/** The string HASSHServer hashes ("hasshServerAlgorithms"): kex;enc_s2c;mac_s2c;cmp_s2c. */
export function hasshServerAlgorithms(server: KexInit): string {
  return [server.kexAlgorithms, server.encryptionS2C, server.macS2C, server.compressionS2C].map((l) => l.join(',')).join(';');
}

const md5 = (s: string): string => createHash('md5').update(Buffer.from(s, 'latin1')).digest('hex');

/** Hashes of KEXINITs seen before, by their shared decoding (kexInitIdentity). */
const MEMO = new WeakMap<object, { client?: string; server?: string }>();

function memo(k: KexInit, which: 'client' | 'server'): string {
  const id = kexInitIdentity(k);
  let m = MEMO.get(id);
  if (!m) MEMO.set(id, (m = {}));
  return (m[which] ??= md5(which === 'client' ? hasshAlgorithms(k) : hasshServerAlgorithms(k)));
}

/** HASSH of a client's KEXINIT (MD5 hex). */
export const hassh = (client: KexInit): string => memo(client, 'client');

/** HASSHServer of a server's KEXINIT (MD5 hex). */
export const hasshServer = (server: KexInit): string => memo(server, 'server');
