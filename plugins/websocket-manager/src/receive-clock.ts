/**
 * Receive timestamps, read once per batch of messages. ws parses every frame of one socket read in a
 * single synchronous run, so all messages of that read arrived at the same instant: the clock is read for
 * the first of them and reused until the run ends (the next microtask checkpoint). This takes `Date.now()`
 * off the per-message path of a fast stream without making any timestamp less true.
 */
let cached = 0;
let isValid = false;
const invalidate = () => {
  isValid = false;
};

export function receiveTime(): number {
  if (!isValid) {
    cached = Date.now();
    isValid = true;
    queueMicrotask(invalidate);
  }
  return cached;
}
