/** `mlgate registry list | show | history | pull` (PRODUCT.md §5). */
import { UserError } from "../errors.js";
import type { Manifest } from "../registry/manifest.js";
import { currentStage, type StageEvent, type VersionSummary } from "../registry/registry.js";
import { type CommandContext, readConfig, registryOf, resolveIn } from "./context.js";

export type RegistryResult =
  | {
      command: "registry";
      action: "list";
      models: { model: string; versions: VersionSummary[]; stages: Record<string, number> }[];
    }
  | { command: "registry"; action: "show"; manifest: Manifest; stages: string[] }
  | { command: "registry"; action: "history"; events: StageEvent[] }
  | { command: "registry"; action: "pull"; model: string; version: number; files: string[] };

/** `model`, `model@3`, `model@v3` or `model@production`. */
export function parseModelRef(ref: string): { model: string; at: number | string | undefined } {
  const [model, at] = ref.split("@", 2) as [string, string | undefined];
  if (!model)
    throw new UserError(`"${ref}": expected <model>[@<version>|@<stage>], e.g. churn@3 or churn@production.`);
  if (at === undefined) return { model, at: undefined };
  const n = /^v?([1-9][0-9]*)$/.exec(at);
  return { model, at: n ? Number(n[1]) : at };
}

export async function registryCommand(
  ctx: CommandContext,
  action: string,
  args: { ref?: string; stage?: string; dest?: string },
): Promise<RegistryResult> {
  const config = readConfig(ctx);
  const registry = registryOf(ctx, config);
  const stageNames = Object.keys(config.promotion.stages);
  const resolve = async (ref: string | undefined) => {
    if (!ref)
      throw new UserError(
        `registry ${action}: name a model, e.g. \`mlgate registry ${action} churn@production\`.`,
      );
    const { model, at } = parseModelRef(ref);
    if (typeof at === "number") return { model, version: at };
    if (typeof at === "string") {
      const event = await currentStage(registry, model, at);
      if (!event) throw new UserError(`registry: no version of ${model} is in stage "${at}".`);
      return { model, version: event.version };
    }
    const latest = (await registry.listVersions(model)).at(-1);
    if (!latest) throw new UserError(`registry: model "${model}" has no versions in ${registry.location}.`);
    return { model, version: latest.version };
  };
  switch (action) {
    case "list": {
      const models = [];
      for (const model of await registry.listModels()) {
        const stages: Record<string, number> = {};
        for (const s of stageNames) {
          const e = await currentStage(registry, model, s);
          if (e) stages[s] = e.version;
        }
        models.push({ model, versions: await registry.listVersions(model), stages });
      }
      return { command: "registry", action, models };
    }
    case "show": {
      const { model, version } = await resolve(args.ref);
      const stages: string[] = [];
      for (const s of stageNames)
        if ((await currentStage(registry, model, s))?.version === version) stages.push(s);
      return { command: "registry", action, manifest: await registry.getManifest(model, version), stages };
    }
    case "history": {
      const { model } = parseModelRef(args.ref ?? "");
      if (!model)
        throw new UserError("registry history: name a model, e.g. `mlgate registry history churn`.");
      return { command: "registry", action, events: await registry.stageHistory(model, args.stage) };
    }
    case "pull": {
      const { model, version } = await resolve(args.ref);
      const dest = resolveIn(ctx.root, args.dest ?? `${model}-v${version}`);
      return {
        command: "registry",
        action,
        model,
        version,
        files: await registry.pull(model, version, dest),
      };
    }
    default:
      throw new UserError(`registry: unknown action "${action}". Use list, show, history or pull.`);
  }
}
