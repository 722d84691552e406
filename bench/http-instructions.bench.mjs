// HTTP CPU per request by instruction count (issue 13): the same tools/call load as http-throughput.bench.mjs,
// each server run under valgrind's callgrind, which counts the instructions the process executes. A count does not
// move with what else the machine is doing (the /proc CPU times of http-throughput swing ±15 % on a shared
// 2-core machine), so this is the steady figure for "server CPU per request ≤ 1.03×".
//
//   node bench/http-instructions.bench.mjs [--requests N] [--clients N] [--smoke] [--json]
//
// Per server, two runs: the sessions opened and W warm-up calls made, then N more calls in one run and 3N in the
// other; instructions per request = (count(3N) − count(N)) / 2N, so startup, the warm-up and the JIT's first
// compiles cancel out. Host and bare run side by side (two processes at once on two cores; a count does not care).
// Needs valgrind; without it the bench says so and exits 0 (nothing measured). Exit 1 only if it could not run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCli, cleanUpOnExit, reportHeader } from './harness.mjs';
import { Session, withTimeout } from './http-throughput.bench.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'packages/cli/bin/mcp-host.js');
const THROUGHPUT_BENCH = fileURLToPath(new URL('./http-throughput.bench.mjs', import.meta.url));
const ECHO_PLUGIN = fileURLToPath(new URL('./fixtures/echo-plugin.mjs', import.meta.url));
const TARGET = 1.03;
/** Under valgrind a server is ~50× slower: bounds are wide, and hitting one means the bench is broken. */
const LISTEN_TIMEOUT_MS = 120_000;
const RUN_TIMEOUT_MS = 600_000;
const WARM_UP = 200;

const { fail, parseFlags, emit } = benchCli('http-instructions.bench');
// At most 16 clients: under valgrind a server is slow enough that with more, a client's keep-alive socket sits idle
// past the servers' 5 s keep-alive timeout while the others are served, and is closed under it (socket hang up).
const flags = parseFlags({ requests: [2000, 10, 20_000], clients: [8, 1, 16] }, { smoke: false });
const REQUESTS = flags.smoke ? 20 : flags.requests;

const children = new Set();
let tempDir;
cleanUpOnExit(() => children.forEach((child) => child.kill('SIGKILL')), () => tempDir);

/** One server under callgrind: `calls` tools/call after the warm-up; resolves with the instructions it executed. */
async function countRun(kind, calls, dir) {
  const out = path.join(dir, `${kind}-${calls}.callgrind`);
  const args = kind === 'host' ? [CLI, 'start', '--config', path.join(dir, 'http.config.json')] : [THROUGHPUT_BENCH, '--serve-bare'];
  const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-8000)));
  try {
    const url = await withTimeout(
      new Promise((resolve, reject) => {
        child.stderr.on('data', () => {
          const match = /listening on (http:\/\/\S+)/.exec(stderr);
          if (match) resolve(new URL(match[1]));
        });
        exited.then(({ code, signal }) => reject(new Error(`${kind} exited (${code ?? signal}) before listening:\n${stderr}`)));
      }),
      LISTEN_TIMEOUT_MS,
      `${kind} under valgrind: listening line`,
    );
    const sessions = await Promise.all(Array.from({ length: flags.clients }, () => new Session(url).open()));
    const load = async (total) => {
      let remaining = total;
      await Promise.all(
        sessions.map(async (session, index) => {
          for (let n = 0; remaining > 0; n++) {
            remaining--;
            const message = `c${index}-${n}`;
            const result = await session.call('tools/call', { name: 'echo', arguments: { message } });
            if (result?.content?.[0]?.text !== message) throw new Error(`${kind}: tools/call did not echo ${message}`);
          }
        }),
      );
    };
    await withTimeout(load(WARM_UP + calls), RUN_TIMEOUT_MS, `${kind}: ${calls} calls under valgrind`);
    await Promise.allSettled(sessions.map((session) => session.close()));
  } finally {
    // SIGTERM: the host shuts down as it always does, the bare server dies of it; callgrind writes its count either way.
    child.kill('SIGTERM');
    await withTimeout(exited, LISTEN_TIMEOUT_MS, `${kind} under valgrind: exit`).catch(() => child.kill('SIGKILL'));
    children.delete(child);
  }
  const summary = /^summary:\s+(\d+)/m.exec(await readFile(out, 'utf8').catch(() => ''));
  if (!summary) throw new Error(`${kind}: callgrind wrote no summary to ${out}\n${stderr}`);
  return Number(summary[1]);
}

async function main() {
  if (spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).status !== 0) {
    process.stdout.write('http-instructions bench: valgrind is not installed (apt-get install valgrind); nothing measured.\n');
    return undefined;
  }
  const dir = (tempDir = await mkdtemp(path.join(tmpdir(), 'mcp-host-bench-instructions-')));
  try {
    await writeFile(
      path.join(dir, 'http.config.json'),
      JSON.stringify({ name: 'mcp-host-bench', logging: { level: 'warning' }, transport: { type: 'http', port: 0 }, plugins: [ECHO_PLUGIN] }),
    );
    const counts = {};
    for (const calls of [REQUESTS, 3 * REQUESTS]) {
      process.stderr.write(`${calls} calls each, host and bare side by side under callgrind…\n`);
      const [host, bare] = await Promise.all([countRun('host', calls, dir), countRun('bare', calls, dir)]);
      counts[calls] = { host, bare };
    }
    const perRequest = (kind) => (counts[3 * REQUESTS][kind] - counts[REQUESTS][kind]) / (2 * REQUESTS);
    const host = perRequest('host');
    const bare = perRequest('bare');
    const ratio = host / bare;
    return { ...reportHeader('http-instructions'), requests: REQUESTS, clients: flags.clients, smoke: flags.smoke, counts, host, bare, ratio, target: TARGET, pass: ratio <= TARGET };
  } finally {
    await rm(dir, { recursive: true, force: true });
    tempDir = undefined;
  }
}

function formatTable(report) {
  const k = (instructions) => `${(instructions / 1000).toFixed(0)} k`;
  return [
    `http-instructions bench — ${report.node}, ${report.platform}; tools/call echo over Streamable HTTP, ${report.clients} clients, instructions per request = (count after ${3 * report.requests} − after ${report.requests} calls) / ${2 * report.requests}${report.smoke ? ' (smoke: too few calls to mean anything)' : ''}`,
    '',
    '| server CPU per request (instructions, callgrind) | host | bare SDK | ratio | target | result |',
    '|---|---|---|---|---|---|',
    `| tools/call, ${report.clients} sessions | ${k(report.host)} | ${k(report.bare)} | ${report.ratio.toFixed(3)}× | ≤ ${report.target}× | ${report.pass ? 'pass' : 'TARGET MISSED'} |`,
    '',
  ].join('\n');
}

main().then(
  (report) => {
    if (report) emit(formatTable(report), report, flags.json);
    process.exit(0);
  },
  (error) => fail(error.stack ?? String(error)),
);
