import * as path from 'node:path';
import { HostError, isHostError, type HostErrorCode } from './errors.js';
import { substituteEnv, type EnvProblem } from './env-substitution.js';
import { formatKeyPath } from './key-path.js';
import { displayPath } from './config-loader.js';
import { hostConfigSchema, type HostConfig, type PluginEntry } from './config-schema.js';
import type { OptionsSchema, Plugin } from './plugin.js';
import { importPlugin, resolvePluginSpecifier } from './plugin-resolver.js';

/** A plugin ready to apply: loaded, its options validated. */
export interface ResolvedPlugin {
  plugin: Plugin;
  options: unknown;
  /** How the config named it (`./my-plugin.mjs`, `@mcp-host/plugin-websocket-manager`, `<inline>`). */
  specifier: string;
  /** The module file it came from, or `undefined` for an inline plugin object. */
  file: string | undefined;
  /** Its index in `plugins`. */
  index: number;
}

export interface ResolvedConfig {
  /** The host's own settings, validated, defaults filled in. */
  host: Omit<HostConfig, 'plugins'>;
  plugins: ResolvedPlugin[];
  /** The config file, when there is one. */
  file: string | undefined;
  /** Relative paths in the config resolve against this directory. */
  dir: string;
}

export interface ResolveConfigOptions {
  raw: unknown;
  file?: string | undefined;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Module URLs to resolve package-name plugins from after the config's directory. */
  resolveFrom?: readonly string[];
}

type Issue = { readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined };

function issuePath(issue: Issue): PropertyKey[] {
  return (issue.path ?? []).map((segment) => (typeof segment === 'object' && segment !== null ? segment.key : segment));
}

/** Validate a value with any Standard Schema (zod included). */
export async function validateWithSchema<T>(schema: OptionsSchema<T>, value: unknown): Promise<{ value: T } | { issues: readonly Issue[] }> {
  const result = await schema['~standard'].validate(value);
  return result.issues ? { issues: result.issues } : { value: result.value as T };
}

/**
 * Turn a loaded config into something the host can run: substitute `${VAR}`s, validate the host's keys,
 * load every plugin and validate its options. Every problem is collected before anything is thrown, so one
 * run shows them all, one line each: `file: key.path: message`.
 */
export async function resolveConfig(options: ResolveConfigOptions): Promise<ResolvedConfig> {
  const { cwd, file } = options;
  const dir = file ? path.dirname(file) : cwd;
  const where = file ? displayPath(file, cwd) : 'config';
  const problems: string[] = [];
  const codes = new Set<HostErrorCode>();
  const report = (code: HostErrorCode, message: string): void => {
    codes.add(code);
    problems.push(message);
  };

  const envProblems: EnvProblem[] = [];
  const raw = substituteEnv(options.raw ?? {}, options.env ?? process.env, envProblems);
  for (const problem of envProblems) {
    report('MCPH_CONFIG_ENV_MISSING', `${where}: ${problem.path}: environment variable ${problem.variable} is not set; set it, or write \${${problem.variable}:-default}`);
  }

  const parsed = hostConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      report('MCPH_CONFIG_INVALID', `${where}: ${formatKeyPath(issuePath(issue))}: ${describeIssue(issue)}`);
    }
    throw aggregate(codes, problems, file);
  }
  const { plugins: entries, ...host } = parsed.data;

  // Sequentially, in config order: importing runs a module's top-level code, and that order should not vary.
  const loaded: LoadedEntry[] = [];
  for (const entry of entries) loaded.push(await loadEntry(entry, dir, options.resolveFrom ?? []));
  const plugins: ResolvedPlugin[] = [];
  const seen = new Map<string, number>();
  for (const [index, result] of loaded.entries()) {
    if ('error' in result) {
      report(result.error.code, `${where}: plugins[${index}]: ${result.error.message}`);
      continue;
    }
    const { plugin, rawOptions, specifier, file: pluginFile } = result;
    const previous = seen.get(plugin.name);
    if (previous !== undefined) {
      report('MCPH_PLUGIN_DUPLICATE', `${where}: plugins[${index}]: plugin name "${plugin.name}" is used by plugins[${previous}] already; each plugin may be listed once.`);
      continue;
    }
    seen.set(plugin.name, index);
    let pluginOptions: unknown = rawOptions;
    if (plugin.options) {
      const validated = await validateWithSchema(plugin.options, rawOptions);
      if ('issues' in validated) {
        for (const issue of validated.issues) {
          const keyPath = formatKeyPath(['plugins', index, 'options', ...issuePath(issue)]);
          report('MCPH_PLUGIN_OPTIONS_INVALID', `${where}: ${keyPath}: ${describeIssue(issue)} (plugin ${plugin.name})`);
        }
        continue;
      }
      pluginOptions = validated.value;
    }
    plugins.push({ plugin, options: pluginOptions, specifier, file: pluginFile, index });
  }
  if (problems.length > 0) throw aggregate(codes, problems, file);
  return { host, plugins, file, dir };
}

type LoadedEntry =
  | { plugin: Plugin; rawOptions: unknown; specifier: string; file: string | undefined }
  | { error: HostError };

async function loadEntry(entry: PluginEntry, dir: string, resolveFrom: readonly string[]): Promise<LoadedEntry> {
  const [target, rawOptions] = Array.isArray(entry) ? [entry[0], entry[1]] : [entry, undefined];
  if (typeof target !== 'string') {
    return { plugin: target, rawOptions, specifier: `<inline ${target.name}>`, file: undefined };
  }
  try {
    const resolved = await resolvePluginSpecifier(target, dir, resolveFrom);
    const plugin = await importPlugin(target, resolved);
    return { plugin, rawOptions, specifier: target, file: resolved.file };
  } catch (error) {
    if (isHostError(error)) return { error };
    throw error;
  }
}

function describeIssue(issue: Issue): string {
  const details = issue as Issue & { code?: string; keys?: string[]; expected?: string; received?: unknown };
  if (details.code === 'unrecognized_keys' && details.keys) {
    return `unknown key${details.keys.length > 1 ? 's' : ''} ${details.keys.map((key) => `"${key}"`).join(', ')} (check the spelling; see the README's config reference)`;
  }
  return issue.message;
}

function aggregate(codes: Set<HostErrorCode>, problems: string[], file: string | undefined): HostError {
  const code = codes.size === 1 ? [...codes][0]! : 'MCPH_CONFIG_INVALID';
  return new HostError(code, problems.join('\n'), { problems, file });
}
