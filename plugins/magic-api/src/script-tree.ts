// The script tree as Magic-API v2.2.2 sends it, and the index over it. Paths are under
// magic-api/src/main/java/org/ssssssss/magicapi/ in ssssssss-team/magic-api.
import { apiRequestPath, compilePathPattern, moreSpecific, scriptPath, type PathPattern } from './request-mapping.js';
import { URI_PREFIX, buildUri, canonicalUri, disambiguatedSegment, encodeSegment, groupSegment } from './resource-uri.js';

/**
 * `POST {web}/resource` → `data`: one tree per type (`MagicResourceController#resources`): each a `TreeNode` whose
 * root node is `Group("0", "root")`; under a group, its child groups then its files (`MagicEntity#simple()` copies:
 * no script), each `{ node, children }`. A type with no group at all is absent.
 */
export type RawTree = Record<string, RawTreeNode>;
export interface RawTreeNode {
  node?: Record<string, unknown> | null;
  children?: RawTreeNode[] | null;
}

/** The four types of a stock server (each a `MagicResourceStorage#folder()`); a server plugin may add more. */
export const KNOWN_TYPES = ['api', 'function', 'task', 'datasource'] as const;
export type KnownType = (typeof KNOWN_TYPES)[number];

/** The id of the tree's root node (`Constants.ROOT_ID`). */
const ROOT_ID = '0';
/** Characters a type may have to be served (it becomes the URI's first segment). */
const TYPE_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
/**
 * The longest URI indexed. Real ones are short; the bound keeps a hostile tree (a group name of megabytes above
 * thousands of files) from costing more memory than its own size. resource-manager refuses URIs over 16 KiB anyway.
 */
export const MAX_URI_LENGTH = 4096;

export interface ScriptGroup {
  readonly id: string;
  readonly type: string;
  readonly name: string | null;
  /** This group's own path (`Group#path`), as the server has it. */
  readonly path: string | null;
  readonly parentId: string;
  /** The group it is in (`undefined` at the top of its type's tree). */
  readonly parent: ScriptGroup | undefined;
  /** The names of the groups from the top of the type's tree down to this one (this one last). */
  readonly names: readonly string[];
  /** `names` joined with `/` (`DefaultMagicResourceService#getGroupName`). */
  readonly namesText: string;
  /** The non-blank paths of the group chain joined with `/` (`DefaultMagicResourceService#getGroupPath`). */
  readonly groupPath: string;
  /** True for a storage's root group without a name (`datasource:0`): it adds nothing to URIs and names. */
  readonly isStorageRoot: boolean;
  /** Its URI segments joined with `/` (empty for none). */
  readonly uriPath: string;
}

/**
 * A group of the index. Each one holds its chain as strings built from its parent's (which V8 keeps as ropes, not
 * copies) and computes `names` only when asked: a tree thousands of groups deep costs memory linear in its size.
 */
class TreeGroup implements ScriptGroup {
  readonly namesText: string;
  readonly groupPath: string;
  readonly uriPath: string;
  /** Characters of `uriPath`, kept so an over-long chain is refused without building it. */
  readonly uriLength: number;
  /** True when some group of the chain adds a name (a storage root adds none). */
  readonly hasNames: boolean;

  constructor(
    readonly id: string,
    readonly type: string,
    readonly name: string | null,
    readonly path: string | null,
    readonly parentId: string,
    readonly parent: TreeGroup | undefined,
    readonly isStorageRoot: boolean,
  ) {
    const segment = isStorageRoot ? '' : groupSegment(name, id);
    const up = parent?.uriPath ?? '';
    this.uriPath = segment === '' ? up : up === '' ? segment : `${up}/${segment}`;
    this.uriLength = (parent?.uriLength ?? 0) + (segment === '' ? 0 : segment.length + (up === '' ? 0 : 1));
    this.hasNames = !isStorageRoot || (parent?.hasNames ?? false);
    const upNames = parent?.namesText ?? '';
    this.namesText = isStorageRoot ? upNames : parent?.hasNames ? `${upNames}/${name ?? ''}` : (name ?? '');
    const upPath = parent?.groupPath ?? '';
    this.groupPath = path === null || path.trim() === '' ? upPath : upPath === '' ? path : `${upPath}/${path}`;
  }

  get names(): readonly string[] {
    const names: string[] = [];
    for (let group: TreeGroup | undefined = this; group; group = group.parent) if (!group.isStorageRoot) names.push(group.name ?? '');
    return names.reverse();
  }
}

export interface ScriptFile {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly groupId: string;
  readonly group: ScriptGroup | undefined;
  /** The group names from the top down, joined with `/` (`DefaultMagicResourceService#getGroupName`). */
  readonly groupNames: string;
  /** The file's own path (api, function, task). */
  readonly path: string | null;
  /** api: the HTTP method, upper case. */
  readonly method: string | null;
  /**
   * api: where it is served, `/` + prefix + group path + path (a pattern when it has `{variables}`); function,
   * task: group path + path; datasource: none.
   */
  readonly requestPath: string | null;
  /** datasource: its key (`DataSourceInfo#key`). */
  readonly key: string | null;
  /** `lock` is `"1"` (`Constants.LOCK`). */
  readonly locked: boolean;
  readonly createTime: number | null;
  readonly updateTime: number | null;
  readonly createBy: string | null;
  readonly updateBy: string | null;
  /** Its `magic-api://` URI (see resource-uri.ts). */
  readonly uri: string;
}

/** What `filter` matches; every field optional, all given ones must hold. Text comparisons are case-insensitive substrings. */
export interface TreeQuery {
  type?: string | undefined;
  /** A group id, or a part of the group names (`用户管理/角色`) or of the group path (`user/role`). */
  group?: string | undefined;
  method?: string | undefined;
  /** Part of the request path (`/user/`). */
  path?: string | undefined;
  /** Part of the file name. */
  name?: string | undefined;
  /** Part of any of: name, group names, request path, method + path, id, URI. */
  text?: string | undefined;
}

export interface TreeBuildOptions {
  /** `magic-api.prefix` from `config.json`: put before every API's path. */
  prefix?: string | undefined;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

/** The HTTP methods as shared strings: 5 000 APIs hold four strings, not 5 000. */
const METHODS = new Map(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'].map((method) => [method, method]));

function internMethod(value: string | null): string | null {
  if (value === null) return null;
  const upper = value.toUpperCase();
  return METHODS.get(upper) ?? upper;
}

/** `candidate` unless it equals `shared` (then the shared string: one copy instead of one per file). */
function sameOr(candidate: string | null, shared: string | undefined): string | null {
  return candidate === null ? (shared ?? null) : candidate === shared ? shared : candidate;
}

function time(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A code-unit comparison: the same order on every platform and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * An immutable index over one fetched tree: files in URI order (the listing order), by URI, id and request mapping;
 * groups by id. Built once per fetch; a refresh builds a new one.
 */
export class ScriptTree {
  /** Every file, in URI order. */
  readonly files: readonly ScriptFile[];
  readonly groups: ReadonlyMap<string, ScriptGroup>;
  /** When it was fetched (ms since the epoch). */
  readonly fetchedAt: number;
  /** `magic-api.prefix` the API paths were built with. */
  readonly prefix: string | undefined;
  /** What could not be indexed (nodes of an unexpected shape, types whose name cannot be a URI), for one warning. */
  readonly skipped: readonly string[];
  readonly #byUri = new Map<string, ScriptFile>();
  readonly #byId = new Map<string, ScriptFile>();
  /** method → path → the API at exactly that path. */
  readonly #apis = new Map<string, Map<string, ScriptFile>>();
  /** APIs whose path is a pattern, with it compiled. */
  readonly #patterns: { file: ScriptFile; pattern: PathPattern }[] = [];

  constructor(raw: unknown, options: TreeBuildOptions = {}, fetchedAt = Date.now()) {
    this.fetchedAt = fetchedAt;
    this.prefix = options.prefix;
    const groups = new Map<string, TreeGroup>();
    const skipped: string[] = [];
    // Each file is made by one object literal, its URI included (a clash rewrites it below): every file then shares
    // one hidden class — made with a spread, each got its own, which doubled what the index holds.
    const candidates: { file: { -readonly [K in keyof ScriptFile]: ScriptFile[K] }; uriPath: string }[] = [];
    if (!isRecord(raw)) throw new TypeError(`expected the tree as a map from type to tree, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
    for (const [type, root] of Object.entries(raw)) {
      if (!TYPE_PATTERN.test(type)) {
        skipped.push(`type ${JSON.stringify(type.slice(0, 40))} (not a name a URI can carry)`);
        continue;
      }
      if (!isRecord(root)) {
        skipped.push(`type ${type}: its tree is not an object`);
        continue;
      }
      // Depth-first with an explicit stack: a deep tree cannot overflow the call stack.
      const stack: { node: RawTreeNode; parent: TreeGroup | undefined }[] = [{ node: root as RawTreeNode, parent: undefined }];
      while (stack.length > 0) {
        const { node, parent } = stack.pop()!;
        const entity = node.node;
        const children = Array.isArray(node.children) ? node.children : [];
        if (!isRecord(entity)) {
          skipped.push(`a ${type} node without an entity`);
          continue;
        }
        const id = text(entity.id);
        if ('groupId' in entity) {
          // A file (`MagicEntity`: groupId); the application's own data source has no id and cannot be fetched.
          if (id === null || id === '') continue;
          const name = text(entity.name);
          if (name === null || name === '') {
            skipped.push(`${type} file ${id} without a name`);
            continue;
          }
          const group = parent;
          const fileSegment = encodeSegment(name);
          if (`${URI_PREFIX}${type}/`.length + (group?.uriLength ?? 0) + 1 + fileSegment.length > MAX_URI_LENGTH) {
            skipped.push(`${type} file ${id}: its URI would be longer than ${MAX_URI_LENGTH} characters`);
            continue;
          }
          const groupPath = group?.groupPath ?? '';
          const path = text(entity.path);
          const method = type === 'api' ? internMethod(text(entity.method)) : null;
          const requestPath = type === 'api' ? apiRequestPath(options.prefix, groupPath, path) : type === 'datasource' ? null : scriptPath(groupPath, path);
          const uriPath = group?.uriPath ?? '';
          const file = {
            id,
            type,
            name,
            // The group's own string when it is the same id: one copy per group, not per file.
            groupId: sameOr(text(entity.groupId), group?.id) ?? '',
            group,
            groupNames: group?.namesText ?? '',
            path,
            method,
            requestPath,
            key: type === 'datasource' ? text(entity.key) : null,
            locked: entity.lock === '1' || entity.lock === 1 || entity.lock === true,
            createTime: time(entity.createTime),
            updateTime: time(entity.updateTime),
            createBy: text(entity.createBy),
            updateBy: text(entity.updateBy),
            uri: buildUri(type, uriPath, fileSegment),
          };
          candidates.push({ file, uriPath });
          continue;
        }
        // A group (`Group`: parentId, type). The root ("0") adds nothing.
        let current = parent;
        if (id !== null && id !== ROOT_ID) {
          const name = text(entity.name);
          const isStorageRoot = (name === null || name === '') && id === `${type}:0`;
          current = new TreeGroup(id, type, name, text(entity.path), text(entity.parentId) ?? ROOT_ID, parent, isStorageRoot);
          if (!groups.has(id)) groups.set(id, current);
        } else if (id === null) {
          skipped.push(`a ${type} group without an id`);
          continue;
        }
        // Children pushed in reverse so they come off the stack in the server's order.
        for (let index = children.length - 1; index >= 0; index--) {
          const child = children[index];
          if (isRecord(child)) stack.push({ node: child as RawTreeNode, parent: current });
          else skipped.push(`a ${type} child that is not a node`);
        }
      }
    }

    // URIs: the first file created keeps a contested URI, the others get `~<id>` (resource-uri.ts).
    const byPlain = new Map<string, typeof candidates>();
    for (const candidate of candidates) {
      const same = byPlain.get(candidate.file.uri);
      if (same) same.push(candidate);
      else byPlain.set(candidate.file.uri, [candidate]);
    }
    const files: ScriptFile[] = [];
    for (const same of byPlain.values()) {
      if (same.length > 1) same.sort((a, b) => (a.file.createTime ?? Infinity) - (b.file.createTime ?? Infinity) || compare(a.file.id, b.file.id));
      same.forEach(({ file, uriPath }, index) => {
        if (index > 0) file.uri = buildUri(file.type, uriPath, disambiguatedSegment(file.name, file.id));
        files.push(file);
      });
    }
    files.sort((a, b) => compare(a.uri, b.uri));
    for (const file of files) {
      if (this.#byId.has(file.id)) {
        skipped.push(`${file.type} file ${file.id} listed twice`);
        continue;
      }
      this.#byUri.set(file.uri, file);
      this.#byId.set(file.id, file);
      if (file.type === 'api' && file.method !== null && file.requestPath !== null) {
        const pattern = compilePathPattern(file.requestPath);
        if (pattern.isLiteral) {
          let byPath = this.#apis.get(file.method);
          if (!byPath) this.#apis.set(file.method, (byPath = new Map()));
          byPath.set(file.requestPath, file);
        }
        else this.#patterns.push({ file, pattern });
      }
    }
    this.files = files.filter((file) => this.#byId.get(file.id) === file);
    this.groups = groups;
    this.skipped = skipped;
  }

  get size(): number {
    return this.files.length;
  }

  /** The file a URI names, in any of its spellings (see `canonicalUri`). */
  byUri(uri: string): ScriptFile | undefined {
    const canonical = canonicalUri(uri);
    return canonical === undefined ? undefined : this.#byUri.get(canonical);
  }

  byId(id: string): ScriptFile | undefined {
    return this.#byId.get(id);
  }

  group(id: string): ScriptGroup | undefined {
    return this.groups.get(id);
  }

  /** The groups of a type whose names from the top are `names` (`["用户管理", "角色"]`, or `"用户管理/角色"`). */
  groupByNames(type: string, names: string | readonly string[]): ScriptGroup | undefined {
    const wanted = typeof names === 'string' ? names.replace(/^\/+|\/+$/g, '') : names.join('/');
    for (const group of this.groups.values()) if (group.type === type && !group.isStorageRoot && group.namesText === wanted) return group;
    return undefined;
  }

  /**
   * The API a request `method` + `path` reaches, as the server's mapping would: an API registered at exactly that
   * path first, else the most specific pattern that matches (`/user/{id}` for `/user/7`). `path` is the request
   * path under the base URL (prefix included), without a query.
   */
  findApi(method: string, path: string): ScriptFile | undefined {
    const verb = method.toUpperCase();
    const normalised = `/${path}`.replace(/\/+/g, '/');
    const exact = this.#apis.get(verb)?.get(normalised);
    if (exact) return exact;
    let best: { file: ScriptFile; pattern: PathPattern } | undefined;
    for (const candidate of this.#patterns) {
      if (candidate.file.method !== verb || !candidate.pattern.matches(normalised)) continue;
      if (!best || moreSpecific(candidate.pattern, best.pattern) === candidate.pattern) best = candidate;
    }
    return best?.file;
  }

  /** Files matching every given field of `query`, in URI order; at most `limit`. */
  filter(query: TreeQuery, limit = Infinity): ScriptFile[] {
    const lower = (value: string | undefined) => (value === undefined || value === '' ? undefined : value.toLowerCase());
    const group = lower(query.group);
    const method = query.method?.toUpperCase();
    const path = lower(query.path);
    const name = lower(query.name);
    const needle = lower(query.text);
    const found: ScriptFile[] = [];
    for (const file of this.files) {
      if (found.length >= limit) break;
      if (query.type !== undefined && file.type !== query.type) continue;
      if (method !== undefined && method !== '' && file.method !== method) continue;
      if (group !== undefined && !(file.groupId.toLowerCase() === group || file.groupNames.toLowerCase().includes(group) || (file.group?.groupPath.toLowerCase().includes(group) ?? false))) continue;
      if (path !== undefined && !(file.requestPath?.toLowerCase().includes(path) ?? false)) continue;
      if (name !== undefined && !file.name.toLowerCase().includes(name)) continue;
      if (needle !== undefined && !matchesText(file, needle)) continue;
      found.push(file);
    }
    return found;
  }
}

/** True if `needle` (lower case) is part of the file's name, group names, request path, `METHOD path`, id, key or URI. */
export function matchesText(file: ScriptFile, needle: string): boolean {
  return (
    file.name.toLowerCase().includes(needle) ||
    file.groupNames.toLowerCase().includes(needle) ||
    (file.requestPath?.toLowerCase().includes(needle) ?? false) ||
    (file.method !== null && `${file.method} ${file.requestPath ?? ''}`.toLowerCase().includes(needle)) ||
    file.id.toLowerCase().includes(needle) ||
    (file.key?.toLowerCase().includes(needle) ?? false) ||
    file.uri.toLowerCase().includes(needle)
  );
}
