/**
 * validate-model through the real bundle: a malicious pickle among the
 * artifacts blocks the model, found by scanning opcodes — never by loading it.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, exampleRepo } from "../support/example-repo.js";

const MARKER = "/tmp/mlgate-pickle-scan-pwned";

describe("validate-model artifact scanning", () => {
  it("blocks a pickle that would run os.system, without executing it", () => {
    rmSync(MARKER, { force: true });
    const repo = exampleRepo();
    const config = readFileSync(join(repo, ".mlgate.yml"), "utf8")
      .replace("artifact: build/model.json", "artifact: [build/model.json, build/extra.pkl]")
      .replace("formats: [json]", "formats: [json, pkl]");
    writeFileSync(join(repo, ".mlgate.yml"), config);
    expect(spawnSync(process.execPath, [CLI, "run"], { cwd: repo }).status).toBe(0);
    copyFileSync("test/fixtures/pickles/mal-reduce-p2.pkl", join(repo, "build/extra.pkl"));
    const r = spawnSync(process.execPath, [CLI, "validate-model", "--json"], { cwd: repo, encoding: "utf8" });
    expect(r.status).toBe(1);
    const [result] = JSON.parse(r.stdout);
    expect(result.verdict).toBe("blocked");
    const check = result.artifacts.find((a: { check: string }) => a.check === "unsafe_serialization");
    expect(check).toMatchObject({ path: "build/extra.pkl", ok: false });
    expect(check.detail).toMatch(/pickle would run code when loaded: .*system/);
    expect(existsSync(MARKER)).toBe(false);
  });

  it("a benign scikit-learn joblib file passes the scan", () => {
    const repo = exampleRepo();
    const config = readFileSync(join(repo, ".mlgate.yml"), "utf8")
      .replace("artifact: build/model.json", "artifact: [build/model.json, build/extra.joblib]")
      .replace("formats: [json]", "formats: [json, joblib]");
    writeFileSync(join(repo, ".mlgate.yml"), config);
    expect(spawnSync(process.execPath, [CLI, "run"], { cwd: repo }).status).toBe(0);
    copyFileSync("test/fixtures/pickles/benign-logreg-z3.joblib", join(repo, "build/extra.joblib"));
    const r = spawnSync(process.execPath, [CLI, "validate-model", "--json"], { cwd: repo, encoding: "utf8" });
    const [result] = JSON.parse(r.stdout);
    const check = result.artifacts.find((a: { check: string }) => a.check === "unsafe_serialization");
    expect(check).toMatchObject({ path: "build/extra.joblib", ok: true });
    expect(check.detail).toBe("joblib: scanned, no code-running imports");
  });
});
