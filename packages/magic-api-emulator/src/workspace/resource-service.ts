/**
 * The workspace: groups and files, with the checks and side effects of DefaultMagicResourceService
 * (core/service/impl/DefaultMagicResourceService.java, magic-api 2.2.2) and its storages
 * (ApiInfoMagicResourceStorage, FunctionInfoMagicResourceStorage, TaskInfoMagicResourceStorage,
 * DataSourceInfoMagicResourceStorage, AbstractPathMagicResourceStorage, MagicResourceStorage).
 *
 * The Java keeps a directory tree on disk and caches it; this keeps the cache only, which is what every answer is
 * built from. Where the two could differ (a rename over an existing file, which java.io.File#renameTo allows on
 * Linux), the emulator answers as the cache does right after the call.
 */
import { randomUUID } from 'node:crypto';
import { hashMapOrder, grownCapacity } from '../java/hash-order.js';
import {
  copyEntity,
  copyGroup,
  newGroup,
  pathOf,
  type Entity,
  type Group,
  type ResourceType,
} from './entities.js';
import { MagicApiError, check, isNotBlank } from './json-codes.js';

/** What each storage declares (folder, suffix, requirePath, requiredScript, allowRoot). */
export const STORAGES: Record<ResourceType, { suffix: string; requirePath: boolean; requiredScript: boolean; allowRoot: boolean }> = {
  // AbstractPathMagicResourceStorage: suffix ".ms", requirePath true; MagicResourceStorage: requiredScript true, allowRoot false.
  api: { suffix: '.ms', requirePath: true, requiredScript: true, allowRoot: false },
  function: { suffix: '.ms', requirePath: true, requiredScript: true, allowRoot: false },
  task: { suffix: '.ms', requirePath: true, requiredScript: true, allowRoot: false },
  // DataSourceInfoMagicResourceStorage.java:17-45
  datasource: { suffix: '.json', requirePath: false, requiredScript: false, allowRoot: true },
};

/** utils/IoUtils.java FILE_NAME_PATTERN: Chinese, letters, digits, `_ . - ( )`, not starting with a dot. */
const FILE_NAME_PATTERN = /^(?!\.)[\u4e00-\u9fa5_a-zA-Z0-9.\-()]+$/;

export function isValidFileName(name: string): boolean {
  return FILE_NAME_PATTERN.test(name);
}

/** utils/PathUtils.java: collapse runs of `/`. */
export function replaceSlash(path: string): string {
  return path.replace(/\/+/g, '/');
}

export type EventAction = 'CREATE' | 'SAVE' | 'MOVE' | 'DELETE';

export type WorkspaceEvent =
  | { kind: 'file'; type: string; action: EventAction; entity: Entity }
  | { kind: 'group'; type: string; action: EventAction; group: Group; entities: Entity[] };

/** The Java class behind each storage (what a ClassCastException names). */
export const ENTITY_CLASSES: Record<ResourceType, string> = {
  api: 'org.ssssssss.magicapi.core.model.ApiInfo',
  function: 'org.ssssssss.magicapi.function.model.FunctionInfo',
  task: 'org.ssssssss.magicapi.task.model.TaskInfo',
  datasource: 'org.ssssssss.magicapi.datasource.model.DataSourceInfo',
};
const PATH_ENTITY_CLASS = 'org.ssssssss.magicapi.core.model.PathMagicEntity';

/** Java 8's ClassCastException message. */
function classCast(from: ResourceType, to: string): JavaRuntimeError {
  return new JavaRuntimeError(`${ENTITY_CLASSES[from]} cannot be cast to ${to}`, 'java.lang.ClassCastException');
}

/** A NullPointerException or other Java runtime failure: the editor answers `{code: -1, message: <message>}`. */
export class JavaRuntimeError extends Error {
  constructor(readonly javaMessage: string | null, readonly javaClass = 'java.lang.NullPointerException') {
    super(javaMessage ?? javaClass);
    this.name = 'JavaRuntimeError';
  }
}

export interface TreeNode {
  node: Group | Entity;
  children: TreeNode[];
}

export class ResourceService {
  /** groupCache; iteration order is HashMap order over its keys (see `orderedGroups`). */
  readonly groups = new Map<string, Group>();
  /** fileCache */
  readonly files = new Map<string, Entity>();
  private groupCapacity = 16;
  /** fileCache is `new HashMap<>(32)`. */
  private fileCapacity = 32;
  private readonly listeners: ((event: WorkspaceEvent) => void)[] = [];
  /** WebUtils.currentUserName(): the logged-in user's name for the request being served, null in guest mode. */
  private user: string | null = null;

  constructor(private readonly now: () => number = Date.now) {
    this.init();
  }

  currentUser(): string | null {
    return this.user;
  }

  /** Run `work` as a request of `username` (createBy/updateBy and backups record it). */
  withUser<T>(username: string | null, work: () => T): T {
    const previous = this.user;
    this.user = username;
    try {
      return work();
    } finally {
      this.user = previous;
    }
  }

  onEvent(listener: (event: WorkspaceEvent) => void): void {
    this.listeners.push(listener);
  }

  private publish(event: WorkspaceEvent): void {
    this.revision++;
    for (const listener of this.listeners) listener(event);
  }

  /** Bumped by every change, so views of the workspace (iteration orders, the API mappings) can be cached. */
  revision = 0;
  private groupOrder: { revision: number; groups: Group[] } | undefined;
  private fileOrder: { revision: number; files: Entity[]; byGroup: Map<string, Entity[]> } | undefined;

  /** init() (DefaultMagicResourceService.java:148-171): the root group of storages that allow files at the root. */
  init(): void {
    this.revision++;
    this.groups.clear();
    this.files.clear();
    for (const type of Object.keys(STORAGES) as ResourceType[]) {
      if (!STORAGES[type].allowRoot) continue;
      const root = newGroup();
      root.id = `${type}:0`;
      root.type = type;
      root.parentId = '0';
      this.putGroup(root);
    }
  }

  putGroup(group: Group): void {
    this.revision++;
    this.groups.set(group.id as string, group);
    // HashMap#clear keeps its table: the capacity only grows.
    this.groupCapacity = Math.max(this.groupCapacity, grownCapacity(this.groups.size));
  }

  putFile(entity: Entity): void {
    this.revision++;
    this.files.set(entity.id as string, entity);
    this.fileCapacity = Math.max(this.fileCapacity, grownCapacity(this.files.size, 32));
  }

  /** fileCache.values() in HashMap iteration order. */
  orderedFiles(): Entity[] {
    return this.fileIndex().files;
  }

  private fileIndex(): { files: Entity[]; byGroup: Map<string, Entity[]> } {
    if (this.fileOrder?.revision !== this.revision) {
      const files = hashMapOrder([...this.files.keys()], this.fileCapacity).map((id) => this.files.get(id) as Entity);
      const byGroup = new Map<string, Entity[]>();
      for (const entity of files) {
        const list = byGroup.get(String(entity.groupId)) ?? [];
        list.push(entity);
        byGroup.set(String(entity.groupId), list);
      }
      this.fileOrder = { revision: this.revision, files, byGroup };
    }
    return this.fileOrder;
  }

  /** groupCache.values() in HashMap iteration order. */
  orderedGroups(): Group[] {
    if (this.groupOrder?.revision !== this.revision) {
      this.groupOrder = { revision: this.revision, groups: hashMapOrder([...this.groups.keys()], this.groupCapacity).map((id) => this.groups.get(id) as Group) };
    }
    return this.groupOrder.groups;
  }

  getGroup(id: string | null): Group | undefined {
    return id === null ? undefined : this.groups.get(id);
  }

  file(id: string | null): Entity | undefined {
    return id === null ? undefined : this.files.get(id);
  }

  /** The storage a group's files belong to: `groupId` "type:0" names it directly (saveFile, lines 517-523). */
  typeOfGroup(groupId: string): ResourceType | undefined {
    if (groupId.includes(':')) {
      const type = groupId.split(':')[0] as ResourceType;
      return type in STORAGES ? type : undefined;
    }
    const type = this.groups.get(groupId)?.type;
    return type && type in STORAGES ? (type as ResourceType) : undefined;
  }

  /** findGroups (lines 858-869): the group and its ancestors, root first. */
  private ancestry(groupId: string | null): Group[] {
    const chain: Group[] = [];
    let key = groupId;
    const seen = new Set<string>();
    while (key !== null && this.groups.has(key) && !seen.has(key)) {
      seen.add(key);
      const group = this.groups.get(key) as Group;
      chain.unshift(group);
      key = group.parentId;
    }
    return chain;
  }

  /** getGroupPath (lines 851-856): the non-blank group paths joined with `/`. */
  groupPath(groupId: string | null): string {
    return this.ancestry(groupId)
      .map((group) => group.path)
      .filter(isNotBlank)
      .join('/');
  }

  /** getGroupName (lines 844-849): the group names joined with `/` (a null name prints "null"). */
  groupName(groupId: string | null): string {
    return this.ancestry(groupId)
      .map((group) => String(group.name))
      .join('/');
  }

  /** MagicResourceService#getScriptName (MagicResourceService.java:129-138): the logger name of a script. */
  scriptName(entity: Entity): string {
    const path = pathOf(entity);
    if (entity.kind !== 'datasource') {
      return replaceSlash(`/${this.groupName(entity.groupId)}/${String(entity.name)}(/${this.groupPath(entity.groupId)}/${String(path)})`);
    }
    return replaceSlash(`/${this.groupName(entity.groupId)}/${String(entity.name)}`);
  }

  /**
   * storage.buildKey(entity): ApiInfoMagicResourceStorage.java:29-36 (METHOD:/prefix/groupPath/path),
   * Function/Task storages (/groupPath/path), DataSource (key-updateTime).
   */
  mappingKey(entity: Entity, groupId = entity.groupId): string {
    const groupPath = this.groupPath(groupId);
    switch (entity.kind) {
      case 'api':
        // info.getMethod().toUpperCase() throws on a null method.
        if (entity.method === null) throw new JavaRuntimeError(null);
        return replaceSlash(`${entity.method.toUpperCase()}:${replaceSlash(`/${`/${groupPath}`}/${String(entity.path ?? '')}`)}`);
      case 'function':
      case 'task':
        return replaceSlash(`/${groupPath}/${String(entity.path ?? '')}`);
      case 'datasource':
        return `${String(entity.key)}-${String(entity.updateTime)}`;
    }
  }

  /** pathCache of a storage: id → mapping key, for every file of that type. */
  private pathCache(type: ResourceType): Map<string, string> {
    const cache = new Map<string, string>();
    for (const entity of this.files.values()) {
      if (entity.kind === type && entity.groupId !== null && this.groups.has(entity.groupId)) {
        try {
          cache.set(entity.id as string, this.mappingKey(entity));
        } catch {
          // an entity whose key cannot be built is never in the Java pathCache either
        }
      }
    }
    return cache;
  }

  private keyTaken(type: ResourceType, key: string, exceptId: string | null): boolean {
    for (const [id, other] of this.pathCache(type)) if (other === key && id !== exceptId) return true;
    return false;
  }

  /** listFiles (lines 633-643): the files of a group; GROUP_NOT_FOUND for an unknown group. */
  listFiles(groupId: string): Entity[] {
    check(this.groups.has(groupId), 'GROUP_NOT_FOUND');
    return [...(this.fileIndex().byGroup.get(groupId) ?? [])];
  }

  private fileNameTaken(groupId: string, fileName: string, suffix: string, exceptId: string | null): boolean {
    for (const entity of this.files.values()) {
      if (entity.groupId === groupId && entity.id !== exceptId && `${String(entity.name)}${suffix}` === fileName) return true;
    }
    return false;
  }

  private groupDirTaken(type: string | null, parentId: string | null, name: string | null, exceptId: string | null): boolean {
    for (const group of this.groups.values()) {
      if (group.id !== exceptId && group.type === type && group.parentId === parentId && group.name === name && !String(group.id).includes(':')) return true;
    }
    return false;
  }

  /** The group and every group below it (TreeNode#flat over findTreeNode). */
  subtree(groupId: string): Group[] {
    const out: Group[] = [];
    const seen = new Set<string>();
    const visit = (id: string): void => {
      const group = this.groups.get(id);
      // a group moved into its own subtree makes a cycle (see moveGroup)
      if (!group || seen.has(id)) return;
      seen.add(id);
      out.push(group);
      for (const child of this.orderedGroups()) if (child.parentId === id && child.id !== id) visit(child.id as string);
    };
    visit(groupId);
    return out;
  }

  // ------------------------------------------------------------------------------------------------------------
  // saveFile (lines 502-570)

  saveFile(entity: Entity): boolean {
    check(entity.groupId !== null, 'GROUP_ID_REQUIRED');
    check(isNotBlank(entity.name), 'NAME_REQUIRED');
    check(isValidFileName(entity.name as string), 'NAME_INVALID');
    const groupId = entity.groupId as string;
    const isCreate = entity.id === null || !this.files.has(entity.id);
    check(this.groups.has(groupId), 'GROUP_NOT_FOUND');
    const type = this.typeOfGroup(groupId);
    if (type === undefined) throw new JavaRuntimeError(null);
    const storage = STORAGES[type];
    if (storage.requiredScript) check(isNotBlank(entity.script), 'SCRIPT_REQUIRED');
    if (storage.requirePath) {
      // `((PathMagicEntity) entity).getPath()`, then the storage's generic bridge casts to its own class.
      if (entity.kind === 'datasource') throw classCast(entity.kind, PATH_ENTITY_CLASS);
      check(isNotBlank(pathOf(entity)), 'PATH_REQUIRED');
      if (entity.kind !== type) throw classCast(entity.kind, ENTITY_CLASSES[type]);
      check(!this.keyTaken(type, this.mappingKey(entity), entity.id), 'PATH_CONFLICT');
    }
    if (entity.kind !== type) throw classCast(entity.kind, ENTITY_CLASSES[type]);
    this.validate(type, entity);
    const fileName = `${String(entity.name)}${storage.suffix}`;
    const now = this.now();
    if (isCreate) {
      if (entity.id === null) {
        check(!this.fileNameTaken(groupId, fileName, storage.suffix, null), 'FILE_SAVE_FAILURE');
        entity.id = randomUUID().replace(/-/g, '');
      }
      entity.createTime = now;
      entity.createBy = this.currentUser();
    } else {
      const old = this.files.get(entity.id as string) as Entity;
      entity.createBy = old.createBy;
      entity.createTime = old.createTime;
      entity.updateTime = now;
      entity.updateBy = this.currentUser();
      check(old.lock !== '1', 'RESOURCE_LOCKED');
    }
    this.publish({ kind: 'file', type, action: isCreate ? 'CREATE' : 'SAVE', entity: copyEntity(entity) });
    this.putFile(copyEntity(entity));
    return true;
  }

  /** storage.validate(entity) of each storage. */
  private validate(type: ResourceType, entity: Entity): void {
    if (entity.kind === 'api' && type === 'api') {
      // ApiInfoMagicResourceStorage.java:39-43, then AbstractPathMagicResourceStorage.java:34-38
      check(isNotBlank(entity.method), 'REQUEST_METHOD_REQUIRED');
      check(isNotBlank(entity.path), 'REQUEST_PATH_REQUIRED');
      check(isNotBlank(entity.script), 'SCRIPT_REQUIRED');
    } else if (type === 'function') {
      // FunctionInfoMagicResourceStorage.java:24-27
      check(isNotBlank(pathOf(entity)), 'FUNCTION_PATH_REQUIRED');
    } else if (type === 'task' && entity.kind === 'task') {
      // TaskInfoMagicResourceStorage.java:18-21
      check(isNotBlank(entity.cron), 'CRON_ID_REQUIRED');
    } else if (type === 'datasource' && entity.kind === 'datasource') {
      // DataSourceInfoMagicResourceStorage.java:52-62
      check(isNotBlank(entity.url), 'DS_URL_REQUIRED');
      check(isNotBlank(entity.key), 'DS_KEY_REQUIRED');
      check(/^[\u4e00-\u9fa5_a-zA-Z0-9.\-()]+$/.test(entity.key as string) && !(entity.key as string).startsWith('.'), 'DATASOURCE_KEY_INVALID');
      const taken = this.listFiles('datasource:0').some((other) => other.id !== entity.id && other.kind === 'datasource' && other.key === entity.key);
      check(!taken, 'DS_KEY_CONFLICT');
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // saveGroup (lines 220-308)

  saveGroup(group: Group): boolean {
    check(group.type !== null && group.type in STORAGES, 'NOT_SUPPORTED_GROUP_TYPE');
    check(group.name !== null, 'NAME_REQUIRED');
    // `notNull(IoUtils.validateFileName(name), NAME_INVALID)` checks a boolean for null: it never refuses a name.
    check(group.parentId !== null, 'GROUP_ID_REQUIRED');
    const type = group.type as ResourceType;
    if (group.parentId !== '0') check(this.groups.has(group.parentId as string), 'GROUP_NOT_FOUND');
    // The event says CREATE only when no id came (line 243); an unknown id still creates the group.
    const action: EventAction = group.id === null ? 'CREATE' : 'SAVE';
    const isCreate = group.id === null || !this.groups.has(group.id);
    const now = this.now();
    if (isCreate) {
      if (group.id === null) group.id = randomUUID().replace(/-/g, '');
      group.createTime = now;
      group.createBy = this.currentUser();
      check(!this.groupDirTaken(group.type, group.parentId, group.name, null), 'FILE_SAVE_FAILURE');
    } else {
      const old = this.groups.get(group.id as string) as Group;
      if (STORAGES[type].requirePath && old.path !== group.path) {
        // Every file below the group must keep a unique mapping key under the new path.
        const previous = old.path;
        old.path = group.path;
        this.revision++;
        try {
          for (const below of this.subtree(old.id as string)) {
            for (const entity of this.files.values()) {
              if (entity.groupId !== below.id) continue;
              let key: string;
              try {
                key = this.mappingKey(entity);
              } catch {
                continue;
              }
              if (this.keyTaken(type, key, entity.id)) throw MagicApiError.of('SAVE_GROUP_PATH_CONFLICT');
            }
          }
        } finally {
          old.path = previous;
          this.revision++;
        }
      }
      group.updateBy = this.currentUser();
      group.updateTime = now;
      if (old.name !== group.name) check(!this.groupDirTaken(group.type, group.parentId, group.name, group.id), 'FILE_SAVE_FAILURE');
    }
    this.putGroup(copyGroup(group));
    const entities = action === 'CREATE' ? [] : this.subtree(group.id as string).flatMap((below) => this.listFiles(below.id as string));
    this.publish({ kind: 'group', type, action, group: copyGroup(group), entities });
    return true;
  }

  // ------------------------------------------------------------------------------------------------------------
  // move (lines 311-331), moveGroup (364-411), moveFile (419-446)

  /** The target of a move or copy: the root ("0") or a known group, else GROUP_NOT_FOUND (lines 314-315, 336-337). */
  private targetGroup(groupId: string): Group | undefined {
    const target = this.groups.get(groupId);
    check(groupId === '0' || target !== undefined, 'GROUP_NOT_FOUND');
    return target;
  }

  move(src: string, groupId: string): boolean {
    const target = this.targetGroup(groupId);
    check(src !== groupId, 'MOVE_NAME_CONFLICT');
    const srcGroup = this.groups.get(src);
    if (srcGroup) return this.moveGroup(srcGroup, groupId);
    // a file cannot move to the root
    check(target !== undefined, 'GROUP_NOT_FOUND');
    const entity = this.files.get(src);
    check(entity !== undefined, 'FILE_NOT_FOUND');
    return this.moveFile(copyEntity(entity as Entity), target as Group);
  }

  private moveGroup(src: Group, target: string): boolean {
    const type = src.type as ResourceType;
    // `targetResource.getDirectory(src.getName()).exists()`: the group's own directory counts, so moving a group to
    // the parent it already has is a name conflict too.
    check(!this.groupDirTaken(src.type, target, src.name, null), 'MOVE_NAME_CONFLICT');
    const intoItself = this.subtree(src.id as string).some((below) => below.id === target);
    const oldParent = src.parentId;
    // The cached group's parentId changes before the rename is tried (lines 372-373) …
    src.parentId = target;
    this.revision++;
    // … and java.io.File#renameTo cannot move a directory into itself: the call answers false, leaving the cached
    // group pointing into its own subtree (it drops out of the tree until the next reload).
    if (intoItself) return false;
    const entities = this.subtree(src.id as string).flatMap((below) => [...this.files.values()].filter((file) => file.groupId === below.id));
    if (STORAGES[type].requirePath) {
      for (const entity of entities) {
        if (this.keyTaken(type, this.mappingKey(entity), entity.id)) {
          src.parentId = oldParent;
          this.revision++;
          throw MagicApiError.of('MOVE_PATH_CONFLICT');
        }
      }
    }
    src.updateBy = this.currentUser();
    src.updateTime = this.now();
    this.publish({ kind: 'group', type, action: 'MOVE', group: copyGroup(src), entities: entities.map(copyEntity) });
    return true;
  }

  private moveFile(entity: Entity, group: Group): boolean {
    check(entity.lock !== '1', 'RESOURCE_LOCKED');
    entity.groupId = group.id;
    const type = group.type as ResourceType;
    const storage = STORAGES[type];
    const key = this.mappingKey(entity);
    check(!this.fileNameTaken(group.id as string, `${String(entity.name)}${storage.suffix}`, storage.suffix, null), 'MOVE_NAME_CONFLICT');
    check(!storage.requirePath || !this.keyTaken(type, key, entity.id), 'MOVE_PATH_CONFLICT');
    entity.updateBy = this.currentUser();
    entity.updateTime = this.now();
    this.putFile(entity);
    this.publish({ kind: 'file', type, action: 'MOVE', entity: copyEntity(entity) });
    return true;
  }

  // ------------------------------------------------------------------------------------------------------------
  // copyGroup (lines 333-356)

  copyGroup(src: string, groupId: string): string {
    this.targetGroup(groupId);
    check(src !== groupId, 'SRC_GROUP_CONFLICT');
    const srcGroup = this.groups.get(src);
    check(srcGroup !== undefined, 'GROUP_NOT_FOUND');
    const source = srcGroup as Group;
    const copy = newGroup();
    copy.type = source.type;
    copy.parentId = groupId;
    copy.name = `${String(source.name)}(Copy)`;
    copy.path = `${source.path ?? ''}_copy`;
    copy.options = source.options;
    copy.paths = source.paths;
    copy.properties = source.properties;
    this.saveGroup(copy);
    // Only the files directly in the group are copied, each as a new file (id null → a new id).
    for (const file of this.listFiles(src)) {
      const entity = copyEntity(file);
      entity.groupId = copy.id;
      entity.id = null;
      this.saveFile(entity);
    }
    return copy.id as string;
  }

  // ------------------------------------------------------------------------------------------------------------
  // delete (lines 600-631): groups recursively with their files; no lock check.

  delete(id: string): boolean {
    const group = this.groups.get(id);
    if (group) {
      const removed: Entity[] = [];
      this.revision++;
      for (const below of this.subtree(id)) {
        this.groups.delete(below.id as string);
        for (const [fileId, file] of [...this.files]) {
          if (file.groupId === below.id) {
            removed.push(file);
            this.files.delete(fileId);
          }
        }
      }
      this.publish({ kind: 'group', type: String(group.type), action: 'DELETE', group, entities: removed });
      return true;
    }
    const entity = this.files.get(id);
    if (entity) {
      this.revision++;
      this.files.delete(id);
      this.publish({ kind: 'file', type: String(this.groups.get(String(entity.groupId))?.type), action: 'DELETE', entity });
    }
    return true;
  }

  // ------------------------------------------------------------------------------------------------------------
  // lock / unlock (lines 707-736): no event, so no backup.

  setLock(id: string, locked: boolean): boolean {
    const entity = this.files.get(id);
    check(entity !== undefined, 'FILE_NOT_FOUND');
    const target = entity as Entity;
    check(target.groupId !== null && this.groups.has(target.groupId), 'GROUP_NOT_FOUND');
    this.revision++;
    target.lock = locked ? '1' : '0';
    target.updateTime = this.now();
    target.updateBy = this.currentUser();
    return true;
  }

  // ------------------------------------------------------------------------------------------------------------
  // tree

  /**
   * MagicResourceController#resources / #process (core/web/MagicResourceController.java:146-189) over
   * DefaultMagicResourceService#tree (lines 453-494): per type a root node `Group("0","root")`; under each group
   * its child groups (groupCache order), then its files as `simple()` copies sorted by name. The root node itself
   * lists no files.
   */
  tree(type: string): TreeNode {
    const root = newGroup();
    root.id = '0';
    root.name = 'root';
    const groupsOfType = this.orderedGroups().filter((group) => group.type === type);
    const build = (node: Group, remains: Group[]): TreeNode => {
      const children: TreeNode[] = [];
      const mine = remains.filter((group) => group.parentId === node.id);
      const rest = remains.filter((group) => group.parentId !== node.id);
      for (const child of mine) children.push(build(child, rest));
      return { node, children };
    };
    return build(root, groupsOfType);
  }

  /** Types that have at least one group (tree() groups groupCache by type: a type without groups is absent). */
  typesWithGroups(): string[] {
    const seen: string[] = [];
    for (const group of this.orderedGroups()) if (group.type !== null && !seen.includes(group.type)) seen.push(group.type);
    return seen;
  }
}
