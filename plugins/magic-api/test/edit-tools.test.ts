// magic_save_api, magic_save_group, magic_copy, magic_move, magic_delete, magic_lock, magic_replace_in_script through
// the real host and MCP client, against the emulator (its saves, locks and moves as the Java answers them).
import { describe, expect, it } from 'vitest';
import { emulator, startHost } from './support.js';
import { SEED, ok, refused } from './tool-call.js';

async function setup() {
  const server = await emulator();
  const host = await startHost({ baseUrl: server.baseUrl, refreshSeconds: 0, console: false });
  const saves = () => server.harness.requests().filter((request) => request.method === 'POST' && /\/resource\/file\/[^/]+\/save/.test(request.url)).length;
  const callApi = async (path: string) => (await (await fetch(`${server.baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) })).json()) as { code: number; data: unknown };
  return { server, host, saves, callApi };
}

async function readScript(host: Awaited<ReturnType<typeof setup>>['host'], uri: string): Promise<string> {
  const { contents } = await host.client.readResource({ uri });
  return (contents[0] as { text: string }).text;
}

describe('magic_save_api', () => {
  it('creates an API in a group named by its path; the server serves it and the tree lists it at once', async () => {
    const { server, host, callApi } = await setup();
    const saved = await ok(host, 'magic_save_api', { group: 'user', name: '健康检查', method: 'get', path: 'health', script: 'return "健康"', description: '存活探测' });
    expect(saved).toMatchObject({ created: true, name: '健康检查', method: 'GET', requestPath: '/user/health', group: '用户管理', uri: 'magic-api://api/用户管理/健康检查' });
    expect(saved.id).toMatch(/^[0-9a-f]{32}$/);
    expect(server.harness.file(saved.id)).toMatchObject({ script: 'return "健康"', description: '存活探测', method: 'GET', groupId: SEED.userGroup });
    expect((await callApi('/user/health')).data).toBe('健康');
    expect((await ok(host, 'magic_tree', { path: '/user/health' })).files).toHaveLength(1);
  });

  it('updates the script and keeps what was left out; the resource of the edited script reads the new text', async () => {
    const { server, host } = await setup();
    const before = server.harness.file(SEED.userList)! as unknown as Record<string, unknown>;
    const uri = 'magic-api://api/用户管理/用户列表';
    expect(await readScript(host, uri)).toBe(before.script);
    const saved = await ok(host, 'magic_save_api', { id: SEED.userList, script: 'return {page: page, size: size, total: 0, list: []}' });
    expect(saved).toMatchObject({ id: SEED.userList, created: false, requestPath: '/user/list' });
    const after = server.harness.file(SEED.userList)! as unknown as Record<string, unknown>;
    expect(after.script).toBe('return {page: page, size: size, total: 0, list: []}');
    expect(after).toMatchObject({ name: before.name, path: before.path, method: before.method, description: before.description });
    expect((after as { parameters: unknown[] }).parameters).toHaveLength(2);
    expect(await readScript(host, uri)).toBe('return {page: page, size: size, total: 0, list: []}');
  });

  it('refuses a locked API before sending anything, and says how to unlock it', async () => {
    const { server, host, saves } = await setup();
    const text = await refused(host, 'magic_save_api', { id: SEED.roleList, script: 'return 1' });
    expect(text).toMatch(/^id: .*locked; nothing was sent/);
    expect(text).toContain('magic_lock');
    expect(saves()).toBe(0);
    expect(server.harness.file(SEED.roleList)!.script).not.toBe('return 1');
  });

  it("passes the server's refusals on with code, message and what to do; bad arguments by name", async () => {
    const { host, saves } = await setup();
    const taken = await refused(host, 'magic_save_api', { group: SEED.userGroup, name: '另一个列表', method: 'GET', path: 'list', script: 'return 1' });
    expect(taken).toContain('MAGIC_REFUSED');
    expect(taken).toContain('code 1009');
    expect(taken).toContain('该路径已被使用');
    expect(taken).toContain('choose another path');
    expect(await refused(host, 'magic_save_api', { group: 'user', name: 'x', method: 'GET', script: 'return 1' })).toMatch(/^path: is needed/);
    expect(await refused(host, 'magic_save_api', { group: 'user', name: 'x', method: 'FETCH', path: 'x', script: 'return 1' })).toMatch(/^method: /);
    expect(await refused(host, 'magic_save_api', { group: 'no/such/group', name: 'x', method: 'GET', path: 'x', script: 'return 1' })).toMatch(/^group: no api group is called "no\/such\/group"/);
    expect(await refused(host, 'magic_save_api', { id: 'b1c2d3e4f5a647b8c9d0e1f2a3b4c5d6', script: 'return 1' })).toMatch(/^id: .* is a function, not an API/);
    expect(saves()).toBe(1);
  });
});

describe('magic_replace_in_script', () => {
  it('replaces, saves and answers the changed lines; the API runs the new script', async () => {
    const { host, callApi } = await setup();
    const first = await ok(host, 'magic_replace_in_script', { id: SEED.priceCalc, search: 'var quantity = 3', replacement: 'var quantity = 5' });
    expect(first).toMatchObject({ id: SEED.priceCalc, replacements: 1, changes: [{ line: 3, before: 'var quantity = 3', after: 'var quantity = 5' }] });
    expect(((await callApi('/order/calculate')).data as { subtotal: number }).subtotal).toBe(640);
    const every = await ok(host, 'magic_replace_in_script', { id: SEED.priceCalc, search: 'log\\.info\\("(\\S+): "', replacement: 'log.warn("$1 = "', regex: true, all: true });
    expect(every.replacements).toBe(3);
    expect(every.changes.map((change: { line: number }) => change.line)).toEqual([5, 8, 11]);
    expect(every.changes[0]).toEqual({ line: 5, before: 'log.info("小计: " + subtotal)', after: 'log.warn("小计 = " + subtotal)' });
    expect((await ok(host, 'magic_get', { id: SEED.priceCalc })).script).toContain('log.warn("含运费 = " + total)');
  });

  it('is an error when nothing matched, and saves nothing; a bad expression is an error naming search', async () => {
    const { server, host, saves } = await setup();
    const before = server.harness.file(SEED.priceCalc)!.script;
    const text = await refused(host, 'magic_replace_in_script', { id: SEED.priceCalc, search: 'VAR QUANTITY', replacement: 'x' });
    expect(text).toMatch(/^search: the text "VAR QUANTITY" matched nothing/);
    expect(await refused(host, 'magic_replace_in_script', { id: SEED.priceCalc, search: '(', replacement: 'x', regex: true })).toMatch(/^search: not a valid regular expression/);
    expect(await refused(host, 'magic_replace_in_script', { id: SEED.roleList, search: 'log', replacement: 'x' })).toMatch(/^id: .*locked; nothing was sent/);
    expect(saves()).toBe(0);
    expect(server.harness.file(SEED.priceCalc)!.script).toBe(before);
  });
});

describe('magic_lock', () => {
  it('locks and unlocks; a locked file is then refused by save, an unknown id by the server (1007)', async () => {
    const { host } = await setup();
    expect(await ok(host, 'magic_lock', { id: SEED.userList, locked: true })).toMatchObject({ id: SEED.userList, locked: true });
    expect((await ok(host, 'magic_tree', { name: '用户列表' })).files[0].locked).toBe(true);
    expect(await refused(host, 'magic_save_api', { id: SEED.userList, script: 'return 1' })).toContain('locked');
    expect(await ok(host, 'magic_lock', { id: SEED.userList, locked: false })).toMatchObject({ locked: false });
    await ok(host, 'magic_save_api', { id: SEED.userList, script: 'return 1' });
    const unknown = await refused(host, 'magic_lock', { id: 'nope', locked: true });
    expect(unknown).toContain('code 1007');
    expect(unknown).toContain('magic_tree');
  });
});

describe('magic_save_group, magic_copy, magic_move, magic_delete', () => {
  it('creates a group at the top and in a group, renames one, and passes a name clash on (1027)', async () => {
    const { server, host } = await setup();
    const top = await ok(host, 'magic_save_group', { parent: '0', name: '报表', path: 'report', type: 'api' });
    expect(top).toMatchObject({ created: true, group: '报表', groupPath: 'report', parentId: '0' });
    const inner = await ok(host, 'magic_save_group', { parent: '报表', name: '月报', path: 'monthly', type: 'api' });
    expect(inner).toMatchObject({ group: '报表/月报', groupPath: 'report/monthly', parentId: top.id });
    const renamed = await ok(host, 'magic_save_group', { id: inner.id, parent: top.id, name: '月度', path: 'month', type: 'api' });
    expect(renamed).toMatchObject({ id: inner.id, created: false, group: '报表/月度', groupPath: 'report/month' });
    expect(server.harness.groups().find((group) => group.id === inner.id)).toMatchObject({ name: '月度', path: 'month' });
    expect(await refused(host, 'magic_save_group', { parent: '0', name: '报表', path: 'report2', type: 'api' })).toContain('code 1027');
    expect(await refused(host, 'magic_save_group', { parent: '0', name: 'x', path: 'x', type: 'datasource' })).toMatch(/^type: /);
  });

  it('copies a group (not a file) under another; the copy is "<name>(Copy)" with new copies of its files', async () => {
    const { host, callApi } = await setup();
    const copy = await ok(host, 'magic_copy', { id: SEED.orderGroup, target: '0' });
    expect(copy).toMatchObject({ from: { id: SEED.orderGroup, group: '订单' }, group: '订单(Copy)', groupPath: 'order_copy' });
    expect(copy.files.map((file: { requestPath: string }) => file.requestPath).sort()).toEqual(['/order_copy/calculate', '/order_copy/check', '/order_copy/stats']);
    expect(((await callApi('/order_copy/calculate')).data as { total: number }).total).toBe((await callApi('/order/calculate') as { data: { total: number } }).data.total);
    expect(await refused(host, 'magic_copy', { id: SEED.priceCalc, target: '0' })).toMatch(/^id: .* is a file .*copies groups, not single files/);
  });

  it('moves a file and a group; the request path follows; a locked file is refused (1008); a group cannot go into itself', async () => {
    const { host, callApi } = await setup();
    const moved = await ok(host, 'magic_move', { id: SEED.priceCalc, group: '用户管理' });
    expect(moved).toMatchObject({ kind: 'file', name: '价格计算', before: { group: '订单', requestPath: '/order/calculate' }, after: { group: '用户管理', requestPath: '/user/calculate', uri: 'magic-api://api/用户管理/价格计算' } });
    expect((await callApi('/user/calculate')).code).toBe(1);
    const group = await ok(host, 'magic_move', { id: SEED.roleGroup, group: '0' });
    expect(group).toMatchObject({ kind: 'group', before: { group: '用户管理', groupPath: 'user/role' }, after: { groupId: '0', groupPath: 'role' } });
    expect((await ok(host, 'magic_tree', { name: '角色列表' })).files[0].requestPath).toBe('/role/list');
    const locked = await refused(host, 'magic_move', { id: SEED.roleList, group: '订单' });
    expect(locked).toContain('code 1008');
    expect(locked).toContain('magic_lock');
    expect(await refused(host, 'magic_move', { id: SEED.priceCalc, group: '0' })).toMatch(/^group: /);
  });

  it('a group moved into its own subtree: the server answers false (FACTS.md S9), which is an error, not a success', async () => {
    const { host } = await setup();
    const text = await refused(host, 'magic_move', { id: SEED.userGroup, group: SEED.roleGroup });
    expect(text).toContain('the server answered false');
    expect(text).toContain('own subtree');
  });

  it('deletes a file and a group with everything in it, saying what went; an unknown id is the server\'s 1007', async () => {
    const { server, host } = await setup();
    expect(await ok(host, 'magic_delete', { id: SEED.userDetail })).toMatchObject({ deleted: { kind: 'file', id: SEED.userDetail, name: '用户详情', requestPath: '/user/{id}' } });
    expect(server.harness.file(SEED.userDetail)).toBeUndefined();
    expect(await ok(host, 'magic_delete', { id: SEED.orderGroup })).toMatchObject({ deleted: { kind: 'group', name: '订单', filesDeleted: 3, groupsDeleted: 1 } });
    expect((await ok(host, 'magic_tree', { path: '/order/' })).files).toEqual([]);
    await expect(host.client.readResource({ uri: 'magic-api://api/订单/价格计算' })).rejects.toThrow();
    expect(await refused(host, 'magic_delete', { id: 'nope' })).toContain('code 1007');
  });
});
