import { mkdir, symlink } from 'node:fs/promises';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { linkCore, runCli, tempDir, writeFiles } from '../src/index.js';

// Plugin files are loaded the way require(esm) loads them where Node has it (plugin-resolver.ts: read and linked on
// the main thread), and with import() where that is not the same: top-level await, CommonJS, loader hooks. Either
// way a file's top-level code must run once, in config order, as one module with the same identity import() sees.
const SHARED = "export const seen = [];\nprocess.stderr.write('shared evaluated\\n');\n";
const A = `import { definePlugin } from '@mcp-host/core';
import { seen } from './shared.mjs';
seen.push('a');
process.stderr.write('top a\\n');
export default definePlugin({ name: 'a', apply() {} });
`;
// Top-level await: require(esm) refuses such a graph before running any of it, so import() is its one evaluation.
const B = `import { seen } from './shared.mjs';
await new Promise((resolve) => setTimeout(resolve, 100));
seen.push('b');
process.stderr.write('top b\\n');
export default { name: 'b', apply() {} };
`;
const C = "process.stderr.write('top c\\n');\nmodule.exports = { name: 'c', apply() {} };\n";
// CommonJS under a .js name: require() runs it (it is not an ES module, so import() follows), and that import must
// take the exports require cached, not run the file again.
const E = "process.stderr.write('top e\\n');\nmodule.exports = { name: 'e', apply() {} };\n";
// A plugin importing another plugin's file: the module already loaded, not a second copy.
const D = `import a from '../a.mjs';
import { seen } from '../shared.mjs';
const again = await import('../a.mjs');
process.stderr.write(\`top d \${seen.join(',')} \${a.name} \${again.default === a}\\n\`);
export default { name: 'd', apply() {} };
`;

test("plugin files' top-level code runs once each, in config order, whichever way Node loads them; a module they share is one instance", async () => {
  const dir = await tempDir();
  await linkCore(dir);
  await writeFiles(dir, {
    'shared.mjs': SHARED,
    'a.mjs': A,
    'b.mjs': B,
    'c.cjs': C,
    'pkg/package.json': { type: 'module' },
    'pkg/d.js': D,
    'cjs/package.json': { type: 'commonjs' },
    'cjs/e.js': E,
    'mcp-host.config.json': { plugins: ['./a.mjs', './b.mjs', './c.cjs', './pkg/d.js', './cjs/e.js'] },
  });
  const { code, stderr } = await runCli(['validate'], { cwd: dir });
  expect(code, stderr).toBe(0);
  const lines = stderr.split('\n').filter((line) => line.startsWith('top ') || line === 'shared evaluated');
  expect(lines).toEqual(['shared evaluated', 'top a', 'top b', 'top c', 'top d a,b a true', 'top e']);
});

test('a plugin file reached through a symlink resolves @mcp-host/core from its real directory, as Node does', async () => {
  // The real file sits in a project with a core of its own (a stand-in exporting what the host's does not); the
  // config's directory has none. Pointing the import at the host's core would fail to link (no such export).
  const project = await tempDir();
  await writeFiles(project, {
    'node_modules/@mcp-host/core/package.json': { name: '@mcp-host/core', type: 'module', exports: './index.js' },
    'node_modules/@mcp-host/core/index.js': "export const whose = 'the project\\'s own core';\n",
    'plugin.mjs': "import { whose } from '@mcp-host/core';\nprocess.stderr.write(`core: ${whose}\\n`);\nexport default { name: 'linked-file', apply() {} };\n",
  });
  const dir = await tempDir();
  await mkdir(path.join(dir, 'plugins'));
  await symlink(path.join(project, 'plugin.mjs'), path.join(dir, 'plugins/plugin.mjs'));
  await writeFiles(dir, { 'mcp-host.config.json': { plugins: ['./plugins/plugin.mjs'] } });
  const { code, stderr } = await runCli(['validate'], { cwd: dir });
  expect(code, stderr).toBe(0);
  expect(stderr).toContain("core: the project's own core");
});
