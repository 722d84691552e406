import * as path from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, connectInProcess, runCliInProcess } from '../src/index.js';

/** One real folder per case (test/fixtures/config/<case>/), each its own project root. */
const FIXTURES = path.join(ROOT, 'test/fixtures/config');
const STACK_FRAME = /^\s+at \S/m;

// Substitution is logic: these run in-process, through the embedding API and the CLI's own code.

test('${VAR}, ${VAR:-default} and $${literal} are substituted before the plugin sees its options', async () => {
  const { client } = await connectInProcess({
    cwd: path.join(FIXTURES, 'env-substitution'),
    // Empty counts as unset for :- (as in the shell); MCPH_TEST_HOST_NAME is not set at all.
    env: { MCPH_TEST_TOKEN: 's3cret', MCPH_TEST_ENDPOINT: '', MCPH_TEST_HOST_NAME: undefined },
  });
  const result = await client.callTool({ name: 'echo_options' });
  const [content] = result.content as { type: 'text'; text: string }[];
  expect(JSON.parse(content!.text)).toEqual({
    token: 's3cret',
    endpoint: 'ws://127.0.0.1:9/default',
    literal: '${NOT_SUBSTITUTED}',
    nested: { list: ['Bearer s3cret', 7] },
  });
  // Host keys are substituted too: the default reached initialize.
  expect(client.getServerVersion()?.name).toBe('env-host');
});

test('a set variable wins over the default', async () => {
  const result = await runCliInProcess(['inspect', '--json'], {
    cwd: path.join(FIXTURES, 'env-substitution'),
    env: { MCPH_TEST_TOKEN: 's3cret', MCPH_TEST_HOST_NAME: 'named-by-env' },
  });
  expect(result.code, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout).name).toBe('named-by-env');
});

test('an unset variable without a default → 78 naming the key path and the variable, and only that', async () => {
  const result = await runCliInProcess(['validate'], { cwd: path.join(FIXTURES, 'env-unset'), env: { MCPH_TEST_UNSET_URL: undefined } });
  expect(result.code).toBe(78);
  expect(result.stdout).toBe('');
  // The unsubstituted "${…}" is not a URL either, but that line would only repeat this one.
  expect(result.problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[1\]\.options\.url: .*MCPH_TEST_UNSET_URL.* \(MCPH_CONFIG_ENV_MISSING\)$/)]);
  expect(result.stderr).not.toMatch(STACK_FRAME);
});
