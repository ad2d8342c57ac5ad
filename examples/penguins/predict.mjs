#!/usr/bin/env node
/**
 * Score the test set with the model trained by train.mjs.
 *
 * Plain Node.js (>= 20), no npm dependencies. Run from the project root:
 *
 *   node predict.mjs        reads build/model.json and data/test.csv
 *                           writes build/predictions.csv
 *
 * Output columns: id, label (the true species), proba_<class> for every
 * class (full precision), and island, sex (kept for per-slice metrics).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const MODEL_FILE = "build/model.json";
const TEST_CSV = "data/test.csv";
const OUT_FILE = "build/predictions.csv";
const SLICE_COLUMNS = ["island", "sex"];

/** Tiny CSV reader, enough for data/test.csv: no quoted fields; empty = null. */
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

/** One CSV field (RFC 4180): null → empty, quoted only when needed. */
function field(value) {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Same encoding as train.mjs, driven by the feature list stored in the model. */
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

const model = JSON.parse(readFileSync(MODEL_FILE, "utf8"));
const rows = readCsv(TEST_CSV);

const header = ["id", "label", ...model.classes.map((c) => `proba_${c}`), ...SLICE_COLUMNS];
const lines = [header.join(",")];
for (const row of rows) {
  const x = encode(row, model.features);
  const proba = softmax(
    model.weights.map((w, k) => model.bias[k] + w.reduce((s, wj, j) => s + wj * x[j], 0)),
  );
  lines.push(
    [row.id, row[model.target], ...proba.map(String), ...SLICE_COLUMNS.map((c) => row[c])]
      .map(field)
      .join(","),
  );
}

mkdirSync("build", { recursive: true });
writeFileSync(OUT_FILE, lines.join("\n") + "\n");
console.log(`wrote ${OUT_FILE}: ${rows.length} rows`);
