import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DiffCell, diffRows, hashCells } from "../../src/core/row-diff.js";

async function* rowsOf(rows: DiffCell[][]) {
  for (const values of rows) yield { values };
}
const side = (columns: string[], rows: DiffCell[][]) => ({ columns, rows: rowsOf(rows) });

describe("diffRows", () => {
  it("by key: added, removed, changed, unchanged, with samples", async () => {
    const base = side(
      ["id", "x"],
      [
        ["1", "a"],
        ["2", "b"],
        ["3", "c"],
      ],
    );
    const head = side(
      ["id", "x"],
      [
        ["1", "a"],
        ["2", "B"],
        ["4", "d"],
        ["5", "e"],
      ],
    );
    const d = await diffRows(base, head, ["id"]);
    expect(d).toMatchObject({
      by: "key",
      added: 2,
      removed: 1,
      changed: 1,
      unchanged: 1,
      duplicate_keys: 0,
      skipped: null,
    });
    expect(d.samples).toEqual({ added: ["4", "5"], removed: ["3"], changed: ["2"] });
  });

  it("compares only the columns both sides have (a new column alone changes no row)", async () => {
    const base = side(["id", "x"], [["1", "a"]]);
    const head = side(["id", "x", "y"], [["1", "a", "new"]]);
    expect(await diffRows(base, head, ["id"])).toMatchObject({ unchanged: 1, changed: 0 });
  });

  it("without a key: a multiset of rows (a changed row is one removed plus one added)", async () => {
    const base = side(["x"], [["a"], ["a"], ["b"]]);
    const head = side(["x"], [["a"], ["b"], ["c"]]);
    expect(await diffRows(base, head, null)).toMatchObject({
      by: "row-hash",
      added: 1,
      removed: 1,
      changed: null,
      unchanged: 2,
    });
  });

  it("counts duplicate keys and says when a key column is missing", async () => {
    const dup = await diffRows(side(["id"], [["1"], ["1"]]), side(["id"], [["1"]]), ["id"]);
    expect(dup.duplicate_keys).toBe(1);
    const missing = await diffRows(side(["a"], []), side(["id"], []), ["id"]);
    expect(missing.skipped).toBe('key column "id" is not on both sides');
  });

  it("skips rather than guesses past the row bound", async () => {
    const d = await diffRows(side(["x"], [["a"], ["b"], ["c"]]), side(["x"], []), null, 2);
    expect(d.skipped).toBe("more than 2 rows");
  });

  it("property: diffing a table with itself finds no change; counts always add up", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.string({ maxLength: 3 })), { maxLength: 40 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.string({ maxLength: 3 })), { maxLength: 40 }),
        async (a, b) => {
          const toRows = (r: [number, string][]) => r.map(([k, v]) => [String(k), v] as DiffCell[]);
          const self = await diffRows(side(["k", "v"], toRows(a)), side(["k", "v"], toRows(a)), null);
          expect([self.added, self.removed, self.unchanged]).toEqual([0, 0, a.length]);
          const d = await diffRows(side(["k", "v"], toRows(a)), side(["k", "v"], toRows(b)), ["k"]);
          const baseKeys = new Set(a.map(([k]) => k)).size;
          const headKeys = new Set(b.map(([k]) => k)).size;
          expect(d.unchanged + d.changed! + d.removed).toBe(baseKeys);
          expect(d.unchanged + d.changed! + d.added).toBe(headKeys);
        },
      ),
    );
  });

  it("hashCells tells types and cell boundaries apart", () => {
    const h = (v: DiffCell[]) =>
      hashCells(
        v,
        v.map((_, i) => i),
      );
    expect(h(["1"])).not.toBe(h([1]));
    expect(h([null])).not.toBe(h([""]));
    expect(h(["ab", "c"])).not.toBe(h(["a", "bc"]));
    expect(Number.isSafeInteger(h(["x"]))).toBe(true);
  });
});
