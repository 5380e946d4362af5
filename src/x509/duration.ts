// Human durations for messages: "3 days 4 hours", "5 hours 12 minutes", "42 seconds".

const UNITS: readonly [string, number][] = [
  ['year', 365 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** The two largest non-zero units of |ms|, e.g. "3 days 4 hours"; "0 seconds" below a second. */
export function formatDuration(ms: number): string {
  let rest = Math.abs(ms);
  const parts: string[] = [];
  for (const [name, size] of UNITS) {
    if (parts.length === 2) break;
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
    else if (parts.length === 1) break; // "1 day 0 hours 5 minutes" reads worse than "1 day"
  }
  return parts.length ? parts.join(' ') : '0 seconds';
}

/** "3 days 4 hours after" / "... before" the reference instant. */
export function relativeTo(instant: Date, reference: Date): string {
  const d = instant.getTime() - reference.getTime();
  return `${formatDuration(d)} ${d >= 0 ? 'after' : 'before'}`;
}
