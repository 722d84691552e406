// A config fuzzer (issue 11, "beyond the list"): seeded random and mutated JSON and YAML configs, through the CLI's
// own code in-process (`validate`: the load, formatter and exit code `start` uses). Invariants, per case: exit 0 or
// 78 and nothing else; no stack trace; every problem line ends with a catalogued code that exits 78; a refusal names
// the config file (a JSON syntax error with its line and column); stdout empty on a refusal; an empty or null file
// is never valid; the heap stays bounded. Bounded in count and time; a failure prints
// the seed, the case number and the file, and FUZZ_SEED=<seed> replays the run.
import { writeFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { HostError, type HostErrorCode } from '@mcp-host/core';
import { ERROR_CODES, exitCodeFor } from '@mcp-host/core/host';
import { seededRandom } from '../src/fuzz.js';
import { ROOT, runCliInProcess, tempDir } from '../src/index.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const MAX_CASES = 200;
const MAX_MS = 3000;
const HEAP_BOUND = 256 * 1024 * 1024;
const SHARED = path.join(ROOT, 'test/fixtures/config/_shared');
const FILES = ['mcp-host.config.json', 'mcp-host.config.yaml', '.mcp-hostrc'] as const;

/** The shared seeded generator, with `int(n)` meaning [0, n) as this fuzzer's cases are written. */
function random(seed: number) {
  const shared = seededRandom(seed);
  return { next: shared.next, pick: shared.pick, int: (n: number) => shared.int(0, n - 1) };
}
type Random = ReturnType<typeof random>;

const KEYS = ['name', 'version', 'instructions', 'transport', 'shutdown', 'startup', 'logging', 'plugins', 'type', 'port', 'host', 'timeoutMs', 'level', '__proto__', 'constructor', '$schema', 'x', ''];
const STRINGS = ['', 'stdio', 'http', 'info', 'debug', '${HOME}', '${FUZZ_UNSET_VAR}', '${FUZZ_UNSET_VAR:-d}', '$${x}', '\u0000', '\uFEFF', 'a'.repeat(300), '../x', 'ws://127.0.0.1:1'];
const SPECIFIERS = ['./missing.mjs', '../nope.mjs', '', '@mcp-host/plugin-no-such-plugin', path.join(SHARED, 'echo-options.mjs'), path.join(SHARED, 'hello.mjs'), '/dev/null', '.'];

/** A random JSON-able value, shaped like a config more often than not. */
function value(rng: Random, depth: number): unknown {
  const roll = rng.int(depth > 4 ? 4 : 9);
  if (roll === 0) return rng.pick(STRINGS);
  if (roll === 1) return rng.pick([0, -1, 1.5, 65536, 1e308, 600_001, 3000, Number.MAX_SAFE_INTEGER]);
  if (roll === 2) return rng.pick([true, false, null]);
  if (roll === 3) return rng.int(1000);
  if (roll <= 5) return Array.from({ length: rng.int(4) }, () => value(rng, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = rng.int(4); i > 0; i--) object[rng.pick(KEYS)] = value(rng, depth + 1);
  return object;
}

/** A config-shaped object: mostly valid keys, with a few wrong ones. */
function config(rng: Random): unknown {
  const plugins = Array.from({ length: rng.int(3) }, () => (rng.int(3) === 0 ? rng.pick(SPECIFIERS) : [rng.pick(SPECIFIERS), value(rng, 2)]));
  const base: Record<string, unknown> = { plugins };
  if (rng.int(2)) base.transport = rng.pick([{ type: 'stdio' }, { type: 'http', port: rng.pick([0, 3000, -1, 70000, 'x']) }, { type: 'ws' }, value(rng, 2)]);
  if (rng.int(2)) base.shutdown = { timeoutMs: rng.pick([1, 1800, 0, 'x', 600_001]) };
  if (rng.int(3) === 0) base.logging = { level: rng.pick(['debug', 'info', 'loud', 3]) };
  if (rng.int(3) === 0) base[rng.pick(KEYS)] = value(rng, 1);
  return rng.int(8) === 0 ? value(rng, 0) : base;
}

/** YAML that JSON cannot say: anchors and aliases (sometimes a small bomb), merge keys, tags, several documents. */
function yamlOnly(rng: Random): string {
  const levels = 2 + rng.int(8);
  const width = 2 + rng.int(8);
  const bomb = ['a0: &a0 "lol"', ...Array.from({ length: levels }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(width).fill(`*a${i}`).join(', ')}]`)];
  return rng.pick([
    `${bomb.join('\n')}\nplugins: []\n`,
    `plugins:\n  - - ${path.join(SHARED, 'echo-options.mjs')}\n    - ${bomb.join('\n      ')}\n`,
    'base: &b { timeoutMs: 100 }\nshutdown: { <<: *b, hookTimeoutMs: 50 }\nplugins: []\n',
    'plugins: !!set { a, b }\n',
    'name: !!binary aGVsbG8=\nplugins: []\n',
    'name: !!js/function "function () {}"\n',
    'plugins: []\n---\nplugins: []\n',
    'a: &x [*x]\n',
    'plugins: *undefined_alias\n',
    `name: ${'['.repeat(200)}${']'.repeat(200)}\n`,
    'version: 2001-12-14t21:59:43.10-05:00\nplugins: []\n',
    '? [complex, key]\n: value\n',
  ]);
}

/** Cut, repeat or sprinkle a few characters. */
function mutate(rng: Random, text: string): string {
  let out = text;
  for (let i = 1 + rng.int(3); i > 0; i--) {
    const at = rng.int(out.length + 1);
    const op = rng.int(4);
    if (op === 0) out = out.slice(0, at);
    else if (op === 1) out = out.slice(0, at) + out.slice(at + 1 + rng.int(10));
    else if (op === 2) out = out.slice(0, at) + out.slice(at, at + 1 + rng.int(20)).repeat(1 + rng.int(5)) + out.slice(at);
    else out = out.slice(0, at) + rng.pick(['{', '}', '[', ']', ':', ',', '"', "'", '\n', ' - ', '&a ', '*a', '!', '#', '\u0000', '\uFEFF', '\\', '\t', '%']) + out.slice(at);
  }
  return out;
}

function caseText(rng: Random, file: string): string {
  const isYaml = file !== 'mcp-host.config.json';
  const roll = rng.int(10);
  let text = isYaml && roll < 3 ? yamlOnly(rng) : JSON.stringify(config(rng), null, rng.int(2) ? 2 : undefined);
  if (roll >= 6) text = mutate(rng, text);
  return rng.int(20) === 0 ? rng.pick(['', ' \n', 'null', '~', '[]', '0', '"x"']) : text;
}

const CONFIG_CODES = new Set(Object.keys(ERROR_CODES).filter((code) => exitCodeFor(new HostError(code as HostErrorCode, '')) === 78));

test(`config fuzzer: random and mutated JSON/YAML configs get 0 or 78, a catalogued code and the file named (seed ${SEED})`, async () => {
  const dir = await tempDir('mcp-host-fuzz-');
  writeFileSync(path.join(dir, 'package.json'), '{ "private": true }');
  const rng = random(SEED);
  const startedAt = Date.now();
  const baseline = process.memoryUsage().heapUsed;
  let cases = 0;
  for (; cases < MAX_CASES && Date.now() - startedAt < MAX_MS; cases++) {
    const file = rng.pick(FILES);
    const text = caseText(rng, file);
    for (const other of FILES) rmSync(path.join(dir, other), { force: true });
    writeFileSync(path.join(dir, file), text);
    const args = rng.int(2) ? ['validate', '--config', file] : ['validate'];
    const result = await runCliInProcess(args, { cwd: dir, env: { FUZZ_UNSET_VAR: undefined } });
    const where = `seed ${SEED}, case ${cases}, ${args.join(' ')}, ${file}:\n${text.slice(0, 2000)}\n--- stderr ---\n${result.stderr.slice(0, 2000)}`;
    expect([0, 78], where).toContain(result.code);
    expect(result.stderr, where).not.toMatch(/^\s+at \S/m);
    if (result.code === 78) {
      expect(result.stdout, where).toBe('');
      expect(result.problems.length, where).toBeGreaterThan(0);
      for (const line of result.problems) {
        const code = / \((MCPH_[A-Z_]+)\)$/.exec(line)?.[1];
        expect(code !== undefined && CONFIG_CODES.has(code), `${line}\n${where}`).toBe(true);
      }
      expect(result.problems.some((line) => line.startsWith(`mcp-host: ${file}: `)), where).toBe(true);
      // JSON syntax errors say where.
      for (const line of result.problems) if (file.endsWith('.json') && line.includes('(MCPH_CONFIG_UNREADABLE)')) expect(line, where).toMatch(/\(line \d+, column \d+\)/);
    } else {
      // A file that says nothing is no config.
      expect(['', 'null', '~'], where).not.toContain(text.trim());
    }
    expect(process.memoryUsage().heapUsed - baseline, where).toBeLessThan(HEAP_BOUND);
  }
  expect(cases).toBeGreaterThan(20);
}, 30_000);
