/**
 * Counts of values: exact while a column has few distinct values, bounded after.
 *
 * - `FrequentItems`: Misra–Gries (1982) over text values keyed by their UTF-8 bytes, with
 *   k counters. While at most k distinct values were seen it is an exact count table;
 *   after that every count is a lower bound, at most `error` below the truth, where
 *   error = (n − Σ counts)/(k + 1) ≤ n/(k + 1). Any value more frequent than n/(k + 1) is
 *   kept. Merging follows Agarwal et al. (2012, "Mergeable Summaries"): add the counters,
 *   subtract the (k+1)-th largest from all, keep the positive ones; the bound still holds.
 *   Keys are matched by hash and then by their bytes, so two values never merge.
 * - `NumberCounts`: exact counts of numeric values while a column has at most `limit`
 *   distinct numbers (3–5 distinct values matter for drift tests), dropped beyond — the
 *   quantile sketch describes such a column. Whether a column is over the limit does not
 *   depend on how it was split, so merged shards drop exactly when one pass would.
 *
 * Entries live in typed arrays (no object or string per value): text is decoded only
 * when a count table is read.
 */

/** Key bytes stored inline per entry (a multiple of 4); longer keys get their own copy. */
const INLINE_BYTES = 64;
const INLINE_WORDS = INLINE_BYTES / 4;
/** Keys are copied and compared four bytes at a time, which needs a little-endian Int32Array. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
// ignoreBOM keeps a U+FEFF that starts a value (only the file's BOM is dropped, by the reader)
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

export interface FrequentItemsState {
  k: number;
  /** Values counted (non-null, non-numeric cells). */
  n: number;
  /** Every count is at most this much below the true count; 0 = exact and complete. */
  error: number;
  /** [value, count], count descending then value ascending (code units). */
  items: [string, number][];
}

export class FrequentItems {
  n = 0;
  error = 0;
  size = 0;
  private readonly mask: number;
  private readonly table: Int32Array; // entry id + 1, 0 = empty
  private readonly hash1: Int32Array;
  private readonly hash2: Int32Array;
  private readonly lengths: Int32Array;
  private readonly counts: Float64Array;
  private readonly inline: Uint8Array;
  private readonly inlineWords: Int32Array;
  private readonly long: (Uint8Array | undefined)[];
  private readonly texts: (string | undefined)[];
  private readonly free: Int32Array;
  private freeTop: number;

  constructor(readonly k = 1000) {
    let tableSize = 16;
    while (tableSize < 2 * k) tableSize *= 2;
    this.mask = tableSize - 1;
    this.table = new Int32Array(tableSize);
    this.hash1 = new Int32Array(k);
    this.hash2 = new Int32Array(k);
    this.lengths = new Int32Array(k);
    this.counts = new Float64Array(k);
    this.inline = new Uint8Array(k * INLINE_BYTES);
    this.inlineWords = new Int32Array(this.inline.buffer);
    this.long = new Array<Uint8Array | undefined>(k);
    this.texts = new Array<string | undefined>(k);
    this.free = new Int32Array(k);
    for (let i = 0; i < k; i++) this.free[i] = k - 1 - i;
    this.freeTop = k;
  }

  /**
   * Counts `bytes[start, end)` (`view`: a DataView over the same memory); returns its entry
   * id, or -1 when it was not kept.
   */
  add(bytes: Uint8Array, view: DataView, start: number, end: number, h1: number, h2: number): number {
    this.n++;
    const length = end - start;
    const table = this.table;
    let slot = h1 & this.mask;
    for (;;) {
      const entry = table[slot]!;
      if (entry === 0) break;
      const id = entry - 1;
      if (
        this.hash1[id] === h1 &&
        this.hash2[id] === h2 &&
        this.lengths[id] === length &&
        this.sameBytes(id, bytes, view, start, length)
      ) {
        this.counts[id]!++;
        return id;
      }
      slot = (slot + 1) & this.mask;
    }
    if (this.size < this.k) {
      const id = this.free[--this.freeTop]!;
      this.hash1[id] = h1;
      this.hash2[id] = h2;
      this.lengths[id] = length;
      this.counts[id] = 1;
      if (length <= INLINE_BYTES) this.copyInline(id, bytes, view, start, end);
      else this.long[id] = bytes.slice(start, end);
      table[slot] = id + 1;
      this.size++;
      return id;
    }
    this.decrementAll();
    return -1;
  }

  /** The decoded text of entry `id` (cached). */
  text(id: number): string {
    let text = this.texts[id];
    if (text === undefined) {
      const length = this.lengths[id]!;
      const bytes =
        length <= INLINE_BYTES
          ? this.inline.subarray(id * INLINE_BYTES, id * INLINE_BYTES + length)
          : this.long[id]!;
      text = decoder.decode(bytes);
      this.texts[id] = text;
    }
    return text;
  }

  state(): FrequentItemsState {
    const items: [string, number][] = [];
    for (const entry of this.table)
      if (entry !== 0) items.push([this.text(entry - 1), this.counts[entry - 1]!]);
    return { k: this.k, n: this.n, error: this.error, items: sortItems(items) };
  }

  private copyInline(id: number, bytes: Uint8Array, view: DataView, start: number, end: number): void {
    let i = start;
    let at = id * INLINE_BYTES;
    if (LITTLE_ENDIAN) {
      const words = this.inlineWords;
      let w = id * INLINE_WORDS;
      for (; i + 4 <= end; i += 4) words[w++] = view.getInt32(i, true);
      at = w * 4;
    }
    const inline = this.inline;
    for (; i < end; i++) inline[at++] = bytes[i]!;
  }

  private sameBytes(id: number, bytes: Uint8Array, view: DataView, start: number, length: number): boolean {
    if (length <= INLINE_BYTES) {
      let i = 0;
      if (LITTLE_ENDIAN) {
        const words = this.inlineWords;
        const w = id * INLINE_WORDS;
        for (; i + 4 <= length; i += 4)
          if (words[w + (i >> 2)] !== view.getInt32(start + i, true)) return false;
      }
      const inline = this.inline;
      const at = id * INLINE_BYTES;
      for (; i < length; i++) if (inline[at + i] !== bytes[start + i]) return false;
      return true;
    }
    const stored = this.long[id]!;
    for (let i = 0; i < length; i++) if (stored[i] !== bytes[start + i]) return false;
    return true;
  }

  /** The Misra–Gries step for a value that finds the table full: every counter loses one. */
  private decrementAll(): void {
    this.error++;
    const table = this.table;
    const live: number[] = [];
    for (let slot = 0; slot < table.length; slot++) {
      const entry = table[slot]!;
      if (entry === 0) continue;
      const id = entry - 1;
      if (--this.counts[id]! === 0) {
        this.long[id] = undefined;
        this.texts[id] = undefined;
        this.free[this.freeTop++] = id;
        this.size--;
      } else live.push(id);
    }
    // Linear probing cannot simply delete: rebuild the index from the survivors.
    table.fill(0);
    for (const id of live) {
      let slot = this.hash1[id]! & this.mask;
      while (table[slot] !== 0) slot = (slot + 1) & this.mask;
      table[slot] = id + 1;
    }
  }
}

export function sortItems<T extends string | number>(items: [T, number][]): [T, number][] {
  return items.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Agarwal et al.'s merge of two Misra–Gries summaries with the same k. */
export function mergeFrequentItems(a: FrequentItemsState, b: FrequentItemsState): FrequentItemsState {
  const sums = new Map<string, number>(a.items);
  for (const [value, count] of b.items) sums.set(value, (sums.get(value) ?? 0) + count);
  let error = a.error + b.error;
  let items = [...sums];
  if (items.length > a.k) {
    const sorted = items.map((i) => i[1]).sort((x, y) => y - x);
    const cut = sorted[a.k]!;
    error += cut;
    items = items.filter((i) => i[1] > cut).map(([v, c]) => [v, c - cut]);
  }
  return { k: a.k, n: a.n + b.n, error, items: sortItems(items) };
}

export class NumberCounts {
  size = 0;
  /** True once more than `limit` distinct numbers were seen: the counts are gone. */
  dropped = false;
  private readonly mask: number;
  private table: Int32Array;
  private keys: Float64Array;
  private counts: Float64Array;

  constructor(readonly limit = 1000) {
    let tableSize = 16;
    while (tableSize < 2 * limit) tableSize *= 2;
    this.mask = tableSize - 1;
    this.table = new Int32Array(tableSize);
    this.keys = new Float64Array(limit);
    this.counts = new Float64Array(limit);
  }

  /**
   * `h1`: the value's first hash (`hashNumber`). Returns true when this value made the
   * table drop: `takeEntries()` then hands over the counts before it (and frees them).
   */
  add(value: number, h1: number): boolean {
    if (this.dropped) return false;
    const table = this.table;
    let slot = h1 & this.mask;
    for (;;) {
      const entry = table[slot]!;
      if (entry === 0) break;
      // === treats -0 and 0 as one value, as the hash does
      if (this.keys[entry - 1] === value) {
        this.counts[entry - 1]!++;
        return false;
      }
      slot = (slot + 1) & this.mask;
    }
    if (this.size === this.limit) {
      this.dropped = true;
      return true;
    }
    const id = this.size++;
    this.keys[id] = value === 0 ? 0 : value;
    this.counts[id] = 1;
    table[slot] = id + 1;
    return false;
  }

  /** The counts kept until the table dropped, ascending by value; frees the table. */
  takeEntries(): [number, number][] {
    const entries = this.sorted();
    this.table = new Int32Array(0);
    this.keys = new Float64Array(0);
    this.counts = new Float64Array(0);
    this.size = 0;
    return entries;
  }

  /** [value, count] ascending by value, or null when dropped. */
  entries(): [number, number][] | null {
    return this.dropped ? null : this.sorted();
  }

  private sorted(): [number, number][] {
    const out: [number, number][] = [];
    for (let id = 0; id < this.size; id++) out.push([this.keys[id]!, this.counts[id]!]);
    return out.sort((a, b) => a[0] - b[0]);
  }
}

/** Union of two exact number-count tables; null when either is dropped or the union exceeds `limit`. */
export function mergeNumberCounts(
  a: [number, number][] | null,
  b: [number, number][] | null,
  limit: number,
): [number, number][] | null {
  if (a === null || b === null) return null;
  const sums = new Map<number, number>(a);
  for (const [value, count] of b) sums.set(value, (sums.get(value) ?? 0) + count);
  if (sums.size > limit) return null;
  return [...sums].sort((x, y) => x[0] - y[0]);
}
