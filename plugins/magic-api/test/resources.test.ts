// The script tree as MCP resources through the real host (in-process) against the emulator: listing, reads,
// templates, search, and the notifications a refresh sends.
import { ErrorCode } from '@mcp-host/core';
import { describe, expect, test } from 'vitest';
import { RESOURCE_NOT_FOUND_CODE } from '@mcp-host/core';
import { emulator, sleep, startHost, waitUntil } from './support.js';

async function readError(promise: Promise<unknown>): Promise<{ code: number; message: string; data?: any }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: number; message: string; data?: any };
  }
  throw new Error('expected the read to be refused');
}

describe('listing and reading', () => {
  test('every file of the tree is a resource, paginated, in URI order, named by name, method and request path', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: server.baseUrl, pageSize: 5 });
    const { resources, pages } = await host.listMagic();
    const files = server.harness.files().filter((entity) => entity.id !== null);
    expect(resources).toHaveLength(files.length);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(files.length / 5));
    expect(new Set(resources.map((resource) => resource.uri)).size).toBe(files.length);
    const list = resources.find((resource) => resource.uri === 'magic-api://api/用户管理/用户列表')!;
    expect(list).toMatchObject({ name: '用户列表 (GET /user/list)', mimeType: 'text/x-magic-script', annotations: { lastModified: expect.any(String) } });
    expect(list.description).toContain('group 用户管理');
    expect(resources.find((resource) => resource.uri === 'magic-api://api/用户管理/角色/角色列表')!.description).toContain('locked');
    expect(resources.find((resource) => resource.uri === 'magic-api://datasource/从库')).toMatchObject({ mimeType: 'application/json' });
  });

  test('a read answers the script and the metadata as JSON; every spelling of the URI reads the same file', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: server.baseUrl });
    const entity = server.harness.findApi('GET', '/user/role/list')!;
    const uri = 'magic-api://api/用户管理/角色/角色列表';
    const { contents } = await host.client.readResource({ uri });
    expect(contents).toHaveLength(2);
    expect(contents[0]).toEqual({ uri, mimeType: 'text/x-magic-script', text: entity.script });
    const metadata = JSON.parse((contents[1] as { text: string }).text);
    expect(contents[1]!.mimeType).toBe('application/json');
    expect(metadata).toMatchObject({
      uri,
      type: 'api',
      id: entity.id,
      name: '角色列表',
      group: '用户管理/角色',
      method: 'GET',
      path: 'list',
      requestPath: '/user/role/list',
      locked: true,
      updateTime: new Date(entity.updateTime!).toISOString(),
    });
    expect(metadata.entity.script).toBeUndefined();
    const encoded = `magic-api://api/${['用户管理', '角色', '角色列表'].map(encodeURIComponent).join('/')}`;
    expect((await host.client.readResource({ uri: encoded })).contents[0]).toMatchObject({ text: entity.script });
  });

  test('a data source reads as its configuration, its password redacted', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: server.baseUrl });
    const { contents } = await host.client.readResource({ uri: 'magic-api://datasource/从库' });
    const configuration = JSON.parse((contents[0] as { text: string }).text);
    expect(configuration).toMatchObject({ key: 'slave', url: 'jdbc:mysql://127.0.0.1:3306/demo_slave', username: 'reader', password: '<redacted>' });
    expect(JSON.stringify(contents)).not.toContain('"reader","');
    expect((contents[1] as { text: string }).text).not.toMatch(/"password": "reader"/);
  });

  test('an unknown magic-api:// URI is not-found (-32002); a file deleted on the server since the last fetch too', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: server.baseUrl, refreshSeconds: 0 });
    await host.listMagic();
    const missing = await readError(host.client.readResource({ uri: 'magic-api://api/用户管理/没有这个' }));
    expect(missing.code).toBe(RESOURCE_NOT_FOUND_CODE);
    // Out of band: the tree the host holds still has the file, the server does not.
    server.harness.replaceTree({ api: [{ name: '订单', path: 'order', files: [] }] });
    const gone = await readError(host.client.readResource({ uri: 'magic-api://api/用户管理/用户列表' }));
    expect(gone.code).toBe(RESOURCE_NOT_FOUND_CODE);
  });

  test('one template per type', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: server.baseUrl });
    const { resourceTemplates } = await host.client.listResourceTemplates();
    expect(resourceTemplates.filter((template) => template.uriTemplate.startsWith('magic-api://')).map((template) => template.uriTemplate)).toEqual([
      'magic-api://api/{+groups}/{name}',
      'magic-api://function/{+groups}/{name}',
      'magic-api://task/{+groups}/{name}',
      'magic-api://datasource/{name}',
    ]);
  });

  test('resources_search finds scripts by name, by request path and by METHOD path', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: server.baseUrl });
    const found = async (query: string) => {
      const result = await host.client.callTool({ name: 'resources_search', arguments: { query, source: 'magic-api' } });
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      return (result.content as { type: string; uri?: string }[]).filter((item) => item.type === 'resource_link').map((item) => item.uri);
    };
    expect(await found('用户详情')).toEqual(['magic-api://api/用户管理/用户详情']);
    expect(await found('/order/calc')).toEqual(['magic-api://api/订单/价格计算']);
    expect(await found('POST /user')).toEqual(['magic-api://api/用户管理/新增用户']);
  });
});

describe('refresh and notifications', () => {
  test('a script edited on the server (out of band): updated for its subscribers within the refresh interval, and the read shows the new text', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: server.baseUrl, refreshSeconds: 0.2 });
    const uri = 'magic-api://api/订单/库存检查';
    await host.client.subscribeResource({ uri });
    const id = server.harness.findApi('GET', '/order/check')!.id!;
    server.harness.editScript(id, 'return 42');
    await waitUntil(() => host.updated.includes(uri), 'an updated notification for the edited script', 10_000);
    expect((await host.client.readResource({ uri })).contents[0]).toMatchObject({ text: 'return 42' });
    // Another file edited, not subscribed: no notification for it.
    server.harness.editScript(server.harness.findApi('GET', '/order/calculate')!.id!, 'return 1');
    await sleep(600);
    expect(host.updated.filter((notified) => notified !== uri)).toEqual([]);
  });

  test('a file added on the server: list_changed within the interval, and the new resource listed; an unchanged tree sends nothing', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: server.baseUrl, refreshSeconds: 0.2 });
    await host.listMagic();
    await sleep(700);
    const before = host.listChanged();
    await sleep(700);
    expect(host.listChanged()).toBe(before);
    server.harness.replaceTree({ api: [{ name: '新分组', path: 'fresh', files: [{ name: '新接口', path: 'hello', script: 'return "hi"' }] }] });
    await waitUntil(() => host.listChanged() > before, 'list_changed after a file was added', 10_000);
    expect((await host.listMagic()).resources.map((resource) => resource.uri)).toEqual(['magic-api://api/新分组/新接口']);
  });

  test('a file renamed on the server: its subscribers get updated once, the old URI is not-found, the new one lists', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: server.baseUrl, refreshSeconds: 0.2 });
    const old = 'magic-api://api/组/旧名';
    server.harness.replaceTree({ api: [{ name: '组', path: 'g', files: [{ id: 'f1', name: '旧名', path: 'x', script: 'return 1' }] }] });
    await host.listMagic();
    await host.client.subscribeResource({ uri: old });
    server.harness.replaceTree({ api: [{ name: '组', path: 'g', files: [{ id: 'f1', name: '新名', path: 'x', script: 'return 1' }] }] });
    await waitUntil(() => host.updated.includes(old), 'updated for the renamed file', 10_000);
    await sleep(600);
    expect(host.updated.filter((uri) => uri === old)).toHaveLength(1);
    expect((await readError(host.client.readResource({ uri: old }))).code).toBe(RESOURCE_NOT_FOUND_CODE);
    expect((await host.listMagic()).resources.map((resource) => resource.uri)).toEqual(['magic-api://api/组/新名']);
  });

  test('subscribing to a URI that is not in the tree is refused as not-found', async () => {
    const server = await emulator();
    const host = await startHost({ baseUrl: server.baseUrl });
    const error = await readError(host.client.subscribeResource({ uri: 'magic-api://api/nope/nope' }));
    expect(error.code).toBe(RESOURCE_NOT_FOUND_CODE);
  });
});

describe('a server that is down or hostile', () => {
  test('down at start: the host starts, other sources still list, a read is refused as backend-unreachable naming the endpoint', async () => {
    const server = await emulator();
    const baseUrl = server.baseUrl;
    await server.close();
    const started = Date.now();
    const host = await startHost({ baseUrl, timeoutSeconds: 2 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await host.listMagic()).resources).toEqual([]);
    const error = await readError(host.client.readResource({ uri: 'magic-api://api/a/b' }));
    expect(error.code).toBe(ErrorCode.InternalError);
    expect(error.data).toMatchObject({ reason: 'backend-unreachable', magicCode: 'MAGIC_UNREACHABLE' });
    expect(error.message).toContain('POST /magic/web/resource');
    await waitUntil(() => /warning: .*script tree cannot be fetched/.test(host.stderr()), 'the warning about the tree');
  });
});
