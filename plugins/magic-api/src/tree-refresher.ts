import type { Logger } from '@mcp-host/core';
import type { MagicClient } from './magic-client.js';
import { MagicError, isMagicError } from './magic-error.js';
import { ScriptTree } from './script-tree.js';

/** What one refresh produced. */
export interface TreeChange {
  /** The tree before (undefined on the first fetch). */
  previous: ScriptTree | undefined;
  tree: ScriptTree;
  /** Files added, removed, or whose metadata in the tree (name, path, method, lock, update time, group) changed. */
  changed: boolean;
}

export type TreeListener = (change: TreeChange) => void | Promise<void>;

export interface TreeRefresherOptions {
  client: MagicClient;
  logger: Logger;
  /** Between two scheduled fetches; 0: none (only `refresh()` calls). */
  intervalMs: number;
}

/** What identifies a file's state in the tree: any difference is a change. */
function stamp(file: ScriptTree['files'][number]): string {
  return `${file.uri}\u0000${file.name}\u0000${file.groupId}\u0000${file.path}\u0000${file.method}\u0000${file.locked}\u0000${file.updateTime}\u0000${file.key}\u0000${file.updateBy}`;
}

/** True if the two trees differ in any file (added, removed, or changed as `stamp` sees it). */
export function treesDiffer(previous: ScriptTree | undefined, next: ScriptTree): boolean {
  if (!previous || previous.size !== next.size) return true;
  for (let index = 0; index < next.files.length; index++) {
    if (stamp(previous.files[index]!) !== stamp(next.files[index]!)) return true;
  }
  return false;
}

function raceSignal<T>(running: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return running;
  if (signal.aborted) return Promise.reject(new MagicError('MAGIC_ABORTED', 'waiting for the script tree was cancelled', { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new MagicError('MAGIC_ABORTED', 'waiting for the script tree was cancelled', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    running.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The current script tree and how it is kept fresh: fetched (`POST {web}/resource`) at start, every `intervalMs`,
 * and at once on `refresh()` (the tools call it after an edit). Fetches never overlap: a `refresh()` while one runs
 * is answered by one more fetch right after it, shared by every caller that asked meanwhile — so a caller always
 * gets a tree fetched after it asked. The last good tree stays while the server is unreachable; a failure is warned
 * about once per outage.
 */
export class TreeRefresher {
  readonly #options: TreeRefresherOptions;
  readonly #listeners = new Set<TreeListener>();
  #tree: ScriptTree | undefined;
  #revision = 0;
  #running: Promise<TreeChange> | undefined;
  #queued: Promise<TreeChange> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #isStopped = false;
  #isFailing = false;
  /** `magic-api.prefix`, once `config.json` told it (`null`: the server has none). */
  #prefix: string | null | undefined;

  constructor(options: TreeRefresherOptions) {
    this.#options = options;
  }

  /** The last tree fetched, or `undefined` before the first fetch succeeded. */
  get current(): ScriptTree | undefined {
    return this.#tree;
  }

  /** Bumped each time a fetched tree differs from the one before. */
  get revision(): number {
    return this.#revision;
  }

  /** True while the last fetch failed. */
  get isFailing(): boolean {
    return this.#isFailing;
  }

  /** Call `listener` after every fetch (changed or not), in order; returns the unsubscribe function. */
  onRefresh(listener: TreeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The first fetch, and the schedule. */
  start(): void {
    if (this.#isStopped) return;
    void this.refresh().catch(() => {});
    this.#schedule();
  }

  /** No more scheduled fetches; `refresh()` rejects from now on. Idempotent. */
  stop(): void {
    this.#isStopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Fetch the tree now (or right after the fetch in progress) and resolve with what changed. `signal` stops the
   * waiting, not the fetch other callers may share.
   */
  refresh(signal?: AbortSignal): Promise<TreeChange> {
    if (this.#isStopped) return Promise.reject(new MagicError('MAGIC_CLOSED', 'the script tree is not refreshed any more: the host is shutting down'));
    if (!this.#running) {
      this.#running = this.#fetch().finally(() => (this.#running = undefined));
      return raceSignal(this.#running, signal);
    }
    this.#queued ??= this.#running
      .catch(() => {})
      .then(() => {
        this.#queued = undefined;
        return this.refresh();
      });
    return raceSignal(this.#queued, signal);
  }

  /** The current tree, or the first one fetched now if there is none yet. */
  async ensure(signal?: AbortSignal): Promise<ScriptTree> {
    if (this.#tree) return this.#tree;
    return (await this.refresh(signal)).tree;
  }

  async #fetch(): Promise<TreeChange> {
    const { client, logger } = this.#options;
    try {
      // The prefix once (config.json needs no login), alongside the tree: a failure there is the tree's to report.
      const prefix = this.#prefix === undefined ? this.#readPrefix() : Promise.resolve(this.#prefix);
      prefix.catch(() => {});
      const raw = await client.tree();
      this.#prefix = await prefix;
      const tree = new ScriptTree(raw ?? {}, { prefix: this.#prefix ?? undefined });
      if (tree.skipped.length > 0 && (!this.#tree || this.#tree.skipped.length !== tree.skipped.length)) {
        logger.warning('the script tree had %d node(s) that could not be indexed, e.g. %s', tree.skipped.length, tree.skipped[0]);
      }
      const previous = this.#tree;
      const changed = treesDiffer(previous, tree);
      this.#tree = tree;
      if (changed) this.#revision++;
      if (this.#isFailing) logger.info('the script tree can be fetched again: %d file(s)', tree.size);
      else if (!previous) logger.info('script tree: %d file(s) from %s', tree.size, client.webUrl);
      this.#isFailing = false;
      const change: TreeChange = { previous, tree, changed };
      for (const listener of this.#listeners) {
        try {
          await listener(change);
        } catch (error) {
          logger.warning('a script tree listener failed: %s', (error as Error).message);
        }
      }
      return change;
    } catch (error) {
      if (!this.#isStopped && !(isMagicError(error) && (error.code === 'MAGIC_ABORTED' || error.code === 'MAGIC_CLOSED'))) {
        const kept = this.#tree ? `; keeping the last one (${this.#tree.size} files)` : '';
        if (this.#isFailing) logger.debug('the script tree still cannot be fetched: %s', (error as Error).message);
        else logger.warning('the script tree cannot be fetched: %s%s', (error as Error).message, kept);
        this.#isFailing = true;
      }
      if (error instanceof TypeError) throw new MagicError('MAGIC_NOT_ENVELOPE', `POST ${client.web}/resource: ${error.message}`, { cause: error });
      throw error;
    }
  }

  /**
   * `magic-api.prefix` from `config.json`: `null` for none, or when the server does not say (then it is not asked
   * again); `undefined` when it could not be reached (asked again next time, the paths meanwhile without a prefix).
   */
  async #readPrefix(): Promise<string | null | undefined> {
    try {
      return (await this.#options.client.serverConfig()).prefix ?? null;
    } catch (error) {
      if (isMagicError(error) && ['MAGIC_UNREACHABLE', 'MAGIC_TIMEOUT', 'MAGIC_ABORTED', 'MAGIC_CLOSED'].includes(error.code)) return undefined;
      this.#options.logger.debug('config.json: %s; API paths are shown without a prefix', (error as Error).message);
      return null;
    }
  }

  #schedule(): void {
    const { intervalMs } = this.#options;
    if (intervalMs <= 0 || this.#isStopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.refresh()
        .catch(() => {})
        .finally(() => this.#schedule());
    }, intervalMs);
  }
}
