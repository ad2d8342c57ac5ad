import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("dist/", () => {
  it("is what `npm run bundle` makes from src/ (commit dist/ after changing src/)", () => {
    const out = mkdtempSync(join(tmpdir(), "mlgate-dist-"));
    execFileSync(process.execPath, ["scripts/bundle.mjs", out], { stdio: "inherit" });
    for (const file of ["index.js", "cli.js", "profile-worker.js"]) {
      const fresh = readFileSync(join(out, file), "utf8");
      const committed = readFileSync(join("dist", file), "utf8");
      expect(committed === fresh, `dist/${file} is stale: run npm run bundle`).toBe(true);
    }
  });
});
