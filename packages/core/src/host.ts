import { McpServer, type ResourceMetadata, type ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolRequestSchema, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { AsyncSeriesHook } from 'tapable';
import { boundedWait } from './bounded-wait.js';
import { hostConfigSchema, type HostConfigInput } from './config-schema.js';
import { loadConfigFile } from './config-loader.js';
import { HostError, describeError, formatError, formatProblem, isHostError, problemsOf } from './errors.js';
import type { HttpServing } from './http-transport.js';
import { EXIT_CODES, HANDLED_SIGNALS, exitCodeFor, signalExitCode, type HandledSignal } from './exit-codes.js';
import type { HostHooks, HostTapOptions, ShutdownContext, StartContext } from './hooks.js';
import { createLogOutput, createLogger, isLevelEnabled, type LogLevel, type LogOutput, type LogRecord, type Logger } from './logger.js';
import type { HostState, PluginHost, Registration, RequestClient, RequestClientTarget, RequestLogTarget } from './plugin.js';
import { RequestTracker } from './request-tracker.js';
import { ResourceCatalog, type ResourceProvider } from './resource-catalog.js';
import { resolveConfig, type ResolvedConfig } from './resolve-config.js';
import { ServiceRegistry, type ServiceKey } from './services.js';
import { formatShutdownReport, type ShutdownReason, type ShutdownReport } from './shutdown-report.js';
import { guardStdout, type StdoutGuard } from './stdout-guard.js';
import { StdioTransport } from './stdio-transport.js';
import { ShutdownRun, boundShutdownTaps, nameFailures, type HostTap, type TapPlanEntry } from './tap-runner.js';

export interface CreateHostOptions {
  /**
   * The config: an object (plugin entries may be plugin objects), or a config file path. Omitted: search
   * for a config file from `cwd`, as the CLI does.
   */
  config?: HostConfigInput | string;
  /** Directory to search for the config and to resolve relative paths from; defaults to `process.cwd()`. */
  cwd?: string;
  /** Environment for `${VAR}` substitution; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Stack traces in errors, debug logging, and a list of handles left open after shutdown. */
  debug?: boolean;
  /**
   * Own the process (default true): handle SIGINT/SIGTERM/SIGHUP, uncaught errors and stdin EOF, and exit
   * with the documented exit code when `run()` is done. The testing kit turns it off.
   */
  exitProcess?: boolean;
  /** Module URLs to resolve package-name plugins from after the config's directory (the CLI adds its own). */
  resolveFrom?: readonly string[];
  /** Where stderr output goes (logs and the report); defaults to `process.stderr`. */
  stderr?: NodeJS.WritableStream;
  /**
   * Transport settings over the config's (the CLI's `--transport`, `--port`, `--host`). Keys merge into the
   * config's transport when the type is the same; another type replaces it.
   */
  transport?: Partial<Record<string, unknown>> & { type?: 'stdio' | 'http' };
}

/** What `inspect` prints. */
export interface HostDescription {
  name: string;
  version: string;
  configFile: string | undefined;
  plugins: { name: string; specifier: string; file: string | undefined }[];
  tools: { name: string; plugin: string }[];
  resources: { name: string; uri: string; plugin: string }[];
  prompts: { name: string; plugin: string }[];
  /** The shutdown taps in the order they will run, with their bounds. */
  shutdownPlan: { name: string; stage: number; timeoutMs: number }[];
  shutdown: { timeoutMs: number; hookTimeoutMs: number; drainTimeoutMs: number };
}

const HOST_LOGGER = 'mcp-host';

/** Create a host. `await host.run()` gives the CLI's lifecycle, triggers and exit codes. */
export function createHost(options: CreateHostOptions = {}): Host {
  return new Host(options);
}

export class Host {
  readonly hooks: HostHooks;
  readonly logger: Logger;
  readonly services = new ServiceRegistry();

  readonly #options: CreateHostOptions;
  readonly #cwd: string;
  readonly #stderr: NodeJS.WritableStream;
  readonly #logOutput: LogOutput;
  readonly #shutdownController = new AbortController();
  readonly #startController = new AbortController();
  readonly #tracker = new RequestTracker();
  readonly #registrations: Registration[] = [];
  readonly #servers = new Map<McpServer, string>();
  /** Each request being handled (by its `extra.signal`, one per request) → the server it came in on. */
  readonly #requestServers = new WeakMap<AbortSignal, McpServer>();
  readonly #resources = new ResourceCatalog(this.#shutdownController.signal);
  readonly #initialized = new WeakSet<McpServer>();
  #state: HostState = 'created';
  #config: ResolvedConfig | undefined;
  #runningTap: string | undefined;
  #startPromise: Promise<void> | undefined;
  #shutdownPromise: Promise<ShutdownReport> | undefined;
  #currentRun: ShutdownRun | undefined;
  #stdio: StdioTransport | undefined;
  #http: HttpServing | undefined;
  #guard: StdoutGuard | undefined;
  #signalCount = 0;
  #processListeners: (() => void)[] = [];
  #baselineResources: string[] = [];
  /** The global shutdown deadline, a `Date.now()` value; set when shutdown begins. */
  #deadline = 0;
  #onShutdownBegan!: () => void;
  readonly #shutdownBegan = new Promise<void>((resolve) => (this.#onShutdownBegan = resolve));

  constructor(options: CreateHostOptions = {}) {
    this.#options = options;
    this.#cwd = options.cwd ?? process.cwd();
    this.#stderr = options.stderr ?? process.stderr;
    this.#logOutput = createLogOutput(options.debug ? 'debug' : 'info', (line) => this.#stderr.write(line));
    this.logger = createLogger(HOST_LOGGER, this.#logOutput);
    const onRunning = (name: string | undefined) => (this.#runningTap = name);
    const start = new AsyncSeriesHook<[ctx: StartContext]>(['ctx']);
    start.intercept(nameFailures('start', onRunning));
    // Once startup is aborted the remaining start taps do not run.
    start.intercept({
      register: (tap) => {
        const inner = tap.fn as (ctx: StartContext) => Promise<void>;
        return {
          ...tap,
          fn: (ctx: StartContext) => {
            if (ctx.signal.aborted) return Promise.reject(new HostError('MCPH_STARTUP_ABORTED', 'startup aborted: shutdown began', { plugin: tap.name, hook: 'start' }));
            return inner(ctx);
          },
        };
      },
    });
    const ready = new AsyncSeriesHook<[]>([]);
    ready.intercept(nameFailures('ready', onRunning));
    const shutdown = new AsyncSeriesHook<[ctx: ShutdownContext], HostTapOptions>(['ctx']);
    shutdown.intercept(boundShutdownTaps());
    this.hooks = Object.freeze({ start, ready, shutdown });
  }

  get state(): HostState {
    return this.#state;
  }

  /** Aborts when shutdown begins. */
  get signal(): AbortSignal {
    return this.#shutdownController.signal;
  }

  get config(): ResolvedConfig | undefined {
    return this.#config;
  }

  /** Load and validate the config and every plugin's options. Throws a `HostError` listing every problem. */
  async load(): Promise<ResolvedConfig> {
    if (this.#config) return this.#config;
    const { config } = this.#options;
    let raw: unknown;
    let file: string | undefined;
    if (typeof config === 'object' && config !== null) {
      raw = config;
    } else {
      const loaded = await loadConfigFile({ configPath: config, cwd: this.#cwd });
      raw = loaded.raw;
      file = loaded.file;
    }
    const override = this.#options.transport;
    if (override && typeof raw === 'object' && raw !== null) {
      const current = (raw as { transport?: Record<string, unknown> }).transport ?? { type: 'stdio' };
      const type = override.type ?? 'http';
      raw = { ...raw, transport: current.type === type ? { ...current, ...override, type } : { ...override, type } };
    }
    const resolveFrom = [...(this.#options.resolveFrom ?? []), import.meta.url];
    this.#config = await resolveConfig({ raw, file, cwd: this.#cwd, env: this.#options.env ?? process.env, resolveFrom });
    if (!this.#options.debug) this.#logOutput.level = this.#config.host.logging.level;
    return this.#config;
  }

  /** Apply every plugin, in config order. Registers only: plugins open nothing here. */
  async apply(): Promise<void> {
    const config = await this.load();
    if (this.signal.aborted) return;
    this.#expectState('created', 'apply');
    this.#state = 'applying';
    for (const { plugin, options } of config.plugins) {
      if (this.signal.aborted) break;
      try {
        await plugin.apply(this.#pluginHost(plugin.name), options);
      } catch (error) {
        if (isHostError(error) && error.plugin === plugin.name) throw error;
        throw new HostError('MCPH_PLUGIN_APPLY_FAILED', `[plugin ${plugin.name}] apply: ${describeError(error)}`, { plugin: plugin.name, hook: 'apply', cause: error });
      }
    }
    if (this.#state === 'applying') this.#state = 'starting';
  }

  /** Run the `start` hook. */
  async start(): Promise<void> {
    if (this.#state === 'created') await this.apply();
    if (this.signal.aborted) return;
    this.#expectState('starting', 'start');
    this.#startPromise = this.hooks.start.promise(Object.freeze({ signal: this.#startController.signal }));
    try {
      await this.#startPromise;
    } finally {
      this.#startPromise = undefined;
    }
  }

  /** A new SDK server with every registration replayed onto it, for one transport (one session). */
  createServer(sessionKey = 'default'): McpServer {
    const config = this.#requireConfig();
    const server = new McpServer(
      { name: config.host.name, version: config.host.version },
      { capabilities: { logging: {} }, ...(config.host.instructions ? { instructions: config.host.instructions } : {}) },
    );
    this.#wrapRequestHandlers(server);
    for (const registration of this.#registrations) registration.register(server);
    this.#resources.install(server, sessionKey);
    return server;
  }

  /** Serve MCP over a transport: requests are tracked so shutdown can answer them before closing. */
  async connect(transport: Transport, sessionKey = 'default'): Promise<McpServer> {
    if (this.signal.aborted) throw new HostError('MCPH_HOST_STATE', 'Cannot connect a transport: the host is shutting down.');
    const server = this.createServer(sessionKey);
    this.#servers.set(server, sessionKey);
    server.server.onclose = () => {
      this.#servers.delete(server);
      this.#tracker.logLevels.delete(sessionKey);
      void this.#resources.endSession(sessionKey).catch((error) => this.logger.warning('ending the subscriptions of session %s: %s', sessionKey, describeError(error)));
    };
    // Log notifications go only to a client that finished initialization.
    server.server.oninitialized = () => this.#initialized.add(server);
    await server.connect(this.#tracker.wrap(transport, sessionKey));
    return server;
  }

  /** Run the `ready` hook: the host is serving. */
  async ready(): Promise<void> {
    if (this.signal.aborted) return;
    this.#state = 'running';
    await this.hooks.ready.promise();
  }

  /**
   * Shut down: stop taking requests, answer those in flight, run every shutdown tap in order (each isolated
   * and bounded), close the servers. Runs once; every caller gets the same report.
   */
  shutdown(reason: ShutdownReason = 'api', failure?: unknown): Promise<ShutdownReport> {
    if (!this.#shutdownPromise) {
      this.#shutdownPromise = this.#runShutdown(reason, failure);
      this.#onShutdownBegan();
    }
    return this.#shutdownPromise;
  }

  /** Taps that have not finished yet, in run order (empty before shutdown). */
  get pendingShutdownTaps(): readonly string[] {
    return this.#currentRun?.pending ?? [];
  }

  /** The shutdown taps in the order they will run. */
  shutdownPlan(): TapPlanEntry[] {
    const { hookTimeoutMs } = this.#limits();
    return (this.hooks.shutdown.taps as HostTap[]).map((tap) => ({ name: tap.name, stage: tap.stage ?? 0, timeoutMs: tap.timeoutMs ?? hookTimeoutMs }));
  }

  describe(): HostDescription {
    const config = this.#requireConfig();
    const of = <K extends Registration['kind']>(kind: K) => this.#registrations.filter((entry): entry is Extract<Registration, { kind: K }> => entry.kind === kind);
    return {
      name: config.host.name,
      version: config.host.version,
      configFile: config.file,
      plugins: config.plugins.map(({ plugin, specifier, file }) => ({ name: plugin.name, specifier, file })),
      tools: of('tool').map(({ name, plugin }) => ({ name, plugin })),
      resources: this.#resources.names(),
      prompts: of('prompt').map(({ name, plugin }) => ({ name, plugin })),
      shutdownPlan: this.shutdownPlan(),
      shutdown: { ...config.host.shutdown },
    };
  }

  /**
   * The whole life over stdio: load, apply, start, serve, and shut down on the first trigger. With
   * `exitProcess` (the default) the process then exits with the documented code once stdout is flushed.
   */
  async run(): Promise<ShutdownReport> {
    const ownsProcess = this.#options.exitProcess !== false;
    if (ownsProcess) {
      this.#baselineResources = process.getActiveResourcesInfo();
      // Before any plugin module is imported: their top-level console.log must not reach stdout either.
      this.#guard = guardStdout();
      this.#bindProcess();
    }
    try {
      await this.load();
    } catch (error) {
      this.#printError(error);
      if (ownsProcess) await this.#exit(exitCodeFor(error));
      throw error;
    }
    const transport = this.#config!.host.transport;
    if (transport.type === 'stdio') {
      // Read stdin from now on, so a client that is gone before startup ends is noticed.
      this.#stdio = new StdioTransport({
        stdin: process.stdin,
        stdout: process.stdout,
        write: this.#guard ? this.#guard.write : (chunk, callback) => process.stdout.write(chunk, callback),
        onInputClosed: () => void this.shutdown('stdin-closed'),
        onOutputClosed: (error) => {
          this.logger.debug('stdout closed: %s', error.message);
          void this.shutdown('transport-closed');
        },
        onBadLine: (message) => this.logger.warning(message),
      });
    } else {
      // Over HTTP stdout is no protocol channel, and stdin (often /dev/null under a supervisor) is no trigger.
      this.#guard?.restore();
      this.#guard = undefined;
    }
    try {
      await this.apply();
      await this.start();
      if (!this.signal.aborted) {
        if (this.#stdio) {
          await this.connect(this.#stdio, 'stdio');
        } else if (transport.type === 'http') {
          const host = this;
          // Loaded only for HTTP: the SDK's HTTP transport costs a stdio server ~70 ms of startup.
          const { HttpServing } = await import('./http-transport.js');
          this.#http = new HttpServing(
            {
              connect: (sessionTransport, sessionKey) => this.connect(sessionTransport, sessionKey),
              logger: this.logger,
              get isClosing() {
                return host.signal.aborted;
              },
            },
            transport,
          );
          const url = await this.#http.listen();
          // One parseable line, for scripts and tests that asked for port 0.
          this.#stderr.write(`mcp-host: listening on ${url.href}\n`);
          if (this.signal.aborted) this.#http.stopIntake();
        }
        await this.ready();
      }
    } catch (error) {
      if (!this.signal.aborted) {
        this.#printError(error);
        void this.shutdown('fatal-error', error);
      } else if (!(isHostError(error) && error.code === 'MCPH_STARTUP_ABORTED')) {
        this.logger.debug('startup ended by shutdown: %s', describeError(error));
      }
    }
    await this.#shutdownBegan;
    const report = await this.shutdown();
    if (ownsProcess) {
      this.#reportLeaks();
      await this.#exit(report.exitCode, Math.max(250, this.#deadline - Date.now()));
    }
    return report;
  }

  async #runShutdown(reason: ShutdownReason, failure: unknown): Promise<ShutdownReport> {
    const startedAt = Date.now();
    const limits = this.#limits();
    this.#deadline = startedAt + limits.timeoutMs;
    const wasStarting = this.#startPromise;
    this.#state = 'stopping';
    this.#tracker.close();
    this.#startController.abort(new HostError('MCPH_STARTUP_ABORTED', `startup aborted: shutdown began (${reason})`));
    this.#shutdownController.abort(reason);
    this.#http?.stopIntake();
    if (this.#options.exitProcess !== false) this.#armWatchdog(this.#deadline + 1000);
    this.logger.info('shutting down (%s)', reason);

    // A start tap still running gets its signal aborted and a bounded moment to return.
    if (wasStarting) await boundedWait(wasStarting, Math.min(startedAt + limits.hookTimeoutMs, this.#deadline) - Date.now());

    const drainStarted = Date.now();
    const { completed, cut } = await this.#tracker.drain(Math.min(drainStarted + limits.drainTimeoutMs, this.#deadline));
    if (cut > 0) this.logger.warning('%d request(s) still unanswered after %d ms; cutting them', cut, Date.now() - drainStarted);
    const drainMs = Date.now() - drainStarted;

    // Replies are out. HTTP: close the sessions (SSE streams end, sockets close) before the plugins release.
    // stdio stays open through the taps, so a request sent meanwhile still gets its "shutting down" error.
    if (this.#http) await boundedWait(this.#http.close(), Math.max(100, this.#deadline - Date.now()));

    const run = new ShutdownRun(reason, this.#deadline, limits.hookTimeoutMs, this.shutdownPlan(), (plugin, message) =>
      createLogger(plugin, this.#logOutput).error(message),
    );
    this.#currentRun = run;
    await this.hooks.shutdown.promise(run as unknown as ShutdownContext);

    // Bounded: a transport must not hold the exit.
    await boundedWait(Promise.allSettled([...this.#servers.keys()].map((server) => server.close())), Math.max(100, this.#deadline - Date.now()));
    this.#servers.clear();
    this.#logOutput.sinks.clear();
    this.#state = 'stopped';

    const tapFailed = run.taps.some((tap) => tap.outcome !== 'ok');
    const report: ShutdownReport = {
      reason,
      exitCode: failure !== undefined || tapFailed || cut > 0 ? EXIT_CODES.FAILURE : EXIT_CODES.OK,
      durationMs: Date.now() - startedAt,
      drain: { completed, cut, refused: this.#tracker.refused, durationMs: drainMs },
      taps: run.taps,
      deadlineExceeded: run.deadlineExceeded,
      ...(failure !== undefined ? { failure: problemsOf(failure).map(formatProblem).join('; ') } : {}),
    };
    this.#stderr.write(formatShutdownReport(report));
    return report;
  }

  #pluginHost(pluginName: string): PluginHost {
    const host = this;
    const logger = createLogger(pluginName, this.#logOutput);
    const register = (registration: Registration) => this.#register(registration);
    return Object.freeze({
      name: pluginName,
      hooks: this.hooks,
      logger,
      get signal() {
        return host.signal;
      },
      get configDir() {
        return host.#config?.dir ?? host.#cwd;
      },
      get configFile() {
        return host.#config?.file;
      },
      get state() {
        return host.#state;
      },
      shutdown: (reason?: ShutdownReason) => this.shutdown(reason ?? 'api'),
      requestLogger: (extra: RequestLogTarget) => {
        const sink = (record: LogRecord) => {
          // Like the SDK's own filter: no setLevel from this session yet means everything goes.
          const server = this.#requestServers.get(extra.signal);
          const sessionKey = server && this.#servers.get(server);
          const sessionLevel = sessionKey === undefined ? undefined : this.#tracker.logLevels.get(sessionKey);
          if (sessionLevel !== undefined && !isLevelEnabled(record.level, sessionLevel as LogLevel)) return;
          extra.sendNotification({ method: 'notifications/message', params: { level: record.level, logger: record.logger, data: record.message } }).catch(() => {});
        };
        return createLogger(pluginName, this.#logOutput, new Set([sink]));
      },
      requestClient: (extra: RequestClientTarget) => this.#requestClient(pluginName, extra),
      provide: <T>(key: ServiceKey<T>, value: T) => this.services.provide(key, value, pluginName),
      inject: (<T>(key: ServiceKey<T>, options?: { optional: true }) =>
        options?.optional ? this.services.find(key) : this.services.inject(key, pluginName)) as PluginHost['inject'],
      tool: ((name: string, config: never, handler: never) =>
        register({ kind: 'tool', name, plugin: pluginName, register: (server) => void server.registerTool(name, config, handler) })) as PluginHost['tool'],
      resource: ((name: string, uri: string | ResourceTemplate, metadata: ResourceMetadata, read: never) => {
        this.#expectRegistrationOpen(pluginName, 'resource', name);
        if (typeof uri === 'string') this.#resources.addStatic(pluginName, name, uri, metadata, read);
        else this.#resources.addTemplate(pluginName, name, uri, metadata, read);
      }) as PluginHost['resource'],
      resources: (provider: ResourceProvider) => {
        this.#expectRegistrationOpen(pluginName, 'resource provider', pluginName);
        this.#resources.addProvider(pluginName, provider);
      },
      notifyResourceUpdated: (uri: string) => this.#notifyResourceUpdated(uri),
      notifyResourceListChanged: () => {
        for (const server of this.#servers.keys()) if (this.#isLive(server)) server.sendResourceListChanged();
      },
      prompt: ((name: string, config: never, handler: never) =>
        register({ kind: 'prompt', name, plugin: pluginName, register: (server) => void server.registerPrompt(name, config, handler) })) as PluginHost['prompt'],
    });
  }

  /**
   * Every request handler the SDK or a registration sets on `server`, wrapped as it is set (through the
   * public `setRequestHandler`): the request's `extra.signal` is mapped to this server, so `requestClient`
   * can tell whose request it is; and an unknown tool is refused as MCP says, a protocol error (-32602), where
   * the SDK (1.32.2) answers with an `isError` result.
   */
  #wrapRequestHandlers(server: McpServer): void {
    const inner = server.server;
    const setRequestHandler = inner.setRequestHandler.bind(inner);
    inner.setRequestHandler = ((schema: unknown, handler: (request: any, extra: any) => unknown) => {
      const isToolCall = schema === CallToolRequestSchema;
      return setRequestHandler(schema as never, ((request: any, extra: any) => {
        this.#requestServers.set(extra.signal, server);
        if (isToolCall && !this.#registrations.some((entry) => entry.kind === 'tool' && entry.name === request.params.name)) {
          throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
        }
        return handler(request, extra);
      }) as never);
    }) as typeof inner.setRequestHandler;
  }

  #requestClient(pluginName: string, extra: RequestClientTarget): RequestClient {
    const server = extra?.signal ? this.#requestServers.get(extra.signal) : undefined;
    if (!server) {
      throw new HostError('MCPH_HOST_STATE', `[plugin ${pluginName}] requestClient(extra) needs the extra of a request this host is handling: pass the handler's own extra argument.`, {
        plugin: pluginName,
      });
    }
    const info = server.server.getClientVersion();
    return { name: info?.name, version: info?.version, capabilities: server.server.getClientCapabilities() ?? {} };
  }

  #expectRegistrationOpen(plugin: string, kind: string, name: string): void {
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      throw new HostError('MCPH_REGISTRATION_CLOSED', `[plugin ${plugin}] cannot register ${kind} "${name}": the host is shutting down.`, { plugin });
    }
    if (kind.startsWith('resource') && this.#servers.size > 0) {
      throw new HostError('MCPH_REGISTRATION_CLOSED', `[plugin ${plugin}] cannot register ${kind} "${name}" while serving: register resources in apply() or a start tap.`, { plugin });
    }
  }

  #isLive(server: McpServer): boolean {
    return server.isConnected() && this.#initialized.has(server);
  }

  #notifyResourceUpdated(uri: string): void {
    const sessions = this.#resources.subscribersOf(uri);
    for (const [server, sessionKey] of this.#servers) {
      if (sessions.has(sessionKey) && this.#isLive(server)) server.server.sendResourceUpdated({ uri }).catch(() => {});
    }
  }

  #register(registration: Registration): void {
    this.#expectRegistrationOpen(registration.plugin, registration.kind, registration.name);
    const clash = this.#registrations.find((entry) => entry.kind === registration.kind && entry.name === registration.name);
    if (clash) {
      throw new HostError(
        'MCPH_REGISTRATION_DUPLICATE',
        `[plugin ${registration.plugin}] ${registration.kind} "${registration.name}" is registered by plugin "${clash.plugin}" already; rename one of them.`,
        { plugin: registration.plugin },
      );
    }
    this.#registrations.push(registration);
    // Registered while serving: the SDK announces the change (list_changed) to connected clients.
    for (const server of this.#servers.keys()) registration.register(server);
  }

  /** The shutdown bounds: the config's, or the schema's defaults when shutdown comes before a config loaded. */
  #limits(): ResolvedConfig['host']['shutdown'] {
    return this.#config?.host.shutdown ?? hostConfigSchema.shape.shutdown.parse(undefined);
  }

  #requireConfig(): ResolvedConfig {
    if (!this.#config) throw new HostError('MCPH_HOST_STATE', 'The host has no config yet: call load() (or run()) first.');
    return this.#config;
  }

  #expectState(expected: HostState, action: string): void {
    if (this.#state !== expected) throw new HostError('MCPH_HOST_STATE', `Cannot ${action}: the host is ${this.#state}, not ${expected}.`);
  }

  /** Signals, uncaught errors, the client mirror of the logs. Removed again when `run()` ends. */
  #bindProcess(): void {
    const listen = (event: string, listener: (...args: any[]) => void) => {
      process.on(event, listener);
      this.#processListeners.push(() => process.off(event, listener));
    };
    for (const signal of HANDLED_SIGNALS) listen(signal, () => this.#onSignal(signal));
    const fatal = (kind: string) => (error: unknown) => {
      const fatalError = new HostError('MCPH_HOST_UNEXPECTED', `fatal error (${kind}): ${describeError(error)}`, { cause: error });
      this.#printError(fatalError);
      void this.shutdown('fatal-error', fatalError);
    };
    listen('uncaughtException', fatal('uncaughtException'));
    listen('unhandledRejection', fatal('unhandledRejection'));
    this.#logOutput.sinks.add((record) => this.#mirrorLog(record));
    // A client that stopped reading stderr must not crash us either.
    listen('SIGPIPE', () => {});
    process.stderr.on('error', () => {});
  }

  #onSignal(signal: HandledSignal): void {
    this.#signalCount++;
    if (this.#shutdownPromise && this.#signalCount >= 2) {
      const pending = this.pendingShutdownTaps;
      const running = this.#runningTap ? [`start:${this.#runningTap}`] : [];
      const still = [...running, ...pending];
      this.#stderr.write(`mcp-host: ${signal} again; forcing exit${still.length ? ` with taps still pending: ${still.join(', ')}` : ''}\n`);
      process.exit(signalExitCode(signal));
    }
    if (this.#shutdownPromise) {
      this.logger.info('%s received; shutdown is under way (send it again to force exit)', signal);
      return;
    }
    void this.shutdown(signal);
  }

  #mirrorLog(record: LogRecord): void {
    if (!isLevelEnabled(record.level, this.#logOutput.level)) return;
    for (const server of this.#servers.keys()) {
      if (!this.#isLive(server)) continue;
      // The SDK keeps each session's logging/setLevel by session id (undefined over stdio).
      server.server.sendLoggingMessage({ level: record.level, logger: record.logger, data: record.message }, server.server.transport?.sessionId).catch(() => {});
    }
  }

  #printError(error: unknown): void {
    this.#stderr.write(formatError(error, { debug: this.#options.debug }));
  }

  #armWatchdog(at: number): void {
    // A ref'd timer: it must fire even if everything else let go of the event loop.
    setTimeout(() => {
      this.#printError(new HostError('MCPH_SHUTDOWN_TIMEOUT', 'shutdown.timeoutMs exceeded by a second: exiting now, without waiting for the rest'));
      process.exit(EXIT_CODES.FAILURE);
    }, Math.max(0, at - Date.now()));
  }

  #reportLeaks(): void {
    if (!this.#options.debug) return;
    const baseline = [...this.#baselineResources];
    const left: string[] = [];
    for (const resource of process.getActiveResourcesInfo()) {
      const index = baseline.indexOf(resource);
      if (index !== -1) baseline.splice(index, 1);
      else left.push(resource);
    }
    // The watchdog timer and the stdio pipes are the host's own.
    const ignored = new Set(['TTYWrap', 'PipeWrap', 'FSReqCallback']);
    let watchdog = 1;
    const leaks = left.filter((resource) => !ignored.has(resource) && !(resource === 'Timeout' && watchdog-- > 0));
    if (leaks.length > 0) this.#stderr.write(`mcp-host: still open after shutdown (debug): ${summarize(leaks)}\n`);
    else this.#stderr.write('mcp-host: nothing left open after shutdown (debug)\n');
  }

  /** Exit once stdout is flushed: `process.exit()` right after writing to a pipe truncates the output. */
  async #exit(code: number, capMs = 1000): Promise<never> {
    for (const remove of this.#processListeners.splice(0)) remove();
    // Signals from now on: a second one still forces the exit.
    for (const signal of HANDLED_SIGNALS) process.on(signal, () => process.exit(signalExitCode(signal)));
    process.on('uncaughtException', () => {});
    const cap = setTimeout(() => process.exit(code), capMs);
    try {
      if (this.#stdio && !this.#stdio.isOutputDead) {
        await this.#stdio.flush();
        const write = this.#guard?.write ?? ((chunk: string, callback: () => void) => process.stdout.write(chunk, callback));
        await new Promise<void>((resolve) => write('', () => resolve()));
      }
      await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
    } finally {
      clearTimeout(cap);
      process.exit(code);
    }
  }
}

function summarize(resources: string[]): string {
  const counts = new Map<string, number>();
  for (const resource of resources) counts.set(resource, (counts.get(resource) ?? 0) + 1);
  return [...counts].map(([name, count]) => (count > 1 ? `${name} ×${count}` : name)).join(', ');
}

