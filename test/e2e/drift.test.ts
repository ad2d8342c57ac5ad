/**
 * `mlgate drift` through the real bundle on real data (vega-datasets'
 * seattle-weather, 2012 vs 2015), against SciPy's numbers in the golden file
 * written by scripts/gen-golden-drift.py.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "../support/example-repo.js";

interface GoldenColumn {
  name: string;
  expected: { auto: { method: string; statistic: number | null; p_value: number | null; drifted: boolean } };
}

function close(actual: number | null, expected: number | null): boolean {
  if (actual === null || expected === null) return actual === expected;
  return Math.abs(actual - expected) <= Math.max(1e-12, 1e-6 * Math.abs(expected));
}

describe("mlgate drift on seattle-weather 2012 vs 2015", () => {
  const dir = mkdtempSync(join(tmpdir(), "mlgate-drift-"));
  const [header, ...lines] = readFileSync("node_modules/vega-datasets/data/seattle-weather.csv", "utf8")
    .trim()
    .split("\n");
  for (const year of ["2012", "2015"]) {
    writeFileSync(
      join(dir, `${year}.csv`),
      `${[header, ...lines.filter((l) => l.startsWith(year))].join("\n")}\n`,
    );
  }
  const golden = JSON.parse(readFileSync("test/golden/drift/seattle_2012_vs_2015.json", "utf8")) as {
    columns: GoldenColumn[];
  };

  it("picks SciPy-exact tests per column and says the dataset drifted (exit 1)", () => {
    const r = spawnSync(
      process.execPath,
      [CLI, "drift", join(dir, "2012.csv"), join(dir, "2015.csv"), "--json"],
      { encoding: "utf8" },
    );
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    for (const g of golden.columns) {
      const got = out.columns.find((c: { name: string }) => c.name === g.name);
      expect(got, g.name).toBeDefined();
      expect(got.method).toBe(g.expected.auto.method);
      expect(close(got.statistic, g.expected.auto.statistic), `${g.name} statistic ${got.statistic}`).toBe(
        true,
      );
      expect(close(got.p_value, g.expected.auto.p_value), `${g.name} p ${got.p_value}`).toBe(true);
      expect(got.drifted).toBe(g.expected.auto.drifted);
    }
    expect(out.skipped).toEqual([{ name: "date", reason: expect.stringContaining("mostly distinct") }]);
    expect(out.dataset_drifted).toBe(out.share_drifted >= 0.5);
  });

  it("drift from stored profiles (one of them merged from two shards) equals drift from the raw data", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8" });
    expect(run("profile", "2012.csv", "--out", "p2012.json").status).toBe(0);
    expect(run("profile", "2015.csv", "--shard", "0/2", "--out", "s0.json").status).toBe(0);
    expect(run("profile", "2015.csv", "--shard", "1/2", "--out", "s1.json").status).toBe(0);
    expect(run("merge-profiles", "s0.json", "s1.json", "--out", "p2015.json").status).toBe(0);
    const fromProfiles = JSON.parse(run("drift", "p2012.json", "p2015.json", "--json").stdout);
    const fromData = JSON.parse(run("drift", "2012.csv", "2015.csv", "--json").stdout);
    expect(fromProfiles.columns).toEqual(fromData.columns);
    expect(fromProfiles.dataset_drifted).toBe(fromData.dataset_drifted);
  });

  it("an explicit method that cannot apply to a column skips it with the reason", () => {
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        "drift",
        join(dir, "2012.csv"),
        join(dir, "2015.csv"),
        "--method",
        "ks",
        "--columns",
        "weather,wind",
        "--json",
      ],
      { encoding: "utf8" },
    );
    const out = JSON.parse(r.stdout);
    expect(out.columns.map((c: { name: string }) => c.name)).toEqual(["wind"]);
    expect(out.skipped[0]).toMatchObject({
      name: "weather",
      reason: expect.stringContaining('"ks" needs numeric values'),
    });
  });

  it("a bad flag is one clear line, exit 2", () => {
    const r = spawnSync(process.execPath, [CLI, "drift", "a.csv", "b.csv", "--method", "kss"], {
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--method must be one of auto, ks, chisquare");
  });
});
