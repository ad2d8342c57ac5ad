/**
 * Exact per-column samples of raw data for drift tests: a column is numeric
 * while every non-null value reads as a number (the same rule as the schema
 * checks and profiles), and categorical otherwise. Numbers are kept in a
 * growable Float64Array (8 bytes a value); category counts up to
 * `maxCategories` distinct values, past which the column is left out with a
 * note rather than tested on a truncated distribution.
 */
import type { ColumnSample } from "./drift.js";
import { type Cell, cellNumber } from "./profile.js";

export interface CollectedColumn {
  name: string;
  sample: ColumnSample | null;
  note: string | null;
}

class GrowableNumbers {
  private data = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  values(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

interface Collector {
  numbers: GrowableNumbers | null;
  counts: Map<string, number> | null;
}

function count(s: Collector, key: string, max: number): void {
  const counts = s.counts!;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  if (counts.size > max) s.counts = null;
}

export interface SampleCollector {
  add(values: readonly Cell[]): void;
  finish(): CollectedColumn[];
}

export function createSampleCollector(columns: readonly string[], maxCategories = 100_000): SampleCollector {
  const state: Collector[] = columns.map(() => ({ numbers: new GrowableNumbers(), counts: null }));
  return {
    add(values) {
      for (let i = 0; i < state.length; i++) {
        const cell = values[i] ?? null;
        if (cell === null) continue;
        const s = state[i]!;
        if (s.numbers) {
          const n = cellNumber(cell);
          if (!Number.isNaN(n)) {
            s.numbers.push(n);
            continue;
          }
          // not a numeric column after all: count what was seen so far as categories
          // (numbers re-read as text, so "1.0" and "1" become one category)
          s.counts = new Map();
          for (const x of s.numbers.values()) count(s, String(x), maxCategories);
          s.numbers = null;
        }
        if (s.counts) count(s, String(cell), maxCategories);
      }
    },
    finish() {
      return columns.map((name, i) => {
        const s = state[i]!;
        if (s.numbers)
          return { name, sample: { kind: "numeric", values: s.numbers.values(), exact: true }, note: null };
        if (s.counts) return { name, sample: { kind: "categorical", counts: s.counts }, note: null };
        return {
          name,
          sample: null,
          note: `more than ${maxCategories} distinct text values: not tested for drift`,
        };
      });
    },
  };
}
