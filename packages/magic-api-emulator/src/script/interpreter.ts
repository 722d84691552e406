/**
 * Runs a parsed script statement by statement, with Java value semantics, so a debugger can pause between
 * statements exactly where MagicScriptDebugContext#pause is called (before each statement, by its start line).
 *
 * Script errors carry magic-script's messages where its source shows them (the 2021 library source in the
 * bluegitter/magic-script fork, ast/binary/*Operation.java); where the library would throw a plain Java
 * exception whose wrapping the available source does not show (integer division by zero, a class cast), the run
 * stops with ScriptUnsupportedError instead of inventing a message.
 */
import { JavaDouble, JavaInt, JavaList, JavaLong, JavaMap, javaToString, type JavaValue } from '../java/values.js';
import { ScriptUnsupportedError, wholeOf, type Expr, type ParsedScript, type Statement } from './parser.js';
import type { Span } from './span.js';

/** A MagicScriptException: `simpleMessage` is what the console's exception frame carries. */
export class MagicScriptError extends Error {
  constructor(
    readonly simpleMessage: string,
    readonly span: Span,
  ) {
    super(simpleMessage);
    this.name = 'MagicScriptException';
  }
}

/** `exit code, message, data` (ExitValue). */
export class ExitValue {
  constructor(readonly values: JavaValue[]) {}
}

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface RunHooks {
  /** Called before each statement; resolves when the run may go on. `variables` as Variables#getVariables. */
  beforeStatement(statement: Statement, variables: () => [string, JavaValue][]): Promise<void> | void;
  /** A `log.<level>(…)` call with its SLF4J-formatted message. */
  log(level: LogLevel, message: string): void;
}

export interface RunResult {
  /** The returned value, or ExitValue for `exit`. */
  value: JavaValue | ExitValue;
}

const NUMBER_CLASSES = [JavaInt, JavaLong, JavaDouble];

function isNumber(value: JavaValue): value is JavaInt | JavaLong | JavaDouble {
  return NUMBER_CLASSES.some((kind) => value instanceof kind);
}

function toDouble(value: JavaInt | JavaLong | JavaDouble): number {
  return value instanceof JavaLong ? Number(value.value) : value.value;
}

function toBigInt(value: JavaInt | JavaLong): bigint {
  return value instanceof JavaLong ? value.value : BigInt(value.value);
}

/** `new BigDecimal(String)` accepts this; anything else throws NumberFormatException. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function isJavaDecimal(text: string): boolean {
  return DECIMAL.test(text);
}

/** BigDecimal#toBigInteger of a decimal text: truncated toward zero. */
function truncatedBigInt(text: string): bigint {
  const match = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return 0n;
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '') || '0';
  const pointAt = whole.length + exponent;
  if (pointAt <= 0) return 0n;
  if (pointAt > 4000) throw new ScriptUnsupportedError('a number too large to convert', 0);
  const integral = pointAt >= digits.length ? digits + '0'.repeat(pointAt - digits.length) : digits.slice(0, pointAt);
  const result = BigInt(integral || '0');
  return sign === '-' ? -result : result;
}

/**
 * ObjectConvertExtension (the 2021 library source): asInt/asLong/asDouble go through `new BigDecimal(asString(val))`
 * and answer 0 when that throws; asString is `val.toString()`, null for null.
 */
export function convert(name: 'asInt' | 'asLong' | 'asDouble' | 'asString', value: JavaValue): JavaValue {
  if (name === 'asString') return value === null ? null : javaToString(value);
  const text = value === null ? '' : javaToString(value);
  const valid = value !== null && DECIMAL.test(text);
  if (name === 'asDouble') return new JavaDouble(valid ? Number(text) : 0);
  const big = valid ? truncatedBigInt(text) : 0n;
  return name === 'asInt' ? new JavaInt(Number(BigInt.asIntN(32, big))) : new JavaLong(BigInt.asIntN(64, big));
}

/** SLF4J MessageFormatter.arrayFormat: each `{}` takes the next argument; `\{}` is a literal `{}`; `\\{}` a `\` and the argument. */
export function slf4jFormat(pattern: string, args: JavaValue[]): string {
  let out = '';
  let i = 0;
  for (let used = 0; used < args.length; ) {
    const j = pattern.indexOf('{}', i);
    if (j < 0) break;
    if (j >= 1 && pattern[j - 1] === '\\') {
      if (j >= 2 && pattern[j - 2] === '\\') {
        out += pattern.slice(i, j - 1) + javaToString(args[used] ?? null);
        used++;
        i = j + 2;
      } else {
        out += `${pattern.slice(i, j - 1)}{`;
        i = j + 1;
      }
      continue;
    }
    out += pattern.slice(i, j) + javaToString(args[used] ?? null);
    used++;
    i = j + 2;
  }
  return out + pattern.slice(i);
}

class Return {
  constructor(readonly value: JavaValue | ExitValue) {}
}

export class ScriptRun {
  private readonly locals = new Map<string, JavaValue>();

  constructor(
    private readonly script: ParsedScript,
    /** The context's root variables (MagicScriptContext#rootVariables, a LinkedHashMap). */
    private readonly root: Map<string, JavaValue>,
    private readonly hooks: RunHooks,
  ) {}

  /** Variables#getVariables(context): root variables, then the locals that hold a value, in slot order. */
  variables(): [string, JavaValue][] {
    const out = new Map(this.root);
    for (const name of this.script.varNames) {
      const value = this.locals.get(name);
      if (value !== undefined && value !== null) out.set(name, value);
    }
    return [...out];
  }

  async run(): Promise<RunResult> {
    for (const statement of this.script.statements) {
      await this.hooks.beforeStatement(statement, () => this.variables());
      const outcome = this.execute(statement);
      if (outcome instanceof Return) return { value: outcome.value };
    }
    return { value: null };
  }

  private execute(statement: Statement): Return | undefined {
    switch (statement.k) {
      case 'var':
        this.locals.set(statement.name, statement.init ? this.evaluate(statement.init) : null);
        return undefined;
      case 'assign':
        this.locals.set(statement.name, this.evaluate(statement.value));
        return undefined;
      case 'return':
        return new Return(statement.value ? this.evaluate(statement.value) : null);
      case 'exit':
        return new Return(new ExitValue(statement.values.map((value) => this.evaluate(value))));
      case 'expression':
        this.evaluate(statement.expr);
        return undefined;
    }
  }

  private text(expr: Expr): string {
    const span = wholeOf(expr);
    return this.script.source.slice(span.start, span.end);
  }

  private unsupported(reason: string, span: Span): never {
    throw new ScriptUnsupportedError(reason, span.start);
  }

  private evaluate(expr: Expr): JavaValue {
    switch (expr.k) {
      case 'literal':
        return expr.value;
      case 'variable':
        if (expr.local) return this.locals.get(expr.name) ?? null;
        // MagicScriptContext#getEnvironmentValue: a root variable, else a module or class by that name, else null.
        if (this.root.has(expr.name)) return this.root.get(expr.name) ?? null;
        if (expr.name === 'log') this.unsupported('using the `log` module as a value (call log.<level>(…))', expr.span);
        return null;
      case 'negate': {
        const value = this.evaluate(expr.operand);
        if (value instanceof JavaInt) return new JavaInt(-value.value | 0);
        if (value instanceof JavaLong) return new JavaLong(BigInt.asIntN(64, -value.value));
        if (value instanceof JavaDouble) return new JavaDouble(-value.value);
        return this.unsupported('negating a value that is not a number', expr.span);
      }
      case 'binary':
        return this.binary(expr);
      case 'member': {
        const target = this.evaluate(expr.object);
        if (target instanceof JavaMap) return target.entries.get(expr.name) ?? null;
        return this.unsupported(`reading ".${expr.name}" of ${target === null ? 'null' : 'a value that is not a map'}`, expr.span);
      }
      case 'index': {
        const target = this.evaluate(expr.object);
        const index = this.evaluate(expr.index);
        if (target instanceof JavaMap && typeof index === 'string') return target.entries.get(index) ?? null;
        if (target instanceof JavaList && index instanceof JavaInt && index.value >= 0 && index.value < target.items.length) {
          return target.items[index.value] ?? null;
        }
        return this.unsupported('this index access (map[string] and list[int] within bounds are in the subset)', expr.span);
      }
      case 'map':
        return new JavaMap('java.util.LinkedHashMap', expr.entries.map(([key, value]) => [key, this.evaluate(value)] as const));
      case 'list':
        return new JavaList('java.util.ArrayList', expr.items.map((item) => this.evaluate(item)));
      case 'call':
        return this.call(expr);
    }
  }

  private call(expr: Extract<Expr, { k: 'call' }>): JavaValue {
    if (expr.object.k === 'variable' && expr.object.name === 'log' && !expr.object.local && !this.root.has('log')) {
      const args = expr.args.map((arg) => this.evaluate(arg));
      const [pattern, ...rest] = args;
      if (typeof pattern !== 'string') this.unsupported('a log call whose first argument is not a string', expr.span);
      this.hooks.log(expr.name.toUpperCase() as LogLevel, slf4jFormat(pattern, rest));
      return null;
    }
    const target = this.evaluate(expr.object);
    if (expr.args.length > 0) this.unsupported(`${expr.name}() with arguments`, expr.span);
    if (target === null) this.unsupported(`calling ${expr.name}() on null`, expr.span);
    return convert(expr.name as 'asInt' | 'asLong' | 'asDouble' | 'asString', target);
  }

  private binary(expr: Extract<Expr, { k: 'binary' }>): JavaValue {
    const left = this.evaluate(expr.left);
    const right = this.evaluate(expr.right);
    const op = expr.op;
    if (op === '+') {
      // AddOperation: a String on either side concatenates (`left + Objects.toString(right)`).
      if (typeof left === 'string' || typeof right === 'string') return javaToString(left) + javaToString(right);
      if (right === null) throw new MagicScriptError(`${this.text(expr.right)} 值为空，不能执行[+]操作`, wholeOf(expr.right));
      if (left === null) throw new MagicScriptError(`${this.text(expr.left)} 值为空，不能执行[+]操作`, wholeOf(expr.left));
    } else if (op === '/') {
      // DivisionOperation checks only the right operand for null.
      if (right === null) throw new MagicScriptError('[/]操作值不能为空', wholeOf(expr.right));
      if (left === null) this.unsupported('dividing null (magic-script casts it to Number and throws a NullPointerException)', expr.span);
    } else {
      if (left === null) throw new MagicScriptError(`${this.text(expr.left)}[${op}]操作的值不能为空`, wholeOf(expr.left));
      if (right === null) throw new MagicScriptError(`${this.text(expr.right)}[${op}]操作的值不能为空`, wholeOf(expr.right));
    }
    if (!isNumber(left) || !isNumber(right)) {
      if (isNumber(left) || isNumber(right)) {
        this.unsupported(`"${op}" between a number and a value that is not one (magic-script casts both to Number: a ClassCastException)`, expr.span);
      }
      const separator = op === '*' ? '， ' : '，';
      const message =
        op === '+'
          ? `[+]操作的值必须是String或数值类型, 获得的值为： ${javaToString(left)}, ${javaToString(right)}`
          : `[${op}]操作的值必须是数值类型，获得的值为：${javaToString(left)}${separator}${javaToString(right)}`;
      throw new MagicScriptError(message, expr.span);
    }
    if (left instanceof JavaDouble || right instanceof JavaDouble) {
      const a = toDouble(left);
      const b = toDouble(right);
      const result = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
      return new JavaDouble(result);
    }
    if ((op === '/' || op === '%') && toBigInt(right as JavaInt | JavaLong) === 0n) {
      this.unsupported(`integer ${op === '/' ? 'division' : 'remainder'} by zero (a java.lang.ArithmeticException whose magic-script wrapping the emulator does not know)`, expr.span);
    }
    const a = toBigInt(left as JavaInt | JavaLong);
    const b = toBigInt(right as JavaInt | JavaLong);
    // BigInt division and remainder truncate toward zero, as Java's do.
    const result = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
    if (left instanceof JavaLong || right instanceof JavaLong) return new JavaLong(BigInt.asIntN(64, result));
    return new JavaInt(Number(BigInt.asIntN(32, result)));
  }
}
