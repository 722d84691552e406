/** A response kept for `If-None-Match` revalidation. */
export interface CachedResponse {
  readonly etag: string;
  readonly body: Buffer;
  readonly contentType: string | undefined;
}

/**
 * Responses by URL, bounded by the bytes of their bodies; the least recently used go first. A body larger
 * than the whole budget is not kept (every read of it is a full fetch).
 */
export class ResponseCache {
  readonly #entries = new Map<string, CachedResponse>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(url: string): CachedResponse | undefined {
    const entry = this.#entries.get(url);
    if (entry) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.#entries.delete(url);
      this.#entries.set(url, entry);
    }
    return entry;
  }

  set(url: string, entry: CachedResponse): void {
    this.delete(url);
    if (entry.body.length > this.maxBytes) return;
    this.#entries.set(url, entry);
    this.#bytes += entry.body.length;
    for (const [key, oldest] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(key);
      this.#bytes -= oldest.body.length;
    }
  }

  delete(url: string): void {
    const entry = this.#entries.get(url);
    if (!entry) return;
    this.#entries.delete(url);
    this.#bytes -= entry.body.length;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
