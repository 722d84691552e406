/**
 * In stdio mode stdout is the protocol channel: one stray `console.log` from a plugin corrupts the
 * JSON-RPC stream. The guard sends `console.log/info/debug` and every other `process.stdout.write` to
 * stderr, and hands the transport a private writer that still reaches the real stdout.
 */
export interface StdoutGuard {
  /** Writes to the real stdout, bypassing the redirect. */
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
  restore(): void;
}

export function guardStdout(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): StdoutGuard {
  const realWrite = stdout.write;
  const consoleMethods = { log: console.log, info: console.info, debug: console.debug };
  const toStderr = function (this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    return (stderr.write as (...args: unknown[]) => boolean)(chunk, encoding, callback);
  };
  stdout.write = toStderr as typeof stdout.write;
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
  return {
    write: (chunk, callback) => (realWrite as (chunk: string, callback: (error?: Error | null) => void) => boolean).call(stdout, chunk, callback),
    restore() {
      stdout.write = realWrite;
      Object.assign(console, consoleMethods);
    },
  };
}
