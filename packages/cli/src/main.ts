import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT_CODES, HostError, createHost, describeError, displayPath, formatErrorStack, isHostError, type Host } from '@mcp-host/core';
import { InitRefused, buildSchema, init, loadConfigForSchema } from './commands.js';
import { formatDescription, formatPluginList } from './format.js';
import { PRESETS } from './presets.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const HELP = `mcp-host ${VERSION} — run an MCP server built from plugins

Usage:
  mcp-host start    [--config <file>] [--debug]   serve MCP (stdio, or the config's transport)
  mcp-host start    --transport http [--port <n>] [--host <addr>]   serve Streamable HTTP
  mcp-host validate [--config <file>] [--debug]   load and validate the config, list the plugins
  mcp-host inspect  [--config <file>] [--json]    list tools, resources, prompts and the shutdown plan
  mcp-host schema   [--config <file>]             print the config's JSON Schema (with its plugins' options)
  mcp-host init     [--yes] [--preset <name>]     write a starter mcp-host.config.yaml here (or a preset's config)

Options:
  -c, --config <file>  config file (default: search for mcp-host.config.* / .mcp-hostrc* / package.json#mcp-host
                       from the working directory up to the project root)
      --transport <t>  stdio or http, over the config's transport
      --port <n>       (http) port; 0 picks a free one, printed as "mcp-host: listening on <url>"
      --host <addr>    (http) address to bind; default 127.0.0.1
      --debug          stack traces, debug logs, and the handles left open after shutdown
      --json           (inspect) machine-readable output
  -y, --yes            (init) write without asking
      --preset <name>  (init) write a ready config instead: magic-api (a Magic-API server, MAGIC_API_* variables)
  -h, --help           show this help
  -v, --version        print the version

Exit codes: 0 clean shutdown · 1 a tap failed or timed out, startup failed, or a fatal error ·
            64 bad command line · 78 configuration error · 128+n forced by a second signal n
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  debug: { type: 'boolean' },
  json: { type: 'boolean' },
  transport: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  preset: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies ParseArgsConfig['options'];

const COMMANDS = ['start', 'validate', 'inspect', 'schema', 'init'] as const;
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
  if (values.yes && command !== 'init') return usageError('--yes goes with init');
  if (values.preset !== undefined && command !== 'init') return usageError('--preset goes with init');
  if (values.preset !== undefined && !Object.hasOwn(PRESETS, values.preset)) return usageError(`unknown preset "${values.preset}" (presets: ${Object.keys(PRESETS).join(', ')})`);
  const transport = transportOverride(values);
  if (typeof transport === 'string') return usageError(transport);
  if (transport && command !== 'start') return usageError('--transport, --port and --host go with start');
  const debug = values.debug ?? false;
  if (command === 'init') return runInit(values.yes ?? false, values.preset, debug);
  if (command === 'schema') return runSchema(values.config, debug);

  const host = createHost({ config: values.config, debug, resolveFrom: [import.meta.url], ...(transport ? { transport } : {}) });
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

/** `--transport`, `--port`, `--host` as a transport override, or a usage error message. */
function transportOverride(values: { transport?: string | undefined; port?: string | undefined; host?: string | undefined }) {
  if (values.transport === undefined && values.port === undefined && values.host === undefined) return undefined;
  const type = values.transport ?? 'http';
  if (type !== 'stdio' && type !== 'http') return `--transport must be stdio or http, not "${type}"`;
  if (type === 'stdio') return values.port !== undefined || values.host !== undefined ? '--port and --host go with --transport http' : { type: 'stdio' as const };
  const override: { type: 'http'; port?: number; host?: string } = { type };
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) return `--port must be a number from 0 to 65535, not "${values.port}"`;
    override.port = port;
  }
  if (values.host !== undefined) override.host = values.host;
  return override;
}

async function runInit(yes: boolean, preset: string | undefined, debug: boolean): Promise<never> {
  try {
    const written = await init(process.cwd(), { yes, interactive: Boolean(process.stdin.isTTY), preset });
    const next = preset === undefined ? 'Next: mcp-host validate, then add it to your MCP client (see the README).' : `Next: ${PRESETS[preset]!.next}`;
    return finish(EXIT_CODES.OK, `${written.map((file) => `wrote ${displayPath(file)}`).join('\n')}\n${next}\n`);
  } catch (error) {
    if (error instanceof InitRefused) {
      process.stderr.write(`mcp-host: init: ${error.message}\n`);
      return finish(EXIT_CODES.FAILURE);
    }
    return failWith(error, debug);
  }
}

async function runSchema(configPath: string | undefined, debug: boolean): Promise<never> {
  try {
    const schema = await buildSchema(await loadConfigForSchema(configPath, debug));
    return finish(EXIT_CODES.OK, `${JSON.stringify(schema, null, 2)}\n`);
  } catch (error) {
    return failWith(error, debug);
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
