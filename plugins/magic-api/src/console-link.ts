// The Magic-API console, opened through websocket-manager's service. Paths are under
// magic-api/src/main/java/org/ssssssss/magicapi/ in ssssssss-team/magic-api at v2.2.2.
import { createServiceKey, type Logger } from '@mcp-host/core';
import type { MagicApiConnectionHandle, WebSocketManagerService } from '@mcp-host/plugin-websocket-manager';
import type { MagicClient } from './magic-client.js';

/**
 * websocket-manager's service. The key is made here rather than imported: keys match by id, and a plugin never loads
 * another plugin's code — only its types.
 */
export const WS_MANAGER = createServiceKey<WebSocketManagerService>('websocket-manager');

/**
 * The headers that make an API request "requested from test" (`core/web/RequestHandler.java:95`,
 * `core/config/Constants.java`): only with both does the server send that request's log lines, breakpoints and
 * exception to the console session of that client id.
 */
export const CLIENT_ID_HEADER = 'Magic-Request-Client-Id';
export const SCRIPT_ID_HEADER = 'Magic-Request-Script-Id';
/** Lines to pause at, joined with `,` (`core/model/DebugRequest.java`). */
export const BREAKPOINTS_HEADER = 'Magic-Request-Breakpoints';

export interface ConsoleLinkOptions {
  manager: WebSocketManagerService;
  /** The connection's name in websocket-manager. */
  name: string;
  url: string;
  bufferSize: number;
  client: MagicClient;
  logger: Logger;
}

/**
 * This plugin's console connection: added to websocket-manager (`protocol: 'magic-api'`) once the token it logs in
 * with is known — at start with a token or in the server's guest mode, after the first successful `/login` with a
 * username and password — and from then on managed there (reconnects, keep-alive, buffer, `ws_*` tools, closed in
 * its shutdown tap). Tokens flow both ways: a login over HTTP hands the new token to the console (`setToken`), and
 * the console's `refresh_token` replaces the token the HTTP side sends.
 */
export class ConsoleLink {
  readonly #options: ConsoleLinkOptions;
  #handle: MagicApiConnectionHandle | undefined;
  readonly #unsubscribes: (() => void)[] = [];
  #isClosed = false;

  constructor(options: ConsoleLinkOptions) {
    this.#options = options;
    this.#unsubscribes.push(
      options.client.onLogin((token) => {
        if (this.#handle) this.#handle.console.setToken(token);
        else this.open();
      }),
    );
  }

  get name(): string {
    return this.#options.name;
  }

  get url(): string {
    return this.#options.url;
  }

  /** The connection, once added. */
  get handle(): MagicApiConnectionHandle | undefined {
    return this.#handle;
  }

  /** The console's client id while its login is accepted; `undefined` otherwise (no socket, logging in, refused). */
  get clientId(): string | undefined {
    const login = this.#handle?.console.login;
    return login?.status === 'ok' ? login.clientId : undefined;
  }

  /**
   * The headers that route a request's logs (and breakpoints, exception) for script `scriptId` to this console, or
   * `undefined` while it is not logged in. Read them for each request: every socket has its own client id.
   */
  requestHeaders(scriptId: string): Record<string, string> | undefined {
    const clientId = this.clientId;
    return clientId === undefined ? undefined : { [CLIENT_ID_HEADER]: clientId, [SCRIPT_ID_HEADER]: scriptId };
  }

  /** Add the connection with the client's current token (idempotent; nothing once closed or when websocket-manager is shutting down). */
  open(): void {
    if (this.#handle || this.#isClosed) return;
    const { manager, name, url, bufferSize, client, logger } = this.#options;
    const token = client.token;
    try {
      this.#handle = manager.add({ name, url, protocol: 'magic-api', bufferSize, ...(token !== undefined ? { auth: { token } } : {}) });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'WSM_CLOSED') {
        logger.debug('console %s not opened: the host is shutting down', name);
        return;
      }
      throw error;
    }
    this.#unsubscribes.push(this.#handle.console.onTokenRefresh((fresh) => client.setToken(fresh)));
    logger.debug('console %s added: %s', name, url);
  }

  /** Stop relaying tokens. The connection itself is closed by websocket-manager's shutdown tap. */
  close(): void {
    this.#isClosed = true;
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
  }
}
