import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IMPORTS_NO_CORE, rewriteSpecifiers } from './core-rewrite.js';

const TARGETS = { '@mcp-host/core': 'file:///host/core/index.js', '@mcp-host/core/client': 'file:///host/core/client.js' };

describe('rewriteSpecifiers (core-less plugins on Node 20)', () => {
  let dir: string;
  let url: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcp-host-rewrite-'));
    await writeFile(path.join(dir, 'helper.mjs'), 'export const x = 1;\n');
    await writeFile(path.join(dir, "it's.mjs"), 'export const y = 2;\n');
    await mkdir(path.join(dir, 'node_modules/dep'), { recursive: true });
    await writeFile(path.join(dir, 'node_modules/dep/package.json'), JSON.stringify({ name: 'dep', type: 'module', exports: { '.': { import: './esm.js', require: './cjs.cjs' } } }));
    await writeFile(path.join(dir, 'node_modules/dep/esm.js'), 'export default 1;\n');
    url = pathToFileURL(path.join(dir, 'plugin.mjs')).href;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('core to the host, paths and packages to the URLs Node resolves them to, builtins as they are; lines unchanged', async () => {
    const source = [
      "import { definePlugin } from '@mcp-host/core';",
      "import { x } from './helper.mjs';",
      "import dep from 'dep';",
      "import { readFile } from 'node:fs';",
      "import path from 'path';",
      "export * from \"./helper.mjs\";",
      "const client = await import('@mcp-host/core/client');",
      "// import nothing from 'not-an-import-in-a-comment';",
      "const text = \"import x from 'nor-in-a-string'\";",
    ].join('\n');
    const out = await rewriteSpecifiers(source, url, TARGETS);
    const helper = pathToFileURL(path.join(dir, 'helper.mjs')).href;
    expect(typeof out === 'string' && out.split('\n')).toEqual([
      'import { definePlugin } from "file:///host/core/index.js";',
      `import { x } from "${helper}";`,
      `import dep from "${pathToFileURL(path.join(dir, 'node_modules/dep/esm.js')).href}";`,
      'import { readFile } from "node:fs";',
      'import path from "path";',
      `export * from "${helper}";`,
      // A dynamic import's specifier is rewritten with its quotes.
      `const client = await import("file:///host/core/client.js");`,
      "// import nothing from 'not-an-import-in-a-comment';",
      "const text = \"import x from 'nor-in-a-string'\";",
    ]);
  });

  test("a quote in a resolved URL cannot end the specifier's string, and the URL stays the one Node resolves", async () => {
    const out = await rewriteSpecifiers("import '@mcp-host/core'; import { y } from \"./it's.mjs\";", url, TARGETS);
    expect(out).toBe(`import "file:///host/core/index.js"; import { y } from ${JSON.stringify(pathToFileURL(path.join(dir, "it's.mjs")).href)};`);
  });

  const CORE_IMPORT = "import { definePlugin } from '@mcp-host/core';\n";
  test.each([
    ['reads import.meta (its url would change)', `${CORE_IMPORT}export const where = import.meta.url;`],
    ['imports a computed specifier', `${CORE_IMPORT}const name = 'x'; await import('./' + name);`],
    ['imports a file that is not there (Node reports it, through the hook)', `${CORE_IMPORT}import './missing.mjs';`],
    ['imports a package that does not resolve', `${CORE_IMPORT}import 'no-such-package';`],
    ['is not JavaScript the lexer reads', "import { from '@mcp-host/core'"],
  ])('leaves a file that imports core and %s to the hook (undefined)', async (_, source) => {
    expect(await rewriteSpecifiers(source, url, TARGETS)).toBeUndefined();
  });

  test('a file that imports nothing of core itself (naming it only in a comment) is left as it is, whatever else it does', async () => {
    const source = "// built on '@mcp-host/core'\nexport const where = import.meta.url;\nawait import('./' + 'x');\n";
    expect(await rewriteSpecifiers(source, url, TARGETS)).toBe(IMPORTS_NO_CORE);
  });
});
