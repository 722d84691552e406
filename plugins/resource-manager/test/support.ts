// Real temp trees, real HTTP backends on 127.0.0.1:0, and the real host in-process through @mcp-host/testing,
// for the plugin's tests. Everything started here is stopped when the test ends (onTestFinished).
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Resource } from '@mcp-host/core';
import { ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema } from '@mcp-host/core/client';
import { createTestHost, listAllPages, sleep, type CreateTestHostOptions, type TestHost } from '@mcp-host/testing';
import { onTestFinished } from 'vitest';
import plugin, { RESOURCE_MANAGER, type ResourceManagerService } from '../src/index.js';

export { sleep, waitUntil } from '@mcp-host/testing';

/**
 * Resolves once `count()` has not grown for `quietMs`. One `writeFile` is a truncate and a write: on a loaded
 * machine the two can land in different debounce windows and give two notifications, so a test that needs a
 * step's notifications all in (before it marks the next step) waits for quiet rather than for a count.
 */
export async function settled(count: () => number, quietMs = 200, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = count();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > until) throw new Error(`notifications still arriving after ${timeoutMs} ms`);
    await sleep(10);
    if (count() !== last) [last, since] = [count(), Date.now()];
  }
}

/** A fresh temp directory with `files` (path → contents) written into it; removed when the test ends. */
export async function tempTree(files: Record<string, string | Buffer> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mcp-rm-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await writeTree(dir, files);
  return dir;
}

export async function writeTree(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  // Synchronous on purpose: thousands of small files are written much faster so, and this is test setup.
  const made = new Set<string>();
  for (const [name, contents] of Object.entries(files)) {
    const file = path.join(dir, name);
    const parent = path.dirname(file);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(file, contents);
  }
}

export interface ResourceTestHost extends TestHost {
  /** The plugin's `RESOURCE_MANAGER` service. */
  service: ResourceManagerService;
  /** URIs of `notifications/resources/updated` received, in order. */
  updated: string[];
  /** `notifications/resources/list_changed` received. */
  listChanged(): number;
  /** Every page of resources/list, followed to the end (bounded). */
  listAll(): Promise<{ resources: Resource[]; pages: number }>;
}

/**
 * `createTestHost` from `@mcp-host/testing` with this plugin and `options` (and plugins to list `before` and
 * `after` it), debug logs on: the real host
 * in-process, applied and started, a real SDK Client connected over the in-memory transport, resources tracked
 * from before the host existed. Shut down, and the tracking stopped, when the test ends if the test did not.
 */
export async function startHost(options: Record<string, unknown>, extra: { cwd?: string; before?: CreateTestHostOptions['plugins']; after?: CreateTestHostOptions['plugins']; config?: CreateTestHostOptions['config'] } = {},
): Promise<ResourceTestHost> {
  const testHost = await createTestHost({
    plugins: [...(extra.before ?? []), [plugin, options], ...(extra.after ?? [])],
    config: { logging: { level: 'debug' }, ...extra.config },
    ...(extra.cwd ? { cwd: extra.cwd } : {}),
  });
  onTestFinished(async () => {
    await testHost.shutdown();
    testHost.leaks.stop();
  });
  const { client } = testHost;
  const updated: string[] = [];
  let listChanged = 0;
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updated.push(notification.params.uri));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged++);
  return {
    ...testHost,
    service: testHost.host.services.inject(RESOURCE_MANAGER, 'test'),
    updated,
    listChanged: () => listChanged,
    listAll: () => listAllPages<Resource>((params) => client.listResources(params)),
  };
}

/** What a client got back instead of a result: the error (throws if the call succeeded). */
export async function refusalOf(promise: Promise<unknown>): Promise<{ code: number; message: string; data: any }> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if ('value' in outcome) throw new Error(`expected a refusal, got ${JSON.stringify(outcome.value).slice(0, 300)}`);
  return outcome.error as { code: number; message: string; data: any };
}

/** What a startup that must fail threw (throws if it started): a tap's error is the cause of the hook's. */
export async function startupError(start: Promise<unknown>): Promise<{ code: string; message: string; plugin?: string; cause?: any }> {
  const outcome = await start.then(
    () => undefined,
    (error: unknown) => error as { code: string; message: string; plugin?: string },
  );
  if (!outcome) throw new Error('expected startup to fail');
  return outcome;
}

export interface BackendRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface HttpBackend {
  server: Server;
  baseUrl: string;
  requests: BackendRequest[];
  /** Sockets the server accepted, and how many of them are closed now. */
  sockets: Socket[];
  openSockets(): number;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1:0 answering with `handler`; it records every request. */
export async function startBackend(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<HttpBackend> {
  const requests: BackendRequest[] = [];
  const sockets: Socket[] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    handler(request, response);
  });
  server.on('connection', (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const backend: HttpBackend = {
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    sockets,
    openSockets: () => sockets.filter((socket) => !socket.destroyed).length,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  };
  onTestFinished(() => backend.close());
  return backend;
}
