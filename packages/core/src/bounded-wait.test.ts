import { describe, expect, test } from 'vitest';
import { boundedWait } from './bounded-wait.js';

const never = new Promise<never>(() => {});

describe('boundedWait', () => {
  test('settled, rejected, timed out or aborted, whichever comes first; it never rejects', async () => {
    expect(await boundedWait(Promise.resolve(7), 1000)).toEqual({ kind: 'settled', value: 7 });
    const error = new Error('no');
    expect(await boundedWait(Promise.reject(error), 1000)).toEqual({ kind: 'rejected', error });
    expect(await boundedWait(never, 10)).toEqual({ kind: 'timeout' });
    const controller = new AbortController();
    const waiting = boundedWait(never, 60_000, controller.signal);
    controller.abort();
    expect(await waiting).toEqual({ kind: 'aborted' });
    expect(await boundedWait(Promise.resolve(1), 1000, AbortSignal.abort())).toEqual({ kind: 'aborted' });
  });

  test('Infinity waits for the signal alone; a negative bound is zero', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    expect(await boundedWait(never, Infinity, controller.signal)).toEqual({ kind: 'aborted' });
    expect(await boundedWait(never, -5)).toEqual({ kind: 'timeout' });
  });

  test('its timer holds the event loop while waiting and is gone once the wait ended', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    let resolve!: () => void;
    const waiting = boundedWait(new Promise<void>((done) => (resolve = done)), 60_000);
    expect(timers()).toBe(before + 1);
    resolve();
    await waiting;
    expect(timers()).toBe(before);
  });

  test('the abort listener is removed once the wait ended', async () => {
    const controller = new AbortController();
    let listeners = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => (listeners++, add(...args))) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => (listeners--, remove(...args))) as typeof remove;
    await boundedWait(Promise.resolve(), 1000, signal);
    await boundedWait(never, 5, signal);
    expect(listeners).toBe(0);
  });
});
