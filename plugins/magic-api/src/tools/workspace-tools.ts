// The find, edit, backup and class tools of the plugin, registered together from `apply`.
import type { PluginHost } from '@mcp-host/core';
import type { MagicApi } from '../magic-api.js';
import { registerBackupTools } from './backup-tools.js';
import { registerClassTools } from './class-tools.js';
import { registerEditTools } from './edit-tools.js';
import { registerFindTools } from './find-tools.js';

/**
 * `magic_tree`, `magic_get`, `magic_search` (find-tools.ts); `magic_save_api`, `magic_save_group`, `magic_copy`,
 * `magic_move`, `magic_delete`, `magic_lock`, `magic_replace_in_script` (edit-tools.ts); `magic_backups`,
 * `magic_backup_content`, `magic_rollback`, `magic_full_backup` (backup-tools.ts); `magic_classes`, `magic_class`
 * (class-tools.ts). Registration only: every call goes out when a tool is called.
 */
export function registerWorkspaceTools(host: PluginHost, magic: MagicApi): void {
  registerFindTools(host, magic);
  registerEditTools(host, magic);
  registerBackupTools(host, magic);
  registerClassTools(host, magic);
}
