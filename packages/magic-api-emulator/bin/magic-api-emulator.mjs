#!/usr/bin/env node
// Runs the built emulator (dist/); `pnpm install` / `pnpm build` build it.
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`magic-api-emulator: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
