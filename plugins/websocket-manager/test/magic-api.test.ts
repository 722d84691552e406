// The magic-api protocol against a console that behaves as Magic-API's does (test/console-fixture.ts, written from
// MagicWorkbenchHandler.java, WebSocketSessionManager.java, MagicWebSocketDispatcher.java at v2.2.2), and against
// plain ws servers for what a real console never does (no answer, a broken answer).
import { connect as netConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { expect, onTestFinished, test } from 'vitest';
import WebSocket from 'ws';
import { ManagedConnection, MAX_LOGINS_PER_SOCKET, connectionOptions, createMagicApiProtocol, type ConnectionOptionsInput, type MagicApiBufferedMessage } from '../src/index.js';
import { GUEST, startConsoleFixture, type ConsoleFixture, type ConsoleSession } from './console-fixture.js';
import { recordingLogger, startBackend, startHost, waitUntil } from './support.js';

const LOGIN = /^login,([^,]*),([0-9a-f]{16})$/;

/** The logins a console socket received, in order. */
function loginsOf(session: ConsoleSession | undefined): { token: string; clientId: string }[] {
  return (session?.received ?? []).flatMap((text) => {
    const match = LOGIN.exec(text);
    return match ? [{ token: match[1]!, clientId: match[2]! }] : [];
  });
}

const fast = { reconnect: { initialDelayMs: 10, jitter: 0 } } as const;

/** Another editor on the same console: a raw ws client that logs in as the web editor does. */
async function otherEditor(fixture: ConsoleFixture, clientId: string): Promise<WebSocket> {
  const socket = new WebSocket(fixture.url);
  socket.on('error', () => {});
  onTestFinished(() => socket.terminate());
  await new Promise((resolve) => socket.once('open', resolve));
  const answered = new Promise((resolve) => socket.once('message', resolve));
  socket.send(`login,${GUEST.token},${clientId}`);
  await answered;
  return socket;
}

/** A connection made directly (no host), with its own client ids: for what a random id never meets. */
function directConnection(options: ConnectionOptionsInput, ids: () => string): ManagedConnection {
  const resolved = connectionOptions.parse(options);
  const logger = recordingLogger();
  const connection = new ManagedConnection(resolved, logger, createMagicApiProtocol(resolved.name, resolved.auth, ids));
  onTestFinished(() => connection.close().then(() => undefined));
  void connection.start();
  return connection;
}

test('a fresh 16-hex client id for every socket; open only once the console accepted the login, as that user', async () => {
  const fixture = await startConsoleFixture({ requireLogin: true, users: [{ id: 'u1', username: 'ops', token: 'tok-1', timeoutSeconds: -1 }] });
  const { manager } = await startHost({ connections: [{ name: 'magic', url: fixture.url, protocol: 'magic-api', auth: { token: 'tok-1' }, ...fast }] });
  const magic = manager.require('magic');
  await waitUntil(() => magic.state === 'open', 'the login to be accepted');
  const [first] = loginsOf(fixture.sockets[0]);
  expect(first).toMatchObject({ token: 'tok-1' });
  expect(magic.console!.login).toMatchObject({ status: 'ok', clientId: first!.clientId, user: { cid: first!.clientId, id: 'u1', username: 'ops', ip: '127.0.0.1' } });
  expect(magic.console!.clientId).toBe(first!.clientId);
  expect(magic.info().console).toEqual({ clientId: first!.clientId, login: 'ok', username: 'ops' });
  // The console reads no handshake credentials: the token goes in the login only.
  expect(Object.keys(fixture.sockets[0]!.headers).filter((name) => name.startsWith('magic-'))).toEqual([]);

  // The server drops the socket: the next one logs in with a new id and the same token.
  fixture.sockets[0]!.socket.terminate();
  await waitUntil(() => magic.state === 'open' && fixture.sockets.length === 2, 'the second socket to log in');
  const [second] = loginsOf(fixture.sockets[1]);
  expect(second!.token).toBe('tok-1');
  expect(second!.clientId).not.toBe(first!.clientId);
  expect(magic.console!.clientId).toBe(second!.clientId);
  expect(fixture.registered.has(second!.clientId)).toBe(true);
});

test('until the console answers the login the socket is up but not open: sends wait for the answer', async () => {
  const backend = await startBackend();
  const { manager, call } = await startHost({ connections: [{ name: 'magic', url: backend.url, protocol: 'magic-api' }] });
  const magic = manager.require('magic');
  await waitUntil(() => backend.connections[0]?.received.length === 1, 'the login');
  expect(magic.state).toBe('authenticating');
  expect(magic.readyState).toBe(WebSocket.OPEN);
  expect(magic.console!.login).toEqual({ status: 'pending' });
  const early = await call('ws_send', { connection: 'magic', data: 'set_file_id,1', timeoutMs: 50 });
  expect(early.isError).toBe(true);
  expect(early.text).toMatch(/is not open \(authenticating/);
  const pending = magic.send('set_file_id,2', { timeoutMs: 10_000 });
  const clientId = LOGIN.exec(backend.connections[0]!.received[0]!)![2]!;
  backend.connections[0]!.socket.send(`login_response,1,${JSON.stringify({ cid: clientId, id: 'guest', ip: '127.0.0.1', username: GUEST.username })}`);
  await pending;
  expect(magic.state).toBe('open');
  await waitUntil(() => backend.connections[0]!.received.length === 2, 'the send');
  // set_file_id,1 was never written: its wait ended before the login was answered.
  expect(backend.connections[0]!.received).toEqual([`login,unauthorization,${clientId}`, 'set_file_id,2']);
});

test('without a token the login says "unauthorization", which a console that needs no login takes as its guest', async () => {
  const fixture = await startConsoleFixture();
  const { manager } = await startHost({ connections: [{ name: 'guest', url: fixture.url, protocol: 'magic-api', auth: { token: '' } }] });
  const guest = manager.require('guest');
  await waitUntil(() => guest.state === 'open', 'open');
  expect(loginsOf(fixture.sockets[0])).toMatchObject([{ token: 'unauthorization' }]);
  expect(guest.console!.login).toMatchObject({ status: 'ok', user: { id: 'guest', username: GUEST.username } });
  expect(guest.console!.token).toBeUndefined();
});

test('after a half-open drop the new socket logs in with a new id while the console still holds the old session', async () => {
  const fixture = await startConsoleFixture();
  // A TCP relay whose links can go silent both ways without closing: a network path that died. The console never
  // learns that the old socket is gone, as with a real half-open connection.
  const links: { client: Socket; upstream: Socket; isSilent: boolean }[] = [];
  const relay = createServer((client) => {
    const upstream = netConnect(Number(new URL(fixture.url).port), '127.0.0.1');
    const link = { client, upstream, isSilent: false };
    links.push(link);
    client.on('data', (chunk) => link.isSilent || upstream.write(chunk));
    upstream.on('data', (chunk) => link.isSilent || client.write(chunk));
    client.on('close', () => link.isSilent || upstream.destroy());
    upstream.on('close', () => link.isSilent || client.destroy());
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    for (const { client, upstream } of links) client.destroy(), upstream.destroy();
    relay.close();
  });
  const url = `ws://127.0.0.1:${(relay.address() as AddressInfo).port}/magic/web/console`;
  const { manager } = await startHost({ connections: [{ name: 'magic', url, protocol: 'magic-api', heartbeat: { intervalMs: 50, timeoutMs: 1000 }, ...fast }] });
  const magic = manager.require('magic');
  await waitUntil(() => magic.state === 'open', 'the first login');
  const firstId = magic.console!.clientId!;
  for (const link of links) link.isSilent = true;

  await waitUntil(() => fixture.sockets.length === 2 && magic.state === 'open', 'a second socket to log in');
  expect(magic.info().lastError).toMatch(/no pong within 1000 ms/);
  const secondId = magic.console!.clientId!;
  expect(secondId).not.toBe(firstId);
  // The console still holds the dead session under the old id; the new id was free, so the login was accepted.
  expect(fixture.sockets[0]!.socket.readyState).toBe(WebSocket.OPEN);
  expect([...fixture.registered.keys()].sort()).toEqual([firstId, secondId].sort());
});

test('login_response,0: state refused, one warning naming the connection, no reconnect until a new token', async () => {
  const fixture = await startConsoleFixture({ requireLogin: true, users: [{ id: 'u1', username: 'ops', token: 'good', timeoutSeconds: -1 }] });
  const { manager, stderr, call } = await startHost({
    connections: [{ name: 'magic', url: fixture.url, protocol: 'magic-api', auth: { token: 'stale' }, reconnect: { initialDelayMs: 10, maxDelayMs: 60_000, jitter: 0 } }],
  });
  const magic = manager.require('magic');
  const logins: string[] = [];
  magic.console!.onLoginChange((login) => logins.push(login.status));
  await waitUntil(() => magic.state === 'refused', 'the refusal');
  const login = magic.console!.login;
  expect(login).toMatchObject({ status: 'refused' });
  expect(magic.info().lastError).toMatch(/refused the login with its token \(login_response,0\)/);
  // We close the refused socket (the server leaves it open but useless).
  expect(await fixture.sockets[0]!.closed).toEqual({ code: 1000, reason: 'login failed' });
  await waitUntil(() => /\[websocket-manager\] warning: magic: the console refused the login/.test(stderr()), 'the warning');
  // The next try is the backoff's maximum away from the refusal, not a retry loop.
  expect(Date.parse(magic.info().nextAttemptAt!)).toBeGreaterThanOrEqual((login as { at: number }).at + 60_000);
  expect(fixture.sockets).toHaveLength(1);
  await expect(magic.waitForOpen({ timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'WSM_LOGIN_REFUSED' });
  const sent = await call('ws_send', { connection: 'magic', data: 'set_file_id,1', timeoutMs: 10_000 });
  expect(sent.isError).toBe(true);
  expect(sent.text).toMatch(/needs a new token/);

  // The HTTP side logged in again: the new token is used at once.
  magic.console!.setToken('good');
  expect(magic.console!.token).toBe('good');
  await magic.waitForOpen({ timeoutMs: 10_000 });
  expect(loginsOf(fixture.sockets[1])).toMatchObject([{ token: 'good' }]);
  expect(logins).toEqual(['refused', 'pending', 'ok']);
  expect(stderr().match(/refused the login/g)).toHaveLength(1);
});

test('a console that keeps refusing is retried once per reconnect.maxDelayMs, counted: no storm', async () => {
  const fixture = await startConsoleFixture({ requireLogin: true });
  const { manager, stderr } = await startHost(
    { connections: [{ name: 'magic', url: fixture.url, protocol: 'magic-api', auth: { token: 'never' }, reconnect: { initialDelayMs: 1, maxDelayMs: 150, jitter: 0 } }] },
    { logging: { level: 'debug' } },
  );
  await waitUntil(() => fixture.sockets.length >= 4 && loginsOf(fixture.sockets[3]).length === 1, 'four refused attempts', 10_000);
  const arrivals = fixture.sockets.map((session) => session.openedAt);
  const gaps = arrivals.slice(1).map((at, index) => at - arrivals[index]!);
  // Each try waits out the longest delay (a timer never fires early; a loaded machine only makes gaps longer).
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(148);
  expect(fixture.sockets.every((session) => loginsOf(session).length === 1)).toBe(true);
  expect(manager.require('magic').state).toMatch(/refused|connecting|authenticating/);
  // One warning for the run of refusals; the rest are debug lines.
  expect(stderr().match(/warning: magic: the console refused the login/g)).toHaveLength(1);
  expect(stderr()).toMatch(/debug: magic: login refused again \(\d+ in a row\); next try in 150 ms/);
});

test('required: true and the login refused: startup fails naming the connection and the refusal', async () => {
  const fixture = await startConsoleFixture({ requireLogin: true });
  const failing = startHost({ connections: [{ name: 'magic', url: fixture.url, protocol: 'magic-api', auth: { token: 'bad' }, required: true }] });
  await expect(failing).rejects.toMatchObject({ code: 'MCPH_HOOK_FAILED', plugin: 'websocket-manager', hook: 'start' });
  await expect(failing).rejects.toThrow(/"magic".*refused the login/);
  expect(fixture.sockets).toHaveLength(1);
});

test('login_response,-1 (client id in use): a new id and a new login on the same socket', async () => {
  const fixture = await startConsoleFixture();
  const taken = 'aaaaaaaaaaaaaaaa';
  await otherEditor(fixture, taken);
  const ids = [taken, 'bbbbbbbbbbbbbbbb'];
  const connection = directConnection({ name: 'magic', url: fixture.url, protocol: 'magic-api', ...fast }, () => ids.shift() ?? 'cccccccccccccccc');
  await waitUntil(() => connection.state === 'open', 'the second login to be accepted');
  expect(fixture.sockets).toHaveLength(2);
  expect(loginsOf(fixture.sockets[1]).map((login) => login.clientId)).toEqual([taken, 'bbbbbbbbbbbbbbbb']);
  expect(connection.console!.clientId).toBe('bbbbbbbbbbbbbbbb');
  expect(connection.messages({ type: 'LOGIN_RESPONSE' }).map((message) => (message.data as { status: number }).status)).toEqual([-1, 1]);
});

test('a console that answers -1 to every id: at most MAX_LOGINS_PER_SOCKET logins per socket, then the backoff', async () => {
  const fixture = await startConsoleFixture();
  const taken = 'aaaaaaaaaaaaaaaa';
  await otherEditor(fixture, taken);
  // An id source that only ever gives the taken id: what a random one never does.
  const connection = directConnection({ name: 'magic', url: fixture.url, protocol: 'magic-api', reconnect: { initialDelayMs: 20, jitter: 0 } }, () => taken);
  await waitUntil(() => fixture.sockets.length >= 2, 'our socket');
  expect(await fixture.sockets[1]!.closed).toEqual({ code: 1000, reason: 'login failed' });
  expect(MAX_LOGINS_PER_SOCKET).toBe(3);
  expect(loginsOf(fixture.sockets[1])).toEqual(Array.from({ length: MAX_LOGINS_PER_SOCKET }, () => ({ token: GUEST.token, clientId: taken })));
  expect(connection.info().lastError).toMatch(/login_response,-1 \(client id in use\) to 3 fresh client ids/);
  // Magic-API's afterConnectionClosed unregisters whatever holds the closed socket's client id — here the other
  // editor's session — so the id is free for the next socket, which logs in with it after the backoff.
  await waitUntil(() => connection.state === 'open', 'the next socket to log in');
  expect(fixture.sockets).toHaveLength(3);
  expect(loginsOf(fixture.sockets[2])).toHaveLength(1);
  expect(connection.info().reconnects).toBe(1);
});

test('refresh_token: the new token replaces the old one for the next login and is offered to listeners, never buffered', async () => {
  const user = { id: 'u1', username: 'ops', token: 'tok-old-5d1', timeoutSeconds: 30 };
  // An interceptor whose tokens expire: with 30 s left (< 60 s), the first pong brings a new one.
  const fixture = await startConsoleFixture({
    requireLogin: true,
    users: [user],
    refreshToken: (each) => {
      each.token = 'tok-new-8c4';
      each.timeoutSeconds = 3600;
    },
  });
  const { manager, stderr } = await startHost({ connections: [{ name: 'magic', url: fixture.url, protocol: 'magic-api', auth: { token: 'tok-old-5d1' }, ...fast }] });
  const magic = manager.require('magic');
  const refreshed: string[] = [];
  magic.console!.onTokenRefresh((token) => refreshed.push(token));
  await magic.waitForOpen({ timeoutMs: 10_000 });
  fixture.check();
  await waitUntil(() => refreshed.length === 1, 'the refreshed token');
  expect(refreshed).toEqual(['tok-new-8c4']);
  expect(magic.console!.token).toBe('tok-new-8c4');
  expect(fixture.sockets[0]!.received).toContain('pong');
  expect(magic.messages().map((message) => message.type)).toEqual(['LOGIN_RESPONSE', 'ONLINE_USERS']);

  fixture.sockets[0]!.socket.terminate();
  await waitUntil(() => fixture.sockets.length === 2 && magic.state === 'open', 'the next login');
  expect(loginsOf(fixture.sockets[1])).toMatchObject([{ token: 'tok-new-8c4' }]);
  expect(stderr()).not.toContain('tok-new-8c4');
  expect(stderr()).not.toContain('tok-old-5d1');
});

test("the console's ping is answered with pong and not buffered; we send no text ping of our own", async () => {
  const fixture = await startConsoleFixture();
  const { manager } = await startHost({ connections: [{ name: 'magic', url: fixture.url, protocol: 'magic-api', heartbeat: { intervalMs: 10, timeoutMs: 5000 } }] });
  const magic = manager.require('magic');
  await magic.waitForOpen({ timeoutMs: 10_000 });
  for (let round = 1; round <= 3; round++) {
    fixture.check();
    await waitUntil(() => fixture.sockets[0]!.received.filter((text) => text === 'pong').length === round, `pong ${round}`);
  }
  // ws-level ping frames keep going (the server's container answers them); a text `ping` would be ignored by the console.
  await waitUntil(() => fixture.sockets[0]!.pingFrames >= 5, 'five ping frames');
  expect(fixture.sockets[0]!.received.filter((text) => text !== 'pong').map((text) => text.split(',')[0])).toEqual(['login']);
  expect(magic.info().received).toBe(2);
});

test("serverPingTimeoutMs: a console that stops pinging has dropped the session: a fresh socket logs in", async () => {
  const fixture = await startConsoleFixture();
  const { manager } = await startHost({ connections: [{ name: 'magic', url: fixture.url, protocol: 'magic-api', serverPingTimeoutMs: 150, ...fast }] });
  const magic = manager.require('magic');
  await magic.waitForOpen({ timeoutMs: 10_000 });
  const firstId = magic.console!.clientId;
  // No check() runs: the console never pings.
  await waitUntil(() => fixture.sockets.length === 2 && magic.state === 'open', 'the second socket');
  expect(magic.info().lastError).toMatch(/no ping from the server within 150 ms \(serverPingTimeoutMs\)/);
  expect(magic.console!.clientId).not.toBe(firstId);
});

test('serverPingTimeoutMs: a console that pings keeps its session', async () => {
  const fixture = await startConsoleFixture({ checkIntervalMs: 20 });
  const { manager } = await startHost({ connections: [{ name: 'magic', url: fixture.url, protocol: 'magic-api', serverPingTimeoutMs: 5000 }] });
  const magic = manager.require('magic');
  await magic.waitForOpen({ timeoutMs: 10_000 });
  // Longer than 150 ms of pings, answered: the watch is re-armed by each.
  await waitUntil(() => fixture.sockets[0]!.received.filter((text) => text === 'pong').length >= 10, 'ten pongs');
  expect(magic.state).toBe('open');
  expect(magic.info().reconnects).toBe(0);
  expect(fixture.sockets).toHaveLength(1);
});

test('log and logs become lines; breakpoint, exception, users and files become typed messages', async () => {
  const fixture = await startConsoleFixture();
  const { manager } = await startHost({ connections: [{ name: 'magic', url: fixture.url, protocol: 'magic-api' }] });
  const magic = manager.require('magic');
  await magic.waitForOpen({ timeoutMs: 10_000 });
  const clientId = magic.console!.clientId!;
  const from = magic.info().received;
  fixture.log(clientId, ['2025-06-01 12:00:00 INFO hello']);
  fixture.log(clientId, ['line one', 'line two, with a comma']);
  fixture.breakpoint(clientId, 'script-7', [{ name: 'id', value: '42', type: 'java.lang.Integer' }], [5, 1, 5, 10]);
  fixture.exception(clientId, 'script-7', 'NullPointerException', [5, 5, 3, 9]);
  fixture.exception(clientId, 'script-7', 'no line', null);
  const typed = await magic.waitFor(() => true, { count: 5, afterSeq: from, timeoutMs: 10_000 });
  expect(typed.map(({ type, data }) => ({ type, data }))).toEqual([
    { type: 'LOG', data: { lines: ['2025-06-01 12:00:00 INFO hello'] } },
    { type: 'LOGS', data: { lines: ['line one', 'line two, with a comma'] } },
    { type: 'BREAKPOINT', data: { scriptId: 'script-7', variables: [{ name: 'id', value: '42', type: 'java.lang.Integer' }], range: [5, 1, 5, 10] } },
    { type: 'EXCEPTION', data: { scriptId: 'script-7', message: 'NullPointerException', range: [5, 5, 3, 9] } },
    { type: 'EXCEPTION', data: { scriptId: 'script-7', message: 'no line', range: null } },
  ]);

  const other = 'eeeeeeeeeeeeeeee';
  const before = magic.info().received;
  const editor = await otherEditor(fixture, other);
  editor.send('set_file_id,file-9');
  const [joined, opened] = await magic.waitFor((message) => message.type === 'USER_LOGIN' || message.type === 'INTO_FILE_ID', { count: 2, afterSeq: before, timeoutMs: 10_000 });
  expect(joined).toMatchObject({ type: 'USER_LOGIN', data: { user: { cid: other, id: 'guest', username: GUEST.username } } });
  expect(opened).toMatchObject({ type: 'INTO_FILE_ID', data: { clientId: other, fileId: 'file-9' } });
  const left = magic.waitFor((message): message is MagicApiBufferedMessage<'USER_LOGOUT'> => message.type === 'USER_LOGOUT', { timeoutMs: 10_000 });
  editor.close();
  const [logout] = await left;
  expect(logout!.data.user).toMatchObject({ cid: other, fileId: 'file-9' });
  expect(magic.messages({ type: 'ONLINE_USERS' })[0]!.data).toEqual({ users: [{ cid: clientId, id: 'guest', ip: '127.0.0.1', username: GUEST.username }] });
});

test('a console that never answers the login: dropped after connectTimeoutMs and retried with a fresh socket', async () => {
  const backend = await startBackend();
  const { manager } = await startHost({ connections: [{ name: 'magic', url: backend.url, protocol: 'magic-api', connectTimeoutMs: 100, ...fast }] });
  const magic = manager.require('magic');
  await waitUntil(() => backend.connections.length >= 2, 'a second socket');
  expect(magic.info().lastError).toBe('no answer to the login within 100 ms (connectTimeoutMs)');
  expect(backend.connections[0]!.received).toHaveLength(1);
  expect(LOGIN.exec(backend.connections[1]!.received[0] ?? '')?.[2] ?? 'none').not.toBe(LOGIN.exec(backend.connections[0]!.received[0]!)![2]);
});

test('a login answer that cannot be read: buffered as INVALID, the socket closed, the next one tried', async () => {
  const backend = await startBackend({ onConnection: (connection) => connection.socket.once('message', () => connection.socket.send('login_response,1,{"cid":')) });
  const { manager } = await startHost({ connections: [{ name: 'magic', url: backend.url, protocol: 'magic-api', ...fast }] });
  const magic = manager.require('magic');
  await waitUntil(() => backend.connections.length >= 2, 'a second socket');
  expect(await backend.connections[0]!.closed).toEqual({ code: 1000, reason: 'login failed' });
  expect(magic.info().lastError).toMatch(/login answer cannot be read/);
  expect(magic.messages()[0]).toMatchObject({ type: 'INVALID', data: { type: 'LOGIN_RESPONSE' }, raw: 'login_response,1,{"cid":' });
});

test('credentials are a token only: username, password and a token with a comma are config errors', async () => {
  for (const auth of [{ token: 't', username: 'admin' }, { password: 'secret' }, { token: 'a,b' }]) {
    const failing = startHost({ connections: [{ name: 'magic', url: 'ws://127.0.0.1:1/', protocol: 'magic-api', auth: auth as { token: string } }] });
    await expect(failing).rejects.toMatchObject({ code: 'MCPH_PLUGIN_OPTIONS_INVALID' });
    await expect(failing).rejects.toThrow(/connections\[0\]\.auth/);
  }
});
