#!/usr/bin/env node
// Evaluation-engine benchmark (issue 4, "Performance"). Run with `npm run bench:eval`
// (= `node bench/eval.mjs`). Never part of `npm test`.
//
// 1. Generates 1,000,000 seeded binary predictions (label ~ Bernoulli(0.3), score = logistic of a
//    normal shifted by the label, so scores are continuous; predicted = score >= 0.5).
// 2. Bundles src/core (metrics, prediction-table, uncertainty, delong) with esbuild, with the options
//    scripts/bundle.mjs uses for dist/, into a temporary directory, and imports it: the numbers are those
//    of the current sources in the shipped bundle format.
// 3. Reference, measured in the same run: scikit-learn (/usr/bin/python3, Debian's python3-sklearn)
//    computing the same 10 metrics on the same arrays; only the metric calls are timed. Best of --runs
//    (default 3) on both sides. The values are compared too (max relative difference).
// 4. Rows: the 10 metrics of PRODUCT.md 3.1 (target ratio <= 0.5); the extra outputs (confusion matrix,
//    per-class scores, calibration) vs confusion_matrix + precision_recall_fscore_support +
//    calibration_curve; and the whole evaluate with 1,000 bootstrap resamples of every metric plus
//    DeLong's interval (resampler sort included) vs scikit-learn's metrics-only time (target <= 5x).
//    Every row is the best of --runs on both sides; the ratios are of wall time. CPU time (process
//    time; for Node it includes V8's compiler and GC threads) is shown too, since on a shared machine
//    other jobs move wall time more than CPU time.
// Prints a table and writes bench/results/eval.json.
//
// Flags: --rows N (default 1000000), --resamples N (default 1000), --runs N (default 3),
//        --paired (also time a paired comparison of two models with the same resamples; informational).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS = join(ROOT, "bench", "results");
const PYTHON = "/usr/bin/python3";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROWS = option("--rows", 1_000_000);
const RESAMPLES = option("--resamples", 1000);
const RUNS = option("--runs", 3);
const PAIRED = args.includes("--paired");
const SEED = "4f2c1e9b7a6d5c3b2a1908f7e6d5c4b3a2918070"; // a commit-SHA-like bootstrap seed

/** mulberry32: small, fast, seeded. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(n, seed, shift) {
  const r = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const y = new Uint8Array(n);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = r() < 0.3 ? 1 : 0;
    score[i] = 1 / (1 + Math.exp(-(1.5 * normal() + shift * y[i] - 1.5)));
  }
  return { y, score };
}

async function bundleCore(dir) {
  const { build } = await import("esbuild");
  const { bundleOptions } = await import("../scripts/bundle-options.mjs");
  const entry = ["metrics", "prediction-table", "uncertainty", "delong"]
    .map((m) => `export * from ${JSON.stringify(join(ROOT, "src", "core", `${m}.ts`))};`)
    .join("\n");
  const outfile = join(dir, "eval-core.mjs");
  await build({
    ...bundleOptions,
    stdin: { contents: entry, resolveDir: ROOT, loader: "ts" },
    outfile,
  });
  return import(pathToFileURL(outfile).href);
}

const PYTHON_SCRIPT = `
import json, sys, time, warnings
import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, average_precision_score, balanced_accuracy_score,
    brier_score_loss, confusion_matrix, f1_score, log_loss, matthews_corrcoef,
    precision_recall_fscore_support, precision_score, recall_score, roc_auc_score)
warnings.simplefilter("ignore")
directory, runs = sys.argv[1], int(sys.argv[2])
y = np.fromfile(directory + "/y.bin", dtype=np.uint8).astype(np.int64)
score = np.fromfile(directory + "/score.bin", dtype=np.float64)
pred = (score >= 0.5).astype(np.int64)
metrics = {
    "accuracy": lambda: accuracy_score(y, pred),
    "balanced_accuracy": lambda: balanced_accuracy_score(y, pred),
    "precision": lambda: precision_score(y, pred),
    "recall": lambda: recall_score(y, pred),
    "f1": lambda: f1_score(y, pred),
    "roc_auc": lambda: roc_auc_score(y, score),
    "average_precision": lambda: average_precision_score(y, score),
    "log_loss": lambda: log_loss(y, score, labels=[0, 1]),
    "brier": lambda: brier_score_loss(y, score),
    "mcc": lambda: matthews_corrcoef(y, pred),
}
def details():
    confusion_matrix(y, pred, labels=[0, 1])
    precision_recall_fscore_support(y, pred, labels=[0, 1], average=None)
    prob_true, prob_pred = calibration_curve(y, score, n_bins=10, strategy="uniform")
    counts = np.bincount(np.searchsorted(np.linspace(0, 1, 11)[1:-1], score), minlength=10)
    np.sum(counts[counts > 0] / len(score) * np.abs(prob_true - prob_pred))
best = None
for _ in range(runs):
    per, values = {}, {}
    cpu = time.process_time()
    for name, fn in metrics.items():
        t = time.perf_counter(); values[name] = float(fn()); per[name] = time.perf_counter() - t
    cpu = time.process_time() - cpu
    t = time.perf_counter(); details(); per_details = time.perf_counter() - t
    total = sum(per.values())
    if best is None or total < best["metrics_seconds"]:
        best = {"metrics_seconds": total, "metrics_cpu_seconds": cpu, "per_metric_seconds": per, "values": values}
    best["details_seconds"] = min(best.get("details_seconds", 1e9), per_details)
best["sklearn_version"] = sklearn.__version__
best["numpy_version"] = np.__version__
print(json.dumps(best))
`;

function sklearnReference(dir, y, score) {
  writeFileSync(join(dir, "y.bin"), y);
  writeFileSync(join(dir, "score.bin"), new Uint8Array(score.buffer));
  const out = execFileSync(PYTHON, ["-c", PYTHON_SCRIPT, dir, String(RUNS)], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out);
}

function seconds(fn) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6, value };
}

/** Best (by wall time) of `runs` timings; fn returns a timing (seconds()) or is timed here. */
function bestOf(runs, fn, timed = false) {
  let best = null;
  for (let i = 0; i < runs; i++) {
    const run = timed ? fn() : seconds(fn);
    if (best === null || run.seconds < best.seconds) best = run;
  }
  return best;
}

function prepare(core, y, score) {
  // Parsing is not what is measured: the columns are built outside the timings.
  const label = Array.from(y);
  return core.preparePredictions(
    { label, score: Array.from(score) },
    { task: "binary", label: "label", file: "bench" },
  );
}

function maxRelativeDifference(ours, theirs) {
  let worst = 0;
  for (const [name, value] of Object.entries(theirs)) {
    const mine = ours[name];
    worst = Math.max(worst, Math.abs(mine - value) / Math.max(Math.abs(value), 1e-300));
  }
  return worst;
}

const fmt = (s) => `${s.toFixed(3)} s`;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "mlgate-bench-eval-"));
  try {
    const load = loadavg();
    console.log(`bench:eval — ${ROWS.toLocaleString("en-US")} binary predictions, ${RESAMPLES} resamples`);
    console.log(
      `machine: ${cpus()[0]?.model ?? "?"} × ${availableParallelism()}, load average ${load.map((l) => l.toFixed(2)).join(" ")}`,
    );
    const { y, score } = generate(ROWS, 20240611, 2);
    const pred = Uint8Array.from(score, (s) => (s >= 0.5 ? 1 : 0));
    const core = await bundleCore(dir);

    console.log("scikit-learn reference ...");
    const sk = sklearnReference(dir, y, score);

    console.log("mlgate ...");
    const metrics = bestOf(RUNS, () => core.binaryMetrics(y, score, pred));
    const prepared = prepare(core, y, score);
    const details = bestOf(RUNS, () => prepared.details());

    // The whole evaluate on a fresh prediction set each run, so the resampler's sort is in the timing.
    const full = bestOf(
      RUNS,
      () => {
        const fresh = prepare(core, y, score); // outside the timing: parsing is not measured
        return seconds(() => evaluateWithUncertainty(fresh));
      },
      true,
    );
    function evaluateWithUncertainty(fresh) {
      const point = fresh.evaluate();
      const t0 = performance.now();
      const ci = core.bootstrapIntervals(fresh, { resamples: RESAMPLES, confidence: 0.95, seed: SEED });
      const bootstrapSeconds = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const delong = core.delongAuc(y, score, 0.95);
      const delongSeconds = (performance.now() - t1) / 1000;
      return { point, ci, delong, bootstrapSeconds, delongSeconds };
    }

    let paired = null;
    if (PAIRED) {
      const other = generate(ROWS, 20240611, 1.5); // same labels (same seed and draws), a weaker model
      const current = prepare(core, y, score);
      const baseline = prepare(core, y, other.score);
      paired = seconds(() =>
        core.pairedComparison(current, baseline, { resamples: RESAMPLES, confidence: 0.95, seed: SEED }),
      );
    }

    const skMetrics = sk.metrics_seconds;
    const skCpu = sk.metrics_cpu_seconds;
    const rows = [
      ["10 metrics (PRODUCT.md 3.1)", metrics.seconds, skMetrics, metrics.cpu / skCpu, "<= 0.5"],
      ["confusion matrix + per-class + calibration", details.seconds, sk.details_seconds, null, ""],
      [
        `evaluate + ${RESAMPLES} bootstrap resamples (every metric) + DeLong`,
        full.seconds,
        skMetrics,
        full.cpu / skCpu,
        "<= 5 (vs sklearn metrics only)",
      ],
    ];
    if (paired) {
      rows.push([
        `paired comparison, ${RESAMPLES} resamples (info)`,
        paired.seconds,
        skMetrics,
        paired.cpu / skCpu,
        "",
      ]);
    }
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log("");
    console.log(
      `${"".padEnd(width)}  ${"mlgate".padStart(10)}  ${"sklearn".padStart(10)}  ${"ratio".padStart(7)}  ${"cpu ratio".padStart(9)}  target`,
    );
    for (const [name, ours, theirs, cpuRatio, target] of rows) {
      const cpuText = cpuRatio === null ? "" : cpuRatio.toFixed(3);
      console.log(
        `${name.padEnd(width)}  ${fmt(ours).padStart(10)}  ${fmt(theirs).padStart(10)}  ${(ours / theirs).toFixed(3).padStart(7)}  ${cpuText.padStart(9)}  ${target}`,
      );
    }
    const diff = maxRelativeDifference(metrics.value.metrics, sk.values);
    const { bootstrapSeconds, delongSeconds, delong, ci } = full.value;
    console.log("");
    console.log(
      `bootstrap ${fmt(bootstrapSeconds)} (${((bootstrapSeconds / RESAMPLES) * 1000).toFixed(2)} ms per resample), DeLong ${fmt(delongSeconds)}`,
    );
    console.log(`values: max relative difference vs scikit-learn ${diff.toExponential(2)}`);
    console.log(
      `roc_auc ${metrics.value.metrics.roc_auc.toFixed(6)}: DeLong CI [${delong.ci.map((v) => v.toFixed(6)).join(", ")}], bootstrap CI [${ci.roc_auc.map((v) => v.toFixed(6)).join(", ")}]`,
    );

    const result = {
      rows: ROWS,
      resamples: RESAMPLES,
      runs: RUNS,
      seed: SEED,
      node: process.version,
      cpu: cpus()[0]?.model ?? null,
      cpus: availableParallelism(),
      load_average_at_start: load,
      load_average_at_end: loadavg(),
      sklearn_version: sk.sklearn_version,
      numpy_version: sk.numpy_version,
      metrics: {
        mlgate_seconds: metrics.seconds,
        sklearn_seconds: skMetrics,
        ratio: metrics.seconds / skMetrics,
        cpu_ratio: metrics.cpu / skCpu,
        target: 0.5,
      },
      sklearn_per_metric_seconds: sk.per_metric_seconds,
      details: {
        mlgate_seconds: details.seconds,
        sklearn_seconds: sk.details_seconds,
        ratio: details.seconds / sk.details_seconds,
      },
      evaluate_with_bootstrap: {
        mlgate_seconds: full.seconds,
        bootstrap_seconds: bootstrapSeconds,
        delong_seconds: delongSeconds,
        sklearn_metrics_seconds: skMetrics,
        ratio: full.seconds / skMetrics,
        cpu_ratio: full.cpu / skCpu,
        target: 5,
      },
      paired_comparison: paired
        ? { mlgate_seconds: paired.seconds, ratio: paired.seconds / skMetrics, cpu_ratio: paired.cpu / skCpu }
        : null,
      max_relative_difference_vs_sklearn: diff,
      targets_met: metrics.seconds / skMetrics <= 0.5 && full.seconds / skMetrics <= 5,
    };
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, "eval.json"), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nwrote bench/results/eval.json (targets ${result.targets_met ? "met" : "NOT met"})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
