import { ErrorCode, HostError, McpError, createServiceKey, type HostState, type ReadResourceResult, type Resource } from '@mcp-host/core';
import { ContributedResourceSource, type ContributedSource, type ContributedSourceHandle } from './contributed-source.js';
import { DirectorySource } from './directory-source.js';
import { HttpSource } from './http-source.js';
import { SOURCE_NAME_PATTERN, type ResourceManagerOptions } from './options.js';
import { refusal } from './resource-error.js';
import type { ResourceSource, SourceContext, SourceDescription, Untrack } from './resource-source.js';
import { prefixesOverlap, rootsOverlap, uriPrefixProblem } from './uri-ownership.js';

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
  /** Call `listener` when the resource at `uri` changes (directory sources, contributed ones with `watch`); resolves once watching. */
  track(uri: string, listener: (uri: string) => void, options?: { signal?: AbortSignal }): Promise<Untrack>;
  /**
   * Serve another source next to the configured ones (see `ContributedSource`). Call it from your plugin's
   * `apply()`, listed after this plugin; `plugin` is your plugin's name (`host.name`), for errors and logs.
   * Throws `MCPH_REGISTRATION_CLOSED` outside `apply()` (once plugins are started nothing may be added:
   * clients could have listed already), `MCPH_REGISTRATION_DUPLICATE` for a name or `uriPrefix` that
   * another source has or overlaps (naming both), `MCPH_PLUGIN_APPLY_FAILED` for a malformed source.
   * The source is closed by this plugin's `shutdown` tap.
   */
  contribute(source: ContributedSource, options: { plugin: string }): ContributedSourceHandle;
}

/** The key under which the resource-manager plugin provides its service. */
export const RESOURCE_MANAGER = createServiceKey<ResourceManagerService>('resource-manager');

/** Results of one source in a search across sources: a source that failed does not fail the others. */
export interface SourceSearchResult {
  source: string;
  resources: Resource[];
  error?: string;
}

/** What the manager needs of the plugin host beyond its sources' context. */
export interface ManagerHost {
  /** The plugin's name, for errors. */
  readonly plugin: string;
  /** The host's state now: contributions are taken while plugins are applied only. */
  state(): HostState;
  /** Register a source with the host as a resource provider (`host.resources`). */
  addProvider(source: ResourceSource): void;
}

/** The plugin's sources and their lifecycle; also the service other plugins inject. */
export class ResourceManager implements ResourceManagerService {
  /** Configured sources in config order, then contributed ones in contribution order. */
  readonly all: ResourceSource[] = [];
  readonly #byName = new Map<string, ResourceSource>();
  readonly #signal: AbortSignal;
  readonly #context: SourceContext;
  readonly #host: ManagerHost;
  /** Directory sources, for root-overlap checks. */
  readonly #directories: { index: number; source: DirectorySource }[] = [];

  constructor(options: ResourceManagerOptions, context: Omit<SourceContext, 'rootConflict'>, configDir: string, host: ManagerHost) {
    this.#host = host;
    this.#signal = context.signal;
    this.#context = { ...context, rootConflict: (name, realRoot) => this.#rootConflict(name, realRoot) };
    options.sources.forEach((config, index) => {
      const source = config.type === 'directory' ? new DirectorySource(config, this.#context, configDir) : new HttpSource(config, this.#context);
      if (source instanceof DirectorySource) {
        // Roots as configured overlap: refused before anything is opened, naming both.
        const other = this.#directories.find(({ source: candidate }) => rootsOverlap(candidate.roots.lexical, source.roots.lexical));
        if (other) throw this.#overlapError(index, source, other.index, other.source, source.roots.lexical, other.source.roots.lexical);
        this.#directories.push({ index, source });
      }
      this.#add(source);
    });
  }

  /** Resolve directory roots (no scanning, no connections): the `start` tap. Real roots that overlap fail startup. */
  async open(signal: AbortSignal): Promise<void> {
    for (const source of this.all) {
      if (signal.aborted) return;
      await source.open();
      if (source instanceof DirectorySource && source.rootConflict !== undefined) {
        throw new HostError('MCPH_CONFIG_INVALID', `[plugin ${this.#host.plugin}] source "${source.name}": ${source.rootConflict}.`, { plugin: this.#host.plugin, hook: 'start' });
      }
    }
  }

  contribute(source: ContributedSource, options: { plugin: string }): ContributedSourceHandle {
    const plugin = typeof options?.plugin === 'string' && options.plugin !== '' ? options.plugin : 'unknown plugin';
    const what = `[plugin ${plugin}] resource source "${String(source?.name)}"`;
    const state = this.#host.state();
    if (state !== 'applying') {
      throw new HostError(
        'MCPH_REGISTRATION_CLOSED',
        `${what} contributed while the host is ${state}: contribute sources from your plugin's apply(), and list ${this.#host.plugin} before your plugin.`,
        { plugin },
      );
    }
    const malformed = malformedSource(source);
    if (malformed) throw new HostError('MCPH_PLUGIN_APPLY_FAILED', `${what}: ${malformed}.`, { plugin, hook: 'apply' });
    const named = this.#byName.get(source.name);
    if (named) throw new HostError('MCPH_REGISTRATION_DUPLICATE', `${what}: the name is taken by ${describeSource(named)}; choose another name.`, { plugin });
    for (const other of this.all) {
      if (other instanceof DirectorySource) continue; // file: URIs only, and a contributed prefix is never file:
      const prefix = other.describe().uriPrefix;
      if (prefixesOverlap(prefix, source.uriPrefix)) {
        throw new HostError(
          'MCPH_REGISTRATION_DUPLICATE',
          `${what}: its uriPrefix "${source.uriPrefix}" overlaps "${prefix}" of ${describeSource(other)}: both would own the same URIs. Choose a prefix neither starts with the other.`,
          { plugin },
        );
      }
    }
    const contributed = new ContributedResourceSource(source, plugin, this.#context);
    this.#add(contributed);
    this.#host.addProvider(contributed);
    return contributed.handle;
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

  #add(source: ResourceSource): void {
    this.all.push(source);
    this.#byName.set(source.name, source);
  }

  /** The source that owns `uri`: at most one does (prefixes and roots never overlap). */
  ownerOf(uri: string): ResourceSource | undefined {
    return this.all.find((source) => source.owns(uri));
  }

  #rootConflict(name: string, realRoot: string): string | undefined {
    const mine = this.#directories.find(({ source }) => source.name === name);
    for (const { index, source } of this.#directories) {
      if (source.name === name) continue;
      const { lexical, real } = source.roots;
      const theirs = [lexical, ...(real !== undefined ? [real] : [])].find((root) => rootsOverlap(root, realRoot));
      if (theirs !== undefined) {
        return `its root resolves to ${realRoot}, which overlaps the root ${theirs} of sources[${index}] ("${source.name}")${mine ? ` (this is sources[${mine.index}])` : ''}: a file there would belong to both. Give them roots neither of which contains the other`;
      }
    }
    return undefined;
  }

  #overlapError(index: number, source: DirectorySource, otherIndex: number, other: DirectorySource, root: string, otherRoot: string): HostError {
    return new HostError(
      'MCPH_CONFIG_INVALID',
      `[plugin ${this.#host.plugin}] sources[${index}] ("${source.name}"): its root ${root} overlaps the root ${otherRoot} of sources[${otherIndex}] ("${other.name}"): a file there would belong to both. Give them roots neither of which contains the other.`,
      { plugin: this.#host.plugin, path: `sources[${index}].path` },
    );
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
    const source = this.#ownerFor(uri, options.source);
    const result = await source.read(uri, context);
    if (result !== undefined) return result;
    throw refusal('not-found', `${uri} is not a resource of source "${source.name}"`, { source: source.name, uri });
  }

  /** The owner of `uri`, which must be `expected` if given: otherwise `outside-root` (or `not-found` if no source owns it). */
  #ownerFor(uri: string, expected: string | undefined): ResourceSource {
    const scope = expected === undefined ? undefined : this.source(expected);
    const owner = this.ownerOf(uri);
    if (scope && owner !== scope) {
      throw refusal('outside-root', `${uri.slice(0, 500)} is not under the root or uriPrefix of source "${scope.name}"${owner ? ` (it is source "${owner.name}"'s)` : ''}`, { source: scope.name, uri: uri.slice(0, 500) });
    }
    if (!owner) throw refusal('not-found', `${uri.slice(0, 500)} is not a resource of any source: no source's root or uriPrefix holds it`, { source: '*', uri: uri.slice(0, 500) });
    return owner;
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
    // The owner tracks it; a refusal (hidden, not watchable…) is the caller's answer.
    return this.#ownerFor(uri, undefined).track(uri, listener, signal);
  }

  #signalWith(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.#signal]) : this.#signal;
  }
}

function describeSource(source: ResourceSource): string {
  const description = source.describe();
  return description.plugin !== undefined ? `source "${source.name}" (contributed by plugin ${description.plugin})` : `source "${source.name}" (configured, ${source.type})`;
}

/** What is wrong with a contributed source's shape (JavaScript callers have no type checker), if anything. */
function malformedSource(source: ContributedSource): string | undefined {
  if (typeof source !== 'object' || source === null) return 'expected an object implementing ContributedSource';
  if (typeof source.name !== 'string' || !SOURCE_NAME_PATTERN.test(source.name)) return 'name must be 1–64 letters, digits, "_", "." or "-", starting with a letter or digit';
  if (typeof source.uriPrefix !== 'string') return 'uriPrefix must be a string such as "my-scheme://"';
  const problem = uriPrefixProblem(source.uriPrefix);
  if (problem) return problem;
  for (const method of ['list', 'read', 'resolve', 'search'] as const) if (typeof source[method] !== 'function') return `${method}() is missing`;
  for (const method of ['templates', 'watch', 'describe', 'close'] as const) if (source[method] !== undefined && typeof source[method] !== 'function') return `${method} must be a function when given`;
  return undefined;
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
