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

export const shutdownSchema = z
  .strictObject({
    /** Bound for the whole shutdown: drain, taps and flush. */
    timeoutMs: milliseconds(1800),
    /** Default bound for each shutdown tap. */
    hookTimeoutMs: milliseconds(1000),
    /** How long requests in flight may take to be answered once shutdown begins. */
    drainTimeoutMs: milliseconds(1000),
  })
  .prefault({});

/** The host's own config keys. Strict: an unknown key is an error, so typos are caught. */
export const hostConfigSchema = z.strictObject({
  /** For editors: the JSON Schema this file follows (`mcp-host schema`). */
  $schema: z.string().optional(),
  /** Server name reported to clients in `initialize`. */
  name: z.string().min(1).default('mcp-host'),
  /** Server version reported to clients. */
  version: z.string().min(1).default('0.1.0'),
  /** Instructions for the client, sent in `initialize`. */
  instructions: z.string().optional(),
  transport: stdioTransportSchema.prefault({ type: 'stdio' }),
  shutdown: shutdownSchema,
  logging: z
    .strictObject({
      /** Minimum level written to stderr and mirrored to the client. */
      level: z.enum(LOG_LEVELS).default('info'),
    })
    .prefault({}),
  plugins: z.array(pluginEntrySchema).default([]),
});

export type HostConfigInput = z.input<typeof hostConfigSchema>;
export type HostConfig = z.output<typeof hostConfigSchema>;
export type PluginEntry = z.output<typeof pluginEntrySchema>;
