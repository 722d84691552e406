// HTTP shutdown benchmark (issue 4): time from SIGTERM to exit of the real `mcp-host start` (transport http,
// port 0) with 64 clients connected, against the bare SDK server of http-throughput.bench.mjs, in one run,
// host and baseline interleaved.
//
//   node bench/http-shutdown.bench.mjs [--runs N] [--clients N] [--settle-ms MS] [--json]
//
// Each run starts a fresh server, opens --clients sessions (each initialize + initialized + one tools/call, so
// every client holds its own keep-alive socket), waits --settle-ms (100), sends SIGTERM and times it to the
// child's `exit`. Two cases: `idle` (the sockets idle between requests) and `sse` (each client also holds the
// standalone GET SSE stream open, as the SDK's client does). The bare server has no SIGTERM handler, so Node
// kills it outright (signal exit): its time is the floor, not a graceful shutdown. Target: the host exits 0
// every time, within its own shutdown.timeoutMs (1800 ms by default).
// Exit code 0 even when a target is missed (benchmarks report, tests gate); 1 only if the bench could not run.
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { benchCli, cleanUpOnExit, reportHeader } from './harness.mjs';
import { Session, killAll, median, quantile, sleep, startServer, withTimeout } from './http-throughput.bench.mjs';

const SHUTDOWN_TIMEOUT_MS = 1800;
/** A server still alive this long after SIGTERM is killed and recorded as such. */
const EXIT_WAIT_MS = 5000;
const STREAM_OPEN_TIMEOUT_MS = 10_000;

const { fail, parseFlags, emit } = benchCli('http-shutdown.bench');
const flags = parseFlags({ runs: [5, 1, 100], clients: [64, 1, 512], 'settle-ms': [100, 0, 5000] });
const RUNS = flags.runs;
const CLIENTS = flags.clients;
/** Pause between the clients being connected and SIGTERM. */
const SETTLE_MS = flags['settle-ms'];

let tempDir;
cleanUpOnExit(killAll, () => tempDir);

/** Open the standalone GET SSE stream of `session`; resolves once the server answered 200, keeps it open. */
function openStream(session) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = request(
        session.url,
        {
          method: 'GET',
          agent: false,
          headers: { accept: 'text/event-stream', 'mcp-session-id': session.sessionId, 'mcp-protocol-version': '2025-06-18' },
        },
        (res) => {
          if (res.statusCode !== 200) return reject(new Error(`GET stream: HTTP ${res.statusCode}`));
          res.on('data', () => {});
          res.on('error', () => {});
          // 'end' only when the server finished the response (chunked terminator); a dead peer gives 'close' alone.
          let clean = false;
          res.once('end', () => (clean = true));
          resolve({ req, res, ended: new Promise((done) => res.once('close', () => done(clean))) });
        },
      );
      req.on('error', reject);
      req.end();
    }),
    STREAM_OPEN_TIMEOUT_MS,
    'GET stream',
  );
}

async function runOnce(kind, scenario, dir) {
  const server = await startServer(kind, dir);
  const sessions = [];
  const streams = [];
  try {
    for (let i = 0; i < CLIENTS; i += 16) {
      const batch = Array.from({ length: Math.min(16, CLIENTS - i) }, async () => {
        const session = await new Session(server.url).open();
        const result = await session.call('tools/call', { name: 'echo', arguments: { message: 'warm' } });
        if (result?.content?.[0]?.text !== 'warm') throw new Error(`${kind}: tools/call did not echo`);
        return session;
      });
      sessions.push(...(await Promise.all(batch)));
    }
    if (scenario === 'sse') streams.push(...(await Promise.all(sessions.map(openStream))));
    await sleep(SETTLE_MS);
    const triggeredAt = performance.now();
    server.child.kill('SIGTERM');
    const exit = await Promise.race([server.exited, sleep(EXIT_WAIT_MS).then(() => undefined)]);
    if (!exit) {
      await server.stop();
      return { didExit: false, ms: null, code: null, signal: 'SIGKILL', streamsEnded: 0 };
    }
    // Streams the server finished properly; a killed process's streams are cut, not finished.
    const streamsEnded = (await Promise.all(streams.map((stream) => Promise.race([stream.ended.then((clean) => (clean ? 1 : 0)), sleep(200).then(() => 0)])))).reduce((a, b) => a + b, 0);
    return { didExit: true, ms: exit.at - triggeredAt, code: exit.code, signal: exit.signal, streamsEnded, stderr: kind === 'host' && exit.code !== 0 ? server.stderr() : undefined };
  } finally {
    for (const stream of streams) stream.req.destroy();
    for (const session of sessions) session.agent.destroy();
    await server.stop();
  }
}

function stats(runs) {
  const times = runs.filter((run) => run.didExit).map((run) => run.ms).sort((a, b) => a - b);
  const exits = {};
  for (const run of runs) {
    const key = !run.didExit ? `killed at ${EXIT_WAIT_MS / 1000} s` : run.signal ? `signal ${run.signal}` : `code ${run.code}`;
    exits[key] = (exits[key] ?? 0) + 1;
  }
  return {
    runs: runs.length,
    median: times.length ? median(times) : null,
    p90: times.length ? quantile(times, 0.9) : null,
    max: times.length ? times[times.length - 1] : null,
    exits,
    streamsEnded: runs.map((run) => run.streamsEnded),
  };
}

function formatTable(report) {
  const header = ['case', 'host median (p90, max)', 'host exits', 'bare SDK median (p90)', 'bare exits', 'target', 'result'];
  const ms = (value) => (value === null ? '—' : `${value.toFixed(1)} ms`);
  const exits = (counts) => Object.entries(counts).map(([what, count]) => `${what} ×${count}`).join(', ');
  const rows = report.cases.map((c) => [
    `${c.id}: ${report.clients} clients${c.id === 'sse' ? ' + GET streams' : ''}, SIGTERM → exit`,
    `${ms(c.host.median)} (p90 ${ms(c.host.p90)}, max ${ms(c.host.max)})`,
    exits(c.host.exits),
    `${ms(c.bare.median)} (p90 ${ms(c.bare.p90)})`,
    exits(c.bare.exits),
    `exit 0, ≤ ${SHUTDOWN_TIMEOUT_MS} ms`,
    c.pass ? 'pass' : 'TARGET MISSED',
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => [...row[column]].length)));
  const line = (row) => `| ${row.map((cell, column) => cell + ' '.repeat(widths[column] - [...cell].length)).join(' | ')} |`;
  const out = [
    `http-shutdown bench — ${report.node}, ${report.platform}, ${report.cpus} CPU(s), ${report.runs} runs per case, host and bare interleaved`,
    '',
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    '  bare SDK: no SIGTERM handler, so Node kills it outright: a floor, not a graceful shutdown.',
  ];
  for (const c of report.cases.filter((c) => c.id === 'sse')) {
    out.push(`  GET streams finished properly (not cut) per run: host ${c.host.streamsEnded.join(', ')}; bare ${c.bare.streamsEnded.join(', ')} (of ${report.clients})`);
  }
  if (report.hostFailures.length > 0) out.push(`  host runs with a non-zero exit: ${report.hostFailures.length} (stderr in --json output)`);
  const missed = report.cases.filter((c) => !c.pass);
  out.push('', missed.length > 0 ? `TARGET MISSED: ${missed.map((c) => c.id).join(', ')}` : 'all targets met', '');
  return out.join('\n');
}

async function main() {
  const dir = (tempDir = await mkdtemp(path.join(tmpdir(), 'mcp-host-bench-http-shutdown-')));
  try {
    const scenarios = ['idle', 'sse'];
    const results = { host: {}, bare: {} };
    process.stderr.write('warm-up');
    for (const kind of ['host', 'bare']) await runOnce(kind, 'idle', dir);
    process.stderr.write(' done\n');
    for (let round = 0; round < RUNS; round++) {
      process.stderr.write(`round ${round + 1}/${RUNS}`);
      for (const scenario of scenarios) {
        const kinds = round % 2 === 0 ? ['host', 'bare'] : ['bare', 'host'];
        for (const kind of kinds) {
          (results[kind][scenario] ??= []).push(await runOnce(kind, scenario, dir));
          process.stderr.write('.');
        }
      }
      process.stderr.write('\n');
    }
    const cases = scenarios.map((id) => {
      const host = stats(results.host[id]);
      const bare = stats(results.bare[id]);
      const pass = results.host[id].every((run) => run.didExit && run.code === 0 && run.ms <= SHUTDOWN_TIMEOUT_MS);
      return { id, host, bare, pass };
    });
    const report = {
      ...reportHeader('http-shutdown'),
      runs: RUNS,
      clients: CLIENTS,
      cases,
      hostFailures: Object.values(results.host)
        .flat()
        .filter((run) => run.stderr)
        .map((run) => run.stderr),
    };
    emit(formatTable(report), report, flags.json);
  } finally {
    killAll();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.stdout.write('', () => process.exit(0)),
  (error) => {
    process.stderr.write(`\nhttp-shutdown.bench: could not run: ${error?.stack ?? error}\n`);
    killAll();
    process.exit(1);
  },
);
