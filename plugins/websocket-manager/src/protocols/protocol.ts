import type { Logger } from '@mcp-host/core';
import type { DecodedMessage } from '../message-buffer.js';
import type { ProtocolName } from '../options.js';

/** What a protocol may do on a connection. */
export interface ProtocolLink {
  /** Send a text frame on the open socket (protocol replies such as magic-api's login and `pong`). */
  send(text: string): void;
  readonly logger: Logger;
}

/**
 * How one backend speaks over its WebSocket: handshake headers, what to send once open, how incoming
 * frames become buffered messages, how outgoing data is encoded. One instance per connection, reused
 * across reconnects (so identities such as magic-api's client id stay stable).
 */
export interface Protocol {
  readonly name: ProtocolName;
  /** Headers for the opening handshake, on top of the connection's `headers`. */
  headers(): Record<string, string>;
  /** The socket just opened: send a login, if the protocol has one. */
  onOpen(link: ProtocolLink): void;
  /**
   * Look at a message as it arrives, before it is buffered; `true` swallows it: protocol chatter (a
   * keep-alive) the protocol answered itself, which does not belong in the buffer. On the hot path: keep it
   * to a byte comparison. Protocols without chatter leave it out.
   */
  intercept?(data: Buffer, isBinary: boolean, link: ProtocolLink): boolean;
  /** Decode one buffered message. Called lazily (when the message is first read), at most once, and may throw. */
  decode(data: Buffer, isBinary: boolean): DecodedMessage;
  /** Each heartbeat tick, besides the ws ping frame: protocols whose server wants its own keep-alive send it here. */
  onHeartbeat(link: ProtocolLink): void;
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
