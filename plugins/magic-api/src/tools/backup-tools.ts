// magic_backups, magic_backup_content, magic_rollback, magic_full_backup: the server's own history of every save
// (backup/web/MagicBackupController.java, backup/service/MagicDatabaseBackupService.java at v2.2.2). The server keeps
// it only with magic-api.backup.enable=true; otherwise the lists are empty and the rest answers code 1034.
import { z, type PluginHost } from '@mcp-host/core';
import type { MagicApi } from '../magic-api.js';
import { jsonResult } from './tool-result.js';
import { ArgumentError, answering, refreshAfterEdit } from './workspace-context.js';

/** The id of a full backup (`MagicBackupController#rollback`: `"full".equals(id)`). */
const FULL_ID = 'full';
/** Rows one list answers at most (`MagicDatabaseBackupService.FETCH_SIZE`, `setMaxRows`). */
const SERVER_LIST_LIMIT = 100;

interface Backup {
  id: string;
  timestamp: number;
  time: string | null;
  type: string | null;
  name: string | null;
  tag: string | null;
  createBy: string | null;
}

/** A `Backup` row (backup/model/Backup.java) as the tools show it: `createDate` is the timestamp the others take. */
function backupOf(row: Record<string, unknown>): Backup {
  const timestamp = typeof row.createDate === 'number' ? row.createDate : Number(row.createDate);
  return {
    id: String(row.id ?? ''),
    timestamp,
    time: Number.isFinite(timestamp) ? new Date(timestamp).toISOString() : null,
    type: typeof row.type === 'string' ? row.type : null,
    name: typeof row.name === 'string' ? row.name : null,
    tag: typeof row.tag === 'string' ? row.tag : null,
    createBy: typeof row.createBy === 'string' ? row.createBy : null,
  };
}

function history(magic: MagicApi, id: string, signal: AbortSignal): Promise<Backup[]> {
  return magic.client.editor<unknown>(`/backup/${encodeURIComponent(id)}`, { method: 'GET', signal }).then((rows) => (Array.isArray(rows) ? rows.map((row) => backupOf(row as Record<string, unknown>)) : []));
}

const timestampArgument = z.number().int().min(0).describe('The backup\'s timestamp: ms since the epoch, as magic_backups lists it');

export function registerBackupTools(host: PluginHost, magic: MagicApi): void {
  host.tool(
    'magic_backups',
    {
      title: 'List Magic-API backups',
      description:
        `List the Magic-API server's backups, newest first: with id, one file's or group's history; without, the latest backups of everything. Each: id, timestamp (ms, what magic_backup_content and magic_rollback take), time, type (api, function, …; "<type>-group" for a group; "full"), name, tag and who made it. The server answers at most ${SERVER_LIST_LIMIT}. It backs up every save, create and move — not deletes or lock changes — and only when backups are enabled on it.`,
      inputSchema: {
        id: z.string().optional().describe('A file or group id for its history, or "full" for the full backups; leave it out for the latest backups of everything'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      answering(async () => {
        const id = args.id?.trim();
        const backups =
          id === undefined || id === ''
            ? await magic.client.editor<unknown>('/backups', { method: 'GET', signal: extra.signal }).then((rows) => (Array.isArray(rows) ? rows.map((row) => backupOf(row as Record<string, unknown>)) : []))
            : await history(magic, id, extra.signal);
        return jsonResult({
          ...(id ? { id } : {}),
          backups,
          ...(backups.length === 0
            ? { note: `no backups${id ? ' of this id' : ''}: none was made yet, or the server keeps none (it needs magic-api.backup.enable=true).` }
            : backups.length >= SERVER_LIST_LIMIT
              ? { note: `the server lists at most ${SERVER_LIST_LIMIT}; older ones are not shown.` }
              : {}),
        });
      }),
  );

  host.tool(
    'magic_backup_content',
    {
      title: 'Read a Magic-API backup',
      description: 'Read the script of one backed-up version of a file (id and timestamp from magic_backups). Group and full backups have no script.',
      inputSchema: {
        id: z.string().describe('The id of the file, as magic_backups lists it'),
        timestamp: timestampArgument,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      answering(async () => {
        const id = args.id.trim();
        if (id === '') throw new ArgumentError('id', 'is empty: give the id magic_backups lists.');
        const script = await magic.client.editor<unknown>('/backup', { method: 'GET', query: { id, timestamp: args.timestamp }, signal: extra.signal });
        if (typeof script !== 'string') {
          return jsonResult({ id, timestamp: args.timestamp, script: null, note: 'this backup has no script: it is of a group, a data source or the whole workspace.' });
        }
        return jsonResult({ id, timestamp: args.timestamp, time: new Date(args.timestamp).toISOString(), script });
      }, 'No backup has that id and timestamp: list them with magic_backups { id }.'),
  );

  host.tool(
    'magic_rollback',
    {
      title: 'Roll back to a Magic-API backup',
      description:
        'Restore a backed-up version on the Magic-API server: a file or group (its id) as it was at that timestamp, or — with id "full" — the whole workspace from a full backup (the server first makes a full backup of the current state). The restore is itself saved and backed up; a locked file is refused. Answers what was restored.',
      inputSchema: {
        id: z.string().describe('The file or group id to restore, or "full" to restore a full backup'),
        timestamp: timestampArgument,
      },
      annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      answering(async () => {
        const signal = extra.signal;
        const id = args.id.trim();
        if (id === '') throw new ArgumentError('id', 'is empty: give a file or group id, or "full".');
        const version = (await history(magic, id, signal)).find((backup) => backup.timestamp === args.timestamp);
        if (!version) {
          throw new ArgumentError('timestamp', `${id} has no backup at ${args.timestamp}.`, 'List its backups with magic_backups { id } and take a timestamp from there.');
        }
        const restored = await magic.client.editor<unknown>('/backup/rollback', { method: 'POST', form: { id, timestamp: args.timestamp }, signal });
        if (restored !== true) throw new Error(`the server answered ${JSON.stringify(restored)}: nothing was restored.`);
        const { tree, warning } = await refreshAfterEdit(magic, signal);
        const file = id === FULL_ID ? undefined : tree?.byId(id);
        const script = file && file.type !== 'datasource' ? await magic.client.file(id, signal).then((entity) => (typeof entity?.script === 'string' ? entity.script : null)) : undefined;
        return jsonResult({
          restored: { ...version, ...(id === FULL_ID ? { kind: 'full' } : file ? { kind: 'file', uri: file.uri } : { kind: 'group' }) },
          ...(script !== undefined ? { script } : {}),
          ...(warning ? { treeRefresh: warning } : {}),
        });
      }),
  );

  host.tool(
    'magic_full_backup',
    {
      title: 'Back up the whole Magic-API workspace',
      description: 'Make a full backup of every group and file on the Magic-API server now (before a risky change; deletes are not backed up otherwise). Answers done and the backup\'s timestamp, for magic_rollback { id: "full", timestamp }.',
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    async (extra) =>
      answering(async () => {
        const done = await magic.client.editor<unknown>('/backup/full', { method: 'POST', signal: extra.signal });
        if (done !== true) throw new Error(`the server answered ${JSON.stringify(done)}: no backup was made.`);
        const latest = (await history(magic, FULL_ID, extra.signal).catch(() => [] as Backup[]))[0];
        return jsonResult({ done: true, ...(latest ? { id: FULL_ID, timestamp: latest.timestamp, time: latest.time, name: latest.name } : {}) });
      }),
  );
}
