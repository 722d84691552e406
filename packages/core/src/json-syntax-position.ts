// Where a JSON text first breaks the grammar, as a line and column. Node 20's JSON.parse (and cosmiconfig's
// wrapper around it) name the offending token but not always where it is; a config author needs the place.
// Iterative, so a deeply nested text cannot overflow the stack, and linear in the text.

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WHITESPACE = /[ \t\n\r]*/y;

type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'after';

/** The offset of the first character that breaks the JSON grammar (the text's length if it ends too soon); undefined when it is valid JSON. */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  const stack: string[] = [];
  let expect: Expect = 'value';
  let at = 0;
  const match = (pattern: RegExp): number | undefined => {
    pattern.lastIndex = at;
    return pattern.exec(text) ? pattern.lastIndex : undefined;
  };
  for (;;) {
    at = match(WHITESPACE)!;
    if (at >= text.length) return expect === 'after' && stack.length === 0 ? undefined : at;
    const char = text[at]!;
    if (expect === 'value' || expect === 'value-or-close') {
      if (char === ']' && expect === 'value-or-close') {
        stack.pop();
        expect = 'after';
        at += 1;
      } else if (char === '{' || char === '[') {
        stack.push(char);
        expect = char === '{' ? 'key-or-close' : 'value-or-close';
        at += 1;
      } else if (char === '"') {
        const end = match(STRING);
        if (end === undefined) return badStringOffset(text, at);
        at = end;
        expect = 'after';
      } else {
        const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, at));
        const end = literal ? at + literal.length : match(NUMBER);
        if (end === undefined) return at;
        at = end;
        expect = 'after';
      }
    } else if (expect === 'key' || expect === 'key-or-close') {
      if (char === '}' && expect === 'key-or-close') {
        stack.pop();
        expect = 'after';
        at += 1;
      } else if (char === '"') {
        const end = match(STRING);
        if (end === undefined) return badStringOffset(text, at);
        at = end;
        expect = 'colon';
      } else return at;
    } else if (expect === 'colon') {
      if (char !== ':') return at;
      expect = 'value';
      at += 1;
    } else {
      const top = stack.at(-1);
      if (top === undefined) return at;
      if (char === ',') expect = top === '{' ? 'key' : 'value';
      else if (char === (top === '{' ? '}' : ']')) stack.pop();
      else return at;
      at += 1;
    }
  }
}

/** Inside a string that does not match: the first character that makes it wrong, or the end of the text. */
function badStringOffset(text: string, start: number): number {
  for (let at = start + 1; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (code < 0x20) return at;
    if (code === 0x5c) {
      const next = text[at + 1];
      if (next === 'u' ? !/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6)) : !next || !'"\\/bfnrt'.includes(next)) return at;
      at += 1;
    }
  }
  return text.length;
}

/** The 1-based line and column of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line += 1;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
