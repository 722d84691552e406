import { defineConfig } from 'vitest/config';

// A worker thread whose files share its module cache (each would otherwise load the SDK afresh); they keep no
// module state of their own: every host is made per test.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], pool: 'threads', isolate: false } });
