import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CommandContext } from "../../src/commands/context.js";
import { mergeProfileFiles, profileDataset, readProfileFile } from "../../src/commands/profile.js";
import { kllRankError } from "../../src/core/sketch/kll.js";
import { UserError } from "../../src/errors.js";

const root = mkdtempSync(join(tmpdir(), "mlgate-profile-cmd-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ctx: CommandContext = {
  root,
  configPath: ".mlgate.yml",
  log: { info() {}, step: () => () => {} },
  runUrl: null,
};

// 30,000 rows: big enough for the sketches (values > 10,000, ids > 1,000 distinct), with
// quoted text holding commas and quotes but no line breaks.
const lines = ["id,score,plan,note"];
for (let i = 0; i < 30_000; i++) {
  const score = ((i * 7919) % 10_007) / 100;
  lines.push(`${i},${i % 50 === 0 ? "" : score},${["basic", "plus", "pro"][i % 3]},"n${i % 2000}, ""q"""`);
}
writeFileSync(join(root, "data.csv"), `${lines.join("\n")}\n`);
writeFileSync(
  join(root, ".mlgate.yml"),
  [
    "datasets:",
    "  - name: train",
    "    path: data.csv",
    "    schema:",
    "      columns:",
    "        id: { type: integer, min: 0 }",
    "        score: { type: number, max: 50, max_null_share: 0.01 }",
    "        plan: { type: category, values: [basic, plus] }",
    "",
  ].join("\n"),
);

describe("mlgate profile / merge-profiles", () => {
  it("profiles a dataset with its schema checks in the same pass and writes versioned JSON", async () => {
    const result = await profileDataset(ctx, { dataset: "train", out: "out/all.json" });
    expect(result).toMatchObject({
      command: "profile",
      dataset: "train",
      rows: 30_000,
      columns: 4,
      reader: "fast",
    });
    const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.check}:${c.column}`);
    expect(failed.sort()).toEqual(["max:score", "max_null_share:score", "values:plan"]);
    const values = result.checks.find((c) => c.check === "values")!;
    expect(values.unexpected_count).toBe(10_000);
    expect(values.samples[0]).toEqual({ row: 3, line: 4, value: "pro" });
    const profile = readProfileFile(join(root, "out/all.json"));
    expect(profile.schema).toBe("mlgate.profile/v1");
    expect(profile.rows).toBe(30_000);
    expect(profile.source).toMatchObject({ name: "data.csv", format: "csv", shard: null });
  });

  it("--shard i/n over byte ranges, then merge-profiles: the whole file's profile within the sketch bounds", async () => {
    const whole = await profileDataset(ctx, { file: "data.csv", out: "out/whole.json" });
    expect(whole.checks).toEqual([]);
    const n = 4;
    const files: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await profileDataset(ctx, {
        dataset: "train",
        shard: { index: i, count: n },
        out: `out/shard-${i}.json`,
      });
      expect(r.shard).toEqual({ index: i, count: n });
      expect(r.checks).toEqual([]); // shards only profile
      files.push(join(root, `out/shard-${i}.json`));
    }
    const partial = await mergeProfileFiles(files.slice(0, 2), join(root, "out/half.json"));
    expect(partial.complete).toBe(false);
    const merged = await mergeProfileFiles(files, join(root, "out/merged.json"));
    expect(merged).toMatchObject({ command: "merge-profiles", rows: 30_000, columns: 4, complete: true });
    const a = readProfileFile(join(root, "out/whole.json"));
    const m = readProfileFile(join(root, "out/merged.json"));
    expect(m.source.shard).toBeNull();
    m.columns.forEach((col, c) => {
      const w = a.columns[c]!;
      expect([col.name, col.kind, col.count, col.nulls, col.distinct]).toEqual([
        w.name,
        w.kind,
        w.count,
        w.nulls,
        w.distinct,
      ]);
      if (w.text === null || w.text.error === 0)
        expect(col.text).toEqual(w.text); // ≤ 1,000 distinct: exact
      else {
        // note has 2,000 distinct values: Misra–Gries counts, each at most `error` ≤ n/1001 low
        expect(col.text!.n).toBe(w.text.n);
        expect(col.text!.error).toBeLessThanOrEqual(col.text!.n / 1001);
        for (const [, count] of col.text!.items) expect(count).toBeLessThanOrEqual(15); // each note occurs 15 times
      }
      if (w.numbers) {
        expect([col.numbers!.count, col.numbers!.min, col.numbers!.max]).toEqual([
          w.numbers.count,
          w.numbers.min,
          w.numbers.max,
        ]);
        expect(Math.abs(col.numbers!.mean - w.numbers.mean)).toBeLessThanOrEqual(
          1e-9 * Math.abs(w.numbers.mean),
        );
        expect(Math.abs(col.numbers!.variance - w.numbers.variance)).toBeLessThanOrEqual(
          1e-9 * w.numbers.variance,
        );
        // quantiles: from the sketch, so within its rank error of the true quantile
        const sorted = w.numbers.values ?? null;
        if (sorted === null && w.numbers.kll !== null) {
          const eps = kllRankError(200);
          col.numbers!.quantiles.values.forEach((v, i) => {
            const q = col.numbers!.quantiles.q[i]!;
            if (c === 0) expect(Math.abs(v / 29_999 - q)).toBeLessThanOrEqual(eps + 1e-4); // ids 0..29999
          });
        }
      }
    });
    // the same merge, inputs in another order: the same bytes
    await mergeProfileFiles([...files].reverse(), join(root, "out/merged2.json"));
    expect(readFileSync(join(root, "out/merged2.json"), "utf8")).toBe(
      readFileSync(join(root, "out/merged.json"), "utf8"),
    );
  });

  it("clear errors: unknown dataset, both or neither target, bad shard, bad or missing profile file, mixed files", async () => {
    await expect(profileDataset(ctx, { dataset: "nope", out: "x.json" })).rejects.toThrow(
      /no dataset "nope"/,
    );
    await expect(profileDataset(ctx, { out: "x.json" })).rejects.toThrow(/either a dataset/);
    await expect(
      profileDataset(ctx, { file: "data.csv", shard: { index: 4, count: 4 }, out: "x.json" }),
    ).rejects.toThrow(/--shard 4\/4: expected i\/n with 0 ≤ i < n/);
    writeFileSync(join(root, "data.jsonl"), '{"a": 1}\n');
    await expect(
      profileDataset(ctx, { file: "data.jsonl", shard: { index: 0, count: 2 }, out: "x.json" }),
    ).rejects.toThrow(/--shard splits uncompressed CSV\/TSV files/);
    await expect(mergeProfileFiles([join(root, "missing.json")], join(root, "y.json"))).rejects.toThrow(
      /profile file not found/,
    );
    writeFileSync(join(root, "bad.json"), "{ nope");
    await expect(mergeProfileFiles([join(root, "bad.json")], join(root, "y.json"))).rejects.toThrow(
      /bad\.json: not JSON/,
    );
    await profileDataset(ctx, { file: "data.jsonl", out: "out/jsonl.json" });
    await expect(
      mergeProfileFiles([join(root, "out/shard-0.json"), join(root, "out/jsonl.json")], join(root, "y.json")),
    ).rejects.toThrow(UserError);
  });
});
