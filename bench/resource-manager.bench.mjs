// Resource-manager benchmark (issue 6): the real `mcp-host start` with the resource-manager plugin side by side
// with the reference `@modelcontextprotocol/server-filesystem` on the same generated tree, in one run.
//
//   node bench/resource-manager.bench.mjs [--runs N] [--cold-runs N] [--files N] [--reads N] [--json]
//
// Both servers are spawned over stdio and driven by the SDK `Client`. The reference has no resources, so its
// tools do the equivalent work: `directory_tree` for the listing (a recursive readdir; ours also stats every
// file for its size and builds its URI), `read_text_file` for each read.
//   list, fresh  a freshly spawned server's first full listing (for the host: scan + watch set-up included)
//   list again   the same servers again: the host serves its watched, cached scan; the reference has no
//                cache, every directory_tree call walks the tree
//   read ×N      N sequential resources/read of small files vs N sequential read_text_file calls
//   RSS          VmRSS of each server after its listings, while the host watches the whole tree
// Host and reference alternate within each round. Exit 0 when it ran (whatever the numbers), 1 when it could not.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchCli, rssKiB, stdioServers } from './harness.mjs';
import { median } from './stats.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'packages/cli/bin/mcp-host.js');
/** Bound on any one request; hitting it means the bench is broken, not slow. */
const REQUEST_TIMEOUT_MS = 120_000;
const MAX_PAGES = 10_000;

const { fail, parseFlags, emit } = benchCli('resource-manager.bench');
const flags = parseFlags({ runs: [5, 1, 100], 'cold-runs': [3, 1, 20], files: [10_000, 100, 200_000], reads: [1000, 1, 100_000] });
const RUNS = flags.runs;
const COLD_RUNS = flags['cold-runs'];
const FILES = flags.files;
const READS = Math.min(flags.reads, FILES);


const progress = (text) => process.stderr.write(text);

/** Servers not yet closed (`servers.open`, below), and the temp tree: cleaned up in `finally` and on Ctrl+C. */
let tempDir;
process.on('SIGINT', () => {
  for (const { transport } of servers.open) transport.close().catch(() => {});
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  process.exit(130);
});

function referenceBin() {
  const require = createRequire(path.join(ROOT, 'plugins/resource-manager/package.json'));
  let manifest;
  try {
    manifest = require.resolve('@modelcontextprotocol/server-filesystem/package.json');
  } catch {
    fail('the reference @modelcontextprotocol/server-filesystem is not installed (a devDependency of plugins/resource-manager): run pnpm install');
  }
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8'));
  return path.join(path.dirname(manifest), typeof bin === 'string' ? bin : bin['mcp-server-filesystem']);
}

/**
 * FILES small text files, 10 per directory, directories 10 to a parent: a tree shaped like documentation
 * (1 100 directories for 10 000 files). Returns the relative paths in creation order.
 */
function generateTree(root, count) {
  const files = [];
  for (let i = 0; i < count; i++) {
    const top = Math.floor(i / 100);
    const sub = Math.floor(i / 10) % 10;
    const relative = `section-${String(top).padStart(3, '0')}/part-${sub}/page-${String(i).padStart(5, '0')}.md`;
    if (i % 10 === 0) mkdirSync(path.join(root, path.dirname(relative)), { recursive: true });
    writeFileSync(path.join(root, relative), `# Page ${i}\n\nSome text for page ${i}.\n`);
    files.push(relative);
  }
  return files;
}

const servers = stdioServers('resource-manager-bench', REQUEST_TIMEOUT_MS);
const connect = (command, args, cwd) => servers.connect(command, args, { cwd });
const close = servers.close;

const options = { timeout: REQUEST_TIMEOUT_MS };

/** Every page of resources/list; returns ms and the count (checked against the tree). */
async function hostListing(client) {
  const started = performance.now();
  let cursor;
  let count = 0;
  let pages = 0;
  do {
    const page = await client.listResources(cursor ? { cursor } : {}, options);
    count += page.resources.length;
    cursor = page.nextCursor;
  } while (cursor && ++pages < MAX_PAGES);
  return { ms: performance.now() - started, count };
}

async function referenceListing(client, root) {
  const started = performance.now();
  const result = await client.callTool({ name: 'directory_tree', arguments: { path: root } }, undefined, options);
  const ms = performance.now() - started;
  if (result.isError) throw new Error(`directory_tree failed: ${result.content?.[0]?.text}`);
  let count = 0;
  const walk = (entries) => entries.forEach((entry) => (entry.type === 'file' ? count++ : walk(entry.children ?? [])));
  walk(JSON.parse(result.content[0].text));
  return { ms, count };
}

async function hostReads(client, uris) {
  const started = performance.now();
  for (const uri of uris) {
    const result = await client.readResource({ uri }, options);
    if (!result.contents[0]?.text) throw new Error(`read ${uri}: no text`);
  }
  return performance.now() - started;
}

async function referenceReads(client, paths) {
  const started = performance.now();
  for (const file of paths) {
    const result = await client.callTool({ name: 'read_text_file', arguments: { path: file } }, undefined, options);
    if (result.isError) throw new Error(`read_text_file ${file}: ${result.content?.[0]?.text}`);
  }
  return performance.now() - started;
}

const ratio = (a, b) => (b > 0 ? a / b : NaN);

async function main() {
  const reference = referenceBin();
  tempDir = await mkdtemp(path.join(tmpdir(), 'mcp-host-bench-rm-'));
  const root = path.join(tempDir, 'tree');
  mkdirSync(root);
  progress(`generating ${FILES} files… `);
  const generatedAt = performance.now();
  const files = generateTree(root, FILES);
  progress(`${Math.round(performance.now() - generatedAt)} ms\n`);
  const config = path.join(tempDir, 'mcp-host.config.json');
  writeFileSync(config, JSON.stringify({ plugins: [['@mcp-host/plugin-resource-manager', { sources: [{ name: 'tree', type: 'directory', path: './tree', watch: true }] }]] }));
  // Every FILES/READS-th file: spread over the whole tree.
  const step = FILES / READS;
  const sample = Array.from({ length: READS }, (_, i) => files[Math.floor(i * step)]);
  const realRoot = (await import('node:fs')).realpathSync(root);
  const uris = sample.map((relative) => pathToFileURL(path.join(realRoot, relative)).href);
  const paths = sample.map((relative) => path.join(realRoot, relative));

  const results = { host: { coldList: [], warmList: [], reads: [], idleRssKiB: NaN, watchingRssKiB: NaN }, reference: { coldList: [], list: [], reads: [], rssKiB: NaN } };

  // Cold listings: a fresh host and a fresh reference each round, alternating which goes first (one warm-up
  // round first, so both see a warm page cache).
  const hostArgs = [CLI, 'start', '--config', config];
  for (let run = 0; run <= COLD_RUNS; run++) {
    const order = run % 2 === 0 ? ['host', 'reference'] : ['reference', 'host'];
    const times = {};
    for (const side of order) {
      const server = side === 'host' ? await connect(process.execPath, hostArgs, tempDir) : await connect(process.execPath, [reference, realRoot], tempDir);
      try {
        const { ms, count } = side === 'host' ? await hostListing(server.client) : await referenceListing(server.client, realRoot);
        if (count !== FILES) throw new Error(`the ${side} listed ${count} files, expected ${FILES}`);
        times[side] = ms;
      } finally {
        await close(server);
      }
    }
    if (run > 0) {
      results.host.coldList.push(times.host);
      results.reference.coldList.push(times.reference);
    }
    progress(run === 0 ? 'warm-up done\n' : `cold round ${run}/${COLD_RUNS}: host ${times.host.toFixed(0)} ms, reference ${times.reference.toFixed(0)} ms\n`);
  }

  const host = await connect(process.execPath, hostArgs, tempDir);
  const ref = await connect(process.execPath, [reference, realRoot], tempDir);
  try {
    results.host.idleRssKiB = rssKiB(host.transport.pid);
    await hostListing(host.client);
    await referenceListing(ref.client, realRoot);
    for (let run = 0; run < RUNS; run++) {
      const hostFirst = run % 2 === 0;
      for (const side of hostFirst ? ['host', 'reference'] : ['reference', 'host']) {
        if (side === 'host') {
          const { ms, count } = await hostListing(host.client);
          if (count !== FILES) throw new Error(`the host listed ${count} resources, expected ${FILES}`);
          results.host.warmList.push(ms);
          results.host.reads.push(await hostReads(host.client, uris));
        } else {
          const { ms, count } = await referenceListing(ref.client, realRoot);
          if (count !== FILES) throw new Error(`the reference listed ${count} files, expected ${FILES}`);
          results.reference.list.push(ms);
          results.reference.reads.push(await referenceReads(ref.client, paths));
        }
      }
      progress(`round ${run + 1}/${RUNS}: host list ${results.host.warmList.at(-1).toFixed(0)} ms, reads ${results.host.reads.at(-1).toFixed(0)} ms; reference list ${results.reference.list.at(-1).toFixed(0)} ms, reads ${results.reference.reads.at(-1).toFixed(0)} ms\n`);
    }
    results.host.watchingRssKiB = rssKiB(host.transport.pid);
    results.reference.rssKiB = rssKiB(ref.transport.pid);
  } finally {
    await close(host);
    await close(ref);
  }

  const summary = {
    bench: 'resource-manager',
    files: FILES,
    reads: READS,
    runs: RUNS,
    coldRuns: COLD_RUNS,
    host: {
      coldListMs: median(results.host.coldList),
      warmListMs: median(results.host.warmList),
      readsMs: median(results.host.reads),
      idleRssMiB: results.host.idleRssKiB / 1024,
      watchingRssMiB: results.host.watchingRssKiB / 1024,
    },
    reference: {
      coldListMs: median(results.reference.coldList),
      listMs: median(results.reference.list),
      readsMs: median(results.reference.reads),
      rssMiB: results.reference.rssKiB / 1024,
    },
  };
  summary.ratios = {
    coldList: ratio(summary.host.coldListMs, summary.reference.coldListMs),
    warmList: ratio(summary.host.warmListMs, summary.reference.listMs),
    reads: ratio(summary.host.readsMs, summary.reference.readsMs),
    rss: ratio(summary.host.watchingRssMiB, summary.reference.rssMiB),
  };

  const row = (name, host, ref, r, unit = 'ms') => `  ${name.padEnd(30)} ${host.toFixed(1).padStart(9)} ${unit}  ${ref.toFixed(1).padStart(9)} ${unit}  ${Number.isFinite(r) ? `${r.toFixed(2)}×` : '—'}`;
  const table = [
    '',
    `resource-manager vs @modelcontextprotocol/server-filesystem: ${FILES} files, ${READS} reads; medians of ${RUNS} rounds (${COLD_RUNS} cold spawns)`,
    `  ${''.padEnd(30)} ${'host'.padStart(12)}  ${'reference'.padStart(12)}  host/ref`,
    row('list all, fresh process', summary.host.coldListMs, summary.reference.coldListMs, summary.ratios.coldList),
    row('list all again (host: cached)', summary.host.warmListMs, summary.reference.listMs, summary.ratios.warmList),
    row(`read ×${READS} (sequential)`, summary.host.readsMs, summary.reference.readsMs, summary.ratios.reads),
    row('RSS after listing (watching)', summary.host.watchingRssMiB, summary.reference.rssMiB, summary.ratios.rss, 'MiB'),
    `  host RSS before listing: ${summary.host.idleRssMiB.toFixed(1)} MiB (watching ${FILES} files adds ${(summary.host.watchingRssMiB - summary.host.idleRssMiB).toFixed(1)} MiB)`,
    '  reference listing = directory_tree (readdir only; the host also stats each file); reads = read_text_file',
    '',
  ].join('\n');
  emit(`${table}\n`, summary, flags.json);
}

try {
  await main();
} catch (error) {
  process.stderr.write(`resource-manager.bench: could not run: ${error.stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  for (const entry of [...servers.open]) await close(entry);
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
}
