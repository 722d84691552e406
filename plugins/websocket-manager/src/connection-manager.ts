import { boundedWait, type Logger } from '@mcp-host/core';
import { ConnectionError } from './connection-error.js';
import { ManagedConnection, type CloseOutcome } from './managed-connection.js';
import type { BufferedMessage, MessageQuery } from './message-buffer.js';
import type { WaitForOptions } from './message-wait.js';
import { connectionOptions, type ConnectionOptionsInput, type WebSocketManagerOptions } from './options.js';
import type { ConnectionHandle, ConnectionInfo, MagicApiConnectionHandle, MessageListener, SendOptions, WebSocketManagerService } from './service.js';
import { loadWebSocket } from './ws-loader.js';

/** Zod issues as one line each, `key.path: message`, for an error a plugin author reads. */
function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`)).join('');
      return `${path || '(options)'}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * All of the plugin's connections: the configured ones and those other plugins add at run time. Opened in the
 * `start` tap (or at once, when added after it), stopped the moment shutdown begins, closed together (in parallel,
 * each with its own bound) in the `shutdown` tap. Also the service other plugins get with `host.inject(WS_MANAGER)`.
 */
export class ConnectionManager implements WebSocketManagerService {
  readonly #connections = new Map<string, ManagedConnection>();
  readonly #logger: Logger;
  /** The longest `closeTimeoutMs` the shutdown tap reserves: the configured connections' and `maxAddedCloseTimeoutMs`. */
  readonly #closeTimeoutMs: number;
  readonly #maxAddedCloseTimeoutMs: number;
  #isStarted = false;
  #isStopping = false;

  constructor(options: WebSocketManagerOptions, logger: Logger) {
    this.#logger = logger;
    for (const connection of options.connections) this.#connections.set(connection.name, new ManagedConnection(connection, logger));
    this.#maxAddedCloseTimeoutMs = options.maxAddedCloseTimeoutMs;
    this.#closeTimeoutMs = Math.max(options.maxAddedCloseTimeoutMs, ...options.connections.map((connection) => connection.closeTimeoutMs));
  }

  /**
   * What the shutdown tap needs, at most: the longest `closeTimeoutMs` of the configured connections, and of those
   * added later (at most `maxAddedCloseTimeoutMs`). Fixed when the plugin is applied, as the tap's bound is.
   */
  get closeTimeoutMs(): number {
    return this.#closeTimeoutMs;
  }

  /**
   * Start every connection. Those marked `required` are awaited: if one cannot connect this throws, naming
   * its URL, and startup fails. The others connect (and retry) in the background. Returns early, without
   * error, if `signal` aborts (shutdown began during startup).
   */
  async connectAll(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.#isStarted = true;
    if (this.#connections.size > 0) await loadWebSocket();
    if (signal.aborted) return;
    const attempts = [...this.#connections.values()].map((connection) => ({ connection, attempt: connection.start() }));
    const required = attempts.filter(({ connection }) => connection.options.required);
    if (required.length === 0) return;
    // Wait for all of them, so the error lists every required backend that is down, not just the first.
    const all = Promise.allSettled(required.map(({ attempt }) => attempt));
    // Bounded by the connect timeout (twice for a protocol that logs in: the handshake, then the login; plus a
    // margin: ws enforces the first) and by shutdown.
    const bound = Math.max(...required.map(({ connection }) => connection.options.connectTimeoutMs * (connection.protocol.logsIn ? 2 : 1))) + 1000;
    const result = await boundedWait(all, bound, signal);
    if (result.kind === 'aborted') return;
    if (result.kind !== 'settled') throw new Error(`required connections did not connect within ${bound} ms`);
    const failed = required.filter((_, index) => result.value[index]!.status === 'rejected').map(({ connection }) => connection);
    if (failed.length === 0 || signal.aborted) return;
    const lines = failed.map((connection) => `"${connection.name}" (${connection.url}): ${connection.info().lastError ?? 'unknown error'}`);
    throw new Error(
      `required connection${failed.length > 1 ? 's' : ''} could not connect: ${lines.join('; ')}. Start the backend, fix the URL or the token, or set "required": false to retry in the background.`,
    );
  }

  /** Shutdown began: no connection or retry from now on, none added; backoff and heartbeat timers cleared. */
  stopAll(): void {
    this.#isStopping = true;
    for (const connection of this.#connections.values()) connection.stop();
  }

  /** Close every connection in parallel; each gets its `closeTimeoutMs`, all are cut when `signal` aborts. */
  async closeAll(signal?: AbortSignal): Promise<CloseOutcome[]> {
    this.stopAll();
    const outcomes = await Promise.all([...this.#connections.values()].map((connection) => connection.close(signal)));
    const clean = outcomes.filter((outcome) => outcome.kind === 'clean').length;
    const terminated = outcomes.filter((outcome) => outcome.kind === 'terminated').length;
    this.#logger.debug('closed %d connection(s): %d clean, %d terminated', outcomes.length, clean, terminated);
    return outcomes;
  }

  add(options: ConnectionOptionsInput & { protocol: 'magic-api' }): MagicApiConnectionHandle;
  add(options: ConnectionOptionsInput): ConnectionHandle;
  add(options: ConnectionOptionsInput): ConnectionHandle {
    const given = typeof options === 'object' && options !== null && typeof options.name === 'string' ? `"${options.name}"` : '(unnamed)';
    if (this.#isStopping) throw new ConnectionError('WSM_CLOSED', `cannot add connection ${given}: the host is shutting down`);
    const parsed = connectionOptions.safeParse(options);
    if (!parsed.success) throw new ConnectionError('WSM_INVALID_OPTIONS', `cannot add connection ${given}: ${describeIssues(parsed.error.issues)}`);
    const resolved = parsed.data;
    const connection = resolved.name;
    if (this.#connections.has(connection)) {
      throw new ConnectionError('WSM_INVALID_OPTIONS', `cannot add connection "${connection}": a connection of that name exists already; names must be unique`, { connection });
    }
    if (resolved.closeTimeoutMs > this.#maxAddedCloseTimeoutMs) {
      throw new ConnectionError(
        'WSM_INVALID_OPTIONS',
        `cannot add connection "${connection}": closeTimeoutMs ${resolved.closeTimeoutMs} is above maxAddedCloseTimeoutMs ${this.#maxAddedCloseTimeoutMs}, the most the shutdown tap reserves for an added connection; lower it, or raise websocket-manager's maxAddedCloseTimeoutMs`,
        { connection },
      );
    }
    const added = new ManagedConnection(resolved, this.#logger);
    this.#connections.set(connection, added);
    this.#logger.debug('%s: added at run time (%s)', connection, resolved.url);
    // Before the start tap ran, connectAll() starts it with the others; after, it starts now.
    if (this.#isStarted) void added.start();
    return added;
  }

  names(): string[] {
    return [...this.#connections.keys()];
  }

  list(): ConnectionInfo[] {
    return [...this.#connections.values()].map((connection) => connection.info());
  }

  get(name: string): ManagedConnection | undefined {
    return this.#connections.get(name);
  }

  require(name: string): ManagedConnection {
    const connection = this.#connections.get(name);
    if (connection) return connection;
    const known = this.names();
    throw new ConnectionError(
      'WSM_UNKNOWN_CONNECTION',
      `unknown connection "${name}"; ${known.length === 0 ? 'there are none (none configured, none added)' : `the connections are: ${known.map((entry) => `"${entry}"`).join(', ')}`}`,
      { connection: name },
    );
  }

  subscribe(name: string, listener: MessageListener): () => void {
    return this.require(name).subscribe(listener);
  }

  send(name: string, data: unknown, options?: SendOptions): Promise<void> {
    try {
      return this.require(name).send(data, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  messages(name: string, query?: MessageQuery): BufferedMessage[] {
    return this.require(name).messages(query);
  }

  waitFor<M extends BufferedMessage>(name: string, predicate: (message: BufferedMessage) => message is M, options: WaitForOptions): Promise<M[]>;
  waitFor(name: string, predicate: (message: BufferedMessage) => boolean, options: WaitForOptions): Promise<BufferedMessage[]>;
  waitFor(name: string, predicate: (message: BufferedMessage) => boolean, options: WaitForOptions): Promise<BufferedMessage[]> {
    try {
      return this.require(name).waitFor(predicate, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
