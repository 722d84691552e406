import type { DecodedMessage } from '../message-buffer.js';
import { decodeBinary, encodeOutgoing, type Protocol } from './protocol.js';

/**
 * Messages parsed as JSON. The message type is the value's own string `type` field when it has one
 * (`{"type":"log",…}` → `log`), else `json`. Text that does not parse is kept whole in `raw`, with type
 * `invalid-json` and the parse error as `data`: nothing the backend sent is lost.
 */
export function createJsonProtocol(): Protocol {
  return {
    name: 'json',
    logsIn: false,
    serverPings: false,
    headers: () => ({}),
    onOpen() {},
    decode(data: Buffer, isBinary: boolean): DecodedMessage {
      if (isBinary) return decodeBinary(data);
      const text = data.toString('utf8');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        return { type: 'invalid-json', data: (error as Error).message, raw: text };
      }
      const type = typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' ? (value as { type: string }).type : 'json';
      return { type, data: value };
    },
    encode: encodeOutgoing,
  };
}
