/**
 * A parser for the Magic-Script subset the emulator runs (see README "The script subset"). Anything outside it is
 * refused with ScriptUnsupportedError — an emulator error, never a guess at what Magic-Script would do.
 *
 * Token and span rules follow magic-script's Tokenizer/Parser (2021 source, bluegitter/magic-script fork): number
 * literals are Integer unless they carry a `.` (Double) or a suffix (`L` Long, `d` Double); a string token's span
 * excludes its quotes; a statement's span runs from its first token to the end of its last one; a binary
 * operation's span is its operator.
 */
import { JavaDouble, JavaInt, JavaLong, type JavaValue } from '../java/values.js';
import type { Span } from './span.js';

export class ScriptUnsupportedError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
    this.name = 'ScriptUnsupportedError';
  }
}

export type Expr =
  | { k: 'literal'; value: JavaValue; span: Span }
  /** `local`: a `var` of that name was declared earlier in the script, so the name means that slot, not the environment. */
  | { k: 'variable'; name: string; local: boolean; span: Span }
  | { k: 'binary'; op: '+' | '-' | '*' | '/' | '%'; left: Expr; right: Expr; span: Span; whole: Span }
  | { k: 'negate'; operand: Expr; span: Span; whole: Span }
  | { k: 'member'; object: Expr; name: string; span: Span; whole: Span }
  | { k: 'index'; object: Expr; index: Expr; span: Span; whole: Span }
  | { k: 'call'; object: Expr; name: string; args: Expr[]; span: Span; whole: Span }
  | { k: 'map'; entries: [string, Expr][]; span: Span; whole: Span }
  | { k: 'list'; items: Expr[]; span: Span; whole: Span };

export type Statement =
  | { k: 'var'; name: string; init: Expr | null; span: Span }
  | { k: 'assign'; name: string; value: Expr; span: Span }
  | { k: 'return'; value: Expr | null; span: Span }
  | { k: 'exit'; values: Expr[]; span: Span }
  | { k: 'expression'; expr: Expr; span: Span };

export interface ParsedScript {
  source: string;
  statements: Statement[];
  /** Local variable names in declaration order (the compiled script's variable slots). */
  varNames: string[];
}

type TokenKind = 'identifier' | 'number' | 'string' | 'punct' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  span: Span;
  value?: JavaValue;
}

/** magic-script's keywords (Parser.java `keywords`): none may name a variable. */
const KEYWORDS = new Set([
  'import', 'as', 'var', 'let', 'const', 'return', 'break', 'continue', 'if', 'for', 'in', 'new', 'true', 'false', 'null', 'else',
  'try', 'catch', 'finally', 'async', 'while', 'exit', 'and', 'or', 'throw', 'assert',
]);

const PUNCTUATION = [
  '...', '?.', '===', '!==', '==', '!=', '<=', '>=', '&&', '||', '++', '--', '+=', '-=', '*=', '/=', '%=', '=>', '->', '::',
  '.', ',', '(', ')', '[', ']', '{', '}', ':', ';', '+', '-', '*', '/', '%', '=', '<', '>', '!', '?', '&', '|', '^', '~', '@', '#',
];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < source.length) {
    const ch = source[pos] as string;
    if (/\s/.test(ch)) {
      pos++;
      continue;
    }
    if (source.startsWith('//', pos)) {
      while (pos < source.length && source[pos] !== '\n') pos++;
      continue;
    }
    if (source.startsWith('/*', pos)) {
      const close = source.indexOf('*/', pos + 2);
      if (close < 0) throw new ScriptUnsupportedError('an unterminated /* comment', pos);
      pos = close + 2;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const start = pos;
      while (pos < source.length && /[0-9]/.test(source[pos] as string)) pos++;
      let isDecimal = false;
      if (source[pos] === '.' && /[0-9]/.test(source[pos + 1] ?? '')) {
        isDecimal = true;
        pos++;
        while (pos < source.length && /[0-9]/.test(source[pos] as string)) pos++;
      }
      const digits = source.slice(start, pos);
      const suffix = source[pos] ?? '';
      let value: JavaValue;
      if (/[lL]/.test(suffix) && !isDecimal) {
        pos++;
        value = new JavaLong(BigInt(digits));
      } else if (/[dD]/.test(suffix)) {
        pos++;
        value = new JavaDouble(Number(digits));
      } else if (/[bBsSfFmM]/.test(suffix)) {
        throw new ScriptUnsupportedError(`the number literal suffix "${suffix}" (byte, short, float and BigDecimal literals are outside the subset)`, start);
      } else if (isDecimal) {
        value = new JavaDouble(Number(digits));
      } else {
        const big = BigInt(digits);
        if (big > 2147483647n) throw new ScriptUnsupportedError(`the integer literal ${digits} (too large for an int; write ${digits}L)`, start);
        value = new JavaInt(Number(big));
      }
      if (/[A-Za-z_$0-9]/.test(source[pos] ?? '')) throw new ScriptUnsupportedError(`the number literal ${source.slice(start, pos + 1)}`, start);
      tokens.push({ kind: 'number', text: source.slice(start, pos), span: { start, end: pos }, value });
      continue;
    }
    if (ch === '"' || ch === "'") {
      if (source.startsWith('"""', pos)) throw new ScriptUnsupportedError('triple-quoted strings', pos);
      const contentStart = pos + 1;
      let end = contentStart;
      let text = '';
      for (;;) {
        if (end >= source.length) throw new ScriptUnsupportedError('an unterminated string literal', pos);
        const c = source[end] as string;
        if (c === '\n' || c === '\r') throw new ScriptUnsupportedError('a line break inside a string literal', end);
        if (c === ch) break;
        if (c === '\\') {
          const next = source[end + 1] ?? '';
          // StringLiteral.java: \\ \n \r \t \" \' are unescaped, any other backslash stays as it is.
          const simple: Record<string, string> = { '\\': '\\', n: '\n', r: '\r', t: '\t', '"': '"', "'": "'" };
          if (next in simple) {
            text += simple[next];
            end += 2;
            continue;
          }
          text += '\\';
          end += 1;
          continue;
        }
        text += c;
        end++;
      }
      tokens.push({ kind: 'string', text, span: { start: contentStart, end }, value: text });
      pos = end + 1;
      continue;
    }
    if (ch === '`') throw new ScriptUnsupportedError('template strings', pos);
    if (/[\p{L}_$]/u.test(ch)) {
      const start = pos;
      while (pos < source.length && /[\p{L}\p{N}_$]/u.test(source[pos] as string)) pos++;
      tokens.push({ kind: 'identifier', text: source.slice(start, pos), span: { start, end: pos } });
      continue;
    }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, pos));
    if (!punct) throw new ScriptUnsupportedError(`the character ${JSON.stringify(ch)}`, pos);
    tokens.push({ kind: 'punct', text: punct, span: { start: pos, end: pos + punct.length } });
    pos += punct.length;
  }
  tokens.push({ kind: 'eof', text: '', span: { start: source.length, end: source.length } });
  return tokens;
}

const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error']);

class Parser {
  private index = 0;
  readonly varNames: string[] = [];

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }

  private prev(): Token {
    return this.tokens[this.index - 1] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  private isPunct(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'punct' && token.text === text;
  }

  private isWord(text: string): boolean {
    const token = this.peek();
    return token.kind === 'identifier' && token.text === text;
  }

  private expectPunct(text: string): Token {
    if (!this.isPunct(text)) this.unsupported(`expected "${text}"`);
    return this.next();
  }

  private unsupported(what: string, token = this.peek()): never {
    const found = token.kind === 'eof' ? 'the end of the script' : `"${token.text}"`;
    throw new ScriptUnsupportedError(`${what} (found ${found})`, token.span.start);
  }

  private declare(name: string): void {
    if (!this.varNames.includes(name)) this.varNames.push(name);
  }

  statements(): Statement[] {
    const out: Statement[] = [];
    while (this.peek().kind !== 'eof') {
      if (this.isPunct(';')) {
        this.next();
        continue;
      }
      out.push(this.statement());
      if (this.isPunct(';')) this.next();
    }
    return out;
  }

  private spanFrom(first: Token): Span {
    return { start: first.span.start, end: this.prev().span.end };
  }

  private statement(): Statement {
    const first = this.peek();
    if (first.kind === 'identifier' && (first.text === 'var' || first.text === 'let' || first.text === 'const')) {
      if (first.text !== 'var') this.unsupported('only "var" declarations');
      this.next();
      const name = this.next();
      if (name.kind !== 'identifier') this.unsupported('a variable name', name);
      if (KEYWORDS.has(name.text)) this.unsupported('a keyword as a variable name', name);
      // What magic-script does with a second `var` of one name is not in the source at hand: refuse it.
      if (this.varNames.includes(name.text)) this.unsupported(`declaring "${name.text}" a second time`, name);
      this.declare(name.text);
      if (!this.isPunct('=')) return { k: 'var', name: name.text, init: null, span: this.spanFrom(first) };
      this.next();
      const init = this.expression();
      return { k: 'var', name: name.text, init, span: this.spanFrom(first) };
    }
    if (first.kind === 'identifier' && first.text === 'return') {
      this.next();
      const endsHere = this.peek().kind === 'eof' || this.isPunct(';') || this.isPunct('}');
      const value = endsHere ? null : this.expression();
      return { k: 'return', value, span: this.spanFrom(first) };
    }
    if (first.kind === 'identifier' && first.text === 'exit') {
      this.next();
      const values = [this.expression()];
      while (this.isPunct(',')) {
        this.next();
        values.push(this.expression());
      }
      return { k: 'exit', values, span: this.spanFrom(first) };
    }
    if (first.kind === 'identifier' && KEYWORDS.has(first.text) && !['true', 'false', 'null'].includes(first.text)) {
      this.unsupported(`the "${first.text}" statement is outside the emulator's Magic-Script subset`);
    }
    if (first.kind === 'identifier' && this.isPunct('=', 1)) {
      // Assigning a name no `var` declared (a root variable, or nothing) is outside the subset.
      if (!this.varNames.includes(first.text)) this.unsupported(`assigning "${first.text}" without declaring it with var first`, first);
      this.next();
      this.next();
      const value = this.expression();
      return { k: 'assign', name: first.text, value, span: this.spanFrom(first) };
    }
    const expr = this.expression();
    if (expr.k !== 'call') this.unsupported('a statement that is a method call (a bare value or operation does nothing in this subset)');
    return { k: 'expression', expr, span: this.spanFrom(first) };
  }

  expression(): Expr {
    const expr = this.additive();
    const token = this.peek();
    if (token.kind === 'punct' && !['.', ',', ')', ']', '}', ':', ';'].includes(token.text)) {
      this.unsupported(`the operator "${token.text}" is outside the emulator's Magic-Script subset`);
    }
    return expr;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.isPunct('+') || this.isPunct('-')) {
      const op = this.next();
      const right = this.multiplicative();
      left = { k: 'binary', op: op.text as '+' | '-', left, right, span: op.span, whole: { start: wholeOf(left).start, end: wholeOf(right).end } };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while (this.isPunct('*') || this.isPunct('/') || this.isPunct('%')) {
      const op = this.next();
      const right = this.unary();
      left = { k: 'binary', op: op.text as '*' | '/' | '%', left, right, span: op.span, whole: { start: wholeOf(left).start, end: wholeOf(right).end } };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isPunct('-')) {
      const op = this.next();
      const operand = this.unary();
      return { k: 'negate', operand, span: op.span, whole: { start: op.span.start, end: wholeOf(operand).end } };
    }
    if (this.isPunct('!') || this.isPunct('++') || this.isPunct('--') || this.isPunct('+')) this.unsupported('unary operators other than "-"');
    return this.postfix(this.primary());
  }

  private postfix(start: Expr): Expr {
    let expr = start;
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        const name = this.next();
        if (name.kind !== 'identifier') this.unsupported('a member name after "."', name);
        if (this.isPunct('(')) {
          this.next();
          const args: Expr[] = [];
          while (!this.isPunct(')')) {
            args.push(this.expression());
            if (!this.isPunct(',')) break;
            this.next();
          }
          const close = this.expectPunct(')');
          expr = { k: 'call', object: expr, name: name.text, args, span: name.span, whole: { start: wholeOf(expr).start, end: close.span.end } };
        } else {
          expr = { k: 'member', object: expr, name: name.text, span: name.span, whole: { start: wholeOf(expr).start, end: name.span.end } };
        }
        continue;
      }
      if (this.isPunct('[')) {
        this.next();
        const index = this.expression();
        const close = this.expectPunct(']');
        expr = { k: 'index', object: expr, index, span: close.span, whole: { start: wholeOf(expr).start, end: close.span.end } };
        continue;
      }
      if (this.isPunct('?.')) this.unsupported('optional chaining "?."');
      if (this.isPunct('(')) this.unsupported('calling a function by name (only methods of `log` and the conversions asInt/asString/asDouble/asLong are in the subset)');
      return expr;
    }
  }

  private primary(): Expr {
    const token = this.next();
    if (token.kind === 'number' || token.kind === 'string') return { k: 'literal', value: token.value ?? null, span: token.span };
    if (token.kind === 'identifier') {
      if (token.text === 'true') return { k: 'literal', value: true, span: token.span };
      if (token.text === 'false') return { k: 'literal', value: false, span: token.span };
      if (token.text === 'null') return { k: 'literal', value: null, span: token.span };
      if (KEYWORDS.has(token.text)) this.unsupported(`"${token.text}" in an expression`, token);
      return { k: 'variable', name: token.text, local: this.varNames.includes(token.text), span: token.span };
    }
    if (token.kind === 'punct' && token.text === '(') {
      const inner = this.expression();
      this.expectPunct(')');
      return inner;
    }
    if (token.kind === 'punct' && token.text === '{') {
      const entries: [string, Expr][] = [];
      while (!this.isPunct('}')) {
        const key = this.next();
        if (key.kind !== 'identifier' && key.kind !== 'string') this.unsupported('a map key (an identifier or a string)', key);
        this.expectPunct(':');
        entries.push([key.text, this.expression()]);
        if (!this.isPunct(',')) break;
        this.next();
      }
      const close = this.expectPunct('}');
      return { k: 'map', entries, span: token.span, whole: { start: token.span.start, end: close.span.end } };
    }
    if (token.kind === 'punct' && token.text === '[') {
      const items: Expr[] = [];
      while (!this.isPunct(']')) {
        items.push(this.expression());
        if (!this.isPunct(',')) break;
        this.next();
      }
      const close = this.expectPunct(']');
      return { k: 'list', items, span: token.span, whole: { start: token.span.start, end: close.span.end } };
    }
    return this.unsupported('a value (a literal, a variable, a map, a list or a parenthesised expression)', token);
  }
}

/** The source range an expression covers (statement spans end where their last expression ends). */
export function wholeOf(expr: Expr): Span {
  return 'whole' in expr ? expr.whole : expr.span;
}

export function parseScript(source: string): ParsedScript {
  const parser = new Parser(tokenize(source));
  const statements = parser.statements();
  for (const statement of statements) checkCalls(statement);
  return { source, statements, varNames: parser.varNames };
}

/** Calls the subset can run: log.<level>(…) and the conversion extensions. */
function checkCalls(statement: Statement): void {
  const visit = (expr: Expr | null): void => {
    if (!expr) return;
    switch (expr.k) {
      case 'call':
        if (expr.object.k === 'variable' && expr.object.name === 'log') {
          if (!LOG_LEVELS.has(expr.name)) throw new ScriptUnsupportedError(`log.${expr.name}() (the subset knows log.trace/debug/info/warn/error)`, expr.span.start);
        } else if (!['asInt', 'asLong', 'asDouble', 'asString'].includes(expr.name)) {
          throw new ScriptUnsupportedError(`the method ${expr.name}() (the subset knows log.<level>() and asInt/asLong/asDouble/asString)`, expr.span.start);
        }
        visit(expr.object);
        expr.args.forEach(visit);
        return;
      case 'binary':
        visit(expr.left);
        visit(expr.right);
        return;
      case 'negate':
        visit(expr.operand);
        return;
      case 'member':
        visit(expr.object);
        return;
      case 'index':
        visit(expr.object);
        visit(expr.index);
        return;
      case 'map':
        expr.entries.forEach(([, value]) => visit(value));
        return;
      case 'list':
        expr.items.forEach(visit);
        return;
      default:
        return;
    }
  };
  switch (statement.k) {
    case 'var':
      visit(statement.init);
      return;
    case 'assign':
      visit(statement.value);
      return;
    case 'return':
      visit(statement.value);
      return;
    case 'exit':
      statement.values.forEach(visit);
      return;
    case 'expression':
      visit(statement.expr);
      return;
  }
}
