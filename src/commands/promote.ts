/** `mlgate promote` and `mlgate rollback` on the registry's stages (PRODUCT.md §5, §6). */
import { UserError } from "../errors.js";
import type { StageEvent } from "../registry/registry.js";
import { type CommandContext, readConfig, registryOf } from "./context.js";

export interface PromoteResult {
  command: "promote" | "rollback";
  event: StageEvent;
  previous: number | null;
}

export async function promote(
  ctx: CommandContext,
  opts: { model: string; version: number | "latest"; stage: string; by: string; force?: boolean },
): Promise<PromoteResult> {
  const config = readConfig(ctx);
  if (!(opts.stage in config.promotion.stages)) {
    throw new UserError(
      `promote: unknown stage "${opts.stage}" (stages: ${Object.keys(config.promotion.stages).join(", ")}). Add it under promotion.stages.`,
    );
  }
  if (!config.models.some((m) => m.name === opts.model)) {
    throw new UserError(`promote: model "${opts.model}" is not in ${ctx.configPath}.`);
  }
  const registry = registryOf(ctx, config);
  const versions = await registry.listVersions(opts.model);
  const version = opts.version === "latest" ? versions.at(-1)?.version : opts.version;
  if (version === undefined || !versions.some((v) => v.version === version)) {
    throw new UserError(
      `promote: ${opts.model}@${opts.version} is not in the registry (versions: ${versions.map((v) => v.version).join(", ") || "none"}). Run \`mlgate release\` first.`,
    );
  }
  const manifest = await registry.getManifest(opts.model, version);
  if (manifest.verdict === "blocked" && config.promotion.block_on_failed_gates && !opts.force) {
    throw new UserError(
      `promote: ${opts.model}-v${version} failed its gates when it was released; promotion is blocked (promotion.block_on_failed_gates). Fix the model, or pass --force to override (recorded).`,
    );
  }
  const previous = (await registry.stageHistory(opts.model, opts.stage)).at(-1)?.version ?? null;
  const event = await registry.promote({
    model: opts.model,
    stage: opts.stage,
    version,
    by: opts.by,
    ...(opts.force && manifest.verdict === "blocked" && { note: "forced despite failed gates" }),
  });
  return { command: "promote", event, previous };
}

/** Re-promote the version the stage served before its current one. */
export async function rollback(
  ctx: CommandContext,
  opts: { model: string; stage: string; by: string },
): Promise<PromoteResult> {
  const config = readConfig(ctx);
  const registry = registryOf(ctx, config);
  const history = await registry.stageHistory(opts.model, opts.stage);
  const current = history.at(-1);
  const before = current ? [...history].reverse().find((e) => e.version !== current.version) : undefined;
  if (!current || !before) {
    throw new UserError(
      `rollback: ${opts.stage} of ${opts.model} has no earlier version to go back to (history: ${history.map((e) => `v${e.version}`).join(" → ") || "empty"}).`,
    );
  }
  const event = await registry.promote({
    model: opts.model,
    stage: opts.stage,
    version: before.version,
    by: opts.by,
    rollback_from: current.version,
  });
  return { command: "rollback", event, previous: current.version };
}
