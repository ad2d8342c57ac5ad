/**
 * Which registry versions a result is compared with (PRODUCT.md §4):
 * the one in `production`, and the one built from the base branch's
 * merge-base (or its nearest first-parent ancestor that has one).
 */
import type { BaselineRef } from "../core/gates.js";
import type { Git } from "../io/git.js";
import { currentStage, type Registry, versionForAncestry } from "../registry/registry.js";

export interface Baselines {
  production: BaselineRef | null;
  base: BaselineRef | null;
  /** The ref and merge-base used for `base`, for the report. */
  base_ref: string | null;
  merge_base: string | null;
}

export async function findBaselines(
  git: Git,
  registry: Registry,
  model: string,
  baseRef: string | undefined,
): Promise<Baselines> {
  const result: Baselines = { production: null, base: null, base_ref: null, merge_base: null };
  const prod = await currentStage(registry, model, "production");
  if (prod) {
    const m = await registry.getManifest(model, prod.version);
    result.production = { kind: "production", version: m.version, commit: m.commit, metrics: m.metrics };
  }
  const ref = baseRef ?? (await git.defaultBranch());
  if (!ref) return result;
  const head = await git.head();
  const mergeBase = await git.mergeBase(head, ref);
  if (!mergeBase) return result;
  result.base_ref = ref;
  result.merge_base = mergeBase;
  // on the base branch itself, compare with what came before this commit
  const from = mergeBase === head ? `${head}^` : mergeBase;
  const found = await versionForAncestry(registry, model, await git.ancestors(from));
  if (found) {
    const m = await registry.getManifest(model, found.version);
    result.base = { kind: "base", version: m.version, commit: m.commit, metrics: m.metrics };
  }
  return result;
}

/** The baseline the gates use: production when there is one, else the base branch's version. */
export function gateBaseline(b: Baselines): BaselineRef | null {
  return b.production ?? b.base;
}
