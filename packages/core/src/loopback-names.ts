import { isIP } from 'node:net';

// DNS-rebinding protection rests on these: a page on evil.example can make a browser send requests to
// 127.0.0.1 under any name it controls (127.0.0.1.evil.example, localhost.evil.example), so "loopback" must be
// decided on the parsed host name, never on a prefix of the header. Names go through the WHATWG URL parser (the
// one browsers use), which lowercases, normalizes IPv6 (`[0:0:0:0:0:0:0:1]` → `[::1]`) and IPv4 (`127.1` →
// `127.0.0.1`); then only literal loopback addresses and `localhost` pass.

/** A `Host` header: a name or an IPv4 literal, or a bracketed IPv6 literal, then an optional port. Nothing else
 * (no userinfo, path, second port), so the URL parser cannot read a different host out of it. */
const HOST_HEADER = /^(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;

/** Whether `hostname` (as `URL.hostname` gives it: lowercase, IPv6 in brackets) is a loopback literal or `localhost`. */
function isLoopbackHostname(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  if (hostname.startsWith('[') && hostname.endsWith(']')) return hostname === '[::1]';
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

/** A host name parsed as a browser would, or undefined when it is not one. Trailing dots are refused: `localhost.`
 * is resolved through DNS search rules, not the hosts file. */
function parseHost(authority: string): URL | undefined {
  const name = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.split(':')[0]!;
  if (name.endsWith('.')) return undefined;
  try {
    return new URL(`http://${authority}`);
  } catch {
    return undefined;
  }
}

/**
 * The normalized host name of a `Host` header (`127.0.0.1`, `localhost`, `[::1]`, `example.com`), without the
 * port; undefined when the header is not a plain `host[:port]`.
 */
export function hostHeaderName(header: string): string | undefined {
  if (!HOST_HEADER.test(header)) return undefined;
  return parseHost(header)?.hostname;
}

/**
 * A `Host` header in the spelling the URL parser gives it (`[0:0:0:0:0:0:0:1]:80` → `[::1]:80`, `LocalHost` →
 * `localhost`); undefined when it is not a plain `host[:port]`. The SDK's request adapter answers 400 to a Host
 * that is not already canonical, so an admitted header is handed on in this form.
 */
export function canonicalHostHeader(header: string): string | undefined {
  if (!HOST_HEADER.test(header)) return undefined;
  const parsed = parseHost(header);
  return parsed && canonicalFrom(header, parsed);
}

function canonicalFrom(header: string, parsed: URL): string {
  const port = /:(\d+)$/.exec(header.slice(header.lastIndexOf(']') + 1))?.[1];
  return port === undefined ? parsed.hostname : `${parsed.hostname}:${port}`;
}

/** Whether a `Host` header names this machine's loopback interface (any port). */
export function isLoopbackHostHeader(header: string): boolean {
  const name = hostHeaderName(header);
  return name !== undefined && isLoopbackHostname(name);
}

/**
 * Verdicts by header text, for the checks every HTTP request makes: a client sends the same Host (and Origin) on
 * every request, and deciding one (a regex, the URL parser, an IP check) was a few µs of each request (issue 13).
 * The verdicts are pure functions of the text. Bounded in entries and in the length of what is kept, so a client
 * sending ever new headers only makes those requests parse theirs again.
 */
class VerdictCache<T> {
  static readonly MAX_ENTRIES = 64;
  static readonly MAX_KEY_LENGTH = 256;
  readonly #verdicts = new Map<string, T>();
  readonly #decide: (key: string) => T;

  constructor(decide: (key: string) => T) {
    this.#decide = decide;
  }

  get(key: string): T {
    const known = this.#verdicts.get(key);
    if (known !== undefined) return known;
    const verdict = this.#decide(key);
    if (this.#verdicts.size < VerdictCache.MAX_ENTRIES && key.length <= VerdictCache.MAX_KEY_LENGTH) this.#verdicts.set(key, verdict);
    return verdict;
  }
}

const loopbackHostHeaders = new VerdictCache<string | null>((header) => {
  if (!HOST_HEADER.test(header)) return null;
  const parsed = parseHost(header);
  if (!parsed || !isLoopbackHostname(parsed.hostname)) return null;
  return canonicalFrom(header, parsed);
});

/**
 * The canonical spelling (see `canonicalHostHeader`) of a `Host` header that names this machine's loopback interface
 * (any port), or undefined when it names anything else or is not a plain `host[:port]`. What an HTTP server bound
 * to loopback admits; remembered per header text.
 */
export function loopbackHostHeader(header: string): string | undefined {
  return loopbackHostHeaders.get(header) ?? undefined;
}

/** An origin as browsers serialize it: http or https, then the authority, nothing after but an optional `/`. */
const HTTP_ORIGIN = /^https?:\/\/([^/?#]*)\/?$/i;

/** Whether an `Origin` header is an http(s) origin on a loopback name (any port). `null` and opaque origins are not. */
export function isLoopbackOrigin(origin: string): boolean {
  return loopbackOrigins.get(origin);
}

const loopbackOrigins = new VerdictCache<boolean>((origin) => {
  const authority = HTTP_ORIGIN.exec(origin)?.[1];
  return authority !== undefined && isLoopbackHostHeader(authority);
});

/**
 * Whether a configured listen address (`transport.host`: `127.0.0.1`, `localhost`, `::1`, `[::1]`, …) is a
 * loopback one.
 */
export function isLoopbackHost(host: string): boolean {
  const bracketed = isIP(host) === 6 ? `[${host}]` : host;
  return isLoopbackHostHeader(bracketed);
}
