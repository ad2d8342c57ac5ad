/**
 * Noise-aware gates on real data (the penguins example, trained for real):
 * a PR that trains half as long drops accuracy by more than the allowed 0.02,
 * but on 103 test rows McNemar's test cannot tell it from noise, so it warns;
 * its log-loss rise is beyond the allowed 25% and significant, so it blocks.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, exampleRepo, git } from "../support/example-repo.js";

const mlgate = (repo: string, ...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd: repo, encoding: "utf8" });

describe("noise-aware gates on the penguins example", () => {
  it("a drop within noise warns; a significant one beyond the allowance blocks", () => {
    const repo = exampleRepo();
    expect(mlgate(repo, "check").status).toBe(0);
    expect(mlgate(repo, "release").status).toBe(0);
    expect(mlgate(repo, "promote", "penguins", "1", "--to", "production").status).toBe(0);
    git(repo, "checkout", "-q", "-b", "pr");
    const params = readFileSync(join(repo, "params.yaml"), "utf8");
    writeFileSync(join(repo, "params.yaml"), params.replace(/epochs: *\d+/, "epochs: 100"));
    git(repo, "commit", "-qam", "train half as long");

    const r = mlgate(repo, "check", "--json");
    expect(r.status).toBe(1);
    const evaluation = JSON.parse(readFileSync(join(repo, ".mlgate/out/penguins.evaluate.json"), "utf8"));
    const row = (m: string) => evaluation.comparison.find((x: { metric: string }) => x.metric === m);

    const accuracy = row("accuracy");
    expect(accuracy.baseline - accuracy.current).toBeGreaterThan(0.02);
    expect(accuracy.significance).toMatchObject({ test: "mcnemar", significant: false });
    expect(accuracy.significance.p_value).toBeGreaterThanOrEqual(0.05);
    expect(accuracy.status).toBe("warn");
    expect(accuracy.reasons).toEqual(["drop > 0.02, but within noise"]);

    const logLoss = row("log_loss");
    expect(logLoss.relative).toBeGreaterThan(0.25);
    expect(logLoss.significance).toMatchObject({ test: "paired-bootstrap", significant: true });
    expect(logLoss.significance.ci[0]).toBeGreaterThan(0);
    expect(logLoss.status).toBe("fail");

    const markdown: string = JSON.parse(r.stdout).report.reports[0].markdown;
    expect(markdown).toMatch(/^### ❌ mlgate · penguins — blocked/);
    expect(markdown).toMatch(/\| accuracy ↑ \|[^\n]*\| noise \| ⚠️ drop &gt; 0\.02, but within noise \|/);
    expect(markdown).toMatch(/\| log\\_loss ↓ \|[^\n]*\| significant \| ❌ rise &gt; 25% \|/);
  });
});
