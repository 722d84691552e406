import type { Logger } from '@mcp-host/core';
import type { DecodedMessage } from '../message-buffer.js';
import type { ProtocolName } from '../options.js';
import type { MagicApiConsole } from './magic-api-console.js';

/**
 * What a protocol may do on its connection. One link per connection, for its whole life; what it acts on is the
 * current socket (a call for a socket that is gone does nothing).
 */
export interface ProtocolLink {
  /** Send a text frame on the open socket (protocol replies such as magic-api's login and `pong`). */
  send(text: string): void;
  readonly logger: Logger;
  /**
   * A protocol that logs in (`logsIn`): the server accepted the login, the connection is `open` now. Returns false
   * when the connection was not waiting for one (no socket, shutting down): then nothing changed.
   */
  loggedIn(): boolean;
  /**
   * The server refused the credentials: the socket is closed and the connection waits, in state `refused`, for new
   * credentials (`credentialsChanged`) or the backoff's longest delay. Returns false when it was not waiting for a login.
   */
  loginRefused(reason: string): boolean;
  /** This socket cannot become useful (a login that cannot complete): it is closed and a fresh one is tried after the backoff. */
  unusable(reason: string): void;
  /** The server's own keep-alive arrived: proof it still holds this session (`serverPingTimeoutMs`). */
  serverPing(): void;
  /** New credentials: a connection waiting after a refused login tries again now. */
  credentialsChanged(): void;
}

/**
 * How one backend speaks over its WebSocket: handshake headers, what to send once open, how incoming
 * frames become buffered messages, how outgoing data is encoded. One instance per connection, reused
 * across reconnects; what belongs to one socket (magic-api's client id) it renews in `onOpen`.
 */
export interface Protocol {
  readonly name: ProtocolName;
  /**
   * The socket is not usable until the server accepts a login: the connection stays `authenticating` until the
   * protocol calls `link.loggedIn()` (bounded by `connectTimeoutMs`).
   */
  readonly logsIn: boolean;
  /** The server sends its own keep-alive, reported through `link.serverPing()`: its silence is watched (`serverPingTimeoutMs`). */
  readonly serverPings: boolean;
  /** The magic-api console state other plugins read and steer through the service; other protocols have none. */
  readonly console?: MagicApiConsole;
  /** Called once, when the connection is made, with the link it keeps for its life. */
  attach?(link: ProtocolLink): void;
  /** Headers for the opening handshake, on top of the connection's `headers`. */
  headers(): Record<string, string>;
  /** A socket just opened: send a login, if the protocol has one. */
  onOpen(link: ProtocolLink): void;
  /** The socket closed (whatever the reason): forget what belonged to it. */
  onClose?(): void;
  /**
   * Look at a message as it arrives, before it is buffered; `true` swallows it: protocol chatter (a
   * keep-alive) the protocol answered itself, or a secret, which does not belong in the buffer. On the hot path:
   * keep it to a byte comparison for ordinary messages. Protocols without chatter leave it out.
   */
  intercept?(data: Buffer, isBinary: boolean, link: ProtocolLink): boolean;
  /** Decode one buffered message. Called lazily (when the message is first read), at most once, and may throw. */
  decode(data: Buffer, isBinary: boolean): DecodedMessage;
  /** Encode data handed to `send`: strings go out as they are, anything else as JSON. */
  encode(data: unknown): string | Buffer;
}

/** Strings (and bytes) as they are, everything else as JSON: the same rule for every protocol. */
export function encodeOutgoing(data: unknown): string | Buffer {
  if (typeof data === 'string' || Buffer.isBuffer(data)) return data;
  const text = JSON.stringify(data);
  if (text === undefined) throw new TypeError(`cannot send ${typeof data}: it has no JSON form`);
  return text;
}

/** A binary frame, as every protocol buffers it: base64, so it survives JSON tool results. */
export function decodeBinary(data: Buffer): DecodedMessage {
  return { type: 'binary', data: data.toString('base64') };
}
