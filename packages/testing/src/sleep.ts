/**
 * Wait `ms`. Only where time itself is the subject (a debounce window must pass, a peer must stay silent for a
 * while); to wait for something that happens, use `waitUntil` with its condition instead.
 */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
