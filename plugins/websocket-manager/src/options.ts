import { uniqueNames, z } from '@mcp-host/core';

/** The protocols a connection can speak; each one is a module in `protocols/`. */
export const PROTOCOL_NAMES = ['text', 'json', 'magic-api'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

const ms = (fallback: number, max = 3_600_000) => z.number().int().min(0).max(max).default(fallback);

const wsUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected a ws: or wss: URL, got ${JSON.stringify(value)}` });
    return;
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    ctx.addIssue({ code: 'custom', message: `expected a ws: or wss: URL, got ${JSON.stringify(value)}` });
  }
});

/** Exponential backoff between connection attempts. */
export const reconnectOptions = z.strictObject({
  /** Delay before the first retry. */
  initialDelayMs: ms(500),
  /** The delay never grows past this; a connection that stayed open this long resets it. */
  maxDelayMs: ms(30_000),
  /** Each failed attempt multiplies the delay by this. */
  factor: z.number().min(1).max(100).default(2),
  /** Each delay is randomised by ± this fraction, so many clients do not retry in lockstep. */
  jitter: z.number().min(0).max(1).default(0.2),
  /** Consecutive failed attempts before giving up; `null` retries forever. */
  maxRetries: z.number().int().min(0).nullable().default(null),
});

/**
 * ws ping frames: a peer that does not answer one within `timeoutMs` is terminated and reconnected. Any RFC 6455
 * peer answers them by itself (Magic-API's WebSocket container too), so they prove the path, not the application:
 * for that, `magic-api` also watches the console's own pings (`serverPingTimeoutMs`).
 */
export const heartbeatOptions = z.strictObject({
  intervalMs: z.number().int().min(10).max(3_600_000).default(15_000),
  timeoutMs: z.number().int().min(10).max(3_600_000).default(30_000),
});

/**
 * Credentials, used by `magic-api`: the console logs in with a token and nothing else (`login,<token>,<clientId>`,
 * read in Magic-API's `MagicWorkbenchHandler.onLogin`). A username and password are for the HTTP side's
 * `/login`, which yields the token: the Magic-API plugin does that and hands the token over through the service.
 */
export const authOptions = z.strictObject(
  {
    /** The `Magic-Token`; empty or left out logs in as `unauthorization` (the server's guest, when it requires no login). */
    token: z
      .string()
      // The console's dispatcher cuts the login's arguments at commas: such a token would arrive cut.
      .refine((token) => !token.includes(','), 'a token cannot contain ","; the console splits its login at commas')
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `auth takes only "token" (got ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}): the Magic-API console logs in with a token; a username and password log in over HTTP, which gives the token`
        : undefined,
  },
);

/** One backend WebSocket connection. */
export const connectionOptions = z.strictObject({
  /** Unique name: the tools and the service address the connection by it. */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1–64 characters of A–Z, a–z, 0–9, "_", ".", "-"'),
  /** `ws:` or `wss:` URL of the backend. */
  url: wsUrl,
  protocol: z.enum(PROTOCOL_NAMES).default('text'),
  /** Extra headers for the opening handshake. */
  headers: z.record(z.string(), z.string()).default({}),
  auth: authOptions.optional(),
  reconnect: reconnectOptions.prefault({}),
  /** `false` turns the heartbeat off. */
  heartbeat: z.union([heartbeatOptions, z.literal(false)]).prefault({}),
  /** Messages kept per connection (a ring buffer: the oldest is dropped first). */
  bufferSize: z.number().int().min(1).max(1_000_000).default(500),
  /** Largest message accepted; a bigger one closes the connection (1009). Bounds the buffer's memory with `bufferSize`. */
  maxMessageBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(1024 * 1024),
  /** How long the opening handshake may take; for `magic-api`, also how long the server may take to answer the login. */
  connectTimeoutMs: ms(10_000),
  /**
   * `magic-api`: once logged in, the console must send its `ping` (every 20 s) at least this often; silence means
   * the server no longer holds this session (or the path is gone): the socket is dropped and a fresh one logs in.
   * `false` turns the check off.
   */
  serverPingTimeoutMs: z.union([z.number().int().min(10).max(3_600_000), z.literal(false)]).default(60_000),
  /** At shutdown: how long the peer has to answer the close frame before the socket is terminated. */
  closeTimeoutMs: ms(1000, 60_000),
  /** How long `ws_send` (and the service's `send`) waits for the connection to be open. */
  sendTimeoutMs: ms(5000, 600_000),
  /** Startup fails (exit 1, naming the URL) if the first connection attempt fails. */
  required: z.boolean().default(false),
});

/** The longest `closeTimeoutMs` a connection added at run time may have unless the plugin's options allow more. */
export const DEFAULT_ADDED_CLOSE_TIMEOUT_MS = 1000;

export const pluginOptions = z
  .strictObject({
    /** Connections opened in the `start` hook; may be empty when other plugins add theirs through the service. */
    connections: z.array(connectionOptions).default([]),
    /**
     * The longest `closeTimeoutMs` a connection added through the service (`add`) may have. The shutdown tap's bound
     * is fixed when the plugin is applied, before anything is added: it reserves the longest of this and the
     * configured connections' `closeTimeoutMs`.
     */
    maxAddedCloseTimeoutMs: ms(DEFAULT_ADDED_CLOSE_TIMEOUT_MS, 60_000),
  })
  .superRefine(uniqueNames('connections', 'connection'));

export type ConnectionOptions = z.output<typeof connectionOptions>;
export type ConnectionOptionsInput = z.input<typeof connectionOptions>;
export type ReconnectOptions = z.output<typeof reconnectOptions>;
export type HeartbeatOptions = z.output<typeof heartbeatOptions>;
export type WebSocketManagerOptions = z.output<typeof pluginOptions>;
export type WebSocketManagerOptionsInput = z.input<typeof pluginOptions>;
