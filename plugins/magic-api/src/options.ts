import { z } from '@mcp-host/core';

/** Where a Magic-API server listens unless told otherwise (the Python server's default too). */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:10712';
/** `magic-api.web`, the editor's path: the editor HTTP API and the console live under it. */
export const DEFAULT_WEB = '/magic/web';
export const DEFAULT_TIMEOUT_SECONDS = 30;
export const DEFAULT_REFRESH_SECONDS = 30;
export const DEFAULT_CONSOLE_NAME = 'magic';
/** Paused debug runs older than this are resumed (the Python server's MAGIC_API_DEBUG_TIMEOUT_SECONDS; its default is 600). */
export const DEFAULT_DEBUG_TIMEOUT_SECONDS = 180;

/**
 * Values from `${VAR:-}` arrive as strings, and an unset variable with an empty default as `""`: an empty or blank
 * string means "not set", everywhere in these options.
 */
function isBlank(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** An optional string option; blank = unset. */
const optionalString = () =>
  z
    .string()
    .optional()
    .transform((value) => (isBlank(value) ? undefined : value!.trim()));

/** A number of seconds, given as a number or as the string an environment variable gives; blank = `fallback`. */
function seconds(fallback: number, range: { min: number; max: number; exclusiveMin?: boolean }) {
  return z
    .union([z.number(), z.string()])
    .optional()
    .transform((value, ctx) => {
      if (isBlank(value)) return fallback;
      const number = typeof value === 'number' ? value : Number(value!.trim());
      if (!Number.isFinite(number)) {
        ctx.addIssue({ code: 'custom', message: `expected a number of seconds, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      if (range.exclusiveMin ? number <= range.min : number < range.min) {
        ctx.addIssue({ code: 'custom', message: `expected ${range.exclusiveMin ? 'more than' : 'at least'} ${range.min} seconds, got ${number}` });
        return z.NEVER;
      }
      if (number > range.max) {
        ctx.addIssue({ code: 'custom', message: `expected at most ${range.max} seconds, got ${number}` });
        return z.NEVER;
      }
      return number;
    });
}

/** `http:`/`https:` base URL of the server (with its servlet context path, if any); normalised without a trailing slash. */
const baseUrl = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (isBlank(value)) return DEFAULT_BASE_URL;
    let url: URL;
    try {
      url = new URL(value!.trim());
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected an http: or https: URL such as ${DEFAULT_BASE_URL}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash) {
      ctx.addIssue({ code: 'custom', message: `expected an http: or https: URL without credentials, query or fragment, such as ${DEFAULT_BASE_URL}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  });

/**
 * `magic-api.web`, normalised as the server does (`MagicAPIProperties#getWeb`: a trailing `/**`, `/*` or `/` is cut);
 * it must start with `/`. Blank is refused: a server without it has no editor API and no console.
 */
const webPath = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || isBlank(value)) return DEFAULT_WEB;
    let web = value.trim();
    for (const tail of ['/**', '/*', '/']) if (web.endsWith(tail)) web = web.slice(0, -tail.length);
    if (!web.startsWith('/') || web === '' || /[?#\s]/.test(web)) {
      ctx.addIssue({ code: 'custom', message: `expected the editor's path as the server's magic-api.web sets it, such as ${DEFAULT_WEB}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return web;
  });

/** The console's `ws:`/`wss:` URL; blank = derived from the base URL and the web path. */
const wsUrl = optionalString().superRefine((value, ctx) => {
  if (value === undefined) return;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'ws:' && url.protocol !== 'wss:')) {
    ctx.addIssue({ code: 'custom', message: `expected a ws: or wss: URL such as ws://127.0.0.1:10712/magic/web/console, got ${JSON.stringify(value)}` });
  }
});

/**
 * The `Magic-Token`: sent as a header and in the console's login, which the console cuts at commas — so visible
 * ASCII without a comma.
 */
const token = optionalString().superRefine((value, ctx) => {
  if (value !== undefined && !/^[\x21-\x2b\x2d-\x7e]+$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'a token is visible ASCII without commas (it goes in a header, and the console splits its login at commas)' });
  }
});

export const consoleOptions = z.strictObject({
  /** The connection's name in websocket-manager (`ws_connections`, `ws_messages { connection }`). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1–64 characters of A–Z, a–z, 0–9, "_", ".", "-"')
    .default(DEFAULT_CONSOLE_NAME)
    .describe('The console connection\'s name in websocket-manager (ws_connections, ws_messages { connection })'),
  /** Console messages kept for `ws_messages`. */
  bufferSize: z.number().int().min(1).max(1_000_000).default(500).describe('Console messages kept for ws_messages (the oldest go first)'),
});

export const magicApiOptionsSchema = z
  .strictObject({
    baseUrl: baseUrl.describe(`The server's base URL, with its context path if any (MAGIC_API_BASE_URL); default ${DEFAULT_BASE_URL}. User APIs are served under it.`),
    web: webPath.describe(`The editor's path on the server, its magic-api.web setting; default ${DEFAULT_WEB}. The editor API and the console live under it.`),
    wsUrl: wsUrl.describe('The console WebSocket (MAGIC_API_WS_URL); default: the base URL as ws:/wss: + the web path + /console'),
    token: token.describe('A Magic-Token to use as it is (MAGIC_API_TOKEN); with a username and password, they log in again when it is refused'),
    username: optionalString().describe('Log in with this user (MAGIC_API_USERNAME) through POST {web}/login; needs password'),
    password: optionalString().describe('The password for username (MAGIC_API_PASSWORD); never logged'),
    timeoutSeconds: seconds(DEFAULT_TIMEOUT_SECONDS, { min: 0, max: 3600, exclusiveMin: true }).describe(
      `Bound of one HTTP request, from sending to the answer's last byte, in seconds (MAGIC_API_TIMEOUT_SECONDS); default ${DEFAULT_TIMEOUT_SECONDS}`,
    ),
    refreshSeconds: seconds(DEFAULT_REFRESH_SECONDS, { min: 0, max: 86_400 }).describe(
      `The script tree is fetched again this often, in seconds (MAGIC_API_REFRESH_SECONDS); 0: only at start and after edits; default ${DEFAULT_REFRESH_SECONDS}`,
    ),
    maxResponseBytes: z.number().int().min(1024).max(512 * 1024 * 1024).default(64 * 1024 * 1024).describe('Largest HTTP answer accepted (the tree of a big project is the largest)'),
    maxSockets: z.number().int().min(1).max(256).default(8).describe('Keep-alive sockets to the server at once'),
    pageSize: z.number().int().min(1).max(10_000).default(500).describe('Scripts per resources/list page'),
    console: z
      .union([z.literal(false), consoleOptions])
      .default({ name: DEFAULT_CONSOLE_NAME, bufferSize: 500 })
      .describe('The console connection this plugin opens through websocket-manager; false: none'),
    resources: z.boolean().default(true).describe('Serve the script tree as magic-api:// resources through resource-manager'),
    debugTimeoutSeconds: seconds(DEFAULT_DEBUG_TIMEOUT_SECONDS, { min: 0, max: 86_400, exclusiveMin: true }).describe(
      `A debug run paused longer than this is resumed with its breakpoints cleared, so no request thread is left waiting on the server (MAGIC_API_DEBUG_TIMEOUT_SECONDS); default ${DEFAULT_DEBUG_TIMEOUT_SECONDS}`,
    ),
  })
  .superRefine((options, ctx) => {
    if ((options.username === undefined) !== (options.password === undefined)) {
      const missing = options.username === undefined ? 'username' : 'password';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: `${missing} is not set but ${missing === 'username' ? 'password' : 'username'} is: set both (MAGIC_API_USERNAME, MAGIC_API_PASSWORD) to log in, or neither (a token, or the server's guest mode)`,
      });
    }
  });

export type MagicApiOptions = z.output<typeof magicApiOptionsSchema>;
export type MagicApiOptionsInput = z.input<typeof magicApiOptionsSchema>;

/** Where the server's parts are, from the options. */
export interface MagicEndpoints {
  /** The base URL, without a trailing slash. */
  baseUrl: string;
  /** The editor API: base URL + web path. */
  webUrl: string;
  /** The console: `MAGIC_API_WS_URL`, or the web URL as `ws:`/`wss:` + `/console`. */
  consoleUrl: string;
}

export function resolveEndpoints(options: Pick<MagicApiOptions, 'baseUrl' | 'web' | 'wsUrl'>): MagicEndpoints {
  const webUrl = `${options.baseUrl}${options.web}`;
  const consoleUrl = options.wsUrl ?? `${webUrl.replace(/^http/, 'ws')}/console`;
  return { baseUrl: options.baseUrl, webUrl, consoleUrl };
}
