// The editor HTTP client against the emulator (which follows Magic-API 2.2.2's Java; FACTS.md names each fact) and
// against hostile backends. Java paths are under magic-api/src/main/java/org/ssssssss/magicapi/.
import { describe, expect, test } from 'vitest';
import { isMagicError, type MagicError } from '../src/index.js';
import { backend, client, emulator, sleep } from './support.js';

const CREDENTIALS = { username: 'admin', password: 'secret-pass' };

async function rejection(promise: Promise<unknown>): Promise<MagicError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isMagicError(error)) throw new Error(`expected a MagicError, got ${error instanceof Error ? error.stack : String(error)}`);
  return error;
}

describe('against the emulator', () => {
  test('guest mode (no credentials configured): the tree and a file come without a token (DefaultAuthorizationInterceptor: no login required)', async () => {
    const server = await emulator();
    const magic = client({ baseUrl: server.baseUrl });
    const tree = await magic.tree();
    expect(Object.keys(tree).sort()).toEqual(['api', 'datasource', 'function', 'task']);
    const id = server.harness.findApi('GET', '/user/list')!.id!;
    const file = await magic.file(id);
    expect(file).toMatchObject({ id, name: '用户列表', method: 'GET', path: 'list' });
    expect(typeof file!.script).toBe('string');
    // An unknown id is code 1 with data null (MagicResourceController#detail), not an error.
    expect(await magic.file('no-such-id')).toBeNull();
    expect(server.harness.requests().every((request) => request.headers['magic-token'] === undefined)).toBe(true);
    expect(magic.logins).toBe(0);
  });

  test('username + password: POST {web}/login with form fields, the token from the Magic-Token response header, then sent as Magic-Token (MagicWorkbenchController#login)', async () => {
    const server = await emulator({ credentials: CREDENTIALS });
    const magic = client({ baseUrl: server.baseUrl, credentials: CREDENTIALS });
    await magic.tree();
    const requests = server.harness.requests();
    const login = requests.find((request) => request.url.startsWith('/magic/web/login'))!;
    expect(login.method).toBe('POST');
    expect(String(login.headers['content-type'])).toMatch(/^application\/x-www-form-urlencoded/);
    expect(login.url).toBe('/magic/web/login'); // the credentials went in the body, not the query
    expect(magic.token).toBe(server.harness.loginToken());
    const tree = requests.find((request) => request.url === '/magic/web/resource')!;
    expect(tree.headers['magic-token']).toBe(server.harness.loginToken());
    expect(magic.logins).toBe(1);
  });

  test('a refused password is MAGIC_LOGIN_REFUSED naming code 401, the server message and what to set, never the password', async () => {
    const server = await emulator({ credentials: CREDENTIALS });
    const magic = client({ baseUrl: server.baseUrl, credentials: { username: 'admin', password: 'wrong-pass' } });
    const error = await rejection(magic.tree());
    expect(error.code).toBe('MAGIC_LOGIN_REFUSED');
    expect(error.serverCode).toBe(401);
    expect(error.endpoint).toBe('POST /magic/web/login');
    expect(error.message).toContain('用户名或密码不正确');
    expect(error.message).toContain('MAGIC_API_PASSWORD');
    expect(error.message).not.toContain('wrong-pass');
    expect(magic.token).toBeUndefined();
  });

  test('a refused token without credentials: MAGIC_LOGIN_REFUSED (HTTP 200, code 401: MagicController#invalidLogin) saying what to set, never the token', async () => {
    const server = await emulator({ credentials: CREDENTIALS });
    const magic = client({ baseUrl: server.baseUrl, token: 'not-a-valid-token' });
    const error = await rejection(magic.tree());
    expect(error).toMatchObject({ code: 'MAGIC_LOGIN_REFUSED', serverCode: 401, status: 200, endpoint: 'POST /magic/web/resource' });
    expect(error.message).toContain('token无效');
    expect(error.message).toContain('MAGIC_API_TOKEN');
    expect(error.message).not.toContain('not-a-valid-token');
    expect(magic.logins).toBe(0);
  });

  test('an expired token: exactly one re-login for five requests refused at once, then each is repeated once and succeeds', async () => {
    const server = await emulator({ credentials: CREDENTIALS, tokenLifetimeSeconds: 3600 });
    const magic = client({ baseUrl: server.baseUrl, credentials: CREDENTIALS });
    await magic.tree();
    const first = magic.token;
    expect(magic.logins).toBe(1);
    server.harness.expireTokens();
    const ids = server.harness.files().slice(0, 5).map((file) => file.id!);
    const files = await Promise.all(ids.map((id) => magic.file(id)));
    expect(files.map((file) => file?.id)).toEqual(ids);
    expect(magic.logins).toBe(2);
    expect(server.harness.requests().filter((request) => request.url === '/magic/web/login')).toHaveLength(2);
    expect(magic.token).not.toBe(first);
    expect(magic.logins).toBe(2);
  });

  test('a login hands the new token to its listeners (the console logs in with it)', async () => {
    const server = await emulator({ credentials: CREDENTIALS, tokenLifetimeSeconds: 3600 });
    const magic = client({ baseUrl: server.baseUrl, credentials: CREDENTIALS });
    const seen: (string | undefined)[] = [];
    magic.onLogin((token) => seen.push(token));
    await magic.tree();
    server.harness.expireTokens();
    await magic.tree();
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(magic.token);
    expect(seen[0]).not.toBe(seen[1]);
  });

  test('setToken (the console\'s refresh_token) is what the next request sends, without a login', async () => {
    const server = await emulator({ credentials: CREDENTIALS });
    const magic = client({ baseUrl: server.baseUrl, credentials: CREDENTIALS });
    await magic.tree();
    magic.setToken('replaced-token');
    // The emulator's default interceptor refuses that token: the client logs in again and repeats the request.
    await magic.tree();
    const sent = server.harness.requests().filter((request) => request.url === '/magic/web/resource').map((request) => request.headers['magic-token']);
    expect(sent).toEqual([server.harness.loginToken(), 'replaced-token', server.harness.loginToken()]);
    expect(magic.logins).toBe(2);
  });

  test('an envelope with a code other than 1 (HTTP 200) is MAGIC_REFUSED naming code, message and endpoint (lock of an unknown id: 1007, MagicResourceController#lock)', async () => {
    const server = await emulator();
    const magic = client({ baseUrl: server.baseUrl });
    const error = await rejection(magic.editor('/resource/lock', { form: { id: 'no-such-file' } }));
    expect(error).toMatchObject({ code: 'MAGIC_REFUSED', serverCode: 1007, status: 200, endpoint: 'POST /magic/web/resource/lock' });
    expect(error.message).toContain('code 1007');
    expect(error.message).toContain(JSON.stringify(error.serverMessage));
  });

  test('a wrong web path gets Spring\'s 404 error JSON: MAGIC_NOT_ENVELOPE saying to check the web path', async () => {
    const server = await emulator();
    const magic = client({ baseUrl: server.baseUrl, web: '/magic/wrong' });
    const error = await rejection(magic.tree());
    expect(error).toMatchObject({ code: 'MAGIC_NOT_ENVELOPE', status: 404 });
    expect(error.message).toMatch(/web path/);
  });

  test('config.json (a bare map, no login needed) gives the version and the API prefix', async () => {
    const server = await emulator({ credentials: CREDENTIALS });
    const magic = client({ baseUrl: server.baseUrl });
    expect(await magic.serverConfig()).toEqual({ version: '2.2.2', web: '/magic/web', prefix: undefined });
  });

  test('one keep-alive socket carries sequential requests; close() ends it and later requests are refused', async () => {
    const server = await emulator();
    const magic = client({ baseUrl: server.baseUrl });
    for (let index = 0; index < 5; index++) await magic.tree();
    expect(server.harness.sockets().total).toBe(1);
    expect(magic.pool.openSockets).toBe(1);
    await magic.close();
    expect(magic.pool.openSockets).toBe(0);
    expect((await rejection(magic.tree())).code).toBe('MAGIC_CLOSED');
  });

  test('callApi: a user API at its own path, no token, the answer as it is (JsonBean from DefaultResultProvider)', async () => {
    const server = await emulator({ credentials: CREDENTIALS });
    const magic = client({ baseUrl: server.baseUrl, token: 'never-sent-to-user-apis' });
    const answer = await magic.callApi({ method: 'get', path: '/user/list', query: { page: 2, size: 5 } });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ code: 1, data: { page: 2, size: 5 } });
    expect(answer.durationMs).toBeGreaterThanOrEqual(0);
    const request = server.harness.requests().find((record) => record.url.startsWith('/user/list'))!;
    expect(request.url).toBe('/user/list?page=2&size=5');
    expect(request.headers['magic-token']).toBeUndefined();
    // A script error is HTTP 200 with code -1 (RequestHandler: buildException): callApi passes it on as it is.
    const failed = await magic.callApi({ method: 'GET', path: '/order/stats' });
    expect(failed).toMatchObject({ status: 200, json: { code: -1 } });
  });

  test('callApi refuses paths that would leave the server or climb out of the base path', async () => {
    const server = await emulator();
    const magic = client({ baseUrl: server.baseUrl });
    for (const path of ['user/list', '//evil.example/x', '/a/../b', '/a?b=1', 'http://evil.example/']) {
      expect((await rejection(magic.callApi({ method: 'GET', path }))).code).toBe('MAGIC_INVALID_REQUEST');
    }
    expect(server.harness.requests()).toHaveLength(0);
  });
});

describe('hostile backends', () => {
  test('an HTML page with HTTP 200 is MAGIC_NOT_ENVELOPE quoting it', async () => {
    const site = await backend((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to nginx!</body></html>'));
    const error = await rejection(client({ baseUrl: site.url }).tree());
    expect(error.code).toBe('MAGIC_NOT_ENVELOPE');
    expect(error.message).toContain('HTML');
    expect(error.message).toContain('Welcome to nginx!');
  });

  test('garbage bytes, JSON of another shape, an empty body: MAGIC_NOT_ENVELOPE each', async () => {
    const bodies = [Buffer.from([0xff, 0x00, 0xfe, 0x0a, 0x1b]), Buffer.from('[1,2,3]'), Buffer.from('{"code":"1","data":[]}'), Buffer.from('')];
    let next = 0;
    const site = await backend((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(bodies[next++]));
    const magic = client({ baseUrl: site.url });
    for (let index = 0; index < bodies.length; index++) {
      const error = await rejection(magic.tree());
      expect(error.code, error.message).toBe('MAGIC_NOT_ENVELOPE');
      expect(error.message).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    }
  });

  test('an answer over maxResponseBytes: refused by its Content-Length, or as it grows past the cap (chunked)', async () => {
    const huge = Buffer.alloc(200_000, 0x20);
    const site = await backend((request, response) => {
      if (request.url!.includes('declared')) response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(huge.length) }).end(huge);
      else {
        response.writeHead(200, { 'content-type': 'application/json' });
        for (let index = 0; index < 20; index++) response.write(huge.subarray(0, 10_000));
        response.end();
      }
    });
    const magic = client({ baseUrl: site.url, maxResponseBytes: 64 * 1024 });
    expect((await rejection(magic.editor('/declared'))).code).toBe('MAGIC_TOO_LARGE');
    expect((await rejection(magic.editor('/chunked'))).code).toBe('MAGIC_TOO_LARGE');
  });

  test('a body that never ends, and a server that never answers: MAGIC_TIMEOUT at the bound', async () => {
    const site = await backend((request, response) => {
      if (request.url!.includes('trickle')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => response.write(' '), 20);
        response.on('close', () => clearInterval(timer));
      }
      // else: never answered
    });
    const magic = client({ baseUrl: site.url, timeoutMs: 300 });
    const started = Date.now();
    const trickle = await rejection(magic.editor('/trickle'));
    const silent = await rejection(magic.editor('/silent'));
    expect([trickle.code, silent.code]).toEqual(['MAGIC_TIMEOUT', 'MAGIC_TIMEOUT']);
    expect(trickle.message).toContain('MAGIC_API_TIMEOUT_SECONDS');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(magic.pool.inFlight).toBe(0);
  });

  test('connection refused, and a reset in the middle of the body: MAGIC_UNREACHABLE', async () => {
    const site = await backend((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"code":1,');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    expect((await rejection(client({ baseUrl: site.url }).tree())).code).toBe('MAGIC_UNREACHABLE');
    await new Promise<void>((resolve) => site.server.close(() => resolve()));
    for (const socket of site.sockets) socket.destroy();
    expect((await rejection(client({ baseUrl: site.url }).tree())).code).toBe('MAGIC_UNREACHABLE');
  });

  test('a redirect (GET {web} redirects to the editor page) is not followed: MAGIC_NOT_ENVELOPE naming where it points', async () => {
    const site = await backend((_request, response) => response.writeHead(302, { location: '/magic/web/index.html' }).end());
    const error = await rejection(client({ baseUrl: site.url }).tree());
    expect(error).toMatchObject({ code: 'MAGIC_NOT_ENVELOPE', status: 302 });
    expect(error.message).toContain('/magic/web/index.html');
  });

  test('a backend echoing the request headers into its error does not get the token into the message', async () => {
    const site = await backend((request, response) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`bad request ${JSON.stringify(request.headers)}`));
    const error = await rejection(client({ baseUrl: site.url, token: 'secret-token-123' }).tree());
    expect(error.code).toBe('MAGIC_NOT_ENVELOPE');
    expect(error.message).toContain('bad request');
    expect(error.message).not.toContain('secret-token-123');
  });

  test('the caller\'s signal aborts a request in flight (MAGIC_ABORTED); the host\'s signal aborts every one and refuses new ones', async () => {
    const site = await backend(() => {});
    const host = new AbortController();
    const magic = client({ baseUrl: site.url, signal: host.signal });
    const caller = new AbortController();
    const own = rejection(magic.tree(caller.signal));
    const others = [rejection(magic.tree()), rejection(magic.file('x'))];
    await sleep(50);
    caller.abort();
    expect((await own).code).toBe('MAGIC_ABORTED');
    expect(magic.pool.inFlight).toBe(2);
    host.abort();
    expect((await Promise.all(others)).map((error) => error.code)).toEqual(['MAGIC_ABORTED', 'MAGIC_ABORTED']);
    expect(magic.pool.inFlight).toBe(0);
    expect((await rejection(magic.tree())).code).toBe('MAGIC_ABORTED');
  });

  test('close() destroys the keep-alive sockets: the server sees each one end', async () => {
    const site = await backend((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"code":1,"message":"success","data":{}}'));
    const magic = client({ baseUrl: site.url });
    await Promise.all([magic.tree(), magic.tree(), magic.tree()]);
    expect(site.sockets.length).toBeGreaterThan(0);
    const ended = site.sockets.map((socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve()))));
    await magic.close();
    await Promise.race([Promise.all(ended), sleep(5000).then(() => Promise.reject(new Error('sockets still open 5 s after close()')))]);
  });

  test('a header that cannot be sent (a line break in a token) is refused before anything goes out', async () => {
    const site = await backend((_request, response) => response.end());
    const error = await rejection(client({ baseUrl: site.url, token: 'a\r\nX-Injected: 1' }).tree());
    expect(error.code).toBe('MAGIC_INVALID_REQUEST');
    expect(error.message).not.toContain('X-Injected');
    expect(site.requests).toHaveLength(0);
  });
});
