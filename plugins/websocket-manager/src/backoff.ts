import type { ReconnectOptions } from './options.js';

/**
 * The delay before retry number `attempt` (1 for the first retry): `initialDelayMs × factor^(attempt−1)`,
 * capped at `maxDelayMs`, then spread by ± `jitter` so that many clients of one backend do not retry in
 * lockstep. Never more than `maxDelayMs`.
 */
export function backoffDelay(options: ReconnectOptions, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** Math.max(0, attempt - 1));
  const spread = base * options.jitter;
  const delay = base - spread + random() * 2 * spread;
  return Math.round(Math.min(options.maxDelayMs, Math.max(0, delay)));
}
