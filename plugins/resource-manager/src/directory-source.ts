import { lstat, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ErrorCode, McpError, boundedWait, type ReadResourceResult, type Resource, type ResourcePage, type ResourceRequestContext, type ResourceTemplateDescriptor } from '@mcp-host/core';
import { readFileBounded } from './file-reader.js';
import { nextLoopTurn } from './handle-closing.js';
import { GlobFilter } from './glob.js';
import { mimeTypeOf, resourceContents } from './mime-types.js';
import type { DirectorySourceOptions } from './options.js';
import { PathGuard, isAddressable } from './path-guard.js';
import { raceAbort, refusal } from './resource-error.js';
import type { ResourceSource, SourceContext, SourceDescription, Untrack } from './resource-source.js';
import { SourceWatcher, type WatchBatch } from './source-watcher.js';
import { TreeIndex, scanTree, type FileEntry } from './tree-index.js';

/** A tree that is not (fully) watched is rescanned when a listing starts and its scan is older than this. */
export const UNWATCHED_RESCAN_MS = 2000;

interface Listener {
  /** The directory whose watch this listener holds. */
  directory: string;
  notify(): void;
}

/**
 * A directory tree served as `file://` resources: listed from a cached scan (kept current by watch batches),
 * read through the path guard, watched per directory within a budget. Nothing happens on disk before the
 * first listing, search or subscription.
 */
export class DirectorySource implements ResourceSource {
  readonly type = 'directory' as const;
  readonly name: string;
  readonly #options: DirectorySourceOptions;
  readonly #context: SourceContext;
  readonly #lexicalRoot: string;
  readonly #filter: GlobFilter;
  /** Decides ownership until the root is resolved (and while it does not exist). */
  readonly #lexicalGuard: PathGuard;
  #guard: PathGuard | undefined;
  #watcher: SourceWatcher | undefined;
  #index: TreeIndex | undefined;
  #scanning: Promise<TreeIndex> | undefined;
  /** Real relative path → listeners (MCP subscriptions and service trackers), keyed for removal. */
  readonly #listeners = new Map<string, Map<string, Listener>>();
  /** Subscribed URI → the real relative path it was resolved to. */
  readonly #subscriptions = new Map<string, string>();
  #trackerIds = 0;
  #hasWarnedMissingRoot = false;
  /** Why the resolved root was not adopted: it overlaps another source's (then nothing is served from it). */
  rootConflict: string | undefined;
  #isClosed = false;

  constructor(options: DirectorySourceOptions, context: SourceContext, configDir: string) {
    this.name = options.name;
    this.#options = options;
    this.#context = context;
    this.#lexicalRoot = path.resolve(configDir, options.path);
    this.#filter = new GlobFilter(options.include, options.exclude);
    this.#lexicalGuard = new PathGuard(this.name, this.#lexicalRoot, this.#lexicalRoot, this.#filter);
  }

  async open(): Promise<void> {
    await this.#root();
  }

  /** The root as configured (resolved against the config's directory), and its real path once resolved. */
  get roots(): { lexical: string; real: string | undefined } {
    return { lexical: this.#lexicalRoot, real: this.#guard?.realRoot };
  }

  owns(uri: string): boolean {
    return (this.#guard ?? this.#lexicalGuard).owns(uri);
  }

  describe(): SourceDescription {
    return {
      name: this.name,
      type: this.type,
      location: this.#guard?.realRoot ?? this.#lexicalRoot,
      uriPrefix: (this.#guard ?? this.#lexicalGuard).uriPrefix,
      resources: this.#index?.files.size,
      watchedDirectories: this.#watcher?.size ?? 0,
    };
  }

  templates(): ResourceTemplateDescriptor[] {
    const uriTemplate = (this.#guard ?? this.#lexicalGuard).uriTemplate;
    return [{ name: this.name, uriTemplate, description: `Files under ${this.#guard?.realRoot ?? this.#lexicalRoot} (source "${this.name}"), by path relative to it` }];
  }

  async list(cursor: string | undefined, context: ResourceRequestContext): Promise<ResourcePage> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const index = await this.#tree(context.signal, after !== undefined);
    const guard = this.#guard;
    if (!guard) return { resources: [] };
    const sorted = index.sorted();
    const start = after === undefined ? 0 : index.indexAfter(after);
    const page = sorted.slice(start, start + this.#context.pageSize);
    const resources = page.map((entry) => this.#resourceOf(entry, guard));
    const last = page[page.length - 1];
    return { resources, nextCursor: last && start + page.length < sorted.length ? encodeCursor(last.relative) : undefined };
  }

  async read(uri: string, context: ResourceRequestContext): Promise<ReadResourceResult | undefined> {
    if (!/^file:/i.test(uri)) return undefined;
    const guard = await this.#root();
    const claimed = guard.claim(uri);
    if (!claimed) return undefined;
    const onAbort = () => this.#aborted(uri);
    const resolved = await raceAbort(guard.resolve(claimed, uri), context.signal, onAbort);
    const bytes = await readFileBounded(resolved.realPath, { maxBytes: this.#options.maxFileBytes, signal: context.signal, source: this.name, uri, onAbort });
    return { contents: [resourceContents(uri, bytes, mimeTypeOf(resolved.relative))] };
  }

  async subscribe(uri: string, context: ResourceRequestContext): Promise<boolean> {
    if (!/^file:/i.test(uri)) return false;
    const guard = await this.#root();
    if (!guard.claim(uri)) return false;
    const relative = await this.#listen(uri, `mcp:${uri}`, () => this.#context.notifyUpdated(uri), context.signal);
    this.#subscriptions.set(uri, relative);
    return true;
  }

  async unsubscribe(uri: string): Promise<void> {
    const relative = this.#subscriptions.get(uri);
    if (relative === undefined) return;
    this.#subscriptions.delete(uri);
    this.#unlisten(relative, `mcp:${uri}`);
  }

  async track(uri: string, listener: (uri: string) => void, signal: AbortSignal): Promise<Untrack> {
    const key = `tracker:${++this.#trackerIds}`;
    const relative = await this.#listen(uri, key, () => listener(uri), signal);
    return async () => this.#unlisten(relative, key);
  }

  async search(query: string, limit: number, signal: AbortSignal): Promise<Resource[]> {
    const index = await this.#tree(signal, false);
    const guard = this.#guard;
    if (!guard) return [];
    const needle = query.toLowerCase();
    const found: Resource[] = [];
    for (const entry of index.sorted()) {
      if (found.length >= limit) break;
      if (entry.relative.toLowerCase().includes(needle)) found.push(this.#resourceOf(entry, guard));
    }
    return found;
  }

  async resolve(id: string, signal: AbortSignal): Promise<Resource | undefined> {
    const guard = await this.#root();
    const uri = /^file:/i.test(id) ? id : `${guard.uriPrefix}${id.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/')}`;
    const claimed = guard.claim(uri);
    if (!claimed) return undefined;
    try {
      const resolved = await raceAbort(guard.resolve(claimed, uri), signal, () => this.#aborted(uri));
      const stats = await stat(resolved.realPath);
      if (!stats.isFile()) return undefined;
      return this.#resourceOf({ relative: resolved.relative, size: stats.size }, guard);
    } catch (error) {
      if ((error as { data?: { reason?: string } }).data?.reason === 'not-found') return undefined;
      throw error;
    }
  }

  async close(signal: AbortSignal): Promise<void> {
    this.#isClosed = true;
    const watcher = this.#watcher;
    this.#watcher = undefined;
    // A scan or batch still running was aborted with the host's signal; let its file-system calls in
    // flight come back, so the tap leaves none behind (each takes microseconds; the bound is the tap's).
    await boundedWait(Promise.allSettled([this.#scanning, watcher?.idle()]), Infinity, signal);
    watcher?.close();
    this.#index = undefined;
    this.#listeners.clear();
    this.#subscriptions.clear();
    if (watcher) await boundedWait(nextLoopTurn(), Infinity, signal);
  }

  #resourceOf(entry: FileEntry, guard: PathGuard): Resource {
    const mimeType = mimeTypeOf(entry.relative);
    entry.uri ??= guard.uriOf(entry.relative);
    return { uri: entry.uri, name: entry.relative, ...(mimeType ? { mimeType } : {}), size: entry.size };
  }

  #aborted(uri: string): McpError {
    if (this.#context.signal.aborted) return refusal('shutting-down', `${uri}: aborted, the host is shutting down`, { source: this.name, uri });
    return new McpError(ErrorCode.InternalError, `${uri}: the request was cancelled`, { source: this.name, uri });
  }

  /** The guard over the real root; while the root does not exist, one over the configured path (not kept). */
  async #root(): Promise<PathGuard> {
    if (this.#guard) return this.#guard;
    try {
      const real = await realpath(this.#lexicalRoot);
      if (!(await stat(real)).isDirectory()) throw Object.assign(new Error(`${real} is not a directory`), { code: 'ENOTDIR' });
      if (this.#guard) return this.#guard;
      const conflict = this.#context.rootConflict(this.name, real);
      if (conflict !== undefined) {
        this.rootConflict = conflict;
        throw Object.assign(new Error(conflict), { code: 'EOVERLAP' });
      }
      this.#guard = new PathGuard(this.name, real, this.#lexicalRoot, this.#filter);
      if (this.#options.watch && !this.#isClosed) {
        this.#watcher = new SourceWatcher({
          root: real,
          maxDirectories: this.#options.maxWatchedDirectories,
          debounceMs: this.#options.debounceMs,
          logger: this.#context.logger,
          onBatch: (batch) => this.#applyBatch(batch),
        });
      }
      return this.#guard;
    } catch (error) {
      if (!this.#hasWarnedMissingRoot) {
        this.#hasWarnedMissingRoot = true;
        if ((error as NodeJS.ErrnoException).code === 'EOVERLAP') this.#context.logger.warning('source "%s": %s; serving nothing from it', this.name, (error as Error).message);
        else this.#context.logger.warning('source "%s": root %s is not a readable directory (%s); serving nothing from it until it is', this.name, this.#lexicalRoot, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
      }
      return this.#lexicalGuard;
    }
  }

  /** The index, scanned once and shared; rescanned at the start of a listing if it cannot be kept current. */
  async #tree(signal: AbortSignal, mayBeStale: boolean): Promise<TreeIndex> {
    const index = this.#index;
    if (index && (mayBeStale || index.isFullyWatched || Date.now() - index.createdAt < UNWATCHED_RESCAN_MS)) return index;
    if (!this.#scanning) {
      const scanning = this.#scan();
      this.#scanning = scanning;
      scanning.then(
        () => this.#scanning === scanning && (this.#scanning = undefined),
        () => this.#scanning === scanning && (this.#scanning = undefined),
      );
    }
    return raceAbort(this.#scanning, signal, () => this.#aborted(this.#guard?.uriTemplate ?? this.#lexicalRoot));
  }

  async #scan(): Promise<TreeIndex> {
    const guard = await this.#root();
    const index = new TreeIndex(this.#options.maxFiles);
    if (!this.#guard) {
      index.isFullyWatched = false;
      return (this.#index = index);
    }
    const watcher = this.#watcher;
    const startedAt = Date.now();
    await scanTree(index, '', {
      root: guard.realRoot,
      filter: this.#filter,
      maxFiles: this.#options.maxFiles,
      signal: this.#context.signal,
      ...(watcher ? { onDirectory: (directory: string) => watcher.acquire(directory, 'tree') } : {}),
    });
    if (!watcher) index.isFullyWatched = false;
    if (this.#isClosed) throw this.#aborted(guard.uriTemplate);
    this.#releaseStaleTreeWatches(index);
    if (index.isTruncated) {
      this.#context.logger.warning('source "%s": stopped scanning at maxFiles (%d); the listing of %s is incomplete', this.name, this.#options.maxFiles, guard.realRoot);
    }
    this.#context.logger.debug('source "%s": scanned %d files in %d directories in %d ms', this.name, index.files.size, index.directories.size, Date.now() - startedAt);
    this.#index = index;
    return index;
  }

  /** After a rescan: directories the new index does not hold no longer need the tree's watch. */
  #releaseStaleTreeWatches(index: TreeIndex): void {
    this.#watcher?.retainTree((directory) => index.directories.has(directory));
  }

  /** Register a listener for the file at `uri`; returns its real relative path. */
  async #listen(uri: string, key: string, notify: () => void, signal: AbortSignal): Promise<string> {
    const guard = await this.#root();
    const claimed = guard.claim(uri);
    if (!claimed) throw refusal('outside-root', `${uri} is not inside the root of source "${this.name}"`, { source: this.name, uri });
    if (!this.#watcher) {
      throw refusal('not-watchable', `${uri}: source "${this.name}" does not watch files (watch: false); set watch: true to subscribe`, { source: this.name, uri });
    }
    const resolved = await raceAbort(guard.resolve(claimed, uri), signal, () => this.#aborted(uri));
    const stats = await lstat(resolved.realPath).catch(() => undefined);
    if (!stats?.isFile()) throw refusal('not-a-file', `${uri} is not a regular file; subscribe to files`, { source: this.name, uri });
    const listeners = this.#listeners.get(resolved.relative) ?? new Map<string, Listener>();
    if (!listeners.has(key)) {
      const directory = path.posix.dirname(resolved.relative);
      const watched = directory === '.' ? '' : directory;
      if (!this.#watcher.acquire(watched, 'subscription')) {
        throw refusal('not-watchable', `${uri}: source "${this.name}" watches ${this.#options.maxWatchedDirectories} directories already (maxWatchedDirectories)`, { source: this.name, uri });
      }
      listeners.set(key, { directory: watched, notify });
      this.#listeners.set(resolved.relative, listeners);
    }
    return resolved.relative;
  }

  #unlisten(relative: string, key: string): void {
    const listeners = this.#listeners.get(relative);
    const listener = listeners?.get(key);
    if (!listeners || !listener) return;
    listeners.delete(key);
    if (listeners.size === 0) this.#listeners.delete(relative);
    this.#watcher?.release(listener.directory, 'subscription');
  }

  /** Bring the index up to date with one batch of watch events, then notify. */
  async #applyBatch(batch: WatchBatch): Promise<void> {
    if (this.#scanning) await this.#scanning.catch(() => {});
    const guard = this.#guard;
    if (!guard || this.#isClosed || this.#context.signal.aborted) return;
    const index = this.#index;
    const touched = new Set<string>();
    let isListChanged = false;
    const scanOptions = {
      root: guard.realRoot,
      filter: this.#filter,
      maxFiles: this.#options.maxFiles,
      signal: this.#context.signal,
      onDirectory: (directory: string) => this.#watcher?.acquire(directory, 'tree') ?? false,
    };
    try {
      const rescanned = [...batch.rescan];
      if (index) {
        for (const directory of rescanned) {
          const removed = index.deleteUnder(directory);
          const added = await scanTree(index, directory, scanOptions);
          const before = new Set(removed);
          if (removed.length !== added.length || added.some((relative) => !before.has(relative))) isListChanged = true;
          for (const relative of [...removed, ...added]) touched.add(relative);
        }
        if (rescanned.length > 0) this.#releaseStaleTreeWatches(index);
      }
      const isInRescanned = (relative: string) => rescanned.some((directory) => directory === '' || relative === directory || relative.startsWith(`${directory}/`));
      // Parents first, so a new directory is scanned before entries inside it are looked at.
      for (const relative of [...batch.paths].sort((a, b) => a.length - b.length)) {
        if (this.#context.signal.aborted) return;
        touched.add(relative);
        if (!index || isInRescanned(relative)) continue;
        const parent = path.posix.dirname(relative);
        const isParentScanned = index.directories.has(parent === '.' ? '' : parent);
        const stats = await lstat(path.join(guard.realRoot, relative)).catch(() => undefined);
        if (!stats?.isDirectory() && index.directories.has(relative)) {
          // A directory went away (or became a file): everything below it goes too.
          this.#watcher?.releaseTreeUnder(relative);
          for (const removed of index.deleteUnder(relative)) {
            touched.add(removed);
            isListChanged = true;
          }
        }
        if (stats?.isFile()) {
          if (isParentScanned && isAddressable(relative) && this.#filter.isSelected(relative) && index.add({ relative, size: stats.size })) isListChanged = true;
        } else {
          if (index.delete(relative)) isListChanged = true;
          if (stats?.isDirectory() && isParentScanned && !index.directories.has(relative) && isAddressable(relative) && this.#filter.shouldDescend(relative)) {
            const added = await scanTree(index, relative, scanOptions);
            for (const file of added) touched.add(file);
            if (added.length > 0) isListChanged = true;
          }
        }
      }
    } catch (error) {
      if (this.#context.signal.aborted) return;
      throw error;
    }
    if (this.#isClosed || this.#context.signal.aborted) return;
    if (isListChanged) this.#context.notifyListChanged();
    for (const relative of touched) for (const listener of this.#listeners.get(relative)?.values() ?? []) listener.notify();
  }
}

function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw new McpError(ErrorCode.InvalidParams, 'Invalid cursor: pass back the nextCursor of a previous resources/list reply unchanged.');
}
