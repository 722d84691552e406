import { defineConfig } from 'vitest/config';

// isolate: false — the files share one worker's module cache; each test makes (and shuts down) its own host.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 20_000, isolate: false } });
