import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ERROR_CODES } from '@mcp-host/core/host';
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

/** Every source file of core and the CLI, without tests. */
function sources(): { file: string; text: string }[] {
  return ['packages/core/src', 'packages/cli/src'].flatMap((dir) =>
    readdirSync(path.join(ROOT, dir))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .map((name) => ({ file: `${dir}/${name}`, text: readFileSync(path.join(ROOT, dir, name), 'utf8') })),
  );
}

test('the catalogue holds exactly the codes that are raised: each is used outside the catalogue itself', () => {
  // Where the catalogue is declared and where codes are mapped to exit codes is not where they are raised.
  const elsewhere = sources().filter(({ file }) => !file.endsWith('/errors.ts') && !file.endsWith('/exit-codes.ts'));
  const unused = Object.keys(ERROR_CODES).filter((code) => !elsewhere.some(({ text }) => text.includes(`'${code}'`)));
  expect(unused, 'catalogued but never raised').toEqual([]);
  const raised = new Set(elsewhere.flatMap(({ text }) => [...text.matchAll(/'(MCPH_[A-Z_]+)'/g)].map((match) => match[1]!)));
  expect([...raised].filter((code) => !(code in ERROR_CODES)), 'raised but not catalogued').toEqual([]);
});
