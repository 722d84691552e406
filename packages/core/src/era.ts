import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { LogLevel, Logger } from './logger.js';
import type { ParamHeaderMismatch } from './param-headers.js';
import type { RequestClient } from './plugin.js';

/**
 * The two protocol eras the host serves. 2025 (2025-11-25 and older, negotiated by `initialize`) is served by
 * `@modelcontextprotocol/sdk` 1.x as before; 2026-07-28 (no handshake: every request carries its revision, client
 * and capabilities in `_meta`) by `@modelcontextprotocol/server` 2.x, loaded only when a client speaks it. Both
 * answer through the same registrations: the 2026 servers call the handlers of one 1.x server made for them.
 * This file is what the rest of the core needs to know of it; `modern-era.ts` is the code, loaded on demand.
 */

/** The first revision of the modern era. */
export const MODERN_REVISION = '2026-07-28';

/** The `_meta` key a 2026-07-28 request names its revision with (its presence is the era's claim). */
export const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';

/** A parsed request handler of the engine, by method: `(request, extra) => result`. */
export type RequestHandlerTable = Map<string, (request: unknown, extra: unknown) => Promise<unknown>>;

/** Where a 2026-07-28 request came from: what its envelope said. */
export interface ModernRequestOrigin {
  readonly sessionKey: string;
  client(): RequestClient;
  /** The envelope's `io.modelcontextprotocol/logLevel`; without one, the request gets no log notifications. */
  readonly logLevel: LogLevel | undefined;
}

/** A 2026-07-28 connection or endpoint, told when what it serves changes. */
export interface ModernPeer {
  resourceUpdated(uri: string): void;
  listChanged(kind: 'tools' | 'prompts' | 'resources'): void;
  close(): Promise<void>;
}

/** What the 2026-07-28 serving code gets from the session pool. */
export interface EraHost {
  readonly logger: Logger;
  serverInfo(): { name: string; version: string; instructions?: string | undefined };
  /** A 2025 server for one session (a connection that opened with a probe, then sent `initialize`). */
  createServer(sessionKey: string): McpServer;
  /** The 1.x server whose handlers answer 2026-07-28 requests (every registration on it). */
  engine(): { server: McpServer; handlers: RequestHandlerTable };
  /** What the host serves now, as capabilities (the same a 2025 session's server declares). */
  capabilities(): Record<string, object>;
  /** Map a request's signal to where it came from (for `requestClient`/`requestLogger`). */
  setOrigin(signal: AbortSignal, origin: ModernRequestOrigin): void;
  /** Tell `peer` of changes from now on; returns what stops it. */
  addPeer(peer: ModernPeer): () => void;
  /** A `subscriptions/listen` asked for updates of `uris`: have their providers watch them; the returned function stops. */
  watchResources(uris: readonly string[]): () => void;
}

/** The 2026-07-28 serving code, as the pool and the HTTP listener use it. */
export interface ModernEndpoint {
  /** Serve one stdio/in-memory connection whose first message claimed 2026-07-28 (2025 fallback included). */
  serveConnection(transport: Transport, sessionKey: string): void;
  /** Answer one HTTP request that claimed 2026-07-28 (body already parsed); the response, maybe a stream. */
  fetch(request: Request, parsedBody: unknown): Promise<Response>;
  /** A `tools/call` whose `Mcp-Param-*` headers disagree with its arguments: the refusal (HTTP 400); else undefined. */
  checkParamHeaders(body: unknown, headers: IncomingHttpHeaders): Promise<ParamHeaderMismatch | undefined>;
}

/**
 * True when `message` (or any message of a batch) claims the 2026-07-28 era: its `params._meta` carries the
 * per-request envelope's protocol-version key. A connection's first message decides its era this way (stdio), and
 * each HTTP request its own.
 */
export function hasModernClaim(message: unknown): boolean {
  if (Array.isArray(message)) return message.some(hasModernClaim);
  if (typeof message !== 'object' || message === null) return false;
  const meta = (message as { params?: { _meta?: unknown } }).params?._meta;
  return typeof meta === 'object' && meta !== null && PROTOCOL_VERSION_META_KEY in meta;
}
