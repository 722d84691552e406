// Real backends and a real in-process host for the plugin's tests. Everything started here is stopped
// when the test ends (onTestFinished), so a failing test leaks no socket or port.
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createHost, type Host, type ShutdownReport } from '@mcp-host/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { onTestFinished } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import plugin, { WS_MANAGER, type WebSocketManagerOptionsInput, type WebSocketManagerService } from '../src/index.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `predicate` every 5 ms until it holds; fail after `timeoutMs` saying what was awaited. */
export async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

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

/** A port that was free a moment ago: for a backend that is down at first and comes up later. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
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

export interface TestHost {
  host: Host;
  client: Client;
  manager: WebSocketManagerService;
  /** Everything the host wrote to stderr (logs, the shutdown report). */
  stderr(): string;
  /** `host.shutdown()`, once. */
  shutdown(): Promise<ShutdownReport>;
  /** Call a tool and return its first text content, parsed as JSON when it is JSON. */
  call(name: string, args?: Record<string, unknown>): Promise<{ isError: boolean; text: string; json: any }>;
}

/**
 * The real host, in-process, with this plugin and `options`, applied and started, and a real SDK Client
 * connected to it over an in-memory transport. Shut down when the test ends if the test did not.
 */
export async function startHost(options: WebSocketManagerOptionsInput, settings: { debug?: boolean; logLevel?: string; shutdown?: { timeoutMs?: number; hookTimeoutMs?: number } } = {}): Promise<TestHost> {
  let stderr = '';
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      stderr += chunk.toString();
      callback();
    },
  });
  const host = createHost({
    config: {
      plugins: [[plugin, options]],
      ...(settings.logLevel ? { logging: { level: settings.logLevel } } : {}),
      ...(settings.shutdown ? { shutdown: settings.shutdown } : {}),
    } as never,
    exitProcess: false,
    debug: settings.debug ?? false,
    stderr: sink,
  });
  let report: Promise<ShutdownReport> | undefined;
  const shutdown = () => (report ??= host.shutdown());
  onTestFinished(async () => {
    await shutdown();
  });
  await host.apply();
  await host.start();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await host.connect(serverSide);
  const client = new Client({ name: 'websocket-manager-test', version: '0.0.0' });
  await client.connect(clientSide);
  const manager = host.services.find(WS_MANAGER)!;
  return {
    host,
    client,
    manager,
    stderr: () => stderr,
    shutdown,
    async call(name, args = {}) {
      const result = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: { type: string; text: string }[] };
      const text = result.content[0]?.text ?? '';
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { isError: result.isError === true, text, json };
    },
  };
}

/** Active handles (`process.getActiveResourcesInfo()`) now that were not in `baseline`. */
export function resourcesSince(baseline: readonly string[]): string[] {
  const left = [...baseline];
  const added: string[] = [];
  for (const resource of process.getActiveResourcesInfo()) {
    const index = left.indexOf(resource);
    if (index === -1) added.push(resource);
    else left.splice(index, 1);
  }
  return added;
}
