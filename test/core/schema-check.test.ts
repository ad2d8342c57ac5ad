import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CheckResult,
  type ColumnRules,
  type ColumnType,
  createSchemaChecker,
  type TableRules,
} from "../../src/core/schema-check.js";
import { UserError } from "../../src/errors.js";

type Value = string | number | boolean | null;

/** Runs the checker over rows; row i (0-based) sits on line i + 2, as under a header line. */
function check(rules: TableRules, columns: string[], rows: Value[][]): CheckResult[] {
  const checker = createSchemaChecker(rules, columns);
  rows.forEach((values, i) => {
    checker.add({ line: i + 2, values });
  });
  return checker.finish();
}

function result(results: CheckResult[], check: string, column: string | null = null): CheckResult {
  const found = results.find((r) => r.check === check && r.column === column);
  if (!found)
    throw new Error(`no ${check} result for ${column}; got ${results.map((r) => r.check).join(", ")}`);
  return found;
}

/** One column, one rule set: the results for that column. */
function checkColumn(rules: ColumnRules, values: Value[]): CheckResult[] {
  return check(
    { columns: { x: rules } },
    ["x"],
    values.map((v) => [v]),
  );
}

/** The values, as text, that the type check rejects (each checked on its own). */
function rejected(type: ColumnType, values: Value[]): string[] {
  return values
    .filter((v) => result(checkColumn({ type }, [v]), "type", "x").unexpected_count > 0)
    .map((v) => String(v));
}

const customers: Value[][] = [
  // id, age, plan, fee, churned
  ["c1", "34", "basic", "9.5", "true"],
  ["c2", null, "plus", "19", "false"],
  ["c3", "17", "pro", "29", "1"],
  ["c4", "x40", "gold", "-1", "0"],
  ["c1", "130", "basic", null, "TRUE"],
  ["c6", null, "plus", "19", "yes"],
];
const customerColumns = ["id", "age", "plan", "fee", "churned"];

describe("value parsing", () => {
  it("number: finite decimals and scientific notation only", () => {
    const ok = ["0", "-1", "+2.5", "3.", ".5", "1e-3", "2E+10", "-0.0"];
    const bad = ["NaN", "inf", "-Infinity", "1,000", " 1", "1 ", "0x10", "1e", "e3", ".", "1e999", "abc", ""];
    expect(rejected("number", [...ok, ...bad])).toEqual(bad);
    const results = checkColumn({ type: "number" }, [...ok, ...bad]);
    const type = result(results, "type", "x");
    expect(type.unexpected_count).toBe(bad.length);
    expect(type.element_count).toBe(ok.length + bad.length);
  });

  it("integer: optional sign and digits; 3.0 and 1e3 are not integers", () => {
    expect(rejected("integer", ["0", "-12", "+7", "007", "3.0", "1e3", "1.5", " 4", "four"])).toEqual([
      "3.0",
      "1e3",
      "1.5",
      " 4",
      "four",
    ]);
    // JSONL numbers: integral values pass; JSON 3.0 arrives as 3
    expect(rejected("integer", [3, 3.5, true])).toEqual(["3.5", "true"]);
  });

  it("boolean: true/false in any case and 1/0", () => {
    expect(
      rejected("boolean", ["true", "False", "TRUE", "1", "0", true, 0, 1, "yes", "t", "2", 2, "01"]),
    ).toEqual(["yes", "t", "2", "2", "01"]);
  });

  it("date: YYYY-MM-DD and a real calendar date", () => {
    expect(
      rejected("date", [
        "2024-02-29",
        "2000-02-29",
        "2023-02-29",
        "1900-02-29",
        "2024-13-01",
        "2024-1-5",
        "2024-04-31",
      ]),
    ).toEqual(["2023-02-29", "1900-02-29", "2024-13-01", "2024-1-5", "2024-04-31"]);
    expect(rejected("date", ["2024-01-01T00:00:00Z", 20240101])).toEqual([
      "2024-01-01T00:00:00Z",
      "20240101",
    ]);
  });

  it("datetime: ISO 8601 with T or space, optional seconds, fraction and offset; a plain date is midnight", () => {
    const ok = [
      "2024-05-01T10:20:30Z",
      "2024-05-01 10:20",
      "2024-05-01T10:20:30.123456+02:00",
      "2024-05-01T23:59:59-0530",
      "2024-05-01T00:00+01",
      "2024-05-01",
    ];
    const bad = [
      "2024-05-01T24:00:00",
      "2024-05-01T10:60",
      "2024-02-30T00:00",
      "2024-05-01T10",
      "10:20:30",
      "May 1",
    ];
    expect(rejected("datetime", [...ok, ...bad])).toEqual(bad);
  });

  it("string and category accept any non-null value", () => {
    expect(rejected("string", ["", "x", 3, false])).toEqual([]);
    expect(rejected("category", ["NA", 1])).toEqual([]);
  });

  it("property: what JavaScript prints for a number, an integer, a date or a datetime is accepted", () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.maxSafeInteger(),
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        (x, n, d) => {
          const iso = d.toISOString();
          expect(rejected("number", [String(x), x])).toEqual([]);
          expect(rejected("integer", [String(n), n])).toEqual([]);
          expect(rejected("date", [iso.slice(0, 10)])).toEqual([]);
          expect(rejected("datetime", [iso, iso.replace("T", " ").replace("Z", "+00:00")])).toEqual([]);
        },
      ),
    );
  });
});

describe("column checks", () => {
  it("type: counts non-null values, reports percent and the first samples with row and line", () => {
    const results = check({ columns: { age: { type: "integer" } } }, customerColumns, customers);
    expect(result(results, "type", "age")).toEqual({
      check: "type",
      column: "age",
      expected: "integer",
      ok: false,
      element_count: 4,
      unexpected_count: 1,
      unexpected_percent: 25,
      samples: [{ row: 4, line: 5, value: "x40" }],
    });
    const passing = check({ columns: { fee: { type: "number" } } }, customerColumns, customers);
    expect(result(passing, "type", "fee")).toMatchObject({ ok: true, element_count: 5, unexpected_count: 0 });
  });

  it("nullable: false flags every null", () => {
    const results = check(
      { columns: { age: { type: "integer", nullable: false } } },
      customerColumns,
      customers,
    );
    expect(result(results, "nullable", "age")).toEqual({
      check: "nullable",
      column: "age",
      expected: "not null",
      ok: false,
      element_count: 6,
      unexpected_count: 2,
      unexpected_percent: (100 * 2) / 6,
      observed: "2 nulls",
      samples: [
        { row: 2, line: 3, value: "null" },
        { row: 6, line: 7, value: "null" },
      ],
    });
    const ok = check({ columns: { id: { type: "string", nullable: false } } }, customerColumns, customers);
    expect(result(ok, "nullable", "id")).toMatchObject({ ok: true, unexpected_count: 0, samples: [] });
  });

  it("nullable: true (the default) adds no check", () => {
    const results = check(
      { columns: { age: { type: "integer", nullable: true } } },
      customerColumns,
      customers,
    );
    expect(results.map((r) => r.check)).toEqual(["type"]);
  });

  it("max_null_share: compares the share of nulls and shows it", () => {
    const tight = check(
      { columns: { age: { type: "integer", max_null_share: 0.3 } } },
      customerColumns,
      customers,
    );
    expect(result(tight, "max_null_share", "age")).toMatchObject({
      expected: "≤ 0.3",
      ok: false,
      element_count: 6,
      unexpected_count: 2,
      observed: "0.333",
    });
    const loose = check(
      { columns: { age: { type: "integer", max_null_share: 0.5 } } },
      customerColumns,
      customers,
    );
    expect(result(loose, "max_null_share", "age")).toMatchObject({ ok: true, unexpected_count: 2 });
  });

  it("min/max: over valid values only, with the extremes observed", () => {
    const rules: TableRules = { columns: { age: { type: "integer", min: 18, max: 120 } } };
    const results = check(rules, customerColumns, customers);
    expect(result(results, "min", "age")).toEqual({
      check: "min",
      column: "age",
      expected: "≥ 18",
      ok: false,
      element_count: 3, // 34, 17, 130: "x40" failed the type check and is skipped
      unexpected_count: 1,
      unexpected_percent: 100 / 3,
      observed: "17",
      samples: [{ row: 3, line: 4, value: "17" }],
    });
    expect(result(results, "max", "age")).toMatchObject({
      expected: "≤ 120",
      ok: false,
      unexpected_count: 1,
      observed: "130",
      samples: [{ row: 5, line: 6, value: "130" }],
    });
    const fee = check({ columns: { fee: { type: "number", min: -5, max: 29 } } }, customerColumns, customers);
    expect(result(fee, "min", "fee")).toMatchObject({ ok: true, observed: "-1", element_count: 5 });
    expect(result(fee, "max", "fee")).toMatchObject({ ok: true, observed: "29" });
  });

  it("values: categories as text, numbers and booleans by value", () => {
    const plan = check(
      { columns: { plan: { type: "category", values: ["basic", "plus", "pro"] } } },
      customerColumns,
      customers,
    );
    expect(result(plan, "values", "plan")).toMatchObject({
      expected: "one of basic, plus, pro",
      ok: false,
      element_count: 6,
      unexpected_count: 1,
      samples: [{ row: 4, line: 5, value: "gold" }],
    });
    const numbers = checkColumn({ type: "number", values: [1, 2.5] }, ["1.0", "2.50", "1e0", "3", "x"]);
    expect(result(numbers, "values", "x").samples.map((s) => s.value)).toEqual(["3", "x"]);
    const flags = checkColumn({ type: "boolean", values: [true] }, ["TRUE", "1", true, "false"]);
    expect(result(flags, "values", "x")).toMatchObject({
      unexpected_count: 1,
      samples: [{ value: "false" }],
    });
    const many = checkColumn({ type: "integer", values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }, ["12"]);
    expect(result(many, "values", "x")).toMatchObject({
      ok: true,
      expected: "one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … (12 values)",
    });
    const codes = checkColumn({ type: "category", values: [1, 2] }, ["1", 2, "3"]);
    expect(result(codes, "values", "x").samples.map((s) => s.value)).toEqual(["3"]);
  });

  it("regex: must match the whole value", () => {
    const results = check({ columns: { id: { type: "string", regex: "c\\d" } } }, customerColumns, [
      ["c1"],
      ["c12"],
      ["xc1"],
      [null],
      ["c9"],
    ]);
    expect(result(results, "regex", "id")).toMatchObject({
      expected: "matches /c\\d/",
      ok: false,
      element_count: 4,
      unexpected_count: 2,
      unexpected_percent: 50,
      samples: [
        { row: 2, line: 3, value: "c12" },
        { row: 3, line: 4, value: "xc1" },
      ],
    });
    const alternation = checkColumn({ type: "string", regex: "a|b" }, ["a", "b", "ab"]);
    expect(result(alternation, "regex", "x").samples.map((s) => s.value)).toEqual(["ab"]);
  });

  it("unique: every repeat after the first occurrence is unexpected; nulls are ignored", () => {
    const results = checkColumn({ type: "string", unique: true }, ["a", "b", "a", null, null, "a", "b", "c"]);
    expect(result(results, "unique", "x")).toMatchObject({
      ok: false,
      element_count: 6,
      unexpected_count: 3,
      unexpected_percent: 50,
      samples: [
        { row: 3, line: 4, value: "a" },
        { row: 6, line: 7, value: "a" },
        { row: 7, line: 8, value: "b" },
      ],
    });
    expect(result(checkColumn({ type: "string", unique: true }, ["a", "b"]), "unique", "x").ok).toBe(true);
  });

  it("min_length/max_length: count code points", () => {
    const results = checkColumn({ type: "string", min_length: 2, max_length: 3 }, [
      "ab",
      "a",
      "😀😀😀",
      "abcd",
      null,
    ]);
    expect(result(results, "min_length", "x")).toMatchObject({
      expected: "length ≥ 2",
      ok: false,
      element_count: 4,
      unexpected_count: 1,
      samples: [{ row: 2, value: "a" }],
    });
    expect(result(results, "max_length", "x")).toMatchObject({
      expected: "length ≤ 3",
      unexpected_count: 1,
      samples: [{ row: 4, value: "abcd" }],
    });
  });

  it("keeps only the first 5 samples and clips long values", () => {
    const long = "y".repeat(500);
    const results = checkColumn({ type: "integer" }, [long, "a", "1", "b", "c", "d", "e", "f"]);
    const type = result(results, "type", "x");
    expect(type.unexpected_count).toBe(7);
    expect(type.samples.map((s) => s.row)).toEqual([1, 2, 4, 5, 6]);
    expect(type.samples[0]!.value).toBe(`${"y".repeat(200)}…`);
  });

  it("a configured column missing from the data gives one column_present failure", () => {
    const results = check(
      { columns: { score: { type: "number", min: 0, nullable: false } } },
      ["id"],
      [["a"]],
    );
    expect(results).toEqual([
      {
        check: "column_present",
        column: "score",
        expected: "present",
        ok: false,
        element_count: 1,
        unexpected_count: 1,
        unexpected_percent: 100,
        observed: "missing from the data",
        samples: [],
      },
    ]);
  });

  it("reads JSONL-native numbers and booleans", () => {
    const results = check(
      {
        columns: {
          n: { type: "number", min: 0 },
          b: { type: "boolean" },
          s: { type: "string", max_length: 1 },
        },
      },
      ["n", "b", "s"],
      [
        [1.5, true, 7],
        [-2, "false", 42],
        [true, 3, null],
      ],
    );
    expect(result(results, "type", "n").samples.map((s) => s.value)).toEqual(["true"]);
    expect(result(results, "min", "n").samples.map((s) => s.value)).toEqual(["-2"]);
    expect(result(results, "type", "b").samples.map((s) => s.value)).toEqual(["3"]);
    expect(result(results, "max_length", "s").samples.map((s) => s.value)).toEqual(["42"]);
  });
});

describe("table checks", () => {
  it("rows: bounds on the row count", () => {
    const few = check({ columns: {}, rows: { min: 10 } }, customerColumns, customers);
    expect(result(few, "rows")).toMatchObject({ expected: "≥ 10 rows", ok: false, observed: "6 rows" });
    const fits = check({ columns: {}, rows: { min: 1, max: 6 } }, customerColumns, customers);
    expect(result(fits, "rows")).toMatchObject({ expected: "between 1 and 6 rows", ok: true });
    const many = check({ columns: {}, rows: { max: 5 } }, customerColumns, customers);
    expect(result(many, "rows")).toMatchObject({ expected: "≤ 5 rows", ok: false, unexpected_count: 1 });
  });

  it("required, forbidden and additional columns", () => {
    const results = check(
      {
        columns: { id: { type: "string" }, age: { type: "integer" } },
        required_columns: ["id", "label", "score"],
        forbidden_columns: ["ssn", "plan"],
        additional_columns: false,
      },
      customerColumns,
      [],
    );
    expect(result(results, "required_columns")).toMatchObject({
      ok: false,
      element_count: 3,
      unexpected_count: 2,
      observed: "missing: label, score",
    });
    expect(result(results, "forbidden_columns")).toMatchObject({
      expected: "absent: ssn, plan",
      ok: false,
      unexpected_count: 1,
      observed: "present: plan",
    });
    expect(result(results, "additional_columns")).toMatchObject({
      ok: false,
      element_count: 5,
      unexpected_count: 3,
      observed: "extra: plan, fee, churned",
    });
    const fine = check(
      { columns: { id: { type: "string" } }, required_columns: ["id"], forbidden_columns: ["ssn"] },
      ["id"],
      [],
    );
    expect(fine.every((r) => r.ok)).toBe(true);
  });

  it("ordered: configured columns must appear in the configured order", () => {
    const rules: TableRules = {
      columns: { id: { type: "string" }, plan: { type: "string" } },
      ordered: true,
    };
    expect(result(check(rules, customerColumns, []), "ordered").ok).toBe(true);
    const swapped = check(rules, ["plan", "age", "id"], []);
    expect(result(swapped, "ordered")).toMatchObject({
      ok: false,
      unexpected_count: 2,
      observed: "got: plan, id",
    });
  });

  it("unique_together and max_duplicate_row_share", () => {
    const rows: Value[][] = [
      ["a", "1", "x"],
      ["a", "2", "x"],
      ["a", "1", "y"],
      ["a", "1", "x"],
      ["b", null, "z"],
    ];
    const results = check(
      {
        columns: {},
        unique_together: [
          ["k", "n"],
          ["k", "missing"],
        ],
        max_duplicate_row_share: 0.1,
      },
      ["k", "n", "v"],
      rows,
    );
    const groups = results.filter((r) => r.check === "unique_together");
    expect(groups[0]).toMatchObject({
      expected: "unique together: k, n",
      ok: false,
      element_count: 5,
      unexpected_count: 2,
      samples: [
        { row: 3, line: 4, value: "k=a, n=1" },
        { row: 4, line: 5, value: "k=a, n=1" },
      ],
    });
    expect(groups[1]).toMatchObject({
      ok: false,
      observed: "a column of the group is missing from the data",
    });
    expect(result(results, "max_duplicate_row_share")).toMatchObject({
      expected: "≤ 0.1",
      ok: false,
      unexpected_count: 1,
      observed: "0.200",
      samples: [{ row: 4, line: 5, value: '["a","1","x"]' }],
    });
  });

  it("results come in a stable order: table checks, then columns in rules order, checks in a fixed order", () => {
    const rules: TableRules = {
      additional_columns: false,
      required_columns: ["id"],
      rows: { min: 1 },
      forbidden_columns: ["ssn"],
      columns: {
        plan: { values: ["basic"], type: "category", nullable: false },
        age: {
          max_length: 3,
          min_length: 1,
          unique: true,
          regex: "\\d+",
          values: [1],
          max: 9,
          min: 0,
          max_null_share: 0.5,
          nullable: false,
          type: "integer",
        },
        gone: { type: "string" },
      },
    };
    const order = check(rules, customerColumns, customers).map(
      (r) => `${r.check}${r.column ? `:${r.column}` : ""}`,
    );
    expect(order).toEqual([
      "rows",
      "required_columns",
      "forbidden_columns",
      "additional_columns",
      "type:plan",
      "nullable:plan",
      "values:plan",
      "type:age",
      "nullable:age",
      "max_null_share:age",
      "min:age",
      "max:age",
      "values:age",
      "regex:age",
      "unique:age",
      "min_length:age",
      "max_length:age",
      "column_present:gone",
    ]);
  });

  it("an empty table passes column checks with zero counts", () => {
    const results = check({ columns: { age: { type: "integer", max_null_share: 0, min: 0 } } }, ["age"], []);
    expect(results.every((r) => r.ok && r.element_count === 0 && r.unexpected_percent === 0)).toBe(true);
  });
});

describe("rules the checker cannot apply", () => {
  it("an invalid regex is a UserError naming the column", () => {
    expect(() => createSchemaChecker({ columns: { id: { type: "string", regex: "(" } } }, ["id"])).toThrow(
      UserError,
    );
    expect(() => createSchemaChecker({ columns: { id: { type: "string", regex: "(" } } }, ["id"])).toThrow(
      /schema column "id": regex "\(" is not a valid regular expression/,
    );
  });

  it("min/max on a non-numeric column is a UserError with the fix", () => {
    expect(() => createSchemaChecker({ columns: { plan: { type: "category", min: 1 } } }, ["plan"])).toThrow(
      /schema column "plan": min\/max apply to number and integer columns, not category\. Remove min\/max/,
    );
  });
});
