// The save body encoding against the emulator's (ROT13Utils.encrypt, read from the Java), and the replacement
// behind magic_replace_in_script against String#replace.
import { encryptSaveBody } from '@mcp-host/magic-api-emulator';
import { expect, test } from 'vitest';
import { encodeSaveBody } from '../src/save-body.js';
import { replaceInScript } from '../src/tools/script-replace.js';

test('encodeSaveBody is what the editor sends: Base64 of the UTF-8 JSON, then ROT13 (the emulator\'s ROT13Utils.encrypt)', () => {
  for (const entity of [{}, { name: '用户列表', script: 'return "é ✓ 𝄞"\n// ~!@#$%^&*()' }, { script: 'x'.repeat(1000) }]) {
    expect(encodeSaveBody(entity)).toBe(encryptSaveBody(JSON.stringify(entity)));
  }
});

test('replaceInScript replaces as String#replace does, plain and with $-patterns, and reports the lines touched', () => {
  const script = 'var a = 1\nvar b = a + a\nreturn b';
  const cases: { search: string; replacement: string; regex?: boolean; all: boolean }[] = [
    { search: 'a', replacement: 'x', all: false },
    { search: 'a', replacement: 'x', all: true },
    { search: 'a', replacement: '$&$&', all: true },
    { search: '(\\w+) = (\\d)', replacement: '$2 = $1 ($$)', regex: true, all: true },
    { search: '(?<name>b)\\b', replacement: '[$<name>]', regex: true, all: true },
    { search: '^', replacement: '> ', regex: true, all: true },
    { search: '\n', replacement: '\n\n', all: true },
  ];
  for (const { search, replacement, regex, all } of cases) {
    const pattern = regex ? new RegExp(search, 'gm') : undefined;
    const expected = regex ? script.replace(all ? pattern! : new RegExp(search, 'm'), replacement) : all ? script.split(search).join(replacement) : script.replace(search, () => replacement);
    expect(replaceInScript(script, { search, replacement, pattern, all }).script, `${search} → ${replacement}`).toBe(expected);
  }
  expect(replaceInScript(script, { search: ' a', replacement: ' x', all: true }).changes).toEqual([
    { line: 1, before: 'var a = 1', after: 'var x = 1' },
    { line: 2, before: 'var b = a + a', after: 'var b = x + x' },
  ]);
  expect(replaceInScript(script, { search: '1\nvar b', replacement: '2\nvar c', all: false }).changes).toEqual([{ line: 1, before: 'var a = 1\nvar b = a + a', after: 'var a = 2\nvar c = a + a' }]);
  expect(replaceInScript(script, { search: 'zzz', replacement: 'x', all: true })).toEqual({ script, count: 0, changes: [] });
});
