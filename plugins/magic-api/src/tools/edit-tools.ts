// magic_save_api, magic_save_group, magic_copy, magic_move, magic_delete, magic_lock, magic_replace_in_script:
// changing the server's scripts and groups through the editor's own endpoints (core/web/MagicResourceController.java
// at v2.2.2), then fetching the tree at once so the tree and the magic-api:// resources show the change.
import { z, type PluginHost } from '@mcp-host/core';
import type { MagicApi } from '../magic-api.js';
import { jsonResult } from './tool-result.js';
import { replaceInScript } from './script-replace.js';
import {
  ArgumentError,
  answering,
  contentsBelow,
  fileSummary,
  groupNames,
  isLocked,
  loadEntity,
  refreshAfterEdit,
  resolveGroup,
  treeFile,
} from './workspace-context.js';

/** The request methods the editor offers for an API (its method picker; Spring's RequestMethod has them all). */
const API_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

const definition = z
  .object({
    name: z.string().describe('The parameter, header or option name'),
    value: z.string().optional().describe('An example value (parameters, headers) or the value (options)'),
    description: z.string().optional().describe('What it is'),
    required: z.boolean().optional().describe('True if a request without it is refused'),
    dataType: z.string().optional().describe('String (default), Integer, Long, Double, Boolean, …'),
    defaultValue: z.string().optional().describe('Used when a request leaves it out'),
  })
  .describe('One definition, as the editor keeps it');

/** A definition as the server's `BaseDefinition` JSON has it (core/model/BaseDefinition.java). */
function toDefinition(item: z.infer<typeof definition>): Record<string, unknown> {
  return {
    name: item.name,
    value: item.value ?? null,
    description: item.description ?? null,
    required: item.required ?? false,
    dataType: item.dataType ?? 'String',
    defaultValue: item.defaultValue ?? null,
  };
}

const DESTRUCTIVE = { readOnlyHint: false, destructiveHint: true, openWorldHint: false } as const;
const ADDITIVE = { readOnlyHint: false, destructiveHint: false, openWorldHint: false } as const;

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function registerEditTools(host: PluginHost, magic: MagicApi): void {
  host.tool(
    'magic_save_api',
    {
      title: 'Create or update a Magic-API API',
      description:
        'Save an API script on the Magic-API server. To update one, give its id and the fields to change (script always; name, method, path, group, description, parameters, headers, options when they change — what you leave out stays). To create one, leave id out and give group, name, method, path and script. Answers the saved id and the request path it now answers. A locked API is refused before anything is sent (unlock it with magic_lock only if changing it is intended). The server backs up each saved version (magic_backups).',
      inputSchema: {
        id: z.string().optional().describe('The id of the API to update (from magic_tree); leave it out to create a new API'),
        group: z.string().optional().describe('The group: its id, its names from the top ("用户管理/角色") or its path ("user/role"). Required to create; to update, only to move it'),
        name: z.string().optional().describe('The API name shown in the editor, e.g. "用户列表". Required to create'),
        method: z.string().optional().describe(`The HTTP method: ${API_METHODS.join(', ')}. Required to create`),
        path: z.string().optional().describe('The path inside its group, e.g. "list" or "{id}" (the group paths are put before it). Required to create'),
        script: z.string().describe('The whole Magic-Script text of the API (not a part: magic_replace_in_script changes a part)'),
        description: z.string().optional().describe('What the API does'),
        parameters: z.array(definition).optional().describe('Query/form parameters (replaces the list)'),
        headers: z.array(definition).optional().describe('Request headers it reads (replaces the list)'),
        options: z.array(definition).optional().describe('API options as name/value pairs (replaces the list)'),
      },
      annotations: ADDITIVE,
    },
    async (args, extra) =>
      answering(async () => {
        const signal = extra.signal;
        const method = args.method?.trim().toUpperCase();
        if (method !== undefined && !(API_METHODS as readonly string[]).includes(method)) {
          throw new ArgumentError('method', `${JSON.stringify(args.method)} is not one of ${API_METHODS.join(', ')}.`);
        }
        let entity: Record<string, unknown>;
        const isUpdate = args.id !== undefined && args.id.trim() !== '';
        if (isUpdate) {
          const id = args.id!.trim();
          entity = await loadEntity(magic, id, 'id', signal);
          const { file } = await treeFile(magic, id, signal);
          if (file && file.type !== 'api') throw new ArgumentError('id', `${id} is a ${file.type}, not an API; magic_save_api saves APIs.`);
          if (isLocked(entity)) {
            throw new ArgumentError('id', `the API ${JSON.stringify(entity.name)} (${id}) is locked; nothing was sent.`, 'Unlock it with magic_lock { id, locked: false } only if changing it is intended, then save again.');
          }
        } else {
          for (const key of ['group', 'name', 'method', 'path'] as const) {
            if (args[key] === undefined || args[key]!.trim() === '') throw new ArgumentError(key, 'is needed to create an API (or give id to update one).');
          }
          entity = {};
        }
        if (args.group !== undefined && args.group.trim() !== '') entity.groupId = (await resolveGroup(magic, args.group, 'api', 'group', { signal })).id;
        if (args.name !== undefined) entity.name = args.name;
        if (method !== undefined) entity.method = method;
        if (args.path !== undefined) entity.path = args.path;
        entity.script = args.script;
        if (args.description !== undefined) entity.description = args.description;
        if (args.parameters !== undefined) entity.parameters = args.parameters.map(toDefinition);
        if (args.headers !== undefined) entity.headers = args.headers.map(toDefinition);
        if (args.options !== undefined) entity.options = args.options.map(toDefinition);
        const saved = await magic.client.saveFile('api', entity, signal);
        if (saved === null) throw new Error('the server answered success but saved nothing (data null): it could not read the API as sent. Check name, method and path.');
        const { tree, warning } = await refreshAfterEdit(magic, signal);
        const file = tree?.byId(saved);
        return jsonResult({
          id: saved,
          created: !isUpdate,
          ...(file ? { name: file.name, method: file.method, requestPath: file.requestPath, group: file.groupNames, uri: file.uri } : {}),
          ...(warning ? { treeRefresh: warning } : {}),
        });
      }),
  );

  host.tool(
    'magic_save_group',
    {
      title: 'Create or update a Magic-API group',
      description:
        'Create a group (leave id out) or update one (give its id) on the Magic-API server. A group holds files of one type; its path is put before the paths of everything in it (group "user" + API "list" = /user/list). Answers the group id.',
      inputSchema: {
        id: z.string().optional().describe('The id of the group to update; leave it out to create a group'),
        parent: z.string().describe('The parent group: "0" for the top of the tree, or a group id, its names from the top ("用户管理") or its path ("user")'),
        name: z.string().describe('The group name shown in the editor, e.g. "角色"'),
        path: z.string().describe('The group path, e.g. "role" ("" for none)'),
        type: z.string().describe('What it holds: "api", "function" or "task"'),
      },
      annotations: ADDITIVE,
    },
    async (args, extra) =>
      answering(async () => {
        const signal = extra.signal;
        const type = args.type.trim().toLowerCase();
        if (!['api', 'function', 'task'].includes(type)) throw new ArgumentError('type', `${JSON.stringify(args.type)}: groups hold "api", "function" or "task" files (data sources have no groups).`);
        if (args.name.trim() === '') throw new ArgumentError('name', 'is empty: give the group a name.');
        const parent = await resolveGroup(magic, args.parent, type, 'parent', { allowRoot: true, signal });
        let group: Record<string, unknown> = {};
        const isUpdate = args.id !== undefined && args.id.trim() !== '';
        if (isUpdate) {
          const id = args.id!.trim();
          const current = parent.tree.group(id) ?? (await magic.tree.refresh(signal)).tree.group(id);
          if (!current) throw new ArgumentError('id', `no group has the id ${JSON.stringify(id)}.`, 'Find it with magic_tree.');
          if (current.type !== type) throw new ArgumentError('type', `group ${id} holds ${current.type} files; a group's type cannot change.`);
          // The whole group as the server has it (paths, options…): folder/save replaces it with what it gets.
          group = { ...(findRawGroup(await magic.client.tree(signal), id) ?? { id }) };
        }
        Object.assign(group, { name: args.name, path: args.path, parentId: parent.id, type });
        const saved = await magic.client.editor<string | null>('/resource/folder/save', { method: 'POST', json: group, signal });
        if (saved === null || saved === undefined) throw new Error('the server answered success but saved nothing (data null).');
        const { tree, warning } = await refreshAfterEdit(magic, signal);
        const shown = tree?.group(saved);
        return jsonResult({
          id: saved,
          created: !isUpdate,
          ...(shown ? { group: shown.namesText, groupPath: shown.groupPath, parentId: shown.parentId } : {}),
          ...(warning ? { treeRefresh: warning } : {}),
        });
      }),
  );

  host.tool(
    'magic_copy',
    {
      title: 'Copy a Magic-API group',
      description:
        'Copy a group into another group on the Magic-API server (the server copies groups, not single files): the copy is named "<name>(Copy)" with path "<path>_copy", and holds new copies of the files directly in the group (not of its subgroups). Answers the new group id. To copy one file, magic_get it and create a new one with magic_save_api.',
      inputSchema: {
        id: z.string().describe('The id of the group to copy (from magic_tree)'),
        target: z.string().describe('Where the copy goes: "0" for the top of the tree, or a group id, its names from the top or its path'),
      },
      annotations: ADDITIVE,
    },
    async (args, extra) =>
      answering(async () => {
        const signal = extra.signal;
        const id = args.id.trim();
        const tree = await magic.tree.ensure(signal);
        const source = tree.group(id) ?? (await magic.tree.refresh(signal)).tree.group(id);
        if (!source) {
          const file = (magic.tree.current ?? tree).byId(id);
          throw new ArgumentError('id', file ? `${id} is a file (${file.name}); the server copies groups, not single files.` : `no group has the id ${JSON.stringify(id)}.`, file ? 'To copy a file, magic_get it and create a new one with magic_save_api.' : 'Find it with magic_tree.');
        }
        const target = await resolveGroup(magic, args.target, source.type, 'target', { allowRoot: true, signal });
        const copied = await magic.client.editor<string | null>('/resource/folder/copy', { method: 'POST', form: { src: id, target: target.id }, signal });
        if (typeof copied !== 'string') throw new Error('the server answered success but copied nothing (data null).');
        const { tree: after, warning } = await refreshAfterEdit(magic, signal);
        const made = after?.group(copied);
        return jsonResult({
          id: copied,
          from: { id, group: source.namesText },
          ...(made ? { group: made.namesText, groupPath: made.groupPath, files: after!.files.filter((file) => file.groupId === copied).map(fileSummary) } : {}),
          ...(warning ? { treeRefresh: warning } : {}),
        });
      }),
  );

  host.tool(
    'magic_move',
    {
      title: 'Move a Magic-API file or group',
      description:
        'Move a file or a group into another group on the Magic-API server; its request path changes with the group paths above it (and so does its magic-api:// URI). A locked file is refused by the server. Answers where it was and where it is now.',
      inputSchema: {
        id: z.string().describe('The id of the file or group to move (from magic_tree)'),
        group: z.string().describe('The group to move it into: a group id, its names from the top or its path; "0" (the top) for a group only'),
      },
      annotations: DESTRUCTIVE,
    },
    async (args, extra) =>
      answering(async () => {
        const signal = extra.signal;
        const id = args.id.trim();
        const { file, tree } = await treeFile(magic, id, signal);
        const group = file ? undefined : tree.group(id);
        if (!file && !group) throw new ArgumentError('id', `no file or group has the id ${JSON.stringify(id)}.`, 'Find it with magic_tree.');
        const type = file?.type ?? group!.type;
        const target = await resolveGroup(magic, args.group, type, 'group', { allowRoot: group !== undefined, signal });
        const before = file ? { groupId: file.groupId, group: file.groupNames, requestPath: file.requestPath, uri: file.uri } : { groupId: group!.parentId, group: groupNames(tree, group!.parentId), groupPath: group!.groupPath };
        const moved = await magic.client.editor<boolean>('/resource/move', { method: 'POST', form: { src: id, groupId: target.id }, signal });
        if (moved !== true) {
          throw new Error(`the server answered ${JSON.stringify(moved)}: it did not move ${id}${group ? ' (a group cannot move into its own subtree)' : ''}. magic_tree shows where it is now.`);
        }
        const { tree: after, warning } = await refreshAfterEdit(magic, signal);
        const movedFile = after?.byId(id);
        const movedGroup = after?.group(id);
        const now = movedFile
          ? { groupId: movedFile.groupId, group: movedFile.groupNames, requestPath: movedFile.requestPath, uri: movedFile.uri }
          : movedGroup
            ? { groupId: movedGroup.parentId, group: groupNames(after!, movedGroup.parentId), groupPath: movedGroup.groupPath }
            : { groupId: target.id };
        return jsonResult({ id, kind: file ? 'file' : 'group', name: file?.name ?? group!.name, before, after: now, ...(warning ? { treeRefresh: warning } : {}) });
      }),
  );

  host.tool(
    'magic_delete',
    {
      title: 'Delete a Magic-API file or group',
      description:
        'Delete a file, or a group with every group and file below it, from the Magic-API server. The server does not check locks here and keeps no backup of a delete (magic_full_backup first if it may need undoing). Answers what was deleted.',
      inputSchema: {
        id: z.string().describe('The id of the file or group to delete (from magic_tree)'),
      },
      annotations: DESTRUCTIVE,
    },
    async (args, extra) =>
      answering(async () => {
        const signal = extra.signal;
        const id = args.id.trim();
        const { file, tree } = await treeFile(magic, id, signal);
        const group = file ? undefined : tree.group(id);
        const deleted = file
          ? { kind: 'file', ...fileSummary(file) }
          : group
            ? { kind: 'group', id, type: group.type, name: group.name, group: group.namesText, ...(() => {
                const below = contentsBelow(tree, group);
                return { filesDeleted: below.files, groupsDeleted: below.groups };
              })() }
            : { id };
        const answer = await magic.client.editor<boolean>('/resource/delete', { method: 'POST', form: { id }, signal });
        if (answer !== true) throw new Error(`the server answered ${JSON.stringify(answer)}: nothing was deleted.`);
        const { warning } = await refreshAfterEdit(magic, signal);
        return jsonResult({ deleted, ...(warning ? { treeRefresh: warning } : {}) });
      }),
  );

  host.tool(
    'magic_lock',
    {
      title: 'Lock or unlock a Magic-API file',
      description:
        'Lock a file (the server then refuses to save or move it, here and in its web editor) or unlock it. Answers the new state.',
      inputSchema: {
        id: z.string().describe('The id of the file (from magic_tree)'),
        locked: z.boolean().describe('true to lock it, false to unlock it'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      answering(async () => {
        const signal = extra.signal;
        const id = args.id.trim();
        const answer = await magic.client.editor<boolean>(args.locked ? '/resource/lock' : '/resource/unlock', { method: 'POST', form: { id }, signal });
        if (answer !== true) throw new Error(`the server answered ${JSON.stringify(answer)}: the lock did not change.`);
        const { tree, warning } = await refreshAfterEdit(magic, signal);
        const file = tree?.byId(id);
        return jsonResult({ id, ...(file ? { name: file.name, type: file.type } : {}), locked: file ? file.locked : args.locked, ...(warning ? { treeRefresh: warning } : {}) });
      }),
  );

  host.tool(
    'magic_replace_in_script',
    {
      title: 'Replace text in a Magic-API script',
      description:
        'Change part of a script (API, function or task) on the Magic-API server: replace the first occurrence of search (or every one, with all) and save. Answers the changed lines, before and after. Nothing matched is an error and nothing is saved; a locked file is refused before anything is sent. With regex, search is a JavaScript regular expression and replacement may use $1, $2 …; without it both are plain text.',
      inputSchema: {
        id: z.string().describe('The id of the file whose script to change (from magic_tree or magic_search)'),
        search: z.string().min(1).describe('The text to find (exact, case-sensitive), or a regular expression with regex: true'),
        replacement: z.string().describe('What replaces it ("" deletes it)'),
        regex: z.boolean().optional().describe('Treat search as a JavaScript regular expression (default false: plain text)'),
        all: z.boolean().optional().describe('Replace every occurrence (default false: only the first)'),
      },
      annotations: DESTRUCTIVE,
    },
    async (args, extra) =>
      answering(async () => {
        const signal = extra.signal;
        const id = args.id.trim();
        const entity = await loadEntity(magic, id, 'id', signal);
        const { file } = await treeFile(magic, id, signal);
        const type = file?.type;
        if (type === 'datasource' || typeof entity.script !== 'string') throw new ArgumentError('id', `${id} has no script${type ? ` (a ${type})` : ''}.`);
        if (type === undefined) throw new ArgumentError('id', `${id} is not in the script tree yet; try again in a moment.`);
        if (isLocked(entity)) {
          throw new ArgumentError('id', `${JSON.stringify(entity.name)} (${id}) is locked; nothing was sent.`, 'Unlock it with magic_lock { id, locked: false } only if changing it is intended, then repeat.');
        }
        let pattern: RegExp | undefined;
        if (args.regex) {
          try {
            pattern = new RegExp(args.search, 'g');
          } catch (error) {
            throw new ArgumentError('search', `not a valid regular expression: ${(error as Error).message}.`);
          }
        }
        const result = replaceInScript(entity.script, { search: args.search, replacement: args.replacement, pattern, all: args.all ?? false });
        if (result.count === 0) {
          throw new ArgumentError('search', `${args.regex ? 'the expression' : 'the text'} ${JSON.stringify(args.search)} matched nothing in the script of ${JSON.stringify(entity.name)}; nothing was saved.`, 'magic_get it to see the script as it is now (the match is exact and case-sensitive).');
        }
        if (result.script === entity.script) {
          return jsonResult({ id, replacements: result.count, changes: [], note: 'the replacement equals what it replaces: the script is unchanged and was not saved.' });
        }
        const saved = await magic.client.saveFile(type, { ...entity, script: result.script }, signal);
        if (saved === null) throw new Error('the server answered success but saved nothing (data null).');
        const { warning } = await refreshAfterEdit(magic, signal);
        return jsonResult({ id, name: text(entity.name), replacements: result.count, changes: result.changes, ...(warning ? { treeRefresh: warning } : {}) });
      }),
  );
}

/** The group node with `id` in the raw tree (`POST {web}/resource`), every field the server keeps. */
function findRawGroup(raw: unknown, id: string): Record<string, unknown> | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const stack: unknown[] = Object.values(raw as Record<string, unknown>);
  while (stack.length > 0) {
    const node = stack.pop() as { node?: Record<string, unknown> | null; children?: unknown[] | null } | null;
    if (!node || typeof node !== 'object') continue;
    if (node.node && node.node.id === id && !('groupId' in node.node)) return node.node;
    if (Array.isArray(node.children)) stack.push(...node.children);
  }
  return undefined;
}
