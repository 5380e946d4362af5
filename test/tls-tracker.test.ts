// The TLS tracker on real traffic: handshakes between OpenSSL / GnuTLS peers captured on
// loopback by test/fixtures/tls-make-captures.sh, replayed segment by segment in
// capture order (test/tls-replay.ts). Frame numbers are the captures' own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadStreams, replay, type StreamEvent } from './fixtures/tls-replay.js';
import { tlsJson } from '../src/tls/json.js';
import type { TlsState } from '../src/tls/state.js';
import { looksLikeClientHello, looksLikeServerHello, looksLikeTls } from '../src/tls/detect.js';
import { classifyNonTls } from '../src/tls/nontls.js';
import { TlsTracker } from '../src/tls/tracker.js';

interface AlertWant { from: 'client' | 'server'; frame: number; description: number | null; encrypted: boolean; confidence: string }
interface Scenario {
  name: string;
  stream: number;
  stage: string | null;
  completed: boolean;
  version: number | null;
  suite: number | null;
  alerts: AlertWant[];
  check?: (s: TlsState) => void;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'tls12-full', stream: 0, stage: 'application_data', completed: true, version: 0x0303, suite: 0xc030, alerts: [],
    check: (s) => {
      assert.equal(s.certificates?.ders.length, 2);
      assert.equal(s.certificates?.frame, 6);
      assert.equal(s.certificates?.ders[0]![0], 0x30);
      assert.equal(s.serverKeyExchange?.value.kind, 'ecdhe');
      assert.equal(s.finished.client?.frame, 8);
      assert.equal(s.finished.server?.frame, 9);
      assert.equal(s.completedFrame, 9);
      assert.deepEqual(s.ccs, { client: [8], server: [9] });
      assert.equal(s.resumption, null);
      assert.equal(s.clientHello?.hello.ext.serverName, 'test.example');
      assert.equal(s.applicationData.client.firstFrame, 10);
      assert.equal(s.applicationData.server.firstFrame, 11);
    },
  },
  {
    name: 'tls13-full', stream: 0, stage: 'application_data', completed: true, version: 0x0304, suite: 0x1302, alerts: [],
    check: (s) => {
      assert.equal(s.tls13, true);
      assert.equal(s.certificates, null, 'a TLS 1.3 certificate is encrypted');
      assert.ok(s.encryptedRecords.server.filter((r) => r.meaning === 'server_flight').length >= 3);
      assert.equal(s.finished.client?.inferred, true);
      assert.equal(s.finished.client?.frame, 8);
      assert.equal(s.inferences.find((i) => i.code === 'tls.completed')?.confidence, 'likely');
    },
  },
  {
    name: 'tls13-hrr', stream: 0, stage: 'application_data', completed: true, version: 0x0304, suite: 0x1302, alerts: [],
    check: (s) => {
      assert.equal(s.helloRetryRequest?.frame, 6);
      assert.equal(s.helloRetryRequest?.hello.ext.hrrSelectedGroup, 0x1d);
      assert.equal(s.clientHellos.length, 2);
      assert.deepEqual(s.clientHellos[0]!.hello.ext.keyShares!.map((k) => k.group), [0x17]);
      assert.deepEqual(s.clientHellos[1]!.hello.ext.keyShares!.map((k) => k.group), [0x1d]);
      assert.equal(s.serverHello?.frame, 9);
    },
  },
  { name: 'tls12-resume', stream: 0, stage: 'application_data', completed: true, version: 0x0303, suite: 0xc030, alerts: [] },
  {
    name: 'tls12-resume', stream: 1, stage: 'application_data', completed: true, version: 0x0303, suite: 0xc030, alerts: [],
    check: (s) => {
      assert.equal(s.resumption?.kind, 'session-ticket');
      assert.equal(s.certificates, null);
      assert.ok(s.finished.client && s.finished.server);
    },
  },
  {
    name: 'tls12-resume-sessionid', stream: 1, stage: 'application_data', completed: true, version: 0x0303, suite: 0xc030, alerts: [],
    check: (s) => assert.equal(s.resumption?.kind, 'session-id'),
  },
  {
    name: 'tls13-resume', stream: 1, stage: 'application_data', completed: true, version: 0x0304, suite: 0x1302, alerts: [],
    check: (s) => {
      assert.equal(s.resumption?.kind, 'psk');
      assert.equal(s.encryptedRecords.server.filter((r) => r.meaning === 'server_flight').length, 2, 'EncryptedExtensions + Finished only');
    },
  },
  {
    name: 'tls-version-mismatch', stream: 0, stage: 'client_hello', completed: false, version: null, suite: null,
    alerts: [{ from: 'server', frame: 6, description: 70, encrypted: false, confidence: 'certain' }],
    check: (s) => assert.deepEqual(s.clientHello?.hello.ext.supportedVersions, undefined),
  },
  {
    name: 'tls13-cert-rejected', stream: 0, stage: 'encrypted_handshake', completed: false, version: 0x0304, suite: 0x1302,
    alerts: [{ from: 'client', frame: 9, description: null, encrypted: true, confidence: 'likely' }],
    check: (s) => {
      assert.equal(s.inferences.find((i) => i.code === 'tls13.client_alert_after_server_flight')?.confidence, 'likely');
      assert.equal(s.alerts[0]!.inferred, true);
      assert.equal(s.alerts[0]!.length, 19);
    },
  },
  {
    name: 'tls13-cert-rejected-openssl', stream: 0, stage: 'encrypted_handshake', completed: false, version: 0x0304, suite: 0x1302,
    alerts: [{ from: 'client', frame: 8, description: 48, encrypted: false, confidence: 'certain' }],
  },
  {
    name: 'tls12-cert-rejected', stream: 0, stage: 'server_hello_done', completed: false, version: 0x0303, suite: 0xc030,
    alerts: [{ from: 'client', frame: 8, description: 48, encrypted: false, confidence: 'certain' }],
  },
  {
    name: 'tls12-client-cert-required', stream: 0, stage: 'finished', completed: false, version: 0x0303, suite: 0xc030,
    alerts: [{ from: 'server', frame: 9, description: 40, encrypted: false, confidence: 'certain' }],
    check: (s) => {
      assert.equal(s.certificateRequest?.frame, 6);
      assert.deepEqual({ count: s.clientCertificate?.count, empty: s.clientCertificate?.empty, frame: s.clientCertificate?.frame }, { count: 0, empty: true, frame: 8 });
    },
  },
  {
    name: 'tls13-client-cert-required', stream: 0, stage: 'finished', completed: false, version: 0x0304, suite: 0x1302,
    alerts: [{ from: 'server', frame: 10, description: null, encrypted: true, confidence: 'likely' }],
    check: (s) => {
      assert.equal(s.inferences.find((i) => i.code === 'tls13.client_certificate_empty')?.confidence, 'likely');
      assert.equal(s.inferences.find((i) => i.code === 'tls13.server_alert_after_client_finished')?.confidence, 'likely');
      assert.equal(s.completedFrame, null);
    },
  },
  {
    name: 'tls-not-tls-http', stream: 0, stage: null, completed: false, version: null, suite: null, alerts: [],
    check: (s) => {
      assert.equal(s.notTls.client?.kind, 'http-request');
      assert.equal(s.notTls.client?.firstLine, 'GET / HTTP/1.1');
      assert.equal(s.notTls.client?.frame, 4);
      assert.equal(s.notTls.server, null);
    },
  },
];

function events(name: string, stream: number): StreamEvent[] {
  const st = loadStreams(name).find((x) => x.stream === stream);
  assert.ok(st, `${name} has stream ${stream}`);
  return st.events;
}

for (const sc of SCENARIOS) {
  test(`tracker on real traffic: ${sc.name} #${sc.stream}`, () => {
    const { tracker, ladder } = replay(events(sc.name, sc.stream));
    const s = tracker.state;
    assert.equal(s.stage, sc.stage, 'stage');
    assert.equal(s.completed, sc.completed, 'completed');
    assert.equal(s.version, sc.version, 'version');
    assert.equal(s.cipherSuite, sc.suite, 'suite');
    assert.deepEqual(
      s.alerts.map((a) => ({ from: a.from, frame: a.frame, description: a.description, encrypted: a.encrypted, confidence: a.confidence })),
      sc.alerts,
      'alerts',
    );
    if (sc.stage !== null) assert.equal(s.clientHello?.frame, events(sc.name, sc.stream).find((e) => e.kind === 'data')!.frame);
    assert.ok(ladder.length > 0);
    assert.deepEqual(s.malformed, []);
    sc.check?.(s);
    if (sc.completed) {
      assert.equal(tracker.needsBytes('client'), false);
    }
  });
}

test('feeding 1, 2 or 7 bytes at a time gives the same facts as whole segments', () => {
  for (const sc of SCENARIOS) {
    const ev = events(sc.name, sc.stream);
    const whole = replay(ev);
    const want = JSON.stringify(tlsJson(whole.tracker.state));
    const wantLadder = whole.ladder.map((e) => `${e.frame}${e.from}${e.label}`);
    for (const step of [1, 2, 7]) {
      const r = replay(ev, step);
      assert.equal(JSON.stringify(tlsJson(r.tracker.state)), want, `${sc.name} step ${step}`);
      assert.deepEqual(r.ladder.map((e) => `${e.frame}${e.from}${e.label}`), wantLadder, `${sc.name} ladder step ${step}`);
      assert.deepEqual(r.findings, whole.findings, `${sc.name} findings step ${step}`);
    }
  }
});

test('every strict prefix of a handshake: no throw, and not completed before the completing frame', () => {
  let prefixes = 0;
  for (const name of ['tls12-full', 'tls13-full']) {
    const ev = events(name, 0);
    const full = replay(ev).tracker.state;
    const completedAt = full.completedFrame!;
    const hs = ev.filter((e) => e.frame <= completedAt);
    for (let i = 0; i < hs.length; i++) {
      const e = hs[i]!;
      if (e.kind !== 'data') continue;
      const len = e.hex!.length / 2;
      for (let cut = 0; cut < len; cut++) {
        const prefix = [...hs.slice(0, i), { ...e, hex: e.hex!.slice(0, cut * 2) }];
        const s = replay(prefix.filter((x) => x.kind !== 'data' || x.hex!.length > 0)).tracker.state;
        assert.equal(s.completed, false, `${name}: completed after a prefix ending in frame ${e.frame} byte ${cut}`);
        prefixes++;
      }
    }
  }
  assert.ok(prefixes > 4000, `${prefixes} prefixes tried`);
});

test("JA3S agrees with Wireshark's for the captured ServerHellos", () => {
  // tshark -Y 'tls.handshake.type==2' -T fields -e tls.handshake.ja3s_full -e tls.handshake.ja3s
  const want: Record<string, [string, string]> = {
    'tls12-full': ['771,49200,65281-11-35-23', 'ec74a5c51106f0419184d0dd08fb05bc'],
    'tls13-full': ['771,4866,43-51', '15af977ce25de452b96affa2addb1036'],
  };
  for (const [name, [str, hash]] of Object.entries(want)) {
    const sh = replay(events(name, 0)).tracker.state.serverHello!;
    assert.equal(sh.ja3s, str, name);
    assert.equal(sh.ja3sHash, hash, name);
  }
});

test('the JSON contract fields have the promised types', () => {
  const j = tlsJson(replay(events('tls13-hrr', 0)).tracker.state);
  assert.equal(j.clientHello?.serverName, 'test.example');
  assert.ok(j.clientHello!.cipherSuites.every((c) => typeof c === 'number'));
  assert.ok(j.clientHello!.extensions.every((c) => typeof c === 'number'));
  assert.deepEqual(j.clientHello!.supportedVersions, [0x0304]);
  assert.deepEqual(j.clientHello!.alpn, []);
  assert.equal(j.serverHello?.version, 0x0304);
  assert.equal(j.serverHello?.cipherSuite, 0x1302);
  assert.deepEqual(j.alerts, []);
  assert.deepEqual(j.certificates, []);
  assert.match(j.ja4!, /^t13d\d{4}00_[0-9a-f]{12}_[0-9a-f]{12}$/);
  assert.equal(j.clientHello!.cipherSuiteNames.length, j.clientHello!.cipherSuites.length);
  assert.equal(j.helloRetryRequest?.selectedGroupName, 'x25519');
  const none = tlsJson(replay(events('tls-not-tls-http', 0)).tracker.state);
  assert.equal(none.clientHello, null);
  assert.equal(none.serverHello, null);
  assert.equal(none.ja4, null);
  const enc = tlsJson(replay(events('tls13-cert-rejected', 0)).tracker.state);
  assert.deepEqual(enc.alerts.map((a) => [a.from, a.level, a.description, a.encrypted]), [['client', null, null, true]]);
  const v = tlsJson(replay(events('tls12-full', 0)).tracker.state);
  assert.equal(v.serverHello?.version, 0x0303);
  assert.equal(v.certificateCount, 2);
});

test('detection predicates on real first bytes', () => {
  const first = (name: string, from: 'client' | 'server') => new Uint8Array(Buffer.from(events(name, 0).find((e) => e.kind === 'data' && e.from === from)!.hex!, 'hex'));
  const ch = first('tls13-full', 'client');
  const sh = first('tls13-full', 'server');
  const http = first('tls-not-tls-http', 'client');
  assert.equal(looksLikeTls(ch), true);
  assert.equal(looksLikeClientHello(ch), true);
  assert.equal(looksLikeServerHello(ch), false);
  assert.equal(looksLikeTls(sh), true);
  assert.equal(looksLikeServerHello(sh), true);
  assert.equal(looksLikeClientHello(sh), false);
  assert.equal(looksLikeTls(http), false);
  assert.equal(looksLikeClientHello(http), false);
  const ssh = new TextEncoder().encode('SSH-2.0-OpenSSH_9.2p1\r\n');
  assert.equal(looksLikeTls(ssh), false);
  assert.equal(looksLikeTls(new Uint8Array([0x16, 0x03])), false, 'too short to tell');
  assert.equal(looksLikeTls(new Uint8Array([0x80, 0x2e, 0x01, 0x03, 0x01])), true, 'SSLv2 ClientHello');
  assert.equal(looksLikeClientHello(new Uint8Array([0x80, 0x2e, 0x01, 0x03, 0x01])), true);
});

test('non-TLS bytes are classified', () => {
  const t = (s: string) => classifyNonTls(new TextEncoder().encode(s));
  assert.equal(t('GET / HTTP/1.1\r\nHost: x\r\n\r\n').kind, 'http-request');
  const resp = t('HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n');
  assert.equal(resp.kind, 'http-response');
  assert.equal(resp.label, 'HTTP/1.1 400 Bad Request');
  assert.equal(t('SSH-2.0-OpenSSH_9.2p1\r\n').kind, 'ssh');
  assert.equal(t('220 smtp.example ESMTP\r\n').kind, 'text');
  const bin = classifyNonTls(new Uint8Array([0, 1, 2, 0xff, 0xfe]));
  assert.equal(bin.kind, 'binary');
  assert.equal(bin.label, 'non-TLS bytes (5)');
  assert.equal(classifyNonTls(new Uint8Array(500).fill(0x41)).bytes.length, 128);
});

test('an HTTP response to a TLS client is seen as the server not speaking TLS', () => {
  const ev: StreamEvent[] = [
    ...events('tls13-full', 0).filter((e) => e.kind === 'data' && e.from === 'client').slice(0, 1),
    { frame: 90, time: 1, from: 'server', kind: 'data', hex: Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n').toString('hex') },
    { frame: 91, time: 1, from: 'server', kind: 'fin' },
  ];
  const { tracker, ladder } = replay(ev);
  const s = tracker.state;
  assert.equal(s.notTls.server?.kind, 'http-response');
  assert.equal(s.notTls.server?.label, 'HTTP/1.1 400 Bad Request');
  assert.equal(s.stage, 'client_hello');
  assert.equal(tracker.needsBytes('server'), false);
  assert.ok(ladder.some((l) => l.label === 'HTTP/1.1 400 Bad Request' && l.frame === 90));
});

test('a capture that starts mid-connection is flagged, not decoded as a handshake', () => {
  const ev = events('tls12-full', 0).filter((e) => e.frame >= 10);
  const s = replay(ev).tracker.state;
  assert.equal(s.midstream, true);
  assert.equal(s.stage, null);
  assert.deepEqual(s.malformed, []);
  assert.ok(s.applicationData.client.bytes > 0 && s.applicationData.server.bytes > 0);
});

test('a gap in the capture stops framing with a finding, never a throw', () => {
  const { tracker, findings } = replay(events('tls12-full', 0).slice(0, 3));
  tracker.onGap('server', 100, { frame: 50, time: 2 });
  assert.equal(tracker.needsBytes('server'), false);
  assert.ok(findings.some((f) => f.code === 'tls.capture_gap'));
  assert.equal(tracker.state.gaps.server, 100);
});

const dataOf = (name: string, frame: number): string => events(name, 0).find((e) => e.frame === frame && e.kind === 'data')!.hex!;

test('TLS 1.2: an alert record after ChangeCipherSpec is an encrypted alert (level and description unreadable)', () => {
  // The real handshake up to the client's Finished, then a server that answers with CCS and a 26-byte alert record.
  const head = events('tls12-full', 0).filter((e) => e.frame <= 8);
  const alert = '140303000101' + '150303001a' + 'ab'.repeat(26);
  const { tracker, ladder } = replay([...head, { frame: 9, time: 2, from: 'server', kind: 'data', hex: alert }, { frame: 10, time: 2, from: 'server', kind: 'fin' }]);
  const s = tracker.state;
  assert.deepEqual(s.alerts.map((a) => [a.from, a.frame, a.level, a.description, a.encrypted, a.confidence, a.length]), [['server', 9, null, null, true, 'certain', 26]]);
  assert.equal(s.completed, false);
  assert.deepEqual(s.ccs.server, [9]);
  assert.ok(ladder.some((l) => l.label === 'Encrypted alert' && l.from === 'server'));
});

test('a ClientHello split over two segments: started in the first frame, completed by the second', () => {
  const ch = dataOf('tls13-full', 4);
  const cut = 100;
  const { tracker } = replay([
    { frame: 100, time: 1, from: 'client', kind: 'data', hex: ch.slice(0, cut) },
    { frame: 101, time: 1.5, from: 'client', kind: 'data', hex: ch.slice(cut) },
  ]);
  const seen = tracker.state.clientHello!;
  assert.equal(seen.firstFrame, 100);
  assert.equal(seen.frame, 101);
  assert.equal(seen.time, 1.5);
  assert.equal(tracker.state.records.client[0]!.firstFrame, 100);
  assert.equal(tracker.state.stage, 'client_hello');
});

test('an SSLv2-format ClientHello is decoded by the tracker, with a finding', () => {
  const body = '01 0301 0006 0000 0010 010080 00002f' + '5a'.repeat(16);
  const hex = (0x8000 | (body.replace(/\s/g, '').length / 2)).toString(16) + body.replace(/\s/g, '');
  const { tracker, findings } = replay([{ frame: 1, time: 0, from: 'client', kind: 'data', hex }]);
  const ch = tracker.state.clientHello!;
  assert.equal(ch.hello.form, 'sslv2');
  assert.deepEqual(ch.hello.cipherSuites, [0x2f]);
  assert.ok(findings.some((f) => f.code === 'tls.sslv2_client_hello'));
  assert.equal(tracker.state.stage, 'client_hello');
});

test('a malformed ClientHello is a finding with the decode path and frame, never a throw', () => {
  const ch = dataOf('tls13-full', 4);
  // cipher_suites length made odd: byte offset 5 (record) + 4 (handshake) + 2 + 32 + 1 + session id
  const bytes = Buffer.from(ch, 'hex');
  const sidLen = bytes[5 + 4 + 34]!;
  const at = 5 + 4 + 34 + 1 + sidLen + 1;
  bytes[at] = bytes[at]! | 1;
  const { tracker, findings } = replay([{ frame: 7, time: 0, from: 'client', kind: 'data', hex: bytes.toString('hex') }]);
  assert.equal(tracker.state.clientHello, null);
  assert.equal(tracker.state.malformed.length, 1);
  assert.equal(tracker.state.malformed[0]!.frame, 7);
  assert.deepEqual(tracker.state.malformed[0]!.error.path, ['client_hello', 'cipher_suites']);
  assert.ok(findings.some((f) => f.code === 'tls.malformed' && f.frames?.[0] === 7));
});

test('a malformed extension in a real ClientHello: the hello is kept, the issue reported', () => {
  const ch = dataOf('tls13-full', 4);
  const bytes = Buffer.from(ch, 'hex');
  // find supported_versions (0x002b) and make its inner list length lie
  const i = bytes.indexOf(Buffer.from([0x00, 0x2b, 0x00]));
  assert.ok(i > 0);
  bytes[i + 4] = 0x7f;
  const { tracker, findings } = replay([{ frame: 3, time: 0, from: 'client', kind: 'data', hex: bytes.toString('hex') }]);
  const hello = tracker.state.clientHello!.hello;
  assert.equal(hello.ext.supportedVersions, undefined);
  assert.ok(hello.extensions.find((e) => e.type === 0x2b)!.error);
  assert.ok(findings.some((f) => f.code === 'tls.ext_malformed'));
  assert.equal(tracker.state.clientHello!.hello.ext.serverName, 'test.example');
});

test('plain HTTP is announced as soon as its first line is complete, even without a close', () => {
  const req = Buffer.from('GET / HTTP/1.1\r\nHost: example\r\n\r\n').toString('hex');
  for (const step of [Infinity, 1, 3]) {
    const { tracker, ladder, findings } = replay([{ frame: 4, time: 0, from: 'client', kind: 'data', hex: req }], step);
    assert.deepEqual(ladder.map((l) => [l.frame, l.from, l.label]), [[4, 'client', 'GET / HTTP/1.1']], `step ${step}`);
    assert.equal(findings.filter((f) => f.code === 'tls.not_tls').length, 1);
    assert.equal(tracker.state.notTls.client?.preview.length, req.length / 2);
  }
});

test('a capture that starts mid-connection: a long alert record is one encrypted alert, not a series of alerts', () => {
  // Seen in the JA4 corpus (latest.pcapng): the server's 26-byte encrypted close_notify
  // (AES-GCM) was once decoded as 13 plaintext "alerts".
  const tracker = new TlsTracker({ ladder: () => {}, finding: () => {} });
  const record = Uint8Array.from([0x15, 0x03, 0x03, 0x00, 0x1a, ...Array.from({ length: 26 }, (_, i) => (i * 37) & 0xff)]);
  tracker.onData('server', record, { frame: 5, time: 1 });
  assert.equal(tracker.state.alerts.length, 1);
  assert.equal(tracker.state.alerts[0]!.encrypted, true);
  assert.equal(tracker.state.alerts[0]!.description, null);
});
