import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { boundedWait } from './bounded-wait.js';
import { SHUTTING_DOWN_CODE } from './protocol-errors.js';

// Shape checks on messages a transport already validated. The SDK's own `isJSONRPC*` guards run a zod parse
// each, several times per request: measurable CPU on a busy HTTP server for no gain here.
const isRequest = (message: JSONRPCMessage): message is JSONRPCRequest => 'method' in message && 'id' in message;
const isNotification = (message: JSONRPCMessage): message is JSONRPCNotification => 'method' in message && !('id' in message);
const isResponse = (message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } => !('method' in message) && 'id' in message && ('result' in message || 'error' in message);

/**
 * Counts the client requests in flight across every transport, and gates new ones once shutdown begins:
 * they get a JSON-RPC error at once instead of starting work that would be cut.
 */
/** A request in flight: where to answer it if the drain deadline cuts it. */
interface InFlightRequest {
  /** Where the cut's error goes; absent when `cut` answers instead (a 2026-07-28 HTTP exchange). */
  transport?: Transport;
  id: RequestId;
  /** Answer the request with `error` because the drain deadline cut it. */
  cut?: (error: { code: number; message: string }) => Promise<void>;
}

export class RequestTracker {
  readonly #inFlight = new Map<string, InFlightRequest>();
  /** Requests answered by the cut: a late reply of the handler under the same id is not sent. */
  readonly #cut = new Set<string>();
  #waiters: (() => void)[] = [];
  #isClosing = false;
  #refused = 0;

  get isClosing(): boolean {
    return this.#isClosing;
  }

  /** Requests refused because they arrived after `close()`. */
  get refused(): number {
    return this.#refused;
  }

  get size(): number {
    return this.#inFlight.size;
  }

  /** Stop taking requests. */
  close(): void {
    this.#isClosing = true;
  }

  /** Track a request from now until `settle(key)`; once closed, refuse it instead (counted) and return false. */
  admit(key: string, request?: InFlightRequest): boolean {
    if (this.#isClosing) {
      this.#refused++;
      return false;
    }
    if (request) this.#inFlight.set(key, request);
    return true;
  }

  /** Count a request refused elsewhere (the HTTP server's 503s during shutdown). */
  countRefused(): void {
    this.#refused++;
  }

  /** True when `key` was answered by the cut: its handler's late reply must not go out too. */
  wasCut(key: string): boolean {
    return this.#cut.has(key);
  }

  settle(key: string): void {
    if (this.#inFlight.delete(key) && this.#inFlight.size === 0) for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Wait until no request is in flight, or until `deadline` (a `Date.now()` value). */
  async drain(deadline: number): Promise<{ completed: number; cut: number }> {
    const before = this.#inFlight.size;
    if (before > 0) await boundedWait(new Promise<void>((resolve) => this.#waiters.push(resolve)), deadline - Date.now());
    const cut = this.#inFlight.size;
    // Each request cut gets its answer, an error, so no client waits for one that will never come.
    const answers: Promise<void>[] = [];
    for (const [key, { transport, id, cut: answerCut }] of this.#inFlight) {
      this.#cut.add(key);
      const error = { code: SHUTTING_DOWN_CODE, message: 'The server is shutting down and the request was cut at the drain deadline (shutdown.drainTimeoutMs) before it was answered.' };
      if (answerCut) answers.push(answerCut(error).catch(() => {}));
      else if (transport) answers.push(transport.send({ jsonrpc: '2.0', id, error }, { relatedRequestId: id }).catch(() => {}));
    }
    this.#inFlight.clear();
    if (answers.length > 0) await boundedWait(Promise.all(answers), 250);
    return { completed: before - cut, cut };
  }

  /** Wrap a transport so its requests are tracked and gated. */
  wrap(inner: Transport, sessionKey: string): Transport {
    return new TrackedTransport(inner, this, sessionKey);
  }
}

/** The SDK's `McpError` puts `MCP error <code>: ` before its message; SDK clients add it again on their side. */
const SDK_ERROR_PREFIX = /^MCP error -?\d+: /;

/** An error response with the bare text as its message, so a client that adds the prefix shows it once. */
function withBareErrorMessage(message: JSONRPCMessage): JSONRPCMessage {
  const error = (message as { error?: { message?: unknown } }).error;
  if (!error || typeof error.message !== 'string' || !SDK_ERROR_PREFIX.test(error.message)) return message;
  return { ...message, error: { ...error, message: error.message.replace(SDK_ERROR_PREFIX, '') } } as JSONRPCMessage;
}

const requestKey = (session: string, id: RequestId) => `${session}\u0000${typeof id}\u0000${id}`;

class TrackedTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  setProtocolVersion?: (version: string) => void;

  constructor(
    readonly inner: Transport,
    readonly tracker: RequestTracker,
    readonly sessionKey: string,
  ) {
    if (inner.setProtocolVersion) this.setProtocolVersion = (version) => inner.setProtocolVersion?.(version);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    this.inner.onclose = () => this.onclose?.();
    this.inner.onerror = (error) => this.onerror?.(error);
    this.inner.onmessage = (message, extra) => this.#receive(message, extra);
    return this.inner.start();
  }

  #receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (isRequest(message)) {
      // A 2026-07-28 \`subscriptions/listen\` stays open for the connection's life: it is no work in flight for the
      // drain to wait for (once shutdown began it is refused like any request).
      const isListen = message.method === 'subscriptions/listen' && !this.tracker.isClosing;
      if (!isListen && !this.tracker.admit(requestKey(this.sessionKey, message.id), { transport: this.inner, id: message.id })) {
        void this.inner
          .send(
            {
              jsonrpc: '2.0',
              id: message.id,
              error: { code: SHUTTING_DOWN_CODE, message: 'The server is shutting down; the request was not run. Start a new session.' },
            },
            { relatedRequestId: message.id },
          )
          .catch(() => {});
        return;
      }
    } else if (isNotification(message) && message.method === 'notifications/cancelled') {
      // A cancelled request gets no response (the SDK sends none), so it is no longer awaited.
      const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (requestId !== undefined) this.tracker.settle(requestKey(this.sessionKey, requestId));
    }
    this.onmessage?.(message, extra);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isResponse(message)) {
      const id = message.id;
      if (id !== undefined && id !== null && this.tracker.wasCut(requestKey(this.sessionKey, id))) return;
      try {
        await this.inner.send(withBareErrorMessage(message), options);
      } finally {
        if (id !== undefined && id !== null) this.tracker.settle(requestKey(this.sessionKey, id));
      }
      return;
    }
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
