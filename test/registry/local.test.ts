import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { sha256 } from "../../src/io/hash.js";
import { LocalRegistry } from "../../src/registry/local.js";
import type { ManifestDraft } from "../../src/registry/manifest.js";
import { currentStage, versionForAncestry } from "../../src/registry/registry.js";

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "mlgate-reg-"));
  const model = join(dir, "model.json");
  const preds = join(dir, "preds.csv");
  writeFileSync(model, JSON.stringify({ w: [1, 2, 3] }));
  writeFileSync(preds, "label,score\n1,0.9\n");
  const registry = new LocalRegistry(join(dir, "registry"));
  const draft = (commit: string): ManifestDraft => ({
    model: "churn",
    commit,
    dirty: false,
    task: "binary",
    metrics: { accuracy: 0.9, roc_auc: null },
    ci: {},
    verdict: "ready",
    eval: { rows: 1, fingerprint: "a".repeat(64) },
    params: { "train.lr": 0.1 },
    datasets: [],
    environment: { mlgate: "test", node: process.version, platform: process.platform },
    run_url: null,
  });
  const files = [
    { path: model, name: "model.json", role: "artifact" as const },
    { path: preds, name: "predictions.csv", role: "predictions" as const },
  ];
  return { dir, registry, draft, files, model };
}

describe("LocalRegistry", () => {
  it("releases versions 1, 2, … with sha256 of every file and lineage", async () => {
    const { registry, draft, files, model } = setup();
    const v1 = await registry.release(draft("c1".repeat(10)), files);
    const v2 = await registry.release(draft("c2".repeat(10)), files);
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1.parent_version).toBeNull();
    expect(v2.parent_version).toBe(1);
    expect(v1.files.find((f) => f.name === "model.json")?.sha256).toBe(sha256(readFileSync(model)));
    expect((await registry.listVersions("churn")).map((v) => v.version)).toEqual([1, 2]);
    expect(await registry.listModels()).toEqual(["churn"]);
  });

  it("concurrent releases get distinct versions, each complete", async () => {
    const { registry, draft, files } = setup();
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) => registry.release(draft(`c${i}`.repeat(10)), files)),
    );
    expect(made.map((m) => m.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const m of made) {
      const back = await registry.getManifest("churn", m.version);
      expect(back.commit).toBe(m.commit);
      expect(back.files).toHaveLength(2);
    }
  });

  it("pull verifies every file and refuses a damaged one", async () => {
    const { dir, registry, draft, files } = setup();
    await registry.release(draft("c1".repeat(10)), files);
    const out = join(dir, "pulled");
    const written = await registry.pull("churn", 1, out);
    expect(written.map((p) => p.slice(out.length + 1)).sort()).toEqual(["model.json", "predictions.csv"]);
    writeFileSync(join(dir, "registry", "churn", "v1", "model.json"), "tampered");
    await expect(registry.pull("churn", 1, join(dir, "pulled2"))).rejects.toThrow(
      /does not match the manifest/,
    );
  });

  it("a failed release leaves no version and no partial folder", async () => {
    const { dir, registry, draft, files } = setup();
    const bad = [
      ...files,
      { path: join(dir, "missing.bin"), name: "missing.bin", role: "artifact" as const },
    ];
    await expect(registry.release(draft("c1".repeat(10)), bad)).rejects.toBeInstanceOf(UserError);
    expect(await readdir(join(dir, "registry", "churn"))).toEqual([]);
  });

  it("stages: promote, current, history, and version lookup by ancestry", async () => {
    const { registry, draft, files } = setup();
    await registry.release(draft("a".repeat(40)), files);
    await registry.release(draft("b".repeat(40)), files);
    await registry.promote({ model: "churn", stage: "production", version: 1, by: "alice" });
    await registry.promote({ model: "churn", stage: "staging", version: 2, by: "bob" });
    await registry.promote({ model: "churn", stage: "production", version: 2, by: "carol" });
    expect((await currentStage(registry, "churn", "production"))?.version).toBe(2);
    expect((await registry.stageHistory("churn", "production")).map((e) => [e.version, e.by])).toEqual([
      [1, "alice"],
      [2, "carol"],
    ]);
    expect((await versionForAncestry(registry, "churn", ["z".repeat(40), "a".repeat(40)]))?.version).toBe(1);
    await expect(
      registry.promote({ model: "churn", stage: "production", version: 9, by: "x" }),
    ).rejects.toThrow(/not in the registry/);
  });

  it("a damaged manifest is a clear error naming the file", async () => {
    const { dir, registry, draft, files } = setup();
    await registry.release(draft("c1".repeat(10)), files);
    writeFileSync(join(dir, "registry", "churn", "v1", "manifest.json"), "{");
    await expect(registry.getManifest("churn", 1)).rejects.toThrow(/manifest\.json: not valid JSON/);
  });
});
