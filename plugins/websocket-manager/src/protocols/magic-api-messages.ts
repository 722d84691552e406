// The messages a Magic-API console (v2.x, read at v2.2.2) sends, and how they decode. Paths are under
// magic-api/src/main/java/org/ssssssss/magicapi/ in ssssssss-team/magic-api.
//
// On the wire a message is `type,v1,v2,…`: the type is the MessageType name in lower case, every value but the
// last is raw text and the last is JSON unless it is a string or a number (`core/config/WebSocketSessionManager.java`
// `buildMessage`). So each type has a fixed arity, and its last value runs to the end of the text.
import type { BufferedMessage } from '../message-buffer.js';

/**
 * The types a console sends to a client (`core/config/MessageType.java`, "S -> C"), upper case as they are buffered.
 * `PING` and `REFRESH_TOKEN` are answered and swallowed by the protocol: they never reach a buffer.
 */
export const MAGIC_API_TYPES = ['LOG', 'LOGS', 'BREAKPOINT', 'EXCEPTION', 'LOGIN_RESPONSE', 'REFRESH_TOKEN', 'USER_LOGIN', 'USER_LOGOUT', 'ONLINE_USERS', 'INTO_FILE_ID', 'PING'] as const;
export type MagicApiType = (typeof MAGIC_API_TYPES)[number];

/**
 * A console session as the server describes it: its attributes (`core/context/MagicConsoleSession.java`, keys from
 * `core/config/Constants.java`): `cid` the client id, `id` and `username` the user (the guest is id `guest`),
 * `ip`, and `fileId` once that client said which file it has open.
 */
export interface MagicApiSessionUser {
  cid?: string;
  id?: string | null;
  username?: string;
  ip?: string;
  fileId?: string;
  [key: string]: unknown;
}

/** A variable at a breakpoint; `value` is the value as JSON text (`core/model/DebugRequest.java`). */
export interface MagicApiVariable {
  name: string;
  value: string;
  type: string;
  [key: string]: unknown;
}

/** Decoded console messages, by `type`. */
export type MagicApiMessage =
  /** Log lines of a request that named this client (`log` carries one line, `logs` several; both a JSON array). */
  | { type: 'LOG' | 'LOGS'; data: { lines: string[] }; raw?: undefined }
  /** A request that named this client paused at a line: `breakpoint,<scriptId>,{"variables":[…],"range":[…]}`. */
  | { type: 'BREAKPOINT'; data: { scriptId: string; variables: MagicApiVariable[]; range: number[]; [key: string]: unknown }; raw?: undefined }
  /** A script error in such a request: `exception,["<scriptId>","<message>",[line,endLine,startCol,endCol] | null]`. */
  | { type: 'EXCEPTION'; data: { scriptId: string; message: string; range: number[] | null }; raw?: undefined }
  /** The answer to a login: 1 accepted (with the session), 0 token refused, -1 client id in use. */
  | { type: 'LOGIN_RESPONSE'; data: { status: 1; user: MagicApiSessionUser } | { status: 0 | -1 }; raw?: undefined }
  /** The sessions on this server, sent after a login. */
  | { type: 'ONLINE_USERS'; data: { users: MagicApiSessionUser[] }; raw?: undefined }
  /** Another editor logged in, or left. */
  | { type: 'USER_LOGIN' | 'USER_LOGOUT'; data: { user: MagicApiSessionUser }; raw?: undefined }
  /** Another editor opened a file (`into_file_id,<clientId>,<fileId>`; `0` for none). */
  | { type: 'INTO_FILE_ID'; data: { clientId: string; fileId: string }; raw?: undefined }
  /** The server's keep-alive (answered with `pong`, never buffered). */
  | { type: 'PING'; data: undefined; raw?: undefined }
  /** A new token (swallowed and handed to the service's token listeners, never buffered: it is a secret). */
  | { type: 'REFRESH_TOKEN'; data: { token: string }; raw?: undefined }
  /** A known type whose values do not have the shape the server writes: what was expected, the text in `raw`. */
  | { type: 'INVALID'; data: { type: MagicApiType; error: string }; raw: string }
  /** A type the console does not send; the text in `raw`. */
  | { type: 'UNKNOWN'; data: undefined; raw: string };

/** A buffered message of a magic-api connection, typed by its `type` (binary frames are `binary`, as in every protocol). */
export type MagicApiBufferedMessage<T extends MagicApiMessage['type'] = MagicApiMessage['type']> = BufferedMessage & MagicApiMessage & { type: T };

const KNOWN = new Set<string>(MAGIC_API_TYPES.map((type) => type.toLowerCase()));

function splitFirst(text: string): [string, string | undefined] {
  const comma = text.indexOf(',');
  return comma === -1 ? [text, undefined] : [text.slice(0, comma), text.slice(comma + 1)];
}

/** Thrown by the shape checks; becomes an `INVALID` message. */
class Malformed extends Error {}

function json(text: string | undefined, what: string): unknown {
  if (text === undefined) throw new Malformed(`expected ${what}, got nothing`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Malformed(`expected ${what} in JSON, got ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function user(value: unknown, what: string): MagicApiSessionUser {
  if (!isRecord(value)) throw new Malformed(`expected ${what} as an object`);
  return value as MagicApiSessionUser;
}

function numbers(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'number')) throw new Malformed(`expected ${what} as an array of numbers`);
  return value;
}

function lines(payload: string | undefined): { lines: string[] } {
  const value = json(payload, 'an array of log lines');
  if (!Array.isArray(value) || !value.every((line) => typeof line === 'string')) throw new Malformed('expected an array of log lines (strings)');
  return { lines: value };
}

function decodeKnown(type: MagicApiType, payload: string | undefined): MagicApiMessage {
  switch (type) {
    case 'LOG':
    case 'LOGS':
      return { type, data: lines(payload) };
    case 'BREAKPOINT': {
      const [scriptId, detailText] = splitFirst(payload ?? '');
      if (scriptId === '') throw new Malformed('expected a script id');
      const detail = json(detailText, 'the breakpoint detail');
      if (!isRecord(detail)) throw new Malformed('expected the breakpoint detail as an object');
      const variables = detail.variables;
      if (!Array.isArray(variables) || !variables.every(isRecord)) throw new Malformed('expected "variables" as an array of objects');
      return { type, data: { ...detail, scriptId, variables: variables as MagicApiVariable[], range: numbers(detail.range, '"range"') } };
    }
    case 'EXCEPTION': {
      const value = json(payload, '[scriptId, message, range]');
      if (!Array.isArray(value) || typeof value[0] !== 'string' || typeof value[1] !== 'string') throw new Malformed('expected [scriptId, message, range]');
      return { type, data: { scriptId: value[0], message: value[1], range: value[2] === null || value[2] === undefined ? null : numbers(value[2], 'the range') } };
    }
    case 'LOGIN_RESPONSE': {
      const [status, rest] = splitFirst(payload ?? '');
      if (status === '1') return { type, data: { status: 1, user: user(json(rest, 'the session'), 'the session') } };
      if (status === '0' || status === '-1') return { type, data: { status: Number(status) as 0 | -1 } };
      throw new Malformed(`expected the status 1, 0 or -1, got ${JSON.stringify(status)}`);
    }
    case 'ONLINE_USERS': {
      const value = json(payload, 'an array of sessions');
      if (!Array.isArray(value)) throw new Malformed('expected an array of sessions');
      return { type, data: { users: value.map((item) => user(item, 'each session')) } };
    }
    case 'USER_LOGIN':
    case 'USER_LOGOUT':
      return { type, data: { user: user(json(payload, 'the session'), 'the session') } };
    case 'INTO_FILE_ID': {
      const [clientId, fileId] = splitFirst(payload ?? '');
      if (clientId === '' || fileId === undefined) throw new Malformed('expected <clientId>,<fileId>');
      return { type, data: { clientId, fileId } };
    }
    case 'PING':
      return { type, data: undefined };
    case 'REFRESH_TOKEN':
      if (!payload) throw new Malformed('expected the new token');
      return { type, data: { token: payload } };
  }
}

/**
 * Decode one console message. The type must be one the console sends, spelled as it sends it (lower case: its
 * dispatcher and the editor match types exactly); anything else is `UNKNOWN`, and a known type whose values do
 * not have the server's shape is `INVALID` — both keep the text in `raw`, so nothing the backend sent is lost.
 */
export function parseMagicApiMessage(text: string): MagicApiMessage {
  const [head, payload] = splitFirst(text);
  if (!KNOWN.has(head)) return { type: 'UNKNOWN', data: undefined, raw: text };
  const type = head.toUpperCase() as MagicApiType;
  try {
    return decodeKnown(type, payload);
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    return { type: 'INVALID', data: { type, error: error.message }, raw: text };
  }
}

