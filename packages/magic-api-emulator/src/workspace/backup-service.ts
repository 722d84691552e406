/**
 * Backups as MagicDatabaseBackupService keeps them (backup/service/MagicDatabaseBackupService.java, magic-api
 * 2.2.2), in memory instead of the `magic_backup_record_v2` table (db/README.md: primary key (id, create_date)).
 *
 * - A file saved, created or moved, and a group saved, created or moved, is backed up as the JSON of its new state
 *   (onFileEvent / onFolderEvent, MagicDatabaseBackupService.java:125-152); deletes and lock changes are not.
 * - Lists select every column but `content`, newest first, at most 100 rows (FETCH_SIZE, `setMaxRows`).
 * - A second backup of the same id in the same millisecond violates the primary key; doBackup logs the failure and
 *   the record is lost (MagicDatabaseBackupService.java:76-88).
 */
import { toPrettyJson } from '../java/jackson-writer.js';
import { copyEntity, copyGroup, entityJson, groupJson, type Entity, type Group } from './entities.js';
import type { ResourceService, WorkspaceEvent } from './resource-service.js';

export interface FullSnapshot {
  groups: Group[];
  files: Entity[];
}

export interface BackupRecord {
  id: string;
  createDate: number;
  tag: string | null;
  /** api, function, datasource, task; `<type>-group` for groups; `full` for a full backup. */
  type: string;
  name: string | null;
  createBy: string | null;
  /** JsonUtils.toJsonBytes of the entity or group; a full backup holds the workspace instead of its zip. */
  content: string | FullSnapshot;
}

/** Backup (backup/model/Backup.java) as the list endpoints write it: content is not selected, so null. */
export function backupJson(record: BackupRecord): Record<string, unknown> {
  return { id: record.id, createDate: record.createDate, tag: record.tag, type: record.type, name: record.name, content: null, createBy: record.createBy };
}

/** Spring's EmptyResultDataAccessException from `queryForObject` when no row matches. */
export class EmptyResultError extends Error {
  constructor() {
    super('Incorrect result size: expected 1, actual 0');
    this.name = 'EmptyResultDataAccessException';
  }
}

const FETCH_SIZE = 100;

export class BackupService {
  private readonly records: BackupRecord[] = [];

  constructor(
    private readonly workspace: ResourceService,
    private readonly now: () => number = Date.now,
  ) {
    workspace.onEvent((event) => this.onEvent(event));
  }

  private onEvent(event: WorkspaceEvent): void {
    if (event.action !== 'SAVE' && event.action !== 'CREATE' && event.action !== 'MOVE') return;
    if (event.kind === 'file') {
      this.doBackup({ id: String(event.entity.id), type: event.type, name: event.entity.name, content: toPrettyJson(entityJson(event.entity)) });
    } else {
      this.doBackup({ id: String(event.group.id), type: `${String(event.group.type)}-group`, name: event.group.name, content: toPrettyJson(groupJson(event.group)) });
    }
  }

  doBackup(record: { id: string; type: string; name: string | null; content: string | FullSnapshot; createBy?: string | null }): void {
    const createDate = this.now();
    if (this.records.some((other) => other.id === record.id && other.createDate === createDate)) return;
    this.records.push({ id: record.id, createDate, tag: null, type: record.type, name: record.name, createBy: record.createBy ?? this.workspace.currentUser(), content: record.content });
  }

  /** doBackupAll (MagicDatabaseBackupService.java:63-74): id and type `full`. */
  doBackupAll(name: string, createBy: string | null): void {
    const snapshot: FullSnapshot = {
      groups: [...this.workspace.groups.values()].map(copyGroup),
      files: [...this.workspace.files.values()].map((entity) => copyEntity(entity)),
    };
    this.doBackup({ id: 'full', type: 'full', name, content: snapshot, createBy });
  }

  private newestFirst(rows: BackupRecord[]): BackupRecord[] {
    return rows
      .map((record, index) => ({ record, index }))
      .sort((a, b) => b.record.createDate - a.record.createDate || b.index - a.index)
      .slice(0, FETCH_SIZE)
      .map(({ record }) => record);
  }

  /** FIND_BY_TIMESTAMP: `create_date < ?` newest first. */
  backupList(timestamp: number): BackupRecord[] {
    return this.newestFirst(this.records.filter((record) => record.createDate < timestamp));
  }

  /** FIND_BY_ID */
  backupById(id: string): BackupRecord[] {
    return this.newestFirst(this.records.filter((record) => record.id === id));
  }

  /** FIND_BY_ID_AND_TIMESTAMP through `queryForObject`: exactly one row or EmptyResultDataAccessException. */
  backupInfo(id: string | null, timestamp: number): BackupRecord {
    const found = this.records.find((record) => record.id === id && record.createDate === timestamp);
    if (!found) throw new EmptyResultError();
    return found;
  }

  /** Every record, oldest first (harness view). */
  all(): readonly BackupRecord[] {
    return this.records;
  }
}
