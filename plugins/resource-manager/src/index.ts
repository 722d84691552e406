import { definePlugin } from '@mcp-host/core';
import { resourceManagerOptionsSchema } from './options.js';
import { RESOURCE_MANAGER, ResourceManager } from './resource-service.js';
import { registerSearchTool } from './search-tool.js';

export const PLUGIN_NAME = 'resource-manager';

/**
 * Serves directory trees and HTTP backends as MCP resources: paginated listing, guarded reads, templates,
 * subscriptions (directories), `resources_search`, and the `RESOURCE_MANAGER` service for other plugins,
 * which can also contribute sources of their own (`contribute()`, from their `apply`).
 * `apply` only registers; roots resolve in `start`, scans/watches/sockets open on first use, and the
 * `shutdown` tap (after any plugin listed before this one) stops watchers, destroys agents, drops caches.
 */
export default definePlugin({
  name: PLUGIN_NAME,
  // The @mcp-host/core versions this plugin is written for: another host refuses it, naming both.
  core: '^0.1.0',
  description: 'MCP resources from directories and HTTP backends, closed cleanly.',
  options: resourceManagerOptionsSchema,
  apply(host, options) {
    const manager = new ResourceManager(
      options,
      {
        logger: host.logger,
        signal: host.signal,
        pageSize: options.pageSize,
        notifyListChanged: () => host.notifyResourceListChanged(),
        notifyUpdated: (uri) => host.notifyResourceUpdated(uri),
      },
      host.configDir,
      { plugin: PLUGIN_NAME, state: () => host.state, addProvider: (source) => host.resources(source) },
    );
    for (const source of manager.all) host.resources(source);
    registerSearchTool(host, manager);
    host.provide(RESOURCE_MANAGER, manager);
    host.hooks.start.tapPromise(PLUGIN_NAME, (ctx) => manager.open(ctx.signal));
    host.hooks.shutdown.tapPromise(PLUGIN_NAME, (ctx) => manager.close(ctx.signal));
  },
});

export { RESOURCE_MANAGER, type ResourceManagerService } from './resource-service.js';
export type { ContributedSource, ContributedSourceHandle } from './contributed-source.js';
export type { SourceDescription, SourceType, Untrack } from './resource-source.js';
export { MAX_CONTENT_BYTES, MAX_URI_LENGTH } from './limits.js';
export { REFUSAL_REASONS, type RefusalReason } from './resource-error.js';
export { resourceManagerOptionsSchema, type ResourceManagerOptions, type SourceOptions, type DirectorySourceOptions, type HttpSourceOptions } from './options.js';
