// The resource-manager plugin through the real CLI: a config in a temp dir names the package, which resolves
// from the host's own installation; real temp trees and a real HTTP server on 127.0.0.1:0 are its sources.
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { waitUntil as waitUntilKit } from '@mcp-host/testing';
import { expect, test } from 'vitest';
import { connectClient, connectInProcess, handshake, linkCore, listenForTest, runCliInProcess, spawnHost, tempDir, writeFiles } from '../src/index.js';

const PLUGIN = '@mcp-host/plugin-resource-manager';

const waitUntil = (predicate: () => boolean, what: string, timeoutMs = 10_000) => waitUntilKit(predicate, what, timeoutMs, 10);

/** A small docs tree next to the config, plus a secret beside the root and a symlink pointing at it. */
async function project(options: Record<string, unknown> = {}) {
  const dir = await tempDir();
  await writeFiles(dir, {
    'docs/README.md': '# Hello',
    'docs/guide/getting started.md': 'step one',
    'docs/.env': 'TOKEN=hidden',
    'secret.txt': 'TOP-SECRET',
    'mcp-host.config.json': { plugins: [[PLUGIN, { sources: [{ name: 'docs', type: 'directory', path: './docs', debounceMs: 20, ...options }] }]] },
  });
  await symlink(path.join(dir, 'secret.txt'), path.join(dir, 'docs/escape.md'));
  const root = realpathSync(path.join(dir, 'docs'));
  return { dir, root, uri: (relative: string) => pathToFileURL(path.join(root, relative)).href };
}

// Serving and watching are the plugin's and the host's logic: in-process, through the embedding API with the
// CLI's plugin resolution. What needs the process (stdin closing during work, --debug's leak report) spawns.

test('a host serves a directory named relative to its config: list, read, refuse, search', async () => {
  const { dir, uri } = await project();
  // Started from elsewhere: "./docs" resolves against the config file's directory, not the working directory.
  const { client } = await connectInProcess({ cwd: path.dirname(dir), config: path.join(dir, 'mcp-host.config.json') });
  expect(client.getServerCapabilities()?.resources).toEqual({ listChanged: true, subscribe: true });
  const { resources } = await client.listResources({});
  expect(resources).toEqual([
    { uri: uri('README.md'), name: 'README.md', mimeType: 'text/markdown', size: 7 },
    { uri: uri('guide/getting started.md'), name: 'guide/getting started.md', mimeType: 'text/markdown', size: 8 },
  ]);
  expect((await client.readResource({ uri: uri('guide/getting started.md') })).contents[0]).toMatchObject({ text: 'step one' });

  for (const [target, reason] of [
    [`${uri('guide')}/../../secret.txt`, 'traversal'],
    [`${uri('')}/%2e%2e/secret.txt`, 'traversal'],
    [`${uri('')}/..%2Fsecret.txt`, 'encoded-separator'],
    [uri('escape.md'), 'symlink-escape'],
    [uri('.env'), 'hidden'],
  ] as const) {
    const refused = await client.readResource({ uri: target }).catch((error) => error);
    expect({ target, code: refused.code, reason: refused.data?.reason }).toEqual({ target, code: -32602, reason });
    expect(String(refused.message)).not.toContain('TOP-SECRET');
  }
  expect((await client.readResource({ uri: 'file:///etc/passwd' }).catch((error) => error)).code).toBe(-32002);

  const search = (await client.callTool({ name: 'resources_search', arguments: { query: 'started' } })) as { content: any[] };
  expect(search.content.find((item) => item.type === 'resource_link')).toMatchObject({ uri: uri('guide/getting started.md') });
  // After every refusal the host is still serving.
  expect((await client.readResource({ uri: uri('README.md') })).contents[0]).toMatchObject({ text: '# Hello' });
});

test('subscribe → modify → updated; add a file → list_changed, through the host', async () => {
  const { dir, root, uri } = await project();
  const { client } = await connectInProcess({ cwd: dir });
  const updated: string[] = [];
  let listChanged = 0;
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updated.push(notification.params.uri));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged++);
  await client.listResources({});
  await client.subscribeResource({ uri: uri('README.md') });
  await writeFile(path.join(root, 'README.md'), '# Hello again');
  await waitUntil(() => updated.length >= 1, 'notifications/resources/updated');
  expect(updated[0]).toBe(uri('README.md'));
  expect((await client.readResource({ uri: uri('README.md') })).contents[0]).toMatchObject({ text: '# Hello again' });

  await writeFile(path.join(root, 'guide/new page.md'), 'new');
  await waitUntil(() => listChanged >= 1, 'notifications/resources/list_changed');
  expect((await client.listResources({})).resources.map((resource) => resource.name)).toContain('guide/new page.md');
  await rm(path.join(root, 'guide/new page.md'));
  await waitUntil(() => listChanged >= 2, 'list_changed for the removal');
  expect((await client.listResources({})).resources.map((resource) => resource.name)).not.toContain('guide/new page.md');
});

test('invalid options are a config error naming the key path (exit 78), before anything is opened', async () => {
  const dir = await tempDir();
  await writeFiles(dir, {
    'mcp-host.config.json': {
      plugins: [[PLUGIN, { sources: [{ name: 'docs', type: 'directory', path: './docs', maxFileBytes: -1 }, { name: 'docs', type: 'http', baseUrl: 'ftp://x' }] }]],
    },
  });
  const { code, stderr } = await runCliInProcess(['validate'], { cwd: dir });
  expect(code).toBe(78);
  expect(stderr).toMatch(/plugins\[0\]\.options\.sources\[0\]\.maxFileBytes/);
  expect(stderr).toMatch(/plugins\[0\]\.options\.sources\[1\]\.baseUrl/);
  // Both sources are named "docs": core's uniqueNames refinement names the second.
  expect(stderr).toMatch(/plugins\[0\]\.options\.sources\[1\]\.name: source name "docs" is used by sources\[0\] already.* \(MCPH_PLUGIN_OPTIONS_INVALID\)/);
});

interface StallingBackend {
  baseUrl: string;
  stalled: () => number;
  open: () => number;
}

/** An HTTP backend whose index lists one document that never finishes arriving. */
async function stallingBackend(): Promise<StallingBackend> {
  let stalled = 0;
  const server: Server = createServer((request, response) => {
    if (request.url === '/resources.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ uri: 'backend://slow', name: 'slow', path: '/slow' }]));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.write('part of it');
    stalled++;
  });
  const { port, sockets } = await listenForTest(server);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stalled: () => stalled,
    open: () => sockets.filter((socket) => !socket.destroyed).length,
  };
}

test('stdin closed during a stalled HTTP read: the read gets an error reply, the host exits 0 with nothing left open', async () => {
  const backend = await stallingBackend();
  const dir = await tempDir();
  await writeFiles(dir, { 'mcp-host.config.json': { plugins: [[PLUGIN, { sources: [{ name: 'api', type: 'http', baseUrl: backend.baseUrl, uriPrefix: 'backend://', timeoutMs: 60_000 }] }]] } });
  const host = spawnHost(['start', '--debug'], { cwd: dir });
  handshake(host);
  host.send({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'backend://slow' } });
  await waitUntil(() => backend.stalled() === 1, 'the backend to stall');
  host.child.stdin!.end();
  const { code } = await host.exited;
  expect(code).toBe(0);
  const reply = host.messages().find((message) => message.id === 1);
  expect(reply.error).toMatchObject({ code: -32000, data: { reason: 'shutting-down', source: 'api' } });
  expect(host.stderr()).toMatch(/requests: 1 answered, 0 cut/);
  expect(host.stderr()).toMatch(/resource-manager\s+ok/);
  expect(host.stderr()).toContain('nothing left open after shutdown (debug)');
  await waitUntil(() => backend.open() === 0, 'the backend to see its sockets closed');
});

/**
 * A plugin whose tool `block_thread_pool` occupies libuv's thread pool — run with UV_THREADPOOL_SIZE=1, its
 * only thread — with a blocking open() of a FIFO nobody writes to, until the plugin's shutdown tap opens the
 * FIFO's other end. While it is held no file-system call of the host can complete: a scan started then is
 * certain to be in flight when shutdown begins.
 */
const THREAD_POOL_BLOCKER = `
import { closeSync, constants, open, openSync } from 'node:fs';
import { definePlugin } from '@mcp-host/core';

export default definePlugin({
  name: 'thread-pool-blocker',
  apply(host) {
    const fifo = new URL('./blocker.fifo', import.meta.url);
    let isBlocking = false;
    host.tool('block_thread_pool', { description: 'hold the only thread-pool thread' }, async () => {
      isBlocking = true;
      open(fifo, 'r', (error, fd) => { if (!error) closeSync(fd); });
      return { content: [{ type: 'text', text: 'blocked' }] };
    });
    host.hooks.shutdown.tapPromise('thread-pool-blocker', async () => {
      // On the main thread: the pool's thread is the one held. A reader is waiting, so this open succeeds.
      if (isBlocking) closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    });
  },
});
`;

test('stdin closed while a tree is being scanned: the listing gets an error reply and the host exits promptly', async () => {
  const dir = await tempDir();
  await linkCore(dir);
  for (let d = 0; d < 5; d++) {
    mkdirSync(path.join(dir, `tree/d${d}`), { recursive: true });
    for (let f = 0; f < 3; f++) writeFileSync(path.join(dir, `tree/d${d}/f${f}.txt`), 'x');
  }
  execFileSync('mkfifo', [path.join(dir, 'blocker.fifo')]);
  await writeFiles(dir, {
    'blocker.mjs': THREAD_POOL_BLOCKER,
    // The blocker is listed first: its shutdown tap frees the pool before the resource-manager's waits for the scan.
    'mcp-host.config.json': { plugins: ['./blocker.mjs', [PLUGIN, { sources: [{ name: 'tree', type: 'directory', path: './tree' }] }]] },
  });
  const host = spawnHost(['start', '--debug'], { cwd: dir, env: { UV_THREADPOOL_SIZE: '1' } });
  handshake(host);
  host.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'block_thread_pool', arguments: {} } });
  await host.waitFor(() => host.messages().some((message) => message.id === 1), 'the thread pool to be blocked');
  host.send({ jsonrpc: '2.0', id: 2, method: 'resources/list', params: {} });
  // Requests are handled in order: once the ping is answered, the listing has begun (and cannot finish).
  host.send({ jsonrpc: '2.0', id: 3, method: 'ping' });
  await host.waitFor(() => host.messages().some((message) => message.id === 3), 'the ping reply');
  expect(host.messages().some((message) => message.id === 2)).toBe(false);
  const closedAt = Date.now();
  host.child.stdin!.end();
  const { code, at } = await host.exited;
  expect(code).toBe(0);
  const reply = host.messages().find((message) => message.id === 2);
  expect(reply?.error).toMatchObject({ code: -32000, data: { reason: 'shutting-down', source: 'tree' } });
  expect(host.stderr()).toMatch(/1\. thread-pool-blocker\s+ok[\s\S]*2\. resource-manager\s+ok/);
  expect(host.stderr()).toContain('nothing left open after shutdown (debug)');
  // Within the shutdown bound (1.8 s by default), with a wide margin for a busy machine.
  expect(at - closedAt).toBeLessThan(5000);
});

/** A plugin contributing a `notes://` source through the RESOURCE_MANAGER service, as a third party writes one. */
const NOTES_PLUGIN = `
import { createServiceKey, definePlugin } from '@mcp-host/core';

const RESOURCE_MANAGER = createServiceKey('resource-manager');
const NOTES = { 'notes://team/standup': 'Standup at 10', 'notes://team/retro': 'Retro on Friday' };
const resourceOf = (uri) => ({ uri, name: uri.slice('notes://'.length), mimeType: 'text/plain' });

export default definePlugin({
  name: 'notes',
  apply(host) {
    host.inject(RESOURCE_MANAGER).contribute({
      name: 'notes',
      uriPrefix: 'notes://',
      async list() { return { resources: Object.keys(NOTES).map(resourceOf) }; },
      async read(uri) {
        if (!(uri in NOTES)) return undefined;
        return { contents: [{ uri, mimeType: 'text/plain', text: NOTES[uri] }, { uri, mimeType: 'application/json', text: JSON.stringify({ length: NOTES[uri].length }) }] };
      },
      async resolve(id) { return id in NOTES ? resourceOf(id) : undefined; },
      async search(query, limit) { return Object.keys(NOTES).filter((uri) => uri.includes(query)).slice(0, limit).map(resourceOf); },
      async close() { host.logger.info('notes source closed'); },
    }, { plugin: host.name });
    host.hooks.shutdown.tapPromise('notes', async () => host.logger.info('notes plugin tap'));
  },
});
`;

test('a plugin contributes a source through the service: listed, read, searched and closed by the spawned host', async () => {
  const dir = await tempDir();
  await linkCore(dir);
  await writeFiles(dir, {
    'docs/a.md': 'a',
    'notes.mjs': NOTES_PLUGIN,
    'mcp-host.config.json': { plugins: [[PLUGIN, { sources: [{ name: 'docs', type: 'directory', path: './docs' }] }], './notes.mjs'] },
  });
  const { client, stderr, transport } = await connectClient(['start'], { cwd: dir });
  // One page per source: the configured one, then the contributed one.
  const first = await client.listResources({});
  expect(first.resources.map((resource) => resource.uri)).toEqual([pathToFileURL(path.join(realpathSync(dir), 'docs/a.md')).href]);
  const second = await client.listResources({ cursor: first.nextCursor! });
  expect(second.resources.map((resource) => resource.uri)).toEqual(['notes://team/standup', 'notes://team/retro']);
  expect(second.nextCursor).toBeUndefined();
  expect((await client.readResource({ uri: 'notes://team/retro' })).contents).toEqual([
    { uri: 'notes://team/retro', mimeType: 'text/plain', text: 'Retro on Friday' },
    { uri: 'notes://team/retro', mimeType: 'application/json', text: '{"length":15}' },
  ]);
  expect((await client.readResource({ uri: 'notes://team/nope' }).catch((error) => error)).data).toMatchObject({ reason: 'not-found', source: 'notes' });
  const search = (await client.callTool({ name: 'resources_search', arguments: { query: 'standup' } })) as { content: any[] };
  expect(search.content.filter((item) => item.type === 'resource_link').map((link) => link.uri)).toEqual(['notes://team/standup']);

  const exited = new Promise<void>((resolve) => transport.onclose = () => resolve());
  await client.close();
  await exited;
  await waitUntil(() => /notes plugin tap/.test(stderr()), 'the shutdown report');
  // The resource-manager's tap closes the contributed source; the contributor's own tap runs after it.
  expect(stderr()).toMatch(/notes source closed[\s\S]*notes plugin tap/);
  expect(stderr()).toMatch(/1\. resource-manager\s+ok[\s\S]*2\. notes\s+ok/);
});
