// Bundle the first-party packages' runtime (issue 13, cold start): `tsc -b` emits each package's dist/ (the types
// and the modules a bundle is made of); this makes its bundle/ from dist/ — the package's `exports` point
// `import`/`default` there.
//
//   node packages/core/scripts/bundle.mjs                 every package (core, plugins/*) whose exports point to ./bundle/
//   node packages/core/scripts/bundle.mjs <package dir>…  those (a package's own build and prepack pass `.`)
//
// Run by `pnpm build`, the workspace `postinstall`, each bundled package's `build` and `prepack`.
//
// Why: Node's ESM loader pays per file (an async read, a compile, a resolution per import). Core with the MCP SDK,
// zod and tapable is ~150 files, each first-party plugin 10–25; as bundles they load a handful.
// - @mcp-host/core inlines its dependencies. What core imports lazily (`import()`: config loading with
//   cosmiconfig, the HTTP session server, semver, import-meta-resolve, the process runner) becomes a chunk of its
//   own, loaded when used. Its entries keep dist's file names in one directory with their chunks, so
//   `new URL('./x.js', import.meta.url)` in core (the loader hook for plugins without a core of their own) finds the
//   same neighbours in bundle/ as in dist/. Two inlined parts a stdio host seldom uses are not in the chunks at all:
//   Ajv (ajv.cjs) and zod's locales (zod-locales.cjs), required synchronously by stand-ins on first use (lazyAjv,
//   lazyZodLocales below).
// - A plugin inlines only its own modules: every bare specifier (`@mcp-host/core`, another plugin, `ws`) stays an
//   import, so the host, the plugins and a third-party plugin share one core (one SDK, one zod, one service
//   registry) and a dependency the user installs is the one loaded.
import { createHash } from 'node:crypto';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKSPACE = fileURLToPath(new URL('../../..', import.meta.url));
const STAMP = '.inputs-sha256';
const BUNDLE_DIR = './bundle/';

/** Per package, beyond what its `exports` say. */
const PACKAGE_OPTIONS = {
  '@mcp-host/core': {
    inlineDependencies: true,
    lazyAjvAndLocales: true,
    // Loaded by node:module register() on Node's loader thread, by URL: an entry of its own, not in exports.
    extraEntries: ['core-resolve-hook'],
  },
};

/** The bundle entries of a package: every `exports` target under ./bundle/, named after its dist/ module. */
function entriesOf(manifest, dist) {
  const targets = [];
  const collect = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(manifest.exports);
  if (typeof manifest.main === 'string') targets.push(manifest.main);
  const input = {};
  for (const target of targets) {
    if (!target.startsWith(BUNDLE_DIR) || !target.endsWith('.js')) continue;
    const name = target.slice(BUNDLE_DIR.length, -'.js'.length);
    input[name] = path.join(dist, `${name}.js`);
  }
  for (const name of PACKAGE_OPTIONS[manifest.name]?.extraEntries ?? []) input[name] = path.join(dist, `${name}.js`);
  return input;
}

/**
 * What a bundle is made of: dist's modules and maps, the manifest, this script and, where they are inlined, the
 * installed versions of the dependencies. The same inputs give the same bundle, so a build with a matching stamp
 * leaves bundle/ alone — `pnpm pack` (prepack) runs this while other processes may be loading the bundle, and must
 * not pull the files from under them.
 */
async function inputsDigest(dir, dist, manifest, inlineDependencies) {
  const hash = createHash('sha256');
  for (const file of (await readdir(dist, { recursive: true })).filter((name) => /\.js(\.map)?$/.test(name)).sort()) {
    hash.update(file).update(await readFile(path.join(dist, file)));
  }
  hash.update(JSON.stringify([manifest.exports, manifest.main, inlineDependencies]));
  if (inlineDependencies) {
    const require = createRequire(path.join(dir, 'package.json'));
    for (const name of Object.keys(manifest.dependencies ?? {}).sort()) {
      // A package that does not export its package.json: its declared range stands in (a rebuild may be missed
      // after an update in range; `rm -r bundle` forces one).
      const version = await Promise.resolve()
        .then(() => readFile(require.resolve(`${name}/package.json`), 'utf8'))
        .then((text) => JSON.parse(text).version, () => manifest.dependencies[name]);
      hash.update(`${name}@${version}`);
    }
  }
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  return hash.digest('hex');
}

/** dist's modules with tsc's source maps, so the bundle's maps lead to src/*.ts rather than to dist/*.js. */
function distWithSourceMaps(dist) {
  return {
    name: 'dist-with-source-maps',
    async load(id) {
      if (!id.startsWith(dist) || !id.endsWith('.js')) return null;
      const code = await readFile(id, 'utf8');
      const map = await readFile(`${id}.map`, 'utf8').catch(() => undefined);
      return map === undefined ? code : { code: code.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'), map };
    },
  };
}

/** The file beside the chunks that holds Ajv and ajv-formats (CommonJS, so it can be required synchronously). */
const AJV_FILE = 'ajv.cjs';
const LAZY = '\0mcp-host-lazy:';

/**
 * Ajv, off the startup path. The SDK's Server and Client each build an Ajv instance in their constructors (for
 * elicitation answers and tool output schemas), so Ajv, ajv-formats and fast-uri (~250 KB, ~25 ms to compile and
 * run at startup here) loaded before the host could answer `initialize`, though a stdio host rarely validates a
 * JSON Schema at all. The SDK's validation/ajv-provider.js is kept as it is; only its two imports are replaced:
 * `Ajv` by a stand-in whose instance is a proxy creating the real Ajv (from ajv.cjs, required synchronously) on its
 * first use, and `ajv-formats` by a function that applies the formats to the real instance once it exists.
 */
function lazyAjv(found) {
  const stubs = {
    ajv: [
      "import { createRequire } from 'node:module';",
      'const require = createRequire(import.meta.url);',
      'export const PENDING_FORMATS = Symbol("pending ajv-formats calls");',
      `export const loadAjv = () => require('./${AJV_FILE}');`,
      '/** `new Ajv(options)`: a proxy that creates the real instance when it is first used. */',
      'export default function LazyAjv(options) {',
      '  const pending = [];',
      '  let real;',
      '  const realize = () => {',
      '    if (real === undefined) {',
      '      const { Ajv, addFormats } = loadAjv();',
      '      real = new Ajv(options);',
      '      for (const args of pending) addFormats(real, ...args);',
      '    }',
      '    return real;',
      '  };',
      '  return new Proxy({}, {',
      '    get(_, key) {',
      '      if (key === PENDING_FORMATS) return real === undefined ? pending : undefined;',
      '      const target = realize();',
      '      const value = Reflect.get(target, key, target);',
      "      return typeof value === 'function' ? value.bind(target) : value;",
      '    },',
      '    set: (_, key, value) => Reflect.set(realize(), key, value),',
      '    has: (_, key) => Reflect.has(realize(), key),',
      '  });',
      '}',
    ].join('\n'),
    'ajv-formats': [
      `import { PENDING_FORMATS, loadAjv } from '${LAZY}ajv';`,
      '/** `addFormats(ajv, …)`: remembered until the stand-in creates its Ajv; applied at once to a real one. */',
      'export default function addFormats(ajv, ...args) {',
      '  const pending = ajv[PENDING_FORMATS];',
      '  if (pending) pending.push(args);',
      '  else loadAjv().addFormats(ajv, ...args);',
      '  return ajv;',
      '}',
    ].join('\n'),
  };
  return {
    name: 'lazy-ajv',
    resolveId(source, importer) {
      if (source.startsWith(LAZY)) return source;
      if (!importer?.replaceAll('\\', '/').endsWith('/validation/ajv-provider.js') || !(source in stubs)) return null;
      found.importer = importer;
      return LAZY + source;
    },
    load(id) {
      return id.startsWith(LAZY) ? stubs[id.slice(LAZY.length)] : null;
    },
  };
}

/**
 * A CommonJS file beside the chunks, for a stand-in to require synchronously on first use: `entry` is its ESM
 * source; bare imports in it resolve from `importer` (where the code it replaces imported them).
 */
async function writeLazyFile(rolldown, dir, file, entry, importer) {
  const ENTRY = `${LAZY}entry`;
  const bundle = await rolldown({
    input: ENTRY,
    platform: 'node',
    external: [/^node:/],
    plugins: [
      {
        name: 'lazy-file-entry',
        resolveId(source) {
          if (source === ENTRY) return source;
          if (!source.startsWith('.') && !path.isAbsolute(source)) return this.resolve(source, importer);
          return null;
        },
        load(id) {
          return id === ENTRY ? entry : null;
        },
      },
    ],
  });
  await bundle.write({ file: path.join(dir, file), format: 'cjs', sourcemap: true });
  await bundle.close();
}

const LOCALES_FILE = 'zod-locales.cjs';

/**
 * zod's locales, off the startup path. `z.locales` (zod re-exports the namespace from classic and from core) holds
 * ~60 error-message translations, ~270 KB that compiled at every start (~20 ms here) for a host whose messages are
 * English (zod sets `en` itself, from its own import of locales/en.js, which stays as it is). The namespace keeps
 * every name: each is a function that requires zod-locales.cjs on its first call and returns what zod's would.
 */
function lazyZodLocales(found) {
  const STUB = `${LAZY}zod-locales`;
  return {
    name: 'lazy-zod-locales',
    async resolveId(source, importer) {
      if (source === STUB) return source;
      if (source !== '../locales/index.js' || !importer || !/[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(importer)) return null;
      const resolved = await this.resolve(source, importer, { skipSelf: true });
      if (!resolved) return null;
      found.index = resolved.id;
      return STUB;
    },
    async load(id) {
      if (id !== STUB) return null;
      const index = await readFile(found.index, 'utf8');
      const names = [...index.matchAll(/^export \{ default as (\w+) \} from "\.\/([\w-]+)\.js";$/gm)];
      if (names.length === 0) throw new Error(`${found.index}: no locale exports found; update lazyZodLocales in ${fileURLToPath(import.meta.url)}`);
      const en = JSON.stringify(path.join(path.dirname(found.index), 'en.js'));
      return [
        "import { createRequire } from 'node:module';",
        `import en from ${en};`,
        'const require = createRequire(import.meta.url);',
        'let locales;',
        `const load = () => (locales ??= require('./${LOCALES_FILE}'));`,
        ...names.map(([, name]) => (name === 'en' ? 'export { en };' : `export function ${name}(...args) { return load().${name}(...args); }`)),
      ].join('\n');
    },
  };
}

/** Node's own modules always stay imports (but those resolverShims replaces); for a plugin, every bare specifier does (see the top). */
function externalFor(inlineDependencies) {
  // TypeScript stays out of core too: cosmiconfig loads it only for a .ts config, from the user's install (an
  // optional peer; bundling it would add 9 MB for a case that needs the user's TypeScript anyway).
  if (inlineDependencies) return (id, importer) => id === 'typescript' || (id.startsWith('node:') && resolverShimFor(id, importer) === undefined);
  return (id) => !id.startsWith('.') && !path.isAbsolute(id) && !id.startsWith('\0');
}

/**
 * import-meta-resolve (how core resolves a plugin named by package) imports `node:assert` for `assert.ok` and
 * `node:v8` for `startupSnapshot.isBuildingSnapshot()`; loading those two pulls in ~15 of Node's own modules
 * (heap utils, reports, the profiler binding) at every start with a package-named plugin (issue 13: a few ms of
 * the Magic-API example's start). In that package only, they are these few lines, which do what it uses of them.
 */
const RESOLVER_SHIMS = {
  'node:assert': [
    "function ok(value, message) { if (!value) throw new Error(message === undefined ? 'assertion failed' : String(message)); }",
    'export default Object.assign(ok, { ok });',
  ].join('\n'),
  // The host never builds a startup snapshot.
  'node:v8': 'export default { startupSnapshot: { isBuildingSnapshot: () => false } };',
};
const RESOLVER_SHIM_PREFIX = '\0resolver-shim:';

function resolverShimFor(id, importer) {
  if (importer === undefined || !importer.includes(`${path.sep}import-meta-resolve${path.sep}`)) return undefined;
  return Object.hasOwn(RESOLVER_SHIMS, id) ? RESOLVER_SHIMS[id] : undefined;
}

function resolverShims() {
  return {
    name: 'resolver-shims',
    resolveId(source, importer) {
      return resolverShimFor(source, importer) === undefined ? null : RESOLVER_SHIM_PREFIX + source;
    },
    load(id) {
      return id.startsWith(RESOLVER_SHIM_PREFIX) ? RESOLVER_SHIMS[id.slice(RESOLVER_SHIM_PREFIX.length)] : null;
    },
  };
}

/**
 * `@modelcontextprotocol/server` 2.x (core's 2026-07-28 chunk) imports Node's `process` and a JSON Schema validator
 * from its `_shims` entry; its Node shim brings a second bundled copy of Ajv. Mapped to dist/modern-shims.js, which
 * hands it 1.x's validator (src/modern-shims.ts): one Ajv, loaded on first use like the rest (lazyAjv).
 */
function sharedShims(dist) {
  return {
    name: 'shared-shims',
    resolveId(source) {
      return source === '@modelcontextprotocol/server/_shims' ? path.join(dist, 'modern-shims.js') : null;
    },
  };
}

async function bundlePackage(dir) {
  const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  const dist = path.join(dir, 'dist') + path.sep;
  const out = path.join(dir, 'bundle');
  const input = entriesOf(manifest, dist);
  if (Object.keys(input).length === 0) throw new Error(`${manifest.name}: no exports target under ${BUNDLE_DIR}, nothing to bundle`);
  const inlineDependencies = PACKAGE_OPTIONS[manifest.name]?.inlineDependencies === true;

  const digest = await inputsDigest(dir, dist, manifest, inlineDependencies);
  const built = await readFile(path.join(out, STAMP), 'utf8').catch(() => undefined);
  if (built === digest) return;

  const { rolldown } = await import('rolldown');
  const warnings = [];
  const ajv = {};
  const locales = {};
  // Both only where the SDK and zod are inlined: core.
  const isLazy = PACKAGE_OPTIONS[manifest.name]?.lazyAjvAndLocales === true;
  const bundle = await rolldown({
    input,
    platform: 'node',
    cwd: dir,
    external: externalFor(inlineDependencies),
    plugins: [distWithSourceMaps(dist), ...(isLazy ? [lazyAjv(ajv), lazyZodLocales(locales), sharedShims(dist)] : []), ...(inlineDependencies ? [resolverShims()] : [])],
    onLog(level, log) {
      if (level === 'warn') warnings.push(log.message);
    },
  });
  // Written beside, then swapped in: a process loading the old bundle sees whole files of one build or the other.
  const next = `${out}.next-${process.pid}`;
  await rm(next, { recursive: true, force: true });
  await bundle.write({
    dir: next,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    // Stack traces name the TypeScript sources with `node --enable-source-maps` (the CLI turns that on with --debug).
    sourcemap: true,
  });
  await bundle.close();
  if (isLazy) {
    if (!ajv.importer) throw new Error(`${manifest.name}: the MCP SDK's validation/ajv-provider.js imported no ajv; update lazyAjv in ${fileURLToPath(import.meta.url)}`);
    if (!locales.index) throw new Error(`${manifest.name}: zod imported no locales/index.js; update lazyZodLocales in ${fileURLToPath(import.meta.url)}`);
    await writeLazyFile(rolldown, next, AJV_FILE, "import Ajv from 'ajv';\nimport addFormats from 'ajv-formats';\nexport { Ajv, addFormats };\n", ajv.importer);
    await writeLazyFile(rolldown, next, LOCALES_FILE, `export * from ${JSON.stringify(locales.index)};\n`, locales.index);
  }
  await writeFile(path.join(next, STAMP), digest);
  const old = `${out}.old-${process.pid}`;
  await rename(out, old).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(next, out);
  await rm(old, { recursive: true, force: true });
  for (const warning of warnings) process.stderr.write(`bundle ${manifest.name}: ${warning}\n`);
}

/** With no arguments: core and every plugin whose exports point into its bundle/. */
async function defaultPackages() {
  const plugins = path.join(WORKSPACE, 'plugins');
  const dirs = [path.join(WORKSPACE, 'packages/core')];
  for (const name of (await readdir(plugins)).sort()) {
    const manifest = await readFile(path.join(plugins, name, 'package.json'), 'utf8').then(JSON.parse, () => undefined);
    if (manifest && Object.keys(entriesOf(manifest, '')).length > 0) dirs.push(path.join(plugins, name));
  }
  return dirs;
}

const args = process.argv.slice(2);
const dirs = args.length > 0 ? args.map((arg) => path.resolve(arg)) : await defaultPackages();
// One after another: rolldown uses the cores it is given, and a plugin's bundle does not depend on core's.
for (const dir of dirs) await bundlePackage(dir);
