// Distinguished names: decoding (RDNs kept as sent, multi-valued RDNs included), the
// RFC 2253/4514 string OpenSSL prints with `-nameopt RFC2253`, and a canonical key for
// matching a certificate's issuer to another's subject (RFC 5280 7.1, as OpenSSL
// canonicalises: case-folded ASCII, trimmed, inner whitespace collapsed, string type ignored).
//
// Deviation from OpenSSL on purpose: non-ASCII and control characters stay as decoded
// text instead of \XX escapes (printing code escapes them for the terminal).

import { Reader } from '../wire/reader.js';
import { TAG, decodeDirectoryString, expectTlv, hexUpper, readAll, readOid, readTlv } from './der.js';
import { MAX_NAME_RDNS, MAX_RDN_ATTRIBUTES } from './limits.js';
import { DN_ATTRIBUTE_NAMES, OID_COMMON_NAME } from './oids.js';

export interface NameAttribute {
  oid: string;
  /** Short name as OpenSSL prints it ("CN", "O", "emailAddress"), or the dotted OID. */
  type: string;
  /** Decoded text; for values that are not strings (or unknown types), "#" + DER hex. */
  value: string;
  /** False when `value` is the #hex form. */
  isString: boolean;
}

export interface DistinguishedName {
  /** RDNs in encoded order (most general first); each RDN holds one or more attributes. */
  rdns: NameAttribute[][];
  /** The Name's DER (the whole SEQUENCE). */
  der: Uint8Array;
}

/** Read a Name (SEQUENCE OF SET OF AttributeTypeAndValue). */
export function readName(r: Reader, what: string): DistinguishedName {
  const seq = expectTlv(r, TAG.SEQUENCE, what);
  const rdns: NameAttribute[][] = [];
  for (const set of readAll(seq.body, `${what}.rdn`, MAX_NAME_RDNS)) {
    if (set.tag !== TAG.SET) seq.body.fail('bad-value', `${what}: RDN is not a SET`);
    const atvs = readAll(set.body, `${what}.atv`, MAX_RDN_ATTRIBUTES);
    if (atvs.length === 0) set.body.fail('empty', `${what}: empty RDN`);
    rdns.push(
      atvs.map((atv) => {
        if (atv.tag !== TAG.SEQUENCE) atv.body.fail('bad-value', `${what}: attribute is not a SEQUENCE`);
        const oid = readOid(atv.body, `${what}.type`);
        const v = readTlv(atv.body, `${what}.value`);
        atv.body.done(`${what} attribute`);
        const known = DN_ATTRIBUTE_NAMES[oid];
        const text = known ? decodeDirectoryString(v) : null;
        return text === null
          ? { oid, type: known ?? oid, value: '#' + hexUpper(v.raw), isString: false }
          : { oid, type: known!, value: text, isString: true };
      }),
    );
  }
  return { rdns, der: seq.raw };
}

/** Decode a standalone Name from its DER. Throws DecodeError (callers wrap). */
export function decodeName(der: Uint8Array): DistinguishedName {
  const r = new Reader(der, 0, der.length, ['name']);
  const name = readName(r, 'name');
  r.done('name');
  return name;
}

const RFC2253_SPECIAL = new Set([',', '+', '"', '\\', '<', '>', ';']);

/** Escape one attribute value the way RFC 2253 (and OpenSSL's ESC_2253) does. */
export function escapeDnValue(v: string, isString: boolean): string {
  if (!isString) return v; // "#HEX" is emitted as is
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    const edge = (i === 0 && (c === '#' || c === ' ')) || (i === v.length - 1 && c === ' ');
    out += RFC2253_SPECIAL.has(c) || edge ? '\\' + c : c;
  }
  return out;
}

/** "CN=leaf,O=Example\, Inc.,C=US": RDNs most specific first, '+' inside an RDN. */
export function formatDn(name: DistinguishedName): string {
  const parts: string[] = [];
  for (let i = name.rdns.length - 1; i >= 0; i--) {
    const rdn = name.rdns[i]!;
    const atvs: string[] = [];
    for (let j = rdn.length - 1; j >= 0; j--) atvs.push(`${rdn[j]!.type}=${escapeDnValue(rdn[j]!.value, rdn[j]!.isString)}`);
    parts.push(atvs.join('+'));
  }
  return parts.join(',');
}

const canonValue = (a: NameAttribute): string =>
  a.isString ? a.value.replace(/[A-Z]/g, (c) => c.toLowerCase()).trim().replace(/\s+/g, ' ') : a.value;

/** A key equal for two names that RFC 5280 name chaining treats as the same. */
export function nameKey(name: DistinguishedName): string {
  // Names come from decoded certificates, which are cached and shared: made once per name.
  let key = NAME_KEYS.get(name);
  if (key === undefined) {
    key = JSON.stringify(name.rdns.map((rdn) => rdn.map((a) => `${a.oid}=${canonValue(a)}`).sort()));
    NAME_KEYS.set(name, key);
  }
  return key;
}
const NAME_KEYS = new WeakMap<DistinguishedName, string>();

/** Values of one attribute type, in encoded order. */
export function attributeValues(name: DistinguishedName, oid: string): string[] {
  return name.rdns.flat().filter((a) => a.oid === oid).map((a) => a.value);
}

/** The most specific CN (the last one encoded), as OpenSSL and browsers display it. */
export function commonName(name: DistinguishedName): string | null {
  const cns = attributeValues(name, OID_COMMON_NAME);
  return cns.length ? cns[cns.length - 1]! : null;
}
