// Host name checks (RFC 6125) as tables, with OpenSSL (through Node's
// X509Certificate.checkHost, partial wildcards off) as the oracle where its rules are
// ours; IP address parsing/printing (RFC 5952) with the WHATWG URL parser as oracle.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { checkHostname, matchDnsPattern, normalizeHost, wildcardProblem } from '../src/x509/hostname.js';
import { formatIp, parseIp } from '../src/x509/ip.js';
import { Pki } from './fixtures/x509-pki.js';

interface Case {
  pattern: string;
  host: string;
  match: boolean;
  /** OpenSSL's X509_check_host agrees (checked against it). */
  oracle: boolean;
  why: string;
}

const CASES: Case[] = [
  { pattern: 'www.example.com', host: 'www.example.com', match: true, oracle: true, why: 'exact' },
  { pattern: 'www.example.com', host: 'WWW.Example.COM', match: true, oracle: true, why: 'case-insensitive reference' },
  { pattern: 'WWW.EXAMPLE.COM', host: 'www.example.com', match: true, oracle: true, why: 'case-insensitive pattern' },
  { pattern: 'www.example.com', host: 'www.example.com.', match: true, oracle: false, why: 'trailing dot on the reference ignored' },
  { pattern: 'www.example.com.', host: 'www.example.com', match: true, oracle: false, why: 'trailing dot in the certificate ignored' },
  { pattern: 'www.example.com', host: 'www.example.org', match: false, oracle: true, why: 'other domain' },
  { pattern: 'example.com', host: 'www.example.com', match: false, oracle: true, why: 'parent domain does not cover children' },
  { pattern: 'www.example.com', host: 'example.com', match: false, oracle: true, why: 'child does not cover parent' },
  { pattern: '*.example.com', host: 'foo.example.com', match: true, oracle: true, why: 'wildcard, one label' },
  { pattern: '*.example.com', host: 'FOO.EXAMPLE.COM', match: true, oracle: true, why: 'wildcard, case-insensitive' },
  { pattern: '*.example.com', host: 'example.com', match: false, oracle: true, why: 'wildcard needs a label' },
  { pattern: '*.example.com', host: 'a.b.example.com', match: false, oracle: true, why: 'no wildcard across dots' },
  { pattern: '*.example.com', host: '.example.com', match: false, oracle: false, why: 'empty label' },
  { pattern: '*.example.com', host: 'xn--bcher-kva.example.com', match: true, oracle: true, why: 'wildcard covers an A-label' },
  { pattern: 'f*.example.com', host: 'foo.example.com', match: false, oracle: true, why: 'partial-label wildcard' },
  { pattern: '*oo.example.com', host: 'foo.example.com', match: false, oracle: true, why: 'partial-label wildcard (suffix)' },
  { pattern: 'b*z.example.com', host: 'baz.example.com', match: false, oracle: true, why: 'partial-label wildcard (middle)' },
  { pattern: 'foo.*.example.com', host: 'foo.bar.example.com', match: false, oracle: true, why: 'wildcard not left-most' },
  { pattern: '*.*.example.com', host: 'a.b.example.com', match: false, oracle: true, why: 'two wildcards' },
  { pattern: '*.com', host: 'example.com', match: false, oracle: true, why: 'wildcard over a TLD' },
  { pattern: '*', host: 'localhost', match: false, oracle: true, why: 'bare wildcard' },
  { pattern: '*.a.b', host: 'x.a.b', match: true, oracle: true, why: 'three labels is enough' },
  { pattern: 'xn--bcher-kva.example.com', host: 'XN--BCHER-KVA.example.com', match: true, oracle: true, why: 'A-labels compared as ASCII' },
  { pattern: 'xn--bcher-kva.example.com', host: 'bücher.example.com', match: true, oracle: false, why: 'U-label reference converted to its A-label' },
  { pattern: 'bücher.example.com', host: 'xn--bcher-kva.example.com', match: false, oracle: false, why: 'a U-label in the certificate is not an A-label' },
  { pattern: '*.example.com', host: '192.0.2.1', match: false, oracle: false, why: 'wildcards never match IP literals' },
  { pattern: 'www.example.com', host: 'www.example.com\u0000.evil.com', match: false, oracle: false, why: 'embedded NUL' },
];

describe('RFC 6125 DNS name matching', () => {
  for (const c of CASES) {
    test(`${c.pattern} vs ${JSON.stringify(c.host)}: ${c.match ? 'match' : 'no match'} (${c.why})`, () => {
      assert.equal(matchDnsPattern(c.pattern, c.host), c.match);
    });
  }

  describe('OpenSSL agrees (X509Certificate.checkHost, no partial wildcards)', () => {
    const pki = new Pki();
    const certs = new Map<string, X509Certificate>();
    let root: ReturnType<Pki['root']>;
    before(() => {
      root = pki.root('host-root', { subject: '/CN=Host Root' });
      const patterns = [...new Set(CASES.filter((c) => c.oracle).map((c) => c.pattern))];
      patterns.forEach((p, i) => {
        const leaf = pki.leaf(`host-${i}`, { subject: '/CN=not-a-host', san: [`DNS:${p}`], keyOf: root }, root);
        certs.set(p, new X509Certificate(leaf.der));
      });
    });
    after(() => pki.cleanup());
    for (const c of CASES.filter((x) => x.oracle)) {
      test(`${c.pattern} vs ${c.host}`, () => {
        const x = certs.get(c.pattern)!;
        assert.equal(x.checkHost(c.host, { partialWildcards: false }) !== undefined, c.match);
      });
    }
  });

  test('wildcardProblem names the reason a pattern is unusable', () => {
    assert.equal(wildcardProblem('*.example.com'), null);
    assert.equal(wildcardProblem('www.example.com'), null);
    assert.equal(wildcardProblem('f*.example.com'), 'partial-label wildcard');
    assert.equal(wildcardProblem('www.*.com'), 'wildcard not in the left-most label');
    assert.equal(wildcardProblem('*.*.com'), 'more than one wildcard');
    assert.equal(wildcardProblem('*.com'), 'wildcard over a top-level domain');
  });

  test('normalizeHost: lowercase A-labels without trailing dot', () => {
    assert.equal(normalizeHost('WWW.Example.COM.'), 'www.example.com');
    assert.equal(normalizeHost('Bücher.Example'), 'xn--bcher-kva.example');
  });
});

const identity = (dnsNames: string[], ipAddresses: string[], cn: string | null) => ({
  dnsNames, ipAddresses, subjectAttributes: cn === null ? [] : [{ oid: '2.5.4.3', value: cn }],
});

describe('checkHostname', () => {
  test('DNS SAN match says which entry matched', () => {
    const h = checkHostname('api.example.com', identity(['example.com', '*.example.com'], [], 'example.com'));
    assert.equal(h.matched, true);
    assert.deepEqual(h.matchedBy, { source: 'san-dns', value: '*.example.com' });
    assert.equal(h.kind, 'dns');
    assert.deepEqual(h.covered, ['example.com', '*.example.com']);
  });

  test('mismatch lists what is covered; ignored patterns are noted', () => {
    const h = checkHostname('shop.example.net', identity(['f*.example.net', 'example.net'], ['192.0.2.1'], null));
    assert.equal(h.matched, false);
    assert.deepEqual(h.covered, ['f*.example.net', 'example.net', '192.0.2.1']);
    assert.ok(h.notes.some((n) => n.includes('partial-label wildcard')));
  });

  test('CN only when there is no DNS SAN, with a note', () => {
    const viaCn = checkHostname('legacy.example', identity([], [], 'legacy.example'));
    assert.equal(viaCn.matched, true);
    assert.equal(viaCn.matchedBy?.source, 'cn');
    assert.ok(viaCn.notes.some((n) => n.includes('subject CN')));
    const cnIgnored = checkHostname('legacy.example', identity(['other.example'], [], 'legacy.example'));
    assert.equal(cnIgnored.matched, false);
    assert.ok(cnIgnored.notes.some((n) => n.includes('clients ignore the CN')));
  });

  const ipCases: [string, string[], boolean][] = [
    ['192.0.2.1', ['192.0.2.1'], true],
    ['192.0.2.1', ['192.0.2.10'], false],
    ['2001:DB8::1', ['2001:db8::1'], true],
    ['2001:db8:0:0:0:0:0:1', ['2001:db8::1'], true],
    ['[::1]', ['::1'], true],
    ['::ffff:10.1.2.3', ['::ffff:10.1.2.3'], true],
  ];
  for (const [sni, ips, match] of ipCases) {
    test(`IP SNI ${sni} against IP SANs ${ips.join(',')}: ${match}`, () => {
      const h = checkHostname(sni, identity([], ips, null));
      assert.equal(h.kind, 'ip');
      assert.equal(h.matched, match);
      assert.ok(h.notes.some((n) => n.includes('RFC 6066')));
    });
  }

  test('an IP SNI never matches a DNS SAN spelling the same address, nor the CN', () => {
    const h = checkHostname('192.0.2.1', identity(['192.0.2.1'], [], '192.0.2.1'));
    assert.equal(h.matched, false);
  });

  test('no SNI: nothing matched, the covered names listed', () => {
    const h = checkHostname(null, identity(['a.example', 'b.example'], ['10.0.0.1'], 'a.example'));
    assert.equal(h.kind, 'none');
    assert.equal(h.matched, false);
    assert.deepEqual(h.covered, ['a.example', 'b.example', '10.0.0.1']);
  });
});

describe('IP addresses (RFC 5952)', () => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['FE80::0:1', 'fe80::1'],
    ['10.20.30.40', '10.20.30.40'],
  ];
  for (const [input, canonical] of cases) {
    test(`${input} → ${canonical}`, () => {
      const b = parseIp(input);
      assert.ok(b);
      assert.equal(formatIp(b), canonical);
      if (input.includes(':')) assert.equal(new URL(`http://[${input}]/`).hostname, `[${canonical}]`);
    });
  }
  test('IPv4-mapped addresses keep the dotted tail', () => {
    assert.equal(formatIp(parseIp('::ffff:a01:203')!), '::ffff:10.1.2.3');
    assert.deepEqual([...parseIp('::ffff:10.1.2.3')!], [...parseIp('::ffff:a01:203')!]);
  });
  test('not addresses', () => {
    for (const s of ['', 'example.com', '1.2.3', '1.2.3.256', '::1::', 'fe80::1%eth0', '[::1]', '01.2.3.4']) assert.equal(parseIp(s), null, s);
    assert.equal(formatIp(new Uint8Array(8)), null);
  });
});
