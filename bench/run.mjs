// `pnpm bench`: run every bench/*.bench.mjs, one after another (never in parallel: they measure time), in
// name order. Arguments starting with `--` are passed to every bench file (`pnpm bench --runs 30`); other
// arguments that start a file's name pick those files (`pnpm bench lifecycle`).
// Exits 1 only if a bench file could not run; a missed target is reported by the bench, not a failure here.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
/** Generous bound per bench file; one that runs longer is killed and counted as failed. */
const FILE_TIMEOUT_MS = 15 * 60_000;

const all = readdirSync(BENCH_DIR)
  .filter((name) => name.endsWith('.bench.mjs'))
  .sort();
// A name filter is an argument that starts a bench file's name (`lifecycle`, `websocket`); everything else
// (`--runs 30`, `--json`) goes to the bench files as is.
const isFilter = (arg) => !arg.startsWith('-') && !/^\d+$/.test(arg) && all.some((name) => name.startsWith(arg));
const args = process.argv.slice(2);
const filters = args.filter(isFilter);
const flags = args.filter((arg) => !isFilter(arg));
const files = all.filter((name) => filters.length === 0 || filters.some((filter) => name.startsWith(filter)));

if (files.length === 0) {
  process.stderr.write(`bench: no bench/*.bench.mjs file found\n`);
  process.exit(1);
}

let current;
process.on('SIGINT', () => {
  current?.kill('SIGINT');
  process.exit(130);
});

const failed = [];
for (const file of files) {
  process.stderr.write(`\n== ${file} ==\n`);
  const code = await new Promise((resolve) => {
    current = spawn(process.execPath, [path.join(BENCH_DIR, file), ...flags], { stdio: 'inherit' });
    const timer = setTimeout(() => {
      process.stderr.write(`bench: ${file} still running after ${FILE_TIMEOUT_MS / 60_000} min; killing it\n`);
      current.kill('SIGKILL');
    }, FILE_TIMEOUT_MS);
    current.once('error', (error) => {
      process.stderr.write(`bench: cannot run ${file}: ${error.message}\n`);
      clearTimeout(timer);
      resolve(1);
    });
    current.once('exit', (exitCode, signal) => {
      clearTimeout(timer);
      resolve(exitCode ?? (signal ? 1 : 0));
    });
  });
  if (code !== 0) failed.push(file);
}
current = undefined;

if (failed.length > 0) {
  process.stderr.write(`bench: could not run ${failed.join(', ')}\n`);
  process.exit(1);
}
