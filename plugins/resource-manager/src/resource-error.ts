import { ErrorCode, McpError, RESOURCE_NOT_FOUND_CODE, SHUTTING_DOWN_CODE } from '@mcp-host/core';
import { MAX_URI_LENGTH } from './limits.js';

/**
 * Why a resource request was refused: sent to the client as `error.data.reason`, so clients and tests can
 * tell refusals apart without parsing messages. Never reused for another meaning.
 */
export const REFUSAL_REASONS = {
  'not-found': 'No such file in the source, or no such resource in the backend index.',
  'outside-root': 'The path is not inside the source root.',
  traversal: 'The URI contains `.` or `..` segments.',
  'encoded-separator': 'The URI contains a percent-encoded `/` or `\\`, or a NUL byte.',
  'invalid-uri': 'The URI is malformed (bad percent-encoding, a file: URI with a host other than localhost) or too long (over 16 KiB, or a file name or path longer than the file system allows).',
  'symlink-escape': 'A symbolic link on the path points outside the source root.',
  hidden: 'A segment of the path starts with `.` and the source\'s `include` does not name it.',
  excluded: 'The path does not match `include`, or matches `exclude`.',
  'not-a-file': 'The path is a directory, a device, a FIFO or a socket.',
  'too-large': 'The file is larger than the source\'s `maxFileBytes`.',
  unreadable: 'The file exists but could not be read (permissions, I/O error).',
  'not-watchable': 'The source does not watch files (`watch: false`, an HTTP source, or the watch budget is spent).',
  'backend-status': 'The HTTP backend answered with an error status.',
  'backend-timeout': 'The HTTP backend did not answer within `timeoutMs`.',
  'backend-unreachable': 'The HTTP backend could not be reached (connection refused, reset, DNS).',
  'backend-invalid': 'The HTTP backend answered with something unusable (bad index JSON, a body over the limit).',
  'shutting-down': 'The host began shutting down while the request was in flight.',
  'unknown-source': 'No source has that name.',
  'source-failed': 'A contributed source failed with an error of its own (not a refusal).',
} as const;

export type RefusalReason = keyof typeof REFUSAL_REASONS;

const CODES: Record<RefusalReason, number> = {
  'not-found': RESOURCE_NOT_FOUND_CODE,
  'outside-root': ErrorCode.InvalidParams,
  traversal: ErrorCode.InvalidParams,
  'encoded-separator': ErrorCode.InvalidParams,
  'invalid-uri': ErrorCode.InvalidParams,
  'symlink-escape': ErrorCode.InvalidParams,
  hidden: ErrorCode.InvalidParams,
  excluded: ErrorCode.InvalidParams,
  'not-a-file': ErrorCode.InvalidParams,
  'too-large': ErrorCode.InvalidParams,
  unreadable: ErrorCode.InternalError,
  'not-watchable': ErrorCode.InvalidParams,
  'backend-status': ErrorCode.InternalError,
  'backend-timeout': ErrorCode.InternalError,
  'backend-unreachable': ErrorCode.InternalError,
  'backend-invalid': ErrorCode.InternalError,
  'shutting-down': SHUTTING_DOWN_CODE,
  'unknown-source': ErrorCode.InvalidParams,
  'source-failed': ErrorCode.InternalError,
};

export interface RefusalData {
  reason: RefusalReason;
  source: string;
  uri?: string;
  [key: string]: unknown;
}

/** A JSON-RPC error for a refused resource request; its `data` names the reason machine-readably. */
export function refusal(reason: RefusalReason, message: string, data: Omit<RefusalData, 'reason'>): McpError {
  return new McpError(CODES[reason], message, { reason, ...data });
}

/** `invalid-uri` for a URI over `MAX_URI_LENGTH`, echoing only its start. */
export function uriTooLong(source: string, uri: string): McpError {
  const shown = `${uri.slice(0, 200)}…`;
  return refusal('invalid-uri', `${shown}: the URI is ${uri.length} characters long, over the ${MAX_URI_LENGTH} accepted`, { source, uri: shown, length: uri.length });
}

export function refusalReasonOf(error: unknown): RefusalReason | undefined {
  const data = (error as { data?: { reason?: unknown } } | null)?.data;
  return typeof data?.reason === 'string' && data.reason in REFUSAL_REASONS ? (data.reason as RefusalReason) : undefined;
}

/** Reject with the signal's refusal as soon as it aborts; otherwise settle as `promise` does. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, onAbort: () => McpError): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(onAbort());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      promise.catch(() => {});
      reject(onAbort());
    };
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
