import { HostError, describeError, isHostError } from './errors.js';
import type { HookName, HostTapOptions, ShutdownContext } from './hooks.js';
import type { ShutdownReason, TapReport } from './shutdown-report.js';

/** A tap as tapable stores it (its `FullTap`, which it does not export), with the host's own options. */
export type HostTap = HostTapOptions & {
  name: string;
  stage?: number;
  before?: string;
  type: 'sync' | 'async' | 'promise';
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- tapable's own type
  fn: Function;
};

/** A tap as it was registered, before the host wrapped it; `inspect` prints these as the shutdown plan. */
export interface TapPlanEntry {
  name: string;
  stage: number;
  /** Its own `timeoutMs`, or `shutdown.hookTimeoutMs`. */
  timeoutMs: number;
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

/**
 * Rewrite taps of `start` and `ready` as they are registered, so a failure names the plugin and hook
 * (`[plugin websocket-manager] hook start: …`) and the host knows which tap is running.
 */
export function nameFailures(hookName: HookName, onTapRunning: (name: string | undefined) => void) {
  return {
    register<T extends HostTap>(tap: T): T {
      const original = tap;
      const fn = async (...args: unknown[]) => {
        onTapRunning(original.name);
        try {
          await invokeTap(original, args);
        } catch (error) {
          if (isHostError(error) && error.plugin !== undefined) throw error;
          throw new HostError(
            'MCPH_HOOK_FAILED',
            `[plugin ${original.name}] hook ${hookName}: ${describeError(error)}`,
            { plugin: original.name, hook: hookName, cause: error },
          );
        } finally {
          onTapRunning(undefined);
        }
      };
      return { ...original, type: 'promise', fn } as T;
    },
  };
}

/** One run of the shutdown hook: the state every wrapped tap reads and reports into. */
export class ShutdownRun {
  readonly taps: TapReport[] = [];
  /** Names of the taps not finished yet, in plan order; printed when a second signal forces exit. */
  readonly pending: string[];
  constructor(
    readonly reason: ShutdownReason,
    /** Global deadline, a `Date.now()` value. */
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
 * Rewrite every `shutdown` tap as it is registered so that it runs isolated (a throw is reported, never
 * propagated: the next tap still runs) and bounded by a ref'd timer. A ref'd timer matters: a tap awaiting
 * a promise that never settles, with nothing else holding the event loop, would otherwise let Node exit
 * early (code 13) and skip the remaining taps.
 */
export function boundShutdownTaps() {
  return {
    register<T extends HostTap>(tap: T): T {
      const original = tap;
      const fn = async (run: ShutdownRun) => {
        const timeoutMs = original.timeoutMs ?? run.defaultTapTimeoutMs;
        const startedAt = Date.now();
        if (startedAt >= run.deadline) {
          run.finish({ name: original.name, plugin: original.name, outcome: 'skipped', durationMs: 0, timeoutMs, error: 'not run: shutdown.timeoutMs reached', code: 'MCPH_SHUTDOWN_TIMEOUT' });
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
          const outcome = await Promise.race([invokeTap(original, [ctx]), bound]);
          const durationMs = Date.now() - startedAt;
          if (outcome === TIMED_OUT) {
            const byDeadline = tapDeadline === run.deadline && startedAt + timeoutMs > run.deadline;
            const error = byDeadline
              ? `cut at shutdown.timeoutMs after ${durationMs} ms`
              : `did not settle within ${timeoutMs} ms`;
            const code = byDeadline ? 'MCPH_SHUTDOWN_TIMEOUT' : 'MCPH_HOOK_TIMEOUT';
            controller.abort(new HostError(code, `[plugin ${original.name}] hook shutdown: ${error}`, { plugin: original.name, hook: 'shutdown' }));
            run.log(original.name, `shutdown tap timed out: ${error} (${code})`);
            run.finish({ name: original.name, plugin: original.name, outcome: 'timed-out', durationMs, timeoutMs, error, code });
          } else {
            run.finish({ name: original.name, plugin: original.name, outcome: 'ok', durationMs, timeoutMs });
          }
        } catch (error) {
          const message = describeError(error);
          run.log(original.name, `shutdown tap failed: ${message} (MCPH_HOOK_FAILED)`);
          run.finish({ name: original.name, plugin: original.name, outcome: 'failed', durationMs: Date.now() - startedAt, timeoutMs, error: message, code: 'MCPH_HOOK_FAILED' });
        } finally {
          clearTimeout(timer);
        }
      };
      return { ...original, type: 'promise', fn } as T;
    },
  };
}
