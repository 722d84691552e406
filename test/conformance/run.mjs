// `pnpm test:conformance`: start the real mcp-host CLI over HTTP with the conformance fixture plugin, run every
// server scenario of @modelcontextprotocol/conformance@0.1.12 against it (the installed bin; `--suite all`, so
// the pending scenarios too), with expected-failures.yml as the baseline, then SIGTERM the host and require
// exit code 0. Exits 1 on any unexpected failure, a stale baseline entry, or an unclean host exit.
// Builds nothing: run `pnpm build` first if packages/cli/dist is missing.
// Options: --scenario NAME (one scenario), --verbose (the suite's JSON output).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const CLI = path.join(ROOT, 'packages/cli/bin/mcp-host.js');
const FIXTURE = path.join(HERE, 'conformance-plugin.mjs');
const BASELINE = path.join(HERE, 'expected-failures.yml');
const SUITE_VERSION = '0.1.12';
/** Bounds: generous, so a hang fails the run instead of holding CI. */
const LISTEN_TIMEOUT_MS = 20_000;
const SUITE_TIMEOUT_MS = 180_000;
const EXIT_TIMEOUT_MS = 10_000;

const { values: options } = parseArgs({ options: { scenario: { type: 'string' }, verbose: { type: 'boolean', default: false } } });
const startedAt = Date.now();
const say = (line) => process.stderr.write(`conformance: ${line}\n`);

function suiteBin() {
  const require = createRequire(import.meta.url);
  let manifestPath;
  try {
    manifestPath = require.resolve('@modelcontextprotocol/conformance/package.json');
  } catch {
    throw new Error('@modelcontextprotocol/conformance is not installed next to test/conformance: run `pnpm install` (test/conformance must be a workspace package).');
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.version !== SUITE_VERSION) throw new Error(`expected @modelcontextprotocol/conformance@${SUITE_VERSION}, found ${manifest.version}: the fixture and baseline are written for ${SUITE_VERSION}.`);
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

/** The suite, its output passed through; resolves with its exit code and what it printed. */
async function runSuite(url) {
  const args = [suiteBin(), 'server', '--url', url.href, '--expected-failures', BASELINE];
  args.push(...(options.scenario ? ['--scenario', options.scenario] : ['--suite', 'all']));
  if (options.verbose) args.push('--verbose');
  const child = spawn(process.execPath, args, { cwd: HERE, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
  }
  const exited = exitOf(child);
  const { code, signal } = await within(exited, SUITE_TIMEOUT_MS, 'the conformance suite').catch(async (error) => {
    child.kill('SIGKILL');
    await exited;
    throw error;
  });
  return { code: code ?? 1, signal, output };
}

let host;
const dir = mkdtempSync(path.join(tmpdir(), 'mcp-host-conformance-'));
let failed = false;
try {
  if (!existsSync(path.join(ROOT, 'packages/cli/dist'))) throw new Error('packages/cli/dist is missing: run `pnpm build` first (this runner builds nothing).');
  host = await startHost(dir);
  say(`host listening on ${host.url.href}`);
  const suite = await runSuite(host.url);
  const total = /Total: (\d+) passed, (\d+) failed/.exec(suite.output);
  const scenarios = [...suite.output.matchAll(/^[✓✗] (\S+): /gm)].length;
  if (suite.code !== 0) {
    failed = true;
    say(`the suite reports unexpected failures or a stale baseline entry (exit ${suite.code}${suite.signal ? `, ${suite.signal}` : ''})`);
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
  say(
    `${scenarios} scenarios, ${total ? `${total[1]} checks passed, ${total[2]} failed` : 'no summary line'}; ` +
      `baseline ${path.relative(ROOT, BASELINE)}; host exited ${code ?? signal} ${exitMs} ms after SIGTERM; ${((Date.now() - startedAt) / 1000).toFixed(1)} s in all`,
  );
} catch (error) {
  failed = true;
  say(error instanceof Error ? error.message : String(error));
  if (host && host.child.exitCode === null && host.child.signalCode === null) host.child.kill('SIGKILL');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
say(failed ? 'FAILED' : 'ok');
process.exitCode = failed ? 1 : 0;
