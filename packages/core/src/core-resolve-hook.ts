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

type Resolved = { url: string; shortCircuit?: boolean; format?: string | null };

export async function resolve(specifier: string, context: unknown, nextResolve: (specifier: string, context: unknown) => Promise<Resolved>): Promise<Resolved> {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const target = targets[specifier];
    if (target !== undefined) return { url: target, shortCircuit: true };
    throw error;
  }
}
