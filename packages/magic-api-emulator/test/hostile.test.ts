/**
 * Hostile and odd input at every boundary: bodies, headers, never-finishing requests, many sockets.
 * Where the limit is the container's (Tomcat 9: 8 KB of headers → 400, 2 MB form bodies are not parsed) the
 * emulator does the same; its own 32 MB body cap is protection and says so.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConsoleClient, clientId, emulator, envelope, get, postForm, waitUntil } from './helpers.js';

/** Send `head` (then `bodyBytes` of "a" in chunks) on a raw socket; resolve with what came back until the first blank line. */
function rawRequest(port: number, head: string, bodyBytes = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 15 s; got ${JSON.stringify(received.slice(0, 200))}`));
    }, 15_000);
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) finish();
    });
    socket.on('error', () => (received ? finish() : undefined));
    socket.on('close', () => (received ? finish() : undefined));
    socket.on('connect', async () => {
      socket.write(head);
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      for (let sent = 0; sent < bodyBytes && !socket.destroyed && !received; sent += chunk.length) {
        if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
      }
    });
  });
}

describe('HTTP', () => {
  it('headers over 8 KB are refused with 400 (Tomcat maxHttpHeaderSize)', async () => {
    const emu = await emulator();
    const head = `POST /magic/web/resource HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(9000)}\r\nContent-Length: 0\r\n\r\n`;
    expect((await rawRequest(emu.port, head)).split('\r\n')[0]).toMatch(/^HTTP\/1\.1 400/);
  });

  it('a form body over 2 MB is not parsed into parameters (Tomcat maxPostSize): search sees no keyword', async () => {
    const emu = await emulator();
    const answer = await envelope(postForm(`${emu.webUrl}/search`, { keyword: 'log', pad: 'x'.repeat(2 * 1024 * 1024) }));
    expect(answer).toMatchObject({ code: 1, data: [] });
  });

  it('a body over the emulator\'s own 32 MB cap is 413 with X-Magic-Api-Emulator (the real server would read it)', async () => {
    const warnings: string[] = [];
    const emu = await emulator({ warn: (message) => warnings.push(message) });
    const size = 33 * 1024 * 1024;
    const answer = await rawRequest(emu.port, `POST /magic/web/resource/file/api/save HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`, size);
    expect(answer.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 413/);
    expect(answer.toLowerCase()).toContain('x-magic-api-emulator: body-too-large');
    expect(warnings.some((warning) => warning.includes('32'))).toBe(true);
    // the emulator still answers afterwards
    expect((await envelope(postForm(`${emu.webUrl}/resource`))).code).toBe(1);
  });

  it('garbage in every parameter of every mutating endpoint is answered with an envelope, never a crash', async () => {
    const emu = await emulator();
    const junk = ['', ' ', '\u0000', '../..', 'x'.repeat(5000), '{"a":1}', '💥'];
    for (const path of ['/resource/delete', '/resource/move', '/resource/lock', '/resource/unlock', '/resource/folder/copy', '/backup/rollback', '/search', '/class', '/login']) {
      for (const value of junk) {
        const response = await postForm(`${emu.webUrl}${path}`, { id: value, src: value, groupId: value, target: value, timestamp: value, keyword: value, className: value, username: value, password: value });
        expect(response.status, `${path} ${JSON.stringify(value)}`).toBe(200);
        expect(typeof ((await response.json()) as { code: unknown }).code).toBe('number');
      }
    }
    expect((await envelope(get(`${emu.baseUrl}/user/list`))).code).toBe(1);
  });

  it('a request that never finishes its body does not hold close()', async () => {
    const emu = await emulator();
    const socket = connect(emu.port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('POST /magic/web/resource HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc');
    await waitUntil(() => emu.harness.requests().length === 1, 'the request to arrive');
    const closed = emu.close();
    await expect(Promise.race([closed.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('stuck'), 5000))])).resolves.toBe('closed');
    socket.destroy();
  });

  it('many concurrent user-API calls each get their own answer', async () => {
    const emu = await emulator();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => envelope<{ page: number }>(get(`${emu.baseUrl}/user/list?page=${i + 1}`))));
    expect(answers.map((answer) => answer.data.page)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('the harness counts HTTP sockets: a keep-alive client reuses one', async () => {
    const emu = await emulator();
    for (let i = 0; i < 5; i++) await (await get(`${emu.baseUrl}/user/list`)).text();
    const { open, total, log } = emu.harness.sockets();
    expect(total).toBeGreaterThanOrEqual(1);
    expect(total).toBeLessThan(5);
    expect(open).toBeLessThanOrEqual(total);
    expect(log.every((record) => record.kind === 'http')).toBe(true);
  });

  it('the socket log tells console connections from HTTP ones, with their close times', async () => {
    const emu = await emulator();
    const { client } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    await (await get(`${emu.baseUrl}/user/list`, { Connection: 'close' })).text();
    client.socket.close(1000);
    await client.waitClosed();
    await waitUntil(() => emu.harness.sockets().log.every((record) => record.closedAt !== undefined), 'every socket to close');
    const kinds = emu.harness.sockets().log.map((record) => record.kind).sort();
    expect(kinds).toEqual(['console', 'http']);
  });
});

describe('console', () => {
  it('many sockets, each with its own id, are all registered and all listed in online_users', async () => {
    const emu = await emulator();
    const clients = await Promise.all(Array.from({ length: 20 }, () => ConsoleClient.open(emu.consoleUrl)));
    const ids = clients.map(() => clientId());
    await Promise.all(clients.map((client, index) => client.login('t', ids[index] as string)));
    expect(emu.harness.onlineClientIds().sort()).toEqual([...ids].sort());
    const last = clients.at(-1) as ConsoleClient;
    const online = await last.waitFor((frame) => frame.startsWith('online_users,'), 'online_users');
    expect(online.length).toBeGreaterThan(20 * 40);
  });

  it('a flood of frames is handled in order without losing any (one message at a time per socket)', async () => {
    const emu = await emulator();
    const { client: watcher } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    const { client: editor } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    for (let i = 0; i < 500; i++) editor.send(`set_file_id,f${i}`);
    await waitUntil(() => watcher.frames.filter((frame) => frame.startsWith('into_file_id,')).length === 500, '500 into_file_id frames', 10_000);
    const ids = watcher.frames.filter((frame) => frame.startsWith('into_file_id,')).map((frame) => frame.split(',')[2]);
    expect(ids).toEqual(Array.from({ length: 500 }, (_, i) => `f${i}`));
  });

  it('a reset socket (no close frame) is dropped: the server sees 1006 and the others hear user_logout', async () => {
    const emu = await emulator();
    const { client: watcher } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    const { client: victim, id } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    const connection = emu.harness.connections().find((c) => c.loginClientIds.includes(id));
    expect(emu.harness.severConsole(connection?.id as number, 'reset')).toBe(true);
    await watcher.waitFor((frame) => frame.startsWith('user_logout,') && frame.includes(id), 'user_logout');
    expect(connection?.frames.at(-1)).toMatchObject({ direction: 'client', kind: 'close', code: 1006 });
  });

  it('a silenced (half-open) socket hears nothing more; the server pings into the void and drops it at the timeout', async () => {
    const emu = await emulator({ pingIntervalMs: 50, pongTimeoutMs: 200 });
    const { client: client, id } = await ConsoleClient.loggedIn(emu.consoleUrl, 't');
    const connection = emu.harness.connections().find((c) => c.loginClientIds.includes(id));
    emu.harness.severConsole(connection?.id as number, 'silence');
    const heard = client.frames.length;
    await waitUntil(() => emu.harness.onlineClientIds().length === 0, 'the server to drop the session', 5000);
    expect(client.frames.length).toBe(heard);
    expect(client.closed).toBeUndefined();
    expect(connection?.frames.some((frame) => frame.kind === 'text' && frame.dropped === true)).toBe(true);
  });
});
