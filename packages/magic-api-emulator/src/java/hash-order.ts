/**
 * The iteration order of a java.util.HashMap (and ConcurrentHashMap, HashSet) keyed by strings.
 *
 * Magic-API puts HashMaps on the wire in many places (WebSocket attributes, breakpoint info, search hits, the
 * classes catalogue); Jackson writes their entries in iteration order, which is bucket order: index =
 * (h ^ (h >>> 16)) & (capacity - 1), insertion order within a bucket. Resizing keeps the relative order inside
 * a bucket, so the final order depends only on the final capacity. (JDK 8+ HashMap.hash / ConcurrentHashMap.spread.)
 */

/** java.lang.String#hashCode over UTF-16 code units, as a signed 32-bit int. */
export function javaStringHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

/** Capacity a `new HashMap<>()` (initial 16, load factor 0.75) has after `size` puts. */
export function grownCapacity(size: number, initial = 16): number {
  let capacity = initial;
  while (size > capacity * 0.75) capacity *= 2;
  return capacity;
}

/** Capacity of `new HashMap<>(otherMap)` holding `size` entries (putMapEntries → tableSizeFor(size / 0.75 + 1)). */
export function copiedCapacity(size: number): number {
  if (size === 0) return 16;
  const wanted = Math.floor(size / 0.75 + 1);
  let capacity = 1;
  while (capacity < wanted) capacity *= 2;
  return grownCapacity(size, capacity);
}

/** Keys in HashMap iteration order, given insertion order and the table capacity. */
export function hashMapOrder<K extends string>(keysInInsertionOrder: readonly K[], capacity = grownCapacity(keysInInsertionOrder.length)): K[] {
  const mask = capacity - 1;
  return keysInInsertionOrder
    .map((key, position) => {
      const h = javaStringHash(key);
      return { key, position, bucket: (h ^ (h >>> 16)) & mask };
    })
    .sort((a, b) => a.bucket - b.bucket || a.position - b.position)
    .map((entry) => entry.key);
}
