import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMissingCore } from './core-fallback.js';

/**
 * Node 20 has no in-thread module hook (`module.registerHooks` came in 22.15), and `module.register`'s hooks run on a
 * loader thread that costs a core-less plugin ~70 ms and ~8 MiB at every start (issue 13). The everyday core-less
 * plugin is one file next to the config that imports `@mcp-host/core`: that file is imported here from its own
 * source, with each import specifier written out as the URL Node would have resolved it to from the file — the host's
 * core for `@mcp-host/core` — and a `sourceURL`, so stack traces name the file and its lines as they are.
 *
 * Only what the rewrite keeps exactly as it was: a file that reads `import.meta` (its `url` would be the rewritten
 * module's), an `import()` of a computed specifier (it would resolve from the wrong place), or a specifier the
 * resolver refuses leave it to the hook (`undefined`). So does a module of the plugin's own (reached by a path) that
 * imports core itself: its import fails the same way, and the hook serves the whole plugin.
 */
export async function importWithHostCore(
  url: string,
  file: string,
  targets: Readonly<Record<string, string>>,
  known?: { source: string },
): Promise<Record<string, unknown> | undefined | typeof IMPORTS_NO_CORE> {
  let source: string;
  try {
    source = known?.source ?? (await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  const rewritten = await rewriteSpecifiers(source, url, targets);
  if (rewritten === undefined || rewritten === IMPORTS_NO_CORE) return rewritten;
  const encoded = `data:text/javascript;base64,${Buffer.from(`${rewritten}\n//# sourceURL=${url}\n`).toString('base64')}`;
  try {
    return (await import(encoded)) as Record<string, unknown>;
  } catch (error) {
    // Nothing of the plugin ran (a link error): the hook may import it afresh. Anything else is the plugin's own failure.
    if (isMissingCore(error)) return undefined;
    throw error;
  }
}

const isPathSpecifier = (specifier: string) => specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/') || specifier.startsWith('file:');

/**
 * What the rewrite gives for a file that imports nothing of core's itself: rewriting it would change nothing that
 * matters. Loaded as it is, it either works (core was never its problem) or fails in a module of its own that
 * imports core, which the hook serves.
 */
export const IMPORTS_NO_CORE: unique symbol = Symbol('imports no core');

/**
 * `source` with every import specifier resolved from `url` (core's to `targets`); undefined where that would not
 * be the same module; `IMPORTS_NO_CORE` where no specifier is one of `targets`.
 */
export async function rewriteSpecifiers(source: string, url: string, targets: Readonly<Record<string, string>>): Promise<string | undefined | typeof IMPORTS_NO_CORE> {
  const lexer = await import('es-module-lexer');
  await lexer.init;
  let imports: readonly { n: string | undefined; s: number; e: number; d: number }[];
  try {
    [imports] = lexer.parse(source, url);
  } catch {
    // Not JavaScript the lexer reads: Node's own import reports it, through the hook.
    return undefined;
  }
  let resolve: ((specifier: string, parent: string) => string) | undefined;
  let out = '';
  let at = 0;
  if (!imports.some((entry) => entry.n !== undefined && Object.hasOwn(targets, entry.n))) return IMPORTS_NO_CORE;
  for (const entry of imports) {
    if (entry.d === -2 || entry.n === undefined) return undefined;
    const specifier = entry.n;
    let target: string;
    if (Object.hasOwn(targets, specifier)) target = targets[specifier]!;
    else if (isBuiltin(specifier)) target = specifier;
    else if (isPathSpecifier(specifier)) {
      // What Node does for a path (no extension search): the URL against the file's, which must be a file.
      const resolved = new URL(specifier, url);
      if (resolved.protocol !== 'file:' || !statSync(fileURLToPath(resolved), { throwIfNoEntry: false })?.isFile()) return undefined;
      target = resolved.href;
    } else {
      // A package or `#import`: Node's algorithm, loaded only for it (~9 ms; a core-less file rarely has one).
      resolve ??= (await import('import-meta-resolve')).resolve;
      try {
        target = resolve(specifier, url);
      } catch {
        return undefined;
      }
    }
    // A dynamic import's span includes the quotes; a static one's is inside them. Either way the new specifier is a
    // string literal of its own (JSON's escapes are JavaScript's), so no character of a URL can end it early.
    const [start, end] = entry.d > -1 ? [entry.s, entry.e] : [entry.s - 1, entry.e + 1];
    out += source.slice(at, start) + JSON.stringify(target);
    at = end;
  }
  return out + source.slice(at);
}
