import type { BufferedMessage } from './message-buffer.js';

/** Why a connection could not do what was asked; check `code`, not the message. */
export type ConnectionErrorCode =
  /** No connection has that name. */
  | 'WSM_UNKNOWN_CONNECTION'
  /** The connection did not open within the wait bound. */
  | 'WSM_NOT_OPEN'
  /** The connection is closed for good: the host is shutting down, or it gave up reconnecting. */
  | 'WSM_CLOSED'
  /** The socket failed while the data was being written. */
  | 'WSM_SEND_FAILED'
  /** The server refused the connection's credentials (magic-api: `login_response,0`); it waits for a new token. */
  | 'WSM_LOGIN_REFUSED'
  /** `add()` was given options the schema refuses, a name in use, or a bound the shutdown tap cannot give. */
  | 'WSM_INVALID_OPTIONS'
  /** `waitFor` reached its `timeoutMs` before enough messages matched. */
  | 'WSM_TIMEOUT'
  /** The caller's `signal` aborted the wait. */
  | 'WSM_ABORTED';

/**
 * An error of the websocket-manager service. Tools turn these into `isError` results; they are user-facing
 * conditions (a name typed wrong, a backend down), not bugs.
 */
export class ConnectionError extends Error {
  readonly code: ConnectionErrorCode;
  readonly connection: string | undefined;
  /** For a `waitFor` that did not complete (`WSM_TIMEOUT`, `WSM_ABORTED`, `WSM_CLOSED`): the messages that matched so far. */
  readonly messages: readonly BufferedMessage[] | undefined;

  constructor(code: ConnectionErrorCode, message: string, options: { connection?: string; cause?: unknown; messages?: readonly BufferedMessage[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectionError';
    this.code = code;
    this.connection = options.connection;
    this.messages = options.messages;
  }
}

const CODES = new Set<string>([
  'WSM_UNKNOWN_CONNECTION',
  'WSM_NOT_OPEN',
  'WSM_CLOSED',
  'WSM_SEND_FAILED',
  'WSM_LOGIN_REFUSED',
  'WSM_INVALID_OPTIONS',
  'WSM_TIMEOUT',
  'WSM_ABORTED',
] satisfies ConnectionErrorCode[]);

/** True for a `ConnectionError` from any copy of this package. */
export function isConnectionError(value: unknown): value is ConnectionError {
  return typeof value === 'object' && value !== null && CODES.has(String((value as { code?: unknown }).code));
}
