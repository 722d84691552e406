/**
 * @mcp-host/plugin-magic-api — a Magic-API 2.x server for an assistant: its editor HTTP API (form login, `Magic-Token`,
 * envelopes checked, one keep-alive pool), its console opened through websocket-manager, and its script tree served
 * as `magic-api://` resources through resource-manager — shut down in order: calls in flight, then the console,
 * then the HTTP sockets.
 */
import { createServiceKey, definePlugin } from '@mcp-host/core';
import type { ResourceManagerService } from '@mcp-host/plugin-resource-manager';
import { WS_MANAGER } from './console-link.js';
import { MagicApi } from './magic-api.js';
import { magicApiOptionsSchema } from './options.js';
import { registerRunTools } from './tools/run-tools.js';
import { registerWorkspaceTools } from './tools/workspace-tools.js';

export const PLUGIN_NAME = 'magic-api';
/** websocket-manager's plugin (and shutdown tap) name: this plugin's first shutdown tap runs before it. */
const WEBSOCKET_MANAGER = 'websocket-manager';

/** resource-manager's service; keys match by id (this plugin imports only the other plugins' types). */
export const RESOURCE_MANAGER = createServiceKey<ResourceManagerService>('resource-manager');

export default definePlugin({
  name: PLUGIN_NAME,
  // The @mcp-host/core versions this plugin is written for: another host refuses it, naming both.
  core: '^0.1.0',
  description: 'A Magic-API 2.x server: editor HTTP API with login, its console (through websocket-manager), its script tree as magic-api:// resources (through resource-manager).',
  options: magicApiOptionsSchema,
  apply(host, options) {
    // List websocket-manager and resource-manager before this plugin: their services must exist now.
    const manager = options.console === false ? undefined : host.inject(WS_MANAGER);
    const resourceManager = options.resources ? host.inject(RESOURCE_MANAGER) : undefined;
    const magic = new MagicApi(options, { logger: host.logger, signal: host.signal, manager, withResources: resourceManager !== undefined });
    if (resourceManager && magic.resources) magic.resources.attach(resourceManager.contribute(magic.resources, { plugin: PLUGIN_NAME }));
    registerRunTools(host, magic, options);
    registerWorkspaceTools(host, magic);
    // Opened once the host serves, not in start: the console's `import('ws')` and the tree's first fetch would
    // otherwise run while the client's first request waits in the pipe (issue 13, Magic-API cold start).
    host.hooks.ready.tapPromise(PLUGIN_NAME, async () => magic.start());
    // Shutdown in three steps: this plugin's calls stop while the console is still open (paused debug runs are
    // resumed there), websocket-manager closes the console, resource-manager the resources, and last the
    // HTTP sockets close — nothing uses a closed connection.
    host.hooks.shutdown.tapPromise({ name: PLUGIN_NAME, before: WEBSOCKET_MANAGER }, async () => magic.stopCalls());
    host.hooks.shutdown.tapPromise(PLUGIN_NAME, (ctx) => magic.close(ctx.signal));
  },
});

export { MagicApi, type MagicApiContext } from './magic-api.js';
export { MagicClient, TOKEN_HEADER, type MagicClientOptions, type EditorRequest, type ApiRequest, type ApiResponse, type FormFields, type ServerConfig } from './magic-client.js';
export { MagicError, isMagicError, MAGIC_ERROR_CODES, type MagicErrorCode } from './magic-error.js';
export { HttpPool, describeEndpoint, type PoolRequest, type PoolResponse } from './http-pool.js';
export { readEnvelope, SUCCESS_CODE, LOGIN_REFUSED_CODE, type Envelope } from './envelope.js';
export { ScriptTree, KNOWN_TYPES, matchesText, type ScriptFile, type ScriptGroup, type RawTree, type RawTreeNode, type TreeQuery, type KnownType } from './script-tree.js';
export { TreeRefresher, treesDiffer, type TreeChange, type TreeListener } from './tree-refresher.js';
export { TreeResources, SOURCE_NAME, SCRIPT_MIME_TYPE, toResource, fileMetadata, listingDiffers } from './tree-resources.js';
export { ConsoleLink, WS_MANAGER, CLIENT_ID_HEADER, SCRIPT_ID_HEADER, BREAKPOINTS_HEADER } from './console-link.js';
export { ConsoleCalls, RunRefusal, DEFAULT_LOG_WAIT_MS, type CallInput, type CallOutcome, type ConsoleException, type LogCollector } from './console-calls.js';
export { DebugSessions, isPaused, type DebugRun, type DebugAnswer, type PauseState } from './debug-sessions.js';
export { registerRunTools } from './tools/run-tools.js';
export { URI_PREFIX, URI_SCHEME, canonicalUri, encodeSegment, buildUri } from './resource-uri.js';
export { apiRequestPath, scriptPath, compilePathPattern } from './request-mapping.js';
export {
  magicApiOptionsSchema,
  resolveEndpoints,
  DEFAULT_BASE_URL,
  DEFAULT_WEB,
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_REFRESH_SECONDS,
  DEFAULT_CONSOLE_NAME,
  DEFAULT_DEBUG_TIMEOUT_SECONDS,
  type MagicApiOptions,
  type MagicApiOptionsInput,
  type MagicEndpoints,
} from './options.js';
