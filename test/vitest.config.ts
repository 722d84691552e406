import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['cases/**/*.test.ts'],
    // Every case spawns real processes; bound each generously so nothing hangs, never to measure speed.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores on CI: a few files at once keeps timing-sensitive lifecycle cases honest.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
