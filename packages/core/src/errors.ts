/**
 * The host's error catalogue. Every error the host raises carries one of these codes; check `error.code`,
 * never `instanceof` (a bundled plugin may carry its own copy of this class). Codes are never reused.
 * `docs/errors.md` documents each one; a test keeps the two in step.
 */
export const ERROR_CODES = {
  MCPH_CONFIG_NOT_FOUND: 'No configuration file was found.',
  MCPH_CONFIG_UNREADABLE: 'The configuration file could not be read or parsed.',
  MCPH_CONFIG_INVALID: 'The configuration failed validation.',
  MCPH_CONFIG_ENV_MISSING: 'A ${VAR} reference names an unset environment variable and has no default.',
  MCPH_CONFIG_TIMEOUT: 'Loading the configuration (its file, a JS config module, a plugin import) did not settle within its bound.',
  MCPH_CONFIG_TOO_LARGE: 'The configuration expands past its size bound (a YAML alias bomb), nests too deep, or contains itself.',
  MCPH_PLUGIN_NOT_FOUND: 'A plugin specifier could not be resolved.',
  MCPH_PLUGIN_LOAD_FAILED: 'A plugin module was found but importing it threw.',
  MCPH_PLUGIN_INVALID: 'A plugin module does not export a plugin object.',
  MCPH_PLUGIN_DUPLICATE: 'Two plugins share one name.',
  MCPH_PLUGIN_INCOMPATIBLE: "A plugin's declared @mcp-host/core range does not include this host's version.",
  MCPH_PLUGIN_OPTIONS_INVALID: "A plugin's options failed its schema.",
  MCPH_PLUGIN_APPLY_FAILED: "A plugin's apply() threw.",
  MCPH_HOOK_FAILED: 'A hook tap threw or rejected.',
  MCPH_HOOK_TIMEOUT: 'A hook tap did not settle within its bound.',
  MCPH_SHUTDOWN_TIMEOUT: 'Shutdown did not finish within shutdown.timeoutMs.',
  MCPH_STARTUP_ABORTED: 'Shutdown began while the host was starting.',
  MCPH_REGISTRATION_DUPLICATE: 'Two registrations share one tool, resource or prompt name.',
  MCPH_REGISTRATION_CLOSED: 'A tool, resource or prompt was registered after the host stopped taking registrations.',
  MCPH_SERVICE_DUPLICATE: 'A service key was provided twice.',
  MCPH_SERVICE_MISSING: 'A service key was injected but no plugin provides it.',
  MCPH_HOST_STATE: 'A host method was called in a state that does not allow it.',
  MCPH_HOST_UNEXPECTED: 'An error without a code of its own: an uncaught exception or unhandled rejection, or a failure the host did not foresee.',
  MCPH_TRANSPORT_LISTEN_FAILED: 'The HTTP transport could not listen on its host and port.',
  MCPH_USAGE: 'The command line could not be understood.',
  MCPH_INIT_REFUSED: 'mcp-host init wrote nothing: a config exists already, or it was not confirmed.',
} as const;

export type HostErrorCode = keyof typeof ERROR_CODES;

export interface HostErrorOptions {
  /** The plugin the error is about, when there is one. */
  plugin?: string | undefined;
  /** The hook the error happened in (`start`, `shutdown`, …). */
  hook?: string | undefined;
  /** Where in the config the problem is (`plugins[1].options.url`). */
  path?: string | undefined;
  /** The file the problem is in. */
  file?: string | undefined;
  /** One entry per problem, for errors that collect several (config validation); default: this error alone. */
  problems?: readonly Problem[] | undefined;
  cause?: unknown;
}

/** One problem of an error that collects several (a config with three mistakes): each with its own code. */
export interface Problem {
  readonly code: HostErrorCode;
  /** What, where (file, key path, plugin) and how to fix it, on one line. */
  readonly message: string;
}

export class HostError extends Error {
  readonly code: HostErrorCode;
  readonly plugin: string | undefined;
  readonly hook: string | undefined;
  readonly path: string | undefined;
  readonly file: string | undefined;
  readonly problems: readonly Problem[];

  constructor(code: HostErrorCode, message: string, options: HostErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HostError';
    this.code = code;
    this.plugin = options.plugin;
    this.hook = options.hook;
    this.path = options.path;
    this.file = options.file;
    this.problems = options.problems ?? [{ code, message }];
  }
}

/** True for any object carrying a catalogue code, whichever copy of this module made it. */
export function isHostError(value: unknown): value is HostError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    Object.hasOwn(ERROR_CODES, (value as { code: string }).code)
  );
}

/**
 * The problems of anything thrown, each with its code: a `HostError`'s own (one per problem it collects), or
 * `MCPH_HOST_UNEXPECTED` for anything else (a plugin's own error that escaped, a bug).
 */
export function problemsOf(error: unknown): readonly Problem[] {
  if (!isHostError(error)) return [{ code: 'MCPH_HOST_UNEXPECTED', message: describeError(error) }];
  // A HostError made by another copy of core may predate per-problem codes.
  const problems = (error.problems as readonly (Problem | string)[] | undefined) ?? [];
  if (problems.length === 0) return [{ code: error.code, message: error.message }];
  return problems.map((problem) => (typeof problem === 'string' ? { code: error.code, message: problem } : problem));
}

/** One problem as printed and reported: the message, then its code, which docs/errors.md explains. */
export function formatProblem(problem: Problem): string {
  return `${problem.message} (${problem.code})`;
}

/**
 * What the host and the CLI print for an error: one `mcp-host: <problem> (<CODE>)` line per problem, and with
 * `debug` the stack of the error and of every cause under it.
 */
export function formatError(error: unknown, options: { debug?: boolean } = {}): string {
  const lines = problemsOf(error).map((problem) => `mcp-host: ${formatProblem(problem)}\n`);
  return lines.join('') + (options.debug ? formatErrorStack(error) : '');
}

/** A one-line description of anything thrown, for logs and reports. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/**
 * The stack of an error and of every cause under it (an `AggregateError`'s errors included), for --debug:
 * a config error's own stack only shows the loader, while the cause shows the line of the plugin that threw.
 */
export function formatErrorStack(error: unknown): string {
  const lines: string[] = [];
  const visit = (value: unknown, prefix: string, depth: number) => {
    if (!(value instanceof Error) || depth > 8) return;
    lines.push(`${prefix}${value.stack ?? `${value.name}: ${value.message}`}`);
    if (value instanceof AggregateError) for (const inner of value.errors) visit(inner, 'caused by: ', depth + 1);
    else visit(value.cause, 'caused by: ', depth + 1);
  };
  visit(error, '', 0);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
