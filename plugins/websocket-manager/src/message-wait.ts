import { ConnectionError } from './connection-error.js';
import type { BufferedMessage } from './message-buffer.js';

/** Options for `waitFor`. */
export interface WaitForOptions {
  /** Give up after this many ms (`WSM_TIMEOUT`). Required: every wait is bounded. */
  timeoutMs: number;
  /** Give up when this aborts (`WSM_ABORTED`). */
  signal?: AbortSignal;
  /** Resolve once this many messages matched (default 1). */
  count?: number;
  /**
   * Also match the messages still buffered whose `seq` is above this, oldest first. Read `info().received` (the seq
   * of the newest message) before starting what will make the messages come, pass it here, and none that arrives
   * in between is missed. Left out: only messages that arrive after the call.
   */
  afterSeq?: number;
}

/** What `waitForMessages` needs from a connection. */
export interface MessageSource {
  readonly name: string;
  /** Buffered messages with a `seq` above `seq`, oldest first. */
  bufferedAfter(seq: number): BufferedMessage[];
  /** Call `listener` for each message from now on; returns the unsubscribe function. */
  subscribe(listener: (message: BufferedMessage) => void): () => void;
  /** Why no message can arrive any more (closed for good), or `undefined` while some can. */
  endedReason(): string | undefined;
  /** Call `listener` once the connection is closed for good; returns the function that stops watching. */
  watchEnd(listener: (reason: string) => void): () => void;
}

function invalid(message: string): Promise<never> {
  return Promise.reject(new TypeError(`waitFor: ${message}`));
}

/**
 * Wait for `count` messages of `source` that satisfy `predicate`, and resolve with them in arrival order. Rejects with
 * a `ConnectionError` carrying the messages matched so far (`messages`): `WSM_TIMEOUT` after `timeoutMs`,
 * `WSM_ABORTED` when `signal` aborts, `WSM_CLOSED` when the connection closes for good; with the predicate's own
 * error if it throws. However it ends, the listener, the abort listener and the timer are gone when it settles.
 */
export function waitForMessages(source: MessageSource, predicate: (message: BufferedMessage) => boolean, options: WaitForOptions): Promise<BufferedMessage[]> {
  const { timeoutMs, signal, count = 1, afterSeq } = options ?? ({} as WaitForOptions);
  if (typeof predicate !== 'function') return invalid('the predicate must be a function');
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0) return invalid(`timeoutMs must be a finite number of ms ≥ 0, got ${String(timeoutMs)}`);
  if (!Number.isInteger(count) || count < 1) return invalid(`count must be an integer ≥ 1, got ${String(count)}`);
  if (afterSeq !== undefined && (!Number.isInteger(afterSeq) || afterSeq < 0)) return invalid(`afterSeq must be an integer ≥ 0, got ${String(afterSeq)}`);
  return new Promise((resolve, reject) => {
    const matched: BufferedMessage[] = [];
    const so = () => `${matched.length} of ${count} matching message${count === 1 ? '' : 's'} seen`;
    let isDone = false;
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;
    let unwatchEnd: (() => void) | undefined;
    const finish = (error?: unknown) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      unsubscribe?.();
      unwatchEnd?.();
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve(matched);
      else reject(error);
    };
    const onAbort = () =>
      finish(new ConnectionError('WSM_ABORTED', `connection "${source.name}": waiting for messages was cancelled (${so()})`, { connection: source.name, cause: signal?.reason, messages: matched }));
    const consider = (message: BufferedMessage) => {
      if (isDone) return;
      let isMatch: boolean;
      try {
        isMatch = predicate(message);
      } catch (error) {
        finish(error);
        return;
      }
      if (!isMatch) return;
      matched.push(message);
      if (matched.length >= count) finish();
    };
    if (signal?.aborted) return onAbort();
    if (afterSeq !== undefined) {
      for (const message of source.bufferedAfter(afterSeq)) {
        consider(message);
        if (isDone) return;
      }
    }
    const ended = (reason: string) =>
      finish(new ConnectionError('WSM_CLOSED', `connection "${source.name}" ${reason}; no more messages can arrive (${so()})`, { connection: source.name, messages: matched }));
    const reason = source.endedReason();
    if (reason !== undefined) return ended(reason);
    unsubscribe = source.subscribe(consider);
    unwatchEnd = source.watchEnd(ended);
    signal?.addEventListener('abort', onAbort, { once: true });
    // Ref'd: a bound must fire even when nothing else holds the event loop. Cleared by finish().
    timer = setTimeout(
      () => finish(new ConnectionError('WSM_TIMEOUT', `connection "${source.name}": waited ${timeoutMs} ms for messages (${so()})`, { connection: source.name, messages: matched })),
      timeoutMs,
    );
  });
}
