// The TUI's view model on real captures: which rows, which offers and highlights, where
// the ladder's cut point goes, what the verdict pane says; live behaviour from a capture
// fed in two halves; wire strings that try to be markup. No terminal involved.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseArgs } from '../src/cli/args.js';
import { analysisSettings } from '../src/cli/setup.js';
import type { Packet } from '../src/capture/packet.js';
import { readCapture } from '../src/capture/source.js';
import { Analyzer } from '../src/pipeline/analyzer.js';
import type { ConnectionRecord } from '../src/report/record.js';
import { sshAlgorithm } from '../src/registry/ssh-algorithms.js';
import { OUTCOME_COLOR, sshOf, tlsOf } from '../src/tui/records.js';
import type { Entry, State } from '../src/tui/state.js';
import { initialState, reduce } from '../src/tui/state.js';
import { lineText, type Line } from '../src/tui/text.js';
import { ladderLines } from '../src/tui/view-ladder.js';
import { offersLines, offersOf, type Section } from '../src/tui/view-offers.js';
import { verdictLines } from '../src/tui/view-verdict.js';
import { buildView, rowLine } from '../src/tui/view.js';
import { lineTags } from '../src/tui/widgets/painter.js';
import { capturesDir, repoRoot } from './helpers/paths.js';

interface Expect {
  options?: string[];
  connections: { outcome?: string; cutFrame?: number | null; verdict?: { code?: string } }[];
}

function settingsFor(base: string, path: string) {
  const expect = JSON.parse(readFileSync(join(capturesDir, `${base}.expect.json`), 'utf8')) as Expect;
  const opts = (expect.options ?? []).map((o) => (o.startsWith('captures/') ? join(repoRoot, o) : o));
  return { expect, settings: analysisSettings(parseArgs(['read', path, ...opts])) };
}

/** The records of a capture as `hsi read` makes them (with the expect file's options), by first frame. */
async function load(base: string, ext = 'pcap'): Promise<{ recs: ConnectionRecord[]; expect: Expect }> {
  const path = join(capturesDir, `${base}.${ext}`);
  const { expect, settings } = settingsFor(base, path);
  const recs: ConnectionRecord[] = [];
  const a = new Analyzer({ ...settings, onRecord: (r) => recs.push(r) });
  await readCapture(path, (p) => a.packet(p), { afterChunk: () => a.drain() });
  await a.end();
  recs.sort((x, y) => x.firstFrame - y.firstFrame);
  return { recs, expect };
}

const entry = (record: ConnectionRecord, open = false): Entry => ({ record, open });
const texts = (lines: Line[]) => lines.map(lineText);
const section = (s: Section[], title: RegExp) => {
  const found = s.find((x) => title.test(x.title));
  assert.ok(found, `no section ${title} in ${s.map((x) => x.title).join(', ')}`);
  return found;
};
const stateWith = (recs: ConnectionRecord[], cols = 160, rows = 48): State =>
  recs.reduce((s, record) => reduce(s, { type: 'record', record }), initialState({ kind: 'file', name: 'test' }, { cols, rows }));
/** Text of every line, the words of wrapped paragraphs joined back. */
const flat = (lines: Line[]) => texts(lines).map((t) => t.trim()).join(' ').replace(/\s+/g, ' ');

describe('TLS cipher mismatch (tls-cipher-mismatch.pcap)', async () => {
  const { recs, expect } = await load('tls-cipher-mismatch');
  const ok = recs.find((r) => tlsOf(r)?.serverHello)!;
  const bad = recs.find((r) => tlsOf(r)?.clientHello && !tlsOf(r)?.serverHello)!;

  it('has the two connections: one completed, one without a ServerHello', () => {
    assert.equal(recs.length, 2);
    assert.ok(ok && bad && ok !== bad);
  });

  it("shows the client's cipher suites, none chosen, and the server's alert", () => {
    const tls = tlsOf(bad)!;
    const o = offersOf(entry(bad))!;
    const suites = section(o.sections, /^Cipher suites/);
    assert.deepEqual(suites.client.map((i) => i.text), tls.clientHello!.cipherSuiteNames);
    assert.ok(suites.client.every((i) => i.mark !== 'chosen'));
    const alert = tls.alerts.find((a) => a.from === 'server');
    assert.ok(alert, 'the server alert is in the record');
    const server = lineText(o.heads[0]![1]);
    assert.match(server, new RegExp(`alert ${alert.descriptionName}\\(${alert.description}\\), frame ${alert.frame}`));
    assert.match(lineText(o.headline), /^No match: server alert handshake_failure\(40\)/);
    const red = o.heads[0]![1].filter((s) => s.fg === 'red').map((s) => s.text).join('');
    assert.match(red, /handshake_failure/);
    // Rendered at 80 columns: the first suite name in the left column, the alert on the right.
    const lines = texts(offersLines(entry(bad), 78));
    assert.ok(lines.some((l) => l.includes(tls.clientHello!.cipherSuiteNames[0]!)));
    assert.ok(lines.every((l) => l.length <= 78));
  });

  it("marks the completed connection's suite as chosen on both sides", () => {
    const tls = tlsOf(ok)!;
    const suites = section(offersOf(entry(ok))!.sections, /^Cipher suites/);
    const chosen = suites.client.filter((i) => i.mark === 'chosen').map((i) => i.text);
    assert.deepEqual(chosen, [tls.serverHello!.cipherSuiteName]);
    assert.deepEqual(suites.server, [{ text: tls.serverHello!.cipherSuiteName, mark: 'chosen' }]);
    assert.match(lineText(offersOf(entry(ok))!.headline), new RegExp(`^Server chose ${tls.serverHello!.versionName} · ${tls.serverHello!.cipherSuiteName}`));
  });

  it('draws the cut point after the cut frame, with the verdict', () => {
    const lines = texts(ladderLines(entry(bad), 100));
    const cut = lines.findIndex((l) => l.includes('✂'));
    assert.ok(cut > 0);
    assert.ok(lines[cut]!.includes(bad.verdict.code));
    const events = lines.slice(1).filter((l) => /[▶◀]/.test(l));
    assert.equal(events.length, bad.ladder.length);
    bad.ladder.forEach((ev, i) => assert.match(events[i]!, new RegExp(`^\\s*${ev.frame}\\s`)));
    const before = lines.slice(1, cut).filter((l) => /[▶◀]/.test(l)).length;
    const expected = bad.cutFrame === null ? bad.ladder.length : bad.ladder.filter((e) => e.frame <= bad.cutFrame!).length;
    assert.equal(before, expected);
    if (bad.cutFrame !== null) assert.ok(lines[cut]!.includes(`cut at frame ${bad.cutFrame}`));
    assert.ok(lines.some((l) => /◀─+ Alert handshake_failure\(40\)/.test(l)), 'the alert arrow points at the client');
  });

  it('states the verdict, evidence and fixes', () => {
    const text = flat(verdictLines(entry(bad), 60));
    assert.ok(text.includes(bad.verdict.code));
    assert.ok(text.includes(bad.verdict.summary.replace(/\s+/g, ' ')));
    for (const e of bad.verdict.evidence) assert.ok(text.includes(e.replace(/\s+/g, ' ')), e);
    for (const f of bad.verdict.fixes) assert.ok(text.includes(f.replace(/\s+/g, ' ')), f);
  });

  it('colours the rows by outcome', () => {
    const list = buildView(stateWith(recs)).panes.find((p) => p.id === 'list')!;
    recs.forEach((r, i) => assert.ok(list.lines[i]!.every((s) => s.fg === OUTCOME_COLOR[r.outcome]), `row ${i + 1}`));
  });

  it('meets the expectation file (verdicts, cut frame)', () => {
    expect.connections.forEach((c, i) => {
      if (c.verdict?.code) assert.equal(recs[i]!.verdict.code, c.verdict.code);
      if (c.cutFrame !== undefined) assert.equal(recs[i]!.cutFrame, c.cutFrame);
    });
    const lines = texts(ladderLines(entry(bad), 100));
    assert.ok(lines.some((l) => l.includes(`✂ cut at frame ${expect.connections[1]!.cutFrame}`) && l.includes('tls.cipher_mismatch')));
  });
});

describe('SSH kex mismatch (ssh-kex-mismatch.pcap)', async () => {
  const { recs, expect } = await load('ssh-kex-mismatch');
  const r = recs[0]!;
  const ssh = sshOf(r)!;

  it('puts both banners on top and the eight lists side by side', () => {
    const o = offersOf(entry(r))!;
    assert.deepEqual(o.heads[0]!.map(lineText), [ssh.clientBanner, ssh.serverBanner]);
    const kex = section(o.sections, /^Key exchange/);
    assert.deepEqual(kex.client.map((i) => i.text), ssh.clientKexinit!.kexAlgorithms);
    assert.deepEqual(kex.server.map((i) => i.text), ssh.serverKexinit!.kexAlgorithms);
    // Each list appears (directions merged when both sides list the same both ways).
    for (const t of [/^Host key/, /^Cipher/, /^MAC/, /^Compression/]) section(o.sections, t);
  });

  it('flags the list without overlap in red, and nothing in it as shared', () => {
    const o = offersOf(entry(r))!;
    const kex = section(o.sections, /^Key exchange/);
    assert.equal(kex.failed, ssh.failedList === 'kex');
    assert.ok(kex.failed, 'the record names kex as the list with no match');
    assert.ok([...kex.client, ...kex.server].every((i) => i.mark !== 'chosen' && i.mark !== 'shared'));
    const title = renderedSection(r, /^── Key exchange/);
    assert.ok(title.some((s) => s.fg === 'red' && s.text.includes('NO MATCH')));
    assert.match(lineText(o.headline), /^No match: no key exchange algorithm in common — client offers diffie-hellman-group1-sha1/);
  });

  it('marks negotiated, shared and weak algorithms', () => {
    const o = offersOf(entry(r))!;
    const hk = section(o.sections, /^Host key/);
    const chosen = ssh.negotiated.hostKey;
    assert.ok(chosen);
    assert.deepEqual(hk.client.filter((i) => i.mark === 'chosen').map((i) => i.text), [chosen]);
    assert.deepEqual(hk.server.filter((i) => i.mark === 'chosen').map((i) => i.text), [chosen]);
    const cipher = section(o.sections, /^Cipher/);
    const both = ssh.clientKexinit!.encryptionC2S.filter((n) => ssh.serverKexinit!.encryptionC2S.includes(n) && n !== ssh.negotiated.cipherC2S);
    assert.deepEqual(cipher.client.filter((i) => i.mark === 'shared').map((i) => i.text), both);
    const group1 = section(o.sections, /^Key exchange/).client.find((i) => i.text === 'diffie-hellman-group1-sha1');
    assert.equal(group1?.rating, sshAlgorithm('kex', 'diffie-hellman-group1-sha1').rating);
    assert.equal(group1?.rating, 'insecure');
    assert.equal(section(o.sections, /^Key exchange/).client.find((i) => i.text === 'ext-info-c')?.mark, 'filler', 'marker names are not algorithms');
  });

  it('draws KEXINIT both ways and the cut point with the verdict', () => {
    const lines = texts(ladderLines(entry(r), 100));
    assert.ok(lines.some((l) => /│KEXINIT.*─▶│/.test(l)), 'client KEXINIT arrow');
    assert.ok(lines.some((l) => /│◀─.*KEXINIT/.test(l)), 'server KEXINIT arrow');
    const cut = lines.findIndex((l) => l.includes('✂'));
    assert.ok(cut > 0 && lines[cut]!.includes(r.verdict.code));
  });

  it('meets the expectation file (verdict, cut frame)', () => {
    assert.equal(r.verdict.code, expect.connections[0]!.verdict!.code);
    assert.equal(r.cutFrame, expect.connections[0]!.cutFrame);
    assert.ok(texts(ladderLines(entry(r), 100)).some((l) => l.includes(`✂ cut at frame ${r.cutFrame}`)));
  });
});

function renderedSection(r: ConnectionRecord, title: RegExp): Line {
  const line = offersLines(entry(r), 120).find((l) => title.test(lineText(l)));
  assert.ok(line, `no rendered line ${title}`);
  return line;
}

describe('weak but working SSH (ssh-weak-algorithms-ok.pcap)', async () => {
  const { recs } = await load('ssh-weak-algorithms-ok');
  it('marks every weak or insecure name the registry rates so, and the negotiated ones', () => {
    const r = recs[0]!;
    const ssh = sshOf(r)!;
    const o = offersOf(entry(r))!;
    const kinds = { 'Key exchange': 'kex', 'Host key': 'hostkey', Cipher: 'cipher', MAC: 'mac', Compression: 'compression' } as const;
    let weak = 0;
    for (const s of o.sections) {
      const kind = Object.entries(kinds).find(([t]) => s.title.startsWith(t))![1];
      for (const i of [...s.client, ...s.server]) {
        const rating = sshAlgorithm(kind, i.text).rating;
        if (i.mark === 'filler') continue;
        assert.equal(i.rating, rating === 'weak' || rating === 'insecure' ? rating : undefined, `${s.title}: ${i.text}`);
        if (i.rating) weak++;
      }
    }
    assert.ok(weak > 0, 'the capture negotiates weak algorithms');
    assert.match(lineText(o.headline), new RegExp(`^Negotiated ${ssh.negotiated.kex}`));
  });
});

describe('certificates (cert-expired.pcap)', async () => {
  const { recs, expect } = await load('cert-expired');
  it("lists the chain with the expired certificate's dates in red", () => {
    const r = recs[0]!;
    const certs = tlsOf(r)!.certificates;
    assert.ok(certs.length > 0, 'the chain was judged against the capture CA');
    const lines = verdictLines(entry(r), 100);
    const text = texts(lines);
    for (const c of certs) assert.ok(text.some((l) => l.includes(c.subject!)), c.subject!);
    const expired = certs.find((c) => c.problems.includes('tls.cert_expired'));
    assert.ok(expired, 'a certificate carries the expired problem');
    const valid = lines.find((l) => lineText(l).includes(`valid ${expired.notBefore} → ${expired.notAfter}`));
    assert.ok(valid?.every((s) => s.fg === 'red'));
    assert.equal(r.verdict.code, expect.connections[0]!.verdict!.code);
  });
});

describe('TLS behind a proxy (proxy-auth-required.pcap)', async () => {
  const { recs } = await load('proxy-auth-required');
  it('puts the tunnel first in the offers: requests on the left, the proxy\'s answers on the right', () => {
    const refused = offersOf(entry(recs[0]!))!;
    const t = section(refused.sections, /^Tunnel/);
    assert.match(t.client[0]!.text, /^CONNECT www\.example\.test:443 HTTP\/1\.1 \(frame \d+\)$/);
    assert.match(t.server[0]!.text, /^HTTP\/1\.1 407 Proxy Authentication Required/);
    assert.equal(t.failed, true);
    const ok = offersOf(entry(recs[2]!))!;
    assert.equal(ok.sections[0]!.title, 'Tunnel (http-connect)');
    assert.ok(ok.sections.some((x) => x.title.startsWith('Cipher suites')), 'then the ClientHello lists');
    assert.equal(section(ok.sections, /^Tunnel/).failed, false);
  });
  it('draws CONNECT → 200 → ClientHello on the ladder', () => {
    const text = texts(ladderLines(entry(recs[2]!), 120)).join('\n');
    const connect = text.indexOf('CONNECT www.example.test:443');
    const answer = text.indexOf('200 Connection established');
    const hello = text.indexOf('ClientHello');
    assert.ok(connect >= 0 && connect < answer && answer < hello, text);
  });
});

describe('QUIC (quic-no-shared-cipher.pcap, quic-version-mismatch.pcap)', async () => {
  const { recs } = await load('quic-no-shared-cipher');
  const vn = (await load('quic-version-mismatch')).recs;
  it('lists the flow as QUIC with its SNI and verdict', () => {
    const t = lineText(rowLine(entry(recs[0]!), 140));
    assert.match(t, /^\d\d:\d\d:\d\d QUIC 10\.83\.0\.1:\d+ → 10\.83\.0\.2:443 www\.example\.test .*tls\.cipher_mismatch$/, t);
  });
  it('offers: the QUIC versions and transport parameters first, then the ClientHello lists', () => {
    const o = offersOf(entry(recs[0]!))!;
    const q = section(o.sections, /^QUIC \(QUIC v1\)$/);
    assert.match(q.client[0]!.text, /^Initial in QUIC v1 \(frame 1\)$/);
    assert.ok(q.server.some((i) => /^CONNECTION_CLOSE CRYPTO_ERROR\(0x128: handshake_failure\) \(frame 2\)$/.test(i.text)), JSON.stringify(q.server));
    assert.ok(q.client.some((i) => i.text.startsWith('initial_source_connection_id ')));
    const suites = section(o.sections, /^Cipher suites/);
    assert.deepEqual(suites.client.map((i) => i.text), ['TLS_CHACHA20_POLY1305_SHA256']);
    const mismatch = section(offersOf(entry(vn[0]!))!.sections, /^QUIC/);
    assert.equal(mismatch.failed, true);
    assert.match(mismatch.server[0]!.text, /^Version Negotiation: .*QUIC v1 \(frame 2\)$/);
  });
  it('ladder: Initial, ClientHello, then the CONNECTION_CLOSE at the cut', () => {
    const text = texts(ladderLines(entry(recs[0]!), 120)).join('\n');
    const initial = text.indexOf('Initial');
    const hello = text.indexOf('ClientHello');
    const close = text.indexOf('CONNECTION_CLOSE');
    assert.ok(initial >= 0 && initial < hello && hello < close, text);
    assert.match(flat(verdictLines(entry(recs[0]!), 100)), /tls\.cipher_mismatch/);
  });
});

describe('the mixed demo (demo.pcapng)', async () => {
  const { recs, expect } = await load('demo', 'pcapng');
  it('lists every connection: time, protocol, client → server, SNI or software, verdict', () => {
    const v = buildView(stateWith(recs));
    const list = v.panes.find((p) => p.id === 'list')!;
    assert.equal(list.lines.length, recs.length);
    recs.forEach((r, i) => {
      const t = lineText(list.lines[i]!);
      assert.ok(t.startsWith(r.startTime.slice(11, 19)), t);
      assert.match(t, new RegExp(`${r.client.ip}(:${r.client.port})? → ${r.server.ip}:${r.server.port}`), t);
      assert.ok(t.trimEnd().endsWith(r.verdict.code), t);
      const sni = tlsOf(r)?.clientHello?.serverName;
      if (sni) assert.ok(t.includes(sni.slice(0, 7)), t);
    });
    const failed = recs.filter((r) => r.outcome === 'failed').length;
    assert.match(lineText(list.title), new RegExp(`Connections ${recs.length} · ${failed} failed`));
  });

  it('meets the expectation file (verdicts)', () => {
    assert.equal(recs.length, expect.connections.length);
    expect.connections.forEach((c, i) => c.verdict?.code && assert.equal(recs[i]!.verdict.code, c.verdict.code, `connection ${i + 1}`));
  });

  it('draws one arrow per ladder event for every connection', () => {
    for (const r of recs) {
      const arrows = texts(ladderLines(entry(r), 90)).filter((l) => /[▶◀]/.test(l));
      assert.equal(arrows.length, r.ladder.length, `#${r.id}`);
    }
  });
});

describe('a connection in progress', async () => {
  const path = join(capturesDir, 'ssh-kex-mismatch.pcap');
  const { settings } = settingsFor('ssh-kex-mismatch', path);
  const packets: Packet[] = [];
  await readCapture(path, (p) => packets.push({ ...p, data: p.data.slice() }));

  it('shows the open snapshot in yellow, updates it as packets arrive, then the final record', async () => {
    const finals: ConnectionRecord[] = [];
    const a = new Analyzer({ ...settings, keepPackets: true, onRecord: (r) => finals.push(r) });
    let s = initialState({ kind: 'replay', name: 'x' }, { cols: 160, rows: 48 });
    const kexAt = sshOf((await load('ssh-kex-mismatch')).recs[0]!)!.serverKexinit!.frame;
    const snap = (n: number) => {
      while (a.stats.packets < n) a.packet(packets[a.stats.packets]!);
      s = reduce(s, { type: 'open', records: a.snapshotOpen().map((x) => x.record) });
      return buildView(s);
    };
    const early = snap(kexAt - 1);
    const list = early.panes.find((p) => p.id === 'list')!;
    assert.equal(list.lines.length, 1);
    assert.ok(list.lines[0]!.every((x) => x.fg === 'yellow'));
    assert.match(lineText(list.lines[0]!), /open: /);
    const verdict = early.panes.find((p) => p.id === 'verdict')!;
    assert.match(lineText(verdict.lines[0]!), /^IN PROGRESS/);
    assert.match(lineText(verdict.title), /in progress/);
    const offersEarly = early.panes.find((p) => p.id === 'offers')!.lines.map(lineText).join('\n');
    assert.match(offersEarly, /SERVER no KEXINIT/);
    const later = snap(kexAt).panes.find((p) => p.id === 'offers')!.lines.map(lineText).join('\n');
    assert.match(later, new RegExp(`SERVER KEXINIT, frame ${kexAt}`));
    assert.ok(s.entries.get(1)?.open);
    while (a.stats.packets < packets.length) a.packet(packets[a.stats.packets]!);
    await a.end();
    assert.equal(finals.length, 1);
    s = reduce(s, { type: 'record', record: finals[0]! });
    s = reduce(s, { type: 'open', records: [] });
    const done = buildView(s).panes.find((p) => p.id === 'list')!;
    assert.ok(done.lines[0]!.every((x) => x.fg === OUTCOME_COLOR[finals[0]!.outcome]));
    assert.equal(s.entries.get(1)?.open, false);
  });
});

describe('wire strings never become markup or terminal control', async () => {
  const { recs } = await load('tls-cipher-mismatch');
  it('escapes a hostile SNI in the list, the offers and the painter output', () => {
    const r = recs[0]!;
    const tls = tlsOf(r)!;
    const evil = '{red-fg}x{/}\x1b]0;owned\x07\u202e';
    const hostile = { ...r, tls: { ...tls, clientHello: { ...tls.clientHello!, serverName: evil } } } as ConnectionRecord;
    const row = rowLine(entry(hostile), 200);
    const tags = lineTags(row);
    assert.ok(!/[\x00-\x1f\u202e]/.test(tags), 'no control characters reach blessed');
    assert.ok(tags.includes('{open}red-fg{close}x{open}/{close}'), tags);
    assert.ok(lineText(row).includes('{red-fg}x{/}\\x1b]0;owned\\x07\\u202e'));
    const offers = offersLines(entry(hostile), 200).map(lineTags).join('\n');
    assert.ok(!/[\x00-\x09\x0b-\x1f]/.test(offers));
    assert.ok(offers.includes('{open}red-fg{close}'));
  });
});
