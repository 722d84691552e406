import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['cases/**/*.test.ts'],
    // Bound each case generously so nothing hangs, never to measure speed.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Three files at once on two cores: most spawned cases spend their time waiting on a child process (its
    // timers, its exit), so a third worker fills that time; the timing-sensitive lifecycle cases have bounds far
    // above what they take (checked with a busy loop beside the run on this 2-core machine).
    maxWorkers: 3,
    fileParallelism: true,
    // Worker threads (lighter than forked processes), and files sharing a worker and its module cache instead of
    // each loading vitest, the SDK and core afresh (~0.5 s of CPU a file). They hold no module state of their
    // own: the processes they spawn are isolated by being processes, and in-process hosts are made per test and
    // shut down when it ends.
    pool: 'threads',
    isolate: false,
  },
});
