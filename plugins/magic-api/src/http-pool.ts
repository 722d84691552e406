import type * as http from 'node:http';
import type { Socket } from 'node:net';
import { MagicError } from './magic-error.js';
import { httpModuleFor } from './node-http.js';

/** One HTTP exchange as the pool sends it. */
export interface PoolRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  /** Aborts this request (the caller's cancellation); the pool's own close aborts it too. */
  signal?: AbortSignal | undefined;
  /** Bound from sending to the last byte of the answer; the pool's `timeoutMs` unless given. */
  timeoutMs?: number | undefined;
  /** Largest body accepted; the pool's `maxResponseBytes` unless given. */
  maxResponseBytes?: number | undefined;
}

/** An answer, read to its end. */
export interface PoolResponse {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpPoolOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  /** Sockets kept to the server at once. */
  maxSockets: number;
}

/** How a request shows in errors and logs: method and path, never the query (tokens travel there) or headers. */
export function describeEndpoint(method: string, url: URL): string {
  return `${method} ${url.pathname}`;
}

/**
 * Every HTTP request of the plugin goes through one pool: one keep-alive agent per protocol (created on first use),
 * each request bounded by a real timer from sending to its last byte and by a body cap, destroyed at once when its
 * signal or the pool's `abortAll()` fires. `close()` destroys the agents and waits until every socket they opened
 * has closed, so nothing outlives the plugin's shutdown tap.
 */
export class HttpPool {
  readonly #options: HttpPoolOptions;
  readonly #agents = new Map<string, http.Agent>();
  readonly #inFlight = new Set<(error: MagicError) => void>();
  /** Every socket an agent created that has not closed yet, idle keep-alive ones included. */
  readonly #sockets = new Set<Socket>();
  #isClosed = false;

  constructor(options: HttpPoolOptions) {
    this.#options = options;
  }

  /** Requests waiting for their answer now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Sockets open now (in use or idle). */
  get openSockets(): number {
    return this.#sockets.size;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  send(request: PoolRequest): Promise<PoolResponse> {
    const endpoint = describeEndpoint(request.method, request.url);
    if (this.#isClosed) return Promise.reject(new MagicError('MAGIC_CLOSED', `${endpoint}: not sent, the Magic-API client is closed (the host is shutting down)`, { endpoint }));
    if (request.signal?.aborted) return Promise.reject(aborted(endpoint, request.signal));
    const timeoutMs = request.timeoutMs ?? this.#options.timeoutMs;
    const maxBytes = request.maxResponseBytes ?? this.#options.maxResponseBytes;
    let outgoing: http.ClientRequest;
    try {
      outgoing = httpModuleFor(request.url.protocol).request(request.url, {
        method: request.method,
        agent: this.#agent(request.url.protocol),
        headers: request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(request.body.length) },
      });
    } catch (error) {
      // Node refuses a header value with a line break or a non-Latin-1 character before anything is sent.
      return Promise.reject(new MagicError('MAGIC_INVALID_REQUEST', `${endpoint}: cannot be sent: ${(error as Error).message}`, { endpoint, cause: error }));
    }

    return new Promise<PoolResponse>((resolve, reject) => {
      let isSettled = false;
      const settle = (error: MagicError | undefined, response?: PoolResponse) => {
        if (isSettled) return;
        isSettled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        this.#inFlight.delete(abort);
        if (error) {
          outgoing.destroy();
          reject(error);
        } else {
          resolve(response!);
        }
      };
      const abort = (error: MagicError) => settle(error);
      this.#inFlight.add(abort);
      const timer = setTimeout(
        () => settle(new MagicError('MAGIC_TIMEOUT', `${endpoint}: no complete answer within ${formatSeconds(timeoutMs)} (timeoutSeconds, MAGIC_API_TIMEOUT_SECONDS)`, { endpoint })),
        timeoutMs,
      );
      const onAbort = () => settle(aborted(endpoint, request.signal!));
      request.signal?.addEventListener('abort', onAbort, { once: true });

      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        settle(new MagicError('MAGIC_UNREACHABLE', `${endpoint}: ${request.url.host} cannot be reached: ${error.code ?? error.message}`, { endpoint, cause: error }));
      });
      outgoing.on('response', (response) => {
        const status = response.statusCode ?? 0;
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          response.resume();
          settle(new MagicError('MAGIC_TOO_LARGE', `${endpoint}: the answer is ${declared} bytes, over maxResponseBytes (${maxBytes})`, { endpoint, status }));
          return;
        }
        const chunks: Buffer[] = [];
        let total = 0;
        response.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > maxBytes) {
            settle(new MagicError('MAGIC_TOO_LARGE', `${endpoint}: the answer grew past maxResponseBytes (${maxBytes})`, { endpoint, status }));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', (error: NodeJS.ErrnoException) => {
          settle(new MagicError('MAGIC_UNREACHABLE', `${endpoint}: the answer broke off: ${error.code ?? error.message}`, { endpoint, status, cause: error }));
        });
        response.on('end', () => {
          settle(undefined, { status, statusMessage: response.statusMessage ?? '', headers: response.headers, body: Buffer.concat(chunks, total) });
        });
        response.on('close', () => {
          if (!response.complete) settle(new MagicError('MAGIC_UNREACHABLE', `${endpoint}: the answer broke off before its end`, { endpoint, status }));
        });
      });
      outgoing.end(request.body);
    });
  }

  /** Abort every request in flight with `MAGIC_ABORTED`; the pool stays usable. */
  abortAll(reason: string): void {
    for (const abort of [...this.#inFlight]) abort(new MagicError('MAGIC_ABORTED', `the request was aborted: ${reason}`));
  }

  /**
   * Refuse new requests, abort those in flight, destroy the agents and every socket they opened; resolves once
   * each socket has closed (its `close` event) or `signal` aborts. Idempotent.
   */
  async close(signal?: AbortSignal): Promise<void> {
    this.#isClosed = true;
    this.abortAll('the Magic-API client is closing');
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
    const closing = [...this.#sockets].map((socket) => {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.destroy();
      return closed;
    });
    if (closing.length === 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      if (signal?.aborted) done();
      void Promise.all(closing).then(done);
    });
  }

  /** The keep-alive agent for a protocol; every socket it creates is tracked from its creation (even one destroyed while connecting). */
  #agent(protocol: string): http.Agent {
    let agent = this.#agents.get(protocol);
    if (agent) return agent;
    const options = { keepAlive: true, maxSockets: this.#options.maxSockets };
    agent = new (httpModuleFor(protocol).Agent)(options);
    const internal = agent as unknown as { createConnection: (...args: unknown[]) => Socket };
    const createConnection = internal.createConnection.bind(agent);
    internal.createConnection = (...args: unknown[]) => {
      const socket = createConnection(...args);
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      return socket;
    };
    this.#agents.set(protocol, agent);
    return agent;
  }
}

function aborted(endpoint: string, signal: AbortSignal): MagicError {
  const reason = signal.reason instanceof Error ? signal.reason.message : typeof signal.reason === 'string' ? signal.reason : 'cancelled';
  return new MagicError('MAGIC_ABORTED', `${endpoint}: aborted (${reason})`, { endpoint, cause: signal.reason });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
