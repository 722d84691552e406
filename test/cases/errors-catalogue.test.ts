import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ERROR_CODES } from '@mcp-host/core';
import { expect, test } from 'vitest';
import { ROOT } from '../src/index.js';

/** The rows of docs/errors.md's table: `| \`CODE\` | what happened | how to fix it |`. */
function documentedRows(): { code: string; cells: string[] }[] {
  const doc = readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8');
  return doc
    .split('\n')
    .filter((line) => /^\|\s*`MCPH_/.test(line))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
      return { code: cells[0]!.replace(/`/g, ''), cells };
    });
}

test('ERROR_CODES and docs/errors.md list exactly the same codes, each once', () => {
  const rows = documentedRows();
  const documented = rows.map((row) => row.code);
  expect(new Set(documented).size, 'a code is documented twice').toBe(documented.length);
  expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
});

test('every documented code says what happened and how to fix it', () => {
  for (const { code, cells } of documentedRows()) {
    expect(code).toMatch(/^MCPH_[A-Z]+(_[A-Z]+)*$/);
    expect(cells, code).toHaveLength(3);
    expect(cells[1], `${code}: what happened`).not.toBe('');
    expect(cells[2], `${code}: how to fix it`).not.toBe('');
  }
});
