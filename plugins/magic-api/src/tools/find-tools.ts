// magic_tree, magic_get, magic_search: finding a script by where it sits, by what it answers, or by a line of it.
import { z, type PluginHost } from '@mcp-host/core';
import type { MagicApi } from '../magic-api.js';
import type { ScriptFile, ScriptGroup, ScriptTree } from '../script-tree.js';
import { fileMetadata } from '../tree-resources.js';
import { jsonResult } from './tool-result.js';
import { ArgumentError, answering, fileSummary, groupSummary, loadEntity, treeFile } from './workspace-context.js';

/** Most files (and groups) one magic_tree answer lists: a 5 000-file tree would not fit a model's context. */
export const TREE_LIMIT = 200;
const DEFAULT_SEARCH_LIMIT = 50;
const MAX_SEARCH_LIMIT = 500;

const READ_ONLY = { readOnlyHint: true, openWorldHint: false } as const;

function includes(haystack: string | null | undefined, needle: string | undefined): boolean {
  return needle === undefined || (haystack ?? '').toLowerCase().includes(needle);
}

function optionalText(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** Groups matching the filters that apply to groups (type, group, path, name, query); none once a method is asked for. */
function matchingGroups(tree: ScriptTree, filters: { type?: string; group?: string; method?: string; path?: string; name?: string; query?: string }): ScriptGroup[] {
  if (filters.method !== undefined) return [];
  const group = filters.group?.toLowerCase();
  const path = filters.path?.toLowerCase().replace(/^\/+/, '');
  const name = filters.name?.toLowerCase();
  const query = filters.query?.toLowerCase();
  const found: ScriptGroup[] = [];
  for (const candidate of tree.groups.values()) {
    if (candidate.isStorageRoot) continue;
    if (filters.type !== undefined && candidate.type !== filters.type) continue;
    if (group !== undefined && !(candidate.id.toLowerCase() === group || includes(candidate.namesText, group) || includes(candidate.groupPath, group))) continue;
    if (path !== undefined && !includes(candidate.groupPath, path)) continue;
    if (!includes(candidate.name, name)) continue;
    if (query !== undefined && !(includes(candidate.namesText, query) || includes(candidate.groupPath, query) || candidate.id.toLowerCase().includes(query))) continue;
    found.push(candidate);
  }
  return found.sort((a, b) => (a.type === b.type ? (a.namesText < b.namesText ? -1 : a.namesText > b.namesText ? 1 : 0) : a.type < b.type ? -1 : 1));
}

export function registerFindTools(host: PluginHost, magic: MagicApi): void {
  host.tool(
    'magic_tree',
    {
      title: 'List Magic-API scripts and groups',
      description:
        `List the Magic-API server's files (APIs, functions, tasks, data sources) and groups, filtered. Each file: id, type, name, group (its group names from the top, e.g. "用户管理/角色"), groupPath (e.g. "user/role"), method and requestPath (APIs: what a client calls, e.g. GET /user/role/list), locked, and its magic-api:// resource URI. All filters are optional, case-insensitive substrings, and combine. At most ${TREE_LIMIT} files and ${TREE_LIMIT} groups come back (truncated says so: narrow the filters). Use it to find the id the other magic_* tools take.`,
      inputSchema: {
        type: z.string().optional().describe('Only this type: "api", "function", "task" or "datasource"'),
        group: z.string().optional().describe('Only files in groups whose id equals this, or whose names (e.g. "用户管理/角色") or path (e.g. "user/role") contain it'),
        method: z.string().optional().describe('Only APIs with this HTTP method, e.g. "GET" or "POST" (exact, any case); leaves groups out'),
        path: z.string().optional().describe('Only files whose request path contains this, e.g. "/user/" (the prefix and group paths included, as a client calls it)'),
        name: z.string().optional().describe('Only files (and groups) whose name contains this, e.g. "用户"'),
        query: z.string().optional().describe('Only files matching this anywhere: name, group names, request path, "METHOD /path", id, data source key or URI'),
      },
      annotations: READ_ONLY,
    },
    async (args, extra) =>
      answering(async () => {
        const filters = {
          type: optionalText(args.type)?.toLowerCase(),
          group: optionalText(args.group),
          method: optionalText(args.method)?.toUpperCase(),
          path: optionalText(args.path),
          name: optionalText(args.name),
          query: optionalText(args.query),
        };
        const tree = await magic.tree.ensure(extra.signal);
        const types = [...new Set([...tree.files.map((file) => file.type), ...[...tree.groups.values()].map((group) => group.type)])].sort();
        if (filters.type !== undefined && !types.includes(filters.type)) {
          throw new ArgumentError('type', `the server has nothing of type ${JSON.stringify(args.type)}.`, `Its types: ${types.join(', ') || '(none: the tree is empty)'}.`);
        }
        const files: ScriptFile[] = tree.filter({ type: filters.type, group: filters.group, method: filters.method, path: filters.path, name: filters.name, text: filters.query }, TREE_LIMIT + 1);
        const groups = matchingGroups(tree, filters);
        const truncated = files.length > TREE_LIMIT || groups.length > TREE_LIMIT;
        return jsonResult({
          files: files.slice(0, TREE_LIMIT).map(fileSummary),
          groups: groups.slice(0, TREE_LIMIT).map(groupSummary),
          truncated,
          ...(truncated ? { note: `more than ${TREE_LIMIT} matched: narrow the filters (type, group, path, name).` } : {}),
          treeFetchedAt: new Date(tree.fetchedAt).toISOString(),
        });
      }),
  );

  host.tool(
    'magic_get',
    {
      title: 'Get one Magic-API script',
      description:
        'Get one file of the Magic-API server whole: its script and every field (parameters, headers, options, description, lock, who saved it when), as the editor has it. Name it by id (from magic_tree or magic_search), or, for an API, by the method and the request path a client calls (e.g. GET /user/7 finds the API at /user/{id}). A data source shows its configuration with the password redacted.',
      inputSchema: {
        id: z.string().optional().describe('The file id (32 hex characters, from magic_tree or magic_search); or leave it out and give method and path'),
        method: z.string().optional().describe('With path, instead of id: the HTTP method of the API, e.g. "GET"'),
        path: z.string().optional().describe('With method, instead of id: the request path a client calls, e.g. "/user/list" or "/user/7" (no query string)'),
      },
      annotations: READ_ONLY,
    },
    async (args, extra) =>
      answering(async () => {
        const id = optionalText(args.id);
        const method = optionalText(args.method);
        const path = optionalText(args.path);
        let file: ScriptFile | undefined;
        if (id !== undefined) {
          ({ file } = await treeFile(magic, id, extra.signal));
        } else {
          if (method === undefined && path === undefined) throw new ArgumentError('id', 'give the file id, or method and path.');
          if (method === undefined) throw new ArgumentError('method', `give the HTTP method of the API at ${path}, e.g. "GET".`);
          if (path === undefined) throw new ArgumentError('path', 'give the request path, e.g. "/user/list".');
          const requestPath = path.split('?')[0]!.startsWith('/') ? path.split('?')[0]! : `/${path.split('?')[0]}`;
          let tree = await magic.tree.ensure(extra.signal);
          file = tree.findApi(method, requestPath);
          if (!file) {
            tree = (await magic.tree.refresh(extra.signal)).tree;
            file = tree.findApi(method, requestPath);
          }
          if (!file) {
            const others = tree.filter({ type: 'api', path: requestPath }, 5).map((other) => `${other.method} ${other.requestPath}`);
            throw new ArgumentError('path', `no API answers ${method.toUpperCase()} ${requestPath}.`, others.length > 0 ? `Nearby: ${others.join(', ')}.` : 'magic_tree { path } lists APIs by part of their path.');
          }
        }
        const entity = await loadEntity(magic, file?.id ?? id!, 'id', extra.signal);
        if (!file) {
          // On the server but not (yet) in the tree: the entity alone.
          return jsonResult({ id: entity.id, type: null, script: typeof entity.script === 'string' ? entity.script : null, entity });
        }
        const metadata = fileMetadata(file, entity);
        return jsonResult({ ...metadata, script: typeof entity.script === 'string' ? entity.script : null });
      }),
  );

  host.tool(
    'magic_search',
    {
      title: 'Search Magic-API scripts',
      description:
        "Full-text search over every script on the Magic-API server (the editor's search): for each file whose script contains the keyword (case-sensitive, exact text), the first line that has it — file (id, type, name, request path, URI), line number (1-based) and that line's text. Use it to find which script does something, then magic_get it.",
      inputSchema: {
        keyword: z.string().min(1).describe('The exact text to look for (case-sensitive), e.g. "select * from user" or "log.info"'),
        limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).optional().describe(`At most this many files (default ${DEFAULT_SEARCH_LIMIT})`),
      },
      annotations: READ_ONLY,
    },
    async (args, extra) =>
      answering(async () => {
        if (args.keyword.trim() === '') throw new ArgumentError('keyword', 'is blank: the server finds nothing for a blank keyword; give the text to look for.');
        const limit = args.limit ?? DEFAULT_SEARCH_LIMIT;
        const hits = await magic.client.editor<unknown>('/search', { method: 'POST', form: { keyword: args.keyword }, signal: extra.signal });
        const list = Array.isArray(hits) ? (hits as Record<string, unknown>[]) : [];
        const tree = await magic.tree.ensure(extra.signal);
        const shown = list.slice(0, limit).map((hit) => {
          const id = String(hit.id ?? '');
          const file = tree.byId(id);
          return {
            file: file ? { id, type: file.type, name: file.name, ...(file.method !== null ? { method: file.method } : {}), ...(file.requestPath !== null ? { requestPath: file.requestPath } : {}), uri: file.uri } : { id },
            line: typeof hit.line === 'number' ? hit.line : null,
            text: typeof hit.text === 'string' ? hit.text : null,
          };
        });
        return jsonResult({
          keyword: args.keyword,
          found: list.length,
          returned: shown.length,
          hits: shown,
          ...(list.length === 0 ? { note: 'no script contains it; the search is case-sensitive and matches the exact text.' } : {}),
          ...(list.length > shown.length ? { note: `${list.length - shown.length} more: raise limit or use a longer keyword.` } : {}),
        });
      }),
  );
}
