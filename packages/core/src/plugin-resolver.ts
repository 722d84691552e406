import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { types } from 'node:util';
import { HostError, describeError } from './errors.js';
import { CORE, hasInThreadHooks, hostCoreTargets, isHostCoreProvided, isMissingCore, provideHostCore } from './core-fallback.js';
import { RETRY_PARAM } from './core-resolve-hook.js';
import { isPlugin, type Plugin } from './plugin.js';

/** Where a specifier was resolved from, for messages. */
export interface ResolvedSpecifier {
  url: string;
  /** Absolute path of the module file. */
  file: string;
}

function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..' || path.isAbsolute(specifier) || specifier.startsWith('file:');
}

/** The entry module of a package directory: its `exports["."]` (import/default), `main`, or index.js. */
function packageDirectoryEntry(dir: string): string {
  let manifest: { exports?: unknown; main?: unknown } = {};
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    // No manifest: fall back to index.js.
  }
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object') {
      const conditions = value as Record<string, unknown>;
      return pick(conditions['.']) ?? pick(conditions['import']) ?? pick(conditions['node']) ?? pick(conditions['default']);
    }
    return undefined;
  };
  const entry = pick(manifest.exports) ?? (typeof manifest.main === 'string' ? manifest.main : undefined) ?? 'index.js';
  return path.resolve(dir, entry);
}

/**
 * Resolve a plugin specifier. Paths resolve against the config file's directory; package names resolve
 * from the config file's directory first, then from each of `fallbackBases` (the host's own installation),
 * so first-party plugins work from a config anywhere on disk.
 */
export async function resolvePluginSpecifier(
  specifier: string,
  configDir: string,
  fallbackBases: readonly string[],
): Promise<ResolvedSpecifier> {
  if (isPathSpecifier(specifier)) {
    let file = specifier.startsWith('file:') ? fileURLToPath(specifier) : path.resolve(configDir, specifier);
    const info = statSync(file, { throwIfNoEntry: false });
    if (info?.isDirectory()) file = packageDirectoryEntry(file);
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) {
      throw new HostError('MCPH_PLUGIN_NOT_FOUND', `Cannot find plugin "${specifier}": ${file} does not exist (paths are relative to the config file's directory, ${configDir}).`);
    }
    return { url: pathToFileURL(file).href, file };
  }
  const { resolve } = await import('import-meta-resolve');
  const bases = [pathToFileURL(path.join(configDir, 'noop.js')).href, ...fallbackBases];
  const failures: string[] = [];
  for (const base of bases) {
    try {
      const url = resolve(specifier, base);
      if (url.startsWith('node:')) break;
      return { url, file: url.startsWith('file:') ? fileURLToPath(url) : url };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
        throw new HostError('MCPH_PLUGIN_NOT_FOUND', `Cannot resolve plugin "${specifier}": ${describeError(error)}`, { cause: error });
      }
      failures.push(path.dirname(base.startsWith('file:') ? fileURLToPath(base) : base));
    }
  }
  const hostDirs = [...new Set(failures.slice(1))].filter((dir) => dir !== configDir);
  throw new HostError(
    'MCPH_PLUGIN_NOT_FOUND',
    `Cannot find plugin "${specifier}": looked for node_modules/${packageName(specifier)} from ${configDir} (the config's directory)${hostDirs.length ? ` and from the host's installation (${hostDirs.join(', ')})` : ''}. Install it next to the config (npm install ${packageName(specifier)}), or give a path starting with ./ (relative to the config file).`,
  );
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Import a resolved module and take its default export, which must be a plugin object. */
export async function importPlugin(specifier: string, resolved: ResolvedSpecifier): Promise<Plugin> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await importWhereCoreIsMissing(resolved)) ?? requireEsModule(resolved) ?? ((await import(resolved.url)) as Record<string, unknown>);
  } catch (first) {
    let error = first;
    if (isMissingCore(first)) {
      try {
        namespace = await importWithoutCore(resolved);
        error = undefined;
      } catch (second) {
        error = second;
      }
    }
    if (error === undefined) return pluginFrom(specifier, resolved, namespace!);
    throw new HostError('MCPH_PLUGIN_LOAD_FAILED', `Plugin "${specifier}" (${resolved.file}) threw while loading: ${describeError(error)}`, { cause: error });
  }
  return pluginFrom(specifier, resolved, namespace);
}

let requireFromHere: NodeJS.Require | undefined;

/**
 * An ES module plugin file loaded the way `require(esm)` loads one (Node ≥ 20.19): the same module record `import()`
 * makes — one evaluation, the same instance for a later `import()` of its URL — but its graph read and linked on this
 * thread. `import()` waits on the thread pool for each file it reads: ~1.4 ms a trivial plugin file on Node 20,
 * against ~0.7 ms (issue 13, the cold-start bench's floor rows). Undefined where `import()` is the way: a graph with
 * top-level await (Node refuses it before running any of it, so the import that follows is its only evaluation), a
 * CommonJS file (its exports are cached: the import reuses them), a file that is not `.js`/`.mjs`, and wherever
 * loader hooks may be in play (`--import`, `--loader`, `--require`, or core's own hook once registered), since
 * `require` and those hooks need not agree. Any other error is the module's own, thrown as `import()` would throw it.
 */
function requireEsModule(resolved: ResolvedSpecifier): Record<string, unknown> | undefined {
  if (!canRequireEsModules() || !resolved.url.startsWith('file:') || !/\.m?js$/.test(resolved.file)) return undefined;
  requireFromHere ??= createRequire(import.meta.url);
  let loaded: unknown;
  try {
    loaded = requireFromHere(resolved.file);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_REQUIRE_ASYNC_MODULE') return undefined;
    throw error;
  }
  return types.isModuleNamespaceObject(loaded) ? (loaded as Record<string, unknown>) : undefined;
}

let requireEsm: boolean | undefined;
function canRequireEsModules(): boolean {
  if (isHostCoreProvided()) return false;
  requireEsm ??=
    (process.features as { require_module?: boolean }).require_module === true &&
    ![...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((flag) => /^--(import|loader|experimental-loader|require)(=|$)|^-r$/.test(flag));
  return requireEsm;
}

/**
 * A plugin file with no @mcp-host/core beside it, given the host's. On Node 20 the file is first imported from its
 * source with its core imports pointed at the host's (core-rewrite.ts: no loader thread); where that would not be
 * the same module, and on Node ≥ 22.15, a resolve hook serves core and the plugin is imported afresh (the failed
 * module records stay cached under their URLs, so the retry uses others: the hook marks the plugin's own files).
 */
async function importWithoutCore(resolved: ResolvedSpecifier): Promise<Record<string, unknown>> {
  if (!hasInThreadHooks()) {
    const namespace = await importRewritten(realFile(resolved.file));
    // Undefined, or IMPORTS_NO_CORE (core is imported by a module of the plugin's own): the hook serves it.
    if (typeof namespace === 'object') return namespace;
  }
  return importThroughHook(resolved);
}

/**
 * On Node 20, a plugin file that names core where no `node_modules/@mcp-host/core` is above it would only fail to
 * load — after about as long as loading it takes — so it goes to the rewrite at once. Undefined: load it as usual
 * (it does not import core itself, or core is installed, or Node has in-thread hooks).
 */
async function importWhereCoreIsMissing(resolved: ResolvedSpecifier): Promise<Record<string, unknown> | undefined> {
  if (hasInThreadHooks() || isHostCoreProvided() || !resolved.url.startsWith('file:') || isCoreInstalledAbove(path.dirname(resolved.file))) return undefined;
  // Node resolves a module's imports from its real path, so that is where core must be missing too.
  const real = realFile(resolved.file);
  if (real !== resolved.file && isCoreInstalledAbove(path.dirname(real))) return undefined;
  let source: string;
  try {
    source = readFileSync(real, 'utf8');
  } catch {
    return undefined;
  }
  if (!source.includes(CORE)) return undefined;
  const namespace = await importRewritten(real, source);
  if (typeof namespace === 'object') return namespace;
  return namespace === undefined ? importThroughHook(resolved) : undefined;
}

/** The file at its real path imported through the rewrite (core-rewrite.ts, loaded only for it). */
async function importRewritten(real: string, source?: string) {
  const { importWithHostCore } = await import('./core-rewrite.js');
  return importWithHostCore(pathToFileURL(real).href, real, hostCoreTargets(), source === undefined ? undefined : { source });
}

/** Whether Node's package lookup from `dir` finds a `node_modules/@mcp-host/core` (it tries each ancestor in turn). */
function isCoreInstalledAbove(dir: string): boolean {
  for (let at = dir; ; ) {
    if (statSync(path.join(at, 'node_modules', CORE), { throwIfNoEntry: false })?.isDirectory()) return true;
    const parent = path.dirname(at);
    if (parent === at) return false;
    at = parent;
  }
}

function realFile(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** Core's resolve hook (a loader thread on Node 20), and the plugin imported afresh under a marked URL. */
async function importThroughHook(resolved: ResolvedSpecifier): Promise<Record<string, unknown>> {
  provideHostCore();
  const retry = new URL(resolved.url);
  retry.searchParams.set(RETRY_PARAM, 'host');
  return (await import(retry.href)) as Record<string, unknown>;
}

function pluginFrom(specifier: string, resolved: ResolvedSpecifier, namespace: Record<string, unknown>): Plugin {
  let candidate = namespace['default'];
  // A CommonJS module compiled from ESM exposes `exports.default` under `default`.
  if (!isPlugin(candidate) && isPlugin((candidate as { default?: unknown } | undefined)?.default)) {
    candidate = (candidate as { default: unknown }).default;
  }
  if (isPlugin(candidate)) return candidate;
  const named = Object.keys(namespace).filter((key) => key !== 'default');
  const found =
    candidate === undefined
      ? `no default export${named.length ? ` (named exports: ${named.slice(0, 8).join(', ')}${named.length > 8 ? `, … ${named.length - 8} more` : ''})` : ''}`
      : `a default export that is ${describeValue(candidate)}`;
  throw new HostError(
    'MCPH_PLUGIN_INVALID',
    `Plugin "${specifier}" (${resolved.file}) has ${found}; a plugin module's default export must be a plugin object: export default definePlugin({ name, apply }).`,
  );
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}, not a plugin object`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return `an object without ${typeof (value as { name?: unknown }).name === 'string' ? 'an apply() function' : 'a name'}${keys.length ? ` (keys: ${keys.slice(0, 6).join(', ')})` : ''}`;
  }
  return `a ${typeof value}`;
}
