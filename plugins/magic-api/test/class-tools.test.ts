// magic_classes, magic_class through the real host and MCP client, against the emulator's class catalogue
// (POST {web}/classes, POST {web}/class, GET {web}/classes.txt).
import { describe, expect, it } from 'vitest';
import { emulator, startHost } from './support.js';
import { ok, refused } from './tool-call.js';

async function setup() {
  const server = await emulator();
  return { server, host: await startHost({ baseUrl: server.baseUrl, refreshSeconds: 0, console: false }) };
}

describe('magic_classes, magic_class', () => {
  it('finds classes, modules, extension methods and functions, and classes of the classpath for a query', async () => {
    const { host } = await setup();
    const all = await ok(host, 'magic_classes');
    expect(all.classes).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'db', module: true }), expect.objectContaining({ name: 'java.lang.String', className: 'java.lang.String', module: false })]));
    expect(all.functions).toEqual(expect.arrayContaining([expect.objectContaining({ signature: 'uuid(): String' })]));
    expect(all.otherClasses).toBeUndefined();
    const asInt = await ok(host, 'magic_classes', { query: 'asint' });
    expect(asInt.extensions).toEqual([{ target: 'java.lang.Object', methods: [expect.objectContaining({ signature: 'asInt(): int' }), expect.objectContaining({ signature: 'asInt(int defaultValue): int' })] }]);
    expect(asInt.classes).toEqual([]);
    expect((await ok(host, 'magic_classes', { query: 'SimpleDate' })).otherClasses).toEqual(['java.text.SimpleDateFormat']);
  });

  it('shows a class with its supertypes, by full name, simple name or module name; an unknown one is refused by name', async () => {
    const { host } = await setup();
    const text = await ok(host, 'magic_class', { name: 'String' });
    expect(text.name).toBe('java.lang.String');
    expect(text.classes[0]).toMatchObject({ className: 'java.lang.String', module: false });
    expect(text.classes.map((entry: { className: string }) => entry.className)).toContain('java.lang.CharSequence');
    const db = await ok(host, 'magic_class', { name: 'db' });
    expect(db.classes[0].module).toBe(true);
    expect(db.classes[0].methods.length).toBeGreaterThan(0);
    expect(await refused(host, 'magic_class', { name: 'com.example.Nothing' })).toMatch(/^name: the server knows no class "com.example.Nothing"/);
  });
});
