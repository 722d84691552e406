import { ErrorCode, McpError, createServiceKey, type ReadResourceResult, type Resource } from '@mcp-host/core';
import { DirectorySource } from './directory-source.js';
import { HttpSource } from './http-source.js';
import type { ResourceManagerOptions } from './options.js';
import { refusal } from './resource-error.js';
import type { ResourceSource, SourceContext, SourceDescription, Untrack } from './resource-source.js';

/**
 * What other plugins get from `host.inject(RESOURCE_MANAGER)`: the same sources the MCP client sees, with
 * the same checks (a path outside a root is refused here too). Every method takes an optional `signal`;
 * the host's shutdown aborts them all.
 */
export interface ResourceManagerService {
  /** The configured sources, in config order. */
  sources(): SourceDescription[];
  /** One page of resources, of one source or of all in turn; pass `nextCursor` back for the next page. */
  list(options?: { source?: string; cursor?: string; signal?: AbortSignal }): Promise<{ resources: Resource[]; nextCursor?: string }>;
  /** Read a resource by URI (optionally only from `source`); rejects with the refusal an MCP client would get. */
  read(uri: string, options?: { source?: string; signal?: AbortSignal }): Promise<ReadResourceResult>;
  /**
   * The resource an id names in a source — a path relative to a directory source's root (`guides/a.md`), an
   * HTTP index entry's `path` or `uri` — or `undefined` if there is none. Refusals (outside the root…) reject.
   */
  resolve(source: string, id: string, options?: { signal?: AbortSignal }): Promise<Resource | undefined>;
  /** Resources whose name or path contains `query`, case-insensitively, across sources or in one. */
  search(query: string, options?: { source?: string; limit?: number; signal?: AbortSignal }): Promise<Resource[]>;
  /** Call `listener` when the resource at `uri` changes (directory sources); resolves once watching. */
  track(uri: string, listener: (uri: string) => void, options?: { signal?: AbortSignal }): Promise<Untrack>;
}

/** The key under which the resource-manager plugin provides its service. */
export const RESOURCE_MANAGER = createServiceKey<ResourceManagerService>('resource-manager');

/** Results of one source in a search across sources: a source that failed does not fail the others. */
export interface SourceSearchResult {
  source: string;
  resources: Resource[];
  error?: string;
}

/** The plugin's sources and their lifecycle; also the service other plugins inject. */
export class ResourceManager implements ResourceManagerService {
  readonly all: readonly ResourceSource[];
  readonly #byName: ReadonlyMap<string, ResourceSource>;
  readonly #signal: AbortSignal;

  constructor(options: ResourceManagerOptions, context: SourceContext, configDir: string) {
    this.all = options.sources.map((source) => (source.type === 'directory' ? new DirectorySource(source, context, configDir) : new HttpSource(source, context)));
    this.#byName = new Map(this.all.map((source) => [source.name, source]));
    this.#signal = context.signal;
  }

  /** Resolve directory roots (no scanning, no connections): the `start` tap. */
  async open(signal: AbortSignal): Promise<void> {
    for (const source of this.all) {
      if (signal.aborted) return;
      await source.open();
    }
  }

  /** Stop every watcher, close every agent, drop caches: the `shutdown` tap. Every source is closed even if one fails. */
  async close(signal: AbortSignal): Promise<void> {
    const results = await Promise.allSettled(this.all.map((source) => source.close(signal)));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  sources(): SourceDescription[] {
    return this.all.map((source) => source.describe());
  }

  source(name: string): ResourceSource {
    const source = this.#byName.get(name);
    if (!source) throw refusal('unknown-source', `no source named "${name}"; the sources are ${[...this.#byName.keys()].map((key) => `"${key}"`).join(', ')}`, { source: name });
    return source;
  }

  async list(options: { source?: string; cursor?: string; signal?: AbortSignal } = {}): Promise<{ resources: Resource[]; nextCursor?: string }> {
    const signal = this.#signalWith(options.signal);
    const scope = options.source === undefined ? this.all : [this.source(options.source)];
    let position = options.cursor === undefined ? { s: 0, c: undefined as string | undefined } : decodeServiceCursor(options.cursor, scope.length);
    const context = { signal, sessionId: undefined };
    // Skip empty pages so a caller never sees an empty page with a cursor (bounded by the source count).
    for (;;) {
      const page = await scope[position.s]!.list(position.c, context);
      const next = page.nextCursor !== undefined ? { s: position.s, c: page.nextCursor } : position.s + 1 < scope.length ? { s: position.s + 1, c: undefined } : undefined;
      if (page.resources.length === 0 && next && next.s !== position.s) {
        position = next;
        continue;
      }
      return { resources: page.resources, ...(next ? { nextCursor: encodeServiceCursor(next) } : {}) };
    }
  }

  async read(uri: string, options: { source?: string; signal?: AbortSignal } = {}): Promise<ReadResourceResult> {
    const context = { signal: this.#signalWith(options.signal), sessionId: undefined };
    for (const source of options.source === undefined ? this.all : [this.source(options.source)]) {
      const result = await source.read(uri, context);
      if (result !== undefined) return result;
    }
    throw refusal('not-found', `${uri} is not a resource of ${options.source === undefined ? 'any source' : `source "${options.source}"`}`, { source: options.source ?? '*', uri });
  }

  async resolve(source: string, id: string, options: { signal?: AbortSignal } = {}): Promise<Resource | undefined> {
    return this.source(source).resolve(id, this.#signalWith(options.signal));
  }

  async search(query: string, options: { source?: string; limit?: number; signal?: AbortSignal } = {}): Promise<Resource[]> {
    const results = await this.searchEach(query, options);
    const failed = results.find((result) => result.error !== undefined);
    if (failed && options.source !== undefined) throw new McpError(ErrorCode.InternalError, failed.error!);
    return results.flatMap((result) => result.resources).slice(0, options.limit ?? 50);
  }

  /** Search each source in turn until `limit` results; a failing source is reported, not thrown. */
  async searchEach(query: string, options: { source?: string; limit?: number; signal?: AbortSignal } = {}): Promise<SourceSearchResult[]> {
    const signal = this.#signalWith(options.signal);
    let remaining = options.limit ?? 50;
    const results: SourceSearchResult[] = [];
    for (const source of options.source === undefined ? this.all : [this.source(options.source)]) {
      if (remaining <= 0) break;
      try {
        const resources = await source.search(query, remaining, signal);
        remaining -= resources.length;
        results.push({ source: source.name, resources });
      } catch (error) {
        if (this.#signal.aborted) throw error;
        results.push({ source: source.name, resources: [], error: (error as Error).message.replace(/^MCP error -?\d+: /, '') });
      }
    }
    return results;
  }

  async track(uri: string, listener: (uri: string) => void, options: { signal?: AbortSignal } = {}): Promise<Untrack> {
    const signal = this.#signalWith(options.signal);
    for (const source of this.all) {
      // The first source that has the resource tracks it; a refusal (hidden, outside…) is the caller's answer.
      if (await source.resolve(uri, signal)) return source.track(uri, listener, signal);
    }
    throw refusal('not-found', `${uri} is not a resource of any source`, { source: '*', uri });
  }

  #signalWith(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.#signal]) : this.#signal;
  }
}

function encodeServiceCursor(position: { s: number; c: string | undefined }): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

function decodeServiceCursor(cursor: string, sources: number): { s: number; c: string | undefined } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; c?: unknown };
    if (typeof parsed.s === 'number' && Number.isInteger(parsed.s) && parsed.s >= 0 && parsed.s < sources && (parsed.c === undefined || typeof parsed.c === 'string')) {
      return { s: parsed.s, c: parsed.c };
    }
  } catch {
    // fall through
  }
  throw new McpError(ErrorCode.InvalidParams, 'Invalid cursor: pass back the nextCursor of a previous list() result unchanged.');
}
