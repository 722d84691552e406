/**
 * @mcp-host/plugin-websocket-manager — backend WebSocket connections managed for the host's lifetime:
 * reconnect with backoff, ping-frame heartbeat, a bounded buffer of received messages, MCP tools to read
 * and send, a service for other plugins, and a shutdown that always closes every socket within its bound.
 */
import { definePlugin } from '@mcp-host/core';
import { ConnectionManager } from './connection-manager.js';
import { pluginOptions } from './options.js';
import { WS_MANAGER } from './service.js';
import { registerTools } from './tools.js';

export const PLUGIN_NAME = 'websocket-manager';

/** Time the shutdown tap keeps beyond the longest `closeTimeoutMs`: terminating and settling a socket. */
const SHUTDOWN_MARGIN_MS = 250;

export default definePlugin({
  name: PLUGIN_NAME,
  // The @mcp-host/core versions this plugin is written for: another host refuses it, naming both.
  core: '^0.1.0',
  description: 'Managed backend WebSocket connections: reconnect, heartbeat, message buffer, ws_* tools; always closed cleanly.',
  options: pluginOptions,
  apply(host, options) {
    const manager = new ConnectionManager(options, host.logger);
    host.provide(WS_MANAGER, manager);
    registerTools(host, manager);
    host.hooks.start.tapPromise(PLUGIN_NAME, (ctx) => manager.connectAll(ctx.signal));
    // As shutdown begins (before requests drain and the shutdown taps run), nothing reconnects and no
    // heartbeat or backoff timer is left armed.
    host.hooks.stopping.tap(PLUGIN_NAME, () => manager.stopAll());
    // The tap asks for the time its connections are configured to need, instead of the host's default bound.
    host.hooks.shutdown.tapPromise({ name: PLUGIN_NAME, timeoutMs: manager.closeTimeoutMs + SHUTDOWN_MARGIN_MS }, async (ctx) => {
      await manager.closeAll(ctx.signal);
    });
  },
});

export { ConnectionManager } from './connection-manager.js';
export { ManagedConnection, SHUTDOWN_CLOSE_CODE, SHUTDOWN_CLOSE_REASON, type CloseOutcome } from './managed-connection.js';
export { MessageBuffer, DEFAULT_AROUND_WINDOW_MS, type BufferedMessage, type DecodedMessage, type MessageQuery } from './message-buffer.js';
export type { WaitForOptions } from './message-wait.js';
export { ConnectionError, isConnectionError, type ConnectionErrorCode } from './connection-error.js';
export { backoffDelay } from './backoff.js';
export { parseTimeExpression } from './time-expression.js';
export { createProtocol } from './protocols/create-protocol.js';
export { createMagicApiProtocol, createClientId, MagicApiProtocol, GUEST_TOKEN, MAX_LOGINS_PER_SOCKET, type MagicApiAuth } from './protocols/magic-api.js';
export {
  parseMagicApiMessage,
  MAGIC_API_TYPES,
  type MagicApiType,
  type MagicApiMessage,
  type MagicApiBufferedMessage,
  type MagicApiSessionUser,
  type MagicApiVariable,
} from './protocols/magic-api-messages.js';
export type { MagicApiConsole, MagicApiLoginState } from './protocols/magic-api-console.js';
export { createJsonProtocol } from './protocols/json.js';
export { createTextProtocol } from './protocols/text.js';
export type { Protocol, ProtocolLink } from './protocols/protocol.js';
export {
  WS_MANAGER,
  type WebSocketManagerService,
  type ConnectionHandle,
  type MagicApiConnectionHandle,
  type ConnectionInfo,
  type ConnectionState,
  type MessageGuard,
  type MessageListener,
  type SendOptions,
} from './service.js';
export {
  pluginOptions,
  connectionOptions,
  PROTOCOL_NAMES,
  DEFAULT_ADDED_CLOSE_TIMEOUT_MS,
  type ProtocolName,
  type ConnectionOptions,
  type ConnectionOptionsInput,
  type WebSocketManagerOptions,
  type WebSocketManagerOptionsInput,
} from './options.js';
