// Real backends, and the real host in-process through @mcp-host/testing, for the plugin's tests. Everything
// started here is stopped when the test ends (onTestFinished), so a failing test leaks no socket or port.
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from '@mcp-host/core';
import { callTool, createTestHost, type CreateTestHostOptions, type TestHost, type ToolAnswer } from '@mcp-host/testing';
import { onTestFinished } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import plugin, { WS_MANAGER, type WebSocketManagerOptionsInput, type WebSocketManagerService } from '../src/index.js';

export { freePort, sleep, waitUntil } from '@mcp-host/testing';

export interface ServerConnection {
  socket: WebSocket;
  headers: Record<string, string | string[] | undefined>;
  /** Text messages received from the client, in order. */
  received: string[];
  /** The close code and reason the client sent, once the connection closed. */
  closed: Promise<{ code: number; reason: string }>;
  closedWith: { code: number; reason: string } | undefined;
}

export interface Backend {
  server: WebSocketServer;
  port: number;
  url: string;
  connections: ServerConnection[];
  /** Send to every open connection. */
  broadcast(data: string): void;
  close(): Promise<void>;
}

/** A real `ws` server on 127.0.0.1 (port 0 unless given). `onConnection` runs for each client. */
export async function startBackend(options: { port?: number; path?: string; onConnection?: (connection: ServerConnection) => void } = {}): Promise<Backend> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const connections: ServerConnection[] = [];
  server.on('connection', (socket, request) => {
    let resolveClosed!: (value: { code: number; reason: string }) => void;
    const connection: ServerConnection = {
      socket,
      headers: request.headers,
      received: [],
      closed: new Promise((resolve) => (resolveClosed = resolve)),
      closedWith: undefined,
    };
    socket.on('message', (data, isBinary) => connection.received.push(isBinary ? `<binary ${(data as Buffer).length}>` : data.toString()));
    socket.on('close', (code, reason) => {
      connection.closedWith = { code, reason: reason.toString() };
      resolveClosed(connection.closedWith);
    });
    socket.on('error', () => {});
    connections.push(connection);
    options.onConnection?.(connection);
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const backend: Backend = {
    server,
    port,
    url: `ws://127.0.0.1:${port}${options.path ?? '/'}`,
    connections,
    broadcast(data) {
      for (const { socket } of connections) if (socket.readyState === socket.OPEN) socket.send(data);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const { socket } of connections) socket.terminate();
        server.close(() => resolve());
      });
      return closing;
    },
  };
  onTestFinished(() => backend.close());
  return backend;
}

export interface SilentPeer {
  url: string;
  /** WebSocket handshakes completed. */
  handshakes: number;
  /** Raw bytes received after the handshake, per connection (pings and close frames land here). */
  afterHandshake: number[];
  /** TCP connections the peer saw end (the client destroyed or closed them). */
  ended: number;
  close(): Promise<void>;
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * A raw TCP peer that completes the WebSocket opening handshake and then never says anything again: no
 * pong, no close frame. The kind of backend that kept the original server from shutting down.
 */
export async function startSilentPeer(): Promise<SilentPeer> {
  const sockets = new Set<Socket>();
  const peer: Omit<SilentPeer, 'url' | 'close'> = { handshakes: 0, afterHandshake: [], ended: 0 };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let request = '';
    let index = -1;
    socket.on('data', (chunk) => {
      if (index !== -1) {
        peer.afterHandshake[index]! += chunk.length;
        return;
      }
      request += chunk.toString('latin1');
      if (!request.includes('\r\n\r\n')) return;
      const key = /^sec-websocket-key:\s*(.+)$/im.exec(request)?.[1]?.trim() ?? '';
      const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      index = peer.handshakes++;
      peer.afterHandshake[index] = 0;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      peer.ended++;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const result = Object.assign(peer, {
    url: `ws://127.0.0.1:${port}/`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  }) as SilentPeer;
  onTestFinished(() => result.close());
  return result;
}

export interface WebSocketTestHost extends TestHost {
  /** The plugin's `WS_MANAGER` service. */
  manager: WebSocketManagerService;
  /** Call a tool and return its first text content, parsed as JSON when it is JSON. */
  call(name: string, args?: Record<string, unknown>): Promise<ToolAnswer>;
}

/**
 * `createTestHost` from `@mcp-host/testing` with this plugin and `options`: the real host in-process, applied
 * and started, a real SDK Client connected over the in-memory transport, resources tracked from before the
 * host existed. Shut down, and the tracking stopped, when the test ends if the test did not.
 */
export async function startHost(
  options: WebSocketManagerOptionsInput,
  config?: CreateTestHostOptions['config'],
  /** Plugins applied after websocket-manager (consumers of its service). */
  after: CreateTestHostOptions['plugins'] = [],
): Promise<WebSocketTestHost> {
  const testHost = await createTestHost({ plugins: [[plugin, options], ...after], ...(config ? { config } : {}) });
  onTestFinished(async () => {
    await testHost.shutdown();
    testHost.leaks.stop();
  });
  return {
    ...testHost,
    manager: testHost.host.services.find(WS_MANAGER)!,
    call: (name, args = {}) => callTool(testHost.client, name, args),
  };
}

/** A `Logger` that keeps its lines (`level: text`), for a connection made without a host. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const format = (message: string, args: unknown[]) => {
    let index = 0;
    return message.replace(/%[sdj]/g, (token) => {
      const value = args[index++];
      return token === '%j' ? JSON.stringify(value) : String(value);
    });
  };
  const logger: Logger & { lines: string[] } = {
    name: 'websocket-manager',
    lines,
    debug: (message, ...args) => void lines.push(`debug: ${format(message, args)}`),
    info: (message, ...args) => void lines.push(`info: ${format(message, args)}`),
    notice: (message, ...args) => void lines.push(`notice: ${format(message, args)}`),
    warning: (message, ...args) => void lines.push(`warning: ${format(message, args)}`),
    warn: (message, ...args) => void lines.push(`warning: ${format(message, args)}`),
    error: (message, ...args) => void lines.push(`error: ${format(message, args)}`),
    child: () => logger,
  };
  return logger;
}
