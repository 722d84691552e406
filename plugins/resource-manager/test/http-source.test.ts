import type { ServerResponse } from 'node:http';
import { expect, test } from 'vitest';
import { SHUTTING_DOWN_CODE } from '@mcp-host/core';
import { refusalOf, startBackend, startHost, waitUntil } from './support.js';

const TOKEN = 'tok-SECRET-1234';

interface Document {
  body: string | Buffer;
  type?: string;
  etag?: string;
}

/**
 * A backend like the original's: an index and documents, ETags on both, a bearer token required, and
 * paths that stall or fail on purpose.
 */
async function backend(documents: Record<string, Document>, index: unknown[], extra: { stalls?: ServerResponse[] } = {}) {
  const state = { index, indexEtag: '"index-1"', documents };
  const server = await startBackend((request, response) => {
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401).end('no token');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/api/resources.json') {
      if (request.headers['if-none-match'] === state.indexEtag) return void response.writeHead(304).end();
      response.writeHead(200, { 'content-type': 'application/json', etag: state.indexEtag }).end(JSON.stringify(state.index));
      return;
    }
    if (url.pathname === '/api/stall') {
      // Headers, then nothing: the body never completes.
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial');
      extra.stalls?.push(response);
      return;
    }
    if (url.pathname === '/api/boom') return void response.writeHead(500, 'Internal Server Error').end(`stack trace with ${TOKEN}`);
    const document = state.documents[url.pathname.replace(/^\/api\//, '')];
    if (!document) return void response.writeHead(404, 'Not Found').end();
    if (document.etag && request.headers['if-none-match'] === document.etag) return void response.writeHead(304).end();
    response.writeHead(200, { 'content-type': document.type ?? 'text/plain; charset=utf-8', ...(document.etag ? { etag: document.etag } : {}) }).end(document.body);
  });
  return { ...server, state };
}

const INDEX = [
  { uri: 'magic://docs/readme', name: 'Readme', path: '/docs/readme', description: 'The readme' },
  { uri: 'magic://docs/logo', name: 'Logo', path: 'docs/logo.png', mimeType: 'image/png' },
  { uri: 'magic://docs/stall', name: 'Stalls', path: '/stall' },
  { uri: 'magic://docs/boom', name: 'Boom', path: '/boom' },
  { uri: 'magic://docs/gone', name: 'Gone', path: '/docs/gone' },
];

const source = (baseUrl: string, extra: Record<string, unknown> = {}) => ({
  name: 'api',
  type: 'http',
  baseUrl: `${baseUrl}/api`,
  index: '/resources.json',
  // The index's URIs are not under baseUrl: the source owns them by this prefix.
  uriPrefix: 'magic://docs/',
  headers: { Authorization: `Bearer ${TOKEN}` },
  ...extra,
});

test('lists the backend index and reads contents relative to baseUrl through one keep-alive agent', async () => {
  const server = await backend({ 'docs/readme': { body: '# Readme', type: 'text/markdown' }, 'docs/logo.png': { body: Buffer.from([137, 80, 78, 71]), type: 'image/png' } }, INDEX);
  const { client, listAll } = await startHost({ sources: [source(server.baseUrl)] });
  const { resources } = await listAll();
  expect(resources.map((resource) => resource.uri)).toEqual(INDEX.map((entry) => entry.uri));
  expect(resources[0]).toEqual({ uri: 'magic://docs/readme', name: 'Readme', description: 'The readme' });
  expect(resources[1]).toEqual({ uri: 'magic://docs/logo', name: 'Logo', mimeType: 'image/png' });

  expect((await client.readResource({ uri: 'magic://docs/readme' })).contents[0]).toEqual({ uri: 'magic://docs/readme', mimeType: 'text/markdown', text: '# Readme' });
  expect((await client.readResource({ uri: 'magic://docs/logo' })).contents[0]).toEqual({ uri: 'magic://docs/logo', mimeType: 'image/png', blob: Buffer.from([137, 80, 78, 71]).toString('base64') });
  for (let i = 0; i < 5; i++) await client.readResource({ uri: 'magic://docs/readme' });
  // Keep-alive: many requests, one connection.
  expect(server.sockets).toHaveLength(1);
  expect(server.requests.every((request) => request.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  expect(server.requests.map((request) => request.url)).toContain('/api/docs/logo.png');

  // A URI under the source's prefix that the backend does not list: the source says not found.
  const unknown = await refusalOf(client.readResource({ uri: 'magic://docs/unknown' }));
  expect({ code: unknown.code, data: unknown.data }).toEqual({ code: -32002, data: { reason: 'not-found', source: 'api', uri: 'magic://docs/unknown' } });
  const search = (await client.callTool({ name: 'resources_search', arguments: { query: 'logo' } })) as { content: any[] };
  expect(search.content.filter((item) => item.type === 'resource_link').map((link) => link.uri)).toEqual(['magic://docs/logo']);
});

test('ETag revalidation: a second read sends If-None-Match and serves the cached body on 304', async () => {
  const server = await backend({ 'docs/readme': { body: 'version 1', etag: '"v1"' } }, INDEX);
  // revalidateMs 0: every first page revalidates the index, so no test has to wait out an interval.
  const { client, listAll, listChanged } = await startHost({ sources: [source(server.baseUrl, { revalidateMs: 0 })] });
  expect((await client.readResource({ uri: 'magic://docs/readme' })).contents[0]).toMatchObject({ text: 'version 1' });
  expect((await client.readResource({ uri: 'magic://docs/readme' })).contents[0]).toMatchObject({ text: 'version 1' });
  const reads = server.requests.filter((request) => request.url === '/api/docs/readme');
  expect(reads.map((request) => request.headers['if-none-match'])).toEqual([undefined, '"v1"']);

  // The backend's content changes with its ETag: the next read gets the new body.
  server.state.documents['docs/readme'] = { body: 'version 2', etag: '"v2"' };
  expect((await client.readResource({ uri: 'magic://docs/readme' })).contents[0]).toMatchObject({ text: 'version 2' });

  // The index is revalidated too; an unchanged one (304) announces nothing, a changed one list_changed.
  const indexRequests = () => server.requests.filter((request) => request.url === '/api/resources.json');
  await listAll();
  const before = indexRequests().length;
  await listAll();
  expect(indexRequests().length).toBe(before + 1);
  expect(indexRequests().at(-1)!.headers['if-none-match']).toBe('"index-1"');
  expect(listChanged()).toBe(0);
  server.state.index = [...INDEX, { uri: 'magic://docs/new', name: 'New', path: '/docs/new' }];
  server.state.indexEtag = '"index-2"';
  const { resources } = await listAll();
  expect(resources.map((resource) => resource.uri)).toContain('magic://docs/new');
  await waitUntil(() => listChanged() === 1, 'list_changed for the new index');
});

test('revalidateMs bounds how often listings revalidate the index', async () => {
  const server = await backend({}, INDEX);
  const { listAll } = await startHost({ sources: [source(server.baseUrl, { revalidateMs: 3_600_000 })] });
  for (let i = 0; i < 5; i++) await listAll();
  // One fetch: within the interval, first pages are served from the index already held.
  expect(server.requests.filter((request) => request.url === '/api/resources.json')).toHaveLength(1);
});

test('backend errors name the status and URL, never the token; a stalled body times out', async () => {
  const stalls: ServerResponse[] = [];
  const server = await backend({}, INDEX, { stalls });
  const { client, host } = await startHost({ sources: [source(server.baseUrl, { timeoutMs: 300 })] });

  const boom = await refusalOf(client.readResource({ uri: 'magic://docs/boom' }));
  expect(boom.code).toBe(-32603);
  expect(boom.data).toMatchObject({ reason: 'backend-status', source: 'api', status: 500, url: `${server.baseUrl}/api/boom` });
  expect(boom.message).toContain('500');
  expect(boom.message).toContain(`${server.baseUrl}/api/boom`);

  const gone = await refusalOf(client.readResource({ uri: 'magic://docs/gone' }));
  expect(gone.code).toBe(-32002);
  expect(gone.data).toMatchObject({ reason: 'not-found', status: 404 });

  const stalled = await refusalOf(client.readResource({ uri: 'magic://docs/stall' }));
  expect(stalled.data).toMatchObject({ reason: 'backend-timeout', timeoutMs: 300 });
  expect(stalls).toHaveLength(1);

  for (const refused of [boom, gone, stalled]) expect(JSON.stringify(refused)).not.toContain(TOKEN);
  expect(host.state).toBe('running');
});

test('a backend that is down: listing skips it with a warning, reads say unreachable, the rest still serves', async () => {
  const server = await backend({}, INDEX);
  const baseUrl = server.baseUrl;
  await server.close();
  const { client, listAll, stderr } = await startHost({ sources: [source(baseUrl, { timeoutMs: 2000 })] });
  expect((await listAll()).resources).toEqual([]);
  expect(stderr()).toMatch(/source "api": .*ECONNREFUSED.*listing nothing from it/);
  expect(stderr()).not.toContain(TOKEN);
  // The URI is this source's, so the backend being down is the answer, not "not found".
  expect((await refusalOf(client.readResource({ uri: 'magic://docs/readme' }))).data).toMatchObject({ reason: 'backend-unreachable', source: 'api' });
  const search = (await client.callTool({ name: 'resources_search', arguments: { query: 'x', source: 'api' } })) as { content: any[]; isError?: boolean };
  expect(search.isError).toBe(true);
  expect(search.content[0].text).toMatch(/ECONNREFUSED/);
});

test('subscriptions to an HTTP resource are refused clearly; index entries that leave baseUrl are skipped', async () => {
  const server = await backend({ 'docs/readme': { body: 'r' } }, [
    ...INDEX,
    { uri: 'magic://docs/evil-1', name: 'Elsewhere', path: 'http://evil.example/steal' },
    { uri: 'magic://docs/evil-2', name: 'Up', path: '/../../etc/passwd' },
    { uri: 'magic://docs/evil-3', name: 'Protocol-relative', path: '//evil.example/x' },
    { name: 'no uri', path: '/x' },
  ]);
  const { client, listAll, stderr } = await startHost({ sources: [source(server.baseUrl)] });
  const uris = (await listAll()).resources.map((resource) => resource.uri);
  expect(uris).toEqual(INDEX.map((entry) => entry.uri));
  expect(stderr()).toMatch(/skipped 4 entries/);
  const refused = await refusalOf(client.subscribeResource({ uri: 'magic://docs/readme' }));
  expect(refused.data).toMatchObject({ reason: 'not-watchable', source: 'api' });
});

test('shutdown during a stalled read: the read gets an error reply at once, the agent is destroyed', async () => {
  const stalls: ServerResponse[] = [];
  const server = await backend({ 'docs/readme': { body: 'r' } }, INDEX, { stalls });
  const { client, shutdown, assertNoLeaks } = await startHost({ sources: [source(server.baseUrl, { timeoutMs: 60_000 })] });
  await client.readResource({ uri: 'magic://docs/readme' });
  const reading = refusalOf(client.readResource({ uri: 'magic://docs/stall' }));
  await waitUntil(() => stalls.length === 1, 'the backend to stall');
  const report = await shutdown();
  const refused = await reading;
  expect(refused.code).toBe(SHUTTING_DOWN_CODE);
  expect(refused.data).toMatchObject({ reason: 'shutting-down', source: 'api' });
  // The host drained the request instead of cutting it: it was answered.
  expect(report.drain.cut).toBe(0);
  expect(report.exitCode).toBe(0);
  expect(report.taps).toEqual([expect.objectContaining({ name: 'resource-manager', plugin: 'resource-manager', outcome: 'ok' })]);
  await waitUntil(() => server.openSockets() === 0, 'the backend to see every socket closed');
  // Neither the stalled request's socket nor the idle keep-alive one, nor the read's timeout timer, is left.
  await assertNoLeaks(2000);
});

test('an index that is not JSON, and a body over maxResponseBytes, are backend-invalid (-32603) for reads of the source', async () => {
  let indexBody = 'not json';
  const server = await startBackend((request, response) => {
    if (request.url === '/api/resources.json') return void response.writeHead(200, { 'content-type': 'application/json' }).end(indexBody);
    response.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(2048));
  });
  const { client } = await startHost({ sources: [{ name: 'api', type: 'http', baseUrl: `${server.baseUrl}/api`, uriPrefix: 'magic://docs/', maxResponseBytes: 1024, revalidateMs: 0 }] });
  const notJson = await refusalOf(client.readResource({ uri: 'magic://docs/readme' }));
  expect({ code: notJson.code, reason: notJson.data.reason, source: notJson.data.source }).toEqual({ code: -32603, reason: 'backend-invalid', source: 'api' });
  expect(notJson.message).toMatch(/is not JSON/);
  indexBody = JSON.stringify([{ uri: 'magic://docs/big', name: 'big', path: '/big' }]);
  const tooBig = await refusalOf(client.readResource({ uri: 'magic://docs/big' }));
  expect({ code: tooBig.code, reason: tooBig.data.reason, maxResponseBytes: tooBig.data.maxResponseBytes }).toEqual({ code: -32603, reason: 'backend-invalid', maxResponseBytes: 1024 });
});
