import { execFileSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { expect, onTestFinished, test } from 'vitest';
import { CLI, connectClient, runCliInProcess, tempDir, writeFiles } from '../src/index.js';

/** test/conformance's Node 22 from the npm registry (downloaded once, cached): the Node ≥ 22.15 path runs there. */
const NODE22 = new URL('../conformance/node-22.mjs', import.meta.url).href;

// A plugin written as the README shows, saved next to a config anywhere on disk, with no node_modules there.
const HELLO = `
import { definePlugin, z } from '@mcp-host/core';
import { greet } from './greet.mjs';

export default definePlugin({
  name: 'hello',
  options: z.strictObject({ greeting: z.string().default('hello') }),
  apply(host, options) {
    host.tool('hello', { description: 'Say hello', inputSchema: { who: z.string() } },
      async ({ who }) => ({ content: [{ type: 'text', text: greet(options.greeting, who) }] }));
  },
});
`;
const GREET = `
import { z } from '@mcp-host/core';
export const greet = (greeting, who) => \`\${greeting} \${z.string().parse(who)}\`;
`;

test("a plugin file with no @mcp-host/core beside it gets the host's, and a bare specifier gets its defaults", async () => {
  const dir = await tempDir();
  await writeFiles(dir, { 'hello.mjs': HELLO, 'greet.mjs': GREET, 'mcp-host.config.json': { plugins: ['./hello.mjs'] } });
  const { client } = await connectClient(['start'], { cwd: dir });
  const result = await client.callTool({ name: 'hello', arguments: { who: 'Ada' } });
  expect(result.content).toEqual([{ type: 'text', text: 'hello Ada' }]);
});

test('a plugin whose own import is missing still fails with a load error naming it', async () => {
  const dir = await tempDir();
  await writeFiles(dir, {
    'broken.mjs': `import { nothing } from 'no-such-package-anywhere';\nexport default { name: 'broken', apply() {} };\n`,
    'mcp-host.config.json': { plugins: ['./broken.mjs'] },
  });
  // In-process: the import fails on another package, so the fallback for @mcp-host/core is not involved.
  const { code, problems } = await runCliInProcess(['validate'], { cwd: dir });
  expect(code).toBe(78);
  expect(problems).toEqual([expect.stringMatching(/plugins\[0\]: Plugin "\.\/broken\.mjs" .* threw while loading: .*no-such-package-anywhere.* \(MCPH_PLUGIN_LOAD_FAILED\)$/)]);
});

test("on Node 22 the same plugin file (two modules importing core) gets the host's core through module.registerHooks, the Node ≥ 22.15 path", async () => {
  const { ensureNode22 } = (await import(NODE22)) as { ensureNode22(): Promise<string> };
  const node22 = await ensureNode22();
  // The path under test exists there (Node 20, which runs this suite, has only module.register's loader worker).
  expect(execFileSync(node22, ['-p', "typeof require('node:module').registerHooks"], { encoding: 'utf8' }).trim()).toBe('function');
  const dir = await tempDir();
  await writeFiles(dir, { 'hello.mjs': HELLO, 'greet.mjs': GREET, 'mcp-host.config.json': { plugins: ['./hello.mjs'] } });
  const client = new Client({ name: 'node22-test', version: '0' });
  onTestFinished(() => client.close().catch(() => {}));
  await client.connect(new StdioClientTransport({ command: node22, args: [CLI, 'start'], cwd: dir, stderr: 'pipe' }));
  const result = await client.callTool({ name: 'hello', arguments: { who: 'Ada' } });
  expect(result.content).toEqual([{ type: 'text', text: 'hello Ada' }]);
}, 240_000);
