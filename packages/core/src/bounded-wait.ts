/** How a bounded wait ended. */
export type BoundedResult<T> = { kind: 'settled'; value: T } | { kind: 'rejected'; error: unknown } | { kind: 'timeout' } | { kind: 'aborted' };

/**
 * Wait for `promise`, but no longer than `ms` and no longer than `signal` allows; never rejects. The timer is
 * an ordinary ref'd one: a bound must fire even when nothing else holds the event loop (an unref'd timer, such
 * as `AbortSignal.timeout`'s, lets Node exit early with code 13 instead). The timer and the abort listener are
 * removed the moment the wait ends, so a wait that settled leaves nothing behind.
 *
 * `ms` of `Infinity` waits for the promise or the signal alone; a negative `ms` is 0.
 */
export function boundedWait<T>(promise: PromiseLike<T>, ms: number, signal?: AbortSignal): Promise<BoundedResult<T>> {
  if (signal?.aborted) return Promise.resolve({ kind: 'aborted' });
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: BoundedResult<T>) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = () => finish({ kind: 'aborted' });
    if (ms !== Infinity) timer = setTimeout(() => finish({ kind: 'timeout' }), Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => finish({ kind: 'settled', value }),
      (error: unknown) => finish({ kind: 'rejected', error }),
    );
  });
}
