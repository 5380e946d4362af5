// The tracker on hand-built streams (edge cases no capture shows) and the post-key-exchange
// inference at its thresholds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding, LadderEvent, Side } from '../src/engine/types.js';
import { SshTracker } from '../src/ssh/tracker.js';
import {
  AUTH_FAIL_MAX_SERVER_SEGMENTS,
  AUTH_FAIL_MAX_SERVER_SIZES,
  SESSION_MIN_BYTES,
  SESSION_MIN_TURNS,
  inferAfterKex,
} from '../src/ssh/postauth.js';
import { MAX_MESSAGES } from '../src/ssh/state.js';
import { MAX_PRE_BANNER_LINES } from '../src/ssh/banner.js';
import { kexinitPayload, packet, sshString, u32, type KexInitLists } from './fixtures/ssh-wire.js';

const LISTS: KexInitLists = {
  kex: ['curve25519-sha256', 'kex-strict-c-v00@openssh.com', 'kex-strict-s-v00@openssh.com'],
  hostKey: ['ssh-ed25519'],
  encC2S: ['aes128-ctr'],
  macC2S: ['hmac-sha2-256-etm@openssh.com'],
};

function tracker() {
  const ladder: LadderEvent[] = [];
  const findings: Finding[] = [];
  const t = new SshTracker({ ladder: (e) => ladder.push(e), finding: (f) => findings.push(f) });
  let frame = 1;
  const send = (side: Side, bytes: Uint8Array): void => {
    const ref = { frame: frame, time: frame };
    frame++;
    if (t.needsBytes(side)) t.onData(side, bytes, ref);
    else t.onOpaque(side, bytes.length, ref);
  };
  const close = (side: Side): void => t.onClose(side, 'fin', { frame: frame, time: frame++ });
  return { t, ladder, findings, send, close, codes: () => findings.map((f) => f.code) };
}

/** Banners, KEXINITs and NEWKEYS both ways: a completed handshake (no real key exchange needed). */
function completed(extraClient: Uint8Array[] = []) {
  const x = tracker();
  x.send('server', Buffer.concat([Buffer.from('SSH-2.0-srv\r\n'), packet(kexinitPayload(LISTS))]));
  x.send('client', Buffer.concat([Buffer.from('SSH-2.0-cli\r\n'), packet(kexinitPayload(LISTS)), ...extraClient]));
  x.send('server', packet(Buffer.from([21])));
  x.send('client', packet(Buffer.from([21])));
  assert.equal(x.t.state.completed, true);
  return x;
}

test('inference at its thresholds', () => {
  // An auth failure: few segments, one repeated size, closed.
  const fail = completed();
  for (let i = 0; i < 3; i++) {
    fail.send('client', new Uint8Array(60));
    fail.send('server', new Uint8Array(44));
  }
  fail.close('client');
  assert.equal(inferAfterKex(fail.t.state).outcome, 'auth_failed');
  assert.equal(inferAfterKex(fail.t.state).confidence, 'likely');
  assert.equal(fail.t.state.stage, 'authentication');

  // Still open at the end of the capture: undetermined.
  const open = completed();
  open.send('client', new Uint8Array(60));
  open.send('server', new Uint8Array(44));
  assert.equal(inferAfterKex(open.t.state).outcome, 'undetermined');

  // Too many server answers for a failure: a short session (possible).
  const many = completed();
  for (let i = 0; i <= AUTH_FAIL_MAX_SERVER_SEGMENTS / 2; i++) {
    many.send('client', new Uint8Array(60));
    many.send('server', new Uint8Array(44));
    many.send('server', new Uint8Array(44));
  }
  assert.ok(many.t.state.server.encrypted.segments > AUTH_FAIL_MAX_SERVER_SEGMENTS);
  assert.ok(many.t.state.encryptedTurns < SESSION_MIN_TURNS);
  many.close('server');
  assert.equal(inferAfterKex(many.t.state).outcome, 'session');
  assert.equal(inferAfterKex(many.t.state).confidence, 'possible');

  // Varied server sizes: a short session.
  const varied = completed();
  for (let i = 0; i <= AUTH_FAIL_MAX_SERVER_SIZES; i++) {
    varied.send('client', new Uint8Array(60));
    varied.send('server', new Uint8Array(40 + i * 8));
  }
  varied.close('client');
  assert.equal(inferAfterKex(varied.t.state).outcome, 'session');

  // Bulk data: a session (likely), and the stage moves to "session" at that frame.
  const bulk = completed();
  bulk.send('client', new Uint8Array(60));
  bulk.send('server', new Uint8Array(SESSION_MIN_BYTES));
  assert.equal(inferAfterKex(bulk.t.state).outcome, 'session');
  assert.equal(inferAfterKex(bulk.t.state).confidence, 'likely');
  assert.equal(bulk.t.state.stage, 'session');

  // Many turns of small data (an interactive session): a session (likely).
  const turns = completed();
  for (let i = 0; i < SESSION_MIN_TURNS; i++) turns.send(i % 2 ? 'server' : 'client', new Uint8Array(36));
  assert.equal(inferAfterKex(turns.t.state).outcome, 'session');
  assert.equal(turns.t.state.encryptedTurns, SESSION_MIN_TURNS);

  // Not completed: undetermined.
  const half = tracker();
  half.send('client', Buffer.from('SSH-2.0-cli\r\n'));
  assert.equal(inferAfterKex(half.t.state).outcome, 'undetermined');
});

test('bytes after NEWKEYS in the same segment count as encrypted, and the tracker stops asking', () => {
  const x = tracker();
  x.send('server', Buffer.concat([Buffer.from('SSH-2.0-srv\r\n'), packet(kexinitPayload(LISTS))]));
  x.send('client', Buffer.concat([Buffer.from('SSH-2.0-cli\r\n'), packet(kexinitPayload(LISTS))]));
  x.send('server', Buffer.concat([packet(Buffer.from([21])), new Uint8Array(100)]));
  assert.equal(x.t.needsBytes('server'), false);
  assert.equal(x.t.needsBytes('client'), true);
  assert.equal(x.t.state.server.encrypted.bytes, 100);
  assert.equal(x.t.state.server.encrypted.segments, 1);
  x.send('client', packet(Buffer.from([21])));
  assert.equal(x.t.needsBytes('client'), false);
  assert.equal(x.t.state.stage, 'authentication');
});

test('strict KEX, guesses and message oddities become findings', () => {
  // Strict KEX on both sides, but the client sends IGNORE before its KEXINIT.
  const x = tracker();
  x.send('server', Buffer.concat([Buffer.from('SSH-2.0-srv\r\n'), packet(kexinitPayload(LISTS))]));
  x.send('client', Buffer.concat([Buffer.from('SSH-2.0-cli\r\n'), packet(Buffer.concat([Buffer.from([2]), sshString('x')])), packet(kexinitPayload(LISTS))]));
  assert.equal(x.t.state.negotiation?.strictKex.active, true);
  assert.equal(x.t.state.client.strictKex, true);
  assert.equal(x.t.state.server.strictKex, true);
  assert.ok(x.codes().includes('ssh.strict_kex_violation'));
  assert.equal(x.t.state.client.ignoreCount, 1);
  // A user-auth message in clear, a reply from the wrong side, short padding, a second KEXINIT.
  x.send('client', packet(Buffer.from([50, 0, 0, 0, 0])));
  x.send('client', packet(Buffer.concat([Buffer.from([31]), sshString('k'), sshString('f'), sshString(sshString('s'))])));
  x.send('server', packet(Buffer.from([2, 0, 0, 0, 0, 0, 0]), { padding: 2 }));
  x.send('server', packet(kexinitPayload(LISTS)));
  for (const code of ['ssh.unexpected_message', 'ssh.unexpected_direction', 'ssh.packet_short-padding', 'ssh.malformed_host_key']) {
    assert.ok(x.codes().includes(code), code);
  }
  // Findings carry frames.
  assert.ok(x.findings.every((f) => f.frames && f.frames.length > 0));
  // DEBUG text is kept.
  x.send('server', packet(Buffer.concat([Buffer.from([4, 0]), sshString('hello from server'), sshString('')])));
  assert.deepEqual(x.t.state.server.debugMessages, ['hello from server']);
});

test('no common algorithm: the failure is on the ladder with both offers', () => {
  const x = tracker();
  x.send('client', Buffer.concat([Buffer.from('SSH-2.0-cli\r\n'), packet(kexinitPayload({ ...LISTS, kex: ['diffie-hellman-group1-sha1'] }))]));
  x.send('server', Buffer.concat([Buffer.from('SSH-2.0-srv\r\n'), packet(kexinitPayload(LISTS))]));
  assert.equal(x.t.state.negotiation?.failedList, 'kex');
  const ev = x.ladder.find((e) => e.label === 'no common kex');
  assert.ok(ev && ev.detail?.includes('diffie-hellman-group1-sha1'));
  // A guess from the client before the server's KEXINIT is resolved when both are known.
  const g = tracker();
  g.send('client', Buffer.concat([Buffer.from('SSH-2.0-cli\r\n'), packet(kexinitPayload({ ...LISTS, kex: ['ecdh-sha2-nistp256', 'curve25519-sha256'], follows: true })), packet(Buffer.concat([Buffer.from([30]), sshString(Buffer.alloc(65))]))]));
  assert.equal(g.t.state.messages[1]!.ignored, undefined);
  g.send('server', Buffer.concat([Buffer.from('SSH-2.0-srv\r\n'), packet(kexinitPayload(LISTS))]));
  assert.equal(g.t.state.negotiation?.guess.client, 'wrong');
  assert.equal(g.t.state.messages[1]!.ignored, true);
  assert.equal(g.t.state.stage, 'kexinit', 'an ignored guess does not count as key exchange progress');
});

test('banner phase: client lines, unterminated identification, caps', () => {
  // A client must start with "SSH-": anything else is not SSH, with a preview.
  const c = tracker();
  c.send('client', Buffer.from([0x16, 0x03, 0x01, 0x00, 0x10, 0x01]));
  c.close('client');
  assert.equal(c.t.state.client.notSsh?.kind, 'tls');
  assert.equal(c.t.needsBytes('client'), false);
  assert.deepEqual(c.codes(), ['ssh.not_ssh']);
  // A server's identification without a line end before the close is still recorded.
  const s = tracker();
  const banner = () => s.t.state.server.banner;
  s.send('server', Buffer.from('SSH-2.0-cut'));
  assert.equal(banner(), null);
  s.close('server');
  assert.equal(banner()?.raw, 'SSH-2.0-cut');
  assert.ok(banner()?.anomalies.some((a) => a.includes('line end')));
  // Too many lines before the identification: not SSH (text), capped.
  const m = tracker();
  m.send('server', Buffer.from('x\r\n'.repeat(MAX_PRE_BANNER_LINES + 5)));
  assert.equal(m.t.state.server.preBannerLines.length, MAX_PRE_BANNER_LINES);
  m.close('server');
  assert.equal(m.t.state.server.notSsh?.kind, 'text');
  // Protocol 1.99 server with a 2.0 client decodes packets.
  const v = tracker();
  v.send('server', Buffer.concat([Buffer.from('SSH-1.99-old\r\n'), packet(kexinitPayload(LISTS))]));
  assert.equal(v.t.state.server.protocol, '1.99');
  assert.ok(v.t.state.server.kexinit);
});

test('caps: messages kept, and a lying packet length stops the side', () => {
  const x = tracker();
  x.send('client', Buffer.from('SSH-2.0-cli\r\n'));
  const ignore = packet(Buffer.concat([Buffer.from([2]), sshString('')]));
  x.send('client', Buffer.concat(Array.from({ length: MAX_MESSAGES + 10 }, () => ignore)));
  assert.equal(x.t.state.messages.length, MAX_MESSAGES);
  assert.equal(x.t.state.messagesDropped, 10);
  assert.equal(x.t.state.client.ignoreCount, MAX_MESSAGES + 10);
  x.send('client', Buffer.concat([u32(0x7fffffff), Buffer.alloc(20)]));
  assert.ok(x.codes().includes('ssh.malformed_packet'));
  assert.equal(x.t.needsBytes('client'), false);
  x.send('client', new Uint8Array(50));
  assert.equal(x.t.state.client.unparsedBytes, 24 + 50, 'the bad packet and what followed');
});
