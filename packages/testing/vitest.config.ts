import { defineConfig } from 'vitest/config';

// A worker thread whose files share its module cache; each test makes (and shuts down) its own host.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 20_000, pool: 'threads', isolate: false } });
