// The plugin unchanged under MCP 2026-07-28: the same three plugins in-process, one host per revision against the
// same emulator, the SDK 1.x client (2025-11-25) on one and the SDK 2.x client pinned to 2026-07-28 on the other
// (@mcp-host/testing's `protocol` option). Every answer a 2025 client gets, a 2026 client gets too; an edit made
// through the 2026 client is what the 2025 client reads next.
import { describe, expect, it } from 'vitest';
import resourceManager from '@mcp-host/plugin-resource-manager';
import websocketManager from '@mcp-host/plugin-websocket-manager';
import { callTool, createTestHost, listAllPages } from '@mcp-host/testing';
import plugin from '../src/index.js';
import { emulator } from './support.js';
import { SEED } from './tool-call.js';

const plugins = (baseUrl: string) => [
  [websocketManager, {}],
  [resourceManager, { sources: [{ name: 'docs', type: 'directory', path: './no-such-docs-dir', watch: false }] }],
  [plugin, { baseUrl, refreshSeconds: 0, console: false }],
] as const;

async function hosts() {
  const server = await emulator();
  const legacy = await createTestHost({ plugins: [...plugins(server.baseUrl)] as never });
  const modern = await createTestHost({ plugins: [...plugins(server.baseUrl)] as never, protocol: '2026-07-28' });
  return { server, legacy, modern, async close() {
    await legacy.shutdown();
    await modern.shutdown();
  } };
}

describe('magic-api over 2026-07-28', () => {
  it('answers every read tool and the magic-api:// resources as it answers a 2025 client', async () => {
    const { legacy, modern, close } = await hosts();
    try {
      expect(modern.client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      const names = async (client: { listTools(): Promise<{ tools: { name: string }[] }> }) => (await client.listTools()).tools.map((tool) => tool.name).sort();
      expect(await names(modern.client)).toEqual(await names(legacy.client));
      const calls: [string, Record<string, unknown>][] = [
        ['magic_tree', { type: 'api', group: '用户管理/角色' }],
        ['magic_get', { method: 'GET', path: '/user/role/list' }],
        ['magic_search', { keyword: 'formatMoney' }],
        ['magic_tree', { type: 'apis' }],
        ['magic_call_api', { method: 'GET', path: '/user/list', query: { page: 1, size: 2 }, logWaitMs: 0 }],
      ];
      for (const [name, args] of calls) {
        const [a, b] = [await callTool(legacy.client, name, args), await callTool(modern.client, name, args)];
        expect(b.isError, `${name}: ${b.text}`).toBe(a.isError);
        // Each host fetched the tree itself and timed its own call: those two stamps differ, nothing else may.
        // A called API's answer carries the server's own clock and session cookie: its API, status and data compare.
        const comparable = (answer: typeof a) =>
          !answer.json ? answer.text : name === 'magic_call_api' ? { api: answer.json.api, status: answer.json.status, data: answer.json.body?.data } : { ...answer.json, treeFetchedAt: undefined };
        expect(comparable(b)).toEqual(comparable(a));
      }
      const uris = async (client: typeof legacy.client | typeof modern.client) =>
        (await listAllPages((params) => (client as typeof legacy.client).listResources(params))).resources.map((resource) => resource.uri).filter((uri) => uri.startsWith('magic-api://')).sort();
      const listed = await uris(modern.client);
      expect(listed).toEqual(await uris(legacy.client));
      expect(listed).toContain('magic-api://api/用户管理/角色/角色列表');
      expect((await modern.client.readResource({ uri: 'magic-api://api/用户管理/用户列表' })).contents).toEqual((await legacy.client.readResource({ uri: 'magic-api://api/用户管理/用户列表' })).contents);
    } finally {
      await close();
    }
  });

  it('an edit through the 2026 client is what the 2025 client reads next', async () => {
    const { legacy, modern, close } = await hosts();
    try {
      const before = (await callTool(legacy.client, 'magic_get', { id: SEED.userList })).json;
      const edit = await callTool(modern.client, 'magic_replace_in_script', { id: SEED.userList, search: 'return', replacement: '// edited over 2026-07-28\nreturn' });
      expect(edit.isError, edit.text).toBe(false);
      const after = (await callTool(legacy.client, 'magic_get', { id: SEED.userList })).json;
      expect(after.script).toContain('// edited over 2026-07-28');
      expect(after.script).not.toEqual(before.script);
    } finally {
      await close();
    }
  });
});
