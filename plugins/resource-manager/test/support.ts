// Real temp trees, real HTTP backends on 127.0.0.1:0 and a real in-process host with an SDK client, for the
// plugin's tests. Everything started here is stopped when the test ends (onTestFinished).
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { createHost, type Host, type ShutdownReport } from '@mcp-host/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema, type Resource } from '@modelcontextprotocol/sdk/types.js';
import { onTestFinished } from 'vitest';
import plugin, { RESOURCE_MANAGER, type ResourceManagerService } from '../src/index.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `predicate` every 5 ms until it holds; fail after `timeoutMs` saying what was awaited. */
export async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
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

/** Handle kinds a plugin could leak: watchers, sockets, servers, timers. */
const LEAKABLE = new Set(['FSEventWrap', 'TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'Immediate', 'StatWatcher']);

/** The leakable handles open now. Diff two of these with `leakedSince`. */
export function activeHandles(): string[] {
  return process.getActiveResourcesInfo().filter((name) => LEAKABLE.has(name));
}

/** Handles open now that were not in `baseline` (each name counted). */
export function leakedSince(baseline: readonly string[]): string[] {
  const left = [...baseline];
  const leaked: string[] = [];
  for (const name of activeHandles()) {
    const index = left.indexOf(name);
    if (index === -1) leaked.push(name);
    else left.splice(index, 1);
  }
  return leaked;
}

export interface TestHost {
  host: Host;
  client: Client;
  service: ResourceManagerService;
  stderr(): string;
  /** URIs of `notifications/resources/updated` received, in order. */
  updated: string[];
  /** `notifications/resources/list_changed` received. */
  listChanged(): number;
  /** Every page of resources/list, followed to the end (bounded). */
  listAll(): Promise<{ resources: Resource[]; pages: number }>;
  /** Shut the host down (once); the report. */
  shutdown(): Promise<ShutdownReport>;
}

/** A host with the plugin applied and started, an SDK client connected over an in-memory pair. */
export async function startHost(options: Record<string, unknown>, extra: { cwd?: string; debug?: boolean } = {}): Promise<TestHost> {
  let stderr = '';
  const host = createHost({
    config: { plugins: [[plugin, options]], logging: { level: 'debug' } },
    exitProcess: false,
    ...(extra.cwd ? { cwd: extra.cwd } : {}),
    ...(extra.debug ? { debug: true } : {}),
    stderr: new Writable({
      write(chunk, _encoding, callback) {
        stderr += chunk.toString();
        callback();
      },
    }),
  });
  let shutdownPromise: Promise<ShutdownReport> | undefined;
  const shutdown = () => (shutdownPromise ??= host.shutdown());
  onTestFinished(async () => {
    await shutdown();
  });
  await host.apply();
  await host.start();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await host.connect(serverSide);
  await host.ready();
  const client = new Client({ name: 'resource-manager-test', version: '0.0.0' }, { capabilities: {} });
  await client.connect(clientSide);
  onTestFinished(() => client.close().catch(() => {}));
  const updated: string[] = [];
  let listChanged = 0;
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updated.push(notification.params.uri));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged++);
  return {
    host,
    client,
    service: host.services.inject(RESOURCE_MANAGER, 'test'),
    stderr: () => stderr,
    updated,
    listChanged: () => listChanged,
    async listAll() {
      const resources: Resource[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await client.listResources(cursor ? { cursor } : {});
        resources.push(...page.resources);
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 1000);
      return { resources, pages };
    },
    shutdown,
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
