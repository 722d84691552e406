// API calls whose console output comes back with them. Paths are under magic-api/src/main/java/org/ssssssss/magicapi/
// in ssssssss-team/magic-api at v2.2.2.
import type { Logger } from '@mcp-host/core';
import type { BufferedMessage, MagicApiBufferedMessage } from '@mcp-host/plugin-websocket-manager';
import { BREAKPOINTS_HEADER, CLIENT_ID_HEADER, SCRIPT_ID_HEADER } from './console-link.js';
import type { MagicApi } from './magic-api.js';
import type { ApiRequest, ApiResponse } from './magic-client.js';
import type { ScriptFile } from './script-tree.js';

/** How long a call waits after its answer for log lines still buffered on the server (it flushes them each second). */
export const DEFAULT_LOG_WAIT_MS = 1500;
/** Log lines kept per call, and characters per line (a stack trace is one line): a chatty script cannot flood an answer. */
const MAX_LINES = 500;
const MAX_LINE_CHARS = 8000;

/** Headers only the tools set (lower case). */
const TOOL_HEADERS = new Set([CLIENT_ID_HEADER, SCRIPT_ID_HEADER, BREAKPOINTS_HEADER].map((name) => name.toLowerCase()));

/** A script error as the console reports it: `exception,[scriptId, message, [line, endLine, startCol, endCol]]` (`core/web/RequestHandler.java:363-369`). */
export interface ConsoleException {
  scriptId: string;
  message: string;
  /** `[line, endLine, startCol, endCol]`, 1-based; `null` when the server had no position. */
  range: number[] | null;
}

/** Where the console messages of the request being made now go. */
export interface LogCollector {
  readonly scriptId: string;
  lines: string[];
  /** Lines dropped by the caps. */
  dropped: number;
  exceptions: ConsoleException[];
}

export function newCollector(scriptId: string): LogCollector {
  return { scriptId, lines: [], dropped: 0, exceptions: [] };
}

export interface CallInput {
  method: string;
  path: string;
  query?: Record<string, string> | undefined;
  headers?: Record<string, string> | undefined;
  /** Sent as it is; `application/json` unless a content type is given and it is JSON text. */
  body?: string | undefined;
}

export interface CallOutcome {
  response: ApiResponse;
  /** The API the tree maps the request to (its id named the request's script). */
  file: ScriptFile | undefined;
  collector: LogCollector | undefined;
  /** Why logs are missing, when they are. */
  note: string | undefined;
}

export type ConsoleMessageListener = (message: MagicApiBufferedMessage) => void;

/** A refusal of a tool's own (no API at that path, no console): the tools answer it as `isError`. */
export class RunRefusal extends Error {
  constructor(
    message: string,
    readonly next?: string,
  ) {
    super(message);
    this.name = 'RunRefusal';
  }
}

/** Resolve after `ms`, or at once when `signal` aborts (the caller then answers with what it has). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The request as `MagicClient.callApi` takes it: a body that is JSON text goes as `application/json` unless a content type is given. */
export function apiRequest(input: CallInput, extraHeaders: Record<string, string>, signal: AbortSignal | undefined, timeoutMs?: number): ApiRequest {
  const headers: Record<string, string> = {};
  // The console headers are the tools' own: a breakpoint header slipped into a plain call would pause a run nobody
  // tracks (and nobody resumes), a foreign client id would send its logs elsewhere.
  for (const [name, value] of Object.entries(input.headers ?? {})) if (!TOOL_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  if (input.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = isJsonText(input.body) ? 'application/json' : 'text/plain;charset=UTF-8';
  for (const [name, value] of Object.entries(extraHeaders)) headers[name.toLowerCase()] = value;
  return { method: input.method, path: input.path, query: input.query, headers, body: input.body, signal, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Calls through one console, one at a time. Magic-API's log frames (`log,[…]`, `logs,[…]`) carry no request id:
 * every line of every request that named this console's client id arrives alike (`core/logging/MagicLoggerContext.java`,
 * `WebSocketSessionManager.java:77-97`). So a call holds the queue from sending its request until its log window
 * closes — its answer, then `logWaitMs` for the lines the server still buffers (it flushes once a second) — and every
 * log frame received in that window is its own. The debugging tools take the same queue.
 */
export class ConsoleCalls {
  readonly #magic: MagicApi;
  readonly #logger: Logger;
  readonly #listeners = new Set<ConsoleMessageListener>();
  #tail: Promise<unknown> = Promise.resolve();
  #collector: LogCollector | undefined;
  #subscribed: unknown;
  #unsubscribe: (() => void) | undefined;

  constructor(magic: MagicApi, logger: Logger) {
    this.#magic = magic;
    this.#logger = logger;
  }

  get magic(): MagicApi {
    return this.#magic;
  }

  /** Console messages (breakpoints, exceptions, logs) as they arrive, for the debug sessions. */
  onMessage(listener: ConsoleMessageListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Send console messages to `collector` until it is replaced (`undefined`: nobody's). */
  collect(collector: LogCollector | undefined): void {
    this.#collector = collector;
  }

  /** Run `work` when every call before it has finished; calls run one at a time. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const running = this.#tail.then(work, work);
    this.#tail = running.catch(() => {});
    return running;
  }

  /** Subscribe to the console once it exists (it is added after the login with credentials). */
  subscribe(): void {
    const handle = this.#magic.console?.handle;
    if (!handle || this.#subscribed === handle) return;
    this.#unsubscribe?.();
    this.#subscribed = handle;
    this.#unsubscribe = handle.subscribe((message) => this.#route(message as BufferedMessage as MagicApiBufferedMessage));
  }

  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#listeners.clear();
  }

  /**
   * The API file a request reaches, as the server's mapping would (exact path, then the most specific pattern). A
   * miss fetches the tree again once: the API may have just been created.
   */
  async resolveApi(method: string, path: string, signal?: AbortSignal): Promise<ScriptFile | undefined> {
    const bare = path.split('?')[0]!;
    let tree = await this.#magic.tree.ensure(signal);
    let file = tree.findApi(method, bare);
    if (!file) {
      tree = (await this.#magic.tree.refresh(signal)).tree;
      file = tree.findApi(method, bare);
    }
    return file;
  }

  /** `magic_call_api`: the answer and the console lines of this request only. */
  call(input: CallInput, options: { logWaitMs: number; signal?: AbortSignal | undefined }): Promise<CallOutcome> {
    return this.exclusive(async () => {
      if (options.signal?.aborted) throw new RunRefusal('Cancelled before the request was sent.');
      const file = await this.resolveApi(input.method, input.path, options.signal).catch((error: unknown) => {
        this.#logger.debug('magic_call_api: the tree could not be read (%s); calling without console headers', (error as Error).message);
        return undefined;
      });
      const link = this.#magic.console;
      let note: string | undefined;
      let headers: Record<string, string> | undefined;
      if (!link) note = 'No console is configured (the console option is false): the answer comes without log lines. Logs need the console.';
      else if (!file) note = `No API in the script tree serves ${input.method.toUpperCase()} ${input.path}: called without the console headers, so no log lines come back. Check the path with magic_tree.`;
      else {
        headers = link.requestHeaders(file.id);
        if (!headers) note = 'The console is not logged in right now (see ws_connections): the answer comes without log lines. Logs need the console.';
      }
      this.subscribe();
      const collector = headers && file ? newCollector(file.id) : undefined;
      this.#collector = collector;
      try {
        const response = await this.#magic.client.callApi(apiRequest(input, headers ?? {}, options.signal));
        if (collector) await delay(options.logWaitMs, options.signal);
        return { response, file, collector, note };
      } finally {
        this.#collector = undefined;
      }
    });
  }

  #route(message: MagicApiBufferedMessage): void {
    const collector = this.#collector;
    if (message.type === 'LOG' || message.type === 'LOGS') {
      if (collector) {
        for (const line of message.data.lines) {
          if (collector.lines.length >= MAX_LINES) collector.dropped++;
          else collector.lines.push(trimLine(line));
        }
      }
    } else if (message.type === 'EXCEPTION') {
      if (collector && message.data.scriptId === collector.scriptId) collector.exceptions.push(message.data);
    }
    for (const listener of this.#listeners) {
      try {
        listener(message);
      } catch (error) {
        this.#logger.warning('a console listener threw: %s', (error as Error).message);
      }
    }
  }
}

/** A line without its final line break, cut at `MAX_LINE_CHARS`. */
function trimLine(line: string): string {
  const bare = line.replace(/\n+$/, '');
  return bare.length > MAX_LINE_CHARS ? `${bare.slice(0, MAX_LINE_CHARS)}… (${bare.length - MAX_LINE_CHARS} more characters)` : bare;
}
