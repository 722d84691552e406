/** Process exit codes, as documented in the README. */
export const EXIT_CODES = {
  /** Clean shutdown, whatever triggered it. */
  OK: 0,
  /** A tap failed or timed out, startup failed, or a fatal error caused the shutdown. */
  FAILURE: 1,
  /** The command line could not be understood (sysexits EX_USAGE). */
  USAGE: 64,
  /** The configuration is invalid or a plugin could not be loaded (sysexits EX_CONFIG). */
  CONFIG: 78,
} as const;

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
export type HandledSignal = keyof typeof SIGNAL_NUMBERS;
export const HANDLED_SIGNALS = Object.keys(SIGNAL_NUMBERS) as HandledSignal[];

/** The conventional 128+n exit code for a process ended by signal n. */
export function signalExitCode(signal: HandledSignal): number {
  return 128 + SIGNAL_NUMBERS[signal];
}
