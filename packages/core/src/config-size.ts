import { isPlainObject } from './env-substitution.js';
import { isPlugin } from './plugin.js';

/**
 * The most a config may hold once every YAML alias (or, in a JS config, every shared reference) is expanded, in
 * bytes of JSON. Real configs are a few KB; this leaves room for large inline data and refuses the "billion
 * laughs", whose nine levels of nine aliases expand to gigabytes while the file is 600 bytes.
 */
export const MAX_CONFIG_EXPANDED_BYTES = 16 * 1024 * 1024;
/** The deepest a config may nest: every walk over it (substitution, validation) recurses. */
export const MAX_CONFIG_DEPTH = 64;

export interface ConfigSizeProblem {
  kind: 'too-large' | 'too-deep' | 'cycle';
  /** Where: the first value found too large or too deep, or the one that contains itself. */
  path: (string | number)[];
}

/**
 * Measure a loaded config as if every shared node were written out in full, visiting each shared node once (its
 * size is remembered), so a bomb is measured in the time its file takes to read. Only what the host walks is
 * walked: arrays and plain objects, not plugin objects or class instances.
 */
export function checkConfigSize(value: unknown, limits = { bytes: MAX_CONFIG_EXPANDED_BYTES, depth: MAX_CONFIG_DEPTH }): ConfigSizeProblem | undefined {
  const sizes = new WeakMap<object, number>();
  const open = new WeakSet<object>();
  let problem: ConfigSizeProblem | undefined;

  const measure = (node: unknown, path: (string | number)[]): number => {
    if (typeof node === 'string') return node.length + 2;
    const isArray = Array.isArray(node);
    if (!isArray && !(isPlainObject(node) && !isPlugin(node))) return 8;
    const container = node as object;
    const known = sizes.get(container);
    if (known !== undefined) return known;
    if (open.has(container)) {
      problem = { kind: 'cycle', path };
      return Infinity;
    }
    if (path.length >= limits.depth) {
      problem = { kind: 'too-deep', path };
      return Infinity;
    }
    open.add(container);
    let total = 2;
    const entries: [string | number, unknown][] = isArray ? (node as unknown[]).map((item, index) => [index, item]) : Object.entries(container);
    for (const [key, item] of entries) {
      total += measure(item, [...path, key]) + (typeof key === 'string' ? key.length + 4 : 1);
      if (problem) break;
      if (total > limits.bytes) {
        problem = { kind: 'too-large', path };
        break;
      }
    }
    open.delete(container);
    if (problem) return Infinity;
    sizes.set(container, total);
    return total;
  };

  measure(value, []);
  return problem;
}
