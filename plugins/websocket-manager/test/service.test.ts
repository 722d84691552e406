// The WS_MANAGER service as another plugin uses it: connections added at run time (from a start tap, with no
// connection of websocket-manager's own), and waitFor.
import { definePlugin, type PluginHost } from '@mcp-host/core';
import { expect, test } from 'vitest';
import { WS_MANAGER, isConnectionError, type ManagedConnection, type ConnectionHandle, type ConnectionOptionsInput, type MagicApiConnectionHandle, type WebSocketManagerService } from '../src/index.js';
import { startConsoleFixture } from './console-fixture.js';
import { freePort, startBackend, startHost, startSilentPeer, waitUntil } from './support.js';

const PLUGIN = 'websocket-manager';

/** Listeners on the connection now: every waitFor adds one while it waits. */
const subscribers = (handle: ConnectionHandle) => (handle as ManagedConnection).subscriberCount;
const isTimer = (resource: string) => resource === 'Timeout' || resource === 'Immediate';

/** A plugin that adds `connections` from its start tap (or from `apply`, before websocket-manager's start tap ran). */
function consumer(connections: ConnectionOptionsInput[], when: 'start' | 'apply' = 'start') {
  const added: ConnectionHandle[] = [];
  let service: WebSocketManagerService | undefined;
  const plugin = definePlugin({
    name: 'console-user',
    apply(host: PluginHost) {
      service = host.inject(WS_MANAGER);
      const add = () => {
        for (const options of connections) added.push(service!.add(options));
      };
      if (when === 'apply') add();
      else host.hooks.start.tapPromise('console-user', async () => add());
    },
  });
  return { plugin, added, service: () => service! };
}

test('with no connection configured, a plugin adds one from its start tap; it works like a configured one and closes at shutdown', async () => {
  const fixture = await startConsoleFixture();
  const user = consumer([{ name: 'console', url: fixture.url, protocol: 'magic-api' }]);
  const { manager, call, shutdown, stderr, leaks, assertNoLeaks } = await startHost({}, undefined, [user.plugin]);
  const handle = user.added[0]! as MagicApiConnectionHandle;
  expect(manager.names()).toEqual(['console']);
  expect(manager.require('console')).toBe(handle);
  await handle.waitForOpen({ timeoutMs: 10_000 });
  expect(handle.console.login.status).toBe('ok');
  // The tools see it; as the only connection it may be left out.
  const listed = await call('ws_connections');
  expect(listed.json.connections).toMatchObject([{ name: 'console', protocol: 'magic-api', state: 'open', console: { login: 'ok', clientId: handle.console.clientId } }]);
  fixture.log(handle.console.clientId!, ['from the added connection']);
  await waitUntil(() => handle.info().received === 3, 'the log line');
  expect((await call('ws_messages', { type: 'LOG' })).json.messages).toMatchObject([{ type: 'LOG', data: { lines: ['from the added connection'] } }]);

  const report = await shutdown();
  expect(report.exitCode).toBe(0);
  expect(report.taps.map(({ plugin, outcome }) => ({ plugin, outcome }))).toEqual([{ plugin: PLUGIN, outcome: 'ok' }]);
  expect(await fixture.sockets[0]!.closed).toEqual({ code: 1001, reason: 'host shutting down' });
  expect(handle.state).toBe('closed');
  expect(stderr()).toMatch(/console: closed 1001 \(clean\)/);
  expect((await leaks.leaked(0)).filter(isTimer)).toEqual([]);
  await assertNoLeaks(2000);
});

test("a consumer's shutdown tap placed before websocket-manager's can still send on its console; the close frame follows", async () => {
  const fixture = await startConsoleFixture();
  let handle: ConnectionHandle | undefined;
  const plugin = definePlugin({
    name: 'console-user',
    apply(host: PluginHost) {
      const ws = host.inject(WS_MANAGER);
      host.hooks.start.tapPromise('console-user', async () => {
        handle = ws.add({ name: 'console', url: fixture.url, protocol: 'magic-api' });
      });
      // Resuming a paused run, say: it needs the console, so it runs before websocket-manager closes it.
      host.hooks.shutdown.tapPromise({ name: 'console-user', before: PLUGIN }, async () => {
        await handle!.send('resume_breakpoint,script-1,0,', { timeoutMs: 500 });
      });
    },
  });
  const { shutdown } = await startHost({}, undefined, [plugin]);
  await handle!.waitForOpen({ timeoutMs: 10_000 });
  const report = await shutdown();
  expect(report.taps.map(({ plugin: name, outcome }) => [name, outcome])).toEqual([
    ['console-user', 'ok'],
    [PLUGIN, 'ok'],
  ]);
  expect(fixture.sockets[0]!.received.at(-1)).toBe('resume_breakpoint,script-1,0,');
  expect(await fixture.sockets[0]!.closed).toEqual({ code: 1001, reason: 'host shutting down' });
});

test('an added connection whose peer never answers the close frame is terminated at its closeTimeoutMs, within the reserved bound', async () => {
  const peer = await startSilentPeer();
  const user = consumer([{ name: 'mute', url: peer.url, closeTimeoutMs: 200, heartbeat: false }]);
  const { shutdown, stderr, leaks, assertNoLeaks } = await startHost({ maxAddedCloseTimeoutMs: 300 }, undefined, [user.plugin]);
  await user.added[0]!.waitForOpen({ timeoutMs: 10_000 });
  const report = await shutdown();
  // The tap reserved maxAddedCloseTimeoutMs and the margin, since nothing configured needs more.
  expect(report.taps).toMatchObject([{ plugin: PLUGIN, outcome: 'ok', timeoutMs: 550 }]);
  expect(stderr()).toMatch(/mute: terminated after \d+ ms \(no answer to the close frame within closeTimeoutMs 200\)/);
  expect(peer.afterHandshake[0]).toBeGreaterThan(0);
  expect((await leaks.leaked(0)).filter(isTimer)).toEqual([]);
  await waitUntil(() => peer.ended === 1, 'the peer to see its connection end');
  await assertNoLeaks();
});

test('added before the start tap ran (from apply), it connects in it; required and down, it fails startup', async () => {
  const backend = await startBackend();
  const early = consumer([{ name: 'early', url: backend.url }], 'apply');
  const { manager } = await startHost({}, undefined, [early.plugin]);
  await waitUntil(() => manager.require('early').state === 'open', 'open');
  expect(backend.connections).toHaveLength(1);

  const url = `ws://127.0.0.1:${await freePort()}/`;
  const failing = startHost({}, undefined, [consumer([{ name: 'needed', url, required: true }], 'apply').plugin]);
  await expect(failing).rejects.toMatchObject({ code: 'MCPH_HOOK_FAILED', plugin: PLUGIN, hook: 'start' });
  await expect(failing).rejects.toThrow(url);
});

test('add() refuses what a config would refuse, a name in use, a close bound the tap cannot give, and anything once shutdown began', async () => {
  const backend = await startBackend();
  const { manager, shutdown } = await startHost({ connections: [{ name: 'configured', url: backend.url }] });
  await manager.require('configured').waitForOpen({ timeoutMs: 10_000 });
  const refusal = (options: unknown) => {
    try {
      manager.add(options as ConnectionOptionsInput);
    } catch (error) {
      expect(isConnectionError(error)).toBe(true);
      return error as { code: string; message: string };
    }
    throw new Error('add() did not throw');
  };
  expect(refusal({ name: 'bad', url: 'http://127.0.0.1:1/', bufferSize: 0 })).toMatchObject({
    code: 'WSM_INVALID_OPTIONS',
    message: expect.stringMatching(/cannot add connection "bad": url: expected a ws: or wss: URL, got "http:\/\/127\.0\.0\.1:1\/"; bufferSize: /),
  });
  expect(refusal({ name: 'creds', url: backend.url, protocol: 'magic-api', auth: { username: 'admin' } }).message).toMatch(/auth: auth takes only "token"/);
  expect(refusal({ name: 'nested', url: backend.url, reconnect: { factor: 0 } }).message).toMatch(/reconnect\.factor: /);
  expect(refusal(null)).toMatchObject({ code: 'WSM_INVALID_OPTIONS', message: expect.stringMatching(/cannot add connection \(unnamed\)/) });
  expect(refusal({ name: 'configured', url: backend.url })).toMatchObject({ code: 'WSM_INVALID_OPTIONS', message: expect.stringMatching(/exists already/) });
  expect(refusal({ name: 'slow', url: backend.url, closeTimeoutMs: 5000 })).toMatchObject({ code: 'WSM_INVALID_OPTIONS', message: expect.stringMatching(/above maxAddedCloseTimeoutMs 1000/) });
  expect(manager.names()).toEqual(['configured']);
  await shutdown();
  expect(refusal({ name: 'late', url: backend.url })).toMatchObject({ code: 'WSM_CLOSED' });
  expect(backend.connections).toHaveLength(1);
});

test('waitFor: resolves with the matching messages, from the buffer (afterSeq) and as they arrive, and leaves nothing behind', async () => {
  const backend = await startBackend();
  const { manager, leaks } = await startHost({ connections: [{ name: 'feed', url: backend.url }] });
  const feed = manager.require('feed');
  await feed.waitForOpen({ timeoutMs: 10_000 });
  backend.broadcast('a1');
  backend.broadcast('b1');
  await waitUntil(() => feed.info().received === 2, 'two messages');
  const mark = 1; // after a1
  const waiting = manager.waitFor('feed', (message) => String(message.data).startsWith('b'), { count: 3, afterSeq: mark, timeoutMs: 10_000 });
  expect(subscribers(feed)).toBe(1);
  backend.broadcast('a2');
  backend.broadcast('b2');
  backend.broadcast('b3');
  backend.broadcast('b4');
  const matched = await waiting;
  expect(matched.map((message) => [message.seq, message.data])).toEqual([
    [2, 'b1'],
    [4, 'b2'],
    [5, 'b3'],
  ]);
  expect(subscribers(feed)).toBe(0);
  // Satisfied from the buffer alone: no listener at all.
  expect((await feed.waitFor((message) => message.data === 'a1', { afterSeq: 0, timeoutMs: 10_000 })).map((message) => message.seq)).toEqual([1]);
  expect(subscribers(feed)).toBe(0);
  expect((await leaks.leaked(0)).filter(isTimer)).toEqual([]);
});

test('waitFor: times out and aborts with the partial matches, rejects what it cannot do, and leaves nothing behind', async () => {
  const backend = await startBackend();
  const { manager, leaks } = await startHost({ connections: [{ name: 'feed', url: backend.url }] });
  const feed = manager.require('feed');
  await feed.waitForOpen({ timeoutMs: 10_000 });

  // The one match is in the buffer before the wait begins, so the bound cannot beat it on a loaded machine.
  backend.broadcast('x');
  await waitUntil(() => feed.info().received === 1, 'the message');
  const timingOut = feed.waitFor((message) => message.data === 'x', { count: 2, afterSeq: 0, timeoutMs: 150 });
  await expect(timingOut).rejects.toMatchObject({ code: 'WSM_TIMEOUT', connection: 'feed', messages: [{ data: 'x' }], message: expect.stringMatching(/waited 150 ms .*1 of 2/) });
  expect(subscribers(feed)).toBe(0);

  const controller = new AbortController();
  const aborted = feed.waitFor(() => false, { timeoutMs: 60_000, signal: controller.signal });
  controller.abort(new Error('caller gave up'));
  await expect(aborted).rejects.toMatchObject({ code: 'WSM_ABORTED', cause: expect.objectContaining({ message: 'caller gave up' }), messages: [] });
  await expect(feed.waitFor(() => true, { timeoutMs: 60_000, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'WSM_ABORTED' });

  const boom = new Error('predicate failed');
  const throwing = feed.waitFor(() => {
    throw boom;
  }, { timeoutMs: 60_000 });
  backend.broadcast('y');
  await expect(throwing).rejects.toBe(boom);

  await expect(manager.waitFor('nope', () => true, { timeoutMs: 10 })).rejects.toMatchObject({ code: 'WSM_UNKNOWN_CONNECTION' });
  for (const options of [{ timeoutMs: -1 }, { timeoutMs: Number.NaN }, { timeoutMs: 10, count: 0 }, { timeoutMs: 10, afterSeq: 1.5 }, {}]) {
    await expect(feed.waitFor(() => true, options as { timeoutMs: number })).rejects.toThrow(TypeError);
  }
  expect(subscribers(feed)).toBe(0);
  // Nothing of the long (60 s) waits is left: their timers were cleared when they ended.
  expect((await leaks.leaked(0)).filter(isTimer)).toEqual([]);
});

test('waitFor: shutdown ends a wait at once with WSM_CLOSED, and a closed connection refuses new waits', async () => {
  const backend = await startBackend();
  const { manager, shutdown, assertNoLeaks } = await startHost({ connections: [{ name: 'feed', url: backend.url }] });
  const feed = manager.require('feed');
  await feed.waitForOpen({ timeoutMs: 10_000 });
  const waiting = feed.waitFor(() => false, { timeoutMs: 60_000 });
  await shutdown();
  await expect(waiting).rejects.toMatchObject({ code: 'WSM_CLOSED', message: expect.stringMatching(/is closed: the host is shutting down/) });
  await expect(feed.waitFor(() => true, { timeoutMs: 60_000 })).rejects.toMatchObject({ code: 'WSM_CLOSED' });
  expect(subscribers(feed)).toBe(0);
  await assertNoLeaks(2000);
});
