import { expect, test } from 'vitest';
import { connectClient, spawnHost, tempDir, writeFiles } from '../src/index.js';

const HELLO = `
export default {
  name: 'hello',
  apply(host) {
    host.tool('hello', { description: 'Say hello' }, async () => ({ content: [{ type: 'text', text: 'hello' }] }));
  },
};
`;

test('a real Client lists and calls a tool of a plugin loaded from the config', async () => {
  const dir = await tempDir();
  await writeFiles(dir, { 'hello.mjs': HELLO, 'mcp-host.config.json': { plugins: ['./hello.mjs'] } });
  const { client } = await connectClient(['start'], { cwd: dir });
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toEqual(['hello']);
  const result = await client.callTool({ name: 'hello' });
  expect(result.content).toEqual([{ type: 'text', text: 'hello' }]);
});

test('stdin at EOF from the start: the host shuts down cleanly with exit 0', async () => {
  const dir = await tempDir();
  await writeFiles(dir, { 'hello.mjs': HELLO, 'mcp-host.config.json': { plugins: ['./hello.mjs'] } });
  const host = spawnHost(['start'], { cwd: dir, stdin: 'ignore' });
  const { code } = await host.exited;
  expect(code).toBe(0);
  expect(host.stderr()).toContain('shutting down (stdin-closed)');
  expect(host.stdout()).toBe('');
});
