import type { HostConfigInput } from './config-schema.js';
import type { ResolvedConfig } from './resolve-config.js';

/** Where a host's config comes from (`createHost` fills in the defaults). */
export interface HostConfigSource {
  /**
   * The config: an object (plugin entries may be plugin objects), or a config file path. Omitted: search for a
   * config file from `cwd`, as the CLI does.
   */
  config?: HostConfigInput | string | undefined;
  /** Directory to search for the config and to resolve relative paths from; default `process.cwd()`. */
  cwd: string;
  /** Environment for `${VAR}` substitution; default `process.env`. */
  env: NodeJS.ProcessEnv;
  /**
   * Transport settings over the config's (the CLI's `--transport`, `--port`, `--host`). Keys merge into the
   * config's transport when the type is the same; another type replaces it.
   */
  transport?: (Partial<Record<string, unknown>> & { type?: 'stdio' | 'http' }) | undefined;
  /** Module URLs to resolve package-name plugins from after the config's directory (the CLI adds its own). */
  resolveFrom: readonly string[];
}

/** Where a load is, for the message when it does not settle in time: the file being read, the plugin being imported. */
export interface LoadProgress {
  file?: string;
  plugin?: string;
}

/**
 * The load phase: read the config (the object given, or the file given or found), lay the transport override
 * over it, then resolve it (env substitution, validation, plugins loaded, their options validated). The loader
 * and resolver are imported here, so a host given an object never loads cosmiconfig.
 */
export async function loadHostConfig(source: HostConfigSource & { progress?: LoadProgress }): Promise<ResolvedConfig> {
  let raw: unknown = source.config;
  let file: string | undefined;
  if (typeof raw !== 'object' || raw === null) {
    const { loadConfigFile } = await import('./config-loader.js');
    ({ raw, file } = await loadConfigFile({ configPath: source.config as string | undefined, cwd: source.cwd, progress: source.progress }));
  }
  const override = source.transport;
  if (override && typeof raw === 'object' && raw !== null) {
    const current = (raw as { transport?: Record<string, unknown> }).transport ?? { type: 'stdio' };
    const type = override.type ?? 'http';
    raw = { ...raw, transport: current.type === type ? { ...current, ...override, type } : { ...override, type } };
  }
  const { resolveConfig } = await import('./resolve-config.js');
  return resolveConfig({ raw, file, cwd: source.cwd, env: source.env, resolveFrom: source.resolveFrom, progress: source.progress });
}
