import { stat } from 'node:fs/promises';
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
    throw new HostError(
      'MCPH_CONFIG_NOT_FOUND',
      `No mcp-host config found in ${options.cwd} or its parents up to the project root (looked for ${SEARCH_PLACES.slice(1, 3).join(', ')}, .mcp-hostrc and the others in the README, and "mcp-host" in package.json). Run "mcp-host init" to write one, or pass --config <file>.`,
    );
  }
  return { file: result.filepath, raw: result.isEmpty ? {} : result.config };
}

function unreadable(file: string, cwd: string, error: unknown): HostError {
  const reason = describeError(error).replace(/\s+/g, ' ').trim();
  return new HostError('MCPH_CONFIG_UNREADABLE', `${displayPath(file, cwd)}: cannot be loaded: ${reason}`, { file, cause: error });
}
