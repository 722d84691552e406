import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, runCli, runCliInProcess } from '../src/index.js';

/** One real folder per case (test/fixtures/config/<case>/), each its own project root. */
const FIXTURES = path.join(ROOT, 'test/fixtures/config');
const STACK_FRAME = /^\s+at \S/m;

/**
 * A bad config through the CLI's code in-process (`validate`: the same load, formatter and exit code as `start`,
 * whose own path is spawned below): exit 78, nothing on stdout, no stack trace, one line per problem, each
 * ending with its code.
 */
async function startFails(fixture: string, extraArgs: string[] = []) {
  const result = await runCliInProcess(['validate', ...extraArgs], { cwd: path.join(FIXTURES, fixture) });
  expect(result.code, result.stderr).toBe(78);
  expect(result.stdout).toBe('');
  if (!extraArgs.includes('--debug')) expect(result.stderr).not.toMatch(STACK_FRAME);
  for (const line of result.problems) expect(line).toMatch(/ \(MCPH_[A-Z_]+\)$/);
  return result;
}

test('mcp-host start on a bad config: 78, nothing on stdout (the protocol channel), the same lines; a stack only with --debug', async () => {
  const cwd = path.join(FIXTURES, 'several-problems');
  const plain = await runCli(['start'], { cwd });
  expect(plain.code).toBe(78);
  expect(plain.stdout).toBe('');
  expect(plain.stderr).not.toMatch(STACK_FRAME);
  expect(plain.problems).toEqual((await startFails('several-problems')).problems);
  const debug = await runCli(['start', '--debug'], { cwd });
  expect(debug.code).toBe(78);
  expect(debug.stdout).toBe('');
  expect(debug.stderr).toMatch(STACK_FRAME);
});

describe('an unreadable config file', () => {
  test('bad JSON: one line naming the file; a stack only with --debug', async () => {
    const plain = await startFails('bad-json');
    expect(plain.problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: invalid JSON: /)]);

    const debug = await startFails('bad-json', ['--debug']);
    expect(debug.problems[0]).toBe(plain.problems[0]);
    expect(debug.stderr).toMatch(STACK_FRAME);
  });

  test('bad JSON names the line and column, found or given with --config', async () => {
    // The trailing comma: `]` on line 5, column 3.
    for (const args of [[], ['--config', 'mcp-host.config.json']]) {
      const { problems } = await startFails('bad-json', args);
      expect(problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: invalid JSON: .* \(line 5, column 3\)\. .*\(MCPH_CONFIG_UNREADABLE\)$/)]);
    }
  });

  test.each([
    ['empty-json', 'mcp-host.config.json'],
    ['null-json', 'mcp-host.config.json'],
    ['empty-yaml', 'mcp-host.config.yaml'],
    ['null-yaml', 'mcp-host.config.yaml'],
  ])('an empty or null config (%s) is refused, naming the file, found or given with --config', async (fixture, file) => {
    for (const args of [[], ['--config', file]]) {
      const { problems } = await startFails(fixture, args);
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^mcp-host: ${file.replace('.', '\\.')}: the file is empty.* \\(MCPH_CONFIG_INVALID\\)$`))]);
    }
  });

  test('a JS config that throws: the file and what it threw', async () => {
    const { problems } = await startFails('js-config-throws');
    expect(problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.mjs: .*MAGIC_HOME must point at the Magic installation/)]);
  });
});

describe('invalid host keys: file and key path, one line each', () => {
  test('an unknown key is named, with the known keys beside it', async () => {
    const { problems } = await startFails('unknown-key');
    expect(problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: shutdown\.timeout: .*"timeoutMs"/)]);
  });

  test('a wrong type: shutdown.timeoutMs: "x"', async () => {
    const { problems } = await startFails('wrong-type');
    expect(problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: shutdown\.timeoutMs: .*number/)]);
  });

  test('a logging.level that is not a level lists the levels', async () => {
    const { problems } = await startFails('bad-log-level');
    expect(problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: logging\.level: .*"debug".*"warning"/)]);
  });

  test('several problems at once: every one reported, one line each', async () => {
    const { problems } = await startFails('several-problems');
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugin: .*did you mean "plugins"/),
        expect.stringMatching(/^mcp-host: mcp-host\.config\.json: shutdown\.timeoutMs: /),
        expect.stringMatching(/^mcp-host: mcp-host\.config\.json: logging\.level: /),
        // A plugin entry that is neither a specifier nor [specifier, options] says what an entry may be.
        expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[0\]: .*specifier.*42/),
      ]),
    );
  });

  test('a host-key typo does not hide plugin problems: the typo, a missing plugin and bad options, each with its code', async () => {
    const { problems } = await startFails('typo-and-missing-plugin');
    expect(problems).toEqual([
      expect.stringMatching(/^mcp-host: mcp-host\.config\.json: nmae: unknown key; did you mean "name"\?.* \(MCPH_CONFIG_INVALID\)$/),
      expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[1\]: .*"\.\/plugins\/missing\.mjs".* \(MCPH_PLUGIN_NOT_FOUND\)$/),
      expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[2\]\.options\.url: .*\(plugin greeter\) \(MCPH_PLUGIN_OPTIONS_INVALID\)$/),
    ]);
  });
});
