/**
 * Poll `predicate` until it holds; reject after `timeoutMs` naming what was awaited. For tests that wait on
 * something with no event to await (a file written by another process, a message counted by a server).
 * A bound, not a measurement: keep it generous.
 */
export async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 5000, intervalMs = 5): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
