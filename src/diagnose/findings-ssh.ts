// Security findings on SSH connections, completed or not: what is worth telling beside the
// verdict. Division of work with the tracker (src/ssh/tracker.ts), which already emits, from
// the two KEXINITs: `ssh.weak_algorithm` for each weak algorithm in the negotiated set and
// `ssh.terrapin` when chacha20-poly1305 or CBC + EtM is used without strict KEX. Those are
// relied on, not repeated; this module adds what needs the whole picture:
//  - ssh.weak_offer: weak algorithms a side still offers but that were not negotiated;
//  - ssh.terrapin (info): an EtM MAC with a non-CBC cipher without strict KEX, which the
//    tracker leaves out (the prefix truncation applies, no known exploit);
//  - ssh.hostkey_differs / ssh.hostkey_unknown / ssh.hostkey_cert_principal: the host key
//    against --known-hosts and earlier connections when the verdict is not hostkey_changed.

import type { Finding } from '../engine/types.js';
import { type SshAlgorithmInfo, sshAlgorithm, weakNames } from '../registry/ssh-algorithms.js';
import { kexInitIdentity, type KexInit } from '../ssh/kexinit.js';
import { inferAfterKex } from '../ssh/postauth.js';
import type { SshState } from '../ssh/state.js';
import { LISTS, type ListKind, sshSoftware } from './fixes-ssh.js';
import type { DiagnosisInput } from './input.js';
import { hostKeyChange } from './rules-ssh.js';

/** The KEXINIT lists per registry kind (both directions of a kind together). */
const KIND_LISTS: readonly { list: ListKind; fields: (keyof KexInit)[] }[] = [
  { list: 'kex', fields: ['kexAlgorithms'] },
  { list: 'hostKey', fields: ['serverHostKeyAlgorithms'] },
  { list: 'cipher', fields: ['encryptionC2S', 'encryptionS2C'] },
  { list: 'mac', fields: ['macC2S', 'macS2C'] },
];

const describe = (i: SshAlgorithmInfo): string => `${i.name} (${i.notes[0] ?? i.rating})`;

/** Weak offers per (lists, negotiated names): clients and servers repeat their KEXINIT connection after connection. Bounded. */
const WEAK_PARTS = new Map<string, { parts: string[]; keywords: string[]; insecure: boolean }>();

function weakParts(k: KexInit, negotiated: ReadonlySet<string>): { parts: string[]; keywords: string[]; insecure: boolean } {
  const key = [...negotiated].join(',') + '|' + KIND_LISTS.map(({ fields }) => fields.map((f) => (k[f] as string[]).join(',')).join(';')).join('|');
  const hit = WEAK_PARTS.get(key);
  if (hit) return hit;
  const parts: string[] = [];
  const keywords: string[] = [];
  let insecure = false;
  for (const { list, fields } of KIND_LISTS) {
    const { registry: kind, keyword } = LISTS[list];
    const names = [...new Set(fields.flatMap((f) => k[f] as string[]))].filter((n) => !negotiated.has(n));
    const weak = weakNames(kind, names);
    if (weak.length === 0) continue;
    insecure ||= weak.some((w) => w.rating === 'insecure');
    parts.push(`${kind} ${weak.map(describe).join(', ')}`);
    keywords.push(keyword);
  }
  const v = { parts, keywords, insecure };
  if (WEAK_PARTS.size >= 256) WEAK_PARTS.clear();
  WEAK_PARTS.set(key, v);
  return v;
}

/**
 * The same, by identity: identical KEXINITs share their decoding and identical pairs their
 * negotiation (ssh/kexinit.ts, ssh/negotiate.ts), so most connections are answered
 * without building the string key.
 */
const WEAK_BY_NEGOTIATION = new WeakMap<object, WeakMap<object, ReturnType<typeof weakParts>>>();

function weakPartsOf(k: KexInit, negotiation: SshState['negotiation'], negotiated: () => ReadonlySet<string>): ReturnType<typeof weakParts> {
  if (!negotiation) return weakParts(k, negotiated());
  let byKexInit = WEAK_BY_NEGOTIATION.get(negotiation);
  if (!byKexInit) WEAK_BY_NEGOTIATION.set(negotiation, (byKexInit = new WeakMap()));
  const id = kexInitIdentity(k);
  let v = byKexInit.get(id);
  if (!v) byKexInit.set(id, (v = weakParts(k, negotiated())));
  return v;
}

/** Weak algorithms each side offers beyond the negotiated ones (those have the tracker's ssh.weak_algorithm). */
function weakOffers(ssh: SshState): Finding[] {
  let names: ReadonlySet<string> | null = null;
  const negotiated = (): ReadonlySet<string> => (names ??= new Set(Object.values(ssh.negotiation?.negotiated ?? {}).filter((n): n is string => n !== null)));
  const out: Finding[] = [];
  for (const side of ['client', 'server'] as const) {
    const k = ssh[side].kexinit;
    if (!k) continue;
    const { parts, keywords, insecure } = weakPartsOf(k.value, ssh.negotiation, negotiated);
    if (parts.length === 0) continue;
    const product = sshSoftware(ssh[side].banner?.softwareVersion).product;
    const where = product === 'dropbear' ? "dropbear's build options (localoptions.h)" : product !== 'OpenSSH' && product !== 'other' ? `the ${product} settings` : side === 'server' ? 'sshd_config' : 'ssh_config / ~/.ssh/config';
    out.push({
      severity: insecure ? 'warning' : 'info',
      code: 'ssh.weak_offer',
      message: `the ${side} offers weak algorithms${ssh.negotiation?.ok ? ' (unused here, but any peer may negotiate them)' : ''}: ${parts.join('; ')}; remove them (${keywords.join(', ')}) in ${where}`,
      frames: [k.frame],
    });
  }
  return out;
}

/** EtM with a CTR (or other non-CBC, non-AEAD) cipher and no strict KEX: the tracker's ssh.terrapin leaves this out. */
function terrapinEtm(ssh: SshState): Finding[] {
  const n = ssh.negotiation;
  if (!n?.ok || n.strictKex.active || n.terrapinExposed) return [];
  const pairs = [
    [n.negotiated.cipherC2S, n.negotiated.macC2S],
    [n.negotiated.cipherS2C, n.negotiated.macS2C],
  ] as const;
  const hit = pairs.find(([c, m]) => c !== null && m !== null && sshAlgorithm('mac', m).etm === true && !sshAlgorithm('cipher', c).aead);
  if (!hit) return [];
  const frame = Math.max(ssh.client.kexinit?.frame ?? 0, ssh.server.kexinit?.frame ?? 0);
  return [
    {
      severity: 'info',
      code: 'ssh.terrapin',
      message: `the connection uses ${hit[0]} with the encrypt-then-MAC ${hit[1]} without strict key exchange on both sides (client ${n.strictKex.client ? 'offers' : 'does not offer'} it, server ${n.strictKex.server ? 'offers' : 'does not offer'} it): the Terrapin prefix truncation (CVE-2023-48795) applies to EtM MACs, though with a non-CBC cipher no practical exploit is known; OpenSSH 9.6 and later negotiate strict KEX`,
      frames: [frame],
    },
  ];
}

/** The host key against --known-hosts and earlier connections, when the verdict did not already say so. */
function hostKeyFindings(input: DiagnosisInput): Finding[] {
  const ssh = input.ssh!;
  const hk = ssh.hostKey;
  if (!hk) return [];
  const out: Finding[] = [];
  const change = hostKeyChange(input);
  // ssh.hostkey_changed is the verdict unless the client went on with a session (it accepted the key).
  if (change && ssh.completed && inferAfterKex(ssh).outcome === 'session') {
    out.push({
      severity: 'warning',
      code: 'ssh.hostkey_differs',
      message: `${change.statement}; yet the client went on with a session, so it accepted this key (StrictHostKeyChecking=no, or its known_hosts holds the new key): make sure the change is legitimate`,
      frames: [hk.frame],
    });
  }
  const kh = input.knownHosts;
  const file = input.knownHostsPath ?? 'known_hosts';
  if (kh?.status === 'unknown') {
    out.push({
      severity: 'info',
      code: 'ssh.hostkey_unknown',
      message: `the server's ${hk.type} host key ${hk.fingerprint} is not in ${file} for ${kh.name}${kh.knownKeys.length > 0 ? ` (keys of other types are: ${kh.knownKeys.map((k) => `${k.type} line ${k.line}`).join(', ')})` : ''}: an OpenSSH client asks "The authenticity of host ... can't be established", or refuses with StrictHostKeyChecking=yes`,
      frames: [hk.frame],
    });
  }
  if (kh?.status === 'ca-signed' && kh.principalOk === false) {
    out.push({
      severity: 'warning',
      code: 'ssh.hostkey_cert_principal',
      message: `the server's host certificate is signed by the @cert-authority of ${file} line ${kh.lines.join(', ')}, but ${input.conn.server.endpoint.ip} is not among its principals: OpenSSH refuses it ("Certificate invalid: name is not a listed principal")`,
      frames: [hk.frame],
    });
  }
  return out;
}

/**
 * Security findings for one SSH connection (none for other connections). Call once per
 * connection after diagnosing it and before its host key is recorded into the knowledge.
 */
export function sshFindings(input: DiagnosisInput): Finding[] {
  const ssh = input.ssh;
  if (!ssh) return [];
  return [...weakOffers(ssh), ...terrapinEtm(ssh), ...hostKeyFindings(input)];
}
