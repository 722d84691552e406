import { connect as netConnect, isIP, type NetConnectOpts, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { boundedWait, type Logger } from '@mcp-host/core';
import WebSocket, { type ClientOptions } from 'ws';
import { backoffDelay } from './backoff.js';
import { ConnectionError } from './connection-error.js';
import { receiveTime } from './receive-clock.js';
import { ReceivedMessage } from './received-message.js';
import { MessageBuffer, type BufferedMessage, type MessageQuery } from './message-buffer.js';
import type { ConnectionOptions } from './options.js';
import { createProtocol } from './protocols/create-protocol.js';
import type { Protocol, ProtocolLink } from './protocols/protocol.js';
import type { ConnectionHandle, ConnectionInfo, ConnectionState, MessageListener, SendOptions } from './service.js';

/** How one connection ended at shutdown; logged per connection and returned by `close()`. */
export type CloseOutcome =
  /** The peer answered the close frame. */
  | { name: string; kind: 'clean'; code: number; reason: string; durationMs: number }
  /** The peer did not answer within `closeTimeoutMs` (or the tap's time ran out): the socket was destroyed. */
  | { name: string; kind: 'terminated'; durationMs: number; cause: 'close-timeout' | 'tap-aborted' }
  /** The peer dropped the TCP connection without answering the close frame. */
  | { name: string; kind: 'lost'; durationMs: number }
  /** A connection attempt was under way and was abandoned. */
  | { name: string; kind: 'abandoned'; durationMs: number }
  /** There was no socket to close (backoff, failed, never started). */
  | { name: string; kind: 'not-connected'; state: ConnectionState; durationMs: number };

/** Close code and reason sent to every backend at shutdown: 1001 "going away". */
export const SHUTDOWN_CLOSE_CODE = 1001;
export const SHUTDOWN_CLOSE_REASON = 'host shutting down';

/** After `terminate()`, how long the socket may take to report closed. Destroying a socket is immediate; this only bounds a surprise. */
const TERMINATE_SETTLE_MS = 200;

/**
 * One backend WebSocket, kept open for the host's lifetime: connects, reconnects with backoff, detects a
 * dead peer with ping frames, buffers what it receives, and closes with a close frame and a bound.
 *
 * Invariants: at most one socket at a time; once `stop()` (shutdown began) no socket is opened and no
 * timer is armed; once `close()` resolved there is no socket and no timer left.
 */
export class ManagedConnection implements ConnectionHandle {
  readonly name: string;
  readonly url: string;
  readonly options: ConnectionOptions;
  readonly buffer: MessageBuffer;
  readonly protocol: Protocol;

  readonly #logger: Logger;
  readonly #link: ProtocolLink;
  readonly #listeners = new Set<MessageListener>();
  /** Called on every state change (senders waiting for `open`). */
  readonly #stateWatchers = new Set<() => void>();
  /** Sends handed to the socket and not yet written: shutdown lets them finish before the close frame. */
  readonly #pendingSends = new Set<Promise<void>>();
  #state: ConnectionState = 'idle';
  #socket: WebSocket | undefined;
  /** Resolves when the current WebSocket has emitted `close` and its TCP socket is closed too. */
  #socketClosed: Promise<{ code: number; reason: string }> = Promise.resolve({ code: 1005, reason: '' });
  #openedAt: number | undefined;
  #reconnects = 0;
  #retry = 0;
  #lastError: string | undefined;
  #lastClose: ConnectionInfo['lastClose'];
  #backoffTimer: NodeJS.Timeout | undefined;
  #nextAttemptAt: number | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;
  /** The current socket was terminated for a missed pong (its `lastError` says so already). */
  #heartbeatFailed = false;
  /** Shutdown began: nothing new is opened or armed from now on. */
  #isStopping = false;
  /** `stop()` found a connection attempt under way and abandoned it. */
  #abandonedAttempt = false;
  /** The state `stop()` found: what `close()` reports when there was nothing left to close. */
  #stateAtStop: ConnectionState | undefined;
  /** Settles with the first connection attempt: resolved once open, rejected if it failed. */
  #firstAttempt: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void; settled: boolean } | undefined;

  constructor(options: ConnectionOptions, logger: Logger, protocol: Protocol = createProtocol(options)) {
    this.name = options.name;
    this.url = options.url;
    this.options = options;
    this.buffer = new MessageBuffer(options.bufferSize);
    this.protocol = protocol;
    this.#logger = logger;
    this.#link = {
      send: (text) => {
        if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(text);
      },
      logger,
    };
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get readyState(): number {
    return this.#socket?.readyState ?? WebSocket.CLOSED;
  }

  /** True once shutdown began for this connection. */
  get isStopping(): boolean {
    return this.#isStopping;
  }

  info(): ConnectionInfo {
    return {
      name: this.name,
      url: this.url,
      protocol: this.protocol.name,
      state: this.#state,
      connectedSince: this.#state === 'open' && this.#openedAt !== undefined ? new Date(this.#openedAt).toISOString() : undefined,
      reconnects: this.#reconnects,
      retry: this.#retry,
      nextAttemptAt: this.#state === 'backoff' && this.#nextAttemptAt !== undefined ? new Date(this.#nextAttemptAt).toISOString() : undefined,
      lastError: this.#lastError,
      buffered: this.buffer.size,
      received: this.buffer.total,
      dropped: this.buffer.dropped,
      lastClose: this.#lastClose,
    };
  }

  messages(query?: MessageQuery): BufferedMessage[] {
    return this.buffer.query(query);
  }

  subscribe(listener: MessageListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Start connecting. The promise settles with the first attempt: it resolves once the socket is open and
   * rejects if that attempt failed (later attempts are retries in the background). A connection marked
   * `required` does not retry after its first attempt failed: startup fails instead.
   */
  start(): Promise<void> {
    if (this.#firstAttempt) return this.#firstAttempt.promise;
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may await it (a connection that is not required); an unhandled rejection would be fatal.
    promise.catch(() => {});
    this.#firstAttempt = { promise, resolve, reject, settled: false };
    if (this.#isStopping) {
      this.#settleFirstAttempt(new ConnectionError('WSM_CLOSED', `connection "${this.name}" was not started: the host is shutting down`, { connection: this.name }));
    } else {
      this.#connect();
    }
    return promise;
  }

  async send(data: unknown, options: SendOptions = {}): Promise<void> {
    const payload = this.protocol.encode(data);
    await this.#waitForOpen(options.timeoutMs ?? this.options.sendTimeoutMs, options.signal);
    const socket = this.#socket!;
    const written = new Promise<void>((resolve, reject) => {
      socket.send(payload, (error) => {
        if (error) reject(new ConnectionError('WSM_SEND_FAILED', `connection "${this.name}": sending failed: ${error.message}`, { connection: this.name, cause: error }));
        else resolve();
      });
    });
    const tracked = written.catch(() => {});
    this.#pendingSends.add(tracked);
    void tracked.finally(() => this.#pendingSends.delete(tracked));
    return written;
  }

  /**
   * Shutdown began: from now on no connection is opened and no retry is scheduled. A pending backoff and
   * the heartbeat are cleared; a connection attempt under way is abandoned. An open socket stays open until
   * `close()`, so messages still arrive while the host answers the requests in flight.
   */
  stop(): void {
    if (this.#isStopping) return;
    this.#isStopping = true;
    this.#stateAtStop = this.#state;
    this.#stopHeartbeat();
    if (this.#backoffTimer !== undefined) {
      clearTimeout(this.#backoffTimer);
      this.#backoffTimer = undefined;
      this.#nextAttemptAt = undefined;
      this.#setState('closed');
    } else if (this.#state === 'idle' || this.#state === 'failed') {
      this.#setState(this.#state === 'idle' ? 'closed' : 'failed');
    }
    if (this.#state === 'connecting' && this.#socket) {
      this.#abandonedAttempt = true;
      this.#socket.terminate();
    }
    this.#settleFirstAttempt(new ConnectionError('WSM_CLOSED', `connection "${this.name}" (${this.url}): the host is shutting down`, { connection: this.name }));
  }

  /**
   * Close for good: let the sends already handed over finish, send a close frame (1001), and give the peer
   * `closeTimeoutMs` to answer; then terminate. `signal` (the shutdown tap's) cuts every wait short.
   * Resolves once the socket is gone; logs how it ended.
   */
  async close(signal?: AbortSignal): Promise<CloseOutcome> {
    const startedAt = Date.now();
    this.stop();
    const found = this.#stateAtStop ?? this.#state;
    const socket = this.#socket;
    let outcome: CloseOutcome;
    if (socket === undefined && !this.#abandonedAttempt) {
      if (this.#state !== 'failed') this.#setState('closed');
      outcome = { name: this.name, kind: 'not-connected', state: found, durationMs: 0 };
    } else if (socket === undefined || socket.readyState === WebSocket.CONNECTING || this.#abandonedAttempt) {
      socket?.terminate();
      await boundedWait(this.#socketClosed, TERMINATE_SETTLE_MS);
      outcome = { name: this.name, kind: 'abandoned', durationMs: Date.now() - startedAt };
    } else {
      outcome = await this.#closeOpenSocket(socket, startedAt, signal);
    }
    this.#log(outcome);
    return outcome;
  }

  async #closeOpenSocket(socket: WebSocket, startedAt: number, signal: AbortSignal | undefined): Promise<CloseOutcome> {
    const deadline = startedAt + this.options.closeTimeoutMs;
    this.#setState('closing');
    // Data handed to send() goes out before the close frame. ws writes frames in order anyway; waiting for
    // the write callbacks also keeps a later terminate() from discarding what is still queued.
    if (this.#pendingSends.size > 0) await boundedWait(Promise.all(this.#pendingSends), deadline - Date.now(), signal);
    if (socket.readyState === WebSocket.OPEN) socket.close(SHUTDOWN_CLOSE_CODE, SHUTDOWN_CLOSE_REASON);
    const answer = await boundedWait(this.#socketClosed, deadline - Date.now(), signal);
    if (answer.kind === 'settled') {
      const durationMs = Date.now() - startedAt;
      // 1006: the socket closed without a close frame from the peer.
      return answer.value.code === 1006
        ? { name: this.name, kind: 'lost', durationMs }
        : { name: this.name, kind: 'clean', code: answer.value.code, reason: answer.value.reason, durationMs };
    }
    socket.terminate();
    await boundedWait(this.#socketClosed, TERMINATE_SETTLE_MS);
    return { name: this.name, kind: 'terminated', durationMs: Date.now() - startedAt, cause: answer.kind === 'aborted' ? 'tap-aborted' : 'close-timeout' };
  }

  #log(outcome: CloseOutcome): void {
    switch (outcome.kind) {
      case 'clean':
        this.#logger.info('%s: closed %d (clean) in %d ms', this.name, outcome.code, outcome.durationMs);
        break;
      case 'terminated':
        this.#logger.warning(
          '%s: terminated after %d ms (%s)',
          this.name,
          outcome.durationMs,
          outcome.cause === 'tap-aborted' ? "the shutdown tap's time ran out" : `no answer to the close frame within closeTimeoutMs ${this.options.closeTimeoutMs}`,
        );
        break;
      case 'lost':
        this.#logger.warning('%s: the peer dropped the connection without a close frame (%d ms)', this.name, outcome.durationMs);
        break;
      case 'abandoned':
        this.#logger.info('%s: connection attempt abandoned', this.name);
        break;
      case 'not-connected':
        this.#logger.info('%s: not connected (%s); nothing to close', this.name, outcome.state);
        break;
    }
  }

  #connect(): void {
    if (this.#isStopping) return;
    this.#setState('connecting');
    const options = this.options;
    // The TCP (or TLS) socket under the WebSocket, made here so that closing can wait for it: ws reports an
    // abandoned handshake closed on the next tick, while the socket's handle is still being released.
    let transportClosed: Promise<unknown> = Promise.resolve();
    const secure = options.url.startsWith('wss:');
    const createConnection = (connectOptions: TlsConnectionOptions & { socketPath?: string }): Socket => {
      let transport: Socket;
      if (secure) {
        const servername = connectOptions.servername ?? (connectOptions.host && isIP(connectOptions.host) ? '' : connectOptions.host);
        transport = tlsConnect({ ...connectOptions, path: undefined, ...(servername !== undefined ? { servername } : {}) } as TlsConnectionOptions);
      } else {
        transport = netConnect({ ...connectOptions, path: connectOptions.socketPath } as NetConnectOpts);
      }
      transportClosed = new Promise((resolve) => transport.once('close', resolve));
      return transport;
    };
    let socket: WebSocket;
    try {
      const clientOptions: ClientOptions & { closeTimeout: number } = {
        headers: { ...options.headers, ...this.protocol.headers() },
        handshakeTimeout: options.connectTimeoutMs,
        // ws' own bound on the closing handshake (default 30 s: a silent peer would hold the process). Ours,
        // in close(), fires first and reports it; this one is the backstop.
        closeTimeout: options.closeTimeoutMs + 100,
        maxPayload: options.maxMessageBytes,
        // No zlib: frames stay in order without a compression queue, and nothing outlives the socket.
        perMessageDeflate: false,
        // Every protocol decodes text with Buffer#toString, which replaces invalid UTF-8 with U+FFFD: ws'
        // own validation would only double the work (and close a log stream with 1007 over one bad byte).
        skipUTF8Validation: true,
        createConnection: createConnection as unknown as ClientOptions['createConnection'],
      };
      socket = new WebSocket(options.url, clientOptions);
    } catch (error) {
      // A URL ws refuses (the schema checked its protocol, not every detail).
      this.#lastError = (error as Error).message;
      this.#onAttemptEnded(false);
      return;
    }
    this.#socket = socket;
    let error: Error | undefined;
    const socketClosed = new Promise<{ code: number; reason: string }>((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        const closed = { code, reason: reason.toString('utf8') };
        resolve(closed);
        this.#onSocketClosed(socket, closed, error);
      });
    });
    // createConnection ran inside the constructor: transportClosed is this socket's now.
    const transportGone = transportClosed;
    this.#socketClosed = socketClosed.then(async (closed) => {
      await transportGone;
      return closed;
    });
    socket.on('error', (cause: Error) => {
      error = cause;
    });
    socket.once('open', () => this.#onOpen(socket));
    socket.on('message', (data: Buffer, isBinary: boolean) => this.#onMessage(data, isBinary));
    socket.on('pong', () => this.#onAlive());
  }

  #onOpen(socket: WebSocket): void {
    if (socket !== this.#socket) return;
    if (this.#isStopping) {
      socket.terminate();
      return;
    }
    this.#openedAt = Date.now();
    this.#setState('open');
    this.#logger.info('%s: connected to %s%s', this.name, this.url, this.#reconnects > 0 ? ` (reconnect ${this.#reconnects})` : '');
    this.protocol.onOpen(this.#link);
    this.#startHeartbeat(socket);
    this.#settleFirstAttempt();
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    this.#onAlive();
    if (this.protocol.intercept?.(data, isBinary, this.#link)) return;
    // Decoded when first read, not here: see ReceivedMessage.
    const message = this.buffer.add(new ReceivedMessage(data, isBinary, this.protocol), receiveTime());
    if (this.#listeners.size === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener(message);
      } catch (error) {
        this.#logger.warning('%s: a message subscriber threw: %s', this.name, (error as Error).message);
      }
    }
  }

  #onSocketClosed(socket: WebSocket, closed: { code: number; reason: string }, error: Error | undefined): void {
    if (socket !== this.#socket) return;
    const wasOpen = this.#openedAt !== undefined;
    const openFor = wasOpen ? Date.now() - this.#openedAt! : 0;
    this.#socket = undefined;
    this.#openedAt = undefined;
    this.#stopHeartbeat();
    if (wasOpen) this.#lastClose = { code: closed.code, reason: closed.reason, at: new Date().toISOString() };
    if (this.#isStopping) {
      if (this.#state !== 'failed') this.#setState('closed');
      return;
    }
    if (wasOpen) {
      // A heartbeat timeout set #lastError already; otherwise say how the peer left.
      if (!this.#heartbeatFailed) {
        this.#lastError = `connection lost (${closed.code}${closed.reason ? ` ${closed.reason}` : ''})${error ? `: ${error.message}` : ''}`;
      }
      this.#heartbeatFailed = false;
      // Only a connection that stayed up resets the backoff: a backend that accepts and drops at once is
      // retried with growing delays, like one that refuses.
      if (openFor >= this.options.reconnect.maxDelayMs) this.#retry = 0;
      this.#logger.warning('%s: %s', this.name, this.#lastError);
    } else {
      this.#lastError = error?.message || `connection failed (${closed.code})`;
    }
    this.#onAttemptEnded(wasOpen);
  }

  /** A socket closed (or never opened): retry with backoff, give up, or fail startup. */
  #onAttemptEnded(wasOpen: boolean): void {
    if (!wasOpen && this.#firstAttempt && !this.#firstAttempt.settled) {
      const error = new ConnectionError('WSM_NOT_OPEN', `connection "${this.name}" could not connect to ${this.url}: ${this.#lastError}`, { connection: this.name });
      if (this.options.required) {
        this.#setState('failed');
        this.#settleFirstAttempt(error);
        return;
      }
      this.#settleFirstAttempt(error);
      this.#logger.warning('%s: cannot connect to %s: %s; retrying in the background', this.name, this.url, this.#lastError);
    }
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#isStopping) return;
    const { maxRetries } = this.options.reconnect;
    if (maxRetries !== null && this.#retry >= maxRetries) {
      this.#setState('failed');
      this.#logger.error('%s: giving up on %s after %d retries: %s', this.name, this.url, this.#retry, this.#lastError);
      return;
    }
    this.#retry++;
    const delay = backoffDelay(this.options.reconnect, this.#retry);
    this.#nextAttemptAt = Date.now() + delay;
    this.#setState('backoff');
    this.#logger.debug('%s: retry %d in %d ms', this.name, this.#retry, delay);
    // Ref'd: a connection waiting to come back is work in progress. shutdown clears it.
    this.#backoffTimer = setTimeout(() => {
      this.#backoffTimer = undefined;
      this.#nextAttemptAt = undefined;
      this.#reconnects++;
      this.#connect();
    }, delay);
  }

  #startHeartbeat(socket: WebSocket): void {
    const heartbeat = this.options.heartbeat;
    if (heartbeat === false) return;
    // Unref'd: the socket keeps the process alive while there is one; these timers must not on their own.
    this.#heartbeatTimer = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (this.#pongTimer === undefined) {
        this.#pongTimer = setTimeout(() => this.#onHeartbeatMissed(socket), heartbeat.timeoutMs);
        this.#pongTimer.unref();
      }
      socket.ping();
      this.protocol.onHeartbeat(this.#link);
    }, heartbeat.intervalMs);
    this.#heartbeatTimer.unref();
  }

  #onHeartbeatMissed(socket: WebSocket): void {
    this.#pongTimer = undefined;
    if (socket !== this.#socket || this.#isStopping || this.options.heartbeat === false) return;
    this.#lastError = `no pong within ${this.options.heartbeat.timeoutMs} ms; peer presumed dead`;
    this.#heartbeatFailed = true;
    this.#logger.warning('%s: %s; terminating and reconnecting', this.name, this.#lastError);
    socket.terminate();
  }

  /** Anything from the peer proves it is alive. */
  #onAlive(): void {
    if (this.#pongTimer !== undefined) {
      clearTimeout(this.#pongTimer);
      this.#pongTimer = undefined;
    }
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#pongTimer);
    this.#heartbeatTimer = undefined;
    this.#pongTimer = undefined;
  }

  async #waitForOpen(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const closedError = () =>
      new ConnectionError(
        'WSM_CLOSED',
        this.#isStopping
          ? `connection "${this.name}" is closed: the host is shutting down`
          : `connection "${this.name}" (${this.url}) gave up reconnecting${this.#lastError ? ` (last error: ${this.#lastError})` : ''}`,
        { connection: this.name },
      );
    if (this.#state === 'open') return;
    if (this.#isStopping || this.#state === 'failed' || this.#state === 'closed' || this.#state === 'closing') throw closedError();
    let watcher!: () => void;
    const settled = new Promise<void>((resolve) => {
      watcher = () => {
        if (this.#state === 'open' || this.#isStopping || this.#state === 'failed') resolve();
      };
      this.#stateWatchers.add(watcher);
    });
    try {
      const result = await boundedWait(settled, timeoutMs, signal);
      if (this.state === 'open') return;
      if (result.kind === 'settled') throw closedError();
      if (result.kind === 'aborted') throw new ConnectionError('WSM_NOT_OPEN', `connection "${this.name}": waiting for it to open was cancelled`, { connection: this.name });
      throw new ConnectionError(
        'WSM_NOT_OPEN',
        `connection "${this.name}" (${this.url}) is not open (${this.#state}${this.#lastError ? `, last error: ${this.#lastError}` : ''}); waited ${timeoutMs} ms`,
        { connection: this.name },
      );
    } finally {
      this.#stateWatchers.delete(watcher);
    }
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const watcher of this.#stateWatchers) watcher();
  }

  #settleFirstAttempt(error?: Error): void {
    const first = this.#firstAttempt;
    if (!first || first.settled) return;
    first.settled = true;
    if (error) first.reject(error);
    else first.resolve();
  }
}
