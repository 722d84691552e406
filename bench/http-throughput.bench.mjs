// HTTP throughput benchmark (issue 4): tools/call over Streamable HTTP, the real `mcp-host start` (transport
// http, port 0) against a bare MCP SDK server (node:http, one McpServer + StreamableHTTPServerTransport per
// session) serving the same one tool, in one run, host and baseline cells interleaved.
//
//   node bench/http-throughput.bench.mjs [--runs N] [--requests N] [--settle-ms MS] [--json]
//   node bench/http-throughput.bench.mjs --serve-bare     (the baseline server itself; prints its URL on stderr)
//
// A cell is (server, concurrency): C clients, each its own session on its own keep-alive socket, each sending
// tools/call `echo` back to back (closed loop) until the cell's --requests (2000) are done, timed from
// --settle-ms (100) after the sessions opened. Throughput = requests /
// wall time of the cell; latency = one request's POST → its whole SSE answer. The clients are a few lines of
// node:http, not the SDK Client, so the bench process stays light and the servers are what is measured.
// Exit code 0 even when a target is missed (benchmarks report, tests gate); 1 only if the bench could not run.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCli, cleanUpOnExit, reportHeader, spawnListeningServer } from './harness.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'packages/cli/bin/mcp-host.js');
const SELF = fileURLToPath(import.meta.url);
const ECHO_PLUGIN = fileURLToPath(new URL('./fixtures/echo-plugin.mjs', import.meta.url));

const CONCURRENCY = [1, 8, 64];
// Issue 4 asked ≥ 0.9× req/s; issue 13: ≥ 0.97× req/s, p99 ≤ 1.05×, server CPU per request ≤ 1.03× (every cell).
const TARGETS = { throughputRatio: 0.97, p99Ratio: 1.05, cpuRatio: 1.03 };
/** Bounds: hitting one means the bench is broken, not slow. */
const LISTEN_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 15_000;
const CELL_TIMEOUT_MS = 60_000;
const KILL_WAIT_MS = 2000;
const PROTOCOL_VERSION = '2025-06-18';
/** Clock ticks per second, for /proc CPU times (USER_HZ; 100 on Linux unless `getconf` says otherwise). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === SELF;

const { fail, parseFlags, emit } = benchCli('http-throughput.bench');

// ---- the baseline server (a child process of the bench, like the host) ---------------------------------

/**
 * A bare SDK server over Streamable HTTP, written the way the SDK documents it: node:http, one McpServer and
 * one StreamableHTTPServerTransport per session, routed by Mcp-Session-Id. No Origin check, no drain, no body
 * bound: the SDK alone.
 */
async function serveBare() {
  const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
  const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const { isInitializeRequest } = await import('@modelcontextprotocol/sdk/types.js');
  const { z } = await import('zod');
  const { echoTool, echoToolHandler } = await import('./fixtures/echo-tool.mjs');
  const transports = new Map();
  const readJson = (req) =>
    new Promise((resolve, reject) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        try {
          resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined);
        } catch (error) {
          reject(error);
        }
      });
      req.on('error', reject);
    });
  const refuse = (res, status, message) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message } }));
  };
  const server = createServer(async (req, res) => {
    try {
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      const sessionId = req.headers['mcp-session-id'];
      if (typeof sessionId === 'string') {
        const transport = transports.get(sessionId);
        if (!transport) return refuse(res, 404, 'Session not found');
        return await transport.handleRequest(req, res, body);
      }
      if (req.method !== 'POST' || !isInitializeRequest(body)) return refuse(res, 400, 'Mcp-Session-Id required');
      const mcp = new McpServer({ name: 'bare-sdk-http-server', version: '0.0.0' });
      mcp.registerTool(echoTool.name, echoTool.config(z), echoToolHandler);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => transports.set(id, transport),
        onsessionclosed: (id) => transports.delete(id),
      });
      await mcp.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      if (!res.headersSent) refuse(res, 500, String(error?.message ?? error));
      else res.end();
    }
  });
  server.listen(0, '127.0.0.1', () => process.stderr.write(`bare-sdk-http-server: listening on http://127.0.0.1:${server.address().port}/mcp\n`));
}

// ---- servers under test ------------------------------------------------------------------------------------

/** Children not yet known to be gone: killed on exit and on Ctrl+C of the bench. */
const children = new Set();
let tempDir;
if (isMain) cleanUpOnExit(killAll, () => tempDir);

export function killAll() {
  for (const child of children) child.kill('SIGKILL');
}

/** Spawn a server and wait for its `listening on <url>` line on stderr. */
export async function startServer(kind, dir) {
  let args;
  if (kind === 'host') {
    const config = path.join(dir, 'http.config.json');
    await writeFile(config, JSON.stringify({ name: 'mcp-host-bench', logging: { level: 'warning' }, transport: { type: 'http', port: 0 }, plugins: [ECHO_PLUGIN] }, null, 2));
    args = [CLI, 'start', '--config', config];
  } else {
    args = [SELF, '--serve-bare'];
  }
  const server = await spawnListeningServer(args, { cwd: dir, children, label: kind, listenTimeoutMs: LISTEN_TIMEOUT_MS, stopWaitMs: KILL_WAIT_MS * 2 });
  return { kind, ...server };
}

// ---- a minimal Streamable HTTP client ---------------------------------------------------------------------

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

/** One HTTP exchange on `agent`; resolves with status, headers and the whole body. */
function exchange(url, agent, method, headers, body) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = request(url, { method, agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    }),
    REQUEST_TIMEOUT_MS,
    `${method} ${url.href}`,
  );
}

/** The JSON-RPC messages in a response body: SSE `data:` lines, or one JSON body. */
function messagesOf(response) {
  if (!String(response.headers['content-type']).includes('text/event-stream')) return response.body ? [JSON.parse(response.body)] : [];
  return response.body
    .split('\n')
    .filter((line) => line.startsWith('data:') && line.length > 5)
    .map((line) => JSON.parse(line.slice(5)));
}

/** One client: a session of its own on one keep-alive socket. */
export class Session {
  #nextId = 1;
  constructor(url) {
    this.url = url;
    this.agent = new Agent({ keepAlive: true, maxSockets: 1 });
    this.sessionId = undefined;
  }

  #headers() {
    return {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': PROTOCOL_VERSION,
      ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}),
    };
  }

  /** Send one request; resolves with its result (rejects on an error reply or a bad status). */
  async call(method, params) {
    const id = this.#nextId++;
    const response = await exchange(this.url, this.agent, 'POST', this.#headers(), JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    if (response.status !== 200) throw new Error(`${method}: HTTP ${response.status} ${response.body.slice(0, 200)}`);
    const reply = messagesOf(response).find((message) => message.id === id);
    if (!reply) throw new Error(`${method}: no reply to id ${id} in ${response.body.slice(0, 200)}`);
    if (reply.error) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
    this.sessionId ??= response.headers['mcp-session-id'];
    return reply.result;
  }

  async open() {
    await this.call('initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'mcp-host-bench', version: '0' } });
    if (!this.sessionId) throw new Error('initialize: no Mcp-Session-Id header');
    const response = await exchange(this.url, this.agent, 'POST', this.#headers(), JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    if (response.status !== 202) throw new Error(`notifications/initialized: HTTP ${response.status}`);
    return this;
  }

  /** End the session (DELETE) and the socket. */
  async close() {
    try {
      if (this.sessionId) await exchange(this.url, this.agent, 'DELETE', this.#headers());
    } finally {
      this.agent.destroy();
    }
  }
}

// ---- one cell ------------------------------------------------------------------------------------------

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat (Linux); null elsewhere. */
function cpuMs(pid) {
  try {
    // Fields after the command name (which may hold spaces, hence the last ')'): utime is the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop().split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** `concurrency` sessions, `requests` tools/call in all, closed loop; timed from after `settleMs`. */
async function runCell(server, concurrency, requests, settleMs = 0) {
  const sessions = await Promise.all(Array.from({ length: concurrency }, () => new Session(server.url).open()));
  await sleep(settleMs);
  const latencies = [];
  let remaining = requests;
  let wrong = 0;
  try {
    const cpuBefore = cpuMs(server.child.pid);
    const startedAt = performance.now();
    const deadline = startedAt + CELL_TIMEOUT_MS;
    await Promise.all(
      sessions.map(async (session, index) => {
        for (let n = 0; remaining > 0 && performance.now() < deadline; n++) {
          remaining--;
          const message = `c${index}-${n}`;
          const sentAt = performance.now();
          const result = await session.call('tools/call', { name: 'echo', arguments: { message } });
          latencies.push(performance.now() - sentAt);
          if (result?.content?.[0]?.text !== message) wrong++;
        }
      }),
    );
    const wallMs = performance.now() - startedAt;
    const cpuAfter = cpuMs(server.child.pid);
    const serverCpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
    if (wrong > 0) throw new Error(`${server.kind}: ${wrong} tools/call results did not echo their message`);
    return {
      requests: latencies.length,
      wallMs,
      throughput: (latencies.length / wallMs) * 1000,
      cpuUsPerRequest: serverCpuMs === null ? null : (serverCpuMs * 1000) / latencies.length,
      latencies,
      timedOut: remaining > 0,
    };
  } finally {
    await Promise.allSettled(sessions.map((session) => session.close()));
  }
}

/** Both servers serve exactly the one `echo` tool, and answer it. */
async function checkServes(server) {
  const session = await new Session(server.url).open();
  try {
    const { tools } = await session.call('tools/list', {});
    const names = tools.map((tool) => tool.name);
    if (names.join() !== 'echo') throw new Error(`${server.kind} serves tools [${names.join(', ')}], expected exactly [echo]`);
  } finally {
    await session.close();
  }
}

// ---- statistics and report -------------------------------------------------------------------------------

export function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
}

function cellStats(runs) {
  const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  return {
    runs: runs.length,
    requests: latencies.length,
    throughput: median(runs.map((run) => run.throughput)),
    throughputMin: Math.min(...runs.map((run) => run.throughput)),
    throughputMax: Math.max(...runs.map((run) => run.throughput)),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    cpuUsPerRequest: runs.some((run) => run.cpuUsPerRequest === null) ? null : median(runs.map((run) => run.cpuUsPerRequest)),
    timedOut: runs.filter((run) => run.timedOut).length,
  };
}

function buildReport(results, runs, requests) {
  const cells = CONCURRENCY.map((concurrency) => {
    const host = cellStats(results.host[concurrency]);
    const bare = cellStats(results.bare[concurrency]);
    // Each round's host and bare runs are back to back: their ratio cancels the load drifting between rounds
    // (other processes on the machine), which the ratio of the two medians does not.
    // CPU and p99 are paired the same way (issue 13 asks every ratio paired per round): on a machine whose speed
    // drifts between rounds, the ratio of two pooled figures mostly measures the drift.
    const paired = (of) => median(results.host[concurrency].map((run, round) => of(run) / of(results.bare[concurrency][round])));
    const ratio = paired((run) => run.throughput);
    const cpuRatio = host.cpuUsPerRequest !== null && bare.cpuUsPerRequest !== null ? paired((run) => run.cpuUsPerRequest) : null;
    const p99Ratio = paired((run) => quantile([...run.latencies].sort((a, b) => a - b), 0.99));
    const missed = [
      ...(ratio >= TARGETS.throughputRatio ? [] : ['throughput']),
      ...(p99Ratio <= TARGETS.p99Ratio ? [] : ['p99']),
      ...(cpuRatio === null || cpuRatio <= TARGETS.cpuRatio ? [] : ['CPU/request']),
    ];
    return {
      concurrency,
      host,
      bare,
      ratio,
      ratioOfMedians: host.throughput / bare.throughput,
      p99Ratio,
      p99RatioPooled: host.p99Ms / bare.p99Ms,
      cpuRatio,
      cpuRatioOfMedians: cpuRatio === null ? null : host.cpuUsPerRequest / bare.cpuUsPerRequest,
      target: TARGETS.throughputRatio,
      targets: TARGETS,
      missed,
      pass: missed.length === 0,
    };
  });
  return {
    ...reportHeader('http-throughput'),
    runsPerCell: runs,
    requestsPerCell: requests,
    protocolVersion: PROTOCOL_VERSION,
    cells,
  };
}

function formatTable(report) {
  const header = ['clients', 'host req/s (min–max)', 'bare SDK req/s (min–max)', 'ratio (paired)', 'host p50 / p99', 'bare p50 / p99', 'p99 (paired)', 'server CPU/req host / bare (paired)', 'target', 'result'];
  const rate = (s) => `${s.throughput.toFixed(0)} (${s.throughputMin.toFixed(0)}–${s.throughputMax.toFixed(0)})`;
  const lat = (s) => `${s.p50Ms.toFixed(2)} / ${s.p99Ms.toFixed(2)} ms`;
  const rows = report.cells.map((cell) => [
    String(cell.concurrency),
    rate(cell.host),
    rate(cell.bare),
    `${cell.ratio.toFixed(2)}×`,
    lat(cell.host),
    lat(cell.bare),
    `${cell.p99Ratio.toFixed(2)}×`,
    cell.cpuRatio === null ? '—' : `${cell.host.cpuUsPerRequest.toFixed(0)} / ${cell.bare.cpuUsPerRequest.toFixed(0)} µs (${cell.cpuRatio.toFixed(2)}×)`,
    `≥ ${TARGETS.throughputRatio}×, p99 ≤ ${TARGETS.p99Ratio}×, CPU ≤ ${TARGETS.cpuRatio}×`,
    cell.pass ? 'pass' : `MISSED: ${cell.missed.join(', ')}`,
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => [...row[column]].length)));
  const line = (row) => `| ${row.map((cell, column) => cell + ' '.repeat(widths[column] - [...cell].length)).join(' | ')} |`;
  const out = [
    `http-throughput bench — ${report.node}, ${report.platform}, ${report.cpus} CPU(s); tools/call echo over Streamable HTTP (SSE answers), ` +
      `${report.requestsPerCell} requests per cell, ${report.runsPerCell} runs per cell, host and bare interleaved; req/s is the median run, ` +
      'each ratio (req/s, p99, CPU) the median of the per-round host/bare ratios; p50/p99 pooled over all runs; server CPU/req from /proc (user + system)',
    '',
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
    '',
  ];
  const timedOut = report.cells.flatMap((cell) => ['host', 'bare'].filter((side) => cell[side].timedOut).map((side) => `${side}@${cell.concurrency}`));
  if (timedOut.length > 0) out.push(`  cells cut at ${CELL_TIMEOUT_MS / 1000} s: ${timedOut.join(', ')}`);
  const missed = report.cells.filter((cell) => !cell.pass);
  out.push(missed.length > 0 ? `TARGET MISSED: ${missed.map((cell) => `${cell.missed.join(', ')} at ${cell.concurrency} client(s)`).join('; ')}` : 'all targets met', '');
  return out.join('\n');
}

// ---- main --------------------------------------------------------------------------------------------------

async function main(runs, requests, settleMs, json) {
  const dir = (tempDir = await mkdtemp(path.join(tmpdir(), 'mcp-host-bench-http-')));
  const servers = {};
  try {
    servers.host = await startServer('host', dir);
    servers.bare = await startServer('bare', dir);
    process.stderr.write('warm-up');
    for (const server of Object.values(servers)) {
      await checkServes(server);
      // JIT and socket pools warm on both sides; discarded.
      for (const concurrency of CONCURRENCY) await runCell(server, concurrency, Math.min(requests, 500));
    }
    process.stderr.write(' done\n');

    const results = { host: {}, bare: {} };
    for (let round = 0; round < runs; round++) {
      process.stderr.write(`round ${round + 1}/${runs}`);
      for (const concurrency of CONCURRENCY) {
        // Alternate who goes first, so neither side always runs right after the other.
        const kinds = (round + concurrency) % 2 === 0 ? ['host', 'bare'] : ['bare', 'host'];
        for (const kind of kinds) {
          (results[kind][concurrency] ??= []).push(await runCell(servers[kind], concurrency, requests, settleMs));
          process.stderr.write('.');
        }
      }
      process.stderr.write('\n');
    }
    const hostExit = await servers.host.stop();
    if (hostExit?.code !== 0) process.stderr.write(`http-throughput.bench: the host exited with ${hostExit?.code ?? hostExit?.signal} after SIGTERM:\n${servers.host.stderr()}\n`);
    const report = buildReport(results, runs, requests);
    report.hostExitCode = hostExit?.code ?? null;
    emit(formatTable(report), report, json);
  } finally {
    await Promise.allSettled(Object.values(servers).map((server) => server.stop()));
    killAll();
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- entry ------------------------------------------------------------------------------------------------

if (isMain) {
  const flags = parseFlags({ runs: [5, 1, 100], requests: [2000, 64, 1_000_000], 'settle-ms': [100, 0, 5000] }, { 'serve-bare': false });
  if (flags['serve-bare']) {
    await serveBare();
  } else {
    main(flags.runs, flags.requests, flags['settle-ms'], flags.json).then(
      () => process.stdout.write('', () => process.exit(0)),
      (error) => {
        process.stderr.write(`\nhttp-throughput.bench: could not run: ${error?.stack ?? error}\n`);
        killAll();
        process.exit(1);
      },
    );
  }
}
