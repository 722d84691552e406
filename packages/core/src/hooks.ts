import { AsyncSeriesHook } from 'tapable';
import type { ShutdownReason } from './shutdown-report.js';

/** Passed to every `start` tap. */
export interface StartContext {
  /** Aborts if shutdown begins while the host is still starting: stop connecting and return. */
  readonly signal: AbortSignal;
}

/** Passed to every `shutdown` tap. */
export interface ShutdownContext {
  /** What triggered the shutdown. */
  readonly reason: ShutdownReason;
  /** Aborts when this tap's own time is up (its bound, or the global deadline, whichever is first). */
  readonly signal: AbortSignal;
  /** `Date.now()` value at which `signal` aborts. */
  readonly deadline: number;
}

/**
 * Extra tap options the host understands, next to tapable's `name`, `stage` and `before`:
 * `host.hooks.shutdown.tapPromise({ name: 'my-plugin', timeoutMs: 3000 }, fn)`.
 */
export interface HostTapOptions {
  /** This tap's own bound in ms, instead of `shutdown.hookTimeoutMs`. The global deadline still applies. */
  timeoutMs?: number;
}

/**
 * The host's lifecycle hooks. Taps run in series, in registration order; tapable's `stage` (lower first)
 * and `before` reorder them explicitly. Tap with your plugin's name: it names you in logs and reports.
 */
export interface HostHooks {
  /**
   * Plugins are applied; open connections, watchers and timers here. Series, registration order. A tap that
   * throws stops startup (exit 1); `ctx.signal` aborts if shutdown begins meanwhile.
   */
  readonly start: AsyncSeriesHook<[ctx: StartContext]>;
  /** The transport is connected and the host is serving requests. */
  readonly ready: AsyncSeriesHook<[]>;
  /**
   * Release everything. Series, registration order, after requests in flight were answered. Every tap runs:
   * one that throws or times out is reported and the next one still runs. Each is bounded by
   * `shutdown.hookTimeoutMs` (or its own `timeoutMs`), all together by `shutdown.timeoutMs`.
   */
  readonly shutdown: AsyncSeriesHook<[ctx: ShutdownContext], HostTapOptions>;
}

export const HOOK_NAMES = ['start', 'ready', 'shutdown'] as const;
export type HookName = (typeof HOOK_NAMES)[number];
