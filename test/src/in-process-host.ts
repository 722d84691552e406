import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { Client, InMemoryTransport } from '@mcp-host/core/client';
import { createHost, createHttpSessionServer, type Host } from '@mcp-host/core/host';
import { onTestFailed, onTestFinished } from 'vitest';
import { collect } from './cli-in-process.js';
import { ROOT } from './host-process.js';

/** Package-name plugins resolve from the CLI's installation too, as `mcp-host start` has them. */
const CLI_MODULE = pathToFileURL(path.join(ROOT, 'packages/cli/dist/main.js')).href;

export interface InProcessHost {
  host: Host;
  /** Everything the host wrote to stderr: logs and the shutdown report. */
  stderr(): string;
}

/**
 * A host built from a config (a file searched from `cwd`, as the CLI does, or `config`), in this process, with
 * the CLI's plugin resolution: the public embedding API (`createHost`), for cases about logic rather than the
 * process. Shut down when the test ends; its stderr is printed if the test fails.
 */
export function hostFromConfig(options: { cwd: string; config?: string | object; env?: NodeJS.ProcessEnv }): InProcessHost {
  const stderr = collect();
  const host = createHost({
    cwd: options.cwd,
    ...(options.config !== undefined ? { config: options.config as string } : {}),
    env: { ...process.env, ...options.env },
    stderr: stderr.stream,
    resolveFrom: [CLI_MODULE],
  });
  onTestFinished(() => host.shutdown().then(() => undefined));
  onTestFailed(() => void process.stderr.write(`--- in-process host stderr ---\n${stderr.text()}\n`));
  return { host, stderr: stderr.text };
}

/** `hostFromConfig`, served over the in-memory transport to a real SDK Client (the testing kit's way). */
export async function connectInProcess(options: {
  cwd: string;
  config?: string | object;
  env?: NodeJS.ProcessEnv;
  capabilities?: Record<string, object>;
  clientInfo?: { name: string; version: string };
}) {
  const served = hostFromConfig(options);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await served.host.serve(serverSide);
  const client = new Client(options.clientInfo ?? { name: 'mcp-host-test', version: '0.0.0' }, { capabilities: options.capabilities ?? {} });
  await client.connect(clientSide);
  return { ...served, client };
}

/** `hostFromConfig` served over Streamable HTTP on 127.0.0.1, port 0 unless the config says otherwise; resolves with the endpoint. */
export async function serveHttpInProcess(options: { cwd: string; config?: string | object; env?: NodeJS.ProcessEnv }) {
  const served = hostFromConfig(options);
  const config = await served.host.load();
  if (config.host.transport.type !== 'http') throw new Error('serveHttpInProcess needs a config with transport.type "http"');
  let url: URL | undefined;
  await served.host.serve(await createHttpSessionServer(config.host.transport, { onListening: (at) => (url = at) }));
  return { ...served, url: url! };
}
