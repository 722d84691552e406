// A seeded, bounded fuzzer of resources/read and resources/subscribe URIs against a directory source whose
// tree has symlinks (inside and escaping), hidden files and folders, and excluded files. Each file holds a
// marker saying whether it may be served; the invariants are checked on what the real client receives.
//
//   FUZZ_SEED=1234 pnpm vitest run test/uri-fuzz.test.ts     reproduces a run (the seed is printed on failure)
//   FUZZ_COUNT=20000 FUZZ_MS=60000 …                          a longer run
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, onTestFailed, test } from 'vitest';
import { RESOURCE_NOT_FOUND_CODE } from '@mcp-host/core';
import { REFUSAL_REASONS } from '../src/index.js';
import { startHost, tempTree } from './support.js';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const COUNT = Number(process.env.FUZZ_COUNT ?? 1500);
const BUDGET_MS = Number(process.env.FUZZ_MS ?? 8000);

/** mulberry32: small, seeded, good enough to pick mutations. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Contents of the files that may be served, and markers of those that never may. */
const SERVED = {
  'ok.md': 'SERVED ok', 'sub/b.txt': 'SERVED b', 'sub/ünï cödé.md': 'SERVED unicode', 'sub/deep/c.md': 'SERVED c',
  // Odd names: each must be listed under a URI that reads back.
  '100%.md': 'SERVED percent', 'odd%5Cname.md': 'SERVED literal %5C', 'sp ace#?.md': 'SERVED space hash query', 'new\nline.md': 'SERVED newline',
  '-dash.md': 'SERVED dash', 'colon:x.md': 'SERVED colon', 'dots...md': 'SERVED dots',
};
const NEVER = 'NEVER-SERVED';

async function fuzzTree() {
  const parent = await tempTree({
    ...Object.fromEntries(Object.entries(SERVED).map(([name, text]) => [`root/${name}`, text])),
    'root/.env': `${NEVER} hidden file`,
    'root/.git/config': `${NEVER} hidden folder`,
    'root/sub/.draft.md': `${NEVER} hidden nested`,
    'root/node_modules/x.js': `${NEVER} excluded folder`,
    'root/debug.log': `${NEVER} excluded file`,
    // A backslash can only be addressed as %5C, which is refused: never listed, never served.
    'root/back\\slash.md': `${NEVER} backslash in a name`,
    'root/..dots.md': `${NEVER} hidden (starts with a dot)`,
    'outside/secret.txt': `${NEVER} outside the root`,
    'root-sibling/secret.txt': `${NEVER} sibling sharing the root's name as a prefix`,
  });
  const root = path.join(parent, 'root');
  await symlink(path.join(root, 'ok.md'), path.join(root, 'link-in.md'));
  await symlink(path.join(parent, 'outside/secret.txt'), path.join(root, 'link-out.md'));
  await symlink(path.join(parent, 'outside'), path.join(root, 'dir-out'), 'dir');
  await symlink(root, path.join(root, 'sub/up'), 'dir');
  await symlink(path.join(root, '.env'), path.join(root, 'peek.md'));
  await symlink(path.join(root, 'loop-a'), path.join(root, 'loop-b'));
  await symlink(path.join(root, 'loop-b'), path.join(root, 'loop-a'));
  await mkdir(path.join(root, 'empty-dir'));
  return { parent, root, real: realpathSync(root), realParent: realpathSync(parent) };
}

const TARGETS = [
  'ok.md', 'sub/b.txt', 'sub/ünï cödé.md', 'sub/deep/c.md', '.env', '.git/config', 'sub/.draft.md', 'node_modules/x.js', 'debug.log',
  'link-in.md', 'link-out.md', 'dir-out/secret.txt', 'sub/up/ok.md', 'sub/up/.env', 'sub/up/sub/up/link-out.md', 'peek.md', 'loop-a',
  '100%25.md', 'odd%255Cname.md', 'sp%20ace%23%3F.md', 'new%0Aline.md', '-dash.md', 'colon:x.md', 'dots...md', 'back%5Cslash.md', 'back\\slash.md', '..dots.md',
  'empty-dir', 'sub', '', 'missing.md', '../outside/secret.txt', '../root-sibling/secret.txt', '../../../../etc/passwd',
];
const DOTS = ['.', '..', '%2e', '%2E', '%2e%2e', '.%2e', '%2E.', '．', '..%00', '...'];
const SEPARATORS = ['/', '\\', '%2f', '%2F', '%5c', '%5C', '//', '/./', '%00', '\0', '∕', '／'];
const JUNK = ['%', '%G1', '%E0%A4', '%C0%AF', '%EF%BC%8F', '?x=1', '#frag', '%3F', ';', ' ', '\n', '\u202e', 'é', 'e\u0301', '😀', '\ud800'];
const HOSTS = ['', 'localhost', 'LOCALHOST', 'evil.example', '127.0.0.1', 'localhost:80', '%6cocalhost'];

function fuzzUri(next: () => number, bases: readonly string[]): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const roll = next();
  if (roll < 0.02) return '';
  if (roll < 0.04) return Array.from({ length: Math.floor(next() * 64) }, () => String.fromCharCode(Math.floor(next() * 0x3000))).join('');
  let segments = pick(TARGETS).split('/');
  const mutations = 1 + Math.floor(next() * 4);
  for (let i = 0; i < mutations; i++) {
    const at = Math.floor(next() * (segments.length + 1));
    switch (Math.floor(next() * 7)) {
      case 0:
        segments.splice(at, 0, pick(DOTS));
        break;
      case 1:
        segments = [segments.slice(0, at).join('/'), segments.slice(at).join('/')].filter(Boolean).join(pick(SEPARATORS)).split('/');
        break;
      case 2: {
        // Percent-encode one character of a segment (letters too: %6Fk.md is ok.md).
        const index = Math.min(at, segments.length - 1);
        const segment = segments[index] ?? '';
        if (segment.length > 0) {
          const position = Math.floor(next() * segment.length);
          const encoded = [...Buffer.from(segment[position]!, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
          segments[index] = segment.slice(0, position) + encoded + segment.slice(position + 1);
        }
        break;
      }
      case 3:
        segments.splice(at, 0, pick(JUNK));
        break;
      case 4:
        segments[Math.min(at, segments.length - 1)] += pick(JUNK);
        break;
      case 5:
        // Huge: a long name, or many segments.
        segments.splice(at, 0, next() < 0.5 ? 'a'.repeat(200 + Math.floor(next() * 120_000)) : Array.from({ length: 50 + Math.floor(next() * 3000) }, () => 'd').join('/'));
        break;
      default:
        segments = segments.map((segment) => (next() < 0.5 ? segment.toUpperCase() : segment));
    }
  }
  let base = pick(bases);
  if (next() < 0.15) base = base.replace(/^file:\/\//, `file://${pick(HOSTS)}`);
  if (next() < 0.05) base = base.replace(/^file:/, pick(['FILE:', 'File:', 'file:/', 'file:///']));
  return `${base}/${segments.join('/')}`;
}

test(`URI fuzzer (seed ${SEED}): nothing outside the root, hidden or excluded is served; every answer is a result or a refusal with a reason`, async () => {
  onTestFailed(() => void process.stderr.write(`uri-fuzz: reproduce with FUZZ_SEED=${SEED}\n`));
  const { parent, root, real, realParent } = await fuzzTree();
  const { client, host, listAll, shutdown, assertNoLeaks } = await startHost({
    sources: [{ name: 'docs', type: 'directory', path: root, exclude: ['**/node_modules/**', '**/*.log'], maxFileBytes: 1024 }],
  });
  // What is listed is exactly what may be served, and every listed URI reads back its own file.
  const servedTexts = new Set(Object.values(SERVED));
  const listed = (await listAll()).resources;
  expect(listed.map((resource) => resource.name).sort()).toEqual(Object.keys(SERVED).sort());
  for (const resource of listed) {
    const contents = (await client.readResource({ uri: resource.uri })).contents[0] as { text?: string };
    expect({ name: resource.name, text: contents.text }).toEqual({ name: resource.name, text: SERVED[resource.name as keyof typeof SERVED] });
  }
  const bases = [pathToFileURL(real).href, pathToFileURL(root).href, pathToFileURL(realParent).href, pathToFileURL(parent).href, 'file://', 'file:///tmp', 'magic://x'];
  const next = random(SEED);
  const reasons = new Map<string, number>();
  const rssBefore = process.memoryUsage().rss;
  const startedAt = Date.now();
  let sent = 0;
  let served = 0;
  for (; sent < COUNT && Date.now() - startedAt < BUDGET_MS; sent++) {
    const uri = fuzzUri(next, bases);
    const isSubscribe = next() < 0.1;
    const shown = JSON.stringify(uri.length > 300 ? `${uri.slice(0, 300)}…(${uri.length})` : uri);
    const outcome = await (isSubscribe ? client.subscribeResource({ uri }, { timeout: 5000 }) : client.readResource({ uri }, { timeout: 5000 })).then(
      (result) => ({ result }),
      (error: unknown) => ({ error: error as { code?: unknown; message?: string; data?: { reason?: unknown } } }),
    );
    if ('result' in outcome) {
      if (isSubscribe) {
        await client.unsubscribeResource({ uri });
        continue;
      }
      const contents = (outcome.result as { contents: { text?: string; blob?: string }[] }).contents;
      const text = contents[0]?.text ?? Buffer.from(contents[0]?.blob ?? '', 'base64').toString('utf8');
      // Served means one of the files that may be served, never a marked one.
      expect({ uri: shown, text, isServable: servedTexts.has(text) }).toEqual({ uri: shown, text, isServable: true });
      served++;
      continue;
    }
    const { error } = outcome;
    // Always a JSON-RPC error: a code, and either the host's "no provider has it" or one of our reasons.
    expect({ uri: shown, code: typeof error.code }).toEqual({ uri: shown, code: 'number' });
    const reason = error.data?.reason;
    if (reason === undefined) {
      expect({ uri: shown, code: error.code }).toEqual({ uri: shown, code: RESOURCE_NOT_FOUND_CODE });
    } else {
      expect({ uri: shown, reason: Object.hasOwn(REFUSAL_REASONS, reason as string) }).toEqual({ uri: shown, reason: true });
      // Everything in this tree is readable: "unreadable" (or an internal error) would be a wrong answer.
      expect({ uri: shown, reason }).not.toEqual({ uri: shown, reason: 'unreadable' });
    }
    expect(error.message ?? '').not.toContain(NEVER);
    reasons.set(String(reason ?? error.code), (reasons.get(String(reason ?? error.code)) ?? 0) + 1);
  }
  // The run did something: enough requests, some served and a spread of refusals (else the generator is broken).
  expect(sent).toBeGreaterThanOrEqual(Math.min(COUNT, 200));
  expect(served).toBeGreaterThan(0);
  expect(reasons.size).toBeGreaterThanOrEqual(5);
  // Bounded memory: the run holds nothing per request.
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  // Still serving, and the shutdown is clean.
  expect(host.state).toBe('running');
  expect((await client.readResource({ uri: pathToFileURL(path.join(real, 'ok.md')).href })).contents[0]).toMatchObject({ text: 'SERVED ok' });
  const report = await shutdown();
  expect(report.exitCode).toBe(0);
  expect(report.taps.every((tap) => tap.outcome === 'ok')).toBe(true);
  await assertNoLeaks(2000);
});
