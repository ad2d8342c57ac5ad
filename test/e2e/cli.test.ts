/**
 * End to end: the real bundle (dist/cli.js) as a separate process on a real
 * git repo of the penguins example, trained for real.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MULTICLASS_METRICS } from "../../src/core/metrics.js";
import { CLI, exampleRepo, git } from "../support/example-repo.js";

function mlgate(repo: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repo, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Accuracy straight from the predictions file: argmax of proba_* vs label. */
function accuracyOf(file: string): { n: number; accuracy: number } {
  const [header, ...lines] = readFileSync(file, "utf8").trim().split("\n");
  const cols = header!.split(",");
  const label = cols.indexOf("label");
  const proba = cols.map((c, i) => [c, i] as const).filter(([c]) => c.startsWith("proba_"));
  let right = 0;
  for (const line of lines) {
    const cells = line.split(",");
    let best = proba[0]!;
    for (const p of proba) if (Number(cells[p[1]]) > Number(cells[best[1]])) best = p;
    if (best[0].slice("proba_".length) === cells[label]) right++;
  }
  return { n: lines.length, accuracy: right / lines.length };
}

describe("mlgate CLI on the penguins example", () => {
  let repo: string;
  beforeAll(() => {
    repo = exampleRepo();
  });

  it("check on main: trains, evaluates, and reports a first version with no baseline", () => {
    const r = mlgate(repo, "check", "--json");
    expect(r.stderr).toContain("▶ stage train");
    expect([0, 1]).toContain(r.code);
    const result = JSON.parse(r.stdout);
    const markdown: string = result.report.reports[0].markdown;
    expect(markdown).toMatch(/^### (✅|⚠️) mlgate · penguins — (ready|warnings)/);
    expect(markdown).toContain("No baseline yet");
    const evaluation = JSON.parse(readFileSync(join(repo, ".mlgate/out/penguins.evaluate.json"), "utf8"));
    const truth = accuracyOf(join(repo, "build/predictions.csv"));
    expect(evaluation.n).toBe(truth.n);
    expect(evaluation.metrics.accuracy).toBeCloseTo(truth.accuracy, 12);
    expect(evaluation.metrics.roc_auc).toBeGreaterThan(0.9);
  });

  it("evaluate --task multiclass --predictions F --json prints the PRODUCT.md §3.1 shape", () => {
    const r = mlgate(
      repo,
      "evaluate",
      "--task",
      "multiclass",
      "--predictions",
      "build/predictions.csv",
      "--json",
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(["task", "n", "metrics", "ci", "slices"]));
    expect(out.task).toBe("multiclass");
    for (const name of MULTICLASS_METRICS) {
      expect(typeof out.metrics[name], name).toBe("number");
    }
    expect(out.metrics.accuracy).toBeCloseTo(accuracyOf(join(repo, "build/predictions.csv")).accuracy, 12);
  });

  it("release, promote; a PR that changes a param is compared with production", () => {
    expect(mlgate(repo, "release").code).toBe(0);
    expect(mlgate(repo, "promote", "penguins", "1", "--to", "production").code).toBe(0);
    git(repo, "checkout", "-q", "-b", "pr");
    const params = readFileSync(join(repo, "params.yaml"), "utf8");
    writeFileSync(join(repo, "params.yaml"), params.replace(/epochs: *\d+/, "epochs: 20"));
    git(repo, "commit", "-qam", "fewer epochs");
    const r = mlgate(repo, "check", "--json");
    const result = JSON.parse(r.stdout);
    const markdown: string = result.report.reports[0].markdown;
    expect(markdown).toContain("Compared with **production** `penguins-v1`");
    expect(markdown).toMatch(/Params changed \(1\)/);
    expect(markdown).toContain("train.epochs");
    const evaluation = JSON.parse(readFileSync(join(repo, ".mlgate/out/penguins.evaluate.json"), "utf8"));
    const acc = evaluation.comparison.find((m: { metric: string }) => m.metric === "accuracy");
    expect(acc.baseline).not.toBeNull();
    expect(acc.delta).toBeCloseTo(acc.current - acc.baseline, 12);
    expect(r.code).toBe(result.report.verdict === "blocked" ? 1 : 0);
    expect(existsSync(join(repo, ".mlgate/out/report.md"))).toBe(true);
  });

  it("registry list / show / pull / rollback", () => {
    expect(mlgate(repo, "release").code).toBe(0);
    expect(mlgate(repo, "promote", "penguins", "2", "--to", "production", "--force").code).toBe(0);
    const list = JSON.parse(mlgate(repo, "registry", "list", "--json").stdout);
    expect(list.models[0].versions).toHaveLength(2);
    expect(list.models[0].stages.production).toBe(2);
    const show = JSON.parse(mlgate(repo, "registry", "show", "penguins@production", "--json").stdout);
    expect(show.manifest.version).toBe(2);
    const pull = mlgate(repo, "registry", "pull", "penguins@1", "--dest", "pulled", "--json");
    expect(pull.code).toBe(0);
    expect(readFileSync(join(repo, "pulled/model.json"), "utf8").length).toBeGreaterThan(0);
    const rollback = mlgate(repo, "rollback", "penguins", "--stage", "production", "--json");
    expect(rollback.code).toBe(0);
    expect(JSON.parse(rollback.stdout).event).toMatchObject({ version: 1, rollback_from: 2 });
  });

  it("validate-data shows the row diff vs the base commit by key", () => {
    const file = join(repo, "data/train.csv");
    const [header, first, second, ...rest] = readFileSync(file, "utf8").trimEnd().split("\n");
    const changed = first!.replace(/,(MALE|FEMALE)$/, (_, s) => `,${s === "MALE" ? "FEMALE" : "MALE"}`);
    const added = `9999${second!.slice(second!.indexOf(","))}`;
    writeFileSync(file, `${[header, changed, ...rest, added].join("\n")}\n`);
    git(repo, "commit", "-qam", "relabel one penguin, drop one, add one");
    const r = mlgate(repo, "validate-data", "--dataset", "penguins-train", "--base", "main", "--json");
    expect(r.code).toBe(0);
    const diff = JSON.parse(r.stdout).datasets[0].diff;
    expect(diff.rows).toMatchObject({ by: "key", key: ["id"], added: 1, removed: 1, changed: 1 });
    expect(diff.rows.samples.added).toEqual(["9999"]);
    expect(diff.rows_before).toBe(diff.rows_after);
    // drift vs the base commit on every column but the key; one relabelled row is not drift
    const tested = diff.drift.columns.map((c: { name: string }) => c.name);
    expect(tested).toEqual(expect.arrayContaining(["species", "island", "beak_length_mm", "sex"]));
    expect(tested).not.toContain("id");
    expect(diff.drift.dataset_drifted).toBe(false);
  });

  it("a bad config gets one located line per problem, exit 2, no stack trace", () => {
    writeFileSync(join(repo, "bad.yml"), "models:\n  - name: a\n    task: binary\n    artifactt: x\n");
    const r = mlgate(repo, "check", "--config", "bad.yml");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /bad\.yml:4:5: models\[0\]\.artifactt: unknown key "artifactt"\. Fix: did you mean "artifact"\?/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("commands not built yet say so and exit 2", () => {
    const r = mlgate(repo, "monitor");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not available yet");
    expect(r.stdout).toBe("");
  });

  it("a failing stage is named and exits 1", () => {
    writeFileSync(join(repo, "fail.yml"), 'pipeline:\n  boom: { cmd: "echo going && exit 7" }\n');
    const r = mlgate(repo, "run", "--config", "fail.yml");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("boom │ going");
    expect(r.stdout).toContain('pipeline failed at stage "boom"');
  });
});
