import { listAllPages, waitUntil } from '@mcp-host/testing';
import { expect, test } from 'vitest';
import { ResourceUpdatedNotificationSchema, ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
// McpError from core: the in-process Client is core's (`@mcp-host/core/client`), so its errors are core's SDK's.
import { McpError, RESOURCE_NOT_FOUND_CODE } from '@mcp-host/core';
import { connectInProcess, linkCore, tempDir, writeFiles } from '../src/index.js';

// A plugin using the public resource API: a fixed resource, a template, and a provider with three pages
// of two resources each that supports subscriptions and announces changes through a tool.
const PLUGIN = `
import { definePlugin, ResourceTemplate, McpError } from '@mcp-host/core';
import { appendFileSync } from 'node:fs';

export default definePlugin({
  name: 'catalog',
  apply(host) {
    const log = (line) => appendFileSync(host.configDir + '/events.log', line + '\\n');
    host.resource('readme', 'memo://readme', { mimeType: 'text/plain' }, async (uri) => ({
      contents: [{ uri: uri.href, text: 'read me' }],
    }));
    host.resource('note', new ResourceTemplate('memo://notes/{id}', { list: undefined }), { mimeType: 'text/plain' }, async (uri, { id }) => ({
      contents: [{ uri: uri.href, text: 'note ' + id }],
    }));
    const items = Array.from({ length: 6 }, (_, i) => ({ uri: 'gen://item/' + i, name: 'item ' + i, mimeType: 'text/plain' }));
    host.resources({
      list(cursor) {
        const start = cursor ? Number(cursor) : 0;
        const next = start + 2 < items.length ? String(start + 2) : undefined;
        return { resources: items.slice(start, start + 2), nextCursor: next };
      },
      read(uri) {
        if (!uri.startsWith('gen://item/')) return undefined;
        if (uri === 'gen://item/secret') throw new McpError(-32602, 'refused: secret');
        return { contents: [{ uri, text: 'content of ' + uri }] };
      },
      templates: () => [{ name: 'item', uriTemplate: 'gen://item/{n}' }],
      subscribe(uri) {
        if (!uri.startsWith('gen://')) return false;
        log('subscribe ' + uri);
        return true;
      },
      unsubscribe(uri) { log('unsubscribe ' + uri); },
    });
    host.tool('touch', { description: 'announce a change' }, async () => {
      host.notifyResourceUpdated('gen://item/1');
      host.notifyResourceUpdated('gen://item/2');
      host.notifyResourceListChanged();
      return { content: [{ type: 'text', text: 'touched' }] };
    });
  },
});
`;

test('resources from registrations and a provider: pagination, templates, reads, errors, subscriptions', async () => {
  const dir = await tempDir();
  await linkCore(dir);
  await writeFiles(dir, { 'catalog.mjs': PLUGIN, 'events.log': '', 'mcp-host.config.json': { plugins: ['./catalog.mjs'] } });
  // The resource catalog is the host's logic: in-process, through the embedding API.
  const { client } = await connectInProcess({ cwd: dir });
  expect(client.getServerCapabilities()?.resources).toEqual({ listChanged: true, subscribe: true });

  const { resources, pages } = await listAllPages((params) => client.listResources(params), { maxPages: 10 });
  expect(resources.map((resource) => resource.uri)).toEqual(['memo://readme', ...Array.from({ length: 6 }, (_, i) => `gen://item/${i}`)]);
  expect(pages).toBe(4);

  const templates = await client.listResourceTemplates();
  expect(templates.resourceTemplates.map((template) => template.uriTemplate)).toEqual(['memo://notes/{id}', 'gen://item/{n}']);

  expect((await client.readResource({ uri: 'memo://readme' })).contents[0]).toMatchObject({ text: 'read me' });
  expect((await client.readResource({ uri: 'memo://notes/42' })).contents[0]).toMatchObject({ text: 'note 42' });
  expect((await client.readResource({ uri: 'gen://item/3' })).contents[0]).toMatchObject({ text: 'content of gen://item/3' });

  const missing = await client.readResource({ uri: 'nope://x' }).catch((error) => error);
  expect(missing).toBeInstanceOf(McpError);
  expect(missing.code).toBe(RESOURCE_NOT_FOUND_CODE);
  const refused = await client.readResource({ uri: 'gen://item/secret' }).catch((error) => error);
  expect(refused.code).toBe(-32602);
  expect(refused.message).toContain('refused: secret');
  const badCursor = await client.listResources({ cursor: 'not-a-cursor' }).catch((error) => error);
  expect(badCursor.code).toBe(-32602);

  const updated: string[] = [];
  let listChanged = 0;
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updated.push(notification.params.uri));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged++);
  await client.subscribeResource({ uri: 'gen://item/1' });
  const notMine = await client.subscribeResource({ uri: 'memo://unknown' }).catch((error) => error);
  expect(notMine.code).toBe(RESOURCE_NOT_FOUND_CODE);
  await client.callTool({ name: 'touch' });
  await waitUntil(() => updated.length >= 1 && listChanged >= 1, 'the updated and list_changed notifications');
  // Only the subscribed URI is announced.
  expect(updated).toEqual(['gen://item/1']);
  expect(listChanged).toBe(1);
  await client.unsubscribeResource({ uri: 'gen://item/1' });
  const { readFileSync } = await import('node:fs');
  expect(readFileSync(`${dir}/events.log`, 'utf8').trim().split('\n')).toEqual(['subscribe gen://item/1', 'unsubscribe gen://item/1']);
});

test('a resource URI over 16 KiB is refused as invalid-uri before any registration or provider sees it', async () => {
  const dir = await tempDir();
  await linkCore(dir);
  await writeFiles(dir, { 'catalog.mjs': PLUGIN, 'events.log': '', 'mcp-host.config.json': { plugins: ['./catalog.mjs'] } });
  const { client } = await connectInProcess({ cwd: dir });
  const long = (prefix: string, length: number) => prefix + 'x'.repeat(length - prefix.length);
  // 100 KB nobody owns (was -32002 echoing all of it twice), one the provider would serve (it was served), one a
  // template matches, and 2 MB, past the SDK's own URI-template bound (was -32603 "URI exceeds maximum length").
  for (const uri of [long('nope://', 100_000), long('gen://item/', 100_000), long('memo://notes/', 100_000), long('memo://notes/', 2_000_000)]) {
    for (const [what, call] of [['read', () => client.readResource({ uri })], ['subscribe', () => client.subscribeResource({ uri })]] as const) {
      const error = await call().then(() => undefined, (caught: McpError) => caught);
      expect(error, `${what} ${uri.slice(0, 20)}`).toBeInstanceOf(McpError);
      expect({ what, code: error!.code, data: error!.data }).toMatchObject({ what, code: -32602, data: { reason: 'invalid-uri', length: uri.length } });
      // The answer quotes the start of the URI only.
      expect(error!.message.length, what).toBeLessThan(1000);
    }
  }
  // At the bound it is still the providers' to answer.
  expect((await client.readResource({ uri: long('gen://item/', 16 * 1024) })).contents).toHaveLength(1);
  const { readFileSync } = await import('node:fs');
  expect(readFileSync(`${dir}/events.log`, 'utf8')).toBe('');
});
