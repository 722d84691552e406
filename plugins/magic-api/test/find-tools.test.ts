// magic_tree, magic_get, magic_search through the real host and MCP client, against the emulator.
import { describe, expect, it } from 'vitest';
import { emulator, startHost } from './support.js';
import { SEED, ok, refused } from './tool-call.js';

const CREDENTIALS = { username: 'admin', password: 'secret-pass' };

async function setup(options: Record<string, unknown> = {}) {
  const server = await emulator(options.credentials ? { credentials: options.credentials as typeof CREDENTIALS } : {});
  const host = await startHost({ baseUrl: server.baseUrl, refreshSeconds: 0, console: false, ...(options.credentials ? (options.credentials as object) : {}) });
  return { server, host };
}

describe('magic_tree', () => {
  it('lists the files and groups the filters match, with group names, group path, request path and lock', async () => {
    const { host } = await setup();
    const roles = await ok(host, 'magic_tree', { type: 'api', group: '用户管理/角色' });
    expect(roles.files).toEqual([
      expect.objectContaining({ id: SEED.roleList, type: 'api', name: '角色列表', group: '用户管理/角色', groupPath: 'user/role', method: 'GET', requestPath: '/user/role/list', locked: true, uri: 'magic-api://api/用户管理/角色/角色列表' }),
    ]);
    expect(roles.groups).toEqual([expect.objectContaining({ id: SEED.roleGroup, name: '角色', group: '用户管理/角色', groupPath: 'user/role', parentId: SEED.userGroup })]);
    const posts = await ok(host, 'magic_tree', { method: 'post' });
    expect(posts.files.map((file: { name: string }) => file.name)).toEqual(['新增用户']);
    expect(posts.groups).toEqual([]);
    const byPath = await ok(host, 'magic_tree', { path: '/order/' });
    expect(byPath.files.map((file: { requestPath: string }) => file.requestPath).sort()).toEqual(['/order/calculate', '/order/check', '/order/stats']);
    expect((await ok(host, 'magic_tree', { query: 'formatMoney' })).files).toEqual([expect.objectContaining({ type: 'function', requestPath: '/util/formatMoney' })]);
    expect(roles.truncated).toBe(false);
  });

  it('refuses a type the server has nothing of, naming the argument and the types there are', async () => {
    const { host } = await setup();
    const text = await refused(host, 'magic_tree', { type: 'apis' });
    expect(text).toMatch(/^type: /);
    expect(text).toContain('api, datasource, function, task');
  });

  it('logs in with a username and password, and no log line carries the token or the password', async () => {
    const { server, host } = await setup({ credentials: CREDENTIALS });
    expect((await ok(host, 'magic_tree', { name: '用户列表' })).files).toHaveLength(1);
    await ok(host, 'magic_get', { id: SEED.userList });
    const token = server.harness.loginToken()!;
    expect(host.stderr()).not.toContain(token);
    expect(host.stderr()).not.toContain(CREDENTIALS.password);
  });
});

describe('magic_get', () => {
  it('gets the whole entity, script included, by method and the path a client calls (a pattern path matches) or by id', async () => {
    const { server, host } = await setup();
    const detail = await ok(host, 'magic_get', { method: 'get', path: '/user/7' });
    expect(detail).toMatchObject({ id: SEED.userDetail, type: 'api', name: '用户详情', method: 'GET', requestPath: '/user/{id}', locked: false, uri: 'magic-api://api/用户管理/用户详情' });
    expect(detail.script).toBe(server.harness.file(SEED.userDetail)!.script);
    expect(detail.entity.paths).toEqual([expect.objectContaining({ name: 'id', dataType: 'Integer', required: true })]);
    const byId = await ok(host, 'magic_get', { id: SEED.userList });
    expect(byId.script).toContain('log.info("查询用户列表 page={} size={}", page, size)');
    expect(byId.entity.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(['page', 'size']);
  });

  it("shows a data source's configuration with its password redacted", async () => {
    const { host } = await setup();
    const source = await ok(host, 'magic_get', { id: '9e0f1a2b3c4d45e6f7a8b9c0d1e2f3a4' });
    expect(source).toMatchObject({ type: 'datasource', name: '从库', script: null, entity: { key: 'slave', username: 'reader', password: '<redacted>' } });
    expect(JSON.stringify(source)).not.toContain('"reader","password":"reader"');
  });

  it('refuses, naming the argument: an unknown id, an unknown path, a method without a path', async () => {
    const { host } = await setup();
    expect(await refused(host, 'magic_get', { id: 'ffffffffffffffffffffffffffffffff' })).toMatch(/^id: the server has no file with id/);
    expect(await refused(host, 'magic_get', { method: 'GET', path: '/nowhere' })).toMatch(/^path: no API answers GET \/nowhere/);
    expect(await refused(host, 'magic_get', { method: 'GET' })).toMatch(/^path: /);
    expect(await refused(host, 'magic_get', {})).toMatch(/^id: /);
  });
});

describe('magic_search', () => {
  it("finds a line with the server's full-text search: file, line number and text", async () => {
    const { host } = await setup();
    const found = await ok(host, 'magic_search', { keyword: '订单' });
    const stats = found.hits.find((hit: { file: { name?: string } }) => hit.file.name === '订单统计');
    expect(stats).toEqual({ file: expect.objectContaining({ type: 'api', method: 'GET', requestPath: '/order/stats', uri: 'magic-api://api/订单/订单统计' }), line: 2, text: 'log.info("开始统计订单, total={}", total)' });
    const one = await ok(host, 'magic_search', { keyword: '订单', limit: 1 });
    expect(one.hits).toHaveLength(1);
    expect(one.found).toBe(found.found);
    expect((await ok(host, 'magic_search', { keyword: 'NO-SUCH-TEXT' })).hits).toEqual([]);
  });

  it('refuses a blank keyword by its name', async () => {
    const { host } = await setup();
    expect(await refused(host, 'magic_search', { keyword: '   ' })).toMatch(/^keyword: /);
    expect(await refused(host, 'magic_search', { keyword: '' })).toContain('keyword');
  });
});
