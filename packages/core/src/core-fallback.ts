import * as nodeModule from 'node:module';
import { withRetryMark } from './core-resolve-hook.js';

/** The package a plugin imports the host's API from. */
export const CORE = '@mcp-host/core';
let isRegistered = false;

/** True for an import error saying that `@mcp-host/core` (or one of its subpaths) could not be found. */
export function isMissingCore(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${CORE}`);
}

type SyncResolved = { url: string; shortCircuit?: boolean; format?: string | null };
type SyncResolve = (specifier: string, context: unknown, nextResolve: (specifier: string, context?: unknown) => SyncResolved) => SyncResolved;
/** `module.registerHooks` (Node ≥ 22.15, 23.5): not in the Node 20 types this package builds against. */
type RegisterHooks = (hooks: { resolve: SyncResolve }) => unknown;

/** The host's own modules, by the specifiers a plugin imports them with. */
export function hostCoreTargets(): Record<string, string> {
  return {
    [CORE]: new URL('./index.js', import.meta.url).href,
    [`${CORE}/client`]: new URL('./client.js', import.meta.url).href,
    [`${CORE}/host`]: new URL('./embedding.js', import.meta.url).href,
  };
}

/** `module.registerHooks` is there: a hook costs nothing much, on this thread (Node ≥ 22.15). */
export function hasInThreadHooks(): boolean {
  return typeof (nodeModule as { registerHooks?: RegisterHooks }).registerHooks === 'function';
}

/** Whether core's resolve hook has been registered (it then serves every later import). */
export function isHostCoreProvided(): boolean {
  return isRegistered;
}

/**
 * Let plugins without their own `@mcp-host/core` import the host's. Registered on first need only, and only when
 * ordinary resolution fails is an import sent to the host's copy: plugins that installed core keep theirs.
 *
 * Where Node has `module.registerHooks`, the hook runs synchronously on this thread. Elsewhere (Node 20) it is
 * `module.register`, whose hooks run on a loader worker thread started for them: tens of milliseconds and ~8 MiB
 * (issue 13), so it is never registered unless a plugin needs it.
 */
export function provideHostCore(): void {
  if (isRegistered) return;
  isRegistered = true;
  const targets = hostCoreTargets();
  const registerHooks = (nodeModule as { registerHooks?: RegisterHooks }).registerHooks;
  if (typeof registerHooks === 'function') {
    registerHooks({
      resolve(specifier, context, nextResolve) {
        let resolved: SyncResolved;
        try {
          resolved = nextResolve(specifier, context);
        } catch (error) {
          const target = targets[specifier];
          if (target !== undefined) return { url: target, shortCircuit: true };
          throw error;
        }
        return withRetryMark(resolved, context);
      },
    });
    return;
  }
  nodeModule.register(new URL('./core-resolve-hook.js', import.meta.url), { data: { targets } });
}
