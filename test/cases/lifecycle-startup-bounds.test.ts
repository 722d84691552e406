// A startup that never settles (issue 11, items 3 and 4): config loading, a plugin's apply() and a start tap are
// each bounded with a real timer, which fires whether or not something else holds the event loop; the process
// fails with 78 (config) or 1 (plugin), naming the file or the plugin, instead of ending with 0 and no word.
// Spawned: exit codes, the event loop and the watchdog are about the process.
import { expect, test } from 'vitest';
import { spawnHost, tempDir, writeFiles, type HostProcess } from '../src/index.js';

const STACK_FRAME = /^\s+at \S/m;
/** A plugin object without core (no import needed): `apply` and `start` run the given bodies. */
const plugin = (name: string, body: { apply?: string; start?: string }) =>
  `export default { name: ${JSON.stringify(name)}, apply(host) { ${body.apply ?? ''}; ${
    body.start ? `host.hooks.start.tapPromise(${JSON.stringify(name)}, (ctx) => { ${body.start} });` : ''
  } } };\n`;
const NEVER = 'return new Promise(() => {})';
/** Something else that holds the event loop for as long as the process lives. */
const KEEPER = 'setInterval(() => {}, 1000)';

async function project(files: Record<string, string | object>) {
  const dir = await tempDir();
  await writeFiles(dir, { 'package.json': { private: true }, ...files });
  return dir;
}

async function fails(host: HostProcess) {
  const { code } = await host.exited;
  const problems = host.stderr().split('\n').filter((line) => line.startsWith('mcp-host: ') && / \(MCPH_[A-Z_]+\)$/.test(line));
  expect(host.stdout()).toBe('');
  expect(host.stderr()).not.toMatch(STACK_FRAME);
  return { code, problems, stderr: host.stderr() };
}

test.each([
  ['nothing else holds the event loop', 'export default new Promise(() => {});\n'],
  ['a timer holds the event loop', `${KEEPER};\nexport default new Promise(() => {});\n`],
])('a JS config whose default export never resolves (%s): --load-timeout fires, 78 naming the file', async (_, source) => {
  const dir = await project({ 'mcp-host.config.mjs': source });
  // Named with --config: the file is known from the start, however slow this machine is to reach it.
  const result = await fails(spawnHost(['start', '--config', 'mcp-host.config.mjs', '--load-timeout', '300'], { cwd: dir, stdin: 'ignore' }));
  expect(result.code).toBe(78);
  expect(result.problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.mjs: still loading after 300 ms.* \(MCPH_CONFIG_TIMEOUT\)$/)]);
});

test('a plugin module whose import never settles (top-level await): 78 naming the config and the plugin', async () => {
  const dir = await project({ 'stuck.mjs': `await new Promise(() => {});\nexport default {};\n`, 'mcp-host.config.json': { plugins: ['./stuck.mjs'] } });
  // A bound well above the time a loaded machine takes to reach the import, so the message can name it.
  const result = await fails(spawnHost(['start', '--config', 'mcp-host.config.json', '--load-timeout', '2000'], { cwd: dir, stdin: 'ignore' }));
  expect(result.code).toBe(78);
  expect(result.problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: still loading after 2000 ms, importing plugin "\.\/stuck\.mjs".* \(MCPH_CONFIG_TIMEOUT\)$/)]);
});

test.each([
  ['over HTTP, nothing else holding the loop', { type: 'http', port: 0 }, NEVER],
  ['over stdio, stdin open and a timer holding the loop', { type: 'stdio' }, `${KEEPER}; ${NEVER}`],
])('an apply() that never settles (%s): startup.applyTimeoutMs fires, exit 1 naming the plugin', async (_, transport, apply) => {
  const dir = await project({ 'stuck.mjs': plugin('stuck', { apply }), 'mcp-host.config.json': { transport, startup: { applyTimeoutMs: 300 }, plugins: ['./stuck.mjs'] } });
  const result = await fails(spawnHost(['start'], { cwd: dir, stdin: transport.type === 'http' ? 'ignore' : 'pipe' }));
  expect(result.code).toBe(1);
  expect(result.problems[0]).toMatch(/^mcp-host: \[plugin stuck\] apply: did not settle within startup\.applyTimeoutMs \(300 ms\).* \(MCPH_PLUGIN_APPLY_FAILED\)$/);
});

test.each([
  ['over HTTP, nothing else holding the loop', { type: 'http', port: 0 }, NEVER],
  ['over stdio, stdin open and a timer holding the loop', { type: 'stdio' }, `${KEEPER}; ${NEVER}`],
])('a start tap that never settles (%s): startup.tapTimeoutMs fires, exit 1 naming the plugin', async (_, transport, start) => {
  const dir = await project({ 'stuck.mjs': plugin('stuck', { start }), 'mcp-host.config.json': { transport, startup: { tapTimeoutMs: 300 }, plugins: ['./stuck.mjs'] } });
  const result = await fails(spawnHost(['start'], { cwd: dir, stdin: transport.type === 'http' ? 'ignore' : 'pipe' }));
  expect(result.code).toBe(1);
  expect(result.problems[0]).toMatch(/^mcp-host: \[plugin stuck\] hook start: did not settle within 300 ms.* \(MCPH_HOOK_TIMEOUT\)$/);
  expect(result.stderr).toMatch(/exit code 1\n$/);
});

test('a start tap that ignores its signal during a shutdown: reported timed-out, exit 1, and the process ends by the deadline', async () => {
  const dir = await project({
    'ignorer.mjs': plugin('ignorer', { start: `process.stderr.write('ignorer: start begun\\n'); ${NEVER}` }),
    'mcp-host.config.json': { shutdown: { timeoutMs: 1800, hookTimeoutMs: 300 }, plugins: ['./ignorer.mjs'] },
  });
  const host = spawnHost(['start'], { cwd: dir });
  await host.waitFor(() => host.stderr().includes('ignorer: start begun'), 'the start tap to begin');
  host.child.kill('SIGTERM');
  const { code, signal } = await host.exited;
  expect({ code, signal }).toEqual({ code: 1, signal: null });
  const stderr = host.stderr();
  expect(stderr).toMatch(/^ {2}start: ignorer +timed-out .*ignored ctx\.signal.*\(MCPH_HOOK_TIMEOUT\)$/m);
  expect(stderr).toMatch(/exit code 1\n$/);
  // The report told the truth: no watchdog exit after it.
  expect(stderr).not.toMatch(/MCPH_SHUTDOWN_TIMEOUT/);
});

test('a signal while the config loads: the shutdown it began decides the exit code (0), not the cut-short load', async () => {
  const dir = await project({
    'mcp-host.config.mjs': `process.stderr.write('config: loading\\n');\nexport default new Promise((resolve) => setTimeout(() => resolve({ plugins: [] }), 20_000));\n`,
  });
  const host = spawnHost(['start'], { cwd: dir });
  await host.waitFor(() => host.stderr().includes('config: loading'), 'the config module to run');
  host.child.kill('SIGTERM');
  const { code } = await host.exited;
  expect(code).toBe(0);
  expect(host.stderr()).toMatch(/shutting down \(SIGTERM\)/);
  expect(host.stderr()).not.toMatch(/MCPH_STARTUP_ABORTED|MCPH_CONFIG_TIMEOUT/);
});
