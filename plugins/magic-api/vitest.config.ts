import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real emulators, HTTP servers and WebSockets on 127.0.0.1: bound each case generously so nothing hangs,
    // never to measure speed.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    maxWorkers: 2,
  },
});
