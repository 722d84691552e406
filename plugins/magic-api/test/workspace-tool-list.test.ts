// What tools/list tells a client about the find, edit, backup and class tools: names, hints, described single-type
// arguments (some clients refuse a type array or an undescribed field).
import { expect, test } from 'vitest';
import { emulator, startHost } from './support.js';

const READS = ['magic_tree', 'magic_get', 'magic_search', 'magic_backups', 'magic_backup_content', 'magic_classes', 'magic_class'];
const DESTRUCTIVE = ['magic_delete', 'magic_rollback', 'magic_move', 'magic_replace_in_script'];
const OTHER_WRITES = ['magic_save_api', 'magic_save_group', 'magic_copy', 'magic_lock', 'magic_full_backup'];

test('the sixteen tools are listed with readOnlyHint on reads, destructiveHint on delete/rollback/move/replace, every argument described and of one type', async () => {
  const server = await emulator();
  const host = await startHost({ baseUrl: server.baseUrl, refreshSeconds: 0, console: false });
  const { tools } = await host.client.listTools();
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  for (const name of [...READS, ...DESTRUCTIVE, ...OTHER_WRITES]) {
    const tool = byName.get(name);
    expect(tool, name).toBeDefined();
    expect(tool!.description!.length, name).toBeGreaterThan(60);
    expect(tool!.annotations?.readOnlyHint, name).toBe(READS.includes(name));
    if (!READS.includes(name)) expect(tool!.annotations?.destructiveHint, name).toBe(DESTRUCTIVE.includes(name));
    const visit = (schema: Record<string, any>, where: string) => {
      for (const [key, property] of Object.entries<Record<string, any>>(schema.properties ?? {})) {
        expect(typeof property.description, `${where}.${key} has a description`).toBe('string');
        expect(typeof property.type, `${where}.${key} has one type`).toBe('string');
        if (property.type === 'array') visit(property.items, `${where}.${key}[]`);
        if (property.type === 'object') visit(property, `${where}.${key}`);
      }
    };
    visit(tool!.inputSchema as Record<string, any>, name);
  }
});
