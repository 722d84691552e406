/**
 * Search and backups. Sources: core/web/MagicWorkbenchController.java:206-229 (search),
 * backup/web/MagicBackupController.java (every endpoint), backup/service/MagicDatabaseBackupService.java
 * (what is backed up, list queries, FETCH_SIZE), backup/model/Backup.java, db/README.md (primary key).
 */
import { describe, expect, it } from 'vitest';
import { emulator, envelope, get, nextMillisecond, postForm } from './helpers.js';

interface Hit {
  id: string;
  text: string;
  line: number;
}

interface Backup {
  id: string;
  createDate: number;
  tag: string | null;
  type: string;
  name: string;
  content: null;
  createBy: string | null;
}

describe('POST {web}/search', () => {
  it('each script containing the keyword once: its id, the trimmed line of the first hit, the line number', async () => {
    const emu = await emulator();
    const { data } = await envelope<Hit[]>(postForm(`${emu.webUrl}/search`, { keyword: 'log.info' }));
    const list = emu.harness.findApi('GET', '/user/list');
    const hit = data.find((entry) => entry.id === list?.id);
    expect(hit).toEqual({ id: list?.id, text: 'log.info("查询用户列表 page={} size={}", page, size)', line: 3 });
    // one hit per script, however often the keyword appears
    const calculate = emu.harness.findApi('GET', '/order/calculate');
    expect(data.filter((entry) => entry.id === calculate?.id)).toHaveLength(1);
    // functions and tasks are searched too
    expect(data.some((entry) => emu.harness.file(entry.id)?.kind === 'task')).toBe(true);
  });

  it('case-sensitive substring match; a blank keyword answers []; data sources (no script) never match', async () => {
    const emu = await emulator();
    expect((await envelope<Hit[]>(postForm(`${emu.webUrl}/search`, { keyword: 'LOG.INFO' }))).data).toEqual([]);
    expect((await envelope<Hit[]>(postForm(`${emu.webUrl}/search`, { keyword: '   ' }))).data).toEqual([]);
    expect((await envelope<Hit[]>(postForm(`${emu.webUrl}/search`))).data).toEqual([]);
    expect((await envelope<Hit[]>(postForm(`${emu.webUrl}/search`, { keyword: 'slave' }))).data).toEqual([]);
  });

  it('the keyword is a query parameter or a form field (Spring binds both)', async () => {
    const emu = await emulator();
    const response = await fetch(`${emu.webUrl}/search?keyword=${encodeURIComponent('库存不足')}`, { method: 'POST' });
    expect((await envelope<Hit[]>(response)).data.map((hit) => hit.line)).toEqual([2]);
  });
});

describe('backups', () => {
  it('a seeded workspace has none; each save adds one for that file, by the user who saved, newest first', async () => {
    const emu = await emulator({ credentials: { username: 'admin', password: 'pw' } });
    const token = emu.harness.loginToken() as string;
    const auth = { 'Magic-Token': token };
    expect((await envelope<Backup[]>(get(`${emu.webUrl}/backups`, auth))).data).toEqual([]);
    const id = emu.harness.findApi('GET', '/user/list')?.id as string;
    const entity = JSON.parse(emu.harness.fileJson(id) as string);
    for (const script of ['return 1', 'return 2']) {
      await envelope(fetch(`${emu.webUrl}/resource/file/api/save`, { method: 'POST', headers: auth, body: JSON.stringify({ ...entity, script }) }));
      await nextMillisecond(); // two backups of one id in the same millisecond collide on the primary key
    }
    const history = (await envelope<Backup[]>(get(`${emu.webUrl}/backup/${id}`, auth))).data;
    expect(history).toHaveLength(2);
    expect(Object.keys(history[0] as object)).toEqual(['id', 'createDate', 'tag', 'type', 'name', 'content', 'createBy']);
    expect(history[0]).toMatchObject({ id, type: 'api', name: '用户列表', content: null, createBy: 'admin', tag: null });
    expect((history[0] as Backup).createDate).toBeGreaterThan((history[1] as Backup).createDate);
    const version = await envelope<string>(get(`${emu.webUrl}/backup?id=${id}&timestamp=${(history[1] as Backup).createDate}`, auth));
    expect(version.data).toBe('return 1');
  });

  it('groups are backed up as "<type>-group"; deletes and locks are not backed up', async () => {
    const emu = await emulator();
    await envelope(fetch(`${emu.webUrl}/resource/folder/save`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'g', path: 'g', type: 'api', parentId: '0' }) }));
    const id = emu.harness.findApi('GET', '/user/list')?.id as string;
    await envelope(postForm(`${emu.webUrl}/resource/lock`, { id }));
    await envelope(postForm(`${emu.webUrl}/resource/delete`, { id }));
    const list = (await envelope<Backup[]>(get(`${emu.webUrl}/backups`))).data;
    expect(list.map((backup) => backup.type)).toEqual(['api-group']);
  });

  it('GET {web}/backups?timestamp= lists what is older than the timestamp (now when absent)', async () => {
    const emu = await emulator();
    emu.harness.editScript(emu.harness.findApi('GET', '/user/list')?.id as string, 'return "edited"');
    const [backup] = (await envelope<Backup[]>(get(`${emu.webUrl}/backups`))).data;
    expect(backup?.createBy).toBe('another-editor');
    expect((await envelope<Backup[]>(get(`${emu.webUrl}/backups?timestamp=${(backup as Backup).createDate}`))).data).toEqual([]);
    expect((await envelope<Backup[]>(get(`${emu.webUrl}/backups?timestamp=${(backup as Backup).createDate + 1}`))).data).toHaveLength(1);
    expect(await envelope(get(`${emu.webUrl}/backups?timestamp=abc`))).toMatchObject({
      code: -1,
      message: `Failed to convert value of type 'java.lang.String' to required type 'java.lang.Long'; nested exception is java.lang.NumberFormatException: For input string: "abc"`,
    });
  });

  it('rollback restores that version through a normal save (so it is backed up again) and answers true', async () => {
    const emu = await emulator();
    const id = emu.harness.findApi('GET', '/user/list')?.id as string;
    const original = emu.harness.file(id)?.script;
    emu.harness.editScript(id, original as string);
    await nextMillisecond();
    emu.harness.editScript(id, 'return "broken"');
    const history = (await envelope<Backup[]>(get(`${emu.webUrl}/backup/${id}`))).data;
    const good = history[1] as Backup;
    expect((await envelope(postForm(`${emu.webUrl}/backup/rollback`, { id, timestamp: String(good.createDate) }))).data).toBe(true);
    expect(emu.harness.file(id)?.script).toBe(original);
    expect((await envelope<Backup[]>(get(`${emu.webUrl}/backup/${id}`))).data).toHaveLength(3);
  });

  it('rollback refusals: a locked file 1008, no such version -1 "Incorrect result size: expected 1, actual 0", no timestamp -1 null', async () => {
    const emu = await emulator();
    const id = emu.harness.findApi('GET', '/user/list')?.id as string;
    emu.harness.editScript(id, 'return 1');
    const [backup] = (await envelope<Backup[]>(get(`${emu.webUrl}/backup/${id}`))).data;
    await envelope(postForm(`${emu.webUrl}/resource/lock`, { id }));
    expect((await envelope(postForm(`${emu.webUrl}/backup/rollback`, { id, timestamp: String(backup?.createDate) }))).code).toBe(1008);
    expect(await envelope(postForm(`${emu.webUrl}/backup/rollback`, { id, timestamp: '1' }))).toMatchObject({ code: -1, message: 'Incorrect result size: expected 1, actual 0' });
    expect(await envelope(postForm(`${emu.webUrl}/backup/rollback`, { id }))).toMatchObject({ code: -1, message: null });
    expect(await envelope(get(`${emu.webUrl}/backup?id=${id}`))).toMatchObject({ code: 1028, message: '参数验证失败' });
  });

  it('a full backup ("主动全量备份") can be rolled back: the workspace returns, after a backup of the state before', async () => {
    const emu = await emulator();
    expect((await envelope(postForm(`${emu.webUrl}/backup/full`))).data).toBe(true);
    const [full] = (await envelope<Backup[]>(get(`${emu.webUrl}/backups`))).data;
    expect(full).toMatchObject({ id: 'full', type: 'full', name: '主动全量备份' });
    const id = emu.harness.findApi('GET', '/user/list')?.id as string;
    await envelope(postForm(`${emu.webUrl}/resource/delete`, { id }));
    expect(emu.harness.file(id)).toBeUndefined();
    // the script of a full backup is not an entity: GET {web}/backup answers null
    expect((await envelope(get(`${emu.webUrl}/backup?id=full&timestamp=${full?.createDate}`))).data).toBeNull();
    await nextMillisecond();
    expect((await envelope(postForm(`${emu.webUrl}/backup/rollback`, { id: 'full', timestamp: String(full?.createDate) }))).data).toBe(true);
    expect(emu.harness.file(id)?.name).toBe('用户列表');
    expect((await envelope(get(`${emu.baseUrl}/user/list`))).code).toBe(1);
    const names = (await envelope<Backup[]>(get(`${emu.webUrl}/backups`))).data.filter((b) => b.type === 'full').map((b) => b.name);
    expect(names).toEqual(['还原全量备份前，系统自动全量备份', '主动全量备份']);
  });

  it('without a backup service: lists are [], the rest is 1034 "未启用备份，无法操作"', async () => {
    const emu = await emulator({ backups: false });
    expect((await envelope(get(`${emu.webUrl}/backups`))).data).toEqual([]);
    expect((await envelope(get(`${emu.webUrl}/backup/x`))).data).toEqual([]);
    expect((await envelope(postForm(`${emu.webUrl}/backup/full`))).code).toBe(1034);
    expect((await envelope(postForm(`${emu.webUrl}/backup/rollback`, { id: 'x', timestamp: '1' }))).code).toBe(1034);
    expect((await envelope(get(`${emu.webUrl}/backup?id=x&timestamp=1`))).code).toBe(1034);
  });
});
