import { defineConfig, type ViteUserConfig } from 'vitest/config';

type TestOptions = NonNullable<ViteUserConfig['test']>;

/**
 * The vitest config a plugin's tests share: `test/**\/*.test.ts`, real sockets and files bounded generously so
 * nothing hangs (never to measure speed), two worker threads for a two-core machine, and the files of a worker
 * sharing its module cache (each would otherwise load vitest, the SDK and core afresh): a test makes its own host
 * and backends and the kit's helpers close them when it ends. `overrides` win.
 * `export default pluginTestConfig();` in the plugin's `vitest.config.ts`.
 */
export function pluginTestConfig(overrides: TestOptions = {}): ViteUserConfig {
  return defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 20_000, maxWorkers: 2, pool: 'threads', isolate: false, ...overrides } });
}
