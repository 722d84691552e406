/**
 * Matching a request path against registered patterns as Spring MVC 5.3's default AntPathMatcher does (Spring
 * Boot 2.4): `{name}` (or `{name:regex}`) binds one segment, `*` matches within a segment, `**` any number of
 * segments, `?` one character; a trailing slash on the request still matches a pattern without one
 * (useTrailingSlashMatch). When several patterns match, the most specific wins (AntPatternComparator: fewer
 * variables and wildcards, then the longer pattern).
 */

export interface PatternMatch {
  pattern: string;
  variables: [string, string][];
}

interface Compiled {
  regex: RegExp;
  names: string[];
  variables: number;
  wildcards: number;
}

const cache = new Map<string, Compiled>();

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile(pattern: string): Compiled {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const names: string[] = [];
  let variables = 0;
  let wildcards = 0;
  const segments = pattern.split('/');
  let source = '';
  segments.forEach((segment, index) => {
    if (index > 0) source += '/';
    if (segment === '**') {
      wildcards += 2;
      source = source.endsWith('/') ? `${source.slice(0, -1)}(?:/.*)?` : `${source}.*`;
      return;
    }
    let part = '';
    const re = /\{([^}:]+)(?::([^}]+))?\}|\*|\?|[^{*?]+/g;
    let match: RegExpExecArray | null;
    while ((match = re.exec(segment)) !== null) {
      const token = match[0];
      if (token.startsWith('{')) {
        names.push(match[1] as string);
        variables++;
        part += match[2] ? `(${match[2]})` : '([^/]*)';
      } else if (token === '*') {
        wildcards++;
        part += '[^/]*';
      } else if (token === '?') {
        part += '[^/]';
      } else part += escape(token);
    }
    source += part;
  });
  const compiled = { regex: new RegExp(`^${source}$`), names, variables, wildcards };
  if (cache.size > 10_000) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

function matchOne(pattern: string, path: string): PatternMatch | undefined {
  const compiled = compile(pattern);
  const candidates = [path];
  if (path.length > 1 && path.endsWith('/') && !pattern.endsWith('/')) candidates.push(path.slice(0, -1));
  for (const candidate of candidates) {
    const match = compiled.regex.exec(candidate);
    if (match) return { pattern, variables: compiled.names.map((name, index) => [name, match[index + 1] ?? ''] as [string, string]) };
  }
  return undefined;
}

/** The best matching pattern for `path`, or undefined. */
export function bestMatch(patterns: Iterable<string>, path: string): PatternMatch | undefined {
  let best: { match: PatternMatch; score: [number, number, number] } | undefined;
  for (const pattern of patterns) {
    const match = matchOne(pattern, path);
    if (!match) continue;
    const compiled = compile(pattern);
    const score: [number, number, number] = [pattern === path ? 0 : 1, compiled.variables + compiled.wildcards, -pattern.length];
    if (!best || score[0] < best.score[0] || (score[0] === best.score[0] && (score[1] < best.score[1] || (score[1] === best.score[1] && score[2] < best.score[2])))) {
      best = { match, score };
    }
  }
  return best?.match;
}
