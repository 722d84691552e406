import type * as http from 'node:http';
import type { Socket } from 'node:net';
import { boundedWait } from '@mcp-host/core';
import { httpModuleFor } from './node-http.js';
import { refusal } from './resource-error.js';

export interface BackendResponse {
  readonly status: number;
  readonly etag: string | undefined;
  readonly contentType: string | undefined;
  /** Empty for 304. */
  readonly body: Buffer;
}

export interface BackendClientOptions {
  /** The source's name, for errors. */
  source: string;
  baseUrl: URL;
  /** Sent with every request; never logged or put in an error. */
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  maxResponseBytes: number;
  maxSockets: number;
}

export interface GetOptions {
  /** Aborts on client cancel and at shutdown. */
  signal: AbortSignal;
  /** The refusal a request aborted by `signal` rejects with. */
  onAbort(): Error;
  ifNoneMatch?: string | undefined;
  /** The resource URI the request is for, for errors. */
  uri?: string;
}

/** A URL as errors and logs may show it: no credentials, no query (tokens sometimes travel there). */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * GET requests to one backend through one keep-alive agent (created on first use, destroyed by `close()`),
 * each bounded by `timeoutMs` from connecting to the last body byte and by `maxResponseBytes`, and
 * destroyed at once when its signal aborts. Errors are refusals naming the status and URL, never headers.
 */
export class BackendClient {
  readonly #options: BackendClientOptions;
  #agent: http.Agent | undefined;
  readonly #inFlight = new Set<http.ClientRequest>();
  /** Every socket a request used and that has not closed yet (the agent's idle ones included). */
  readonly #sockets = new Set<Socket>();
  #isClosed = false;

  constructor(options: BackendClientOptions) {
    this.#options = options;
  }

  get isOpen(): boolean {
    return this.#agent !== undefined;
  }

  get(url: URL, options: GetOptions): Promise<BackendResponse> {
    const { source, timeoutMs, maxResponseBytes } = this.#options;
    const shown = displayUrl(url);
    const data = { source, url: shown, ...(options.uri ? { uri: options.uri } : {}) };
    if (options.signal.aborted) return Promise.reject(options.onAbort());
    if (this.#isClosed) return Promise.reject(refusal('shutting-down', `source "${source}": GET ${shown} not sent, the source is closed`, data));
    const isHttps = url.protocol === 'https:';
    this.#agent ??= this.#createAgent(isHttps);
    const headers: Record<string, string> = { accept: '*/*', ...this.#options.headers };
    if (options.ifNoneMatch) headers['if-none-match'] = options.ifNoneMatch;

    return new Promise<BackendResponse>((resolve, reject) => {
      let isSettled = false;
      const request = httpModuleFor(url.protocol).request(url, { method: 'GET', agent: this.#agent, headers });
      this.#inFlight.add(request);
      const settle = (error: Error | undefined, response?: BackendResponse) => {
        if (isSettled) return;
        isSettled = true;
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        this.#inFlight.delete(request);
        if (error) {
          request.destroy();
          reject(error);
        } else {
          resolve(response!);
        }
      };
      const timer = setTimeout(
        () => settle(refusal('backend-timeout', `source "${source}": GET ${shown} did not complete within ${timeoutMs} ms (timeoutMs)`, { ...data, timeoutMs })),
        timeoutMs,
      );
      const onAbort = () => settle(options.onAbort());
      options.signal.addEventListener('abort', onAbort, { once: true });

      request.on('error', (error: NodeJS.ErrnoException) => {
        settle(refusal('backend-unreachable', `source "${source}": GET ${shown} failed: ${error.code ?? error.message}`, { ...data, errno: error.code }));
      });
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        const header = (name: string) => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        if (status >= 400 || (status >= 300 && status !== 304)) {
          response.resume();
          const reason = status === 404 || status === 410 ? 'not-found' : 'backend-status';
          settle(refusal(reason, `source "${source}": GET ${shown} returned ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`, { ...data, status }));
          return;
        }
        const declared = Number(header('content-length'));
        if (Number.isFinite(declared) && declared > maxResponseBytes) {
          settle(refusal('backend-invalid', `source "${source}": GET ${shown} is ${declared} bytes, over maxResponseBytes (${maxResponseBytes})`, { ...data, size: declared, maxResponseBytes }));
          return;
        }
        const chunks: Buffer[] = [];
        let total = 0;
        response.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > maxResponseBytes) {
            settle(refusal('backend-invalid', `source "${source}": GET ${shown} sent more than maxResponseBytes (${maxResponseBytes})`, { ...data, maxResponseBytes }));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', (error: NodeJS.ErrnoException) => {
          settle(refusal('backend-unreachable', `source "${source}": GET ${shown} broke off: ${error.code ?? error.message}`, { ...data, errno: error.code }));
        });
        response.on('end', () => {
          settle(undefined, { status, etag: header('etag'), contentType: header('content-type'), body: Buffer.concat(chunks, total) });
        });
        response.on('close', () => {
          if (!response.complete) settle(refusal('backend-unreachable', `source "${source}": GET ${shown} broke off before the end of the body`, data));
        });
      });
      request.end();
    });
  }

  /**
   * A keep-alive agent whose every socket is tracked from the moment it is created (a request destroyed
   * while still connecting never emits 'socket', but its socket exists and must be waited for).
   */
  #createAgent(isHttps: boolean): http.Agent {
    const agent = new (httpModuleFor(isHttps ? 'https:' : 'http:').Agent)({ keepAlive: true, maxSockets: this.#options.maxSockets });
    const createConnection = (agent as unknown as { createConnection: (...args: unknown[]) => Socket }).createConnection.bind(agent);
    (agent as unknown as { createConnection: (...args: unknown[]) => Socket }).createConnection = (...args: unknown[]) => {
      const socket = createConnection(...args);
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      return socket;
    };
    return agent;
  }

  /**
   * Abort requests still in flight and destroy the agent's sockets; resolves once every socket has closed
   * (its 'close' event comes from the handle's close callback) or `signal` aborts. Idempotent.
   */
  async close(signal: AbortSignal): Promise<void> {
    this.#isClosed = true;
    for (const request of this.#inFlight) request.destroy();
    this.#inFlight.clear();
    this.#agent?.destroy();
    this.#agent = undefined;
    // Only 'close' proves the handle is gone: `socket.closed` turns true while the handle is still closing.
    // A socket still in the set has not emitted it yet.
    const closing = [...this.#sockets].map((socket) => {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.destroy();
      return closed;
    });
    await boundedWait(Promise.all(closing), Infinity, signal);
  }
}
