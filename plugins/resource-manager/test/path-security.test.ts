import { constants } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, onTestFinished, test } from 'vitest';
import { RESOURCE_NOT_FOUND_CODE } from '@mcp-host/core';
import { MAX_CONTENT_BYTES, MAX_URI_LENGTH } from '../src/index.js';
import { refusalOf, settled, startHost, startupError, tempTree, waitUntil } from './support.js';

/**
 * Every way out of a root we know of, each refused with a JSON-RPC error whose data names the reason; the
 * secret next to the root never reaches the client, and the host keeps serving after each attempt.
 */
test('traversal attempts of every kind are refused with the reason, never served, never a crash', async () => {
  const parent = await tempTree({ 'secret.txt': 'TOP-SECRET', 'docs/ok.md': 'fine', 'docs/sub/a.md': 'a' });
  const root = path.join(parent, 'docs');
  await mkdir(path.join(parent, 'docs-evil'));
  await symlink(path.join(parent, 'secret.txt'), path.join(root, 'link-out.txt'));
  await symlink(parent, path.join(root, 'sub', 'up'), 'dir');
  const real = realpathSync(root);
  const base = pathToFileURL(real).href;
  const { client } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root }] });

  const attempts: [string, string][] = [
    [`${base}/../secret.txt`, 'traversal'],
    [`${base}/sub/../../secret.txt`, 'traversal'],
    [`${base}/%2e%2e/secret.txt`, 'traversal'],
    [`${base}/%2E%2E/secret.txt`, 'traversal'],
    [`${base}/.%2e/secret.txt`, 'traversal'],
    [`${base}/./ok.md`, 'traversal'],
    [`${base}/sub\\..\\..\\secret.txt`, 'traversal'],
    [`${base}/..%2fsecret.txt`, 'encoded-separator'],
    [`${base}/..%2Fsecret.txt`, 'encoded-separator'],
    [`${base}/ok.md%00.png`, 'encoded-separator'],
    [`${base}/%E0%A4%A`, 'invalid-uri'],
    [`${base.replace('file://', 'file://evil.example')}/ok.md`, 'invalid-uri'],
    [`${base}/link-out.txt`, 'symlink-escape'],
    [`${base}/sub/up/secret.txt`, 'symlink-escape'],
    [base, 'not-a-file'],
    [`${base}/sub`, 'not-a-file'],
    [`${base}/missing.md`, 'not-found'],
  ];
  for (const [uri, reason] of attempts) {
    const refused = await refusalOf(client.readResource({ uri }));
    expect({ uri, reason: refused.data?.reason }).toEqual({ uri, reason });
    expect(refused.message).not.toContain('TOP-SECRET');
  }

  // Not inside any root at all: not this plugin's resource (an absolute path, a sibling that shares the
  // root's name as a prefix, another scheme), so the host answers "not found".
  for (const uri of [pathToFileURL(path.join(realpathSync(parent), 'secret.txt')).href, `${base}-evil/x`, '/etc/passwd', 'file:///etc/passwd', 'http://127.0.0.1/secret.txt']) {
    const refused = await refusalOf(client.readResource({ uri }));
    expect({ uri, code: refused.code }).toEqual({ uri, code: RESOURCE_NOT_FOUND_CODE });
  }

  // Still serving, and the legitimate spellings work: localhost host, percent-encoded letters.
  expect((await client.readResource({ uri: `${base}/ok.md` })).contents[0]).toMatchObject({ text: 'fine' });
  expect((await client.readResource({ uri: `${base.replace('file://', 'file://localhost')}/ok.md` })).contents[0]).toMatchObject({ text: 'fine' });
  expect((await client.readResource({ uri: `${base}/%6Fk.md` })).contents[0]).toMatchObject({ text: 'fine' });
  // Subscriptions go through the same guard.
  expect((await refusalOf(client.subscribeResource({ uri: `${base}/../secret.txt` }))).data.reason).toBe('traversal');
  expect((await refusalOf(client.subscribeResource({ uri: `${base}/link-out.txt` }))).data.reason).toBe('symlink-escape');
});

test('a root that is itself a symlink: URIs use the real path, and the configured spelling is accepted', async () => {
  const parent = await tempTree({ 'real-docs/a.md': 'a', 'secret.txt': 'TOP-SECRET' });
  await symlink(path.join(parent, 'real-docs'), path.join(parent, 'docs-link'), 'dir');
  const real = realpathSync(path.join(parent, 'real-docs'));
  const { client, listAll } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: path.join(parent, 'docs-link') }] });
  expect((await listAll()).resources.map((resource) => resource.uri)).toEqual([pathToFileURL(path.join(real, 'a.md')).href]);
  expect((await client.readResource({ uri: pathToFileURL(path.join(parent, 'docs-link', 'a.md')).href })).contents[0]).toMatchObject({ text: 'a' });
  const refused = await refusalOf(client.readResource({ uri: `${pathToFileURL(path.join(parent, 'docs-link')).href}/../secret.txt` }));
  expect(refused.data.reason).toBe('traversal');
});

test('an encoded backslash, an over-long URI or name, a socket and a FIFO are refused with their reasons', async () => {
  const parent = await tempTree({ 'docs/ok.md': 'fine', 'docs/a\\b.md': 'backslash in a name', 'secret.txt': 'TOP-SECRET' });
  const root = path.join(parent, 'docs');
  const real = realpathSync(root);
  const base = pathToFileURL(real).href;
  execFileSync('mkfifo', [path.join(root, 'pipe.txt')]);
  const socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(path.join(root, 'socket.txt'), resolve));
  onTestFinished(() => new Promise<void>((resolve) => socketServer.close(() => resolve())));
  const { client, host } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root }] });

  for (const [uri, code, reason] of [
    // %5C decodes to a backslash, which WHATWG URL parsing turns into a separator: refused, never a name.
    [`${base}/a%5Cb.md`, -32602, 'encoded-separator'],
    [`${base}/sub%5C..%5C..%5Csecret.txt`, -32602, 'encoded-separator'],
    [`${base}/${'a'.repeat(100 * 1024)}.md`, -32602, 'invalid-uri'],
    [`${base}/${'n'.repeat(256)}.md`, -32602, 'invalid-uri'],
    [`${base}/${Array.from({ length: 1100 }, () => 'dir').join('/')}/${'x'.repeat(200)}.md`, -32602, 'invalid-uri'],
    [`${base}/pipe.txt`, -32602, 'not-a-file'],
    [`${base}/socket.txt`, -32602, 'not-a-file'],
  ] as const) {
    const refused = await refusalOf(client.readResource({ uri }));
    expect({ uri: uri.slice(0, 120), code: refused.code, reason: refused.data?.reason }).toEqual({ uri: uri.slice(0, 120), code, reason });
    // The URI is echoed, but never more than the longest one accepted (a 100 KB one is cut).
    expect(refused.message.length).toBeLessThan(MAX_URI_LENGTH + 1000);
  }
  expect(host.state).toBe('running');
  expect((await client.readResource({ uri: `${base}/ok.md` })).contents[0]).toMatchObject({ text: 'fine' });
});

test('a file or folder whose name holds a backslash is not listed: its URI would carry %5C, which is refused', async () => {
  // Linux allows "\\" in a name; pathToFileURL writes it as %5C, and a read of %5C is encoded-separator, so
  // listing it (or finding it with resources_search) would offer a resource no read can reach.
  const root = await tempTree({ 'ok.md': 'ok', 'back\\slash.md': 'b', 'dir\\name/inside.md': 'i', 'odd%5Cname.md': 'o' });
  const { client, listAll, listChanged, service } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root }] });
  const names = (await listAll()).resources.map((resource) => resource.name).sort();
  expect(names).toEqual(['odd%5Cname.md', 'ok.md']);
  expect((await service.search('slash')).map((resource) => resource.name)).toEqual([]);
  // Every resource listed can be read (the "%5C" in the last name is its own, written %255C in the URI).
  for (const resource of (await listAll()).resources) expect((await client.readResource({ uri: resource.uri })).contents).toHaveLength(1);
  // One added while the tree is watched is not listed either.
  const changes = listChanged();
  await writeFile(path.join(root, 'later\\.md'), 'l');
  await writeFile(path.join(root, 'later.md'), 'l');
  await waitUntil(() => listChanged() > changes, 'list_changed for later.md');
  await settled(listChanged);
  expect((await listAll()).resources.map((resource) => resource.name).sort()).toEqual(['later.md', 'odd%5Cname.md', 'ok.md']);
});

test('a file over maxFileBytes is refused as too-large from its size, without being read', async () => {
  const root = await tempTree({ 'small.txt': 'small' });
  // A sparse 2 GiB file: no disk blocks, and far more than one reply could carry.
  const huge = path.join(root, 'huge.bin');
  await writeFile(huge, '');
  await truncate(huge, 2 * 1024 ** 3);
  const real = realpathSync(root);
  const { client, service } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root, maxFileBytes: 1024 }] });
  expect((await service.resolve('docs', 'huge.bin'))?.size).toBe(2 * 1024 ** 3);
  const rssBefore = process.memoryUsage().rss;
  const refused = await refusalOf(client.readResource({ uri: pathToFileURL(path.join(real, 'huge.bin')).href }));
  expect(refused.code).toBe(-32602);
  expect(refused.data).toMatchObject({ reason: 'too-large', source: 'docs', size: 2 * 1024 ** 3, maxFileBytes: 1024 });
  // Refused from its size: nothing near its length was allocated.
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  expect((await client.readResource({ uri: pathToFileURL(path.join(real, 'small.txt')).href })).contents[0]).toMatchObject({ text: 'small' });
});

test('maxFileBytes and maxResponseBytes are capped at what one JSON-RPC reply carries; over it is a config error naming the key', async () => {
  const root = await tempTree({});
  for (const [source, key] of [
    [{ name: 'docs', type: 'directory', path: root, maxFileBytes: MAX_CONTENT_BYTES + 1 }, 'maxFileBytes'],
    [{ name: 'api', type: 'http', baseUrl: 'http://127.0.0.1:9', maxResponseBytes: 2 * 1024 ** 3 }, 'maxResponseBytes'],
  ] as const) {
    const failure = await startupError(startHost({ sources: [source] }));
    expect(failure?.code).toBe('MCPH_PLUGIN_OPTIONS_INVALID');
    expect(failure?.message).toMatch(new RegExp(`sources[.[]0]?\\.${key}`));
    expect(failure?.message).toContain(`${key} is at most ${MAX_CONTENT_BYTES} (85 MiB)`);
  }
  // The cap itself is accepted.
  const { service } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root, maxFileBytes: MAX_CONTENT_BYTES }] });
  expect(service.sources()).toHaveLength(1);
  // And it is what the README says, derived from V8's longest string.
  expect(MAX_CONTENT_BYTES).toBe(85 * 1024 * 1024);
  expect(MAX_CONTENT_BYTES * 6 + 1024 * 1024).toBeLessThanOrEqual(constants.MAX_STRING_LENGTH);
  expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain('at most **85 MiB**');
});
