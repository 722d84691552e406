/**
 * `version` in `range`, for the range forms plugins write (`^0.1.0`, `~1.2.3`, `>=1.0.0 <2.0.0`, `1.2.3`,
 * `*`, alternatives with `||`); `undefined` for anything else, which the caller hands to the semver
 * package. Importing semver costs 15–19 ms of startup here (measured on Node 20), so the common forms do
 * without it; a comparison test against semver keeps the two in agreement.
 */
export function satisfiesSimpleRange(version: string, range: string): boolean | undefined {
  const current = parse(version);
  if (!current) return undefined;
  let result = false;
  for (const alternative of range.split('||')) {
    const comparators = alternative.trim().split(/\s+/).filter(Boolean);
    if (comparators.length === 0) return undefined;
    let all = true;
    for (const comparator of comparators) {
      const holds = check(current, comparator);
      if (holds === undefined) return undefined;
      all &&= holds;
    }
    result ||= all;
  }
  return result;
}

type Triple = [number, number, number];

function parse(text: string): Triple | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compare(a: Triple, b: Triple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function check(version: Triple, comparator: string): boolean | undefined {
  if (comparator === '*' || comparator === 'x') return true;
  const match = /^(\^|~|>=|<=|>|<|=)?(.*)$/.exec(comparator)!;
  const operator = match[1] ?? '=';
  const bound = parse(match[2]!);
  if (!bound) return undefined;
  const order = compare(version, bound);
  switch (operator) {
    case '=':
      return order === 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '~':
      return order >= 0 && compare(version, [bound[0], bound[1] + 1, 0]) < 0;
    case '^': {
      const [major, minor, patch] = bound;
      const upper: Triple = major > 0 ? [major + 1, 0, 0] : minor > 0 ? [0, minor + 1, 0] : [0, 0, patch + 1];
      return order >= 0 && compare(version, upper) < 0;
    }
  }
  return undefined;
}
