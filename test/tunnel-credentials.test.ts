// Credentials in a preamble never reach any output. The captures hold real logins: squid
// Basic proxy authentication (Proxy-Authorization), microsocks username/password (RFC
// 1929, in clear), an SMTP AUTH PLAIN sent before STARTTLS (base64). The passwords are
// the ones scripts/captures/tunnel.sh used; none of them, in clear, base64 or hex, may
// appear in the NDJSON records, the human report, the TUI's panes or the exported record.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ConnectionRecord } from '../src/report/record.js';
import { ladderLines } from '../src/tui/view-ladder.js';
import { offersLines } from '../src/tui/view-offers.js';
import { verdictLines } from '../src/tui/view-verdict.js';
import { lineText } from '../src/tui/text.js';
import { capturesDir, repoRoot } from './helpers/paths.js';

const hsi = join(repoRoot, 'bin', 'hsi.js');
const PROXY_PASSWORD = 'Pr0xy-S3cret-9f2c';
const MAIL_PASSWORD = 'M4il-S3cret-71ab';
const USER = 'alice';

/** Every form a secret can take on the wire or in a careless dump. */
function forms(): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const hex = (s: string) => Buffer.from(s).toString('hex');
  const out: string[] = [];
  for (const p of [PROXY_PASSWORD, MAIL_PASSWORD]) {
    out.push(p, hex(p), b64(p));
    out.push(b64(`${USER}:${p}`), b64(`\0${USER}\0${p}`), b64(`${USER}\0${USER}\0${p}`));
    out.push(hex(`${USER}:${p}`));
  }
  // base64 of the password alone shifted by one and two bytes of context, so that any
  // base64 encoding containing it shows up
  for (const p of [PROXY_PASSWORD, MAIL_PASSWORD]) for (const pre of ['\0', ':', 'x\0']) out.push(b64(pre + p).slice(4, -4));
  return out;
}

function run(args: string[]) {
  const r = spawnSync(process.execPath, [hsi, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return r.stdout.toString() + r.stderr.toString();
}

const CAPTURES = ['proxy-auth-required.pcap', 'socks-auth.pcap', 'starttls-smtp.pcap'];
const CA = ['--ca-file', join(capturesDir, 'certs', 'test-root.pem')];

describe('credentials in preambles never reach any output', () => {
  const secrets = forms();
  for (const f of CAPTURES) {
    const file = join(capturesDir, f);
    it(`${f}: the capture really holds the credentials`, () => {
      const raw = spawnSync('cat', [file]).stdout.toString('latin1');
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      assert.ok([PROXY_PASSWORD, MAIL_PASSWORD, b64(`${USER}:${PROXY_PASSWORD}`), b64(`\0${USER}\0${MAIL_PASSWORD}`)].some((s) => raw.includes(s)), 'the test would prove nothing');
    });
    it(`${f}: NDJSON, the human report (with --only-failed too), the TUI panes`, () => {
      const json = run(['read', file, '--json', ...CA]);
      const texts = [json, run(['read', file, ...CA]), run(['read', file, '--only-failed', '--color', 'always', ...CA])];
      for (const line of json.trim().split('\n')) {
        const rec = JSON.parse(line) as ConnectionRecord;
        const e = { record: rec, open: false };
        texts.push([...offersLines(e, 160), ...ladderLines(e, 160), ...verdictLines(e, 160)].map(lineText).join('\n'));
      }
      for (const t of texts) for (const s of secrets) assert.ok(!t.includes(s), `${f}: "${s}" appears in the output`);
      // the fact that credentials were sent is kept
      assert.match(json, /credentials withheld|username and password|username\/password/);
    });
  }
});
