import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, connectInProcess, runCli, runCliInProcess } from '../src/index.js';

/** One real folder per case; each holds a package.json, so each is its own project root. */
const FIXTURES = path.join(ROOT, 'test/fixtures/config');
const STACK_FRAME = /^\s+at \S/m;

/** The CLI's code in-process: discovery is logic, not process behaviour (`start` below is spawned). */
const mcpHost = (args: string[], cwd: string) => runCliInProcess(args, { cwd });

async function inspectJson(args: string[], cwd: string) {
  const result = await mcpHost(['inspect', '--json', ...args], cwd);
  expect(result, result.stderr).toMatchObject({ code: 0 });
  return JSON.parse(result.stdout) as { name: string; configFile: string; tools: { name: string; plugin: string }[]; plugins: { name: string; specifier: string }[] };
}

describe('each search place is found in the working directory', () => {
  test.each([
    ['discover-json', 'mcp-host.config.json', 'from-json'],
    ['discover-yaml', 'mcp-host.config.yaml', 'from-yaml'],
    ['discover-js', 'mcp-host.config.js', 'from-js'],
    ['discover-mjs', 'mcp-host.config.mjs', 'from-mjs'],
    ['discover-cjs', 'mcp-host.config.cjs', 'from-cjs'],
    ['discover-rc', '.mcp-hostrc', 'from-rc'],
    ['discover-rc-json', '.mcp-hostrc.json', 'from-rc-json'],
    ['discover-package-json', 'package.json', 'from-package-json'],
  ])('%s: %s', async (fixture, file, name) => {
    const dir = path.join(FIXTURES, fixture);
    const description = await inspectJson([], dir);
    expect(description.configFile).toBe(path.join(dir, file));
    expect(description.name).toBe(name);
    // The file's plugin list was read and its relative specifier resolved against the file's directory.
    expect(description.tools).toEqual([{ name: 'hello', plugin: 'hello' }]);
  });
});

test('a TS config (compiled by cosmiconfig with typescript) with an inline plugin object and its options', async () => {
  const dir = path.join(FIXTURES, 'ts-config');
  const description = await inspectJson([], dir);
  expect(description.configFile).toBe(path.join(dir, 'mcp-host.config.ts'));
  expect(description.plugins.map(({ name, specifier }) => ({ name, specifier }))).toEqual([
    { name: 'shout', specifier: '<inline shout>' },
    { name: 'hello', specifier: '../_shared/hello.mjs' },
  ]);

  // The inline plugin serves a real client, with the options the config gave it.
  const { client } = await connectInProcess({ cwd: dir });
  const result = await client.callTool({ name: 'shout', arguments: { text: 'hey' } });
  expect(result.content).toEqual([{ type: 'text', text: 'HEY!!' }]);
});

test('the search goes up from a subdirectory to the project root', async () => {
  const dir = path.join(FIXTURES, 'discover-subdir');
  const description = await inspectJson([], path.join(dir, 'src/deep'));
  expect(description.configFile).toBe(path.join(dir, 'mcp-host.config.json'));
  expect(description.name).toBe('from-project-root');
});

test('the search stops at the project root: a config above it is not found → 78, with what to do', async () => {
  const fixture = path.join(FIXTURES, 'not-found-below-project-root');
  // Spawned: start's own path for a config error (nothing on stdout, the exit code through the process runner).
  const result = await runCli(['start'], { cwd: path.join(fixture, 'app/src') });
  expect(result.code).toBe(78);
  expect(result.stdout).toBe('');
  expect(result.problems).toHaveLength(1);
  const [line] = result.problems;
  // Names where it looked and where it stopped (app/ holds package.json), and both ways out.
  expect(line).toContain(path.join(fixture, 'app/src'));
  expect(line).toContain(`up to ${path.join(fixture, 'app')}`);
  expect(line).toContain('mcp-host.config.json');
  expect(line).toContain('--config');
  expect(line).not.toContain('outside-the-project');
  expect(line).toMatch(/ \(MCPH_CONFIG_NOT_FOUND\)$/);
  expect(result.stderr).not.toMatch(STACK_FRAME);
});

describe('--config', () => {
  const dir = path.join(FIXTURES, 'config-flag');

  test('a relative path resolves against the working directory; any file name works', async () => {
    const description = await inspectJson(['--config', 'configs/custom-name.json'], dir);
    expect(description.configFile).toBe(path.join(dir, 'configs/custom-name.json'));
    expect(description.name).toBe('from-config-flag');
    expect(description.tools.map((tool) => tool.name)).toEqual(['hello']);
  });

  test('an absolute path works from any working directory; plugins resolve against the config file', async () => {
    const description = await inspectJson(['--config', path.join(dir, 'configs/custom-name.json')], tmpdir());
    expect(description.name).toBe('from-config-flag');
    expect(description.tools.map((tool) => tool.name)).toEqual(['hello']);
  });

  test('a missing file → 78 naming it', async () => {
    const result = await mcpHost(['validate', '--config', 'configs/missing.json'], dir);
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.problems).toEqual([expect.stringMatching(/^mcp-host: configs\/missing\.json: .*--config/)]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  test('a directory instead of a file → 78 naming it', async () => {
    const result = await mcpHost(['validate', '--config', 'configs'], dir);
    expect(result.code).toBe(78);
    expect(result.problems).toEqual([expect.stringMatching(/^mcp-host: configs: /)]);
  });
});
