/**
 * Saving and reorganising the tree. Sources: core/web/MagicResourceController.java:31-144 and
 * core/service/impl/DefaultMagicResourceService.java (saveFile 502-570, saveGroup 220-308, move 311-446,
 * copyGroup 333-356, delete 600-631, lock 707-736), ROT13Utils.java, JsonCodeConstants.java.
 */
import { describe, expect, it } from 'vitest';
import { encryptSaveBody } from '../src/index.js';
import { emulator, envelope, get, postForm, postJson } from './helpers.js';

type Emu = Awaited<ReturnType<typeof emulator>>;

function saveBody(emu: Emu, type: string, body: string, query = ''): Promise<Response> {
  return fetch(`${emu.webUrl}/resource/file/${type}/save${query}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
}

async function detail(emu: Emu, id: string): Promise<Record<string, unknown>> {
  return (await envelope<Record<string, unknown>>(get(`${emu.webUrl}/resource/file/${id}`))).data;
}

function userGroupId(emu: Emu): string {
  return emu.harness.groups().find((group) => group.name === '用户管理')?.id as string;
}

describe('POST {web}/resource/file/{type}/save', () => {
  it('a plain JSON body creates a file and answers its new 32-hex id', async () => {
    const emu = await emulator();
    const body = JSON.stringify({ groupId: userGroupId(emu), name: '健康检查', path: 'health', method: 'get', script: 'return "ok"' });
    const { code, data } = await envelope<string>(saveBody(emu, 'api', body));
    expect(code).toBe(1);
    expect(data).toMatch(/^[0-9a-f]{32}$/);
    const saved = await detail(emu, data);
    expect(saved).toMatchObject({ name: '健康检查', path: 'health', method: 'get', script: 'return "ok"', createBy: null });
    expect((await envelope(get(`${emu.baseUrl}/user/health`))).data).toBe('ok');
  });

  it('a ROT13+Base64 body (what the editor sends, ROT13Utils.encrypt) saves the same way, quoted or not', async () => {
    const emu = await emulator();
    const entity = { groupId: userGroupId(emu), name: 'encoded', path: 'encoded', method: 'GET', script: 'return 1' };
    const first = await envelope<string>(saveBody(emu, 'api', encryptSaveBody(JSON.stringify(entity))));
    expect((await detail(emu, first.data)).script).toBe('return 1');
    const quoted = await envelope<string>(saveBody(emu, 'api', `"${encryptSaveBody(JSON.stringify({ ...entity, name: 'quoted', path: 'quoted' }))}"`));
    expect((await detail(emu, quoted.data)).name).toBe('quoted');
  });

  it('an update keeps createTime/createBy, sets updateTime, and writes what came (a full replace)', async () => {
    const emu = await emulator();
    const id = emu.harness.findApi('GET', '/user/list')?.id as string;
    const before = await detail(emu, id);
    const { data } = await envelope(saveBody(emu, 'api', JSON.stringify({ ...before, script: 'return 42', createTime: 1, description: null })));
    expect(data).toBe(id);
    const after = await detail(emu, id);
    expect(after).toMatchObject({ script: 'return 42', createTime: before.createTime, description: null });
    expect(after.updateTime as number).toBeGreaterThan(before.updateTime as number);
  });

  it('a locked file is refused with code 1008 "当前资源已被锁定，请解锁后在操作。" (the lock of the file on the server counts)', async () => {
    const emu = await emulator();
    const locked = emu.harness.findApi('GET', '/user/role/list');
    const before = await detail(emu, locked?.id as string);
    const answer = await envelope(saveBody(emu, 'api', JSON.stringify({ ...before, lock: '0', script: 'return "changed"' })));
    expect(answer).toMatchObject({ code: 1008, message: '当前资源已被锁定，请解锁后在操作。' });
    expect((await detail(emu, locked?.id as string)).script).toBe(before.script);
  });

  it('the checks come in the Java order with their codes', async () => {
    const emu = await emulator();
    const groupId = userGroupId(emu);
    const cases: [Record<string, unknown>, number][] = [
      [{ name: 'x', path: 'x', script: 'return 1' }, 1023], // GROUP_ID_REQUIRED
      [{ groupId, path: 'x', script: 'return 1' }, 1018], // NAME_REQUIRED
      [{ groupId, name: 'bad name!', path: 'x', script: 'return 1' }, 1025], // NAME_INVALID
      [{ groupId: 'nope', name: 'x', path: 'x', script: 'return 1' }, 1001], // GROUP_NOT_FOUND
      [{ groupId, name: 'x', path: 'x' }, 1017], // SCRIPT_REQUIRED
      [{ groupId, name: 'x', script: 'return 1' }, 1019], // PATH_REQUIRED
      [{ groupId, name: 'x', path: 'list', script: 'return 1' }, 1009], // PATH_CONFLICT with GET /user/list
      [{ groupId, name: '用户列表', path: 'other', script: 'return 1' }, 1027], // FILE_SAVE_FAILURE: same file name
    ];
    for (const [entity, code] of cases) {
      expect((await envelope(saveBody(emu, 'api', JSON.stringify(entity)))).code, JSON.stringify(entity)).toBe(code);
    }
    // a null method cannot build the mapping key: info.getMethod().toUpperCase() throws, code -1 with no message
    expect(await envelope(saveBody(emu, 'api', JSON.stringify({ groupId, name: 'x', path: 'x', method: null, script: 'return 1' })))).toMatchObject({ code: -1, message: null });
  });

  it('task, function and datasource storages validate their own fields (cron 1024, function path, url 1020, key 1021/1022)', async () => {
    const emu = await emulator();
    const taskGroup = emu.harness.groups().find((group) => group.type === 'task')?.id;
    expect((await envelope(saveBody(emu, 'task', JSON.stringify({ groupId: taskGroup, name: 't', path: 't', script: 'return 1' })))).code).toBe(1024);
    expect((await envelope(saveBody(emu, 'datasource', JSON.stringify({ groupId: 'datasource:0', name: 'd' })))).code).toBe(1020);
    expect((await envelope(saveBody(emu, 'datasource', JSON.stringify({ groupId: 'datasource:0', name: 'd', url: 'jdbc:h2:mem:x' })))).code).toBe(1021);
    expect((await envelope(saveBody(emu, 'datasource', JSON.stringify({ groupId: 'datasource:0', name: 'd', url: 'jdbc:h2:mem:x', key: 'slave' })))).code).toBe(1022);
    const created = await envelope<string>(saveBody(emu, 'datasource', JSON.stringify({ groupId: 'datasource:0', name: 'd', url: 'jdbc:h2:mem:x', key: 'h2' })));
    expect(created.code).toBe(1);
  });

  it('an unknown storage folder is 1001; a body of the wrong class for the group is a ClassCastException (-1)', async () => {
    const emu = await emulator();
    expect((await envelope(saveBody(emu, 'nope', '{}'))).code).toBe(1001);
    const answer = await envelope(saveBody(emu, 'function', JSON.stringify({ groupId: userGroupId(emu), name: 'f', path: 'f', script: 'return 1' })));
    expect(answer).toMatchObject({ code: -1, message: 'org.ssssssss.magicapi.function.model.FunctionInfo cannot be cast to org.ssssssss.magicapi.core.model.ApiInfo' });
  });

  it('a body neither JSON nor valid ROT13+Base64 saves nothing and still answers code 1 with data null', async () => {
    const emu = await emulator();
    const before = emu.harness.files().length;
    for (const body of ['not json', 'e30', '{"name": {"nested": true}}', '', '"']) {
      expect(await envelope(saveBody(emu, 'api', body)), JSON.stringify(body)).toMatchObject({ code: 1, data: null });
    }
    expect(emu.harness.files().length).toBe(before);
  });

  it('auto=1 with an unchanged entity answers its id without saving (no new backup)', async () => {
    const emu = await emulator();
    const id = emu.harness.findApi('GET', '/user/list')?.id as string;
    const before = await detail(emu, id);
    const backups = emu.harness.backups().length;
    expect((await envelope(saveBody(emu, 'api', JSON.stringify(before), '?auto=1'))).data).toBe(id);
    expect(emu.harness.backups().length).toBe(backups);
    expect((await detail(emu, id)).updateTime).toBe(before.updateTime);
  });
});

describe('groups (folder/save, folder/copy)', () => {
  it('folder/save creates a group from a JSON body and answers its id; the same name under the same parent is 1027', async () => {
    const emu = await emulator();
    const { data } = await envelope<string>(postJson(`${emu.webUrl}/resource/folder/save`, { name: '商品', path: 'goods', type: 'api', parentId: '0' }));
    expect(emu.harness.groups().find((group) => group.id === data)).toMatchObject({ name: '商品', path: 'goods', parentId: '0' });
    expect((await envelope(postJson(`${emu.webUrl}/resource/folder/save`, { name: '商品', path: 'g2', type: 'api', parentId: '0' }))).code).toBe(1027);
    expect((await envelope(postJson(`${emu.webUrl}/resource/folder/save`, { name: 'x', type: 'nope', parentId: '0' }))).code).toBe(1002);
    expect((await envelope(postJson(`${emu.webUrl}/resource/folder/save`, { name: 'x', type: 'api' }))).code).toBe(1023);
    expect((await envelope(postJson(`${emu.webUrl}/resource/folder/save`, { name: 'x', type: 'api', parentId: 'missing' }))).code).toBe(1001);
  });

  it('group names are not validated: `notNull(validateFileName(name))` checks a boolean for null', async () => {
    const emu = await emulator();
    expect((await envelope(postJson(`${emu.webUrl}/resource/folder/save`, { name: 'bad name!', type: 'api', parentId: '0' }))).code).toBe(1);
  });

  it('changing a group path that would collide with another mapping is 1036', async () => {
    const emu = await emulator({
      seed: {
        api: [
          { id: 'g1', name: 'one', path: 'a', files: [{ name: 'x', path: 'x', script: 'return 1' }] },
          { id: 'g2', name: 'two', path: 'b', files: [{ name: 'x', path: 'x', script: 'return 2' }] },
        ],
      },
    });
    const answer = await envelope(postJson(`${emu.webUrl}/resource/folder/save`, { id: 'g2', name: 'two', path: 'a', type: 'api', parentId: '0' }));
    expect(answer.code).toBe(1036);
    expect((await envelope(get(`${emu.baseUrl}/b/x`))).data).toBe(2);
  });

  it('folder/save needs a JSON body: other content types and empty bodies are Spring\'s errors as code -1', async () => {
    const emu = await emulator();
    const form = await envelope(postForm(`${emu.webUrl}/resource/folder/save`, { name: 'x' }));
    expect(form).toMatchObject({ code: -1, message: "Content type 'application/x-www-form-urlencoded' not supported" });
    const empty = await envelope(postJson(`${emu.webUrl}/resource/folder/save`, ''));
    expect(empty.code).toBe(-1);
    expect(empty.message).toMatch(/^Required request body is missing: public org\.ssssssss\.magicapi\.core\.model\.JsonBean<java\.lang\.String> /);
    const broken = await envelope(postJson(`${emu.webUrl}/resource/folder/save`, '{"name": '));
    expect(broken.code).toBe(-1);
    expect(broken.message).toMatch(/^JSON parse error: /);
  });

  it('folder/copy copies a group (not a file) under another: "(Copy)" name, "_copy" path, its direct files with new ids', async () => {
    const emu = await emulator();
    const order = emu.harness.groups().find((group) => group.name === '订单');
    const { data } = await envelope<string>(postForm(`${emu.webUrl}/resource/folder/copy`, { src: order?.id as string, target: '0' }));
    const copy = emu.harness.groups().find((group) => group.id === data);
    expect(copy).toMatchObject({ name: '订单(Copy)', path: 'order_copy', parentId: '0', type: 'api' });
    const copied = emu.harness.files().filter((file) => file.groupId === data);
    const originals = emu.harness.files().filter((file) => file.groupId === order?.id);
    expect(copied.map((file) => file.name).sort()).toEqual(originals.map((file) => file.name).sort());
    expect(copied.every((file) => !originals.some((original) => original.id === file.id))).toBe(true);
    expect((await envelope(get(`${emu.baseUrl}/order_copy/check`))).code).toBe(400);
    const file = emu.harness.findApi('GET', '/user/list');
    expect((await envelope(postForm(`${emu.webUrl}/resource/folder/copy`, { src: file?.id as string, target: '0' }))).code).toBe(1001);
    expect((await envelope(postForm(`${emu.webUrl}/resource/folder/copy`, { src: order?.id as string, target: order?.id as string }))).code).toBe(1006);
  });
});

describe('move, delete, lock', () => {
  it('move a file to another group; its request path follows the group path', async () => {
    const emu = await emulator();
    const file = emu.harness.findApi('GET', '/order/check');
    const user = userGroupId(emu);
    expect((await envelope(postForm(`${emu.webUrl}/resource/move`, { src: file?.id as string, groupId: user }))).data).toBe(true);
    expect((await envelope(get(`${emu.baseUrl}/user/check`))).code).toBe(400);
    expect((await get(`${emu.baseUrl}/order/check`)).status).toBe(404);
  });

  it('move refusals: a locked file 1008, its own group 1005, the root (files cannot sit there) 1001, unknown 1007', async () => {
    const emu = await emulator();
    const locked = emu.harness.findApi('GET', '/user/role/list');
    const free = emu.harness.findApi('GET', '/user/list');
    expect((await envelope(postForm(`${emu.webUrl}/resource/move`, { src: locked?.id as string, groupId: userGroupId(emu) }))).code).toBe(1008);
    expect((await envelope(postForm(`${emu.webUrl}/resource/move`, { src: free?.id as string, groupId: free?.groupId as string }))).code).toBe(1005);
    expect((await envelope(postForm(`${emu.webUrl}/resource/move`, { src: free?.id as string, groupId: '0' }))).code).toBe(1001);
    expect((await envelope(postForm(`${emu.webUrl}/resource/move`, { src: 'nope', groupId: '0' }))).code).toBe(1007);
  });

  it('moving a group into its own subtree answers false and detaches it from the tree (parentId set before the rename fails)', async () => {
    const emu = await emulator();
    const user = userGroupId(emu);
    const role = emu.harness.groups().find((group) => group.name === '角色')?.id as string;
    expect(await envelope(postForm(`${emu.webUrl}/resource/move`, { src: user, groupId: role }))).toMatchObject({ code: 1, data: false });
    const { data } = await envelope<Record<string, { children: { node: { id: string } }[] }>>(postForm(`${emu.webUrl}/resource`));
    expect(data.api?.children.map((child) => child.node.id)).not.toContain(user);
  });

  it('delete removes a group with everything below it; a locked file can be deleted (no lock check)', async () => {
    const emu = await emulator();
    const locked = emu.harness.findApi('GET', '/user/role/list');
    expect((await envelope(postForm(`${emu.webUrl}/resource/delete`, { id: locked?.id as string }))).data).toBe(true);
    expect(emu.harness.file(locked?.id as string)).toBeUndefined();
    const order = emu.harness.groups().find((group) => group.name === '订单')?.id as string;
    expect((await envelope(postForm(`${emu.webUrl}/resource/delete`, { id: order }))).data).toBe(true);
    expect(emu.harness.files().some((file) => file.groupId === order)).toBe(false);
    expect((await envelope(postForm(`${emu.webUrl}/resource/delete`, { id: 'nope' }))).code).toBe(1007);
  });

  it('lock and unlock set lock "1"/"0" and answer true; a group id or unknown id is 1007', async () => {
    const emu = await emulator();
    const file = emu.harness.findApi('GET', '/user/list');
    expect((await envelope(postForm(`${emu.webUrl}/resource/lock`, { id: file?.id as string }))).data).toBe(true);
    expect(emu.harness.file(file?.id as string)?.lock).toBe('1');
    expect((await envelope(saveBody(emu, 'api', emu.harness.fileJson(file?.id as string) as string))).code).toBe(1008);
    expect((await envelope(postForm(`${emu.webUrl}/resource/unlock`, { id: file?.id as string }))).data).toBe(true);
    expect(emu.harness.file(file?.id as string)?.lock).toBe('0');
    expect((await envelope(postForm(`${emu.webUrl}/resource/lock`, { id: userGroupId(emu) }))).code).toBe(1007);
  });
});
