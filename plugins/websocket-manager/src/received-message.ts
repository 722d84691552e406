import type { StampableMessage, DecodedMessage } from './message-buffer.js';
import type { Protocol } from './protocols/protocol.js';

/**
 * A message as it came off the socket, decoded by its protocol only when someone reads it (a query, a
 * subscriber touching `type` or `data`), then once. A fast stream that nobody reads costs a slot and a
 * reference per message, so ingest keeps pace with a bare ws client.
 *
 * The bytes are ws' view of the socket read they arrived in, kept without copying until decoded. Messages
 * in the ring are contiguous in arrival order, so what they keep alive is their own bytes plus at most the
 * partly evicted read at each end (a read is at most 64 KiB): memory stays bounded by the buffer.
 */
export class ReceivedMessage implements StampableMessage {
  seq = 0;
  receivedAt = 0;
  #bytes: Buffer | undefined;
  readonly #isBinary: boolean;
  readonly #protocol: Protocol;
  #decoded: DecodedMessage | undefined;

  constructor(bytes: Buffer, isBinary: boolean, protocol: Protocol) {
    this.#bytes = bytes;
    this.#isBinary = isBinary;
    this.#protocol = protocol;
  }

  get type(): string {
    return this.#decode().type;
  }

  get data(): unknown {
    return this.#decode().data;
  }

  get raw(): string | undefined {
    return this.#decode().raw;
  }

  toJSON(): Record<string, unknown> {
    const { type, data, raw } = this.#decode();
    return raw === undefined ? { seq: this.seq, receivedAt: this.receivedAt, type, data } : { seq: this.seq, receivedAt: this.receivedAt, type, data, raw };
  }

  #decode(): DecodedMessage {
    if (this.#decoded === undefined) {
      const bytes = this.#bytes!;
      try {
        this.#decoded = this.#protocol.decode(bytes, this.#isBinary);
      } catch (error) {
        this.#decoded = { type: 'undecodable', data: (error as Error).message, raw: bytes.toString('utf8') };
      }
      // Decoded: the socket read it pointed into may go.
      this.#bytes = undefined;
    }
    return this.#decoded;
  }
}
