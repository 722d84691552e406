import { z } from 'zod';
import { LOG_LEVELS } from './logger.js';
import { isPlugin, type Plugin } from './plugin.js';

const pluginObject = z.custom<Plugin>(isPlugin, {
  message: 'expected a plugin specifier (string), [specifier, options], or a plugin object with name and apply()',
});

/** A plugin entry: `"specifier"`, `["specifier", options]`, or (JS/TS configs) a plugin object or `[plugin, options]`. */
export const pluginEntrySchema = z.union([
  z.string().min(1, 'a plugin specifier cannot be empty'),
  z.tuple([z.union([z.string().min(1), pluginObject]), z.unknown()]),
  z.tuple([z.union([z.string().min(1), pluginObject])]),
  pluginObject,
]);

const milliseconds = (fallback: number) => z.number().int().positive().max(600_000).default(fallback);

export const stdioTransportSchema = z.strictObject({ type: z.literal('stdio') });

/** Streamable HTTP. Binds loopback unless told otherwise; a non-loopback bind without auth logs a warning. */
export const httpTransportSchema = z.strictObject({
  type: z.literal('http'),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(3000).meta({ description: '0 picks a free port; the URL is printed on stderr as `mcp-host: listening on <url>`.' }),
  path: z.string().regex(/^\//, 'must start with /').default('/mcp'),
  allowedOrigins: z.array(z.string().min(1)).optional().meta({ description: 'Origins allowed to call (exact `scheme://host:port`); default: loopback origins only.' }),
  allowedHosts: z.array(z.string().min(1)).optional().meta({ description: 'Host header values allowed (DNS-rebinding protection); default: loopback names when bound to loopback.' }),
  auth: z.strictObject({ bearerToken: z.string().min(16, 'use a token of at least 16 characters') }).optional(),
  stateless: z.boolean().default(false).meta({ description: 'No sessions: a fresh server per request, JSON responses, POST only.' }),
  maxBodyBytes: z.number().int().positive().default(4 * 1024 * 1024),
  maxSessions: z
    .number()
    .int()
    .positive()
    .default(1000)
    .meta({ description: 'Sessions open at once; over it a new session gets 503 with a JSON-RPC error (a live session is never evicted).' }),
  sessionIdleTimeoutMs: z
    .number()
    .int()
    .positive()
    .max(86_400_000)
    .default(600_000)
    .meta({ description: 'A session with no request and no open stream for this long is closed (its id then gets 404).' }),
});

export const transportSchema = z.discriminatedUnion('type', [stdioTransportSchema, httpTransportSchema]);

export const shutdownSchema = z
  .strictObject({
    timeoutMs: milliseconds(1800).meta({ description: 'Bound for the whole shutdown: drain, taps and flush.' }),
    hookTimeoutMs: milliseconds(1000).meta({ description: 'Default bound for each shutdown tap.' }),
    drainTimeoutMs: milliseconds(1000).meta({ description: 'How long requests in flight may take to be answered once shutdown begins.' }),
  })
  .prefault({});

export const startupSchema = z
  .strictObject({
    applyTimeoutMs: milliseconds(10_000).meta({ description: "Bound for each plugin's apply(); past it startup fails (exit 1, naming the plugin)." }),
    tapTimeoutMs: milliseconds(60_000).meta({ description: 'Default bound for each start tap (a tap may set its own timeoutMs); past it startup fails (exit 1, naming the plugin).' }),
  })
  .prefault({});

/** The host's own config keys. Strict: an unknown key is an error, so typos are caught. */
export const hostConfigSchema = z.strictObject({
  $schema: z.string().optional().meta({ description: 'For editors: the JSON Schema this file follows (`mcp-host schema`).' }),
  name: z.string().min(1).default('mcp-host').meta({ description: 'Server name reported to clients in `initialize`.' }),
  version: z.string().min(1).default('0.1.0').meta({ description: 'Server version reported to clients.' }),
  instructions: z.string().optional().meta({ description: 'Instructions for the client, sent in `initialize`.' }),
  transport: transportSchema.default({ type: 'stdio' }),
  startup: startupSchema,
  shutdown: shutdownSchema,
  logging: z
    .strictObject({
      level: z.enum(LOG_LEVELS).default('info').meta({ description: 'Minimum level written to stderr and mirrored to the client.' }),
    })
    .prefault({}),
  plugins: z.array(pluginEntrySchema).default([]),
});

export type HostConfigInput = z.input<typeof hostConfigSchema>;
export type HostConfig = z.output<typeof hostConfigSchema>;
export type PluginEntry = z.output<typeof pluginEntrySchema>;
export type HttpTransportConfig = z.output<typeof httpTransportSchema>;
export type TransportConfig = z.output<typeof transportSchema>;
