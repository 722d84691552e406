import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../src/index.js';

const CLI_VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;

/** Run the CLI to completion, away from any config: none of these cases may need one. */
const mcpHost = (args: string[]) => runCli(args, { cwd: tmpdir() });

test.each([['--help'], ['-h'], ['start', '--help']])('%s prints the usage on stdout, exit 0', async (...args) => {
  const result = await mcpHost(args);
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  expect(result.stdout).toMatch(/^Usage:/m);
  for (const command of ['start', 'validate', 'inspect', '--config', '--debug', '--json', '--version']) expect(result.stdout).toContain(command);
});

test.each([['--version'], ['-v']])('%s prints the version of @mcp-host/cli, exit 0', async (flag) => {
  const result = await mcpHost([flag]);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(`${CLI_VERSION}\n`);
  expect(result.stderr).toBe('');
});

describe('a command line that cannot be understood → 64, nothing on stdout', () => {
  test.each([
    [['frob'], '"frob"'],
    [['start', '--bogus'], '--bogus'],
    [['start', '--config'], '--config'],
    [['validate', '--json'], '--json'],
    [['start', 'extra'], '"extra"'],
  ])('%j names %s', async (args, named) => {
    const result = await mcpHost(args);
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    const [first] = result.stderr.split('\n');
    expect(first).toMatch(/^mcp-host: /);
    expect(first).toContain(named);
    expect(result.stderr).toContain('mcp-host --help');
  });

  test('no command: the usage, on stderr', async () => {
    const result = await mcpHost([]);
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage:/m);
  });
});
