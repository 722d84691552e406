// The console this plugin opens through websocket-manager, the tokens it shares with the HTTP side, and the order
// everything closes in — through the real host (in-process) against the emulator.
import { describe, expect, test } from 'vitest';
import { emulator, sleep, startHost, waitUntil } from './support.js';

const CREDENTIALS = { username: 'admin', password: 'secret-pass' };

type Connections = { connections: { name: string; state: string; console?: { clientId?: string; login: string; username?: string } }[] };

async function consoleOf(host: Awaited<ReturnType<typeof startHost>>, name = 'magic') {
  const { connections } = (await host.tool('ws_connections')) as Connections;
  return connections.find((connection) => connection.name === name);
}

/** The token of the first console socket's login frame (`login,<token>,<clientId>`): what the HTTP login returned. */
function firstLoginToken(server: Awaited<ReturnType<typeof emulator>>): string {
  const frame = server.harness.connections()[0]!.frames.find((record) => record.direction === 'client' && record.kind === 'text');
  if (!frame || frame.kind !== 'text') throw new Error('no login frame');
  return frame.data.split(',')[1]!;
}

/** Poll ws_connections until the console is logged in; returns it. */
async function loggedIn(host: Awaited<ReturnType<typeof startHost>>, name = 'magic') {
  const until = Date.now() + 10_000;
  for (;;) {
    const found = await consoleOf(host, name);
    if (found?.state === 'open' && found.console?.login === 'ok') return found;
    if (Date.now() > until) throw new Error(`console ${name} did not log in: ${JSON.stringify(found)}`);
    await sleep(25);
  }
}

describe('the console connection', () => {
  test('guest mode: added to websocket-manager as "magic" (magic-api protocol), logged in as the guest, at the URL derived from the base URL and web path', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: server.baseUrl });
    const found = await loggedIn(host);
    expect(found.console).toMatchObject({ login: 'ok', username: '游客', clientId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const { connections } = (await host.tool('ws_connections')) as Connections & { connections: { url: string; protocol: string }[] };
    expect(connections).toEqual([expect.objectContaining({ name: 'magic', protocol: 'magic-api', url: server.consoleUrl })]);
    expect(server.harness.onlineClientIds()).toEqual([found.console!.clientId]);
    // The login went as `login,unauthorization,<clientId>` (MagicWorkbenchHandler#onLogin: guest token).
    const login = server.harness.connections()[0]!.frames.find((frame) => frame.direction === 'client' && frame.kind === 'text');
    expect(login).toMatchObject({ data: `login,unauthorization,${found.console!.clientId}` });
  });

  test('username + password: the console opens after the HTTP login, with its token', async () => {
    const server = await emulator({ credentials: CREDENTIALS });
    const host = await startHost({ baseUrl: server.baseUrl, ...CREDENTIALS });
    const found = await loggedIn(host);
    expect(found.console?.username).toBe('admin');
    const connection = server.harness.connections()[0]!;
    expect(connection.frames.find((frame) => frame.direction === 'client')).toMatchObject({ data: `login,${server.harness.loginToken()},${found.console!.clientId}` });
    // The HTTP login came first: the console socket opened after it.
    const login = server.harness.requests().find((request) => request.url === '/magic/web/login')!;
    expect(connection.frames[0]!.at).toBeGreaterThanOrEqual(login.at);
    expect(host.stderr()).not.toContain(server.harness.loginToken()!);
    expect(host.stderr()).not.toContain(CREDENTIALS.password);
  });

  test('a token and credentials: the token is used at once by the console and the HTTP side, no login until it is refused', async () => {
    const server = await emulator({ credentials: CREDENTIALS });
    const token = server.harness.loginToken()!;
    const host = await startHost({ baseUrl: server.baseUrl, token, ...CREDENTIALS });
    const found = await loggedIn(host);
    await host.listMagic();
    expect(firstLoginToken(server)).toBe(token);
    expect(found.console?.username).toBe('admin');
    expect(server.harness.requests().filter((request) => request.url === '/magic/web/login')).toHaveLength(0);
  });

  test('MAGIC_API_WS_URL (wsUrl) overrides the derived URL; console: false opens none', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: 'http://127.0.0.1:9', wsUrl: server.consoleUrl, console: { name: 'editor' } });
    expect((await loggedIn(host, 'editor')).state).toBe('open');
    const quiet = await startHost({ baseUrl: server.baseUrl, console: false });
    await quiet.listMagic();
    expect(((await quiet.tool('ws_connections')) as Connections).connections).toEqual([]);
  });

  test('a refused token: state refused and one warning, no reconnect storm (the emulator counts the sockets)', async () => {
    const server = await emulator({ credentials: CREDENTIALS });
    const host = await startHost({ baseUrl: server.baseUrl, token: 'wrong-token' });
    await waitUntil(() => server.harness.connections().length > 0, 'the console to connect', 10_000);
    const until = Date.now() + 10_000;
    while ((await consoleOf(host))?.state !== 'refused') {
      if (Date.now() > until) throw new Error(`not refused: ${JSON.stringify(await consoleOf(host))}`);
      await sleep(25);
    }
    await sleep(2000);
    expect(server.harness.connections()).toHaveLength(1);
    expect(host.stderr().match(/warning: magic: the console refused the login/g)).toHaveLength(1);
    expect(host.stderr()).not.toContain('wrong-token');
  });

  test('refresh_token (the console\'s answer to a pong near expiry) is the token of the next HTTP request', async () => {
    const server = await emulator({ credentials: CREDENTIALS, tokenLifetimeSeconds: 3600, refreshWindowMs: 7_200_000, pingIntervalMs: 100 });
    const host = await startHost({ baseUrl: server.baseUrl, ...CREDENTIALS, refreshSeconds: 0 });
    const found = await loggedIn(host);
    const refreshedTokens = () =>
      server.harness
        .framesTo(found.console!.clientId!)
        .flatMap((record) => (record.kind === 'text' && record.data.startsWith('refresh_token,') ? [record.data.slice('refresh_token,'.length)] : []));
    await waitUntil(() => refreshedTokens().length > 0, 'a refresh_token frame', 10_000);
    // The host takes the frame in a moment after the server sent it: read until a request carries a refreshed token.
    const login = firstLoginToken(server);
    let sent: unknown;
    for (let attempt = 0; attempt < 50 && !refreshedTokens().includes(sent as string); attempt++) {
      const before = server.harness.requests().length;
      await host.client.readResource({ uri: 'magic-api://api/订单/库存检查' });
      sent = server.harness.requests().slice(before).find((request) => request.url.startsWith('/magic/web/resource/file/'))!.headers['magic-token'];
      await sleep(20);
    }
    expect(refreshedTokens()).toContain(sent);
    expect(login).toMatch(/^[0-9a-f]{32}$/);
    expect(sent).not.toBe(login);
    expect(server.harness.requests().filter((request) => request.url === '/magic/web/login')).toHaveLength(1);
  });

  test('an expired token: exactly one re-login for concurrent reads, and the console logs in with the new token on its next socket', async () => {
    const server = await emulator({ credentials: CREDENTIALS, tokenLifetimeSeconds: 3600 });
    const host = await startHost({ baseUrl: server.baseUrl, ...CREDENTIALS, refreshSeconds: 0 });
    await loggedIn(host);
    await host.listMagic();
    const first = firstLoginToken(server);
    server.harness.expireTokens();
    const uris = ['magic-api://api/订单/库存检查', 'magic-api://api/订单/价格计算', 'magic-api://api/用户管理/用户列表', 'magic-api://task/报表/日报'];
    await Promise.all(uris.map((uri) => host.client.readResource({ uri })));
    const logins = server.harness.requests().filter((request) => request.url === '/magic/web/login');
    expect(logins).toHaveLength(2);
    // The console keeps its session; its next socket logs in with the token the HTTP side got.
    const socket = server.harness.connections().find((connection) => connection.open)!;
    server.harness.severConsole(socket.id, 'reset');
    await waitUntil(() => server.harness.connections().length === 2, 'a second console socket', 10_000);
    const second = await loggedIn(host);
    const loginFrame = server.harness.connections()[1]!.frames.find((frame) => frame.direction === 'client' && frame.kind === 'text')!;
    expect(loginFrame.kind === 'text' && loginFrame.data.split(',')[1]).not.toBe(first);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(loginFrame).toMatchObject({ data: expect.stringMatching(new RegExp(`^login,[0-9a-f]{32},${second.console!.clientId}$`)) });
    // A fresh client id per socket: a half-open drop never makes the server answer -1.
    expect(second.console!.clientId).not.toBe(server.harness.connections()[0]!.loginClientIds[0]);
  });
});

describe('shutdown', () => {
  test('the plugin\'s first tap runs before websocket-manager\'s, its last after resource-manager\'s; the console\'s close frame reaches the server before the HTTP sockets end; nothing leaks', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: server.baseUrl });
    await loggedIn(host);
    await host.listMagic();
    await host.client.readResource({ uri: 'magic-api://api/订单/库存检查' });
    const report = await host.shutdown();
    expect(report.taps.map((tap) => `${tap.plugin} ${tap.outcome}`)).toEqual(['magic-api ok', 'websocket-manager ok', 'resource-manager ok', 'magic-api ok']);
    await waitUntil(() => server.harness.sockets().open === 0, 'every socket to the emulator to close', 5000);
    const close = server.harness.connections()[0]!.frames.find((frame) => frame.direction === 'client' && frame.kind === 'close')!;
    expect(close).toMatchObject({ code: 1001 });
    const httpClosed = server.harness
      .sockets()
      .log.filter((record) => record.kind === 'http')
      .map((record) => record.closedAt!);
    expect(httpClosed.length).toBeGreaterThan(0);
    for (const at of httpClosed) expect(at).toBeGreaterThanOrEqual(close.at);
    await host.assertNoLeaks();
  });

  test('a read in flight when shutdown begins is answered at once (aborted), and the host stops cleanly', async () => {
    const server = await emulator();
    // A backend that takes the connection and never answers: the tree's first fetch hangs.
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    const host = await startHost({ baseUrl: `http://127.0.0.1:${port}`, wsUrl: server.consoleUrl, timeoutSeconds: 60 });
    const reading = host.client.readResource({ uri: 'magic-api://api/a/b' }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await waitUntil(() => sockets.length > 0, 'the request to reach the silent backend');
    const started = Date.now();
    const report = await host.shutdown();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await reading).toMatch(/shutting down|aborted|closed/i);
    expect(report.taps.every((tap) => tap.outcome === 'ok')).toBe(true);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await host.assertNoLeaks();
  });
});
