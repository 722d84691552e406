// Our glob matcher against minimatch, the matcher most JavaScript tools use, on a corpus of patterns and paths
// (as packages/core's version-range is checked against semver): they agree except where listed below, and
// each listed difference is deliberate and documented in src/glob.ts.
import { Minimatch } from 'minimatch';
import { expect, test } from 'vitest';
import { GlobPattern } from '../src/glob.js';

const PATTERNS = [
  '**', '**/*', '*', '*.md', '**/*.md', '?.md', '**/?', 'a/**', 'a/**/b', 'a/**/**/b', '**/a/**', 'a/*', 'a/*/c', '*/**',
  '.github/**', '**/.env', '.*', '**/.*', '.*/**', 'a/.b/*', '**/[.]env', '**/[.]*', '[.]env',
  '[ab].*', '[!a].*', '[a-c]/*', '[^a]*', '**/[!.]*', '{a,b}/*', '{a,.b}/**', '**/*.{md,txt}', 'a{,/b}', 'a\\*b', '**/node_modules/**',
  'file (1).txt', 'ünï/*', 'a/b/c/d', '**/d',
];
const PATHS = [
  'a', 'b', 'c', '.env', '.b', 'a.md', '.a.md', 'b.txt', 'x.md',
  'a/b', 'a/c', 'a/.b', 'a/b/c', 'a/b/c/d', 'a/x/b', 'a/.x/b', 'a/.b/c', 'a/.env', 'b/x', 'c/x', '.b/x', '.b/y/z',
  '.github', '.github/ci.yml', '.github/.y', '.git/config', 'node_modules/x/index.js', 'src/node_modules/y.js',
  'docs/a.md', 'docs/.hidden/e.md', 'a*b', 'axb', 'file (1).txt', 'ünï/x', 'd', 'x/d', '.x/d',
];

/**
 * Where we differ from minimatch 10 (`dot: false`, the include side), on purpose:
 * a class cannot name a hidden segment. `[.]env` does not match `.env`: a leading dot must be written as a
 * literal `.` (the POSIX shell rule, and the one our README states: a pattern names hidden files by starting a
 * segment with `.`); minimatch treats a class containing `.` as naming it.
 */
const DELIBERATE = new Set([
  '**/[.]env .env', '**/[.]env a/.env', '**/[.]* .env', '**/[.]* .b', '**/[.]* a/.b', '**/[.]* a/.env', '**/[.]* .github', '[.]env .env',
  '**/[.]* .a.md',
]);

test('our matcher agrees with minimatch on the corpus, apart from the documented differences', () => {
  const differences: string[] = [];
  for (const pattern of PATTERNS) {
    const ours = new GlobPattern(pattern);
    const theirs = new Minimatch(pattern, { dot: false });
    for (const candidate of PATHS) {
      if (ours.matches(candidate) !== theirs.match(candidate)) differences.push(`${pattern} ${candidate}`);
    }
  }
  expect(differences.filter((difference) => !DELIBERATE.has(difference))).toEqual([]);
  // Every listed difference is still one (the list cannot go stale silently).
  expect([...DELIBERATE].filter((difference) => !differences.includes(difference))).toEqual([]);
});

test('excludes (dot: true) agree with minimatch everywhere', () => {
  const differences: string[] = [];
  for (const pattern of PATTERNS) {
    const ours = new GlobPattern(pattern, { dot: true });
    const theirs = new Minimatch(pattern, { dot: true });
    for (const candidate of PATHS) if (ours.matches(candidate) !== theirs.match(candidate)) differences.push(`${pattern} ${candidate}`);
  }
  expect(differences).toEqual([]);
});

test('"could anything below this directory match" prunes only what minimatch says cannot match, and descends only where it may', () => {
  const directories = ['a', 'b', 'c', 'a/b', 'a/.b', 'a/x', 'a/.x', '.github', '.git', '.b', '.b/y', 'docs', 'docs/.hidden', 'node_modules', 'node_modules/x', 'src', 'src/node_modules', 'x', '.x', 'a/b/c', 'ünï'];
  const problems: string[] = [];
  for (const pattern of PATTERNS) {
    if (pattern.includes('[.]')) continue; // the class difference above
    const ours = new GlobPattern(pattern);
    const full = new Minimatch(pattern, { dot: false });
    const partial = new Minimatch(pattern, { dot: false, partial: true });
    for (const directory of directories) {
      if (ours.couldMatchUnder(directory)) {
        // We descend: minimatch must agree the directory is a possible prefix of a match.
        if (!partial.match(directory)) problems.push(`${pattern}: we descend into ${directory}, minimatch rules it out`);
      } else {
        // We prune: nothing below it may be a match for minimatch either (a pruned match would be lost).
        for (const candidate of PATHS) if (candidate.startsWith(`${directory}/`) && full.match(candidate)) problems.push(`${pattern}: we prune ${directory}, but minimatch matches ${candidate}`);
      }
    }
  }
  expect(problems).toEqual([]);
});
