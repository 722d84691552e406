import { createServer, type Socket } from 'node:net';
import { expect, onTestFinished, test } from 'vitest';
import { trackResources } from '@mcp-host/testing';
import { freePort, startBackend, startHost, startSilentPeer, waitUntil } from './support.js';

const PLUGIN = 'websocket-manager';
const isTimer = (resource: string) => resource === 'Timeout' || resource === 'Immediate';

test('after the shutdown tap the plugin holds no socket and no timer', async () => {
  const backend = await startBackend();
  const { manager, shutdown, leaks, assertNoLeaks } = await startHost({
    connections: [
      { name: 'a', url: backend.url, heartbeat: { intervalMs: 10, timeoutMs: 1000 } },
      { name: 'b', url: backend.url },
    ],
  });
  await waitUntil(() => manager.list().every((connection) => connection.state === 'open'), 'both connections open');
  // While open: each connection holds a socket at both ends (the backend is in this process too). The heartbeat
  // timers are unref'd: they never hold the process, so they are not counted.
  expect((await leaks.leaked(0)).filter((resource) => resource === 'TCPSocketWrap')).toHaveLength(4);

  const report = await shutdown();
  expect(report.exitCode).toBe(0);
  expect(report.taps.map(({ plugin, outcome }) => ({ plugin, outcome }))).toEqual([{ plugin: PLUGIN, outcome: 'ok' }]);
  expect(manager.list().map((connection) => connection.state)).toEqual(['closed', 'closed']);
  expect(manager.list().map((connection) => manager.require(connection.name).readyState)).toEqual([3, 3]);
  // No timer that holds the process survives the tap: not ws' close timer, not our bounds.
  expect((await leaks.leaked(0)).filter(isTimer)).toEqual([]);
  // The server's side of each socket goes once it has seen the close handshake; then nothing is left at all.
  const closes = await Promise.all(backend.connections.map((connection) => connection.closed));
  expect(closes).toEqual([
    { code: 1001, reason: 'host shutting down' },
    { code: 1001, reason: 'host shutting down' },
  ]);
  await assertNoLeaks(2000);
});

test('messages handed to send before shutdown are written before the close frame', async () => {
  let receivedAtClose = -1;
  const backend = await startBackend({
    onConnection: (connection) => connection.socket.on('close', () => (receivedAtClose = connection.received.length)),
  });
  // Bounds far above what writing 12.8 MB takes: this test is about order, and a loaded runner (the client masks
  // every byte) must not turn it into a race against the default 1.8 s shutdown deadline.
  const { manager, shutdown, assertNoLeaks } = await startHost({ connections: [{ name: 'out', url: backend.url, closeTimeoutMs: 20_000 }] }, { shutdown: { timeoutMs: 30_000 } });
  const out = manager.require('out');
  await waitUntil(() => out.state === 'open', 'open');
  const payload = 'x'.repeat(64 * 1024);
  const sends = Array.from({ length: 200 }, (_, index) => out.send(`${index}:${payload}`));
  // Shutdown at once: 12.8 MB are still queued in the socket.
  const report = await shutdown();
  await Promise.all(sends);
  expect(report.exitCode).toBe(0);
  expect(report.taps).toMatchObject([{ plugin: PLUGIN, outcome: 'ok' }]);
  expect(await backend.connections[0]!.closed).toEqual({ code: 1001, reason: 'host shutting down' });
  expect(receivedAtClose).toBe(200);
  expect(backend.connections[0]!.received.map((message) => Number(message.split(':')[0]))).toEqual(Array.from({ length: 200 }, (_, index) => index));
  await assertNoLeaks(2000);
});

test('a peer that never answers the close frame is terminated at closeTimeoutMs', async () => {
  const peer = await startSilentPeer();
  // maxAddedCloseTimeoutMs below closeTimeoutMs: nothing added could need more than the configured connection.
  const { manager, shutdown, stderr, leaks, assertNoLeaks } = await startHost({ connections: [{ name: 'mute', url: peer.url, closeTimeoutMs: 200, heartbeat: false }], maxAddedCloseTimeoutMs: 100 });
  await waitUntil(() => manager.require('mute').state === 'open', 'open');
  const report = await shutdown();
  expect(report.exitCode).toBe(0);
  // The tap asked for the time its connections need (closeTimeoutMs and a margin), and waited out closeTimeoutMs within it.
  expect(report.taps).toMatchObject([{ plugin: PLUGIN, outcome: 'ok', timeoutMs: 450 }]);
  expect(report.taps[0]!.durationMs).toBeGreaterThanOrEqual(190);
  expect(stderr()).toMatch(/mute: terminated after \d+ ms \(no answer to the close frame within closeTimeoutMs 200\)/);
  // The close frame reached the peer (bytes after the handshake); it just never answered.
  expect(peer.afterHandshake[0]).toBeGreaterThan(0);
  expect(manager.require('mute').state).toBe('closed');
  expect((await leaks.leaked(0)).filter(isTimer)).toEqual([]);
  await waitUntil(() => peer.ended === 1, 'the peer to see its connection end');
  await assertNoLeaks();
});

test("the tap's signal cuts the close short when the host's bound is shorter than closeTimeoutMs", async () => {
  const peer = await startSilentPeer();
  const { manager, shutdown, stderr, assertNoLeaks } = await startHost(
    { connections: [{ name: 'mute', url: peer.url, closeTimeoutMs: 5000, heartbeat: false }] },
    { shutdown: { timeoutMs: 300 } },
  );
  await waitUntil(() => manager.require('mute').state === 'open', 'open');
  const report = await shutdown();
  // shutdown.timeoutMs (300) is below closeTimeoutMs: the tap is cut at that deadline, its signal aborts, the socket is terminated.
  expect(report.exitCode).toBe(1);
  expect(report.taps).toMatchObject([{ plugin: PLUGIN, outcome: 'timed-out', error: expect.stringMatching(/cut at shutdown\.timeoutMs/) }]);
  expect(report.durationMs).toBeGreaterThanOrEqual(290);
  await waitUntil(() => /mute: terminated after \d+ ms \(the shutdown tap's time ran out\)/.test(stderr()), 'the terminate log line');
  await waitUntil(() => manager.require('mute').state === 'closed', 'closed');
  await waitUntil(() => peer.ended === 1, 'the peer to see its connection end');
  await assertNoLeaks();
});

test('shutdown during a reconnect backoff: the timer is cleared and no attempt follows', async () => {
  const backend = await startBackend({ onConnection: ({ socket }) => socket.terminate() });
  const { manager, shutdown, stderr, leaks, assertNoLeaks } = await startHost({ connections: [{ name: 'waiting', url: backend.url, reconnect: { initialDelayMs: 300, jitter: 0 } }] });
  const waiting = manager.require('waiting');
  await waitUntil(() => waiting.state === 'backoff', 'the backoff after the first drop');
  expect(backend.connections).toHaveLength(1);
  const due = Date.parse(waiting.info().nextAttemptAt!);
  const report = await shutdown();
  expect(report.exitCode).toBe(0);
  expect(report.taps).toMatchObject([{ plugin: PLUGIN, outcome: 'ok' }]);
  expect(waiting.state).toBe('closed');
  expect(stderr()).toMatch(/waiting: not connected \(backoff\); nothing to close/);
  expect((await leaks.leaked(0)).filter(isTimer)).toEqual([]);
  // Past the time the retry was due: had the timer survived, the second connection would have come by now.
  await waitUntil(() => Date.now() > due + 50, 'the retry to be overdue');
  expect(backend.connections).toHaveLength(1);
  await assertNoLeaks();
});

test('shutdown while a login is unanswered: the socket is up, so it gets the close frame, not a terminate', async () => {
  const backend = await startBackend();
  const { manager, shutdown, stderr, assertNoLeaks } = await startHost({ connections: [{ name: 'login', url: backend.url, protocol: 'magic-api' }] });
  await waitUntil(() => backend.connections[0]?.received.length === 1, 'the login');
  expect(manager.require('login').state).toBe('authenticating');
  const report = await shutdown();
  expect(report.taps).toMatchObject([{ plugin: PLUGIN, outcome: 'ok' }]);
  expect(await backend.connections[0]!.closed).toEqual({ code: 1001, reason: 'host shutting down' });
  expect(stderr()).toMatch(/login: closed 1001 \(clean\)/);
  expect(manager.require('login').state).toBe('closed');
  await assertNoLeaks(2000);
});

test('shutdown while a connection attempt hangs in the handshake abandons it', async () => {
  // Accepts TCP, never answers the HTTP upgrade. Half-open, so its side of the connection stays until the test
  // closes it, whatever the client does: the one socket that may be left below.
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const port = (server.address() as { port: number }).port;
  const { manager, shutdown, stderr, leaks, assertNoLeaks } = await startHost({ connections: [{ name: 'stuck', url: `ws://127.0.0.1:${port}/` }] });
  await waitUntil(() => sockets.size === 1, 'the TCP connection');
  expect(manager.require('stuck').state).toBe('connecting');
  const report = await shutdown();
  expect(report.taps).toMatchObject([{ plugin: PLUGIN, outcome: 'ok' }]);
  expect(manager.require('stuck').state).toBe('closed');
  expect(stderr()).toMatch(/stuck: connection attempt abandoned/);
  // The client's TCP socket and every timer are released by the time the tap returns, not a tick later: only the
  // test server's own accepted socket remains.
  expect(await leaks.leaked(0)).toEqual(['TCPSocketWrap']);
  for (const socket of sockets) socket.destroy();
  await assertNoLeaks();
});

test('required: true and the backend down: start fails naming the URL', async () => {
  const port = await freePort();
  const url = `ws://127.0.0.1:${port}/magic/web/console`;
  // The host is gone with the failed start: track on our own whether the shutdown that followed released everything.
  const check = trackResources();
  onTestFinished(() => check.stop());
  const failing = startHost({ connections: [{ name: 'magic', url, required: true }] });
  await expect(failing).rejects.toMatchObject({ code: 'MCPH_HOOK_FAILED', plugin: PLUGIN, hook: 'start' });
  await expect(failing).rejects.toThrow(url);
  await expect(failing).rejects.toThrow(/ECONNREFUSED/);
  await check.assertNone();
});

test('required: true and the backend up: start waits for the connection', async () => {
  const backend = await startBackend();
  const { manager } = await startHost({ connections: [{ name: 'needed', url: backend.url, required: true }] });
  // start() returned: the required connection is open already.
  expect(manager.require('needed').state).toBe('open');
});
