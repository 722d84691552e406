import { expect, test } from 'vitest';
import { jsonSyntaxErrorOffset, lineAndColumn } from './json-syntax-position.js';

// Compared with JSON.parse itself: the locator must agree on what is valid, and point inside the text.
test('agrees with JSON.parse on what is valid JSON', () => {
  const samples = ['{}', '[]', '0', '-1.5e+3', '"a\\u00e9\\n"', '{"a":[1,{"b":null}],"c":true}', ' [ 1 , 2 ] ', '{,}', '[1,]', '{"a" 1}', '{"a":1,}', '01', '"\t"', '"\\x"', '[', '', 'nul', '{"a":1}x', '1 2', '[1 2]', '{"a"}', '"abc', '[}', '{]', '- 1', '1.', '.5', '"\\u12"'];
  for (const text of samples) {
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
    const offset = jsonSyntaxErrorOffset(text);
    expect({ text, valid: offset === undefined }).toEqual({ text, valid });
    if (offset !== undefined) expect(offset).toBeLessThanOrEqual(text.length);
  }
});

test('points at the offending character, as a line and column', () => {
  const text = '{\n  "plugins": [\n    "./a.mjs",\n  ]\n}\n';
  expect(lineAndColumn(text, jsonSyntaxErrorOffset(text)!)).toEqual({ line: 4, column: 3 });
  expect(jsonSyntaxErrorOffset(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBeUndefined();
});
