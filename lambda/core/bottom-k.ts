/**
 * A bottom-k sketch: the `k` values with the smallest 32-bit hashes of everything added. It is the
 * detector's only way of remembering a set, because it is
 * - exact below `k` (every value is kept, so thresholds up to `k` are exact),
 * - bounded (never more than `k` entries, however many values arrive),
 * - idempotent and order-free (adding a value twice, or merging in any order, gives the same sketch),
 * - an estimator beyond `k`: (k − 1) / (k-th smallest hash / 2^32), about 1/√(k−2) relative error.
 * Payloads (an alert id, an address) are kept for the `keep` smallest hashes only; a value whose
 * payload is dropped can never come back into the first `keep`, so this too is order-free.
 */
export interface BottomK {
  /** Ascending, distinct 32-bit hashes. */
  readonly h: number[];
  /** Payload of each hash (same index); `null` past the first `keep`. */
  readonly v: Array<string | number | null>;
}

const TWO_32 = 4_294_967_296;

/** An empty sketch. */
export function emptySketch(): BottomK {
  return { h: [], v: [] };
}

/** 32-bit FNV-1a of a string's UTF-16 units, finished with MurmurHash3's mixer (good low-bias bits). */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** A bijective mix of a 32-bit integer (MurmurHash3 fmix32): distinct ports never collide. */
export function hashInt(value: number): number {
  return mix32(value ^ 0x9e3779b9);
}

function mix32(input: number): number {
  let h = input | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Adds `value` (hashed as `hash`) to `sketch` in place, keeping at most `k` entries and payloads for
 * the first `keep`. Returns true when the sketch changed.
 */
export function addToSketch(sketch: BottomK, hash: number, value: string | number, k: number, keep: number = k): boolean {
  const { h, v } = sketch;
  if (h.length >= k && hash >= (h[h.length - 1] as number)) return false;
  let lo = 0;
  let hi = h.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((h[mid] as number) < hash) lo = mid + 1;
    else hi = mid;
  }
  if (h[lo] === hash) return false;
  h.splice(lo, 0, hash);
  v.splice(lo, 0, lo < keep ? value : null);
  if (keep < v.length) v[keep] = null;
  if (h.length > k) {
    h.length = k;
    v.length = k;
  }
  return true;
}

/** Adds everything in `from` to `into` (in place). */
export function mergeSketch(into: BottomK, from: BottomK, k: number, keep: number = k): void {
  for (let i = 0; i < from.h.length; i++) addToSketch(into, from.h[i] as number, from.v[i] ?? '', k, keep);
}

/** A copy of `sketch`. */
export function copySketch(sketch: BottomK): BottomK {
  return { h: [...sketch.h], v: [...sketch.v] };
}

/** How many distinct values were added: exact while fewer than `k` are kept, estimated beyond. */
export function sketchCount(sketch: BottomK, k: number): number {
  const n = sketch.h.length;
  if (n < k) return n;
  const kth = ((sketch.h[n - 1] as number) + 1) / TWO_32;
  return Math.max(n, Math.round((k - 1) / kth));
}

/** True when {@link sketchCount} is exact. */
export function sketchExact(sketch: BottomK, k: number): boolean {
  return sketch.h.length < k;
}

/** The payloads kept, in hash order. */
export function sketchValues(sketch: BottomK): Array<string | number> {
  const out: Array<string | number> = [];
  for (const value of sketch.v) if (value !== null) out.push(value);
  return out;
}

/** True when `value` is a well-formed sketch (stored state is read defensively). */
export function isSketch(value: unknown, k: number): value is BottomK {
  if (typeof value !== 'object' || value === null) return false;
  const { h, v } = value as { h?: unknown; v?: unknown };
  if (!Array.isArray(h) || !Array.isArray(v) || h.length !== v.length || h.length > k) return false;
  let previous = -1;
  for (const x of h) {
    if (typeof x !== 'number' || !Number.isInteger(x) || x <= previous || x >= TWO_32) return false;
    previous = x;
  }
  return v.every((x) => x === null || typeof x === 'number' || (typeof x === 'string' && x.length <= 256));
}
