// The Magic-API editor HTTP API, client side, as Magic-API v2.2.2 answers it. Paths are under
// magic-api/src/main/java/org/ssssssss/magicapi/ in ssssssss-team/magic-api.
import type { Logger } from '@mcp-host/core';
import { LOGIN_REFUSED_CODE, SUCCESS_CODE, quoteBody, readEnvelope, refusedError, type Envelope } from './envelope.js';
import { HttpPool, describeEndpoint, type PoolResponse } from './http-pool.js';
import { MagicError, isMagicError } from './magic-error.js';
import type { RawTree } from './script-tree.js';
import { encodeSaveBody } from './save-body.js';

/** The request header Magic-API reads the token from, and the response header `/login` returns it in (`core/config/Constants.java`). */
export const TOKEN_HEADER = 'Magic-Token';

export interface MagicClientOptions {
  /** The server's base URL without a trailing slash (user APIs are under it). */
  baseUrl: string;
  /** `magic-api.web`, e.g. `/magic/web`. */
  web: string;
  /** A token to start with. */
  token?: string | undefined;
  /** Credentials for `POST {web}/login`; with them a refused token logs in again (once per refusal). */
  credentials?: { username: string; password: string } | undefined;
  timeoutMs: number;
  maxResponseBytes: number;
  maxSockets: number;
  logger: Logger;
  /** Once it aborts (shutdown began), requests in flight are aborted and no new one is sent. */
  signal?: AbortSignal | undefined;
  /** `User-Agent` of every request. */
  userAgent?: string;
}

/** Form fields (`application/x-www-form-urlencoded`, what Spring binds to a handler's plain parameters). */
export type FormFields = Record<string, string | number | boolean | undefined | null>;

export interface EditorRequest {
  /** `GET` or `POST` (the editor API uses only these). Default `POST` with a body, else `GET`. */
  method?: 'GET' | 'POST';
  /** Query parameters. */
  query?: FormFields;
  /** A form body. */
  form?: FormFields;
  /** A JSON body (`@RequestBody` endpoints: `resource/folder/save`). */
  json?: unknown;
  /** A raw text body sent as it is (`resource/file/{type}/save` takes the entity as the body, plain or encoded). */
  text?: string;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/** A user API request (`magic_call_api`): not an editor endpoint, no token, the answer as it is. */
export interface ApiRequest {
  method: string;
  /** The request path under the base URL, starting with `/` (the API's group path + its path). */
  path: string;
  query?: Record<string, string | number | boolean | readonly (string | number | boolean)[]> | undefined;
  headers?: Record<string, string> | undefined;
  /** A string is sent as it is; anything else as JSON (`application/json` unless a content type is given). */
  body?: unknown;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[]>;
  /** The body as UTF-8 text. */
  text: string;
  /** The body parsed, when it is JSON (by content type, or by shape when the type is missing). */
  json?: unknown;
  durationMs: number;
}

/** What `config.json` tells (`MagicWorkbenchController#readConfig`): a bare map, not an envelope. */
export interface ServerConfig {
  version: string | undefined;
  web: string | undefined;
  /** `magic-api.prefix`: put before every API's path (`ApiInfoMagicResourceStorage#buildMappingKey`). */
  prefix: string | undefined;
}

/**
 * The editor HTTP API of one Magic-API server. Every editor answer is an envelope (`code` 1 = success, anything
 * else — HTTP 200 still — a `MagicError` naming the code, the server's message and the endpoint); a token is sent as
 * `Magic-Token`; with credentials the client logs in through `POST {web}/login` (form fields; the token comes back
 * in the `Magic-Token` response header) and logs in again **once** when an answer says `code: 401` — concurrent
 * refusals share that one login. All requests share one keep-alive pool, bounded in time and size, aborted when
 * the host begins shutting down. The token is never logged or put in an error.
 */
export class MagicClient {
  readonly baseUrl: string;
  readonly web: string;
  readonly webUrl: string;
  readonly #options: MagicClientOptions;
  readonly #pool: HttpPool;
  readonly #logger: Logger;
  readonly #tokenListeners = new Set<(token: string | undefined) => void>();
  #token: string | undefined;
  /** Bumped on every token change: a refusal of an older token is answered by retrying, not by logging in again. */
  #tokenGeneration = 0;
  #login: Promise<void> | undefined;
  #logins = 0;
  /** A login succeeded once (the token may be `undefined` after it: a server in guest mode). */
  #hasLoggedIn = false;
  #isShuttingDown = false;

  constructor(options: MagicClientOptions) {
    this.#options = options;
    this.baseUrl = options.baseUrl;
    this.web = options.web;
    this.webUrl = `${options.baseUrl}${options.web}`;
    this.#token = options.token;
    this.#logger = options.logger;
    this.#pool = new HttpPool({ timeoutMs: options.timeoutMs, maxResponseBytes: options.maxResponseBytes, maxSockets: options.maxSockets });
    const signal = options.signal;
    if (signal) {
      const stop = () => {
        this.#isShuttingDown = true;
        this.#pool.abortAll('the host is shutting down');
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    }
  }

  /** The token requests carry now (`undefined`: none, the server's guest). Never log it. */
  get token(): string | undefined {
    return this.#token;
  }

  get hasCredentials(): boolean {
    return this.#options.credentials !== undefined;
  }

  /** Logins sent so far (each `POST {web}/login`). */
  get logins(): number {
    return this.#logins;
  }

  /** The pool, for the shutdown tap and for tests: requests in flight, sockets open. */
  get pool(): HttpPool {
    return this.#pool;
  }

  /**
   * Use `token` from the next request on: the console's `refresh_token` replaces it. `''` or `undefined` means none.
   * Does not call the token listeners (they are told about tokens this client obtained by logging in).
   */
  setToken(token: string | undefined): void {
    const next = token === '' ? undefined : token;
    if (next === this.#token) return;
    this.#token = next;
    this.#tokenGeneration++;
  }

  /** Call `listener` with the new token after each login (the console logs in with it); returns the unsubscribe function. */
  onLogin(listener: (token: string | undefined) => void): () => void {
    this.#tokenListeners.add(listener);
    return () => this.#tokenListeners.delete(listener);
  }

  /**
   * `POST {web}/login` with the credentials as form fields (`MagicWorkbenchController#login`). The token comes back
   * in the `Magic-Token` response header; a server that requires no login answers `data: true` without one (the
   * guest). Concurrent calls share one request. Rejects `MAGIC_LOGIN_REFUSED` (the server's message named) or with
   * the transport's error. Without credentials it does nothing.
   */
  login(signal?: AbortSignal): Promise<void> {
    if (!this.#options.credentials) return Promise.resolve();
    this.#login ??= this.#redacting(this.#sendLogin(signal)).finally(() => (this.#login = undefined));
    return this.#login;
  }

  /**
   * One editor endpoint (`endpoint` is the part after the web path, e.g. `/resource`), its envelope checked: resolves
   * with `data` when `code` is 1. A `code: 401` with credentials logs in again once and repeats the request once.
   */
  editor<T = unknown>(endpoint: string, request: EditorRequest = {}): Promise<T> {
    return this.#redacting(this.#editor<T>(endpoint, request));
  }

  async #editor<T>(endpoint: string, request: EditorRequest): Promise<T> {
    // With credentials and no token yet, log in first: the server would refuse the request anyway.
    if (this.#options.credentials && this.#token === undefined && !this.#hasLoggedIn) await this.login(request.signal);
    const generation = this.#tokenGeneration;
    try {
      return await this.#editorOnce<T>(endpoint, request);
    } catch (error) {
      if (!isMagicError(error) || error.code !== 'MAGIC_LOGIN_REFUSED' || error.serverCode !== LOGIN_REFUSED_CODE) throw error;
      if (!this.#options.credentials) {
        throw new MagicError(
          'MAGIC_LOGIN_REFUSED',
          `${error.message} — the token was refused and there are no credentials to log in again: set a valid MAGIC_API_TOKEN, or MAGIC_API_USERNAME and MAGIC_API_PASSWORD`,
          { endpoint: error.endpoint, status: error.status, serverCode: error.serverCode, serverMessage: error.serverMessage },
        );
      }
      // Another request logged in since this one was sent: its token is newer than the refused one.
      if (generation === this.#tokenGeneration) {
        this.#logger.info('the server refused the token (code 401) on %s; logging in again as %s', error.endpoint, this.#options.credentials.username);
        await this.login(request.signal);
      }
      try {
        return await this.#editorOnce<T>(endpoint, request);
      } catch (retryError) {
        if (isMagicError(retryError) && retryError.code === 'MAGIC_LOGIN_REFUSED') {
          throw new MagicError('MAGIC_LOGIN_REFUSED', `${retryError.message} — refused again right after logging in as ${this.#options.credentials.username}: that user may not be allowed to do this`, {
            endpoint: retryError.endpoint,
            status: retryError.status,
            serverCode: retryError.serverCode,
            serverMessage: retryError.serverMessage,
          });
        }
        throw retryError;
      }
    }
  }

  /** `POST {web}/resource`: the whole tree, one map entry per type (`MagicResourceController#resources`). */
  tree(signal?: AbortSignal): Promise<RawTree> {
    return this.editor<RawTree>('/resource', { method: 'POST', signal });
  }

  /**
   * `GET {web}/resource/file/{id}`: the whole entity, script included; `null` when there is no such file (the server
   * answers `code: 1, data: null` for an unknown id: `MagicResourceController#detail`).
   */
  file(id: string, signal?: AbortSignal): Promise<Record<string, unknown> | null> {
    return this.editor<Record<string, unknown> | null>(`/resource/file/${encodeURIComponent(id)}`, { method: 'GET', signal });
  }

  /**
   * `GET {web}/config.json` (no login needed): the server's version, web path and API prefix. A bare map, not an
   * envelope (`MagicWorkbenchController#readConfig`).
   */
  serverConfig(signal?: AbortSignal): Promise<ServerConfig> {
    return this.#redacting(this.#serverConfig(signal));
  }

  async #serverConfig(signal: AbortSignal | undefined): Promise<ServerConfig> {
    const url = this.#editorUrl('/config.json', undefined);
    const endpoint = describeEndpoint('GET', url);
    const response = await this.#send({ method: 'GET', url, headers: this.#headers(), signal });
    let value: unknown;
    try {
      value = response.status === 200 ? JSON.parse(response.body.toString('utf8')) : undefined;
    } catch {
      value = undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new MagicError('MAGIC_NOT_ENVELOPE', `${endpoint}: not the server's config map (HTTP ${response.status}): ${quoteBody(response.body)}`, { endpoint, status: response.status });
    }
    const map = value as Record<string, unknown>;
    const text = (key: string) => (typeof map[key] === 'string' && map[key] !== '' ? (map[key] as string) : undefined);
    return { version: text('version'), web: text('web'), prefix: text('prefix') };
  }

  /**
   * Call a user API at `path` under the base URL, as it is: no token (user APIs need none), no envelope check — the
   * status, headers and body come back whatever they are (a script error is HTTP 200 with `code: -1`). Bounded like
   * every request; the body is capped by `maxResponseBytes`.
   */
  callApi(request: ApiRequest): Promise<ApiResponse> {
    return this.#redacting(this.#callApi(request));
  }

  async #callApi(request: ApiRequest): Promise<ApiResponse> {
    const url = this.#apiUrl(request.path);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
    }
    const headers: Record<string, string> = { accept: 'application/json, */*;q=0.8', 'user-agent': this.#userAgent() };
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
    let body: Buffer | undefined;
    if (request.body !== undefined) {
      body = Buffer.from(typeof request.body === 'string' ? request.body : JSON.stringify(request.body), 'utf8');
      if (typeof request.body !== 'string') headers['content-type'] ??= 'application/json';
    }
    const started = performance.now();
    const response = await this.#send({ method: request.method.toUpperCase(), url, headers, body, signal: request.signal, timeoutMs: request.timeoutMs });
    const text = response.body.toString('utf8');
    const type = String(response.headers['content-type'] ?? '');
    let json: unknown;
    if (/[/+]json\b/i.test(type) || (type === '' && /^\s*[[{]/.test(text))) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    const flat: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) flat[name] = value;
    return { status: response.status, headers: flat, text, ...(json !== undefined ? { json } : {}), durationMs: Math.round(performance.now() - started) };
  }

  /** Abort requests in flight and refuse new ones; destroy the keep-alive sockets, waiting (bounded by `signal`) until each has closed. */
  close(signal?: AbortSignal): Promise<void> {
    this.#isShuttingDown = true;
    return this.#pool.close(signal);
  }

  async #sendLogin(signal: AbortSignal | undefined): Promise<void> {
    const { username, password } = this.#options.credentials!;
    const url = this.#editorUrl('/login', undefined);
    const endpoint = describeEndpoint('POST', url);
    this.#logins++;
    const response = await this.#send({
      method: 'POST',
      url,
      headers: { ...this.#headers(false), 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: Buffer.from(new URLSearchParams({ username, password }).toString(), 'utf8'),
      signal,
    });
    const envelope = readEnvelope(endpoint, response);
    if (envelope.code !== SUCCESS_CODE) {
      const error = refusedError(endpoint, envelope, response.status);
      if (error.code === 'MAGIC_LOGIN_REFUSED') {
        throw new MagicError('MAGIC_LOGIN_REFUSED', `${error.message} — logging in as ${username} was refused: check MAGIC_API_USERNAME and MAGIC_API_PASSWORD`, {
          endpoint,
          status: response.status,
          serverCode: envelope.code,
          serverMessage: envelope.message ?? undefined,
        });
      }
      throw error;
    }
    const header = response.headers[TOKEN_HEADER.toLowerCase()];
    const token = (Array.isArray(header) ? header[0] : header) || undefined;
    if (token === undefined && envelope.data !== true) {
      throw new MagicError('MAGIC_LOGIN_REFUSED', `${endpoint}: the login answered ${JSON.stringify(envelope.data)} without a ${TOKEN_HEADER} header`, { endpoint, status: response.status });
    }
    this.#token = token;
    this.#tokenGeneration++;
    this.#hasLoggedIn = true;
    this.#logger.info(token === undefined ? 'logged in: the server requires no login (guest)' : 'logged in to %s as %s', this.webUrl, username);
    for (const listener of this.#tokenListeners) {
      try {
        listener(token);
      } catch (error) {
        this.#logger.warning('a login listener threw: %s', (error as Error).message);
      }
    }
  }

  async #editorOnce<T>(endpoint: string, request: EditorRequest): Promise<T> {
    const url = this.#editorUrl(endpoint, request.query);
    let body: Buffer | undefined;
    const headers = this.#headers();
    if (request.form !== undefined) {
      body = Buffer.from(formBody(request.form), 'utf8');
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    } else if (request.json !== undefined) {
      body = Buffer.from(JSON.stringify(request.json), 'utf8');
      headers['content-type'] = 'application/json;charset=UTF-8';
    } else if (request.text !== undefined) {
      body = Buffer.from(request.text, 'utf8');
      headers['content-type'] = 'text/plain;charset=UTF-8';
    }
    const method = request.method ?? (body === undefined ? 'GET' : 'POST');
    const shown = describeEndpoint(method, url);
    const response = await this.#send({ method, url, headers, body, signal: request.signal, timeoutMs: request.timeoutMs });
    const envelope: Envelope = readEnvelope(shown, response);
    if (envelope.code !== SUCCESS_CODE) throw refusedError(shown, envelope, response.status);
    return envelope.data as T;
  }

  #send(request: Parameters<HttpPool['send']>[0]): Promise<PoolResponse> {
    if (this.#isShuttingDown && !this.#pool.isClosed) {
      const endpoint = describeEndpoint(request.method, request.url);
      return Promise.reject(new MagicError('MAGIC_ABORTED', `${endpoint}: not sent, the host is shutting down`, { endpoint }));
    }
    return this.#pool.send(request);
  }

  #headers(withToken = true): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.#userAgent() };
    if (withToken && this.#token !== undefined) headers[TOKEN_HEADER.toLowerCase()] = this.#token;
    return headers;
  }

  #userAgent(): string {
    return this.#options.userAgent ?? 'mcp-host-plugin-magic-api';
  }

  #editorUrl(endpoint: string, query: FormFields | undefined): URL {
    if (!endpoint.startsWith('/') || endpoint.includes('?') || endpoint.includes('#') || /(^|\/)\.\.?(\/|$)/.test(endpoint)) {
      throw new MagicError('MAGIC_INVALID_REQUEST', `editor endpoint ${JSON.stringify(endpoint)}: expected a path under the web path such as "/resource" (query parameters go in "query")`);
    }
    const url = new URL(`${this.webUrl}${endpoint}`);
    if (query) url.search = formBody(query);
    return url;
  }

  /** A user API URL: `path` under the base URL, on its origin — never another host, never above the base path. */
  #apiUrl(path: string): URL {
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || /[?#]/.test(path) || /(^|\/)\.\.?(\/|$)/.test(path)) {
      throw new MagicError('MAGIC_INVALID_REQUEST', `API path ${JSON.stringify(path)}: expected a path such as "/user/list" (no "." or ".." segments; query parameters go in "query")`);
    }
    const base = new URL(this.baseUrl);
    const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`);
    if (url.origin !== base.origin) throw new MagicError('MAGIC_INVALID_REQUEST', `API path ${JSON.stringify(path)} leaves the server ${base.origin}`);
    return url;
  }

  /** Errors as they may leave this client: a token or the password, should an answer have echoed one into it, replaced. */
  async #redacting<T>(running: Promise<T>): Promise<T> {
    try {
      return await running;
    } catch (error) {
      if (error instanceof Error) {
        for (const secret of [this.#token, this.#options.token, this.#options.credentials?.password]) {
          if (secret && error.message.includes(secret)) error.message = error.message.split(secret).join('<secret>');
        }
      }
      throw error;
    }
  }

  /**
   * `POST {web}/resource/file/{type}/save` with the whole entity, encoded as the editor encodes it (save-body.ts):
   * resolves with the saved id, or `null` when the server saved nothing (`code: 1, data: null` — an entity it could
   * not read, or a save its storage declined: `MagicResourceController#saveFile`). A refusal (1008 locked, 1009 path
   * taken, …) rejects `MAGIC_REFUSED` as every editor call does.
   */
  saveFile(type: string, entity: Record<string, unknown>, signal?: AbortSignal): Promise<string | null> {
    return this.editor<string | null>(`/resource/file/${encodeURIComponent(type)}/save`, { method: 'POST', text: encodeSaveBody(entity), signal });
  }

  /**
   * `GET {web}/classes.txt` (no login needed): every class the server's scanner found, as text — one line per package,
   * `package:Simple,Other` (`MagicWorkbenchController#classes`, utils/ClassScanner.java:79-113). Not an envelope.
   */
  classesText(signal?: AbortSignal): Promise<string> {
    return this.#redacting(this.#classesText(signal));
  }

  async #classesText(signal: AbortSignal | undefined): Promise<string> {
    const url = this.#editorUrl('/classes.txt', undefined);
    const endpoint = describeEndpoint('GET', url);
    const response = await this.#send({ method: 'GET', url, headers: { ...this.#headers(), accept: 'text/plain, */*;q=0.5' }, signal });
    const type = String(response.headers['content-type'] ?? '');
    if (response.status !== 200 || !/^text\/plain/i.test(type)) {
      throw new MagicError('MAGIC_NOT_ENVELOPE', `${endpoint}: not the server's class list (HTTP ${response.status}, ${type || 'no content type'}): ${quoteBody(response.body)}`, { endpoint, status: response.status });
    }
    return response.body.toString('utf8');
  }
}

function formBody(fields: FormFields): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) if (value !== undefined && value !== null) params.append(name, String(value));
  return params.toString();
}
