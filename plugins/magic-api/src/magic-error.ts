/** Why a call to the Magic-API server failed; check `code`, not the message. */
export const MAGIC_ERROR_CODES = {
  /** The server answered an envelope whose `code` is not 1 (HTTP 200 still): `serverCode` and `serverMessage` say what it refused. */
  MAGIC_REFUSED: 'The server refused the request: its envelope carries a code other than 1.',
  /** The token was refused (`code: 401`) and logging in again did not help, or there are no credentials to log in with. */
  MAGIC_LOGIN_REFUSED: 'The server refused the token or the username and password.',
  /** The answer is not a Magic-API envelope: HTML, another HTTP status, a body that is not JSON, JSON of another shape. */
  MAGIC_NOT_ENVELOPE: 'The answer is not a Magic-API envelope.',
  /** The answer's body is larger than `maxResponseBytes`. */
  MAGIC_TOO_LARGE: 'The answer is larger than maxResponseBytes.',
  /** No answer, or not all of it, within `timeoutSeconds`. */
  MAGIC_TIMEOUT: 'The server did not answer within timeoutSeconds.',
  /** The server could not be reached (connection refused or reset, DNS), or broke off mid-answer. */
  MAGIC_UNREACHABLE: 'The server could not be reached.',
  /** The caller's signal aborted the request, or the host began shutting down. */
  MAGIC_ABORTED: 'The request was cancelled.',
  /** The client is closed (the host is shutting down): nothing is sent any more. */
  MAGIC_CLOSED: 'The client is closed.',
  /** A request the client refuses to send: an endpoint or header it cannot carry. */
  MAGIC_INVALID_REQUEST: 'The request cannot be sent as given.',
} as const;

export type MagicErrorCode = keyof typeof MAGIC_ERROR_CODES;

export interface MagicErrorOptions {
  /** The endpoint, as `POST /magic/web/resource` (never a query string or a header: tokens travel there). */
  endpoint?: string | undefined;
  /** The HTTP status, when an answer came. */
  status?: number | undefined;
  /** `MAGIC_REFUSED`, `MAGIC_LOGIN_REFUSED`: the envelope's `code` and `message`. */
  serverCode?: number | undefined;
  serverMessage?: string | undefined;
  cause?: unknown;
}

/**
 * An error of the Magic-API client. Tools turn these into `isError` results; resources into refusals. The
 * message names the endpoint and what the server said, never the token.
 */
export class MagicError extends Error {
  readonly code: MagicErrorCode;
  readonly endpoint: string | undefined;
  readonly status: number | undefined;
  readonly serverCode: number | undefined;
  readonly serverMessage: string | undefined;

  constructor(code: MagicErrorCode, message: string, options: MagicErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MagicError';
    this.code = code;
    this.endpoint = options.endpoint;
    this.status = options.status;
    this.serverCode = options.serverCode;
    this.serverMessage = options.serverMessage;
  }
}

/** True for a `MagicError` from any copy of this package. */
export function isMagicError(value: unknown): value is MagicError {
  return typeof value === 'object' && value !== null && Object.hasOwn(MAGIC_ERROR_CODES, String((value as { code?: unknown }).code));
}
