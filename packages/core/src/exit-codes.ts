import { isHostError, type HostErrorCode } from './errors.js';

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

/** The codes that end the process with something other than 1; every other code (and any other error) exits 1. */
const EXIT_CODE_OF: Partial<Record<HostErrorCode, number>> = {
  MCPH_USAGE: EXIT_CODES.USAGE,
  MCPH_CONFIG_NOT_FOUND: EXIT_CODES.CONFIG,
  MCPH_CONFIG_UNREADABLE: EXIT_CODES.CONFIG,
  MCPH_CONFIG_INVALID: EXIT_CODES.CONFIG,
  MCPH_CONFIG_ENV_MISSING: EXIT_CODES.CONFIG,
  MCPH_CONFIG_TOO_LARGE: EXIT_CODES.CONFIG,
  MCPH_CONFIG_TIMEOUT: EXIT_CODES.CONFIG,
  MCPH_PLUGIN_NOT_FOUND: EXIT_CODES.CONFIG,
  MCPH_PLUGIN_LOAD_FAILED: EXIT_CODES.CONFIG,
  MCPH_PLUGIN_INVALID: EXIT_CODES.CONFIG,
  MCPH_PLUGIN_DUPLICATE: EXIT_CODES.CONFIG,
  MCPH_PLUGIN_INCOMPATIBLE: EXIT_CODES.CONFIG,
  MCPH_PLUGIN_OPTIONS_INVALID: EXIT_CODES.CONFIG,
};

/**
 * The exit code for a command that failed with `error`, for the host and the CLI alike: 64 for a command line
 * that could not be understood, 78 for a configuration error (the config, or a plugin that cannot be loaded or
 * given its options), 1 for everything else (a plugin's apply or start failing, a fatal error).
 */
export function exitCodeFor(error: unknown): number {
  return (isHostError(error) && EXIT_CODE_OF[error.code]) || EXIT_CODES.FAILURE;
}
