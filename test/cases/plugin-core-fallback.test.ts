import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
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

// One file, as most core-less plugins are: on Node 20 it is imported from its own source with its core imports
// pointed at the host's (core-rewrite.ts), not through a loader thread. A bare dependency of its own resolves from
// its directory as it would have; its stack traces name its file and lines.
const SOLO = `
import { definePlugin, z } from '@mcp-host/core';
import { shout } from 'shouty';

export default definePlugin({
  name: 'solo',
  apply(host) {
    host.tool('where', { description: 'Where this code is', inputSchema: { who: z.string() } },
      async ({ who }) => ({ content: [{ type: 'text', text: shout(who) }, { type: 'text', text: new Error('here').stack.split('\\n')[1] }] }));
  },
});
`;
const SHOUTY = { 'node_modules/shouty/package.json': { name: 'shouty', type: 'module', exports: { '.': { import: './shout.js' } } }, 'node_modules/shouty/shout.js': 'export const shout = (text) => text.toUpperCase();\n' };
// Reads its own URL: rewriting it would change import.meta.url, so it takes the hook's path.
const META = `
import { definePlugin } from '@mcp-host/core';
export default definePlugin({
  name: 'meta',
  apply(host) {
    host.tool('url', { description: 'The URL of this module' }, async () => ({ content: [{ type: 'text', text: import.meta.url }] }));
  },
});
`;

/** Threads of a process (Linux): a loader worker is one more. */
const threads = (pid: number) => readdirSync(`/proc/${pid}/task`).length;

test.runIf(process.platform === 'linux' && typeof ((await import('node:module')) as { registerHooks?: unknown }).registerHooks !== 'function')(
  'on Node 20 a one-file core-less plugin runs without a loader thread, resolves its own packages, and its stack names its file and line; a plugin of two modules importing core, or reading import.meta, takes the hook',
  async () => {
    const linkedDir = await tempDir();
    await writeFiles(linkedDir, { 'solo.mjs': SOLO, ...SHOUTY, 'mcp-host.config.json': { plugins: ['./solo.mjs'] } });
    const { symlink, mkdir } = await import('node:fs/promises');
    await mkdir(path.join(linkedDir, 'node_modules/@mcp-host'), { recursive: true });
    await symlink(path.resolve(CLI, '../../../core'), path.join(linkedDir, 'node_modules/@mcp-host/core'), 'dir');
    const solo = await tempDir();
    await writeFiles(solo, { 'solo.mjs': SOLO, ...SHOUTY, 'mcp-host.config.json': { plugins: ['./solo.mjs'] } });
    const pair = await tempDir();
    await writeFiles(pair, { 'hello.mjs': HELLO, 'greet.mjs': GREET, 'mcp-host.config.json': { plugins: ['./hello.mjs'] } });
    const meta = await tempDir();
    await writeFiles(meta, { 'meta.mjs': META, 'mcp-host.config.json': { plugins: ['./meta.mjs'] } });

    const linked = await connectClient(['start'], { cwd: linkedDir });
    const rewritten = await connectClient(['start'], { cwd: solo });
    const result = await rewritten.client.callTool({ name: 'where', arguments: { who: 'ada' } });
    const [shouted, frame] = result.content as { text: string }[];
    expect(shouted!.text).toBe('ADA');
    // Line 9 of the file as written, column and all: the rewrite changed no line.
    expect(frame!.text).toContain(`${pathToFileURL(path.join(solo, 'solo.mjs')).href}:9:`);
    await linked.client.callTool({ name: 'where', arguments: { who: 'x' } });
    expect(threads(rewritten.pid)).toBe(threads(linked.pid));

    const hooked = await connectClient(['start'], { cwd: pair });
    expect((await hooked.client.callTool({ name: 'hello', arguments: { who: 'Ada' } })).content).toEqual([{ type: 'text', text: 'hello Ada' }]);
    // The control: the hook's loader thread is what the count sees.
    expect(threads(hooked.pid)).toBe(threads(linked.pid) + 1);
    const metaHost = await connectClient(['start'], { cwd: meta });
    const url = ((await metaHost.client.callTool({ name: 'url', arguments: {} })).content as { text: string }[])[0]!.text;
    expect(url.startsWith(pathToFileURL(path.join(meta, 'meta.mjs')).href)).toBe(true);
  },
);

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
