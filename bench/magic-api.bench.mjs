// Magic-API plugin benchmark (issue 9): the real `mcp-host start` on the Magic-API example config against the
// Magic-API emulator holding a generated tree, side by side with a bare HTTP client doing the same work against
// the same emulator, in one run.
//
//   node bench/magic-api.bench.mjs [--runs N] [--files N] [--reads N] [--smoke] [--json]
//
//   list, fresh  a freshly spawned host's first full resources/list: login-free guest mode, the tree fetched
//                (POST {web}/resource), indexed, listed in pages; baseline: the bare client's POST {web}/resource
//                and JSON.parse of the answer — what any client must do at least
//   list again   the same host listing again from the tree it holds; baseline: the bare fetch again
//   read ×N      N sequential resources/read of scripts (each a GET {web}/resource/file/{id} by the host);
//                baseline: the same N GETs over one keep-alive socket
//   RSS          VmRSS of the host holding the tree (after its first listing, and after the reads), and of the
//                same host on an empty tree; the difference is mostly heap V8 took for the work (the tree's body,
//                its parse, the pages) and keeps after collecting it, not what is held: so the index is measured too
//   index        the plugin's ScriptTree built here from the same tree, its retained heap measured with gc
// Host and baseline alternate within each round. Loopback only; every request is bounded. Exit 0 when it ran
// (whatever the numbers), 1 when it could not.
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startEmulator } from '@mcp-host/magic-api-emulator';
import { ScriptTree } from '@mcp-host/plugin-magic-api';
import { benchCli, reportHeader, rssKiB, stdioServers } from './harness.mjs';
import { median, p90 } from './stats.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'packages/cli/bin/mcp-host.js');
const CONFIG = path.join(ROOT, 'examples/magic-api/mcp-host.config.json');
/** Bound on any one request; hitting it means the bench is broken, not slow. */
const REQUEST_TIMEOUT_MS = 60_000;
const MAX_PAGES = 10_000;
const FILES_PER_GROUP = 100;

const { fail, parseFlags, emit } = benchCli('magic-api.bench');
const flags = parseFlags({ runs: [5, 1, 100], files: [5000, 10, 100_000], reads: [500, 1, 100_000] }, { smoke: false });
const SMOKE = flags.smoke;
const RUNS = SMOKE ? 1 : flags.runs;
const FILES = SMOKE ? 200 : flags.files;
const READS = Math.min(SMOKE ? 20 : flags.reads, FILES);
const progress = (text) => process.stderr.write(text);

/** FILES API scripts, FILES_PER_GROUP per group, as a project of many small endpoints. */
function generatedSeed(count) {
  const groups = [];
  for (let start = 0; start < count; start += FILES_PER_GROUP) {
    const index = start / FILES_PER_GROUP;
    const files = [];
    for (let i = start; i < Math.min(count, start + FILES_PER_GROUP); i++) {
      files.push({ name: `接口${String(i).padStart(5, '0')}`, path: `item${i}`, method: i % 3 === 0 ? 'POST' : 'GET', script: `// endpoint ${i}\nvar id = ${i}\nlog.info("endpoint {}", id)\nreturn {id: id}` });
    }
    groups.push({ name: `分组${String(index).padStart(4, '0')}`, path: `group${index}`, files });
  }
  return { api: groups };
}

/** Hosts not yet closed (`hosts.open`) and the emulators: closed in `finally`; on Ctrl+C the hosts are. */
const hosts = stdioServers('magic-api-bench', REQUEST_TIMEOUT_MS);
const servers = [];
process.on('SIGINT', () => {
  for (const { transport } of hosts.open) transport.close().catch(() => {});
  process.exit(130);
});

function connectHost(baseUrl) {
  const env = { ...process.env, MAGIC_API_BASE_URL: baseUrl, MAGIC_API_WS_URL: '', MAGIC_API_TOKEN: '', MAGIC_API_USERNAME: '', MAGIC_API_PASSWORD: '', MAGIC_API_REFRESH_SECONDS: '0', MAGIC_API_TIMEOUT_SECONDS: '60' };
  return hosts.connect(process.execPath, [CLI, 'start', '--config', CONFIG], { cwd: ROOT, env });
}

const close = hosts.close;

const options = { timeout: REQUEST_TIMEOUT_MS };

/** Every page of resources/list; the magic-api:// URIs (checked against the tree). */
async function hostListing(client) {
  const started = performance.now();
  const uris = [];
  let cursor;
  let pages = 0;
  do {
    const page = await client.listResources(cursor ? { cursor } : {}, options);
    for (const resource of page.resources) if (resource.uri.startsWith('magic-api://')) uris.push(resource.uri);
    cursor = page.nextCursor;
  } while (cursor && ++pages < MAX_PAGES);
  return { ms: performance.now() - started, uris };
}

async function hostReads(client, uris) {
  const started = performance.now();
  for (const uri of uris) {
    const result = await client.readResource({ uri }, options);
    if (typeof result.contents[0]?.text !== 'string' || result.contents.length !== 2) throw new Error(`read ${uri}: not a script and its metadata`);
  }
  return performance.now() - started;
}

/** The bare client: one keep-alive agent, bounded requests, the answer read and parsed. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function bare(method, url) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent, headers: { accept: 'application/json' } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        clearTimeout(timer);
        try {
          const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (envelope.code !== 1) throw new Error(`${method} ${url}: code ${envelope.code}`);
          resolve(envelope.data);
        } catch (error) {
          reject(error);
        }
      });
      response.on('error', reject);
    });
    const timer = setTimeout(() => request.destroy(new Error(`${method} ${url}: no answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end();
  });
}

async function bareListing(webUrl) {
  const started = performance.now();
  const tree = await bare('POST', `${webUrl}/resource`);
  if (!tree.api) throw new Error('the tree has no api type');
  return performance.now() - started;
}

async function bareReads(webUrl, ids) {
  const started = performance.now();
  for (const id of ids) {
    const file = await bare('GET', `${webUrl}/resource/file/${id}`);
    if (typeof file?.script !== 'string') throw new Error(`GET file ${id}: no script`);
  }
  return performance.now() - started;
}

/** The heap the plugin's index of the tree retains: built here from a fetched tree, measured between two full GCs. */
async function indexBytes(webUrl) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  await bare('POST', `${webUrl}/resource`); // the socket and the code paths exist before the baseline
  gc();
  const base = process.memoryUsage().heapUsed;
  const tree = new ScriptTree(await bare('POST', `${webUrl}/resource`));
  gc();
  const held = process.memoryUsage().heapUsed - base;
  if (tree.size !== FILES) throw new Error(`the index holds ${tree.size} files, expected ${FILES}`);
  return held;
}

const ratio = (a, b) => (b > 0 ? a / b : NaN);
const ms = (value) => `${value.toFixed(0)} ms`;

async function main() {
  progress(`emulator with ${FILES} API files… `);
  const generatedAt = performance.now();
  const server = await startEmulator({ seed: generatedSeed(FILES), defaultDataSource: false, warn: () => {}, logFlushIntervalMs: 60_000 });
  const empty = await startEmulator({ seed: {}, defaultDataSource: false, warn: () => {} });
  servers.push(server, empty);
  progress(`${Math.round(performance.now() - generatedAt)} ms\n`);
  const ids = server.harness.files().map((file) => file.id);
  const sampleIds = Array.from({ length: READS }, (_, i) => ids[Math.floor((i * ids.length) / READS)]);

  const results = { host: { coldList: [], warmList: [], reads: [] }, bare: { coldList: [], warmList: [], reads: [] }, rssKiB: { listed: [], tree: [], empty: [] }, treeBytes: 0, indexBytes: NaN };
  results.treeBytes = Buffer.byteLength(JSON.stringify({ code: 1, message: 'success', data: await bare('POST', `${server.webUrl}/resource`) }));
  results.indexBytes = await indexBytes(server.webUrl);

  // Round 0 is a warm-up (both sides, not recorded): the page cache, the JIT of the emulator.
  for (let run = 0; run <= RUNS; run++) {
    const hostFirst = run % 2 === 0;
    const round = {};
    const hostSide = async () => {
      const host = await connectHost(server.baseUrl);
      try {
        const cold = await hostListing(host.client);
        if (cold.uris.length !== FILES) throw new Error(`the host listed ${cold.uris.length} scripts, expected ${FILES}\n${host.stderr()}`);
        const listedRss = rssKiB(host.transport.pid);
        const warm = await hostListing(host.client);
        const step = cold.uris.length / READS;
        const uris = Array.from({ length: READS }, (_, i) => cold.uris[Math.floor(i * step)]);
        const reads = await hostReads(host.client, uris);
        round.host = { cold: cold.ms, warm: warm.ms, reads, listedRss, rss: rssKiB(host.transport.pid) };
      } finally {
        await close(host);
      }
    };
    const bareSide = async () => {
      const cold = await bareListing(server.webUrl);
      const warm = await bareListing(server.webUrl);
      const reads = await bareReads(server.webUrl, sampleIds);
      round.bare = { cold, warm, reads };
    };
    for (const side of hostFirst ? [hostSide, bareSide] : [bareSide, hostSide]) await side();
    // The same host on an empty tree: what it costs without the 5 000 files.
    const idle = await connectHost(empty.baseUrl);
    try {
      await hostListing(idle.client);
      round.emptyRss = rssKiB(idle.transport.pid);
    } finally {
      await close(idle);
    }
    if (run > 0) {
      results.host.coldList.push(round.host.cold);
      results.host.warmList.push(round.host.warm);
      results.host.reads.push(round.host.reads);
      results.bare.coldList.push(round.bare.cold);
      results.bare.warmList.push(round.bare.warm);
      results.bare.reads.push(round.bare.reads);
      results.rssKiB.listed.push(round.host.listedRss);
      results.rssKiB.tree.push(round.host.rss);
      results.rssKiB.empty.push(round.emptyRss);
    }
    progress(run === 0 ? 'warm-up done\n' : `round ${run}/${RUNS}: list ${ms(round.host.cold)} (bare ${ms(round.bare.cold)}), again ${ms(round.host.warm)}, ${READS} reads ${ms(round.host.reads)} (bare ${ms(round.bare.reads)}), RSS ${round.host.rss} KiB (empty tree ${round.emptyRss} KiB)\n`);
  }

  const row = (label, host, base) => {
    const h = median(host);
    const b = base ? median(base) : undefined;
    return `  ${label.padEnd(22)} ${ms(h).padStart(9)} p90 ${ms(p90(host)).padStart(8)}   ${b === undefined ? ''.padStart(20) : `bare ${ms(b).padStart(8)}  ×${ratio(h, b).toFixed(2)}`}\n`;
  };
  const rssListed = median(results.rssKiB.listed);
  const rssTree = median(results.rssKiB.tree);
  const rssEmpty = median(results.rssKiB.empty);
  const table =
    `\nmagic-api.bench — ${FILES} API files (${(results.treeBytes / 1024 / 1024).toFixed(1)} MB of tree JSON), ${READS} reads, ${RUNS} run(s)${SMOKE ? ' (smoke)' : ''}; medians\n` +
    row('list, fresh host', results.host.coldList, results.bare.coldList) +
    row('list again (held)', results.host.warmList, results.bare.warmList) +
    row(`read ×${READS}`, results.host.reads, results.bare.reads) +
    `  ${'per read'.padEnd(22)} ${(median(results.host.reads) / READS).toFixed(2).padStart(6)} ms          bare ${(median(results.bare.reads) / READS).toFixed(2).padStart(5)} ms\n` +
    `  ${'RSS after listing'.padEnd(22)} ${String(rssListed).padStart(6)} KiB       empty tree ${rssEmpty} KiB: +${rssListed - rssEmpty} KiB\n` +
    `  ${`RSS after ${READS} reads`.padEnd(22)} ${String(rssTree).padStart(6)} KiB       +${rssTree - rssEmpty} KiB\n` +
    `  ${'index held'.padEnd(22)} ${String(Math.round(results.indexBytes / 1024)).padStart(6)} KiB       ${Math.round(results.indexBytes / FILES)} B per file (the RSS growth above is heap V8 took for the fetch and the pages and keeps after collecting them)\n` +
    `  (bare: one keep-alive HTTP client doing the same requests against the same emulator; the host adds MCP, the index, the listing and two content items per read)\n`;
  const report = {
    ...reportHeader('magic-api'),
    files: FILES,
    reads: READS,
    runs: RUNS,
    smoke: SMOKE,
    treeBytes: results.treeBytes,
    medianMs: {
      hostListFresh: median(results.host.coldList),
      bareListFresh: median(results.bare.coldList),
      hostListAgain: median(results.host.warmList),
      bareListAgain: median(results.bare.warmList),
      hostReads: median(results.host.reads),
      bareReads: median(results.bare.reads),
    },
    rssKiB: { afterListing: rssListed, afterReads: rssTree, emptyTree: rssEmpty },
    indexBytes: results.indexBytes,
    raw: results,
  };
  emit(table, report, flags.json);
}

let failure;
try {
  await main();
} catch (error) {
  failure = error;
} finally {
  for (const entry of [...hosts.open]) await close(entry);
  agent.destroy();
  for (const server of servers) await server.close();
}
if (failure !== undefined) fail(failure instanceof Error ? failure.message : String(failure));
