// Bundles the two entry points into dist/ with esbuild: dist/index.js (the
// action, run by the Actions runner) and dist/cli.js (the `mlgate` bin).
// The output is committed; CI and a test rebuild it and fail on any diff.
import { chmodSync, readFileSync } from "node:fs";
import { build } from "esbuild";

const outDir = process.argv[2] ?? "dist";
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const common = {
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

await build({ ...common, entryPoints: ["src/index.ts"], outfile: `${outDir}/index.js` });
await build({
  ...common,
  entryPoints: ["src/cli.ts"],
  outfile: `${outDir}/cli.js`,
  banner: { js: `#!/usr/bin/env node\n${common.banner.js}` },
});
// the profiler's worker threads load this file from next to the bundle (src/io/table-profiler.ts)
await build({ ...common, entryPoints: ["src/io/profile-worker.ts"], outfile: `${outDir}/profile-worker.js` });
chmodSync(`${outDir}/cli.js`, 0o755);
