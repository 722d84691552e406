// What every bench file does the same way: its flags, how it says it cannot run, how it prints its report,
// how it cleans up when interrupted.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/**
 * The command-line side of one bench, named as its messages are prefixed (`lifecycle.bench`).
 * - `parseFlags(integers, booleans)`: `--json` plus integer flags, each `name: [default, min, max]`, and boolean
 *   flags (`name: default`). Unknown flags and out-of-range values exit 1 naming the flag.
 * - `fail(message)`: the bench cannot run: say why on stderr, exit 1.
 * - `emit(table, report, json)`: the table on stdout; with `--json`, the table on stderr and the report as one
 *   JSON object on stdout.
 */
export function benchCli(name) {
  const fail = (message) => {
    process.stderr.write(`${name}: ${message}\n`);
    process.exit(1);
  };
  const parseFlags = (integers, booleans = {}) => {
    let values;
    try {
      values = parseArgs({
        options: {
          json: { type: 'boolean', default: false },
          ...Object.fromEntries(Object.entries(integers).map(([flag, [fallback]]) => [flag, { type: 'string', default: String(fallback) }])),
          ...Object.fromEntries(Object.entries(booleans).map(([flag, fallback]) => [flag, { type: 'boolean', default: fallback }])),
        },
        strict: true,
      }).values;
    } catch (error) {
      fail(error.message);
    }
    const flags = { ...values };
    for (const [flag, [, min, max]] of Object.entries(integers)) {
      const value = Number(values[flag]);
      if (!Number.isInteger(value) || value < min || value > max) fail(`--${flag} must be an integer from ${min} to ${max}`);
      flags[flag] = value;
    }
    return flags;
  };
  const emit = (table, report, json) => {
    if (json) {
      process.stderr.write(table);
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      process.stdout.write(table);
    }
  };
  return { fail, parseFlags, emit };
}

/**
 * Nothing a bench started outlives it: on every exit `kill()` its children; on Ctrl+C also remove the temp dir
 * `tempDir()` names (if any) and exit 130.
 */
export function cleanUpOnExit(kill, tempDir = () => undefined) {
  process.on('SIGINT', () => {
    kill();
    const dir = tempDir();
    if (dir) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
  process.on('exit', kill);
}

/** The head of every bench's JSON report: which bench, when, and on what machine. */
export function reportHeader(bench) {
  return { bench, date: new Date().toISOString(), node: process.version, platform: `${process.platform} ${process.arch}`, cpus: cpus().length };
}

/**
 * MCP servers a bench spawns over stdio and drives with the SDK `Client`. `connect(command, args, { cwd, env })`
 * spawns one and waits for `initialize` (bounded by `timeoutMs`), returning `{ client, transport, stderr() }` (the
 * last 4 000 characters of its stderr); `close(entry)` ends it; `open` holds those not closed yet, for the bench's
 * `finally` and its Ctrl+C handler.
 */
export function stdioServers(clientName, timeoutMs) {
  const open = new Set();
  const connect = async (command, args, options = {}) => {
    const transport = new StdioClientTransport({ command, args, cwd: options.cwd, ...(options.env ? { env: options.env } : {}), stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
    const client = new Client({ name: clientName, version: '0' }, { capabilities: {} });
    const entry = { client, transport, stderr: () => stderr };
    open.add(entry);
    try {
      await client.connect(transport, { timeout: timeoutMs });
    } catch (error) {
      throw new Error(`${path.basename(args[0] ?? command)} did not initialize: ${error.message}\n${stderr}`);
    }
    return entry;
  };
  const close = async (entry) => {
    open.delete(entry);
    await entry.client.close().catch(() => {});
  };
  return { connect, close, open };
}

/** VmRSS of a process in KiB (Linux), NaN when it cannot be read. */
export function rssKiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

/**
 * Spawn `node <args>` as a server that prints `listening on <url>` on stderr (`mcp-host start` over HTTP, a bare SDK
 * server) and wait, at most `listenTimeoutMs`, for that line. `children` holds the process until it exits, for the
 * bench's clean-up. `exited` resolves with `{ code, signal, at }` (`at`: performance.now()); `stop()` sends SIGTERM,
 * SIGKILL after `stopWaitMs`, and resolves with the exit (`killed: true` when it had to be killed; undefined if even
 * that did not end it within another `stopWaitMs`).
 */
export async function spawnListeningServer(args, { cwd, children, label, listenTimeoutMs, stopWaitMs }) {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, at: performance.now() });
    }),
  );
  child.stderr.setEncoding('utf8');
  let timer;
  const url = await new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} did not print its listening line in ${listenTimeoutMs} ms:\n${stderr}`)), listenTimeoutMs);
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-8000);
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(new URL(match[1]));
    });
    exited.then(({ code, signal }) => reject(new Error(`${label} exited (${code ?? signal}) before listening:\n${stderr}`)));
  }).finally(() => clearTimeout(timer));
  const waitExit = (ms) => Promise.race([exited, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
  return {
    child,
    url,
    exited,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const exit = await waitExit(stopWaitMs);
      if (exit) return exit;
      child.kill('SIGKILL');
      const killed = await waitExit(stopWaitMs);
      return killed && { ...killed, killed: true };
    },
  };
}

/**
 * Every case once per round, `rounds` times, after one warm-up run each; the order rotates each round, so no case
 * always runs right after another's teardown. `run(...args)` measures one case (its `cases[name]` spread as the
 * arguments); returns each case's results in round order. `progress(text)` shows where it is (stderr).
 */
export async function interleavedRounds(cases, rounds, run, progress) {
  const names = Object.keys(cases);
  progress('warm-up');
  for (const name of names) await run(...cases[name]);
  progress(' done\n');
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    progress(`round ${round + 1}/${rounds}`);
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      runs[name].push(await run(...cases[name]));
      progress('.');
    }
    progress('\n');
  }
  return runs;
}
