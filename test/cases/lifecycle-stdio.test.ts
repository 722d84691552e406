import { expect, test } from 'vitest';
import { SHUTTING_DOWN_CODE } from '@mcp-host/core';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { connectInProcess, handshake, setupProbes, spawnHost, tempDir, writeFiles } from '../src/index.js';

const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

test('a 1 MB reply is received whole when the client closes stdin right after asking', async () => {
  const probes = await setupProbes({ big: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  handshake(host);
  const bytes = 1024 * 1024 + 17;
  host.send(call(1, 'big_big', { bytes }));
  host.child.stdin!.end();
  const { code } = await host.exited;
  expect(code).toBe(0);
  const reply = host.messages().find((message) => message.id === 1);
  expect(reply?.result.content[0].text).toHaveLength(bytes);
});

test("an initialize read during startup is answered before the ready taps begin (a tap's work does not hold the first reply)", async () => {
  const dir = await tempDir();
  // Its ready tap notes when it began, then keeps the thread busy 1.5 s: had it run first, the reply would wait that long.
  const busy = `
import { writeFileSync } from 'node:fs';
import { definePlugin } from '@mcp-host/core';
export default definePlugin({
  name: 'busy-ready',
  apply(host) {
    host.hooks.ready.tap('busy-ready', () => {
      writeFileSync(${JSON.stringify(path.join(dir, 'ready-began'))}, String(Date.now()));
      const until = Date.now() + 1500;
      while (Date.now() < until);
    });
  },
});
`;
  await writeFiles(dir, { 'busy.mjs': busy, 'mcp-host.config.json': { plugins: ['./busy.mjs'] } });
  const host = spawnHost(['start'], { cwd: dir });
  // Sent at once: it waits in the pipe while the plugin loads.
  handshake(host);
  await host.waitFor(() => host.messages().some((message) => message.id === 0), 'the initialize reply');
  const repliedAt = Date.now();
  // The tap runs after the reply went out: its note may not be there yet.
  await host.waitFor(() => existsSync(path.join(dir, 'ready-began')), 'the ready tap to begin');
  const began = Number(await readFile(path.join(dir, 'ready-began'), 'utf8'));
  expect(Number.isFinite(began)).toBe(true);
  // Well short of the tap's 1.5 s: the reply was out before the tap began.
  expect(repliedAt - began).toBeLessThan(750);
  host.child.stdin!.end();
  expect((await host.exited).code).toBe(0);
});

test('an in-flight tool call is answered after the client closed stdin and after SIGTERM', async () => {
  const probes = await setupProbes({ slowpoke: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  handshake(host);
  host.send(call(7, 'slow_slowpoke', { ms: 600 }));
  await host.waitFor(() => probes.events().includes('slowpoke:slow-begin'), 'the tool to start');
  host.child.stdin!.end();
  await host.waitFor(() => host.stderr().includes('shutting down (stdin-closed)'), 'shutdown to begin');
  host.child.kill('SIGTERM');
  const { code } = await host.exited;
  expect(code).toBe(0);
  expect(host.messages().find((message) => message.id === 7)?.result.content[0].text).toBe('slept 600');
  // The reply went out before the shutdown taps ran (drain first).
  const events = probes.events();
  expect(events.indexOf('slowpoke:slow-end')).toBeLessThan(events.indexOf('slowpoke:shutdown:stdin-closed'));
  expect(host.stderr()).toMatch(/requests: 1 answered, 0 cut/);
});

test('a request made during shutdown gets a JSON-RPC error saying the server is shutting down', async () => {
  const probes = await setupProbes({ lingering: { shutdownDelayMs: 500 } });
  const host = spawnHost(['start'], { cwd: probes.dir });
  handshake(host);
  await host.waitFor(() => probes.events().includes('lingering:ready'), 'ready');
  host.child.kill('SIGTERM');
  await host.waitFor(() => probes.events().includes('lingering:shutdown:SIGTERM'), 'the shutdown tap to begin');
  host.send(call(9, 'probe_lingering'));
  const { code } = await host.exited;
  expect(code).toBe(0);
  const reply = host.messages().find((message) => message.id === 9);
  expect(reply?.error?.code).toBe(SHUTTING_DOWN_CODE);
  expect(reply?.error?.message).toMatch(/shutting down/);
  expect(reply?.result).toBeUndefined();
});

test('a request still unanswered at drainTimeoutMs is cut, reported, and exits 1', async () => {
  const probes = await setupProbes({ sleepy: {} }, { shutdown: { drainTimeoutMs: 200 } });
  const host = spawnHost(['start'], { cwd: probes.dir });
  handshake(host);
  host.send(call(3, 'slow_sleepy', { ms: 5000 }));
  await host.waitFor(() => probes.events().includes('sleepy:slow-begin'), 'the tool to start');
  host.child.stdin!.end();
  const { code } = await host.exited;
  expect(code).toBe(1);
  expect(host.stderr()).toMatch(/requests: 0 answered, 1 cut/);
  expect(probes.events()).toContain('sleepy:shutdown:stdin-closed');
  // The client is not left waiting: the cut request got an error, and nothing else under its id.
  const replies = host.messages().filter((message) => message.id === 3);
  expect(replies).toHaveLength(1);
  expect(replies[0].error?.code).toBe(SHUTTING_DOWN_CODE);
});

test('stdout carries JSON-RPC only: console.log/info/debug and process.stdout.write from plugins go to stderr', async () => {
  const probes = await setupProbes({ noisy: { printAtImport: true } });
  const host = spawnHost(['start'], { cwd: probes.dir });
  handshake(host);
  host.send(call(1, 'print_noisy'));
  await host.waitFor(() => host.messages().some((message) => message.id === 1), 'the reply');
  host.child.stdin!.end();
  const { code } = await host.exited;
  expect(code).toBe(0);
  // Every stdout line parses as a JSON-RPC message (messages() throws otherwise).
  const messages = host.messages();
  expect(messages.every((message) => message.jsonrpc === '2.0')).toBe(true);
  expect(host.stdout()).not.toContain('noisy console');
  for (const text of ['noisy printed in apply', 'noisy console.log', 'noisy console.info', 'noisy console.debug', 'noisy process.stdout.write']) {
    expect(host.stderr()).toContain(text);
  }
});

test('a client that vanishes (EPIPE on stdout) is a shutdown trigger, never a crash or a hang', async () => {
  const probes = await setupProbes({ talker: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  handshake(host);
  await host.waitFor(() => host.messages().some((message) => message.id === 0), 'the initialize reply');
  // Stop reading stdout: the next replies hit a closed pipe.
  host.child.stdout!.destroy();
  for (let id = 1; id <= 5; id++) host.send(call(id, 'big_talker', { bytes: 256 * 1024 }));
  const { code, signal } = await host.exited;
  expect(signal).toBeNull();
  expect(code).toBe(0);
  expect(probes.events()).toContain('talker:shutdown:transport-closed');
  expect(host.stderr()).toContain('shutting down (transport-closed)');
});

test("log lines reach the client as notifications/message honouring logging/setLevel; host.requestLogger(extra)'s go to the request's client, before its result", async () => {
  const probes = await setupProbes({ chatty: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  handshake(host);
  host.send(call(1, 'log_chatty', { level: 'info', message: 'info before setLevel' }));
  await host.waitFor(() => host.messages().some((message) => message.id === 1), 'the first reply');
  host.send({ jsonrpc: '2.0', id: 2, method: 'logging/setLevel', params: { level: 'warning' } });
  await host.waitFor(() => host.messages().some((message) => message.id === 2), 'setLevel');
  host.send(call(3, 'log_chatty', { level: 'info', message: 'info after setLevel' }));
  host.send(call(4, 'log_chatty', { level: 'error', message: 'error after setLevel' }));
  host.send(call(5, 'reqlog_chatty', { level: 'info', message: 'quiet request line' }));
  host.send(call(6, 'reqlog_chatty', { level: 'error', message: 'loud request line' }));
  await host.waitFor(() => host.messages().some((message) => message.id === 6), 'the last reply');
  host.child.stdin!.end();
  await host.exited;
  const messages = host.messages();
  const logs = messages.filter((message) => message.method === 'notifications/message' && message.params.logger === 'chatty');
  expect(logs.map((message) => `${message.params.level}:${message.params.data}`)).toEqual(['info:info before setLevel', 'error:error after setLevel', 'error:loud request line']);
  // The request's own line was sent before that request's result.
  expect(messages.indexOf(logs[2])).toBeLessThan(messages.findIndex((message) => message.id === 6));
  // stderr has all of them, at the config's level.
  for (const line of ['info after setLevel', 'quiet request line', 'loud request line']) expect(host.stderr()).toContain(line);
});

test('host.requestClient(extra) names the client and the capabilities it declared in initialize', async () => {
  // The session pool's own logic: in-process, over the in-memory transport (HTTP sessions: http-session-server).
  const probes = await setupProbes({ asker: {} });
  const { client } = await connectInProcess({ cwd: probes.dir, clientInfo: { name: 'stdio-client', version: '1.2.3' }, capabilities: { sampling: {}, roots: { listChanged: true } } });
  const result = (await client.callTool({ name: 'client_asker', arguments: {} })) as { content: { text: string }[] };
  const answer = JSON.parse(result.content[0]!.text);
  expect(answer).toMatchObject({ name: 'stdio-client', version: '1.2.3', capabilities: { sampling: {}, roots: { listChanged: true } } });
  expect(answer.capabilities.elicitation).toBeUndefined();
  // An object that is not a handler's extra is refused, naming the plugin and what to pass.
  expect(answer.misuse.code).toBe('MCPH_HOST_STATE');
  expect(answer.misuse.message).toMatch(/\[plugin asker\] requestClient\(extra\) needs the extra of a request/);
});
