import { uniqueNames, z } from '@mcp-host/core';
import { GlobPattern } from './glob.js';

const sourceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a source name is 1–64 characters of letters, digits, "_", "." and "-", starting with a letter or digit');

const globList = z.array(
  z.string().min(1).superRefine((pattern, ctx) => {
    try {
      new GlobPattern(pattern);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
);

/** A directory tree served as `file://` resources. */
export const directorySourceSchema = z.strictObject({
  name: sourceName,
  type: z.literal('directory'),
  /** The root; relative paths resolve against the config file's directory. */
  path: z.string().min(1),
  /** Globs (relative to the root) of files to serve. Hidden files and folders are served only if a pattern names them. */
  include: globList.default(['**/*']),
  /** Globs of files to leave out, also inside included hidden folders. */
  exclude: globList.default([]),
  /** Reads of larger files are refused. */
  maxFileBytes: z.number().int().positive().default(10 * 1024 * 1024),
  /** Watch the tree once listed (list_changed on added/removed files) and allow resources/subscribe. */
  watch: z.boolean().default(true),
  /** Stop scanning beyond this many files (the listing says it is truncated in the log): bounds memory. */
  maxFiles: z.number().int().positive().default(100_000),
  /** At most this many directories are watched at once (one inotify watch each), tree and subscriptions together. */
  maxWatchedDirectories: z.number().int().positive().default(4096),
  /** Changes are collected for this long before the listing is updated and notifications are sent. */
  debounceMs: z.number().int().min(0).max(10_000).default(100),
});

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http: or https: URL' });

/** An HTTP backend whose index lists resources and whose paths serve their contents. */
export const httpSourceSchema = z.strictObject({
  name: sourceName,
  type: z.literal('http'),
  baseUrl: httpUrl,
  /** Path of the index (relative to `baseUrl`): a JSON array of `{ uri, name, mimeType?, description?, path }`. */
  index: z.string().min(1).default('/resources.json'),
  /** Sent with every request (e.g. `Authorization`); use `${VAR}` to keep tokens out of the file. Never logged. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Bound for one request, from connecting to the last byte of the body. */
  timeoutMs: z.number().int().positive().max(600_000).default(10_000),
  /** Bodies (index or content) larger than this are refused. */
  maxResponseBytes: z.number().int().positive().default(10 * 1024 * 1024),
  /** Bytes of response bodies kept for ETag revalidation (least recently used are dropped). */
  cacheBytes: z.number().int().min(0).default(16 * 1024 * 1024),
  /** Sockets kept open to the backend (one keep-alive agent per source). */
  maxSockets: z.number().int().positive().max(256).default(8),
});

export const sourceSchema = z.discriminatedUnion('type', [directorySourceSchema, httpSourceSchema]);

export const resourceManagerOptionsSchema = z
  .strictObject({
    sources: z.array(sourceSchema).min(1),
    /** Resources per `resources/list` page of one source. */
    pageSize: z.number().int().positive().max(10_000).default(500),
  })
  .superRefine(uniqueNames('sources', 'source'));

export type DirectorySourceOptions = z.output<typeof directorySourceSchema>;
export type HttpSourceOptions = z.output<typeof httpSourceSchema>;
export type SourceOptions = z.output<typeof sourceSchema>;
export type ResourceManagerOptions = z.output<typeof resourceManagerOptionsSchema>;
