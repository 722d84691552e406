// A Magic-API console on 127.0.0.1 for the plugin's tests, written from the Java it stands in for
// (ssssssss-team/magic-api v2.2.2, paths under magic-api/src/main/java/org/ssssssss/magicapi/):
// - core/handler/MagicWebSocketDispatcher.java: dispatch by the exact text before the first comma; each String
//   argument is cut at the next comma; a type without a handler (`ping` included) is ignored;
// - core/handler/MagicWorkbenchHandler.java: `login,<token>,<clientId>` (guest when the token is not valid and no
//   login is required; `login_response,-1` when the id is registered; `,0` when refused; else `,1,<attributes>`,
//   `online_users` to it and `user_login` to the others), `pong` (activity, and `refresh_token` when the user's
//   token expires within 60 s);
// - core/handler/MagicCoordinationHandler.java: `set_file_id,<id>` → `into_file_id,<clientId>,<id>` to the others;
// - core/config/WebSocketSessionManager.java: `buildMessage`; `checkSession` (every 20 s: `ping` to every registered
//   session, then close with 4500 those without a pong for 60 s and send `user_logout` to all); `flushLog` (`log`
//   for one line of a client, `logs` for more, always a JSON array);
// - core/model/DebugRequest.java, core/web/RequestHandler.java: `breakpoint` and `exception` as they are built.
// Only what the server does: no convenience. `check()` runs one checkSession round, so tests do not wait 20 s; the
// fixture's own timer runs it only when `checkIntervalMs` is given.
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';

/** `MagicWorkbenchHandler`'s guest: id "guest", username "游客" (guest), token "unauthorization". */
export const GUEST = { id: 'guest', username: '游客', token: 'unauthorization', timeoutSeconds: -1 };

/** A user as `AuthorizationInterceptor` knows one (`core/context/MagicUser.java`): `timeout` in seconds, ≤ 0 never expires. */
export interface ConsoleUser {
  id: string;
  username: string;
  token: string;
  timeoutSeconds: number;
}

export interface ConsoleSession {
  socket: WebSocket;
  /** The opening handshake's headers (the console reads none but the address ones, `IpUtils.getRealIP`). */
  headers: Record<string, string | string[] | undefined>;
  /** Set by every login on this socket, registered or not (`session.setClientId` comes first in `onLogin`). */
  clientId: string | undefined;
  attributes: Record<string, unknown>;
  user: ConsoleUser | undefined;
  /** `session.getTimeout()`: when the user's token expires, ms since the epoch (0: not tracked). */
  timeout: number;
  activateTime: number;
  /** Every text frame the client sent, in order. */
  received: string[];
  /** ws-level ping frames the client sent (the WebSocket container answers them). */
  pingFrames: number;
  openedAt: number;
  /** Closed by `check()` for want of a pong. */
  isDroppedByCheck: boolean;
  closed: Promise<{ code: number; reason: string }>;
}

export interface ConsoleFixtureOptions {
  /** `AuthorizationInterceptor.requireLogin()`: with it, a token it does not know is refused (`login_response,0`). */
  requireLogin?: boolean;
  /** Tokens the interceptor accepts (a custom one: the default accepts one token, and only when a login is required). */
  users?: ConsoleUser[];
  /** `AuthorizationInterceptor.refreshToken(user)`: a new token and timeout for `user` (default: unchanged, as the interface's default). */
  refreshToken?: (user: ConsoleUser) => void;
  /** Run `check()` on this interval (the server's is 20 000 ms). Left out: only when the test calls it. */
  checkIntervalMs?: number;
  /** `KEEPALIVE_TIMEOUT`, 60 000 ms in the server. */
  keepAliveTimeoutMs?: number;
}

export interface ConsoleFixture {
  url: string;
  /** Every socket that connected, in order. */
  sockets: ConsoleSession[];
  /** `WebSocketSessionManager.SESSIONS`: registered sessions by client id. */
  registered: Map<string, ConsoleSession>;
  users: ConsoleUser[];
  /** One `checkSession` round: `ping` to every registered session, then drop those idle past the keep-alive timeout. */
  check(): void;
  /** `MagicLoggerContext.println` for a request that named `clientId`, flushed as `flushLog` does (one flush). */
  log(clientId: string, lines: string[]): void;
  /** The `breakpoint` message `DebugRequest`'s callback sends to `clientId`. */
  breakpoint(clientId: string, scriptId: string, variables: { name: string; value: string; type: string }[], range: number[]): void;
  /** The `exception` message `RequestHandler.processException` sends to `clientId`. */
  exception(clientId: string, scriptId: string, message: string, range: number[] | null): void;
  close(): Promise<void>;
}

/** `WebSocketSessionManager.buildMessage`: every value but the last raw, the last JSON unless a string or number. */
export function buildMessage(type: string, ...values: unknown[]): string {
  let text = type.toLowerCase();
  values.forEach((value, index) => {
    text += ',';
    text += index + 1 < values.length || typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
  });
  return text;
}

/** `MagicWebSocketDispatcher.findHandleAndInvoke`'s argument split: each String parameter takes text up to the next comma. */
function dispatchArguments(payload: string, count: number): [string, (string | undefined)[]] {
  let index = payload.indexOf(',');
  const type = index === -1 ? payload : payload.slice(0, index);
  const values: (string | undefined)[] = [];
  for (let i = 0; i < count; i++) {
    const next = payload.indexOf(',', index + 1);
    if (next > -1) {
      values.push(payload.slice(index + 1, next));
      index = next;
    } else if (index > -1) {
      values.push(payload.slice(index + 1));
    } else {
      values.push(undefined);
    }
  }
  return [type, values];
}

export async function startConsoleFixture(options: ConsoleFixtureOptions = {}): Promise<ConsoleFixture> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/magic/web/console' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const users = options.users ?? [];
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 60_000;
  const sockets: ConsoleSession[] = [];
  const registered = new Map<string, ConsoleSession>();

  const sendBySession = (session: ConsoleSession, text: string) => {
    if (session.socket.readyState === session.socket.OPEN) session.socket.send(text);
  };
  const sendToOthers = (clientId: string | undefined, text: string) => {
    for (const session of registered.values()) if (session.clientId !== clientId) sendBySession(session, text);
  };
  const sendByClientId = (clientId: string, text: string) => {
    const session = registered.get(clientId);
    if (session) sendBySession(session, text);
  };
  const getUserByToken = (token: string | undefined): ConsoleUser | undefined => {
    const user = users.find((candidate) => candidate.token === token);
    if (user) return user;
    // DefaultAuthorizationInterceptor throws for a token it does not know; onLogin then takes the guest unless a login is required.
    return options.requireLogin ? undefined : { ...GUEST };
  };

  const onLogin = (session: ConsoleSession, token: string | undefined, clientId: string | undefined) => {
    session.clientId = clientId;
    session.attributes.cid = clientId;
    const user = getUserByToken(token);
    if (!user) {
      sendBySession(session, buildMessage('LOGIN_RESPONSE', '0'));
      return;
    }
    if (user.timeoutSeconds > 0) {
      session.user = user;
      session.timeout = user.timeoutSeconds * 1000 + Date.now();
    }
    session.attributes.id = user.id;
    session.attributes.ip = '127.0.0.1';
    session.attributes.username = user.username;
    session.activateTime = Date.now();
    // SESSIONS.get(null) throws: the dispatcher logs it and nothing is sent.
    if (clientId === undefined) return;
    if (registered.has(clientId)) {
      sendBySession(session, buildMessage('LOGIN_RESPONSE', '-1'));
      return;
    }
    registered.set(clientId, session);
    sendBySession(session, buildMessage('LOGIN_RESPONSE', '1', session.attributes));
    const online = [...registered.values()].map((each) => each.attributes);
    if (online.length > 0) sendByClientId(clientId, buildMessage('ONLINE_USERS', online));
    sendToOthers(clientId, buildMessage('USER_LOGIN', session.attributes));
  };

  const onPong = (session: ConsoleSession) => {
    session.activateTime = Date.now();
    const user = session.user;
    if (user && session.timeout - Date.now() < 60 * 1000) {
      const oldToken = user.token;
      options.refreshToken?.(user);
      session.timeout = Date.now() + user.timeoutSeconds * 1000;
      if (user.token !== oldToken) sendBySession(session, buildMessage('REFRESH_TOKEN', user.token));
    }
  };

  server.on('connection', (socket, request) => {
    let resolveClosed!: (value: { code: number; reason: string }) => void;
    const session: ConsoleSession = {
      socket,
      headers: request.headers,
      clientId: undefined,
      attributes: {},
      user: undefined,
      timeout: 0,
      activateTime: Date.now(),
      received: [],
      pingFrames: 0,
      openedAt: Date.now(),
      isDroppedByCheck: false,
      closed: new Promise((resolve) => (resolveClosed = resolve)),
    };
    sockets.push(session);
    socket.on('error', () => {});
    socket.on('ping', () => session.pingFrames++);
    socket.on('message', (data, isBinary) => {
      if (isBinary) return; // a TextWebSocketHandler: binary frames are not its business
      const payload = data.toString();
      session.received.push(payload);
      const [type] = dispatchArguments(payload, 0);
      switch (type) {
        case 'login': {
          const [, [token, clientId]] = dispatchArguments(payload, 2);
          onLogin(session, token, clientId);
          break;
        }
        case 'pong':
          onPong(session);
          break;
        case 'set_file_id': {
          // A missing argument is null in Java, and written as "null".
          const fileId = dispatchArguments(payload, 1)[1][0] ?? null;
          session.attributes.fileId = fileId;
          sendToOthers(session.clientId, buildMessage('INTO_FILE_ID', session.attributes.cid, fileId));
          break;
        }
        default:
          // No handler (`ping` included): ignored.
          break;
      }
    });
    socket.on('close', (code, reason) => {
      // MagicWebSocketDispatcher.afterConnectionClosed: removes the registration under this socket's client id (even
      // one another socket holds, after a -1) and tells the others. A session checkSession closed was forgotten first
      // (MagicConsoleSession.close() drops it from the cache), so nothing more happens for it.
      if (!session.isDroppedByCheck && session.clientId !== undefined) registered.delete(session.clientId);
      if (!session.isDroppedByCheck && session.clientId !== undefined && Object.keys(session.attributes).length > 0) {
        for (const other of registered.values()) sendBySession(other, buildMessage('USER_LOGOUT', session.attributes));
      }
      resolveClosed({ code, reason: reason.toString() });
    });
  });

  const check = () => {
    const idleSince = Date.now() - keepAliveTimeoutMs;
    for (const [clientId, session] of [...registered]) {
      sendBySession(session, buildMessage('PING'));
      if (session.activateTime < idleSince) {
        registered.delete(clientId);
        session.isDroppedByCheck = true;
        // MagicConsoleSession.close(): CloseStatus.SESSION_NOT_RELIABLE.
        session.socket.close(4500);
        for (const other of registered.values()) sendBySession(other, buildMessage('USER_LOGOUT', session.attributes));
      }
    }
  };
  const timer = options.checkIntervalMs === undefined ? undefined : setInterval(check, options.checkIntervalMs);

  let closing: Promise<void> | undefined;
  const fixture: ConsoleFixture = {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/magic/web/console`,
    sockets,
    registered,
    users,
    check,
    log(clientId, lines) {
      sendByClientId(clientId, buildMessage(lines.length > 1 ? 'LOGS' : 'LOG', lines));
    },
    breakpoint(clientId, scriptId, variables, range) {
      sendByClientId(clientId, buildMessage('BREAKPOINT', scriptId, { variables, range }));
    },
    exception(clientId, scriptId, message, range) {
      sendByClientId(clientId, buildMessage('EXCEPTION', [scriptId, message, range]));
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        for (const { socket } of sockets) socket.terminate();
        server.close(() => resolve());
      });
      return closing;
    },
  };
  onTestFinished(() => fixture.close());
  return fixture;
}
