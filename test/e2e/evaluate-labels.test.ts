/** Labels kept in another file are joined by id: the metrics equal those of one joined file. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "../support/example-repo.js";

describe("evaluate --labels", () => {
  const dir = mkdtempSync(join(tmpdir(), "mlgate-labels-"));
  // the breast-cancer golden case: real predictions with their labels
  const [, ...lines] = readFileSync("test/golden/metrics/binary_breast_cancer_logreg.csv", "utf8")
    .trim()
    .split("\n");
  const rows = lines.map((l, i) => {
    const [label, score] = l.split(",");
    return { id: `p${i}`, label: label!, score: score! };
  });
  writeFileSync(
    join(dir, "joined.csv"),
    `id,label,score\n${rows.map((r) => `${r.id},${r.label},${r.score}`).join("\n")}\n`,
  );
  writeFileSync(join(dir, "preds.csv"), `id,score\n${rows.map((r) => `${r.id},${r.score}`).join("\n")}\n`);
  const shuffled = [...rows].reverse();
  writeFileSync(
    join(dir, "labels.csv"),
    `id,label\n${shuffled.map((r) => `${r.id},${r.label}`).join("\n")}\n`,
  );
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, "evaluate", "--task", "binary", ...args, "--json"], {
      cwd: dir,
      encoding: "utf8",
    });

  it("joins by id whatever the row order", () => {
    const joined = JSON.parse(run("--predictions", "joined.csv").stdout);
    const split = JSON.parse(run("--predictions", "preds.csv", "--labels", "labels.csv").stdout);
    expect(split.metrics).toEqual(joined.metrics);
    expect(split.delong.ci[0]).toBeLessThan(split.metrics.roc_auc);
  });

  it("an id without a label is one clear error", () => {
    writeFileSync(join(dir, "few.csv"), "id,label\np0,1\n");
    const r = run("--predictions", "preds.csv", "--labels", "few.csv");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/preds\.csv:line 3: id "p1" has no label in few\.csv\. Fix:/);
  });
});
