import { createServiceKey } from '@mcp-host/core';
import type { BufferedMessage, MessageQuery } from './message-buffer.js';
import type { ProtocolName } from './options.js';

/**
 * Where a connection is in its life:
 * `idle` (not started) → `connecting` → `open` → (dropped) `backoff` → `connecting` → … ;
 * at shutdown `closing` → `closed`; `failed` when it gave up (`reconnect.maxRetries`, or a `required`
 * connection whose first attempt failed).
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'backoff' | 'closing' | 'closed' | 'failed';

/** A snapshot of one connection, as `ws_connections` shows it. */
export interface ConnectionInfo {
  name: string;
  url: string;
  protocol: ProtocolName;
  state: ConnectionState;
  /** ISO time the current socket opened, while open. */
  connectedSince: string | undefined;
  /** Connection attempts made after the first one. */
  reconnects: number;
  /** Retries since the last connection that stayed open `reconnect.maxDelayMs` (what the backoff grows with). */
  retry: number;
  /** ISO time of the next attempt, while in backoff. */
  nextAttemptAt: string | undefined;
  /** The last thing that went wrong (a connect error, a lost connection, a missed heartbeat). */
  lastError: string | undefined;
  /** Messages in the buffer now. */
  buffered: number;
  /** Messages received since start. */
  received: number;
  /** Messages pushed out of the buffer by newer ones. */
  dropped: number;
  /** How the last socket closed, if one did. */
  lastClose: { code: number; reason: string; at: string } | undefined;
}

export type MessageListener = (message: BufferedMessage) => void;

/** Options for `send`. */
export interface SendOptions {
  /** How long to wait for the connection to be open; the connection's `sendTimeoutMs` unless given. */
  timeoutMs?: number;
  /** Stop waiting when this aborts. */
  signal?: AbortSignal;
}

/** One managed connection, as other plugins use it. */
export interface ConnectionHandle {
  readonly name: string;
  readonly url: string;
  readonly state: ConnectionState;
  /** The `readyState` of the current socket (`WebSocket.CLOSED`, 3, when there is none). */
  readonly readyState: number;
  info(): ConnectionInfo;
  /** Buffered messages matching `query`, oldest first. */
  messages(query?: MessageQuery): BufferedMessage[];
  /** Call `listener` for every message received from now on; returns the unsubscribe function. */
  subscribe(listener: MessageListener): () => void;
  /**
   * Send data (a string as it is, anything else as JSON), waiting up to the bound for the connection to
   * open. Resolves once written to the socket; rejects with a `ConnectionError`.
   */
  send(data: unknown, options?: SendOptions): Promise<void>;
}

/** What the websocket-manager plugin provides to the plugins applied after it. */
export interface WebSocketManagerService {
  /** Connection names, in config order. */
  names(): string[];
  list(): ConnectionInfo[];
  get(name: string): ConnectionHandle | undefined;
  /** Like `get`, but throws a `ConnectionError` (`WSM_UNKNOWN_CONNECTION`) naming the known connections. */
  require(name: string): ConnectionHandle;
  subscribe(name: string, listener: MessageListener): () => void;
  send(name: string, data: unknown, options?: SendOptions): Promise<void>;
  messages(name: string, query?: MessageQuery): BufferedMessage[];
}

/**
 * The service key: `host.inject(WS_MANAGER)` in a plugin listed after websocket-manager.
 * Keys match by id, so a plugin with its own copy of this package still finds the service.
 */
export const WS_MANAGER = createServiceKey<WebSocketManagerService>('websocket-manager');
