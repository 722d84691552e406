import { expect, test } from 'vitest';
import { freePort, startBackend, startHost, startSilentPeer, waitUntil } from './support.js';

test('connects during start, buffers what the backend sends, and closes with 1001 at shutdown', async () => {
  const backend = await startBackend({ onConnection: ({ socket }) => socket.send('hello') });
  const { manager, shutdown, stderr, assertNoLeaks } = await startHost({ connections: [{ name: 'logs', url: backend.url, protocol: 'json' }] });
  const logs = manager.require('logs');
  await waitUntil(() => logs.info().received === 1, 'the first message');
  backend.broadcast('{"type":"log","line":"started"}');
  backend.broadcast('{"broken');
  await waitUntil(() => logs.info().received === 3, 'three messages');

  const [hello, log, broken] = logs.messages();
  // "hello" is not JSON: kept whole.
  expect(hello).toMatchObject({ seq: 1, type: 'invalid-json', raw: 'hello' });
  expect(log).toMatchObject({ seq: 2, type: 'log', data: { type: 'log', line: 'started' } });
  expect(broken).toMatchObject({ seq: 3, type: 'invalid-json', raw: '{"broken' });
  expect(logs.info()).toMatchObject({ name: 'logs', state: 'open', reconnects: 0, buffered: 3 });
  expect(logs.info().connectedSince).toMatch(/^\d{4}-/);

  const report = await shutdown();
  expect(report.exitCode).toBe(0);
  expect(report.taps).toMatchObject([{ plugin: 'websocket-manager', outcome: 'ok' }]);
  expect(await backend.connections[0]!.closed).toEqual({ code: 1001, reason: 'host shutting down' });
  expect(logs.state).toBe('closed');
  expect(stderr()).toMatch(/logs: closed 1001 \(clean\)/);
  await assertNoLeaks();
});

test('a backend that is down at start is retried until it comes up', async () => {
  const port = await freePort();
  const { manager } = await startHost({
    connections: [{ name: 'late', url: `ws://127.0.0.1:${port}/`, reconnect: { initialDelayMs: 20, maxDelayMs: 100, jitter: 0 } }],
  });
  const late = manager.require('late');
  await waitUntil(() => late.info().reconnects >= 2 && late.state === 'backoff', 'two failed retries');
  expect(late.info().lastError).toMatch(/ECONNREFUSED/);
  expect(late.info().nextAttemptAt).toMatch(/^\d{4}-/);

  const backend = await startBackend({ port });
  await waitUntil(() => late.state === 'open', 'the connection to open once the backend is up');
  expect(backend.connections).toHaveLength(1);
  backend.broadcast('up');
  await waitUntil(() => late.info().received === 1, 'a message on the late connection');
  expect(late.messages()[0]).toMatchObject({ type: 'text', data: 'up' });
});

test('a backend that drops every connection is retried with growing delays', async () => {
  const backend = await startBackend({ onConnection: ({ socket }) => socket.close(1011, 'go away') });
  const { manager, stderr } = await startHost(
    { connections: [{ name: 'flaky', url: backend.url, reconnect: { initialDelayMs: 10, factor: 2, maxDelayMs: 1000, jitter: 0 } }] },
    { logging: { level: 'debug' } },
  );
  await waitUntil(() => backend.connections.length >= 4, 'four connections');
  const delays = [...stderr().matchAll(/flaky: retry (\d+) in (\d+) ms/g)].map((match) => [Number(match[1]), Number(match[2])]);
  expect(delays.slice(0, 3)).toEqual([
    [1, 10],
    [2, 20],
    [3, 40],
  ]);
  expect(manager.require('flaky').info().lastError).toBe('connection lost (1011 go away)');
});

test('reconnect.maxRetries: gives up after that many retries and says so', async () => {
  const port = await freePort();
  const { manager, call } = await startHost({
    connections: [{ name: 'gone', url: `ws://127.0.0.1:${port}/`, reconnect: { initialDelayMs: 5, maxRetries: 2, jitter: 0 } }],
  });
  const gone = manager.require('gone');
  await waitUntil(() => gone.state === 'failed', 'the connection to give up');
  expect(gone.info().reconnects).toBe(2);
  const sent = await call('ws_send', { connection: 'gone', data: 'x' });
  expect(sent.isError).toBe(true);
  expect(sent.text).toMatch(/gave up reconnecting/);
});

test('a silent peer is caught by the heartbeat, terminated and reconnected', async () => {
  const peer = await startSilentPeer();
  const { manager } = await startHost({
    connections: [{ name: 'silent', url: peer.url, closeTimeoutMs: 100, heartbeat: { intervalMs: 20, timeoutMs: 60 }, reconnect: { initialDelayMs: 10, jitter: 0 } }],
  });
  const silent = manager.require('silent');
  await waitUntil(() => peer.handshakes >= 2, 'a second handshake after the heartbeat gave up on the first');
  // The ping frames reached the peer; it never answered them.
  expect(peer.afterHandshake[0]).toBeGreaterThan(0);
  expect(silent.info().lastError).toMatch(/no pong within 60 ms/);
  expect(silent.info().reconnects).toBeGreaterThanOrEqual(1);
});

test('a peer that answers pings keeps its connection', async () => {
  let pings = 0;
  const backend = await startBackend({ onConnection: ({ socket }) => socket.on('ping', () => pings++) });
  const { manager } = await startHost({ connections: [{ name: 'alive', url: backend.url, heartbeat: { intervalMs: 10, timeoutMs: 1000 } }] });
  const alive = manager.require('alive');
  await waitUntil(() => alive.state === 'open', 'open');
  // 120 pings, each answered by the ws server: at 10 ms apart at the least, they span more than the 1000 ms pong
  // bound, so a bound armed once rather than per ping would have cut the connection. The bound is generous because
  // the backend shares this event loop: a stall on a loaded machine delays the pong and the timer alike.
  await waitUntil(() => pings >= 120, '120 answered pings', 15_000);
  expect(alive.state).toBe('open');
  expect(alive.info().reconnects).toBe(0);
  expect(backend.connections).toHaveLength(1);
});

test('a message over maxMessageBytes closes the connection (1009) and it reconnects', async () => {
  let sends = 0;
  const backend = await startBackend({ onConnection: ({ socket }) => socket.send(sends++ === 0 ? 'x'.repeat(2048) : 'small') });
  const { manager } = await startHost({ connections: [{ name: 'big', url: backend.url, maxMessageBytes: 1024, reconnect: { initialDelayMs: 10, jitter: 0 } }] });
  const big = manager.require('big');
  await waitUntil(() => big.info().received === 1, 'the small message after the reconnect');
  expect(big.messages().map((message) => message.data)).toEqual(['small']);
  expect(big.info().lastError).toMatch(/Max payload size exceeded/);
  expect(await backend.connections[0]!.closed).toMatchObject({ code: 1009 });
});
