// Wire strings on their way to blessed. Two hazards: control characters and escape
// sequences (the terminal would act on them), and blessed's own markup: with `tags: true`
// blessed reads `{red-fg}`, `{/}`... anywhere in the content, so an SNI or an SSH banner
// could restyle or hide the screen. Two steps, each applied exactly once:
// - the view model passes every span's text through displayText() when it builds the span
//   (so widths and truncation are computed on what will be shown, and tests read it);
// - the widgets pass every string they hand to blessed through escapeTags().

import { escapeForTerminal } from '../wire/text.js';

/**
 * Text as it should appear on screen: controls, DEL, C1 and bidi/format characters become
 * visible escapes (escapeForTerminal), and characters outside the Basic Multilingual Plane
 * (which blessed, without fullUnicode, measures as two cells) become \u{...}.
 */
export function displayText(s: string): string {
  const escaped = escapeForTerminal(s);
  return /[\ud800-\udfff]/.test(escaped) ? escaped.replace(/[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`) : escaped;
}

/** Blessed's tag delimiters escaped ({ → {open}, } → {close}) in one pass. */
export function escapeTags(s: string): string {
  return s.replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}
