import { onTestFailed } from 'vitest';

/** A seeded PRNG (mulberry32): the same seed gives the same run. */
export interface Random {
  readonly seed: number;
  /** [0, 1) */
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { seed, next, int, pick: (items) => items[int(0, items.length - 1)]!, chance: (p) => next() < p };
}

/**
 * The fuzzer's seed: `FUZZ_SEED` (as for every fuzzer of the repo) to replay a run, else a fresh one. Printed when the test fails, so
 * any failure can be replayed with `FUZZ_SEED=<seed> pnpm vitest run <file>`.
 */
export function fuzzSeed(name: string): Random {
  const given = process.env['FUZZ_SEED'];
  const seed = given !== undefined ? Number(given) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
  onTestFailed(() => void process.stderr.write(`${name}: failed with seed ${seed} — replay with FUZZ_SEED=${seed}\n`));
  return seededRandom(seed);
}

/** A random string of printable and awkward characters (quotes, backslashes, control bytes, non-ASCII). */
export function randomText(random: Random, maxLength: number): string {
  const alphabet = ['a', 'Z', '0', ' ', '"', '\\', '{', '}', '[', ']', ':', ',', '\t', '\u0000', '\u001f', 'é', '☃', '\ud83d\ude00', '\ud800', '/', '%', '\r'];
  let text = '';
  const length = random.int(0, maxLength);
  for (let i = 0; i < length; i++) text += random.pick(alphabet);
  return text;
}
