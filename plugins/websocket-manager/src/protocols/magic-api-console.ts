import type { MagicApiSessionUser } from './magic-api-messages.js';

/**
 * Where the console login of a magic-api connection stands:
 * - `pending`: no accepted login on a socket right now (connecting, waiting for `login_response`, reconnecting,
 *   closed);
 * - `ok`: the current socket's login was accepted (`login_response,1`), as `user` with `clientId`;
 * - `refused`: the last login was refused (`login_response,0`); the connection waits for a new token.
 */
export type MagicApiLoginState =
  | { status: 'pending' }
  | { status: 'ok'; clientId: string; user: MagicApiSessionUser; at: number }
  | { status: 'refused'; at: number };

/**
 * The Magic-API console side of a `magic-api` connection, for the plugins that use it (`handle.console`).
 *
 * Logs, breakpoints and exceptions reach a console only for HTTP requests that carry its client id
 * (`Magic-Request-Client-Id`) and the script's id (`Magic-Request-Script-Id`): read `clientId` while `login.status`
 * is `ok`, and send both headers. Every socket gets a fresh id (and so does a login answered `-1`), so read it for
 * each request rather than keeping it.
 */
export interface MagicApiConsole {
  /** The client id of the current socket's latest login (sent or accepted); `undefined` while there is no socket. */
  readonly clientId: string | undefined;
  readonly login: MagicApiLoginState;
  /** The token the next login sends (`undefined`: `unauthorization`, the server's guest). Never logged. */
  readonly token: string | undefined;
  /**
   * Use `token` from the next login on (after the HTTP side logged in again, say); `undefined` or `''` logs in as
   * the guest. A connection waiting after a refused login tries again at once; an open one keeps its session.
   * Throws a `ConnectionError` (`WSM_INVALID_OPTIONS`) for a token with a comma, which the console would cut.
   */
  setToken(token: string | undefined): void;
  /**
   * Call `listener` with the new token each time the server replaces it (`refresh_token`, an answer to our `pong`
   * when the token is about to expire); the connection uses it from then on already. Returns the unsubscribe function.
   */
  onTokenRefresh(listener: (token: string) => void): () => void;
  /** Call `listener` on every change of `login` (after the connection's state changed). Returns the unsubscribe function. */
  onLoginChange(listener: (login: MagicApiLoginState) => void): () => void;
}
