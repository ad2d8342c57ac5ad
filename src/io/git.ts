/** Local git access through the git CLI (argument arrays, never a shell). */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { UserError } from "../errors.js";

const run = promisify(execFile);

export class Git {
  constructor(readonly cwd: string) {}

  private async git(args: string[], maxBuffer = 64 * 1024 * 1024): Promise<Buffer> {
    const { stdout } = await run("git", args, { cwd: this.cwd, encoding: "buffer", maxBuffer });
    return stdout;
  }

  private async text(args: string[]): Promise<string> {
    return (await this.git(args)).toString("utf8").trim();
  }

  async isRepo(): Promise<boolean> {
    try {
      return (await this.text(["rev-parse", "--is-inside-work-tree"])) === "true";
    } catch {
      return false;
    }
  }

  async head(): Promise<string> {
    try {
      return await this.text(["rev-parse", "HEAD"]);
    } catch {
      throw new UserError(
        `${this.cwd}: not a git repository with commits. Run mlgate inside your project's git checkout.`,
      );
    }
  }

  /** Commit SHA of a ref, or undefined when it does not exist. */
  async resolve(ref: string): Promise<string | undefined> {
    try {
      return await this.text(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    } catch {
      return undefined;
    }
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    try {
      return await this.text(["merge-base", a, b]);
    } catch {
      return undefined;
    }
  }

  /** First-parent ancestors of `ref`, newest first (works on shallow clones: stops at the boundary). */
  async ancestors(ref: string, max = 200): Promise<string[]> {
    try {
      const out = await this.text(["rev-list", "--first-parent", `--max-count=${max}`, ref]);
      return out ? out.split("\n") : [];
    } catch {
      return [];
    }
  }

  /** File content at a commit, without checking it out; undefined when the path does not exist there. */
  async show(commit: string, path: string): Promise<Buffer | undefined> {
    const spec = `${commit}:${path.replace(/^\.\//, "")}`;
    try {
      await this.git(["cat-file", "-e", spec]);
    } catch {
      return undefined;
    }
    return this.git(["cat-file", "blob", spec], 4 * 1024 * 1024 * 1024);
  }

  async isDirty(): Promise<boolean> {
    return (await this.text(["status", "--porcelain", "--untracked-files=no"])) !== "";
  }

  /** The default branch to compare with: origin/HEAD, else main, else master. */
  async defaultBranch(): Promise<string | undefined> {
    try {
      const ref = await this.text(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"]);
      if (ref) return ref.replace(/^refs\/remotes\//, "");
    } catch {
      // no remote HEAD; fall through
    }
    for (const name of ["main", "master"]) if (await this.resolve(name)) return name;
    return undefined;
  }

  async subject(commit: string): Promise<string> {
    return this.text(["log", "-1", "--format=%s", commit]);
  }
}
