import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, connectInProcess, runCliInProcess, tempDir, writeFiles } from '../src/index.js';

/** One real folder per case (test/fixtures/config/<case>/), each its own project root. */
const FIXTURES = path.join(ROOT, 'test/fixtures/config');
const STACK_FRAME = /^\s+at \S/m;

/** The CLI's code in-process: resolving and loading plugins is logic (config-invalid spawns start's own path). */
const mcpHost = (args: string[], cwd: string) => runCliInProcess(args, { cwd });

/** A bad plugin entry: exit 78, nothing on stdout, no stack trace unless --debug, every line ending with its code. */
async function startFails(cwd: string, extraArgs: string[] = []) {
  const result = await mcpHost(['validate', ...extraArgs], cwd);
  expect(result.code, result.stderr).toBe(78);
  expect(result.stdout).toBe('');
  if (!extraArgs.includes('--debug')) expect(result.stderr).not.toMatch(STACK_FRAME);
  for (const line of result.problems) expect(line).toMatch(/ \(MCPH_[A-Z_]+\)$/);
  return result;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('specifiers resolve', () => {
  test('a relative path against the config file, not the working directory', async () => {
    const dir = path.join(FIXTURES, 'plugin-relative-path');
    // A fresh temp dir: never an ancestor of the fixture, so the plugin's file is shown as an absolute path.
    const result = await mcpHost(['validate', '--config', path.join(dir, 'mcp-host.config.json')], await tempDir());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`1. local  ./plugins/local.mjs  (${path.join(dir, 'plugins/local.mjs')})`);
  });

  test('a package directory, through its package.json exports', async () => {
    const result = await mcpHost(['validate'], path.join(FIXTURES, 'plugin-package-dir'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('1. greeting-pkg@1.4.0  ./vendor/greeting-pkg  (vendor/greeting-pkg/lib/plugin.js)');
  });

  test('a bare package name from a node_modules next to the config', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'package.json': { private: true },
      'mcp-host.config.json': { plugins: ['mcph-fixture-plugin'] },
      'node_modules/mcph-fixture-plugin/package.json': { name: 'mcph-fixture-plugin', version: '0.3.0', type: 'module', exports: './index.js' },
      'node_modules/mcph-fixture-plugin/index.js': `export default { name: 'fixture-plugin', version: '0.3.0', apply() {} };\n`,
    });
    const result = await mcpHost(['validate'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('1. fixture-plugin@0.3.0  mcph-fixture-plugin  (node_modules/mcph-fixture-plugin/index.js)');
  });

  test("a package name the config's directory lacks resolves from the host's installation", async () => {
    // Outside the repository, only the host's own install has @mcp-host/core; it is not a plugin, and the
    // message proves it was found there (resolution worked, the module was imported and inspected).
    const dir = await tempDir();
    await writeFiles(dir, { 'package.json': { private: true }, 'mcp-host.config.json': { plugins: ['@mcp-host/core'] } });
    const { problems } = await startFails(dir);
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^mcp-host: mcp-host\\.config\\.json: plugins\\[0\\]: .*"@mcp-host/core" \\(${escape(path.join(ROOT, 'packages/core/'))}.*default export`)),
    ]);
  });
});

describe('plugin errors: 78, the file, the entry and the specifier', () => {
  test('not found: a path names the file it expected; a package name says where it looked', async () => {
    const dir = path.join(FIXTURES, 'plugin-not-found');
    const { problems } = await startFails(dir);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^mcp-host: mcp-host\.config\.json: plugins\[0\]: .*"\.\/plugins\/missing\.mjs"/);
    expect(problems[0]).toContain(path.join(dir, 'plugins/missing.mjs'));
    expect(problems[1]).toMatch(/^mcp-host: mcp-host\.config\.json: plugins\[1\]: .*"mcph-no-such-plugin"/);
    expect(problems[1]).toContain(dir);
    expect(problems[1]).toContain(path.join(ROOT, 'packages/cli'));
  });

  test('a module that throws at import: its error; with --debug, its stack down to the plugin file', async () => {
    const dir = path.join(FIXTURES, 'plugin-throws-at-import');
    const { problems } = await startFails(dir);
    expect(problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[0\]: .*"\.\/plugins\/explodes\.mjs".*cannot read \/etc\/magic\/license\.key/)]);

    const debug = await startFails(dir, ['--debug']);
    expect(debug.stderr).toMatch(STACK_FRAME);
    expect(debug.stderr).toMatch(/at .*plugins\/explodes\.mjs:\d+/);
  });

  test('no default export: the named exports are listed', async () => {
    const { problems } = await startFails(path.join(FIXTURES, 'plugin-no-default-export'));
    expect(problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[0\]: .*"\.\/plugins\/named-only\.mjs".*magicPlugin/)]);
  });

  test('a default export that is not a plugin says what is missing', async () => {
    const { problems } = await startFails(path.join(FIXTURES, 'plugin-default-not-a-plugin'));
    expect(problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[0\]: .*"\.\/plugins\/half\.mjs".*apply\(\)/)]);
  });

  test('duplicate plugin names name both entries', async () => {
    const { problems } = await startFails(path.join(FIXTURES, 'plugin-duplicate-name'));
    expect(problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[1\]: .*"hello".*plugins\[0\]/)]);
  });

  test("options failing the plugin's schema: one line per option, at plugins[N].options.<key>", async () => {
    const { problems } = await startFails(path.join(FIXTURES, 'plugin-options-invalid'));
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[1\]\.options\.url: .*\(plugin greeter\) \(MCPH_PLUGIN_OPTIONS_INVALID\)$/),
        expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[1\]\.options\.retries: /),
        expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[1\]\.options\.colour: .*greeting/),
      ]),
    );
  });
});

test('options given to a plugin reach it validated, with its defaults applied', async () => {
  const { client } = await connectInProcess({ cwd: path.join(FIXTURES, 'plugin-options') });
  const result = await client.callTool({ name: 'greeter_options' });
  const [content] = result.content as { type: 'text'; text: string }[];
  expect(JSON.parse(content!.text)).toEqual({ url: 'ws://127.0.0.1:9/magic', greeting: 'hi', retries: 3 });
});
