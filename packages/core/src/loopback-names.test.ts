import { expect, test } from 'vitest';
import { canonicalHostHeader, isLoopbackHostHeader, isLoopbackOrigin, loopbackHostHeader } from './loopback-names.js';

// The per-request checks remember their verdicts by header text (issue 13). Remembered or not, a verdict must be the
// one the uncached functions give — for the first sight of a header, the second, and for headers past the cache's
// bound (which are decided every time).
const HOSTS = [
  '127.0.0.1',
  '127.0.0.1:8080',
  '127.1:80',
  'LocalHost:3000',
  'localhost',
  '[::1]:9',
  '[0:0:0:0:0:0:0:1]:80',
  '127.0.0.1.evil.example',
  'localhost.evil.example:80',
  'localhost.',
  'evil@127.0.0.1',
  '127.0.0.1/x',
  '127.0.0.1:80:1',
  '[::ffff:7f00:1]',
  '0.0.0.0',
  'x'.repeat(300),
  ...Array.from({ length: 100 }, (_, i) => `127.0.0.${i % 256}:${1000 + i}`),
  ...Array.from({ length: 20 }, (_, i) => `host-${i}.example:80`),
];

test('loopbackHostHeader gives the canonical Host of a loopback name and nothing for any other, every time', () => {
  const expected = (header: string) => (isLoopbackHostHeader(header) ? canonicalHostHeader(header) : undefined);
  for (let round = 0; round < 2; round++) {
    for (const header of HOSTS) expect(loopbackHostHeader(header), `${header} (round ${round + 1})`).toBe(expected(header));
  }
  expect(loopbackHostHeader('[0:0:0:0:0:0:0:1]:80')).toBe('[::1]:80');
  expect(loopbackHostHeader('127.0.0.1.evil.example')).toBeUndefined();
});

test('isLoopbackOrigin keeps its verdicts when asked again', () => {
  const origins = ['http://localhost:3000', 'https://127.0.0.1', 'http://127.0.0.1.evil.example', 'null', 'http://evil.example', 'file://', 'http://[::1]:8/'];
  const first = origins.map((origin) => isLoopbackOrigin(origin));
  expect(first).toEqual([true, true, false, false, false, false, true]);
  for (let i = 0; i < 100; i++) isLoopbackOrigin(`http://h${i}.example`);
  expect(origins.map((origin) => isLoopbackOrigin(origin))).toEqual(first);
});
