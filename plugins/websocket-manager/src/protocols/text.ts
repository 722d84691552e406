import type { DecodedMessage } from '../message-buffer.js';
import { decodeBinary, encodeOutgoing, type Protocol } from './protocol.js';

/** Messages as strings (`type: "text"`); binary frames as base64 (`type: "binary"`). */
export function createTextProtocol(): Protocol {
  return {
    name: 'text',
    logsIn: false,
    serverPings: false,
    headers: () => ({}),
    onOpen() {},
    decode(data: Buffer, isBinary: boolean): DecodedMessage {
      return isBinary ? decodeBinary(data) : { type: 'text', data: data.toString('utf8') };
    },
    encode: encodeOutgoing,
  };
}
