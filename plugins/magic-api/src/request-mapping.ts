// How Magic-API maps a request to an API file, read at v2.2.2 (paths under magic-api/src/main/java/org/ssssssss/magicapi/
// in ssssssss-team/magic-api): an API is registered with Spring MVC under `METHOD:` + its mapping key
// (`core/service/impl/RequestMagicDynamicRegistry.java` `register`), and the key is
// `replaceSlash("/" + prefix + "/" + groupPath + "/" + path)` (`core/service/impl/ApiInfoMagicResourceStorage.java`,
// `core/service/AbstractPathMagicResourceStorage.java`, `utils/PathUtils.java`). Spring matches the path as a pattern:
// `{name}` (and `{name:regex}`) take one segment, `*` one segment, `**` and `{*name}` the rest.

/** `replaceSlash`: runs of `/` become one. */
export function collapseSlashes(path: string): string {
  return path.replace(/\/+/g, '/');
}

/** The request path of an API: the server's prefix, the group path and the file's path (`ApiInfoMagicResourceStorage#buildMappingKey`). */
export function apiRequestPath(prefix: string | undefined, groupPath: string, path: string | null): string {
  return collapseSlashes(`/${prefix ?? ''}/${groupPath}/${path ?? ''}`);
}

/** The path of a function or task: its group path and its path (`AbstractPathMagicResourceStorage#buildMappingKey`). */
export function scriptPath(groupPath: string, path: string | null): string {
  return collapseSlashes(`/${groupPath}/${path ?? ''}`);
}

/** A compiled request path pattern: how specific it is decides between two that match. */
export interface PathPattern {
  readonly pattern: string;
  /** True when the pattern has no variable or wildcard: it matches only itself. */
  readonly isLiteral: boolean;
  /** Variables and wildcards in it (fewer is more specific). */
  readonly wildcards: number;
  /** Characters outside variables and wildcards (more is more specific). */
  readonly literalLength: number;
  matches(path: string): boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The `}` that closes the `{` at `open` (a `{name:regex}` may hold braces of its own: `{id:\\d{3}}`), or -1. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    if (text[index] === '{') depth++;
    else if (text[index] === '}' && --depth === 0) return index;
  }
  return -1;
}

/** One segment of a pattern as a regular expression source, and its wildcard count. */
function segmentSource(segment: string): { source: string; wildcards: number; literal: number } {
  if (segment === '*') return { source: '[^/]+', wildcards: 1, literal: 0 };
  let source = '';
  let wildcards = 0;
  let literal = 0;
  let index = 0;
  while (index < segment.length) {
    const open = segment.indexOf('{', index);
    if (open === -1) {
      source += escapeRegExp(segment.slice(index));
      literal += segment.length - index;
      break;
    }
    const close = closingBrace(segment, open);
    if (close === -1) {
      source += escapeRegExp(segment.slice(index));
      literal += segment.length - index;
      break;
    }
    source += escapeRegExp(segment.slice(index, open));
    literal += open - index;
    const variable = segment.slice(open + 1, close);
    const colon = variable.indexOf(':');
    // `{name:regex}` narrows what the segment takes; a regex that does not compile takes anything.
    let inner = '[^/]+';
    if (colon !== -1) {
      const candidate = variable.slice(colon + 1);
      try {
        new RegExp(candidate);
        inner = `(?:${candidate})`;
      } catch {
        inner = '[^/]+';
      }
    }
    source += inner;
    wildcards++;
    index = close + 1;
  }
  return { source, wildcards, literal };
}

/** Compile a mapping path (`/user/{id}`, `/files/**`) into a matcher. */
export function compilePathPattern(pattern: string): PathPattern {
  if (!/[{*]/.test(pattern)) {
    return { pattern, isLiteral: true, wildcards: 0, literalLength: pattern.length, matches: (path) => path === pattern };
  }
  const segments = pattern.split('/');
  let source = '';
  let wildcards = 0;
  let literalLength = 0;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    if (index > 0) source += '/';
    const isLast = index === segments.length - 1;
    if (isLast && (segment === '**' || /^\{\*[^}]*\}$/.test(segment))) {
      // The rest of the path, possibly nothing (`/files/**` matches `/files` too): drop the slash just added.
      source = `${source.slice(0, -1)}(?:/.*)?`;
      wildcards++;
      continue;
    }
    const part = segmentSource(segment);
    source += part.source;
    wildcards += part.wildcards;
    literalLength += part.literal;
  }
  let regex: RegExp;
  try {
    regex = new RegExp(`^${source}$`);
  } catch {
    return { pattern, isLiteral: true, wildcards: 0, literalLength: pattern.length, matches: (path) => path === pattern };
  }
  return { pattern, isLiteral: false, wildcards, literalLength, matches: (path) => regex.test(path) };
}

/** Of the patterns that match, the most specific: fewest wildcards, then most literal characters. */
export function moreSpecific(a: PathPattern, b: PathPattern): PathPattern {
  if (a.wildcards !== b.wildcards) return a.wildcards < b.wildcards ? a : b;
  return a.literalLength >= b.literalLength ? a : b;
}
