import { execFile } from 'node:child_process';
import { copyFile, readFile, readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { expect, onTestFailed, test } from 'vitest';
import { ROOT, tempDir, writeFiles } from '../src/index.js';

const run = promisify(execFile);
// The packages a user installs: the CLI and what it depends on, packed as npm would publish them.
const PACKAGES = ['packages/core', 'packages/cli', 'plugins/websocket-manager', 'plugins/resource-manager', 'plugins/magic-api'];

// Users install MCP servers from npm (`npx -y @mcp-host/cli …`): the packed tarballs, installed with npm into an
// empty directory outside the workspace (no pnpm links, no workspace protocol), must run the bundled basic example
// — a plugin file that imports @mcp-host/core with no copy beside it.
test('the packed packages, installed with npm outside the repo, serve the basic example over stdio and load the first-party plugins from their bundles', async () => {
  const packs = await tempDir('mcp-host-pack-');
  for (const dir of PACKAGES) await run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(ROOT, dir) });
  const tarballs = (await readdir(packs)).filter((name) => name.endsWith('.tgz')).map((name) => join(packs, name));
  expect(tarballs).toHaveLength(PACKAGES.length);

  const install = await tempDir('mcp-host-install-');
  await writeFiles(install, { 'package.json': { name: 'install-check', private: true } });
  // --prefer-offline: the third-party dependencies come from npm's cache when they are there.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], { cwd: install, timeout: 120_000 });

  // The example config and its plugin, copied to a directory of their own: nothing there resolves @mcp-host/core.
  const project = await tempDir('mcp-host-project-');
  for (const file of ['mcp-host.config.json', 'echo-plugin.mjs']) await copyFile(join(ROOT, 'examples/basic', file), join(project, file));
  // Beside the example's plugin, a third-party plugin file that reports which @mcp-host/core it got: it must be the
  // packed bundle the CLI itself runs (a second copy would load the SDK and zod twice and double the cold start).
  const example = JSON.parse(await readFile(join(project, 'mcp-host.config.json'), 'utf8')) as { plugins: unknown[] };
  await writeFiles(project, {
    'core-url.mjs': [
      "import { definePlugin } from '@mcp-host/core';",
      'export default definePlugin({',
      "  name: 'core-url',",
      "  apply(host) { host.tool('core_url', { description: 'where @mcp-host/core came from' }, async () => ({ content: [{ type: 'text', text: import.meta.resolve('@mcp-host/core') }] })); },",
      '});',
      '',
    ].join('\n'),
    'with-core-url.config.json': { ...example, plugins: [...example.plugins, './core-url.mjs'] },
  });
  const installedCore = pathToFileURL(await realpath(join(install, 'node_modules/@mcp-host/core/bundle/index.js'))).href;

  const bin = join(install, 'node_modules/.bin/mcp-host');
  const { stdout: version } = await run(bin, ['--version']);
  expect(version.trim()).toMatch(/^\d+\.\d+\.\d+/);

  // The first-party plugins come from their packed bundles too (exports → bundle/index.js); validate imports them
  // and prints where each was loaded from.
  const firstParty = ['websocket-manager', 'resource-manager', 'magic-api'];
  await writeFiles(project, {
    'docs/notes.md': '# notes\n',
    'first-party.config.json': {
      plugins: [
        ['@mcp-host/plugin-websocket-manager', { connections: [] }],
        ['@mcp-host/plugin-resource-manager', { sources: [{ name: 'docs', type: 'directory', path: './docs' }] }],
        ['@mcp-host/plugin-magic-api', { baseUrl: 'http://127.0.0.1:9' }],
      ],
    },
  });
  const { stdout: validated } = await run(bin, ['validate', '--config', 'first-party.config.json'], { cwd: project });
  for (const name of firstParty) {
    const bundle = await realpath(join(install, `node_modules/@mcp-host/plugin-${name}/bundle/index.js`));
    expect(validated).toContain(`@mcp-host/plugin-${name}  (${bundle})`);
  }

  const transport = new StdioClientTransport({ command: bin, args: ['start', '--config', 'with-core-url.config.json'], cwd: project, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  onTestFailed(() => void process.stderr.write(`--- installed mcp-host stderr ---\n${stderr}\n`));
  const client = new Client({ name: 'npm-install-test', version: '0.0.0' });
  await client.connect(transport);
  try {
    const result = await client.callTool({ name: 'echo', arguments: { message: 'from npm' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hello: from npm' }]);
    const core = await client.callTool({ name: 'core_url', arguments: {} });
    expect(core.content).toEqual([{ type: 'text', text: installedCore }]);
  } finally {
    await client.close();
  }
  expect(stderr).toContain('ready to echo');
}, 180_000);
