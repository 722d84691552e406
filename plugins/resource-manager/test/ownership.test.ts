import { realpathSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { RESOURCE_NOT_FOUND_CODE } from '@mcp-host/core';
import { MAX_URI_LENGTH } from '../src/index.js';
import { refusalOf, startBackend, startHost, startupError, tempTree } from './support.js';

/** An HTTP backend whose index is `index`, serving `BACKEND <path>` for any other path, recording requests. */
async function indexBackend(index: unknown[]) {
  return startBackend((request, response) => {
    if (request.url === '/resources.json') response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(index));
    else response.writeHead(200, { 'content-type': 'text/plain' }).end(`BACKEND ${request.url}`);
  });
}

test('an HTTP index entry outside the source prefix is refused with a warning naming source and entry, and never served', async () => {
  const root = await tempTree({ 'guide.md': 'the real guide' });
  const guide = pathToFileURL(path.join(realpathSync(root), 'guide.md')).href;
  const hostile = [
    { uri: 'docs-api://ok', name: 'ok', path: '/ok' },
    { uri: 'file:///etc/passwd', name: 'passwd', path: '/passwd' },
    { uri: guide, name: 'shadow', path: '/shadow' },
    { uri: 'docs-api:/ok-but-not-prefix', name: 'near miss', path: '/near' },
    { uri: 'other://x', name: 'other scheme', path: '/other' },
  ];
  const backend = await indexBackend(hostile);
  const { client, listAll, stderr, service } = await startHost({
    sources: [
      { name: 'docs', type: 'directory', path: root },
      { name: 'api', type: 'http', baseUrl: backend.baseUrl, uriPrefix: 'docs-api://' },
    ],
  });
  const uris = (await listAll()).resources.map((resource) => resource.uri);
  expect(uris).toEqual([guide, 'docs-api://ok']);
  // One warning, naming the source and each entry it refused (position and URI).
  const warning = stderr().split('\n').find((line) => line.includes('skipped 4 entries'))!;
  expect(warning).toContain('source "api"');
  for (const [position, entry] of hostile.entries()) {
    if (position === 0) continue;
    expect(warning).toContain(`[${position}]: uri ${entry.uri} is outside the source's uriPrefix "docs-api://"`);
  }

  // The directory's file is the directory's: the backend's "shadow" is never what a client reads.
  expect((await client.readResource({ uri: guide })).contents[0]).toMatchObject({ text: 'the real guide' });
  // /etc/passwd is no source's: the host's not-found, and nothing fetched for it.
  const passwd = await refusalOf(client.readResource({ uri: 'file:///etc/passwd' }));
  expect(passwd.code).toBe(RESOURCE_NOT_FOUND_CODE);
  expect(passwd.data?.source).toBeUndefined();
  // A URI under the prefix that the index does not list: the source's own not-found.
  expect((await refusalOf(client.readResource({ uri: 'docs-api://missing' }))).data).toMatchObject({ reason: 'not-found', source: 'api' });
  expect((await refusalOf(client.readResource({ uri: 'other://x' }))).code).toBe(RESOURCE_NOT_FOUND_CODE);
  // Search and resolve do not find them either.
  expect((await service.search('passwd')).map((resource) => resource.uri)).toEqual([]);
  expect(await service.resolve('api', '/shadow')).toBeUndefined();
  expect((await client.readResource({ uri: 'docs-api://ok' })).contents[0]).toMatchObject({ text: 'BACKEND /ok' });
  expect(backend.requests.map((request) => request.url).filter((url) => url !== '/resources.json')).toEqual(['/ok']);

  // The service routes by owner: asking the wrong source is outside-root, naming the owner.
  const wrong = await refusalOf(service.read(guide, { source: 'api' }));
  expect(wrong.data).toMatchObject({ reason: 'outside-root', source: 'api' });
  expect(wrong.message).toContain('source "docs"');
  expect((await service.read('docs-api://ok')).contents[0]).toMatchObject({ text: 'BACKEND /ok' });
});

test('the default prefix of an HTTP source is its baseUrl: other URIs in its index are refused', async () => {
  let baseUrl = '';
  const backend = await startBackend((request, response) => {
    if (request.url === '/api/resources.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([
        { uri: `${baseUrl}/api/docs/a`, name: 'a', path: '/docs/a' },
        { uri: `${baseUrl}/elsewhere/b`, name: 'b', path: '/docs/b' },
        { uri: 'magic://c', name: 'c', path: '/docs/c' },
      ]));
    } else {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`BACKEND ${request.url}`);
    }
  });
  baseUrl = backend.baseUrl;
  const { client, listAll, stderr, service } = await startHost({ sources: [{ name: 'api', type: 'http', baseUrl: `${baseUrl}/api` }] });
  expect((await listAll()).resources.map((resource) => resource.uri)).toEqual([`${baseUrl}/api/docs/a`]);
  expect(stderr()).toMatch(/skipped 2 entries/);
  expect(service.sources()[0]).toMatchObject({ name: 'api', type: 'http', uriPrefix: `${baseUrl}/api/` });
  expect((await client.readResource({ uri: `${baseUrl}/api/docs/a` })).contents[0]).toMatchObject({ text: 'BACKEND /api/docs/a' });
});

test('an HTTP index entry whose uri is too long to be read is skipped with a warning, never listed', async () => {
  // A URI over MAX_URI_LENGTH is refused as invalid-uri on read, so listing it would offer what cannot be served.
  const long = `docs-api://${'y'.repeat(MAX_URI_LENGTH)}`;
  const backend = await indexBackend([
    { uri: 'docs-api://ok', name: 'ok', path: '/ok' },
    { uri: long, name: 'long', path: '/long' },
  ]);
  const { client, listAll, stderr, service } = await startHost({ sources: [{ name: 'api', type: 'http', baseUrl: backend.baseUrl, uriPrefix: 'docs-api://' }] });
  expect((await listAll()).resources.map((resource) => resource.uri)).toEqual(['docs-api://ok']);
  const warning = stderr().split('\n').find((line) => line.includes('skipped 1 entry'))!;
  expect(warning).toContain('source "api"');
  expect(warning).toContain('[1]: uri');
  // The warning quotes the start of the URI only.
  expect(warning.length).toBeLessThan(1000);
  expect(await service.search('long')).toEqual([]);
  // A client's read is refused by the host's own URI bound, another plugin's by the source.
  expect((await refusalOf(client.readResource({ uri: long }))).data).toMatchObject({ reason: 'invalid-uri' });
  expect((await refusalOf(service.read(long))).data).toMatchObject({ reason: 'invalid-uri', source: 'api' });
  expect(backend.requests.map((request) => request.url)).not.toContain('/long');
});

test('two HTTP sources whose prefixes overlap are a config error naming both, before anything opens', async () => {
  const failure = await startupError(startHost({
    sources: [
      { name: 'one', type: 'http', baseUrl: 'http://127.0.0.1:9/a', uriPrefix: 'docs-api://' },
      { name: 'two', type: 'http', baseUrl: 'http://127.0.0.1:9/b', uriPrefix: 'docs-api://v2/' },
    ],
  }));
  expect(failure?.code).toBe('MCPH_PLUGIN_OPTIONS_INVALID');
  expect(failure?.message).toMatch(/sources\.1\.uriPrefix|sources\[1\]\.uriPrefix/);
  expect(failure?.message).toContain('"docs-api://v2/"');
  expect(failure?.message).toContain('sources[0] ("one")');

  // Default prefixes too: the key named is then baseUrl.
  const defaults = await startupError(startHost({
    sources: [
      { name: 'one', type: 'http', baseUrl: 'http://127.0.0.1:9/a' },
      { name: 'two', type: 'http', baseUrl: 'http://127.0.0.1:9/a/b' },
    ],
  }));
  expect(defaults?.message).toMatch(/sources\.1\.baseUrl|sources\[1\]\.baseUrl/);
});

test('a uriPrefix must be a lower-case scheme of its own, never file:', async () => {
  for (const [uriPrefix, expected] of [
    ['file:///etc/', /file: URIs belong to directory sources/],
    ['docs', /does not start with a URI scheme/],
    ['Docs-Api://', /lower case/],
    ['docs:', /bare scheme/],
    ['docs://a b', /whitespace/],
  ] as const) {
    const failure = await startupError(startHost({ sources: [{ name: 'api', type: 'http', baseUrl: 'http://127.0.0.1:9', uriPrefix }] }));
    expect({ uriPrefix, code: failure?.code }).toEqual({ uriPrefix, code: 'MCPH_PLUGIN_OPTIONS_INVALID' });
    expect(failure?.message).toMatch(expected);
  }
});

test('two directory roots of which one contains the other fail apply, naming both', async () => {
  const parent = await tempTree({ 'docs/a.md': 'a', 'docs/api/b.md': 'b' });
  const failure = await startupError(
    startHost(
      {
        sources: [
          { name: 'docs', type: 'directory', path: './docs' },
          { name: 'api', type: 'directory', path: './docs/api' },
        ],
      },
      { cwd: parent },
    ),
  );
  expect(failure).toMatchObject({ code: 'MCPH_CONFIG_INVALID', plugin: 'resource-manager' });
  expect(failure.message).toContain('sources[1] ("api")');
  expect(failure.message).toContain('sources[0] ("docs")');
});

test('roots that overlap only once symlinks are resolved fail startup, naming both', async () => {
  const parent = await tempTree({ 'real/a.md': 'a', 'real/sub/b.md': 'b' });
  await mkdir(path.join(parent, 'links'));
  await symlink(path.join(parent, 'real/sub'), path.join(parent, 'links/sub'), 'dir');
  const failure = await startupError(startHost({
    sources: [
      { name: 'real', type: 'directory', path: path.join(parent, 'real') },
      { name: 'linked', type: 'directory', path: path.join(parent, 'links/sub') },
    ],
  }));
  // The start tap's error, as the host reports it (wrapped with the hook, the cause kept).
  const error = failure.code === 'MCPH_CONFIG_INVALID' ? failure : failure.cause;
  expect(error.code).toBe('MCPH_CONFIG_INVALID');
  expect(error.message).toContain('source "linked"');
  expect(error.message).toContain('sources[0] ("real")');
});
