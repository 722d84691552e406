// The websocket-manager plugin through the real CLI: a config in a temp dir names the package, which
// resolves from the host's own installation; real ws servers and a raw TCP peer stand in for backends.
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { waitUntil as waitUntilKit } from '@mcp-host/testing';
import { expect, onTestFinished, test } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { ROOT, connectClient, connectInProcess, freePort, handshake, isAlive, listenForTest, runCliInProcess, sleep, spawnHost, tempDir, writeFiles } from '../src/index.js';

const PLUGIN = '@mcp-host/plugin-websocket-manager';

const waitUntil = (predicate: () => boolean, what: string, timeoutMs = 10_000) => waitUntilKit(predicate, what, timeoutMs, 10);

interface Peer {
  socket: WebSocket;
  received: string[];
  closed: Promise<{ code: number; reason: string }>;
}

/** A real ws backend on 127.0.0.1:0, closed when the test ends. */
async function startBackend(onConnection?: (peer: Peer) => void) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const peers: Peer[] = [];
  server.on('connection', (socket) => {
    const received: string[] = [];
    socket.on('message', (data) => received.push(data.toString()));
    socket.on('error', () => {});
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    const peer = { socket, received, closed };
    peers.push(peer);
    onConnection?.(peer);
  });
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const { socket } of peers) socket.terminate();
        server.close(() => resolve());
      }),
  );
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/magic/web/console`, peers };
}

/** A raw TCP peer: completes the WebSocket handshake, then never answers anything (no pong, no close frame). */
async function startSilentPeer() {
  const state = { handshakes: 0, ended: 0 };
  const server = createServer((socket) => {
    let request = '';
    let upgraded = false;
    socket.on('data', (chunk) => {
      if (upgraded) return;
      request += chunk.toString('latin1');
      if (!request.includes('\r\n\r\n')) return;
      const key = /^sec-websocket-key:\s*(.+)$/im.exec(request)?.[1]?.trim() ?? '';
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      upgraded = true;
      state.handshakes++;
    });
    socket.on('error', () => {});
    socket.on('close', () => state.ended++);
  });
  const { port } = await listenForTest(server);
  return Object.assign(state, { url: `ws://127.0.0.1:${port}/` });
}

function config(options: object, extra: object = {}) {
  return { plugins: [[PLUGIN, options]], ...extra };
}

function firstText(result: unknown): string {
  return ((result as { content: { text: string }[] }).content[0]?.text) ?? '';
}

/**
 * Answers the console login as Magic-API's MagicWorkbenchHandler.onLogin does for a token its interceptor knows
 * (`login_response,1,<session attributes>`, else `login_response,0`), then, as for a request that named this client id,
 * one log line as WebSocketSessionManager.flushLog sends it (`log,["…"]`).
 */
function magicConsole(token: string) {
  return (peer: Peer) =>
    peer.socket.on('message', (data) => {
      const [type, given, clientId] = data.toString().split(',');
      if (type !== 'login') return;
      if (given !== token) return peer.socket.send('login_response,0');
      peer.socket.send(`login_response,1,${JSON.stringify({ cid: clientId, id: 'u1', ip: '127.0.0.1', username: 'ops' })}`);
      peer.socket.send(`log,${JSON.stringify(['[INFO] backend ready'])}`);
    });
}

test('the MCP tools end to end through a spawned host; closing stdin closes the backend socket with 1001', async () => {
  const backend = await startBackend(magicConsole('secret-token'));
  const dir = await tempDir();
  await writeFiles(dir, {
    'mcp-host.config.json': config({
      connections: [{ name: 'magic', url: backend.url, protocol: 'magic-api', auth: { token: '${MAGIC_API_TOKEN}' } }],
    }),
  });
  const { client, pid, stderr } = await connectClient(['start'], { cwd: dir, env: { MAGIC_API_TOKEN: 'secret-token' } });
  await waitUntil(() => backend.peers[0]?.received.length === 1, 'the login');
  expect(backend.peers[0]!.received[0]).toMatch(/^login,secret-token,[0-9a-f]{16}$/);

  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name).sort()).toEqual(['ws_connections', 'ws_messages', 'ws_send']);

  // Open once the login was accepted.
  let connections: any;
  for (let tries = 0; tries < 200 && connections?.connections[0]?.state !== 'open'; tries++) {
    if (tries > 0) await sleep(20);
    connections = JSON.parse(firstText(await client.callTool({ name: 'ws_connections', arguments: {} })));
  }
  const clientId = /^login,secret-token,([0-9a-f]{16})$/.exec(backend.peers[0]!.received[0]!)![1];
  expect(connections.connections).toMatchObject([{ name: 'magic', url: backend.url, protocol: 'magic-api', state: 'open', reconnects: 0, console: { clientId, login: 'ok', username: 'ops' } }]);

  // As RequestHandler.processException sends a script error of a request that named this client.
  backend.peers[0]!.socket.send(`exception,${JSON.stringify(['script-1', 'NullPointerException', [3, 3, 1, 9]])}`);
  // Polled through the tool itself: the message arrives asynchronously.
  let messages: any;
  for (let tries = 0; tries < 200 && messages?.returned !== 1; tries++) {
    if (tries > 0) await sleep(20);
    messages = JSON.parse(firstText(await client.callTool({ name: 'ws_messages', arguments: { type: 'EXCEPTION' } })));
  }
  expect(messages.messages).toMatchObject([{ seq: 3, type: 'EXCEPTION', data: { scriptId: 'script-1', message: 'NullPointerException', range: [3, 3, 1, 9] } }]);
  const all = JSON.parse(firstText(await client.callTool({ name: 'ws_messages', arguments: { connection: 'magic', since: '-1m' } })));
  expect(all.messages.map((message: { type: string }) => message.type)).toEqual(['LOGIN_RESPONSE', 'LOG', 'EXCEPTION']);
  expect(all.messages[1].data).toEqual({ lines: ['[INFO] backend ready'] });

  const sent = await client.callTool({ name: 'ws_send', arguments: { connection: 'magic', data: 'set_file_id,abc' } });
  expect(sent.isError).toBeFalsy();
  await waitUntil(() => backend.peers[0]!.received.includes('set_file_id,abc'), 'the sent message');

  const unknown = await client.callTool({ name: 'ws_send', arguments: { connection: 'nope', data: 'x' } });
  expect(unknown.isError).toBe(true);
  expect(firstText(unknown)).toMatch(/Unknown connection "nope"/);

  await client.close();
  await waitUntil(() => !isAlive(pid), 'the host process to be gone');
  expect(stderr()).toMatch(/exit code 0/);
  expect(await backend.peers[0]!.closed).toEqual({ code: 1001, reason: 'host shutting down' });
  expect(stderr()).toMatch(/\[websocket-manager\] info: magic: closed 1001 \(clean\)/);
  // The token went out in the login, never into the logs.
  expect(stderr()).not.toContain('secret-token');
});

test('a peer that never answers the close frame: the host still exits within closeTimeoutMs and a margin', async () => {
  const peer = await startSilentPeer();
  const dir = await tempDir();
  const closeTimeoutMs = 300;
  await writeFiles(dir, { 'mcp-host.config.json': config({ connections: [{ name: 'mute', url: peer.url, closeTimeoutMs, heartbeat: false }] }) });
  const host = spawnHost(['start', '--debug'], { cwd: dir });
  handshake(host);
  await host.waitFor(() => host.messages().some((message) => message.id === 0), 'the initialize reply');
  // The peer answered the handshake; wait until the host has read that answer too.
  await host.waitFor(() => /mute: connected to/.test(host.stderr()), 'the connection to open');
  expect(peer.handshakes).toBe(1);
  const closedAt = Date.now();
  host.child.stdin!.end();
  const { code, at } = await host.exited;
  expect(code).toBe(0);
  expect(host.stderr()).toMatch(/mute: terminated after \d+ ms \(no answer to the close frame within closeTimeoutMs 300\)/);
  // Without a bound ws waits 30 s for the answer. The margin is generous for a loaded CI machine.
  expect(at - closedAt).toBeLessThan(closeTimeoutMs + 2500);
  // --debug lists the handles still open after the taps: the terminated socket is not among them.
  expect(host.stderr()).toContain('nothing left open after shutdown');
  await waitUntil(() => peer.ended === 1, 'the peer to see the socket go');
});

test('a second plugin tapped after websocket-manager finds the WebSocket already closed in its shutdown tap', async () => {
  const backend = await startBackend();
  const dir = await tempDir();
  const pluginUrl = pathToFileURL(path.join(ROOT, 'plugins/websocket-manager/dist/index.js')).href;
  await writeFiles(dir, {
    'observer.mjs': `
import { WS_MANAGER } from ${JSON.stringify(pluginUrl)};
export default {
  name: 'observer',
  apply(host) {
    const manager = host.inject(WS_MANAGER);
    host.hooks.shutdown.tapPromise('observer', async () => {
      const connection = manager.get('backend');
      host.logger.info('observed state=%s readyState=%d', connection.state, connection.readyState);
    });
  },
};
`,
    'mcp-host.config.json': { plugins: [[PLUGIN, { connections: [{ name: 'backend', url: backend.url }] }], './observer.mjs'] },
  });
  // Tap order is the host's logic: in-process, through the embedding API.
  const { host, stderr } = await connectInProcess({ cwd: dir });
  await waitUntil(() => /backend: connected to/.test(stderr()), 'the connection to open');
  const { exitCode, taps } = await host.shutdown('stdin-closed');
  expect(exitCode).toBe(0);
  expect(stderr()).toContain('[observer] info: observed state=closed readyState=3');
  // The report lists the taps in the order they ran.
  expect(taps.map(({ name, outcome }) => `${name} ${outcome}`)).toEqual(['websocket-manager ok', 'observer ok']);
  expect(await backend.peers[0]!.closed).toMatchObject({ code: 1001 });
});

test('shutdown during a reconnect backoff: the host exits at once and makes no further attempt', async () => {
  const backend = await startBackend((peer) => peer.socket.terminate());
  const dir = await tempDir();
  const initialDelayMs = 5000;
  await writeFiles(dir, { 'mcp-host.config.json': config({ connections: [{ name: 'flaky', url: backend.url, reconnect: { initialDelayMs, jitter: 0 } }] }) });
  const host = spawnHost(['start', '--debug'], { cwd: dir });
  handshake(host);
  await host.waitFor(() => /flaky: connection lost/.test(host.stderr()), 'the dropped connection');
  const closedAt = Date.now();
  host.child.stdin!.end();
  const { code, at } = await host.exited;
  expect(code).toBe(0);
  // It did not sit out the backoff.
  expect(at - closedAt).toBeLessThan(initialDelayMs);
  expect(host.stderr()).toMatch(/flaky: not connected \(backoff\); nothing to close/);
  expect(backend.peers).toHaveLength(1);
  // The backoff timer was cleared, not left to die with the process.
  expect(host.stderr()).toContain('nothing left open after shutdown');
});

test('required: true with the backend down: startup fails with exit 1, naming the plugin and the URL', async () => {
  const url = `ws://127.0.0.1:${await freePort()}/magic/web/console`;
  const dir = await tempDir();
  await writeFiles(dir, { 'mcp-host.config.json': config({ connections: [{ name: 'magic', url, required: true }] }) });
  const host = spawnHost(['start'], { cwd: dir });
  const { code } = await host.exited;
  expect(code).toBe(1);
  expect(host.stderr()).toContain('[plugin websocket-manager] hook start:');
  expect(host.stderr()).toContain(url);
  expect(host.stdout()).toBe('');
});

test('invalid options are config errors (exit 78) naming the key path', async () => {
  const dir = await tempDir();
  await writeFiles(dir, {
    'mcp-host.config.json': config({
      connections: [
        { name: 'magic', url: 'http://127.0.0.1:10712/magic/web/console' },
        { name: 'magic', url: 'ws://127.0.0.1:1/', bufferSize: 0 },
      ],
    }),
  });
  const { code, stderr } = await runCliInProcess(['validate'], { cwd: dir });
  expect(code).toBe(78);
  expect(stderr).toContain('mcp-host.config.json: plugins[0].options.connections[0].url: expected a ws: or wss: URL, got "http://127.0.0.1:10712/magic/web/console"');
  expect(stderr).toContain('plugins[0].options.connections[1].bufferSize');
  // The two connections share a name too: core's uniqueNames refinement names the second.
  expect(stderr).toMatch(/plugins\[0\]\.options\.connections\[1\]\.name: connection name "magic" is used by connections\[0\] already.* \(MCPH_PLUGIN_OPTIONS_INVALID\)/);
});
