import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { HostError, describeError } from './errors.js';

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
export async function loadConfigFile(options: { configPath?: string | undefined; cwd: string }): Promise<LoadedConfigFile> {
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
    try {
      return { file, raw: text.trim() === '' ? {} : JSON.parse(text) };
    } catch {
      // Bad JSON: let cosmiconfig's parser say where (line and column), on this error path only.
    }
  }
  const { cosmiconfig } = await import('cosmiconfig');
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: 'project',
    cache: false,
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
    try {
      const result = await explorer.load(file);
      return { file, raw: result?.isEmpty ? {} : (result?.config ?? {}) };
    } catch (error) {
      throw unreadable(file, options.cwd, error);
    }
  }
  let result;
  try {
    result = await explorer.search(options.cwd);
  } catch (error) {
    const file = (error as { filepath?: string }).filepath ?? options.cwd;
    throw unreadable(file, options.cwd, error);
  }
  if (!result) {
    const root = projectRoot(options.cwd);
    const searched = root.dir === options.cwd ? options.cwd : `${options.cwd} and its parents up to ${root.dir}`;
    throw new HostError(
      'MCPH_CONFIG_NOT_FOUND',
      `No mcp-host config found: searched ${searched}${root.manifest ? ` (the project root: it holds ${root.manifest})` : ''} for ${MODULE_NAME}.config.{json,yaml,yml,js,mjs,cjs,ts}, .${MODULE_NAME}rc[.json|.yaml|.yml|.js|.mjs|.cjs|.ts] and an "${MODULE_NAME}" key in package.json. Run "mcp-host init" to write a starter config in the working directory, create ${path.join(root.manifest ? root.dir : options.cwd, `${MODULE_NAME}.config.json`)} (see the README's config reference), or pass --config <file>.`,
    );
  }
  return { file: result.filepath, raw: result.isEmpty ? {} : result.config };
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
  const position = /at position (\d+)/.exec(reason);
  if (format === 'JSON' && position) {
    const before = readFileSync(file, 'utf8').slice(0, Number(position[1])).split('\n');
    reason += ` (line ${before.length}, column ${before.at(-1)!.length + 1})`;
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

function formatOf(file: string): 'JSON' | 'YAML' | 'module' {
  const extension = path.extname(file);
  if (extension === '.json') return 'JSON';
  if (extension === '' || extension === '.yaml' || extension === '.yml') return 'YAML';
  return 'module';
}
