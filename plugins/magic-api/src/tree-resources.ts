import { createHash } from 'node:crypto';
import { ErrorCode, McpError, RESOURCE_NOT_FOUND_CODE, SHUTTING_DOWN_CODE, type Logger, type ReadResourceResult, type Resource, type ResourcePage, type ResourceRequestContext, type ResourceTemplateDescriptor } from '@mcp-host/core';
import type { ContributedSource, ContributedSourceHandle } from '@mcp-host/plugin-resource-manager';
import type { MagicClient } from './magic-client.js';
import { isMagicError, type MagicErrorCode } from './magic-error.js';
import { URI_PREFIX, canonicalUri } from './resource-uri.js';
import type { ScriptFile, ScriptTree } from './script-tree.js';
import type { TreeChange, TreeRefresher } from './tree-refresher.js';

/** The source's name among resource-manager's sources (`resources_search { source }`). */
export const SOURCE_NAME = 'magic-api';
/** Scripts (api, function, task): Magic-Script source text. */
export const SCRIPT_MIME_TYPE = 'text/x-magic-script';
export const JSON_MIME_TYPE = 'application/json';
/** Fetches of watched files at once after a refresh. */
const CHECK_CONCURRENCY = 4;
/** A read of a URI that is not in the tree fetches the tree again at most this often (a file may have just been created). */
const MISS_REFRESH_INTERVAL_MS = 2000;
/** Data source fields that are secrets: shown as this. */
const REDACTED = '<redacted>';
const SECRET_FIELDS = new Set(['password']);

/** How each type shows: what a file of it is, for names, descriptions and templates. */
const KINDS: Record<string, { label: string; template: string; example: string }> = {
  api: { label: 'API', template: 'Magic-API API script', example: 'magic-api://api/用户管理/用户列表' },
  function: { label: 'function', template: 'Magic-API function script', example: 'magic-api://function/工具函数/格式化金额' },
  task: { label: 'task', template: 'Magic-API scheduled task script', example: 'magic-api://task/报表/日报' },
  datasource: { label: 'data source', template: 'Magic-API data source configuration', example: 'magic-api://datasource/从库' },
};

function kindOf(type: string): string {
  return KINDS[type]?.label ?? type;
}

/** The name a person recognises: the file's name, and for an API its method and request path. */
export function resourceName(file: ScriptFile): string {
  if (file.type === 'api') return `${file.name} (${file.method ?? '?'} ${file.requestPath ?? ''})`;
  if (file.type === 'datasource') return `${file.name} (data source${file.key ? ` "${file.key}"` : ''})`;
  return `${file.name} (${kindOf(file.type)}${file.requestPath ? ` ${file.requestPath}` : ''})`;
}

export function resourceDescription(file: ScriptFile): string {
  const parts = [file.type === 'datasource' ? 'Magic-API data source configuration' : `Magic-API ${kindOf(file.type)} script`];
  if (file.groupNames) parts.push(`group ${file.groupNames}`);
  if (file.locked) parts.push('locked');
  if (file.updateBy) parts.push(`last saved by ${file.updateBy}`);
  return parts.join(' · ');
}

export function toResource(file: ScriptFile): Resource {
  return {
    uri: file.uri,
    name: resourceName(file),
    description: resourceDescription(file),
    mimeType: file.type === 'datasource' ? JSON_MIME_TYPE : SCRIPT_MIME_TYPE,
    ...(file.updateTime !== null ? { annotations: { lastModified: new Date(file.updateTime).toISOString() } } : {}),
  };
}

function iso(value: unknown): string | null {
  return typeof value === 'number' && Number.isFinite(value) ? new Date(value).toISOString() : null;
}

/** A data source's configuration as a resource shows it: its secrets redacted. */
function redacted(entity: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entity)) copy[key] = SECRET_FIELDS.has(key) && value !== null && value !== '' ? REDACTED : value;
  return copy;
}

/**
 * The metadata item of a read: what the tree knows (type, group, request path, URI) and the entity's own fields but
 * the script (and a data source's secrets).
 */
export function fileMetadata(file: ScriptFile, entity: Record<string, unknown>): Record<string, unknown> {
  const { script: _script, ...fields } = file.type === 'datasource' ? redacted(entity) : entity;
  return {
    uri: file.uri,
    type: file.type,
    id: file.id,
    name: typeof entity.name === 'string' ? entity.name : file.name,
    group: file.groupNames,
    groupId: file.groupId,
    method: file.method,
    path: typeof entity.path === 'string' ? entity.path : file.path,
    requestPath: file.requestPath,
    locked: entity.lock === '1',
    createTime: iso(entity.createTime),
    createBy: entity.createBy ?? null,
    updateTime: iso(entity.updateTime),
    updateBy: entity.updateBy ?? null,
    entity: fields,
  };
}

/** The refusal a client gets: an MCP error with `data.reason` as resource-manager's own refusals carry it. */
function refusal(code: number, reason: string, message: string, data: Record<string, unknown> = {}): McpError {
  return new McpError(code, message, { reason, source: SOURCE_NAME, ...data });
}

const REASONS: Record<MagicErrorCode, string> = {
  MAGIC_REFUSED: 'backend-status',
  MAGIC_LOGIN_REFUSED: 'backend-status',
  MAGIC_NOT_ENVELOPE: 'backend-invalid',
  MAGIC_TOO_LARGE: 'backend-invalid',
  MAGIC_TIMEOUT: 'backend-timeout',
  MAGIC_UNREACHABLE: 'backend-unreachable',
  MAGIC_ABORTED: 'shutting-down',
  MAGIC_CLOSED: 'shutting-down',
  MAGIC_INVALID_REQUEST: 'invalid-uri',
};

/** A client error as a refusal naming the Magic-API code and, for envelope errors, the server's code and message. */
function asRefusal(error: unknown, uri: string, signal: AbortSignal): unknown {
  if (!isMagicError(error)) return error;
  const data = { uri, magicCode: error.code, ...(error.serverCode !== undefined ? { serverCode: error.serverCode, serverMessage: error.serverMessage } : {}) };
  if (error.code === 'MAGIC_ABORTED' && !signal.aborted) return refusal(ErrorCode.InternalError, 'source-failed', `${uri}: ${error.message}`, data);
  const code = REASONS[error.code] === 'shutting-down' ? SHUTTING_DOWN_CODE : error.code === 'MAGIC_INVALID_REQUEST' ? ErrorCode.InvalidParams : ErrorCode.InternalError;
  return refusal(code, REASONS[error.code], `${uri}: ${error.message}`, data);
}

function contentHash(entity: Record<string, unknown> | null): string {
  return createHash('sha256').update(entity === null ? '' : JSON.stringify(entity)).digest('base64url');
}

interface Watch {
  /** The file's id when last seen (a rename keeps the id, not the URI). */
  id: string | undefined;
  /** The tree stamp last checked, and the content hash then. */
  stamp: string | undefined;
  hash: string | undefined;
  isGone: boolean;
  listeners: Set<() => void>;
}

function watchStamp(file: ScriptFile): string {
  return `${file.updateTime}\u0000${file.locked}\u0000${file.name}\u0000${file.path}\u0000${file.method}\u0000${file.groupId}`;
}

/** A keyset cursor: the URI the previous page ended with, so pages stay consistent while files come and go. */
function encodeCursor(uri: string): string {
  return Buffer.from(uri, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const uri = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!uri.startsWith(URI_PREFIX) || encodeCursor(uri) !== cursor) throw new McpError(ErrorCode.InvalidParams, `resources/list: cursor ${JSON.stringify(cursor.slice(0, 80))} is not one this server gave; list again from the start`, { reason: 'invalid-cursor', source: SOURCE_NAME });
  return uri;
}

/** Index of the first file whose URI sorts after `uri`. */
function firstAfter(files: readonly ScriptFile[], uri: string): number {
  let low = 0;
  let high = files.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (files[middle]!.uri <= uri) low = middle + 1;
    else high = middle;
  }
  return low;
}

export interface TreeResourcesOptions {
  refresher: TreeRefresher;
  client: MagicClient;
  logger: Logger;
  pageSize: number;
}

/**
 * The script tree as MCP resources, contributed to resource-manager (`RESOURCE_MANAGER.contribute`): every file is
 * a `magic-api://` resource (resource-uri.ts), listed in URI order in pages of `pageSize`; a read fetches the file
 * (`GET {web}/resource/file/{id}`) and answers its script (a data source: its configuration, secrets redacted) and
 * its metadata as JSON; one template per type; `watch` for subscriptions. After each refresh of the tree it sends
 * `list_changed` when a URI came or went or a name or description changed, and `updated` to the watchers of a file
 * whose content changed (a file whose tree entry changed is fetched and compared) or that is gone.
 */
export class TreeResources implements ContributedSource {
  readonly name = SOURCE_NAME;
  readonly uriPrefix = URI_PREFIX;
  readonly #options: TreeResourcesOptions;
  readonly #watches = new Map<string, Watch>();
  #handle: ContributedSourceHandle | undefined;
  #lastMissRefresh = 0;
  #isClosed = false;
  readonly #unsubscribe: () => void;

  constructor(options: TreeResourcesOptions) {
    this.#options = options;
    this.#unsubscribe = options.refresher.onRefresh((change) => this.#onRefresh(change));
  }

  /** The handle `contribute()` returned: how `list_changed` goes out. */
  attach(handle: ContributedSourceHandle): void {
    this.#handle = handle;
  }

  /** URIs watched now (subscriptions and service `track()`s). */
  get watched(): number {
    return this.#watches.size;
  }

  async list(cursor: string | undefined, context: ResourceRequestContext): Promise<ResourcePage> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const tree = await this.#treeForListing(context.signal);
    if (!tree) return { resources: [] };
    const start = after === undefined ? 0 : firstAfter(tree.files, after);
    const page = tree.files.slice(start, start + this.#options.pageSize);
    const resources = page.map(toResource);
    const isLast = start + page.length >= tree.files.length;
    return { resources, ...(isLast || page.length === 0 ? {} : { nextCursor: encodeCursor(page[page.length - 1]!.uri) }) };
  }

  async read(uri: string, context: ResourceRequestContext): Promise<ReadResourceResult | undefined> {
    const file = await this.#find(uri, context.signal);
    if (!file) return undefined;
    let entity: Record<string, unknown> | null;
    try {
      entity = await this.#options.client.file(file.id, context.signal);
    } catch (error) {
      throw asRefusal(error, uri, context.signal);
    }
    if (entity === null || entity.id !== file.id) {
      // Gone since the tree was fetched: fetch it again, so the listing shows it.
      void this.#options.refresher.refresh().catch(() => {});
      return undefined;
    }
    const metadata = { uri, mimeType: JSON_MIME_TYPE, text: JSON.stringify(fileMetadata(file, entity), null, 2) };
    if (file.type === 'datasource') {
      const { script: _script, ...configuration } = redacted(entity);
      return { contents: [{ uri, mimeType: JSON_MIME_TYPE, text: JSON.stringify(configuration, null, 2) }, metadata] };
    }
    return { contents: [{ uri, mimeType: SCRIPT_MIME_TYPE, text: typeof entity.script === 'string' ? entity.script : '' }, metadata] };
  }

  /**
   * The resource an id names: a `magic-api://` URI (any spelling), a file id, `METHOD /request/path` or a request path
   * (an API's, a function's or a task's).
   */
  async resolve(id: string, context: ResourceRequestContext): Promise<Resource | undefined> {
    const tree = await this.#ensure(id, context.signal);
    const trimmed = id.trim();
    const byMethod = /^([A-Za-z]+)\s+(\/\S*)$/.exec(trimmed);
    const file =
      tree.byUri(trimmed) ??
      tree.byId(trimmed) ??
      (byMethod ? tree.findApi(byMethod[1]!, byMethod[2]!) : undefined) ??
      (trimmed.startsWith('/') ? tree.files.find((candidate) => candidate.requestPath === trimmed) : undefined);
    return file && toResource(file);
  }

  async search(query: string, limit: number, context: ResourceRequestContext): Promise<Resource[]> {
    const tree = await this.#treeForListing(context.signal);
    if (!tree) return [];
    return tree.filter({ text: query }, limit).map(toResource);
  }

  templates(): ResourceTemplateDescriptor[] {
    return Object.entries(KINDS).map(([type, kind]) => ({
      name: `magic-api-${type}`,
      title: kind.template,
      uriTemplate: type === 'datasource' ? `${URI_PREFIX}datasource/{name}` : `${URI_PREFIX}${type}/{+groups}/{name}`,
      description: `${kind.template}: ${type === 'datasource' ? 'by its name' : 'by the names of its groups (top first, joined with "/") and its name'}, as the editor's tree shows them, e.g. ${kind.example}`,
      mimeType: type === 'datasource' ? JSON_MIME_TYPE : SCRIPT_MIME_TYPE,
    }));
  }

  async watch(uri: string, onChange: () => void, context: ResourceRequestContext): Promise<() => Promise<void>> {
    const file = await this.#find(uri, context.signal);
    if (!file) throw refusal(RESOURCE_NOT_FOUND_CODE, 'not-found', `${uri}: no such script in the Magic-API tree`, { uri });
    const key = file.uri;
    let watch = this.#watches.get(key);
    if (!watch) {
      watch = { id: file.id, stamp: undefined, hash: undefined, isGone: false, listeners: new Set() };
      this.#watches.set(key, watch);
      // The content now, to compare later ones with (a failure leaves it to the first change to tell).
      try {
        watch.hash = contentHash(await this.#options.client.file(file.id, context.signal));
        watch.stamp = watchStamp(file);
      } catch (error) {
        this.#options.logger.debug('%s: cannot read it to watch it: %s', uri, (error as Error).message);
      }
    }
    const listener = () => onChange();
    watch.listeners.add(listener);
    return async () => {
      watch.listeners.delete(listener);
      if (watch.listeners.size === 0 && this.#watches.get(key) === watch) this.#watches.delete(key);
    };
  }

  describe(): { location: string; resources?: number } {
    const size = this.#options.refresher.current?.size;
    return { location: this.#options.client.webUrl, ...(size !== undefined ? { resources: size } : {}) };
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    this.#watches.clear();
    this.#unsubscribe();
  }

  /** The tree for a listing, or `undefined` (logged) when none could be fetched: other sources still list. */
  async #treeForListing(signal: AbortSignal): Promise<ScriptTree | undefined> {
    try {
      return await this.#options.refresher.ensure(signal);
    } catch (error) {
      if (signal.aborted) throw error;
      this.#options.logger.warning('listing the script tree: %s', (error as Error).message);
      return undefined;
    }
  }

  async #ensure(uri: string, signal: AbortSignal): Promise<ScriptTree> {
    try {
      return await this.#options.refresher.ensure(signal);
    } catch (error) {
      throw asRefusal(error, uri, signal);
    }
  }

  /** The file of a URI; a URI not in the tree fetches the tree again first (at most every 2 s) in case it is new. */
  async #find(uri: string, signal: AbortSignal): Promise<ScriptFile | undefined> {
    if (canonicalUri(uri) === undefined) return undefined;
    const tree = await this.#ensure(uri, signal);
    const file = tree.byUri(uri);
    if (file || Date.now() - this.#lastMissRefresh < MISS_REFRESH_INTERVAL_MS) return file;
    this.#lastMissRefresh = Date.now();
    try {
      return (await this.#options.refresher.refresh(signal)).tree.byUri(uri);
    } catch (error) {
      throw asRefusal(error, uri, signal);
    }
  }

  async #onRefresh(change: TreeChange): Promise<void> {
    if (this.#isClosed) return;
    if (listingDiffers(change.previous, change.tree)) this.#handle?.listChanged();
    await this.#checkWatches(change.tree);
  }

  /** Tell the watchers of each file that is gone or whose content changed. */
  async #checkWatches(tree: ScriptTree): Promise<void> {
    const due: { watch: Watch; file: ScriptFile }[] = [];
    for (const [uri, watch] of this.#watches) {
      const file = tree.byUri(uri);
      if (!file || (watch.id !== undefined && file.id !== watch.id)) {
        if (!watch.isGone) {
          watch.isGone = true;
          notify(watch);
        }
        continue;
      }
      if (watch.isGone) {
        // Back (created again, or renamed back): announce it, and compare from now on.
        watch.isGone = false;
        watch.id = file.id;
        watch.stamp = undefined;
        notify(watch);
      }
      if (watch.stamp !== watchStamp(file)) due.push({ watch, file });
    }
    let next = 0;
    const worker = async () => {
      while (next < due.length && !this.#isClosed) {
        const { watch, file } = due[next++]!;
        try {
          const hash = contentHash(await this.#options.client.file(file.id));
          const before = watch.hash;
          watch.hash = hash;
          watch.stamp = watchStamp(file);
          // Without a first hash (the read at watch time failed) a change cannot be told from none: announce it.
          if (before !== hash) notify(watch);
        } catch (error) {
          this.#options.logger.debug('%s: cannot read it to compare: %s', file.uri, (error as Error).message);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, due.length) }, worker));
  }
}

function notify(watch: Watch): void {
  for (const listener of [...watch.listeners]) listener();
}

/** True when a URI came or went, or a listed name or description changed. */
export function listingDiffers(previous: ScriptTree | undefined, next: ScriptTree): boolean {
  if (!previous) return next.size > 0;
  if (previous.size !== next.size) return true;
  for (let index = 0; index < next.files.length; index++) {
    const a = previous.files[index]!;
    const b = next.files[index]!;
    if (a.uri !== b.uri || resourceName(a) !== resourceName(b) || resourceDescription(a) !== resourceDescription(b)) return true;
  }
  return false;
}
