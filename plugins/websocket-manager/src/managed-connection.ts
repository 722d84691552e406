import { connect as netConnect, isIP, type NetConnectOpts, type Socket } from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { boundedWait, type Logger } from '@mcp-host/core';
import type { ClientOptions, WebSocket } from 'ws';
import { backoffDelay } from './backoff.js';
import { ConnectionError } from './connection-error.js';
import { receiveTime } from './receive-clock.js';
import { ReceivedMessage } from './received-message.js';
import { MessageBuffer, type BufferedMessage, type MessageQuery } from './message-buffer.js';
import { waitForMessages, type MessageSource, type WaitForOptions } from './message-wait.js';
import type { ConnectionOptions } from './options.js';
import { createProtocol } from './protocols/create-protocol.js';
import type { MagicApiConsole } from './protocols/magic-api-console.js';
import type { Protocol, ProtocolLink } from './protocols/protocol.js';
import type { ConnectionHandle, ConnectionInfo, ConnectionState, MessageListener, SendOptions } from './service.js';
import { READY_STATE, loadWebSocket, loadedWebSocket } from './ws-loader.js';

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

/** Close code and reason for a socket whose login failed (refused, or it cannot complete); the peer still answers it. */
const LOGIN_FAILED_CLOSE_CODE = 1000;
const LOGIN_FAILED_CLOSE_REASON = 'login failed';

/**
 * One backend WebSocket, kept open for the host's lifetime: connects, logs in when its protocol has a login,
 * reconnects with backoff, detects a dead peer with ping frames (and, for a server with its own keep-alive, its
 * silence), buffers what it receives, and closes with a close frame and a bound.
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
  /** This connection as `waitFor` sees it. */
  readonly #messageSource: MessageSource;
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
  /** Bounds the login on the current socket (`connectTimeoutMs`). */
  #loginTimer: NodeJS.Timeout | undefined;
  /** Fires when the server's own keep-alive has been silent `serverPingTimeoutMs`. */
  #serverPingTimer: NodeJS.Timeout | undefined;
  /** The current socket completed the WebSocket handshake. */
  #isSocketUp = false;
  /**
   * We ended the current socket ourselves, and `lastError` says why already: `dropped` (a missed heartbeat, a
   * silent server, a login that cannot complete) retries after the backoff, `refused` waits for new credentials.
   */
  #endCause: 'dropped' | 'refused' | undefined;
  /** Refused logins in a row; the first of a run is a warning, the rest debug lines. */
  #refusals = 0;
  /** New credentials arrived while a refused socket was still closing: try again as soon as it is gone. */
  #hasNewCredentials = false;
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
        if (this.#socket?.readyState === READY_STATE.OPEN) this.#socket.send(text);
      },
      logger,
      loggedIn: () => this.#onLoggedIn(),
      loginRefused: (reason) => this.#onLoginRefused(reason),
      unusable: (reason) => this.#dropSocket(reason, 'close'),
      serverPing: () => this.#armServerPingWatch(),
      credentialsChanged: () => this.#onCredentialsChanged(),
    };
    protocol.attach?.(this.#link);
    this.#messageSource = {
      name: this.name,
      bufferedAfter: (seq) => this.buffer.after(seq),
      subscribe: (listener) => this.subscribe(listener),
      endedReason: () => this.#endedReason(),
      watchEnd: (listener) => {
        const watcher = () => {
          const reason = this.#endedReason();
          if (reason !== undefined) listener(reason);
        };
        this.#stateWatchers.add(watcher);
        return () => this.#stateWatchers.delete(watcher);
      },
    };
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get readyState(): number {
    return this.#socket?.readyState ?? READY_STATE.CLOSED;
  }

  /** True once shutdown began for this connection. */
  get isStopping(): boolean {
    return this.#isStopping;
  }

  get console(): MagicApiConsole | undefined {
    return this.protocol.console;
  }

  /** Listeners subscribed now (`subscribe`, and every `waitFor` in progress). */
  get subscriberCount(): number {
    return this.#listeners.size;
  }

  info(): ConnectionInfo {
    const session = this.protocol.console;
    return {
      name: this.name,
      url: this.url,
      protocol: this.protocol.name,
      state: this.#state,
      connectedSince: this.#state === 'open' && this.#openedAt !== undefined ? new Date(this.#openedAt).toISOString() : undefined,
      reconnects: this.#reconnects,
      retry: this.#retry,
      nextAttemptAt: (this.#state === 'backoff' || this.#state === 'refused') && this.#nextAttemptAt !== undefined ? new Date(this.#nextAttemptAt).toISOString() : undefined,
      lastError: this.#lastError,
      buffered: this.buffer.size,
      received: this.buffer.total,
      dropped: this.buffer.dropped,
      lastClose: this.#lastClose,
      ...(session
        ? { console: { clientId: session.clientId, login: session.login.status, username: session.login.status === 'ok' ? session.login.user.username : undefined } }
        : {}),
    };
  }

  messages(query?: MessageQuery): BufferedMessage[] {
    return this.buffer.query(query);
  }

  subscribe(listener: MessageListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  waitForOpen(options: SendOptions = {}): Promise<void> {
    return this.#waitForOpen(options.timeoutMs ?? this.options.sendTimeoutMs, options.signal);
  }

  waitFor<M extends BufferedMessage>(predicate: (message: BufferedMessage) => message is M, options: WaitForOptions): Promise<M[]>;
  waitFor(predicate: (message: BufferedMessage) => boolean, options: WaitForOptions): Promise<BufferedMessage[]>;
  waitFor(predicate: (message: BufferedMessage) => boolean, options: WaitForOptions): Promise<BufferedMessage[]> {
    return waitForMessages(this.#messageSource, predicate, options);
  }

  /** Why no message can arrive on this connection any more, or `undefined` while some can. */
  #endedReason(): string | undefined {
    if (this.#state === 'closed') return 'is closed: the host is shutting down';
    if (this.#state === 'failed') return `gave up reconnecting${this.#lastError ? ` (last error: ${this.#lastError})` : ''}`;
    return undefined;
  }

  /**
   * Start connecting. The promise settles with the first attempt: it resolves once the connection is open (for a
   * protocol with a login: logged in) and rejects if that attempt failed or its login was refused (later attempts
   * are retries in the background). A connection marked `required` does not retry after its first attempt
   * failed: startup fails instead.
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
    } else if (loadedWebSocket()) {
      this.#connect();
    } else {
      // ws is loaded on first need (ConnectionManager.connectAll loads it before starting its connections).
      loadWebSocket().then(
        () => (this.#isStopping ? this.#settleFirstAttempt(new ConnectionError('WSM_CLOSED', `connection "${this.name}" was not started: the host is shutting down`, { connection: this.name })) : this.#connect()),
        (error: unknown) => this.#settleFirstAttempt(error instanceof Error ? error : new Error(String(error))),
      );
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
    this.#stopSocketTimers();
    if (this.#backoffTimer !== undefined) {
      clearTimeout(this.#backoffTimer);
      this.#backoffTimer = undefined;
      this.#nextAttemptAt = undefined;
      this.#setState('closed');
    } else if (this.#state === 'idle' || this.#state === 'failed') {
      this.#setState(this.#state === 'idle' ? 'closed' : 'failed');
    }
    // A socket still in its handshake is abandoned; one that is up (logging in, say) gets its close frame in close().
    if (this.#state === 'connecting' && this.#socket && !this.#isSocketUp) {
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
    } else if (socket === undefined || socket.readyState === READY_STATE.CONNECTING || this.#abandonedAttempt) {
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
    if (socket.readyState === READY_STATE.OPEN) socket.close(SHUTDOWN_CLOSE_CODE, SHUTDOWN_CLOSE_REASON);
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
    const { WebSocket, tlsConnect } = loadedWebSocket()!;
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
    // Messages of a socket already replaced (terminated, read in the same tick) are not this connection's any more.
    socket.on('message', (data: Buffer, isBinary: boolean) => socket === this.#socket && this.#onMessage(data, isBinary));
    socket.on('pong', () => this.#onAlive());
  }

  #onOpen(socket: WebSocket): void {
    if (socket !== this.#socket) return;
    if (this.#isStopping) {
      socket.terminate();
      return;
    }
    this.#isSocketUp = true;
    this.#startHeartbeat(socket);
    if (!this.protocol.logsIn) {
      this.#markOpen();
      this.protocol.onOpen(this.#link);
      return;
    }
    // Up, but not usable until the server accepts the login; bounded like the handshake.
    this.#setState('authenticating');
    const bound = this.options.connectTimeoutMs;
    this.#loginTimer = setTimeout(() => {
      this.#loginTimer = undefined;
      if (socket === this.#socket && this.#state === 'authenticating') this.#dropSocket(`no answer to the login within ${bound} ms (connectTimeoutMs)`, 'terminate');
    }, bound);
    this.#loginTimer.unref();
    this.protocol.onOpen(this.#link);
  }

  /** The socket is usable: open (after the login, for a protocol that has one). */
  #markOpen(): void {
    this.#openedAt = Date.now();
    this.#refusals = 0;
    this.#setState('open');
    const session = this.protocol.console;
    const login = session?.login.status === 'ok' ? `; logged in as ${JSON.stringify(session.login.user.username ?? null)}, client id ${session.login.clientId}` : '';
    this.#logger.info('%s: connected to %s%s%s', this.name, this.url, this.#reconnects > 0 ? ` (reconnect ${this.#reconnects})` : '', login);
    this.#armServerPingWatch();
    this.#settleFirstAttempt();
  }

  #onLoggedIn(): boolean {
    if (this.#state !== 'authenticating' || this.#isStopping || this.#socket === undefined) return false;
    clearTimeout(this.#loginTimer);
    this.#loginTimer = undefined;
    this.#markOpen();
    return true;
  }

  #onLoginRefused(reason: string): boolean {
    const socket = this.#socket;
    if (this.#state !== 'authenticating' || this.#isStopping || socket === undefined) return false;
    clearTimeout(this.#loginTimer);
    this.#loginTimer = undefined;
    this.#lastError = reason;
    this.#endCause = 'refused';
    // `refused` at once, so nothing waits for this socket to open; it closes (the server answers the close frame).
    this.#setState('refused');
    socket.close(LOGIN_FAILED_CLOSE_CODE, LOGIN_FAILED_CLOSE_REASON);
    return true;
  }

  /**
   * End the current socket ourselves, `lastError` saying why, and reconnect after the backoff: with a close frame
   * when the peer is talking to us (a login that cannot complete), terminated when it is not (no pong, no ping, no
   * login answer).
   */
  #dropSocket(reason: string, how: 'close' | 'terminate'): void {
    const socket = this.#socket;
    if (socket === undefined || this.#isStopping || this.#endCause !== undefined) return;
    clearTimeout(this.#loginTimer);
    this.#loginTimer = undefined;
    this.#lastError = reason;
    this.#endCause = 'dropped';
    this.#logger.warning('%s: %s; reconnecting', this.name, reason);
    if (how === 'terminate' || socket.readyState !== READY_STATE.OPEN) socket.terminate();
    else socket.close(LOGIN_FAILED_CLOSE_CODE, LOGIN_FAILED_CLOSE_REASON);
  }

  #onCredentialsChanged(): void {
    if (this.#state !== 'refused' || this.#isStopping) return;
    if (this.#backoffTimer === undefined) {
      // The refused socket is still closing: try again once it is gone.
      this.#hasNewCredentials = true;
      return;
    }
    clearTimeout(this.#backoffTimer);
    this.#backoffTimer = undefined;
    this.#nextAttemptAt = undefined;
    this.#logger.info('%s: new credentials; logging in again', this.name);
    this.#reconnects++;
    this.#connect();
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
    const wasUp = this.#isSocketUp;
    const openFor = wasOpen ? Date.now() - this.#openedAt! : 0;
    const endCause = this.#endCause;
    this.#socket = undefined;
    this.#openedAt = undefined;
    this.#isSocketUp = false;
    this.#endCause = undefined;
    this.#stopSocketTimers();
    this.protocol.onClose?.();
    if (wasOpen) this.#lastClose = { code: closed.code, reason: closed.reason, at: new Date().toISOString() };
    if (this.#isStopping) {
      if (this.#state !== 'failed') this.#setState('closed');
      return;
    }
    if (endCause === 'refused') {
      this.#onRefused();
      return;
    }
    const how = `${closed.code}${closed.reason ? ` ${closed.reason}` : ''}`;
    if (wasOpen) {
      // When we ended the socket, #lastError says why already; otherwise say how the peer left.
      if (endCause === undefined) this.#lastError = `connection lost (${how})${error ? `: ${error.message}` : ''}`;
      // Only a connection that stayed up resets the backoff: a backend that accepts and drops at once is
      // retried with growing delays, like one that refuses.
      if (openFor >= this.options.reconnect.maxDelayMs) this.#retry = 0;
      this.#logger.warning('%s: %s', this.name, this.#lastError);
    } else if (endCause === undefined) {
      this.#lastError = wasUp ? `the server closed the connection before the login was answered (${how})` : error?.message || `connection failed (${closed.code})`;
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
    if (this.#isOutOfRetries()) return;
    this.#retry++;
    const delay = backoffDelay(this.options.reconnect, this.#retry);
    this.#logger.debug('%s: retry %d in %d ms', this.name, this.#retry, delay);
    this.#scheduleAttempt('backoff', delay);
  }

  /**
   * The server refused the credentials. Retrying them would be refused again, so the connection waits in `refused`:
   * a new token (`console.setToken`) tries again at once; without one it tries at the backoff's longest delay, in case
   * the server's configuration changed — one login per `reconnect.maxDelayMs`, never a storm. `maxRetries` counts
   * these tries too. A `required` connection refused on its first attempt fails startup instead.
   */
  #onRefused(): void {
    const error = new ConnectionError(
      'WSM_LOGIN_REFUSED',
      `connection "${this.name}" (${this.url}): ${this.#lastError}. Give it a valid token: auth.token, or the service's console.setToken()`,
      { connection: this.name },
    );
    if (this.#firstAttempt && !this.#firstAttempt.settled && this.options.required) {
      this.#setState('failed');
      this.#settleFirstAttempt(error);
      return;
    }
    this.#settleFirstAttempt(error);
    if (this.#isOutOfRetries()) return;
    this.#retry++;
    const { reconnect } = this.options;
    const delay = this.#hasNewCredentials ? 0 : backoffDelay({ ...reconnect, initialDelayMs: reconnect.maxDelayMs }, 1);
    this.#hasNewCredentials = false;
    if (this.#refusals++ === 0) {
      this.#logger.warning(
        '%s: %s; waiting for a new token (the service\'s console.setToken()), and trying again in %d ms meanwhile (reconnect.maxDelayMs)',
        this.name,
        this.#lastError,
        delay,
      );
    } else {
      this.#logger.debug('%s: login refused again (%d in a row); next try in %d ms', this.name, this.#refusals, delay);
    }
    this.#scheduleAttempt('refused', delay);
  }

  /** `reconnect.maxRetries` reached: state `failed`, said once. */
  #isOutOfRetries(): boolean {
    const { maxRetries } = this.options.reconnect;
    if (maxRetries === null || this.#retry < maxRetries) return false;
    this.#setState('failed');
    this.#logger.error('%s: giving up on %s after %d retries: %s', this.name, this.url, this.#retry, this.#lastError);
    return true;
  }

  /** The next connection attempt in `delay` ms, waiting in `state`. */
  #scheduleAttempt(state: 'backoff' | 'refused', delay: number): void {
    if (this.#isStopping) return;
    this.#nextAttemptAt = Date.now() + delay;
    this.#setState(state);
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
      if (socket.readyState !== READY_STATE.OPEN) return;
      if (this.#pongTimer === undefined) {
        this.#pongTimer = setTimeout(() => this.#onHeartbeatMissed(socket), heartbeat.timeoutMs);
        this.#pongTimer.unref();
      }
      socket.ping();
    }, heartbeat.intervalMs);
    this.#heartbeatTimer.unref();
  }

  #onHeartbeatMissed(socket: WebSocket): void {
    this.#pongTimer = undefined;
    if (socket !== this.#socket || this.options.heartbeat === false) return;
    this.#dropSocket(`no pong within ${this.options.heartbeat.timeoutMs} ms; peer presumed dead`, 'terminate');
  }

  /**
   * A protocol whose server keeps the session alive with its own pings (magic-api: every 20 s): while open, the next
   * one must come within `serverPingTimeoutMs`. Silence means the server no longer holds this session, or the path
   * is gone, even if ws pings are still answered (the server's WebSocket container answers those by itself).
   */
  #armServerPingWatch(): void {
    const bound = this.options.serverPingTimeoutMs;
    const socket = this.#socket;
    if (!this.protocol.serverPings || bound === false || this.#state !== 'open' || this.#isStopping || socket === undefined) return;
    clearTimeout(this.#serverPingTimer);
    this.#serverPingTimer = setTimeout(() => {
      this.#serverPingTimer = undefined;
      if (socket === this.#socket) this.#dropSocket(`no ping from the server within ${bound} ms (serverPingTimeoutMs): it no longer holds this session`, 'terminate');
    }, bound);
    this.#serverPingTimer.unref();
  }

  /** Anything from the peer proves it is alive. */
  #onAlive(): void {
    if (this.#pongTimer !== undefined) {
      clearTimeout(this.#pongTimer);
      this.#pongTimer = undefined;
    }
  }

  /** Clear every timer that belongs to the current socket: heartbeat, pong bound, login bound, server-ping watch. */
  #stopSocketTimers(): void {
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#pongTimer);
    clearTimeout(this.#loginTimer);
    clearTimeout(this.#serverPingTimer);
    this.#heartbeatTimer = undefined;
    this.#pongTimer = undefined;
    this.#loginTimer = undefined;
    this.#serverPingTimer = undefined;
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
    // Waiting out the bound would not help a refused login: say so at once (a new token reconnects first).
    const refusedError = () =>
      new ConnectionError('WSM_LOGIN_REFUSED', `connection "${this.name}" (${this.url}) is not open: ${this.#lastError ?? 'the server refused the login'}; it needs a new token`, {
        connection: this.name,
      });
    if (this.#state === 'open') return;
    if (this.#isStopping || this.#state === 'failed' || this.#state === 'closed' || this.#state === 'closing') throw closedError();
    if (this.#state === 'refused') throw refusedError();
    let watcher!: () => void;
    const settled = new Promise<void>((resolve) => {
      watcher = () => {
        if (this.#state === 'open' || this.#isStopping || this.#state === 'failed' || this.#state === 'refused') resolve();
      };
      this.#stateWatchers.add(watcher);
    });
    try {
      const result = await boundedWait(settled, timeoutMs, signal);
      if (this.state === 'open') return;
      if (result.kind === 'settled') throw (this.#state as ConnectionState) === 'refused' && !this.#isStopping ? refusedError() : closedError();
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
