// LDAP messages (RFC 4511 §4.1.1) as far as StartTLS needs them (§4.14): the envelope
// (messageID, protocolOp), the ExtendedRequest's name and the ExtendedResponse's result.
// BER with definite lengths only (LDAP forbids the indefinite form, §5.1). A BindRequest
// is recognised by its tag and nothing of it is kept (it carries the password).

import { type Decoded, incomplete, invalid, ok } from '../wire/reader.js';
import { latin1 } from '../wire/text.js';

/** The StartTLS extended operation's name. */
export const START_TLS_OID = '1.3.6.1.4.1.1466.20037';
/** Largest LDAP message framed before TLS. */
export const MAX_LDAP_MESSAGE = 64 * 1024;

/** protocolOp tags ([APPLICATION n]) → names. */
export const LDAP_OPERATIONS: Readonly<Record<number, string>> = Object.freeze({
  0: 'bindRequest', 1: 'bindResponse', 2: 'unbindRequest', 3: 'searchRequest', 4: 'searchResEntry', 5: 'searchResDone',
  6: 'modifyRequest', 7: 'modifyResponse', 8: 'addRequest', 9: 'addResponse', 10: 'delRequest', 11: 'delResponse',
  12: 'modDNRequest', 13: 'modDNResponse', 14: 'compareRequest', 15: 'compareResponse', 16: 'abandonRequest',
  19: 'searchResRef', 23: 'extendedReq', 24: 'extendedResp', 25: 'intermediateResponse',
});

/** LDAPResult resultCode (RFC 4511 §4.1.9, Appendix A). */
export const LDAP_RESULT_CODES: Readonly<Record<number, string>> = Object.freeze({
  0: 'success', 1: 'operationsError', 2: 'protocolError', 3: 'timeLimitExceeded', 4: 'sizeLimitExceeded',
  7: 'authMethodNotSupported', 8: 'strongerAuthRequired', 10: 'referral', 11: 'adminLimitExceeded',
  12: 'unavailableCriticalExtension', 13: 'confidentialityRequired', 14: 'saslBindInProgress', 32: 'noSuchObject',
  48: 'inappropriateAuthentication', 49: 'invalidCredentials', 50: 'insufficientAccessRights', 51: 'busy',
  52: 'unavailable', 53: 'unwillingToPerform', 80: 'other',
});

/** Operations whose body starts with an LDAPResult (the responses, RFC 4511 §4.1.9). */
const RESULT_OPERATIONS: ReadonlySet<number> = new Set([1, 5, 7, 9, 11, 13, 15, 24]);

export const ldapResultName = (code: number): string => LDAP_RESULT_CODES[code] ?? `resultCode ${code}`;
export const ldapOperationName = (op: number): string => LDAP_OPERATIONS[op] ?? `operation ${op}`;

export interface LdapMessage {
  messageId: number;
  /** [APPLICATION n] of the protocolOp. */
  op: number;
  /** ExtendedRequest: requestName. */
  requestName: string | null;
  /** Responses carrying an LDAPResult: resultCode and diagnosticMessage. */
  resultCode: number | null;
  diagnostic: string | null;
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
  next: number;
}

/** One BER TLV at `off`: null when incomplete; throws a string when malformed. */
function tlv(b: Uint8Array, off: number, limit: number): Tlv | null {
  if (off + 2 > limit) return null;
  const tag = b[off]!;
  if ((tag & 0x1f) === 0x1f) throw 'multi-byte tags are not used by LDAP';
  let len = b[off + 1]!;
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw 'indefinite length (forbidden in LDAP)';
    if (n > 4) throw 'length of more than 4 bytes';
    if (start + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  if (start + len > limit) return null;
  return { tag, start, end: start + len, next: start + len };
}

function integer(b: Uint8Array, t: Tlv): number {
  if (t.end - t.start < 1 || t.end - t.start > 4) throw 'integer of 0 or more than 4 bytes';
  let v = b[t.start]! & 0x80 ? -1 : 0;
  for (let i = t.start; i < t.end; i++) v = v * 256 + b[i]!;
  return v;
}

/** One LDAPMessage at the start of `b`. */
export function decodeLdapMessage(b: Uint8Array): Decoded<LdapMessage> {
  const fail = (message: string): Decoded<LdapMessage> => invalid({ kind: 'bad-value', path: ['ldap'], offset: 0, message });
  try {
    if (b.length > 0 && b[0] !== 0x30) return fail('not a SEQUENCE');
    if (b.length >= 2 && (b[1]! & 0x7f) > 4 && b[1]! & 0x80) return fail('length of more than 4 bytes');
    const outer = tlv(b, 0, b.length);
    if (!outer) {
      // big enough to know the length: refuse oversized messages before buffering them
      const declared = declaredLength(b);
      if (declared !== null && declared > MAX_LDAP_MESSAGE) return fail(`a message of ${declared} bytes`);
      return incomplete();
    }
    if (outer.end - outer.start > MAX_LDAP_MESSAGE) return fail(`a message of ${outer.end - outer.start} bytes`);
    const id = tlv(b, outer.start, outer.end);
    if (!id || id.tag !== 0x02) return fail('no messageID');
    const op = tlv(b, id.next, outer.end);
    if (!op || (op.tag & 0xc0) !== 0x40) return fail('no protocolOp');
    const msg: LdapMessage = { messageId: integer(b, id), op: op.tag & 0x1f, requestName: null, resultCode: null, diagnostic: null };
    const constructed = (op.tag & 0x20) !== 0;
    if (msg.op === 23 && constructed) {
      const name = tlv(b, op.start, op.end);
      if (name && name.tag === 0x80) msg.requestName = latin1(b.subarray(name.start, name.end));
    } else if (constructed && RESULT_OPERATIONS.has(msg.op)) {
      // responses: LDAPResult first (resultCode, matchedDN, diagnosticMessage)
      const code = tlv(b, op.start, op.end);
      if (code && code.tag === 0x0a) {
        msg.resultCode = integer(b, code);
        const dn = tlv(b, code.next, op.end);
        const diag = dn ? tlv(b, dn.next, op.end) : null;
        if (diag && diag.tag === 0x04 && diag.end > diag.start) msg.diagnostic = latin1(b.subarray(diag.start, Math.min(diag.end, diag.start + 200)));
      }
    }
    return ok(msg, outer.next);
  } catch (e) {
    return fail(typeof e === 'string' ? e : String(e));
  }
}

function declaredLength(b: Uint8Array): number | null {
  if (b.length < 2) return null;
  const l = b[1]!;
  if (!(l & 0x80)) return l;
  const n = l & 0x7f;
  if (b.length < 2 + n) return null;
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + b[2 + i]!;
  return v;
}
