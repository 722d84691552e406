/**
 * Answers that come from Spring Boot 2.4 / Tomcat 9 rather than Magic-API code: the error page for unmapped paths
 * and wrong methods, MagicCorsFilter's headers on every response, JsonBean envelopes, argument conversion errors.
 */
import type { ServerResponse } from 'node:http';
import { toJson } from '../java/jackson-writer.js';
import { header, type ServletRequest } from './servlet-request.js';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  501: 'Not Implemented',
};

/**
 * MagicCorsFilter#process (core/config/MagicCorsFilter.java:10-22), registered for `/*` at the highest precedence
 * (MagicJavaEEServletConfiguration#magicCorsFilterRegistrationBean, support-cross-domain defaults to true):
 * every response echoes the Origin (or `*`), allows credentials, echoes requested headers, and allows the requested
 * method or GET,POST,OPTIONS,PUT,DELETE.
 */
export function corsHeaders(request: ServletRequest): [string, string][] {
  const origin = header(request, 'Origin');
  const out: [string, string][] = [
    ['Access-Control-Allow-Origin', origin === null || origin.trim() === '' ? '*' : origin],
    ['Access-Control-Allow-Credentials', 'true'],
  ];
  const requestedHeaders = header(request, 'Access-Control-Request-Headers');
  if (requestedHeaders !== null && requestedHeaders.trim() !== '') out.push(['Access-Control-Allow-Headers', requestedHeaders]);
  const requestedMethod = header(request, 'Access-Control-Request-Method');
  out.push(['Access-Control-Allow-Methods', requestedMethod === null || requestedMethod.trim() === '' ? 'GET,POST,OPTIONS,PUT,DELETE' : requestedMethod]);
  return out;
}

export function applyHeaders(response: ServerResponse, headers: [string, string][]): void {
  for (const [name, value] of headers) response.setHeader(name, value);
}

/**
 * Write a body the way Spring MVC does through Tomcat: without a Content-Length (chunked), so clients see
 * `Transfer-Encoding: chunked` as from the real server. HEAD answers carry the headers only.
 */
export function writeBody(request: ServletRequest, response: ServerResponse, status: number, contentType: string, body: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', contentType);
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  response.write(body);
  response.end();
}

/** Jackson's StdDateFormat, as Spring Boot configures it (ISO-8601, UTC, `+00:00`). */
function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/**
 * BasicErrorController: JSON `{timestamp, status, error, message, path}` (DefaultErrorAttributes; Boot 2.4 blanks
 * the message unless server.error.include-message is set), or the Whitelabel page for a browser (Accept text/html).
 */
export function sendSpringError(request: ServletRequest, response: ServerResponse, status: number, extraHeaders: [string, string][] = []): void {
  applyHeaders(response, extraHeaders);
  const error = REASONS[status] ?? 'Error';
  const accept = header(request, 'Accept') ?? '';
  if (/text\/html/i.test(accept)) {
    const html =
      '<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for /error, so you are seeing this as a fallback.</p>' +
      `<div id='created'>${new Date().toString()}</div><div>There was an unexpected error (type=${error}, status=${status}).</div><div></div></body></html>`;
    writeBody(request, response, status, 'text/html;charset=UTF-8', html);
    return;
  }
  writeBody(request, response, status, 'application/json', toJson({ timestamp: isoTimestamp(Date.now()), status, error, message: '', path: request.rawPath }));
}

/** JsonBean (core/model/JsonBean.java): code, message, data, timestamp, executeTime — nulls included. */
export function jsonBean(code: number, message: string | null, data: unknown = null, executeTime: number | null = null): Record<string, unknown> {
  return { code, message, data, timestamp: Date.now(), executeTime };
}

/** An answer no Magic-API server gives: the emulator met something it does not emulate. Loud on purpose. */
export function sendEmulatorRefusal(request: ServletRequest, response: ServerResponse, status: 500 | 501, reason: string): void {
  response.setHeader('X-Magic-Api-Emulator', 'unsupported');
  writeBody(request, response, status, 'text/plain;charset=UTF-8', `magic-api-emulator: ${reason}\n`);
}

/** Spring's MethodArgumentTypeMismatchException text for a request parameter bound to `Long`. */
export class ArgumentConversionError extends Error {
  constructor(value: string) {
    super(
      `Failed to convert value of type 'java.lang.String' to required type 'java.lang.Long'; nested exception is java.lang.NumberFormatException: For input string: "${value}"`,
    );
    this.name = 'MethodArgumentTypeMismatchException';
  }
}

/**
 * A `Long` request parameter as Spring converts it (StringToNumberConverterFactory → NumberUtils.parseNumber):
 * empty is null, whitespace is trimmed away, `0x`/`#` hex is accepted, otherwise Long.valueOf.
 */
export function longParameter(value: string | null): number | null {
  if (value === null || value === '') return null;
  const trimmed = value.replace(/\s+/g, '');
  if (trimmed === '') return null;
  const hex = /^([+-]?)(?:0[xX]|#)([0-9a-fA-F]+)$/.exec(trimmed);
  const big = hex ? BigInt(`0x${hex[2] as string}`) * (hex[1] === '-' ? -1n : 1n) : /^[+-]?\d+$/.test(trimmed) ? BigInt(trimmed) : undefined;
  if (big === undefined || big > 9223372036854775807n || big < -9223372036854775808n) throw new ArgumentConversionError(trimmed);
  return Number(big);
}
