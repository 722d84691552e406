import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolRequestSchema, ErrorCode, McpError, SetLevelRequestSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { boundedWait } from './bounded-wait.js';
import { HostError, describeError } from './errors.js';
import { isLevelEnabled, type LogLevel, type LogOutput, type LogRecord, type LogSink, type Logger } from './logger.js';
import type { Registration, RequestClient, RequestClientTarget, RequestLogTarget } from './plugin.js';
import { Ledger, RequestTracker } from './request-tracker.js';
import { ResourceCatalog } from './resource-catalog.js';
import { hasModernClaim, type EraHost, type ModernEndpoint, type ModernPeer, type ModernRequestOrigin, type RequestHandlerTable } from './era.js';

export type { Transport };

/** What a session listener (the HTTP session server) gets from the host when serving begins. */
export interface SessionHost {
  /** Serve one session over `transport`, on an MCP server of its own; `sessionKey` is unique per session. */
  connect(transport: Transport, sessionKey: string): Promise<McpServer>;
  readonly logger: Logger;
  /** True once shutdown began: new requests are refused. */
  readonly isClosing: boolean;
  /** A request the listener refused itself because shutdown began (HTTP 503): counted in the shutdown report. */
  countRefused(): void;
  /** The 2026-07-28 endpoint, loaded on first use. */
  modernEndpoint(): Promise<ModernEndpoint>;
  /**
   * Count one 2026-07-28 HTTP exchange as in flight until the returned function is called (undefined once closing);
   * `cut` answers it if the drain deadline comes first.
   */
  admitExchange(cut: (error: { code: number; message: string }) => Promise<void>): (() => void) | undefined;
  /** A 2026-07-28 listen asked for updates of `uris`; the returned function stops watching them. */
  watchResources(uris: readonly string[]): () => void;
}

/** Something that makes sessions: the HTTP session server, one SDK transport per session it accepts. */
export interface SessionListener {
  /** Begin taking sessions (listen); resolves once it does. */
  listen(host: SessionHost): Promise<void>;
  /** Shutdown began: take no new sessions and refuse new requests (may come before `listen` resolved). */
  stopIntake(): void;
  /** After the drain: end every session and let go of every socket. */
  close(): Promise<void>;
}

/** What `host.serve()` serves: one SDK transport (stdio, in-memory: one session), or a session listener (HTTP). */
export type ServeTarget = Transport | SessionListener;

const isSessionListener = (target: ServeTarget): target is SessionListener => typeof (target as Partial<SessionListener>).listen === 'function';

/** How the pool's servers introduce themselves in `initialize`. */
export interface ServerInfo {
  name: string;
  version: string;
  instructions?: string | undefined;
}

export interface SessionPoolOptions {
  /** Read when a server is made: the config is loaded by then. */
  serverInfo: () => ServerInfo;
  /** The host's log output: records are mirrored to each client at its own `logging/setLevel`, else the config's level. */
  logOutput: LogOutput;
  logger: Logger;
  /** Aborts when shutdown begins; resource providers get it with each request. */
  shutdownSignal: AbortSignal;
}

/**
 * Every MCP session the host serves, each on an SDK server of its own made by one factory (`createServer`),
 * all wired to the same plugins: registrations are replayed onto each server, requests are tracked so shutdown
 * can answer them first, and each session keeps its own `logging/setLevel`, its client's identity and its
 * resource subscriptions. With the transports and the resource catalog (whose handlers it installs), the only
 * place that talks to the SDK's server side. A connection whose first message claims MCP 2026-07-28 goes to the
 * 2026 serving code (`modern-era.ts`, loaded then), which answers through the handlers of one more server made
 * here (the engine): one registration table, two revisions.
 */
export class SessionPool implements SessionHost {
  readonly resources: ResourceCatalog;
  readonly logger: Logger;
  readonly #options: SessionPoolOptions;
  readonly #tracker = new RequestTracker();
  /** 2026-07-28 HTTP exchanges in flight: no connection of their own, so one ledger for all, by exchange number. */
  readonly #modernExchanges = new Ledger();
  readonly #registrations: Registration[] = [];
  /** Servers with an open transport → their session key. */
  readonly #servers = new Map<McpServer, string>();
  /** Each request being handled (by its `extra.signal`, one per request) → where it came from. */
  readonly #requestOrigins = new WeakMap<AbortSignal, RequestOrigin>();
  readonly #initialized = new WeakSet<McpServer>();
  /** The tool names registered: an unknown tool is refused before the SDK sees the call. */
  readonly #toolNames = new Set<string>();
  /**
   * 2026-07-28: the one SDK server (never connected) whose handlers answer every modern request, made on the first
   * modern opening; and the connections and HTTP endpoint serving that revision, told of changes.
   */
  #engine: { server: McpServer; handlers: RequestHandlerTable } | undefined;
  readonly #modernPeers = new Set<ModernPeer>();
  /** Loads the 2026-07-28 serving code on the first modern opening only: a 2025 client never pays for it. */
  #modernEndpoint: Promise<ModernEndpoint> | undefined;
  #exchanges = 0;
  /**
   * Each session's `logging/setLevel`, by session key (one per stdio or HTTP session, one per stateless request:
   * a stateless client's setLevel must not quiet another's). Dropped when the session's server closes. No
   * entry: everything goes, as the SDK does.
   */
  readonly #logLevels = new Map<string, LogLevel>();
  #listener: SessionListener | undefined;

  constructor(options: SessionPoolOptions) {
    this.#options = options;
    this.logger = options.logger;
    this.resources = new ResourceCatalog(options.shutdownSignal);
    options.logOutput.sinks.add((record) => this.#mirror(record));
  }

  get isClosing(): boolean {
    return this.#tracker.isClosing;
  }

  countRefused(): void {
    this.#tracker.countRefused();
  }

  /** True while any session's server is open (or the 2026-07-28 engine exists). */
  get hasSessions(): boolean {
    return this.#servers.size > 0 || this.#engine !== undefined;
  }

  /** Requests refused because they came after shutdown began. */
  get refused(): number {
    return this.#tracker.refused;
  }

  /** The tools and prompts registered, in order. */
  get registrations(): readonly Registration[] {
    return this.#registrations;
  }

  /** Serve `target`: connect the transport, or let the listener take sessions. */
  async serve(target: ServeTarget): Promise<void> {
    if (isSessionListener(target)) {
      this.#listener = target;
      await target.listen(this);
    } else {
      await this.connectEitherRevision(target, 'transport');
    }
  }

  /**
   * Serve one connection (stdio, in-memory) in the revision its first message speaks: \`initialize\` or any message
   * without the 2026-07-28 envelope claim gets the 2025 server \`connect\` makes, at no extra cost; a claim (a
   * \`server/discover\` probe, a pinned client's first request) loads the 2026-07-28 serving code and hands it the
   * connection, which may still fall back to 2025 if the client then sends \`initialize\`. The transport is
   * started (and read) now; the server is chosen when the first message arrives.
   */
  async connectEitherRevision(transport: Transport, sessionKey: string): Promise<void> {
    if (this.isClosing) throw new HostError('MCPH_HOST_STATE', 'Cannot connect a transport: the host is shutting down.');
    const wire = this.#tracker.wrap(transport);
    const held: JSONRPCMessage[] = [];
    let opened = false;
    wire.onmessage = (message) => {
      held.push(message);
      if (opened) return;
      opened = true;
      void this.#open(wire, held, sessionKey).catch((error) => {
        this.logger.error('serving the connection failed: %s (MCPH_HOST_UNEXPECTED)', describeError(error));
        void wire.close().catch(() => {});
      });
    };
    wire.onclose = () => {
      if (!opened) this.logger.debug('connection %s closed before its first message', sessionKey);
    };
    await wire.start();
  }

  async #open(wire: Transport, held: JSONRPCMessage[], sessionKey: string): Promise<void> {
    const opening = replaying(wire, held);
    if (!hasModernClaim(held[0])) {
      const server = this.createServer(sessionKey);
      await server.connect(opening);
      return;
    }
    const endpoint = await this.modernEndpoint();
    endpoint.serveConnection(opening, sessionKey);
  }

  /** A connection's first message arrived early: if it claims 2026-07-28, start loading that code now. */
  preloadFor(message: JSONRPCMessage): void {
    if (hasModernClaim(message)) void this.modernEndpoint().catch(() => {});
  }

  /** The 2026-07-28 serving code, loaded once, on first use (a chunk of its own in the bundle). */
  modernEndpoint(): Promise<ModernEndpoint> {
    return (this.#modernEndpoint ??= import('./modern-era.js').then(({ createModernEndpoint }) => createModernEndpoint(this.#eraHost())));
  }

  admitExchange(cut: (error: { code: number; message: string }) => Promise<void>): (() => void) | undefined {
    const id = ++this.#exchanges;
    if (!this.#tracker.admit(this.#modernExchanges, { id, cut })) return undefined;
    let isSettled = false;
    return () => {
      if (isSettled) return;
      isSettled = true;
      this.#tracker.settle(this.#modernExchanges, id);
    };
  }

  watchResources(uris: readonly string[]): () => void {
    const key = `modern/listen-${++this.#exchanges}`;
    void this.resources.subscribeAll(key, uris);
    return () => void this.resources.endSession(key).catch((error) => this.logger.warning('ending the subscriptions of %s: %s', key, describeError(error)));
  }

  #eraHost(): EraHost {
    return {
      logger: this.logger,
      serverInfo: () => this.#options.serverInfo(),
      createServer: (sessionKey) => this.createServer(sessionKey),
      engine: () => this.#modernEngine(),
      capabilities: () => {
        const has = (kind: Registration['kind']) => this.#registrations.some((entry) => entry.kind === kind);
        return {
          logging: {},
          ...(this.#engine?.handlers.has('completion/complete') ? { completions: {} } : {}),
          ...(has('tool') ? { tools: { listChanged: true } } : {}),
          ...(has('prompt') ? { prompts: { listChanged: true } } : {}),
          ...(this.resources.isEmpty ? {} : { resources: { listChanged: true, ...(this.resources.supportsSubscriptions ? { subscribe: true } : {}) } }),
        };
      },
      setOrigin: (signal, origin) => this.#requestOrigins.set(signal, origin),
      addPeer: (peer) => {
        this.#modernPeers.add(peer);
        return () => this.#modernPeers.delete(peer);
      },
      watchResources: (uris) => this.watchResources(uris),
    };
  }

  /**
   * The handlers of an SDK server made like any session's (every registration, the resource catalog), never
   * connected: the 2026-07-28 servers answer through them, so a tool behaves the same in either revision.
   */
  #modernEngine(): { server: McpServer; handlers: RequestHandlerTable } {
    if (this.#engine) return this.#engine;
    const { name, version, instructions } = this.#options.serverInfo();
    const server = new McpServer({ name, version }, instructions ? { instructions } : {});
    const handlers: RequestHandlerTable = new Map();
    this.#wrapRequestHandlers(server, undefined, handlers);
    server.server.registerCapabilities({ logging: {} });
    for (const registration of this.#registrations) registration.register(server);
    this.resources.install(server, 'modern');
    this.#engine = { server, handlers };
    return this.#engine;
  }

  /** Serve one session over `transport`. Its requests are tracked, so shutdown answers them before closing. */
  async connect(transport: Transport, sessionKey: string): Promise<McpServer> {
    if (this.isClosing) throw new HostError('MCPH_HOST_STATE', 'Cannot connect a transport: the host is shutting down.');
    const server = this.createServer(sessionKey);
    try {
      await server.connect(this.#tracker.wrap(transport));
    } catch (error) {
      this.#servers.delete(server);
      throw error;
    }
    return server;
  }

  /**
   * The one factory: a new SDK server for one session, with every registration replayed onto it, the host's
   * request handlers installed, and its life tracked until its transport closes.
   */
  createServer(sessionKey: string): McpServer {
    const { name, version, instructions } = this.#options.serverInfo();
    const server = new McpServer({ name, version }, instructions ? { instructions } : {});
    const origin: RequestOrigin = {
      sessionKey,
      client: () => {
        const info = server.server.getClientVersion();
        return { name: info?.name, version: info?.version, capabilities: server.server.getClientCapabilities() ?? {} };
      },
    };
    this.#wrapRequestHandlers(server, origin);
    // Declared here rather than in the constructor, so the SDK's own setLevel handler is not installed: the
    // pool keeps each session's level itself and filters what it mirrors by it.
    server.server.registerCapabilities({ logging: {} });
    server.server.setRequestHandler(SetLevelRequestSchema, async (request) => {
      this.#logLevels.set(sessionKey, request.params.level);
      this.#updateClientFloor();
      return {};
    });
    for (const registration of this.#registrations) registration.register(server);
    this.resources.install(server, sessionKey);
    this.#servers.set(server, sessionKey);
    server.server.onclose = () => {
      this.#servers.delete(server);
      this.#logLevels.delete(sessionKey);
      this.#updateClientFloor();
      void this.resources.endSession(sessionKey).catch((error) => this.logger.warning('ending the subscriptions of session %s: %s', sessionKey, describeError(error)));
    };
    // Log notifications go only to a client that finished initialization.
    server.server.oninitialized = () => this.#initialized.add(server);
    return server;
  }

  /** A tool or prompt; replayed onto every server made from now on, and onto those already serving. */
  register(registration: Registration): void {
    const clash = this.#registrations.find((entry) => entry.kind === registration.kind && entry.name === registration.name);
    if (clash) {
      throw new HostError(
        'MCPH_REGISTRATION_DUPLICATE',
        `[plugin ${registration.plugin}] ${registration.kind} "${registration.name}" is registered by plugin "${clash.plugin}" already; rename one of them.`,
        { plugin: registration.plugin },
      );
    }
    this.#registrations.push(registration);
    if (registration.kind === 'tool') this.#toolNames.add(registration.name);
    // Registered while serving: the SDK announces the change (list_changed) to connected clients.
    for (const server of this.#servers.keys()) registration.register(server);
    if (this.#engine) {
      registration.register(this.#engine.server);
      for (const peer of this.#modernPeers) peer.listChanged(registration.kind === 'tool' ? 'tools' : 'prompts');
    }
  }

  /** Shutdown began: refuse new requests (a JSON-RPC error), and the listener takes no new sessions. */
  stopIntake(): void {
    this.#tracker.close();
    this.#listener?.stopIntake();
  }

  /** Wait until every request in flight was answered, or until `deadline` (a `Date.now()` value). */
  drain(deadline: number): Promise<{ completed: number; cut: number }> {
    return this.#tracker.drain(deadline);
  }

  /** After the drain: the listener ends its sessions (HTTP: SSE streams end, sockets close), bounded. */
  async closeSessions(deadline: number): Promise<void> {
    if (this.#listener) await boundedWait(this.#listener.close(), Math.max(100, deadline - Date.now()));
  }

  /** Close every server still open (bounded: a transport must not hold the exit), and stop mirroring logs. */
  async close(deadline: number): Promise<void> {
    const closing = [...this.#servers.keys()].map((server) => server.close());
    for (const peer of this.#modernPeers) closing.push(peer.close());
    await boundedWait(Promise.allSettled(closing), Math.max(100, deadline - Date.now()));
    this.#servers.clear();
    this.#modernPeers.clear();
    this.#options.logOutput.sinks.clear();
  }

  /** Who sent the request `extra` belongs to: its client's name, version and declared capabilities. */
  requestClient(pluginName: string, extra: RequestClientTarget): RequestClient {
    const origin = extra?.signal ? this.#requestOrigins.get(extra.signal) : undefined;
    if (!origin) {
      throw new HostError('MCPH_HOST_STATE', `[plugin ${pluginName}] requestClient(extra) needs the extra of a request this host is handling: pass the handler's own extra argument.`, {
        plugin: pluginName,
      });
    }
    return origin.client();
  }

  /** Where one request's log lines go besides stderr: its own client, related to it, at that session's level. */
  requestLogSink(extra: RequestLogTarget): LogSink {
    return (record: LogRecord) => {
      const origin = this.#requestOrigins.get(extra.signal);
      // 2026-07-28: a request's log lines go to its client only at the level its envelope asked for, none without one.
      const isWanted =
        origin === undefined
          ? isLevelEnabled(record.level, this.#options.logOutput.level)
          : 'logLevel' in origin
            ? origin.logLevel !== undefined && isLevelEnabled(record.level, origin.logLevel)
            : this.#isWanted(record.level, origin.sessionKey);
      if (!isWanted) return;
      extra.sendNotification({ method: 'notifications/message', params: { level: record.level, logger: record.logger, data: record.message } }).catch(() => {});
    };
  }

  /** `notifications/resources/updated` to the sessions subscribed to `uri`. */
  notifyResourceUpdated(uri: string): void {
    const sessions = this.resources.subscribersOf(uri);
    for (const [server, sessionKey] of this.#servers) {
      if (sessions.has(sessionKey) && this.#isLive(server)) server.server.sendResourceUpdated({ uri }).catch(() => {});
    }
    if (sessions.size > 0) for (const peer of this.#modernPeers) peer.resourceUpdated(uri);
  }

  /** `notifications/resources/list_changed` to every session. */
  notifyResourceListChanged(): void {
    for (const server of this.#servers.keys()) if (this.#isLive(server)) server.sendResourceListChanged();
    for (const peer of this.#modernPeers) peer.listChanged('resources');
  }

  #isLive(server: McpServer): boolean {
    return server.isConnected() && this.#initialized.has(server);
  }

  /** A session's level is its own `logging/setLevel`, lower or higher than the config's; until it sends one, the config's. */
  #isWanted(level: LogLevel, sessionKey: string): boolean {
    return isLevelEnabled(level, this.#logLevels.get(sessionKey) ?? this.#options.logOutput.level);
  }

  /** Tell the loggers the lowest level a client asked for, so they hand such records to the sinks at all. */
  #updateClientFloor(): void {
    let floor: LogLevel | undefined;
    for (const level of this.#logLevels.values()) if (floor === undefined || !isLevelEnabled(level, floor)) floor = level;
    this.#options.logOutput.clientFloor = floor;
  }

  /** The host's log lines, to every initialized client whose session wants that level. */
  #mirror(record: LogRecord): void {
    for (const [server, sessionKey] of this.#servers) {
      if (!this.#isLive(server) || !this.#isWanted(record.level, sessionKey)) continue;
      server.server.notification({ method: 'notifications/message', params: { level: record.level, logger: record.logger, data: record.message } }).catch(() => {});
    }
  }

  /**
   * Every request handler the SDK or a registration sets on `server`, wrapped as it is set (through the
   * public `setRequestHandler`): the request's `extra.signal` is mapped to where it came from, so
   * `requestClient` and `requestLogger` can tell whose request it is; and an unknown tool is refused as MCP
   * says, a protocol error (-32602), where the SDK (1.32.2) answers with an `isError` result. With a `table`,
   * each wrapped handler is also kept there by method, request parsing included (the 2026-07-28 engine).
   */
  #wrapRequestHandlers(server: McpServer, origin: RequestOrigin | undefined, table?: RequestHandlerTable): void {
    const inner = server.server;
    const setRequestHandler = inner.setRequestHandler.bind(inner);
    const origins = this.#requestOrigins;
    const toolNames = this.#toolNames;
    inner.setRequestHandler = ((schema: any, handler: (request: any, extra: any) => unknown) => {
      const isToolCall = schema === CallToolRequestSchema;
      const wrapped = (request: any, extra: any) => {
        if (origin) origins.set(extra.signal, origin);
        if (isToolCall && !toolNames.has(request.params.name)) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
        return handler(request, extra);
      };
      if (table) {
        const method = schema.shape.method.value as string;
        table.set(method, async (request: unknown, extra: unknown) => wrapped(schema.parse(request), extra));
      }
      return setRequestHandler(schema, wrapped as never);
    }) as typeof inner.setRequestHandler;
  }
}

/** Where a request came from: its session, and its client as that session knows it. */
type RequestOrigin = { sessionKey: string; client(): RequestClient } | ModernRequestOrigin;

/**
 * A transport that hands its receiver the messages read before it was started, then everything after: the
 * first message decided which server reads the connection, and it must not lose what came meanwhile.
 */
function replaying(wire: Transport, held: JSONRPCMessage[]): Transport {
  const replay: Transport = {
    async start() {
      wire.onmessage = (message, extra) => replay.onmessage?.(message, extra);
      wire.onclose = () => replay.onclose?.();
      wire.onerror = (error) => replay.onerror?.(error);
      for (const message of held.splice(0)) replay.onmessage?.(message);
    },
    send: (message, options) => wire.send(message, options),
    close: () => wire.close(),
  };
  if (wire.setProtocolVersion) replay.setProtocolVersion = (version) => wire.setProtocolVersion?.(version);
  return replay;
}
