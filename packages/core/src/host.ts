import { boundedWait } from './bounded-wait.js';
import { hostConfigSchema } from './config-schema.js';
import { displayPath } from './config-loader.js';
import { loadHostConfig, type HostConfigSource, type LoadProgress } from './host-config.js';
import { describeHost, type HostDescription } from './host-description.js';
import { HostError, describeError, isHostError } from './errors.js';
import { TapRun, planOf, type TapPlanEntry } from './hook-interceptors.js';
import { createHooks, type HostHooks, type LifecycleHooks } from './hooks.js';
import { createLogOutput, createLogger, type LogOutput, type Logger } from './logger.js';
import type { HostState } from './plugin.js';
import { createPluginHost, type PluginHostSource } from './plugin-host.js';
import type { ResolvedConfig } from './resolve-config.js';
import { ServiceRegistry, type ServiceLookup } from './services.js';
import { SessionPool, type ServeTarget } from './session-pool.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { buildShutdownReport, formatShutdownReport, type ShutdownReason, type ShutdownReport, type TapReport } from './shutdown-report.js';

export interface CreateHostOptions extends Partial<HostConfigSource> {
  /** Stack traces in errors, debug logging, and (with `run()`) a list of handles left open after shutdown. */
  debug?: boolean;
  /** Where stderr output goes (logs and the shutdown report); default `process.stderr`. */
  stderr?: NodeJS.WritableStream;
  /**
   * Bound for loading the config — reading it, a JS config's module and its default export, importing every
   * plugin — in ms; default 30 000 (the CLI's `--load-timeout`). Past it, `MCPH_CONFIG_TIMEOUT` (exit 78).
   */
  loadTimeoutMs?: number;
}

/** `loadTimeoutMs` when not given. */
export const DEFAULT_LOAD_TIMEOUT_MS = 30_000;

/** What moves the host from one state to the next: a phase beginning or ending, or a shutdown trigger. */
type LifecycleEvent = 'load' | 'loaded' | 'load-failed' | 'apply' | 'applied' | 'start' | 'started' | 'connected' | 'shutdown' | 'stopped';

/**
 * The lifecycle, as data: state × event → next state. An event a state does not list is a misuse
 * (`MCPH_HOST_STATE`) — except once shutdown began, when it means the phase was cut short: startup stops
 * there, without an error. A failure anywhere in startup is the `shutdown` event with reason `fatal-error`.
 */
const TRANSITIONS: Readonly<Record<HostState, Partial<Record<LifecycleEvent, HostState>>>> = {
  created: { load: 'loading', shutdown: 'stopping' },
  loading: { loaded: 'loaded', 'load-failed': 'created', shutdown: 'stopping' },
  loaded: { apply: 'applying', shutdown: 'stopping' },
  applying: { applied: 'applied', shutdown: 'stopping' },
  applied: { start: 'starting', shutdown: 'stopping' },
  starting: { started: 'serving', shutdown: 'stopping' },
  serving: { connected: 'running', shutdown: 'stopping' },
  running: { shutdown: 'stopping' },
  stopping: { stopped: 'stopped' },
  stopped: {},
};

/** Where `serve()` may begin: before the plugins were started. */
const SERVABLE: ReadonlySet<HostState> = new Set(['created', 'loading', 'loaded', 'applied']);

/** Create a host. `await host.run()` is the CLI's whole process; `await host.serve(transport)` serves in-process. */
export function createHost(options: CreateHostOptions = {}): Host {
  return new Host(options);
}

/** The lifecycle of one host: load → apply → start → serve → ready → stopping → shutdown. */
export class Host {
  /** The lifecycle hooks, tap-only. */
  readonly hooks: HostHooks;
  readonly logger: Logger;
  /** The services plugins provided, to look up (only plugins provide them). */
  readonly services: ServiceLookup;

  readonly #options: CreateHostOptions;
  readonly #cwd: string;
  readonly #stderr: NodeJS.WritableStream;
  readonly #logOutput: LogOutput;
  readonly #lifecycle: LifecycleHooks;
  readonly #registry = new ServiceRegistry();
  readonly #shutdownController = new AbortController();
  readonly #startController = new AbortController();
  readonly #pool: SessionPool;
  readonly #pluginHostSource: PluginHostSource;
  #state: HostState = 'created';
  #config: ResolvedConfig | undefined;
  #loading: Promise<ResolvedConfig> | undefined;
  /** The start or ready tap running now, as `hook:name`. */
  #runningTap: string | undefined;
  #startPromise: Promise<void> | undefined;
  #shutdownPromise: Promise<ShutdownReport> | undefined;
  #currentRun: TapRun | undefined;
  #deadline: number | undefined;
  #onStopped!: (report: ShutdownReport) => void;
  readonly #stopped = new Promise<ShutdownReport>((resolve) => (this.#onStopped = resolve));

  constructor(options: CreateHostOptions = {}) {
    this.#options = options;
    this.#cwd = options.cwd ?? process.cwd();
    this.#stderr = options.stderr ?? process.stderr;
    this.#logOutput = createLogOutput(options.debug ? 'debug' : 'info', (line) => this.#stderr.write(line));
    this.logger = createLogger('mcp-host', this.#logOutput);
    const { lifecycle, view } = createHooks(
      (hook, tap) => (this.#runningTap = tap === undefined ? undefined : `${hook}:${tap}`),
      () => this.#startupLimits().tapTimeoutMs,
    );
    this.#lifecycle = lifecycle;
    this.hooks = view;
    this.services = this.#registry.lookup();
    this.#pool = new SessionPool({ serverInfo: () => this.#requireConfig().host, logOutput: this.#logOutput, logger: this.logger, shutdownSignal: this.signal });
    this.#pluginHostSource = { host: this, cwd: this.#cwd, services: this.#registry, pool: this.#pool, logOutput: this.#logOutput };
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

  /** The global shutdown deadline (a `Date.now()` value) once shutdown began. */
  get deadline(): number | undefined {
    return this.#deadline;
  }

  /** The start or ready tap running (`start:name`), then, once shutdown began, the stopping and shutdown taps not finished yet. */
  get pendingTaps(): readonly string[] {
    const run = this.#currentRun;
    const stopping = run?.hook === 'stopping' ? run.pending.map((name) => `stopping:${name}`) : [];
    const shutdown = run?.hook === 'shutdown' ? run.pending : this.#plan('shutdown').map((tap) => tap.name);
    return [...(this.#runningTap ? [this.#runningTap] : []), ...(run ? [...stopping, ...shutdown] : [])];
  }

  /** Load and validate the config and every plugin's options. Throws a `HostError` listing every problem. */
  load(): Promise<ResolvedConfig> {
    return this.#config ? Promise.resolve(this.#config) : (this.#loading ??= this.#load());
  }

  /** Load, then apply every plugin in config order. Registers only: plugins open nothing here. */
  async apply(): Promise<void> {
    const config = await this.load();
    if (!this.#move('apply')) return;
    const { applyTimeoutMs } = this.#startupLimits();
    for (const { plugin, options } of config.plugins) {
      const applying = new Promise<unknown>((resolve) => resolve(plugin.apply(createPluginHost(plugin.name, this.#pluginHostSource), options)));
      // Bounded with a ref'd timer: an apply that never settles would otherwise end the process with 0 once the
      // event loop drains, or hang it while something else holds the loop. Shutdown cuts the wait short.
      const result = await boundedWait(applying, applyTimeoutMs, this.signal);
      if (result.kind === 'aborted') return;
      if (result.kind === 'timeout') {
        throw new HostError('MCPH_PLUGIN_APPLY_FAILED', `[plugin ${plugin.name}] apply: did not settle within startup.applyTimeoutMs (${applyTimeoutMs} ms); apply() only registers, open connections in a start tap`, { plugin: plugin.name, hook: 'apply' });
      }
      if (result.kind === 'rejected') {
        const { error } = result;
        if (isHostError(error) && error.plugin === plugin.name) throw error;
        throw new HostError('MCPH_PLUGIN_APPLY_FAILED', `[plugin ${plugin.name}] apply: ${describeError(error)}`, { plugin: plugin.name, hook: 'apply', cause: error });
      }
      if (this.#state !== 'applying') return;
    }
    this.#move('applied');
  }

  /**
   * The one startup path: load and apply (unless done), run the `start` taps, serve `target` — an SDK transport
   * (stdio, in-memory), or a session listener (the HTTP session server) — and run the `ready` taps. Resolves
   * once the host is running, or early if shutdown began meanwhile. A failure begins shutdown (`fatal-error`,
   * what was set up is released) and rejects with it.
   */
  async serve(target: ServeTarget): Promise<void> {
    if (!SERVABLE.has(this.#state)) {
      if (this.#state === 'stopping' || this.#state === 'stopped') return;
      throw new HostError('MCPH_HOST_STATE', `Cannot serve: the host is ${this.#state}; serve() runs once.`);
    }
    try {
      if (this.#state !== 'applied') await this.apply();
      if (!this.#move('start')) return;
      const starting = (this.#startPromise = this.#lifecycle.start.promise(Object.freeze({ signal: this.#startController.signal })));
      // Raced against shutdown: a start tap that ignores its signal must not hold serve() (and the process) past
      // the shutdown deadline; the shutdown waits for it, bounded, and reports it.
      const started = await boundedWait(starting, Infinity, this.signal);
      if (started.kind === 'aborted') return;
      this.#startPromise = undefined;
      if (started.kind === 'rejected') throw started.error;
      if (!this.#move('started')) return;
      await this.#pool.serve(target);
      if (!this.#move('connected')) return;
      // Two turns of the event loop first, so the client's first request is answered before ready taps begin their
      // work (a connection, a first fetch, the modules those load). The stdio transport begins reading as serving
      // begins; what the client wrote during startup comes in at the next poll, after the first turn's end and before
      // the second's: its answer is written then (over HTTP nobody is connected yet, and the turns cost nothing).
      for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#state !== 'running') return;
      await this.#lifecycle.ready.promise();
    } catch (error) {
      if (this.#state === 'stopping' || this.#state === 'stopped') {
        if (!(isHostError(error) && error.code === 'MCPH_STARTUP_ABORTED')) this.logger.debug('startup ended by shutdown: %s', describeError(error));
        return;
      }
      void this.shutdown('fatal-error', error);
      throw error;
    }
  }

  /**
   * Shut down: stop taking requests, run the stopping taps, answer the requests in flight, run every shutdown
   * tap in order (each isolated and bounded), close the servers. Runs once; every caller gets the same report.
   */
  /**
   * @internal A connection's first message, read before serving began: one that claims 2026-07-28 starts loading
   * that revision's serving code now, beside the plugins, rather than once the connection is served.
   */
  preloadFor(message: JSONRPCMessage): void {
    this.#pool.preloadFor(message);
  }

  shutdown(reason: ShutdownReason = 'api', failure?: unknown): Promise<ShutdownReport> {
    if (!this.#shutdownPromise) {
      this.#shutdownPromise = this.#runShutdown(reason, failure);
      void this.#shutdownPromise.then(this.#onStopped);
    }
    return this.#shutdownPromise;
  }

  /** Resolves with the report once a shutdown, whatever began it, has finished. */
  whenStopped(): Promise<ShutdownReport> {
    return this.#stopped;
  }

  /** What `inspect` prints: the plugins, what they registered, and the stopping and shutdown plans. */
  describe(): HostDescription {
    return describeHost(this.#requireConfig(), this.#pool, { stopping: this.#plan('stopping'), shutdown: this.#plan('shutdown') });
  }

  /**
   * The whole life as a process, as `mcp-host start` runs it: load, serve the config's transport, shut down on
   * the first trigger (signals, stdin EOF, fatal errors), then exit with the documented code once stdout is
   * flushed. Owns the process: for a host inside another program, use `serve()` and `shutdown()`.
   */
  async run(): Promise<never> {
    const { runProcess } = await import('./process-runner.js');
    return runProcess(this, { debug: this.#options.debug ?? false, stderr: this.#stderr });
  }

  async #load(): Promise<ResolvedConfig> {
    if (!this.#move('load')) throw new HostError('MCPH_HOST_STATE', 'Cannot load the config: the host is shutting down.');
    const { config, transport, env = process.env, resolveFrom = [], loadTimeoutMs = DEFAULT_LOAD_TIMEOUT_MS } = this.#options;
    const progress: LoadProgress = {};
    try {
      const loading = loadHostConfig({ config, transport, env, cwd: this.#cwd, resolveFrom: [...resolveFrom, import.meta.url], progress });
      const loaded = await boundedWait(loading, loadTimeoutMs, this.signal);
      if (loaded.kind === 'rejected') throw loaded.error;
      if (loaded.kind === 'aborted') throw new HostError('MCPH_STARTUP_ABORTED', 'startup aborted: shutdown began while the config was loading');
      if (loaded.kind === 'timeout') throw loadTimeout(progress, this.#cwd, loadTimeoutMs);
      this.#config = loaded.value;
    } catch (error) {
      this.#loading = undefined;
      this.#move('load-failed');
      throw error;
    }
    if (!this.#options.debug) this.#logOutput.level = this.#config.host.logging.level;
    this.#move('loaded');
    return this.#config;
  }

  async #runShutdown(reason: ShutdownReason, failure: unknown): Promise<ShutdownReport> {
    const startedAt = Date.now();
    const limits = this.#limits();
    const deadline = (this.#deadline = startedAt + limits.timeoutMs);
    const wasStarting = this.#startPromise;
    this.#move('shutdown');
    this.#pool.stopIntake();
    this.#startController.abort(new HostError('MCPH_STARTUP_ABORTED', `startup aborted: shutdown began (${reason})`));
    this.#shutdownController.abort(reason);
    this.logger.info('shutting down (%s)', reason);

    const stopping = await this.#runTaps('stopping', reason, deadline);
    // A start tap still running has its signal aborted; it gets a bounded moment to return, and one that does not
    // is reported: the process exits without waiting for it.
    let start: TapReport | undefined;
    if (wasStarting) {
      const waitMs = Math.min(startedAt + limits.hookTimeoutMs, deadline) - Date.now();
      const result = await boundedWait(wasStarting, waitMs);
      const tap = this.#runningTap?.startsWith('start:') ? this.#runningTap.slice('start:'.length) : undefined;
      if (result.kind === 'timeout' && tap !== undefined) {
        const error = `still running ${Date.now() - startedAt} ms after shutdown began: it ignored ctx.signal; the host exits without it`;
        start = { name: tap, plugin: tap, outcome: 'timed-out', durationMs: Date.now() - startedAt, timeoutMs: limits.hookTimeoutMs, error, code: 'MCPH_HOOK_TIMEOUT' };
        createLogger(tap, this.#logOutput).error(`start tap ${error} (MCPH_HOOK_TIMEOUT)`);
      }
    }

    const drainStarted = Date.now();
    const { completed, cut } = await this.#pool.drain(Math.min(drainStarted + limits.drainTimeoutMs, deadline));
    if (cut > 0) this.logger.warning('%d request(s) still unanswered after %d ms; cutting them (raise shutdown.drainTimeoutMs, or make the handler honour extra.signal)', cut, Date.now() - drainStarted);
    const drainMs = Date.now() - drainStarted;
    // Replies are out. HTTP: end the sessions (SSE streams, sockets) before the plugins release what they use.
    // stdio stays open through the taps, so a request sent meanwhile still gets its "shutting down" error.
    await this.#pool.closeSessions(deadline);
    const shutdown = await this.#runTaps('shutdown', reason, deadline);
    await this.#pool.close(deadline);
    this.#move('stopped');

    const drain = { completed, cut, refused: this.#pool.refused, durationMs: drainMs };
    const report = buildShutdownReport({ reason, failure, startedAt, drain, start, stopping, shutdown });
    this.#stderr.write(formatShutdownReport(report));
    return report;
  }

  /** Run the stopping or shutdown taps in plan order, each isolated and bounded; the run holds their reports. */
  async #runTaps(hook: 'stopping' | 'shutdown', reason: ShutdownReason, deadline: number): Promise<TapRun> {
    const log = (plugin: string, message: string) => createLogger(plugin, this.#logOutput).error(message);
    const run = (this.#currentRun = new TapRun(hook, reason, deadline, this.#limits().hookTimeoutMs, this.#plan(hook), log));
    await this.#lifecycle[hook].promise(run);
    return run;
  }

  #plan(hook: 'stopping' | 'shutdown'): TapPlanEntry[] {
    return planOf(this.#lifecycle[hook], this.#limits().hookTimeoutMs);
  }

  /** Take the transition `event` from the current state; false when shutdown began and cut the phase short. */
  #move(event: LifecycleEvent): boolean {
    const next = TRANSITIONS[this.#state][event];
    if (next !== undefined) {
      this.#state = next;
      return true;
    }
    if (this.#state === 'stopping' || this.#state === 'stopped') return false;
    throw new HostError('MCPH_HOST_STATE', `Cannot ${event}: the host is ${this.#state}. Call load(), apply() and serve() once each, in order (serve() does all three).`);
  }

  /** The startup bounds: the config's, or the schema's defaults before a config loaded. */
  #startupLimits(): ResolvedConfig['host']['startup'] {
    return this.#config?.host.startup ?? hostConfigSchema.shape.startup.parse(undefined);
  }

  /** The shutdown bounds: the config's, or the schema's defaults when shutdown comes before a config loaded. */
  #limits(): ResolvedConfig['host']['shutdown'] {
    return this.#config?.host.shutdown ?? hostConfigSchema.shape.shutdown.parse(undefined);
  }

  #requireConfig(): ResolvedConfig {
    if (!this.#config) throw new HostError('MCPH_HOST_STATE', 'The host has no config yet: call load() (or serve()) first.');
    return this.#config;
  }
}

/** What a load that did not settle was doing: the file it was reading, the plugin it was importing. */
function loadTimeout(progress: LoadProgress, cwd: string, ms: number): HostError {
  const where = progress.file ? displayPath(progress.file, cwd) : 'config';
  const doing = progress.plugin ? `importing plugin "${progress.plugin}"` : progress.file ? 'loading the file (a JS config whose module or default export never settles?)' : 'searching for the config file';
  return new HostError('MCPH_CONFIG_TIMEOUT', `${where}: still loading after ${ms} ms, ${doing}. Fix the module, or raise the bound with --load-timeout <ms>.`, { file: progress.file });
}
