// Bundles the two entry points into dist/ with esbuild: dist/index.js (the
// action, run by the Actions runner) and dist/cli.js (the `mlgate` bin).
// The output is committed; CI and a test rebuild it and fail on any diff.
import { chmodSync } from "node:fs";
import { build } from "esbuild";
import { bundleOptions } from "./bundle-options.mjs";

const outDir = process.argv[2] ?? "dist";
const common = bundleOptions;

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
