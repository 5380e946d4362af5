#!/usr/bin/env node
// Builds the libpcap binding (native/) with node-gyp at install time.
//
// Live capture is optional: if libpcap's headers, a C compiler or node-gyp are missing, or
// the build fails, this prints ONE line saying what to install and exits 0, so that
// `npm ci` still succeeds and offline analysis (hsi read) works. `hsi live` then says the
// same thing when it is run.
//
// Environment:
//   HSI_SKIP_NATIVE=1   do not build (prints why live capture is disabled)
//   HSI_NATIVE_DIR=DIR  build the node-gyp project in DIR instead of ../native (tests)
//   CC                  the C compiler (also used by node-gyp's make)
//   npm_config_node_gyp, npm_config_nodedir  set by npm when it runs this script
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..');
const nativeDir = resolve(process.env.HSI_NATIVE_DIR || join(repoRoot, 'native'));
const addonRel = join('build', 'Release', 'hsi_pcap.node');
const logPath = join(nativeDir, 'build', 'build.log');

const INSTALL_PCAP =
  'live capture disabled: install libpcap-dev (Debian/Ubuntu) / libpcap-devel (Fedora), then npm rebuild';

/** Prints the one line and exits 0: live capture is optional. */
function disabled(line) {
  console.log(line);
  process.exit(0);
}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
}

/**
 * Preprocesses `#include <pcap/pcap.h>` with the C compiler: tells apart "no compiler"
 * and "no libpcap headers" before node-gyp produces pages of output.
 */
function probePcapHeaders() {
  const cc = process.env.CC && process.env.CC.trim() ? process.env.CC.trim() : 'cc';
  const dir = mkdtempSync(join(tmpdir(), 'hsi-pcap-probe-'));
  try {
    const src = join(dir, 'probe.c');
    writeFileSync(src, '#include <pcap/pcap.h>\nint main(void) { return pcap_lib_version() == 0; }\n');
    // Through the shell so that CC may carry flags ("gcc -m64"), as make allows.
    const r = run('/bin/sh', ['-c', `${cc} -E "$1" -o /dev/null`, 'probe', src]);
    if (r.error || r.status === 127) return { ok: false, why: 'compiler', detail: `${cc}: not found` };
    if (r.status !== 0) {
      const text = `${r.stderr}${r.stdout}`;
      if (/pcap(\/pcap)?\.h/.test(text) && /No such file|not found|cannot open|no include path/i.test(text))
        return { ok: false, why: 'headers', detail: firstErrorLine(text) };
      return { ok: false, why: 'compiler', detail: firstErrorLine(text) };
    }
    return { ok: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function firstErrorLine(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /error/i.test(l)) ?? lines[0] ?? 'no output';
}

/** node-gyp: the one npm passes to scripts, else the one bundled with npm, else PATH. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(repoRoot, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  for (const c of candidates) if (existsSync(c)) return { cmd: process.execPath, pre: [c] };
  const onPath = run('/bin/sh', ['-c', 'command -v node-gyp']);
  if (onPath.status === 0 && onPath.stdout.trim()) return { cmd: onPath.stdout.trim(), pre: [] };
  return null;
}

/** Node's headers on this machine: npm's nodedir, or the prefix of the running node. */
function localNodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? prefix : null;
}

function main() {
  if (process.env.HSI_SKIP_NATIVE) disabled('live capture disabled: HSI_SKIP_NATIVE is set (unset it, then npm rebuild)');
  if (!existsSync(join(nativeDir, 'binding.gyp'))) disabled(`live capture disabled: ${nativeDir}/binding.gyp is missing`);

  const probe = probePcapHeaders();
  if (!probe.ok && probe.why === 'headers') disabled(INSTALL_PCAP);
  if (!probe.ok)
    disabled(`live capture disabled: no working C compiler (${probe.detail}); install gcc/make (build-essential), then npm rebuild`);

  const gyp = findNodeGyp();
  if (!gyp) disabled('live capture disabled: node-gyp not found (it ships with npm; run the build through npm), then npm rebuild');

  const nodedir = localNodeDir();
  const args = [...gyp.pre, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const started = Date.now();
  const r = run(gyp.cmd, args, { cwd: nativeDir, env: process.env });
  const output = `$ ${gyp.cmd} ${args.join(' ')}\n${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}\n`;
  mkdirSync(dirname(logPath), { recursive: true });
  writeFileSync(logPath, output);

  const addon = join(nativeDir, addonRel);
  if (r.status !== 0 || !existsSync(addon)) {
    if (/pcap(\/pcap)?\.h: No such file/.test(output)) disabled(INSTALL_PCAP);
    disabled(`live capture disabled: building the libpcap binding failed (${firstErrorLine(output)}); full log in ${logPath}`);
  }
  // Load it in a child: catches a missing libpcap.so or an ABI mismatch now, not at `hsi live`.
  const check = run(process.execPath, ['-e', 'process.stdout.write(require(process.argv[1]).libVersion())', addon]);
  if (check.status !== 0) {
    rmSync(addon, { force: true });
    disabled(`live capture disabled: the built binding does not load (${firstErrorLine(check.stderr)}); install libpcap, then npm rebuild`);
  }
  console.log(`live capture: built ${addon} against ${check.stdout.trim()} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main();
