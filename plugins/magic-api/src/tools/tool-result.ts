// How every magic_* tool answers: one shape for results and one for refusals, so an assistant reads them alike.
import type { CallToolResult } from '@mcp-host/core';
import { isMagicError } from '../magic-error.js';

/** A successful answer: the value as pretty JSON text, and as `structuredContent` when it is an object. */
export function jsonResult(value: unknown): CallToolResult {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  return isObject ? { content: [{ type: 'text', text }], structuredContent: value as Record<string, unknown> } : { content: [{ type: 'text', text }] };
}

/** A refusal the model can act on: what went wrong, and (when known) what to do next. */
export function toolError(message: string, next?: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: next ? `${message} ${next}` : message }] };
}

/**
 * A failed call as a refusal: a `MagicError` with the server's code and message (never a token: the client's
 * messages carry none), anything else by its message. `next` says what to try.
 */
export function errorResult(error: unknown, next?: string): CallToolResult {
  if (isMagicError(error)) {
    const said = error.serverMessage && !error.message.includes(error.serverMessage) ? ` The server said: ${error.serverMessage}` : '';
    return toolError(`${error.code}: ${error.message}${said}`, next);
  }
  return toolError(error instanceof Error ? error.message : String(error), next);
}
