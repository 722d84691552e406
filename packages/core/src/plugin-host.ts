import { HostError } from './errors.js';
import type { HostHooks } from './hooks.js';
import { createLogger, type LogOutput } from './logger.js';
import type { HostState, PluginHost, Registration, RequestClientTarget, RequestLogTarget } from './plugin.js';
import type { ResolvedConfig } from './resolve-config.js';
import type { ResourceProvider } from './resource-catalog.js';
import type { ServiceKey, ServiceRegistry } from './services.js';
import type { SessionPool } from './session-pool.js';
import type { ShutdownReason, ShutdownReport } from './shutdown-report.js';

/** What the facade reads from the host: its public lifecycle, live, and the parts plugins act through. */
export interface PluginHostSource {
  readonly host: {
    readonly hooks: HostHooks;
    readonly signal: AbortSignal;
    readonly state: HostState;
    readonly config: ResolvedConfig | undefined;
    shutdown(reason: ShutdownReason): Promise<ShutdownReport>;
  };
  /** The working directory, for a host with no config file. */
  readonly cwd: string;
  /** The registry itself: plugins provide services, the host only looks them up. */
  readonly services: ServiceRegistry;
  readonly pool: SessionPool;
  readonly logOutput: LogOutput;
}

/**
 * The host as one plugin sees it (what its `apply` gets): registrations go to the session pool under the
 * plugin's name, services are provided in its name, its logger is prefixed with it, the hooks are the tap-only
 * view. Frozen: a plugin cannot reach past it into the host.
 */
export function createPluginHost(pluginName: string, source: PluginHostSource): PluginHost {
  const { host, pool, services, logOutput } = source;
  const logger = createLogger(pluginName, logOutput);
  const expectOpen = (kind: string, name: string) => {
    if (host.state === 'stopping' || host.state === 'stopped') {
      throw new HostError('MCPH_REGISTRATION_CLOSED', `[plugin ${pluginName}] cannot register ${kind} "${name}": the host is shutting down.`, { plugin: pluginName });
    }
    // The resource handlers are installed on a server when it is made; the SDK cannot add them to one serving.
    if (kind.startsWith('resource') && pool.hasSessions) {
      throw new HostError('MCPH_REGISTRATION_CLOSED', `[plugin ${pluginName}] cannot register ${kind} "${name}" while serving: register resources in apply() or a start tap.`, { plugin: pluginName });
    }
  };
  const register = (registration: Registration) => {
    expectOpen(registration.kind, registration.name);
    pool.register(registration);
  };
  return Object.freeze({
    name: pluginName,
    hooks: host.hooks,
    logger,
    get signal() {
      return host.signal;
    },
    get configDir() {
      return host.config?.dir ?? source.cwd;
    },
    get configFile() {
      return host.config?.file;
    },
    get state() {
      return host.state;
    },
    shutdown: (reason?: ShutdownReason) => host.shutdown(reason ?? 'api'),
    requestLogger: (extra: RequestLogTarget) => createLogger(pluginName, logOutput, new Set([pool.requestLogSink(extra)])),
    requestClient: (extra: RequestClientTarget) => pool.requestClient(pluginName, extra),
    provide: <T>(key: ServiceKey<T>, value: T) => services.provide(key, value, pluginName),
    inject: (<T>(key: ServiceKey<T>, options?: { optional: true }) =>
      options?.optional ? services.find(key) : services.inject(key, pluginName)) as PluginHost['inject'],
    tool: ((name: string, config: never, handler: never) =>
      register({ kind: 'tool', name, plugin: pluginName, register: (server) => void server.registerTool(name, config, handler) })) as PluginHost['tool'],
    prompt: ((name: string, config: never, handler: never) =>
      register({ kind: 'prompt', name, plugin: pluginName, register: (server) => void server.registerPrompt(name, config, handler) })) as PluginHost['prompt'],
    resource: ((name: string, uri: unknown, metadata: never, read: never) => {
      expectOpen('resource', name);
      if (typeof uri === 'string') pool.resources.addStatic(pluginName, name, uri, metadata, read);
      else pool.resources.addTemplate(pluginName, name, uri as never, metadata, read);
    }) as PluginHost['resource'],
    resources: (provider: ResourceProvider) => {
      expectOpen('resource provider', pluginName);
      pool.resources.addProvider(pluginName, provider);
    },
    notifyResourceUpdated: (uri: string) => pool.notifyResourceUpdated(uri),
    notifyResourceListChanged: () => pool.notifyResourceListChanged(),
  });
}
