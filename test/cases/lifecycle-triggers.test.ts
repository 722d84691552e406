import { expect, test } from 'vitest';
import { connectClient, handshake, setupProbes, spawnHost } from '../src/index.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

for (const signal of SIGNALS) {
  test(`${signal} runs every shutdown tap once, in order, and exits 0`, async () => {
    const probes = await setupProbes({ first: {}, second: {} });
    const host = spawnHost(['start'], { cwd: probes.dir });
    handshake(host);
    await host.waitFor(() => host.messages().some((message) => message.id === 0), 'the initialize reply');
    await host.waitFor(() => probes.events().includes('second:ready'), 'ready');
    host.child.kill(signal);
    const { code } = await host.exited;
    expect(code).toBe(0);
    expect(probes.events().filter((event) => event.includes('shutdown'))).toEqual([
      `first:shutdown:${signal}`,
      'first:shutdown-done',
      `second:shutdown:${signal}`,
      'second:shutdown-done',
    ]);
    expect(host.stderr()).toContain(`shutting down (${signal})`);
  });
}

test('the client closing stdin is a shutdown trigger (stdin-closed), and the real Client sees the process gone', async () => {
  const probes = await setupProbes({ only: {} });
  const { client, transport, pid } = await connectClient(['start'], { cwd: probes.dir });
  expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  const exited = new Promise<void>((resolve) => transport.onclose = () => resolve());
  // The SDK's close() ends stdin first and sends SIGTERM only two seconds later: the recorded reason shows
  // the host left on EOF, not on the signal.
  await client.close();
  await exited;
  expect(() => process.kill(pid, 0)).toThrow();
  expect(probes.events().filter((event) => event.startsWith('only:shutdown:'))).toEqual(['only:shutdown:stdin-closed']);
});

test('host.shutdown() from a plugin is a trigger (reason api), exit 0', async () => {
  const probes = await setupProbes({ only: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  handshake(host);
  host.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'stop_only', arguments: {} } });
  const { code } = await host.exited;
  expect(code).toBe(0);
  expect(probes.events()).toContain('only:shutdown:api');
  expect(host.messages().find((message) => message.id === 1)?.result.content[0].text).toBe('stopping');
});

for (const kind of ['exception', 'rejection'] as const) {
  test(`an uncaught ${kind} in a plugin is logged and shuts down with fatal-error, exit 1`, async () => {
    const probes = await setupProbes({ crashy: {}, other: {} });
    const host = spawnHost(['start'], { cwd: probes.dir });
    handshake(host);
    host.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'crash_crashy', arguments: { kind } } });
    const { code } = await host.exited;
    expect(code).toBe(1);
    expect(probes.events()).toEqual(expect.arrayContaining(['crashy:shutdown:fatal-error', 'other:shutdown:fatal-error', 'other:shutdown-done']));
    expect(host.stderr()).toContain(kind === 'exception' ? 'crashy crashed' : 'crashy rejected');
    expect(host.stderr()).toMatch(/fatal error \((uncaughtException|unhandledRejection)\)/);
    // No stack trace without --debug.
    expect(host.stderr()).not.toMatch(/\n\s+at /);
  });
}

test('shutdown runs once however many triggers fire', async () => {
  const probes = await setupProbes({ only: { shutdownDelayMs: 300 } });
  const host = spawnHost(['start'], { cwd: probes.dir });
  handshake(host);
  await host.waitFor(() => probes.events().includes('only:ready'), 'ready');
  host.child.kill('SIGTERM');
  await host.waitFor(() => probes.events().includes('only:shutdown:SIGTERM'), 'the shutdown tap to begin');
  host.child.stdin!.end();
  host.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'stop_only', arguments: {} } });
  const { code } = await host.exited;
  expect(code).toBe(0);
  expect(probes.events().filter((event) => event.startsWith('only:shutdown:'))).toEqual(['only:shutdown:SIGTERM']);
});

test('a second SIGINT during shutdown forces exit 130 and names the taps still pending', async () => {
  const probes = await setupProbes({ stuck: { shutdown: 'hang' }, after: {} }, { shutdown: { hookTimeoutMs: 10_000, timeoutMs: 20_000 } });
  const host = spawnHost(['start'], { cwd: probes.dir });
  handshake(host);
  await host.waitFor(() => probes.events().includes('after:ready'), 'ready');
  host.child.kill('SIGINT');
  await host.waitFor(() => probes.events().includes('stuck:shutdown:SIGINT'), 'the hanging tap to begin');
  host.child.kill('SIGINT');
  const { code } = await host.exited;
  expect(code).toBe(130);
  expect(host.stderr()).toMatch(/SIGINT again; forcing exit with taps still pending: stuck, after/);
  expect(probes.events()).not.toContain('after:shutdown:SIGINT');
});

test('SIGTERM after the client closed stdin does not cut the shutdown short', async () => {
  const probes = await setupProbes({ slow: { shutdownDelayMs: 400 } });
  const host = spawnHost(['start'], { cwd: probes.dir });
  handshake(host);
  await host.waitFor(() => probes.events().includes('slow:ready'), 'ready');
  host.child.stdin!.end();
  await host.waitFor(() => probes.events().includes('slow:shutdown:stdin-closed'), 'the tap to begin');
  host.child.kill('SIGTERM');
  const { code } = await host.exited;
  expect(code).toBe(0);
  expect(probes.events()).toContain('slow:shutdown-done');
});
