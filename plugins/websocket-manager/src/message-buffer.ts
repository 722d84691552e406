/** A message as a protocol decoded it, before it is stamped and buffered. */
export interface DecodedMessage {
  /** What kind of message it is (`text`, `json`, `LOG`, …): the `type` filter of queries matches it. */
  readonly type: string;
  /** The decoded content: a string, a parsed JSON value, `{ … }` for magic-api. */
  readonly data: unknown;
  /** The original text, kept when decoding lost something (JSON that did not parse, an unknown magic-api type). */
  readonly raw?: string;
}

/** A message in a connection's buffer. */
export interface BufferedMessage extends DecodedMessage {
  /** Position in the connection's stream: 1 for the first message ever received on it; never reused. */
  readonly seq: number;
  /** Receive time in ms since the epoch. Never decreases within one buffer, so time queries stay exact. */
  readonly receivedAt: number;
}

/** What to read from a buffer. Every field is optional; results are always oldest first. */
export interface MessageQuery {
  /** At most this many messages: the newest ones, or with `around` the ones nearest to it. */
  limit?: number;
  /** Only messages received at or after this time (ms since the epoch). */
  since?: number;
  /** Only messages received at or before this time (ms since the epoch). */
  until?: number;
  /** Messages received within `windowMs` of this time (ms since the epoch), nearest first when `limit` cuts. */
  around?: number;
  /** Half-width of the `around` window; 5000 ms unless given. */
  windowMs?: number;
  /** Only messages of this type (case-insensitive). */
  type?: string;
}

export const DEFAULT_AROUND_WINDOW_MS = 5000;

/** An entry the buffer stamps itself: `add()` writes its sequence number and receive time. */
export interface StampableMessage extends DecodedMessage {
  seq: number;
  receivedAt: number;
}

/**
 * The last `capacity` messages of one connection, in receive order. A ring: pushing onto a full buffer
 * overwrites the oldest entry, so memory stays bounded whatever the backend sends. Receive times never
 * decrease (a clock stepping back is clamped), which lets time windows be found by binary search.
 */
export class MessageBuffer {
  readonly capacity: number;
  readonly #slots: BufferedMessage[] = [];
  /** Slot of the oldest message once the ring is full. */
  #head = 0;
  #total = 0;
  #lastAt = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`MessageBuffer capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Messages held now. */
  get size(): number {
    return this.#slots.length;
  }

  /** Messages ever pushed. */
  get total(): number {
    return this.#total;
  }

  /** Messages pushed out of the ring by newer ones. */
  get dropped(): number {
    return this.#total - this.#slots.length;
  }

  /** Store a decoded message; returns it stamped. */
  push(message: DecodedMessage, receivedAt = Date.now()): BufferedMessage {
    const entry: StampableMessage =
      message.raw === undefined
        ? { seq: 0, receivedAt: 0, type: message.type, data: message.data }
        : { seq: 0, receivedAt: 0, type: message.type, data: message.data, raw: message.raw };
    return this.add(entry, receivedAt);
  }

  /**
   * Store `entry` as it is (one allocation per message on the hot path: a lazily decoded message stays
   * lazy), writing its sequence number and receive time into it.
   */
  add<T extends StampableMessage>(entry: T, receivedAt = Date.now()): T {
    const at = receivedAt < this.#lastAt ? this.#lastAt : receivedAt;
    this.#lastAt = at;
    entry.seq = ++this.#total;
    entry.receivedAt = at;
    if (this.#slots.length < this.capacity) {
      this.#slots.push(entry);
    } else {
      this.#slots[this.#head] = entry;
      this.#head = this.#head + 1 === this.capacity ? 0 : this.#head + 1;
    }
    return entry;
  }

  /** The `index`-th message held, oldest first. */
  at(index: number): BufferedMessage | undefined {
    if (index < 0 || index >= this.#slots.length) return undefined;
    return this.#slots[(this.#head + index) % this.#slots.length];
  }

  /** The messages held whose `seq` is above `seq`, oldest first (seqs in the ring are consecutive). */
  after(seq: number): BufferedMessage[] {
    const oldestSeq = this.#total - this.#slots.length + 1;
    const messages: BufferedMessage[] = [];
    for (let index = Math.max(0, Math.floor(seq) + 1 - oldestSeq); index < this.#slots.length; index++) messages.push(this.at(index)!);
    return messages;
  }

  newest(): BufferedMessage | undefined {
    return this.at(this.#slots.length - 1);
  }

  clear(): void {
    this.#slots.length = 0;
    this.#head = 0;
  }

  /** The messages matching `query`, oldest first. */
  query(query: MessageQuery = {}): BufferedMessage[] {
    let since = query.since ?? -Infinity;
    let until = query.until ?? Infinity;
    if (query.around !== undefined) {
      const window = query.windowMs ?? DEFAULT_AROUND_WINDOW_MS;
      since = Math.max(since, query.around - window);
      until = Math.min(until, query.around + window);
    }
    const lo = this.#firstAtOrAfter(since);
    const hi = this.#firstAfter(until); // exclusive
    const limit = Math.max(0, Math.floor(query.limit ?? Infinity));
    const type = query.type?.toLowerCase();
    const matches = type === undefined ? () => true : (message: BufferedMessage) => message.type.toLowerCase() === type;
    if (limit === 0 || lo >= hi) return [];
    if (query.around === undefined) {
      const picked: BufferedMessage[] = [];
      for (let index = hi - 1; index >= lo && picked.length < limit; index--) {
        const message = this.at(index)!;
        if (matches(message)) picked.push(message);
      }
      return picked.reverse();
    }
    // Nearest to `around` first: walk outwards from it on both sides, taking the closer message each step.
    const around = query.around;
    const pivot = Math.min(Math.max(this.#firstAtOrAfter(around), lo), hi);
    const before: BufferedMessage[] = [];
    const after: BufferedMessage[] = [];
    let left = this.#matchingIndex(pivot - 1, -1, lo, hi, matches);
    let right = this.#matchingIndex(pivot, 1, lo, hi, matches);
    while (before.length + after.length < limit && (left !== -1 || right !== -1)) {
      const leftMessage = left === -1 ? undefined : this.at(left)!;
      const rightMessage = right === -1 ? undefined : this.at(right)!;
      if (rightMessage === undefined || (leftMessage !== undefined && around - leftMessage.receivedAt <= rightMessage.receivedAt - around)) {
        before.push(leftMessage!);
        left = this.#matchingIndex(left - 1, -1, lo, hi, matches);
      } else {
        after.push(rightMessage);
        right = this.#matchingIndex(right + 1, 1, lo, hi, matches);
      }
    }
    return [...before.reverse(), ...after];
  }

  /** From `index`, stepping by `step`, the first index in [lo, hi) whose message matches; -1 if none. */
  #matchingIndex(index: number, step: 1 | -1, lo: number, hi: number, matches: (message: BufferedMessage) => boolean): number {
    for (let at = index; at >= lo && at < hi; at += step) {
      if (matches(this.at(at)!)) return at;
    }
    return -1;
  }

  /** Index of the first message received at or after `time` (size when none). */
  #firstAtOrAfter(time: number): number {
    let lo = 0;
    let hi = this.#slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid)!.receivedAt < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first message received after `time` (size when none). */
  #firstAfter(time: number): number {
    let lo = 0;
    let hi = this.#slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid)!.receivedAt <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
