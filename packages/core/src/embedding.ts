/**
 * @mcp-host/core/host — what an embedder needs: create a host, serve it in-process or run it as the whole
 * process, load and describe its config, and map errors to what the CLI prints and exits with. Plugins import
 * `@mcp-host/core` instead.
 */
export { createHost, Host, type CreateHostOptions } from './host.js';
export type { HostDescription } from './host-description.js';
export type { HostConfigSource } from './host-config.js';
export type { ServeTarget, SessionListener, SessionHost, Transport } from './session-pool.js';
export { createHttpSessionServer } from './lazy-http.js';
export type { HttpSessionServer, HttpSessionServerOptions } from './http-session-server.js';
export type { ResolvedConfig, ResolvedPlugin } from './resolve-config.js';
export type { HostConfig, HostConfigInput, HttpTransportConfig } from './config-schema.js';
export { configJsonSchema, type SchemaPlugin } from './config-json-schema.js';
export { SEARCH_PLACES, displayPath } from './config-loader.js';
export { isPlugin } from './plugin.js';
export type { ServiceLookup } from './services.js';
export type { TapPlanEntry } from './hook-interceptors.js';
export { ERROR_CODES, formatError } from './errors.js';
export { EXIT_CODES, exitCodeFor } from './exit-codes.js';
export { CORE_VERSION } from './version.js';
