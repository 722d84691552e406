import { expect, test } from 'vitest';
import { parseMagicApiMessage } from '../src/index.js';
import { startBackend, startHost, waitUntil } from './support.js';

test('magic-api: logs in on open with a stable client id, sends the auth headers, answers ping with pong', async () => {
  const backend = await startBackend({ path: '/magic/web/console' });
  const { manager } = await startHost({
    connections: [
      {
        name: 'magic',
        url: backend.url,
        protocol: 'magic-api',
        auth: { token: 'tok-1', username: 'admin', password: 'secret' },
        headers: { 'X-Extra': '1' },
        reconnect: { initialDelayMs: 10, jitter: 0 },
      },
    ],
  });
  await waitUntil(() => backend.connections[0]?.received.length === 1, 'the login message');
  const first = backend.connections[0]!;
  const login = /^login,tok-1,([0-9a-f]{16})$/.exec(first.received[0]!);
  expect(login, first.received[0]).not.toBeNull();
  expect(first.headers).toMatchObject({ 'magic-token': 'tok-1', 'magic-username': 'admin', 'magic-password': 'secret', 'x-extra': '1' });

  first.socket.send('ping');
  await waitUntil(() => first.received.includes('pong'), 'pong');
  // The ping is protocol chatter: answered, not buffered.
  expect(manager.require('magic').info().received).toBe(0);

  // Dropped: the reconnect logs in again with the same client id.
  first.socket.terminate();
  await waitUntil(() => backend.connections[1]?.received.length === 1, 'the second login');
  expect(backend.connections[1]!.received[0]).toBe(`login,tok-1,${login![1]}`);
});

test('magic-api: without credentials the login says "unauthorization"', async () => {
  const backend = await startBackend();
  await startHost({ connections: [{ name: 'guest', url: backend.url, protocol: 'magic-api' }] });
  await waitUntil(() => backend.connections[0]?.received.length === 1, 'the login message');
  expect(backend.connections[0]!.received[0]).toMatch(/^login,unauthorization,[0-9a-f]{16}$/);
  expect(backend.connections[0]!.headers['magic-token']).toBeUndefined();
});

test('magic-api: a username logs in when there is no token', async () => {
  const backend = await startBackend();
  await startHost({ connections: [{ name: 'user', url: backend.url, protocol: 'magic-api', auth: { username: 'ops' } }] });
  await waitUntil(() => backend.connections[0]?.received.length === 1, 'the login message');
  expect(backend.connections[0]!.received[0]).toMatch(/^login,ops,[0-9a-f]{16}$/);
});

test('magic-api: console messages are parsed into { type, payload } and can be filtered by type', async () => {
  const backend = await startBackend({
    onConnection: ({ socket }) => {
      for (const line of [
        'login_response,1,{"id":"guest","username":"guest","ip":"127.0.0.1"}',
        'log,[INFO] started in 3 s',
        'logs,["line one","line two"]',
        'breakpoint,script-7,{"range":[5,1,5,10],"variables":[]}',
        'exception,{"message":"boom"}',
        'online_users,[{"username":"guest"}]',
        'set_file_id,abc123',
        'something_new,payload',
      ]) {
        socket.send(line);
      }
    },
  });
  const { manager } = await startHost({ connections: [{ name: 'magic', url: backend.url, protocol: 'magic-api' }] });
  await waitUntil(() => manager.require('magic').info().received === 8, 'eight messages');
  const messages = manager.messages('magic').map(({ type, data, raw }) => ({ type, data, raw }));
  expect(messages).toEqual([
    { type: 'LOGIN_RESPONSE', data: { status: 1, user: { id: 'guest', username: 'guest', ip: '127.0.0.1' } }, raw: undefined },
    { type: 'LOG', data: '[INFO] started in 3 s', raw: undefined },
    { type: 'LOGS', data: ['line one', 'line two'], raw: undefined },
    { type: 'BREAKPOINT', data: { scriptId: 'script-7', range: [5, 1, 5, 10], variables: [] }, raw: undefined },
    { type: 'EXCEPTION', data: { message: 'boom' }, raw: undefined },
    { type: 'ONLINE_USERS', data: [{ username: 'guest' }], raw: undefined },
    { type: 'SET_FILE_ID', data: 'abc123', raw: undefined },
    { type: 'UNKNOWN', data: undefined, raw: 'something_new,payload' },
  ]);
  expect(manager.messages('magic', { type: 'log' }).map((message) => message.data)).toEqual(['[INFO] started in 3 s']);
  expect(manager.messages('magic', { type: 'UNKNOWN' })).toHaveLength(1);
});

test('magic-api parsing: edge cases', () => {
  expect(parseMagicApiMessage('login_response,0')).toEqual({ type: 'LOGIN_RESPONSE', data: { status: 0 } });
  expect(parseMagicApiMessage('login_response,-1')).toEqual({ type: 'LOGIN_RESPONSE', data: { status: -1 } });
  expect(parseMagicApiMessage('log')).toEqual({ type: 'LOG', data: undefined });
  // A payload with commas stays whole; JSON-looking text that is not JSON stays a string.
  expect(parseMagicApiMessage('log,a,b,c')).toEqual({ type: 'LOG', data: 'a,b,c' });
  expect(parseMagicApiMessage('log,[not json')).toEqual({ type: 'LOG', data: '[not json' });
  expect(parseMagicApiMessage('breakpoint,s1')).toEqual({ type: 'BREAKPOINT', data: { scriptId: 's1' } });
  expect(parseMagicApiMessage('breakpoint,s1,[1,2]')).toEqual({ type: 'BREAKPOINT', data: { scriptId: 's1', detail: [1, 2] } });
  expect(parseMagicApiMessage('')).toEqual({ type: 'UNKNOWN', data: undefined, raw: '' });
  expect(parseMagicApiMessage('LOG,upper')).toEqual({ type: 'LOG', data: 'upper' });
});

test('magic-api: every heartbeat also sends a text ping, and the console\'s pong is not buffered', async () => {
  const backend = await startBackend({
    onConnection: (connection) => connection.socket.on('message', (data) => data.toString() === 'ping' && connection.socket.send(`pong,${Date.now()}`)),
  });
  const { manager } = await startHost({ connections: [{ name: 'magic', url: backend.url, protocol: 'magic-api', heartbeat: { intervalMs: 10, timeoutMs: 1000 } }] });
  await waitUntil(() => (backend.connections[0]?.received.filter((message) => message === 'ping').length ?? 0) >= 3, 'three keep-alive pings');
  expect(manager.require('magic').info().received).toBe(0);
});
