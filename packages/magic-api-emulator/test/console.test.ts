/**
 * The console WebSocket `{web}/console`. Sources: core/config/WebSocketSessionManager.java (sessions, ping and
 * keep-alive 198-213, buildMessage 132-146), core/handler/MagicWebSocketDispatcher.java (dispatch 268-305,
 * afterConnectionClosed 317-325), core/handler/MagicWorkbenchHandler.java (login 39-79, pong 89-103),
 * core/handler/MagicCoordinationHandler.java (set_file_id), core/context/MagicConsoleSession.java (close 4500),
 * Spring's TextWebSocketHandler (binary → 1003) and Tomcat's WsFrameBase (8192-char text buffer → 1009).
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConsoleClient, clientId, emulator, frameJson, waitUntil } from './helpers.js';

describe('login', () => {
  it('login,<token>,<clientId> → login_response,1,{cid,id,ip,username} then online_users,[…] (guest: id "guest", username "游客")', async () => {
    const emu = await emulator();
    const client = await ConsoleClient.open(emu.consoleUrl);
    const id = clientId();
    const answer = await client.login('unauthorization', id);
    expect(frameJson(answer, 1)).toEqual({ cid: id, id: 'guest', ip: '127.0.0.1', username: '游客' });
    // the JSON is pretty-printed, keys in HashMap order
    expect(answer).toBe(`login_response,1,{\n  "ip" : "127.0.0.1",\n  "id" : "guest",\n  "cid" : "${id}",\n  "username" : "游客"\n}`);
    const online = await client.waitFor((frame) => frame.startsWith('online_users,'), 'online_users');
    expect(frameJson(online)).toEqual([{ cid: id, id: 'guest', ip: '127.0.0.1', username: '游客' }]);
  });

  it('the ip comes from X-Forwarded-For and friends first (IpUtils.getRealIP)', async () => {
    const emu = await emulator();
    const client = await ConsoleClient.open(emu.consoleUrl, { headers: { 'X-Forwarded-For': 'unknown, 10.1.2.3' } });
    expect(frameJson(await client.login('t', clientId()), 1)).toMatchObject({ ip: '10.1.2.3' });
  });

  it('a client id already registered → login_response,-1; the socket stays open but unregistered', async () => {
    const emu = await emulator();
    const id = clientId();
    const first = await ConsoleClient.open(emu.consoleUrl);
    await first.login('t', id);
    const second = await ConsoleClient.open(emu.consoleUrl);
    expect(await second.login('t', id)).toBe('login_response,-1');
    expect(second.closed).toBeUndefined();
    expect(emu.harness.onlineClientIds()).toEqual([id]);
    // a fresh id on the same socket works
    expect((await second.login('t', clientId())).startsWith('login_response,1,')).toBe(true);
  });

  it('closing the socket that got -1 unregisters the client id it tried — the other socket\'s (remove(clientId))', async () => {
    const emu = await emulator();
    const id = clientId();
    const holder = await ConsoleClient.open(emu.consoleUrl);
    await holder.login('t', id);
    const loser = await ConsoleClient.open(emu.consoleUrl);
    await loser.login('t', id);
    loser.socket.close(1000);
    await waitUntil(() => emu.harness.onlineClientIds().length === 0, 'the id to be unregistered');
    // the holder still has its socket but logs for `id` find no session now
    expect(holder.closed).toBeUndefined();
  });

  it('others hear user_login; when a socket closes, the others hear user_logout with its attributes', async () => {
    const emu = await emulator();
    const { client: watcher } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    const { client: comer, id } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    expect(frameJson(await watcher.waitFor((f) => f.startsWith('user_login,'), 'user_login'))).toMatchObject({ cid: id });
    expect(comer.frames.some((f) => f.startsWith('user_login,'))).toBe(false);
    const online = await comer.waitFor((f) => f.startsWith('online_users,'), 'online_users');
    expect((frameJson(online) as unknown[]).length).toBe(2);
    comer.socket.close(1000);
    expect(frameJson(await watcher.waitFor((f) => f.startsWith('user_logout,'), 'user_logout'))).toMatchObject({ cid: id });
  });

  it('login,<token> alone takes the token as the client id too (the last argument repeats)', async () => {
    const emu = await emulator();
    const client = await ConsoleClient.open(emu.consoleUrl);
    client.send('login,abc');
    const answer = await client.waitFor((f) => f.startsWith('login_response,'), 'login_response');
    expect(frameJson(answer, 1)).toMatchObject({ cid: 'abc' });
  });
});

describe('keep-alive', () => {
  it('the server sends text `ping` to every logged-in session each interval; one that answers `pong` stays', async () => {
    const emu = await emulator({ pingIntervalMs: 100, pongTimeoutMs: 400 });
    const { client: client } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    client.socket.on('message', (data) => {
      if (data.toString() === 'ping') client.send('pong');
    });
    await waitUntil(() => client.frames.filter((f) => f === 'ping').length >= 8, 'eight pings', 10_000);
    expect(client.closed).toBeUndefined();
  });

  it('a session silent longer than the timeout is closed with 4500 (SESSION_NOT_RELIABLE) and the others hear user_logout', async () => {
    const emu = await emulator({ pingIntervalMs: 100, pongTimeoutMs: 300 });
    const { client: keeper } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    keeper.socket.on('message', (data) => {
      if (data.toString() === 'ping') keeper.send('pong');
    });
    const { client: silent, id } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    const closed = await silent.waitClosed(5000);
    expect(closed.code).toBe(4500);
    expect(silent.frames.includes('ping')).toBe(true);
    expect(frameJson(await keeper.waitFor((f) => f.startsWith('user_logout,') && f.includes(id), 'user_logout'))).toMatchObject({ cid: id });
    expect(keeper.closed).toBeUndefined();
  });

  it('a client `ping` is not answered (no handler), and the server never sends `pong`', async () => {
    const emu = await emulator();
    const { client: client } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    client.send('ping');
    client.send('login,probe,probe');
    await client.waitFor((f) => f.startsWith('login_response,1'), 'the probe login', 5000, 2);
    expect(client.frames.some((f) => f === 'pong')).toBe(false);
  });

  it('sessions that never logged in get no ping (only registered sessions are checked)', async () => {
    const emu = await emulator({ pingIntervalMs: 50, pongTimeoutMs: 100_000 });
    const client = await ConsoleClient.open(emu.consoleUrl);
    const { client: logged } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    await waitUntil(() => logged.frames.filter((f) => f === 'ping').length >= 3, 'pings to the logged-in socket');
    expect(client.frames).toEqual([]);
  });

  it('WebSocket protocol pings are answered with pongs (the container does it)', async () => {
    const emu = await emulator();
    const client = await ConsoleClient.open(emu.consoleUrl);
    const pong = new Promise<Buffer>((resolve) => client.socket.once('pong', resolve));
    client.socket.ping(Buffer.from('are-you-there'));
    expect((await pong).toString()).toBe('are-you-there');
  });
});

describe('other messages', () => {
  it('set_file_id,<id> tells the others into_file_id,<cid>,<id>', async () => {
    const emu = await emulator();
    const { client: watcher } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    const { client: editor, id } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    editor.send('set_file_id,abc123');
    expect(await watcher.waitFor((f) => f.startsWith('into_file_id,'), 'into_file_id')).toBe(`into_file_id,${id},abc123`);
  });

  it('send_online and unknown or upper-case types answer nothing (one instance has no other machines)', async () => {
    const emu = await emulator();
    const { client: client } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    await client.waitFor((f) => f.startsWith('online_users'), 'online_users');
    const before = client.frames.length;
    for (const frame of ['send_online', 'send_online,x', 'LOGIN,t,c', 'hello', '', ',,,', 'resume_breakpoint,nothing,1,2', 'set_breakpoint,x,abc']) client.send(frame);
    client.send('login,probe2,probe2');
    await client.waitFor((f) => f.startsWith('login_response,1') && f.includes('probe2'), 'the probe login', 5000, before);
    // The server answers a socket's frames in order, so the probe's two answers come after anything the earlier
    // frames caused; its online_users is sent just after its login_response, so wait for it before counting.
    const probeAt = client.frames.findIndex((f, index) => index >= before && f.startsWith('login_response,1') && f.includes('probe2'));
    await client.waitFor((f) => f.startsWith('online_users'), 'the probe online_users', 5000, probeAt + 1);
    expect(client.frames.slice(before)).toHaveLength(2); // login_response and online_users of the probe
  });

  it('a binary frame closes the session with 1003 "Binary messages not supported"', async () => {
    const emu = await emulator();
    const client = await ConsoleClient.open(emu.consoleUrl);
    client.socket.send(Buffer.from([1, 2, 3]));
    expect(await client.waitClosed()).toEqual({ code: 1003, reason: 'Binary messages not supported' });
  });

  it('a text message over 8192 characters closes with 1009 (Tomcat\'s text buffer; the handler takes whole messages)', async () => {
    const emu = await emulator();
    const client = await ConsoleClient.open(emu.consoleUrl);
    client.send('x'.repeat(8192));
    client.send('y'.repeat(8193));
    const closed = await client.waitClosed();
    expect(closed.code).toBe(1009);
    const texts = emu.harness.connections()[0]?.frames.filter((frame) => frame.direction === 'client' && frame.kind === 'text') ?? [];
    expect(texts).toHaveLength(2);
  });

  it('invalid UTF-8 closes with 1007', async () => {
    const emu = await emulator();
    const client = await ConsoleClient.open(emu.consoleUrl);
    // a text frame whose payload is not UTF-8: write it raw
    const socket = (client.socket as unknown as { _socket: import('node:net').Socket })._socket;
    socket.write(Buffer.from([0x81, 0x82, 0x00, 0x00, 0x00, 0x00, 0xc3, 0x28]));
    expect((await client.waitClosed()).code).toBe(1007);
  });

  it('a plain GET on the console path is refused by the handshake handler (400), other methods 405', async () => {
    const emu = await emulator();
    const plain = await fetch(emu.consoleUrl.replace('ws:', 'http:'), { signal: AbortSignal.timeout(5000) });
    expect(plain.status).toBe(400);
    expect(await plain.text()).toBe('Can "Upgrade" only to "WebSocket".');
    const post = await fetch(emu.consoleUrl.replace('ws:', 'http:'), { method: 'POST', signal: AbortSignal.timeout(5000) });
    expect(post.status).toBe(405);
  });

  it('no WebSocket elsewhere: an upgrade on another path is an ordinary 404', async () => {
    const emu = await emulator();
    const socket = new WebSocket(`${emu.baseUrl.replace('http:', 'ws:')}/magic/web/other`);
    socket.on('error', () => {});
    const status = await new Promise<number>((resolve) => socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    socket.terminate();
    expect(status).toBe(404);
  });

  it('the harness records every frame both ways, close frames included, per connection', async () => {
    const emu = await emulator();
    const { client: client, id } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    client.socket.close(1000, 'bye');
    await waitUntil(() => emu.harness.connections()[0]?.open === false, 'the close');
    const frames = emu.harness.connections()[0]?.frames ?? [];
    expect(frames.map((f) => `${f.direction}:${f.kind}`)).toEqual(['client:text', 'server:text', 'server:text', 'client:close']);
    expect(frames.at(-1)).toMatchObject({ code: 1000, reason: 'bye' });
    expect(emu.harness.framesTo(id).map((f) => (f.kind === 'text' ? f.data.split(',')[0] : f.kind))).toEqual(['login_response', 'online_users']);
  });

  it('stopping the emulator closes console sockets with 1001', async () => {
    const emu = await emulator();
    const { client: client } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    await emu.close();
    expect((await client.waitClosed()).code).toBe(1001);
  });
});
