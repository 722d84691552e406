import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** Longest line accepted from the client; a longer one is dropped and reported. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

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
}

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
  #buffer: Buffer | undefined;
  #queue: JSONRPCMessage[] | undefined = [];
  #isInputClosed = false;
  #isOutputDead = false;
  #isClosed = false;
  #pendingWrites = 0;
  #flushWaiters: (() => void)[] = [];

  constructor(options: StdioTransportOptions) {
    this.#options = options;
    const { stdin, stdout } = options;
    stdin.on('data', this.#onData);
    stdin.on('end', this.#onEnd);
    stdin.on('close', this.#onEnd);
    stdin.on('error', this.#onInputError);
    stdout.on('error', this.#onOutputError);
    // `end` only fires while stdin flows; `data` listeners make it flow. Already at EOF: say so now.
    if (stdin.readableEnded || stdin.destroyed) queueMicrotask(() => this.#inputClosed('stdin already at EOF'));
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
    if (this.#isOutputDead || this.#isClosed) return Promise.resolve();
    const line = JSON.stringify(message) + '\n';
    this.#pendingWrites++;
    return new Promise((resolve) => {
      // Resolve on the write callback, not on `drain`: a dead pipe emits an error, never `drain`.
      this.#options.write(line, () => {
        this.#pendingWrites--;
        if (this.#pendingWrites === 0) for (const waiter of this.#flushWaiters.splice(0)) waiter();
        resolve();
      });
    });
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

  #onData = (chunk: Buffer | string): void => {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#buffer = this.#buffer ? Buffer.concat([this.#buffer, data]) : data;
    let newline: number;
    while (this.#buffer && (newline = this.#buffer.indexOf(0x0a)) !== -1) {
      const line = this.#buffer.toString('utf8', 0, newline).replace(/\r$/, '');
      this.#buffer = newline + 1 < this.#buffer.length ? this.#buffer.subarray(newline + 1) : undefined;
      if (line.trim() !== '') this.#receiveLine(line);
    }
    if (this.#buffer && this.#buffer.length > MAX_LINE_BYTES) {
      this.#buffer = undefined;
      this.#options.onBadLine(`a line over ${MAX_LINE_BYTES} bytes was dropped`);
    }
  };

  #receiveLine(line: string): void {
    let message: JSONRPCMessage;
    try {
      message = JSONRPCMessageSchema.parse(JSON.parse(line));
    } catch (error) {
      this.#options.onBadLine(`ignored a line that is not a JSON-RPC message: ${line.length > 120 ? `${line.slice(0, 120)}…` : line}`);
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      return;
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
    for (const waiter of this.#flushWaiters.splice(0)) waiter();
    this.#options.onOutputClosed(error);
  };
}
