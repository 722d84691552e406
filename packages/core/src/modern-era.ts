import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  Server,
  createMcpHandler,
  type ServerCapabilities,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describeError } from './errors.js';
import type { EraHost, ModernEndpoint, ModernPeer, ModernRequestOrigin } from './era.js';
import type { LogLevel } from './logger.js';
import { checkParamHeaders, paramHeadersOf, type ParamHeader } from './param-headers.js';

/**
 * MCP 2026-07-28, served by `@modelcontextprotocol/server` 2.x: `server/discover`, the per-request `_meta`
 * envelope, result metadata (`resultType`, `ttlMs`, `cacheScope`) and `subscriptions/listen` are the SDK's; the
 * answers are the host's, from the 1.x engine's handlers (`EraHost.engine`). Loaded by the session pool on the first
 * message that claims the revision, never at startup. The wire stays the host's own: over stdio the SDK's
 * `serveStdio` reads and writes the host's tracked stdio transport (EOF, EPIPE, backpressure and the drain are
 * as for a 2025 session); over HTTP the host's listener checks Host, Origin, auth and size before a request
 * gets here.
 */

/** Methods of the engine a 2026-07-28 server answers: everything but the 2025 session's own. */
const SESSION_ONLY_METHODS = new Set(['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe']);

/** The SDK 1.x `McpError` puts `MCP error <code>: ` before its message; the 2.x server sends `message` as it is. */
const SDK_ERROR_PREFIX = /^MCP error -?\d+: /;

export function createModernEndpoint(host: EraHost): ModernEndpoint {
  /** One 2.x server over the engine's handlers: per stdio connection, per HTTP request. */
  const createServer = (sessionKey: string): Server => {
    const { name, version, instructions } = host.serverInfo();
    const engine = host.engine();
    const server = new Server({ name, version }, { capabilities: host.capabilities() as ServerCapabilities, ...(instructions ? { instructions } : {}) });
    for (const [method, handler] of engine.handlers) {
      if (SESSION_ONLY_METHODS.has(method)) continue;
      server.setRequestHandler(method as never, (async (request: unknown, ctx: ServerContext) => {
        host.setOrigin(ctx.mcpReq.signal, originOf(sessionKey, ctx));
        try {
          return await handler(request, engineExtra(ctx));
        } catch (error) {
          throw bareError(error);
        }
      }) as never);
    }
    return server;
  };

  const http = createMcpHandler(() => createServer('http-modern'), {
    legacy: 'reject',
    onerror: (error) => host.logger.debug('2026-07-28 over HTTP: %s', describeError(error)),
  });
  /** Each tool's `x-mcp-header` properties, from the engine's `tools/list` (made again when the tools change). */
  let paramHeaders: Promise<Map<string, ParamHeader[] | undefined>> | undefined;
  const paramHeadersByTool = () =>
    (paramHeaders ??= (async () => {
      const list = host.engine().handlers.get('tools/list');
      const result = list ? ((await list({ method: 'tools/list', params: {} }, { signal: new AbortController().signal, sendNotification: async () => {} })) as { tools?: { name: string; inputSchema?: unknown }[] }) : {};
      return new Map((result.tools ?? []).map((tool) => [tool.name, paramHeadersOf(tool.inputSchema)]));
    })());

  host.addPeer({
    resourceUpdated: (uri) => http.notify.resourceUpdated(uri),
    listChanged: (kind) => {
      if (kind === 'tools') {
        paramHeaders = undefined;
        http.notify.toolsChanged();
      } else if (kind === 'prompts') http.notify.promptsChanged();
      else http.notify.resourcesChanged();
    },
    close: () => http.close(),
  });

  return {
    serveConnection(transport: Transport, sessionKey: string): void {
      let current: Server | undefined;
      let remove = () => {};
      /** The listens open on this connection, by request id: their resource watches end with them. */
      const watches = new Map<string, () => void>();
      const endWatch = (id: unknown) => {
        const stop = watches.get(String(id));
        if (stop === undefined) return;
        watches.delete(String(id));
        stop();
      };
      const wire = watchingListens(transport, {
        listen: (id, uris) => void watches.set(String(id), host.watchResources(uris)),
        cancelled: endWatch,
        closed: () => {
          for (const id of [...watches.keys()]) endWatch(id);
          remove();
        },
      });
      const handle = serveStdio(
        ({ era }) => {
          if (era === 'legacy') {
            current = undefined;
            return host.createServer(sessionKey) as never;
          }
          current = createServer(sessionKey);
          return current;
        },
        { transport: wire as never, legacy: 'serve', onerror: (error) => host.logger.debug('2026-07-28 over stdio: %s', describeError(error)) },
      );
      const peer: ModernPeer = {
        resourceUpdated: (uri) => void current?.sendResourceUpdated({ uri }).catch(() => {}),
        listChanged: (kind) => {
          const sent = kind === 'tools' ? current?.sendToolListChanged() : kind === 'prompts' ? current?.sendPromptListChanged() : current?.sendResourceListChanged();
          void sent?.catch(() => {});
        },
        close: () => handle.close(),
      };
      remove = host.addPeer(peer);
    },

    fetch: (request, parsedBody) => http.fetch(request, { parsedBody }),

    async checkParamHeaders(body, headers) {
      const call = body as { method?: unknown; params?: { name?: unknown; arguments?: unknown } } | null;
      if (typeof call !== 'object' || call === null || call.method !== 'tools/call' || typeof call.params?.name !== 'string') return undefined;
      const declared = (await paramHeadersByTool()).get(call.params.name);
      return declared?.length ? checkParamHeaders(declared, call.params.arguments, headers) : undefined;
    },
  };

  function originOf(sessionKey: string, ctx: ServerContext): ModernRequestOrigin {
    const envelope = (ctx.mcpReq.envelope ?? {}) as Record<string, unknown>;
    const info = envelope[CLIENT_INFO_META_KEY] as { name?: unknown; version?: unknown } | undefined;
    const capabilities = envelope[CLIENT_CAPABILITIES_META_KEY];
    const level = envelope[LOG_LEVEL_META_KEY];
    return {
      sessionKey,
      logLevel: typeof level === 'string' ? (level as LogLevel) : undefined,
      client: () => ({
        name: typeof info?.name === 'string' ? info.name : undefined,
        version: typeof info?.version === 'string' ? info.version : undefined,
        capabilities: typeof capabilities === 'object' && capabilities !== null ? capabilities : {},
      }),
    };
  }
}

/**
 * The `extra` a 1.x handler expects, from a 2.x request context: the same signal (cancellation, and the key by
 * which `requestClient`/`requestLogger` find the request), `_meta` (progress token), related notifications. A
 * 2026-07-28 server cannot send requests to its client (the revision replaced them with `input_required`
 * results): `sendRequest` refuses with a message that says so.
 */
function engineExtra(ctx: ServerContext): unknown {
  return {
    signal: ctx.mcpReq.signal,
    requestId: ctx.mcpReq.id,
    _meta: ctx.mcpReq._meta,
    sessionId: undefined,
    authInfo: ctx.http?.authInfo,
    sendNotification: (notification: { method: string; params?: Record<string, unknown> }) => ctx.mcpReq.notify(notification as never),
    sendRequest: () =>
      Promise.reject(
        Object.assign(new Error('Requests to the client (sampling, elicitation, roots) are not available to a client on protocol revision 2026-07-28.'), { code: -32601 }),
      ),
  };
}

/** A 1.x `McpError` as the 2.x server should send it: the same code and data, the message without the prefix. */
function bareError(error: unknown): unknown {
  if (!(error instanceof Error) || typeof (error as { code?: unknown }).code !== 'number' || !SDK_ERROR_PREFIX.test(error.message)) return error;
  const { code, data } = error as Error & { code: number; data?: unknown };
  return Object.assign(new Error(error.message.replace(SDK_ERROR_PREFIX, '')), { code, ...(data !== undefined ? { data } : {}) });
}

interface ListenEvents {
  listen(id: unknown, resourceUris: readonly string[]): void;
  cancelled(id: unknown): void;
  closed(): void;
}

/**
 * The connection's transport, seen on its way to `serveStdio`: a `subscriptions/listen` asking for resource
 * updates starts the providers watching those URIs (as `resources/subscribe` does in 2025); its cancellation, or
 * the connection's end, stops them.
 */
function watchingListens(inner: Transport, events: ListenEvents): Transport {
  const wire: Transport = {
    async start() {
      inner.onmessage = (message: JSONRPCMessage, extra) => {
        const request = message as { id?: unknown; method?: string; params?: { requestId?: unknown; notifications?: { resourceSubscriptions?: unknown } } };
        if (request.method === 'subscriptions/listen' && request.id !== undefined) {
          const uris = request.params?.notifications?.resourceSubscriptions;
          if (Array.isArray(uris) && uris.length > 0) events.listen(request.id, uris.filter((uri): uri is string => typeof uri === 'string'));
        } else if (request.method === 'notifications/cancelled' && request.params?.requestId !== undefined) {
          events.cancelled(request.params.requestId);
        }
        wire.onmessage?.(message, extra);
      };
      inner.onclose = () => {
        events.closed();
        wire.onclose?.();
      };
      inner.onerror = (error) => wire.onerror?.(error);
      await inner.start();
    },
    send: (message, options) => inner.send(message, options),
    close: () => inner.close(),
  };
  if (inner.setProtocolVersion) wire.setProtocolVersion = (version) => inner.setProtocolVersion?.(version);
  return wire;
}
