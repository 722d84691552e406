/**
 * Closing a handle is asynchronous in Node: `watcher.close()` or `socket.destroy()` only starts it, and the
 * handle stays open (and listed by `process.getActiveResourcesInfo()`) until libuv's close callback runs in
 * a later phase of the event loop. A shutdown tap that returns right after calling them leaves handles the
 * host's leak report sees. `nextLoopTurn` waits until they are really gone; wait for it with core's `boundedWait`, bounded by the tap's signal.
 */

/**
 * One full turn of the event loop: close callbacks run after the check phase, so the first `setImmediate`
 * lands before them and the second after them. An `FSWatcher` has no event tied to its handle's close.
 */
export async function nextLoopTurn(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
}
