/**
 * Streaming schema inference: feed rows one at a time, get a starting schema that the
 * same data passes (`createSchemaChecker(schema)` reports every check ok). Pure: no I/O.
 *
 * Values are read exactly as `schema-check.ts` reads them (its header comment has the
 * rules; the patterns below are the same). Per column, over the non-null values:
 * - type: the first that every value passes, in this order:
 *   boolean (only when at least one value is true/false as a word or JSON boolean — a
 *   column of 0/1 stays integer), integer, number, date (all plain `YYYY-MM-DD`),
 *   datetime, then category or string. A column with no values at all is string.
 * - category: otherwise-string columns with at most 20 distinct values, each value on
 *   average repeated 10 times or more (distinct ≤ 10% of non-null values); `values` lists
 *   them (sorted). This keeps ids and free text out and catches plan/island/sex codes.
 * - nullable: false when the data has no nulls; otherwise `max_null_share` is the observed
 *   share plus one percentage point, rounded up to the next 0.01 (at most 1).
 * - min / max: the observed smallest and largest value, for integer and number columns.
 * - unique: integer or string columns with no nulls, at least 2 rows and no repeated value
 *   (id-like). Values are remembered only while the column can still be integer or string
 *   (a column that looked like decimals or dates first is never claimed), and at most
 *   1,000,000 per column: past that, unique is not claimed. Memory is otherwise constant.
 * - rows.min: the observed row count less 10%, rounded down (so a small shrink passes).
 */

import type { ColumnRules, ColumnType } from "./schema-check.js";
import { INTEGER, isDate, isDateTime, NUMBER } from "./value-text.js";

type Cell = string | number | boolean | null;

export interface InferredSchema {
  columns: Record<string, ColumnRules>;
  rows?: { min: number };
}

export interface SchemaInferrer {
  add(row: { values: Cell[] }): void;
  finish(): { schema: InferredSchema; rows: number };
}

export const MAX_CATEGORY_VALUES = 20;
/** Distinct values may be at most this share of the non-null values for a category. */
export const MAX_CATEGORY_DISTINCT_SHARE = 0.1;
const MAX_UNIQUE_TRACKED = 1_000_000;
const NULL_SHARE_MARGIN = 0.01;
const ROWS_MIN_SHARE = 0.9;

// Values are read with value-text.ts, the grammar schema-check.ts uses, so inferred rules always pass.

const IS_BOOLEAN = 1;
const IS_INTEGER = 2;
const IS_NUMBER = 4;
const IS_DATE = 8;
const IS_DATETIME = 16;
const ALL_TYPES = IS_BOOLEAN | IS_INTEGER | IS_NUMBER | IS_DATE | IS_DATETIME;

interface ColumnState {
  name: string;
  nulls: number;
  values: number;
  /** Bit set of the types every value so far passes. */
  candidates: number;
  sawBooleanWord: boolean;
  min: number;
  max: number;
  /** Up to MAX_CATEGORY_VALUES + 1 distinct texts; past that, only "many". */
  distinct: Set<string>;
  /** Every text seen while the column may still be unique; null once it cannot be. */
  seen: Set<string> | null;
}

export function createSchemaInferrer(columns: string[]): SchemaInferrer {
  const states: ColumnState[] = columns.map((name) => ({
    name,
    nulls: 0,
    values: 0,
    candidates: ALL_TYPES,
    sawBooleanWord: false,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    distinct: new Set(),
    seen: new Set(),
  }));
  let rows = 0;
  return {
    add(row) {
      rows++;
      for (let c = 0; c < states.length; c++) addCell(states[c]!, row.values[c] ?? null);
    },
    finish() {
      const schema: InferredSchema = {
        columns: Object.fromEntries(states.map((s) => [s.name, columnRules(s, rows)])),
      };
      if (rows > 0) schema.rows = { min: Math.floor(rows * ROWS_MIN_SHARE) };
      return { schema, rows };
    },
  };
}

function addCell(state: ColumnState, cell: Cell): void {
  if (cell === null) {
    state.nulls++;
    state.seen = null;
    return;
  }
  state.values++;
  const text = typeof cell === "string" ? cell : String(cell);
  let candidates = state.candidates;
  if (candidates !== 0) {
    if (candidates & IS_BOOLEAN) {
      const word = booleanWord(cell, text);
      if (word) state.sawBooleanWord = true;
      else if (!isBoolean(cell, text)) candidates &= ~IS_BOOLEAN;
    }
    if (candidates & (IS_INTEGER | IS_NUMBER)) {
      const n = numberOf(cell, text);
      if (n === undefined) candidates &= ~(IS_INTEGER | IS_NUMBER);
      else {
        if (n < state.min) state.min = n;
        if (n > state.max) state.max = n;
        if (candidates & IS_INTEGER && !isInteger(cell, text, n)) candidates &= ~IS_INTEGER;
      }
    }
    if (candidates & IS_DATE && !(typeof cell === "string" && isDate(text))) candidates &= ~IS_DATE;
    if (candidates & IS_DATETIME && !(typeof cell === "string" && isDateTime(text))) {
      candidates &= ~IS_DATETIME;
    }
    state.candidates = candidates;
  }
  if (state.distinct.size <= MAX_CATEGORY_VALUES) state.distinct.add(text);
  const seen = state.seen;
  if (seen !== null) {
    // Only integer or (so far) string columns can be claimed unique: stop remembering others.
    if ((candidates & IS_INTEGER) === 0 && candidates !== 0) state.seen = null;
    else if (seen.has(text) || seen.size >= MAX_UNIQUE_TRACKED) state.seen = null;
    else seen.add(text);
  }
}

function columnRules(state: ColumnState, rows: number): ColumnRules {
  const type = typeOf(state);
  const rules: ColumnRules = { type };
  if (rows > 0 && state.nulls === 0) rules.nullable = false;
  else if (state.nulls > 0 && state.nulls < rows) rules.max_null_share = nullShareLimit(state.nulls / rows);
  if ((type === "integer" || type === "number") && state.values > 0) {
    rules.min = state.min;
    rules.max = state.max;
  }
  if (type === "category") rules.values = [...state.distinct].sort(compareCodePoints);
  if (
    (type === "integer" || type === "string") &&
    state.seen !== null &&
    state.nulls === 0 &&
    state.values >= 2
  ) {
    rules.unique = true;
  }
  return rules;
}

function typeOf(state: ColumnState): ColumnType {
  const { candidates, values } = state;
  if (values === 0) return "string";
  if (candidates & IS_BOOLEAN && state.sawBooleanWord) return "boolean";
  if (candidates & IS_INTEGER) return "integer";
  if (candidates & IS_NUMBER) return "number";
  if (candidates & IS_DATE) return "date";
  if (candidates & IS_DATETIME) return "datetime";
  const distinct = state.distinct.size;
  return distinct <= MAX_CATEGORY_VALUES && distinct <= values * MAX_CATEGORY_DISTINCT_SHARE
    ? "category"
    : "string";
}

/** The observed share plus a margin, rounded up to the next 0.01; always ≥ the share. */
export function nullShareLimit(share: number): number {
  return Math.min(1, Math.ceil((share + NULL_SHARE_MARGIN) * 100) / 100);
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------
// Reading values: mirrors parserFor() in schema-check.ts

function booleanWord(cell: Exclude<Cell, null>, text: string): boolean {
  if (typeof cell === "boolean") return true;
  if (typeof cell === "number" || text.length > 5) return false;
  const lower = text.toLowerCase();
  return lower === "true" || lower === "false";
}

function isBoolean(cell: Exclude<Cell, null>, text: string): boolean {
  if (typeof cell === "boolean") return true;
  if (typeof cell === "number") return cell === 1 || cell === 0;
  return text === "1" || text === "0";
}

/** The value as a number when `number` accepts it. */
function numberOf(cell: Exclude<Cell, null>, text: string): number | undefined {
  if (typeof cell === "boolean") return undefined;
  const n = typeof cell === "number" ? cell : NUMBER.test(text) ? Number(text) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

function isInteger(cell: Exclude<Cell, null>, text: string, n: number): boolean {
  return Number.isInteger(n) && (typeof cell === "number" || INTEGER.test(text));
}
