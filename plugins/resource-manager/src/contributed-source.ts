import { ErrorCode, McpError, type ReadResourceResult, type Resource, type ResourcePage, type ResourceRequestContext, type ResourceTemplateDescriptor } from '@mcp-host/core';
import { raceAbort, refusal, uriTooLong } from './resource-error.js';
import type { ResourceSource, SourceContext, SourceDescription, Untrack } from './resource-source.js';
import { MAX_URI_LENGTH } from './limits.js';
import { prefixOwns } from './uri-ownership.js';

/**
 * A source of resources another plugin contributes with `RESOURCE_MANAGER.contribute(source, { plugin })`,
 * served next to the configured ones: in `resources/list` (after them), `resources/read`, templates,
 * subscriptions, `resources_search` and the service's `list`/`read`/`resolve`/`search`/`track`.
 *
 * The resource-manager calls a method only for URIs under `uriPrefix`, passes every call a signal that aborts
 * when the client cancels or shutdown begins (and answers the request itself then, whether or not the
 * method settles), never calls anything after `close`, and drops results outside the prefix with a warning.
 * Throw an `McpError` (its `data.reason` one of `REFUSAL_REASONS` ideally) to refuse a request; anything
 * else thrown is answered as `source-failed`.
 */
export interface ContributedSource {
  /** 1–64 letters, digits, `_ . -`, starting with a letter or digit; unique among all sources. */
  readonly name: string;
  /**
   * The URIs this source owns, e.g. `"magic-api://"`: a lower-case scheme of your own followed by at least one
   * character, never `file:`. It must not overlap (start with, or be the start of) any other source's.
   */
  readonly uriPrefix: string;
  /** One page of resources; `cursor` is the `nextCursor` of your previous page (opaque to the manager). */
  list(cursor: string | undefined, context: ResourceRequestContext): Promise<ResourcePage>;
  /**
   * The contents of `uri` (one or more items: e.g. a script as `text` and its metadata as JSON), or
   * `undefined` if there is no such resource (the client gets `not-found`).
   */
  read(uri: string, context: ResourceRequestContext): Promise<ReadResourceResult | undefined>;
  /**
   * The resource an id names — its URI, or an id of your own (a path, a name) — or `undefined`. Used by the
   * service's `resolve(source, id)`.
   */
  resolve(id: string, context: ResourceRequestContext): Promise<Resource | undefined>;
  /**
   * At most `limit` resources whose name or path (or URI) contains `query`, case-insensitively, in listing
   * order. `resources_search` and the service's `search` call it.
   */
  search(query: string, limit: number, context: ResourceRequestContext): Promise<Resource[]>;
  /** URI templates clients may fill in (each should start with `uriPrefix`). */
  templates?(): ResourceTemplateDescriptor[];
  /**
   * Call `onChange` whenever the resource at `uri` changes, until the returned function is called. Resolve
   * once changes are being watched (the client's `resources/subscribe` is answered then); throw to refuse
   * (`not-found`…). Called once per URI for all MCP subscribers, and once per service `track()`. Without
   * `watch`, subscriptions to this source are refused as `not-watchable`.
   */
  watch?(uri: string, onChange: () => void, context: ResourceRequestContext): Promise<Untrack>;
  /** For `sources()`: where the resources come from (default: `uriPrefix`) and how many are known now. */
  describe?(): { location?: string; resources?: number };
  /**
   * Release what the source holds, bounded by `signal` (the tap's deadline). Called from the
   * resource-manager's `shutdown` tap, i.e. after the taps of plugins listed before it (the
   * websocket-manager's, for one); idempotent. Things the source shares with your plugin (an HTTP client
   * your tools use too) are better closed in your own `shutdown` tap, which runs after this one.
   */
  close?(signal: AbortSignal): Promise<void>;
}

/** What `contribute()` returns to the contributing plugin. */
export interface ContributedSourceHandle {
  /** Send `notifications/resources/list_changed` to every client. Ignored once shutdown began. */
  listChanged(): void;
}

/** A contributed source behind the interface the manager's own sources have. */
export class ContributedResourceSource implements ResourceSource {
  readonly type = 'contributed' as const;
  readonly name: string;
  readonly plugin: string;
  readonly #source: ContributedSource;
  readonly #context: SourceContext;
  /** MCP subscriptions: URI → the source's untrack. */
  readonly #subscriptions = new Map<string, Untrack>();
  #hasWarnedForeign = false;
  #isClosed = false;

  constructor(source: ContributedSource, plugin: string, context: SourceContext) {
    this.name = source.name;
    this.plugin = plugin;
    this.#source = source;
    this.#context = context;
  }

  readonly handle: ContributedSourceHandle = Object.freeze({
    listChanged: () => {
      if (!this.#isClosed && !this.#context.signal.aborted) this.#context.notifyListChanged();
    },
  });

  get uriPrefix(): string {
    return this.#source.uriPrefix;
  }

  owns(uri: string): boolean {
    return prefixOwns(this.#source.uriPrefix, uri);
  }

  async open(): Promise<void> {}

  describe(): SourceDescription {
    const described = this.#source.describe?.() ?? {};
    return { name: this.name, type: this.type, location: described.location ?? this.uriPrefix, uriPrefix: this.uriPrefix, plugin: this.plugin, resources: described.resources };
  }

  templates(): ResourceTemplateDescriptor[] {
    if (this.#isClosed) return [];
    return this.#source.templates?.() ?? [];
  }

  async list(cursor: string | undefined, context: ResourceRequestContext): Promise<ResourcePage> {
    const page = await this.#call(this.uriPrefix, context.signal, () => this.#source.list(cursor, context));
    return { resources: this.#ownedOnly(page.resources), ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}) };
  }

  async read(uri: string, context: ResourceRequestContext): Promise<ReadResourceResult | undefined> {
    if (!this.owns(uri)) return undefined;
    this.#checkLength(uri);
    const result = await this.#call(uri, context.signal, () => this.#source.read(uri, context));
    if (result === undefined) throw refusal('not-found', `${uri}: no such resource in source "${this.name}"`, { source: this.name, uri });
    return result;
  }

  async subscribe(uri: string, context: ResourceRequestContext): Promise<boolean> {
    if (!this.owns(uri)) return false;
    const untrack = await this.#watch(uri, () => this.#context.notifyUpdated(uri), context.signal);
    this.#subscriptions.set(uri, untrack);
    return true;
  }

  async unsubscribe(uri: string): Promise<void> {
    const untrack = this.#subscriptions.get(uri);
    this.#subscriptions.delete(uri);
    await untrack?.();
  }

  async track(uri: string, listener: (uri: string) => void, signal: AbortSignal): Promise<Untrack> {
    return this.#watch(uri, () => listener(uri), signal);
  }

  async search(query: string, limit: number, signal: AbortSignal): Promise<Resource[]> {
    const found = await this.#call(this.uriPrefix, signal, () => this.#source.search(query, limit, { signal, sessionId: undefined }));
    return this.#ownedOnly(found).slice(0, limit);
  }

  async resolve(id: string, signal: AbortSignal): Promise<Resource | undefined> {
    const resolved = await this.#call(id, signal, () => this.#source.resolve(id, { signal, sessionId: undefined }));
    return resolved && this.#ownedOnly([resolved])[0];
  }

  async close(signal: AbortSignal): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#subscriptions.clear();
    await this.#source.close?.(signal);
  }

  async #watch(uri: string, onChange: () => void, signal: AbortSignal): Promise<Untrack> {
    this.#checkLength(uri);
    const watch = this.#source.watch?.bind(this.#source);
    if (!watch) throw refusal('not-watchable', `${uri}: source "${this.name}" (plugin ${this.plugin}) cannot be subscribed to; read it again instead`, { source: this.name, uri });
    // Changes after close (or after shutdown began) are not announced.
    const untrack = await this.#call(uri, signal, () => watch(uri, () => !this.#isClosed && !this.#context.signal.aborted && onChange(), { signal, sessionId: undefined }));
    if (typeof untrack !== 'function') throw refusal('source-failed', `${uri}: source "${this.name}" (plugin ${this.plugin}): watch() did not return an untrack function`, { source: this.name, uri });
    return untrack;
  }

  /**
   * Run one call into the source: refused once closed, answered at once when `signal` aborts (a source that
   * ignores its signal cannot hold a request or the host's drain), and anything but an `McpError` thrown by
   * it becomes a `source-failed` refusal naming the source.
   */
  async #call<T>(subject: string, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    if (this.#isClosed || this.#context.signal.aborted) throw this.#aborted(subject);
    let running: Promise<T>;
    try {
      running = Promise.resolve(call());
    } catch (error) {
      running = Promise.reject(error);
    }
    try {
      return await raceAbort(running, signal, () => this.#aborted(subject));
    } catch (error) {
      if (error instanceof McpError || (typeof (error as { code?: unknown })?.code === 'number' && 'data' in (error as object))) throw error;
      throw refusal('source-failed', `source "${this.name}" (plugin ${this.plugin}) failed on ${subject}: ${(error as Error)?.message ?? String(error)}`, { source: this.name, uri: subject });
    }
  }

  #aborted(subject: string): McpError {
    if (this.#isClosed || this.#context.signal.aborted) return refusal('shutting-down', `source "${this.name}": ${subject}: aborted, the host is shutting down`, { source: this.name, uri: subject });
    return new McpError(ErrorCode.InternalError, `source "${this.name}": ${subject}: the request was cancelled`, { source: this.name, uri: subject });
  }

  #checkLength(uri: string): void {
    if (uri.length > MAX_URI_LENGTH) {
      throw uriTooLong(this.name, uri);
    }
  }

  /**
   * Resources outside the prefix are dropped: a source serves only what it owns; so are URIs over
   * MAX_URI_LENGTH, which no read accepts (listing them would offer what cannot be served). Warned once per source.
   */
  #ownedOnly(resources: readonly Resource[]): Resource[] {
    const owned = resources.filter((resource) => typeof resource?.uri === 'string' && this.owns(resource.uri) && resource.uri.length <= MAX_URI_LENGTH);
    if (owned.length !== resources.length && !this.#hasWarnedForeign) {
      this.#hasWarnedForeign = true;
      const foreign = resources.find((resource) => !owned.includes(resource));
      const uri = String(foreign?.uri);
      const why = typeof foreign?.uri === 'string' && this.owns(uri) ? `${uri.length} characters long, over the ${MAX_URI_LENGTH} a read accepts` : `outside its uriPrefix "${this.uriPrefix}"`;
      this.#context.logger.warning('source "%s" (plugin %s): dropped resource %s, %s (warned once)', this.name, this.plugin, uri.slice(0, 200), why);
    }
    return owned;
  }
}
