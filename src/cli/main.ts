// hsi: command dispatch, signals, and the one place that turns errors into exit status 2
// with a one-line reason (never a stack trace for bad input or a bad command line).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, usage, UsageError } from './args.js';
import { readCommand } from './read.js';
import { InputError } from './setup.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

export async function main(argv: string[]): Promise<number> {
  const { stdout, stderr } = process;
  // hsi read x | head: a closed pipe is the reader's choice, not an error.
  stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const args = parseArgs(argv);
    if (args.version) {
      stdout.write(`hsi ${version()}\n`);
      return 0;
    }
    if (args.help || args.command === '') {
      stdout.write(usage(args.command) + '\n');
      return args.help ? 0 : 2;
    }
    const io = { stdout, stderr, signal: abort.signal };
    switch (args.command) {
      case 'read':
        return await readCommand(args, io);
      case 'tui': {
        const { tuiCommand } = await import('./tui.js');
        return await tuiCommand(args, io);
      }
      case 'live': {
        const { liveCommand } = await import('./live.js');
        return await liveCommand(args, io);
      }
      case 'interfaces': {
        const { interfacesCommand } = await import('./live.js');
        return await interfacesCommand(args, io);
      }
    }
    throw new UsageError(`unknown command ${args.command}`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) {
      stderr.write(`hsi: ${e.message}\n`);
      return 2;
    }
    // A bug: say so in one line, with the stack only when asked for.
    stderr.write(`hsi: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.HSI_DEBUG) stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
    return 70;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
