import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT_CODES, HostError, createHost, describeError, isHostError, type Host } from '@mcp-host/core';
import { formatDescription, formatErrorStack, formatPluginList } from './format.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const HELP = `mcp-host ${VERSION} — run an MCP server built from plugins

Usage:
  mcp-host start    [--config <file>] [--debug]   serve MCP over stdio
  mcp-host validate [--config <file>] [--debug]   load and validate the config, list the plugins
  mcp-host inspect  [--config <file>] [--json]    list tools, resources, prompts and the shutdown plan

Options:
  -c, --config <file>  config file (default: search for mcp-host.config.* / .mcp-hostrc* / package.json#mcp-host
                       from the working directory up to the project root)
      --debug          stack traces, debug logs, and the handles left open after shutdown
      --json           (inspect) machine-readable output
  -h, --help           show this help
  -v, --version        print the version

Exit codes: 0 clean shutdown · 1 a tap failed or timed out, startup failed, or a fatal error ·
            64 bad command line · 78 configuration error · 128+n forced by a second signal n
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  debug: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies ParseArgsConfig['options'];

const COMMANDS = ['start', 'validate', 'inspect'] as const;
type Command = (typeof COMMANDS)[number];

/** Write to stdout and wait until it is flushed, then exit: exiting at once would truncate piped output. */
function finish(code: number, text = ''): Promise<never> {
  return new Promise(() => {
    process.stdout.write(text, () => process.exit(code));
  });
}

function usageError(message: string): Promise<never> {
  process.stderr.write(`mcp-host: ${message}\nRun "mcp-host --help" for usage.\n`);
  return finish(EXIT_CODES.USAGE);
}

export async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return usageError(describeArgvError(error));
  }
  const { values, positionals } = parsed;
  if (values.version) return finish(EXIT_CODES.OK, `${VERSION}\n`);
  if (values.help) return finish(EXIT_CODES.OK, HELP);
  const [command, ...rest] = positionals;
  if (command === undefined) {
    process.stderr.write(HELP);
    return finish(EXIT_CODES.USAGE);
  }
  if (!(COMMANDS as readonly string[]).includes(command)) return usageError(`unknown command "${command}" (expected ${COMMANDS.join(', ')})`);
  if (rest.length > 0) return usageError(`unexpected argument "${rest[0]}"`);
  if (values.json && command !== 'inspect') return usageError('--json goes with inspect');

  const host = createHost({ config: values.config, debug: values.debug ?? false, resolveFrom: [import.meta.url] });
  switch (command as Command) {
    case 'start':
      await host.run();
      return;
    case 'validate':
      return validate(host, values.debug ?? false);
    case 'inspect':
      return inspect(host, values.json ?? false, values.debug ?? false);
  }
}

async function validate(host: Host, debug: boolean): Promise<never> {
  try {
    const config = await host.load();
    return finish(EXIT_CODES.OK, formatPluginList(config));
  } catch (error) {
    return failWith(error, debug);
  }
}

async function inspect(host: Host, json: boolean, debug: boolean): Promise<never> {
  try {
    await host.apply();
    const description = host.describe();
    return finish(EXIT_CODES.OK, json ? `${JSON.stringify(description, null, 2)}\n` : formatDescription(description));
  } catch (error) {
    return failWith(error, debug);
  }
}

/** parseArgs' messages, shortened to what a user needs (its unknown-option text talks about positionals). */
function describeArgvError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : describeError(error);
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

function failWith(error: unknown, debug: boolean): Promise<never> {
  const problems = isHostError(error) ? error.problems : [describeError(error)];
  for (const line of problems) process.stderr.write(`mcp-host: ${line}\n`);
  if (debug) process.stderr.write(formatErrorStack(error));
  const configError = isHostError(error) && error.code.startsWith('MCPH_CONFIG') || isHostError(error) && error.code.startsWith('MCPH_PLUGIN') && error.code !== 'MCPH_PLUGIN_APPLY_FAILED';
  return finish(configError ? EXIT_CODES.CONFIG : EXIT_CODES.FAILURE);
}

export { HostError };
