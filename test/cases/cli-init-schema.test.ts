import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { CORE_VERSION } from '@mcp-host/core/host';
import { createServer } from 'node:net';
import { ROOT, linkCore, listenForTest, runCli, runCliInProcess, spawnHttpHost, tempDir, writeFiles } from '../src/index.js';

/** The CLI's code in-process: init, validate and schema touch files, not the process. */
const run = (args: string[], cwd: string) => runCliInProcess(args, { cwd });

function compile(schema: object) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

test('init writes a starter config and its schema, which validate; a second init refuses to overwrite', async () => {
  const dir = await tempDir();
  const first = await run(['init', '--yes'], dir);
  expect(first.code).toBe(0);
  expect(first.stdout).toContain('wrote mcp-host.config.yaml');
  const config = parseYaml(readFileSync(path.join(dir, 'mcp-host.config.yaml'), 'utf8'));
  expect(config.$schema).toBe('./mcp-host.schema.json');
  expect(config.plugins.map((entry: unknown[]) => entry[0])).toEqual(['@mcp-host/plugin-websocket-manager', '@mcp-host/plugin-resource-manager']);

  const validated = await run(['validate'], dir);
  expect(validated.stderr).toBe('');
  expect(validated.code).toBe(0);
  expect(validated.stdout).toContain('websocket-manager');
  expect(validated.stdout).toContain('resource-manager');

  const schema = JSON.parse(readFileSync(path.join(dir, 'mcp-host.schema.json'), 'utf8'));
  const check = compile(schema);
  expect(check(config), JSON.stringify(check.errors)).toBe(true);

  const again = await run(['init', '--yes'], dir);
  expect(again.code).toBe(1);
  expect(again.problems).toEqual([expect.stringMatching(/exists already; init never overwrites.* \(MCPH_INIT_REFUSED\)$/)]);
});

test('init without --yes and without a terminal asks for --yes instead of hanging', async () => {
  const dir = await tempDir();
  const result = await run(['init'], dir);
  expect(result.code).toBe(1);
  expect(result.problems).toEqual([expect.stringMatching(/pass --yes.* \(MCPH_INIT_REFUSED\)$/)]);
  expect(existsSync(path.join(dir, 'mcp-host.config.yaml'))).toBe(false);
});

test('schema is a JSON Schema that accepts the bundled example and rejects bad host keys and bad plugin options', async () => {
  const dir = await tempDir();
  const { code, stdout } = await run(['schema', '--config', path.join(ROOT, 'examples/basic/mcp-host.config.json')], dir);
  expect(code).toBe(0);
  const schema = JSON.parse(stdout);
  const check = compile(schema);
  const example = JSON.parse(readFileSync(path.join(ROOT, 'examples/basic/mcp-host.config.json'), 'utf8'));
  expect(check(example), JSON.stringify(check.errors)).toBe(true);
  expect(check({ ...example, shutdown: { timeoutMs: 'soon' } })).toBe(false);
  expect(check({ ...example, unknownKey: 1 })).toBe(false);
  // The example's own plugin options are described: a wrong type is caught by the editor, not only at start.
  expect(check({ ...example, plugins: [['./echo-plugin.mjs', { greeting: 42 }]] })).toBe(false);
  // First-party plugins are described even when the config does not name them.
  const ws = { plugins: [['@mcp-host/plugin-websocket-manager', { connections: [{ name: 'x', url: 'ws://127.0.0.1:1/' }] }]] };
  expect(check(ws), JSON.stringify(check.errors)).toBe(true);
  expect(check({ plugins: [['@mcp-host/plugin-websocket-manager', { connections: [{ name: 'x', url: 'ws://127.0.0.1:1/', bogus: true }] }]] })).toBe(false);
  // The Magic-API example config, its first-party plugins with their options, passes too.
  const magic = JSON.parse(readFileSync(path.join(ROOT, 'examples/magic-api/mcp-host.config.json'), 'utf8'));
  expect(check(magic), JSON.stringify(check.errors)).toBe(true);
  const broken = structuredClone(magic);
  broken.plugins[1][1].sources[0].type = 'ftp';
  expect(check(broken)).toBe(false);
});

test('a plugin declaring an incompatible core range is refused with both versions named (78)', async () => {
  const dir = await tempDir();
  await writeFiles(dir, {
    'old.mjs': `export default { name: 'old-plugin', core: '^99.0.0', apply() {} };`,
    'fits.mjs': `export default { name: 'fits', core: '>=0.0.1', apply() {} };`,
    // A form the built-in matcher leaves to semver.
    'fits-too.mjs': `export default { name: 'fits-too', core: '0.x', apply() {} };`,
    'too-new.mjs': `export default { name: 'too-new', core: '1.x || 2.x', apply() {} };`,
    'mcp-host.config.json': { plugins: ['./old.mjs', './fits.mjs', './fits-too.mjs', './too-new.mjs'] },
  });
  const result = await run(['validate'], dir);
  expect(result.code).toBe(78);
  expect(result.stderr).toContain(`plugins[0]: plugin "old-plugin" (./old.mjs) supports @mcp-host/core ^99.0.0, but this host runs @mcp-host/core ${CORE_VERSION}`);
  expect(result.stderr).toContain(`plugins[3]: plugin "too-new" (./too-new.mjs) supports @mcp-host/core 1.x || 2.x`);
  expect(result.stderr).not.toContain('fits');
});

test('start --port 0 serves HTTP over the config; the chosen URL is printed on stderr in one parseable line', async () => {
  const dir = await tempDir();
  await linkCore(dir);
  await writeFiles(dir, { 'mcp-host.config.json': { plugins: [] } });
  const { host, url } = await spawnHttpHost(['start', '--port', '0'], { cwd: dir });
  expect(url.hostname).toBe('127.0.0.1');
  expect(url.pathname).toBe('/mcp');
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('mcp-session-id')).toBeTruthy();
  await response.text();
  host.child.kill('SIGTERM');
  expect((await host.exited).code).toBe(0);
});

test('start --port on a port already taken: exit 1, one line naming the address, ending with MCPH_TRANSPORT_LISTEN_FAILED', async () => {
  const dir = await tempDir();
  await writeFiles(dir, { 'mcp-host.config.json': { plugins: [] } });
  const { port } = await listenForTest(createServer());
  const result = await runCli(['start', '--port', String(port)], { cwd: dir });
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.problems).toContainEqual(expect.stringMatching(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.* \\(MCPH_TRANSPORT_LISTEN_FAILED\\)$`)));
});
