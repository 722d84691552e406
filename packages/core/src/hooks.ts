import { AsyncSeriesHook } from 'tapable';
import { isolateAndBound, nameFailures, skipOnceAbortedAndBound, type TapRun, type TapRunningObserver } from './hook-interceptors.js';
import type { ShutdownReason } from './shutdown-report.js';

/** Passed to every `start` tap. */
export interface StartContext {
  /** Aborts if shutdown begins while the host is still starting: stop connecting and return. */
  readonly signal: AbortSignal;
}

/** Passed to every `stopping` and `shutdown` tap: each tap gets its own. */
export interface ShutdownContext {
  /** What triggered the shutdown. */
  readonly reason: ShutdownReason;
  /** Aborts when this tap's own time is up (its bound, or the global deadline, whichever is first). */
  readonly signal: AbortSignal;
  /** `Date.now()` value at which `signal` aborts. */
  readonly deadline: number;
}

/** Passed to every `stopping` tap: the same as a shutdown tap's context. */
export type StoppingContext = ShutdownContext;

/**
 * Extra tap options the host understands, next to tapable's `name`, `stage` and `before`:
 * `host.hooks.shutdown.tapPromise({ name: 'my-plugin', timeoutMs: 3000 }, fn)`.
 */
export interface HostTapOptions {
  /**
   * This tap's own bound in ms, instead of `shutdown.hookTimeoutMs` (stopping, shutdown: the global deadline still
   * applies) or `startup.tapTimeoutMs` (start).
   */
  timeoutMs?: number;
}

/** How a tap is named and ordered: your plugin's name, or `{ name, stage, before }` (plus the hook's own options). */
export type TapOptions<Extra extends object = object> = string | ({ name: string; stage?: number; before?: string | string[] } & Extra);

/**
 * A hook as a plugin sees it: it can tap, nothing else — running a hook (`promise`, `call`) or intercepting it
 * is the host's. `tap` for a synchronous function, `tapAsync` for one that takes a callback, `tapPromise` for
 * one that returns a promise; all three run in the same series.
 */
export interface TapOnlyHook<Args extends unknown[], Extra extends object = object> {
  tap(options: TapOptions<Extra>, fn: (...args: Args) => void): void;
  tapAsync(options: TapOptions<Extra>, fn: (...args: [...Args, callback: (error?: unknown) => void]) => void): void;
  tapPromise(options: TapOptions<Extra>, fn: (...args: Args) => PromiseLike<unknown>): void;
}

/**
 * The host's lifecycle hooks, in the order they fire. Taps run in series, in registration order (plugins are
 * applied in config order); tapable's `stage` (lower first) and `before` reorder them. Tap with your plugin's
 * name: it names you in logs, reports and errors.
 */
export interface HostHooks {
  /**
   * Every plugin was applied; open connections, watchers and timers here. A tap that throws stops startup
   * (`MCPH_HOOK_FAILED`, exit 1) and the later start taps do not run; so does one that does not settle within
   * `startup.tapTimeoutMs` or its own `timeoutMs` (`MCPH_HOOK_TIMEOUT`). `ctx.signal` aborts if shutdown begins.
   */
  readonly start: TapOnlyHook<[ctx: StartContext], HostTapOptions>;
  /** The transport is connected (stdio) or listening (HTTP): the host is serving. A tap that throws stops the host. */
  readonly ready: TapOnlyHook<[]>;
  /**
   * Shutdown began: stop intake and reject new work (no reconnects, no new timers), before requests in flight
   * are drained. Every tap runs, each isolated (a failure is reported, the next still runs) and bounded by
   * `shutdown.hookTimeoutMs` or its own `timeoutMs`; keep it short.
   */
  readonly stopping: TapOnlyHook<[ctx: StoppingContext], HostTapOptions>;
  /**
   * Release everything, after requests in flight were answered. Every tap runs, each isolated and bounded by
   * `shutdown.hookTimeoutMs` (or its own `timeoutMs`), all together by `shutdown.timeoutMs`.
   */
  readonly shutdown: TapOnlyHook<[ctx: ShutdownContext], HostTapOptions>;
}

export type HookName = keyof HostHooks;

/**
 * The same hooks as the host runs them. `stopping` and `shutdown` are called with the run (its reason, deadline
 * and report), and their interceptor gives each tap its own `ShutdownContext`: the host-side type says what the
 * hook is called with, the plugin-side type what a tap receives.
 */
export interface LifecycleHooks {
  readonly start: AsyncSeriesHook<[ctx: StartContext], HostTapOptions>;
  readonly ready: AsyncSeriesHook<[]>;
  readonly stopping: AsyncSeriesHook<[run: TapRun], HostTapOptions>;
  readonly shutdown: AsyncSeriesHook<[run: TapRun], HostTapOptions>;
}

/** Build every hook with its interceptors, and the tap-only view plugins (and embedders) get. */
export function createHooks(onTapRunning: TapRunningObserver, startTapTimeoutMs: () => number): { lifecycle: LifecycleHooks; view: HostHooks } {
  const start = new AsyncSeriesHook<[ctx: StartContext], HostTapOptions>(['ctx']);
  start.intercept(nameFailures('start', onTapRunning));
  start.intercept(skipOnceAbortedAndBound(startTapTimeoutMs));
  const ready = new AsyncSeriesHook<[]>([]);
  ready.intercept(nameFailures('ready', onTapRunning));
  const stopping = new AsyncSeriesHook<[run: TapRun], HostTapOptions>(['run']);
  stopping.intercept(isolateAndBound());
  const shutdown = new AsyncSeriesHook<[run: TapRun], HostTapOptions>(['run']);
  shutdown.intercept(isolateAndBound());
  const lifecycle = Object.freeze({ start, ready, stopping, shutdown });
  const view: HostHooks = Object.freeze({
    start: tapOnly<[ctx: StartContext], HostTapOptions>(start),
    ready: tapOnly<[]>(ready),
    stopping: tapOnly<[ctx: StoppingContext], HostTapOptions>(stopping),
    shutdown: tapOnly<[ctx: ShutdownContext], HostTapOptions>(shutdown),
  });
  return { lifecycle, view };
}

/**
 * The tap methods of `hook`, bound, and nothing else. The function types are the ones a tap is called with; for
 * `stopping` and `shutdown` that differs from what the hook is called with, and `isolateAndBound` makes it so.
 */
function tapOnly<Args extends unknown[], Extra extends object = object>(hook: AsyncSeriesHook<any, any>): TapOnlyHook<Args, Extra> {
  const view: TapOnlyHook<Args, Extra> = {
    tap: (options, fn) => hook.tap(options as never, fn as never),
    tapAsync: (options, fn) => hook.tapAsync(options as never, fn as never),
    tapPromise: (options, fn) => hook.tapPromise(options as never, fn as never),
  };
  return Object.freeze(view);
}
