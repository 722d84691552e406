import { Readable, Writable } from 'node:stream';
import { main } from '@mcp-host/cli';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Its `mcp-host: …` lines on stderr. */
  problems: string[];
}

/** A stream that keeps what is written to it, synchronously (a host's or the CLI's stderr, in-process). */
export function collect(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

export const problemLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('mcp-host: '));

/**
 * The real CLI code — argv parsing, config discovery, plugin loading, the commands, the error formatter and the
 * exit code — run in this process through `main(argv, io)`, as the bin runs it but without spawning: for cases
 * about logic, not about the process. A `start` that would serve is refused by main() itself (it needs the
 * process's stdin and stdout): spawn it (`runCli`, `spawnHost`).
 */
export async function runCliInProcess(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  const stdout = collect();
  const stderr = collect();
  // No terminal, at EOF: what a spawned CLI with stdin ignored sees.
  const stdin = Object.assign(Readable.from([]), { isTTY: false });
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream, stdin, cwd: options.cwd, env: { ...process.env, ...options.env } });
  return { code, stdout: stdout.text(), stderr: stderr.text(), problems: problemLines(stderr.text()) };
}
