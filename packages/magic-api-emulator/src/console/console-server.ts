/**
 * The console WebSocket `{web}/console`: WebSocketSessionManager (core/config/WebSocketSessionManager.java),
 * MagicWebSocketDispatcher (core/handler/MagicWebSocketDispatcher.java), MagicWorkbenchHandler,
 * MagicDebugHandler, MagicCoordinationHandler (core/handler/*.java), MagicConsoleSession
 * (core/context/MagicConsoleSession.java), as they behave on one instance (the default MagicNotifyService does
 * nothing, MagicAPIAutoConfiguration.java:219-224, so everything "sent to other machines" goes nowhere).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { WebSocket } from 'ws';
import { toPrettyJson } from '../java/jackson-writer.js';
import { hashMapOrder } from '../java/hash-order.js';
import { JavaMap, type JavaValue } from '../java/values.js';
import type { Authorization, MagicUser } from '../auth/authorization.js';
import type { DebugContext } from './debug-context.js';

export interface ConsoleTimings {
  /** CHECK_INTERVAL: 20 s between `ping`s (and keep-alive checks). */
  pingIntervalMs: number;
  /** KEEPALIVE_TIMEOUT: a session silent this long is closed at the next check (60 s). */
  pongTimeoutMs: number;
  /** flushLog runs once a second. */
  logFlushIntervalMs: number;
  /** The pong handler refreshes a token that expires within 60 s. */
  refreshWindowMs: number;
}

/**
 * A frame as the emulator's side of the socket saw it. `server` frames were sent (or, `dropped`, lost to a
 * severed network), `client` frames received; a `client` close with code 1006 means the socket ended without a
 * close frame.
 */
export type FrameRecord =
  | { direction: 'server' | 'client'; kind: 'text'; data: string; at: number; dropped?: true }
  | { direction: 'server' | 'client'; kind: 'binary'; bytes: number; at: number }
  | { direction: 'server' | 'client'; kind: 'close'; code: number; reason: string; at: number };

/** One WebSocket as the harness sees it. */
export interface ConsoleConnection {
  readonly id: number;
  /** Every client id this socket sent in a `login` (in order). */
  readonly loginClientIds: string[];
  readonly frames: FrameRecord[];
  readonly remoteAddress: string;
  open: boolean;
}

/** MagicConsoleSession */
export class ConsoleSession {
  clientId: string | null = null;
  /** A HashMap: cid, id, ip, username, fileId. */
  readonly attributes = new JavaMap('java.util.HashMap');
  activateTime = Date.now();
  user: MagicUser | null = null;
  timeout = 0;
  socket: WebSocket | null;
  /** Harness: the network between this socket and its client drops everything (a half-open connection). */
  silenced = false;
  private readonly inbox: string[] = [];
  private draining = false;

  constructor(
    socket: WebSocket,
    readonly connection: ConsoleConnection,
    readonly handshakeHeaders: IncomingHttpHeaders,
    readonly remoteAddress: string,
  ) {
    this.socket = socket;
  }

  setClientId(clientId: string | null): void {
    this.clientId = clientId;
    this.attributes.entries.set('cid', clientId);
  }

  writeable(): boolean {
    return this.socket !== null && this.socket.readyState === this.socket.OPEN;
  }

  /** Tomcat hands one socket's messages to the endpoint one at a time: a handler that blocks holds the rest. */
  enqueue(payload: string, handle: (payload: string) => Promise<void> | void): void {
    this.inbox.push(payload);
    if (this.draining) return;
    this.draining = true;
    void (async () => {
      try {
        while (this.inbox.length > 0) await handle(this.inbox.shift() as string);
      } finally {
        this.draining = false;
      }
    })();
  }
}

/** Java `String.valueOf` for the raw parts of a frame. */
function raw(value: unknown): string {
  return value === null || value === undefined ? 'null' : String(value);
}

/**
 * WebSocketSessionManager#buildMessage (WebSocketSessionManager.java:132-146): the lower-case type, then `,value` for each value — every
 * value but the last as text, the last as text only if it is a string or number, else as pretty JSON.
 */
export function buildMessage(type: string, ...values: unknown[]): string {
  let out = type;
  values.forEach((value, index) => {
    out += ',';
    if (index + 1 < values.length || typeof value === 'string' || typeof value === 'number') out += raw(value);
    else out += toPrettyJson(value ?? null);
  });
  return out;
}

/** The Java side of the guest: MagicWorkbenchHandler.java:31. */
const GUEST: MagicUser = { id: 'guest', username: '游客', token: 'unauthorization', timeout: -1 };

/** IpUtils.getRealIP (utils/IpUtils.java): the first usable forwarding header, else the socket's address. */
function realIp(remote: string, headers: IncomingHttpHeaders): string | null {
  const names = ['X-Forwarded-For', 'X-Real-IP', 'Proxy-Client-IP', 'WL-Proxy-Client-IP', 'HTTP_CLIENT_IP', 'HTTP_X_FORWARDED_FOR'];
  const processIp = (ip: string | null | undefined): string | null => {
    if (ip === null || ip === undefined) return null;
    const trimmed = ip.trim();
    if (trimmed === '' || trimmed.toLowerCase() === 'unknown') return null;
    if (trimmed.includes(',')) {
      for (const part of trimmed.split(',')) {
        const found = processIp(part);
        if (found !== null) return found;
      }
    }
    return trimmed;
  };
  for (const name of names) {
    const value = headers[name.toLowerCase()];
    const first = Array.isArray(value) ? value[0] : value;
    const ip = processIp(first);
    if (ip !== null) return ip;
  }
  return processIp(remote);
}

/** InetAddress#getHostAddress of the peer: IPv4-mapped addresses as IPv4, IPv6 without `::` compression. */
export function javaHostAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : address.split(':');
  return groups.map((group) => parseInt(group, 16).toString(16)).join(':');
}

export interface ConsoleEvents {
  frame(connection: ConsoleConnection, record: FrameRecord): void;
}

export class ConsoleServer {
  /** SESSIONS: client id → session (a ConcurrentHashMap). */
  readonly sessions = new Map<string, ConsoleSession>();
  /** CONTEXTS: client id + script id → the paused-able run. */
  readonly contexts = new Map<string, DebugContext>();
  private readonly messageCache: [string, string][] = [];
  private readonly connections = new Map<WebSocket, ConsoleSession>();
  private readonly timers: NodeJS.Timeout[] = [];
  private nextConnectionId = 1;
  readonly allConnections: ConsoleConnection[] = [];

  constructor(
    private readonly auth: Authorization,
    private readonly timings: ConsoleTimings,
    private readonly events: ConsoleEvents,
    private readonly warn: (message: string) => void,
  ) {}

  start(): void {
    // Static initialiser (WebSocketSessionManager.java:46-51): flushLog every second, checkSession every CHECK_INTERVAL, both fixed-rate
    // from the start, not per session.
    this.timers.push(setInterval(() => this.flushLog(), this.timings.logFlushIntervalMs));
    this.timers.push(setInterval(() => this.checkSession(), this.timings.pingIntervalMs));
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    for (const context of this.contexts.values()) context.release();
  }

  // ------------------------------------------------------------------------------------------------------------
  // sockets

  accept(socket: WebSocket, headers: IncomingHttpHeaders, remote: string | undefined): ConsoleConnection {
    const connection: ConsoleConnection = { id: this.nextConnectionId++, loginClientIds: [], frames: [], remoteAddress: javaHostAddress(remote), open: true };
    this.allConnections.push(connection);
    const session = new ConsoleSession(socket, connection, headers, javaHostAddress(remote));
    this.connections.set(socket, session);
    socket.on('message', (data, isBinary) => {
      const at = Date.now();
      if (isBinary) {
        if (session.silenced) return;
        const bytes = Buffer.isBuffer(data) ? data.length : Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
        this.record(connection, { direction: 'client', kind: 'binary', bytes, at });
        // Tomcat's binary buffer is 8192 bytes as well; within it, TextWebSocketHandler#handleBinaryMessage closes
        // with NOT_ACCEPTABLE "Binary messages not supported".
        if (bytes > 8192) this.close(session, 1009, 'The decoded binary message was too big for the output buffer and the endpoint does not support partial messages');
        else this.close(session, 1003, 'Binary messages not supported');
        return;
      }
      if (session.silenced) return;
      const text = data.toString();
      this.record(connection, { direction: 'client', kind: 'text', data: text, at });
      // Tomcat decodes a text message into an 8192-char buffer (textBufferSize); Spring's handler takes whole
      // messages only, so a longer one closes the session with 1009.
      if (text.length > 8192) {
        this.close(session, 1009, 'The decoded text message was too big for the output buffer and the endpoint does not support partial messages');
        return;
      }
      session.enqueue(text, (payload) => this.dispatch(session, payload));
    });
    socket.on('close', (code, reason) => {
      connection.open = false;
      this.record(connection, { direction: 'client', kind: 'close', code, reason: reason.toString(), at: Date.now() });
      this.afterConnectionClosed(session);
    });
    socket.on('error', (error) => this.warn(`console socket ${connection.id}: ${error.message}`));
    return connection;
  }

  private record(connection: ConsoleConnection, record: FrameRecord): void {
    connection.frames.push(record);
    this.events.frame(connection, record);
  }

  /** sendBySession: a send on a closed session fails and is only logged (WebSocketSessionManager.java:159-169). */
  sendBySession(session: ConsoleSession | undefined, content: string): void {
    if (!session) return;
    if (!session.socket || !session.writeable()) {
      this.warn(`发送WebSocket消息失败: session ${session.connection.id} is closed`);
      return;
    }
    if (session.silenced) {
      this.record(session.connection, { direction: 'server', kind: 'text', data: content, at: Date.now(), dropped: true });
      return;
    }
    session.socket.send(content);
    this.record(session.connection, { direction: 'server', kind: 'text', data: content, at: Date.now() });
  }

  private close(session: ConsoleSession, code: number, reason: string): void {
    const socket = session.socket;
    if (!socket) return;
    if (socket.readyState === socket.OPEN) {
      this.record(session.connection, { direction: 'server', kind: 'close', code, reason, at: Date.now() });
      // A silenced network loses the close frame too; the socket stays up until the emulator stops.
      if (!session.silenced) socket.close(code, reason);
    }
  }

  /** All sessions, in ConcurrentHashMap iteration order. */
  private orderedSessions(): ConsoleSession[] {
    return hashMapOrder([...this.sessions.keys()]).map((key) => this.sessions.get(key) as ConsoleSession);
  }

  findSession(clientId: string | null): ConsoleSession | undefined {
    return this.orderedSessions().find((session) => session.clientId === clientId);
  }

  /** sendByClientId (WebSocketSessionManager.java:99-107): to that client if it is open; otherwise to "other machines" (nowhere). */
  sendByClientId(clientId: string | null, type: string, ...values: unknown[]): void {
    const session = this.findSession(clientId);
    const content = buildMessage(type, ...values);
    if (session && session.writeable()) this.sendBySession(session, content);
  }

  sendToAll(type: string, ...values: unknown[]): void {
    const content = buildMessage(type, ...values);
    for (const session of this.orderedSessions()) if (session.writeable()) this.sendBySession(session, content);
  }

  sendToOther(excludeClientId: string | null, type: string, ...values: unknown[]): void {
    const content = buildMessage(type, ...values);
    for (const session of this.orderedSessions()) {
      if (session.writeable() && session.clientId !== excludeClientId) this.sendBySession(session, content);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // logs

  /** sendLogs (WebSocketSessionManager.java:77-84): buffered per client; a buffer of 100 lines is flushed at once. */
  sendLogs(clientId: string, line: string): void {
    this.messageCache.push([clientId, line]);
    if (this.messageCache.length >= 100) this.flushLog();
  }

  /** flushLog (WebSocketSessionManager.java:86-97): per client, `log,[line]` for one line, `logs,[…]` for more, always a JSON array. */
  flushLog(): void {
    if (this.messageCache.length === 0) return;
    const grouped = new Map<string, string[]>();
    for (const [clientId, line] of this.messageCache.splice(0)) {
      const list = grouped.get(clientId) ?? [];
      list.push(line);
      grouped.set(clientId, list);
    }
    for (const clientId of hashMapOrder([...grouped.keys()])) {
      const lines = grouped.get(clientId) as string[];
      this.sendByClientId(clientId, lines.length > 1 ? 'logs' : 'log', lines);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // keep-alive

  /** checkSession (WebSocketSessionManager.java:198-213): `ping` to every session, then close those silent longer than the timeout. */
  checkSession(): void {
    const activateLimit = Date.now() - this.timings.pongTimeoutMs;
    const entries = hashMapOrder([...this.sessions.keys()]).map((key) => [key, this.sessions.get(key) as ConsoleSession] as const);
    for (const [, session] of entries) this.sendBySession(session, buildMessage('ping'));
    for (const [key, session] of entries) {
      if (session.activateTime >= activateLimit) continue;
      this.sessions.delete(key);
      // MagicConsoleSession#close: CloseStatus.SESSION_NOT_RELIABLE (4500), and the session forgets its socket.
      this.close(session, 4500, '');
      this.connections.delete(session.socket as WebSocket);
      session.socket = null;
      this.sendToAll('user_logout', session.attributes);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // dispatch (MagicWebSocketDispatcher#findHandleAndInvoke, MagicWebSocketDispatcher.java:53-90)

  /**
   * The message type is the text before the first comma, matched exactly (handlers are registered under the
   * lower-case enum name). Each String parameter takes the text up to the next comma; the last one found takes
   * the rest — and a parameter after that takes the same rest again.
   */
  static parseArguments(payload: string, count: number): { type: string; args: (string | null)[] } {
    let index = payload.indexOf(',');
    const type = index === -1 ? payload : payload.slice(0, index);
    const args: (string | null)[] = [];
    for (let i = 0; i < count; i++) {
      const subIndex = payload.indexOf(',', index + 1);
      if (subIndex > -1) {
        args.push(payload.slice(index + 1, subIndex));
        index = subIndex;
      } else if (index > -1) {
        args.push(payload.slice(index + 1));
      } else {
        args.push(null);
      }
    }
    return { type, args };
  }

  private async dispatch(session: ConsoleSession, payload: string): Promise<void> {
    const type = payload.indexOf(',') === -1 ? payload : payload.slice(0, payload.indexOf(','));
    try {
      switch (type) {
        case 'login': {
          const [token, clientId] = ConsoleServer.parseArguments(payload, 2).args;
          this.onLogin(session, token ?? null, clientId ?? null);
          return;
        }
        case 'pong':
          this.onPong(session);
          return;
        case 'send_online':
          // sendOnline(clientId) sends only to other machines (sendToMachineByClientId): nothing on one instance.
          return;
        case 'set_file_id': {
          const [fileId] = ConsoleServer.parseArguments(payload, 1).args;
          session.attributes.entries.set('fileId', fileId ?? null);
          this.sendToOther(session.clientId, 'into_file_id', session.attributes.entries.get('cid') ?? null, fileId ?? null);
          return;
        }
        case 'set_breakpoint': {
          const [scriptId, breakpoints] = ConsoleServer.parseArguments(payload, 2).args;
          const context = this.contexts.get(`${String(session.clientId)}${String(scriptId)}`);
          // `breakpoints.split(",")` — but the dispatcher already cut the value at the first comma.
          if (context) context.breakpoints = String(breakpoints).split(',').map(javaIntegerValueOf);
          return;
        }
        case 'resume_breakpoint': {
          const [scriptId, stepInto, breakpoints] = ConsoleServer.parseArguments(payload, 3).args;
          const context = this.contexts.get(`${String(session.clientId)}${String(scriptId)}`);
          if (!context) return;
          context.stepInto = stepInto === '1';
          context.breakpoints = isBlank(breakpoints ?? null) ? [] : splitJava(String(breakpoints), '|').map(javaIntegerValueOf);
          await context.signal();
          return;
        }
        default:
          // No handler: ignored, a client `ping` included.
          return;
      }
    } catch (error) {
      // findHandleAndInvoke catches everything and logs "WebSocket消息处理出错".
      this.warn(`WebSocket消息处理出错: ${(error as Error).message}`);
    }
  }

  /** MagicWorkbenchHandler#onLogin (MagicWorkbenchHandler.java:39-79). */
  private onLogin(session: ConsoleSession, token: string | null, clientId: string | null): void {
    session.setClientId(clientId);
    if (clientId !== null) session.connection.loginClientIds.push(clientId);
    let user: MagicUser | null = null;
    try {
      user = this.auth.getUserByToken(token);
    } catch {
      if (!this.auth.requireLogin()) user = { ...GUEST };
    }
    if (user === null) {
      this.sendBySession(session, buildMessage('login_response', '0'));
      return;
    }
    const ip = realIp(session.remoteAddress, session.handshakeHeaders);
    if (user.timeout > 0) {
      session.user = user;
      session.timeout = user.timeout * 1000 + Date.now();
    }
    session.attributes.entries.set('id', user.id);
    session.attributes.entries.set('ip', ip === null || ip.trim() === '' ? 'unknown' : ip);
    session.attributes.entries.set('username', user.username);
    session.activateTime = Date.now();
    // ConcurrentHashMap#get(null) throws: a login without a client id answers nothing.
    if (clientId === null) throw new Error('java.lang.NullPointerException');
    if (this.sessions.has(clientId)) {
      this.sendBySession(session, buildMessage('login_response', '-1'));
      return;
    }
    this.sessions.set(clientId, session);
    this.sendBySession(session, buildMessage('login_response', '1', session.attributes));
    const online = this.orderedSessions().map((other) => other.attributes);
    if (online.length > 0) this.sendBySession(this.findSession(clientId), buildMessage('online_users', online));
    this.sendToOther(clientId, 'user_login', session.attributes);
  }

  /** MagicWorkbenchHandler#pong (MagicWorkbenchHandler.java:89-103). */
  private onPong(session: ConsoleSession): void {
    session.activateTime = Date.now();
    const user = session.user;
    if (user && session.timeout - Date.now() < this.timings.refreshWindowMs) {
      const oldToken = user.token;
      this.auth.refreshToken(user);
      session.timeout = Date.now() + user.timeout * 1000;
      if (user.token !== oldToken) this.sendBySession(session, buildMessage('refresh_token', user.token));
    }
  }

  /** MagicWebSocketDispatcher#afterConnectionClosed (MagicWebSocketDispatcher.java:102-110). */
  private afterConnectionClosed(session: ConsoleSession): void {
    if (!this.connections.has(session.socket as WebSocket)) return; // already dropped by checkSession
    this.connections.delete(session.socket as WebSocket);
    // WebSocketSessionManager.remove(clientId) removes whatever session holds that id — not necessarily this one.
    if (session.clientId !== null) this.sessions.delete(session.clientId);
    if (session.clientId !== null && session.attributes.entries.size > 0) this.sendToAll('user_logout', session.attributes);
  }

  /** Close every socket (the container stopping: 1001 going away); sockets of a silenced network just end. */
  closeAll(): void {
    for (const [socket, session] of this.connections) {
      if (session.silenced) socket.terminate();
      else this.close(session, 1001, '');
    }
    for (const session of this.silencedSessions) session.rawSocket.terminate();
  }

  private readonly silencedSessions = new Set<{ rawSocket: WebSocket }>();

  /**
   * Harness: cut the network under a console socket. `reset` ends the TCP connection without a close frame (the
   * client sees 1006); `silence` keeps it open but drops every frame both ways, as a half-open connection does —
   * the server goes on pinging into the void and closes the session at the pong timeout, the client hears nothing.
   */
  sever(connectionId: number, mode: 'reset' | 'silence'): boolean {
    for (const [socket, session] of this.connections) {
      if (session.connection.id !== connectionId) continue;
      if (mode === 'reset') socket.terminate();
      else {
        session.silenced = true;
        this.silencedSessions.add({ rawSocket: socket });
      }
      return true;
    }
    return false;
  }
}

function isBlank(value: string | null): boolean {
  return value === null || value.trim() === '';
}

/** String#split with a literal one-character separator: trailing empty strings removed. */
function splitJava(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Integer.valueOf(String): optional sign, decimal digits, int range; anything else throws NumberFormatException. */
export function javaIntegerValueOf(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`java.lang.NumberFormatException: For input string: "${text}"`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value > 2147483647 || value < -2147483648) throw new Error(`java.lang.NumberFormatException: For input string: "${text}"`);
  return value;
}

export type { JavaValue };
