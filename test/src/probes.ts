import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, writeFiles } from './host-process.js';

const PROBE_LIB = fileURLToPath(new URL('../fixtures/probe-plugin.mjs', import.meta.url));

export interface ProbeOptions {
  apply?: 'ok' | 'throw';
  start?: 'ok' | 'throw' | 'hang' | 'reject' | 'abortable';
  shutdown?: 'ok' | 'throw' | 'hang' | 'reject' | 'abortable';
  shutdownDelayMs?: number;
  tapOptions?: Record<string, unknown>;
  tapKind?: 'promise' | 'async' | 'sync';
  leakTimer?: boolean;
  printAtImport?: boolean;
}

export interface ProbeSetup {
  dir: string;
  config: string;
  marker: string;
  /** The events the probes recorded, in order (`a:start`, `b:shutdown:SIGTERM`, …). */
  events(): string[];
}

/**
 * A temp dir with a config listing one probe plugin per entry of `probes`, in that order.
 * `extra` merges into the config (e.g. `{ shutdown: { hookTimeoutMs: 200 } }`).
 */
export async function setupProbes(probes: Record<string, ProbeOptions>, extra: Record<string, unknown> = {}): Promise<ProbeSetup> {
  const dir = await tempDir();
  const marker = path.join(dir, 'events.log');
  await writeFiles(dir, { 'events.log': '' });
  const files: Record<string, string | object> = {};
  const plugins: unknown[] = [];
  for (const [name, options] of Object.entries(probes)) {
    files[`${name}.mjs`] = `import { makeProbe } from ${JSON.stringify(PROBE_LIB)};\nexport default makeProbe(${JSON.stringify(name)});\n`;
    plugins.push([`./${name}.mjs`, { marker, ...options }]);
  }
  files['mcp-host.config.json'] = { ...extra, plugins };
  await writeFiles(dir, files);
  return {
    dir,
    config: path.join(dir, 'mcp-host.config.json'),
    marker,
    events: () => readFileSync(marker, 'utf8').split('\n').filter(Boolean),
  };
}
