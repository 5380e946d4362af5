// Binary protocols that upgrade to TLS on request: LDAP StartTLS (RFC 4511 §4.14),
// PostgreSQL SSLRequest, MySQL / MariaDB SSL capability and SSLRequest packet.

import type { Side } from '../engine/types.js';
import { clip, type Dialogue, type DialogueHost, type MessageSeen, type ReadResult } from './dialogue.js';
import { decodeMysqlClientHello, decodeMysqlGreeting, decodePgSslAnswer, decodePgStartup } from './database.js';
import { decodeLdapMessage, ldapOperationName, ldapResultName, START_TLS_OID } from './ldap.js';

export class LdapDialogue implements Dialogue {
  /** messageID of the StartTLS request waiting for its response. */
  private startTlsId: number | null = null;

  constructor(private readonly host: DialogueHost) {
    host.state.kind = 'starttls-ldap';
  }

  read(from: Side, bytes: Uint8Array, seen: (size: number) => MessageSeen): ReadResult {
    if (from === 'client' && this.startTlsId !== null) return 'wait';
    const r = decodeLdapMessage(bytes);
    if (r.status === 'incomplete') return 'wait';
    if (r.status === 'invalid') return { error: `${from === 'client' ? "the client's" : "the server's"} LDAP message: ${r.error.message}` };
    const m = r.value;
    const at = seen(r.size);
    const st = this.host.state;
    const name = ldapOperationName(m.op);
    if (from === 'client') {
      if (m.op === 23 && m.requestName === START_TLS_OID) {
        st.request = this.host.said('client', at, `#${m.messageId} extendedReq StartTLS (${START_TLS_OID})`);
        st.attempts++;
        st.result = 'pending';
        this.startTlsId = m.messageId;
        return r.size;
      }
      if (m.op === 0) {
        // a bind before StartTLS: a simple bind carries the password in the clear
        st.plaintextLogin = { what: `#${m.messageId} bindRequest (credentials withheld)`, frame: at.frame };
        st.credentials = st.plaintextLogin;
        this.host.said('client', at, `#${m.messageId} bindRequest (credentials withheld)`, 'a bind before StartTLS: credentials sent in plain text');
        if (st.result === 'greeting') st.result = 'starttls-not-requested';
        this.host.end(st.result);
        return bytes.length;
      }
      if (m.op === 3 || m.op === 16 || (m.op === 23 && m.requestName !== null)) {
        // the root DSE query ("supportedExtension"), an abandon, another extended operation
        this.host.said('client', at, `#${m.messageId} ${name}${m.requestName ? ` ${clip(m.requestName, 60)}` : ''}`);
        return r.size;
      }
      this.host.said('client', at, `#${m.messageId} ${name}`, 'the session goes on without StartTLS');
      if (st.result === 'greeting') st.result = 'starttls-not-requested';
      this.host.end(st.result);
      return bytes.length;
    }
    const result = m.resultCode === null ? '' : ` ${ldapResultName(m.resultCode)} (${m.resultCode})`;
    const step = this.host.said('server', at, `#${m.messageId} ${name}${result}`, m.diagnostic ? clip(m.diagnostic, 120) : undefined);
    if (m.op === 24 && this.startTlsId !== null && (m.messageId === this.startTlsId || m.messageId === 0)) {
      this.startTlsId = null;
      st.answer = step;
      st.status = String(m.resultCode ?? '');
      if (m.diagnostic) this.host.note('diagnosticMessage', clip(m.diagnostic, 160), at.frame);
      if (m.resultCode === 0) {
        this.host.switchSide('server');
        this.host.switchSide('client');
        this.host.establish(at, st.status);
      } else st.result = 'starttls-refused';
    }
    return r.size;
  }
}

export class PostgresDialogue implements Dialogue {
  private asked: 'ssl-request' | 'gssenc-request' | null = null;

  constructor(private readonly host: DialogueHost) {
    host.state.kind = 'postgres-ssl';
  }

  read(from: Side, bytes: Uint8Array, seen: (size: number) => MessageSeen): ReadResult {
    const st = this.host.state;
    if (from === 'client') {
      if (this.asked) return 'wait';
      const r = decodePgStartup(bytes);
      if (r.status === 'incomplete') return 'wait';
      if (r.status === 'invalid') return { error: `the client's startup packet: ${r.error.message}` };
      const at = seen(r.size);
      const k = r.value.kind;
      if (k === 'ssl-request' || k === 'gssenc-request') {
        const step = this.host.said('client', at, k === 'ssl-request' ? 'SSLRequest' : 'GSSENCRequest');
        if (k === 'ssl-request') {
          st.request = step;
          st.attempts++;
          st.result = 'pending';
        }
        this.asked = k;
        return r.size;
      }
      // a StartupMessage (plain-text session: sslmode=disable, or prefer/allow after an 'N') or a CancelRequest
      this.host.said('client', at, k === 'startup' ? 'StartupMessage (plain text)' : 'CancelRequest', k === 'startup' ? 'the session goes on without TLS' : undefined);
      if (k === 'startup' && st.result !== 'starttls-refused') st.result = 'starttls-not-requested';
      this.host.end(st.result);
      return bytes.length;
    }
    if (!this.asked) return { error: 'the server spoke before the client' };
    const r = decodePgSslAnswer(bytes);
    if (r.status === 'incomplete') return 'wait';
    if (r.status === 'invalid') return { error: `the server's answer: ${r.error.message}` };
    const at = seen(r.size);
    const a = r.value.answer;
    const asked = this.asked;
    this.asked = null;
    if (asked === 'gssenc-request') {
      this.host.said('server', at, `'${a}'`, a === 'G' ? 'GSSAPI encryption accepted' : 'no GSSAPI encryption');
      if (a === 'G') this.host.end('failed');
      return r.size;
    }
    const text = a === 'S' ? "'S': TLS accepted" : a === 'N' ? "'N': the server does not do TLS (ssl = off)" : `an error: ${clip(r.value.error ?? '', 100)}`;
    st.answer = this.host.said('server', at, text);
    st.status = a;
    if (a === 'S') {
      this.host.switchSide('server');
      this.host.switchSide('client');
      this.host.establish(at, a);
    } else st.result = 'starttls-refused';
    return r.size;
  }
}

export class MysqlDialogue implements Dialogue {
  private greeted = false;

  constructor(private readonly host: DialogueHost) {
    host.state.kind = 'mysql-ssl';
  }

  read(from: Side, bytes: Uint8Array, seen: (size: number) => MessageSeen): ReadResult {
    const st = this.host.state;
    if (from === 'server') {
      if (this.greeted) return bytes.length;
      const r = decodeMysqlGreeting(bytes);
      if (r.status === 'incomplete') return 'wait';
      if (r.status === 'invalid') return { error: `the server's greeting: ${r.error.message}` };
      this.greeted = true;
      const at = seen(r.size);
      const g = r.value;
      if (g.kind === 'error') {
        st.answer = this.host.said('server', at, `ERR ${g.code}: ${clip(g.message, 100)}`);
        st.status = `err:${g.code}`;
        this.host.end('server-refused');
        return r.size;
      }
      st.offered = g.ssl;
      st.offeredFrame = at.frame;
      this.host.note('server version', clip(g.serverVersion, 80), at.frame);
      this.host.said('server', at, `greeting ${clip(g.serverVersion, 60)}`, g.ssl ? 'CLIENT_SSL offered' : 'no CLIENT_SSL: the server cannot do TLS');
      return r.size;
    }
    if (!this.greeted) return 'wait';
    const r = decodeMysqlClientHello(bytes);
    if (r.status === 'incomplete') return 'wait';
    if (r.status === 'invalid') return { error: `the client's answer: ${r.error.message}` };
    const at = seen(r.size);
    if (r.value.kind === 'ssl-request') {
      // No answer from the server: the client starts TLS right after this packet.
      st.request = this.host.said('client', at, 'SSLRequest (CLIENT_SSL)');
      st.attempts++;
      st.status = 'ssl';
      this.host.switchSide('client');
      this.host.switchSide('server');
      this.host.establish(at, 'ssl');
      return r.size;
    }
    this.host.said('client', at, 'HandshakeResponse (plain-text login, credentials withheld)', 'the client logs in without TLS');
    st.plaintextLogin = { what: 'a MySQL login without TLS', frame: at.frame };
    st.result = st.offered === false ? 'starttls-not-offered' : 'starttls-not-requested';
    this.host.end(st.result);
    return bytes.length;
  }
}
