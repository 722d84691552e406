// magic_backups, magic_backup_content, magic_rollback, magic_full_backup through the real host and MCP client,
// against the emulator's backups (MagicDatabaseBackupService as the Java keeps them).
import { describe, expect, it } from 'vitest';
import { emulator, sleep, startHost } from './support.js';
import { SEED, ok, refused } from './tool-call.js';

async function setup(options: { backups?: boolean } = {}) {
  const server = await emulator(options);
  const host = await startHost({ baseUrl: server.baseUrl, refreshSeconds: 0, console: false });
  return { server, host };
}

/** Two backups of one id in one millisecond collide on the table's key (FACTS.md B10): space the edits out. */
const nextMillisecond = () => sleep(3);

describe('backups', () => {
  it('lists a file\'s history, reads a version, and a rollback restores that version\'s script (the resource reads it)', async () => {
    const { server, host } = await setup();
    const original = server.harness.file(SEED.priceCalc)!.script!;
    await ok(host, 'magic_replace_in_script', { id: SEED.priceCalc, search: 'var price = 128', replacement: 'var price = 100' });
    await nextMillisecond();
    await ok(host, 'magic_replace_in_script', { id: SEED.priceCalc, search: 'var price = 100', replacement: 'var price = 1' });
    const { backups } = await ok(host, 'magic_backups', { id: SEED.priceCalc });
    expect(backups).toHaveLength(2);
    expect(backups[0]).toMatchObject({ id: SEED.priceCalc, type: 'api', name: '价格计算', createBy: null });
    expect(backups[0].timestamp).toBeGreaterThan(backups[1].timestamp);
    expect(backups[1].time).toBe(new Date(backups[1].timestamp).toISOString());
    const older = await ok(host, 'magic_backup_content', { id: SEED.priceCalc, timestamp: backups[1].timestamp });
    expect(older.script).toBe(original.replace('var price = 128', 'var price = 100'));

    await nextMillisecond();
    const rolled = await ok(host, 'magic_rollback', { id: SEED.priceCalc, timestamp: backups[1].timestamp });
    expect(rolled).toMatchObject({ restored: { id: SEED.priceCalc, timestamp: backups[1].timestamp, kind: 'file', uri: 'magic-api://api/订单/价格计算' }, script: older.script });
    expect(server.harness.file(SEED.priceCalc)!.script).toBe(older.script);
    const { contents } = await host.client.readResource({ uri: 'magic-api://api/订单/价格计算' });
    expect((contents[0] as { text: string }).text).toBe(older.script);
    // The restore is a save: backed up again.
    expect((await ok(host, 'magic_backups', { id: SEED.priceCalc })).backups).toHaveLength(3);
    expect((await ok(host, 'magic_backups')).backups.map((backup: { id: string }) => backup.id)).toContain(SEED.priceCalc);
  });

  it('refuses a timestamp the file has no backup at, and a version that is not there, by argument and server code', async () => {
    const { host } = await setup();
    expect(await refused(host, 'magic_rollback', { id: SEED.priceCalc, timestamp: 1 })).toMatch(/^timestamp: .* has no backup at 1/);
    const missing = await refused(host, 'magic_backup_content', { id: SEED.priceCalc, timestamp: 1 });
    expect(missing).toContain('code -1');
    expect(missing).toContain('Incorrect result size: expected 1, actual 0');
    expect(missing).toContain('magic_backups');
    expect(await refused(host, 'magic_backup_content', { id: SEED.priceCalc, timestamp: -5 })).toContain('timestamp');
  });

  it('makes a full backup, lists it under "full", and a full rollback restores the workspace', async () => {
    const { server, host } = await setup();
    const full = await ok(host, 'magic_full_backup');
    expect(full).toMatchObject({ done: true, id: 'full', name: '主动全量备份' });
    expect((await ok(host, 'magic_backups', { id: 'full' })).backups[0]).toMatchObject({ id: 'full', type: 'full', timestamp: full.timestamp });
    await ok(host, 'magic_delete', { id: SEED.orderGroup });
    expect(server.harness.file(SEED.priceCalc)).toBeUndefined();
    await nextMillisecond();
    const restored = await ok(host, 'magic_rollback', { id: 'full', timestamp: full.timestamp });
    expect(restored.restored).toMatchObject({ id: 'full', kind: 'full' });
    expect(server.harness.file(SEED.priceCalc)).toBeDefined();
    expect((await ok(host, 'magic_tree', { path: '/order/calculate' })).files).toHaveLength(1);
  });

  it('on a server without backups: empty lists with a note, and the rest refused with its code 1034 and the setting to change', async () => {
    const { host } = await setup({ backups: false });
    const listed = await ok(host, 'magic_backups', {});
    expect(listed.backups).toEqual([]);
    expect(listed.note).toContain('magic-api.backup.enable');
    const text = await refused(host, 'magic_full_backup');
    expect(text).toContain('code 1034');
    expect(text).toContain('magic-api.backup.enable=true');
  });
});
