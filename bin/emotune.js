#!/usr/bin/env node
// Thin launcher: the CLI is compiled with the rest of the main process (npm run build:main).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main/cli/cliMain.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('emotune: the app is not built yet; run `npm run build` first');
  process.exit(1);
}
const { runCli } = await import(entry.href);
try {
  process.exitCode = await runCli(process.argv.slice(2));
} catch (error) {
  console.error(`emotune: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
