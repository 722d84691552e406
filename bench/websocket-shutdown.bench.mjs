// websocket-manager shutdown benchmark (issue 3): stdin closed → process gone, for the real `mcp-host start`
// with 10 open WebSocket connections (websocket-manager), against the same host with none, runs interleaved.
//
//   node bench/websocket-shutdown.bench.mjs [--runs N] [--connections N] [--json]
//
// Each run spawns `node packages/cli/bin/mcp-host.js start --config <temp config>` with raw pipes, sends
// `initialize`, waits for the reply and (with the plugin) until every connection logged "connected", then
// closes stdin and times until the child's `exit` event. The backend (a `ws` server of the bench on
// 127.0.0.1:0) answers every close frame, and records the close codes it saw: each run must show N × 1001.
// Exit 0 when it ran, whatever the numbers; 1 if it could not.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCli, cleanUpOnExit } from './harness.mjs';
import { WebSocketServer } from 'ws';
import { median, p90 } from './stats.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'packages/cli/bin/mcp-host.js');
const PLUGIN = '@mcp-host/plugin-websocket-manager';
/** Bounds: hitting one means the bench is broken, not slow. */
const READY_TIMEOUT_MS = 15_000;
const EXIT_TIMEOUT_MS = 5000;

const { fail, parseFlags, emit } = benchCli('websocket-shutdown.bench');
const flags = parseFlags({ runs: [20, 1, 500], connections: [10, 1, 200] });
const RUNS = flags.runs;
const CONNECTIONS = flags.connections;


const children = new Set();
let tempDir;
const cleanUp = () => {
  for (const child of children) child.kill('SIGKILL');
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
};
cleanUpOnExit(cleanUp);

const progress = (text) => process.stderr.write(text);

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'websocket-shutdown-bench', version: '0' } },
};

/** The backend: every close code it saw, per connection. */
const closeCodes = [];
const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('connection', (socket) => {
  socket.on('error', () => {});
  socket.on('close', (code) => closeCodes.push(code));
});

/** One run: spawn, handshake, wait until ready, close stdin; resolves with ms from stdin closed to exit. */
async function run(configFile, expectedConnections) {
  const child = spawn(process.execPath, [CLI, 'start', '--config', configFile], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  child.stdin.on('error', () => {});
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
  try {
    child.stdin.write(`${JSON.stringify(INITIALIZE)}\n`);
    const until = Date.now() + READY_TIMEOUT_MS;
    const isReady = () => stdout.includes('"id":0') && (stderr.match(/: connected to /g)?.length ?? 0) >= expectedConnections;
    while (!isReady()) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`host not ready (exit ${child.exitCode})\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const closedAt = performance.now();
    child.stdin.end();
    let timer;
    const result = await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, EXIT_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (!result) throw new Error(`host still running ${EXIT_TIMEOUT_MS} ms after stdin closed\n${stderr}`);
    if (result.code !== 0) throw new Error(`host exited ${result.code ?? result.signal}\n${stderr}`);
    return result.at - closedAt;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    children.delete(child);
  }
}

try {
  await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const url = `ws://127.0.0.1:${server.address().port}/`;
  tempDir = await mkdtemp(path.join(tmpdir(), 'websocket-shutdown-bench-'));
  const withConnections = path.join(tempDir, 'with-connections.json');
  const without = path.join(tempDir, 'without.json');
  const connections = Array.from({ length: CONNECTIONS }, (_, index) => ({ name: `c${index}`, url }));
  await writeFile(withConnections, JSON.stringify({ plugins: [[PLUGIN, { connections }]] }));
  await writeFile(without, JSON.stringify({ plugins: [] }));

  progress(`websocket-shutdown: ${RUNS} runs each, stdin closed → exit, host with ${CONNECTIONS} open connections vs none\n`);
  // Warm-up (disk cache, JIT of the bench itself), unmeasured.
  await run(without, 0);
  await run(withConnections, CONNECTIONS);
  closeCodes.length = 0;

  const timesWith = [];
  const timesWithout = [];
  for (let index = 0; index < RUNS; index++) {
    const order = index % 2 === 0 ? ['with', 'without'] : ['without', 'with'];
    for (const which of order) {
      if (which === 'with') {
        const before = closeCodes.length;
        timesWith.push(await run(withConnections, CONNECTIONS));
        // The server may see the last closes a moment after the host is gone.
        const until = Date.now() + 1000;
        while (closeCodes.length - before < CONNECTIONS && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
      } else {
        timesWithout.push(await run(without, 0));
      }
    }
    progress('.');
  }
  progress('\n');

  const codes = {};
  for (const code of closeCodes) codes[code] = (codes[code] ?? 0) + 1;
  const result = {
    runs: RUNS,
    connections: CONNECTIONS,
    withConnectionsMs: { median: Number(median(timesWith).toFixed(1)), p90: Number(p90(timesWith).toFixed(1)) },
    withoutMs: { median: Number(median(timesWithout).toFixed(1)), p90: Number(p90(timesWithout).toFixed(1)) },
    extraMs: Number((median(timesWith) - median(timesWithout)).toFixed(1)),
    ratio: Number((median(timesWith) / median(timesWithout)).toFixed(2)),
    closeCodesSeenByBackend: codes,
  };
  const table = [
    '',
    `${'stdin closed → exit'.padEnd(34)} ${'median ms'.padStart(9)} ${'p90 ms'.padStart(9)}`,
    `${`  host, ${CONNECTIONS} open connections`.padEnd(34)} ${result.withConnectionsMs.median.toFixed(1).padStart(9)} ${result.withConnectionsMs.p90.toFixed(1).padStart(9)}`,
    `${'  host, no connections'.padEnd(34)} ${result.withoutMs.median.toFixed(1).padStart(9)} ${result.withoutMs.p90.toFixed(1).padStart(9)}`,
    `${'  extra for the connections'.padEnd(34)} ${result.extraMs.toFixed(1).padStart(9)}  (ratio ${result.ratio})`,
    `  close codes the backend saw: ${Object.entries(codes).map(([code, count]) => `${code} × ${count}`).join(', ')} (expected ${CONNECTIONS * RUNS} × 1001)`,
    '',
  ].join('\n');
  emit(table, result, flags.json);
} catch (error) {
  process.stderr.write(`websocket-shutdown.bench: ${error.stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  for (const client of server.clients) client.terminate();
  server.close();
  cleanUp();
}
