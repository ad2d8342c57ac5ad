/**
 * Hashes of cell values for the distinct-count sketch and the count tables: two 32-bit
 * hashes (64 bits together) of a value's UTF-8 bytes, or of a number's IEEE-754 bits.
 *
 * Bytes are consumed four at a time (MurmurHash3_x86_32's block step for the first hash,
 * a second multiply-rotate lane for the other) and finished with MurmurHash3's fmix32, so
 * every input bit reaches every output bit. Not cryptographic: count tables compare the
 * bytes on a hash match, so a collision never merges two values there; in HyperLogLog a
 * 64-bit collision is negligible (≈ n²/2^65).
 *
 * Every reader hashes the same bytes the same way (the CSV scanner reads its buffer, the
 * generic path encodes the string first), which is what makes their profiles identical.
 */

/** Output of the last `hashBytes`/`hashNumber` call: [h1, h2]. Avoids an allocation per value. */
export const hashOut = new Int32Array(2);

const C1 = 0xcc9e2d51 | 0;
const C2 = 0x1b873593 | 0;
const C3 = 0x85ebca6b | 0;
const SEED1 = 0x9747b28c | 0;
const SEED2 = 0x2545f491 | 0;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Hashes `bytes[start, end)` into `hashOut`. `view` must be a DataView over the same
 * memory as `bytes` (same buffer and byteOffset).
 */
export function hashBytes(bytes: Uint8Array, view: DataView, start: number, end: number): void {
  let h1 = SEED1;
  let h2 = SEED2;
  let i = start;
  const blocks = end - 3;
  while (i < blocks) {
    let k = Math.imul(view.getInt32(i, true), C1);
    k = Math.imul((k << 15) | (k >>> 17), C2);
    h1 ^= k;
    h1 = (Math.imul((h1 << 13) | (h1 >>> 19), 5) + 0xe6546b64) | 0;
    h2 = Math.imul(((h2 << 7) | (h2 >>> 25)) ^ k, C3);
    i += 4;
  }
  const tail = end - i;
  if (tail > 0) {
    let k = bytes[i]!;
    if (tail > 1) k ^= bytes[i + 1]! << 8;
    if (tail > 2) k ^= bytes[i + 2]! << 16;
    k = Math.imul(k, C1);
    k = Math.imul((k << 15) | (k >>> 17), C2);
    h1 ^= k;
    h2 = Math.imul(((h2 << 7) | (h2 >>> 25)) ^ k, C3);
  }
  const length = end - start;
  hashOut[0] = fmix32(h1 ^ length);
  hashOut[1] = fmix32(h2 ^ Math.imul(length, 0x27d4eb2f) ^ h1);
}

const f64 = new Float64Array(1);
const words = new Int32Array(f64.buffer);

/** Hashes a finite number by value (so `1.50` and `1.5` are one value; -0 counts as 0). */
export function hashNumber(value: number): void {
  f64[0] = value === 0 ? 0 : value;
  const lo = words[0]!;
  const hi = words[1]!;
  const h1 = fmix32(lo ^ fmix32(hi ^ SEED1));
  hashOut[0] = h1;
  hashOut[1] = fmix32(Math.imul(hi ^ SEED2, C1) ^ lo ^ h1);
}

let scratch = new Uint8Array(256);
let scratchView = new DataView(scratch.buffer);
const encoder = new TextEncoder();

/** UTF-8 bytes of `text` in a shared scratch buffer (valid until the next call). */
export function utf8Scratch(text: string): { bytes: Uint8Array; view: DataView; length: number } {
  if (text.length * 3 > scratch.length) {
    scratch = new Uint8Array(Math.max(text.length * 3, scratch.length * 2));
    scratchView = new DataView(scratch.buffer);
  }
  // Short ASCII text (most categories) is copied directly: cheaper than a call into the encoder.
  const n = text.length;
  if (n <= 64) {
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      scratch[i] = c;
    }
    if (i === n) return { bytes: scratch, view: scratchView, length: n };
  }
  const { written } = encoder.encodeInto(text, scratch);
  return { bytes: scratch, view: scratchView, length: written };
}

/** Hashes the UTF-8 bytes of `text`, as a reader of that text's bytes would. */
export function hashText(text: string): void {
  const { bytes, view, length } = utf8Scratch(text);
  hashBytes(bytes, view, 0, length);
}
