import { createServiceKey } from '@mcp-host/core';
import type { BufferedMessage, MessageQuery } from './message-buffer.js';
import type { WaitForOptions } from './message-wait.js';
import type { ConnectionOptionsInput, ProtocolName } from './options.js';
import type { MagicApiConsole, MagicApiLoginState } from './protocols/magic-api-console.js';

/**
 * Where a connection is in its life:
 * `idle` (not started) → `connecting` → [`authenticating`] → `open` → (dropped) `backoff` → `connecting` → … ;
 * `authenticating`: the socket is up and the login (magic-api) not answered yet — not usable;
 * `refused`: the server refused the credentials (magic-api `login_response,0`); no socket, waiting for a new token
 * or the backoff's longest delay;
 * at shutdown `closing` → `closed`; `failed` when it gave up (`reconnect.maxRetries`, or a `required`
 * connection whose first attempt failed).
 */
export type ConnectionState = 'idle' | 'connecting' | 'authenticating' | 'open' | 'backoff' | 'refused' | 'closing' | 'closed' | 'failed';

/** A snapshot of one connection, as `ws_connections` shows it. */
export interface ConnectionInfo {
  name: string;
  url: string;
  protocol: ProtocolName;
  state: ConnectionState;
  /** ISO time the connection became open (for magic-api: logged in), while open. */
  connectedSince: string | undefined;
  /** Connection attempts made after the first one. */
  reconnects: number;
  /** Retries since the last connection that stayed open `reconnect.maxDelayMs` (what the backoff grows with). */
  retry: number;
  /** ISO time of the next attempt, while in backoff or refused. */
  nextAttemptAt: string | undefined;
  /** The last thing that went wrong (a connect error, a lost connection, a missed heartbeat, a refused login). */
  lastError: string | undefined;
  /** Messages in the buffer now. */
  buffered: number;
  /** Messages received since start; also the `seq` of the newest one (what `waitFor`'s `afterSeq` takes). */
  received: number;
  /** Messages pushed out of the buffer by newer ones. */
  dropped: number;
  /** How the last socket closed, if one did. */
  lastClose: { code: number; reason: string; at: string } | undefined;
  /** magic-api only: the console session (never the token). */
  console?: { clientId: string | undefined; login: MagicApiLoginState['status']; username: string | undefined };
}

export type MessageListener = (message: BufferedMessage) => void;

/** Options for `send` and `waitForOpen`. */
export interface SendOptions {
  /** How long to wait for the connection to be open; the connection's `sendTimeoutMs` unless given. */
  timeoutMs?: number;
  /** Stop waiting when this aborts. */
  signal?: AbortSignal;
}

/** A predicate that narrows: `waitFor` then resolves with that type. */
export type MessageGuard<M extends BufferedMessage> = (message: BufferedMessage) => message is M;

/** One managed connection, as other plugins use it. */
export interface ConnectionHandle {
  readonly name: string;
  readonly url: string;
  readonly state: ConnectionState;
  /** The `readyState` of the current socket (`WebSocket.CLOSED`, 3, when there is none). */
  readonly readyState: number;
  /** For a `magic-api` connection its console (client id, login, token); `undefined` for other protocols. */
  readonly console: MagicApiConsole | undefined;
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
  /**
   * Resolve once the connection is `open` (for magic-api: logged in), at once if it is. Rejects with a
   * `ConnectionError`: `WSM_NOT_OPEN` when the bound passes or `signal` aborts, `WSM_LOGIN_REFUSED` when the server
   * refused the credentials (now, or while waiting), `WSM_CLOSED` when it gave up or the host is shutting down.
   */
  waitForOpen(options?: SendOptions): Promise<void>;
  /**
   * Resolve with the first `options.count` (default 1) messages that satisfy `predicate`, in arrival order: those
   * that arrive from now on, and with `options.afterSeq` those still buffered above that seq first. Bounded by
   * `options.timeoutMs` (required) and `options.signal`. Rejects with a `ConnectionError` whose `messages` holds the
   * matches so far: `WSM_TIMEOUT`, `WSM_ABORTED`, or `WSM_CLOSED` (closed for good: shutdown, gave up); with the
   * predicate's own error if it throws; with a `TypeError` for options out of range. Leaves no listener or timer behind.
   */
  waitFor<M extends BufferedMessage>(predicate: MessageGuard<M>, options: WaitForOptions): Promise<M[]>;
  waitFor(predicate: (message: BufferedMessage) => boolean, options: WaitForOptions): Promise<BufferedMessage[]>;
}

/** A `magic-api` connection: its console is always there. */
export interface MagicApiConnectionHandle extends ConnectionHandle {
  readonly console: MagicApiConsole;
}

/** What the websocket-manager plugin provides to the plugins applied after it. */
export interface WebSocketManagerService {
  /** Connection names: the configured ones in config order, then the added ones in the order they were added. */
  names(): string[];
  list(): ConnectionInfo[];
  get(name: string): ConnectionHandle | undefined;
  /** Like `get`, but throws a `ConnectionError` (`WSM_UNKNOWN_CONNECTION`) naming the known connections. */
  require(name: string): ConnectionHandle;
  subscribe(name: string, listener: MessageListener): () => void;
  send(name: string, data: unknown, options?: SendOptions): Promise<void>;
  messages(name: string, query?: MessageQuery): BufferedMessage[];
  /** `require(name).waitFor(predicate, options)`; an unknown name rejects (`WSM_UNKNOWN_CONNECTION`). */
  waitFor<M extends BufferedMessage>(name: string, predicate: MessageGuard<M>, options: WaitForOptions): Promise<M[]>;
  waitFor(name: string, predicate: (message: BufferedMessage) => boolean, options: WaitForOptions): Promise<BufferedMessage[]>;
  /**
   * Add a managed connection at run time — from a `start` tap, typically, once what it needs (a URL, a token) is
   * known. `options` are a connection's config options, validated by the same schema (defaults applied). It gets
   * everything a configured connection has: reconnects, heartbeat, buffer, the `ws_*` tools, and at shutdown the
   * plugin's shutdown tap closes it like the others (close frame, `closeTimeoutMs`, terminated at the bound, no timer
   * left). Added before websocket-manager's `start` tap, it connects in it (a `required` one can fail startup);
   * added later, it starts connecting at once — await `waitForOpen()` to depend on it. It stays until shutdown.
   *
   * Throws a `ConnectionError`: `WSM_INVALID_OPTIONS` for options the schema refuses (each issue with its key path),
   * a name in use, or a `closeTimeoutMs` above the plugin's `maxAddedCloseTimeoutMs` (the shutdown tap's bound is
   * fixed before anything is added); `WSM_CLOSED` once shutdown began.
   */
  add(options: ConnectionOptionsInput & { protocol: 'magic-api' }): MagicApiConnectionHandle;
  add(options: ConnectionOptionsInput): ConnectionHandle;
}

/**
 * The service key: `host.inject(WS_MANAGER)` in a plugin listed after websocket-manager.
 * Keys match by id, so a plugin with its own copy of this package still finds the service.
 */
export const WS_MANAGER = createServiceKey<WebSocketManagerService>('websocket-manager');
