import { randomBytes } from 'node:crypto';
import type { DecodedMessage } from '../message-buffer.js';
import { decodeBinary, encodeOutgoing, type Protocol, type ProtocolLink } from './protocol.js';

/** Credentials the Magic-API console understands. */
export interface MagicApiAuth {
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * Message types of the Magic-API console socket (`/magic/web/console`). On the wire a message is
 * `type[,value…]` with the type in lower case; the last value is JSON when it is not a plain string.
 */
export const MAGIC_API_TYPES = [
  // server → client
  'LOG',
  'LOGS',
  'BREAKPOINT',
  'EXCEPTION',
  'LOGIN_RESPONSE',
  'USER_LOGIN',
  'USER_LOGOUT',
  'ONLINE_USERS',
  'INTO_FILE_ID',
  'PING',
  // client → server (echoed between instances of a cluster)
  'SET_BREAKPOINT',
  'RESUME_BREAKPOINT',
  'LOGIN',
  'SET_FILE_ID',
  'PONG',
  'SEND_ONLINE',
] as const;
export type MagicApiType = (typeof MAGIC_API_TYPES)[number];

const KNOWN = new Set<string>(MAGIC_API_TYPES);
const PING = Buffer.from('ping');
const PONG = Buffer.from('pong');

/** What the console answers to a login it refused, and what a login as nobody looks like. */
const ANONYMOUS = 'unauthorization';

/** A console client id: 16 lowercase hex characters, as the Magic-API editor makes them. */
export function createClientId(): string {
  return randomBytes(8).toString('hex');
}

/** A value as Magic-API writes it: JSON for objects and arrays, the text itself otherwise. */
function parseValue(text: string): unknown {
  const first = text.charCodeAt(0);
  // '[' or '{': only then is it JSON; a log line that merely looks numeric stays a string.
  if (first === 0x5b || first === 0x7b) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Split `text` at its first comma. */
function splitFirst(text: string): [string, string | undefined] {
  const comma = text.indexOf(',');
  return comma === -1 ? [text, undefined] : [text.slice(0, comma), text.slice(comma + 1)];
}

/**
 * Decode one console message into `{ type, data }`, `data` being the payload:
 * - `log,…` / `logs,[…]` / `exception,…` / `online_users,[…]` …: the payload, parsed when it is JSON;
 * - `login_response,1,{user}` → `{ status: 1, user }` (status 1 ok, 0 refused, -1 client id in use);
 * - `breakpoint,<scriptId>,{…}` → `{ scriptId, ...detail }` (`detail` when it is not an object);
 * - a type it does not know → `UNKNOWN`, with the whole text in `raw`.
 */
export function parseMagicApiMessage(text: string): DecodedMessage {
  const [head, payload] = splitFirst(text);
  const type = head.toUpperCase();
  if (!KNOWN.has(type)) return { type: 'UNKNOWN', data: undefined, raw: text };
  if (payload === undefined) return { type, data: undefined };
  switch (type as MagicApiType) {
    case 'LOGIN_RESPONSE': {
      const [status, user] = splitFirst(payload);
      const code = Number(status);
      return { type, data: user === undefined ? { status: Number.isFinite(code) ? code : status } : { status: Number.isFinite(code) ? code : status, user: parseValue(user) } };
    }
    case 'BREAKPOINT': {
      const [scriptId, detail] = splitFirst(payload);
      if (detail === undefined) return { type, data: { scriptId } };
      const parsed = parseValue(detail);
      return { type, data: typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? { scriptId, ...parsed } : { scriptId, detail: parsed } };
    }
    default:
      return { type, data: parseValue(payload) };
  }
}

/**
 * The Magic-API console protocol. On open it logs in with `login,<token | username | "unauthorization">,<clientId>`;
 * it sends `Magic-Token` / `Magic-Username` / `Magic-Password` headers from `auth`; it answers the server's
 * `ping` with `pong`; and on every heartbeat tick it sends a `ping` of its own, because the console drops
 * sessions that have not sent one for 20 s (its `pong,<time>` answer is swallowed, not buffered).
 */
export function createMagicApiProtocol(auth: MagicApiAuth = {}, clientId = createClientId()): Protocol & { readonly clientId: string } {
  const credential = auth.token || auth.username || ANONYMOUS;
  return {
    name: 'magic-api',
    clientId,
    headers() {
      const headers: Record<string, string> = {};
      if (auth.token) headers['Magic-Token'] = auth.token;
      if (auth.username) headers['Magic-Username'] = auth.username;
      if (auth.password) headers['Magic-Password'] = auth.password;
      return headers;
    },
    onOpen(link: ProtocolLink) {
      link.send(`login,${credential},${clientId}`);
    },
    intercept(data: Buffer, isBinary: boolean, link: ProtocolLink): boolean {
      // Byte comparisons: this runs for every message, the decoding only for those that are read.
      if (isBinary || data.length < 4 || data[0] !== 0x70 /* p */) return false;
      if (data.length === 4 && data.equals(PING)) {
        link.send('pong');
        return true;
      }
      // The console's answer to our keep-alive: `pong` or `pong,<time>`.
      return data.subarray(0, 4).equals(PONG) && (data.length === 4 || data[4] === 0x2c /* , */);
    },
    decode(data: Buffer, isBinary: boolean): DecodedMessage {
      return isBinary ? decodeBinary(data) : parseMagicApiMessage(data.toString('utf8'));
    },
    onHeartbeat(link: ProtocolLink) {
      link.send('ping');
    },
    encode: encodeOutgoing,
  };
}
