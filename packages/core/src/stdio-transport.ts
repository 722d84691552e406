import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** Longest line accepted from the client; a longer one is dropped (up to its newline) and answered with -32700. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** Bytes of replies handed to stdout and not yet taken by the pipe above which stdin is no longer read. */
export const STDOUT_HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** Requests taken from stdin and not yet answered above which stdin is no longer read. */
export const MAX_REQUESTS_IN_FLIGHT = 128;

export interface StdioTransportOptions {
  stdin: NodeJS.ReadableStream & { readableEnded?: boolean; destroyed?: boolean };
  /** Emits `error` (EPIPE) when the client is gone. */
  stdout: NodeJS.WritableStream;
  /** How to write to stdout (the stdout guard's private writer in the CLI). */
  write: (chunk: string, callback: (error?: Error | null) => void) => boolean;
  /** stdin reached EOF, closed or failed: the client is done with us. */
  onInputClosed: (why: string) => void;
  /** stdout failed (EPIPE): nobody is reading any more. */
  onOutputClosed: (error: Error) => void;
  /** A line that is not a JSON-RPC message. */
  onBadLine: (message: string) => void;
  /** The first message read (maybe long before \`start()\`): what the client opens with. */
  onFirstMessage?: (message: JSONRPCMessage) => void;
  /** Longest line accepted (bytes, without the newline); default `MAX_LINE_BYTES`. */
  maxLineBytes?: number;
  /** Default `STDOUT_HIGH_WATER_BYTES`. */
  highWaterBytes?: number;
  /** Default `MAX_REQUESTS_IN_FLIGHT`. */
  maxRequestsInFlight?: number;
}

type PausableStream = NodeJS.ReadableStream & { pause(): unknown; resume(): unknown };
const requestKey = (id: unknown) => `${typeof id}:${String(id)}`;

/**
 * The MCP stdio transport, written for the host because the SDK's (1.32.2) never notices stdin EOF and
 * waits forever for `drain` on a dead pipe. It reads from construction on, so EOF during startup is seen,
 * and queues messages until `start()`. End of input is reported separately from `close()`: requests in
 * flight must still be answered after the client closed stdin, so the host decides when to close.
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly #options: StdioTransportOptions;
  readonly #maxLineBytes: number;
  readonly #highWaterBytes: number;
  readonly #maxRequestsInFlight: number;
  /** The start of the line being read, chunk by chunk: joined once, when its newline arrives. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  /** A line over the limit was dropped: what comes up to its newline is its tail, never a message. */
  #isDiscarding = false;
  /** Bytes handed to `write` whose callback has not come yet. */
  #unwrittenBytes = 0;
  /** Requests read and not answered yet (by id). */
  readonly #inFlight = new Set<string>();
  /** Input read while held back (backpressure): framed once the client catches up. */
  #held: Buffer[] = [];
  #isInputPaused = false;
  /** A line is being framed: a reply sent synchronously from it must not frame the next input out of order. */
  #isFraming = false;
  #queue: JSONRPCMessage[] | undefined = [];
  #sawMessage = false;
  #isInputClosed = false;
  #isOutputDead = false;
  #isClosed = false;
  #pendingWrites = 0;
  #flushWaiters: (() => void)[] = [];

  constructor(options: StdioTransportOptions) {
    this.#options = options;
    this.#maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.#highWaterBytes = options.highWaterBytes ?? STDOUT_HIGH_WATER_BYTES;
    this.#maxRequestsInFlight = options.maxRequestsInFlight ?? MAX_REQUESTS_IN_FLIGHT;
    const { stdin, stdout } = options;
    stdin.on('data', this.#onData);
    stdin.on('end', this.#onEnd);
    stdin.on('close', this.#onEnd);
    stdin.on('error', this.#onInputError);
    stdout.on('error', this.#onOutputError);
    // `end` only fires while stdin flows; `data` listeners make it flow. Already at EOF: say so now.
    if (stdin.readableEnded || stdin.destroyed) queueMicrotask(() => this.#inputClosed('stdin already at EOF'));
  }

  /** True while requests read before `start()` wait to be delivered. */
  get hasQueuedRequests(): boolean {
    return this.#queue?.some((message) => 'method' in message && 'id' in message) ?? false;
  }

  get isOutputDead(): boolean {
    return this.#isOutputDead;
  }

  async start(): Promise<void> {
    const queued = this.#queue ?? [];
    this.#queue = undefined;
    for (const message of queued) this.onmessage?.(message);
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (!('method' in message) && 'id' in message && this.#inFlight.delete(requestKey(message.id))) this.#releaseIfCaughtUp();
    if (this.#isOutputDead || this.#isClosed) return Promise.resolve();
    const line = JSON.stringify(message) + '\n';
    const bytes = Buffer.byteLength(line);
    this.#pendingWrites++;
    this.#unwrittenBytes += bytes;
    return new Promise((resolve) => {
      // Resolve on the write callback, not on `drain`: a dead pipe emits an error, never `drain`.
      this.#options.write(line, () => {
        this.#pendingWrites--;
        this.#unwrittenBytes -= bytes;
        if (this.#pendingWrites === 0) for (const waiter of this.#flushWaiters.splice(0)) waiter();
        this.#releaseIfCaughtUp();
        resolve();
      });
    });
  }

  /**
   * Backpressure: while the client has not taken the replies already written (over the high-water mark) or
   * too many of its requests are unanswered, stdin is not read (paused; the pipe fills and the client's writes
   * block), so a client that never reads cannot grow the host without bound.
   */
  get #isHoldingInput(): boolean {
    return this.#unwrittenBytes > this.#highWaterBytes || this.#inFlight.size >= this.#maxRequestsInFlight;
  }

  #holdInput(rest: Buffer | undefined): void {
    if (rest && rest.length > 0) this.#held.unshift(rest);
    if (!this.#isInputPaused && !this.#isClosed) {
      this.#isInputPaused = true;
      (this.#options.stdin as PausableStream).pause();
    }
  }

  #releaseIfCaughtUp(): void {
    if (this.#isFraming || this.#isClosed || this.#isHoldingInput || (!this.#isInputPaused && this.#held.length === 0)) return;
    while (this.#held.length > 0 && !this.#isHoldingInput && !this.#isClosed) this.#frame(this.#held.shift()!);
    if (this.#held.length === 0 && this.#isInputPaused && !this.#isHoldingInput && !this.#isClosed) {
      this.#isInputPaused = false;
      (this.#options.stdin as PausableStream).resume();
    }
  }

  /** Resolves once every message handed to `send` reached the OS (or the pipe died). */
  flush(): Promise<void> {
    if (this.#pendingWrites === 0 || this.#isOutputDead) return Promise.resolve();
    return new Promise((resolve) => this.#flushWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    const { stdin, stdout } = this.#options;
    stdin.off('data', this.#onData);
    // Stop reading so stdin holds the event loop no longer.
    (stdin as NodeJS.ReadableStream & { pause(): void }).pause();
    stdout.off('error', this.#onOutputError);
    // Keep a listener: a late EPIPE after close must not crash the process.
    stdout.on('error', () => {});
    this.onclose?.();
  }

  /**
   * Framing, linear in the input: each byte is scanned for a newline once, a line's chunks are kept in a list
   * and joined once when it ends. A line that grows past the limit is dropped at once (its memory freed) and
   * the rest of it, up to its newline, is discarded.
   */
  #onData = (chunk: Buffer | string): void => {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.#held.length > 0 || this.#isHoldingInput) {
      this.#held.push(data);
      this.#holdInput(undefined);
    } else {
      this.#frame(data);
    }
  };

  #frame(data: Buffer): void {
    this.#isFraming = true;
    try {
      this.#frameLines(data);
    } finally {
      this.#isFraming = false;
    }
  }

  #frameLines(data: Buffer): void {
    let start = 0;
    let newline: number;
    while ((newline = data.indexOf(0x0a, start)) !== -1) {
      const piece = data.subarray(start, newline);
      start = newline + 1;
      if (this.#isDiscarding) {
        this.#isDiscarding = false;
        continue;
      }
      const size = this.#partialBytes + piece.length;
      const line = this.#partial.length === 0 ? piece : Buffer.concat([...this.#partial, piece], size);
      this.#partial = [];
      this.#partialBytes = 0;
      if (size > this.#maxLineBytes) this.#dropOversized();
      else this.#receiveLine(line.toString('utf8').replace(/\r$/, ''));
      if (this.#isClosed) return;
      if (this.#isHoldingInput) return this.#holdInput(data.subarray(start));
    }
    if (start >= data.length || this.#isDiscarding) return;
    const rest = start === 0 ? data : data.subarray(start);
    this.#partial.push(rest);
    this.#partialBytes += rest.length;
    if (this.#partialBytes > this.#maxLineBytes) {
      this.#partial = [];
      this.#partialBytes = 0;
      this.#isDiscarding = true;
      this.#dropOversized();
    }
  }

  /** A line over the limit: nobody can know its id, so the answer is JSON-RPC's parse error with id null. */
  #dropOversized(): void {
    const message = `a line over ${this.#maxLineBytes} bytes was dropped`;
    this.#options.onBadLine(message);
    this.#answer({ jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: ${message} (one JSON-RPC message per line, at most ${this.#maxLineBytes} bytes)` } });
  }

  /** An answer the transport itself gives (not a message of the server's): written as `send` writes. */
  #answer(message: { jsonrpc: '2.0'; id: string | number | null; error: { code: number; message: string } }): void {
    void this.send(message as unknown as JSONRPCMessage);
  }

  /**
   * One line: a message, or an answer where JSON-RPC asks for one — -32700 (id null) for a line that is not
   * JSON, -32600 for one that is not a JSON-RPC message (with its id when it has a usable one, so the client
   * is not left waiting). A malformed notification (a method, no id) is never answered.
   */
  #receiveLine(line: string): void {
    if (line.trim() === '') return;
    const shown = line.length > 120 ? `${line.slice(0, 120)}…` : line;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      this.#options.onBadLine(`ignored a line that is not JSON: ${shown}`);
      this.#answer({ jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: ${describeParseError(error)}` } });
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      this.#options.onBadLine(`ignored a line that is not a JSON-RPC message: ${shown}`);
      this.onerror?.(new Error(`not a JSON-RPC message: ${parsed.error.message}`));
      const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
      const id = record?.['id'];
      const isUsableId = typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id));
      if (!isUsableId && record && typeof record['method'] === 'string' && !('id' in record)) return;
      this.#answer({
        jsonrpc: '2.0',
        id: isUsableId ? (id as string | number) : null,
        error: { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 request, notification or response (check jsonrpc, id, method and that params is an object or array)' },
      });
      return;
    }
    const message = parsed.data;
    if ('method' in message) {
      if ('id' in message) this.#inFlight.add(requestKey(message.id));
      else if (message.method === 'notifications/cancelled') {
        // A cancelled request gets no response: it is no longer in flight.
        const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
        if (this.#inFlight.delete(requestKey(requestId))) queueMicrotask(() => this.#releaseIfCaughtUp());
      }
    }
    if (!this.#sawMessage) {
      this.#sawMessage = true;
      this.#options.onFirstMessage?.(message);
    }
    if (this.#queue) this.#queue.push(message);
    else this.onmessage?.(message);
  }

  #onEnd = (): void => this.#inputClosed('stdin closed');

  #onInputError = (error: Error): void => this.#inputClosed(`stdin failed: ${error.message}`);

  #inputClosed(why: string): void {
    if (this.#isInputClosed) return;
    this.#isInputClosed = true;
    this.#options.onInputClosed(why);
  }

  #onOutputError = (error: Error): void => {
    if (this.#isOutputDead) return;
    this.#isOutputDead = true;
    this.#pendingWrites = 0;
    this.#unwrittenBytes = 0;
    for (const waiter of this.#flushWaiters.splice(0)) waiter();
    this.#options.onOutputClosed(error);
  };
}

function describeParseError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
