/**
 * Row-level diff of one dataset between two commits (the data section of the
 * PR comment): rows added, removed and changed by a key, or — without a key —
 * added/removed as a multiset of row hashes (a changed row then counts as one
 * removed plus one added).
 *
 * Memory is one number pair per base row (a 53-bit hash of the key and of the
 * row), bounded by `maxRows`; past it the diff says it was skipped rather than
 * guessing. Two different rows share a 53-bit hash with probability ~n²/2⁵⁴
 * (≈ 1e-4 at 1M rows), which would hide one change.
 */
export type DiffCell = string | number | boolean | null;

export interface RowDiff {
  by: "key" | "row-hash";
  key: string[] | null;
  added: number;
  removed: number;
  /** Rows whose key is on both sides with different values; null without a key. */
  changed: number | null;
  unchanged: number;
  /** Keys seen more than once on a side (by key only); their later rows are not compared. */
  duplicate_keys: number;
  /** First few keys per kind (by key only), as text. */
  samples: { added: string[]; removed: string[]; changed: string[] };
  /** Set when the diff was not computed. */
  skipped: string | null;
}

export interface DiffSide {
  columns: string[];
  rows: AsyncIterable<{ values: DiffCell[] }>;
}

const SAMPLES = 5;

export async function diffRows(
  base: DiffSide,
  head: DiffSide,
  key: string[] | null,
  maxRows = 2_000_000,
): Promise<RowDiff> {
  const result: RowDiff = {
    by: key ? "key" : "row-hash",
    key,
    added: 0,
    removed: 0,
    changed: key ? 0 : null,
    unchanged: 0,
    duplicate_keys: 0,
    samples: { added: [], removed: [], changed: [] },
    skipped: null,
  };
  const missingKey = key?.find((k) => !base.columns.includes(k) || !head.columns.includes(k));
  if (missingKey !== undefined) {
    result.skipped = `key column "${missingKey}" is not on both sides`;
    return result;
  }
  // compare the columns both sides have, in the head's order
  const common = head.columns.filter((c) => base.columns.includes(c));
  const baseIdx = common.map((c) => base.columns.indexOf(c));
  const headIdx = common.map((c) => head.columns.indexOf(c));
  const keyBase = key?.map((k) => base.columns.indexOf(k)) ?? [];
  const keyHead = key?.map((k) => head.columns.indexOf(k)) ?? [];

  if (key) {
    const seen = new Map<number, { row: number; text: string; matched: boolean }>();
    for await (const { values } of base.rows) {
      if (seen.size >= maxRows) return skip(result, maxRows);
      const k = hashCells(values, keyBase);
      if (seen.has(k)) {
        result.duplicate_keys++;
        continue;
      }
      seen.set(k, { row: hashCells(values, baseIdx), text: keyText(values, keyBase), matched: false });
    }
    const headKeys = new Set<number>();
    for await (const { values } of head.rows) {
      const k = hashCells(values, keyHead);
      if (headKeys.has(k)) {
        result.duplicate_keys++;
        continue;
      }
      headKeys.add(k);
      if (headKeys.size > maxRows) return skip(result, maxRows);
      const before = seen.get(k);
      if (!before) {
        result.added++;
        sample(result.samples.added, keyText(values, keyHead));
      } else {
        before.matched = true;
        if (before.row === hashCells(values, headIdx)) result.unchanged++;
        else {
          result.changed = (result.changed ?? 0) + 1;
          sample(result.samples.changed, before.text);
        }
      }
    }
    for (const entry of seen.values()) {
      if (entry.matched) continue;
      result.removed++;
      sample(result.samples.removed, entry.text);
    }
    return result;
  }

  const counts = new Map<number, number>();
  let baseRows = 0;
  for await (const { values } of base.rows) {
    if (++baseRows > maxRows) return skip(result, maxRows);
    const h = hashCells(values, baseIdx);
    counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  for await (const { values } of head.rows) {
    const h = hashCells(values, headIdx);
    const left = counts.get(h) ?? 0;
    if (left > 0) {
      counts.set(h, left - 1);
      result.unchanged++;
    } else result.added++;
  }
  for (const left of counts.values()) result.removed += left;
  return result;
}

function skip(result: RowDiff, maxRows: number): RowDiff {
  return {
    ...result,
    added: 0,
    removed: 0,
    changed: null,
    unchanged: 0,
    skipped: `more than ${maxRows} rows`,
  };
}

function sample(list: string[], text: string): void {
  if (list.length < SAMPLES) list.push(text);
}

function keyText(values: readonly DiffCell[], idx: number[]): string {
  return idx.map((i) => String(values[i] ?? "")).join(", ");
}

/**
 * A 53-bit hash of the selected cells (cyrb53-style: two 32-bit lanes with
 * Math.imul mixing). Each cell is tagged with its type so "1" ≠ 1 ≠ true ≠ null.
 */
export function hashCells(values: readonly DiffCell[], idx: readonly number[]): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  const mix = (code: number) => {
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  };
  for (const i of idx) {
    const v = values[i] ?? null;
    const text = v === null ? "" : String(v);
    mix(v === null ? 1 : typeof v === "string" ? 2 : typeof v === "number" ? 3 : 4);
    for (let c = 0; c < text.length; c++) mix(text.charCodeAt(c));
    mix(0x1f);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
