// What the find, edit, backup and class tools share: how a group or a file is named in an argument, how they are
// shown, what a refusal tells the model to do next, and the tree refresh after an edit.
import type { CallToolResult } from '@mcp-host/core';
import { isMagicError } from '../magic-error.js';
import type { MagicApi } from '../magic-api.js';
import type { ScriptFile, ScriptGroup, ScriptTree } from '../script-tree.js';
import { errorResult, toolError } from './tool-result.js';

/** The id of the tree's root (`Constants.ROOT_ID`): a top-level group's parent. */
export const ROOT_GROUP_ID = '0';

/** A tool's argument was wrong in a way the schema cannot say: the result names the argument. */
export class ArgumentError extends Error {
  constructor(
    readonly argument: string,
    message: string,
    readonly next?: string,
  ) {
    super(`${argument}: ${message}`);
    this.name = 'ArgumentError';
  }
}

/**
 * What to do after the server refused with `serverCode` (the JsonCodes of core/config/JsonCodeConstants.java).
 * Undefined for a code without a known remedy: the caller's own hint is used.
 */
function remedy(serverCode: number | undefined): string | undefined {
  switch (serverCode) {
    case 1001:
      return 'The group does not exist (any more): find it with magic_tree.';
    case 1005:
    case 1027:
      return 'A sibling already has that name: choose another name, or move it elsewhere.';
    case 1006:
      return 'The source and the target are the same group: pick another target.';
    case 1007:
      return 'No file or group has that id: find the id with magic_tree (ids change when a file is deleted and created again).';
    case 1008:
      return 'It is locked: unlock it with magic_lock { id, locked: false } first (only if changing it is intended), then repeat.';
    case 1009:
    case 1011:
    case 1036:
      return 'Another API already answers that method and path: choose another path (magic_tree { path } shows who has it).';
    case 1012:
    case 1013:
    case 1014:
    case 1017:
    case 1018:
    case 1019:
    case 1023:
      return 'A required field is empty: give it and repeat.';
    case 1025:
      return 'Names may contain only Chinese characters, letters, digits, _ - . ( ) and may not start with a dot.';
    case 1028:
      return 'Give both id and timestamp (from magic_backups).';
    case 1034:
      return 'The server keeps no backups: it needs magic-api.backup.enable=true (and a backup data source) in its configuration.';
    case -10:
      return 'The server user has no permission for this: use an account that has.';
    case -2:
      return 'The server is in read-only mode (magic-api.resource.readonly): nothing can be changed through it.';
    default:
      return undefined;
  }
}

/** A failure as the tool's answer: an argument error by its argument, a server refusal with its code, message and remedy. */
export function failure(error: unknown, next?: string): CallToolResult {
  if (error instanceof ArgumentError) return toolError(error.message, error.next ?? next);
  if (isMagicError(error)) {
    if (error.code === 'MAGIC_REFUSED' && error.serverCode === -1 && next === undefined) {
      return errorResult(error, 'The server threw an exception (code -1): check the arguments against what the message names.');
    }
    return errorResult(error, remedy(error.serverCode) ?? next);
  }
  return errorResult(error, next);
}

/** Run a tool's body; whatever it throws becomes its `isError` answer. */
export async function answering(run: () => Promise<CallToolResult>, next?: string): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    return failure(error, next);
  }
}

/** A file as the tools list it. */
export function fileSummary(file: ScriptFile): Record<string, unknown> {
  return {
    id: file.id,
    type: file.type,
    name: file.name,
    group: file.groupNames,
    groupId: file.groupId,
    groupPath: file.group?.groupPath ?? '',
    ...(file.method !== null ? { method: file.method } : {}),
    ...(file.requestPath !== null ? { requestPath: file.requestPath } : {}),
    ...(file.key !== null ? { key: file.key } : {}),
    locked: file.locked,
    uri: file.uri,
  };
}

/** A group as the tools list it. */
export function groupSummary(group: ScriptGroup): Record<string, unknown> {
  return {
    id: group.id,
    type: group.type,
    name: group.name,
    group: group.namesText,
    path: group.path,
    groupPath: group.groupPath,
    parentId: group.parentId,
  };
}

/** The group chain's names of `groupId` in `tree` ("" for the root). */
export function groupNames(tree: ScriptTree, groupId: string): string {
  return groupId === ROOT_GROUP_ID ? '' : (tree.group(groupId)?.namesText ?? groupId);
}

/** Files and groups (the group itself included) at or below `group`. */
export function contentsBelow(tree: ScriptTree, group: ScriptGroup): { files: number; groups: number } {
  const below = new Set<string>([group.id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const candidate of tree.groups.values()) {
      if (!below.has(candidate.id) && below.has(candidate.parentId)) {
        below.add(candidate.id);
        grew = true;
      }
    }
  }
  return { files: tree.files.filter((file) => below.has(file.groupId)).length, groups: below.size };
}

function trimSlashes(text: string): string {
  return text.trim().replace(/^\/+|\/+$/g, '');
}

/** The groups of `type` a reference can mean: an id, the names from the top (`用户管理/角色`), or the group path (`user/role`). */
function groupCandidates(tree: ScriptTree, type: string, reference: string): ScriptGroup[] {
  const byId = tree.group(reference.trim());
  if (byId && byId.type === type) return [byId];
  const wanted = trimSlashes(reference);
  const byNames = tree.groupByNames(type, wanted);
  if (byNames) return [byNames];
  return [...tree.groups.values()].filter((group) => group.type === type && !group.isStorageRoot && group.groupPath !== '' && trimSlashes(group.groupPath) === wanted);
}

function groupHint(tree: ScriptTree, type: string): string {
  const some = [...tree.groups.values()].filter((group) => group.type === type && !group.isStorageRoot).slice(0, 8);
  const listed = some.map((group) => `"${group.namesText}" (${group.id})`).join(', ');
  return some.length === 0 ? `There is no ${type} group yet: create one with magic_save_group.` : `Some ${type} groups: ${listed}. magic_tree { type: "${type}" } lists them all.`;
}

/**
 * The group `reference` names, of `type`: its id, its names from the top joined with "/", or its group path
 * (`user/role`, when only one group has it). With `allowRoot`, "0", "" and "/" mean the top of the tree.
 * A miss fetches the tree again once (the group may be new) before it is an `ArgumentError` naming `argument`.
 */
export async function resolveGroup(
  magic: MagicApi,
  reference: string,
  type: string,
  argument: string,
  options: { allowRoot?: boolean; signal?: AbortSignal | undefined } = {},
): Promise<{ id: string; group: ScriptGroup | undefined; tree: ScriptTree }> {
  let tree = await magic.tree.ensure(options.signal);
  const trimmed = trimSlashes(reference);
  if (trimmed === '' || trimmed === ROOT_GROUP_ID) {
    if (options.allowRoot) return { id: ROOT_GROUP_ID, group: undefined, tree };
    throw new ArgumentError(argument, `${JSON.stringify(reference)} is the top of the tree, and this needs a group.`, groupHint(tree, type));
  }
  let found = groupCandidates(tree, type, reference);
  if (found.length === 0) {
    tree = (await magic.tree.refresh(options.signal)).tree;
    found = groupCandidates(tree, type, reference);
  }
  if (found.length === 1) return { id: found[0]!.id, group: found[0], tree };
  const other = tree.group(reference.trim());
  if (found.length === 0 && other) throw new ArgumentError(argument, `group ${reference} is a ${other.type} group, not a ${type} group.`, groupHint(tree, type));
  if (found.length > 1) {
    throw new ArgumentError(argument, `${found.length} ${type} groups have the path ${JSON.stringify(reference)}: ${found.map((group) => `"${group.namesText}" (${group.id})`).join(', ')}.`, 'Give the group id instead.');
  }
  throw new ArgumentError(argument, `no ${type} group is called ${JSON.stringify(reference)} (as an id, as its names from the top such as "用户管理/角色", or as its path such as "user/role").`, groupHint(tree, type));
}

/** The file with `id` in the tree, fetching the tree again once when it is not there (it may be new). */
export async function treeFile(magic: MagicApi, id: string, signal?: AbortSignal): Promise<{ file: ScriptFile | undefined; tree: ScriptTree }> {
  let tree = await magic.tree.ensure(signal);
  let file = tree.byId(id);
  if (!file) {
    tree = (await magic.tree.refresh(signal)).tree;
    file = tree.byId(id);
  }
  return { file, tree };
}

/**
 * The whole entity of file `id` (`GET {web}/resource/file/{id}`), or an `ArgumentError` naming `argument` when the
 * server has none.
 */
export async function loadEntity(magic: MagicApi, id: string, argument: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const entity = await magic.client.file(id, signal);
  if (entity === null || typeof entity !== 'object') {
    throw new ArgumentError(argument, `the server has no file with id ${JSON.stringify(id)}.`, 'Find the id with magic_tree (by name, path or group) or magic_search (by a line of its script).');
  }
  return entity;
}

/** True when the entity is locked (`lock` "1", `Constants.LOCK`). */
export function isLocked(entity: Record<string, unknown>): boolean {
  return entity.lock === '1';
}

/**
 * Fetch the tree now, after an edit, so the tree and the `magic-api://` resources show it before the tool answers.
 * A failure does not undo the edit: it is said in the answer (`treeRefresh`) instead.
 */
export async function refreshAfterEdit(magic: MagicApi, signal?: AbortSignal): Promise<{ tree: ScriptTree | undefined; warning?: string }> {
  try {
    return { tree: (await magic.tree.refresh(signal)).tree };
  } catch (error) {
    return { tree: magic.tree.current, warning: `the change was made, but the tree could not be fetched again (${(error as Error).message}); the resources show it after the next refresh.` };
  }
}
