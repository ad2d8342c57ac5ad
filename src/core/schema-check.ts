/**
 * Streaming schema checks: feed rows one at a time, get one result per configured
 * check. Pure: no I/O. Memory is constant per column except for `unique`,
 * `unique_together` and `max_duplicate_row_share`, which remember the values seen.
 *
 * How values are read (cells are strings from CSV/TSV, native values from JSONL):
 * - null: only a null cell. `NA`, `NaN`, `null` as text are ordinary strings.
 * - number: a finite decimal, optionally signed, with optional fraction and exponent
 *   (`-1`, `3.`, `.5`, `1e-3`). No surrounding spaces, no `NaN`/`inf`, no `1,000`.
 * - integer: optional sign and digits only (`-12`); `3.0` and `1e3` are not integers.
 *   A JSONL number counts when it has no fraction (JSON `3.0` arrives as 3).
 * - boolean: `true`/`false` in any letter case, or `1`/`0` (text or JSON number).
 * - date: `YYYY-MM-DD`, a real calendar date (leap years included).
 * - datetime: ISO 8601 / RFC 3339 `YYYY-MM-DD[T| ]HH:MM[:SS[.fff]][Z|±HH[:MM]]`, or a
 *   plain date (read as midnight, as pandas writes all-midnight columns). Without an
 *   offset the value is accepted as local time of unknown zone.
 * - string / category: any non-null value; JSONL numbers/booleans are read as their text.
 * Each check is independent: a value of the wrong type fails `type`, is skipped by
 * `min`/`max`, and (not being of the column's type) is not one of the allowed `values`.
 * `regex` must match the whole value; lengths count Unicode code points; `unique`
 * compares the text of values and counts every repeat after the first occurrence.
 */

import { UserError } from "../errors.js";
import { INTEGER, isDate, isDateTime, NUMBER } from "./value-text.js";

export type ColumnType = "number" | "integer" | "string" | "boolean" | "date" | "datetime" | "category";

export interface ColumnRules {
  type: ColumnType;
  /** Default true. */
  nullable?: boolean;
  max_null_share?: number;
  min?: number;
  max?: number;
  values?: (string | number | boolean)[];
  regex?: string;
  unique?: boolean;
  min_length?: number;
  max_length?: number;
}

export interface TableRules {
  columns: Record<string, ColumnRules>;
  rows?: { min?: number; max?: number };
  required_columns?: string[];
  forbidden_columns?: string[];
  /** Default true. */
  additional_columns?: boolean;
  /** Configured columns must appear in the listed order. Default false. */
  ordered?: boolean;
  /** Compound keys whose value combinations must be unique. */
  unique_together?: string[][];
  max_duplicate_row_share?: number;
}

export interface CheckSample {
  /** 1-based data row (the header is not a row). */
  row: number;
  line: number;
  value: string;
}

export interface CheckResult {
  /**
   * "type", "nullable", "max_null_share", "min", "max", "values", "regex", "unique",
   * "min_length", "max_length", "rows", "required_columns", "forbidden_columns",
   * "additional_columns", "column_present", "ordered", "unique_together",
   * "max_duplicate_row_share".
   */
  check: string;
  column: string | null;
  /** Human: "≤ 0.01", "integer", "one of basic, plus, pro". */
  expected: string;
  ok: boolean;
  element_count: number;
  unexpected_count: number;
  unexpected_percent: number;
  /** e.g. "0.034" for shares, "3 rows", the smallest value seen. */
  observed?: string;
  /** First 5 offending values. */
  samples: CheckSample[];
}

export interface SchemaChecker {
  add(row: { line: number; values: (string | number | boolean | null)[] }): void;
  finish(): CheckResult[];
  /**
   * For scanners that parse values themselves (the fast CSV path): the checks of each data
   * column (undefined when it has no rules). Feed a row as `countRow()` and then one call
   * per checked column; the results equal `add` on the same row's text.
   * Not usable when `needsRows` (rules over whole rows): use `add` then.
   */
  readonly columnChecks: readonly (ColumnCheck | undefined)[];
  readonly needsRows: boolean;
  /** Results of parts of a table can be combined by `mergeCheckResults` (no uniqueness rules). */
  readonly mergeable: boolean;
  /** Counts one row fed through `columnChecks`; returns its 1-based number. */
  countRow(): number;
}

/** A cell's text, produced only when a result needs it (samples, observed extremes). */
export interface LazyText {
  text(): string;
  /** Length in Unicode code points (what min_length/max_length count). */
  codePoints(): number;
  /**
   * Copies the UTF-8 bytes into `target` and returns their length, or -1 when they do
   * not fit. Lets sorted data update its min/max on every row without decoding text.
   */
  copyTo?(target: Uint8Array): number;
}

/** The smallest or largest value so far and its text, kept as bytes until asked for. */
class Extreme {
  value = 0;
  seen = false;
  private text: string | null = null;
  private readonly bytes = new Uint8Array(64);
  private length = 0;

  set(value: number, lazy: string | LazyText): void {
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

  observed(): string | undefined {
    if (!this.seen) return undefined;
    return this.text ?? utf8.decode(this.bytes.subarray(0, this.length));
  }
}

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

export interface ColumnCheck {
  readonly type: ColumnType;
  /**
   * The rules read the text (regex, unique, allowed values of a text type, date and
   * datetime types): give every value to `textCell`. Otherwise to `numberCell` (number and
   * integer), `anyCell` (string and category) or `parsedCell` (boolean).
   */
  readonly needsText: boolean;
  nullCell(row: number, line: number): void;
  /** A non-null CSV value as text: exactly what `add` does with it. */
  textCell(text: string, row: number, line: number): void;
  /** number/integer: the value, NaN when the cell is not of the type. */
  numberCell(value: number, text: LazyText, row: number, line: number): void;
  /** string/category: any non-null value is of the type. */
  anyCell(text: LazyText, row: number, line: number): void;
  /**
   * A non-null value already read for `type`: for number/integer the value, for boolean
   * the boolean, for string/category any string; undefined when it is not of the type
   * (number: the number grammar and finite; integer: sign and digits, finite).
   */
  parsedCell(parsed: string | number | boolean | undefined, text: LazyText, row: number, line: number): void;
}

type Cell = string | number | boolean | null;
type Parsed = string | number | boolean;

const MAX_SAMPLES = 5;
const MAX_SAMPLE_CHARS = 200;
const MAX_LISTED_VALUES = 10;

const TYPE_EXPECTED: Record<ColumnType, string> = {
  number: "number",
  integer: "integer",
  string: "string",
  boolean: "boolean (true/false or 1/0)",
  date: "date (YYYY-MM-DD)",
  datetime: "datetime (ISO 8601)",
  category: "category",
};

/** Counts offending values and keeps the first few. */
class Tally {
  count = 0;
  unexpected = 0;
  readonly samples: CheckSample[] = [];

  hit(row: number, line: number, value: string | LazyText): void {
    this.unexpected++;
    if (this.samples.length < MAX_SAMPLES) {
      this.samples.push({ row, line, value: clip(typeof value === "string" ? value : value.text()) });
    }
  }

  result(
    check: string,
    column: string | null,
    expected: string,
    observed?: string,
    ok?: boolean,
  ): CheckResult {
    const result: CheckResult = {
      check,
      column,
      expected,
      ok: ok ?? this.unexpected === 0,
      element_count: this.count,
      unexpected_count: this.unexpected,
      unexpected_percent: this.count > 0 ? (100 * this.unexpected) / this.count : 0,
      samples: this.samples,
    };
    if (observed !== undefined) result.observed = observed;
    return result;
  }
}

interface ColumnPlan {
  name: string;
  index: number;
  rules: ColumnRules;
  // The bounds copied out of `rules` (user objects of many shapes): hot paths read one shape.
  low: number | undefined;
  high: number | undefined;
  hasRange: boolean;
  shortest: number | undefined;
  longest: number | undefined;
  hasLengths: boolean;
  parse: (cell: Exclude<Cell, null>, text: string) => Parsed | undefined;
  allowed: Set<Parsed> | null;
  regex: RegExp | null;
  seen: Set<string> | null;
  rows: Tally; // nullable and max_null_share: every row, nulls are unexpected
  type: Tally;
  min: Tally;
  max: Tally;
  values: Tally;
  pattern: Tally;
  unique: Tally;
  minLength: Tally;
  maxLength: Tally;
  smallest: Extreme;
  largest: Extreme;
}

interface GroupPlan {
  columns: string[];
  indexes: number[] | null; // null when a column is missing from the data
  seen: Set<string>;
  tally: Tally;
}

export function createSchemaChecker(rules: TableRules, columns: string[]): SchemaChecker {
  const indexOf = new Map<string, number>();
  columns.forEach((c, i) => {
    if (!indexOf.has(c)) indexOf.set(c, i);
  });
  const plans: ColumnPlan[] = [];
  const missing: string[] = [];
  for (const [name, columnRules] of Object.entries(rules.columns)) {
    const index = indexOf.get(name);
    if (index === undefined) missing.push(name);
    else plans.push(planColumn(name, index, columnRules));
  }
  const groups: GroupPlan[] = (rules.unique_together ?? []).map((group) => {
    const indexes = group.map((c) => indexOf.get(c));
    return {
      columns: group,
      indexes: indexes.every((i) => i !== undefined) ? (indexes as number[]) : null,
      seen: new Set(),
      tally: new Tally(),
    };
  });
  const duplicateRows =
    rules.max_duplicate_row_share === undefined ? null : { seen: new Set<string>(), tally: new Tally() };
  let rowCount = 0;
  const columnChecks: (ColumnCheck | undefined)[] = columns.map(() => undefined);
  for (const plan of plans) columnChecks[plan.index] = new PlanCheck(plan);

  return {
    columnChecks,
    needsRows: groups.length > 0 || duplicateRows !== null,
    mergeable: groups.length === 0 && duplicateRows === null && plans.every((p) => !p.rules.unique),
    countRow: () => ++rowCount,
    add(row) {
      rowCount++;
      const values = row.values;
      for (const plan of plans) addCell(plan, values[plan.index] ?? null, rowCount, row.line);
      for (const group of groups) {
        if (group.indexes === null) continue;
        group.tally.count++;
        const key = JSON.stringify(group.indexes.map((i) => values[i] ?? null));
        if (group.seen.has(key)) {
          const shown = group.columns.map((c, k) => `${c}=${String(values[group.indexes![k]!] ?? null)}`);
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
      const results: CheckResult[] = [...tableResults(rules, columns, rowCount)];
      for (const group of groups) results.push(groupResult(group));
      if (duplicateRows) {
        const share = rowCount > 0 ? duplicateRows.tally.unexpected / rowCount : 0;
        const max = rules.max_duplicate_row_share!;
        results.push(
          duplicateRows.tally.result(
            "max_duplicate_row_share",
            null,
            `≤ ${max}`,
            formatShare(share),
            share <= max,
          ),
        );
      }
      for (const name of Object.keys(rules.columns)) {
        const plan = plans.find((p) => p.name === name);
        if (plan) results.push(...columnResults(plan));
        else results.push(columnMissing(name));
      }
      return results;
    },
  };
}

function planColumn(name: string, index: number, rules: ColumnRules): ColumnPlan {
  const where = `schema column ${JSON.stringify(name)}`;
  if (
    (rules.min !== undefined || rules.max !== undefined) &&
    rules.type !== "number" &&
    rules.type !== "integer"
  ) {
    throw new UserError(
      `${where}: min/max apply to number and integer columns, not ${rules.type}. ` +
        "Remove min/max, or change the type to number or integer.",
    );
  }
  let regex: RegExp | null = null;
  if (rules.regex !== undefined) {
    try {
      regex = new RegExp(`^(?:${rules.regex})$`);
    } catch (err) {
      throw new UserError(
        `${where}: regex ${JSON.stringify(rules.regex)} is not a valid regular expression ` +
          `(${err instanceof Error ? err.message : String(err)}). Fix the pattern (JavaScript syntax).`,
      );
    }
  }
  const parse = parserFor(rules.type);
  let allowed: Set<Parsed> | null = null;
  if (rules.values !== undefined) {
    allowed = new Set();
    for (const v of rules.values)
      allowed.add(valueKey(rules.type, parse(v, String(v)) ?? String(v), String(v)));
  }
  return {
    name,
    index,
    rules,
    low: rules.min,
    high: rules.max,
    hasRange: rules.min !== undefined || rules.max !== undefined,
    shortest: rules.min_length,
    longest: rules.max_length,
    hasLengths: rules.min_length !== undefined || rules.max_length !== undefined,
    parse,
    allowed,
    regex,
    seen: rules.unique ? new Set() : null,
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
    largest: new Extreme(),
  };
}

function addCell(plan: ColumnPlan, cell: Cell, row: number, line: number): void {
  plan.rows.count++;
  if (cell === null) {
    plan.rows.hit(row, line, "null");
    return;
  }
  const text = typeof cell === "string" ? cell : String(cell);
  addParsed(plan, plan.parse(cell, text), text, row, line);
}

/** The checks after reading: `text` is a string, or lazy when no rule needs the text itself. */
function addParsed(
  plan: ColumnPlan,
  parsed: Parsed | undefined,
  lazy: string | LazyText,
  row: number,
  line: number,
): void {
  const rules = plan.rules;
  plan.type.count++;
  if (parsed === undefined) plan.type.hit(row, line, lazy);
  else if (typeof parsed === "number" && plan.hasRange) {
    plan.min.count++;
    plan.max.count++;
    if (plan.low !== undefined && parsed < plan.low) plan.min.hit(row, line, lazy);
    if (plan.high !== undefined && parsed > plan.high) plan.max.hit(row, line, lazy);
    if (!plan.smallest.seen || parsed < plan.smallest.value) plan.smallest.set(parsed, lazy);
    if (!plan.largest.seen || parsed > plan.largest.value) plan.largest.set(parsed, lazy);
  }
  if (plan.allowed !== null) {
    plan.values.count++;
    if (
      parsed === undefined ||
      !plan.allowed.has(valueKey(rules.type, parsed, typeof lazy === "string" ? lazy : ""))
    )
      plan.values.hit(row, line, lazy);
  }
  if (plan.hasLengths) addLength(plan, lazy, row, line);
  if (typeof lazy !== "string") return; // no rule below applies (see needsText)
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

function addLength(plan: ColumnPlan, lazy: string | LazyText, row: number, line: number): void {
  const min_length = plan.shortest;
  const max_length = plan.longest;
  const length = typeof lazy === "string" ? codePointLength(lazy) : lazy.codePoints();
  plan.minLength.count++;
  plan.maxLength.count++;
  if (min_length !== undefined && length < min_length) plan.minLength.hit(row, line, lazy);
  if (max_length !== undefined && length > max_length) plan.maxLength.hit(row, line, lazy);
}

/** `addParsed` for a number/integer column's value (NaN: not of the type), without the polymorphism. */
function addNumberValue(plan: ColumnPlan, value: number, lazy: LazyText, row: number, line: number): void {
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
      if (plan.low !== undefined && value < plan.low) plan.min.hit(row, line, lazy);
      if (plan.high !== undefined && value > plan.high) plan.max.hit(row, line, lazy);
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

/** A class, not closures: one shape and one method per call site keeps the scanner's calls inlinable. */
class PlanCheck implements ColumnCheck {
  readonly type: ColumnType;
  readonly needsText: boolean;
  private readonly lengths: boolean;

  constructor(private readonly plan: ColumnPlan) {
    const { rules } = plan;
    const textType = rules.type === "string" || rules.type === "category";
    this.type = rules.type;
    this.needsText =
      plan.regex !== null ||
      plan.seen !== null ||
      rules.type === "date" ||
      rules.type === "datetime" ||
      (plan.allowed !== null && textType);
    this.lengths = rules.min_length !== undefined || rules.max_length !== undefined;
  }

  nullCell(row: number, line: number): void {
    this.plan.rows.count++;
    this.plan.rows.hit(row, line, "null");
  }

  textCell(text: string, row: number, line: number): void {
    addCell(this.plan, text, row, line);
  }

  parsedCell(parsed: string | number | boolean | undefined, text: LazyText, row: number, line: number): void {
    this.plan.rows.count++;
    addParsed(this.plan, parsed, text, row, line);
  }

  numberCell(value: number, text: LazyText, row: number, line: number): void {
    this.plan.rows.count++;
    addNumberValue(this.plan, value, text, row, line);
  }

  anyCell(text: LazyText, row: number, line: number): void {
    this.plan.rows.count++;
    this.plan.type.count++;
    if (this.lengths) addLength(this.plan, text, row, line);
  }
}

function tableResults(rules: TableRules, columns: string[], rowCount: number): CheckResult[] {
  const results: CheckResult[] = [];
  const present = new Set(columns);
  if (rules.rows && (rules.rows.min !== undefined || rules.rows.max !== undefined)) {
    const { min, max } = rules.rows;
    const ok = (min === undefined || rowCount >= min) && (max === undefined || rowCount <= max);
    const expected =
      min !== undefined && max !== undefined
        ? `between ${min} and ${max} rows`
        : min !== undefined
          ? `≥ ${min} rows`
          : `≤ ${max} rows`;
    results.push(countResult("rows", expected, 1, ok ? 0 : 1, `${rowCount} rows`));
  }
  if (rules.required_columns !== undefined) {
    const absent = rules.required_columns.filter((c) => !present.has(c));
    results.push(
      countResult(
        "required_columns",
        `present: ${rules.required_columns.join(", ")}`,
        rules.required_columns.length,
        absent.length,
        absent.length > 0 ? `missing: ${absent.join(", ")}` : undefined,
      ),
    );
  }
  if (rules.forbidden_columns !== undefined) {
    const found = rules.forbidden_columns.filter((c) => present.has(c));
    results.push(
      countResult(
        "forbidden_columns",
        `absent: ${rules.forbidden_columns.join(", ")}`,
        rules.forbidden_columns.length,
        found.length,
        found.length > 0 ? `present: ${found.join(", ")}` : undefined,
      ),
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
        extra.length > 0 ? `extra: ${extra.join(", ")}` : undefined,
      ),
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
        misplaced > 0 ? `got: ${actual.join(", ")}` : undefined,
      ),
    );
  }
  return results;
}

function groupResult(group: GroupPlan): CheckResult {
  const expected = `unique together: ${group.columns.join(", ")}`;
  if (group.indexes === null) {
    return countResult("unique_together", expected, 1, 1, "a column of the group is missing from the data");
  }
  return group.tally.result("unique_together", null, expected);
}

function columnMissing(name: string): CheckResult {
  return { ...countResult("column_present", "present", 1, 1, "missing from the data"), column: name };
}

function columnResults(plan: ColumnPlan): CheckResult[] {
  const { name, rules } = plan;
  const results: CheckResult[] = [plan.type.result("type", name, TYPE_EXPECTED[rules.type])];
  const nulls = plan.rows.unexpected;
  const share = plan.rows.count > 0 ? nulls / plan.rows.count : 0;
  if (rules.nullable === false) {
    results.push(plan.rows.result("nullable", name, "not null", `${nulls} null${nulls === 1 ? "" : "s"}`));
  }
  if (rules.max_null_share !== undefined) {
    const limit = rules.max_null_share;
    results.push(plan.rows.result("max_null_share", name, `≤ ${limit}`, formatShare(share), share <= limit));
  }
  if (rules.min !== undefined)
    results.push(plan.min.result("min", name, `≥ ${rules.min}`, plan.smallest.observed()));
  if (rules.max !== undefined)
    results.push(plan.max.result("max", name, `≤ ${rules.max}`, plan.largest.observed()));
  if (rules.values !== undefined) {
    const shown = rules.values.slice(0, MAX_LISTED_VALUES).map(String).join(", ");
    const more = rules.values.length > MAX_LISTED_VALUES ? `, … (${rules.values.length} values)` : "";
    results.push(plan.values.result("values", name, `one of ${shown}${more}`));
  }
  if (rules.regex !== undefined) results.push(plan.pattern.result("regex", name, `matches /${rules.regex}/`));
  if (rules.unique) results.push(plan.unique.result("unique", name, "unique"));
  if (rules.min_length !== undefined) {
    results.push(plan.minLength.result("min_length", name, `length ≥ ${rules.min_length}`));
  }
  if (rules.max_length !== undefined) {
    results.push(plan.maxLength.result("max_length", name, `length ≤ ${rules.max_length}`));
  }
  return results;
}

/**
 * Combines the results of consecutive parts of one table (shards of a file, in order),
 * each checked by a `mergeable` checker with the same rules and columns, into the results
 * of the whole table. Samples must already carry the whole table's row and line numbers.
 */
export function mergeCheckResults(
  rules: TableRules,
  columns: string[],
  parts: readonly { checks: readonly CheckResult[]; rows: number }[],
): CheckResult[] {
  const first = parts[0];
  if (first === undefined) return [];
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const table = new Map(tableResults(rules, columns, rows).map((r) => [r.check, r]));
  return first.checks.map((head, i) => {
    const all = parts.map((p) => p.checks[i]!);
    if (all.some((r) => r === undefined || r.check !== head.check || r.column !== head.column)) {
      throw new Error("mergeCheckResults: parts were checked with different rules");
    }
    if (head.column === null) return table.get(head.check) ?? head;
    if (head.check === "column_present") return head;
    const tally = new Tally();
    for (const r of all) {
      tally.count += r.element_count;
      tally.unexpected += r.unexpected_count;
      for (const sample of r.samples) if (tally.samples.length < MAX_SAMPLES) tally.samples.push(sample);
    }
    const colRules = rules.columns[head.column];
    switch (head.check) {
      case "nullable":
        return tally.result(
          head.check,
          head.column,
          head.expected,
          `${tally.unexpected} null${tally.unexpected === 1 ? "" : "s"}`,
        );
      case "max_null_share": {
        const share = tally.count > 0 ? tally.unexpected / tally.count : 0;
        const limit = colRules?.max_null_share ?? 1;
        return tally.result(head.check, head.column, head.expected, formatShare(share), share <= limit);
      }
      case "min":
      case "max": {
        // The first part holding the extreme wins ties, as the first occurrence does in one pass.
        let observed: string | undefined;
        for (const r of all) {
          if (r.observed === undefined) continue;
          const better =
            head.check === "min"
              ? Number(r.observed) < Number(observed)
              : Number(r.observed) > Number(observed);
          if (observed === undefined || better) observed = r.observed;
        }
        return tally.result(head.check, head.column, head.expected, observed);
      }
      default:
        return tally.result(head.check, head.column, head.expected);
    }
  });
}

function countResult(
  check: string,
  expected: string,
  elements: number,
  unexpected: number,
  observed: string | undefined,
): CheckResult {
  const tally = new Tally();
  tally.count = elements;
  tally.unexpected = unexpected;
  return tally.result(check, null, expected, observed);
}

// ---------------------------------------------------------------------------------
// Reading values

function parserFor(type: ColumnType): (cell: Exclude<Cell, null>, text: string) => Parsed | undefined {
  switch (type) {
    case "number":
      return (cell, text) => {
        if (typeof cell === "boolean") return undefined;
        const n = typeof cell === "number" ? cell : NUMBER.test(text) ? Number(text) : Number.NaN;
        return Number.isFinite(n) ? n : undefined;
      };
    case "integer":
      return (cell, text) => {
        if (typeof cell === "boolean") return undefined;
        const n = typeof cell === "number" ? cell : INTEGER.test(text) ? Number(text) : Number.NaN;
        return Number.isInteger(n) ? n : undefined;
      };
    case "boolean":
      return (cell, text) => {
        if (typeof cell === "boolean") return cell;
        if (typeof cell === "number") return cell === 1 ? true : cell === 0 ? false : undefined;
        if (text.length > 5) return undefined;
        const lower = text.toLowerCase();
        if (lower === "true" || text === "1") return true;
        if (lower === "false" || text === "0") return false;
        return undefined;
      };
    case "date":
      return (cell, text) => (typeof cell === "string" && isDate(text) ? text : undefined);
    case "datetime":
      return (cell, text) => (typeof cell === "string" && isDateTime(text) ? text : undefined);
    case "string":
    case "category":
      return (_cell, text) => text;
  }
}

/** What `values` compares: the number/boolean for those types, the text otherwise. */
function valueKey(type: ColumnType, parsed: Parsed, text: string): Parsed {
  return type === "number" || type === "integer" || type === "boolean" ? parsed : text;
}

function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}

function formatShare(share: number): string {
  if (share === 0) return "0";
  return share >= 0.01 ? share.toFixed(3) : share.toPrecision(2);
}

function clip(value: string): string {
  return value.length > MAX_SAMPLE_CHARS ? `${value.slice(0, MAX_SAMPLE_CHARS)}…` : value;
}
