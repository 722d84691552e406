import { symlink } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chmodSync, realpathSync } from 'node:fs';
import { expect, test } from 'vitest';
import { refusalOf, startHost, tempTree } from './support.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

async function docsTree() {
  const root = await tempTree({
    'README.md': '# Docs\n',
    'guide/intro.txt': 'hello\n',
    'guide/deep/nested/page.md': 'deep page',
    'images/pixel.png': PNG,
    'data/blob.bin': Buffer.from([0, 1, 2, 3, 255]),
    'data/unknown.xyz': 'plain words with an unknown extension',
    'data/latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9]),
    'name with spaces.md': 'spaces',
    'ünïcödé/日本語.txt': 'non-ASCII',
    '.env': 'SECRET=1',
    '.git/config': '[core]',
    'guide/.draft.md': 'draft',
    'node_modules/pkg/index.js': 'module.exports = 1',
  });
  return { root, real: realpathSync(root) };
}

const uriOf = (real: string, relative: string) => pathToFileURL(path.join(real, relative)).href;

test('lists every selected file with a file:// URI of its real path, its relative name, MIME type and size', async () => {
  const { root, real } = await docsTree();
  const { client, listAll } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root, exclude: ['**/node_modules/**'] }] });
  const { resources } = await listAll();
  expect(resources.map((resource) => resource.name)).toEqual([
    'README.md',
    'data/blob.bin',
    'data/latin1.txt',
    'data/unknown.xyz',
    'guide/deep/nested/page.md',
    'guide/intro.txt',
    'images/pixel.png',
    'name with spaces.md',
    'ünïcödé/日本語.txt',
  ]);
  expect(resources[0]).toEqual({ uri: uriOf(real, 'README.md'), name: 'README.md', mimeType: 'text/markdown', size: 7 });
  expect(resources.find((resource) => resource.name === 'images/pixel.png')).toMatchObject({ mimeType: 'image/png', size: PNG.length });
  expect(resources.find((resource) => resource.name === 'data/unknown.xyz')!.mimeType).toBeUndefined();
  const spaced = resources.find((resource) => resource.name === 'name with spaces.md')!;
  expect(spaced.uri).toBe(`${pathToFileURL(real).href}/name%20with%20spaces.md`);

  const templates = await client.listResourceTemplates();
  expect(templates.resourceTemplates).toEqual([expect.objectContaining({ name: 'docs', uriTemplate: `${pathToFileURL(real).href}/{+path}` })]);
});

test('reads text as text and everything else as base64 blobs; unknown extensions are sniffed', async () => {
  const { root, real } = await docsTree();
  const { client } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root }] });
  const read = async (relative: string) => (await client.readResource({ uri: uriOf(real, relative) })).contents[0] as unknown as Record<string, string>;

  expect(await read('README.md')).toEqual({ uri: uriOf(real, 'README.md'), mimeType: 'text/markdown', text: '# Docs\n' });
  expect(await read('guide/deep/nested/page.md')).toMatchObject({ text: 'deep page' });
  expect(await read('name with spaces.md')).toMatchObject({ text: 'spaces' });
  expect(await read('ünïcödé/日本語.txt')).toMatchObject({ mimeType: 'text/plain', text: 'non-ASCII' });
  expect(await read('images/pixel.png')).toEqual({ uri: uriOf(real, 'images/pixel.png'), mimeType: 'image/png', blob: PNG.toString('base64') });
  expect(await read('data/blob.bin')).toMatchObject({ mimeType: 'application/octet-stream', blob: Buffer.from([0, 1, 2, 3, 255]).toString('base64') });
  expect(await read('data/unknown.xyz')).toMatchObject({ mimeType: 'text/plain', text: 'plain words with an unknown extension' });
  // A .txt that is not UTF-8 is not garbled into text: it comes as a blob of its type.
  expect(await read('data/latin1.txt')).toMatchObject({ mimeType: 'text/plain', blob: Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString('base64') });
  // The URI as the client spells it is echoed back (here: unencoded non-ASCII is fine too).
  const raw = `${pathToFileURL(real).href}/ünïcödé/日本語.txt`;
  expect((await client.readResource({ uri: raw })).contents[0]).toMatchObject({ uri: raw, text: 'non-ASCII' });
});

test('pages through a large tree with cursors, in a stable order; a forged cursor is refused', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 45; i++) files[`dir${i % 3}/file-${String(i).padStart(2, '0')}.txt`] = `${i}`;
  const root = await tempTree(files);
  const { client, listAll } = await startHost({ sources: [{ name: 'many', type: 'directory', path: root, watch: false }], pageSize: 10 });
  const { resources, pages } = await listAll();
  expect(resources).toHaveLength(45);
  expect(pages).toBe(5);
  const names = resources.map((resource) => resource.name);
  expect(names).toEqual([...names].sort());
  expect(new Set(names).size).toBe(45);

  const first = await client.listResources({});
  expect(first.resources).toHaveLength(10);
  const bad = await refusalOf(client.listResources({ cursor: 'bm90IGEgY3Vyc29y' }));
  expect(bad.code).toBe(-32602);
});

test('hidden files and folders are neither listed nor readable unless include names them', async () => {
  const { root, real } = await docsTree();
  const { client, listAll } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root }] });
  const { resources } = await listAll();
  expect(resources.some((resource) => resource.name.split('/').some((part) => part.startsWith('.')))).toBe(false);
  for (const hidden of ['.env', '.git/config', 'guide/.draft.md']) {
    const refused = await refusalOf(client.readResource({ uri: uriOf(real, hidden) }));
    expect(refused.code).toBe(-32602);
    expect(refused.data).toMatchObject({ reason: 'hidden', source: 'docs' });
  }

  const { client: named, listAll: listNamed } = await startHost({
    sources: [{ name: 'docs', type: 'directory', path: root, include: ['**/*', '.git/**', '**/.draft.md'], exclude: ['**/node_modules/**'] }],
  });
  const listed = (await listNamed()).resources.map((resource) => resource.name);
  expect(listed).toContain('.git/config');
  expect(listed).toContain('guide/.draft.md');
  expect(listed).not.toContain('.env');
  expect((await named.readResource({ uri: uriOf(real, '.git/config') })).contents[0]).toMatchObject({ text: '[core]' });
  expect((await refusalOf(named.readResource({ uri: uriOf(real, '.env') }))).data.reason).toBe('hidden');
  expect((await refusalOf(named.readResource({ uri: uriOf(real, 'node_modules/pkg/index.js') }))).data.reason).toBe('excluded');
});

test('files over maxFileBytes are listed with their size but refused on read, naming the limit', async () => {
  const root = await tempTree({ 'small.txt': 'ok', 'big.log': 'x'.repeat(2048) });
  const real = realpathSync(root);
  const { client, listAll } = await startHost({ sources: [{ name: 'logs', type: 'directory', path: root, maxFileBytes: 1024 }] });
  expect((await listAll()).resources.find((resource) => resource.name === 'big.log')).toMatchObject({ size: 2048 });
  const refused = await refusalOf(client.readResource({ uri: uriOf(real, 'big.log') }));
  expect(refused.code).toBe(-32602);
  expect(refused.data).toMatchObject({ reason: 'too-large', source: 'logs', size: 2048, maxFileBytes: 1024 });
  expect(refused.message).toMatch(/maxFileBytes/);
  expect((await client.readResource({ uri: uriOf(real, 'small.txt') })).contents[0]).toMatchObject({ text: 'ok' });
});

test('relative paths resolve against the config directory; a root that does not exist serves nothing and says so', async () => {
  const configDir = await tempTree({ 'docs/a.md': 'a' });
  const { listAll, stderr } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: './docs' }, { name: 'gone', type: 'directory', path: './missing' }] }, { cwd: configDir });
  expect((await listAll()).resources.map((resource) => resource.name)).toEqual(['a.md']);
  expect(stderr()).toMatch(/source "gone": root .*missing is not a readable directory/);
});

test('resources_search finds files by substring across sources; the service lists, reads and resolves', async () => {
  const { root, real } = await docsTree();
  const other = await tempTree({ 'notes/guide-to-x.md': 'x' });
  const { client, service } = await startHost({
    sources: [
      { name: 'docs', type: 'directory', path: root },
      { name: 'notes', type: 'directory', path: other },
    ],
  });
  const result = (await client.callTool({ name: 'resources_search', arguments: { query: 'GUIDE' } })) as { content: any[]; isError?: boolean };
  expect(result.isError).toBeFalsy();
  const links = result.content.filter((item) => item.type === 'resource_link');
  expect(links.map((link) => link.name)).toEqual(['guide/deep/nested/page.md', 'guide/intro.txt', 'notes/guide-to-x.md']);
  expect(links[1]).toMatchObject({ uri: uriOf(real, 'guide/intro.txt'), mimeType: 'text/plain' });
  expect(result.content[0].text).toMatch(/^3 resources matching "GUIDE"/);

  const limited = (await client.callTool({ name: 'resources_search', arguments: { query: 'guide', source: 'docs', limit: 1 } })) as { content: any[] };
  expect(limited.content.filter((item) => item.type === 'resource_link')).toHaveLength(1);
  const unknown = (await client.callTool({ name: 'resources_search', arguments: { query: 'x', source: 'nope' } })) as { content: any[]; isError?: boolean };
  expect(unknown.isError).toBe(true);
  expect(unknown.content[0].text).toMatch(/Unknown source "nope"/);

  // The service: the same sources, the same checks.
  expect(service.sources().map(({ name, type }) => ({ name, type }))).toEqual([
    { name: 'docs', type: 'directory' },
    { name: 'notes', type: 'directory' },
  ]);
  expect(await service.resolve('docs', 'guide/intro.txt')).toMatchObject({ uri: uriOf(real, 'guide/intro.txt'), name: 'guide/intro.txt', size: 6 });
  expect(await service.resolve('docs', 'guide/none.txt')).toBeUndefined();
  await expect(service.resolve('docs', '../outside.txt')).rejects.toMatchObject({ data: { reason: 'traversal' } });
  await expect(service.resolve('nope', 'a')).rejects.toMatchObject({ data: { reason: 'unknown-source' } });
  expect((await service.read(uriOf(real, 'README.md'))).contents[0]).toMatchObject({ text: '# Docs\n' });
  await expect(service.read('file:///definitely/not/here')).rejects.toMatchObject({ data: { reason: 'not-found' } });
  const all: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const page = await service.list(cursor ? { cursor } : {});
    all.push(...page.resources.map((resource) => resource.name));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  expect(all).toContain('notes/guide-to-x.md');
  expect(all).toContain('README.md');
  expect((await service.search('intro')).map((resource) => resource.name)).toEqual(['guide/intro.txt']);
});

test('symlinks: not listed; one inside the root reads its target, one escaping it is refused', async () => {
  const outside = await tempTree({ 'secret.txt': 'top secret' });
  const root = await tempTree({ 'inside/target.md': 'target' });
  await symlink(path.join(outside, 'secret.txt'), path.join(root, 'escape.txt'));
  await symlink(outside, path.join(root, 'escape-dir'), 'dir');
  await symlink(path.join(root, 'inside/target.md'), path.join(root, 'alias.md'));
  const real = realpathSync(root);
  const { client, listAll } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root }] });
  expect((await listAll()).resources.map((resource) => resource.name)).toEqual(['inside/target.md']);
  for (const escaping of ['escape.txt', 'escape-dir/secret.txt']) {
    const refused = await refusalOf(client.readResource({ uri: uriOf(real, escaping) }));
    expect(refused.code).toBe(-32602);
    expect(refused.data).toMatchObject({ reason: 'symlink-escape', source: 'docs' });
    expect(refused.message).not.toContain('top secret');
  }
  expect((await client.readResource({ uri: uriOf(real, 'alias.md') })).contents[0]).toMatchObject({ text: 'target' });
});

// As root (CI here runs as root) permissions do not stop a read, so no file can be made unreadable.
test.skipIf(process.getuid?.() === 0)('a file the host may not read is refused as unreadable (-32603)', async () => {
  const root = await tempTree({ 'locked.md': 'secret' });
  chmodSync(path.join(root, 'locked.md'), 0o000);
  const { client } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root }] });
  const refused = await refusalOf(client.readResource({ uri: uriOf(realpathSync(root), 'locked.md') }));
  expect({ code: refused.code, reason: refused.data.reason }).toEqual({ code: -32603, reason: 'unreadable' });
});
