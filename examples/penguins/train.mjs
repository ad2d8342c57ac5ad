#!/usr/bin/env node
/**
 * Train a penguin species classifier: softmax (multinomial logistic)
 * regression fitted by full-batch gradient descent.
 *
 * Plain Node.js (>= 20), no npm dependencies. Run from the project root:
 *
 *   node train.mjs          reads data/train.csv and params.yaml (section `train:`)
 *                           writes build/model.json
 *
 * Features: the four body measurements, standardized with the training mean
 * and standard deviation (a missing value is imputed with the training mean,
 * i.e. 0 after standardizing), plus one-hot `island` and one-hot `sex` (a
 * missing sex is a level of its own). The target is `species`.
 *
 * Deterministic: the same data and params give the same model.json, byte for
 * byte (initial weights come from a PRNG seeded with `seed`).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const TRAIN_CSV = "data/train.csv";
const PARAMS_FILE = "params.yaml";
const MODEL_FILE = "build/model.json";
const TARGET = "species";
const NUMERIC = ["beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g"];
const CATEGORICAL = ["island", "sex"];

/**
 * Tiny CSV reader, enough for data/train.csv: a header row, comma-separated
 * fields, no quoted fields. An empty field is null.
 */
function readCsv(path) {
  const lines = readFileSync(path, "utf8")
    .split(/\r?\n/)
    .filter((line) => line !== "");
  const header = lines[0].split(",");
  return lines.slice(1).map((line, i) => {
    const fields = line.split(",");
    if (fields.length !== header.length) {
      throw new Error(`${path}:${i + 2}: expected ${header.length} fields, got ${fields.length}`);
    }
    return Object.fromEntries(header.map((name, j) => [name, fields[j] === "" ? null : fields[j]]));
  });
}

/**
 * Deliberately minimal YAML reader for one flat section of params.yaml:
 *
 *   train:
 *     learning_rate: 0.05   # comments are fine
 *
 * Only `key: number` lines indented under `<section>:` are understood; no
 * nesting, lists, strings or anchors. (A real project would use a YAML
 * library; this example has no dependencies on purpose.)
 */
function readParams(path, section) {
  const params = {};
  let inSection = false;
  for (const raw of readFileSync(path, "utf8").split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, "").replace(/^#.*$/, "");
    if (line.trim() === "") continue;
    if (!/^\s/.test(line)) {
      inSection = line.trim() === `${section}:`;
      continue;
    }
    if (!inSection) continue;
    const match = /^\s+([A-Za-z_][\w-]*)\s*:\s*(\S+)\s*$/.exec(line);
    const value = match ? Number(match[2]) : Number.NaN;
    if (!match || !Number.isFinite(value)) {
      throw new Error(`${path}: cannot read "${raw.trim()}" (expected "key: number" under ${section}:)`);
    }
    params[match[1]] = value;
  }
  return params;
}

function checkParams(params) {
  const problems = [];
  if (!(params.learning_rate > 0)) problems.push("learning_rate must be > 0");
  if (!(Number.isInteger(params.epochs) && params.epochs > 0)) problems.push("epochs must be an integer > 0");
  if (!(params.l2 >= 0)) problems.push("l2 must be >= 0");
  if (!Number.isInteger(params.seed)) problems.push("seed must be an integer");
  if (problems.length > 0) throw new Error(`${PARAMS_FILE} (train:): ${problems.join("; ")}`);
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Describe the features (stored in model.json so predict.mjs can rebuild them). */
function featureSpec(rows) {
  const features = [];
  for (const column of NUMERIC) {
    const values = rows
      .map((row) => row[column])
      .filter((v) => v !== null)
      .map(Number);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
    features.push({ name: column, kind: "numeric", column, mean, std: Math.sqrt(variance) || 1 });
  }
  for (const column of CATEGORICAL) {
    const levels = [...new Set(rows.map((row) => row[column]))].sort((a, b) =>
      a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0,
    );
    for (const value of levels) {
      features.push({ name: `${column}=${value ?? "(missing)"}`, kind: "onehot", column, value });
    }
  }
  return features;
}

/** One row → feature vector. Unknown category levels encode as all zeros. */
function encode(row, features) {
  return features.map((f) => {
    if (f.kind === "numeric") return row[f.column] === null ? 0 : (Number(row[f.column]) - f.mean) / f.std;
    return row[f.column] === f.value ? 1 : 0;
  });
}

function softmax(logits) {
  const top = Math.max(...logits);
  const exps = logits.map((z) => Math.exp(z - top));
  const total = exps.reduce((sum, e) => sum + e, 0);
  return exps.map((e) => e / total);
}

const params = readParams(PARAMS_FILE, "train");
checkParams(params);
const rows = readCsv(TRAIN_CSV);
if (rows.some((row) => row[TARGET] === null)) throw new Error(`${TRAIN_CSV}: ${TARGET} has missing values`);
const classes = [...new Set(rows.map((row) => row[TARGET]))].sort();
const features = featureSpec(rows);
const X = rows.map((row) => encode(row, features));
const y = rows.map((row) => classes.indexOf(row[TARGET]));
const n = X.length;
const K = classes.length;
const D = features.length;

// Small random initial weights in [-0.01, 0.01) (small enough that the seed only
// nudges the result); biases start at 0.
const random = mulberry32(params.seed);
const weights = classes.map(() => features.map(() => (random() - 0.5) * 0.02));
const bias = classes.map(() => 0);

/** Mean cross-entropy + (l2 / 2)·‖W‖² (biases are not penalized), and accuracy. */
function evaluate() {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const p = softmax(weights.map((w, k) => bias[k] + w.reduce((s, wj, j) => s + wj * X[i][j], 0)));
    loss -= Math.log(Math.max(p[y[i]], 1e-15));
    if (p.indexOf(Math.max(...p)) === y[i]) correct++;
  }
  const penalty = weights.reduce((s, w) => s + w.reduce((t, wj) => t + wj * wj, 0), 0);
  return { loss: loss / n + (params.l2 / 2) * penalty, accuracy: correct / n };
}

const started = performance.now();
console.log(`training softmax regression: ${n} rows, ${D} features, ${K} classes (${classes.join(", ")})`);
console.log(
  `params: learning_rate=${params.learning_rate} epochs=${params.epochs} l2=${params.l2} seed=${params.seed}`,
);
for (let epoch = 1; epoch <= params.epochs; epoch++) {
  const gradW = classes.map(() => new Array(D).fill(0));
  const gradB = new Array(K).fill(0);
  for (let i = 0; i < n; i++) {
    const x = X[i];
    const p = softmax(weights.map((w, k) => bias[k] + w.reduce((s, wj, j) => s + wj * x[j], 0)));
    for (let k = 0; k < K; k++) {
      const err = p[k] - (y[i] === k ? 1 : 0);
      gradB[k] += err;
      for (let j = 0; j < D; j++) gradW[k][j] += err * x[j];
    }
  }
  for (let k = 0; k < K; k++) {
    bias[k] -= (params.learning_rate * gradB[k]) / n;
    for (let j = 0; j < D; j++) {
      weights[k][j] -= params.learning_rate * (gradW[k][j] / n + params.l2 * weights[k][j]);
    }
  }
  if (epoch === 1 || epoch % 50 === 0 || epoch === params.epochs) {
    const { loss, accuracy } = evaluate();
    console.log(
      `epoch ${String(epoch).padStart(4)}  loss ${loss.toFixed(4)}  train_accuracy ${accuracy.toFixed(4)}`,
    );
  }
}

const final = evaluate();
const model = {
  type: "softmax_regression",
  target: TARGET,
  classes,
  features,
  weights,
  bias,
  params,
  train: { rows: n, loss: final.loss, accuracy: final.accuracy },
};
mkdirSync("build", { recursive: true });
writeFileSync(MODEL_FILE, JSON.stringify(model, null, 2) + "\n");
console.log(`wrote ${MODEL_FILE} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
