// Magic-API's answers, as its Java writes them. Paths are under magic-api/src/main/java/org/ssssssss/magicapi/ in
// ssssssss-team/magic-api at v2.2.2.
import { MagicError } from './magic-error.js';
import type { PoolResponse } from './http-pool.js';

/**
 * Every editor answer: `JsonBean` (`core/model/JsonBean.java`) — `code` 1 and `message` "success" unless something
 * failed, **always with HTTP 200**: a refusal (`-1`, `0`, `1001…`, `401` for a bad token) is told by `code` alone
 * (`core/web/MagicExceptionHandler.java`, `core/web/MagicController.java` `invalidLogin`).
 */
export interface Envelope<T = unknown> {
  code: number;
  message: string | null;
  data: T;
  timestamp?: number;
  executeTime?: number | null;
}

/** The envelope code of success (`JsonCodeConstants.SUCCESS`). */
export const SUCCESS_CODE = 1;
/** The envelope code of a refused token or login (`MagicController#invalidLogin`). */
export const LOGIN_REFUSED_CODE = 401;

/** Characters of a body quoted in an error about it. */
const QUOTED_CHARS = 160;

/** A short, printable quote of a body for an error message. */
export function quoteBody(body: Buffer): string {
  if (body.length === 0) return '(empty body)';
  const text = body.subarray(0, QUOTED_CHARS * 4).toString('utf8');
  // Quoted into a one-line message: control characters (line breaks included) become spaces.
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  const cut = flat.length > QUOTED_CHARS || body.length > QUOTED_CHARS * 4;
  return JSON.stringify(cut ? `${flat.slice(0, QUOTED_CHARS)}…` : flat);
}

function header(response: PoolResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why an answer that is not an envelope came, as a person can act on it. Where no handler answers, Spring Boot
 * writes its own error JSON with the real status (`{timestamp, status, error, message, path}`): a 404 there means
 * the endpoint does not exist at that path — most often a wrong web path.
 */
function notEnvelope(endpoint: string, response: PoolResponse, what: string): MagicError {
  const status = response.status;
  const type = header(response, 'content-type') ?? 'no content type';
  let hint = '';
  if (status === 404) hint = ': no such endpoint there — check the base URL and the web path (magic-api.web on the server; MAGIC_API_BASE_URL)';
  else if (status === 401 || status === 403) hint = ': refused before Magic-API answered (a proxy or another filter in front of it?)';
  else if (status >= 300 && status < 400) hint = `: redirected to ${header(response, 'location') ?? '(no location)'} — check the base URL and the web path`;
  else if (/text\/html/i.test(type)) hint = ': an HTML page, not the editor API — check the base URL and the web path';
  return new MagicError('MAGIC_NOT_ENVELOPE', `${endpoint}: ${what} (HTTP ${status}, ${type}${hint}): ${quoteBody(response.body)}`, { endpoint, status });
}

/** Parse an answer as an envelope, or throw `MAGIC_NOT_ENVELOPE` saying what it is instead. */
export function readEnvelope(endpoint: string, response: PoolResponse): Envelope {
  if (response.status < 200 || response.status >= 300) return throwing(notEnvelope(endpoint, response, 'not a Magic-API answer'));
  let value: unknown;
  try {
    value = JSON.parse(response.body.toString('utf8'));
  } catch {
    return throwing(notEnvelope(endpoint, response, 'the answer is not JSON'));
  }
  if (!isRecord(value) || typeof value.code !== 'number' || !Number.isInteger(value.code) || !('message' in value)) {
    return throwing(notEnvelope(endpoint, response, 'the answer is JSON but not a Magic-API envelope ({code, message, data})'));
  }
  const message = typeof value.message === 'string' ? value.message : null;
  return { ...value, code: value.code, message, data: value.data } as Envelope;
}

/** The error for an envelope whose code is not 1: the code, the server's message and the endpoint. */
export function refusedError(endpoint: string, envelope: Envelope, status: number): MagicError {
  const said = envelope.message === null ? 'no message' : JSON.stringify(envelope.message);
  const code = envelope.code === LOGIN_REFUSED_CODE ? 'MAGIC_LOGIN_REFUSED' : 'MAGIC_REFUSED';
  return new MagicError(code, `${endpoint}: the server refused it with code ${envelope.code}: ${said}`, {
    endpoint,
    status,
    serverCode: envelope.code,
    serverMessage: envelope.message ?? undefined,
  });
}

function throwing(error: Error): never {
  throw error;
}
