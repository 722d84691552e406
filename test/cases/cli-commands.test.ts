import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, connectInProcess, runCliInProcess, tempDir } from '../src/index.js';

/** One real folder per case (test/fixtures/config/<case>/), each its own project root. */
const FIXTURES = path.join(ROOT, 'test/fixtures/config');
const STACK_FRAME = /^\s+at \S/m;

/** The CLI's code in-process (validate and inspect are logic; `start` is spawned where it appears). */
const mcpHost = (args: string[], fixture: string, env?: NodeJS.ProcessEnv) => runCliInProcess(args, { cwd: path.join(FIXTURES, fixture), ...(env ? { env } : {}) });

/** The inspect-plan fixture's start tap writes this file: proof of whether `start` ran. */
async function markerEnv() {
  const marker = path.join(await tempDir(), 'started');
  return { marker, env: { MCPH_TEST_MARKER: marker } };
}

describe('validate', () => {
  test('prints the resolved plugin list, in config order, without applying any plugin; exit 0', async () => {
    const result = await mcpHost(['validate'], 'validate-list');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('mcp-host.config.json: valid');
    // name@version, the specifier as written, and the file it resolved to.
    expect(lines.slice(2)).toEqual([
      `  1. hello  ../_shared/hello.mjs  (${path.join(FIXTURES, '_shared/hello.mjs')})`,
      `  2. greeter@2.0.0  ../_shared/greeter.mjs  (${path.join(FIXTURES, '_shared/greeter.mjs')})`,
      '  3. versioned@1.2.3  ./plugins/versioned.mjs  (plugins/versioned.mjs)',
    ]);
  });

  test('on a config error: 78, one line per problem, nothing on stdout; a stack only with --debug', async () => {
    const plain = await mcpHost(['validate'], 'several-problems');
    expect(plain.code).toBe(78);
    expect(plain.stdout).toBe('');
    expect(plain.problems).toHaveLength(4);
    expect(plain.problems.every((line) => line.startsWith('mcp-host: mcp-host.config.json: ') && / \(MCPH_CONFIG_INVALID\)$/.test(line))).toBe(true);
    expect(plain.stderr).not.toMatch(STACK_FRAME);

    const debug = await mcpHost(['validate', '--debug'], 'several-problems');
    expect(debug.code).toBe(78);
    expect(debug.problems.slice(0, 4)).toEqual(plain.problems);
    expect(debug.stderr).toMatch(STACK_FRAME);
  });
});

describe('inspect', () => {
  test('lists tools, resources, prompts and the stopping and shutdown plans in run order with each bound; start taps do not run', async () => {
    const { marker, env } = await markerEnv();
    const result = await mcpHost(['inspect'], 'inspect-plan', env);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    const at = (text: string) => {
      const index = lines.findIndex((line) => line.includes(text));
      expect(index, `"${text}" in:\n${result.stdout}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    expect(lines[0]).toContain('inspected 3.1.4');
    for (const name of ['alpha_status', 'beta_query', 'alpha-readme', 'fixture://alpha/readme', 'alpha_summary']) at(name);
    // The plan: registration order, reordered by `before` and `stage`; hookTimeoutMs (700) unless the tap set its own.
    const stopping = lines.slice(at('stopping plan'), at('shutdown plan')).filter((line) => /^\s+\d+\. /.test(line));
    expect(stopping.map((line) => line.trim().split(/\s+/).slice(0, 4).join(' '))).toEqual(['1. beta-intake ≤ 200', '2. alpha ≤ 700']);
    const plan = lines.slice(at('shutdown plan')).filter((line) => /^\s+\d+\. /.test(line));
    expect(plan.map((line) => line.trim().split(/\s+/).slice(0, 4).join(' '))).toEqual([
      '1. beta-close-first ≤ 700',
      '2. alpha ≤ 700',
      '3. beta ≤ 3000',
      '4. alpha-flush ≤ 700',
    ]);
    expect(existsSync(marker)).toBe(false);
  });

  test('--json parses and carries the same plan, with stages', async () => {
    const { marker, env } = await markerEnv();
    const result = await mcpHost(['inspect', '--json'], 'inspect-plan', env);
    expect(result.code, result.stderr).toBe(0);
    const description = JSON.parse(result.stdout);
    expect(description).toMatchObject({
      name: 'inspected',
      version: '3.1.4',
      configFile: path.join(FIXTURES, 'inspect-plan/mcp-host.config.json'),
      tools: [
        { name: 'alpha_status', plugin: 'alpha' },
        { name: 'beta_query', plugin: 'beta' },
      ],
      resources: [{ name: 'alpha-readme', uri: 'fixture://alpha/readme', plugin: 'alpha' }],
      prompts: [{ name: 'alpha_summary', plugin: 'alpha' }],
      shutdown: { hookTimeoutMs: 700 },
    });
    expect(description.stoppingPlan).toEqual([
      { name: 'beta-intake', stage: -1, timeoutMs: 200 },
      { name: 'alpha', stage: 0, timeoutMs: 700 },
    ]);
    expect(description.shutdownPlan).toEqual([
      { name: 'beta-close-first', stage: 0, timeoutMs: 700 },
      { name: 'alpha', stage: 0, timeoutMs: 700 },
      { name: 'beta', stage: 0, timeoutMs: 3000 },
      { name: 'alpha-flush', stage: 10, timeoutMs: 700 },
    ]);
    expect(existsSync(marker)).toBe(false);
  });

  test('the marker is real: serving the same config does run the start tap that inspect skipped', async () => {
    const { marker, env } = await markerEnv();
    await connectInProcess({ cwd: path.join(FIXTURES, 'inspect-plan'), env });
    expect(existsSync(marker)).toBe(true);
  });

  test('unlike validate, inspect applies the plugins: an apply() that throws → exit 1 naming the plugin', async () => {
    const result = await mcpHost(['inspect'], 'validate-list');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.problems).toEqual([expect.stringMatching(/^mcp-host: \[plugin versioned\] apply: validate applied a plugin.* \(MCPH_PLUGIN_APPLY_FAILED\)$/)]);
  });

  test('on a config error: 78', async () => {
    const result = await mcpHost(['inspect', '--json'], 'unknown-key');
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.problems).toEqual([expect.stringMatching(/^mcp-host: mcp-host\.config\.json: shutdown\.timeout: /)]);
  });
});
