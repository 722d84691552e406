import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { HostError, describeError, isHostError } from './errors.js';
import type { LoadProgress } from './host-config.js';
import { jsonSyntaxErrorOffset, lineAndColumn } from './json-syntax-position.js';

export const MODULE_NAME = 'mcp-host';

/** Where the config is searched for, in this order, in the working directory and up to the project root. */
export const SEARCH_PLACES = [
  'package.json',
  `${MODULE_NAME}.config.json`,
  `${MODULE_NAME}.config.yaml`,
  `${MODULE_NAME}.config.yml`,
  `${MODULE_NAME}.config.js`,
  `${MODULE_NAME}.config.mjs`,
  `${MODULE_NAME}.config.cjs`,
  `${MODULE_NAME}.config.ts`,
  `.${MODULE_NAME}rc`,
  `.${MODULE_NAME}rc.json`,
  `.${MODULE_NAME}rc.yaml`,
  `.${MODULE_NAME}rc.yml`,
  `.${MODULE_NAME}rc.js`,
  `.${MODULE_NAME}rc.mjs`,
  `.${MODULE_NAME}rc.cjs`,
  `.${MODULE_NAME}rc.ts`,
] as const;

export interface LoadedConfigFile {
  /** Absolute path of the file. */
  file: string;
  /** What the file holds, before env substitution and validation. */
  raw: unknown;
}

/** How a file is named in messages: relative to the working directory when under it. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/**
 * Find and load the config with cosmiconfig: the given file, or a search from `cwd`. cosmiconfig is
 * imported here, lazily, so it costs nothing to a host embedded with an inline config.
 */
export async function loadConfigFile(options: { configPath?: string | undefined; cwd: string; progress?: LoadProgress | undefined }): Promise<LoadedConfigFile> {
  // A file given is the one being loaded from now on, however long importing cosmiconfig takes.
  if (options.progress && options.configPath !== undefined) options.progress.file = path.resolve(options.cwd, options.configPath);
  // The common case under an MCP client — `--config some.json` — needs no cosmiconfig (~50 ms of startup).
  if (options.configPath !== undefined && options.configPath.endsWith('.json') && path.basename(options.configPath) !== 'package.json') {
    const file = path.resolve(options.cwd, options.configPath);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT') throw new HostError('MCPH_CONFIG_NOT_FOUND', `${displayPath(file, options.cwd)}: no such file. Check the path given to --config.`, { file });
      if (code === 'EISDIR') throw new HostError('MCPH_CONFIG_NOT_FOUND', `${displayPath(file, options.cwd)}: is not a file. Give --config the config file itself.`, { file });
      throw unreadable(file, options.cwd, error);
    }
    if (text.trim() === '') throw emptyConfig(file, options.cwd);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      // Bad JSON: let cosmiconfig's parser say what, on this error path only.
    }
    if (raw === null) throw emptyConfig(file, options.cwd);
    if (raw !== undefined) return { file, raw };
  }
  const { cosmiconfig, defaultLoaders } = await import('cosmiconfig');
  // cosmiconfig takes a file holding `null` for no file at all and searches on; a config that says nothing is a
  // mistake to name, so the loaders refuse it (package.json aside: there `null` is not what we read).
  const loaders = Object.fromEntries(
    Object.entries(defaultLoaders).map(([extension, load]) => [
      extension,
      async (filepath: string, content: string) => {
        if (options.progress) options.progress.file = filepath;
        const config: unknown = await load(filepath, content);
        if (config === null && path.basename(filepath) !== 'package.json') throw emptyConfig(filepath, options.cwd);
        return config;
      },
    ]),
  );
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: 'project',
    cache: false,
    loaders,
  });
  if (options.configPath !== undefined) {
    const file = path.resolve(options.cwd, options.configPath);
    const info = await stat(file).catch(() => undefined);
    if (!info) {
      throw new HostError('MCPH_CONFIG_NOT_FOUND', `${displayPath(file, options.cwd)}: no such file. Check the path given to --config.`, { file });
    }
    if (!info.isFile()) {
      throw new HostError('MCPH_CONFIG_NOT_FOUND', `${displayPath(file, options.cwd)}: is not a file. Give --config the config file itself.`, { file });
    }
    let result;
    try {
      result = await explorer.load(file);
    } catch (error) {
      throw isHostError(error) ? error : unreadable(file, options.cwd, error);
    }
    if (!result || result.isEmpty || result.config === null || result.config === undefined) {
      if (path.basename(file) === 'package.json') {
        throw new HostError('MCPH_CONFIG_INVALID', `${displayPath(file, options.cwd)}: has no "${MODULE_NAME}" key. Add one holding the config, or pass --config the config file itself.`, { file });
      }
      throw emptyConfig(file, options.cwd);
    }
    return { file, raw: result.config };
  }
  let result;
  try {
    result = await explorer.search(options.cwd);
  } catch (error) {
    if (isHostError(error)) throw error;
    const file = (error as { filepath?: string }).filepath ?? options.cwd;
    throw unreadable(file, options.cwd, error);
  }
  // The search passes over empty files (cosmiconfig's ignoreEmptySearchPlaces cannot be turned off without also
  // stopping at every package.json that has no "mcp-host" key): name the first one it passed.
  const skipped = firstEmptySearchPlace(options.cwd, result?.filepath);
  if (skipped) throw emptyConfig(skipped, options.cwd);
  if (!result) {
    const root = projectRoot(options.cwd);
    const searched = root.dir === options.cwd ? options.cwd : `${options.cwd} and its parents up to ${root.dir}`;
    throw new HostError(
      'MCPH_CONFIG_NOT_FOUND',
      `No mcp-host config found: searched ${searched}${root.manifest ? ` (the project root: it holds ${root.manifest})` : ''} for ${MODULE_NAME}.config.{json,yaml,yml,js,mjs,cjs,ts}, .${MODULE_NAME}rc[.json|.yaml|.yml|.js|.mjs|.cjs|.ts] and an "${MODULE_NAME}" key in package.json. Run "mcp-host init" to write a starter config in the working directory, create ${path.join(root.manifest ? root.dir : options.cwd, `${MODULE_NAME}.config.json`)} (see the README's config reference), or pass --config <file>.`,
    );
  }
  if (result.isEmpty || result.config === null || result.config === undefined) throw emptyConfig(result.filepath, options.cwd);
  return { file: result.filepath, raw: result.config };
}

/** A config file that holds nothing: empty, only whitespace or comments, or `null`. */
function emptyConfig(file: string, cwd: string): HostError {
  return new HostError(
    'MCPH_CONFIG_INVALID',
    `${displayPath(file, cwd)}: the file is empty (or holds only null); a config is an object such as { "plugins": [] }. Write one ("mcp-host init" writes a starter), or delete the file.`,
    { file },
  );
}

/**
 * The first search place, in the order cosmiconfig tries them, that exists and holds only whitespace, up to the
 * file the search found (or the project root, when it found none). package.json is not a config file of ours.
 */
function firstEmptySearchPlace(cwd: string, found: string | undefined): string | undefined {
  const root = projectRoot(cwd).dir;
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    for (const place of SEARCH_PLACES) {
      const file = path.join(dir, place);
      if (file === found) return undefined;
      if (place === 'package.json' || !existsSync(file)) continue;
      try {
        if (readFileSync(file, 'utf8').trim() === '') return file;
      } catch {
        // A directory or an unreadable file: cosmiconfig passes over it the same way.
      }
    }
    if (dir === root || path.dirname(dir) === dir) return undefined;
  }
}

/** Where cosmiconfig's search stops: the nearest directory holding package.json (or package.yaml), else `/`. */
function projectRoot(cwd: string): { dir: string; manifest: string | undefined } {
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const manifest = ['package.json', 'package.yaml'].find((name) => existsSync(path.join(dir, name)));
    if (manifest) return { dir, manifest };
    if (path.dirname(dir) === dir) return { dir, manifest: undefined };
  }
}

function unreadable(file: string, cwd: string, error: unknown): HostError {
  const where = displayPath(file, cwd);
  const format = formatOf(file);
  // cosmiconfig prefixes the file name (we name it already) and appends a code frame (not one line).
  let reason = (error instanceof Error ? error.message : describeError(error))
    .replace(/^(JSON|YAML|TypeScript) Error in [^\n]*:\n/, '')
    .split(/\n\s*\n/)[0]!
    .replace(/\s+/g, ' ')
    .trim();
  if (format === 'JSON') {
    const text = readableText(file);
    const offset = text === undefined ? undefined : jsonSyntaxErrorOffset(text);
    if (offset !== undefined) {
      const { line, column } = lineAndColumn(text!, offset);
      reason = `${reason.replace(/ in JSON at position \d+.*$/, '')} (line ${line}, column ${column})`;
    }
  }
  const systemCode = (error as { code?: unknown } | undefined)?.code;
  const message =
    typeof systemCode === 'string' && /^E[A-Z]+$/.test(systemCode)
      ? `${where}: cannot be read: ${reason}. Check the file's permissions.`
      : format === 'module'
      ? `${where}: the config module threw while loading: ${reason || describeError(error)}. Fix the error in the file; --debug shows its stack.`
      : `${where}: invalid ${format}: ${reason || describeError(error)}. Fix the syntax in the file.`;
  return new HostError('MCPH_CONFIG_UNREADABLE', message, { file, cause: error });
}

function readableText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function formatOf(file: string): 'JSON' | 'YAML' | 'module' {
  const extension = path.extname(file);
  if (extension === '.json') return 'JSON';
  if (extension === '' || extension === '.yaml' || extension === '.yml') return 'YAML';
  return 'module';
}
