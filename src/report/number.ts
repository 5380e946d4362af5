// Counts as people read them: 1,234,567. Written by hand rather than with
// toLocaleString('en-US'), whose first call loads ICU's locale data (7 MiB more resident
// memory in every mode, for a thousands separator).

/** n with comma thousands separators and at most three decimals, as toLocaleString('en-US') writes it. */
export function thousands(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '-∞';
  const r = Math.round(n * 1000) / 1000;
  const [int, frac] = String(Math.abs(r)).split('.') as [string, string | undefined];
  return (r < 0 ? '-' : '') + int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac ? `.${frac}` : '');
}
