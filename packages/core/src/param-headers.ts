import type { IncomingHttpHeaders } from 'node:http';

/**
 * MCP 2026-07-28 over HTTP: a tool may mark properties of its `inputSchema` with `x-mcp-header: "Name"`; a client
 * calling it then mirrors each such argument into an `Mcp-Param-Name` header, so a gateway can route on it without
 * reading the body, and the server must refuse a call whose headers and body disagree (400, `-32020`). The rules
 * (2026-07-28 Streamable HTTP, "Custom headers from tool parameters"): only properties reached through a chain of
 * `properties` keys may be marked; only primitive ones; names are RFC 9110 tokens, unique regardless of case; a
 * `null` or absent argument needs no header; a value that is not plain ASCII travels as `=?base64?…?=` (UTF-8).
 */

/** One marked property: where it is in `arguments`, its header's name, its JSON Schema type. */
export interface ParamHeader {
  readonly path: readonly string[];
  readonly name: string;
  readonly type: string;
}

/** A refused call: the JSON-RPC error to answer with (HTTP 400). */
export interface ParamHeaderMismatch {
  readonly code: number;
  readonly message: string;
  readonly data: { mismatch: { header: string; body: string } };
}

/** The JSON-RPC error code of a request whose headers and body disagree (2026-07-28). */
export const HEADER_MISMATCH_CODE = -32020;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MARKABLE_TYPES = new Set(['string', 'integer', 'boolean', 'number']);
/** Keywords whose subschemas are not reached through `properties` alone: a mark under one makes the schema invalid. */
const UNREACHABLE = ['items', 'prefixItems', 'contains', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'propertyNames', 'not', 'if', 'then', 'else'];
const UNREACHABLE_LISTS = ['oneOf', 'anyOf', 'allOf'];
const UNREACHABLE_MAPS = ['patternProperties', 'dependentSchemas', '$defs', 'definitions'];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/**
 * The marked properties of a tool's input schema; `undefined` when a mark breaks a rule (the tool definition is
 * invalid, so nothing is enforced for it — the same stance the SDK takes).
 */
export function paramHeadersOf(inputSchema: unknown): ParamHeader[] | undefined {
  const found: ParamHeader[] = [];
  const names = new Set<string>();
  let isValid = true;
  const visit = (node: unknown, path: string[], isReachable: boolean): void => {
    if (!isValid || typeof node !== 'object' || node === null) return;
    const schema = node as Record<string, unknown>;
    if ('x-mcp-header' in schema) {
      const name = schema['x-mcp-header'];
      const type = typeof schema.type === 'string' ? schema.type : '';
      if (!isReachable || path.length === 0 || typeof name !== 'string' || !TOKEN.test(name) || !MARKABLE_TYPES.has(type) || names.has(name.toLowerCase())) {
        isValid = false;
        return;
      }
      names.add(name.toLowerCase());
      found.push({ path, name, type });
    }
    if (typeof schema.properties === 'object' && schema.properties !== null) {
      for (const [key, child] of Object.entries(schema.properties)) visit(child, [...path, key], isReachable);
    }
    for (const key of UNREACHABLE) visit(schema[key], [...path, key], false);
    for (const key of UNREACHABLE_LISTS) if (Array.isArray(schema[key])) for (const branch of schema[key] as unknown[]) visit(branch, [...path, key], false);
    for (const key of UNREACHABLE_MAPS) {
      const map = schema[key];
      if (typeof map === 'object' && map !== null) for (const branch of Object.values(map)) visit(branch, [...path, key], false);
    }
  };
  visit(inputSchema, [], true);
  return isValid ? found : undefined;
}

/** How an argument travels in a header: strings as they are, booleans and numbers as JSON writes them. */
function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value))) return String(value);
  return undefined;
}

/** A header's value as sent: `=?base64?…?=` decoded (UTF-8), else literal; `undefined` for a broken encoding. */
function decodeHeader(value: string): string | undefined {
  if (!value.startsWith('=?base64?') || !value.endsWith('?=') || value.length < 11) return value;
  const payload = value.slice('=?base64?'.length, -'?='.length);
  if (!BASE64.test(payload)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(payload, 'base64'));
  } catch {
    return undefined;
  }
}

/** Check one `tools/call`'s arguments against its `Mcp-Param-*` headers; the refusal, or `undefined` when they agree. */
export function checkParamHeaders(declared: readonly ParamHeader[], args: unknown, headers: IncomingHttpHeaders): ParamHeaderMismatch | undefined {
  for (const { path, name, type } of declared) {
    let value: unknown = args;
    for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    if (value === undefined || value === null) continue;
    const expected = headerText(value);
    if (expected === undefined) continue;
    const header = `Mcp-Param-${name}`;
    const where = `${path.join('.')}=${JSON.stringify(value)}`;
    const given = headers[header.toLowerCase()];
    const sent = Array.isArray(given) ? given.join(', ') : given;
    if (sent === undefined) return mismatch(header, `the body carries ${where} but the ${header} header is absent`);
    const decoded = decodeHeader(sent);
    if (decoded === undefined) return mismatch(header, `the ${header} header's =?base64?…?= value is not valid Base64 of UTF-8 text`);
    const isNumeric = (type === 'integer' || type === 'number') && typeof value === 'number' && DECIMAL.test(decoded);
    if (isNumeric ? Number(decoded) !== value : decoded !== expected) return mismatch(header, `the ${header} header says ${JSON.stringify(decoded)} but the body carries ${where}`);
  }
  return undefined;
}

function mismatch(header: string, detail: string): ParamHeaderMismatch {
  return { code: HEADER_MISMATCH_CODE, message: `Bad Request: the request headers and body disagree: ${detail}`, data: { mismatch: { header, body: detail } } };
}
