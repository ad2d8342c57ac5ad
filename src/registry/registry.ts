/**
 * The model registry (PRODUCT.md §5). One interface; a local-folder backend
 * (`.mlgate/registry`) and, later, a GitHub Releases backend implement it.
 */
import type { Manifest, ManifestDraft, ManifestFile } from "./manifest.js";

export interface VersionSummary {
  model: string;
  version: number;
  commit: string;
  created_at: string;
}

export interface StageEvent {
  model: string;
  stage: string;
  version: number;
  at: string;
  by: string;
  /** sha256 of the manifest that was promoted. */
  manifest_sha256: string;
  /** Set when this event was a rollback. */
  rollback_from?: number;
  note?: string;
}

export interface ReleaseFile {
  /** Path of the file to store. */
  path: string;
  /** Name under which it is stored (unique within a version). */
  name: string;
  role: ManifestFile["role"];
}

export interface Registry {
  /** Where it lives, for messages. */
  readonly location: string;
  listModels(): Promise<string[]>;
  /** Published versions, oldest first. */
  listVersions(model: string): Promise<VersionSummary[]>;
  getManifest(model: string, version: number): Promise<Manifest>;
  /** Allocate the next version atomically, store the files, verify them, then make it visible. */
  release(draft: ManifestDraft, files: ReleaseFile[]): Promise<Manifest>;
  /** Copy a version's files (or only the named ones) into `dest`, verifying every sha256. Returns the written paths. */
  pull(model: string, version: number, dest: string, only?: string[]): Promise<string[]>;
  /** Record that `stage` now serves `version`. */
  promote(event: Omit<StageEvent, "at" | "manifest_sha256">): Promise<StageEvent>;
  /** Stage history, oldest first (optionally one stage). */
  stageHistory(model: string, stage?: string): Promise<StageEvent[]>;
}

/** The version a stage serves now: the last event for it. */
export async function currentStage(
  registry: Registry,
  model: string,
  stage: string,
): Promise<StageEvent | undefined> {
  return (await registry.stageHistory(model, stage)).at(-1);
}

/** The newest version built from `commits[0]`, else the nearest ancestor with one. */
export async function versionForAncestry(
  registry: Registry,
  model: string,
  commits: string[],
): Promise<VersionSummary | undefined> {
  const versions = await registry.listVersions(model);
  const byCommit = new Map<string, VersionSummary>();
  for (const v of versions) byCommit.set(v.commit, v); // later versions win
  for (const c of commits) {
    const hit = byCommit.get(c);
    if (hit) return hit;
  }
  return undefined;
}
