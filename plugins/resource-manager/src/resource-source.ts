import type { Logger, Resource, ResourceProvider } from '@mcp-host/core';

/** What the plugin hands every source: its logger, the host's shutdown signal and the notifications. */
export interface SourceContext {
  readonly logger: Logger;
  /** Aborts when shutdown begins: scans and requests stop, and their callers get a `shutting-down` error. */
  readonly signal: AbortSignal;
  readonly pageSize: number;
  /** `notifications/resources/list_changed` to every client. */
  notifyListChanged(): void;
  /** `notifications/resources/updated` to the clients subscribed to `uri`. */
  notifyUpdated(uri: string): void;
  /**
   * A directory source resolved its root to `realRoot`: the other source whose root overlaps it, described
   * for a message, or `undefined`. An overlapping root is never adopted (both would own its files).
   */
  rootConflict(source: string, realRoot: string): string | undefined;
}

/** What kind of source: configured (`directory`, `http`) or contributed by another plugin. */
export type SourceType = 'directory' | 'http' | 'contributed';

/** One source, as `resources_search` and the service see it. */
export interface SourceDescription {
  readonly name: string;
  readonly type: SourceType;
  /** The real root directory, the base URL (without credentials), or what a contributed source says (its prefix by default). */
  readonly location: string;
  /** The URIs the source owns: `file://<root>/` for a directory source, its `uriPrefix` otherwise. */
  readonly uriPrefix: string;
  /** The plugin that contributed it (contributed sources). */
  readonly plugin?: string;
  /** Resources known now (`undefined` before the first scan or index fetch). */
  readonly resources: number | undefined;
  /** Directories watched now (directory sources). */
  readonly watchedDirectories?: number;
}

/** Stop tracking; resolves once the watch was released. */
export type Untrack = () => Promise<void>;

/**
 * A source of resources: an MCP resource provider (the host pages `resources/list` across sources, routes
 * reads and subscriptions), plus what `resources_search` and other plugins need.
 */
export interface ResourceSource extends ResourceProvider {
  readonly name: string;
  readonly type: SourceType;
  /** Whether `uri` is this source's to serve (or refuse). Synchronous and cheap: no I/O, never throws. */
  owns(uri: string): boolean;
  /** Prepare without scanning or connecting (resolve the root); called from the `start` tap. */
  open(): Promise<void>;
  describe(): SourceDescription;
  /** Resources whose name, URI or path contains `query` (case-insensitive), in listing order, at most `limit`. */
  search(query: string, limit: number, signal: AbortSignal): Promise<Resource[]>;
  /**
   * The resource an id names in this source: a path relative to the root (directory) or the backend's
   * `path`/`uri` (HTTP), or a URI. `undefined` if there is none; throws a refusal if it may not be served.
   */
  resolve(id: string, signal: AbortSignal): Promise<Resource | undefined>;
  /** Call `listener` whenever the resource at `uri` changes; throws a refusal if it cannot be watched. */
  track(uri: string, listener: (uri: string) => void, signal: AbortSignal): Promise<Untrack>;
  /**
   * Stop watchers, close sockets, drop caches; resolves once their handles are released (or `signal`, the
   * shutdown tap's bound, aborts). Idempotent.
   */
  close(signal: AbortSignal): Promise<void>;
}
