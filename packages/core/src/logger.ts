import { format } from 'node:util';

/** MCP's logging levels (RFC 5424 severities), least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const SEVERITY = new Map<LogLevel, number>(LOG_LEVELS.map((level, index) => [level, index]));

export function isLevelEnabled(level: LogLevel, threshold: LogLevel): boolean {
  return (SEVERITY.get(level) ?? 0) >= (SEVERITY.get(threshold) ?? 0);
}

export interface LogRecord {
  level: LogLevel;
  /** The plugin (or `mcp-host`) that logged it. */
  logger: string;
  message: string;
}

/** Where log records go besides stderr: the host mirrors them to the MCP client. */
export type LogSink = (record: LogRecord) => void;

/**
 * A levelled logger that writes to stderr (never stdout: in stdio mode stdout is the protocol channel).
 * Messages are printf-style (`logger.info('connected to %s', url)`).
 */
export interface Logger {
  readonly name: string;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  notice(message: string, ...args: unknown[]): void;
  warning(message: string, ...args: unknown[]): void;
  /** Alias of `warning`. */
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  /** A logger for a part of this one, prefixed `name:child`. */
  child(name: string): Logger;
}

export interface LogOutput {
  /** Minimum level written to stderr, and what a client that never sent `logging/setLevel` is sent. */
  level: LogLevel;
  /**
   * The lowest level some client asked for with `logging/setLevel`, when below `level`: records from there up go
   * to the sinks (each filters by its own client's level) though not to stderr.
   */
  clientFloor?: LogLevel | undefined;
  write(line: string): void;
  sinks: Set<LogSink>;
}

export function createLogOutput(level: LogLevel, write: (line: string) => void): LogOutput {
  return { level, write, sinks: new Set() };
}

/** A logger writing to `output`; its records go to `sinks` (default: the output's own, the client mirror). */
export function createLogger(name: string, output: LogOutput, sinks: ReadonlySet<LogSink> = output.sinks): Logger {
  const log = (level: LogLevel, message: string, args: unknown[]): void => {
    const toStderr = isLevelEnabled(level, output.level);
    const toSinks = sinks.size > 0 && (toStderr || (output.clientFloor !== undefined && isLevelEnabled(level, output.clientFloor)));
    if (!toStderr && !toSinks) return;
    const text = args.length > 0 ? format(message, ...args) : message;
    if (toStderr) output.write(`[${name}] ${level}: ${text}\n`);
    if (!toSinks) return;
    for (const sink of sinks) {
      try {
        sink({ level, logger: name, message: text });
      } catch {
        // A sink that fails (client gone) must never break the caller.
      }
    }
  };
  return {
    name,
    debug: (message, ...args) => log('debug', message, args),
    info: (message, ...args) => log('info', message, args),
    notice: (message, ...args) => log('notice', message, args),
    warning: (message, ...args) => log('warning', message, args),
    warn: (message, ...args) => log('warning', message, args),
    error: (message, ...args) => log('error', message, args),
    child: (child) => createLogger(`${name}:${child}`, output, sinks),
  };
}
