// The resource-manager listed after the websocket-manager in one spawned host: its shutdown tap runs after
// the websocket-manager's, as the original closed its HTTP session after the WebSocket.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { expect, onTestFinished, test } from 'vitest';
import { WebSocketServer } from 'ws';
import { waitUntil } from '@mcp-host/testing';
import { handshake, listenForTest, spawnHost, tempDir, writeFiles } from '../src/index.js';

test('listed after the websocket-manager, its shutdown tap runs after it: the WebSocket closes before the HTTP session', async () => {
  // When each backend's TCP connection is let go of by the host (the first of 'end' — its FIN — or 'close' on
  // the raw socket), in the order this process observes them. The socket-level event is the one to order by:
  // the host sends the WebSocket's FIN before its tap resolves, so before the next tap starts; the ws library's
  // own 'close' event comes some ticks later and can lose a race it has no part in.
  const events: string[] = [];
  let wsCloseCode: number | undefined;
  const once = (socket: Socket, event: string) => {
    let seen = false;
    const record = () => {
      if (!seen) events.push(event);
      seen = true;
    };
    socket.once('end', record);
    socket.once('close', record);
  };

  const wsServer = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wsServer.once('listening', resolve));
  wsServer.on('connection', (socket, request) => {
    events.push('ws open');
    once(request.socket as Socket, 'ws socket closed');
    socket.on('error', () => {});
    socket.on('close', (code) => (wsCloseCode = code));
  });
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wsServer.clients) client.terminate();
        wsServer.close(() => resolve());
      }),
  );

  const http: Server = createServer((request, response) => {
    if (request.url === '/resources.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ uri: 'backend://doc', name: 'doc', path: '/doc' }]));
    } else {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('document');
    }
  });
  http.on('connection', (socket) => once(socket, 'http socket closed'));
  const { port: httpPort } = await listenForTest(http);

  const dir = await tempDir();
  await writeFiles(dir, {
    'docs/a.md': 'a',
    'mcp-host.config.json': {
      plugins: [
        ['@mcp-host/plugin-websocket-manager', { connections: [{ name: 'magic', url: `ws://127.0.0.1:${(wsServer.address() as AddressInfo).port}/magic/web/console` }] }],
        [
          '@mcp-host/plugin-resource-manager',
          {
            sources: [
              { name: 'docs', type: 'directory', path: './docs' },
              { name: 'api', type: 'http', baseUrl: `http://127.0.0.1:${httpPort}`, uriPrefix: 'backend://' },
            ],
          },
        ],
      ],
    },
  });

  const host = spawnHost(['start', '--debug'], { cwd: dir });
  handshake(host);
  host.send({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'backend://doc' } });
  host.send({ jsonrpc: '2.0', id: 2, method: 'resources/list', params: {} });
  await host.waitFor(() => host.messages().filter((message) => message.id === 1 || message.id === 2).length === 2, 'the read and the listing');
  expect(host.messages().find((message) => message.id === 1).result.contents[0]).toMatchObject({ text: 'document' });
  await waitUntil(() => events.includes('ws open'), 'the WebSocket to open', 10_000);
  expect(events.filter((event) => event === 'http socket closed')).toEqual([]);

  host.child.stdin!.end();
  const { code } = await host.exited;
  expect(code).toBe(0);
  const report = host.stderr().slice(host.stderr().lastIndexOf('mcp-host: shutting down (stdin-closed)'));
  expect(report).toMatch(/1\. websocket-manager\s+ok[\s\S]*2\. resource-manager\s+ok/);
  expect(host.stderr()).toContain('nothing left open after shutdown (debug)');
  await waitUntil(() => events.includes('http socket closed') && events.includes('ws socket closed') && wsCloseCode !== undefined, 'both backends to see their connections closed', 10_000);
  // The WebSocket was closed (going away, 1001) before the resource-manager let go of its HTTP agent.
  expect(wsCloseCode).toBe(1001);
  expect(events.filter((event) => event !== 'ws open')).toEqual(['ws socket closed', 'http socket closed']);
});
