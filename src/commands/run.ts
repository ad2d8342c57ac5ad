/** `mlgate run`: the pipeline's stages in dependency order, output streamed, the failing stage named. */
import { pipelineOrder } from "../core/pipeline-order.js";
import { UserError } from "../errors.js";
import { runStageCommand } from "../io/stage-runner.js";
import { type CommandContext, readConfig, resolveIn, resultsOf } from "./context.js";

export interface StageResult {
  name: string;
  cmd: string;
  status: "ok" | "failed" | "not-run";
  exit_code: number | null;
  seconds: number;
}

export interface RunResult {
  command: "run";
  ok: boolean;
  failed_stage: string | null;
  stages: StageResult[];
}

export async function runPipeline(ctx: CommandContext, opts: { stages?: string[] } = {}): Promise<RunResult> {
  const config = readConfig(ctx);
  const nodes = Object.entries(config.pipeline).map(([name, s]) => ({ name, deps: s.deps, outs: s.outs }));
  const ordered = pipelineOrder(nodes);
  if (!ordered.ok) {
    throw new UserError(
      `${ctx.configPath}: pipeline: stages depend on each other in a cycle: ${ordered.cycle.join(" → ")}. Fix: remove one of these deps/outs links.`,
    );
  }
  const wanted = opts.stages;
  for (const name of wanted ?? []) {
    if (!(name in config.pipeline)) {
      throw new UserError(
        `run: no stage "${name}" in ${ctx.configPath} (stages: ${ordered.order.join(", ")}).`,
      );
    }
  }
  const order = wanted ? ordered.order.filter((n) => wanted.includes(n)) : ordered.order;
  const stages: StageResult[] = order.map((name) => ({
    name,
    cmd: config.pipeline[name]!.cmd,
    status: "not-run",
    exit_code: null,
    seconds: 0,
  }));
  let failed: string | null = null;
  for (const stage of stages) {
    const spec = config.pipeline[stage.name]!;
    const done = ctx.log.step(`stage ${stage.name}: ${spec.cmd}`);
    const outcome = await runStageCommand(spec.cmd, resolveIn(ctx.root, spec.wdir ?? "."), (line) =>
      ctx.log.info(`  ${stage.name} │ ${line}`),
    );
    done();
    stage.exit_code = outcome.exitCode;
    stage.seconds = outcome.seconds;
    stage.status = outcome.exitCode === 0 ? "ok" : "failed";
    if (stage.status === "failed") {
      failed = stage.name;
      break;
    }
  }
  const result: RunResult = { command: "run", ok: failed === null, failed_stage: failed, stages };
  await resultsOf(ctx).write("run", result);
  return result;
}
