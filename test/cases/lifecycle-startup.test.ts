import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { waitUntil } from '@mcp-host/testing';
import { expect, onTestFinished, test } from 'vitest';
import { linkCore, setupProbes, spawnHost, writeFiles } from '../src/index.js';

test('a plugin whose apply throws stops startup: exit 1 naming it, and the taps already registered run', async () => {
  const probes = await setupProbes({ fine: {}, broken: { apply: 'throw' }, never: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  const { code } = await host.exited;
  expect(code).toBe(1);
  expect(host.stderr()).toMatch(/\[plugin broken\] apply: broken apply exploded/);
  expect(probes.events()).toEqual(['fine:apply', 'broken:apply', 'fine:shutdown:fatal-error', 'fine:shutdown-done']);
  expect(host.stdout()).toBe('');
  expect(host.stderr()).not.toMatch(/\n\s+at /);
});

test('a start tap that throws stops startup; the shutdown taps of what was set up run; exit 1 naming the plugin', async () => {
  const probes = await setupProbes({ first: {}, failing: { start: 'throw' }, later: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  const { code } = await host.exited;
  expect(code).toBe(1);
  expect(host.stderr()).toMatch(/\[plugin failing\] hook start: failing start exploded/);
  const events = probes.events();
  // `later` never started; every registered shutdown tap still ran, in order.
  expect(events).not.toContain('later:start');
  expect(events.filter((event) => event.includes(':shutdown:'))).toEqual(['first:shutdown:fatal-error', 'failing:shutdown:fatal-error', 'later:shutdown:fatal-error']);
});

test('--debug adds the stack trace to a startup failure', async () => {
  const probes = await setupProbes({ failing: { start: 'throw' } });
  const host = spawnHost(['start', '--debug'], { cwd: probes.dir });
  const { code } = await host.exited;
  expect(code).toBe(1);
  expect(host.stderr()).toMatch(/\n\s+at /);
});

test('a signal during startup aborts the start tap through ctx.signal, skips the later start taps and shuts down', async () => {
  const probes = await setupProbes({ connecting: { start: 'abortable' }, later: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  await host.waitFor(() => probes.events().includes('connecting:start'), 'the start tap to begin');
  host.child.kill('SIGTERM');
  const { code } = await host.exited;
  expect(code).toBe(0);
  const events = probes.events();
  expect(events).toContain('connecting:start-aborted');
  expect(events).not.toContain('later:start');
  expect(events.filter((event) => event.includes(':shutdown:'))).toEqual(['connecting:shutdown:SIGTERM', 'later:shutdown:SIGTERM']);
});

test('the client closing stdin during startup is noticed, even before the transport is connected', async () => {
  const probes = await setupProbes({ connecting: { start: 'abortable' } });
  const host = spawnHost(['start'], { cwd: probes.dir });
  await host.waitFor(() => probes.events().includes('connecting:start'), 'the start tap to begin');
  host.child.stdin!.end();
  const { code } = await host.exited;
  expect(code).toBe(0);
  expect(probes.events()).toEqual(expect.arrayContaining(['connecting:start-aborted', 'connecting:shutdown:stdin-closed']));
});

test('embedding: createHost({ config }).run() in a user script has the CLI lifecycle and exit codes', async () => {
  const probes = await setupProbes({ embedded: {} });
  const script = path.join(probes.dir, 'serve.mjs');
  await writeFiles(probes.dir, {
    'serve.mjs': `import { createHost } from '@mcp-host/core/host';\nawait createHost({ config: process.argv[2] }).run();\n`,
  });
  // The user's project depends on @mcp-host/core.
  await linkCore(probes.dir);

  for (const [trigger, expected] of [['stdin', 'stdin-closed'], ['SIGTERM', 'SIGTERM']] as const) {
    const child = spawn(process.execPath, [script, probes.config], { cwd: probes.dir, stdio: ['pipe', 'pipe', 'pipe'] });
    onTestFinished(() => void child.kill('SIGKILL'));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'embed', version: '0' } } })}\n`);
    await waitUntil(() => out.includes('"id":1'), 'the initialize reply', 10_000);
    if (trigger === 'stdin') child.stdin.end();
    else child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(JSON.parse(out.split('\n')[0]!).result.serverInfo.name).toBe('mcp-host');
    expect(probes.events()).toContain(`embedded:shutdown:${expected}`);
  }
});
