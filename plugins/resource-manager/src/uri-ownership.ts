import * as path from 'node:path';

/**
 * Which source a URI belongs to. Every source owns a disjoint set of URIs and serves only those, so no
 * source can shadow another's resources or claim one of the host's (issue: an HTTP index entry naming
 * `file:///etc/passwd`):
 *
 * - a directory source owns the `file:` URIs of paths under its root (as configured and as resolved);
 * - an HTTP source and a contributed source own the URIs starting with their `uriPrefix`, which is never a
 *   `file:` URI, so they can never overlap a directory source.
 *
 * Two prefixes overlap when one starts with the other; two roots when one contains the other. Either is a
 * configuration (or registration) error naming both sources.
 */

/** Why `prefix` cannot be a source's URI prefix, or `undefined` if it can. */
export function uriPrefixProblem(prefix: string): string | undefined {
  if (prefix.length === 0 || prefix.length > 1024) return 'a uriPrefix is 1–1024 characters';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(prefix)?.[1];
  if (scheme === undefined) return `uriPrefix "${prefix}" does not start with a URI scheme ("name:", e.g. "magic-api://")`;
  if (scheme !== scheme.toLowerCase()) return `uriPrefix "${prefix}": write the scheme in lower case ("${scheme.toLowerCase()}:"); schemes are case-insensitive and URIs are compared with theirs lowered`;
  if (scheme === 'file') return `uriPrefix "${prefix}": file: URIs belong to directory sources; use a scheme of your own`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(prefix)) return `uriPrefix "${prefix}" contains whitespace or a control character`;
  if (prefix.length === scheme.length + 1) return `uriPrefix "${prefix}" is a bare scheme; end it with "//" or a path ("${scheme}://") so it reads as the start of a URI`;
  return undefined;
}

/** Whether two URI prefixes could both claim one URI. */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** `uri` with its scheme lowered (schemes are case-insensitive), for comparing against a prefix. */
export function withLowerScheme(uri: string): string {
  const colon = uri.indexOf(':');
  if (colon <= 0) return uri;
  const scheme = uri.slice(0, colon);
  return scheme === scheme.toLowerCase() ? uri : scheme.toLowerCase() + uri.slice(colon);
}

/** Whether a source with `prefix` owns `uri` (its scheme compared case-insensitively). */
export function prefixOwns(prefix: string, uri: string): boolean {
  return withLowerScheme(uri).startsWith(prefix);
}

/** Whether two absolute directory roots overlap: the same, or one inside the other. */
export function rootsOverlap(a: string, b: string): boolean {
  const inside = (child: string, parent: string) => {
    const relative = path.relative(parent, child);
    return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
  };
  return inside(a, b) || inside(b, a);
}
