/** Where a command reads and writes, and where it runs: the process's own, or a test's. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** `init` asks on it when it is a terminal. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean | undefined };
  /** The working directory: the config is searched from here. */
  cwd: string;
  /** For `${VAR}` substitution in the config. */
  env: NodeJS.ProcessEnv;
}
