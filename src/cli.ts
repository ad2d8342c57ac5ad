/**
 * The `mlgate` command line: parses flags into the same command calls the
 * action makes. Exit codes: 0 ok, 1 a gate failed, 2 bad input or config.
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { check } from "./commands/check.js";
import type { CommandContext, Logger } from "./commands/context.js";
import { driftFiles } from "./commands/drift.js";
import { evaluateFile, evaluateModels } from "./commands/evaluate.js";
import { inferSchema } from "./commands/infer-schema.js";
import { mergeProfileFiles, profileDataset } from "./commands/profile.js";
import { promote, rollback } from "./commands/promote.js";
import { registryCommand } from "./commands/registry.js";
import { release } from "./commands/release.js";
import { report } from "./commands/report.js";
import { runPipeline } from "./commands/run.js";
import { validateDatasets, validateFile } from "./commands/validate-data.js";
import { validateModels } from "./commands/validate-model.js";
import { DRIFT_METHODS } from "./config.js";
import type { Task } from "./core/prediction-table.js";
import { notAvailableYet, UserError } from "./errors.js";
import type { TableFormat } from "./io/table-reader.js";
import { type AnyResult, summarize } from "./summaries.js";
import { MLGATE_VERSION } from "./version.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | undefined>;

interface CommandSpec {
  summary: string;
  usage: string;
  options: Options;
  /** Returns the result and whether a gate failed. */
  run(
    ctx: CommandContext,
    values: Values,
    positionals: string[],
  ): Promise<{ result: AnyResult; gateFailed: boolean }>;
}

const COMMON: Options = {
  config: { type: "string", short: "c", default: ".mlgate.yml" },
  cwd: { type: "string", short: "C" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
};
const TABLE_FORMATS: TableFormat[] = ["csv", "tsv", "jsonl", "parquet"];
const MODEL: Options = { model: { type: "string", short: "m" } };
const BASE: Options = { base: { type: "string" } };

function numberFlag(command: string, flag: string, text: string, min = -Infinity, max = Infinity): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
    const range = Number.isFinite(min) ? ` in [${min}, ${max}]` : "";
    throw new UserError(`${command}: --${flag} must be a number${range}, got "${text}".`);
  }
  return n;
}

function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) {
    throw new UserError(`--shard must be i/n with 0 ≤ i < n (e.g. 0/4), got "${text}".`);
  }
  return { index, count };
}

const str = (v: Values, k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
const scope = (v: Values) => ({
  ...(str(v, "model") && { model: str(v, "model") }),
  ...(str(v, "base") && { base: str(v, "base") }),
});
const actor = () => process.env.GITHUB_ACTOR ?? process.env.USER ?? "local";

function later(command: string, issue: string): CommandSpec {
  return {
    summary: `(not available yet — ${issue})`,
    usage: `mlgate ${command}`,
    options: {},
    run: async () => {
      throw notAvailableYet(command, issue);
    },
  };
}

export const COMMANDS: Record<string, CommandSpec> = {
  check: {
    summary:
      "What CI runs on a pull request: validate-data → run → evaluate → validate-model → report --dry-run",
    usage: "mlgate check [--model NAME] [--base REF]",
    options: { ...MODEL, ...BASE },
    run: async (ctx, v) => {
      const result = await check(ctx, scope(v));
      return { result, gateFailed: !result.run.ok || result.report?.verdict === "blocked" };
    },
  },
  "validate-data": {
    summary: "Check each dataset against its schema and compare its shape with the base commit",
    usage:
      "mlgate validate-data [--dataset NAME] [--base REF]\n       mlgate validate-data FILE --schema SCHEMA.yml",
    options: { dataset: { type: "string" }, schema: { type: "string" }, ...BASE },
    run: async (ctx, v, pos) => {
      const schema = str(v, "schema");
      if (pos.length > 0 || schema) {
        if (pos.length !== 1 || !schema)
          throw new UserError("validate-data: the standalone form needs one FILE and --schema SCHEMA.yml.");
        const result = await validateFile(resolve(ctx.root, pos[0]!), resolve(ctx.root, schema));
        return { result, gateFailed: !result.ok };
      }
      const result = await validateDatasets(ctx, {
        ...(str(v, "dataset") && { dataset: str(v, "dataset") }),
        ...scope(v),
      });
      return { result, gateFailed: !result.ok };
    },
  },
  run: {
    summary: "Run the pipeline's stages in dependency order",
    usage: "mlgate run [STAGE...]",
    options: {},
    run: async (ctx, _v, pos) => {
      const result = await runPipeline(ctx, pos.length ? { stages: pos } : {});
      return { result, gateFailed: !result.ok };
    },
  },
  evaluate: {
    summary: "Compute metrics from a predictions file and compare with the baselines",
    usage:
      "mlgate evaluate [--model NAME] [--base REF]\n" +
      "       mlgate evaluate --task binary|multiclass|regression --predictions FILE [--label-column label]\n" +
      "                       [--score-column score] [--prediction-column prediction] [--proba-prefix proba_]\n" +
      "                       [--positive-label 1] [--threshold 0.5] [--slice COLUMN]... [--labels FILE --id-column id]",
    options: {
      ...MODEL,
      ...BASE,
      task: { type: "string" },
      predictions: { type: "string" },
      "label-column": { type: "string" },
      "score-column": { type: "string" },
      "prediction-column": { type: "string" },
      "proba-prefix": { type: "string" },
      "positive-label": { type: "string" },
      threshold: { type: "string" },
      slice: { type: "string", multiple: true },
      labels: { type: "string" },
      "id-column": { type: "string" },
    },
    run: async (ctx, v) => {
      const predictions = str(v, "predictions");
      if (predictions === undefined) {
        if (str(v, "task")) throw new UserError("evaluate: --task needs --predictions FILE.");
        return { result: await evaluateModels(ctx, scope(v)), gateFailed: false };
      }
      const task = str(v, "task");
      if (task !== "binary" && task !== "multiclass" && task !== "regression") {
        throw new UserError(
          `evaluate: --task must be binary, multiclass or regression, got ${task === undefined ? "nothing" : JSON.stringify(task)}.`,
        );
      }
      const threshold = str(v, "threshold");
      const t = threshold === undefined ? undefined : numberFlag("evaluate", "threshold", threshold, 0, 1);
      const result = await evaluateFile({
        predictions: resolve(ctx.root, predictions),
        task: task as Task,
        label: str(v, "label-column") ?? "label",
        ...(str(v, "score-column") && { score: str(v, "score-column") }),
        ...(str(v, "prediction-column") && { prediction: str(v, "prediction-column") }),
        ...(str(v, "proba-prefix") && { probaPrefix: str(v, "proba-prefix") }),
        ...(str(v, "positive-label") && { positiveLabel: str(v, "positive-label") }),
        ...(t !== undefined && { threshold: t }),
        slices: (v.slice as unknown as string[] | undefined) ?? [],
        ...(str(v, "labels") && {
          labels: {
            path: resolve(ctx.root, str(v, "labels")!),
            displayName: str(v, "labels")!,
            id: str(v, "id-column") ?? "id",
          },
        }),
      });
      return { result, gateFailed: false };
    },
  },
  "validate-model": {
    summary: "Artifact checks and metric gates; the model's verdict",
    usage: "mlgate validate-model [--model NAME] [--base REF]",
    options: { ...MODEL, ...BASE },
    run: async (ctx, v) => {
      const result = await validateModels(ctx, scope(v));
      return { result, gateFailed: result.some((r) => r.verdict === "blocked") };
    },
  },
  report: {
    summary: "Render the PR comment (posting to GitHub arrives later; use --dry-run)",
    usage: "mlgate report --dry-run [--model NAME] [--base REF]",
    options: { ...MODEL, ...BASE, "dry-run": { type: "boolean", default: false } },
    run: async (ctx, v) => {
      const result = await report(ctx, { ...scope(v), dryRun: v["dry-run"] === true });
      return { result, gateFailed: result.verdict === "blocked" };
    },
  },
  release: {
    summary: "Store the model as the next registry version",
    usage: "mlgate release [--model NAME]",
    options: { ...MODEL },
    run: async (ctx, v) => ({ result: await release(ctx, scope(v)), gateFailed: false }),
  },
  promote: {
    summary: "Move a stage to a registry version",
    usage: "mlgate promote MODEL [VERSION|latest] --to STAGE [--force]",
    options: { to: { type: "string" }, force: { type: "boolean", default: false } },
    run: async (ctx, v, pos) => {
      const [model, version = "latest"] = pos;
      const stage = str(v, "to");
      if (!model || !stage)
        throw new UserError("promote: usage: mlgate promote MODEL [VERSION|latest] --to STAGE");
      const n = /^v?([1-9][0-9]*)$/.exec(version);
      if (!n && version !== "latest")
        throw new UserError(`promote: VERSION must be a number like 3 (or v3, or latest), got "${version}".`);
      const result = await promote(ctx, {
        model,
        version: n ? Number(n[1]) : "latest",
        stage,
        by: actor(),
        force: v.force === true,
      });
      return { result, gateFailed: false };
    },
  },
  rollback: {
    summary: "Move a stage back to the version it served before",
    usage: "mlgate rollback MODEL --stage STAGE",
    options: { stage: { type: "string" } },
    run: async (ctx, v, pos) => {
      const stage = str(v, "stage");
      if (!pos[0] || !stage) throw new UserError("rollback: usage: mlgate rollback MODEL --stage STAGE");
      return { result: await rollback(ctx, { model: pos[0], stage, by: actor() }), gateFailed: false };
    },
  },
  registry: {
    summary: "List models, show a version, stage history, pull a version",
    usage:
      "mlgate registry list | show MODEL[@VERSION|@STAGE] | history MODEL [--stage S] | pull MODEL[@…] [--dest DIR]",
    options: { stage: { type: "string" }, dest: { type: "string" } },
    run: async (ctx, v, pos) => {
      const [action = "list", ref] = pos;
      const result = await registryCommand(ctx, action, {
        ...(ref && { ref }),
        ...(str(v, "stage") && { stage: str(v, "stage") }),
        ...(str(v, "dest") && { dest: str(v, "dest") }),
      });
      return { result, gateFailed: false };
    },
  },
  "infer-schema": {
    summary: "Write a starting schema for a data file (the same data passes it)",
    usage: "mlgate infer-schema FILE [--out SCHEMA.yml] [--format csv|tsv|jsonl|parquet] [--delimiter ,]",
    options: {
      out: { type: "string", short: "o" },
      format: { type: "string" },
      delimiter: { type: "string" },
    },
    run: async (ctx, v, pos) => {
      if (pos.length !== 1)
        throw new UserError("infer-schema: name one data file, e.g. `mlgate infer-schema data/train.csv`.");
      const format = str(v, "format");
      if (format !== undefined && !TABLE_FORMATS.includes(format as TableFormat)) {
        throw new UserError(
          `infer-schema: --format must be one of ${TABLE_FORMATS.join(", ")}, got "${format}".`,
        );
      }
      const result = await inferSchema(ctx, {
        file: pos[0]!,
        ...(str(v, "out") && { out: str(v, "out") }),
        ...(format && { format: format as TableFormat }),
        ...(str(v, "delimiter") && { delimiter: str(v, "delimiter") }),
      });
      return { result, gateFailed: false };
    },
  },
  profile: {
    summary: "Write a mergeable profile of a dataset or file (--shard i/n: one byte range of it)",
    usage: "mlgate profile [FILE | --dataset NAME] --out PROFILE.json [--shard i/n] [--threads N]",
    options: {
      dataset: { type: "string" },
      out: { type: "string", short: "o" },
      shard: { type: "string" },
      threads: { type: "string" },
    },
    run: async (ctx, v, pos) => {
      const out = str(v, "out");
      if (!out) throw new UserError("profile: --out PROFILE.json is required.");
      if (pos.length > 1) throw new UserError("profile: name at most one data file.");
      const shardText = str(v, "shard");
      const shard = shardText === undefined ? undefined : parseShard(shardText);
      const threads = str(v, "threads");
      const result = await profileDataset(ctx, {
        out,
        ...(pos[0] !== undefined && { file: pos[0] }),
        ...(str(v, "dataset") && { dataset: str(v, "dataset") }),
        ...(shard && { shard }),
        ...(threads !== undefined && { threads: numberFlag("profile", "threads", threads, 1, 64) }),
      });
      // validate-data is the gate; profile reports its checks but exits 0
      return { result, gateFailed: false };
    },
  },
  "merge-profiles": {
    summary: "Merge shard profiles into the profile of the whole file",
    usage: "mlgate merge-profiles A.json B.json ... --out PROFILE.json",
    options: { out: { type: "string", short: "o" } },
    run: async (ctx, v, pos) => {
      const out = str(v, "out");
      if (!out) throw new UserError("merge-profiles: --out PROFILE.json is required.");
      const result = await mergeProfileFiles(
        pos.map((p) => resolve(ctx.root, p)),
        resolve(ctx.root, out),
      );
      return { result, gateFailed: false };
    },
  },
  drift: {
    summary: "Drift between two datasets or two profiles (exit 1 when the dataset drifts)",
    usage:
      "mlgate drift REFERENCE CURRENT [--columns a,b,...] [--method auto|ks|chisquare|z|wasserstein|jensenshannon|psi|kl|hellinger]\n" +
      "                               [--threshold X] [--share 0.5]",
    options: {
      columns: { type: "string" },
      method: { type: "string", default: "auto" },
      threshold: { type: "string" },
      share: { type: "string" },
    },
    run: async (ctx, v, pos) => {
      if (pos.length !== 2)
        throw new UserError("drift: usage: mlgate drift REFERENCE CURRENT (data files or profiles).");
      const method = str(v, "method") ?? "auto";
      if (!(DRIFT_METHODS as readonly string[]).includes(method)) {
        throw new UserError(`drift: --method must be one of ${DRIFT_METHODS.join(", ")}, got "${method}".`);
      }
      const result = await driftFiles(ctx, {
        reference: pos[0]!,
        current: pos[1]!,
        method: method as (typeof DRIFT_METHODS)[number],
        ...(str(v, "columns") && {
          columns: str(v, "columns")!
            .split(",")
            .map((c) => c.trim()),
        }),
        ...(str(v, "threshold") && { threshold: numberFlag("drift", "threshold", str(v, "threshold")!) }),
        ...(str(v, "share") && { share: numberFlag("drift", "share", str(v, "share")!, 0, 1) }),
      });
      return { result, gateFailed: result.dataset_drifted };
    },
  },
  monitor: later("monitor", "a later issue: scheduled monitoring"),
  bot: later("bot", "issue #6, slash commands"),
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `mlgate ${MLGATE_VERSION} — MLOps in the pull request`,
    "",
    "usage: mlgate <command> [options]    (mlgate <command> --help for its options)",
    "",
    ...Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`),
    "",
    "common options: --config FILE (default .mlgate.yml), -C/--cwd DIR, --json, -h/--help",
    "exit codes: 0 ok, 1 a gate failed, 2 bad input or config",
  ].join("\n");
}

function commandHelp(name: string, spec: CommandSpec): string {
  const opts = Object.entries({ ...spec.options, ...COMMON }).map(
    ([k, o]) =>
      `  --${k}${o.type === "string" ? " VALUE" : ""}${o.short ? ` (-${o.short})` : ""}${o.default !== undefined && o.type === "string" ? ` [default ${String(o.default)}]` : ""}`,
  );
  return [`mlgate ${name} — ${spec.summary}`, "", `usage: ${spec.usage}`, "", "options:", ...opts].join("\n");
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export function terminalLogger(err: (text: string) => void): Logger {
  return {
    info: (message) => err(message),
    step: (title) => {
      const started = performance.now();
      err(`▶ ${title}`);
      return () => err(`  ✓ ${title} (${((performance.now() - started) / 1000).toFixed(2)}s)`);
    },
  };
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function runCli(
  argv: string[],
  io: Io = { out: (t) => console.log(t), err: (t) => console.error(t) },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.out(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.out(MLGATE_VERSION);
    return 0;
  }
  const spec = COMMANDS[name];
  if (!spec) {
    io.err(`mlgate: unknown command "${name}". Run \`mlgate --help\` for the list.`);
    return 2;
  }
  try {
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...spec.options, ...COMMON },
        allowPositionals: true,
        strict: true,
      }) as typeof parsed;
    } catch (e) {
      throw new UserError(
        `mlgate ${name}: ${(e as Error).message.split("\n")[0]} Run \`mlgate ${name} --help\`.`,
      );
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.out(commandHelp(name, spec));
      return 0;
    }
    const json = values.json === true;
    const ctx: CommandContext = {
      root: resolve(str(values, "cwd") ?? "."),
      configPath: str(values, "config") ?? ".mlgate.yml",
      log: terminalLogger(io.err),
      runUrl: null,
    };
    const { result, gateFailed } = await spec.run(ctx, values, positionals);
    io.out(json ? JSON.stringify(result, null, 2) : summarize(result));
    return gateFailed ? 1 : 0;
  } catch (e) {
    if (e instanceof UserError) {
      for (const line of e.problems) io.err(`error: ${line}`);
      return 2;
    }
    io.err(
      `mlgate: internal error: ${(e as Error)?.stack ?? String(e)}\nThis is a bug in mlgate; please report it with the command you ran.`,
    );
    return 3;
  }
}

/** True when this module is the process entry (bin or `node dist/cli.js`), not an import. */
function isEntry(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
