// Protocol eras benchmark (issue 14): what serving MCP 2026-07-28 costs, and what the other path would have cost.
// Every case once per round, interleaved, medians; ratios against a bare SDK server of the same rounds.
//
//   node bench/eras.bench.mjs [--runs N] [--requests N] [--smoke] [--json]
//
// Cold start (spawn → first reply line, stdio):
//   - a 2025 client (`initialize`) on the host, against the bare 1.x SDK server (what the host serves it with);
//   - the same `initialize` on the bare 2.x SDK server (`serveStdio`): what a 2025 client would pay if the host
//     served everything with 2.x (the path not taken);
//   - a 2026-07-28 client (`server/discover`) on the host, against the bare 2.x server.
// HTTP, 2026-07-28: `tools/call` requests/s, one client in sequence and CONCURRENCY at once, on the host (basic
// example, --transport http) against the bare 2.x server's `createMcpHandler` bridged to node:http.
// Exit code 0 even when a target is missed (benchmarks report, tests gate); 1 only if the bench could not run.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCli, cleanUpOnExit, interleavedRounds, reportHeader, rssKiB, spawnListeningServer } from './harness.mjs';
import { median as medianOf } from './stats.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'packages/cli/bin/mcp-host.js');
const BARE_V1 = fileURLToPath(new URL('./fixtures/bare-sdk-server.mjs', import.meta.url));
const BARE_V2 = fileURLToPath(new URL('./fixtures/bare-v2-server.mjs', import.meta.url));
const BASIC = path.join(ROOT, 'examples/basic');
const MODERN = '2026-07-28';
const CONCURRENCY = 16;
/** Targets: the 2025 path must not regress (issue 13's 0.8×), the 2026 path must not cost more than the bare 2.x server. */
const TARGETS = { legacyStart: 0.8, modernStart: 1.0, modernHttp: 0.97 };
const REPLY_TIMEOUT_MS = 15_000;

const { fail, parseFlags, emit } = benchCli('eras.bench');
const flags = parseFlags({ runs: [10, 1, 200], requests: [400, 10, 100_000] }, { smoke: false });
const RUNS = flags.smoke ? 1 : flags.runs;
const REQUESTS = flags.smoke ? 20 : flags.requests;

const envelope = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'eras-bench', version: '0' } };
const OPENINGS = {
  initialize: { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'eras-bench', version: '0' } } },
  discover: { jsonrpc: '2.0', id: 0, method: 'server/discover', params: { _meta: envelope } },
};

const children = new Set();
cleanUpOnExit(() => children.forEach((child) => child.kill('SIGKILL')));
const progress = (text) => process.stderr.write(text);

/** spawn() → the first stdout line (a result, or the bench fails); RSS 100 ms later; then stdin EOF and the exit. */
function coldStart(args, opening, cwd = ROOT) {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    let replyMs;
    let rss;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: no reply within ${REPLY_TIMEOUT_MS} ms\n${stderr.slice(-2000)}`));
    }, REPLY_TIMEOUT_MS);
    child.stdin.on('error', () => {});
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      if (replyMs !== undefined || !stdout.includes('\n')) return;
      replyMs = performance.now() - spawnedAt;
      const reply = JSON.parse(stdout.slice(0, stdout.indexOf('\n')));
      if (!reply.result) reject(new Error(`${args.join(' ')}: ${opening.method} answered ${stdout.slice(0, 300)}`));
      setTimeout(() => {
        rss = rssKiB(child.pid);
        child.stdin.end();
      }, 100);
    });
    child.once('exit', () => {
      children.delete(child);
      clearTimeout(timer);
      if (replyMs === undefined) reject(new Error(`${args.join(' ')} exited before replying\n${stderr.slice(-2000)}`));
      else resolve({ replyMs, rss });
    });
    child.stdin.write(`${JSON.stringify(opening)}\n`);
  });
}

/** `tools/call` echo over 2026-07-28 HTTP: `count` requests, `parallel` at a time; requests/s. */
async function httpRate(url, count, parallel) {
  const body = (id) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' }, _meta: envelope } });
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const id = next++;
      const response = await fetch(url, { method: 'POST', headers, body: body(id), signal: AbortSignal.timeout(REPLY_TIMEOUT_MS) });
      const text = await response.text();
      if (response.status !== 200 || !text.includes('hi"')) throw new Error(`${url}: HTTP ${response.status} ${text.slice(0, 300)}`);
    }
  };
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: parallel }, worker));
  return count / ((performance.now() - startedAt) / 1000);
}

/** The median of the measured values (a run that measured none of them is left out). */
const median = (values) => {
  const measured = values.filter((value) => typeof value === 'number' && !Number.isNaN(value));
  return measured.length === 0 ? null : medianOf(measured);
};

async function main() {
  const host = [CLI, 'start', '--config', 'mcp-host.config.json'];
  const cases = {
    bareV1Initialize: [[BARE_V1], OPENINGS.initialize],
    bareV2Initialize: [[BARE_V2], OPENINGS.initialize],
    bareV2Discover: [[BARE_V2], OPENINGS.discover],
    hostInitialize: [host, OPENINGS.initialize, BASIC],
    hostDiscover: [host, OPENINGS.discover, BASIC],
  };
  progress('cold start: ');
  const runs = await interleavedRounds(cases, RUNS, coldStart, progress);

  progress('http: ');
  const servers = {
    bare: await spawnListeningServer([BARE_V2, '--http'], { cwd: ROOT, children, label: 'bare 2.x server', listenTimeoutMs: REPLY_TIMEOUT_MS, stopWaitMs: 5000 }),
    host: await spawnListeningServer([...host, '--transport', 'http', '--port', '0'], { cwd: BASIC, children, label: 'mcp-host', listenTimeoutMs: REPLY_TIMEOUT_MS, stopWaitMs: 5000 }),
  };
  const http = { bare: { 1: [], [CONCURRENCY]: [] }, host: { 1: [], [CONCURRENCY]: [] } };
  try {
    for (const server of Object.values(servers)) await httpRate(server.url, 20, 1);
    for (let round = 0; round < Math.min(RUNS, 5); round++) {
      for (const parallel of [1, CONCURRENCY]) {
        for (const name of round % 2 ? ['host', 'bare'] : ['bare', 'host']) http[name][parallel].push(await httpRate(servers[name].url, REQUESTS, parallel));
        progress('.');
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
  progress('\n');
  return buildReport(runs, http);
}

function buildReport(runs, http) {
  const at = (name, key) => median(runs[name].map((run) => run[key]));
  const row = (id, label, value, base, target, unit = 'ms', higherIsBetter = false) => {
    const ratio = value / base;
    return { id, label, value, base, ratio, unit, target: target ?? null, pass: target === undefined ? null : higherIsBetter ? ratio >= target : ratio <= target };
  };
  const rate = (name, parallel) => median(http[name][parallel]);
  const rows = [
    row('legacy-start', 'spawn → initialize (2025 client): host / bare 1.x', at('hostInitialize', 'replyMs'), at('bareV1Initialize', 'replyMs'), TARGETS.legacyStart),
    row('v2-for-2025', 'spawn → initialize (2025 client): bare 2.x / bare 1.x (the path not taken)', at('bareV2Initialize', 'replyMs'), at('bareV1Initialize', 'replyMs')),
    row('modern-start', 'spawn → server/discover (2026 client): host / bare 2.x', at('hostDiscover', 'replyMs'), at('bareV2Discover', 'replyMs'), TARGETS.modernStart),
    row('modern-rss', 'idle RSS after the first reply (2026 client): host / bare 2.x', at('hostDiscover', 'rss'), at('bareV2Discover', 'rss'), undefined, 'KiB'),
    row('legacy-rss', 'idle RSS after the first reply (2025 client): host / bare 1.x', at('hostInitialize', 'rss'), at('bareV1Initialize', 'rss'), undefined, 'KiB'),
    row('modern-http-1', '2026 tools/call over HTTP, 1 client: host / bare 2.x', rate('host', 1), rate('bare', 1), TARGETS.modernHttp, 'req/s', true),
    row(`modern-http-${CONCURRENCY}`, `2026 tools/call over HTTP, ${CONCURRENCY} at once: host / bare 2.x`, rate('host', CONCURRENCY), rate('bare', CONCURRENCY), TARGETS.modernHttp, 'req/s', true),
  ];
  return { ...reportHeader('eras'), runs: RUNS, requests: REQUESTS, smoke: flags.smoke, rows };
}

function formatTable(report) {
  const value = (number, unit) => (number === null ? '—' : unit === 'KiB' ? `${(number / 1024).toFixed(1)} MiB` : unit === 'req/s' ? `${number.toFixed(0)} req/s` : `${number.toFixed(1)} ms`);
  const header = ['metric', 'measured', 'baseline', 'ratio', 'target', 'result'];
  const rows = report.rows.map((r) => [r.label, value(r.value, r.unit), value(r.base, r.unit), `${r.ratio.toFixed(2)}×`, r.target === null ? '—' : `${r.unit === 'req/s' ? '≥' : '≤'} ${r.target}×`, r.pass === null ? '—' : r.pass ? 'pass' : 'TARGET MISSED']);
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((cells) => [...cells[column]].length)));
  const line = (cells) => `| ${cells.map((cell, column) => cell + ' '.repeat(widths[column] - [...cell].length)).join(' | ')} |`;
  return `\neras (${report.runs} rounds${report.smoke ? ', smoke' : ''}, ${report.requests} HTTP requests a run, ${report.node}, ${report.cpus} cpus)\n${[line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')}\n`;
}

try {
  const report = await main();
  emit(formatTable(report), report, flags.json);
} catch (error) {
  fail(error.stack ?? String(error));
}
