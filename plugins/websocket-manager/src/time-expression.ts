const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A point in time as a tool caller writes it: ms since the epoch (a number, or digits), an ISO 8601 date
 * (`2025-06-01T12:00:00Z`), or a time relative to now (`-30s`, `-5m`, `-1h`, `-250ms`). Returns ms since the
 * epoch, or `undefined` if `value` is none of these.
 */
export function parseTimeExpression(value: string | number, now = Date.now()): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const relative = /^-(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(text);
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]!]!;
  // Only strings that look like dates: Date.parse accepts oddities such as "1".
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}
