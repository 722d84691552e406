import type { McpServer, PromptCallback, ReadResourceCallback, ReadResourceTemplateCallback, ResourceMetadata, ResourceTemplate, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AnySchema, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { ClientCapabilities, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { HostHooks } from './hooks.js';
import type { LogLevel, Logger } from './logger.js';
import type { ResourceProvider } from './resource-catalog.js';
import type { ServiceKey } from './services.js';
import type { ShutdownReason, ShutdownReport } from './shutdown-report.js';

/** The result of validating a value with a Standard Schema (zod ≥ 3.24, valibot, arktype …). */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }> };

/** Any Standard Schema: a zod schema is one. The host validates a plugin's options with it. */
export interface OptionsSchema<Output = unknown> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: unknown; readonly output: Output } | undefined;
  };
}

export type InferOptions<S> = S extends { readonly '~standard': { readonly types?: { readonly output: infer O } | undefined } }
  ? O
  : undefined;

/** What `requestLogger` needs from a handler's `extra`: its signal tells the host whose request it is. */
export interface RequestLogTarget {
  sendNotification(notification: { method: 'notifications/message'; params: { level: LogLevel; logger?: string; data: unknown } }): Promise<void>;
  readonly signal: AbortSignal;
}

/** What `requestClient` needs from a handler's `extra`: its signal, which is one request's own. */
export interface RequestClientTarget {
  readonly signal: AbortSignal;
}

/** The client a request came from, as it introduced itself in `initialize`. */
export interface RequestClient {
  /** `clientInfo.name` and `.version`; undefined when the request's server never saw an `initialize` (stateless HTTP). */
  readonly name: string | undefined;
  readonly version: string | undefined;
  /**
   * The capabilities it declared (`{}` when unknown). Check before asking the client for something: `sampling` before
   * `sampling/createMessage`, `elicitation` before `elicitation/create`, `roots` before `roots/list`.
   */
  readonly capabilities: ClientCapabilities;
}

/**
 * Where the host is in its life (docs/lifecycle.md has the table of transitions). A plugin sees `applying`
 * from its `apply`, `starting` from its start tap, `serving` while the transport connects, `running` from its
 * ready tap on, then `stopping` and `stopped`.
 */
export type HostState = 'created' | 'loading' | 'loaded' | 'applying' | 'applied' | 'starting' | 'serving' | 'running' | 'stopping' | 'stopped';

export interface ToolConfig<InputArgs extends undefined | ZodRawShapeCompat | AnySchema, OutputArgs extends ZodRawShapeCompat | AnySchema> {
  title?: string;
  description?: string;
  /** A zod raw shape or schema for the arguments; omit it for a tool without arguments (no zod needed). */
  inputSchema?: InputArgs;
  outputSchema?: OutputArgs;
  annotations?: ToolAnnotations;
  _meta?: Record<string, unknown>;
}

export interface PromptConfig<Args extends undefined | ZodRawShapeCompat> {
  title?: string;
  description?: string;
  argsSchema?: Args;
}

/**
 * What a plugin's `apply` receives: the host as one plugin sees it. Registration methods mirror the SDK's
 * `McpServer.registerTool/registerResource/registerPrompt`; the host replays them onto every MCP server it
 * creates (one for stdio, one per session for HTTP).
 */
export interface PluginHost {
  /** This plugin's name. */
  readonly name: string;
  /** The lifecycle hooks, shared by all plugins, tap-only: tap them with your plugin's name. */
  readonly hooks: HostHooks;
  /** This plugin's logger: stderr, prefixed with the plugin name, mirrored to the client. */
  readonly logger: Logger;
  /**
   * A logger for one request, from a tool/prompt/resource handler's `extra`: lines go to stderr, and to that
   * request's client only, as `notifications/message` related to the request (over HTTP: on the request's
   * own stream, in order with its result), honouring that session's `logging/setLevel`.
   */
  requestLogger(extra: RequestLogTarget): Logger;
  /**
   * The client of one request, from a tool, prompt or `resource()` handler's `extra`: its name, version
   * and declared capabilities (over HTTP, the capabilities of that request's session). Throws
   * `MCPH_HOST_STATE` for an `extra` that is not a request this host is handling.
   */
  requestClient(extra: RequestClientTarget): RequestClient;
  /** Aborts when shutdown begins. Pass it to long operations so they stop promptly. */
  readonly signal: AbortSignal;
  /** The directory of the config file (the working directory when there is none): resolve relative paths here. */
  readonly configDir: string;
  /** The config file's path, when the host was started from one. */
  readonly configFile: string | undefined;
  readonly state: HostState;
  /** Begin shutdown (reason `api` unless given); every caller gets the same promise. */
  shutdown(reason?: ShutdownReason): Promise<ShutdownReport>;
  /** Offer a service to the plugins applied after this one. */
  provide<T>(key: ServiceKey<T>, value: T): void;
  /** Use a service another plugin provides; throws `MCPH_SERVICE_MISSING` if none does. */
  inject<T>(key: ServiceKey<T>): T;
  inject<T>(key: ServiceKey<T>, options: { optional: true }): T | undefined;
  tool<InputArgs extends undefined | ZodRawShapeCompat | AnySchema = undefined, OutputArgs extends ZodRawShapeCompat | AnySchema = ZodRawShapeCompat>(
    name: string,
    config: ToolConfig<InputArgs, OutputArgs>,
    handler: ToolCallback<InputArgs>,
  ): void;
  resource(name: string, uri: string, metadata: ResourceMetadata, read: ReadResourceCallback): void;
  resource(name: string, template: ResourceTemplate, metadata: ResourceMetadata, read: ReadResourceTemplateCallback): void;
  /**
   * Serve resources from a dynamic source (a directory tree, a backend index): paginated listing, reads by
   * URI, templates and subscriptions. The host merges every provider with the `resource()` registrations.
   */
  resources(provider: ResourceProvider): void;
  /** Tell the clients subscribed to `uri` that it changed (`notifications/resources/updated`). */
  notifyResourceUpdated(uri: string): void;
  /** Tell every client that the resource list changed (`notifications/resources/list_changed`). */
  notifyResourceListChanged(): void;
  prompt<Args extends undefined | ZodRawShapeCompat = undefined>(
    name: string,
    config: PromptConfig<Args>,
    handler: PromptCallback<Args>,
  ): void;
}

/** A plugin: a plain object the host can read (name, schema) before running anything. */
export interface Plugin<Options = any> {
  /** Unique within a host; the tap name, log prefix and `error.plugin`. */
  readonly name: string;
  readonly version?: string;
  readonly description?: string;
  /**
   * The `@mcp-host/core` versions this plugin works with, as a semver range (`"^0.1.0"`). A host of another
   * version refuses to load it, naming both versions, instead of failing somewhere inside.
   */
  readonly core?: string;
  /** Validates this plugin's `options` from the config; unknown keys should be errors (`z.strictObject`). */
  readonly options?: OptionsSchema<Options>;
  /** Register tools, resources, prompts, services and hook taps. No I/O here: open things in `start`. */
  apply(host: PluginHost, options: Options): void | Promise<void>;
}

/** Identity helper that types a plugin object; options are inferred from its schema. */
export function definePlugin<S extends OptionsSchema | undefined = undefined>(plugin: {
  readonly name: string;
  readonly version?: string;
  readonly description?: string;
  readonly core?: string;
  readonly options?: S;
  apply(host: PluginHost, options: InferOptions<S>): void | Promise<void>;
}): Plugin<InferOptions<S>> {
  return plugin as Plugin<InferOptions<S>>;
}

export function isPlugin(value: unknown): value is Plugin {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Plugin).name === 'string' &&
    (value as Plugin).name.length > 0 &&
    typeof (value as Plugin).apply === 'function'
  );
}

/** @internal What the registration methods replay onto an SDK server. */
export type Registration =
  | { kind: 'tool'; name: string; plugin: string; register(server: McpServer): void }
  | { kind: 'prompt'; name: string; plugin: string; register(server: McpServer): void };
