import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, runCli, runCliInProcess } from '../src/index.js';

const CLI_VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;

/** The CLI's own code in-process, away from any config: none of these cases may need one. */
const mcpHost = (args: string[]) => runCliInProcess(args, { cwd: tmpdir() });

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

describe('a command line that cannot be understood → 64, nothing on stdout, one line ending with MCPH_USAGE', () => {
  test.each([
    [['frob'], '"frob"'],
    [['start', '--bogus'], '--bogus'],
    [['start', '--config'], '--config'],
    [['validate', '--json'], '--json'],
    [['start', 'extra'], '"extra"'],
    [['start', '--port', 'abc'], '--port'],
    [['start', '--transport', 'carrier-pigeon'], '"carrier-pigeon"'],
    [['validate', '--port', '1'], '--transport, --port and --host go with start'],
    [['start', '--transport', 'stdio', '--port', '1'], '--port and --host go with --transport http'],
    [['inspect', '--yes'], '--yes goes with init'],
  ])('%j names %s', async (args, named) => {
    const result = await mcpHost(args);
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.problems).toHaveLength(1);
    const [line] = result.problems;
    expect(result.stderr.startsWith(line!)).toBe(true);
    expect(line).toContain(named);
    expect(line).toContain('mcp-host --help');
    expect(line).toMatch(/ \(MCPH_USAGE\)$/);
  });

  test('no command: the usage on stderr, then the problem', async () => {
    const result = await mcpHost([]);
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage:/m);
    expect(result.problems).toEqual([expect.stringMatching(/^mcp-host: no command given; .* \(MCPH_USAGE\)$/)]);
  });
});

test('main() on streams that are not the process\'s refuses to start: start serves on the process\'s stdin and stdout', async () => {
  const result = await mcpHost(['start']);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.problems).toEqual([expect.stringMatching(/^mcp-host: start serves MCP on the process's own stdin and stdout.* \(MCPH_HOST_STATE\)$/)]);
});

describe('through the bin: its exit code and stdout are what main() gave', () => {
  test('--version: the version alone on stdout, exit 0', async () => {
    const result = await runCli(['--version'], { cwd: tmpdir() });
    expect(result).toMatchObject({ code: 0, stdout: `${CLI_VERSION}\n`, stderr: '' });
  });

  test('a usage error: exit 64, the problem on stderr, nothing on stdout', async () => {
    const result = await runCli(['frob'], { cwd: tmpdir() });
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.problems).toEqual([expect.stringMatching(/"frob".* \(MCPH_USAGE\)$/)]);
  });
});
