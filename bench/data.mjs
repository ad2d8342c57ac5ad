#!/usr/bin/env node
// Data-engine benchmark (issue 3, "Performance"). Run with `npm run bench:data`.
//
// 1. Generates (seeded, once) bench/data/bench-1g.csv: 6.25M rows × 18 mixed columns
//    (ints, floats, categoricals, quoted free text with commas and "" escapes), ≈ 1 GB, and
//    bench/data/bench-100m.csv, its first 625k rows (≈ 100 MB).
// 2. Bundles `mlgate profile` (src/commands/profile.ts + the worker) with esbuild, exactly as
//    scripts/bundle.mjs bundles dist/ (same options), into bench/data/build/, and runs it as a
//    child process: profile + the schema checks of bench/data/.mlgate.yml in one pass.
//    (The bench bundles src/ itself so it measures the current sources whether or not dist/
//    has been rebuilt and the CLI wired; the code is the same bundle format that ships.)
// 3. References, measured in the same run with the page cache warm (each file is read once
//    before timing): pandas read_csv + describe + quantiles + nunique (/usr/bin/python3),
//    DuckDB SUMMARIZE (@duckdb/node-api), and a JS newline count with 1 MiB reads.
// 4. Peak RSS of the mlgate child (VmHWM from /proc/<pid>/status, polled, and the kernel's
//    ru_maxrss via /usr/bin/time -v when available) at 1 GB and at 100 MB.
// 5. Real data: vega-datasets' flights-3m.parquet rows/s vs DuckDB, when a Parquet reader exists.
// Prints a table and writes bench/results/data.json. Never part of `npm test`.
//
// Flags: --generate-only, --skip-pandas, --runs N (default 3; every measurement, ours and the
// references alike, reports its best of N — the CI machines this runs on are noisy).
import { execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DATA = join(ROOT, "bench", "data");
const BUILD = join(DATA, "build");
const RESULTS = join(ROOT, "bench", "results");
const BIG = join(DATA, "bench-1g.csv");
const SMALL = join(DATA, "bench-100m.csv");
const BIG_ROWS = 6_250_000;
const SMALL_ROWS = 625_000;
const FLIGHTS = join(ROOT, "node_modules", "vega-datasets", "data", "flights-3m.parquet");

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const runs = args.includes("--runs") ? Number(args[args.indexOf("--runs") + 1]) || 1 : 3;

// ---------------------------------------------------------------------------------
// Data

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

const HEADER = [
  "id",
  "age",
  "visits",
  "clicks",
  "year",
  "x_norm",
  "amount",
  "ratio",
  "temp",
  "balance",
  "score",
  "plan",
  "country",
  "city",
  "device",
  "segment",
  "title",
  "comment",
];
const PLANS = ["basic", "plus", "pro"];
const COUNTRIES = Array.from({ length: 50 }, (_, i) =>
  String.fromCharCode(65 + (i % 26), 65 + ((i * 7) % 26)),
);
const DEVICES = ["ios", "android", "web", "desktop", "tablet"];
const WORDS = (
  "alpha beta gamma delta model data drift metric label score train test split batch epoch loss " +
  "feature column value quick brown fox jumps over lazy dog north south east west river stone " +
  "cloud rain sun wind green blue red fast slow high low new old good bad"
).split(" ");

function generate(path, rows) {
  mkdirSync(DATA, { recursive: true });
  const r = rng(20240611);
  const normal = () => {
    const u = 1 - r();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  };
  const text = (min, max) => {
    const target = min + Math.floor(r() * (max - min));
    let s = WORDS[Math.floor(r() * WORDS.length)];
    while (s.length < target) {
      const sep = r() < 0.08 ? ", " : r() < 0.03 ? ' ""quoted"" ' : " ";
      s += sep + WORDS[Math.floor(r() * WORDS.length)];
    }
    return `"${s}"`;
  };
  const fd = openSync(`${path}.tmp`, "w");
  let out = `${HEADER.join(",")}\n`;
  for (let i = 0; i < rows; i++) {
    const age = r() < 0.02 ? "" : String(18 + Math.floor(r() * 73));
    const visits = String(Math.floor(Math.exp(r() * 9.2)));
    const clicks = String(Math.floor(-Math.log(1 - r()) * 6));
    const year = String(2000 + Math.floor(r() * 25));
    const xNorm = normal().toFixed(6);
    const amount = Math.exp(3 + normal()).toFixed(2);
    const ratio = r().toFixed(8);
    const temp = (15 + 10 * normal()).toFixed(3);
    const balance = r() < 0.05 ? "" : (1000 + 5000 * normal()).toFixed(2);
    const score = r().toFixed(4);
    const plan = PLANS[Math.floor(r() * r() * 3)];
    const country = COUNTRIES[Math.floor(r() * COUNTRIES.length)];
    const city = `city_${Math.floor(1000 * r() ** 3)}`;
    const device = DEVICES[Math.floor(r() * DEVICES.length)];
    const segment = r() < 0.1 ? "" : `seg_${Math.floor(r() * 20)}`;
    out +=
      `${i + 1},${age},${visits},${clicks},${year},${xNorm},${amount},${ratio},${temp},${balance},` +
      `${score},${plan},${country},${city},${device},${segment},${text(8, 28)},${text(12, 52)}\n`;
    if (out.length > 1 << 22) {
      writeSync(fd, out);
      out = "";
    }
  }
  writeSync(fd, out);
  closeSync(fd);
  execFileSync("mv", [`${path}.tmp`, path]);
}

const SCHEMA_YAML = `# Schema checks run by the benchmark together with the profile (one pass).
datasets:
  - name: bench
    path: PATH
    schema:
      columns:
        id: { type: integer, nullable: false, min: 1 }
        age: { type: integer, min: 18, max: 120, max_null_share: 0.05 }
        visits: { type: integer, min: 0 }
        clicks: { type: integer, min: 0 }
        year: { type: integer, min: 2000, max: 2030 }
        x_norm: { type: number }
        amount: { type: number, min: 0 }
        ratio: { type: number, min: 0, max: 1 }
        temp: { type: number }
        balance: { type: number, max_null_share: 0.1 }
        score: { type: number, min: 0, max: 1 }
        plan: { type: category, values: [basic, plus, pro] }
        country: { type: string, regex: "[A-Z]{2}" }
        city: { type: string, nullable: false }
        device: { type: category, values: [ios, android, web, desktop, tablet] }
        segment: { type: category, max_null_share: 0.2 }
        title: { type: string, max_length: 200 }
        comment: { type: string }
      rows: { min: 1 }
`;

// ---------------------------------------------------------------------------------
// Measurements

function warm(path) {
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(1 << 20);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

/** The reference floor: count LF bytes with 1 MiB reads. */
function newlineCount(path) {
  const started = performance.now();
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(1 << 20);
  let lines = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const view = n === buf.length ? buf : buf.subarray(0, n);
    for (let i = view.indexOf(10); i !== -1; i = view.indexOf(10, i + 1)) lines++;
  }
  closeSync(fd);
  return { seconds: (performance.now() - started) / 1000, lines };
}

/** Runs a child, polling VmHWM; returns wall seconds, peak RSS (MiB) and stdout. */
function runChild(cmd, argv, opts = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"], ...opts });
    let stdout = "";
    let stderr = "";
    let peakKb = 0;
    const poll = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {}
    };
    const timer = setInterval(poll, 20);
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      const time = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      if (time) peakKb = Math.max(peakKb, Number(time[1]));
      if (code !== 0) reject(new Error(`${cmd} ${argv.join(" ")} exited ${code}\n${stderr}`));
      else resolve({ seconds, peakMiB: peakKb / 1024, stdout, stderr });
    });
  });
}

const hasTime = existsSync("/usr/bin/time");
const timed = (cmd, argv) =>
  hasTime ? runChild("/usr/bin/time", ["-v", cmd, ...argv]) : runChild(cmd, argv);

async function bundle() {
  const { build } = await import("esbuild");
  const { bundleOptions: common } = await import("../scripts/bundle-options.mjs");

  const entry = `
    import { profileDataset } from ${JSON.stringify(join(ROOT, "src/commands/profile.ts"))};
    const [root, dataset, out, threads] = process.argv.slice(2);
    const ctx = { root, configPath: ".mlgate.yml", log: { info() {}, step: () => () => {} }, runUrl: null };
    const started = performance.now();
    const result = await profileDataset(ctx, { dataset, out, ...(threads ? { threads: Number(threads) } : {}) });
    console.log(JSON.stringify({ ...result, seconds: (performance.now() - started) / 1000 }));
  `;
  await build({
    ...common,
    stdin: { contents: entry, resolveDir: ROOT, loader: "ts" },
    outfile: join(BUILD, "profile.js"),
  });
  await build({
    ...common,
    entryPoints: [join(ROOT, "src/io/profile-worker.ts")],
    outfile: join(BUILD, "profile-worker.js"),
  });
}

async function mlgateProfile(csv, threads) {
  const dir = join(DATA, `project-${csv === BIG ? "1g" : "100m"}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ".mlgate.yml"), SCHEMA_YAML.replace("PATH", csv));
  const run = await timed(process.execPath, [
    join(BUILD, "profile.js"),
    dir,
    "bench",
    join(dir, "profile.json"),
    ...(threads ? [String(threads)] : []),
  ]);
  const result = JSON.parse(run.stdout.trim().split("\n").pop());
  return { ...run, result };
}

async function pandas(csv) {
  const script = `
import sys, time, pandas as pd
t = time.time()
df = pd.read_csv(sys.argv[1])
d = df.describe(include="all")
q = df.select_dtypes("number").quantile([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
u = df.nunique()
print(len(df), time.time() - t)
`;
  return timed("/usr/bin/python3", ["-c", script, csv]);
}

async function duckdbSummarize(path) {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  const started = performance.now();
  const reader = await conn.runAndReadAll(`SUMMARIZE SELECT * FROM '${path.replaceAll("'", "''")}'`);
  const seconds = (performance.now() - started) / 1000;
  const rows = reader.getRows().length;
  const count = await conn.runAndReadAll(`SELECT count(*) FROM '${path.replaceAll("'", "''")}'`);
  conn.closeSync?.();
  return { seconds, summaryRows: rows, rows: Number(count.getRows()[0][0]) };
}

async function best(fn) {
  let bestRun = null;
  for (let i = 0; i < runs; i++) {
    const run = await fn();
    if (bestRun === null || run.seconds < bestRun.seconds) bestRun = run;
  }
  return bestRun;
}

// ---------------------------------------------------------------------------------

async function main() {
  for (const [path, rows] of [
    [BIG, BIG_ROWS],
    [SMALL, SMALL_ROWS],
  ]) {
    if (!existsSync(path)) {
      console.error(`generating ${path} (${rows.toLocaleString("en-US")} rows, seeded)…`);
      generate(path, rows);
    }
  }
  if (flag("--generate-only")) return;

  await bundle();
  const results = {
    date: new Date().toISOString(),
    command: `node bench/data.mjs ${args.join(" ")}`.trim(),
    node: process.version,
    cpus: availableParallelism(),
    runs,
  };
  const bigBytes = statSync(BIG).size;
  const smallBytes = statSync(SMALL).size;
  warm(BIG);
  warm(SMALL);

  const nl = await best(async () => newlineCount(BIG));
  const ml = await best(() => mlgateProfile(BIG));
  const ml1 = await best(() => mlgateProfile(BIG, 1));
  const mlSmall = await best(() => mlgateProfile(SMALL));
  const duck = await best(() => duckdbSummarize(BIG));
  const pd = flag("--skip-pandas") ? null : await best(() => pandas(BIG));

  let parquet = null;
  if (!existsSync(join(ROOT, "src", "io", "parquet-reader.ts"))) {
    parquet = { skipped: "no reader yet" };
  } else {
    const dir = join(DATA, "project-flights");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, ".mlgate.yml"), `datasets:\n  - name: flights\n    path: ${FLIGHTS}\n`);
    const ours = await best(async () => {
      const run = await timed(process.execPath, [
        join(BUILD, "profile.js"),
        dir,
        "flights",
        join(dir, "profile.json"),
      ]);
      return { ...run, result: JSON.parse(run.stdout.trim().split("\n").pop()) };
    });
    const theirs = await best(() => duckdbSummarize(FLIGHTS));
    parquet = {
      rows: ours.result.rows,
      mlgate_seconds: ours.seconds,
      mlgate_rows_per_s: ours.result.rows / ours.seconds,
      mlgate_peak_rss_mib: ours.peakMiB,
      duckdb_seconds: theirs.seconds,
      duckdb_rows_per_s: theirs.rows / theirs.seconds,
      ratio_vs_duckdb: ours.seconds / theirs.seconds,
    };
  }

  const ratio = (a, b) => (b ? a / b : null);
  Object.assign(results, {
    file_1g: { path: BIG, bytes: bigBytes, rows: BIG_ROWS },
    file_100m: { path: SMALL, bytes: smallBytes, rows: SMALL_ROWS },
    mlgate: {
      seconds: ml.seconds,
      threads: ml.result.threads,
      peak_rss_mib: ml.peakMiB,
      rows: ml.result.rows,
      failed_checks: ml.result.failed_checks,
      checks: ml.result.checks?.length ?? 0,
      mb_per_s: bigBytes / 1e6 / ml.seconds,
    },
    mlgate_one_thread: { seconds: ml1.seconds, peak_rss_mib: ml1.peakMiB },
    mlgate_100m: { seconds: mlSmall.seconds, threads: mlSmall.result.threads, peak_rss_mib: mlSmall.peakMiB },
    newline_count: { seconds: nl.seconds, lines: nl.lines },
    duckdb_summarize: { seconds: duck.seconds },
    pandas: pd ? { seconds: pd.seconds, peak_rss_mib: pd.peakMiB } : null,
    parquet,
  });
  const targets = [
    ["time vs pandas full", pd ? ratio(ml.seconds, pd.seconds) : null, 0.1],
    ["time vs DuckDB SUMMARIZE", ratio(ml.seconds, duck.seconds), 0.5],
    ["time vs newline count", ratio(ml.seconds, nl.seconds), 6],
    ["peak RSS 1 GB (MiB)", ml.peakMiB, 256],
    ["RSS(1 GB) / RSS(100 MB)", ratio(ml.peakMiB, mlSmall.peakMiB), 1.2],
  ];
  results.targets = targets.map(([name, value, target]) => ({
    name,
    value,
    target,
    met: value !== null && value <= target,
  }));

  const f = (x, d = 2) => (x === null || x === undefined ? "-" : x.toFixed(d));
  const lines = [
    `mlgate data bench · ${results.command} · node ${process.version} · ${availableParallelism()} CPUs · best of ${runs}`,
    `1 GB file: ${(bigBytes / 1e9).toFixed(2)} GB, ${BIG_ROWS.toLocaleString("en-US")} rows × 18 columns (ints, floats, categoricals, quoted text)`,
    "",
    "| run | seconds | peak RSS MiB |",
    "|:--|--:|--:|",
    `| mlgate profile + ${ml.result.checks?.length ?? 0} schema checks, 1 GB (${ml.result.threads} threads) | ${f(ml.seconds)} | ${f(ml.peakMiB, 0)} |`,
    `| same, 1 thread | ${f(ml1.seconds)} | ${f(ml1.peakMiB, 0)} |`,
    `| same, 100 MB (${mlSmall.result.threads} threads) | ${f(mlSmall.seconds)} | ${f(mlSmall.peakMiB, 0)} |`,
    `| JS newline count, 1 MiB reads | ${f(nl.seconds)} | - |`,
    `| DuckDB SUMMARIZE | ${f(duck.seconds)} | - |`,
    `| pandas read_csv + describe + quantiles + nunique | ${pd ? f(pd.seconds) : "skipped"} | ${pd ? f(pd.peakMiB, 0) : "-"} |`,
    "",
    "| target | measured | goal | |",
    "|:--|--:|--:|:--|",
    ...results.targets.map(
      (t) => `| ${t.name} | ${f(t.value, 3)} | ≤ ${t.target} | ${t.met ? "met" : "MISSED"} |`,
    ),
    "",
    parquet?.skipped
      ? "parquet: skipped (no reader yet)"
      : `parquet flights-3m: mlgate ${Math.round(parquet.mlgate_rows_per_s).toLocaleString("en-US")} rows/s ` +
        `(${f(parquet.mlgate_seconds)} s, ${f(parquet.mlgate_peak_rss_mib, 0)} MiB) vs DuckDB ` +
        `${Math.round(parquet.duckdb_rows_per_s).toLocaleString("en-US")} rows/s (${f(parquet.duckdb_seconds)} s): ` +
        `ratio ${f(parquet.ratio_vs_duckdb)}`,
  ];
  console.log(lines.join("\n"));
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, "data.json"), `${JSON.stringify(results, null, 2)}\n`);
}

await main();
