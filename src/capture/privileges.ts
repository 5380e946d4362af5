// Privilege handling for live capture.
//
// Started with sudo, hsi opens the capture as root and then, before a single packet is
// decoded, becomes the invoking user (SUDO_UID/SUDO_GID), or nobody/nogroup when there is
// none: setgroups([]), setgid, setuid, then checks that it worked (no uid 0 left, setuid(0)
// fails, no effective capabilities). The live code asks packetDeliveryAllowed() before
// handing packets to JS, so a root process that has not dropped is refused unless the user
// explicitly chose to keep root (a debugging option, see keepPrivileges()).
//
// Started without root but with CAP_NET_RAW (setcap on the node binary, or ambient
// capabilities), there is no uid to drop; the capabilities of the main thread are cleared
// through the binding after the capture is open.
import { readFileSync } from 'node:fs';

/** Fallback account when sudo did not say who invoked it. */
export const FALLBACK_USER = 'nobody';
export const FALLBACK_GROUPS = ['nogroup', 'nobody'] as const;
/** The traditional uid/gid of nobody/nogroup when the account files do not list them. */
export const FALLBACK_ID = 65534;

export class PrivilegeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivilegeError';
  }
}

export interface DropTarget {
  uid: number;
  gid: number;
  /** Account name for messages: the user name, or "uid N". */
  name: string;
  /** Where the target came from. */
  source: 'sudo' | 'fallback';
}

export type DropAction =
  /** Was root: now runs as target uid/gid with no supplementary groups. */
  | 'dropped'
  /** Was not root and had no effective capabilities: nothing to do. */
  | 'not-root'
  /** Was not root but had capabilities (e.g. setcap): cleared them on the main thread. */
  | 'capabilities-dropped'
  /** Root kept on purpose (keepPrivileges). */
  | 'kept-root';

export interface DropResult {
  action: DropAction;
  uid: number;
  gid: number;
  /** One line for the report: "capturing on eth0 as root, decoding as uid 1000 (alice)". */
  message: string;
}

export interface DropOptions {
  /** Interface name for the message. */
  iface?: string;
  /** Environment to read SUDO_UID/SUDO_GID/SUDO_USER from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Account files (tests). */
  passwdPath?: string;
  groupPath?: string;
  /** Clears the calling thread's capabilities (the binding's dropCapabilities). */
  dropCapabilities?: () => { ok: boolean; error: string | null };
}

interface State {
  result: DropResult | null;
  keptRoot: boolean;
}

const state: State = { result: null, keptRoot: false };

const isRoot = (): boolean => process.getuid?.() === 0 || process.geteuid?.() === 0;

/**
 * May packets be handed to JS now? No while the process is root, unless the user chose to
 * keep root (keepPrivileges).
 */
export function packetDeliveryAllowed(): { ok: true } | { ok: false; reason: string } {
  if (!isRoot() || state.keptRoot) return { ok: true };
  return {
    ok: false,
    reason:
      'refusing to decode packets as root: drop privileges after opening the capture ' +
      '(dropPrivileges()), or keep root explicitly for debugging (--no-drop-privileges)',
  };
}

/** Keep root for decoding (the debugging option). Recorded so the report can say so. */
export function keepPrivileges(iface?: string): DropResult {
  state.keptRoot = true;
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  const where = iface ? ` on ${iface}` : '';
  state.result = {
    action: uid === 0 ? 'kept-root' : 'not-root',
    uid,
    gid,
    message:
      uid === 0
        ? `capturing${where} as root and decoding as root (privilege drop disabled)`
        : `capturing${where} and decoding as uid ${uid}`,
  };
  return state.result;
}

/** What the last dropPrivileges()/keepPrivileges() did, for the report. */
export function privilegeState(): DropResult | null {
  return state.result;
}

/** Parses an /etc/passwd or /etc/group text into name → [id, primary gid]. */
export function parseAccounts(text: string): Map<string, { id: number; gid: number }> {
  const out = new Map<string, { id: number; gid: number }>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3 || !/^\d+$/.test(f[2]!)) continue;
    const gid = f[3] !== undefined && /^\d+$/.test(f[3]) ? Number(f[3]) : Number(f[2]);
    if (!out.has(f[0]!)) out.set(f[0]!, { id: Number(f[2]), gid });
  }
  return out;
}

const readText = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

const positiveId = (s: string | undefined): number | null =>
  s !== undefined && /^\d{1,10}$/.test(s) && Number(s) > 0 && Number(s) < 2 ** 32 - 1 ? Number(s) : null;

/**
 * Who to become: the sudo invoker (SUDO_UID, SUDO_GID or that user's primary group), else
 * nobody/nogroup. Never uid or gid 0.
 */
export function resolveDropTarget(env: NodeJS.ProcessEnv, passwdText: string, groupText: string): DropTarget {
  const users = parseAccounts(passwdText);
  const groups = parseAccounts(groupText);
  const sudoUid = positiveId(env.SUDO_UID);
  if (sudoUid !== null) {
    const byUid = [...users.entries()].find(([, u]) => u.id === sudoUid);
    const gid = positiveId(env.SUDO_GID) ?? (byUid && byUid[1].gid > 0 ? byUid[1].gid : null);
    const fallbackGid = FALLBACK_GROUPS.map((g) => groups.get(g)?.id).find((g) => g !== undefined && g > 0);
    const user = env.SUDO_USER && users.get(env.SUDO_USER)?.id === sudoUid ? env.SUDO_USER : byUid?.[0];
    return {
      uid: sudoUid,
      gid: gid ?? fallbackGid ?? FALLBACK_ID,
      name: user ? `uid ${sudoUid} (${user})` : `uid ${sudoUid}`,
      source: 'sudo',
    };
  }
  const nobody = users.get(FALLBACK_USER);
  const uid = nobody && nobody.id > 0 ? nobody.id : FALLBACK_ID;
  const group = FALLBACK_GROUPS.map((g) => groups.get(g)?.id).find((g) => g !== undefined && g > 0);
  const gid = group ?? (nobody && nobody.gid > 0 ? nobody.gid : FALLBACK_ID);
  return { uid, gid, name: `uid ${uid} (${FALLBACK_USER})`, source: 'fallback' };
}

/** The main thread's effective capability set from /proc/self/status, or null if unknown. */
export function effectiveCapabilities(statusText = readText('/proc/self/status')): bigint | null {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(statusText);
  return m ? BigInt('0x' + m[1]) : null;
}

/**
 * Drops root (or capabilities) after the capture is open. Throws PrivilegeError when it
 * cannot, or when the checks after the drop fail: the caller must then stop.
 */
export function dropPrivileges(opts: DropOptions = {}): DropResult {
  const where = opts.iface ? ` on ${opts.iface}` : '';
  if (typeof process.setuid !== 'function' || typeof process.getuid !== 'function') {
    state.result = { action: 'not-root', uid: -1, gid: -1, message: `capturing${where} (no POSIX user ids here)` };
    return state.result;
  }
  if (!isRoot()) return dropCapabilitiesOnly(where, opts);

  const target = resolveDropTarget(
    opts.env ?? process.env,
    readText(opts.passwdPath ?? '/etc/passwd'),
    readText(opts.groupPath ?? '/etc/group'),
  );
  try {
    process.setgroups!([]);
    process.setgid!(target.gid);
    process.setuid!(target.uid);
  } catch (e) {
    throw new PrivilegeError(`cannot drop root privileges to ${target.name}: ${(e as Error).message}`);
  }
  verifyDropped(target);
  state.result = {
    action: 'dropped',
    uid: target.uid,
    gid: target.gid,
    message: `capturing${where} as root, decoding as ${target.name}`,
  };
  return state.result;
}

function verifyDropped(target: DropTarget): void {
  const problems: string[] = [];
  if (process.getuid!() === 0 || process.geteuid!() === 0) problems.push('uid is still 0');
  if (process.getuid!() !== target.uid) problems.push(`uid is ${process.getuid!()}, not ${target.uid}`);
  if (process.getgid!() !== target.gid || process.getegid!() !== target.gid) problems.push(`gid is ${process.getgid!()}`);
  const groups = process.getgroups!();
  if (groups.some((g) => g !== target.gid)) problems.push(`supplementary groups left: ${groups.join(',')}`);
  let regained = false;
  try {
    process.setuid!(0);
    regained = true;
  } catch {
    // expected: EPERM
  }
  if (regained) problems.push('setuid(0) succeeded after the drop');
  const caps = effectiveCapabilities();
  if (caps !== null && caps !== 0n) problems.push(`effective capabilities left: 0x${caps.toString(16)}`);
  if (problems.length) throw new PrivilegeError(`privilege drop did not hold: ${problems.join('; ')}`);
}

function dropCapabilitiesOnly(where: string, opts: DropOptions): DropResult {
  const uid = process.getuid!();
  const gid = process.getgid!();
  const caps = effectiveCapabilities();
  if (caps === null || caps === 0n || !opts.dropCapabilities) {
    const note = caps !== null && caps !== 0n ? ` (capabilities 0x${caps.toString(16)} kept)` : '';
    state.result = { action: 'not-root', uid, gid, message: `capturing${where} and decoding as uid ${uid}${note}` };
    return state.result;
  }
  const r = opts.dropCapabilities();
  const after = effectiveCapabilities();
  if (!r.ok || (after !== null && after !== 0n))
    throw new PrivilegeError(`cannot clear capabilities after opening the capture: ${r.error ?? `0x${after?.toString(16)} left`}`);
  state.result = {
    action: 'capabilities-dropped',
    uid,
    gid,
    message: `capturing${where} with capabilities 0x${caps.toString(16)}, decoding as uid ${uid} without them`,
  };
  return state.result;
}
