import { formatProblem, problemsOf, type HostErrorCode } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';

/** What triggered a shutdown. */
export type ShutdownReason =
  | 'SIGINT'
  | 'SIGTERM'
  | 'SIGHUP'
  | 'stdin-closed'
  | 'transport-closed'
  | 'fatal-error'
  | 'api';

export const SHUTDOWN_REASONS: readonly ShutdownReason[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'stdin-closed',
  'transport-closed',
  'fatal-error',
  'api',
];

export type TapOutcome = 'ok' | 'failed' | 'timed-out' | 'skipped';

/** One shutdown tap, as it ran. */
export interface TapReport {
  /** The tap's name: by convention the plugin that registered it. */
  name: string;
  plugin: string;
  outcome: TapOutcome;
  durationMs: number;
  /** The bound it ran under. */
  timeoutMs: number;
  /** One line describing the failure, for `failed`, `timed-out` and `skipped`. */
  error?: string;
  /** The error code of that failure (`MCPH_HOOK_FAILED`, `MCPH_HOOK_TIMEOUT`, `MCPH_SHUTDOWN_TIMEOUT`). */
  code?: HostErrorCode;
}

export interface DrainReport {
  /** Requests that were in flight when shutdown began and were answered. */
  completed: number;
  /** Requests still unanswered when the drain bound was reached. */
  cut: number;
  /** Requests refused because they arrived after shutdown began. */
  refused: number;
  durationMs: number;
}

/** The outcome of a whole shutdown: what the CLI prints and the testing kit returns. */
export interface ShutdownReport {
  reason: ShutdownReason;
  exitCode: number;
  durationMs: number;
  drain: DrainReport;
  /**
   * The start tap that was still running when shutdown began and did not return within `shutdown.hookTimeoutMs`
   * of it (it ignored `ctx.signal`): `timed-out`, and the exit code is 1.
   */
  start?: TapReport;
  /** Every stopping tap in the order it ran (before the drain), like `taps`. */
  stopping: TapReport[];
  /** Every shutdown tap in the order it ran (or would have run, for `skipped`). */
  taps: TapReport[];
  /** Set when the global deadline was reached. */
  deadlineExceeded: boolean;
  /** Why the host failed, when it did (startup failure, fatal error), with the error's code. */
  failure?: string;
}

/** What a finished run of the stopping or shutdown hook tells the report. */
interface FinishedTaps {
  readonly taps: TapReport[];
  readonly deadlineExceeded: boolean;
}

/**
 * The report of a finished shutdown. Its exit code is 1 when anything went wrong — the failure that caused it
 * (startup, a fatal error), a stopping or shutdown tap that did not end `ok`, a request cut at the drain bound —
 * and 0 otherwise, whatever triggered it.
 */
export function buildShutdownReport(outcome: { reason: ShutdownReason; failure: unknown; startedAt: number; drain: DrainReport; start?: TapReport | undefined; stopping: FinishedTaps; shutdown: FinishedTaps }): ShutdownReport {
  const { reason, failure, drain, start, stopping, shutdown } = outcome;
  const tapFailed = [...(start ? [start] : []), ...stopping.taps, ...shutdown.taps].some((tap) => tap.outcome !== 'ok');
  return {
    reason,
    ...(start ? { start } : {}),
    exitCode: failure !== undefined || tapFailed || drain.cut > 0 ? EXIT_CODES.FAILURE : EXIT_CODES.OK,
    durationMs: Date.now() - outcome.startedAt,
    drain,
    stopping: stopping.taps,
    taps: shutdown.taps,
    deadlineExceeded: stopping.deadlineExceeded || shutdown.deadlineExceeded,
    ...(failure !== undefined ? { failure: problemsOf(failure).map(formatProblem).join('; ') } : {}),
  };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The short human report written to stderr. */
export function formatShutdownReport(report: ShutdownReport): string {
  const lines = [`mcp-host: shutting down (${report.reason})`];
  if (report.failure) lines.push(`  cause: ${report.failure}`);
  const width = Math.max(8, ...[...(report.start ? [report.start] : []), ...report.stopping, ...report.taps].map((tap) => tap.name.length));
  const row = (tap: TapReport) => `${pad(tap.name, width)}  ${pad(tap.outcome, 9)} ${String(tap.durationMs).padStart(5)} ms${tap.error ? `  ${tap.error}${tap.code ? ` (${tap.code})` : ''}` : ''}`;
  if (report.start) lines.push(`  start: ${row(report.start)}`);
  for (const tap of report.stopping) lines.push(`  stopping: ${row(tap)}`);
  const { drain } = report;
  if (drain.completed + drain.cut + drain.refused > 0) {
    lines.push(
      `  requests: ${drain.completed} answered, ${drain.cut} cut, ${drain.refused} refused (${drain.durationMs} ms)`,
    );
  }
  report.taps.forEach((tap, index) => lines.push(`  ${index + 1}. ${row(tap)}`));
  if (report.taps.length === 0) lines.push('  (no shutdown taps)');
  if (report.deadlineExceeded) lines.push('  shutdown.timeoutMs reached: the remaining work was cut (MCPH_SHUTDOWN_TIMEOUT)');
  lines.push(`mcp-host: stopped in ${report.durationMs} ms, exit code ${report.exitCode}`);
  return lines.join('\n') + '\n';
}
