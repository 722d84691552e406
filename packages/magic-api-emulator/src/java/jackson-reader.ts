/**
 * JSON read as Jackson's ObjectMapper reads untyped input (`readValue(text, Object.class)`): objects become
 * LinkedHashMap, arrays ArrayList, integral numbers Integer / Long / BigInteger by size, others Double.
 * Strict JSON (no comments, single quotes, NaN, leading zeros or raw control characters in strings), but
 * content after the first value is ignored: FAIL_ON_TRAILING_TOKENS is off by default.
 */
import { JavaDouble, JavaInt, JavaList, JavaLong, JavaMap, type JavaValue } from './values.js';

export class JsonReadError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'JsonReadError';
  }
}

const MAX_DEPTH = 1000;

/** Parse the first JSON value of `text`. Throws JsonReadError (Jackson's JsonProcessingException). */
export function readJson(text: string): JavaValue {
  const reader = new Reader(text);
  reader.skipSpace();
  if (reader.pos >= text.length) throw new JsonReadError('No content to map due to end-of-input', 0);
  return reader.value(0);
}

class Reader {
  pos = 0;

  constructor(private readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') this.pos++;
      else break;
    }
  }

  fail(what: string): never {
    const found = this.pos < this.text.length ? `'${this.text[this.pos]}'` : 'end-of-input';
    throw new JsonReadError(`Unexpected ${found} at offset ${this.pos}: ${what}`, this.pos);
  }

  value(depth: number): JavaValue {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    this.skipSpace();
    const ch = this.text[this.pos];
    if (ch === '{') return this.object(depth);
    if (ch === '[') return this.array(depth);
    if (ch === '"') return this.string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    if (this.text.startsWith('true', this.pos)) return this.word('true', true);
    if (this.text.startsWith('false', this.pos)) return this.word('false', false);
    if (this.text.startsWith('null', this.pos)) return this.word('null', null);
    return this.fail('expected a JSON value');
  }

  private word(word: string, value: JavaValue): JavaValue {
    this.pos += word.length;
    const next = this.text[this.pos];
    if (next !== undefined && /[A-Za-z0-9_$]/.test(next)) this.fail(`unrecognized token after '${word}'`);
    return value;
  }

  private object(depth: number): JavaMap {
    const map = new JavaMap('java.util.LinkedHashMap');
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return map;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail("was expecting double-quote to start field name");
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("was expecting a colon to separate field name and value");
      this.pos++;
      map.entries.set(key, this.value(depth + 1));
      this.skipSpace();
      const ch = this.text[this.pos];
      if (ch === ',') {
        this.pos++;
        continue;
      }
      if (ch === '}') {
        this.pos++;
        return map;
      }
      this.fail("was expecting comma to separate Object entries");
    }
  }

  private array(depth: number): JavaList {
    const items: JavaValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return new JavaList('java.util.ArrayList', items);
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipSpace();
      const ch = this.text[this.pos];
      if (ch === ',') {
        this.pos++;
        continue;
      }
      if (ch === ']') {
        this.pos++;
        return new JavaList('java.util.ArrayList', items);
      }
      this.fail('was expecting comma to separate Array entries');
    }
  }

  private string(): string {
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) this.fail('unexpected end-of-input in a String value');
      const code = this.text.charCodeAt(this.pos);
      const ch = this.text[this.pos] as string;
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (code < 0x20) this.fail('illegal unquoted character: has to be escaped');
      if (ch !== '\\') {
        out += ch;
        this.pos++;
        continue;
      }
      const escape = this.text[this.pos + 1];
      this.pos += 2;
      if (escape === 'u') {
        const hex = this.text.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('expected a hex-digit for character escape sequence');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 4;
      } else {
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        const decoded = escape === undefined ? undefined : simple[escape];
        if (decoded === undefined) {
          this.pos -= 1;
          this.fail('unrecognized character escape');
        }
        out += decoded;
      }
    }
  }

  private number(): JavaValue {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match || match[0] === '-') this.fail('invalid numeric value');
    const text = match[0];
    this.pos += text.length;
    const next = this.text[this.pos];
    if (next !== undefined && /[0-9A-Za-z_.]/.test(next)) this.fail('invalid numeric value');
    if (match[2] === undefined && match[3] === undefined) {
      const big = BigInt(text);
      if (big >= -2147483648n && big <= 2147483647n) return new JavaInt(Number(big));
      if (big >= -(2n ** 63n) && big < 2n ** 63n) return new JavaLong(big);
      return new JavaLong(big, 'java.math.BigInteger');
    }
    return new JavaDouble(Number(text));
  }
}
