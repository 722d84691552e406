/**
 * Closing a handle is asynchronous in Node: `watcher.close()` or `socket.destroy()` only starts it, and the
 * handle stays open (and listed by `process.getActiveResourcesInfo()`) until libuv's close callback runs in
 * a later phase of the event loop. A shutdown tap that returns right after calling them leaves handles the
 * host's leak report sees. These helpers wait until the handles are really gone, bounded by a signal.
 */

/** Resolve once `promise` settles or `signal` aborts, whichever is first; never rejects. */
export function settledOrAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    promise.then(done, done);
  });
}

/**
 * One full turn of the event loop: close callbacks run after the check phase, so the first `setImmediate`
 * lands before them and the second after them. An `FSWatcher` has no event tied to its handle's close.
 */
export async function nextLoopTurn(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
}
