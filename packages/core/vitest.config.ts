import { defineConfig } from 'vitest/config';

// isolate: false — the files share one worker's module cache (each would otherwise load the SDK afresh); they
// keep no module state of their own: every host is made per test.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], isolate: false } });
