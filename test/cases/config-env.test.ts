import { once } from 'node:events';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, connectClient, spawnHost } from '../src/index.js';

/** One real folder per case (test/fixtures/config/<case>/), each its own project root. */
const FIXTURES = path.join(ROOT, 'test/fixtures/config');
const STACK_FRAME = /^\s+at \S/m;

test('${VAR}, ${VAR:-default} and $${literal} are substituted before the plugin sees its options', async () => {
  const { client } = await connectClient(['start'], {
    cwd: path.join(FIXTURES, 'env-substitution'),
    // Empty counts as unset for :- (as in the shell); MCPH_TEST_HOST_NAME is not set at all.
    env: { MCPH_TEST_TOKEN: 's3cret', MCPH_TEST_ENDPOINT: '' },
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
  const host = spawnHost(['inspect', '--json'], {
    cwd: path.join(FIXTURES, 'env-substitution'),
    env: { MCPH_TEST_TOKEN: 's3cret', MCPH_TEST_HOST_NAME: 'named-by-env' },
    stdin: 'ignore',
  });
  const [code] = (await once(host.child, 'close')) as [number | null];
  expect(code, host.stderr()).toBe(0);
  expect(JSON.parse(host.stdout()).name).toBe('named-by-env');
});

test('an unset variable without a default → 78 naming the key path and the variable, and only that', async () => {
  const host = spawnHost(['start'], { cwd: path.join(FIXTURES, 'env-unset'), stdin: 'ignore' });
  const [code] = (await once(host.child, 'close')) as [number | null];
  expect(code).toBe(78);
  expect(host.stdout()).toBe('');
  const problems = host.stderr().split('\n').filter((line) => line.startsWith('mcp-host: '));
  // The unsubstituted "${…}" is not a URL either, but that line would only repeat this one.
  expect(problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[1\]\.options\.url: .*MCPH_TEST_UNSET_URL/)]);
  expect(host.stderr()).not.toMatch(STACK_FRAME);
});
