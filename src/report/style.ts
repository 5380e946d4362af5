// Terminal styling: colour only on a terminal, never with NO_COLOR (https://no-color.org).

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;

export const COLOR: Style = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
};

const id = (s: string) => s;
export const PLAIN: Style = { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id };

/** Colour when writing to a terminal, unless NO_COLOR is set or the user chose otherwise. */
export function chooseStyle(stream: { isTTY?: boolean }, choice: 'auto' | 'always' | 'never' = 'auto', env = process.env): Style {
  if (choice === 'never') return PLAIN;
  if (choice === 'always') return COLOR;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return PLAIN;
  return stream.isTTY ? COLOR : PLAIN;
}
