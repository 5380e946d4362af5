// The text protocols that upgrade to TLS in the middle: SMTP STARTTLS (RFC 3207), FTP
// AUTH TLS (RFC 4217), IMAP STARTTLS and POP3 STLS (RFC 2595). One dialogue, four
// protocol tables: the server greets, the client sends commands, each gets a reply; the
// upgrade command's positive reply switches both sides to TLS.
//
// A command that only makes sense without TLS (a login, MAIL FROM, USER) ends the
// preamble: the session went on in plain text. Its arguments are never kept: a login's
// credentials, or any command line after the client decided not to upgrade.

import type { Side } from '../engine/types.js';
import type { Decoded } from '../wire/reader.js';
import { clip, type Dialogue, type DialogueHost, type MessageSeen, type ReadResult } from './dialogue.js';
import { readLine, verbOf } from './lines.js';
import { decodeCodedReply, decodeImapLine, decodePop3Reply, ehloKeywords, imapCapabilities } from './mail.js';
import type { TunnelKind } from './state.js';

/** What a command does to the preamble. */
type CommandRole = 'hello' | 'capability' | 'upgrade' | 'neutral' | 'quit' | 'login' | 'other';

interface TextReply {
  /** Positive completion (2xx, OK, +OK). */
  positive: boolean;
  /** Status for the record: "220", "454", "OK", "BAD", "+OK", "-ERR". */
  status: string;
  text: string;
  lines: string[];
  /** IMAP untagged lines are not the end of a command's answer. */
  final: boolean;
}

interface Pending {
  role: CommandRole;
  verb: string;
  tag: string;
  frame: number;
}

export interface TextProtocol {
  kind: TunnelKind;
  name: string;
  /** The upgrade command as people write it. */
  upgrade: string;
  roleOf(verb: string, line: string): CommandRole;
  /** One server reply at the start of the bytes (the command it answers, if any). */
  reply(bytes: Uint8Array, pending: Pending | null): Decoded<TextReply>;
  /** Whether a reply (greeting, capability or hello answer) lists the upgrade; null when it does not say. */
  offers(reply: TextReply, to: Pending | null): boolean | null;
  /** How a client line is shown: the verb, and arguments only where they hold no secret. */
  display(verb: string, line: string, role: CommandRole): string;
}

const coded = (bytes: Uint8Array): Decoded<TextReply> => {
  const r = decodeCodedReply(bytes);
  if (r.status !== 'ok') return r;
  const { code, lines } = r.value;
  return { status: 'ok', size: r.size, value: { positive: code >= 200 && code < 400, status: String(code), text: lines[0] ?? '', lines, final: true } };
};

const SMTP_ROLES: Record<string, CommandRole> = {
  EHLO: 'hello', HELO: 'hello', LHLO: 'hello', STARTTLS: 'upgrade', NOOP: 'neutral', RSET: 'neutral', HELP: 'neutral',
  QUIT: 'quit', AUTH: 'login',
};
const FTP_ROLES: Record<string, CommandRole> = {
  FEAT: 'capability', AUTH: 'upgrade', SYST: 'neutral', NOOP: 'neutral', HELP: 'neutral', OPTS: 'neutral', CLNT: 'neutral',
  HOST: 'neutral', QUIT: 'quit', USER: 'login', PASS: 'login', ACCT: 'login',
};
const IMAP_ROLES: Record<string, CommandRole> = {
  CAPABILITY: 'capability', STARTTLS: 'upgrade', NOOP: 'neutral', ID: 'neutral', LOGOUT: 'quit', LOGIN: 'login', AUTHENTICATE: 'login',
};
const POP3_ROLES: Record<string, CommandRole> = {
  CAPA: 'capability', STLS: 'upgrade', NOOP: 'neutral', QUIT: 'quit', USER: 'login', PASS: 'login', APOP: 'login', AUTH: 'login',
};

const safeArgs = (line: string, verb: string, role: CommandRole): string =>
  role === 'login' ? `${verb} (credentials withheld)` : role === 'other' ? verb : clip(line, 100);

export const SMTP: TextProtocol = {
  kind: 'starttls-smtp',
  name: 'SMTP',
  upgrade: 'STARTTLS',
  roleOf: (verb) => SMTP_ROLES[verb] ?? 'other',
  reply: coded,
  offers: (r, to) => (to?.role === 'hello' && to.verb === 'EHLO' && r.positive ? ehloKeywords({ code: Number(r.status), lines: r.lines }).includes('STARTTLS') : to?.role === 'hello' && to.verb === 'HELO' ? false : null),
  display: (verb, line, role) => safeArgs(line, verb, role),
};

export const FTP: TextProtocol = {
  kind: 'ftp-auth-tls',
  name: 'FTP',
  upgrade: 'AUTH TLS',
  roleOf: (verb, line) => (verb === 'AUTH' && !/^AUTH\s+(TLS|SSL|TLS-C|TLS-P)\s*$/i.test(line) ? 'other' : FTP_ROLES[verb] ?? 'other'),
  reply: coded,
  offers: (r, to) => (to?.role === 'capability' && r.positive ? r.lines.some((l) => /^\s*AUTH\b.*\bTLS\b/i.test(l)) : null),
  display: (verb, line, role) => safeArgs(line, verb, role),
};

export const IMAP: TextProtocol = {
  kind: 'starttls-imap',
  name: 'IMAP',
  upgrade: 'STARTTLS',
  roleOf: (verb) => IMAP_ROLES[verb] ?? 'other',
  reply(bytes, pending) {
    const r = decodeImapLine(bytes);
    if (r.status !== 'ok') return r;
    const { tag, status, text } = r.value;
    const final = pending ? tag === pending.tag : tag === '*';
    return { status: 'ok', size: r.size, value: { positive: status === 'OK' || status === 'PREAUTH' || status === 'CAPABILITY', status, text, lines: [text], final } };
  },
  offers(r, to) {
    const caps = imapCapabilities(r.status === 'CAPABILITY' ? `CAPABILITY ${r.text}` : r.text);
    if (caps) return caps.includes('STARTTLS');
    return to?.role === 'capability' && r.final ? false : null;
  },
  display: (verb, line, role) => {
    const tag = line.split(' ')[0] ?? '';
    return role === 'login' ? `${tag} ${verb} (credentials withheld)` : role === 'other' ? `${tag} ${verb}` : clip(line, 100);
  },
};

export const POP3: TextProtocol = {
  kind: 'starttls-pop3',
  name: 'POP3',
  upgrade: 'STLS',
  roleOf: (verb) => POP3_ROLES[verb] ?? 'other',
  reply: (bytes, pending) => {
    const r = decodePop3Reply(bytes, 0, pending?.role === 'capability');
    if (r.status !== 'ok') return r;
    return { status: 'ok', size: r.size, value: { positive: r.value.ok, status: r.value.ok ? '+OK' : '-ERR', text: r.value.text, lines: r.value.lines, final: true } };
  },
  offers: (r, to) => (to?.role === 'capability' && r.positive ? r.lines.some((l) => /^STLS\b/i.test(l)) : null),
  display: (verb, line, role) => safeArgs(line, verb, role),
};

/** IMAP commands start with a tag. */
const tagged = (p: TextProtocol) => p.kind === 'starttls-imap';

export class TextDialogue implements Dialogue {
  private greeted = false;
  private pending: Pending[] = [];
  /** The upgrade command is out: client bytes after it wait for the answer. */
  private upgrading = false;
  private stopped = false;

  constructor(
    private readonly host: DialogueHost,
    private proto: TextProtocol,
    /** The kind is certain (IMAP, POP3, or a port that says which of SMTP / FTP). */
    certain = true,
  ) {
    this.decided = certain;
    host.state.kind = proto.kind;
  }

  /** SMTP and FTP greet alike ("220 ..."): the greeting's words, else the first command, tell them apart. */
  private decided: boolean;

  private retarget(proto: TextProtocol): void {
    this.decided = true;
    this.proto = proto;
    this.host.state.kind = proto.kind;
  }

  private decideByGreeting(text: string): void {
    if (this.decided || (this.proto !== SMTP && this.proto !== FTP)) return;
    if (/\bE?SMTP\b|\bPostfix\b|\bExim\b|\bSendmail\b/i.test(text)) this.retarget(SMTP);
    else if (/FTP/i.test(text)) this.retarget(FTP);
  }

  private decideByCommand(verb: string, line: string): void {
    this.decided = true;
    if (this.proto === SMTP && (verb === 'FEAT' || verb === 'USER' || verb === 'SYST' || /^AUTH\s+(TLS|SSL|TLS-C)\s*$/i.test(line))) this.retarget(FTP);
    else if (this.proto === FTP && (verb === 'EHLO' || verb === 'HELO' || verb === 'STARTTLS')) this.retarget(SMTP);
  }

  read(from: Side, bytes: Uint8Array, seen: (size: number) => MessageSeen): ReadResult {
    if (this.stopped) return bytes.length;
    return from === 'server' ? this.server(bytes, seen) : this.client(bytes, seen);
  }

  private client(bytes: Uint8Array, seen: (size: number) => MessageSeen): ReadResult {
    if (this.upgrading) return 'wait';
    const l = readLine(bytes, 0, 2048);
    if (l.status === 'incomplete') return 'wait';
    if (l.status === 'invalid') return { error: `the client's command: ${l.reason}` };
    const st = this.host.state;
    const at = seen(l.size);
    const words = l.text.trim().split(/\s+/);
    const tag = tagged(this.proto) ? (words[0] ?? '') : '';
    const verb = verbOf(tagged(this.proto) ? words.slice(1).join(' ') : l.text.trim());
    if (!this.decided) this.decideByCommand(verb, l.text.trim());
    const role = this.proto.roleOf(verb, l.text.trim());
    const text = this.proto.display(verb, l.text.trim(), role);
    if (role === 'login' || role === 'other') {
      this.host.said('client', at, text, role === 'login' ? `a login before ${this.proto.upgrade}: credentials sent in plain text` : `the session goes on without ${this.proto.upgrade}`);
      if (role === 'login') st.plaintextLogin = { what: text, frame: at.frame };
      if (role === 'login') st.credentials = { what: text, frame: at.frame };
      if (st.result !== 'starttls-refused' && st.result !== 'server-refused') st.result = st.offered === false ? 'starttls-not-offered' : 'starttls-not-requested';
      this.stop();
      return bytes.length;
    }
    const step = this.host.said('client', at, text);
    this.pending.push({ role, verb, tag, frame: at.frame });
    if (role === 'upgrade') {
      st.request = step;
      st.attempts++;
      st.result = 'pending';
      this.upgrading = true;
    } else if (role === 'quit' && st.result === 'greeting' && st.offered === false) st.result = 'starttls-not-offered';
    return l.size;
  }

  private server(bytes: Uint8Array, seen: (size: number) => MessageSeen): ReadResult {
    const st = this.host.state;
    const to = this.greeted ? (this.pending[0] ?? null) : null;
    const r = this.proto.reply(bytes, to);
    if (r.status === 'incomplete') return 'wait';
    if (r.status === 'invalid') return { error: `the server's reply: ${r.error.message}` };
    const rep = r.value;
    const at = seen(r.size);
    const offers = this.proto.offers(rep, to);
    if (offers !== null && (st.offered === null || offers)) {
      st.offered = offers;
      st.offeredFrame = at.frame;
    }
    const line = `${rep.status} ${clip(rep.text, 100)}`.trim();
    if (!this.greeted) {
      this.greeted = true;
      this.decideByGreeting(rep.lines.join(' '));
      const step = this.host.said('server', at, line, offers === true ? `${this.proto.upgrade} offered` : 'greeting');
      this.host.note('greeting', clip(rep.text, 160), at.frame);
      if (!rep.positive) {
        st.answer = step;
        st.status = rep.status;
        this.host.end('server-refused');
      }
      return r.size;
    }
    if (!rep.final) {
      this.host.said('server', at, line, offers === true ? `${this.proto.upgrade} offered` : offers === false ? `${this.proto.upgrade} not offered` : undefined);
      return r.size;
    }
    this.pending.shift();
    const detail = offers === true ? `${this.proto.upgrade} offered` : offers === false ? `${this.proto.upgrade} not offered` : undefined;
    const step = this.host.said('server', at, line, detail);
    if (to?.role === 'upgrade') {
      this.upgrading = false;
      st.answer = step;
      st.status = rep.status;
      if (rep.positive) {
        this.host.switchSide('server');
        this.host.switchSide('client');
        this.host.establish(at, rep.status);
      } else st.result = 'starttls-refused';
    }
    return r.size;
  }

  private stop(): void {
    this.stopped = true;
    this.host.end(this.host.state.result);
  }
}
