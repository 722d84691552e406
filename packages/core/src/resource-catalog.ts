import type { McpServer, ReadResourceCallback, ReadResourceTemplateCallback, ResourceMetadata, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate as ResourceTemplateDescriptor,
} from '@modelcontextprotocol/sdk/types.js';
import { HostError } from './errors.js';
import { RESOURCE_NOT_FOUND_CODE } from './protocol-errors.js';


/**
 * The longest URI `resources/read` and `resources/subscribe` accept: 16 KiB (16,384 characters). Longer ones are
 * refused as invalid params (`data.reason` `invalid-uri`) before a registration, template or provider sees them, so
 * no provider has to bound them itself, a template match never runs on megabytes (the SDK's own bound, 1 MB, throws
 * a plain Error: -32603), and no answer echoes them. A file path is at most 4095 bytes on Linux, 12 KiB with every
 * byte percent-encoded; 16 KiB leaves room for a root or a prefix.
 */
export const MAX_RESOURCE_URI_LENGTH = 16 * 1024;

/** The refusal for a URI over `MAX_RESOURCE_URI_LENGTH`, quoting its start only; `undefined` if it is not too long. */
function uriTooLong(uri: string): McpError | undefined {
  if (uri.length <= MAX_RESOURCE_URI_LENGTH) return undefined;
  const shown = `${uri.slice(0, 200)}…`;
  return new McpError(ErrorCode.InvalidParams, `${shown}: the URI is ${uri.length} characters long, over the ${MAX_RESOURCE_URI_LENGTH} accepted`, {
    reason: 'invalid-uri',
    uri: shown,
    length: uri.length,
  });
}

/** What a resource provider's methods receive with each request. */
export interface ResourceRequestContext {
  /** Aborts if the client cancels the request or the host begins shutting down. */
  readonly signal: AbortSignal;
  /** The MCP session (HTTP), or undefined over stdio. */
  readonly sessionId: string | undefined;
}

export interface ResourcePage {
  resources: Resource[];
  /** The provider's own opaque cursor for its next page; omit on the last page. */
  nextCursor?: string | undefined;
}

/**
 * A dynamic source of resources: a directory tree, a backend's index. Register one with
 * `host.resources(provider)`; the host merges providers with `host.resource()` registrations, paginates
 * `resources/list` across them, routes `resources/read` and (un)subscriptions, and counts subscribers
 * across sessions so a provider watches a URI once, however many clients subscribed.
 */
export interface ResourceProvider {
  /** One page of this provider's resources; `cursor` is what its previous page returned. */
  list(cursor: string | undefined, context: ResourceRequestContext): ResourcePage | Promise<ResourcePage>;
  /**
   * Read a resource. Return `undefined` when the URI is not this provider's (the next provider is asked);
   * throw an `McpError` to refuse it (outside the root, too large…): the client gets that error.
   */
  read(uri: string, context: ResourceRequestContext): ReadResourceResult | undefined | Promise<ReadResourceResult | undefined>;
  /** URI templates clients may fill in to address resources not listed. */
  templates?(): ResourceTemplateDescriptor[];
  /**
   * Start tracking a URI: called for its first subscriber across all sessions. Return false when the URI is
   * not this provider's. Resolve only once changes are being watched: the reply means "subscribed".
   */
  subscribe?(uri: string, context: ResourceRequestContext): boolean | Promise<boolean>;
  /** Stop tracking: called when the last subscriber of a URI unsubscribed or its session ended. */
  unsubscribe?(uri: string): void | Promise<void>;
}

interface StaticResource {
  kind: 'static';
  uri: string;
  name: string;
  metadata: ResourceMetadata;
  read: ReadResourceCallback;
  plugin: string;
}

interface TemplateResource {
  kind: 'template';
  name: string;
  template: ResourceTemplate;
  metadata: ResourceMetadata;
  read: ReadResourceTemplateCallback;
  plugin: string;
}

interface ProviderEntry {
  provider: ResourceProvider;
  plugin: string;
}

type Cursor = { p: number; c?: string | undefined };

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string, providers: number): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (Number.isInteger(cursor.p) && cursor.p >= 0 && cursor.p <= providers && (cursor.c === undefined || typeof cursor.c === 'string')) return cursor;
  } catch {
    // fall through
  }
  throw new McpError(ErrorCode.InvalidParams, 'Invalid cursor: pass back the nextCursor of a previous resources/list reply unchanged.');
}

/**
 * Every resource the plugins registered, served by request handlers the host installs on each SDK
 * server (instead of the SDK's own, which cannot paginate, subscribe or ask a provider).
 */
export class ResourceCatalog {
  readonly #statics: StaticResource[] = [];
  readonly #templates: TemplateResource[] = [];
  readonly #providers: ProviderEntry[] = [];
  /** URI → sessions subscribed to it. */
  readonly #subscribers = new Map<string, Set<string>>();
  /** URI → the provider tracking it. */
  readonly #tracking = new Map<string, ResourceProvider>();

  constructor(private readonly shutdownSignal: AbortSignal) {}

  get isEmpty(): boolean {
    return this.#statics.length + this.#templates.length + this.#providers.length === 0;
  }

  get supportsSubscriptions(): boolean {
    return this.#providers.some(({ provider }) => typeof provider.subscribe === 'function');
  }

  names(): { name: string; uri: string; plugin: string }[] {
    return [
      ...this.#statics.map(({ name, uri, plugin }) => ({ name, uri, plugin })),
      ...this.#templates.map(({ name, template, plugin }) => ({ name, uri: template.uriTemplate.toString(), plugin })),
      ...this.#providers.map(({ plugin }, index) => ({ name: `${plugin} provider #${index + 1}`, uri: '(dynamic)', plugin })),
    ];
  }

  addStatic(plugin: string, name: string, uri: string, metadata: ResourceMetadata, read: ReadResourceCallback): void {
    if (this.#statics.some((entry) => entry.uri === uri)) {
      throw new HostError('MCPH_REGISTRATION_DUPLICATE', `[plugin ${plugin}] resource URI ${uri} is registered already.`, { plugin });
    }
    this.#statics.push({ kind: 'static', uri, name, metadata, read, plugin });
  }

  addTemplate(plugin: string, name: string, template: ResourceTemplate, metadata: ResourceMetadata, read: ReadResourceTemplateCallback): void {
    this.#templates.push({ kind: 'template', name, template, metadata, read, plugin });
  }

  addProvider(plugin: string, provider: ResourceProvider): void {
    this.#providers.push({ provider, plugin });
  }

  /** Sessions subscribed to `uri`. */
  subscribersOf(uri: string): ReadonlySet<string> {
    return this.#subscribers.get(uri) ?? new Set();
  }

  /**
   * Watch each of `uris` for `sessionKey` (a 2026-07-28 \`subscriptions/listen\`): a URI no provider can watch, or
   * one over the length limit, is skipped, since the listen was acknowledged already; \`endSession(key)\` ends it.
   */
  async subscribeAll(sessionKey: string, uris: readonly string[]): Promise<void> {
    const context: ResourceRequestContext = { signal: this.shutdownSignal, sessionId: undefined };
    for (const uri of uris) {
      if (uriTooLong(uri) || !this.supportsSubscriptions) continue;
      await this.#subscribe(uri, sessionKey, context).catch(() => {});
    }
  }

  /** Install the resource handlers on one SDK server, serving one session. */
  install(server: McpServer, sessionKey: string): void {
    if (this.isEmpty) return;
    const inner = server.server;
    inner.registerCapabilities({ resources: { listChanged: true, ...(this.supportsSubscriptions ? { subscribe: true } : {}) } });
    const shutdownSignal = this.shutdownSignal;
    // The combined signal is made only if the provider looks at it: AbortSignal.any costs, and reads are hot.
    const contextOf = (extra: { signal: AbortSignal; sessionId?: string | undefined }): ResourceRequestContext => {
      let signal: AbortSignal | undefined;
      return {
        get signal() {
          return (signal ??= AbortSignal.any([extra.signal, shutdownSignal]));
        },
        sessionId: extra.sessionId,
      };
    };

    inner.setRequestHandler(ListResourcesRequestSchema, async (request, extra) => {
      const position = request.params?.cursor ? decodeCursor(request.params.cursor, this.#providers.length) : { p: 0 };
      return this.#page(position, contextOf(extra), extra);
    });

    inner.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
      resourceTemplates: [
        ...this.#templates.map(({ name, template, metadata }) => ({ name, uriTemplate: template.uriTemplate.toString(), ...metadata })),
        ...this.#providers.flatMap(({ provider }) => provider.templates?.() ?? []),
      ],
    }));

    inner.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
      const uri = request.params.uri;
      const tooLong = uriTooLong(uri);
      if (tooLong) throw tooLong;
      const exact = this.#statics.find((entry) => entry.uri === uri);
      if (exact) return exact.read(new URL(uri), extra);
      for (const entry of this.#templates) {
        const variables = entry.template.uriTemplate.match(uri);
        if (variables) return entry.read(new URL(uri), variables, extra);
      }
      const context = contextOf(extra);
      for (const { provider } of this.#providers) {
        const result = await provider.read(uri, context);
        if (result !== undefined) return result;
      }
      throw new McpError(RESOURCE_NOT_FOUND_CODE, `Resource not found: ${uri}`, { uri });
    });

    if (this.supportsSubscriptions) {
      inner.setRequestHandler(SubscribeRequestSchema, async (request, extra) => {
        const tooLong = uriTooLong(request.params.uri);
        if (tooLong) throw tooLong;
        await this.#subscribe(request.params.uri, sessionKey, contextOf(extra));
        return {};
      });
      inner.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
        await this.#unsubscribe(request.params.uri, sessionKey);
        return {};
      });
    }
  }

  /** A session ended: drop its subscriptions. */
  async endSession(sessionKey: string): Promise<void> {
    for (const uri of [...this.#subscribers.keys()]) await this.#unsubscribe(uri, sessionKey);
  }

  /**
   * One page of `resources/list`. Position 0 is the plugins' own registrations (and template listings);
   * position i+1 is provider i, its pages in turn. Empty pages are skipped, so no reply is an empty page
   * with a cursor (bounded, in case a provider keeps returning empty pages).
   */
  async #page(position: Cursor, context: ResourceRequestContext, extra: Parameters<NonNullable<ResourceTemplate['listCallback']>>[0]): Promise<{ resources: Resource[]; nextCursor?: string }> {
    let { p, c } = position;
    for (let hop = 0; hop < 1000; hop++) {
      let page: ResourcePage;
      if (p === 0) {
        const resources: Resource[] = this.#statics.map(({ uri, name, metadata }) => ({ uri, name, ...metadata }));
        for (const { template, metadata } of this.#templates) {
          if (!template.listCallback) continue;
          const listed = await template.listCallback(extra);
          for (const resource of listed.resources) resources.push({ ...metadata, ...resource });
        }
        page = { resources };
      } else {
        page = await this.#providers[p - 1]!.provider.list(c, context);
      }
      const next: Cursor | undefined = page.nextCursor !== undefined ? { p, c: page.nextCursor } : p < this.#providers.length ? { p: p + 1 } : undefined;
      if (page.resources.length === 0 && next) {
        ({ p, c } = next);
        continue;
      }
      return { resources: page.resources, ...(next ? { nextCursor: encodeCursor(next) } : {}) };
    }
    return { resources: [] };
  }

  async #subscribe(uri: string, sessionKey: string, context: ResourceRequestContext): Promise<void> {
    const sessions = this.#subscribers.get(uri);
    if (sessions?.size) {
      sessions.add(sessionKey);
      return;
    }
    for (const { provider } of this.#providers) {
      if (!provider.subscribe) continue;
      if (await provider.subscribe(uri, context)) {
        this.#tracking.set(uri, provider);
        this.#subscribers.set(uri, new Set([sessionKey]));
        return;
      }
    }
    throw new McpError(RESOURCE_NOT_FOUND_CODE, `Cannot subscribe: no resource ${uri}`, { uri });
  }

  async #unsubscribe(uri: string, sessionKey: string): Promise<void> {
    const sessions = this.#subscribers.get(uri);
    if (!sessions?.delete(sessionKey) || sessions.size > 0) return;
    this.#subscribers.delete(uri);
    const provider = this.#tracking.get(uri);
    this.#tracking.delete(uri);
    await provider?.unsubscribe?.(uri);
  }
}
