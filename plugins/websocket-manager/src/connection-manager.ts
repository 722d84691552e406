import { boundedWait, type Logger } from '@mcp-host/core';
import { ConnectionError } from './connection-error.js';
import { ManagedConnection, type CloseOutcome } from './managed-connection.js';
import type { BufferedMessage, MessageQuery } from './message-buffer.js';
import type { WebSocketManagerOptions } from './options.js';
import type { ConnectionHandle, ConnectionInfo, MessageListener, SendOptions, WebSocketManagerService } from './service.js';

/**
 * All of the plugin's connections: opened together in the `start` tap, stopped the moment shutdown begins,
 * closed together (in parallel, each with its own bound) in the `shutdown` tap. Also the service other
 * plugins get with `host.inject(WS_MANAGER)`.
 */
export class ConnectionManager implements WebSocketManagerService {
  readonly #connections = new Map<string, ManagedConnection>();
  readonly #logger: Logger;

  constructor(options: WebSocketManagerOptions, logger: Logger) {
    this.#logger = logger;
    for (const connection of options.connections) this.#connections.set(connection.name, new ManagedConnection(connection, logger));
  }

  /** The longest `closeTimeoutMs` of all connections: what the shutdown tap needs, at most. */
  get closeTimeoutMs(): number {
    return Math.max(0, ...[...this.#connections.values()].map((connection) => connection.options.closeTimeoutMs));
  }

  /**
   * Start every connection. Those marked `required` are awaited: if one cannot connect this throws, naming
   * its URL, and startup fails. The others connect (and retry) in the background. Returns early, without
   * error, if `signal` aborts (shutdown began during startup).
   */
  async connectAll(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const attempts = [...this.#connections.values()].map((connection) => ({ connection, attempt: connection.start() }));
    const required = attempts.filter(({ connection }) => connection.options.required);
    if (required.length === 0) return;
    // Wait for all of them, so the error lists every required backend that is down, not just the first.
    const all = Promise.allSettled(required.map(({ attempt }) => attempt));
    // Bounded by the connect timeout (plus a margin: ws enforces it) and by shutdown.
    const bound = Math.max(...required.map(({ connection }) => connection.options.connectTimeoutMs)) + 1000;
    const result = await boundedWait(all, bound, signal);
    if (result.kind === 'aborted') return;
    if (result.kind !== 'settled') throw new Error(`required connections did not connect within ${bound} ms`);
    const failed = required.filter((_, index) => result.value[index]!.status === 'rejected').map(({ connection }) => connection);
    if (failed.length === 0 || signal.aborted) return;
    const lines = failed.map((connection) => `"${connection.name}" (${connection.url}): ${connection.info().lastError ?? 'unknown error'}`);
    throw new Error(
      `required connection${failed.length > 1 ? 's' : ''} could not connect: ${lines.join('; ')}. Start the backend, fix the URL, or set "required": false to retry in the background.`,
    );
  }

  /** Shutdown began: no connection or retry from now on; backoff and heartbeat timers cleared. */
  stopAll(): void {
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

  names(): string[] {
    return [...this.#connections.keys()];
  }

  list(): ConnectionInfo[] {
    return [...this.#connections.values()].map((connection) => connection.info());
  }

  get(name: string): ManagedConnection | undefined {
    return this.#connections.get(name);
  }

  require(name: string): ConnectionHandle {
    const connection = this.#connections.get(name);
    if (connection) return connection;
    throw new ConnectionError('WSM_UNKNOWN_CONNECTION', `unknown connection "${name}"; the configured connections are: ${this.names().map((known) => `"${known}"`).join(', ')}`, { connection: name });
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
}
