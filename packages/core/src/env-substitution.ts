import { formatKeyPath } from './key-path.js';
import { isPlugin } from './plugin.js';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-((?:[^}\\]|\\.)*))?\}/g;

export interface EnvProblem {
  /** The key path as written in the file (`plugins[1][1].url`). */
  path: string;
  /** The same path as segments, for callers that name it differently (`plugins[1].options.url`). */
  keys: (string | number)[];
  variable: string;
}

/**
 * Replace `${VAR}` and `${VAR:-default}` in every string of a plain config value (objects and arrays are
 * walked; functions, class instances and plugin objects are left alone). `$${` stands for a literal `${`.
 * An unset variable without a default is reported, not replaced with an empty string: a silently empty
 * token is worse than a clear error. A node shared by several places (a YAML alias, a JS object used twice) is
 * substituted once and stays shared in the result, so a config's size in memory does not grow; measure it
 * with `checkConfigSize` first, which also refuses cycles.
 */
export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: EnvProblem[],
  path: (string | number)[] = [],
  done: WeakMap<object, unknown> = new WeakMap(),
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    return value.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      const current = env[name!];
      // Like the shell's `:-`, an empty value takes the default; without a default it is kept as set.
      if (current !== undefined && (current !== '' || fallback === undefined)) return current;
      if (fallback !== undefined) return fallback.replace(/\\(.)/g, '$1');
      problems.push({ path: formatKeyPath(path), keys: path, variable: name! });
      return match;
    });
  }
  if (typeof value !== 'object' || value === null) return value;
  const previous = done.get(value);
  if (previous !== undefined) return previous;
  if (Array.isArray(value)) {
    const result: unknown[] = [];
    done.set(value, result);
    for (const [index, item] of value.entries()) result.push(substituteEnv(item, env, problems, [...path, index], done));
    return result;
  }
  // A plugin object (JS/TS configs) is code, not config: its strings are not ours to rewrite.
  if (isPlainObject(value) && !isPlugin(value)) {
    const result: Record<string, unknown> = {};
    done.set(value, result);
    for (const [key, item] of Object.entries(value)) result[key] = substituteEnv(item, env, problems, [...path, key], done);
    return result;
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
