#!/usr/bin/env -S node --max-semi-space-size=4
// Runner for the compiled CLI (npm ci builds dist/ in its prepare step).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('hsi: not built yet: run `npm ci` (or `npm run build`) in the project directory\n');
  process.exit(2);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
// Let stdout drain before leaving.
process.exitCode = code;
