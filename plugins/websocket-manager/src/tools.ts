import { z, type CallToolResult, type PluginHost } from '@mcp-host/core';
import { isConnectionError } from './connection-error.js';
import type { ConnectionManager } from './connection-manager.js';
import type { ManagedConnection } from './managed-connection.js';
import { DEFAULT_AROUND_WINDOW_MS, type BufferedMessage, type MessageQuery } from './message-buffer.js';
import { parseTimeExpression } from './time-expression.js';

const DEFAULT_LIMIT = 50;
/** Long log lines are cut in tool results so one message cannot flood the model's context. */
const DEFAULT_MAX_CHARS = 4000;
const MAX_LIMIT = 1000;
const MAX_SEND_WAIT_MS = 60_000;

// Single-type schemas (`"type": "string"`): some clients refuse a type array or an empty schema. What a client
// sends beyond the schema is still taken: a number for a time (as its digits), any JSON value for `data` (as JSON).
const timeExpression = z
  .preprocess((value) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : value), z.string())
  .describe('ms since the epoch (digits), an ISO 8601 date ("2025-06-01T12:00:00Z"), or relative to now ("-30s", "-5m", "-1h")');

const connectionArgument = z
  .string()
  .optional()
  .describe('The connection name (see ws_connections); may be left out when only one connection is configured');

const outgoingText = z.preprocess((value) => (typeof value === 'string' || value === undefined ? value : JSON.stringify(value)), z.string());

function text(value: string): CallToolResult {
  return { content: [{ type: 'text', text: value }] };
}

function json(value: unknown): CallToolResult {
  return text(JSON.stringify(value, null, 2));
}

/** A mistake of the caller's (or a backend that is down): an `isError` result the model can read and act on. */
function toolError(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

function clip(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}… (${text.length - maxChars} more characters)` : text;
}

/** A buffered message as the tools show it: the receive time as an ISO date, long strings cut. */
function present(message: BufferedMessage, maxChars: number): Record<string, unknown> {
  const data = message.data;
  const shown: Record<string, unknown> = {
    seq: message.seq,
    receivedAt: new Date(message.receivedAt).toISOString(),
    type: message.type,
    data: typeof data === 'string' ? clip(data, maxChars) : data,
  };
  if (message.raw !== undefined) shown.raw = clip(message.raw, maxChars);
  return shown;
}

/** Find the connection a tool call names, or explain which ones there are. */
function pick(manager: ConnectionManager, name: string | undefined): { connection: ManagedConnection } | { error: CallToolResult } {
  const names = manager.names();
  const known = names.map((known) => `"${known}"`).join(', ');
  if (names.length === 0) return { error: toolError('There is no connection yet: none is configured, and no plugin has added one.') };
  if (name === undefined) {
    if (names.length === 1) return { connection: manager.get(names[0]!)! };
    return { error: toolError(`Say which connection: there are ${names.length} (${known}).`) };
  }
  const connection = manager.get(name);
  return connection ? { connection } : { error: toolError(`Unknown connection "${name}". The connections are: ${known}.`) };
}

/** Register `ws_connections`, `ws_messages` and `ws_send`. */
export function registerTools(host: PluginHost, manager: ConnectionManager): void {
  host.tool(
    'ws_connections',
    {
      title: 'WebSocket connections',
      description:
        'List the backend WebSocket connections: name, URL, state (connecting, authenticating, open, backoff, refused, closing, closed, failed), connected since, reconnect count, last error, how many messages are buffered, and for a Magic-API console its client id and login.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => json({ connections: manager.list() }),
  );

  host.tool(
    'ws_messages',
    {
      title: 'Read WebSocket messages',
      description:
        'Read messages a backend WebSocket sent, from its buffer of recent messages (oldest first). Filter by time (since/until, or around a moment with windowMs), by message type (e.g. LOG, EXCEPTION for magic-api), and cap with limit (newest kept; with around, nearest kept).',
      inputSchema: {
        connection: connectionArgument,
        limit: z.number().int().min(1).max(MAX_LIMIT).optional().describe(`At most this many messages (default ${DEFAULT_LIMIT})`),
        since: timeExpression.optional().describe('Only messages received at or after this time'),
        until: timeExpression.optional().describe('Only messages received at or before this time'),
        around: timeExpression.optional().describe('Messages received within windowMs of this time'),
        windowMs: z.number().int().min(0).max(86_400_000).optional().describe(`Half-width of the around window (default ${DEFAULT_AROUND_WINDOW_MS} ms)`),
        type: z.string().optional().describe('Only messages of this type (case-insensitive)'),
        maxChars: z.number().int().min(100).max(1_000_000).optional().describe(`Cut string data longer than this (default ${DEFAULT_MAX_CHARS} characters)`),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const picked = pick(manager, args.connection);
      if ('error' in picked) return picked.error;
      const { connection } = picked;
      const query: MessageQuery = { limit: args.limit ?? DEFAULT_LIMIT };
      for (const key of ['since', 'until', 'around'] as const) {
        const value = args[key];
        if (value === undefined) continue;
        const time = parseTimeExpression(value);
        if (time === undefined) return toolError(`${key}: cannot read ${JSON.stringify(value)} as a time; give ms since the epoch, an ISO 8601 date, or a relative time such as "-5m".`);
        query[key] = time;
      }
      if (args.windowMs !== undefined) {
        if (query.around === undefined) return toolError('windowMs goes with around: give the moment to look around.');
        query.windowMs = args.windowMs;
      }
      if (args.type !== undefined) query.type = args.type;
      const messages = connection.messages(query);
      return json({
        connection: connection.name,
        state: connection.state,
        returned: messages.length,
        buffered: connection.buffer.size,
        received: connection.buffer.total,
        dropped: connection.buffer.dropped,
        messages: messages.map((message) => present(message, args.maxChars ?? DEFAULT_MAX_CHARS)),
      });
    },
  );

  host.tool(
    'ws_send',
    {
      title: 'Send a WebSocket message',
      description:
        'Send a message to a backend over its WebSocket: a string is sent as it is, any other JSON value as JSON text. Waits for the connection to be open (up to timeoutMs, default the connection\'s sendTimeoutMs) and fails if it does not open.',
      inputSchema: {
        connection: connectionArgument,
        data: outgoingText.describe('The text to send, as it is (e.g. "set_file_id,abc" for magic-api, or JSON text for a JSON backend); a JSON value that is not a string is sent as JSON'),
        timeoutMs: z.number().int().min(0).max(MAX_SEND_WAIT_MS).optional().describe('How long to wait for the connection to be open'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    },
    async (args, extra) => {
      const picked = pick(manager, args.connection);
      if ('error' in picked) return picked.error;
      const { connection } = picked;
      try {
        const options: { timeoutMs?: number; signal?: AbortSignal } = { signal: extra.signal };
        if (args.timeoutMs !== undefined) options.timeoutMs = args.timeoutMs;
        await connection.send(args.data, options);
      } catch (error) {
        if (isConnectionError(error) || error instanceof TypeError) return toolError(error.message);
        throw error;
      }
      const size = Buffer.byteLength(args.data);
      return text(`Sent ${size} bytes to "${connection.name}".`);
    },
  );
}
