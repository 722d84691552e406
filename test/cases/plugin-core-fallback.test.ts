import { expect, test } from 'vitest';
import { connectClient, runCliInProcess, tempDir, writeFiles } from '../src/index.js';

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
