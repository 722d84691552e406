import * as path from 'node:path';
import { HostError, isHostError, type HostErrorCode, type Problem } from './errors.js';
import { substituteEnv, type EnvProblem } from './env-substitution.js';
import { formatKeyPath } from './key-path.js';
import { MAX_CONFIG_DEPTH, MAX_CONFIG_EXPANDED_BYTES, checkConfigSize } from './config-size.js';
import { displayPath } from './config-loader.js';
import type { LoadProgress } from './host-config.js';
import { hostConfigSchema, pluginEntrySchema, type HostConfig, type PluginEntry } from './config-schema.js';
import type { OptionsSchema, Plugin } from './plugin.js';
import { importPlugin, resolvePluginSpecifier } from './plugin-resolver.js';
import { CORE_VERSION } from './version.js';
import { satisfiesSimpleRange } from './version-range.js';

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
  /** Told which plugin is being imported, for the message when loading does not settle in time. */
  progress?: LoadProgress | undefined;
}

type Issue = { readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined };

function issuePath(issue: Issue): PropertyKey[] {
  return (issue.path ?? []).map((segment) => (typeof segment === 'object' && segment !== null ? segment.key : segment));
}

/**
 * A config is validated once per start: zod 4 would compile a fast parser (`new Function`) for every object schema
 * it meets on a synchronous parse, which pays only for schemas parsed many times. `jitless` parses the same way
 * without that compile (the Magic-API example's options: a few ms of its cold start, issue 13).
 */
const ONE_SHOT_PARSE = Object.freeze({ jitless: true });

interface ZodLike {
  _zod: unknown;
  safeParse(value: unknown, context: typeof ONE_SHOT_PARSE): { success: boolean; data?: unknown; error?: { issues: readonly Issue[] } };
}

function isZodSchema(schema: unknown): schema is ZodLike {
  return typeof (schema as Partial<ZodLike>)._zod === 'object' && typeof (schema as Partial<ZodLike>).safeParse === 'function' && (schema as OptionsSchema<unknown>)['~standard']?.vendor === 'zod';
}

/** Validate a value with any Standard Schema (zod included). */
export async function validateWithSchema<T>(schema: OptionsSchema<T>, value: unknown): Promise<{ value: T } | { issues: readonly Issue[] }> {
  if (isZodSchema(schema)) {
    try {
      const parsed = schema.safeParse(value, ONE_SHOT_PARSE);
      return parsed.success ? { value: parsed.data as T } : { issues: parsed.error!.issues };
    } catch {
      // An async refinement or transform (a synchronous parse throws on it): the Standard Schema path awaits it.
    }
  }
  const result = await schema['~standard'].validate(value);
  return result.issues ? { issues: result.issues } : { value: result.value as T };
}

/**
 * Turn a loaded config into something the host can run: substitute `${VAR}`s, validate the host's keys,
 * load every plugin and validate its options. Every problem is collected before anything is thrown (host keys,
 * plugins that cannot be found or loaded, plugin options), so one run shows them all, one line each, each with
 * its own code: `file: key.path: message`.
 */
export async function resolveConfig(options: ResolveConfigOptions): Promise<ResolvedConfig> {
  const { cwd, file } = options;
  const dir = file ? path.dirname(file) : cwd;
  const where = file ? displayPath(file, cwd) : 'config';
  const problems: Problem[] = [];
  const report = (code: HostErrorCode, message: string): void => void problems.push({ code, message });

  // Before anything walks it: a bomb expands in every walk (substitution, validation) and is refused whole.
  const size = checkConfigSize(options.raw);
  if (size) {
    const keyPath = formatKeyPath(userKeys(size.path));
    const what =
      size.kind === 'cycle'
        ? 'contains itself (a YAML alias or JS reference to one of its own parents); a config is a tree. Remove the self-reference.'
        : size.kind === 'too-deep'
        ? `nests deeper than ${MAX_CONFIG_DEPTH} levels; flatten it.`
        : `expands to more than ${MAX_CONFIG_EXPANDED_BYTES / 1024 / 1024} MiB once its YAML aliases (or shared JS references) are written out in full (a "billion laughs"?). Remove the aliases that multiply it.`;
    throw new HostError('MCPH_CONFIG_TOO_LARGE', `${where}: ${keyPath}: ${what}`, { file, path: keyPath });
  }
  const envProblems: EnvProblem[] = [];
  const raw = substituteEnv(options.raw ?? {}, options.env ?? process.env, envProblems);
  // A value still holding an unset ${VAR} fails its schema too; that second line would only repeat the first.
  const envPaths = new Set<string>();
  for (const problem of envProblems) {
    const keyPath = formatKeyPath(userKeys(problem.keys));
    envPaths.add(keyPath);
    report('MCPH_CONFIG_ENV_MISSING', `${where}: ${keyPath}: environment variable ${problem.variable} is not set; set it (e.g. in the MCP client's "env"), or write \${${problem.variable}:-default}`);
  }
  const reportIssues = (code: HostErrorCode, issues: readonly Issue[], schema: unknown, value: unknown, prefix: readonly PropertyKey[], suffix = '') => {
    for (const issue of issues) {
      for (const line of describeIssue(issue, schema, value)) {
        const keyPath = formatKeyPath([...prefix, ...line.path]);
        if (!envPaths.has(keyPath)) report(code, `${where}: ${keyPath}: ${line.message}${suffix}`);
      }
    }
  };

  const parsed = hostConfigSchema.safeParse(raw, ONE_SHOT_PARSE);
  if (!parsed.success) reportIssues('MCPH_CONFIG_INVALID', parsed.error.issues, hostConfigSchema, raw, []);
  // A host key that fails does not stop the plugins from being loaded and checked: a typo and a missing plugin
  // are both reported. Entries that are not plugin entries at all were reported with the host keys.
  const entries = parsed.success ? parsed.data.plugins.map((entry, index) => ({ entry, index })) : wellFormedEntries(raw);

  // Sequentially, in config order: importing runs a module's top-level code, and that order should not vary.
  const loaded: (LoadedEntry & { index: number })[] = [];
  for (const { entry, index } of entries) {
    if (options.progress) options.progress.plugin = typeof entry === 'string' ? entry : Array.isArray(entry) && typeof entry[0] === 'string' ? entry[0] : `plugins[${index}]`;
    loaded.push({ ...(await loadEntry(entry, dir, options.resolveFrom ?? [])), index });
  }
  if (options.progress) delete options.progress.plugin;
  const plugins: ResolvedPlugin[] = [];
  const causes: unknown[] = [];
  const seen = new Map<string, { index: number; specifier: string }>();
  for (const result of loaded) {
    const { index } = result;
    if ('error' in result) {
      report(result.error.code, `${where}: plugins[${index}]: ${result.error.message}`);
      // Kept as the cause, so --debug shows where a plugin module threw.
      if (result.error.cause !== undefined) causes.push(result.error);
      continue;
    }
    const { plugin, rawOptions, specifier, file: pluginFile } = result;
    const previous = seen.get(plugin.name);
    if (previous !== undefined) {
      report(
        'MCPH_PLUGIN_DUPLICATE',
        `${where}: plugins[${index}]: plugin name "${plugin.name}" (${specifier}) is taken by plugins[${previous.index}] (${previous.specifier}); each plugin may be listed once: remove one of the entries.`,
      );
      continue;
    }
    seen.set(plugin.name, { index, specifier });
    if (plugin.core !== undefined) {
      const incompatible = await checkCoreRange(plugin.core);
      if (incompatible) {
        report('MCPH_PLUGIN_INCOMPATIBLE', `${where}: plugins[${index}]: plugin "${plugin.name}" (${specifier}) ${incompatible}`);
        continue;
      }
    }
    let pluginOptions: unknown = rawOptions;
    if (plugin.options) {
      let validated = await validateWithSchema(plugin.options, rawOptions);
      // A bare specifier gives no options: a schema that does not take `undefined` gets `{}`, so a plugin whose
      // options all have defaults can be listed by name alone, and one with required keys names them.
      if ('issues' in validated && rawOptions === undefined) validated = await validateWithSchema(plugin.options, {});
      if ('issues' in validated) {
        reportIssues('MCPH_PLUGIN_OPTIONS_INVALID', validated.issues, plugin.options, rawOptions, ['plugins', index, 'options'], ` (plugin ${plugin.name})`);
        continue;
      }
      pluginOptions = validated.value;
    }
    plugins.push({ plugin, options: pluginOptions, specifier, file: pluginFile, index });
  }
  if (!parsed.success || problems.length > 0) throw aggregate(problems, file, causes);
  const { plugins: _entries, ...host } = parsed.data;
  return { host, plugins, file, dir };
}

/** The entries of a config whose host keys failed validation that are plugin entries, with their indices. */
function wellFormedEntries(raw: unknown): { entry: PluginEntry; index: number }[] {
  const list = (raw as { plugins?: unknown } | null)?.plugins;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, index) => {
    const entry = pluginEntrySchema.safeParse(item);
    return entry.success ? [{ entry: entry.data, index }] : [];
  });
}

/** Why a plugin's `core` range rules this host out, or undefined when it fits. semver loads only for a range the simple matcher does not read. */
async function checkCoreRange(range: string): Promise<string | undefined> {
  let fits = satisfiesSimpleRange(CORE_VERSION, range);
  if (fits === undefined) {
    const semver = await import('semver');
    if (semver.validRange(range) === null) {
      return `declares core: "${range}", which is not a semver range (write e.g. "^${CORE_VERSION}"); ask its author to fix it.`;
    }
    fits = semver.satisfies(CORE_VERSION, range, { includePrerelease: true });
  }
  if (fits) return undefined;
  return `supports @mcp-host/core ${range}, but this host runs @mcp-host/core ${CORE_VERSION}. Install a version of the plugin made for ${CORE_VERSION}, or a host in its range.`;
}

/**
 * Key paths as messages name them: in `["./p.mjs", { url }]` the options are `plugins[N].options`, and the
 * specifier is `plugins[N]`, whichever way the entry was written.
 */
function userKeys(keys: readonly (string | number)[]): PropertyKey[] {
  const [top, index, slot, ...rest] = keys;
  if (top !== 'plugins' || typeof index !== 'number' || typeof slot !== 'number') return [...keys];
  return slot === 1 ? ['plugins', index, 'options', ...rest] : ['plugins', index, ...rest];
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

interface IssueLine {
  /** Relative to the validated value. */
  path: PropertyKey[];
  message: string;
}

/** One line per problem: an unknown-keys issue becomes one line per key, each naming the keys allowed there. */
function describeIssue(issue: Issue, schema: unknown, value: unknown): IssueLine[] {
  const details = issue as Issue & { code?: string; keys?: string[] };
  const at = issuePath(issue);
  if (details.code === 'unrecognized_keys' && details.keys) {
    const known = objectKeysAt(schema, value, at);
    return details.keys.map((key) => {
      const guess = known && closestKey(key, known);
      const hint = known
        ? `${guess ? `; did you mean "${guess}"?` : ''} (known keys here: ${known.join(', ')})`
        : ` (check the spelling; ${schema === hostConfigSchema ? "see the README's config reference" : "see the plugin's documentation"})`;
      return { path: [...at, key], message: `unknown key${hint}` };
    });
  }
  if (details.code === 'invalid_union' && at.length === 2 && at[0] === 'plugins' && typeof at[1] === 'number') {
    return [
      {
        path: at,
        message: `expected a plugin specifier ("./my-plugin.mjs" or a package name), [specifier, options], or (in a JS/TS config) a plugin object with a name and apply(); got ${describeEntry(valueAt(value, at))}`,
      },
    ];
  }
  return [{ path: at, message: issue.message }];
}

function valueAt(value: unknown, at: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of at) current = current !== null && typeof current === 'object' ? (current as Record<PropertyKey, unknown>)[key] : undefined;
  return current;
}

function describeEntry(entry: unknown): string {
  if (Array.isArray(entry)) return `an array of ${entry.length} item${entry.length === 1 ? '' : 's'}${entry.length > 2 ? ' (at most [specifier, options])' : ''}`;
  if (entry !== null && typeof entry === 'object') {
    const keys = Object.keys(entry);
    return `an object${keys.length ? ` with keys ${keys.slice(0, 6).join(', ')}` : ''}${typeof (entry as { apply?: unknown }).apply === 'function' ? '' : ' and no apply()'}`;
  }
  return entry === null ? 'null' : typeof entry === 'string' ? 'an empty string' : `${typeof entry} ${String(entry)}`;
}

type SchemaDef = {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  element?: unknown;
  items?: unknown[];
  valueType?: unknown;
  options?: unknown[];
  discriminator?: string;
  values?: unknown[];
};

const defOf = (schema: unknown): SchemaDef | undefined => (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;

/**
 * The keys a zod object schema allows at `at`, found by walking the schema's definition (`_zod.def`, zod's
 * documented surface for tools). `undefined` for other schema libraries, or where the path is ambiguous.
 */
function objectKeysAt(schema: unknown, value: unknown, at: readonly PropertyKey[]): string[] | undefined {
  let current = schema;
  let index = 0;
  for (let step = 0; step < 64; step++) {
    const def = defOf(current);
    if (!def) return undefined;
    switch (def.type) {
      case 'default':
      case 'prefault':
      case 'optional':
      case 'nullable':
      case 'readonly':
      case 'catch':
        current = def.innerType;
        break;
      case 'pipe':
        current = def.in;
        break;
      case 'object':
        if (index === at.length) return Object.keys(def.shape ?? {});
        current = def.shape?.[String(at[index++])];
        break;
      case 'array':
        if (index === at.length) return undefined;
        index++;
        current = def.element;
        break;
      case 'tuple':
        if (index === at.length) return undefined;
        current = def.items?.[Number(at[index++])];
        break;
      case 'record':
        if (index === at.length) return undefined;
        index++;
        current = def.valueType;
        break;
      case 'union': {
        // A discriminated union (transport: { type: … }): follow the option the value's discriminator picks.
        const discriminator = def.discriminator;
        const tag = discriminator === undefined ? undefined : (valueAt(value, at.slice(0, index)) as Record<string, unknown> | undefined)?.[discriminator];
        if (tag === undefined) return undefined;
        current = def.options?.find((option) => defOf(defOf(option)?.shape?.[discriminator!])?.values?.includes(tag));
        break;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/** The known key a typo most likely meant: same letters ignoring case, or within a small edit distance. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** Every problem in one error: its code is theirs when they share one, else MCPH_CONFIG_INVALID; each keeps its own. */
function aggregate(problems: Problem[], file: string | undefined, causes: unknown[]): HostError {
  const codes = new Set(problems.map((problem) => problem.code));
  const code = codes.size === 1 ? [...codes][0]! : 'MCPH_CONFIG_INVALID';
  const cause = causes.length === 1 ? causes[0] : causes.length > 1 ? new AggregateError(causes, `${causes.length} plugins failed to load`) : undefined;
  return new HostError(code, problems.map((problem) => problem.message).join('\n'), { problems, file, cause });
}
