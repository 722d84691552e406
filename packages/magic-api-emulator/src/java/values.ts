/**
 * Java values as Magic-Script and Jackson see them. JavaScript has one number type; Magic-API's wire does not:
 * an Integer is written `5`, a Double `5.0`, a string concatenation prints a Double as Java's Double.toString
 * does, and a breakpoint reports each variable's Java class. These small wrappers keep that type.
 */
import { copiedCapacity, grownCapacity, hashMapOrder } from './hash-order.js';

export class JavaInt {
  constructor(readonly value: number) {}
}

export class JavaLong {
  constructor(
    readonly value: bigint,
    /** java.lang.Long, or java.math.BigInteger for what does not fit in 64 bits (Jackson's untyped numbers). */
    readonly className: 'java.lang.Long' | 'java.math.BigInteger' = 'java.lang.Long',
  ) {}
}

export class JavaDouble {
  constructor(readonly value: number) {}
}

/** Maps keep their Java class: HashMap-like classes iterate in bucket order, the rest in insertion order. */
export class JavaMap {
  readonly entries = new Map<string, JavaValue>();

  constructor(
    readonly className: string,
    entries?: Iterable<readonly [string, JavaValue]>,
    /** The table capacity for HashMap-ordered classes; undefined = grown from 16 by puts. */
    readonly capacity?: number,
  ) {
    if (entries) for (const [key, value] of entries) this.entries.set(key, value);
  }

  /** Entries in the order Java iterates them. */
  ordered(): [string, JavaValue][] {
    if (!HASH_ORDERED.has(this.className)) return [...this.entries];
    const keys = hashMapOrder([...this.entries.keys()], this.capacity ?? grownCapacity(this.entries.size));
    return keys.map((key) => [key, this.entries.get(key) as JavaValue]);
  }

  /** `new HashMap<>(this)`: same entries, the capacity a copy constructor picks. */
  static copyOf(className: string, source: Iterable<readonly [string, JavaValue]>): JavaMap {
    const entries = [...source];
    return new JavaMap(className, entries, copiedCapacity(entries.length));
  }
}

export class JavaList {
  constructor(
    readonly className: string,
    readonly items: JavaValue[],
  ) {}
}

export type JavaValue = null | string | boolean | JavaInt | JavaLong | JavaDouble | JavaMap | JavaList;

const HASH_ORDERED = new Set([
  'java.util.HashMap',
  'org.ssssssss.magicapi.core.context.CookieContext',
  'org.ssssssss.magicapi.core.context.SessionContext',
]);

/** java.lang.Double#toString (JDK 8 format; digits are the shortest round-trip ones, as JavaScript gives them). */
export function javaDoubleToString(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa = '', exponent = ''] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

/** The Java class name Magic-API reports for a value (MagicScriptDebugContext: `value.getClass()`). */
export function javaClassName(value: JavaValue): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return 'java.lang.String';
  if (typeof value === 'boolean') return 'java.lang.Boolean';
  if (value instanceof JavaInt) return 'java.lang.Integer';
  if (value instanceof JavaLong) return value.className;
  if (value instanceof JavaDouble) return 'java.lang.Double';
  return value.className;
}

/** String.valueOf(value): what string concatenation and SLF4J's `{}` print. */
export function javaToString(value: JavaValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof JavaInt) return String(value.value);
  if (value instanceof JavaLong) return value.value.toString();
  if (value instanceof JavaDouble) return javaDoubleToString(value.value);
  if (value instanceof JavaList) return `[${value.items.map((item) => (item === value ? '(this Collection)' : javaToString(item))).join(', ')}]`;
  // AbstractMap#toString
  return `{${value.ordered().map(([key, item]) => `${key}=${item === value ? '(this Map)' : javaToString(item)}`).join(', ')}}`;
}

/** Wrap a plain JavaScript value (from a seed or a test) as the Java value Jackson would have produced. */
export function fromPlain(value: unknown): JavaValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -2147483648 && value <= 2147483647) return new JavaInt(value);
    if (Number.isInteger(value)) return new JavaLong(BigInt(value));
    return new JavaDouble(value);
  }
  if (typeof value === 'bigint') return new JavaLong(value);
  if (value instanceof JavaInt || value instanceof JavaLong || value instanceof JavaDouble || value instanceof JavaMap || value instanceof JavaList) {
    return value;
  }
  if (Array.isArray(value)) return new JavaList('java.util.ArrayList', value.map(fromPlain));
  return new JavaMap(
    'java.util.LinkedHashMap',
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, fromPlain(item)] as const),
  );
}
