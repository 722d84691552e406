import { watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '@mcp-host/core';

/** What changed in a tree since the last batch, relative to the root ('/'-separated; '' is the root). */
export interface WatchBatch {
  /** Entries (files or directories) that were added, removed or modified: re-examine each. */
  readonly paths: ReadonlySet<string>;
  /** Directories whose events did not say which entry changed, or whose watch failed: rescan them. */
  readonly rescan: ReadonlySet<string>;
}

/** Who holds a directory's watch: the tree index (once per directory) and any number of subscriptions. */
export type WatchHolder = 'tree' | 'subscription';

interface WatchedDirectory {
  watcher: FSWatcher;
  tree: boolean;
  subscriptions: number;
}

export interface SourceWatcherOptions {
  /** The real root; directories are given relative to it. */
  root: string;
  /** Most directories watched at once (one inotify watch each). */
  maxDirectories: number;
  debounceMs: number;
  logger: Logger;
  /** Called with each debounced batch, one batch at a time. */
  onBatch(batch: WatchBatch): Promise<void>;
}

/** Past this many pending paths a batch becomes "rescan the root": memory stays bounded in a storm of changes. */
const MAX_PENDING_PATHS = 10_000;

/**
 * Watches directories of one source, each with its own non-recursive `fs.watch` (recursive watching is not
 * available on Linux in Node 20, and one watcher per file would not scale): a directory's watch reports its
 * entries being added, removed or changed. Watches are counted against a budget and shared between the
 * tree index and subscriptions; events are debounced into batches handed over one at a time.
 */
export class SourceWatcher {
  readonly #options: SourceWatcherOptions;
  readonly #directories = new Map<string, WatchedDirectory>();
  #paths = new Set<string>();
  #rescan = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #processing: Promise<void> = Promise.resolve();
  #isClosed = false;
  #hasWarnedBudget = false;

  constructor(options: SourceWatcherOptions) {
    this.#options = options;
  }

  /** Directories watched now. */
  get size(): number {
    return this.#directories.size;
  }

  isWatched(directory: string): boolean {
    return this.#directories.has(directory);
  }

  /**
   * Hold a watch on `directory` (relative; '' is the root). False when the budget is spent or the platform
   * refused (the caller then knows changes there go unnoticed). The watch is active when this returns.
   */
  acquire(directory: string, holder: WatchHolder): boolean {
    if (this.#isClosed) return false;
    let entry = this.#directories.get(directory);
    if (!entry) {
      if (this.#directories.size >= this.#options.maxDirectories) {
        if (!this.#hasWarnedBudget) {
          this.#hasWarnedBudget = true;
          this.#options.logger.warning('watching %d directories already (maxWatchedDirectories); changes in further directories of %s are noticed only by a rescan', this.#options.maxDirectories, this.#options.root);
        }
        return false;
      }
      let watcher: FSWatcher;
      try {
        watcher = watch(path.join(this.#options.root, directory), { persistent: true }, (_event, filename) => this.#onEvent(directory, filename));
      } catch (error) {
        // A directory that vanished since it was seen is no news; anything else (ENOSPC: inotify watches
        // exhausted, EACCES) is worth a warning.
        const log = (error as NodeJS.ErrnoException).code === 'ENOENT' ? this.#options.logger.debug : this.#options.logger.warning;
        log('cannot watch %s: %s', path.join(this.#options.root, directory), (error as Error).message);
        return false;
      }
      watcher.on('error', () => {
        // The directory went away or became unreadable: drop the watch and let the batch re-examine it.
        this.#drop(directory);
        this.#queuePath(directory);
      });
      entry = { watcher, tree: false, subscriptions: 0 };
      this.#directories.set(directory, entry);
    }
    if (holder === 'tree') entry.tree = true;
    else entry.subscriptions++;
    return true;
  }

  release(directory: string, holder: WatchHolder): void {
    const entry = this.#directories.get(directory);
    if (!entry) return;
    if (holder === 'tree') entry.tree = false;
    else entry.subscriptions = Math.max(0, entry.subscriptions - 1);
    if (!entry.tree && entry.subscriptions === 0) this.#drop(directory);
  }

  /** Release the tree's hold on `directory` and every directory below it (it was removed or replaced). */
  releaseTreeUnder(directory: string): void {
    const prefix = directory === '' ? '' : `${directory}/`;
    for (const name of [...this.#directories.keys()]) if (name === directory || name.startsWith(prefix)) this.release(name, 'tree');
  }

  /** Release the tree's hold on every directory `isKept` rejects (after a rescan: it is gone). */
  retainTree(isKept: (directory: string) => boolean): void {
    for (const [name, entry] of [...this.#directories]) if (entry.tree && !isKept(name)) this.release(name, 'tree');
  }

  /** Stop every watch and timer; pending changes are dropped. Idempotent. */
  close(): void {
    this.#isClosed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const entry of this.#directories.values()) entry.watcher.close();
    this.#directories.clear();
    this.#paths.clear();
    this.#rescan.clear();
  }

  /** Resolves when every batch handed over so far was processed (tests and shutdown wait on it). */
  idle(): Promise<void> {
    return this.#processing;
  }

  #drop(directory: string): void {
    const entry = this.#directories.get(directory);
    if (!entry) return;
    entry.watcher.close();
    this.#directories.delete(directory);
  }

  #onEvent(directory: string, filename: string | Buffer | null): void {
    if (this.#isClosed) return;
    if (filename === null || filename === '') this.#queueRescan(directory);
    else this.#queuePath(directory === '' ? String(filename) : `${directory}/${String(filename)}`);
  }

  #queuePath(relative: string): void {
    if (this.#paths.size >= MAX_PENDING_PATHS) this.#queueRescan('');
    else this.#paths.add(relative);
    this.#schedule();
  }

  #queueRescan(directory: string): void {
    if (this.#rescan.has('')) return;
    if (directory === '') {
      this.#paths.clear();
      this.#rescan.clear();
    }
    this.#rescan.add(directory);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#isClosed || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const batch: WatchBatch = { paths: this.#paths, rescan: this.#rescan };
      this.#paths = new Set();
      this.#rescan = new Set();
      this.#processing = this.#processing
        .then(() => (this.#isClosed ? undefined : this.#options.onBatch(batch)))
        .catch((error: unknown) => this.#options.logger.warning('applying changes under %s: %s', this.#options.root, (error as Error).message));
    }, this.#options.debounceMs);
  }
}
