/** A real git repo made from the bundled penguins example, as a user's project would be. */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CLI = join(process.cwd(), "dist", "cli.js");

export function git(repo: string, ...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=mlgate test", "-c", "user.email=test@mlgate.invalid", ...args],
    {
      cwd: repo,
      encoding: "utf8",
    },
  ).trim();
}

export function exampleRepo(): string {
  const repo = mkdtempSync(join(tmpdir(), "mlgate-e2e-"));
  const example = join(process.cwd(), "examples", "penguins");
  cpSync(example, repo, {
    recursive: true,
    filter: (src) => !/[\\/](build|\.mlgate)([\\/]|$)/.test(src.slice(example.length)),
  });
  git(repo, "init", "-q", "-b", "main");
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "baseline");
  return repo;
}
