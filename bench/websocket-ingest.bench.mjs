// websocket-manager ingest benchmark (issue 3): how fast messages from a backend land in a connection's ring
// buffer, against a bare `ws` client that only counts the same messages, in one run, runs interleaved.
// Then memory: RSS while 1 000 000 messages go into a buffer of 500.
//
//   node bench/websocket-ingest.bench.mjs [--runs N] [--messages N] [--bytes N] [--json]
//
// The backend (websocket-push-server.mjs) runs in its own process and pushes `--messages` text messages of
// `--bytes` bytes as fast as the socket takes them. Timed from sending `go` to the last message handled:
// counted by the bare client; decoded, stamped and pushed into the ring buffer (and seen by a subscriber) by
// the plugin, which runs inside a real in-process host (createHost, then host.serve() over the in-memory
// transport: the startup path the CLI and the testing kit run; logs discarded).
// Target: plugin messages/s ≥ 0.9 × the bare client's (medians). Exit 0 when it ran, whatever the numbers.
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { benchCli } from './harness.mjs';
import { createHost } from '@mcp-host/core/host';
import { InMemoryTransport } from '@mcp-host/core/client';
import { WebSocket } from 'ws';
import websocketManager, { WS_MANAGER } from '../plugins/websocket-manager/dist/index.js';
import { median, p90 } from './stats.mjs';

const PUSH_SERVER = fileURLToPath(new URL('./websocket-push-server.mjs', import.meta.url));
const TARGET_RATIO = 0.9;
const MEMORY_MESSAGES = 1_000_000;
const MEMORY_SAMPLES = [100_000, 250_000, 500_000, 750_000, 1_000_000];
const BUFFER_SIZE = 500;
/** Bounds: hitting one means the bench is broken, not slow. */
const RUN_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 10_000;

const { fail, parseFlags, emit } = benchCli('websocket-ingest.bench');
const flags = parseFlags({ runs: [10, 1, 200], messages: [200_000, 1000, 5_000_000], bytes: [100, 1, 65_536] });
const RUNS = flags.runs;
const MESSAGES = flags.messages;
const BYTES = flags.bytes;


const progress = (text) => process.stderr.write(text);
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms))),
  ]);
}

/** Start the push server; resolves with its port. */
function startPushServer() {
  const child = spawn(process.execPath, [PUSH_SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('exit', (code) => reject(new Error(`push server exited (${code}) before listening`)));
  });
  return { child, port: withTimeout(port, START_TIMEOUT_MS, 'push server') };
}

/** The bare client: connect, ask for `count` messages, count them. Resolves with ms from `go` to the last. */
async function runBare(url, count) {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  try {
    await withTimeout(new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject)), START_TIMEOUT_MS, 'bare connect');
    let seen = 0;
    let startedAt = 0;
    const finished = new Promise((resolve) => {
      socket.on('message', () => {
        if (++seen === count) resolve(performance.now() - startedAt);
      });
    });
    startedAt = performance.now();
    socket.send(`go ${count} ${BYTES}`);
    return await withTimeout(finished, RUN_TIMEOUT_MS, 'bare run');
  } finally {
    socket.terminate();
  }
}

/** A real in-process host with the plugin and one connection to the push server. */
async function startPluginHost(url) {
  const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const host = createHost({
    config: { plugins: [[websocketManager, { connections: [{ name: 'push', url, bufferSize: BUFFER_SIZE, closeTimeoutMs: 500 }] }]] },
    stderr: discard,
  });
  // No client: the in-memory transport's other end stays unused; the plugin's own connection is what is measured.
  const [, serverSide] = InMemoryTransport.createLinkedPair();
  await host.serve(serverSide);
  const manager = host.services.find(WS_MANAGER);
  const push = manager.require('push');
  const until = Date.now() + START_TIMEOUT_MS;
  while (push.state !== 'open') {
    if (Date.now() > until) throw new Error(`plugin connection did not open (${push.state}: ${push.info().lastError})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { host, push };
}

/**
 * The plugin: same request; resolves once the `count`-th message is in the ring buffer. The subscriber only
 * counts (messages are decoded when first read); with `decode` it reads every message's `data` as well.
 */
async function runPlugin(url, count, onMessage, decode = false) {
  const { host, push } = await startPluginHost(url);
  try {
    let startedAt = 0;
    const base = push.info().received;
    const finished = new Promise((resolve) => {
      push.subscribe((message) => {
        const seen = message.seq - base;
        if (decode && typeof message.data !== 'string') throw new Error('a text message did not decode to a string');
        onMessage?.(seen);
        if (seen === count) resolve(performance.now() - startedAt);
      });
    });
    startedAt = performance.now();
    await push.send(`go ${count} ${BYTES}`);
    const ms = await withTimeout(finished, RUN_TIMEOUT_MS, 'plugin run');
    return { ms, buffered: push.info().buffered };
  } finally {
    await host.shutdown();
  }
}

const server = startPushServer();
try {
  const port = await server.port;
  const url = `ws://127.0.0.1:${port}/`;
  progress(`websocket-ingest: ${RUNS} runs × ${MESSAGES} messages of ${BYTES} bytes, bare ws client vs plugin (buffer ${BUFFER_SIZE})\n`);
  // Warm-up: JIT both paths once, unmeasured.
  await runBare(url, Math.min(MESSAGES, 20_000));
  await runPlugin(url, Math.min(MESSAGES, 20_000));
  const bare = [];
  const plugin = [];
  const decoded = [];
  for (let run = 0; run < RUNS; run++) {
    // Rotate which goes first, so drift of the machine hits every case alike.
    const cases = ['bare', 'plugin', 'decoded'];
    for (let index = 0; index < cases.length; index++) {
      const which = cases[(index + run) % cases.length];
      if (which === 'bare') {
        bare.push(MESSAGES / ((await runBare(url, MESSAGES)) / 1000));
        continue;
      }
      const { ms, buffered } = await runPlugin(url, MESSAGES, undefined, which === 'decoded');
      if (buffered !== BUFFER_SIZE) throw new Error(`buffer holds ${buffered} messages, expected ${BUFFER_SIZE}`);
      (which === 'plugin' ? plugin : decoded).push(MESSAGES / (ms / 1000));
    }
    progress('.');
  }
  progress('\n');

  // Memory: one long run into the 500-slot buffer, RSS sampled along the way.
  globalThis.gc?.();
  const before = process.memoryUsage();
  const samples = [];
  await runPlugin(url, MEMORY_MESSAGES, (seen) => {
    if (MEMORY_SAMPLES.includes(seen)) {
      const usage = process.memoryUsage();
      samples.push({ messages: seen, rss: usage.rss, heapUsed: usage.heapUsed });
    }
  });

  const ratio = median(plugin) / median(bare);
  const result = {
    messages: MESSAGES,
    bytes: BYTES,
    runs: RUNS,
    bareMessagesPerSecond: { median: Math.round(median(bare)), p90: Math.round(p90(bare)) },
    pluginMessagesPerSecond: { median: Math.round(median(plugin)), p90: Math.round(p90(plugin)) },
    pluginDecodedMessagesPerSecond: { median: Math.round(median(decoded)), p90: Math.round(p90(decoded)) },
    ratio: Number(ratio.toFixed(3)),
    target: { ratio: TARGET_RATIO, met: ratio >= TARGET_RATIO },
    memory: { bufferSize: BUFFER_SIZE, rssBefore: before.rss, heapBefore: before.heapUsed, samples },
  };

  const row = (label, stats, note = '') => `${label.padEnd(34)} ${String(stats.median).padStart(12)} ${String(stats.p90).padStart(12)}${note}`;
  const lines = [
    '',
    `${`ingest (${MESSAGES} × ${BYTES} B)`.padEnd(34)} ${'median msg/s'.padStart(12)} ${'p90 msg/s'.padStart(12)}`,
    row('  bare ws client (counts)', result.bareMessagesPerSecond),
    row('  websocket-manager (ring buffer)', result.pluginMessagesPerSecond),
    `${'  ratio plugin / bare'.padEnd(34)} ${ratio.toFixed(3).padStart(12)}  target ≥ ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'TARGET MISSED'}`,
    row('  websocket-manager, every message', result.pluginDecodedMessagesPerSecond, `  decoded by a subscriber too (ratio ${(median(decoded) / median(bare)).toFixed(3)})`),
    '',
    `memory: ${MEMORY_MESSAGES} messages into a buffer of ${BUFFER_SIZE} (before: RSS ${mb(before.rss)} MB, heap ${mb(before.heapUsed)} MB)`,
    ...samples.map((sample) => `  after ${String(sample.messages).padStart(9)} messages: RSS ${mb(sample.rss).padStart(6)} MB, heap ${mb(sample.heapUsed).padStart(6)} MB`),
  ];
  if (samples.length >= 2) {
    const growth = samples.at(-1).rss - samples[0].rss;
    lines.push(`  RSS growth from ${samples[0].messages} to ${samples.at(-1).messages} messages: ${mb(growth)} MB`);
    result.memory.rssGrowth = growth;
  }
  const table = `${lines.join('\n')}\n`;
  emit(table, result, flags.json);
} catch (error) {
  process.stderr.write(`websocket-ingest.bench: ${error.stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  server.child.stdin.end();
  server.child.kill();
}
