import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { ErrorCode, McpError } from '@mcp-host/core';
import { REFUSAL_REASONS, refusal, type RefusalReason } from '../src/resource-error.js';

test('the README lists every refusal reason with its code, and no other', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const documented = [...readme.matchAll(/^\| `([a-z-]+)` \| (-?\d+) \|/gm)].map((match) => [match[1], Number(match[2])]);
  const actual = (Object.keys(REFUSAL_REASONS) as RefusalReason[]).map((reason) => [reason, refusal(reason, 'x', { source: 's' }).code]);
  expect(documented).toEqual(actual);
});

test('a refusal is an McpError whose data names the reason', () => {
  const error = refusal('too-large', 'too big', { source: 'docs', uri: 'file:///x', size: 3 });
  expect(error).toBeInstanceOf(McpError);
  expect(error.code).toBe(ErrorCode.InvalidParams);
  expect(error.data).toEqual({ reason: 'too-large', source: 'docs', uri: 'file:///x', size: 3 });
});
