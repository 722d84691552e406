import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIo } from './cli-io.js';

// Only node: modules at the top: `--version`, `--help` and usage errors load nothing of core (the MCP SDK alone
// costs ~200 ms); a command imports it when it runs. Every module more is one more file read before the answer
// (issue 13: `--version` ≤ 1.2× `node -e 0`), so the presets are imported only for `--preset`. A lone `--version`
// or `--help` does not even get here: the bin answers it (CommonJS, no ES module loader).

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The usage text: bin/usage.txt, which the bin prints itself for a lone `--help` (see bin/mcp-host.js). */
export const HELP = readFileSync(new URL('../bin/usage.txt', import.meta.url), 'utf8').replace('{version}', VERSION);

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  debug: { type: 'boolean' },
  json: { type: 'boolean' },
  transport: { type: 'string' },
  'load-timeout': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  preset: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies ParseArgsConfig['options'];

const COMMANDS = ['start', 'validate', 'inspect', 'schema', 'init'] as const;
export type Command = (typeof COMMANDS)[number];

/** What a command needs from the command line, once it was understood. */
export interface CommandLine {
  command: Command;
  config: string | undefined;
  debug: boolean;
  json: boolean;
  yes: boolean;
  /** `init --preset <name>`: a key of `PRESETS`. */
  preset: string | undefined;
  transport: TransportOverride | undefined;
  /** `--load-timeout <ms>`. */
  loadTimeoutMs: number | undefined;
}

export type TransportOverride = { type: 'stdio' } | { type: 'http'; port?: number; host?: string };

function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: `process.stdin` on a pipe builds a net.Socket (node:net and its streams, ~7 ms), which --version,
    // --help and most commands never read.
    get stdin() {
      return process.stdin;
    },
    cwd: process.cwd(),
    env: process.env,
  };
}

/**
 * Run `mcp-host` with `argv` (without `node` and the script) and resolve with the exit code; output goes to
 * `io`, the config is searched from `io.cwd`. `start` owns the process (signals, stdin, exit) and never
 * resolves: it exits with the code of its shutdown. The bin flushes stdout and exits with what this returns.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed === 'version') return write(io, `${VERSION}\n`);
  if (parsed === 'help') return write(io, HELP);
  if (typeof parsed === 'string') {
    // No command at all: the usage, on stderr, then the usage error.
    if (parsed === NO_COMMAND) io.stderr.write(HELP);
    const { failWith } = await import('./commands.js');
    return failWith(io, await usageError(parsed), false);
  }
  // --debug: stack traces name the TypeScript sources. Core is a bundle with source maps; Node reads them only for
  // modules loaded after this, which core is (loaded below), unless main() runs in a process that has it already.
  if (parsed.debug) process.setSourceMapsEnabled(true);
  if (parsed.preset !== undefined) {
    const { PRESETS } = await import('./presets.js');
    if (!Object.hasOwn(PRESETS, parsed.preset)) {
      const { failWith } = await import('./commands.js');
      return failWith(io, await usageError(`unknown preset "${parsed.preset}" (presets: ${Object.keys(PRESETS).join(', ')})`), false);
    }
  }
  const { runCommand } = await import('./commands.js');
  return runCommand(parsed, io);
}

const NO_COMMAND = 'no command given';

function write(io: CliIo, text: string): number {
  io.stdout.write(text);
  return 0;
}

async function usageError(message: string): Promise<Error> {
  const { HostError } = await import('@mcp-host/core');
  return new HostError('MCPH_USAGE', `${message}; run "mcp-host --help" for usage`);
}

/** The command line understood, `'help'`/`'version'`, or what is wrong with it (a usage error's message). */
function parseCommandLine(argv: string[]): CommandLine | 'help' | 'version' | string {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return describeArgvError(error);
  }
  const { values, positionals } = parsed;
  if (values.version) return 'version';
  if (values.help) return 'help';
  const [command, ...rest] = positionals;
  if (command === undefined) return NO_COMMAND;
  if (!(COMMANDS as readonly string[]).includes(command)) return `unknown command "${command}" (expected ${COMMANDS.join(', ')})`;
  if (rest.length > 0) return `unexpected argument "${rest[0]}"`;
  if (values.json && command !== 'inspect') return '--json goes with inspect';
  if (values.yes && command !== 'init') return '--yes goes with init';
  if (values.preset !== undefined && command !== 'init') return '--preset goes with init';
  const transport = transportOverride(values);
  if (typeof transport === 'string') return transport;
  if (transport && command !== 'start') return '--transport, --port and --host go with start';
  const loadTimeout = values['load-timeout'];
  if (loadTimeout !== undefined && (!/^\d+$/.test(loadTimeout) || Number(loadTimeout) < 1 || Number(loadTimeout) > 3_600_000)) return `--load-timeout must be a number of ms from 1 to 3600000, not "${loadTimeout}"`;
  if (loadTimeout !== undefined && command === 'init') return '--load-timeout goes with start, validate, inspect and schema';
  const loadTimeoutMs = loadTimeout === undefined ? undefined : Number(loadTimeout);
  return { command: command as Command, config: values.config, debug: values.debug ?? false, json: values.json ?? false, yes: values.yes ?? false, preset: values.preset, transport, loadTimeoutMs };
}

/** `--transport`, `--port`, `--host` as a transport override, or a usage error message. */
function transportOverride(values: { transport?: string | undefined; port?: string | undefined; host?: string | undefined }): TransportOverride | string | undefined {
  if (values.transport === undefined && values.port === undefined && values.host === undefined) return undefined;
  const type = values.transport ?? 'http';
  if (type !== 'stdio' && type !== 'http') return `--transport must be stdio or http, not "${type}"`;
  if (type === 'stdio') return values.port !== undefined || values.host !== undefined ? '--port and --host go with --transport http' : { type: 'stdio' };
  const override: { type: 'http'; port?: number; host?: string } = { type };
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) return `--port must be a number from 0 to 65535, not "${values.port}"`;
    override.port = port;
  }
  if (values.host !== undefined) override.host = values.host;
  return override;
}

/** parseArgs' messages, shortened to what a user needs (its unknown-option text talks about positionals). */
function describeArgvError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const known = Object.entries(OPTIONS)
    .map(([name, option]) => `--${name}${'short' in option ? ` (-${option.short})` : ''}`)
    .join(', ');
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /Unknown option '([^']+)'/.exec(message)?.[1] ?? message;
    return `unknown option ${option} (known options: ${known})`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /--config/.test(message)) return '--config needs a file: --config <file>';
  return message;
}
