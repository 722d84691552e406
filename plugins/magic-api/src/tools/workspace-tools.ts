// The find, edit, backup and class tools of the plugin, registered together from `apply`.
import type { PluginHost } from '@mcp-host/core';
import type { MagicApi } from '../magic-api.js';
import { registerFindTools } from './find-tools.js';

/**
 * `magic_tree`, `magic_get`, `magic_search` (find-tools.ts). Registration only: every call goes out when a tool is
 * called.
 */
export function registerWorkspaceTools(host: PluginHost, magic: MagicApi): void {
  registerFindTools(host, magic);
}
