// The esbuild options of every mlgate bundle: dist/ (scripts/bundle.mjs) and
// the benchmarks' builds of src/, so a benchmark measures what ships.
import { readFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

export const bundleOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // some dependencies are CommonJS and call require() for node built-ins
  banner: {
    js: "import { createRequire as __mlgateRequire } from 'node:module'; const require = __mlgateRequire(import.meta.url);",
  },
  define: { __MLGATE_VERSION__: JSON.stringify(version) },
  legalComments: "eof",
  logLevel: "warning",
};
