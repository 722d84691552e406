/**
 * A module resolve hook (node:module `register`) for plugins that import `@mcp-host/core` but have no copy
 * of it beside them — a single `./my-plugin.mjs` next to a config anywhere on disk. Only when ordinary
 * resolution fails is the import sent to the host's own copy: plugins that installed core keep theirs.
 * It runs on Node's loader thread, so it gets the host's module URLs as `data`.
 */
let targets: Record<string, string> = {};

export function initialize(data: { targets: Record<string, string> }): void {
  targets = data.targets;
}

export type Resolved = { url: string; shortCircuit?: boolean; format?: string | null };

/** The query the host's retry of a plugin's import carries (plugin-resolver.ts). */
export const RETRY_PARAM = 'mcp-host-core';

/**
 * The plugin's own modules, imported by the retry, get the retry's mark too: the first attempt left each of them
 * cached under its plain URL with its failed link (Node 22 keeps that record, so a module of the plugin that imports
 * core failed again on the retry). Packages under node_modules keep their URL: they loaded fine the first time.
 */
export function withRetryMark(resolved: Resolved, context: unknown): Resolved {
  const parent = (context as { parentURL?: string } | undefined)?.parentURL;
  if (!parent?.includes(`${RETRY_PARAM}=`) || !resolved.url.startsWith('file:') || resolved.url.includes('/node_modules/')) return resolved;
  const url = new URL(resolved.url);
  if (url.searchParams.has(RETRY_PARAM)) return resolved;
  url.searchParams.set(RETRY_PARAM, new URL(parent).searchParams.get(RETRY_PARAM) ?? 'host');
  return { ...resolved, url: url.href };
}

export async function resolve(specifier: string, context: unknown, nextResolve: (specifier: string, context: unknown) => Promise<Resolved>): Promise<Resolved> {
  let resolved: Resolved;
  try {
    resolved = await nextResolve(specifier, context);
  } catch (error) {
    const target = targets[specifier];
    if (target !== undefined) return { url: target, shortCircuit: true };
    throw error;
  }
  return withRetryMark(resolved, context);
}
