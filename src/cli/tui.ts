// hsi tui FILE: the terminal UI over a capture (being built: see issue 7).
import type { Args } from './args.js';
import { InputError } from './setup.js';

export async function tuiCommand(_args: Args, _io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream; signal: AbortSignal }): Promise<number> {
  throw new InputError('the terminal UI is not available in this build yet: use hsi read');
}
