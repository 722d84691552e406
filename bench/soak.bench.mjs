// Soak run (issue 11, "Beyond the list"): mixed stdio + HTTP + WebSocket traffic against spawned `mcp-host start`
// processes for a long time, their RSS and open file descriptors sampled, and a verdict on whether both stayed flat.
//
//   node bench/soak.bench.mjs                       10 minutes (the default)
//   SOAK_SECONDS=20 node bench/soak.bench.mjs       a short run (or --seconds 20)
//   node bench/soak.bench.mjs --seconds 60 --sample-ms 500 --pace-ms 0 --json
//
// What runs, all on 127.0.0.1, all spawned or started here and stopped in a `finally`:
// - a `ws` backend in this process: a JSON tick to every client every --tick-ms (10), an echo of whatever a client
//   sends, and every 5 s it drops every connection (terminate), so the hosts reconnect again and again;
// - host S over stdio and host H over Streamable HTTP, both with websocket-manager (one connection to the backend)
//   and resource-manager (a watched directory source in a temp dir). One SDK Client each runs a closed loop of
//   tools/list, resources/list (every page), resources/read (a listed file, and a traversal URI that must be
//   refused with a reason), ws_messages, ws_send, resources_search, subscribe/unsubscribe and ping;
// - H also gets a fresh HTTP session every 2 s (initialize, tools/list, DELETE), so session churn is in the mix;
// - every 10 s a short-lived stdio host is spawned, initialized, asked for tools/list and closed: it must exit 0;
// - the docs tree changes: one subscribed file rewritten every 500 ms, a file created and removed every 3 s.
//
// Sampled every --sample-ms for S and H: VmRSS (/proc/<pid>/status) and open file descriptors (/proc/<pid>/fd:
// sockets, pipes, watches, files — the OS side of Node's handles). After a warm-up (10 % of the run, at least 5 s)
// the samples are split in thirds: RSS is "flat" when the last third's median is within max(8 MiB, 10 %) of the
// first third's, descriptors when the last third's maximum is at most the first third's maximum + 2. The RSS slope
// (least squares) is printed too. Benchmarks report, tests gate: exit 0 whatever the verdict, 1 if it could not run.
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { WebSocketServer } from 'ws';
import { benchCli, cleanUpOnExit, reportHeader, rssKiB, spawnListeningServer, stdioServers } from './harness.mjs';
import { median } from './stats.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'packages/cli/bin/mcp-host.js');

/** Bounds: hitting one means something hangs, which the soak reports as an error (never waits forever). */
const REQUEST_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 15_000;
const STOP_WAIT_MS = 5000;
const BACKEND_DROP_MS = 5000;
const SESSION_CHURN_MS = 2000;
const SPAWN_CHURN_MS = 10_000;
const FILE_REWRITE_MS = 500;
const FILE_CHURN_MS = 3000;

const { fail, parseFlags, emit } = benchCli('soak.bench');
const envSeconds = process.env.SOAK_SECONDS === undefined ? 600 : Number(process.env.SOAK_SECONDS);
if (!Number.isInteger(envSeconds) || envSeconds < 5 || envSeconds > 86_400) fail('SOAK_SECONDS must be an integer from 5 to 86400');
const flags = parseFlags({
  seconds: [envSeconds, 5, 86_400],
  'sample-ms': [0, 0, 600_000],
  'pace-ms': [2, 0, 10_000],
  'tick-ms': [10, 1, 10_000],
  // `pnpm bench --runs N` passes --runs to every bench: a soak is one long run, so it is accepted and reported unused.
  runs: [1, 1, 1000],
});
const DURATION_MS = flags.seconds * 1000;
const SAMPLE_MS = flags['sample-ms'] || Math.max(1000, Math.round(DURATION_MS / 120));
const WARMUP_MS = Math.max(5000, DURATION_MS * 0.1);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const children = new Set();
let workDir;
cleanUpOnExit(
  () => {
    for (const child of children) child.kill('SIGKILL');
  },
  () => workDir,
);

/** Counters per traffic kind: ok, refused as expected, and unexpected errors (with the first few messages). */
function counters() {
  const counts = {};
  const errors = [];
  return {
    counts,
    errors,
    ok: (kind) => ((counts[kind] ??= { ok: 0, refused: 0, errors: 0 }).ok++),
    refused: (kind) => ((counts[kind] ??= { ok: 0, refused: 0, errors: 0 }).refused++),
    error: (kind, error) => {
      (counts[kind] ??= { ok: 0, refused: 0, errors: 0 }).errors++;
      if (errors.length < 10) errors.push(`${kind}: ${String(error?.message ?? error).slice(0, 300)}`);
    },
  };
}

function hostConfig(transport, wsUrl, docs) {
  return {
    name: 'soak',
    logging: { level: 'warning' },
    ...(transport === 'http' ? { transport: { type: 'http', port: 0 } } : {}),
    plugins: [
      ['@mcp-host/plugin-websocket-manager', { connections: [{ name: 'feed', url: wsUrl, protocol: 'json', bufferSize: 500, reconnect: { initialDelayMs: 50, maxDelayMs: 500 } }] }],
      ['@mcp-host/plugin-resource-manager', { sources: [{ name: 'docs', type: 'directory', path: docs, watch: true, debounceMs: 50 }] }],
    ],
  };
}

/** The `ws` backend: ticks to every client, echoes, and drops everyone every BACKEND_DROP_MS. */
async function startBackend() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  let ticks = 0;
  let received = 0;
  let connections = 0;
  let drops = 0;
  server.on('connection', (socket) => {
    connections++;
    socket.on('error', () => {});
    socket.on('message', (data) => {
      received++;
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'echo', data: data.toString('utf8').slice(0, 200) }));
    });
  });
  const tick = setInterval(() => {
    const frame = JSON.stringify({ type: 'tick', n: ++ticks, at: Date.now() });
    for (const socket of server.clients) if (socket.readyState === socket.OPEN) socket.send(frame);
  }, flags['tick-ms']);
  const drop = setInterval(() => {
    for (const socket of server.clients) {
      socket.terminate();
      drops++;
    }
  }, BACKEND_DROP_MS);
  return {
    url: `ws://127.0.0.1:${server.address().port}/`,
    stats: () => ({ ticks, received, connections, drops }),
    async close() {
      clearInterval(tick);
      clearInterval(drop);
      for (const socket of server.clients) socket.terminate();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Spawn `mcp-host start` over HTTP and wait (bounded) for its listening line. */
async function startHttpHost(dir, config) {
  const file = path.join(dir, 'http.config.json');
  await writeFile(file, JSON.stringify(config, null, 2));
  return spawnListeningServer([CLI, 'start', '--config', file], { cwd: dir, children, label: 'the HTTP host', listenTimeoutMs: START_TIMEOUT_MS, stopWaitMs: STOP_WAIT_MS });
}

async function connectHttp(url, name) {
  const transport = new StreamableHTTPClientTransport(url);
  const client = new Client({ name, version: '0' }, { capabilities: {} });
  await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
  return { client, transport };
}

/** A refusal the host must give for a URI that escapes the root: a JSON-RPC error with `data.reason`. */
async function expectRefusal(client, uri, tally, kind) {
  try {
    await client.readResource({ uri }, { timeout: REQUEST_TIMEOUT_MS });
    tally.error(kind, new Error(`served ${uri}`));
  } catch (error) {
    if (typeof error?.data?.reason === 'string') tally.refused(kind);
    else tally.error(kind, error);
  }
}

/** One client's closed loop of mixed requests until `deadline`. */
async function drive(client, docsUri, tally, deadline, label) {
  const timeout = { timeout: REQUEST_TIMEOUT_MS };
  const steps = [
    ['tools/list', () => client.listTools(undefined, timeout)],
    ['resources/list', async () => {
      let cursor;
      for (let page = 0; page < 100; page++) {
        const result = await client.listResources(cursor ? { cursor } : undefined, timeout);
        cursor = result.nextCursor;
        if (!cursor) return result;
      }
      throw new Error('resources/list did not end within 100 pages');
    }],
    ['resources/read', async () => {
      const { resources } = await client.listResources(undefined, timeout);
      const pick = resources[Math.floor(Math.random() * resources.length)];
      if (!pick) throw new Error('no resources listed');
      try {
        return await client.readResource({ uri: pick.uri }, timeout);
      } catch (error) {
        // A churned file may be gone between the listing and the read.
        if (error?.data?.reason === 'not-found' && /tmp-/.test(pick.uri)) return undefined;
        throw error;
      }
    }],
    ['refusal', () => expectRefusal(client, `${docsUri}/sub/../../${path.basename(workDir)}/secret.txt`, tally, `${label} refusal`)],
    ['ws_messages', async () => {
      const result = await client.callTool({ name: 'ws_messages', arguments: { connection: 'feed', limit: 20, since: '-5s' } }, undefined, timeout);
      if (result.isError) throw new Error(result.content?.[0]?.text);
      return result;
    }],
    ['ws_send', async () => {
      const result = await client.callTool({ name: 'ws_send', arguments: { connection: 'feed', data: JSON.stringify({ from: label, at: Date.now() }), timeoutMs: 2000 } }, undefined, timeout);
      // The backend drops every connection every few seconds: a send in that gap is refused by the tool, as it must be.
      if (result.isError) return 'refused';
      return result;
    }],
    ['resources_search', async () => {
      const result = await client.callTool({ name: 'resources_search', arguments: { query: 'doc', limit: 10 } }, undefined, timeout);
      if (result.isError) throw new Error(result.content?.[0]?.text);
      return result;
    }],
    ['subscribe', async () => {
      const uri = `${docsUri}/doc-1.md`;
      await client.subscribeResource({ uri }, timeout);
      await client.unsubscribeResource({ uri }, timeout);
    }],
    ['ping', () => client.ping(timeout)],
  ];
  for (let round = 0; Date.now() < deadline; round++) {
    for (const [name, step] of steps) {
      if (Date.now() >= deadline) break;
      const kind = `${label} ${name}`;
      try {
        const outcome = await step();
        if (name === 'refusal') continue;
        if (outcome === 'refused') tally.refused(kind);
        else tally.ok(kind);
      } catch (error) {
        tally.error(kind, error);
      }
      if (flags['pace-ms'] > 0) await sleep(flags['pace-ms']);
    }
  }
}

function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/** Least-squares slope of (t ms, v) in v per minute. */
function slopePerMinute(samples, key) {
  const n = samples.length;
  if (n < 2) return NaN;
  const mt = samples.reduce((sum, sample) => sum + sample.t, 0) / n;
  const mv = samples.reduce((sum, sample) => sum + sample[key], 0) / n;
  let num = 0;
  let den = 0;
  for (const sample of samples) {
    num += (sample.t - mt) * (sample[key] - mv);
    den += (sample.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60_000;
}

function verdict(samples) {
  const steady = samples.filter((sample) => sample.t >= WARMUP_MS);
  if (steady.length < 3) return { enough: false, steady: steady.length };
  const third = Math.max(1, Math.floor(steady.length / 3));
  const first = steady.slice(0, third);
  const last = steady.slice(-third);
  const rssFirst = median(first.map((sample) => sample.rss));
  const rssLast = median(last.map((sample) => sample.rss));
  const fdFirst = Math.max(...first.map((sample) => sample.fds));
  const fdLast = Math.max(...last.map((sample) => sample.fds));
  const rssAllowance = Math.max(8 * 1024, rssFirst * 0.1);
  return {
    enough: true,
    steady: steady.length,
    rssFirstKiB: rssFirst,
    rssLastKiB: rssLast,
    rssMaxKiB: Math.max(...steady.map((sample) => sample.rss)),
    rssSlopeKiBPerMin: Math.round(slopePerMinute(steady, 'rss')),
    isRssFlat: rssLast - rssFirst <= rssAllowance,
    fdFirstMax: fdFirst,
    fdLastMax: fdLast,
    fdMin: Math.min(...steady.map((sample) => sample.fds)),
    fdMax: Math.max(...steady.map((sample) => sample.fds)),
    isFdFlat: fdLast <= fdFirst + 2,
  };
}

async function main() {
  workDir = await mkdtemp(path.join(tmpdir(), 'mcp-soak-'));
  const docs = path.join(workDir, 'docs');
  await mkdir(path.join(docs, 'sub'), { recursive: true });
  await writeFile(path.join(workDir, 'secret.txt'), 'NEVER SERVED');
  await writeFile(path.join(docs, 'live.md'), 'live 0');
  for (let i = 0; i < 40; i++) await writeFile(path.join(docs, i % 4 === 0 ? `sub/doc-${i}.md` : `doc-${i}.md`), `# doc ${i}\n${'text '.repeat(50 + i)}\n`);
  const docsUri = pathToFileURL(docs).href;

  const backend = await startBackend();
  const stdio = stdioServers('soak-bench', START_TIMEOUT_MS);
  const tally = counters();
  const hostS = { samples: [], name: 'stdio host' };
  const hostH = { samples: [], name: 'HTTP host' };
  let httpHost;
  const churn = { sessions: 0, sessionErrors: 0, spawned: 0, spawnedExitOk: 0, spawnErrors: [], updated: 0, fileRewrites: 0, fileChurns: 0 };
  let stopped = false;
  const timers = [];
  try {
    const stdioConfig = path.join(workDir, 'stdio.config.json');
    await writeFile(stdioConfig, JSON.stringify(hostConfig('stdio', backend.url, docs), null, 2));
    const s = await stdio.connect(process.execPath, [CLI, 'start', '--config', stdioConfig], { cwd: workDir });
    hostS.pid = s.transport.pid;
    httpHost = await startHttpHost(workDir, hostConfig('http', backend.url, docs));
    hostH.pid = httpHost.child.pid;
    const h = await connectHttp(httpHost.url, 'soak-http');
    for (const client of [s.client, h.client]) client.setNotificationHandler(ResourceUpdatedNotificationSchema, () => void churn.updated++);
    // Both clients stay subscribed to the rewritten file, so every rewrite is a notification to each.
    await s.client.subscribeResource({ uri: `${docsUri}/live.md` }, { timeout: REQUEST_TIMEOUT_MS });
    await h.client.subscribeResource({ uri: `${docsUri}/live.md` }, { timeout: REQUEST_TIMEOUT_MS });

    const startedAt = Date.now();
    const deadline = startedAt + DURATION_MS;
    const sample = () => {
      const t = Date.now() - startedAt;
      for (const host of [hostS, hostH]) host.samples.push({ t, rss: rssKiB(host.pid), fds: fdCount(host.pid) });
    };
    sample();
    timers.push(setInterval(sample, SAMPLE_MS));
    timers.push(setInterval(() => void writeFile(path.join(docs, 'live.md'), `live ${++churn.fileRewrites}`).catch(() => {}), FILE_REWRITE_MS));
    timers.push(setInterval(() => {
      const file = path.join(docs, `tmp-${++churn.fileChurns}.md`);
      void writeFile(file, 'short-lived').then(() => sleep(FILE_CHURN_MS / 2)).then(() => unlink(file)).catch(() => {});
    }, FILE_CHURN_MS));

    const sessionChurn = (async () => {
      while (!stopped && Date.now() < deadline) {
        await sleep(Math.max(0, Math.min(SESSION_CHURN_MS, deadline - Date.now())));
        if (Date.now() >= deadline) break;
        try {
          const session = await connectHttp(httpHost.url, 'soak-churn');
          await session.client.listTools(undefined, { timeout: REQUEST_TIMEOUT_MS });
          await session.transport.terminateSession();
          await session.client.close();
          churn.sessions++;
        } catch (error) {
          churn.sessionErrors++;
          tally.error('http session churn', error);
        }
      }
    })();
    const spawnChurn = (async () => {
      while (!stopped && Date.now() < deadline) {
        // Never sleep past the deadline: the run (and its samples) ends with the traffic.
        await sleep(Math.max(0, Math.min(SPAWN_CHURN_MS, deadline - Date.now())));
        if (Date.now() + SPAWN_CHURN_MS / 2 >= deadline) break;
        try {
          const short = await stdio.connect(process.execPath, [CLI, 'start', '--config', stdioConfig], { cwd: workDir });
          const pid = short.transport.pid;
          await short.client.listTools(undefined, { timeout: REQUEST_TIMEOUT_MS });
          // The SDK's close ends stdin, then SIGTERM after 2 s: a host that exits on EOF is gone before that.
          await stdio.close(short);
          churn.spawned++;
          if (!Number.isNaN(fdCount(pid))) throw new Error(`short-lived host ${pid} still alive after close`);
          churn.spawnedExitOk++;
        } catch (error) {
          if (churn.spawnErrors.length < 5) churn.spawnErrors.push(String(error?.message ?? error).slice(0, 300));
          tally.error('stdio spawn churn', error);
        }
      }
    })();

    await Promise.all([drive(s.client, docsUri, tally, deadline, 'stdio'), drive(h.client, docsUri, tally, deadline, 'http'), sessionChurn, spawnChurn]);
    stopped = true;
    for (const timer of timers) clearInterval(timer);
    sample();

    // The long-lived hosts still end cleanly.
    await stdio.close(s);
    await h.transport.terminateSession().catch(() => {});
    await h.client.close();
    const httpExit = await httpHost.stop();
    httpHost = undefined;
    const backendStats = backend.stats();

    const report = {
      ...reportHeader('soak'),
      seconds: flags.seconds,
      sampleMs: SAMPLE_MS,
      warmupMs: WARMUP_MS,
      stdio: verdict(hostS.samples),
      http: verdict(hostH.samples),
      httpExit,
      traffic: tally.counts,
      unexpectedErrors: tally.errors,
      churn,
      backend: backendStats,
      samples: { stdio: hostS.samples, http: hostH.samples },
    };
    emit(table(report), report, flags.json);
  } finally {
    stopped = true;
    for (const timer of timers) clearInterval(timer);
    for (const entry of [...stdio.open]) await stdio.close(entry);
    if (httpHost) await httpHost.stop();
    await backend.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

function table(report) {
  const lines = [];
  const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
  lines.push(`soak: ${report.seconds} s of mixed traffic, sampled every ${report.sampleMs} ms, warm-up ${Math.round(report.warmupMs / 1000)} s${flags.runs !== 1 ? ' (--runs does not apply to a soak: one run)' : ''}`);
  lines.push('');
  lines.push('host        samples  RSS first→last (max)            slope          fds first→last (range)  verdict');
  for (const [name, v] of [['stdio', report.stdio], ['http', report.http]]) {
    if (!v.enough) {
      lines.push(`${name.padEnd(11)} ${String(v.steady).padStart(7)}  too few samples after the warm-up: run longer`);
      continue;
    }
    const rss = `${mib(v.rssFirstKiB)} → ${mib(v.rssLastKiB)} (${mib(v.rssMaxKiB)})`;
    const fds = `${v.fdFirstMax} → ${v.fdLastMax} (${v.fdMin}–${v.fdMax})`;
    const flat = `RSS ${v.isRssFlat ? 'FLAT' : 'GROWING'}, fds ${v.isFdFlat ? 'FLAT' : 'GROWING'}`;
    lines.push(`${name.padEnd(11)} ${String(v.steady).padStart(7)}  ${rss.padEnd(31)} ${`${v.rssSlopeKiBPerMin} KiB/min`.padEnd(14)} ${fds.padEnd(23)} ${flat}`);
  }
  lines.push('');
  lines.push('traffic                         ok  refused  errors');
  for (const [kind, count] of Object.entries(report.traffic).sort()) {
    lines.push(`${kind.padEnd(28)} ${String(count.ok).padStart(6)} ${String(count.refused).padStart(8)} ${String(count.errors).padStart(7)}`);
  }
  const { churn, backend } = report;
  lines.push('');
  lines.push(`HTTP sessions opened and deleted: ${churn.sessions} (${churn.sessionErrors} failed); short-lived stdio hosts: ${churn.spawned}, gone after close: ${churn.spawnedExitOk}`);
  lines.push(`docs: ${churn.fileRewrites} rewrites of a subscribed file, ${churn.fileChurns} files created and removed; resources/updated received: ${churn.updated}`);
  lines.push(`ws backend: ${backend.ticks} ticks sent to each client, ${backend.received} messages received, ${backend.connections} connections accepted, ${backend.drops} dropped on purpose`);
  lines.push(`HTTP host exit after SIGTERM: ${report.httpExit?.code ?? report.httpExit?.signal}${report.httpExit?.killed ? ' (killed: did not exit in time)' : ''}`);
  if (report.unexpectedErrors.length > 0) {
    lines.push('');
    lines.push('unexpected errors (first 10):');
    for (const line of report.unexpectedErrors) lines.push(`  ${line}`);
  }
  const isFlat = report.stdio.enough && report.http.enough && report.stdio.isRssFlat && report.stdio.isFdFlat && report.http.isRssFlat && report.http.isFdFlat;
  lines.push('');
  lines.push(isFlat ? 'verdict: RSS and open descriptors stayed flat' : 'verdict: NOT FLAT (see above)');
  // V8 grows its heap for the first minute or two of steady traffic (JIT, old space): a short run mostly sees that.
  if (report.seconds < 120) lines.push(`note: a ${report.seconds} s run shows the warm-up more than a trend; the RSS verdict means something from about 120 s (the default is 600)`);
  return `${lines.join('\n')}\n`;
}

main().catch((error) => fail(error?.stack ?? String(error)));
