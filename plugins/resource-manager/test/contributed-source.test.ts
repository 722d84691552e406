import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { McpError, SHUTTING_DOWN_CODE, definePlugin, type Plugin, type Resource } from '@mcp-host/core';
import { RESOURCE_MANAGER, type ContributedSource, type ContributedSourceHandle } from '../src/index.js';
import { refusalOf, startHost, startupError, tempTree, waitUntil } from './support.js';

interface Script {
  readonly path: string;
  text: string;
  updatedAt: number;
}

/**
 * A small plugin contributing a script tree of its own as `magic-api://` resources, the way the Magic-API
 * plugin will: pages of two, reads with the script and its metadata, a template, watches, search by name and
 * path. It records every call the resource-manager makes into its source.
 */
function scriptPlugin(paths: string[], overrides: Partial<ContributedSource> = {}) {
  const tree = new Map<string, Script>(paths.map((scriptPath) => [scriptPath, { path: scriptPath, text: `// ${scriptPath}`, updatedAt: 1 }]));
  const watchers = new Map<string, Set<() => void>>();
  const calls: string[] = [];
  let handle: ContributedSourceHandle | undefined;
  const uriOf = (script: Script) => `magic-api://api/${script.path}`;
  const resourceOf = (script: Script): Resource => ({ uri: uriOf(script), name: `GET /${script.path}`, description: `api ${script.path}`, mimeType: 'text/plain' });
  const scriptAt = (uri: string) => tree.get(uri.replace(/^magic-api:\/\/api\//, ''));
  const sorted = () => [...tree.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  const source: ContributedSource = {
    name: 'scripts',
    uriPrefix: 'magic-api://',
    async list(cursor) {
      calls.push(`list ${cursor ?? '-'}`);
      const offset = cursor === undefined ? 0 : Number(cursor);
      const page = sorted().slice(offset, offset + 2);
      return { resources: page.map(resourceOf), ...(offset + 2 < tree.size ? { nextCursor: String(offset + 2) } : {}) };
    },
    async read(uri) {
      calls.push(`read ${uri}`);
      const script = scriptAt(uri);
      if (!script) return undefined;
      return {
        contents: [
          { uri, mimeType: 'text/plain', text: script.text },
          { uri, mimeType: 'application/json', text: JSON.stringify({ path: script.path, updatedAt: script.updatedAt }) },
        ],
      };
    },
    async resolve(id) {
      calls.push(`resolve ${id}`);
      const script = scriptAt(id) ?? tree.get(id);
      return script && resourceOf(script);
    },
    async search(query, limit) {
      calls.push(`search ${query}`);
      const needle = query.toLowerCase();
      return sorted()
        .map(resourceOf)
        .filter((resource) => resource.name.toLowerCase().includes(needle) || resource.uri.toLowerCase().includes(needle))
        .slice(0, limit);
    },
    templates: () => [{ name: 'api', uriTemplate: 'magic-api://api/{+path}', description: 'API scripts by path' }],
    async watch(uri, onChange) {
      calls.push(`watch ${uri}`);
      if (!scriptAt(uri)) throw new McpError(-32002, `${uri}: no such script`, { reason: 'not-found', source: 'scripts', uri });
      const set = watchers.get(uri) ?? new Set();
      set.add(onChange);
      watchers.set(uri, set);
      return async () => {
        calls.push(`unwatch ${uri}`);
        set.delete(onChange);
      };
    },
    async close() {
      calls.push('close');
    },
    ...overrides,
  };
  const plugin: Plugin = definePlugin({
    name: 'scripts-plugin',
    apply(host) {
      handle = host.inject(RESOURCE_MANAGER).contribute(source, { plugin: host.name });
      host.hooks.shutdown.tapPromise('scripts-plugin', async () => void calls.push('own shutdown tap'));
    },
  });
  return {
    plugin,
    source,
    calls,
    /** Change a script on "the server": its watchers are told. */
    change(scriptPath: string, text: string) {
      const script = tree.get(scriptPath)!;
      script.text = text;
      script.updatedAt++;
      for (const notify of watchers.get(`magic-api://api/${scriptPath}`) ?? []) notify();
    },
    /** Add a script: the list changed. */
    add(scriptPath: string) {
      tree.set(scriptPath, { path: scriptPath, text: `// ${scriptPath}`, updatedAt: 1 });
      handle!.listChanged();
    },
  };
}

test('a contributed source is listed (paginated), read with several items, templated, searched, watched and closed like a configured one', async () => {
  const root = await tempTree({ 'a.md': 'a', 'b.md': 'b', 'c.md': 'c' });
  const real = realpathSync(root);
  const scripts = scriptPlugin(['orders/list', 'orders/create', 'users/get']);
  const { client, listAll, service, updated, listChanged, shutdown, assertNoLeaks } = await startHost(
    { pageSize: 2, sources: [{ name: 'docs', type: 'directory', path: root }] },
    { after: [scripts.plugin] },
  );

  // Listed after the configured source, in the contributed source's own pages.
  const { resources, pages } = await listAll();
  expect(resources.map((resource) => resource.uri)).toEqual([
    ...['a.md', 'b.md', 'c.md'].map((name) => pathToFileURL(path.join(real, name)).href),
    'magic-api://api/orders/create',
    'magic-api://api/orders/list',
    'magic-api://api/users/get',
  ]);
  expect(pages).toBe(4);
  expect(resources.at(-1)).toEqual({ uri: 'magic-api://api/users/get', name: 'GET /users/get', description: 'api users/get', mimeType: 'text/plain' });
  expect(scripts.calls.filter((call) => call.startsWith('list'))).toEqual(['list -', 'list 2']);

  // A read returns every content item the source gave.
  const read = await client.readResource({ uri: 'magic-api://api/orders/list' });
  expect(read.contents).toEqual([
    { uri: 'magic-api://api/orders/list', mimeType: 'text/plain', text: '// orders/list' },
    { uri: 'magic-api://api/orders/list', mimeType: 'application/json', text: '{"path":"orders/list","updatedAt":1}' },
  ]);
  const missing = await refusalOf(client.readResource({ uri: 'magic-api://api/nope' }));
  expect({ code: missing.code, data: missing.data }).toEqual({ code: -32002, data: { reason: 'not-found', source: 'scripts', uri: 'magic-api://api/nope' } });

  const { resourceTemplates } = await client.listResourceTemplates();
  expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual([`${pathToFileURL(real).href}/{+path}`, 'magic-api://api/{+path}']);

  // resources_search finds them by name and by path; so does the service.
  const byName = (await client.callTool({ name: 'resources_search', arguments: { query: 'GET /users' } })) as { content: any[] };
  expect(byName.content.filter((item) => item.type === 'resource_link').map((link) => link.uri)).toEqual(['magic-api://api/users/get']);
  expect(byName.content[0].text).toContain('(scripts)');
  const byPath = (await client.callTool({ name: 'resources_search', arguments: { query: 'orders/', source: 'scripts' } })) as { content: any[] };
  expect(byPath.content.filter((item) => item.type === 'resource_link').map((link) => link.uri)).toEqual(['magic-api://api/orders/create', 'magic-api://api/orders/list']);
  expect((await service.search('users')).map((resource) => resource.uri)).toEqual(['magic-api://api/users/get']);
  expect(await service.resolve('scripts', 'orders/list')).toMatchObject({ uri: 'magic-api://api/orders/list' });
  expect(service.sources().at(-1)).toEqual({ name: 'scripts', type: 'contributed', location: 'magic-api://', uriPrefix: 'magic-api://', plugin: 'scripts-plugin', resources: undefined });

  // Subscriptions: watched once, `updated` to the subscriber on a change, unwatched on unsubscribe.
  await client.subscribeResource({ uri: 'magic-api://api/orders/list' });
  expect(scripts.calls).toContain('watch magic-api://api/orders/list');
  scripts.change('orders/list', '// v2');
  await waitUntil(() => updated.length === 1, 'notifications/resources/updated');
  expect(updated).toEqual(['magic-api://api/orders/list']);
  expect((await client.readResource({ uri: 'magic-api://api/orders/list' })).contents[0]).toMatchObject({ text: '// v2' });
  await client.unsubscribeResource({ uri: 'magic-api://api/orders/list' });
  expect(scripts.calls).toContain('unwatch magic-api://api/orders/list');
  expect((await refusalOf(client.subscribeResource({ uri: 'magic-api://api/nope' }))).data).toMatchObject({ reason: 'not-found', source: 'scripts' });

  // The service's track goes to the same watch.
  const seen: string[] = [];
  const untrack = await service.track('magic-api://api/users/get', (uri) => seen.push(uri));
  scripts.change('users/get', '// changed');
  expect(seen).toEqual(['magic-api://api/users/get']);
  await untrack();

  // list_changed from the contributor's handle.
  scripts.add('users/delete');
  await waitUntil(() => listChanged() === 1, 'notifications/resources/list_changed');
  expect((await listAll()).resources.map((resource) => resource.uri)).toContain('magic-api://api/users/delete');

  // Shutdown: the resource-manager's tap closes the contributed source, before the contributor's own tap;
  // nothing of the source is called after its close.
  const report = await shutdown();
  expect(report.taps.map((tap) => [tap.name, tap.outcome])).toEqual([
    ['resource-manager', 'ok'],
    ['scripts-plugin', 'ok'],
  ]);
  expect(scripts.calls.slice(-2)).toEqual(['close', 'own shutdown tap']);
  const callsAtClose = scripts.calls.length;
  expect((await refusalOf(service.read('magic-api://api/users/get'))).data).toMatchObject({ reason: 'shutting-down', source: 'scripts' });
  expect((await refusalOf(service.search('users', { source: 'scripts' }))).message).toMatch(/shutting down/);
  expect(scripts.calls.length).toBe(callsAtClose);
  scripts.add('after/close');
  expect(listChanged()).toBe(1);
  await assertNoLeaks(2000);
});

test('contribute() is refused outside apply, for a taken name, an overlapping prefix and a malformed source', async () => {
  const contributing = (name: string, source: Record<string, unknown>, when: 'apply' | 'start' = 'apply') =>
    definePlugin({
      name,
      apply(host) {
        const contribute = () => host.inject(RESOURCE_MANAGER).contribute({ ...scriptPlugin([]).source, ...source } as ContributedSource, { plugin: host.name });
        if (when === 'apply') contribute();
        else host.hooks.start.tapPromise(name, async () => void contribute());
      },
    });
  const docs = { name: 'docs', type: 'directory', path: await tempTree({ 'a.md': 'a' }) };
  const api = { name: 'api', type: 'http', baseUrl: 'http://127.0.0.1:9', uriPrefix: 'magic-api://docs/' };

  const late = await startupError(startHost({ sources: [docs] }, { after: [contributing('late', {}, 'start')] }));
  const lateError = late.code === 'MCPH_REGISTRATION_CLOSED' ? late : late.cause;
  expect(lateError).toMatchObject({ code: 'MCPH_REGISTRATION_CLOSED', plugin: 'late' });
  expect(lateError.message).toMatch(/contribute sources from your plugin's apply\(\)/);

  const taken = await startupError(startHost({ sources: [docs] }, { after: [contributing('taker', { name: 'docs' })] }));
  expect(taken).toMatchObject({ code: 'MCPH_REGISTRATION_DUPLICATE', plugin: 'taker' });
  expect(taken.message).toContain('source "docs" (configured, directory)');

  const overlapping = await startupError(startHost({ sources: [docs, api] }, { after: [contributing('overlapper', {})] }));
  expect(overlapping).toMatchObject({ code: 'MCPH_REGISTRATION_DUPLICATE', plugin: 'overlapper' });
  expect(overlapping.message).toContain('"magic-api://"');
  expect(overlapping.message).toContain('"magic-api://docs/" of source "api" (configured, http)');

  const twice = await startupError(startHost({ sources: [docs] }, { after: [contributing('first', {}), contributing('second', { name: 'more', uriPrefix: 'magic-api://api/' })] }));
  expect(twice).toMatchObject({ code: 'MCPH_REGISTRATION_DUPLICATE', plugin: 'second' });
  expect(twice.message).toContain('source "scripts" (contributed by plugin first)');

  for (const [source, problem] of [
    [{ search: undefined }, /search\(\) is missing/],
    [{ uriPrefix: 'file:///srv/' }, /file: URIs belong to directory sources/],
    [{ name: 'no spaces' }, /name must be/],
    [{ watch: 'yes' }, /watch must be a function/],
  ] as const) {
    const malformed = await startupError(startHost({ sources: [docs] }, { after: [contributing('malformed', source)] }));
    expect(malformed).toMatchObject({ code: 'MCPH_PLUGIN_APPLY_FAILED', plugin: 'malformed' });
    expect(malformed.message).toMatch(problem);
  }

  // Listed before the resource-manager: the service is not there yet (the host's own error).
  const early = await startupError(startHost({ sources: [docs] }, { before: [contributing('early', {})] }));
  expect(early).toMatchObject({ code: 'MCPH_SERVICE_MISSING', plugin: 'early' });
});

test('a contributed source that stalls, throws or strays: every request is answered, nothing outside its prefix is served', async () => {
  let stalled = 0;
  const scripts = scriptPlugin(['a'], {
    async read(uri) {
      if (uri === 'magic-api://stall') {
        stalled++;
        return new Promise(() => {});
      }
      if (uri === 'magic-api://boom') throw new Error('backend said no');
      return { contents: [{ uri, text: 'fine' }] };
    },
    async list() {
      // A stray URI, and one too long for any read to accept: neither is listed.
      return { resources: [{ uri: 'magic-api://api/a', name: 'a' }, { uri: 'file:///etc/passwd', name: 'stray' }, { uri: `magic-api://${'y'.repeat(20_000)}`, name: 'long' }] };
    },
  });
  const { client, listAll, shutdown, stderr } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: await tempTree({}) }] }, { after: [scripts.plugin] });

  expect((await listAll()).resources.map((resource) => resource.uri)).toEqual(['magic-api://api/a']);
  expect(stderr()).toMatch(/source "scripts" \(plugin scripts-plugin\): dropped resource file:\/\/\/etc\/passwd, outside its uriPrefix "magic-api:\/\/"/);

  const boom = await refusalOf(client.readResource({ uri: 'magic-api://boom' }));
  expect({ code: boom.code, reason: boom.data.reason, source: boom.data.source }).toEqual({ code: -32603, reason: 'source-failed', source: 'scripts' });
  expect(boom.message).toContain('backend said no');
  const tooLong = await refusalOf(client.readResource({ uri: `magic-api://${'x'.repeat(100_000)}` }));
  expect({ code: tooLong.code, reason: tooLong.data.reason }).toEqual({ code: -32602, reason: 'invalid-uri' });
  const reading = refusalOf(client.readResource({ uri: 'magic-api://stall' }));
  await waitUntil(() => stalled === 1, 'the read to stall');
  const report = await shutdown();
  const refused = await reading;
  expect(refused.code).toBe(SHUTTING_DOWN_CODE);
  expect(refused.data).toMatchObject({ reason: 'shutting-down', source: 'scripts' });
  expect(report.drain.cut).toBe(0);
  expect(report.exitCode).toBe(0);
});

test('a contributed source without watch(): subscriptions are refused as not-watchable', async () => {
  const scripts = scriptPlugin(['a'], { watch: undefined });
  const { client } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: await tempTree({}) }] }, { after: [scripts.plugin] });
  expect((await refusalOf(client.subscribeResource({ uri: 'magic-api://api/a' }))).data).toMatchObject({ reason: 'not-watchable', source: 'scripts' });
});
