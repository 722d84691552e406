/**
 * Login and tokens. Sources: core/web/MagicWorkbenchController.java:139-181 (login, user, logout),
 * core/interceptor/MagicWebRequestInterceptor.java:24-41 (which requests need a token),
 * core/interceptor/DefaultAuthorizationInterceptor.java (MD5 token, messages), core/web/MagicController.java:94-98
 * (MagicLoginException → code 401, HTTP 200), core/handler/MagicWorkbenchHandler.java:39-103 (console login, pong).
 */
import { describe, expect, it } from 'vitest';
import { md5Hex } from '../src/index.js';
import { ConsoleClient, clientId, emulator, envelope, frameJson, get, postForm, postJson, waitUntil } from './helpers.js';

const CREDENTIALS = { username: 'admin', password: 's3cret' };

describe('guest mode (no credentials)', () => {
  it('login answers true without a token, and no endpoint asks for one', async () => {
    const emu = await emulator();
    const login = await postForm(`${emu.webUrl}/login`, { username: 'anyone', password: 'x' });
    expect(login.headers.get('magic-token')).toBeNull();
    expect((await envelope(login)).data).toBe(true);
    expect((await envelope(postForm(`${emu.webUrl}/resource`))).code).toBe(1);
  });

  it('POST {web}/user answers the guest user', async () => {
    const emu = await emulator();
    expect((await envelope(postForm(`${emu.webUrl}/user`))).data).toEqual({ id: null, username: 'guest', token: null, timeout: -1 });
  });
});

describe('login required', () => {
  it('form login returns the token in the Magic-Token response header: MD5("user||password"), the same every time', async () => {
    const emu = await emulator({ credentials: CREDENTIALS });
    const first = await postForm(`${emu.webUrl}/login`, CREDENTIALS);
    const token = first.headers.get('magic-token');
    expect(token).toBe(md5Hex('admin||s3cret'));
    expect(first.headers.get('access-control-expose-headers')).toBe('Magic-Token');
    expect((await envelope(first)).data).toBe(true);
    expect((await postForm(`${emu.webUrl}/login`, CREDENTIALS)).headers.get('magic-token')).toBe(token);
  });

  it('a wrong password is code 401 "用户名或密码不正确" with HTTP 200', async () => {
    const emu = await emulator({ credentials: CREDENTIALS });
    const response = await postForm(`${emu.webUrl}/login`, { username: 'admin', password: 'nope' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ code: 401, message: '用户名或密码不正确', data: null });
  });

  it('a JSON login body binds no form fields: both blank, so it only checks the Magic-Token header (data false)', async () => {
    const emu = await emulator({ credentials: CREDENTIALS });
    const response = await postJson(`${emu.webUrl}/login`, CREDENTIALS);
    expect(response.headers.get('magic-token')).toBeNull();
    expect(await envelope(response)).toMatchObject({ code: 1, data: false });
    const withToken = await postJson(`${emu.webUrl}/login`, {}, { 'Magic-Token': md5Hex('admin||s3cret') });
    expect((await envelope(withToken)).data).toBe(true);
  });

  it('endpoints without @Valid(requireLogin=false) answer code 401 "token无效" with HTTP 200 until a valid Magic-Token comes', async () => {
    const emu = await emulator({ credentials: CREDENTIALS });
    for (const [method, path] of [['POST', '/resource'], ['GET', '/backups'], ['POST', '/search'], ['POST', '/class']] as const) {
      const response = await fetch(`${emu.webUrl}${path}`, { method });
      expect(response.status).toBe(200);
      expect(await response.json(), `${method} ${path}`).toMatchObject({ code: 401, message: 'token无效' });
    }
    const token = md5Hex('admin||s3cret');
    expect((await envelope(postForm(`${emu.webUrl}/resource`, {}, { 'Magic-Token': token }))).code).toBe(1);
    expect((await envelope(postForm(`${emu.webUrl}/resource`, {}, { 'Magic-Token': `${token}x` }))).code).toBe(401);
    // `Authorization: Bearer` is not read: Magic-Token is the only header (Constants.MAGIC_TOKEN_HEADER)
    expect((await envelope(postForm(`${emu.webUrl}/resource`, {}, { Authorization: `Bearer ${token}` }))).code).toBe(401);
  });

  it('classes, classes.txt, config.json, logout and user APIs need no token', async () => {
    const emu = await emulator({ credentials: CREDENTIALS });
    expect((await envelope(postForm(`${emu.webUrl}/classes`))).code).toBe(1);
    expect((await get(`${emu.webUrl}/classes.txt`)).status).toBe(200);
    expect((await get(`${emu.webUrl}/config.json`)).status).toBe(200);
    expect((await envelope(postForm(`${emu.webUrl}/logout`))).code).toBe(1);
    expect((await envelope(get(`${emu.baseUrl}/user/list`))).code).toBe(1);
  });

  it('POST {web}/user with a valid token answers the configured user (timeout -1: never expires)', async () => {
    const emu = await emulator({ credentials: CREDENTIALS });
    const token = md5Hex('admin||s3cret');
    expect((await envelope(postForm(`${emu.webUrl}/user`, {}, { 'Magic-Token': token }))).data).toEqual({ id: 'admin', username: 'admin', token, timeout: -1 });
  });

  it('the console refuses a bad token with login_response,0 and keeps the socket open', async () => {
    const emu = await emulator({ credentials: CREDENTIALS });
    const client = await ConsoleClient.open(emu.consoleUrl);
    expect(await client.login('unauthorization', clientId())).toBe('login_response,0');
    const id = clientId();
    const answer = await client.login(md5Hex('admin||s3cret'), id);
    expect(answer.startsWith('login_response,1,')).toBe(true);
    expect(frameJson(answer, 1)).toMatchObject({ cid: id, id: 'admin', username: 'admin' });
    expect(client.closed).toBeUndefined();
  });

  it('with the default interceptor a pong never brings refresh_token (MagicUser timeout -1)', async () => {
    const emu = await emulator({ credentials: CREDENTIALS });
    const { client } = await ConsoleClient.loggedIn(emu.consoleUrl, md5Hex('admin||s3cret'));
    client.send('pong');
    client.send('login,x,y'); // a frame after the pong, answered: the pong has been handled by then
    await client.waitFor((frame) => frame === 'login_response,0', 'the second login to be refused');
    expect(client.frames.some((frame) => frame.startsWith('refresh_token'))).toBe(false);
  });
});

describe('expiring tokens (tokenLifetimeSeconds: a custom AuthorizationInterceptor)', () => {
  it('each login issues a new token; an expired one is code 401 "token无效"', async () => {
    const emu = await emulator({ credentials: CREDENTIALS, tokenLifetimeSeconds: 3600 });
    const first = (await postForm(`${emu.webUrl}/login`, CREDENTIALS)).headers.get('magic-token') as string;
    const second = (await postForm(`${emu.webUrl}/login`, CREDENTIALS)).headers.get('magic-token') as string;
    expect(first).not.toBe(second);
    expect((await envelope(postForm(`${emu.webUrl}/resource`, {}, { 'Magic-Token': first }))).code).toBe(1);
    emu.harness.expireTokens();
    expect(await envelope(postForm(`${emu.webUrl}/resource`, {}, { 'Magic-Token': first }))).toMatchObject({ code: 401, message: 'token无效' });
  });

  it('a pong within 60 s of expiry is answered with refresh_token,<new token>, which the HTTP side then accepts', async () => {
    const emu = await emulator({ credentials: CREDENTIALS, tokenLifetimeSeconds: 30 });
    const token = (await postForm(`${emu.webUrl}/login`, CREDENTIALS)).headers.get('magic-token') as string;
    const { client } = await ConsoleClient.loggedIn(emu.consoleUrl, token);
    client.send('pong');
    const frame = await client.waitFor((f) => f.startsWith('refresh_token,'), 'refresh_token');
    const fresh = frame.slice('refresh_token,'.length);
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh).not.toBe(token);
    expect((await envelope(postForm(`${emu.webUrl}/resource`, {}, { 'Magic-Token': fresh }))).code).toBe(1);
  });

  it('a pong long before expiry brings nothing', async () => {
    const emu = await emulator({ credentials: CREDENTIALS, tokenLifetimeSeconds: 3600 });
    const token = (await postForm(`${emu.webUrl}/login`, CREDENTIALS)).headers.get('magic-token') as string;
    const { client } = await ConsoleClient.loggedIn(emu.consoleUrl, token);
    client.send('pong');
    client.send('login,x,y');
    await client.waitFor((f) => f === 'login_response,0', 'the probe login');
    expect(client.frames.some((f) => f.startsWith('refresh_token'))).toBe(false);
  });

  it('needs credentials and whole seconds', async () => {
    await expect(emulator({ tokenLifetimeSeconds: 5 })).rejects.toThrow(/needs credentials/);
    await expect(emulator({ credentials: CREDENTIALS, tokenLifetimeSeconds: 0.5 })).rejects.toThrow(/whole number/);
  });

  it('the console session ends its user at the pong timeout regardless of the token', async () => {
    const emu = await emulator({ credentials: CREDENTIALS, tokenLifetimeSeconds: 3600, pingIntervalMs: 100, pongTimeoutMs: 300 });
    const token = (await postForm(`${emu.webUrl}/login`, CREDENTIALS)).headers.get('magic-token') as string;
    const { client } = await ConsoleClient.loggedIn(emu.consoleUrl, token);
    const closed = await client.waitClosed(5000);
    expect(closed.code).toBe(4500);
    await waitUntil(() => emu.harness.onlineClientIds().length === 0, 'the session to be dropped');
  });
});
