export type BoundedResult<T> = { kind: 'settled'; value: T } | { kind: 'rejected'; error: unknown } | { kind: 'timeout' } | { kind: 'aborted' };

/**
 * Wait for `promise`, but no longer than `ms` and no longer than `signal` allows. The timer is ref'd (a
 * bound must fire even if nothing else holds the event loop) and is cleared, with the abort listener,
 * as soon as the wait ends: nothing is left behind.
 */
export function boundedWait<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<BoundedResult<T>> {
  if (signal?.aborted) return Promise.resolve({ kind: 'aborted' });
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: BoundedResult<T>) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = () => finish({ kind: 'aborted' });
    timer = setTimeout(() => finish({ kind: 'timeout' }), Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => finish({ kind: 'settled', value }),
      (error: unknown) => finish({ kind: 'rejected', error }),
    );
  });
}
