/**
 * HyperLogLog distinct count (Flajolet et al. 2007) over the 64-bit value hashes of
 * `value-hash.ts`: the first hash picks one of m = 2^p registers (top p bits), the second
 * gives the rank (leading zeros + 1, so registers hold 0..33). Merging takes the register
 * maximum, which is exact: merge(sketch(A), sketch(B)) = sketch(A ∪ B).
 *
 * The estimate is Ertl's improved estimator (2017, "New cardinality estimation algorithms
 * for HyperLogLog sketches", algorithm 6), unbiased from 0 to far beyond 10^9 without the
 * bias tables of HLL++. Standard error ≈ 1.04/√m: 0.81% at the default p = 14 (16 KiB).
 */

const Q = 32; // rank bits: registers range over 0..Q+1

export class HyperLogLog {
  readonly registers: Uint8Array;
  private readonly shift: number;

  constructor(
    readonly p = 14,
    registers?: Uint8Array,
  ) {
    if (!Number.isInteger(p) || p < 4 || p > 18) throw new Error("HyperLogLog precision must be 4..18");
    this.registers = registers ?? new Uint8Array(1 << p);
    this.shift = 32 - p;
  }

  add(h1: number, h2: number): void {
    const index = h1 >>> this.shift;
    const rank = Math.clz32(h2) + 1;
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  merge(other: HyperLogLog): void {
    if (other.p !== this.p)
      throw new Error(`cannot merge HyperLogLog sketches with p ${this.p} and ${other.p}`);
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) if (b[i]! > a[i]!) a[i] = b[i]!;
  }

  estimate(): number {
    const m = this.registers.length;
    const counts = new Float64Array(Q + 2);
    for (const r of this.registers) counts[r]!++;
    let z = m * tau(1 - counts[Q + 1]! / m);
    for (let k = Q; k >= 1; k--) z = 0.5 * (z + counts[k]!);
    z += m * sigma(counts[0]! / m);
    return (m * m) / (2 * Math.LN2 * z);
  }
}

/** Standard error of the estimate for precision p. */
export function hllStandardError(p: number): number {
  return 1.04 / Math.sqrt(2 ** p);
}

function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const previous = z;
    z += x * y;
    y += y;
    if (previous === z) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (previous === z) return z / 3;
  }
}
