/**
 * The editor HTTP API under `{web}`: MagicWorkbenchController, MagicResourceController, MagicBackupController
 * (core/web/*.java, backup/web/MagicBackupController.java, magic-api 2.2.2), each endpoint with its mapping, its
 * `@Valid(requireLogin = …)`, and the answers its code gives. Every answer is a JsonBean with HTTP 200; failures
 * are InvalidArgumentException codes, 401 for MagicLoginException (MagicController.java:94-98) and -1 with the
 * exception's message for anything else (MagicExceptionHandler.java:25-42).
 */
import type { ServerResponse } from 'node:http';
import { readJson, JsonReadError } from '../java/jackson-reader.js';
import { toJson } from '../java/jackson-writer.js';
import { grownCapacity, hashMapOrder } from '../java/hash-order.js';
import { JavaMap } from '../java/values.js';
import { MagicLoginError, type Authorization, type MagicUser } from '../auth/authorization.js';
import { classAndSupers, classMap, classesTxt, extensionMap, functions, scriptClassJson } from '../classes/catalogue.js';
import {
  BindError,
  bindEntity,
  bindGroup,
  entityJson,
  groupJson,
  sameForAutoSave,
  simpleEntity,
  RESOURCE_TYPES,
  type Entity,
  type Group,
  type ResourceType,
} from '../workspace/entities.js';
import { MagicApiError, check, isNotBlank } from '../workspace/json-codes.js';
import { JavaRuntimeError, type ResourceService, type TreeNode } from '../workspace/resource-service.js';
import { backupJson, EmptyResultError, type BackupService, type FullSnapshot } from '../workspace/backup-service.js';
import { decryptSaveBody } from '../java/rot13-body.js';
import { spanLine } from '../script/span.js';
import { ArgumentConversionError, jsonBean, longParameter, sendEmulatorRefusal, writeBody } from './spring-responses.js';
import { header, parameter, type ServletRequest } from './servlet-request.js';

type Reply =
  | { kind: 'bean'; bean: Record<string, unknown>; headers?: [string, string][] }
  | { kind: 'text'; contentType: string; body: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'unsupported'; reason: string };

export interface EditorContext {
  request: ServletRequest;
  /** Path variables of the matched mapping. */
  path: Record<string, string>;
  user: MagicUser | null;
}

interface Route {
  /** Request methods (`@PostMapping` …), or all for `@RequestMapping`. */
  methods: string[] | 'ANY';
  path: string;
  /** `@Valid(requireLogin = false)` ⇒ false; no @Valid or a plain @Valid ⇒ true. */
  requireLogin: boolean;
  handle(context: EditorContext): Reply | Promise<Reply>;
}

/** "Required request body is missing: " + the handler method's toGenericString (Spring 5.3). */
const SAVE_FOLDER_SIGNATURE =
  'public org.ssssssss.magicapi.core.model.JsonBean<java.lang.String> org.ssssssss.magicapi.core.web.MagicResourceController.saveFolder(org.ssssssss.magicapi.core.model.Group,org.ssssssss.magicapi.core.servlet.MagicHttpServletRequest)';

class RequestBodyError extends Error {}

/** MagicResourceController#resources keeps a TreeNode of Attributes: `{node, children}`. */
function treeJson(service: ResourceService, node: TreeNode, isRoot: boolean): Record<string, unknown> {
  const group = node.node as Parameters<typeof groupJson>[0];
  const children: unknown[] = node.children.map((child) => treeJson(service, child, false));
  if (!isRoot) {
    const files = service
      .listFiles(String(group.id))
      .map(simpleEntity)
      // Comparator.comparing(MagicEntity::getName): String#compareTo, UTF-16 code units.
      .sort((a, b) => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0));
    for (const file of files) children.push({ node: entityJson(file), children: [] });
  }
  return { node: groupJson(group), children };
}

export interface EditorApiOptions {
  version: string;
  web: string;
  /** The datasource the application itself configures (DataSourceMagicDynamicRegistry#defaultMappings). */
  defaultDataSource: boolean;
}

export class EditorApi {
  readonly routes: Route[];

  constructor(
    private readonly workspace: ResourceService,
    private readonly backups: BackupService | undefined,
    private readonly auth: Authorization,
    private readonly options: EditorApiOptions,
    private readonly afterChange: () => void,
  ) {
    this.routes = this.buildRoutes();
  }

  /** The route for a path below `{web}`, with its path variables; `methodMismatch` lists the methods it has. */
  find(method: string, relative: string): { route: Route; path: Record<string, string> } | { methodMismatch: string[] } | undefined {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const vars = matchRoute(route.path, relative);
      if (!vars) continue;
      const effective = method === 'HEAD' ? 'GET' : method;
      if (route.methods === 'ANY' || route.methods.includes(effective)) return { route, path: vars };
      allowed.push(...route.methods);
    }
    return allowed.length > 0 ? { methodMismatch: [...new Set(allowed)] } : undefined;
  }

  /** Run a route: the login check of MagicWebRequestInterceptor, then the handler, then the exception handlers. */
  async run(route: Route, context: Omit<EditorContext, 'user'>, response: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      let user: MagicUser | null = null;
      if (route.requireLogin && this.auth.requireLogin()) user = this.auth.getUserByToken(header(context.request, 'Magic-Token'));
      reply = await route.handle({ ...context, user });
    } catch (error) {
      reply = { kind: 'bean', bean: errorBean(error) };
    }
    switch (reply.kind) {
      case 'bean':
        for (const [name, value] of reply.headers ?? []) response.setHeader(name, value);
        writeBody(context.request, response, 200, 'application/json', toJson(reply.bean));
        return;
      case 'text':
        writeBody(context.request, response, 200, reply.contentType, reply.body);
        return;
      case 'redirect':
        response.statusCode = 302;
        response.setHeader('Location', reply.location);
        response.end();
        return;
      case 'unsupported':
        sendEmulatorRefusal(context.request, response, 501, reply.reason);
        return;
    }
  }

  private currentUserName(user: MagicUser | null): string | null {
    return user?.username ?? null;
  }

  private buildRoutes(): Route[] {
    const ok = (data: unknown, headers?: [string, string][]): Reply => (headers ? { kind: 'bean', bean: jsonBean(1, 'success', data), headers } : { kind: 'bean', bean: jsonBean(1, 'success', data) });
    const notEmulated = (what: string): Reply => ({ kind: 'unsupported', reason: `${what} is not emulated (the real server answers it; see the emulator's README)` });
    const web = this.options.web;
    const changed = <T>(value: T): T => {
      this.afterChange();
      return value;
    };
    return [
      // ---- MagicWorkbenchController
      { methods: ['GET'], path: '', requireLogin: false, handle: () => ({ kind: 'redirect', location: `${web}/index.html` }) },
      { methods: ['GET'], path: '/', requireLogin: false, handle: () => ({ kind: 'redirect', location: './index.html' }) },
      {
        methods: ['GET'], path: '/config.json', requireLogin: false,
        handle: () => {
          const values = new Map<string, unknown>([
            ['persistenceResponseBody', true], ['version', this.options.version], ['web', web], ['prefix', null],
            ['autoImportModuleList', ['db']], ['autoImportPackage', null],
          ]);
          // a HashMap, not a JsonBean (readConfig returns the map itself)
          return { kind: 'text', contentType: 'application/json', body: toJson(new Map(hashMapOrder([...values.keys()]).map((k) => [k, values.get(k)]))) };
        },
      },
      { methods: ['GET'], path: '/classes.txt', requireLogin: false, handle: () => ({ kind: 'text', contentType: 'text/plain;charset=UTF-8', body: classesTxt() }) },
      {
        methods: ['POST'], path: '/classes', requireLogin: false,
        handle: () => {
          const classes = classMap();
          const classesOrdered = new Map(hashMapOrder(classes.map(([k]) => k)).map((key) => [key, scriptClassJson(classes.find(([k]) => k === key)?.[1] as never)]));
          const extensions = new Map(extensionMap().map(([key, value]) => [key, scriptClassJson(value)]));
          const values = new Map<string, unknown>([['classes', classesOrdered], ['extensions', extensions], ['functions', functions()]]);
          return ok(new Map(hashMapOrder([...values.keys()]).map((key) => [key, values.get(key)])));
        },
      },
      {
        methods: ['POST'], path: '/class', requireLogin: true,
        handle: ({ request }) => {
          const className = parameter(request, 'className');
          if (!isNotBlank(className)) return ok([]);
          return ok(classAndSupers(className).map(scriptClassJson));
        },
      },
      {
        methods: ['POST'], path: '/login', requireLogin: false,
        handle: ({ request }) => {
          if (!this.auth.requireLogin()) return ok(true);
          const username = parameter(request, 'username');
          const password = parameter(request, 'password');
          if (!isNotBlank(username) && !isNotBlank(password)) {
            try {
              this.auth.getUserByToken(header(request, 'Magic-Token'));
            } catch {
              return ok(false);
            }
            return ok(true);
          }
          const user = this.auth.login(username, password);
          return ok(true, [['Magic-Token', String(user.token)], ['Access-Control-Expose-Headers', 'Magic-Token']]);
        },
      },
      {
        methods: ['POST'], path: '/user', requireLogin: true,
        handle: ({ request }) => {
          if (this.auth.requireLogin()) {
            try {
              const user = this.auth.getUserByToken(header(request, 'Magic-Token'));
              return ok({ id: user.id, username: user.username, token: user.token, timeout: user.timeout });
            } catch {
              // fall through to the guest
            }
          }
          return ok({ id: null, username: 'guest', token: null, timeout: -1 });
        },
      },
      { methods: ['POST'], path: '/logout', requireLogin: false, handle: () => ok(null) },
      { methods: ['GET'], path: '/plugins', requireLogin: false, handle: () => ok([{ name: '定时任务', globalName: 'MagicTask', javascriptFilename: 'magic-task.1.0.0.iife.js' }]) },
      {
        methods: 'ANY', path: '/options', requireLogin: false,
        handle: () =>
          ok([
            ['wrap_request_parameter', '包装请求参数到一个变量中', null],
            ['default_data_source', '配置默认数据源的key', null],
            ['permission', '允许拥有该权限的访问', null],
            ['permission_visible', '允许拥有该权限的查看', null],
            ['role', '允许拥有该角色的访问', null],
            ['role_visible', '允许拥有该角色的查看', null],
            ['require_login', '该接口需要登录才允许访问', 'true'],
            ['anonymous', '该接口不需要登录也可访问', 'true'],
            ['disabled_unknown_parameter', '不接收未经定义的参数', 'true'],
            ['disabled_validate_request_body', '禁止验证RequestBody', 'false'],
          ]),
      },
      { methods: ['GET'], path: '/reload', requireLogin: true, handle: () => ok(true) },
      {
        methods: ['POST'], path: '/search', requireLogin: true,
        handle: ({ request }) => {
          const keyword = parameter(request, 'keyword');
          if (!isNotBlank(keyword)) return ok([]);
          return ok(this.search(keyword));
        },
      },
      { methods: ['GET'], path: '/todo', requireLogin: true, handle: () => notEmulated('GET {web}/todo') },
      {
        methods: 'ANY', path: '/config-js', requireLogin: false,
        handle: () => ({ kind: 'text', contentType: 'application/javascript;charset=UTF-8', body: 'var MAGIC_EDITOR_CONFIG = {}' }),
      },
      { methods: 'ANY', path: '/download', requireLogin: true, handle: () => notEmulated('{web}/download') },
      { methods: 'ANY', path: '/upload', requireLogin: true, handle: () => notEmulated('{web}/upload') },
      { methods: 'ANY', path: '/push', requireLogin: true, handle: () => notEmulated('{web}/push') },
      { methods: 'ANY', path: '/datasource/jdbc/test', requireLogin: true, handle: () => notEmulated('{web}/datasource/jdbc/test') },
      { methods: ['POST'], path: '/task/execute', requireLogin: true, handle: () => notEmulated('POST {web}/task/execute') },

      // ---- MagicResourceController
      {
        methods: ['POST'], path: '/resource/folder/save', requireLogin: true,
        handle: ({ request, user }) => {
          const group = bindGroup(this.requestBody(request));
          this.workspace.withUser(this.currentUserName(user), () => this.workspace.saveGroup(group));
          return changed(ok(group.id));
        },
      },
      {
        methods: ['POST'], path: '/resource/folder/copy', requireLogin: true,
        handle: ({ request, user }) => {
          const src = parameter(request, 'src');
          check(this.workspace.getGroup(src) !== undefined, 'GROUP_NOT_FOUND');
          const id = this.workspace.withUser(this.currentUserName(user), () => this.workspace.copyGroup(src as string, String(parameter(request, 'target'))));
          return changed(ok(id));
        },
      },
      {
        methods: ['POST'], path: '/resource/delete', requireLogin: true,
        handle: ({ request }) => {
          const id = parameter(request, 'id');
          if (!this.workspace.getGroup(id)) check(this.workspace.file(id) !== undefined, 'FILE_NOT_FOUND');
          return changed(ok(this.workspace.delete(id as string)));
        },
      },
      {
        methods: ['POST'], path: '/resource/file/{folder}/save', requireLogin: true,
        handle: ({ request, path, user }) => this.saveFile(request, path.folder as string, user).then(changed),
      },
      {
        methods: ['GET'], path: '/resource/file/{id}', requireLogin: true,
        handle: ({ path }) => {
          const entity = this.workspace.file(path.id as string);
          return ok(entity ? entityJson(entity) : null);
        },
      },
      {
        methods: ['POST'], path: '/resource/move', requireLogin: true,
        handle: ({ request, user }) => {
          const src = parameter(request, 'src');
          if (!this.workspace.getGroup(src)) check(this.workspace.file(src) !== undefined, 'FILE_NOT_FOUND');
          const moved = this.workspace.withUser(this.currentUserName(user), () => this.workspace.move(src as string, String(parameter(request, 'groupId'))));
          return changed(ok(moved));
        },
      },
      {
        methods: ['POST'], path: '/resource/lock', requireLogin: true,
        handle: ({ request, user }) => changed(ok(this.lock(parameter(request, 'id'), true, user))),
      },
      {
        methods: ['POST'], path: '/resource/unlock', requireLogin: true,
        handle: ({ request, user }) => changed(ok(this.lock(parameter(request, 'id'), false, user))),
      },
      { methods: ['POST'], path: '/resource', requireLogin: true, handle: () => ok(this.resources()) },

      // ---- MagicBackupController
      {
        methods: ['GET'], path: '/backups', requireLogin: true,
        handle: ({ request }) => {
          if (!this.backups) return ok([]);
          const timestamp = longParameter(parameter(request, 'timestamp'));
          return ok(this.backups.backupList(timestamp ?? Date.now()).map(backupJson));
        },
      },
      {
        methods: ['GET'], path: '/backup/{id}', requireLogin: true,
        handle: ({ path }) => {
          if (!this.backups || !isNotBlank(path.id)) return ok([]);
          return ok(this.backups.backupById(path.id as string).map(backupJson));
        },
      },
      {
        methods: ['POST'], path: '/backup/rollback', requireLogin: true,
        handle: ({ request, user }) => this.rollback(parameter(request, 'id'), longParameter(parameter(request, 'timestamp')), user).then(changed),
      },
      {
        methods: ['GET'], path: '/backup', requireLogin: true,
        handle: ({ request }) => {
          const timestamp = longParameter(parameter(request, 'timestamp'));
          const id = parameter(request, 'id');
          check(this.backups !== undefined, 'BACKUP_NOT_ENABLED');
          check(isNotBlank(id), 'PARAMETER_INVALID');
          check(timestamp !== null, 'PARAMETER_INVALID');
          const record = (this.backups as BackupService).backupInfo(id, timestamp as number);
          // JsonUtils.readValue(content, MagicEntity.class)?.getScript(): null for groups and full backups.
          if (typeof record.content !== 'string') return ok(null);
          try {
            const parsed = readJson(record.content);
            const script = parsed instanceof JavaMap ? parsed.entries.get('script') : null;
            return ok(typeof script === 'string' ? script : null);
          } catch {
            return ok(null);
          }
        },
      },
      {
        methods: ['POST'], path: '/backup/full', requireLogin: true,
        handle: ({ user }) => {
          check(this.backups !== undefined, 'BACKUP_NOT_ENABLED');
          (this.backups as BackupService).doBackupAll('主动全量备份', this.currentUserName(user));
          return ok(true);
        },
      },
    ];
  }

  /** @RequestBody Group: JSON read by Spring's converter, with its failures (RequestResponseBodyMethodProcessor). */
  private requestBody(request: ServletRequest): ReturnType<typeof readJson> {
    const contentType = request.contentType;
    const isJson = contentType !== undefined && /^application\/([a-z0-9.+-]*\+)?json(\s*;.*)?$/i.test(contentType.trim());
    if (!isJson) {
      if (contentType === undefined && request.body.length === 0) throw new RequestBodyError(`Required request body is missing: ${SAVE_FOLDER_SIGNATURE}`);
      throw new RequestBodyError(`Content type '${contentType ?? 'application/octet-stream'}' not supported`);
    }
    const text = request.body.toString('utf8');
    if (text.trim() === '') throw new RequestBodyError(`Required request body is missing: ${SAVE_FOLDER_SIGNATURE}`);
    try {
      const value = readJson(text);
      bindGroup(value);
      return value;
    } catch (error) {
      throw new RequestBodyError(`JSON parse error: ${(error as Error).message}`);
    }
  }

  /** MagicResourceController#saveFile (MagicResourceController.java:73-100). */
  private async saveFile(request: ServletRequest, folder: string, user: MagicUser | null): Promise<Reply> {
    const decrypted = decryptSaveBody(request.body.toString('utf8'));
    if (!(RESOURCE_TYPES as readonly string[]).includes(folder)) throw MagicApiError.of('GROUP_NOT_FOUND');
    const entity = readEntity(folder as ResourceType, decrypted);
    // JsonUtils.readValue answers null for unreadable JSON, and a null entity saves nothing: code 1, data null.
    if (entity === null) return { kind: 'bean', bean: jsonBean(1, 'success', null) };
    if (entity.id !== null && parameter(request, 'auto') === '1') {
      const old = this.workspace.file(entity.id);
      if (old && sameForAutoSave(old, entity)) return { kind: 'bean', bean: jsonBean(1, 'success', entity.id) };
    }
    const saved = this.workspace.withUser(this.currentUserName(user), () => this.workspace.saveFile(entity));
    return { kind: 'bean', bean: jsonBean(1, 'success', saved ? entity.id : null) };
  }

  private lock(id: string | null, locked: boolean, user: MagicUser | null): boolean {
    check(this.workspace.file(id) !== undefined, 'FILE_NOT_FOUND');
    return this.workspace.withUser(this.currentUserName(user), () => this.workspace.setLock(id as string, locked));
  }

  /** POST {web}/resource: per type the tree; datasource's first group also lists the application's data source. */
  resources(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const type of hashMapOrder(this.workspace.typesWithGroups())) {
      const tree = treeJson(this.workspace, this.workspace.tree(type), true);
      const groups = tree.children as Record<string, unknown>[];
      if (type === 'datasource' && this.options.defaultDataSource && groups.length > 0) {
        const first = groups[0] as { children: unknown[] };
        const builtin = simpleEntity({ ...bindEntity('datasource', new JavaMap('java.util.LinkedHashMap')), name: '默认数据源', key: '' } as Entity);
        first.children.push({ node: entityJson(builtin), children: [] });
      }
      out.set(type, tree);
    }
    return out;
  }

  /**
   * MagicWorkbenchController#search (MagicWorkbenchController.java:206-229) over MagicController#entities (MagicController.java:80-92): every group of
   * every type's tree (root excluded), each group's files in fileCache order, the first line containing the keyword.
   */
  search(keyword: string): unknown[] {
    const hits: unknown[] = [];
    const walk = (node: TreeNode): Group[] => [node.node as Group, ...node.children.flatMap(walk)];
    for (const type of hashMapOrder(this.workspace.typesWithGroups())) {
      for (const group of walk(this.workspace.tree(type))) {
        if (group.id === '0') continue;
        for (const entity of this.workspace.listFiles(String(group.id))) {
          const script = entity.script;
          if (script === null || !script.includes(keyword)) continue;
          const index = script.indexOf(keyword);
          const endIndex = script.indexOf('\n', index + keyword.length);
          const start = script.lastIndexOf('\n', index) + 1;
          const end = endIndex === -1 ? script.length : endIndex;
          const line = spanLine(script, start, end).lineNumber;
          const hit = new Map<string, unknown>([['id', entity.id], ['text', javaTrim(script.slice(start, end))], ['line', line]]);
          hits.push(new Map(hashMapOrder([...hit.keys()], grownCapacity(3)).map((key) => [key, hit.get(key)])));
        }
      }
    }
    return hits;
  }

  /** MagicBackupController#rollback (MagicBackupController.java:51-75). */
  private async rollback(id: string | null, timestamp: number | null, user: MagicUser | null): Promise<Reply> {
    check(this.backups !== undefined, 'BACKUP_NOT_ENABLED');
    const backups = this.backups as BackupService;
    // backupInfo(String, long): a null timestamp fails unboxing (NullPointerException, no message on Java 8).
    if (timestamp === null) throw new JavaRuntimeError(null);
    const record = backups.backupInfo(id, timestamp);
    const username = this.currentUserName(user);
    if (id === 'full') {
      backups.doBackupAll('还原全量备份前，系统自动全量备份', username);
      this.workspace.withUser(username, () => this.restoreFull(record.content as FullSnapshot));
      return { kind: 'bean', bean: jsonBean(1, 'success', true) };
    }
    if (record.type.endsWith('-group')) {
      const group = bindGroup(readJson(record.content as string));
      return { kind: 'bean', bean: jsonBean(1, 'success', this.workspace.withUser(username, () => this.workspace.saveGroup(group))) };
    }
    if (!(RESOURCE_TYPES as readonly string[]).includes(record.type)) return { kind: 'bean', bean: jsonBean(1, 'success', false) };
    const entity = readEntity(record.type as ResourceType, record.content as string);
    if (entity === null) throw new JavaRuntimeError(null);
    return { kind: 'bean', bean: jsonBean(1, 'success', this.workspace.withUser(username, () => this.workspace.saveFile(entity))) };
  }

  /** upload(zip, full) (DefaultMagicResourceService.java:738-765): clear, then save every group and file again. */
  private restoreFull(snapshot: FullSnapshot): void {
    this.workspace.init();
    const pending = snapshot.groups.filter((group) => !String(group.id).includes(':'));
    // parents before children, as the zip's directories are read top-down
    while (pending.length > 0) {
      const index = pending.findIndex((group) => group.parentId === '0' || this.workspace.getGroup(group.parentId) !== undefined);
      if (index < 0) break;
      const [group] = pending.splice(index, 1);
      if (group) this.workspace.saveGroup({ ...group });
    }
    for (const file of snapshot.files) this.workspace.saveFile({ ...file });
  }
}

/** storage.read(bytes): `json ================================ script` or plain JSON; null where Jackson fails. */
function readEntity(type: ResourceType, content: string): Entity | null {
  let json = content;
  let script: string | undefined;
  if (type !== 'datasource') {
    // MagicResourceStorage#read (MagicResourceStorage.java:41-57): the CRLF separator first, then LF.
    for (const separator of ['\r\n================================\r\n', '\n================================\n']) {
      const at = content.indexOf(separator);
      if (at > -1) {
        json = content.slice(0, at);
        script = content.slice(at + separator.length);
        break;
      }
    }
  }
  try {
    const entity = bindEntity(type, readJson(json));
    if (script !== undefined) entity.script = script;
    return entity;
  } catch (error) {
    if (error instanceof JsonReadError || error instanceof BindError) return null;
    throw error;
  }
}

/** String#trim: strips code points <= U+0020 from both ends. */
function javaTrim(text: string): string {
  return text.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
}

function matchRoute(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const q = path.split('/');
  if (p.length !== q.length) {
    // useTrailingSlashMatch: "/resource/" matches "/resource"
    if (!(q.length === p.length + 1 && q[q.length - 1] === '' && pattern !== '' && pattern !== '/')) return undefined;
  }
  const vars: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const want = p[i] as string;
    const got = q[i] as string;
    const variable = /^\{(\w+)\}$/.exec(want);
    if (variable) {
      if (got === '') return undefined;
      vars[variable[1] as string] = got;
    } else if (want !== got) return undefined;
  }
  return vars;
}

/** MagicExceptionHandler / MagicController#invalidLogin: the JsonBean for an exception. */
function errorBean(error: unknown): Record<string, unknown> {
  if (error instanceof MagicApiError) return jsonBean(error.code, error.message);
  if (error instanceof MagicLoginError) return jsonBean(401, error.message);
  if (error instanceof JavaRuntimeError) return jsonBean(-1, error.javaMessage);
  if (error instanceof EmptyResultError || error instanceof ArgumentConversionError || error instanceof RequestBodyError) return jsonBean(-1, error.message);
  throw error;
}
