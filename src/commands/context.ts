/** What every command receives from a door: where it runs and how it reports progress. */
import { isAbsolute, join } from "node:path";
import type { MlgateConfig } from "../config.js";
import { UserError } from "../errors.js";
import { loadConfig } from "../io/config-file.js";
import { Git } from "../io/git.js";
import { ResultsStore } from "../io/results-store.js";
import { LocalRegistry } from "../registry/local.js";
import type { Registry } from "../registry/registry.js";

export interface Logger {
  info(message: string): void;
  /** A step starts; call the returned function when it ends to log its duration. */
  step(title: string): () => void;
}

export interface CommandContext {
  /** The project root (the repo checkout or `working-directory`). */
  root: string;
  configPath: string;
  log: Logger;
  /** Run URL when on CI, for manifests and reports. */
  runUrl: string | null;
}

export function resolveIn(root: string, path: string): string {
  return isAbsolute(path) ? path : join(root, path);
}

export function readConfig(ctx: CommandContext): MlgateConfig {
  return loadConfig(resolveIn(ctx.root, ctx.configPath), ctx.configPath);
}

export function gitOf(ctx: CommandContext): Git {
  return new Git(ctx.root);
}

export function registryOf(ctx: CommandContext, config?: MlgateConfig): Registry {
  return new LocalRegistry(resolveIn(ctx.root, config?.registry?.path ?? ".mlgate/registry"));
}

export function resultsOf(ctx: CommandContext): ResultsStore {
  return new ResultsStore(resolveIn(ctx.root, ".mlgate/out"));
}

export function pickModels<T extends { name: string }>(models: T[], name: string | undefined): T[] {
  if (name === undefined) return models;
  const hit = models.filter((m) => m.name === name);
  if (hit.length === 0) {
    throw new UserError(
      `model "${name}" is not in the config (models: ${models.map((m) => m.name).join(", ") || "none"}).`,
    );
  }
  return hit;
}
