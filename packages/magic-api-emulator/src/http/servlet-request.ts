/**
 * What a servlet request looks like to Magic-API's controllers on Tomcat 9 / Spring Boot 2.4 (the stack
 * magic-api 2.2.2 builds against, pom.xml `spring-boot.version` 2.4.5): parameters are the query string then a
 * form body (urlencoded, or multipart fields), decoded as UTF-8; `getParameter` answers the first value; headers keep
 * the case they arrived in. These are container facts, not Magic-API code; FACTS.md lists them as such.
 */
import type { IncomingMessage } from 'node:http';

/** Tomcat's maxPostSize: a form body larger than 2 MB is not parsed into parameters. */
export const MAX_FORM_BYTES = 2 * 1024 * 1024;

/**
 * The emulator's own cap on any request body (the real server reads a save body of any size). A larger body is
 * refused with HTTP 413 and the emulator says so on stderr: protection, not an imitation.
 */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body larger than ${MAX_BODY_BYTES} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export interface ServletRequest {
  method: string;
  /** The decoded path, `//` collapsed (Tomcat normalises the URI). */
  path: string;
  rawPath: string;
  /** Parameter name → values, query string first, then form fields (request.getParameterMap order). */
  parameters: Map<string, string[]>;
  /** Header name (as received) → first value, in arrival order. */
  headers: [string, string][];
  contentType: string | undefined;
  body: Buffer;
  cookies: Map<string, string>;
  remoteAddress: string | undefined;
  incoming: IncomingMessage;
}

export function readBody(request: IncomingMessage, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onAbort = (): void => {
      request.destroy();
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        signal?.removeEventListener('abort', onAbort);
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks));
    });
    request.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
}

/** application/x-www-form-urlencoded and query strings: `+` is a space, percent escapes are UTF-8. */
function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    // Tomcat skips a parameter it cannot decode; keep the raw text rather than dropping data silently.
    return text.replace(/\+/g, ' ');
  }
}

export function parseUrlEncoded(text: string, into: Map<string, string[]>): void {
  if (text === '') return;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1));
    const list = into.get(name) ?? [];
    list.push(value);
    into.set(name, list);
  }
}

/** The text fields of a multipart/form-data body (file parts are not parameters). */
function parseMultipartFields(body: Buffer, contentType: string, into: Map<string, string[]>): void {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) return;
  const text = body.toString('latin1');
  for (const part of text.split(`--${boundary}`)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const head = part.slice(0, headerEnd);
    const disposition = /content-disposition:[^\r\n]*name="([^"]*)"(?:[^\r\n]*filename="([^"]*)")?/i.exec(head);
    if (!disposition || disposition[2] !== undefined) continue;
    let value = part.slice(headerEnd + 4);
    if (value.endsWith('\r\n')) value = value.slice(0, -2);
    const name = Buffer.from(disposition[1] as string, 'latin1').toString('utf8');
    const list = into.get(name) ?? [];
    list.push(Buffer.from(value, 'latin1').toString('utf8'));
    into.set(name, list);
  }
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

export function buildServletRequest(incoming: IncomingMessage, body: Buffer): ServletRequest {
  const rawUrl = incoming.url ?? '/';
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = rawPath;
  }
  path = path.replace(/\/+/g, '/');
  const parameters = new Map<string, string[]>();
  if (q >= 0) parseUrlEncoded(rawUrl.slice(q + 1), parameters);
  const contentType = incoming.headers['content-type'];
  const method = (incoming.method ?? 'GET').toUpperCase();
  if (method === 'POST' && contentType && body.length <= MAX_FORM_BYTES) {
    if (/^application\/x-www-form-urlencoded/i.test(contentType)) parseUrlEncoded(body.toString('utf8'), parameters);
    else if (/^multipart\/form-data/i.test(contentType)) parseMultipartFields(body, contentType, parameters);
  }
  const headers: [string, string][] = [];
  const seen = new Set<string>();
  for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
    const name = incoming.rawHeaders[i] as string;
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    headers.push([name, incoming.rawHeaders[i + 1] as string]);
  }
  return {
    method,
    path,
    rawPath,
    parameters,
    headers,
    contentType,
    body,
    cookies: parseCookies(incoming.headers.cookie),
    remoteAddress: incoming.socket.remoteAddress,
    incoming,
  };
}

/** request.getParameter(name): the first value, or null. */
export function parameter(request: ServletRequest, name: string): string | null {
  return request.parameters.get(name)?.[0] ?? null;
}

/** request.getHeader(name): the first header of that name (case-insensitive), or null. */
export function header(request: ServletRequest, name: string): string | null {
  const wanted = name.toLowerCase();
  const raw = request.incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === wanted) return raw[i + 1] as string;
  return null;
}
