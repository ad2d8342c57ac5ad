import { createRequire as __mlgateRequire } from 'node:module'; const require = __mlgateRequire(import.meta.url);

// src/io/profile-worker.ts
import { closeSync, openSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

// src/io/csv-scanner.ts
import { isUtf8 } from "node:buffer";
import { readSync } from "node:fs";

// src/errors.ts
var UserError = class extends Error {
  name = "UserError";
  /** One line per problem, all problems at once. */
  problems;
  constructor(problems) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.join("\n"));
    this.problems = list;
  }
};

// src/core/sketch/frequent-items.ts
var INLINE_BYTES = 64;
var INLINE_WORDS = INLINE_BYTES / 4;
var LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
var decoder = new TextDecoder("utf-8", { ignoreBOM: true });
var FrequentItems = class {
  constructor(k = 1e3) {
    this.k = k;
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
    this.long = new Array(k);
    this.texts = new Array(k);
    this.free = new Int32Array(k);
    for (let i = 0; i < k; i++) this.free[i] = k - 1 - i;
    this.freeTop = k;
  }
  k;
  n = 0;
  error = 0;
  size = 0;
  mask;
  table;
  // entry id + 1, 0 = empty
  hash1;
  hash2;
  lengths;
  counts;
  inline;
  inlineWords;
  long;
  texts;
  free;
  freeTop;
  /**
   * Counts `bytes[start, end)` (`view`: a DataView over the same memory); returns its entry
   * id, or -1 when it was not kept.
   */
  add(bytes, view, start, end, h1, h2) {
    this.n++;
    const length = end - start;
    const table = this.table;
    let slot = h1 & this.mask;
    for (; ; ) {
      const entry = table[slot];
      if (entry === 0) break;
      const id = entry - 1;
      if (this.hash1[id] === h1 && this.hash2[id] === h2 && this.lengths[id] === length && this.sameBytes(id, bytes, view, start, length)) {
        this.counts[id]++;
        return id;
      }
      slot = slot + 1 & this.mask;
    }
    if (this.size < this.k) {
      const id = this.free[--this.freeTop];
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
  text(id) {
    let text = this.texts[id];
    if (text === void 0) {
      const length = this.lengths[id];
      const bytes = length <= INLINE_BYTES ? this.inline.subarray(id * INLINE_BYTES, id * INLINE_BYTES + length) : this.long[id];
      text = decoder.decode(bytes);
      this.texts[id] = text;
    }
    return text;
  }
  state() {
    const items = [];
    for (const entry of this.table)
      if (entry !== 0) items.push([this.text(entry - 1), this.counts[entry - 1]]);
    return { k: this.k, n: this.n, error: this.error, items: sortItems(items) };
  }
  copyInline(id, bytes, view, start, end) {
    let i = start;
    let at = id * INLINE_BYTES;
    if (LITTLE_ENDIAN) {
      const words2 = this.inlineWords;
      let w = id * INLINE_WORDS;
      for (; i + 4 <= end; i += 4) words2[w++] = view.getInt32(i, true);
      at = w * 4;
    }
    const inline = this.inline;
    for (; i < end; i++) inline[at++] = bytes[i];
  }
  sameBytes(id, bytes, view, start, length) {
    if (length <= INLINE_BYTES) {
      let i = 0;
      if (LITTLE_ENDIAN) {
        const words2 = this.inlineWords;
        const w = id * INLINE_WORDS;
        for (; i + 4 <= length; i += 4)
          if (words2[w + (i >> 2)] !== view.getInt32(start + i, true)) return false;
      }
      const inline = this.inline;
      const at = id * INLINE_BYTES;
      for (; i < length; i++) if (inline[at + i] !== bytes[start + i]) return false;
      return true;
    }
    const stored = this.long[id];
    for (let i = 0; i < length; i++) if (stored[i] !== bytes[start + i]) return false;
    return true;
  }
  /** The Misra–Gries step for a value that finds the table full: every counter loses one. */
  decrementAll() {
    this.error++;
    const table = this.table;
    const live = [];
    for (let slot = 0; slot < table.length; slot++) {
      const entry = table[slot];
      if (entry === 0) continue;
      const id = entry - 1;
      if (--this.counts[id] === 0) {
        this.long[id] = void 0;
        this.texts[id] = void 0;
        this.free[this.freeTop++] = id;
        this.size--;
      } else live.push(id);
    }
    table.fill(0);
    for (const id of live) {
      let slot = this.hash1[id] & this.mask;
      while (table[slot] !== 0) slot = slot + 1 & this.mask;
      table[slot] = id + 1;
    }
  }
};
function sortItems(items) {
  return items.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
var NumberCounts = class {
  constructor(limit = 1e3) {
    this.limit = limit;
    let tableSize = 16;
    while (tableSize < 2 * limit) tableSize *= 2;
    this.mask = tableSize - 1;
    this.table = new Int32Array(tableSize);
    this.keys = new Float64Array(limit);
    this.counts = new Float64Array(limit);
  }
  limit;
  size = 0;
  /** True once more than `limit` distinct numbers were seen: the counts are gone. */
  dropped = false;
  mask;
  table;
  keys;
  counts;
  /**
   * `h1`: the value's first hash (`hashNumber`). Returns true when this value made the
   * table drop: `takeEntries()` then hands over the counts before it (and frees them).
   */
  add(value, h1) {
    if (this.dropped) return false;
    const table = this.table;
    let slot = h1 & this.mask;
    for (; ; ) {
      const entry = table[slot];
      if (entry === 0) break;
      if (this.keys[entry - 1] === value) {
        this.counts[entry - 1]++;
        return false;
      }
      slot = slot + 1 & this.mask;
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
  takeEntries() {
    const entries = this.sorted();
    this.table = new Int32Array(0);
    this.keys = new Float64Array(0);
    this.counts = new Float64Array(0);
    this.size = 0;
    return entries;
  }
  /** [value, count] ascending by value, or null when dropped. */
  entries() {
    return this.dropped ? null : this.sorted();
  }
  sorted() {
    const out = [];
    for (let id = 0; id < this.size; id++) out.push([this.keys[id], this.counts[id]]);
    return out.sort((a, b) => a[0] - b[0]);
  }
};

// src/core/sketch/histogram.ts
function equalWidthHistogram(values, weights, min, max, bins = 20) {
  if (values.length === 0) return { edges: [], counts: [] };
  if (min === max) {
    let total = 0;
    for (let i = 0; i < values.length; i++) total += weights ? weights[i] : 1;
    return { edges: [min, max], counts: [total] };
  }
  const halfRange = max * 0.5 - min * 0.5;
  const edges = Array.from(
    { length: bins + 1 },
    (_, i) => i === bins ? max : min * (1 - i / bins) + max * (i / bins)
  );
  const counts = new Array(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let bin = Math.floor((v * 0.5 - min * 0.5) / halfRange * bins);
    if (bin >= bins) bin = bins - 1;
    else if (bin < 0) bin = 0;
    counts[bin] += weights ? weights[i] : 1;
  }
  return { edges, counts };
}

// src/core/sketch/hyperloglog.ts
var Q = 32;
var HyperLogLog = class {
  constructor(p = 14, registers) {
    this.p = p;
    if (!Number.isInteger(p) || p < 4 || p > 18) throw new Error("HyperLogLog precision must be 4..18");
    this.registers = registers ?? new Uint8Array(1 << p);
    this.shift = 32 - p;
  }
  p;
  registers;
  shift;
  add(h1, h2) {
    const index = h1 >>> this.shift;
    const rank = Math.clz32(h2) + 1;
    if (rank > this.registers[index]) this.registers[index] = rank;
  }
  merge(other) {
    if (other.p !== this.p)
      throw new Error(`cannot merge HyperLogLog sketches with p ${this.p} and ${other.p}`);
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) if (b[i] > a[i]) a[i] = b[i];
  }
  estimate() {
    const m = this.registers.length;
    const counts = new Float64Array(Q + 2);
    for (const r of this.registers) counts[r]++;
    let z = m * tau(1 - counts[Q + 1] / m);
    for (let k = Q; k >= 1; k--) z = 0.5 * (z + counts[k]);
    z += m * sigma(counts[0] / m);
    return m * m / (2 * Math.LN2 * z);
  }
};
function sigma(x) {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  for (; ; ) {
    x *= x;
    const previous = z;
    z += x * y;
    y += y;
    if (previous === z) return z;
  }
}
function tau(x) {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (; ; ) {
    x = Math.sqrt(x);
    const previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (previous === z) return z / 3;
  }
}

// src/core/sketch/kll.ts
var MIN_WIDTH = 8;
var SAMPLE_FROM = 16;
var MAX_SHIFT = 16;
var KllSketch = class _KllSketch {
  constructor(k = 200, seed = 1) {
    this.k = k;
    if (!Number.isInteger(k) || k < MIN_WIDTH) throw new Error(`KLL k must be an integer \u2265 ${MIN_WIDTH}`);
    this.rng = seed >>> 0 || 2654435769;
    this.capacity = this.totalCapacity();
    this.nextShiftAt = SAMPLE_FROM * k * k * 2;
  }
  k;
  n = 0;
  levels = [new Float64Array(16)];
  sizes = [0];
  total = 0;
  capacity = 0;
  caps = [];
  rng;
  /** The sampler: values enter level `shift` one per block of 2^shift. */
  shift = 0;
  block = new Float64Array(1);
  blockCount = 0;
  nextShiftAt;
  static fromState(state) {
    const sketch = new _KllSketch(state.k, state.rng);
    sketch.rng = state.rng >>> 0 || 2654435769;
    if (state.levels.length > 0) {
      sketch.levels = state.levels.map((items) => Float64Array.from(items.length > 0 ? items : [0]));
      sketch.sizes = state.levels.map((items) => items.length);
    }
    sketch.n = state.n;
    sketch.total = sketch.sizes.reduce((a, b) => a + b, 0);
    sketch.capacity = sketch.totalCapacity();
    return sketch;
  }
  /**
   * A sketch holding `count` copies of each value, without error: each count is split into
   * powers of two, one item per set bit at that level. `entries` ascending by value.
   */
  static fromCounts(entries, k, seed) {
    const sketch = new _KllSketch(k, seed);
    for (const [value, count] of entries) {
      for (let h = 0, c = count; c > 0; h++, c = Math.floor(c / 2)) {
        if (c % 2 === 0) continue;
        sketch.ensureLevel(h);
        sketch.append(h, value);
      }
      sketch.n += count;
    }
    sketch.capacity = sketch.totalCapacity();
    while (sketch.total > sketch.capacity) sketch.compress();
    return sketch;
  }
  add(x) {
    if (this.shift === 0) {
      this.append(0, x);
      if (this.total > this.capacity) this.compress();
    } else {
      this.block[this.blockCount++] = x;
      if (this.blockCount === this.block.length) {
        this.blockCount = 0;
        this.append(this.shift, this.block[this.nextUint() >>> 32 - this.shift]);
        if (this.total > this.capacity) this.compress();
      }
    }
    if (++this.n >= this.nextShiftAt) this.raiseShift();
  }
  /** Adds another sketch's items (same k). */
  merge(other) {
    if (other.k !== this.k) throw new Error(`cannot merge KLL sketches with k ${this.k} and ${other.k}`);
    this.settle();
    const state = other.state();
    state.levels.forEach((items, h) => {
      if (items.length === 0) return;
      this.ensureLevel(h);
      if (h === 0) for (const v of items) this.append(0, v);
      else this.mergeInto(h, Float64Array.from(items));
    });
    this.n += other.n;
    this.rng = (this.rng ^ Math.imul(state.rng, 2654435761)) >>> 0 || 2654435769;
    this.capacity = this.totalCapacity();
    while (this.total > this.capacity) this.compress();
    this.nextShiftAt = SAMPLE_FROM * this.k * this.k * 2;
  }
  /** Levels sorted; the sampler's partial block counted as weight-1 items of level 0. */
  state() {
    const levels = this.levels.map((items, h) => {
      const sorted = Array.from(items.subarray(0, this.sizes[h]));
      if (h === 0) for (let i = 0; i < this.blockCount; i++) sorted.push(this.block[i]);
      if (h === 0 || h === this.shift) sorted.sort((a, b) => a - b);
      return sorted;
    });
    while (levels.length > 1 && levels[levels.length - 1].length === 0) levels.pop();
    return { k: this.k, n: this.n, rng: this.rng, levels };
  }
  /** Items and their weights, sorted by value. */
  weightedItems() {
    return weightedItemsOf(this.state());
  }
  /** Recomputes the level capacities (they depend on the number of levels); returns their sum. */
  totalCapacity() {
    this.caps = this.levels.map((_, h) => levelCapacity(this.k, this.levels.length, h));
    return this.caps.reduce((a, b) => a + b, 0);
  }
  ensureLevel(h) {
    while (this.levels.length <= h) {
      this.levels.push(new Float64Array(16));
      this.sizes.push(0);
    }
  }
  /** Appends to level h without keeping it sorted (level 0 and the sampler's level). */
  append(h, x) {
    let items = this.levels[h];
    const size = this.sizes[h];
    if (size === items.length) {
      const grown = new Float64Array(size * 2);
      grown.set(items);
      this.levels[h] = items = grown;
    }
    items[size] = x;
    this.sizes[h] = size + 1;
    this.total++;
  }
  /** The sampler takes one value in 2^(shift+1) from now on (n passed 16k²·2^(shift+1)). */
  raiseShift() {
    if (this.shift >= MAX_SHIFT) {
      this.nextShiftAt = Number.POSITIVE_INFINITY;
      return;
    }
    for (let i = 0; i < this.blockCount; i++) this.append(0, this.block[i]);
    this.blockCount = 0;
    if (this.shift > 0) this.sortLevel(this.shift);
    this.shift++;
    this.ensureLevel(this.shift);
    this.capacity = this.totalCapacity();
    this.block = new Float64Array(2 ** this.shift);
    this.nextShiftAt *= 2;
    while (this.total > this.capacity) this.compress();
  }
  /** Back to sampling nothing (before a merge): the partial block goes to level 0. */
  settle() {
    for (let i = 0; i < this.blockCount; i++) this.append(0, this.block[i]);
    this.blockCount = 0;
    if (this.shift > 0) this.sortLevel(this.shift);
    this.shift = 0;
    this.block = new Float64Array(1);
  }
  sortLevel(h) {
    this.levels[h].subarray(0, this.sizes[h]).sort();
  }
  /** Compacts the lowest level over its capacity: half its items move up at double weight. */
  compress() {
    const numLevels = this.levels.length;
    let h = 0;
    while (h < numLevels - 1 && this.sizes[h] <= this.caps[h]) h++;
    if (h === numLevels - 1) {
      this.levels.push(new Float64Array(16));
      this.sizes.push(0);
      this.capacity = this.totalCapacity();
    }
    const count = this.sizes[h];
    if (h === 0 || h === this.shift) this.sortLevel(h);
    const odd = count & 1;
    const half = count - odd >> 1;
    const offset = odd + (this.nextUint() >>> 31);
    if (h + 1 === this.shift) {
      const items = this.levels[h];
      for (let j = 0; j < half; j++) this.append(h + 1, items[offset + 2 * j]);
      this.total -= half;
    } else this.mergeUp(h, offset, half);
    this.sizes[h] = odd;
    this.total -= half;
  }
  /** Merges items[offset], items[offset + 2], … (`half` of them, sorted) of level h into level h + 1, in place. */
  mergeUp(h, offset, half) {
    const source = this.levels[h];
    let target = this.levels[h + 1];
    const count = this.sizes[h + 1];
    if (count + half > target.length) {
      const grown = new Float64Array(Math.max(target.length * 2, count + half));
      grown.set(target.subarray(0, count));
      this.levels[h + 1] = target = grown;
    }
    let i = count - 1;
    let j = half - 1;
    let o = count + half - 1;
    while (j >= 0) {
      const v = source[offset + 2 * j];
      if (i >= 0 && target[i] > v) target[o--] = target[i--];
      else {
        target[o--] = v;
        j--;
      }
    }
    this.sizes[h + 1] = count + half;
  }
  nextUint() {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng;
  }
  /** Merges sorted `items` into sorted level h (merges of two sketches). */
  mergeInto(h, items) {
    const count = this.sizes[h];
    const current = this.levels[h];
    const out = new Float64Array(Math.max(16, count + items.length));
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < count && j < items.length) out[o++] = current[i] <= items[j] ? current[i++] : items[j++];
    while (i < count) out[o++] = current[i++];
    while (j < items.length) out[o++] = items[j++];
    this.levels[h] = out;
    this.sizes[h] = o;
    this.total += items.length;
  }
};
function levelCapacity(k, numLevels, h) {
  if (h === 0) return k;
  let c = k;
  for (let depth = numLevels - 1 - h; depth > 0; depth--) c = c * 2 / 3;
  return Math.max(MIN_WIDTH, Math.round(c));
}
function weightedItemsOf(state) {
  const pairs = [];
  state.levels.forEach((items, h) => {
    const weight = 2 ** h;
    for (const v of items) pairs.push([v, weight]);
  });
  pairs.sort((a, b) => a[0] - b[0]);
  return {
    values: Float64Array.from(pairs, (p) => p[0]),
    weights: Float64Array.from(pairs, (p) => p[1])
  };
}
function weightedQuantile(values, weights, q) {
  if (values.length === 0) return null;
  let total = 0;
  for (const w of weights) total += w;
  const target = q * total;
  let cumulative = 0;
  for (let i = 0; i < values.length; i++) {
    cumulative += weights[i];
    if (cumulative >= target) return values[i];
  }
  return values[values.length - 1];
}

// src/core/sketch/moments.ts
var Moments = class {
  n = 0;
  mean = 0;
  m2 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  add(x) {
    const n = ++this.n;
    const delta = x - this.mean;
    this.mean += delta / n;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }
  state() {
    return this.n === 0 ? { n: 0, mean: 0, m2: 0, min: null, max: null } : { n: this.n, mean: this.mean, m2: this.m2, min: this.min, max: this.max };
  }
};
function populationVariance(m) {
  return m.n === 0 ? null : m.m2 / m.n;
}
function sampleVariance(m) {
  return m.n < 2 ? null : m.m2 / (m.n - 1);
}

// src/core/sketch/value-hash.ts
var hashOut = new Int32Array(2);
var C1 = 3432918353 | 0;
var C2 = 461845907 | 0;
var C3 = 2246822507 | 0;
var SEED1 = 2538058380 | 0;
var SEED2 = 625341585 | 0;
function fmix32(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 2246822507);
  h ^= h >>> 13;
  h = Math.imul(h, 3266489909);
  return h ^ h >>> 16;
}
function hashBytes(bytes, view, start, end) {
  let h1 = SEED1;
  let h2 = SEED2;
  let i = start;
  const blocks = end - 3;
  while (i < blocks) {
    let k = Math.imul(view.getInt32(i, true), C1);
    k = Math.imul(k << 15 | k >>> 17, C2);
    h1 ^= k;
    h1 = Math.imul(h1 << 13 | h1 >>> 19, 5) + 3864292196 | 0;
    h2 = Math.imul((h2 << 7 | h2 >>> 25) ^ k, C3);
    i += 4;
  }
  const tail = end - i;
  if (tail > 0) {
    let k = bytes[i];
    if (tail > 1) k ^= bytes[i + 1] << 8;
    if (tail > 2) k ^= bytes[i + 2] << 16;
    k = Math.imul(k, C1);
    k = Math.imul(k << 15 | k >>> 17, C2);
    h1 ^= k;
    h2 = Math.imul((h2 << 7 | h2 >>> 25) ^ k, C3);
  }
  const length = end - start;
  hashOut[0] = fmix32(h1 ^ length);
  hashOut[1] = fmix32(h2 ^ Math.imul(length, 668265263) ^ h1);
}
var f64 = new Float64Array(1);
var words = new Int32Array(f64.buffer);
function hashNumber(value) {
  f64[0] = value === 0 ? 0 : value;
  const lo = words[0];
  const hi = words[1];
  const h1 = fmix32(lo ^ fmix32(hi ^ SEED1));
  hashOut[0] = h1;
  hashOut[1] = fmix32(Math.imul(hi ^ SEED2, C1) ^ lo ^ h1);
}
var scratch = new Uint8Array(256);
var scratchView = new DataView(scratch.buffer);
var encoder = new TextEncoder();
function utf8Scratch(text) {
  if (text.length * 3 > scratch.length) {
    scratch = new Uint8Array(Math.max(text.length * 3, scratch.length * 2));
    scratchView = new DataView(scratch.buffer);
  }
  const n = text.length;
  if (n <= 64) {
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) break;
      scratch[i] = c;
    }
    if (i === n) return { bytes: scratch, view: scratchView, length: n };
  }
  const { written } = encoder.encodeInto(text, scratch);
  return { bytes: scratch, view: scratchView, length: written };
}

// src/core/value-text.ts
var NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
var INTEGER = /^[+-]?\d+$/;
var DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
var DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?)?)?$/;
function isDate(text) {
  const m = DATE.exec(text);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}
function isDateTime(text) {
  const m = DATETIME.exec(text);
  if (m === null || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  const [hour, minute, second, offsetHour, offsetMinute] = [m[4], m[5], m[6], m[7], m[8]].map(
    (g) => g === void 0 ? 0 : Number(g)
  );
  return hour <= 23 && minute <= 59 && second <= 59 && offsetHour <= 23 && offsetMinute <= 59;
}
function validDate(year, month, day) {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && year % 100 !== 0 || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

// src/core/profile.ts
var PROFILE_SCHEMA = "mlgate.profile/v1";
var QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
var HISTOGRAM_BINS = 20;
var DEFAULT_SKETCH = {
  kll_k: 200,
  exact_values: 1e4,
  exact_counts: 1e3,
  frequent_k: 1e3,
  hll_p: 14,
  seed: 1
};
var ColumnAccumulator = class {
  constructor(settings) {
    this.settings = settings;
    this.exact = settings.exact_values > 0 ? new Float64Array(Math.min(64, settings.exact_values)) : null;
    this.hll = new HyperLogLog(settings.hll_p);
    this.numberCounts = new NumberCounts(settings.exact_counts);
    this.items = new FrequentItems(settings.frequent_k);
  }
  settings;
  nulls = 0;
  moments = new Moments();
  hll;
  numberCounts;
  items;
  exact;
  exactCount = 0;
  kll = null;
  addNull() {
    this.nulls++;
  }
  /**
   * A cell that reads as a (finite) number. The values are kept while there are at most
   * `exact_values`; the count table while at most `exact_counts` distinct; only when both
   * are gone does the KLL sketch start — from whichever was kept last, without error.
   */
  addNumber(x) {
    this.moments.add(x);
    const exact = this.exact;
    if (exact !== null && this.exactCount < exact.length) exact[this.exactCount++] = x;
    else if (exact !== null) this.overflowExact(x);
    else if (this.kll !== null) this.kll.add(x);
    hashNumber(x);
    const h1 = hashOut[0];
    this.hll.add(h1, hashOut[1]);
    if (this.numberCounts.add(x, h1)) {
      const counts = this.numberCounts.takeEntries();
      if (this.exact === null) {
        this.kll = KllSketch.fromCounts(counts, this.settings.kll_k, this.settings.seed);
        this.kll.add(x);
      }
    }
  }
  /** Any other non-null cell, as its UTF-8 bytes. Returns its count-table entry id, or -1. */
  addText(bytes, view, start, end) {
    hashBytes(bytes, view, start, end);
    const h1 = hashOut[0];
    const h2 = hashOut[1];
    this.hll.add(h1, h2);
    return this.items.add(bytes, view, start, end, h1, h2);
  }
  finish(name, rows) {
    const m = this.moments.state();
    let numbers = null;
    if (m.n > 0) {
      const values = this.exact === null ? null : Array.from(this.exact.subarray(0, this.exactCount));
      const counts = this.numberCounts.entries();
      numbers = numbersProfile(
        m,
        values,
        values === null && counts === null ? this.kll.state() : null,
        counts
      );
    }
    const text = this.items.n > 0 ? this.items.state() : null;
    return columnProfile(name, rows, this.nulls, numbers, text, () => this.hll);
  }
  /** The kept values are full: grow them up to exact_values, or let them go. */
  overflowExact(x) {
    const exact = this.exact;
    const limit = this.settings.exact_values;
    if (exact.length < limit) {
      const grown = new Float64Array(Math.min(exact.length * 2, limit));
      grown.set(exact);
      grown[this.exactCount++] = x;
      this.exact = grown;
      return;
    }
    this.exact = null;
    if (this.numberCounts.dropped) {
      const kll = new KllSketch(this.settings.kll_k, this.settings.seed);
      for (let i = 0; i < this.exactCount; i++) kll.add(exact[i]);
      kll.add(x);
      this.kll = kll;
    }
  }
};
function createProfiler(columns, opts = {}) {
  const settings = sketchSettings(opts.sketch);
  const accumulators = columns.map(() => new ColumnAccumulator(settings));
  let rows = 0;
  return {
    columns: accumulators,
    add(values) {
      rows++;
      for (let c = 0; c < accumulators.length; c++) addCell(accumulators[c], values[c] ?? null);
    },
    countRows(n) {
      rows += n;
    },
    finish() {
      return {
        schema: PROFILE_SCHEMA,
        source: { name: "", format: null, bytes: null, shard: null, ...opts.source },
        sketch: settings,
        rows,
        columns: accumulators.map((acc, c) => acc.finish(columns[c], rows))
      };
    }
  };
}
function sketchSettings(overrides = {}) {
  const settings = { ...DEFAULT_SKETCH };
  for (const key of Object.keys(settings)) {
    const value = overrides[key];
    if (value !== void 0) settings[key] = value;
  }
  return settings;
}
function cellNumber(cell) {
  if (typeof cell === "number") return Number.isFinite(cell) ? cell : Number.NaN;
  if (typeof cell === "boolean") return Number.NaN;
  const c0 = cell.charCodeAt(0);
  if (!(c0 <= 57 && (c0 >= 48 || c0 === 46 || c0 === 43 || c0 === 45)) || !NUMBER.test(cell)) {
    return Number.NaN;
  }
  const n = Number(cell);
  return Number.isFinite(n) ? n : Number.NaN;
}
function addCell(acc, cell) {
  if (cell === null) {
    acc.addNull();
    return;
  }
  const n = cellNumber(cell);
  if (!Number.isNaN(n)) {
    acc.addNumber(n);
    return;
  }
  const { bytes, view, length } = utf8Scratch(typeof cell === "string" ? cell : String(cell));
  acc.addText(bytes, view, 0, length);
}
function numbersProfile(m, values, kll, counts) {
  const min = m.min;
  const max = m.max;
  let quantiles;
  let histogram;
  const q = [...QUANTILES];
  if (values !== null) {
    values.sort((a, b) => a - b);
    quantiles = { q, values: q.map((p) => linearQuantile(values, p)), exact: true };
    histogram = { ...equalWidthHistogram(values, null, min, max, HISTOGRAM_BINS), exact: true };
  } else if (counts !== null) {
    const points = counts.map((c) => c[0]);
    const weights = counts.map((c) => c[1]);
    quantiles = { q, values: q.map((p) => countsQuantile(counts, m.n, p)), exact: true };
    histogram = { ...equalWidthHistogram(points, weights, min, max, HISTOGRAM_BINS), exact: true };
  } else {
    const items = weightedItemsOf(kll);
    quantiles = {
      q,
      values: q.map((p) => Math.min(max, Math.max(min, weightedQuantile(items.values, items.weights, p)))),
      exact: false
    };
    histogram = {
      ...equalWidthHistogram(items.values, items.weights, min, max, HISTOGRAM_BINS),
      exact: false
    };
  }
  return {
    count: m.n,
    min,
    max,
    mean: m.mean,
    m2: m.m2,
    variance: populationVariance(m),
    std: m.n < 2 ? null : Math.sqrt(sampleVariance(m)),
    values,
    counts,
    kll: values === null && counts === null ? kll : null,
    quantiles,
    histogram
  };
}
function countsQuantile(counts, n, q) {
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const f = pos - lo;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const [value, count] = counts[i];
    seen += count;
    if (seen > lo) {
      if (f === 0) return value;
      const next = seen > lo + 1 ? value : counts[i + 1][0];
      const v = value + (next - value) * f;
      return Number.isFinite(v) ? v : value * (1 - f) + next * f;
    }
  }
  return counts[counts.length - 1][0];
}
function linearQuantile(sorted, q) {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const f = pos - lo;
  const a = sorted[lo];
  if (f === 0) return a;
  const b = sorted[lo + 1];
  const v = a + (b - a) * f;
  return Number.isFinite(v) ? v : a * (1 - f) + b * f;
}
function columnProfile(name, rows, nulls, numbers, text, hll) {
  const numbersExact = numbers === null || numbers.counts !== null;
  const textExact = text === null || text.error === 0;
  let distinct;
  if (numbersExact && textExact) {
    distinct = {
      estimate: (numbers?.counts?.length ?? 0) + (text?.items.length ?? 0),
      exact: true,
      hll: null
    };
  } else {
    const sketch = hll();
    distinct = {
      estimate: Math.round(sketch.estimate()),
      exact: false,
      hll: Buffer.from(sketch.registers).toString("base64")
    };
  }
  return {
    name,
    kind: rows === nulls ? "empty" : text === null ? "numeric" : "categorical",
    count: rows,
    nulls,
    distinct,
    numbers,
    text
  };
}

// src/core/schema-check.ts
var Extreme = class {
  value = 0;
  seen = false;
  text = null;
  bytes = new Uint8Array(64);
  length = 0;
  set(value, lazy) {
    this.value = value;
    this.seen = true;
    if (typeof lazy === "string") this.text = lazy;
    else {
      const n = lazy.copyTo?.(this.bytes) ?? -1;
      if (n >= 0) {
        this.length = n;
        this.text = null;
      } else this.text = lazy.text();
    }
  }
  observed() {
    if (!this.seen) return void 0;
    return this.text ?? utf8.decode(this.bytes.subarray(0, this.length));
  }
};
var utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
var MAX_SAMPLES = 5;
var MAX_SAMPLE_CHARS = 200;
var MAX_LISTED_VALUES = 10;
var TYPE_EXPECTED = {
  number: "number",
  integer: "integer",
  string: "string",
  boolean: "boolean (true/false or 1/0)",
  date: "date (YYYY-MM-DD)",
  datetime: "datetime (ISO 8601)",
  category: "category"
};
var Tally = class {
  count = 0;
  unexpected = 0;
  samples = [];
  hit(row, line, value) {
    this.unexpected++;
    if (this.samples.length < MAX_SAMPLES) {
      this.samples.push({ row, line, value: clip(typeof value === "string" ? value : value.text()) });
    }
  }
  result(check, column, expected, observed, ok) {
    const result = {
      check,
      column,
      expected,
      ok: ok ?? this.unexpected === 0,
      element_count: this.count,
      unexpected_count: this.unexpected,
      unexpected_percent: this.count > 0 ? 100 * this.unexpected / this.count : 0,
      samples: this.samples
    };
    if (observed !== void 0) result.observed = observed;
    return result;
  }
};
function createSchemaChecker(rules, columns) {
  const indexOf = /* @__PURE__ */ new Map();
  columns.forEach((c, i) => {
    if (!indexOf.has(c)) indexOf.set(c, i);
  });
  const plans = [];
  const missing = [];
  for (const [name, columnRules] of Object.entries(rules.columns)) {
    const index = indexOf.get(name);
    if (index === void 0) missing.push(name);
    else plans.push(planColumn(name, index, columnRules));
  }
  const groups = (rules.unique_together ?? []).map((group) => {
    const indexes = group.map((c) => indexOf.get(c));
    return {
      columns: group,
      indexes: indexes.every((i) => i !== void 0) ? indexes : null,
      seen: /* @__PURE__ */ new Set(),
      tally: new Tally()
    };
  });
  const duplicateRows = rules.max_duplicate_row_share === void 0 ? null : { seen: /* @__PURE__ */ new Set(), tally: new Tally() };
  let rowCount = 0;
  const columnChecks = columns.map(() => void 0);
  for (const plan of plans) columnChecks[plan.index] = new PlanCheck(plan);
  return {
    columnChecks,
    needsRows: groups.length > 0 || duplicateRows !== null,
    mergeable: groups.length === 0 && duplicateRows === null && plans.every((p) => !p.rules.unique),
    countRow: () => ++rowCount,
    add(row) {
      rowCount++;
      const values = row.values;
      for (const plan of plans) addCell2(plan, values[plan.index] ?? null, rowCount, row.line);
      for (const group of groups) {
        if (group.indexes === null) continue;
        group.tally.count++;
        const key = JSON.stringify(group.indexes.map((i) => values[i] ?? null));
        if (group.seen.has(key)) {
          const shown = group.columns.map((c, k) => `${c}=${String(values[group.indexes[k]] ?? null)}`);
          group.tally.hit(rowCount, row.line, shown.join(", "));
        } else group.seen.add(key);
      }
      if (duplicateRows) {
        duplicateRows.tally.count++;
        const key = JSON.stringify(values);
        if (duplicateRows.seen.has(key)) duplicateRows.tally.hit(rowCount, row.line, key);
        else duplicateRows.seen.add(key);
      }
    },
    finish() {
      const results = [...tableResults(rules, columns, rowCount)];
      for (const group of groups) results.push(groupResult(group));
      if (duplicateRows) {
        const share = rowCount > 0 ? duplicateRows.tally.unexpected / rowCount : 0;
        const max = rules.max_duplicate_row_share;
        results.push(
          duplicateRows.tally.result(
            "max_duplicate_row_share",
            null,
            `\u2264 ${max}`,
            formatShare(share),
            share <= max
          )
        );
      }
      for (const name of Object.keys(rules.columns)) {
        const plan = plans.find((p) => p.name === name);
        if (plan) results.push(...columnResults(plan));
        else results.push(columnMissing(name));
      }
      return results;
    }
  };
}
function planColumn(name, index, rules) {
  const where = `schema column ${JSON.stringify(name)}`;
  if ((rules.min !== void 0 || rules.max !== void 0) && rules.type !== "number" && rules.type !== "integer") {
    throw new UserError(
      `${where}: min/max apply to number and integer columns, not ${rules.type}. Remove min/max, or change the type to number or integer.`
    );
  }
  let regex = null;
  if (rules.regex !== void 0) {
    try {
      regex = new RegExp(`^(?:${rules.regex})$`);
    } catch (err) {
      throw new UserError(
        `${where}: regex ${JSON.stringify(rules.regex)} is not a valid regular expression (${err instanceof Error ? err.message : String(err)}). Fix the pattern (JavaScript syntax).`
      );
    }
  }
  const parse = parserFor(rules.type);
  let allowed = null;
  if (rules.values !== void 0) {
    allowed = /* @__PURE__ */ new Set();
    for (const v of rules.values)
      allowed.add(valueKey(rules.type, parse(v, String(v)) ?? String(v), String(v)));
  }
  return {
    name,
    index,
    rules,
    low: rules.min,
    high: rules.max,
    hasRange: rules.min !== void 0 || rules.max !== void 0,
    shortest: rules.min_length,
    longest: rules.max_length,
    hasLengths: rules.min_length !== void 0 || rules.max_length !== void 0,
    parse,
    allowed,
    regex,
    seen: rules.unique ? /* @__PURE__ */ new Set() : null,
    rows: new Tally(),
    type: new Tally(),
    min: new Tally(),
    max: new Tally(),
    values: new Tally(),
    pattern: new Tally(),
    unique: new Tally(),
    minLength: new Tally(),
    maxLength: new Tally(),
    smallest: new Extreme(),
    largest: new Extreme()
  };
}
function addCell2(plan, cell, row, line) {
  plan.rows.count++;
  if (cell === null) {
    plan.rows.hit(row, line, "null");
    return;
  }
  const text = typeof cell === "string" ? cell : String(cell);
  addParsed(plan, plan.parse(cell, text), text, row, line);
}
function addParsed(plan, parsed, lazy, row, line) {
  const rules = plan.rules;
  plan.type.count++;
  if (parsed === void 0) plan.type.hit(row, line, lazy);
  else if (typeof parsed === "number" && plan.hasRange) {
    plan.min.count++;
    plan.max.count++;
    if (plan.low !== void 0 && parsed < plan.low) plan.min.hit(row, line, lazy);
    if (plan.high !== void 0 && parsed > plan.high) plan.max.hit(row, line, lazy);
    if (!plan.smallest.seen || parsed < plan.smallest.value) plan.smallest.set(parsed, lazy);
    if (!plan.largest.seen || parsed > plan.largest.value) plan.largest.set(parsed, lazy);
  }
  if (plan.allowed !== null) {
    plan.values.count++;
    if (parsed === void 0 || !plan.allowed.has(valueKey(rules.type, parsed, typeof lazy === "string" ? lazy : "")))
      plan.values.hit(row, line, lazy);
  }
  if (plan.hasLengths) addLength(plan, lazy, row, line);
  if (typeof lazy !== "string") return;
  const text = lazy;
  if (plan.regex !== null) {
    plan.pattern.count++;
    if (!plan.regex.test(text)) plan.pattern.hit(row, line, text);
  }
  if (plan.seen !== null) {
    plan.unique.count++;
    if (plan.seen.has(text)) plan.unique.hit(row, line, text);
    else plan.seen.add(text);
  }
}
function addLength(plan, lazy, row, line) {
  const min_length = plan.shortest;
  const max_length = plan.longest;
  const length = typeof lazy === "string" ? codePointLength(lazy) : lazy.codePoints();
  plan.minLength.count++;
  plan.maxLength.count++;
  if (min_length !== void 0 && length < min_length) plan.minLength.hit(row, line, lazy);
  if (max_length !== void 0 && length > max_length) plan.maxLength.hit(row, line, lazy);
}
function addNumberValue(plan, value, lazy, row, line) {
  plan.type.count++;
  if (Number.isNaN(value)) {
    plan.type.hit(row, line, lazy);
    if (plan.allowed !== null) {
      plan.values.count++;
      plan.values.hit(row, line, lazy);
    }
  } else {
    if (plan.hasRange) {
      plan.min.count++;
      plan.max.count++;
      if (plan.low !== void 0 && value < plan.low) plan.min.hit(row, line, lazy);
      if (plan.high !== void 0 && value > plan.high) plan.max.hit(row, line, lazy);
      if (!plan.smallest.seen || value < plan.smallest.value) plan.smallest.set(value, lazy);
      if (!plan.largest.seen || value > plan.largest.value) plan.largest.set(value, lazy);
    }
    if (plan.allowed !== null) {
      plan.values.count++;
      if (!plan.allowed.has(value)) plan.values.hit(row, line, lazy);
    }
  }
  if (plan.hasLengths) addLength(plan, lazy, row, line);
}
var PlanCheck = class {
  constructor(plan) {
    this.plan = plan;
    const { rules } = plan;
    const textType = rules.type === "string" || rules.type === "category";
    this.type = rules.type;
    this.needsText = plan.regex !== null || plan.seen !== null || rules.type === "date" || rules.type === "datetime" || plan.allowed !== null && textType;
    this.lengths = rules.min_length !== void 0 || rules.max_length !== void 0;
  }
  plan;
  type;
  needsText;
  lengths;
  nullCell(row, line) {
    this.plan.rows.count++;
    this.plan.rows.hit(row, line, "null");
  }
  textCell(text, row, line) {
    addCell2(this.plan, text, row, line);
  }
  parsedCell(parsed, text, row, line) {
    this.plan.rows.count++;
    addParsed(this.plan, parsed, text, row, line);
  }
  numberCell(value, text, row, line) {
    this.plan.rows.count++;
    addNumberValue(this.plan, value, text, row, line);
  }
  anyCell(text, row, line) {
    this.plan.rows.count++;
    this.plan.type.count++;
    if (this.lengths) addLength(this.plan, text, row, line);
  }
};
function tableResults(rules, columns, rowCount) {
  const results = [];
  const present = new Set(columns);
  if (rules.rows && (rules.rows.min !== void 0 || rules.rows.max !== void 0)) {
    const { min, max } = rules.rows;
    const ok = (min === void 0 || rowCount >= min) && (max === void 0 || rowCount <= max);
    const expected = min !== void 0 && max !== void 0 ? `between ${min} and ${max} rows` : min !== void 0 ? `\u2265 ${min} rows` : `\u2264 ${max} rows`;
    results.push(countResult("rows", expected, 1, ok ? 0 : 1, `${rowCount} rows`));
  }
  if (rules.required_columns !== void 0) {
    const absent = rules.required_columns.filter((c) => !present.has(c));
    results.push(
      countResult(
        "required_columns",
        `present: ${rules.required_columns.join(", ")}`,
        rules.required_columns.length,
        absent.length,
        absent.length > 0 ? `missing: ${absent.join(", ")}` : void 0
      )
    );
  }
  if (rules.forbidden_columns !== void 0) {
    const found = rules.forbidden_columns.filter((c) => present.has(c));
    results.push(
      countResult(
        "forbidden_columns",
        `absent: ${rules.forbidden_columns.join(", ")}`,
        rules.forbidden_columns.length,
        found.length,
        found.length > 0 ? `present: ${found.join(", ")}` : void 0
      )
    );
  }
  if (rules.additional_columns === false) {
    const extra = columns.filter((c) => !Object.hasOwn(rules.columns, c));
    results.push(
      countResult(
        "additional_columns",
        "only the configured columns",
        columns.length,
        extra.length,
        extra.length > 0 ? `extra: ${extra.join(", ")}` : void 0
      )
    );
  }
  if (rules.ordered) {
    const configured = Object.keys(rules.columns).filter((c) => present.has(c));
    const configuredSet = new Set(configured);
    const actual = columns.filter((c) => configuredSet.has(c));
    const misplaced = actual.filter((c, i) => configured[i] !== c).length;
    results.push(
      countResult(
        "ordered",
        `columns in order: ${configured.join(", ")}`,
        configured.length,
        misplaced,
        misplaced > 0 ? `got: ${actual.join(", ")}` : void 0
      )
    );
  }
  return results;
}
function groupResult(group) {
  const expected = `unique together: ${group.columns.join(", ")}`;
  if (group.indexes === null) {
    return countResult("unique_together", expected, 1, 1, "a column of the group is missing from the data");
  }
  return group.tally.result("unique_together", null, expected);
}
function columnMissing(name) {
  return { ...countResult("column_present", "present", 1, 1, "missing from the data"), column: name };
}
function columnResults(plan) {
  const { name, rules } = plan;
  const results = [plan.type.result("type", name, TYPE_EXPECTED[rules.type])];
  const nulls = plan.rows.unexpected;
  const share = plan.rows.count > 0 ? nulls / plan.rows.count : 0;
  if (rules.nullable === false) {
    results.push(plan.rows.result("nullable", name, "not null", `${nulls} null${nulls === 1 ? "" : "s"}`));
  }
  if (rules.max_null_share !== void 0) {
    const limit = rules.max_null_share;
    results.push(plan.rows.result("max_null_share", name, `\u2264 ${limit}`, formatShare(share), share <= limit));
  }
  if (rules.min !== void 0)
    results.push(plan.min.result("min", name, `\u2265 ${rules.min}`, plan.smallest.observed()));
  if (rules.max !== void 0)
    results.push(plan.max.result("max", name, `\u2264 ${rules.max}`, plan.largest.observed()));
  if (rules.values !== void 0) {
    const shown = rules.values.slice(0, MAX_LISTED_VALUES).map(String).join(", ");
    const more = rules.values.length > MAX_LISTED_VALUES ? `, \u2026 (${rules.values.length} values)` : "";
    results.push(plan.values.result("values", name, `one of ${shown}${more}`));
  }
  if (rules.regex !== void 0) results.push(plan.pattern.result("regex", name, `matches /${rules.regex}/`));
  if (rules.unique) results.push(plan.unique.result("unique", name, "unique"));
  if (rules.min_length !== void 0) {
    results.push(plan.minLength.result("min_length", name, `length \u2265 ${rules.min_length}`));
  }
  if (rules.max_length !== void 0) {
    results.push(plan.maxLength.result("max_length", name, `length \u2264 ${rules.max_length}`));
  }
  return results;
}
function countResult(check, expected, elements, unexpected, observed) {
  const tally = new Tally();
  tally.count = elements;
  tally.unexpected = unexpected;
  return tally.result(check, null, expected, observed);
}
function parserFor(type) {
  switch (type) {
    case "number":
      return (cell, text) => {
        if (typeof cell === "boolean") return void 0;
        const n = typeof cell === "number" ? cell : NUMBER.test(text) ? Number(text) : Number.NaN;
        return Number.isFinite(n) ? n : void 0;
      };
    case "integer":
      return (cell, text) => {
        if (typeof cell === "boolean") return void 0;
        const n = typeof cell === "number" ? cell : INTEGER.test(text) ? Number(text) : Number.NaN;
        return Number.isInteger(n) ? n : void 0;
      };
    case "boolean":
      return (cell, text) => {
        if (typeof cell === "boolean") return cell;
        if (typeof cell === "number") return cell === 1 ? true : cell === 0 ? false : void 0;
        if (text.length > 5) return void 0;
        const lower = text.toLowerCase();
        if (lower === "true" || text === "1") return true;
        if (lower === "false" || text === "0") return false;
        return void 0;
      };
    case "date":
      return (cell, text) => typeof cell === "string" && isDate(text) ? text : void 0;
    case "datetime":
      return (cell, text) => typeof cell === "string" && isDateTime(text) ? text : void 0;
    case "string":
    case "category":
      return (_cell, text) => text;
  }
}
function valueKey(type, parsed, text) {
  return type === "number" || type === "integer" || type === "boolean" ? parsed : text;
}
function codePointLength(text) {
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 55296 && c <= 56319) {
      const d = text.charCodeAt(i + 1);
      if (d >= 56320 && d <= 57343) {
        length--;
        i++;
      }
    }
  }
  return length;
}
function formatShare(share) {
  if (share === 0) return "0";
  return share >= 0.01 ? share.toFixed(3) : share.toPrecision(2);
}
function clip(value) {
  return value.length > MAX_SAMPLE_CHARS ? `${value.slice(0, MAX_SAMPLE_CHARS)}\u2026` : value;
}

// src/io/csv-scanner.ts
var CHUNK = 1024 * 1024;
var MAX_CARRY = 32 * 1024 * 1024;
var QUOTE = 34;
var LF = 10;
var CR = 13;
var DOT = 46;
var PLUS = 43;
var MINUS = 45;
var Bail = class {
  constructor(reason) {
    this.reason = reason;
  }
  reason;
};
function scanCsvRange(fd2, job2) {
  const profiler = createProfiler(job2.columns, { sketch: job2.sketch, source: job2.source });
  const checker = createSchemaChecker(job2.rules ?? { columns: {} }, job2.columns);
  const scanner = new CsvScanner(fd2, job2, profiler.columns, checker);
  let bailed = null;
  try {
    if (job2.start === 0) scanner.skipHeader();
    scanner.run();
  } catch (err) {
    if (!(err instanceof Bail)) throw err;
    bailed = err.reason;
  }
  profiler.countRows(scanner.rows);
  return {
    bailed,
    start: job2.start === 0 ? scanner.dataStart : job2.start,
    end: scanner.offset,
    rows: scanner.rows,
    lineBreaks: scanner.line - job2.firstLine,
    profile: profiler.finish(),
    checks: checker.finish()
  };
}
var FieldText = class {
  bytes = Buffer.alloc(0);
  start = 0;
  end = 0;
  text() {
    return this.bytes.toString("utf8", this.start, this.end);
  }
  codePoints() {
    let n = 0;
    for (let i = this.start; i < this.end; i++) if ((this.bytes[i] & 192) !== 128) n++;
    return n;
  }
  copyTo(target) {
    const length = this.end - this.start;
    if (length > target.length) return -1;
    for (let i = 0; i < length; i++) target[i] = this.bytes[this.start + i];
    return length;
  }
};
var Feed = { None: 0, Text: 1, Number: 2, Integer: 3, Any: 4, Parsed: 5 };
var CsvScanner = class {
  constructor(fd2, job2, accs, checker) {
    this.fd = fd2;
    this.accs = accs;
    this.checker = checker;
    this.chunk = job2.chunk ?? CHUNK;
    this.buf = Buffer.allocUnsafe(2 * this.chunk);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.base = job2.start;
    this.line = job2.firstLine;
    this.delimiter = job2.delimiter;
    this.delimiterMask = Math.imul(job2.delimiter, 16843009);
    this.width = job2.columns.length;
    this.stop = job2.stop;
    const needsRows = checker?.needsRows ?? false;
    this.checks = needsRows || checker === null ? [] : [...checker.columnChecks];
    this.feeds = this.checks.map(feedOf);
    this.rowCells = needsRows ? new Array(this.width).fill(null) : null;
  }
  fd;
  accs;
  checker;
  rows = 0;
  line;
  dataStart = 0;
  buf;
  view;
  chunk;
  len = 0;
  pos = 0;
  /** File offset of buf[0]. */
  base;
  eof = false;
  validated = 0;
  delimiter;
  delimiterMask;
  width;
  stop;
  checks;
  feeds;
  rowCells;
  fieldText = new FieldText();
  scratch = Buffer.allocUnsafe(4096);
  scratchView = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.scratch.length);
  header = false;
  row = 0;
  recordLine = 0;
  /** File offset of the next unread byte. */
  get offset() {
    return this.base + this.pos;
  }
  skipHeader() {
    this.fill(0);
    if (this.len >= 3 && this.buf[0] === 239 && this.buf[1] === 187 && this.buf[2] === 191) this.pos = 3;
    this.header = true;
    while (this.header) {
      if (!this.skipBlankLines()) break;
      this.record();
    }
    this.header = false;
    this.dataStart = this.offset;
  }
  run() {
    while (this.skipBlankLines() && this.offset < this.stop) this.record();
  }
  /** Skips blank lines; false at the end of the file. */
  skipBlankLines() {
    for (; ; ) {
      if (this.pos >= this.len) {
        if (this.eof) return false;
        this.fill(this.pos);
        continue;
      }
      if (this.offset >= this.stop && !this.header) return true;
      const c = this.buf[this.pos];
      if (c === LF) {
        this.pos++;
        this.line++;
        continue;
      }
      if (c === CR) {
        if (this.pos + 1 >= this.len && !this.eof) {
          this.fill(this.pos);
          continue;
        }
        if (this.pos + 1 >= this.len) {
          this.pos++;
          return false;
        }
        if (this.buf[this.pos + 1] === LF) {
          this.pos += 2;
          this.line++;
          continue;
        }
      }
      return true;
    }
  }
  /** One record from `pos`, which is not a blank line. */
  record() {
    this.recordLine = this.line;
    if (!this.header) {
      this.rows++;
      this.row = this.checker !== null && this.rowCells === null ? this.checker.countRow() : this.rows;
    }
    let col = 0;
    for (; ; ) {
      if (this.pos >= this.len) {
        if (!this.eof) {
          this.fill(this.pos);
          continue;
        }
        this.emit(col++, this.buf, this.view, this.pos, this.pos, false, Number.NaN);
        break;
      }
      const terminator = this.buf[this.pos] === QUOTE ? this.quoted(col++) : this.unquoted(col++);
      if (terminator === this.delimiter) continue;
      if (terminator === LF) this.line++;
      break;
    }
    if (this.header) {
      this.header = false;
      return;
    }
    if (col !== this.width) throw new Bail(`line ${this.recordLine}: ${col} fields`);
    if (this.rowCells !== null) this.checker.add({ line: this.recordLine, values: this.rowCells });
  }
  /**
   * An unquoted field at `pos`, up to the delimiter or LF (a CR before that LF is not part
   * of it). A field that starts like a number is parsed while it is scanned. Returns the
   * terminator (-1 at the end of the file) and leaves `pos` after it.
   */
  unquoted(col) {
    for (; ; ) {
      const buf = this.buf;
      const len = this.len;
      const start = this.pos;
      const c0 = buf[start];
      let value = Number.NaN;
      let i = start;
      if (c0 <= 57 && (c0 >= 48 || c0 === DOT || c0 === MINUS || c0 === PLUS)) {
        value = scanNumber(buf, start, len);
        i = numberEnd;
        if (i >= len) {
          if (!this.eof) {
            this.fill(start);
            continue;
          }
          this.emit(col, buf, this.view, start, i, false, value);
          this.pos = i;
          return -1;
        }
        const c = buf[i];
        if (c === this.delimiter || c === LF) {
          this.emit(col, buf, this.view, start, i, false, value);
          this.pos = i + 1;
          return c;
        }
        if (c === CR) {
          if (i + 1 >= len && !this.eof) {
            this.fill(start);
            continue;
          }
          if (i + 1 >= len || buf[i + 1] === LF) {
            this.emit(col, buf, this.view, start, i, false, value);
            this.pos = i + 2 > len ? len : i + 2;
            return i + 1 >= len ? -1 : LF;
          }
        }
        value = Number.NaN;
      }
      const j = this.fieldEnd(i);
      if (j >= len && !this.eof) {
        this.fill(start);
        continue;
      }
      const terminator = j < len ? buf[j] : -1;
      let end = j;
      if (terminator !== this.delimiter && end > start && buf[end - 1] === CR) end--;
      this.emit(col, buf, this.view, start, end, false, Number.NaN);
      this.pos = terminator === -1 ? j : j + 1;
      return terminator;
    }
  }
  /** Index of the first delimiter or LF at or after `i`, or `len`; four bytes per step. */
  fieldEnd(i) {
    const buf = this.buf;
    const view = this.view;
    const len = this.len;
    const mask = this.delimiterMask;
    const last = len - 4;
    while (i <= last) {
      const v = view.getInt32(i, true);
      const x = v ^ mask;
      const y = v ^ 168430090;
      const t = (x - 16843009 & ~x | y - 16843009 & ~y) & 2155905152;
      if (t !== 0) return i + (31 - Math.clz32(t & -t) >> 3);
      i += 4;
    }
    const delimiter = this.delimiter;
    while (i < len) {
      const c = buf[i];
      if (c === delimiter || c === LF) return i;
      i++;
    }
    return len;
  }
  /** Index of the first quote or LF at or after `i`, or `len`. */
  quoteOrLf(i) {
    const buf = this.buf;
    const view = this.view;
    const len = this.len;
    const last = len - 4;
    while (i <= last) {
      const v = view.getInt32(i, true);
      const x = v ^ 572662306;
      const y = v ^ 168430090;
      const t = (x - 16843009 & ~x | y - 16843009 & ~y) & 2155905152;
      if (t !== 0) return i + (31 - Math.clz32(t & -t) >> 3);
      i += 4;
    }
    while (i < len) {
      const c = buf[i];
      if (c === QUOTE || c === LF) return i;
      i++;
    }
    return len;
  }
  /** A quoted field at `pos`; returns the terminator (delimiter, LF or -1 for the end of the file). */
  quoted(col) {
    let from = this.pos + 1;
    let escaped = false;
    let lineBreaks = 0;
    for (; ; ) {
      const q = this.quoteOrLf(from);
      if (q >= this.len) {
        if (this.eof) throw new Bail("unterminated quote");
        const scanned = q - this.pos;
        this.fill(this.pos);
        from = this.pos + scanned;
        continue;
      }
      if (this.buf[q] === LF) {
        lineBreaks++;
        from = q + 1;
        continue;
      }
      if (q + 2 >= this.len && !this.eof) {
        const at = q - this.pos;
        this.fill(this.pos);
        from = this.pos + at;
        continue;
      }
      const next = q + 1 < this.len ? this.buf[q + 1] : -1;
      if (next === QUOTE) {
        escaped = true;
        from = q + 2;
        continue;
      }
      let terminator;
      let after;
      if (next === this.delimiter || next === LF || next === -1) {
        terminator = next;
        after = next === -1 ? q + 1 : q + 2;
      } else if (next === CR) {
        const then = q + 2 < this.len ? this.buf[q + 2] : -1;
        if (then === LF) {
          terminator = LF;
          after = q + 3;
        } else if (then === -1) {
          terminator = -1;
          after = q + 2;
        } else throw new Bail("CR after a closing quote");
      } else throw new Bail("text after a closing quote");
      this.line += lineBreaks;
      const start = this.pos + 1;
      if (escaped) {
        const length = this.unescape(start, q);
        this.emit(col, this.scratch, this.scratchView, 0, length, true, numberIn(this.scratch, 0, length));
      } else this.emit(col, this.buf, this.view, start, q, true, numberIn(this.buf, start, q));
      this.pos = after;
      return terminator;
    }
  }
  /** Copies buf[start, end) to the scratch buffer with each `""` made one quote; returns the length. */
  unescape(start, end) {
    if (end - start > this.scratch.length) {
      this.scratch = Buffer.allocUnsafe(end - start);
      this.scratchView = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.scratch.length);
    }
    const buf = this.buf;
    const out = this.scratch;
    let o = 0;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      out[o++] = c;
      if (c === QUOTE) i++;
    }
    return o;
  }
  /** One field: `num` is its value when it reads as a number, else NaN. */
  emit(col, bytes, view, start, end, quoted, num) {
    if (this.header) return;
    const acc = this.accs[col];
    if (acc === void 0) throw new Bail(`line ${this.recordLine}: more fields than columns`);
    const check = this.checks[col];
    const cells = this.rowCells;
    if (start === end && !quoted) {
      acc.addNull();
      if (check !== void 0) check.nullCell(this.row, this.recordLine);
      else if (cells !== null) cells[col] = null;
      return;
    }
    let id = -1;
    if (!Number.isNaN(num)) acc.addNumber(num);
    else id = acc.addText(bytes, view, start, end);
    if (check !== void 0) {
      const text = this.fieldText;
      text.bytes = bytes;
      text.start = start;
      text.end = end;
      switch (this.feeds[col]) {
        case Feed.Number:
          check.numberCell(num, text, this.row, this.recordLine);
          break;
        case Feed.Integer:
          check.numberCell(
            !Number.isNaN(num) && integerGrammar ? num : Number.NaN,
            text,
            this.row,
            this.recordLine
          );
          break;
        case Feed.Any:
          check.anyCell(text, this.row, this.recordLine);
          break;
        case Feed.Parsed:
          check.parsedCell(readBoolean(bytes, start, end), text, this.row, this.recordLine);
          break;
        default:
          check.textCell(id >= 0 ? acc.items.text(id) : text.text(), this.row, this.recordLine);
      }
    } else if (cells !== null) cells[col] = bytes.toString("utf8", start, end);
  }
  /**
   * Moves buf[keepFrom, len) to the front and reads the next chunk after it. `pos` moves
   * with the kept bytes. Validates UTF-8 as it goes.
   */
  fill(keepFrom) {
    let buf = this.buf;
    const keep = this.len - keepFrom;
    if (keepFrom > 0) {
      buf.copyWithin(0, keepFrom, this.len);
      this.base += keepFrom;
      this.pos -= keepFrom;
      this.validated = Math.max(0, this.validated - keepFrom);
    }
    this.len = keep;
    if (keep > MAX_CARRY) throw new Bail("a field over 32 MiB");
    if (keep + this.chunk > buf.length) {
      const grown = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(grown, 0, 0, keep);
      this.buf = buf = grown;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    }
    const n = readSync(this.fd, buf, keep, this.chunk, this.base + keep);
    if (n === 0) this.eof = true;
    this.len = keep + n;
    const cut = this.eof ? this.len : completePrefixLength(buf, this.len);
    if (cut > this.validated) {
      if (!isUtf8(buf.subarray(this.validated, cut))) throw new Bail("invalid UTF-8");
      this.validated = cut;
    }
  }
};
function feedOf(check) {
  if (check === void 0) return Feed.None;
  if (check.needsText) return Feed.Text;
  switch (check.type) {
    case "number":
      return Feed.Number;
    case "integer":
      return Feed.Integer;
    case "string":
    case "category":
      return Feed.Any;
    default:
      return Feed.Parsed;
  }
}
function numberIn(bytes, start, end) {
  const c0 = bytes[start];
  if (start === end || c0 === void 0 || c0 > 57 || c0 < 48 && c0 !== DOT && c0 !== MINUS && c0 !== PLUS) {
    return Number.NaN;
  }
  return parseNumberBytes(bytes, start, end);
}
function completePrefixLength(buf, len) {
  for (let k = 1; k <= 3 && k <= len; k++) {
    const b = buf[len - k];
    if ((b & 192) === 128) continue;
    if (b < 192) return len;
    const need = b >= 240 ? 4 : b >= 224 ? 3 : 2;
    return need > k ? len - k : len;
  }
  return len;
}
function readBoolean(bytes, start, end) {
  const n = end - start;
  if (n === 1) {
    const c = bytes[start];
    return c === 49 ? true : c === 48 ? false : void 0;
  }
  const lower = (i) => bytes[start + i] | 32;
  if (n === 4)
    return lower(0) === 116 && lower(1) === 114 && lower(2) === 117 && lower(3) === 101 ? true : void 0;
  if (n === 5) {
    return lower(0) === 102 && lower(1) === 97 && lower(2) === 108 && lower(3) === 115 && lower(4) === 101 ? false : void 0;
  }
  return void 0;
}
var POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
var integerGrammar = false;
var numberEnd = 0;
function parseNumberBytes(b, start, end) {
  const value = scanNumber(b, start, end);
  return numberEnd === end ? value : Number.NaN;
}
function scanNumber(b, start, limit) {
  integerGrammar = false;
  let i = start;
  let c = b[i];
  const negative = c === MINUS;
  if (negative || c === PLUS) i++;
  const digitsFrom = i;
  while (i < limit && b[i] === 48) i++;
  let mantissa = 0;
  const intFrom = i;
  while (i < limit) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    i++;
  }
  let significant = i - intFrom;
  let digits = i - digitsFrom;
  let scale = 0;
  let fraction = false;
  if (i < limit && b[i] === DOT) {
    fraction = true;
    i++;
    const fracFrom = i;
    if (significant === 0) {
      while (i < limit && b[i] === 48) i++;
    }
    const sigFrom = i;
    while (i < limit) {
      const d = b[i] - 48;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
      i++;
    }
    significant += i - sigFrom;
    scale = fracFrom - i;
    digits += i - fracFrom;
  }
  if (digits === 0) {
    numberEnd = i;
    return Number.NaN;
  }
  let exponent = 0;
  let hasExponent = false;
  c = b[i];
  if (i < limit && (c === 101 || c === 69)) {
    hasExponent = true;
    i++;
    let expNegative = false;
    if (i < limit && (b[i] === MINUS || b[i] === PLUS)) expNegative = b[i++] === MINUS;
    const first = i;
    while (i < limit) {
      const d = b[i] - 48;
      if (d < 0 || d > 9) break;
      if (exponent < 1e5) exponent = exponent * 10 + d;
      i++;
    }
    if (i === first) {
      numberEnd = i;
      return Number.NaN;
    }
    if (expNegative) exponent = -exponent;
  }
  numberEnd = i;
  integerGrammar = !fraction && !hasExponent;
  let value;
  const e10 = scale + exponent;
  if (mantissa === 0) value = 0;
  else if (significant <= 15 && e10 >= -22 && e10 <= 22) {
    value = e10 >= 0 ? mantissa * POW10[e10] : mantissa / POW10[-e10];
  } else {
    let text = "";
    for (let k = start; k < i; k++) text += String.fromCharCode(b[k]);
    const n = Number(text);
    return Number.isFinite(n) ? n : Number.NaN;
  }
  return negative ? -value : value;
}

// src/io/profile-worker.ts
var job = workerData;
var fd = openSync(job.path, "r");
try {
  parentPort.postMessage(scanCsvRange(fd, job));
} finally {
  closeSync(fd);
}
