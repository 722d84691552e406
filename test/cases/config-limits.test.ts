// Configs that would hang or exhaust the host (issue 11): each is refused with exit 78, one line naming the file,
// and the process stays small. Spawned: memory and exit codes are about the process.
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, runCli, runCliInProcess } from '../src/index.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/config');
const STACK_FRAME = /^\s+at \S/m;
// A host that expanded the bomb would need gigabytes; with this heap it dies (134, or SIGABRT) instead of answering.
const SMALL_HEAP = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=128`.trim() };

test.each(['yaml-alias-bomb', 'yaml-alias-bomb-in-options'])('a YAML alias bomb (%s, nine levels of nine) is refused: 78, the file named, memory bounded', async (fixture) => {
  const result = await runCli(['start'], { cwd: path.join(FIXTURES, fixture), env: SMALL_HEAP });
  expect({ code: result.code, problems: result.problems }).toEqual({
    code: 78,
    problems: [expect.stringMatching(/^mcp-host: mcp-host\.config\.yaml: .* \(MCPH_CONFIG_TOO_LARGE\)$/)],
  });
  expect(result.stdout).toBe('');
  expect(result.stderr).not.toMatch(STACK_FRAME);
});

test('a config that contains itself, or nests thousands deep, is refused the same way, naming the key path', async () => {
  const cycle = await runCliInProcess(['validate'], { cwd: path.join(FIXTURES, 'js-config-cycle') });
  expect({ code: cycle.code, problems: cycle.problems }).toEqual({
    code: 78,
    problems: [expect.stringMatching(/^mcp-host: mcp-host\.config\.mjs: plugins\[0\]\.options\.self: contains itself.* \(MCPH_CONFIG_TOO_LARGE\)$/)],
  });
  const deep = await runCliInProcess(['validate'], { cwd: path.join(FIXTURES, 'json-too-deep') });
  expect({ code: deep.code, problems: deep.problems }).toEqual({
    code: 78,
    problems: [expect.stringMatching(/^mcp-host: mcp-host\.config\.json: plugins\[0\]\.options(\[0\])+: nests deeper than .* \(MCPH_CONFIG_TOO_LARGE\)$/)],
  });
});
