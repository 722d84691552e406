/**
 * startEmulator: one HTTP server on 127.0.0.1 serving what a Magic-API 2.2.2 application serves — the editor API
 * and console under `{web}`, user APIs at their own paths — plus a harness for tests that observes and pokes
 * without adding wire behaviour.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { Authorization, type Credentials } from './auth/authorization.js';
import { ConsoleServer, type ConsoleConnection, type FrameRecord } from './console/console-server.js';
import { EditorApi } from './http/editor-api.js';
import { BodyTooLargeError, buildServletRequest, readBody, type ServletRequest } from './http/servlet-request.js';
import { applyHeaders, corsHeaders, sendEmulatorRefusal, sendSpringError } from './http/spring-responses.js';
import { UserApiHandler, type PausedRun } from './http/user-api.js';
import type { LogLevel } from './script/interpreter.js';
import { applySeed, DEFAULT_SEED, type SeedTree } from './seed.js';
import { BackupService, type BackupRecord } from './workspace/backup-service.js';
import { copyEntity, copyGroup, entityJson, type Entity, type Group } from './workspace/entities.js';
import { ResourceService } from './workspace/resource-service.js';
import { toJson } from './java/jackson-writer.js';

export interface EmulatorOptions {
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Port; default 0 (a free one). */
  port?: number;
  /** `magic-api.web`; default `/magic/web`. */
  web?: string;
  /** `magic-api.security.username/password`: login required. Omit for guest mode. */
  credentials?: Credentials;
  /**
   * Tokens expire after this many seconds and are refreshed over the console — what a custom
   * AuthorizationInterceptor can do; the default one issues one token that never expires. Needs `credentials`.
   */
  tokenLifetimeSeconds?: number;
  /** The server's 20 s `ping` / keep-alive check interval. */
  pingIntervalMs?: number;
  /** The server's 60 s keep-alive timeout. */
  pongTimeoutMs?: number;
  /** The server's 1 s log flush. */
  logFlushIntervalMs?: number;
  /** `magic-api.debug.timeout` (60 s): how long a breakpoint waits before the run goes on by itself. */
  debugTimeoutMs?: number;
  /** The console pong handler refreshes a token expiring within this window (60 s in the Java). */
  refreshWindowMs?: number;
  /** The workspace to start with; default DEFAULT_SEED. */
  seed?: SeedTree;
  /** `magic-api.backup.enable`: true (default) keeps backups; false answers as a server without a backup service. */
  backups?: boolean;
  /** The root log level (Spring Boot's default INFO): lower levels never reach the console. */
  logLevel?: LogLevel;
  /** The application configures a default data source (it shows in the datasource tree); default true. */
  defaultDataSource?: boolean;
  /** Each log line the server writes (its own console output). */
  onLog?: (line: string) => void;
  /** Emulator diagnostics (a script outside the subset, an unsupported endpoint…); default: stderr. */
  warn?: (message: string) => void;
}

export interface RequestRecord {
  method: string;
  /** Path and query as requested. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The answer's HTTP status, once sent. */
  status?: number;
  at: number;
}

/** One TCP connection to the emulator's port, for ordering checks (e.g. "the console closed before the HTTP agent"). */
export interface SocketRecord {
  readonly id: number;
  readonly remotePort: number | undefined;
  readonly openedAt: number;
  closedAt?: number;
  /** `console` once the connection upgraded to the console WebSocket. */
  kind: 'http' | 'console';
}

export interface EmulatorHarness {
  /** Emits 'frame' (connection, record), 'request' (record), 'connection' (connection). */
  readonly events: EventEmitter;
  /** Replace the whole workspace (as if the server restarted on another workspace). */
  replaceTree(tree: SeedTree): void;
  /** Copies of every group / file in the workspace. */
  groups(): Group[];
  files(): Entity[];
  file(id: string): Entity | undefined;
  /** The API a `METHOD path` request would run (patterns like `/user/{id}` included). */
  findApi(method: string, path: string): Entity | undefined;
  /** JSON of a file as `GET {web}/resource/file/{id}` answers it. */
  fileJson(id: string): string | undefined;
  /**
   * Change a script as another editor would: a normal save by `username` (updateTime, updateBy and a backup
   * follow); refused like the server refuses it (a locked file throws MagicApiError 1008).
   */
  editScript(id: string, script: string, username?: string | null): void;
  /** Every console socket so far, with its frames in order (both directions, close frames included). */
  connections(): ConsoleConnection[];
  /** Frames the server sent on the sockets that logged in with `clientId`. */
  framesTo(clientId: string): FrameRecord[];
  /** Client ids registered (logged in) right now. */
  onlineClientIds(): string[];
  /** Cut the network under a console socket (see ConsoleServer#sever). */
  severConsole(connectionId: number, mode: 'reset' | 'silence'): boolean;
  /** Run the keep-alive check now (the server's 20 s tick) / flush buffered log lines now (its 1 s tick). */
  checkSessionsNow(): void;
  flushLogsNow(): void;
  /** Make every issued token expired (expiring-token mode only). */
  expireTokens(): void;
  /** The token a correct login returns (default interceptor), undefined in guest or expiring mode. */
  loginToken(): string | undefined;
  /** Runs waiting at a breakpoint. */
  pausedRuns(): PausedRun[];
  /** HTTP requests received (user APIs and editor), in order. */
  requests(): RequestRecord[];
  /** TCP connections to the port: open now, accepted in total, and each with its open/close times. */
  sockets(): { open: number; total: number; log: readonly SocketRecord[] };
  backups(): readonly BackupRecord[];
}

export interface MagicApiEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** baseUrl + web path */
  readonly webUrl: string;
  /** `ws://127.0.0.1:<port>{web}/console` */
  readonly consoleUrl: string;
  readonly port: number;
  readonly harness: EmulatorHarness;
  /** Stop: console sockets get 1001, HTTP connections end, timers stop. Idempotent. */
  close(): Promise<void>;
}

/** Normalise `magic-api.web` as MagicAPIProperties#getWeb does (lines 168-182). */
export function normaliseWeb(web: string): string {
  let out = web;
  if (out.endsWith('/**')) out = out.slice(0, -3);
  else if (out.endsWith('/*')) out = out.slice(0, -2);
  else if (out.endsWith('/')) out = out.slice(0, -1);
  return out.startsWith('/') || out === '' ? out : `/${out}`;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<MagicApiEmulator> {
  const host = options.host ?? '127.0.0.1';
  const web = normaliseWeb(options.web ?? '/magic/web');
  // A blank magic-api.web means no editor API and no console at all (MagicAPIProperties#getWeb answers null):
  // nothing this emulator is for.
  if (web === '' || web === '/') throw new Error('web must be a path such as /magic/web (a server without one has no editor API and no console)');
  const warn = options.warn ?? ((message: string) => process.stderr.write(`magic-api-emulator: ${message}\n`));
  if (options.tokenLifetimeSeconds !== undefined && !options.credentials) throw new Error('tokenLifetimeSeconds needs credentials (tokens exist only when login is required)');
  if (options.tokenLifetimeSeconds !== undefined && !(Number.isInteger(options.tokenLifetimeSeconds) && options.tokenLifetimeSeconds > 0)) {
    throw new Error('tokenLifetimeSeconds must be a whole number of seconds > 0 (MagicUser#timeout is in seconds)');
  }
  const events = new EventEmitter();
  const auth = new Authorization(options.credentials, options.tokenLifetimeSeconds);
  const workspace = new ResourceService();
  const backups = options.backups === false ? undefined : new BackupService(workspace);
  applySeed(workspace, options.seed ?? DEFAULT_SEED);
  const consoleServer = new ConsoleServer(
    auth,
    {
      pingIntervalMs: options.pingIntervalMs ?? 20_000,
      pongTimeoutMs: options.pongTimeoutMs ?? 60_000,
      logFlushIntervalMs: options.logFlushIntervalMs ?? 1_000,
      refreshWindowMs: options.refreshWindowMs ?? 60_000,
    },
    { frame: (connection, record) => events.emit('frame', connection, record) },
    warn,
  );
  let port = 0;
  const editor = new EditorApi(workspace, backups, auth, { version: '2.2.2', web, defaultDataSource: options.defaultDataSource ?? true }, () => events.emit('change'));
  const userApis = new UserApiHandler(workspace, consoleServer, () => port, {
    debugTimeoutMs: options.debugTimeoutMs ?? 60_000,
    logLevel: options.logLevel ?? 'INFO',
    warn,
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });
  const requestLog: RequestRecord[] = [];
  const sockets = new Set<Socket>();
  let totalSockets = 0;
  const socketLog: SocketRecord[] = [];
  const socketRecords = new WeakMap<Socket, SocketRecord>();

  const route = async (request: ServletRequest, response: ServerResponse): Promise<void> => {
    const path = request.path;
    const method = request.method;
    if (web !== '' && (path === web || path.startsWith(`${web}/`))) {
      const relative = path.slice(web.length);
      if (relative === '/console') {
        // Spring's WebSocketHttpRequestHandler (DefaultHandshakeHandler#doHandshake) for a request that does not upgrade.
        if (method !== 'GET') {
          response.setHeader('Allow', 'GET');
          response.statusCode = 405;
          response.end();
          return;
        }
        response.statusCode = 400;
        response.end('Can "Upgrade" only to "WebSocket".');
        return;
      }
      const found = editor.find(method, relative);
      if (found && 'route' in found) {
        await editor.run(found.route, { request, path: found.path }, response);
        return;
      }
      if (found && 'methodMismatch' in found) {
        answerMethodMismatch(request, response, found.methodMismatch);
        return;
      }
      // The static resource handler for `{web}/**` serves the editor's files (not emulated: 404) to GET/HEAD only.
      if (method === 'GET' || method === 'HEAD') sendSpringError(request, response, 404);
      else if (method === 'OPTIONS') {
        response.setHeader('Allow', 'GET,HEAD,OPTIONS');
        response.statusCode = 200;
        response.end();
      } else sendSpringError(request, response, 405, [['Allow', 'GET, HEAD']]);  // arrayToDelimitedString(…, ", ")
      return;
    }
    const match = userApis.match(path, method);
    if (match && 'pattern' in match) {
      await userApis.handle(request, response, match.pattern, match.variables);
      return;
    }
    if (match) {
      answerMethodMismatch(request, response, match.methodMismatch);
      return;
    }
    sendSpringError(request, response, 404);
  };

  const server = createServer({ maxHeaderSize: 8192 }, (incoming: IncomingMessage, response: ServerResponse) => {
    const record: RequestRecord = { method: incoming.method ?? 'GET', url: incoming.url ?? '/', headers: { ...incoming.headers }, at: Date.now() };
    requestLog.push(record);
    events.emit('request', record);
    response.on('finish', () => {
      record.status = response.statusCode;
    });
    void (async () => {
      let body: Buffer;
      try {
        body = await readBody(incoming);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          warn(`${incoming.method} ${incoming.url}: ${error.message} (the emulator's own limit; a real server would read it)`);
          response.statusCode = 413;
          response.setHeader('X-Magic-Api-Emulator', 'body-too-large');
          response.setHeader('Connection', 'close');
          response.end();
          return;
        }
        response.destroy();
        return;
      }
      const request = buildServletRequest(incoming, body);
      applyHeaders(response, corsHeaders(request));
      try {
        await route(request, response);
      } catch (error) {
        const reason = `internal error serving ${request.method} ${request.path}: ${(error as Error).stack ?? String(error)}`;
        warn(reason);
        if (!response.headersSent) sendEmulatorRefusal(request, response, 500, reason);
        else response.destroy();
      }
    })();
  });
  // Tomcat's keep-alive: `Keep-Alive: timeout=60`, and a connection is closed after 100 requests.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.maxRequestsPerSocket = 100;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    totalSockets++;
    const record: SocketRecord = { id: totalSockets, remotePort: socket.remotePort, openedAt: Date.now(), kind: 'http' };
    socketLog.push(record);
    socketRecords.set(socket, record);
    socket.on('close', () => {
      sockets.delete(socket);
      record.closedAt = Date.now();
    });
  });
  server.on('clientError', (_error, socket: Socket) => {
    // Tomcat answers a request it cannot parse (or with headers over 8 KB) with 400.
    if (socket.writable) socket.end('HTTP/1.1 400 \r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, perMessageDeflate: true });
  server.on('upgrade', (incoming: IncomingMessage, socket: Socket, head: Buffer) => {
    const request = buildServletRequest(incoming, Buffer.alloc(0));
    if (request.path !== `${web}/console` || web === '') {
      // No WebSocket endpoint there: the request is an ordinary GET, which finds nothing.
      const body = toJson({ timestamp: new Date().toISOString().replace('Z', '+00:00'), status: 404, error: 'Not Found', message: '', path: request.rawPath });
      socket.end(`HTTP/1.1 404 \r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const cors = corsHeaders(request);
    const addCors = (headers: string[]): void => {
      for (const [name, value] of cors) headers.push(`${name}: ${value}`);
    };
    wss.once('headers', addCors);
    wss.handleUpgrade(incoming, socket, head, (ws) => {
      wss.off('headers', addCors);
      const record = socketRecords.get(socket);
      if (record) record.kind = 'console';
      const connection = consoleServer.accept(ws, incoming.headers, incoming.socket.remoteAddress);
      events.emit('connection', connection);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  consoleServer.start();
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  const baseUrl = `http://${hostForUrl}:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      consoleServer.stop();
      consoleServer.closeAll();
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(() => {
          for (const client of wss.clients) client.terminate();
          resolve();
        }, 2000);
        const check = (): void => {
          if (wss.clients.size === 0) {
            clearTimeout(deadline);
            resolve();
          } else setTimeout(check, 10);
        };
        check();
      });
      wss.close();
      server.close();
      for (const socket of sockets) socket.destroy();
    })();
    return closing;
  };

  const harness: EmulatorHarness = {
    events,
    replaceTree: (tree) => applySeed(workspace, tree),
    groups: () => [...workspace.groups.values()].map(copyGroup),
    files: () => [...workspace.files.values()].map((entity) => copyEntity(entity)),
    file: (id) => {
      const entity = workspace.file(id);
      return entity ? copyEntity(entity) : undefined;
    },
    findApi: (method, path) => {
      const match = userApis.match(path, method.toUpperCase());
      if (!match || !('pattern' in match)) return undefined;
      const entity = userApis.mappings().get(`${method.toUpperCase()}:${match.pattern}`);
      return entity ? copyEntity(entity) : undefined;
    },
    fileJson: (id) => {
      const entity = workspace.file(id);
      return entity ? toJson(entityJson(entity)) : undefined;
    },
    editScript: (id, script, username = 'another-editor') => {
      const entity = workspace.file(id);
      if (!entity) throw new Error(`no file ${id}`);
      const edited = copyEntity(entity);
      edited.script = script;
      workspace.withUser(username, () => workspace.saveFile(edited));
      events.emit('change');
    },
    connections: () => [...consoleServer.allConnections],
    framesTo: (clientId) =>
      consoleServer.allConnections.filter((connection) => connection.loginClientIds.includes(clientId)).flatMap((connection) => connection.frames.filter((frame) => frame.direction === 'server')),
    onlineClientIds: () => [...consoleServer.sessions.keys()],
    severConsole: (connectionId, mode) => consoleServer.sever(connectionId, mode),
    checkSessionsNow: () => consoleServer.checkSession(),
    flushLogsNow: () => consoleServer.flushLog(),
    expireTokens: () => auth.expireAll(),
    loginToken: () => auth.staticToken(),
    pausedRuns: () => userApis.pausedRuns(),
    requests: () => [...requestLog],
    sockets: () => ({ open: sockets.size, total: totalSockets, log: [...socketLog] }),
    backups: () => backups?.all() ?? [],
  };

  return { baseUrl, webUrl: `${baseUrl}${web}`, consoleUrl: `ws://${hostForUrl}:${port}${web}/console`, port, harness, close };
}

/**
 * A mapped URL asked with a method it lacks: 405 with `Allow` (DefaultHandlerExceptionResolver), or for OPTIONS
 * Spring's own answer, 200 with `Allow` (RequestMappingInfoHandlerMapping's HttpOptionsHandler).
 */
function answerMethodMismatch(request: ServletRequest, response: ServerResponse, methods: string[]): void {
  if (request.method === 'OPTIONS') {
    const allow = new Set(methods);
    if (allow.has('GET')) allow.add('HEAD');
    allow.add('OPTIONS');
    response.setHeader('Allow', [...allow].join(','));
    response.statusCode = 200;
    response.end();
    return;
  }
  // DefaultHandlerExceptionResolver#handleHttpRequestMethodNotSupported: arrayToDelimitedString(methods, ", ")
  sendSpringError(request, response, 405, [['Allow', methods.join(', ')]]);
}

