import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { onTestFailed, onTestFinished } from 'vitest';
import { problemLines } from './cli-in-process.js';

/** The real CLI entry point, as `node_modules/.bin/mcp-host` runs it. */
export const CLI = fileURLToPath(new URL('../../packages/cli/bin/mcp-host.js', import.meta.url));
/** The workspace root: first-party plugins resolve from here. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A fresh temp directory, removed when the test ends. */
export async function tempDir(prefix = 'mcp-host-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Link the workspace's @mcp-host/core into `dir/node_modules`, as a user's project that installed it has it. */
export async function linkCore(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'node_modules/@mcp-host'), { recursive: true });
  await symlink(path.join(ROOT, 'packages/core'), path.join(dir, 'node_modules/@mcp-host/core'), 'dir');
}

/** Write files (path → contents; objects become JSON) into `dir`. */
export async function writeFiles(dir: string, files: Record<string, string | object>): Promise<void> {
  for (const [name, contents] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof contents === 'string' ? contents : JSON.stringify(contents, null, 2));
  }
}

export interface HostProcess {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Parsed JSON-RPC messages seen on stdout (throws if a line is not JSON: stdout must stay pure). */
  messages(): any[];
  /** Write one JSON-RPC message as a line to stdin. */
  send(message: object): void;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Wait until `predicate` holds for stderr / messages, bounded. */
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
}

/** Spawn the real `mcp-host` with raw pipes, for tests that control stdin byte by byte. Killed at test end. */
export function spawnHost(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: 'pipe' | 'ignore' | number } ): HostProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: [options.stdin ?? 'pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  child.stdin?.on('error', () => {});
  // On `close`, not `exit`: by then stdout and stderr have been read to their end.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const waitFor = async (predicate: () => boolean, what: string, timeoutMs = 10_000) => {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n--- stderr ---\n${err}\n--- stdout ---\n${out}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        if (predicate()) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (predicate()) return;
        throw new Error(`host exited (${child.exitCode ?? child.signalCode}) before ${what}\n--- stderr ---\n${err}\n--- stdout ---\n${out}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    messages: () =>
      out
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line)),
    send: (message) => child.stdin!.write(`${JSON.stringify(message)}\n`),
    exited,
    waitFor,
  };
}

/** Connect the SDK's real `Client` to a freshly spawned host (the SDK spawns it). Closed at test end. */
export async function connectClient(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, ...args],
    cwd: options.cwd,
    env: { ...(process.env as Record<string, string>), ...options.env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  onTestFailed(() => void process.stderr.write(`--- mcp-host stderr ---\n${stderr}\n`));
  const client = new Client({ name: 'mcp-host-test', version: '0.0.0' }, { capabilities: {} });
  onTestFinished(() => client.close().catch(() => {}));
  await client.connect(transport);
  return { client, transport, stderr: () => stderr, pid: transport.pid! };
}

/** An `initialize` request and the `initialized` notification, for raw-pipe tests. */
export function handshake(host: HostProcess, id: number | string = 0): void {
  host.send({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-test', version: '0' } },
  });
  host.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Spawn the host on an HTTP config and wait for its `listening on` line; returns the endpoint URL. */
export async function spawnHttpHost(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ host: HostProcess; url: URL }> {
  const host = spawnHost(args, { ...options, stdin: 'ignore' });
  let url: URL | undefined;
  await host.waitFor(() => {
    const match = /mcp-host: listening on (\S+)/.exec(host.stderr());
    if (match) url = new URL(match[1]!);
    return url !== undefined;
  }, 'the listening line');
  return { host, url: url! };
}

/** Run the CLI to completion (stdin closed); `problems` are its `mcp-host: …` lines on stderr. */
export async function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const host = spawnHost(args, { ...options, stdin: 'ignore' });
  const { code } = await host.exited;
  const stderr = host.stderr();
  return { code, stdout: host.stdout(), stderr, problems: problemLines(stderr) };
}
