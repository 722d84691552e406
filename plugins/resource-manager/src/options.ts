import { uniqueNames, z } from '@mcp-host/core';
import { GlobPattern } from './glob.js';
import { MAX_CONTENT_BYTES } from './limits.js';
import { prefixesOverlap, uriPrefixProblem } from './uri-ownership.js';

/** A source's name: configured or contributed. */
export const SOURCE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const sourceName = z
  .string()
  .regex(SOURCE_NAME_PATTERN, 'a source name is 1–64 characters of letters, digits, "_", "." and "-", starting with a letter or digit');

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
  /** Reads of larger files are refused (`too-large`). At most what one JSON-RPC reply can carry (limits.ts). */
  maxFileBytes: z.number().int().positive().max(MAX_CONTENT_BYTES, maxContentMessage('maxFileBytes')).default(10 * 1024 * 1024),
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
  /**
   * The URIs this source owns: every index entry's `uri` must start with it, or it is refused with a warning.
   * Default: `baseUrl` with a trailing slash (credentials, query and fragment dropped). Never a `file:` URI.
   */
  uriPrefix: z.string().superRefine((prefix, ctx) => {
    const problem = uriPrefixProblem(prefix);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }).optional(),
  /** Bodies (index or content) larger than this are refused. At most what one JSON-RPC reply can carry (limits.ts). */
  maxResponseBytes: z.number().int().positive().max(MAX_CONTENT_BYTES, maxContentMessage('maxResponseBytes')).default(10 * 1024 * 1024),
  /** A first-page listing revalidates the index (a conditional GET) when the last check is older than this. */
  revalidateMs: z.number().int().min(0).max(3_600_000).default(500),
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
  .superRefine(uniqueNames('sources', 'source'))
  .superRefine((options, ctx) => {
    // Two HTTP sources whose prefixes overlap would both claim a URI. (Directory roots are compared once
    // they are resolved against the config's directory, in apply; file: URIs are never an HTTP source's.)
    const claimed: { index: number; name: string; prefix: string }[] = [];
    options.sources.forEach((source, index) => {
      if (source.type !== 'http') return;
      const prefix = httpUriPrefix(source);
      const other = claimed.find((entry) => prefixesOverlap(entry.prefix, prefix));
      if (other) {
        ctx.addIssue({
          code: 'custom',
          path: ['sources', index, source.uriPrefix === undefined ? 'baseUrl' : 'uriPrefix'],
          message: `source "${source.name}" would own URIs starting with "${prefix}", which overlaps "${other.prefix}" of sources[${other.index}] ("${other.name}"); give one of them a uriPrefix the other's does not start with`,
        });
      } else {
        claimed.push({ index, name: source.name, prefix });
      }
    });
  });

function maxContentMessage(key: string): string {
  return `${key} is at most ${MAX_CONTENT_BYTES} (85 MiB): a larger file or body cannot be sent in one JSON-RPC reply (see "Limits" in the resource-manager README)`;
}

/** The URI prefix an HTTP source owns: its `uriPrefix`, or its `baseUrl` without credentials, query or fragment. */
export function httpUriPrefix(source: { baseUrl: string; uriPrefix?: string | undefined }): string {
  if (source.uriPrefix !== undefined) return source.uriPrefix;
  const url = new URL(source.baseUrl);
  return `${url.origin}${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}`;
}

export type DirectorySourceOptions = z.output<typeof directorySourceSchema>;
export type HttpSourceOptions = z.output<typeof httpSourceSchema>;
export type SourceOptions = z.output<typeof sourceSchema>;
export type ResourceManagerOptions = z.output<typeof resourceManagerOptionsSchema>;
