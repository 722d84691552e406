/**
 * `magic-api-emulator` / `pnpm magic-api:emulator`: run the emulator on its own so mcp-host can be tried without a
 * Java server. Prints where it listens on stdout (it is not an MCP server), logs on stderr, stops on Ctrl+C / SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startEmulator, type EmulatorOptions } from './emulator.js';

const HELP = `magic-api-emulator — a Magic-API 2.2.2 stand-in (editor API, console WebSocket, user APIs)

Options (environment variable in brackets):
  --port <n>               listen port, 0 = any free one (MAGIC_API_EMULATOR_PORT, default 10712)
  --host <addr>            listen address (MAGIC_API_EMULATOR_HOST, default 127.0.0.1)
  --web <path>             editor web path (MAGIC_API_EMULATOR_WEB, default /magic/web)
  --username <name>        require login with this user (MAGIC_API_USERNAME)
  --password <secret>      … and this password (MAGIC_API_PASSWORD)
  --token-lifetime <s>     tokens expire after s seconds, refreshed over the console (MAGIC_API_EMULATOR_TOKEN_LIFETIME)
  --debug-timeout <s>      breakpoint timeout in seconds (MAGIC_API_EMULATOR_DEBUG_TIMEOUT, default 60)
  --no-backups             run without a backup service
  --quiet                  do not echo the server's log lines on stderr
  --help                   this text
`;

function positiveInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}: expected a whole number, got "${text}"`);
  return value;
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        web: { type: 'string' },
        username: { type: 'string' },
        password: { type: 'string' },
        'token-lifetime': { type: 'string' },
        'debug-timeout': { type: 'string' },
        'no-backups': { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`magic-api-emulator: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  // An empty variable counts as unset (configs often write `${VAR:-}`).
  const env = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== '')) as Record<string, string | undefined>;
  const username = values.username ?? env.MAGIC_API_USERNAME;
  const password = values.password ?? env.MAGIC_API_PASSWORD;
  if ((username === undefined) !== (password === undefined) || username === '' || password === '') {
    process.stderr.write('magic-api-emulator: give both --username and --password (or neither, for guest mode)\n');
    return 2;
  }
  let options: EmulatorOptions;
  try {
    const tokenLifetime = positiveInteger('--token-lifetime', values['token-lifetime'] ?? env.MAGIC_API_EMULATOR_TOKEN_LIFETIME);
    const debugTimeout = positiveInteger('--debug-timeout', values['debug-timeout'] ?? env.MAGIC_API_EMULATOR_DEBUG_TIMEOUT);
    options = {
      host: values.host ?? env.MAGIC_API_EMULATOR_HOST ?? '127.0.0.1',
      port: positiveInteger('--port', values.port ?? env.MAGIC_API_EMULATOR_PORT) ?? 10712,
      web: values.web ?? env.MAGIC_API_EMULATOR_WEB ?? '/magic/web',
      backups: !values['no-backups'],
      ...(username !== undefined && password !== undefined ? { credentials: { username, password } } : {}),
      ...(tokenLifetime !== undefined ? { tokenLifetimeSeconds: tokenLifetime } : {}),
      ...(debugTimeout !== undefined ? { debugTimeoutMs: debugTimeout * 1000 } : {}),
      ...(values.quiet ? {} : { onLog: (line: string) => process.stderr.write(line) }),
    };
  } catch (error) {
    process.stderr.write(`magic-api-emulator: ${(error as Error).message}\n`);
    return 2;
  }
  let emulator;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    process.stderr.write(`magic-api-emulator: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(
    `magic-api-emulator: listening\n  base URL:    ${emulator.baseUrl}\n  web URL:     ${emulator.webUrl}\n  console URL: ${emulator.consoleUrl}\n` +
      `  login:       ${options.credentials ? `required (user ${options.credentials.username})` : 'guest mode (no credentials)'}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stderr.write('magic-api-emulator: stopping\n');
  await emulator.close();
  return 0;
}
