/**
 * JSON text as Jackson 2.11 (Spring Boot 2.4, the version Magic-API 2.2.2 builds against) writes it.
 *
 * - Compact: what Spring MVC's MappingJackson2HttpMessageConverter sends for every editor and user-API answer,
 *   and JsonUtils.toJsonStringWithoutPretty / toJsonStringWithoutLog.
 * - Pretty: JsonUtils.toJsonString (`writerWithDefaultPrettyPrinter()`, magic-api utils/JsonUtils.java:38-45),
 *   which WebSocketSessionManager.buildMessage uses for the JSON part of every console frame
 *   (core/config/WebSocketSessionManager.java:132-146). DefaultPrettyPrinter: objects break lines with a
 *   two-space indent and `"key" : value`; arrays stay on one line as `[ a, b ]`, empty ones `[ ]`, `{ }`.
 *
 * Plain objects are written in insertion order (build them in Jackson's property order: fields of the superclass
 * first, then the class's own, in declaration order). `undefined` properties are skipped (Jackson would write a
 * Java null as `null`: put `null`).
 */
import { JavaDouble, JavaInt, JavaList, JavaLong, JavaMap, javaDoubleToString } from './values.js';

const HEX = '0123456789ABCDEF';

/** Jackson's string escaping: `"`, `\` and control characters; \b \t \n \f \r short, the rest \u00XX upper-case. */
export function jacksonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const ch = text[i] as string;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (code < 0x20) {
      if (code === 0x08) out += '\\b';
      else if (code === 0x09) out += '\\t';
      else if (code === 0x0a) out += '\\n';
      else if (code === 0x0c) out += '\\f';
      else if (code === 0x0d) out += '\\r';
      else out += `\\u00${HEX[code >> 4]}${HEX[code & 15]}`;
    } else out += ch;
  }
  return `${out}"`;
}

function scalar(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'string') return jacksonString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    return javaDoubleToString(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof JavaInt) return String(value.value);
  if (value instanceof JavaLong) return value.value.toString();
  if (value instanceof JavaDouble) {
    // Jackson writes non-finite doubles as quoted strings (QUOTE_NON_NUMERIC_NUMBERS, on by default).
    return Number.isFinite(value.value) ? javaDoubleToString(value.value) : jacksonString(javaDoubleToString(value.value));
  }
  return undefined;
}

function entriesOf(value: object): [string, unknown][] {
  if (value instanceof JavaMap) return value.ordered();
  if (value instanceof Map) return [...(value as Map<string, unknown>)];
  return Object.entries(value).filter(([, item]) => item !== undefined);
}

function itemsOf(value: object): unknown[] | undefined {
  if (value instanceof JavaList) return value.items;
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  return undefined;
}

/** Compact JSON, as Spring MVC writes a @ResponseBody. */
export function toJson(value: unknown): string {
  const simple = scalar(value);
  if (simple !== undefined) return simple;
  if (typeof value !== 'object' || value === null) return 'null';
  const items = itemsOf(value);
  if (items) return `[${items.map(toJson).join(',')}]`;
  return `{${entriesOf(value)
    .map(([key, item]) => `${jacksonString(key)}:${toJson(item)}`)
    .join(',')}}`;
}

/** Pretty JSON, as JsonUtils.toJsonString writes it (DefaultPrettyPrinter, "\n" line ends as on a Linux server). */
export function toPrettyJson(value: unknown): string {
  return pretty(value, 0);
}

function pretty(value: unknown, nesting: number): string {
  const simple = scalar(value);
  if (simple !== undefined) return simple;
  if (typeof value !== 'object' || value === null) return 'null';
  const items = itemsOf(value);
  if (items) {
    // FixedSpaceIndenter is "inline": arrays do not deepen the indentation of objects inside them.
    if (items.length === 0) return '[ ]';
    return `[ ${items.map((item) => pretty(item, nesting)).join(', ')} ]`;
  }
  const entries = entriesOf(value);
  if (entries.length === 0) return '{ }';
  const inner = '  '.repeat(nesting + 1);
  const body = entries.map(([key, item]) => `\n${inner}${jacksonString(key)} : ${pretty(item, nesting + 1)}`).join(',');
  return `{${body}\n${'  '.repeat(nesting)}}`;
}
