import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { HttpTransportConfig } from './config-schema.js';
import { HostError, describeError } from './errors.js';
import type { SessionHost, SessionListener } from './session-pool.js';
import { hostHeaderName, isLoopbackHost, isLoopbackOrigin, loopbackHostHeader } from './loopback-names.js';
import { HTTP_NOT_ADMITTED_CODE, HTTP_REFUSED_CODE, SHUTTING_DOWN_CODE } from './protocol-errors.js';
import { MODERN_REVISION, hasModernClaim } from './era.js';

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  /** HTTP exchanges of this session still open (requests being answered, SSE streams). */
  open: number;
  /** Armed while `open` is 0: closes the session once it has been idle for `sessionIdleTimeoutMs`. */
  idleTimer: NodeJS.Timeout | undefined;
  /** The session's transport closed (DELETE, idle, shutdown): no idle clock is armed for it any more. */
  isEnded: boolean;
}

/** An MCP-Protocol-Version header naming 2026-07-28 or later (revisions are dates: they compare as strings). */
function isModernVersionHeader(header: string | string[] | undefined): boolean {
  return typeof header === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(header) && header >= MODERN_REVISION;
}

/** Until `res` can take more (`drain`) or is gone (`close`); the listener that did not fire is removed, so a long stream under backpressure does not pile them up. */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/** A 2026-07-28 \`subscriptions/listen\` body, with the resource URIs it asks updates of. */
function modernListen(body: unknown): { uris: string[] } | undefined {
  const message = body as { method?: unknown; params?: { notifications?: { resourceSubscriptions?: unknown } } } | undefined;
  if (typeof message !== 'object' || message === null || message.method !== 'subscriptions/listen') return undefined;
  const uris = message.params?.notifications?.resourceSubscriptions;
  return { uris: Array.isArray(uris) ? uris.filter((uri): uri is string => typeof uri === 'string') : [] };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface HttpSessionServerOptions {
  /** Called once listening, with the endpoint's URL (the port chosen, for port 0). */
  onListening?: (url: URL) => void;
}

/**
 * The HTTP session server: Streamable HTTP on one endpoint, one SDK transport and one MCP server per session
 * (made by the host's session pool), all wired to the same plugins. Not itself an SDK `Transport`: it makes one
 * per session. It closes what the SDK (1.32.2) leaves open: `Origin` is checked on every request (403), unknown
 * sessions get 404, the body is bounded, and shutdown drains: the listener stops, idle keep-alive sockets close
 * at once, new requests on open sockets get 503, and sessions close only after the host has answered the
 * requests in flight.
 */
export class HttpSessionServer implements SessionListener {
  readonly #config: HttpTransportConfig;
  readonly #options: HttpSessionServerOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #sockets = new Set<Socket>();
  #host: SessionHost | undefined;
  #server: Server | undefined;
  #sessionCount = 0;
  /** Sessions begun and not closed yet (initialized or still initializing): what `maxSessions` bounds. */
  #liveSessions = 0;
  #url: URL | undefined;
  #isIntakeStopped = false;
  /** 2026-07-28 exchanges being answered or streaming (`subscriptions/listen`): aborted when the listener closes. */
  readonly #modernExchanges = new Set<AbortController>();
  /** `transport.host` is a loopback address: decided once, not per request. */
  readonly #isLoopbackBound: boolean;

  constructor(config: HttpTransportConfig, options: HttpSessionServerOptions = {}) {
    this.#config = config;
    this.#options = options;
    this.#isLoopbackBound = isLoopbackHost(config.host);
  }

  get url(): URL | undefined {
    return this.#url;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Listen on the configured host and port, serving each session through `host`. */
  async listen(host: SessionHost): Promise<void> {
    this.#host = host;
    const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => void this.#handle(req, res));
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => {
        const where = `${this.#config.host}:${this.#config.port}`;
        const busy = (error as { code?: string }).code === 'EADDRINUSE';
        reject(
          new HostError(
            'MCPH_TRANSPORT_LISTEN_FAILED',
            `cannot listen on ${where}: ${describeError(error)}. ${busy ? 'Another process uses the port: stop it, or set transport.port (0 picks a free one).' : 'Check transport.host and transport.port.'}`,
            { cause: error },
          ),
        );
      };
      server.once('error', fail);
      server.listen(this.#config.port, this.#config.host, () => {
        server.off('error', fail);
        resolve();
      });
    });
    this.#server = server;
    const address = server.address() as AddressInfo;
    const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.#url = new URL(`http://${hostname}:${address.port}${this.#config.path}`);
    if (!this.#isLoopbackBound && !this.#config.auth) {
      host.logger.warning('listening on %s without auth: anyone who can reach it can use every tool. Set transport.auth.bearerToken.', this.#config.host);
    }
    // Shutdown began while the listener was binding: stop at once, as if it had been listening already.
    if (this.#isIntakeStopped) this.stopIntake();
    this.#options.onListening?.(this.#url);
  }

  /** Shutdown began: stop listening, close idle keep-alive sockets; requests on the others get 503. */
  stopIntake(): void {
    this.#isIntakeStopped = true;
    this.#server?.close();
    this.#server?.closeIdleConnections();
  }

  /** After the drain: close every session (their SSE streams end), then every socket still open. */
  async close(): Promise<void> {
    this.stopIntake();
    for (const exchange of this.#modernExchanges) exchange.abort();
    this.#modernExchanges.clear();
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    for (const session of sessions) clearTimeout(session.idleTimer);
    await Promise.allSettled(sessions.map(({ server }) => server.close()));
    this.#server?.closeAllConnections();
    for (const socket of this.#sockets) socket.destroy();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.#route(req, res);
    } catch (error) {
      this.#host!.logger.error('HTTP %s %s failed: %s (MCPH_HOST_UNEXPECTED)', req.method, req.url, describeError(error));
      if (!res.headersSent) this.#reject(res, 500, -32603, 'Internal server error');
      else res.end();
    }
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The path without the query; no URL object: this runs for every request.
    const target = req.url ?? '/';
    const query = target.indexOf('?');
    const pathname = query === -1 ? target : target.slice(0, query);
    if (pathname !== this.#config.path) return this.#reject(res, 404, -32601, `Not found: the MCP endpoint is ${this.#config.path}`);
    if (this.#host!.isClosing) {
      return this.#refuseWhileClosing(res);
    }
    const hostProblem = this.#checkHost(req);
    if (hostProblem) return this.#reject(res, 403, HTTP_REFUSED_CODE, hostProblem);
    const originProblem = this.#checkOrigin(req);
    if (originProblem) return this.#reject(res, 403, HTTP_REFUSED_CODE, originProblem);
    if (this.#config.auth) {
      const header = req.headers.authorization ?? '';
      const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      if (!token || !sameSecret(token, this.#config.auth.bearerToken)) {
        res.setHeader('WWW-Authenticate', `Bearer realm="mcp-host", error="${token ? 'invalid_token' : 'invalid_request'}"`);
        return this.#reject(res, 401, HTTP_NOT_ADMITTED_CODE, token ? 'Unauthorized: the bearer token is not valid.' : 'Unauthorized: send Authorization: Bearer <token>.');
      }
    }

    let body: unknown;
    let text = '';
    if (req.method === 'POST') {
      const read = (text = await this.#readBody(req));
      if (read === 'too-large') {
        res.setHeader('Connection', 'close');
        return this.#reject(res, 413, -32600, `Request body over ${this.#config.maxBodyBytes} bytes`);
      }
      try {
        body = JSON.parse(read);
      } catch {
        return this.#reject(res, 400, -32700, 'Parse error: the body is not JSON');
      }
    }

    // The body may finish arriving after shutdown began: that request is new work too.
    if (this.#host!.isClosing) {
      return this.#refuseWhileClosing(res);
    }
    // 2026-07-28: no session, no initialize; each request names its revision in its \`_meta\` and in the
    // MCP-Protocol-Version header. Either one is the claim: a request whose two disagree is the 2026 handler's to refuse.
    if (req.method === 'POST' && req.headers['mcp-session-id'] === undefined && (hasModernClaim(body) || (isModernVersionHeader(req.headers['mcp-protocol-version']) && !isInitializeRequest(body)))) {
      return this.#serveModern(req, res, body, text);
    }
    if (this.#config.stateless) return this.#serveStateless(req, res, body);

    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.#sessions.get(sessionId);
      if (!session) return this.#reject(res, 404, HTTP_NOT_ADMITTED_CODE, 'Session not found: it ended or never existed. Initialize a new session.');
      this.#trackExchange(session, res);
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method === 'POST' && (isInitializeRequest(body) || (Array.isArray(body) && body.some((message) => isInitializeRequest(message))))) {
      return this.#startSession(req, res, body);
    }
    if (req.method === 'GET' || req.method === 'DELETE') return this.#reject(res, 400, HTTP_REFUSED_CODE, 'Bad request: Mcp-Session-Id header required');
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'GET, POST, DELETE');
      return this.#reject(res, 405, HTTP_REFUSED_CODE, 'Method not allowed');
    }
    return this.#reject(res, 400, HTTP_REFUSED_CODE, 'Bad request: no Mcp-Session-Id header, and the message is not an initialize request');
  }

  async #startSession(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    // Over the cap a new session is refused; a live one is never evicted for it.
    if (this.#liveSessions >= this.#config.maxSessions) {
      const given = Array.isArray(body) ? undefined : (body as { id?: unknown } | undefined)?.id;
      const id = typeof given === 'string' || typeof given === 'number' ? given : null;
      res.setHeader('Retry-After', '60');
      res.writeHead(503, { 'Content-Type': 'application/json' });
      const message = `Too many sessions: ${this.#config.maxSessions} are open (transport.maxSessions). End one (DELETE) or retry later.`;
      res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: HTTP_REFUSED_CODE, message } }));
      return;
    }
    const key = `http-${++this.#sessionCount}`;
    this.#liveSessions++;
    let session: Session | undefined;
    let isEnded = false;
    const ended = () => {
      if (isEnded) return;
      isEnded = true;
      this.#liveSessions--;
      if (session) {
        session.isEnded = true;
        clearTimeout(session.idleTimer);
      }
      if (transport.sessionId) this.#sessions.delete(transport.sessionId);
    };
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        if (session) this.#sessions.set(sessionId, session);
      },
      onsessionclosed: (sessionId) => {
        this.#sessions.delete(sessionId);
      },
    });
    let server: McpServer;
    try {
      server = await this.#host!.connect(transport, key);
    } catch (error) {
      ended();
      throw error;
    }
    session = { transport, server, open: 0, idleTimer: undefined, isEnded };
    transport.onclose = ((previous) => () => {
      ended();
      previous?.();
    })(transport.onclose);
    this.#trackExchange(session, res);
    await transport.handleRequest(req, res, body);
    // The initialize failed (no session came of it): nothing will ever use this server.
    if (!transport.sessionId) {
      ended();
      void server.close().catch(() => {});
    }
  }

  /**
   * One HTTP exchange of `session` is open until `res` closes; the idle clock runs from the last one's end. One timer
   * per session, re-armed (`refresh()`) when an exchange ends rather than cleared and made anew on every request; it
   * does nothing if it fires while an exchange is open (a long SSE stream), and the next exchange's end re-arms it.
   */
  #trackExchange(session: Session, res: ServerResponse): void {
    session.open++;
    // `on`, not `once`: a response closes once, and this runs on every request.
    res.on('close', () => {
      session.open--;
      // The exchange that ended the session (its DELETE) closes after the session did: arming the idle clock then
      // would keep the closed session's server and transport in memory for sessionIdleTimeoutMs.
      if (session.open > 0 || session.isEnded || this.#isIntakeStopped) return;
      if (session.idleTimer) {
        session.idleTimer.refresh();
        return;
      }
      session.idleTimer = setTimeout(() => this.#closeIfIdle(session), this.#config.sessionIdleTimeoutMs);
      // The listening server holds the process; an idle session's clock must not.
      session.idleTimer.unref();
    });
  }

  #closeIfIdle(session: Session): void {
    if (session.open > 0 || session.isEnded || this.#isIntakeStopped) return;
    this.#host!.logger.debug('closing HTTP session %s: idle for %d ms (transport.sessionIdleTimeoutMs)', session.transport.sessionId, this.#config.sessionIdleTimeoutMs);
    void session.server.close().catch(() => {});
  }

  async #serveStateless(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return this.#reject(res, 405, HTTP_REFUSED_CODE, 'Method not allowed: this endpoint is stateless (POST only)');
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    const server = await this.#host!.connect(transport, `http-stateless-${++this.#sessionCount}`);
    res.on('close', () => void server.close().catch(() => {}));
    await transport.handleRequest(req, res, body);
  }

  /**
   * One 2026-07-28 request, answered by the SDK's handler (bridged from node:http to fetch's Request/Response): a
   * JSON body, or an SSE stream when the handler sends notifications first or for a \`subscriptions/listen\`.
   * Tracked like a session's request, so the drain waits for it; a listen is not (it lasts until the client or
   * shutdown ends it), and watches the resources it names while it is open.
   */
  async #serveModern(req: IncomingMessage, res: ServerResponse, body: unknown, text: string): Promise<void> {
    const host = this.#host!;
    const endpoint = await host.modernEndpoint();
    const id = (body as { id?: unknown }).id ?? null;
    const refusal = await endpoint.checkParamHeaders(body, req.headers);
    if (refusal) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id, error: refusal }));
      return;
    }
    const listen = modernListen(body);
    const exchange = new AbortController();
    // Cut at the drain deadline: the error is the answer (as JSON, or as the stream's last event), and whatever the
    // handler answers later is not written.
    const cut = async (error: { code: number; message: string }) => {
      exchange.abort();
      const message = JSON.stringify({ jsonrpc: '2.0', id, error });
      if (res.writableEnded) return;
      if (!res.headersSent) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(message);
      } else if (String(res.getHeader('content-type')).startsWith('text/event-stream')) {
        res.end(`event: message\ndata: ${message}\n\n`);
      } else {
        res.end();
      }
    };
    const settle = listen ? () => {} : host.admitExchange(cut);
    if (!settle) return this.#refuseWhileClosing(res);
    this.#modernExchanges.add(exchange);
    const unwatch = listen?.uris.length ? host.watchResources(listen.uris) : undefined;
    res.once('close', () => {
      exchange.abort();
      this.#modernExchanges.delete(exchange);
      unwatch?.();
      settle();
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    const request = new Request(`http://${req.headers.host}${req.url ?? '/'}`, { method: 'POST', headers, body: text, signal: exchange.signal });
    let response: Response;
    try {
      response = await endpoint.fetch(request, body);
    } catch (error) {
      if (exchange.signal.aborted) return;
      throw error;
    }
    if (res.writableEnded || exchange.signal.aborted) {
      void response.body?.cancel().catch(() => {});
      return;
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) {
      res.end();
      return;
    }
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || res.destroyed || res.writableEnded) break;
        if (!res.write(value)) await drainOrClose(res);
      }
    } catch {
      // The exchange was aborted (client gone, shutdown): the stream ends here.
    } finally {
      if (!res.writableEnded) res.end();
      settle();
    }
  }

  #checkHost(req: IncomingMessage): string | undefined {
    const header = req.headers.host;
    if (!header) return 'Forbidden: Host header required';
    const allowed = this.#config.allowedHosts;
    if (allowed) {
      const name = hostHeaderName(header);
      return allowed.includes(header) || (name !== undefined && allowed.some((host) => host.toLowerCase() === name)) ? undefined : `Forbidden: Host ${header} is not allowed`;
    }
    // Bound to loopback: only loopback names may reach us (DNS-rebinding protection).
    if (this.#isLoopbackBound) {
      const canonical = loopbackHostHeader(header);
      if (canonical === undefined) return `Forbidden: Host ${header} is not allowed`;
      if (canonical !== header) req.headers.host = canonical;
    }
    return undefined;
  }

  #checkOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    if (origin === undefined) return undefined;
    const allowed = this.#config.allowedOrigins;
    if (allowed) return allowed.includes(origin) ? undefined : `Forbidden: Origin ${origin} is not allowed`;
    return isLoopbackOrigin(origin) ? undefined : `Forbidden: Origin ${origin} is not allowed`;
  }

  #readBody(req: IncomingMessage): Promise<string | 'too-large'> {
    const limit = this.#config.maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      return Promise.resolve('too-large');
    }
    return new Promise((resolve, reject) => {
      // Most bodies arrive in one chunk: decoded as it is, without a copy through Buffer.concat.
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.removeAllListeners('data');
          req.resume();
          resolve('too-large');
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  /** 503 with a JSON-RPC error, and the socket closed after it: shutdown has begun. */
  #refuseWhileClosing(res: ServerResponse): void {
    this.#host!.countRefused();
    res.setHeader('Connection', 'close');
    this.#reject(res, 503, SHUTTING_DOWN_CODE, 'The server is shutting down; the request was not run.');
  }

  #reject(res: ServerResponse, status: number, code: number, message: string): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
  }
}
