import { register } from 'node:module';

const CORE = '@mcp-host/core';
let isRegistered = false;

/** True for an import error saying that `@mcp-host/core` (or one of its subpaths) could not be found. */
export function isMissingCore(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${CORE}`);
}

/**
 * Let plugins without their own `@mcp-host/core` import the host's. Registered on first need only: a
 * loader hook costs tens of milliseconds at startup, and most plugins resolve core by themselves.
 */
export function provideHostCore(): void {
  if (isRegistered) return;
  isRegistered = true;
  const targets = {
    [CORE]: new URL('./index.js', import.meta.url).href,
    [`${CORE}/client`]: new URL('./client.js', import.meta.url).href,
    [`${CORE}/host`]: new URL('./embedding.js', import.meta.url).href,
  };
  register(new URL('./core-resolve-hook.js', import.meta.url), { data: { targets } });
}
