/**
 * The `magic-api://` URI scheme of the script tree's resources:
 *
 *     magic-api://<type>/<group name>/…/<group name>/<file name>
 *
 * - `<type>`: the tree's type, lower case (`api`, `function`, `task`, `datasource`, or another type a server plugin
 *   adds).
 * - then the names of the groups from the top of that type's tree down to the file's group, then the file's name —
 *   what the web editor's tree shows. Data sources sit in their type's root group (`datasource:0`, no name): that
 *   group adds no segment, so a data source is `magic-api://datasource/<name>`.
 * - Names are kept as they are, Unicode included (an IRI, readable: `magic-api://api/用户管理/用户列表`). Inside a
 *   segment these are percent-encoded as UTF-8: `%`, `/`, `?`, `#`, `[`, `]`, `~`, spaces, control and format
 *   characters, and the ASCII characters a URI may not hold (`"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`); a
 *   segment that is only dots has them all encoded (`%2E`), so no client resolves it away.
 * - A literal `~` is never part of a name (names have theirs encoded, `%7E`): `<segment>~<id>` names the file with
 *   that id, and a group without a name is the segment `~<group id>`.
 *
 * Equivalent spellings are one resource: a client may send the URI fully percent-encoded (as RFC 3986 clients
 * normalise an IRI, e.g. `magic-api://api/%E7%94%A8%E6%88%B7…`) or with `%7e`, and gets the same resource;
 * `canonicalUri` maps every spelling to the listed one. A fragment is ignored (`#metadata`).
 *
 * Collisions: the server keeps sibling group names and the file names of one group unique when they are created and
 * moved (`DefaultMagicResourceService` saveGroup/saveFile/move: 1027, 1005), but not when a file is renamed by an
 * update. When two files of one type would have the same URI, the one created first (then the smaller id) keeps it
 * and each other one gets `~<id>` after its name: `magic-api://api/订单/价格计算~5a6b7c…`. URIs therefore never
 * change because another file appeared, except for the file that caused the clash.
 *
 * Stability: a URI stays while the file's type, group chain and name stay — edits of its script, method, path or
 * lock keep it. A rename or a move (of the file, or of a group above it) changes it: the old URI stops resolving
 * (`not-found`), `notifications/resources/list_changed` goes out, and subscribers of the old URI get
 * `notifications/resources/updated` once (a read then tells them it is gone). The file's id, in every read's
 * metadata, finds it again (`resources_search` matches ids too).
 */
export const URI_SCHEME = 'magic-api';
export const URI_PREFIX = `${URI_SCHEME}://`;

/** The separator before an id in a segment; never literal in an encoded name. */
export const ID_MARK = '~';

/** Characters kept as they are in a segment (everything else is percent-encoded as UTF-8). */
function isKept(char: string): boolean {
  const code = char.codePointAt(0)!;
  if (code < 0x80) return /[A-Za-z0-9\-._!$&'()*+,;=:@]/.test(char);
  // Letters, marks, numbers, punctuation and symbols of any script; not separators, controls, format characters,
  // private use, unassigned code points or lone surrogates.
  return !/[\p{Z}\p{C}]/u.test(char);
}

/** A name with nothing to encode (most of them): checked in one pass. */
const PLAIN = /^(?:[A-Za-z0-9\-._!$&'()*+,;=:@]|[^\u0000-\u007f\p{Z}\p{C}])*$/u;

/** One name as a URI segment. */
export function encodeSegment(name: string): string {
  if (/^\.+$/.test(name)) return name.replace(/\./g, '%2E');
  if (PLAIN.test(name)) return name;
  let out = '';
  for (const char of name) {
    if (isKept(char)) {
      out += char;
    } else {
      const bytes = Buffer.from(char, 'utf8');
      for (const byte of bytes) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Decode one segment part; `undefined` for malformed percent-encoding. */
function decodePart(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** A segment in its canonical spelling: the name part decoded and re-encoded, an `~<id>` part likewise. */
function canonicalSegment(segment: string): string | undefined {
  const mark = segment.indexOf(ID_MARK);
  const namePart = mark === -1 ? segment : segment.slice(0, mark);
  const name = decodePart(namePart);
  if (name === undefined) return undefined;
  if (mark === -1) return name === '' ? undefined : encodeSegment(name);
  const id = decodePart(segment.slice(mark + 1));
  if (id === undefined || id === '') return undefined;
  return `${name === '' ? '' : encodeSegment(name)}${ID_MARK}${encodeSegment(id)}`;
}

/** The URI of a file from its type, its groups' segments joined with `/` (top first; `''` for none) and its own segment. */
export function buildUri(type: string, groupPath: string, fileSegment: string): string {
  return `${URI_PREFIX}${type}/${groupPath === '' ? '' : `${groupPath}/`}${fileSegment}`;
}

/** The segment of a group: its encoded name, or `~<id>` when it has none. */
export function groupSegment(name: string | null | undefined, id: string): string {
  return name ? encodeSegment(name) : `${ID_MARK}${encodeSegment(id)}`;
}

/** The segment of a file whose plain URI another file holds. */
export function disambiguatedSegment(name: string, id: string): string {
  return `${encodeSegment(name)}${ID_MARK}${encodeSegment(id)}`;
}

/**
 * The listed spelling of any spelling of a `magic-api://` URI, or `undefined` when it cannot be one (another scheme,
 * no type, an empty segment, malformed percent-encoding, a query). A fragment is dropped.
 */
export function canonicalUri(uri: string): string | undefined {
  if (typeof uri !== 'string' || uri.length < URI_PREFIX.length || uri.slice(0, URI_PREFIX.length).toLowerCase() !== URI_PREFIX) return undefined;
  let rest = uri.slice(URI_PREFIX.length);
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  if (rest.includes('?')) return undefined;
  const segments = rest.split('/');
  const type = segments.shift()!.toLowerCase();
  if (!/^[a-z][a-z0-9_-]*$/.test(type) || segments.length === 0) return undefined;
  const canonical: string[] = [];
  for (const segment of segments) {
    const spelled = canonicalSegment(segment);
    if (spelled === undefined) return undefined;
    canonical.push(spelled);
  }
  return `${URI_PREFIX}${type}/${canonical.join('/')}`;
}
