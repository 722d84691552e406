import { createHash } from 'node:crypto';
import { ErrorCode, McpError, z, type ReadResourceResult, type Resource, type ResourcePage, type ResourceRequestContext } from '@mcp-host/core';
import { BackendClient, displayUrl } from './backend-client.js';
import { mimeTypeOf, resourceContents } from './mime-types.js';
import { MAX_URI_LENGTH } from './limits.js';
import { httpUriPrefix, type HttpSourceOptions } from './options.js';
import { refusal, uriTooLong } from './resource-error.js';
import type { ResourceSource, SourceContext, SourceDescription, Untrack } from './resource-source.js';
import { ResponseCache } from './response-cache.js';
import { prefixOwns } from './uri-ownership.js';

/** A read of a URI the index does not hold refetches the index at most this often (it may be new). */
export const INDEX_MISS_REFRESH_MS = 1000;

const indexEntrySchema = z.object({
  uri: z.string().min(1),
  name: z.string().min(1),
  mimeType: z.string().min(1).optional(),
  description: z.string().optional(),
  path: z.string().min(1),
});

interface IndexEntry {
  readonly resource: Resource;
  readonly path: string;
  readonly url: URL;
}

interface IndexState {
  readonly entries: readonly IndexEntry[];
  readonly byUri: ReadonlyMap<string, IndexEntry>;
  readonly etag: string | undefined;
  /** A digest of the index body, to tell a changed index from a re-sent one. */
  readonly fingerprint: string;
  checkedAt: number;
}

/**
 * An HTTP backend: its index (a JSON array of `{ uri, name, mimeType?, description?, path }`) lists the
 * resources; each one's content comes from `path` relative to `baseUrl`. Index and contents are revalidated
 * with `If-None-Match`; everything goes through one keep-alive agent, opened on first use. It owns the URIs
 * under its `uriPrefix` only: an index entry outside it is refused with a warning and never served.
 */
export class HttpSource implements ResourceSource {
  readonly type = 'http' as const;
  readonly name: string;
  readonly #options: HttpSourceOptions;
  readonly #context: SourceContext;
  readonly #baseUrl: URL;
  readonly #client: BackendClient;
  readonly #cache: ResponseCache;
  readonly #uriPrefix: string;
  #index: IndexState | undefined;
  #loading: Promise<IndexState> | undefined;
  #lastMissRefresh = 0;
  #isClosed = false;

  constructor(options: HttpSourceOptions, context: SourceContext) {
    this.name = options.name;
    this.#options = options;
    this.#context = context;
    this.#baseUrl = new URL(options.baseUrl);
    this.#client = new BackendClient({
      source: options.name,
      baseUrl: this.#baseUrl,
      headers: options.headers,
      timeoutMs: options.timeoutMs,
      maxResponseBytes: options.maxResponseBytes,
      maxSockets: options.maxSockets,
    });
    this.#cache = new ResponseCache(options.cacheBytes);
    this.#uriPrefix = httpUriPrefix(options);
  }

  async open(): Promise<void> {}

  owns(uri: string): boolean {
    return prefixOwns(this.#uriPrefix, uri);
  }

  describe(): SourceDescription {
    return { name: this.name, type: this.type, location: displayUrl(this.#baseUrl), uriPrefix: this.#uriPrefix, resources: this.#index?.entries.length };
  }

  async list(cursor: string | undefined, context: ResourceRequestContext): Promise<ResourcePage> {
    const offset = cursor === undefined ? 0 : decodeOffset(cursor);
    let index: IndexState | undefined;
    try {
      index = await this.#loadIndex(context.signal, cursor === undefined ? this.#options.revalidateMs : Infinity);
    } catch (error) {
      if (this.#context.signal.aborted || context.signal.aborted) throw error;
      // One backend being down must not fail the whole resources/list: serve what is known, say why.
      this.#context.logger.warning('source "%s": %s%s', this.name, (error as Error).message.replace(/^MCP error -?\d+: /, ''), this.#index ? '; listing the last index fetched' : '; listing nothing from it');
      index = this.#index;
    }
    if (!index) return { resources: [] };
    const page = index.entries.slice(offset, offset + this.#context.pageSize);
    const next = offset + page.length;
    return { resources: page.map((entry) => entry.resource), nextCursor: next < index.entries.length ? encodeOffset(next) : undefined };
  }

  async read(uri: string, context: ResourceRequestContext): Promise<ReadResourceResult | undefined> {
    if (!this.owns(uri)) return undefined;
    const entry = await this.#find(uri, context.signal);
    if (!entry) throw refusal('not-found', `${uri}: no such resource in the index of source "${this.name}"`, { source: this.name, uri });
    const cached = this.#cache.get(entry.url.href);
    const response = await this.#client.get(entry.url, { signal: context.signal, onAbort: () => this.#aborted(uri), ifNoneMatch: cached?.etag, uri });
    let body: Buffer;
    let contentType: string | undefined;
    if (response.status === 304 && cached) {
      ({ body, contentType } = cached);
    } else if (response.status === 304) {
      // 304 for a request that had no validator: the backend is confused; say so rather than serve nothing.
      throw refusal('backend-invalid', `source "${this.name}": GET ${displayUrl(entry.url)} returned 304 to a request without If-None-Match`, { source: this.name, uri, url: displayUrl(entry.url), status: 304 });
    } else {
      ({ body, contentType } = response);
      if (response.etag) this.#cache.set(entry.url.href, { etag: response.etag, body, contentType });
      else this.#cache.delete(entry.url.href);
    }
    const mimeType = entry.resource.mimeType ?? essence(contentType) ?? mimeTypeOf(entry.path);
    return { contents: [resourceContents(uri, body, mimeType)] };
  }

  async subscribe(uri: string): Promise<boolean> {
    if (!this.owns(uri)) return false;
    throw this.#notWatchable(uri);
  }

  async track(uri: string): Promise<Untrack> {
    throw this.#notWatchable(uri);
  }

  async search(query: string, limit: number, signal: AbortSignal): Promise<Resource[]> {
    const index = await this.#loadIndex(signal, Infinity);
    const needle = query.toLowerCase();
    const found: Resource[] = [];
    for (const entry of index.entries) {
      if (found.length >= limit) break;
      const { name, uri, description } = entry.resource;
      if ([name, uri, entry.path, description ?? ''].some((text) => text.toLowerCase().includes(needle))) found.push(entry.resource);
    }
    return found;
  }

  async resolve(id: string, signal: AbortSignal): Promise<Resource | undefined> {
    const index = await this.#loadIndex(signal, Infinity);
    const bare = id.replace(/^\/+/, '');
    return (index.byUri.get(id) ?? index.entries.find((entry) => entry.path.replace(/^\/+/, '') === bare))?.resource;
  }

  async close(signal: AbortSignal): Promise<void> {
    this.#isClosed = true;
    await this.#client.close(signal);
    this.#cache.clear();
    this.#index = undefined;
  }

  #notWatchable(uri: string): McpError {
    return refusal('not-watchable', `${uri}: source "${this.name}" is an HTTP source; it cannot be subscribed to (read it again instead)`, { source: this.name, uri });
  }

  #aborted(uri: string): McpError {
    if (this.#context.signal.aborted || this.#isClosed) return refusal('shutting-down', `source "${this.name}": ${uri}: aborted, the host is shutting down`, { source: this.name, uri });
    return new McpError(ErrorCode.InternalError, `source "${this.name}": ${uri}: the request was cancelled`, { source: this.name, uri });
  }

  /**
   * The index entry for an owned `uri`; the index is refetched (bounded) when it might be new. The URI is
   * ours, so an index that cannot be fetched is this read's answer (unreachable, timeout…).
   */
  async #find(uri: string, signal: AbortSignal): Promise<IndexEntry | undefined> {
    if (uri.length > MAX_URI_LENGTH) {
      throw uriTooLong(this.name, uri);
    }
    const known = this.#index;
    const found = known?.byUri.get(uri);
    if (found) return found;
    if (known && Date.now() - this.#lastMissRefresh < INDEX_MISS_REFRESH_MS) return undefined;
    this.#lastMissRefresh = Date.now();
    return (await this.#loadIndex(signal, 0)).byUri.get(uri);
  }

  /** The index, fetched or revalidated when older than `maxAgeMs`; concurrent callers share one request. */
  async #loadIndex(signal: AbortSignal, maxAgeMs: number): Promise<IndexState> {
    const known = this.#index;
    if (known && Date.now() - known.checkedAt < maxAgeMs) return known;
    if (!this.#loading) {
      const loading = this.#fetchIndex(known);
      this.#loading = loading;
      loading.then(
        () => this.#loading === loading && (this.#loading = undefined),
        () => this.#loading === loading && (this.#loading = undefined),
      );
    }
    const shared = this.#loading;
    if (signal.aborted) throw this.#aborted(this.#indexUrl.href);
    return new Promise<IndexState>((resolve, reject) => {
      const onAbort = () => reject(this.#aborted(displayUrl(this.#indexUrl)));
      signal.addEventListener('abort', onAbort, { once: true });
      shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  get #indexUrl(): URL {
    return this.#urlOf(this.#options.index) ?? new URL(this.#baseUrl.href);
  }

  async #fetchIndex(known: IndexState | undefined): Promise<IndexState> {
    const url = this.#urlOf(this.#options.index);
    const data = { source: this.name, url: displayUrl(this.#baseUrl) };
    if (!url) throw refusal('backend-invalid', `source "${this.name}": index "${this.#options.index}" is not a path under baseUrl`, data);
    // The index request is shared by every waiting caller, so only shutdown aborts it (plus its timeout).
    const response = await this.#client.get(url, { signal: this.#context.signal, onAbort: () => this.#aborted(displayUrl(url)), ifNoneMatch: known?.etag });
    if (response.status === 304 && known) {
      known.checkedAt = Date.now();
      return known;
    }
    const text = response.body.toString('utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw refusal('backend-invalid', `source "${this.name}": index ${displayUrl(url)} is not JSON`, { ...data, url: displayUrl(url) });
    }
    if (!Array.isArray(raw)) throw refusal('backend-invalid', `source "${this.name}": index ${displayUrl(url)} is not a JSON array of { uri, name, path }`, { ...data, url: displayUrl(url) });
    const entries: IndexEntry[] = [];
    const byUri = new Map<string, IndexEntry>();
    const problems: string[] = [];
    raw.forEach((item, position) => {
      const parsed = indexEntrySchema.safeParse(item);
      if (!parsed.success) {
        problems.push(`[${position}]: ${parsed.error.issues[0]?.path.join('.') || 'entry'}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        return;
      }
      const { uri, name, mimeType, description, path } = parsed.data;
      const entryUrl = this.#urlOf(path);
      if (!entryUrl) {
        problems.push(`[${position}]: path "${path}" is not a path under baseUrl`);
        return;
      }
      if (!this.owns(uri)) {
        // Another source's file, a file: URI, anything outside our prefix: serving it would let the backend
        // shadow (or invent) resources that are not its own.
        problems.push(`[${position}]: uri ${uri.slice(0, 200)} is outside the source's uriPrefix "${this.#uriPrefix}"`);
        return;
      }
      if (uri.length > MAX_URI_LENGTH) {
        // A read of it would be refused (invalid-uri): listing it would offer what cannot be served.
        problems.push(`[${position}]: uri ${uri.slice(0, 200)}… is ${uri.length} characters long, over the ${MAX_URI_LENGTH} a read accepts`);
        return;
      }
      if (byUri.has(uri)) {
        problems.push(`[${position}]: uri ${uri.slice(0, 200)} is listed already`);
        return;
      }
      const resource: Resource = { uri, name, ...(mimeType ? { mimeType } : {}), ...(description ? { description } : {}) };
      const entry = { resource, path, url: entryUrl };
      entries.push(entry);
      byUri.set(uri, entry);
    });
    if (problems.length > 0) {
      this.#context.logger.warning('source "%s": index %s: skipped %d entr%s: %s', this.name, displayUrl(url), problems.length, problems.length === 1 ? 'y' : 'ies', problems.slice(0, 5).join('; '));
    }
    const state: IndexState = {
      entries,
      byUri,
      etag: response.etag,
      fingerprint: createHash('sha256').update(response.body).digest('base64url'),
      checkedAt: Date.now(),
    };
    if (this.#isClosed) return state;
    this.#index = state;
    // Contents of entries no longer listed need not be kept.
    if (known) {
      for (const entry of known.entries) if (!byUri.has(entry.resource.uri)) this.#cache.delete(entry.url.href);
      if (known.fingerprint !== state.fingerprint) this.#context.notifyListChanged();
    }
    return state;
  }

  /**
   * `path` under `baseUrl` (`/docs/a` and `docs/a` both append to the base's path), or `undefined` if it
   * would leave it: another scheme or host, `..` segments. The headers (tokens) go to the base's origin only.
   */
  #urlOf(relative: string): URL | undefined {
    if (/^[a-z][a-z0-9+.-]*:/i.test(relative) || relative.startsWith('//') || relative.includes('\\')) return undefined;
    const [pathPart = '', ...queryParts] = relative.split('?');
    const segments = pathPart.split('/');
    if (segments.some((segment) => /^(\.|%2e){1,2}$/i.test(segment))) return undefined;
    const url = new URL(this.#baseUrl.href);
    const basePath = url.pathname.replace(/\/+$/, '');
    url.pathname = `${basePath}/${pathPart.replace(/^\/+/, '')}`;
    url.search = queryParts.length > 0 ? `?${queryParts.join('?')}` : '';
    url.hash = '';
    if (url.origin !== this.#baseUrl.origin || !url.pathname.startsWith(`${basePath}/`)) return undefined;
    return url;
  }
}

function essence(contentType: string | undefined): string | undefined {
  const value = contentType?.split(';', 1)[0]?.trim();
  return value ? value : undefined;
}

function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function decodeOffset(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0) return parsed.offset;
  } catch {
    // fall through
  }
  throw new McpError(ErrorCode.InvalidParams, 'Invalid cursor: pass back the nextCursor of a previous resources/list reply unchanged.');
}
