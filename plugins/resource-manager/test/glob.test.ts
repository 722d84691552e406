import { expect, test } from 'vitest';
import { GlobFilter, GlobPattern, expandBraces } from '../src/glob.js';

const matching = (pattern: string, paths: string[], dot = false) => paths.filter((candidate) => new GlobPattern(pattern, { dot }).matches(candidate));

const PATHS = ['a.md', 'b.txt', 'docs/a.md', 'docs/deep/c.md', 'docs/deep/d.txt', '.env', '.github/workflows/ci.yml', 'docs/.hidden/e.md', 'node_modules/x/index.js', 'src/node_modules/y.js'];

test('** and * match across and within segments, but never hidden segments unless named', () => {
  expect(matching('**/*', PATHS)).toEqual(['a.md', 'b.txt', 'docs/a.md', 'docs/deep/c.md', 'docs/deep/d.txt', 'node_modules/x/index.js', 'src/node_modules/y.js']);
  expect(matching('**', PATHS)).toEqual(matching('**/*', PATHS));
  expect(matching('*.md', PATHS)).toEqual(['a.md']);
  expect(matching('**/*.md', PATHS)).toEqual(['a.md', 'docs/a.md', 'docs/deep/c.md']);
  expect(matching('docs/**', PATHS)).toEqual(['docs/a.md', 'docs/deep/c.md', 'docs/deep/d.txt']);
  // Everything under docs, not a file named docs (as minimatch); as a directory, docs is descended into.
  expect(new GlobPattern('docs/**').matches('docs')).toBe(false);
  expect(new GlobPattern('.github/**').matches('.github')).toBe(false);
  expect(new GlobPattern('docs/**').couldMatchUnder('docs')).toBe(true);
  expect(new GlobFilter(['**/*'], ['docs/**']).shouldDescend('docs')).toBe(false);
  expect(matching('docs/*/*.txt', PATHS)).toEqual(['docs/deep/d.txt']);
  // Named hidden segments are matched.
  expect(matching('.github/**', PATHS)).toEqual(['.github/workflows/ci.yml']);
  expect(matching('**/.env', PATHS)).toEqual(['.env']);
  expect(matching('.*', PATHS)).toEqual(['.env']);
  expect(matching('docs/.hidden/*', PATHS)).toEqual(['docs/.hidden/e.md']);
  // With dot: true (excludes), wildcards see hidden segments too.
  expect(matching('**/*.md', PATHS, true)).toEqual(['a.md', 'docs/a.md', 'docs/deep/c.md', 'docs/.hidden/e.md']);
});

test('?, classes, braces and escapes', () => {
  expect(matching('?.md', PATHS)).toEqual(['a.md']);
  expect(matching('[ab].*', PATHS)).toEqual(['a.md', 'b.txt']);
  expect(matching('[!a].*', PATHS)).toEqual(['b.txt']);
  expect(matching('[a-b].txt', PATHS)).toEqual(['b.txt']);
  expect(matching('**/*.{md,yml}', PATHS)).toEqual(['a.md', 'docs/a.md', 'docs/deep/c.md']);
  expect(matching('{docs,src}/**/*.{txt,js}', PATHS)).toEqual(['docs/deep/d.txt', 'src/node_modules/y.js']);
  expect(new GlobPattern('a\\*b').matches('a*b')).toBe(true);
  expect(new GlobPattern('a\\*b').matches('axb')).toBe(false);
  expect(new GlobPattern('file (1).txt').matches('file (1).txt')).toBe(true);
  expect(new GlobPattern('ünï cödé/*').matches('ünï cödé/x')).toBe(true);
  expect(expandBraces('a{b,c{d,e}}f')).toEqual(['abf', 'acdf', 'acef']);
  expect(expandBraces('{only}')).toEqual(['{only}']);
  expect(() => new GlobPattern('{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}')).toThrow(/more than 256/);
  // Many `**` against a deep path that does not match: memoized, not exponential (it returns at all).
  const deep = `${Array.from({ length: 60 }, () => 'a').join('/')}/b`;
  expect(new GlobPattern('**/a/**/a/**/a/**/a/**/c').matches(deep)).toBe(false);
  expect(new GlobPattern('**/a/**/a/**/b').matches(deep)).toBe(true);
});

test('a filter prunes directories nothing below could match, and whole excluded subtrees', () => {
  const filter = new GlobFilter(['**/*'], ['**/node_modules/**']);
  expect(PATHS.filter((candidate) => filter.isSelected(candidate))).toEqual(['a.md', 'b.txt', 'docs/a.md', 'docs/deep/c.md', 'docs/deep/d.txt']);
  expect(filter.shouldDescend('docs')).toBe(true);
  expect(filter.shouldDescend('node_modules')).toBe(false);
  expect(filter.shouldDescend('src/node_modules')).toBe(false);
  expect(filter.shouldDescend('.git')).toBe(false);

  const docsOnly = new GlobFilter(['docs/*.md', '.github/**'], []);
  expect(docsOnly.shouldDescend('docs')).toBe(true);
  expect(docsOnly.shouldDescend('docs/deep')).toBe(false);
  expect(docsOnly.shouldDescend('src')).toBe(false);
  expect(docsOnly.shouldDescend('.github')).toBe(true);
  expect(docsOnly.shouldDescend('.github/workflows')).toBe(true);
  expect(docsOnly.shouldDescend('.git')).toBe(false);
  // Excludes see into included hidden folders.
  const withLogs = new GlobFilter(['**/*', '.github/**'], ['**/*.log']);
  expect(withLogs.isSelected('.github/run.log')).toBe(false);
  expect(withLogs.isSelected('.github/ci.yml')).toBe(true);
});
