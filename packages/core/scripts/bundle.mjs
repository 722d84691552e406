// Bundle @mcp-host/core's runtime (issue 13, cold start): `tsc -b` emits dist/ (the types and the modules the
// bundle is made of); this makes bundle/ from dist/ — the package's `exports` point `import`/`default` there.
//
//   node packages/core/scripts/bundle.mjs        (run by `pnpm build`, the workspace `postinstall` and `prepack`)
//
// Why: loading the MCP SDK, zod and tapable as ~150 separate files costs more than the bare SDK server itself
// pays; one bundle with the public entries sharing chunks loads a handful of files. What stays out of the eager
// chunks: whatever core already imports lazily (`import()`: config loading with cosmiconfig, the HTTP session
// server, semver, import-meta-resolve, the process runner) becomes its own chunk, loaded when used.
//
// The entries keep dist's file names (index.js, embedding.js, client.js, core-resolve-hook.js) in one directory
// with their chunks, so `new URL('./x.js', import.meta.url)` in core (the loader hook for plugins without a core
// of their own) finds the same neighbours in bundle/ as in dist/.
import { createHash } from 'node:crypto';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const DIST = `${PACKAGE}dist/`;
const OUT = `${PACKAGE}bundle`;
const STAMP = '.inputs-sha256';

const input = {
  index: `${DIST}index.js`,
  embedding: `${DIST}embedding.js`,
  client: `${DIST}client.js`,
  // Loaded by node:module register() on Node's loader thread, by URL: a file of its own.
  'core-resolve-hook': `${DIST}core-resolve-hook.js`,
};

/**
 * What the bundle is made of: dist's modules and the installed versions of the dependencies it inlines. The same
 * inputs give the same bundle, so a build with a matching stamp leaves bundle/ alone — `pnpm pack` (prepack) runs
 * this while other processes may be loading the bundle, and must not pull the files from under them.
 */
async function inputsDigest() {
  const hash = createHash('sha256');
  for (const file of (await readdir(DIST, { recursive: true })).filter((name) => name.endsWith('.js')).sort()) {
    hash.update(file).update(await readFile(DIST + file));
  }
  const manifest = JSON.parse(await readFile(`${PACKAGE}package.json`, 'utf8'));
  const require = createRequire(`${PACKAGE}package.json`);
  for (const name of Object.keys(manifest.dependencies ?? {}).sort()) {
    // A package that does not export its package.json: its declared range stands in (a rebuild may be missed
    // after an update in range; `rm -r bundle` forces one).
    const version = await Promise.resolve()
      .then(() => readFile(require.resolve(`${name}/package.json`), 'utf8'))
      .then((text) => JSON.parse(text).version, () => manifest.dependencies[name]);
    hash.update(`${name}@${version}`);
  }
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  return hash.digest('hex');
}

/** dist's modules with tsc's source maps, so the bundle's maps lead to src/*.ts rather than to dist/*.js. */
function distWithSourceMaps() {
  return {
    name: 'dist-with-source-maps',
    async load(id) {
      if (!id.startsWith(DIST) || !id.endsWith('.js')) return null;
      const code = await readFile(id, 'utf8');
      const map = await readFile(`${id}.map`, 'utf8').catch(() => undefined);
      return map === undefined ? code : { code: code.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'), map };
    },
  };
}

/**
 * `@modelcontextprotocol/server` 2.x imports Node's `process` and a JSON Schema validator from its `_shims` entry;
 * its Node shim carries a second bundled copy of ajv. Mapped to dist/modern-shims.js, which hands it 1.x's ajv
 * validator, already in the bundle (see src/modern-shims.ts): the 2026-07-28 chunk loads ≈290 KB less.
 */
function sharedShims() {
  return {
    name: 'shared-shims',
    resolveId(source) {
      return source === '@modelcontextprotocol/server/_shims' ? `${DIST}modern-shims.js` : null;
    },
  };
}

const digest = await inputsDigest();
const built = await readFile(`${OUT}/${STAMP}`, 'utf8').catch(() => undefined);
if (built === digest) process.exit(0);

const { rolldown } = await import('rolldown');
const warnings = [];
const bundle = await rolldown({
  input,
  platform: 'node',
  cwd: PACKAGE,
  // Node's own modules, and TypeScript: cosmiconfig loads it only for a .ts config, from the user's install
  // (an optional peer; bundling it would add 9 MB for a case that needs the user's TypeScript anyway).
  external: [/^node:/, 'typescript'],
  plugins: [distWithSourceMaps(), sharedShims()],
  onLog(level, log) {
    if (level === 'warn') warnings.push(log.message);
  },
});
// Written beside, then swapped in: a process loading the old bundle sees whole files of one build or the other.
const next = `${OUT}.next-${process.pid}`;
await rm(next, { recursive: true, force: true });
await bundle.write({
  dir: next,
  format: 'esm',
  entryFileNames: '[name].js',
  chunkFileNames: '[name]-[hash].js',
  // Stack traces name core's TypeScript sources with `node --enable-source-maps` (the CLI turns that on with --debug).
  sourcemap: true,
});
await bundle.close();
await writeFile(`${next}/${STAMP}`, digest);
const old = `${OUT}.old-${process.pid}`;
await rename(OUT, old).catch((error) => {
  if (error.code !== 'ENOENT') throw error;
});
await rename(next, OUT);
await rm(old, { recursive: true, force: true });
for (const warning of warnings) process.stderr.write(`bundle @mcp-host/core: ${warning}\n`);
