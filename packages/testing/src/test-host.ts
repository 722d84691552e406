import { PassThrough } from 'node:stream';
import { HostError, type ShutdownReason, type ShutdownReport } from '@mcp-host/core';
import { createHost, type Host, type HostConfigInput } from '@mcp-host/core/host';
import { Client, InMemoryTransport } from '@mcp-host/core/client';
import type { Client as ModernClient } from '@modelcontextprotocol/client';
import { trackResources, type LeakCheck } from './leak-check.js';

export type { ModernClient };

/** The MCP revisions a test client can speak: 2025-11-25 (the SDK 1.x client) or 2026-07-28 (the SDK 2.x client, pinned). */
export type TestProtocol = '2025-11-25' | '2026-07-28';

type PluginEntries = NonNullable<HostConfigInput['plugins']>;

export interface CreateTestHostOptions {
  /** Plugin entries, as in a config: plugin objects, `[plugin, options]`, or specifiers. */
  plugins: PluginEntries;
  /** The rest of the config (shutdown bounds, logging…). */
  config?: Omit<HostConfigInput, 'plugins' | 'transport'>;
  /** Directory relative paths in plugin options resolve against (the config's directory); default `process.cwd()`. */
  cwd?: string;
  /** Environment for `${VAR}` substitution; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Capabilities the test client declares (sampling, elicitation, roots…). */
  clientCapabilities?: ConstructorParameters<typeof Client>[1] extends infer O ? (O extends { capabilities?: infer C } ? C : never) : never;
  /** Also write the host's stderr (logs and report) to the real stderr. */
  echo?: boolean;
  /**
   * The revision the client speaks: `'2025-11-25'` (default: the SDK 1.x `Client`, after `initialize`) or
   * `'2026-07-28'` (the SDK 2.x `Client` from `@modelcontextprotocol/client`, pinned: no handshake, every request
   * with its `_meta` envelope). The same plugin should pass the same tests on both.
   */
  protocol?: TestProtocol;
}

export interface TestHost<C = Client> {
  host: Host;
  /** A real MCP client, connected to the host through the SDK's in-memory transport. */
  client: C;
  /** Everything the host wrote to stderr: logs and the shutdown report. */
  stderr(): string;
  /** Run the real shutdown and return its report: each tap in run order with plugin, duration, outcome, error. */
  shutdown(reason?: ShutdownReason): Promise<ShutdownReport>;
  /** Fails if a plugin left sockets, timers or watchers open: call after `shutdown()`. Stops the tracking. */
  assertNoLeaks(settleMs?: number): Promise<void>;
  /**
   * The tracking behind `assertNoLeaks`, begun before the host was created: `leaked(0)` right after `shutdown()`
   * shows what a tap left at the moment it returned. Call `leaks.stop()` when the test ends if it never called
   * `assertNoLeaks()`; a failed startup stops it already.
   */
  leaks: LeakCheck;
}

/**
 * A host in-process, wired to a real MCP `Client`: `host.serve()` over the SDK's in-memory transport, the same
 * startup path the CLI runs (apply → start → serve → ready), without a process to spawn. It does not own the
 * process: no signal handlers, no exit.
 */
export async function createTestHost(options: CreateTestHostOptions & { protocol: '2026-07-28' }): Promise<TestHost<ModernClient>>;
export async function createTestHost(options: CreateTestHostOptions & { protocol?: '2025-11-25' }): Promise<TestHost>;
export async function createTestHost(options: CreateTestHostOptions): Promise<TestHost<Client | ModernClient>> {
  const leaks = trackResources();
  let text = '';
  const stderr = new PassThrough();
  stderr.setEncoding('utf8');
  stderr.on('data', (chunk: string) => {
    text += chunk;
    if (options.echo) process.stderr.write(chunk);
  });
  const host = createHost({
    config: { ...options.config, plugins: options.plugins },
    stderr,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  try {
    // The same startup the CLI runs; a failure has begun the shutdown, which releases what was set up.
    await host.serve(serverSide);
    if (host.state !== 'running') throw new HostError('MCPH_STARTUP_ABORTED', `the host stopped during startup (${host.state}): something called shutdown() before it was serving`);
  } catch (error) {
    leaks.stop();
    await host.whenStopped();
    throw error;
  }
  const client = options.protocol === '2026-07-28' ? await modernClient(options) : new Client({ name: 'mcp-host-testing', version: '0.1.0' }, { capabilities: options.clientCapabilities ?? {} });
  await client.connect(clientSide as never);
  return {
    host,
    client,
    stderr: () => text,
    shutdown: (reason = 'api') => host.shutdown(reason),
    assertNoLeaks: async (settleMs) => {
      try {
        await leaks.assertNone(settleMs);
      } finally {
        leaks.stop();
      }
    },
    leaks,
  };
}

/** The SDK 2.x client pinned to 2026-07-28 (loaded only by tests that ask for it). */
async function modernClient(options: CreateTestHostOptions): Promise<ModernClient> {
  const { Client: V2Client } = await import('@modelcontextprotocol/client');
  return new V2Client({ name: 'mcp-host-testing', version: '0.1.0' }, { capabilities: (options.clientCapabilities ?? {}) as never, versionNegotiation: { mode: { pin: '2026-07-28' } } });
}
