import type { TapPlanEntry } from './hook-interceptors.js';
import type { ResolvedConfig } from './resolve-config.js';
import type { SessionPool } from './session-pool.js';

/** What `inspect` prints. */
export interface HostDescription {
  name: string;
  version: string;
  configFile: string | undefined;
  plugins: { name: string; specifier: string; file: string | undefined }[];
  tools: { name: string; plugin: string }[];
  resources: { name: string; uri: string; plugin: string }[];
  prompts: { name: string; plugin: string }[];
  /** The stopping taps in the order they will run, with their bounds. */
  stoppingPlan: TapPlanEntry[];
  /** The shutdown taps in the order they will run, with their bounds. */
  shutdownPlan: TapPlanEntry[];
  shutdown: { timeoutMs: number; hookTimeoutMs: number; drainTimeoutMs: number };
}

/** A host's config, what its plugins registered, and its tap plans, as `inspect` shows them. */
export function describeHost(config: ResolvedConfig, pool: SessionPool, plans: { stopping: TapPlanEntry[]; shutdown: TapPlanEntry[] }): HostDescription {
  const registered = (kind: 'tool' | 'prompt') => pool.registrations.filter((entry) => entry.kind === kind).map(({ name, plugin }) => ({ name, plugin }));
  return {
    name: config.host.name,
    version: config.host.version,
    configFile: config.file,
    plugins: config.plugins.map(({ plugin, specifier, file }) => ({ name: plugin.name, specifier, file })),
    tools: registered('tool'),
    resources: pool.resources.names(),
    prompts: registered('prompt'),
    stoppingPlan: plans.stopping,
    shutdownPlan: plans.shutdown,
    shutdown: { ...config.host.shutdown },
  };
}
