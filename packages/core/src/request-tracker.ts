import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { boundedWait } from './bounded-wait.js';
import { SHUTTING_DOWN_CODE } from './protocol-errors.js';

// Shape checks on messages a transport already validated. The SDK's own `isJSONRPC*` guards run a zod parse
// each, several times per request: measurable CPU on a busy HTTP server for no gain here.
const isRequest = (message: JSONRPCMessage): message is JSONRPCRequest => 'method' in message && 'id' in message;
const isNotification = (message: JSONRPCMessage): message is JSONRPCNotification => 'method' in message && !('id' in message);
const isResponse = (message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } => !('method' in message) && 'id' in message && ('result' in message || 'error' in message);

/** A request in flight: where to answer it if the drain deadline cuts it. */
interface InFlightRequest {
  /** Where the cut's error goes; absent when `cut` answers instead (a 2026-07-28 HTTP exchange). */
  transport?: Transport;
  id: RequestId;
  /** Answer the request with `error` because the drain deadline cut it. */
  cut?: (error: { code: number; message: string }) => Promise<void>;
}

/**
 * The requests in flight on one connection (a session's transport; for 2026-07-28 HTTP exchanges, the pool's own),
 * by JSON-RPC id as sent (`1` and `"1"` are two requests). One per connection, so tracking a request is a lookup by
 * its id, with no key string built for it three times a request (issue 13: HTTP CPU per request).
 */
export class Ledger {
  readonly open = new Map<RequestId, InFlightRequest>();
  /** Requests answered by the cut: a late reply of the handler under the same id is not sent. */
  readonly cut = new Set<RequestId>();
}

/**
 * Counts the client requests in flight across every transport, and gates new ones once shutdown begins:
 * they get a JSON-RPC error at once instead of starting work that would be cut.
 */
export class RequestTracker {
  /** The ledgers with a request in flight; a ledger leaves when its last one settles. */
  readonly #busy = new Set<Ledger>();
  #size = 0;
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
    return this.#size;
  }

  /** Stop taking requests. */
  close(): void {
    this.#isClosing = true;
  }

  /** Track a request from now until `settle(ledger, id)`; once closed, refuse it instead (counted) and return false. */
  admit(ledger: Ledger, request: InFlightRequest): boolean {
    if (this.#isClosing) {
      this.#refused++;
      return false;
    }
    const { open } = ledger;
    const before = open.size;
    open.set(request.id, request);
    // A second request under an id still in flight replaces the first: it is still one to wait for.
    if (open.size === before) return true;
    this.#size++;
    if (before === 0) this.#busy.add(ledger);
    return true;
  }

  /** Count a request refused elsewhere (the HTTP server's 503s during shutdown). */
  countRefused(): void {
    this.#refused++;
  }

  settle(ledger: Ledger, id: RequestId): void {
    const { open } = ledger;
    if (!open.delete(id)) return;
    if (open.size === 0) this.#busy.delete(ledger);
    if (--this.#size === 0) for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Wait until no request is in flight, or until `deadline` (a `Date.now()` value). */
  async drain(deadline: number): Promise<{ completed: number; cut: number }> {
    const before = this.#size;
    if (before > 0) await boundedWait(new Promise<void>((resolve) => this.#waiters.push(resolve)), deadline - Date.now());
    const cut = this.#size;
    // Each request cut gets its answer, an error, so no client waits for one that will never come.
    const answers: Promise<void>[] = [];
    const error = { code: SHUTTING_DOWN_CODE, message: 'The server is shutting down and the request was cut at the drain deadline (shutdown.drainTimeoutMs) before it was answered.' };
    for (const ledger of this.#busy) {
      for (const [id, { transport, cut: answerCut }] of ledger.open) {
        ledger.cut.add(id);
        if (answerCut) answers.push(answerCut(error).catch(() => {}));
        else if (transport) answers.push(transport.send({ jsonrpc: '2.0', id, error }, { relatedRequestId: id }).catch(() => {}));
      }
      ledger.open.clear();
    }
    this.#busy.clear();
    this.#size = 0;
    if (answers.length > 0) await boundedWait(Promise.all(answers), 250);
    return { completed: before - cut, cut };
  }

  /** Wrap a transport so its requests are tracked and gated. */
  wrap(inner: Transport): Transport {
    return new TrackedTransport(inner, this);
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

class TrackedTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  setProtocolVersion?: (version: string) => void;

  readonly #ledger = new Ledger();

  constructor(
    readonly inner: Transport,
    readonly tracker: RequestTracker,
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
      if (!isListen && !this.tracker.admit(this.#ledger, { transport: this.inner, id: message.id })) {
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
      if (requestId !== undefined) this.tracker.settle(this.#ledger, requestId);
    }
    this.onmessage?.(message, extra);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isResponse(message)) {
      const id = message.id;
      if (id !== undefined && id !== null && this.#ledger.cut.has(id)) return;
      try {
        await this.inner.send(withBareErrorMessage(message), options);
      } finally {
        if (id !== undefined && id !== null) this.tracker.settle(this.#ledger, id);
      }
      return;
    }
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
