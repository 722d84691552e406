// The plugin's test kit: the real Magic-API emulator on 127.0.0.1:0, hostile HTTP backends, and the real host
// in-process (through @mcp-host/testing) with websocket-manager, resource-manager and this plugin. Everything
// started here is stopped when the test ends (onTestFinished).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger, Resource } from '@mcp-host/core';
import { ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema } from '@mcp-host/core/client';
import { startEmulator, type EmulatorOptions, type MagicApiEmulator } from '@mcp-host/magic-api-emulator';
import resourceManager from '@mcp-host/plugin-resource-manager';
import websocketManager from '@mcp-host/plugin-websocket-manager';
import { createTestHost, type TestHost } from '@mcp-host/testing';
import { onTestFinished } from 'vitest';
import plugin, { MagicClient, type MagicClientOptions } from '../src/index.js';

export { waitUntil } from '@mcp-host/testing';
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The emulator, closed when the test ends; its own warnings kept (a test that hits the subset's edge sees them). */
export async function emulator(options: EmulatorOptions = {}): Promise<MagicApiEmulator & { warnings: string[] }> {
  const warnings: string[] = [];
  const started = await startEmulator({ warn: (message) => warnings.push(message), ...options });
  onTestFinished(() => started.close());
  return Object.assign(started, { warnings });
}

/** A logger that records lines (`level: text`) instead of writing them. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const format = (message: string, args: unknown[]) => {
    let index = 0;
    return message.replace(/%[sdj]/g, () => String(args[index++]));
  };
  const at = (level: string) => (message: string, ...args: unknown[]) => void lines.push(`${level}: ${format(message, args)}`);
  return { lines, debug: at('debug'), info: at('info'), notice: at('notice'), warning: at('warning'), error: at('error') } as unknown as Logger & { lines: string[] };
}

/** A client for `baseUrl`, closed when the test ends. */
export function client(options: Partial<MagicClientOptions> & { baseUrl: string }): MagicClient & { logger: ReturnType<typeof recordingLogger> } {
  const logger = recordingLogger();
  const made = new MagicClient({ web: '/magic/web', timeoutMs: 5000, maxResponseBytes: 1024 * 1024, maxSockets: 4, logger, ...options });
  onTestFinished(() => made.close());
  return Object.assign(made, { logger });
}

/** An HTTP server on 127.0.0.1:0 answering with `handler`; every socket it accepted is destroyed when the test ends. */
export async function backend(handler: (request: IncomingMessage, response: ServerResponse, body: string) => void): Promise<{ url: string; server: Server; sockets: Socket[]; requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] }> {
  const sockets: Socket[] = [];
  const requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      requests.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      handler(request, response, body);
    });
  });
  server.on('connection', (socket: Socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, sockets, requests };
}

export interface MagicTestHost extends TestHost {
  /** URIs of `notifications/resources/updated` received, in order. */
  updated: string[];
  /** `notifications/resources/list_changed` received so far. */
  listChanged(): number;
  /** Every page of resources/list, followed to the end (bounded), magic-api:// ones only. */
  listMagic(): Promise<{ resources: Resource[]; pages: number }>;
  /** A tool's result parsed from its JSON text. */
  tool(name: string, args?: Record<string, unknown>): Promise<any>;
}

/**
 * The real host in-process: websocket-manager (no connection of its own), resource-manager (one empty directory
 * source: it needs one) and this plugin with `options`. Shut down when the test ends if the test did not.
 */
export async function startHost(options: Record<string, unknown>, extra: { dir?: string; shutdown?: Record<string, number> } = {}): Promise<MagicTestHost> {
  const testHost = await createTestHost({
    plugins: [
      [websocketManager, {}],
      [resourceManager, { sources: [{ name: 'docs', type: 'directory', path: extra.dir ?? './no-such-docs-dir', watch: false }] }],
      [plugin, options],
    ],
    config: { logging: { level: 'debug' }, ...(extra.shutdown ? { shutdown: extra.shutdown } : {}) },
  });
  let isShutDown = false;
  const shutdown = testHost.shutdown;
  testHost.shutdown = (reason) => {
    isShutDown = true;
    return shutdown(reason);
  };
  onTestFinished(async () => {
    if (!isShutDown) await testHost.shutdown();
    testHost.leaks.stop();
  });
  const updated: string[] = [];
  let listChanged = 0;
  testHost.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updated.push(notification.params.uri));
  testHost.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged++);
  return Object.assign(testHost, {
    updated,
    listChanged: () => listChanged,
    async listMagic() {
      const resources: Resource[] = [];
      let cursor: string | undefined;
      let pages = 0;
      for (let page = 0; page < 200; page++) {
        const result = await testHost.client.listResources(cursor ? { cursor } : {});
        pages++;
        resources.push(...result.resources.filter((resource) => resource.uri.startsWith('magic-api://')));
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      return { resources, pages };
    },
    async tool(name: string, args: Record<string, unknown> = {}) {
      const result = await testHost.client.callTool({ name, arguments: args });
      const content = result.content as { type: string; text: string }[];
      return JSON.parse(content[0]!.text);
    },
  });
}
