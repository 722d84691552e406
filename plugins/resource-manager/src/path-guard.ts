import { realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GlobFilter } from './glob.js';
import { MAX_NAME_BYTES, MAX_PATH_BYTES, MAX_URI_LENGTH } from './limits.js';
import { refusal, uriTooLong } from './resource-error.js';

/** A URI this source accepted: the path it names, relative to the root, not yet checked on disk. */
export interface ClaimedPath {
  /** '/'-separated, relative to the root, never empty, never with `.`/`..` segments. */
  readonly relative: string;
}

/** A claimed path after symlinks were resolved: its real location, proven inside the root. */
export interface ResolvedPath {
  readonly realPath: string;
  /** The real path relative to the real root ('/'-separated). */
  readonly relative: string;
}

/**
 * Decides which `file:` URIs belong to one directory source and refuses every way out of its root. Checks
 * run on the URI as sent (before any URL normalization hides a `..`), then on the real path after symlinks:
 *
 * 1. The raw path is split on `/` and `\` (WHATWG treats both as separators in `file:` URLs) and each
 *    segment is percent-decoded on its own, so an encoded `%2F` can never become a separator.
 * 2. The URI is this source's when its segments start with the root's, as sent or after `..` is applied.
 *    Anything else is not ours (`undefined`): another source or provider may serve it.
 * 3. Refused (a JSON-RPC error naming the reason): a host other than localhost, `.`/`..` segments, encoded
 *    separators (`%2F`, `%5C`) or NUL, over-long URIs and names, the root itself, hidden or excluded paths, and — once resolved — a real path outside
 *    the real root (a symlink escaping it) or a target that is itself hidden or excluded.
 */
export class PathGuard {
  readonly #rootSegmentSets: string[][];
  readonly #rootPrefix: string;

  constructor(
    readonly source: string,
    /** The root with symlinks resolved; URIs are built from it. */
    readonly realRoot: string,
    /** The root as configured (resolved against the config's directory); URIs under it are accepted too. */
    lexicalRoot: string,
    readonly filter: GlobFilter,
  ) {
    const segmentsOf = (root: string) => root.split('/').filter((part) => part !== '');
    this.#rootSegmentSets = [segmentsOf(realRoot)];
    if (lexicalRoot !== realRoot) this.#rootSegmentSets.push(segmentsOf(lexicalRoot));
    this.#rootPrefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
  }

  /** The `file://` URI of a path relative to the root. */
  uriOf(relative: string): string {
    return pathToFileURL(path.join(this.realRoot, relative)).href;
  }

  /** The start of every URI built for this root: `file:///…root/`. */
  get uriPrefix(): string {
    return `${pathToFileURL(this.realRoot).href.replace(/\/$/, '')}/`;
  }

  /** The URI template clients may fill in to address files not listed. */
  get uriTemplate(): string {
    return `${this.uriPrefix}{+path}`;
  }

  /** Whether `uri` is this source's (a `file:` URI under its root); cheap, no I/O, never throws. */
  owns(uri: string): boolean {
    return this.#parse(uri) !== undefined;
  }

  /** Is `uri` this source's? `undefined` if not; throws a refusal if it is but may not be served. */
  claim(uri: string): ClaimedPath | undefined {
    const parsed = this.#parse(uri);
    if (!parsed) return undefined;
    const { authority, decoded, isMalformed, root } = parsed;
    const data = { source: this.source, uri };
    if (uri.length > MAX_URI_LENGTH) throw uriTooLong(this.source, uri);
    if (authority !== '' && authority.toLowerCase() !== 'localhost') throw refusal('invalid-uri', `${uri}: a file URI must have no host (or "localhost"), got "${authority}"`, data);
    if (isMalformed) throw refusal('invalid-uri', `${uri}: malformed percent-encoding`, data);
    if (decoded.some((segment) => segment.includes('/') || segment.includes('\\') || segment.includes('\0'))) {
      throw refusal('encoded-separator', `${uri}: percent-encoded "/" or "\\" and NUL bytes are not allowed in a path`, data);
    }
    if (decoded.some((segment) => segment === '.' || segment === '..')) {
      throw refusal('traversal', `${uri}: "." and ".." segments are not allowed; address files by their path under the root of source "${this.source}"`, data);
    }
    const relative = decoded.slice(root.length).join('/');
    if (relative === '') throw refusal('not-a-file', `${uri} is the root directory of source "${this.source}", not a file`, data);
    if (decoded.some((segment) => Buffer.byteLength(segment) > MAX_NAME_BYTES) || Buffer.byteLength(path.join(this.realRoot, relative)) > MAX_PATH_BYTES) {
      throw refusal('invalid-uri', `${uri}: a file name is at most ${MAX_NAME_BYTES} bytes and a path at most ${MAX_PATH_BYTES}; no such file can exist`, data);
    }
    this.checkSelected(relative, uri);
    return { relative };
  }

  /**
   * Split a `file:` URI as sent: authority, segments split on `/` and `\` and each percent-decoded on its
   * own, and the root (as configured or as resolved) its segments start with — as sent, or after `..` is
   * applied, so a traversal attempt is still ours to refuse. `undefined` if it is not under our root.
   */
  #parse(uri: string): { authority: string; decoded: string[]; isMalformed: boolean; root: string[] } | undefined {
    if (!/^file:/i.test(uri)) return undefined;
    let rest = uri.slice(5);
    const end = rest.search(/[?#]/);
    if (end !== -1) rest = rest.slice(0, end);
    let authority = '';
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      authority = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
      rest = slash === -1 ? '' : rest.slice(slash);
    }
    const rawSegments = rest.split(/[/\\]/).filter((part) => part !== '');
    const decoded: string[] = [];
    let isMalformed = false;
    for (const raw of rawSegments) {
      try {
        decoded.push(decodeURIComponent(raw));
      } catch {
        isMalformed = true;
        decoded.push(raw);
      }
    }
    const normalized: string[] = [];
    for (const segment of decoded) {
      if (segment === '..') normalized.pop();
      else if (segment !== '.') normalized.push(segment);
    }
    const root = this.#rootSegmentSets.find((segments) => startsWith(decoded, segments)) ?? this.#rootSegmentSets.find((segments) => startsWith(normalized, segments));
    return root ? { authority, decoded, isMalformed, root } : undefined;
  }

  /** Refuse a relative path the source's include/exclude (or the hidden-file rule) leaves out. */
  checkSelected(relative: string, uri: string): void {
    if (this.filter.isSelected(relative)) return;
    const data = { source: this.source, uri };
    if (relative.split('/').some((segment) => segment.startsWith('.'))) {
      throw refusal('hidden', `${uri}: hidden files and folders are not served by source "${this.source}" unless its include names them`, data);
    }
    throw refusal('excluded', `${uri} is excluded by the include/exclude patterns of source "${this.source}"`, data);
  }

  /** Resolve symlinks and prove the real path is inside the real root and selected, too. */
  async resolve(claimed: ClaimedPath, uri: string): Promise<ResolvedPath> {
    const data = { source: this.source, uri };
    let real: string;
    try {
      real = await realpath(path.join(this.realRoot, claimed.relative));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw refusal('not-found', `${uri}: no such file in source "${this.source}"`, data);
      if (code === 'ELOOP') throw refusal('symlink-escape', `${uri}: too many levels of symbolic links`, data);
      if (code === 'ENAMETOOLONG') throw refusal('invalid-uri', `${uri}: the path is longer than the file system allows`, data);
      throw refusal('unreadable', `${uri}: cannot resolve (${code ?? 'error'})`, { ...data, errno: code });
    }
    if (!this.contains(real)) {
      throw refusal('symlink-escape', `${uri}: a symbolic link leads outside the root of source "${this.source}"`, data);
    }
    const relative = path.relative(this.realRoot, real).split(path.sep).join('/');
    if (relative !== claimed.relative) this.checkSelected(relative, uri);
    return { realPath: real, relative };
  }

  /** Whether an absolute real path is inside the real root. */
  contains(realPath: string): boolean {
    return realPath.startsWith(this.#rootPrefix) && realPath.length > this.#rootPrefix.length;
  }
}

/**
 * Whether a file or folder name can be addressed by a URI at all: not if it holds a backslash, which
 * `pathToFileURL` writes as `%5C` and a read refuses as `encoded-separator` (WHATWG parses `\\` in a `file:`
 * URL as a separator). Such names are left out of listings, so everything listed can be read.
 */
export function isAddressable(relative: string): boolean {
  return !relative.includes('\\');
}

function startsWith(segments: readonly string[], prefix: readonly string[]): boolean {
  if (segments.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (segments[i] !== prefix[i]) return false;
  return true;
}
