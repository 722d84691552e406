import { boundedWait } from './bounded-wait.js';
import { HostError, describeError, isHostError, type HostErrorCode } from './errors.js';
import type { HookName, HostTapOptions, ShutdownContext, StartContext } from './hooks.js';
import type { ShutdownReason, TapReport } from './shutdown-report.js';

/**
 * The interceptors that give the host's hooks their contracts. tapable calls `register` for every tap as it is
 * registered; each returns the tap with its function wrapped, keeping its name, `stage` and `before`.
 */

/** A tap as tapable stores it (its `FullTap`, which it does not export), with the host's own options. */
export type HostTap = HostTapOptions & {
  name: string;
  stage?: number;
  before?: string | string[];
  type: 'sync' | 'async' | 'promise';
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- tapable's own type
  fn: Function;
};

/** A tap as it was registered, before the host wrapped it; `inspect` prints these as the stopping and shutdown plans. */
export interface TapPlanEntry {
  name: string;
  stage: number;
  /** Its own `timeoutMs`, or `shutdown.hookTimeoutMs`. */
  timeoutMs: number;
}

/** The taps of a hook in the order they will run, with their bounds (`defaultTimeoutMs` unless a tap set its own). */
export function planOf(hook: { taps: readonly unknown[] }, defaultTimeoutMs: number): TapPlanEntry[] {
  return (hook.taps as HostTap[]).map((tap) => ({ name: tap.name, stage: tap.stage ?? 0, timeoutMs: tap.timeoutMs ?? defaultTimeoutMs }));
}

/** Call a tap whatever way it was registered (`tap`, `tapAsync`, `tapPromise`), as a promise. */
export function invokeTap(tap: HostTap, args: unknown[]): Promise<unknown> {
  const fn = tap.fn as (...args: unknown[]) => unknown;
  if (tap.type === 'async') {
    return new Promise((resolve, reject) => {
      fn(...args, (error?: unknown) => (error ? reject(error) : resolve(undefined)));
    });
  }
  try {
    return Promise.resolve(fn(...args));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Which start or ready tap is running now (`undefined` between taps): the host names it when a second signal forces exit. */
export type TapRunningObserver = (hook: HookName, tap: string | undefined) => void;

/**
 * For `start` and `ready`: a failure names the plugin and hook (`[plugin websocket-manager] hook start: …`,
 * `MCPH_HOOK_FAILED`) and stops the series; the observer learns which tap runs.
 */
export function nameFailures(hookName: 'start' | 'ready', onTapRunning: TapRunningObserver) {
  return {
    register<T extends HostTap>(tap: T): T {
      const original = tap;
      const fn = async (...args: unknown[]) => {
        onTapRunning(hookName, original.name);
        try {
          await invokeTap(original, args);
        } catch (error) {
          if (isHostError(error) && error.plugin !== undefined) throw error;
          throw new HostError('MCPH_HOOK_FAILED', `[plugin ${original.name}] hook ${hookName}: ${describeError(error)}`, { plugin: original.name, hook: hookName, cause: error });
        } finally {
          onTapRunning(hookName, undefined);
        }
      };
      return { ...original, type: 'promise', fn } as T;
    },
  };
}

/**
 * For `start`: once shutdown began (the context's signal aborted) the remaining start taps do not run; each tap
 * is bounded by its own `timeoutMs` or `startup.tapTimeoutMs` (read when it runs: the config loads after the
 * hooks are made), with a ref'd timer, so a tap that never settles fails startup (`MCPH_HOOK_TIMEOUT`) instead
 * of letting the event loop drain and the process end with 0, or hang while a plugin's socket holds the loop.
 */
export function skipOnceAbortedAndBound(defaultTimeoutMs: () => number) {
  return {
    register<T extends HostTap>(tap: T): T {
      const original = tap;
      const fn = async (ctx: StartContext) => {
        if (ctx.signal.aborted) throw new HostError('MCPH_STARTUP_ABORTED', 'startup aborted: shutdown began', { plugin: original.name, hook: 'start' });
        const timeoutMs = original.timeoutMs ?? defaultTimeoutMs();
        const result = await boundedWait(invokeTap(original, [ctx]), timeoutMs);
        if (result.kind === 'rejected') throw result.error;
        if (result.kind === 'timeout') {
          throw new HostError('MCPH_HOOK_TIMEOUT', `[plugin ${original.name}] hook start: did not settle within ${timeoutMs} ms (startup.tapTimeoutMs, or the tap's own timeoutMs); make it finish, or raise the bound`, { plugin: original.name, hook: 'start' });
        }
      };
      return { ...original, type: 'promise', fn } as T;
    },
  };
}

/** One run of the `stopping` or `shutdown` hook: what every wrapped tap reads, and where it reports. */
export class TapRun {
  readonly taps: TapReport[] = [];
  /** Names of the taps not finished yet, in plan order; printed when a second signal forces exit. */
  readonly pending: string[];
  constructor(
    readonly hook: 'stopping' | 'shutdown',
    readonly reason: ShutdownReason,
    /** The global shutdown deadline, a `Date.now()` value. */
    readonly deadline: number,
    readonly defaultTapTimeoutMs: number,
    plan: readonly TapPlanEntry[],
    readonly log: (plugin: string, message: string) => void,
  ) {
    this.pending = plan.map((entry) => entry.name);
  }

  get deadlineExceeded(): boolean {
    return this.taps.some((tap) => tap.outcome === 'skipped') || Date.now() >= this.deadline;
  }

  finish(report: TapReport): void {
    this.taps.push(report);
    const index = this.pending.indexOf(report.name);
    if (index !== -1) this.pending.splice(index, 1);
  }
}

const TIMED_OUT = Symbol('timed-out');

/**
 * For `stopping` and `shutdown`: the hook is called with the `TapRun`; each tap is called with a context of its
 * own (`ShutdownContext`: the reason, its own signal and deadline). Every tap runs isolated — a throw is reported,
 * never propagated, so the next tap still runs — and bounded by its `timeoutMs` (default `hookTimeoutMs`) and the
 * global deadline, with a ref'd timer: a tap awaiting a promise that never settles, with nothing else holding the
 * event loop, would otherwise let Node exit early (code 13) and skip the remaining taps.
 */
export function isolateAndBound() {
  return {
    register<T extends HostTap>(tap: T): T {
      const original = tap;
      const fn = async (run: TapRun) => {
        const timeoutMs = original.timeoutMs ?? run.defaultTapTimeoutMs;
        const startedAt = Date.now();
        const report = (outcome: TapReport['outcome'], details: { error?: string; code?: HostErrorCode } = {}) =>
          run.finish({ name: original.name, plugin: original.name, outcome, durationMs: Date.now() - startedAt, timeoutMs, ...details });
        if (startedAt >= run.deadline) {
          report('skipped', { error: 'not run: shutdown.timeoutMs reached', code: 'MCPH_SHUTDOWN_TIMEOUT' });
          return;
        }
        const tapDeadline = Math.min(startedAt + timeoutMs, run.deadline);
        const controller = new AbortController();
        const ctx: ShutdownContext = Object.freeze({ reason: run.reason, signal: controller.signal, deadline: tapDeadline });
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<typeof TIMED_OUT>((resolve) => {
          timer = setTimeout(resolve, tapDeadline - startedAt, TIMED_OUT);
        });
        try {
          // A tap that blocked the event loop returns "in time" as far as the race can tell: its timer could not
          // fire. The wall clock tells: how long its synchronous part took, and (unless it is a sync tap) when its
          // promise settled — measured on the tap itself, so microtasks queued by others before it (a burst of
          // socket writes) are not counted against it.
          const running = invokeTap(original, [ctx]);
          const syncMs = Date.now() - startedAt;
          let settledMs = 0;
          if (original.type !== 'sync') running.then(() => (settledMs = Date.now() - startedAt), () => (settledMs = Date.now() - startedAt));
          const outcome = await Promise.race([running, bound]);
          const elapsedMs = Math.max(syncMs, settledMs);
          if (outcome !== TIMED_OUT && elapsedMs <= tapDeadline - startedAt) {
            report('ok');
            return;
          }
          if (outcome !== TIMED_OUT) {
            const error = `returned after ${elapsedMs} ms, past its bound of ${tapDeadline - startedAt} ms (it blocked the event loop?)`;
            const code = 'MCPH_HOOK_TIMEOUT';
            run.log(original.name, `${run.hook} tap overran: ${error} (${code})`);
            report('timed-out', { error, code });
            return;
          }
          const byDeadline = tapDeadline === run.deadline && startedAt + timeoutMs > run.deadline;
          const error = byDeadline ? `cut at shutdown.timeoutMs after ${Date.now() - startedAt} ms` : `did not settle within ${timeoutMs} ms`;
          const code = byDeadline ? 'MCPH_SHUTDOWN_TIMEOUT' : 'MCPH_HOOK_TIMEOUT';
          controller.abort(new HostError(code, `[plugin ${original.name}] hook ${run.hook}: ${error}`, { plugin: original.name, hook: run.hook }));
          run.log(original.name, `${run.hook} tap timed out: ${error} (${code})`);
          report('timed-out', { error, code });
        } catch (error) {
          const message = describeError(error);
          run.log(original.name, `${run.hook} tap failed: ${message} (MCPH_HOOK_FAILED)`);
          report('failed', { error: message, code: 'MCPH_HOOK_FAILED' });
        } finally {
          clearTimeout(timer);
        }
      };
      return { ...original, type: 'promise', fn } as T;
    },
  };
}
