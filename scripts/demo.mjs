// `npm run demo`: the whole local flow on the bundled penguins example, with
// the real bundle (dist/cli.js), in a temp git repo — no GitHub needed.
//   1. main: commit the example, check it, release v1, promote it to production
//   2. a PR branch changes one training parameter and is checked against v1
//   3. the PR comment is printed; the PR's model is released and promoted to staging
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const cli = join(root, "dist", "cli.js");
const example = join(root, "examples", "penguins");
const repo = mkdtempSync(join(tmpdir(), "mlgate-demo-"));
const started = performance.now();

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const seconds = (t) => `${((performance.now() - t) / 1000).toFixed(1)}s`;

function banner(text) {
  console.log(`\n${bold(`══ ${text}`)}`);
}

function git(...args) {
  execFileSync("git", args, { cwd: repo, stdio: ["ignore", "ignore", "inherit"] });
}

/** Runs `mlgate …` from the bundle; progress streams to the terminal. */
function mlgate(args, { allow = [0] } = {}) {
  const t = performance.now();
  console.log(bold(`$ mlgate ${args.join(" ")}`));
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: repo,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (!allow.includes(r.status)) {
    process.stdout.write(r.stdout);
    console.error(`demo: mlgate ${args[0]} exited with ${r.status}`);
    process.exit(1);
  }
  console.log(`  (${seconds(t)}, exit ${r.status})`);
  return r.stdout;
}

banner(`Setting up a git repo with the penguins example in ${repo}`);
cpSync(example, repo, {
  recursive: true,
  filter: (src) => !/[\\/](build|\.mlgate)([\\/]|$)/.test(src.slice(example.length)),
});
const gitEnv = ["-c", "user.name=mlgate demo", "-c", "user.email=demo@mlgate.invalid"];
git("init", "-q", "-b", "main");
git("add", "-A");
git(...gitEnv, "commit", "-q", "-m", "penguins: baseline model");

banner("main: check, release and promote to production");
mlgate(["check", "--json"], { allow: [0, 1] });
console.log(mlgate(["release"]).trim());
console.log(mlgate(["promote", "penguins", "latest", "--to", "production"]).trim());

banner("A pull request changes one training parameter");
git("checkout", "-q", "-b", "pr/more-epochs");
const params = readFileSync(join(repo, "params.yaml"), "utf8");
const changed = params.replace(/epochs: *\d+/, "epochs: 500");
if (changed === params) throw new Error("demo: params.yaml has no epochs line to change");
writeFileSync(join(repo, "params.yaml"), changed);
git("add", "params.yaml");
git(...gitEnv, "commit", "-q", "-m", "train longer (epochs 200 → 500)");
console.log("params.yaml: train.epochs 200 → 500");

banner("PR: mlgate check (what CI would post as the PR comment)");
const comment = mlgate(["check"], { allow: [0, 1] });
console.log(`\n${comment}`);

banner("PR: release the model and promote it to staging");
console.log(mlgate(["release"]).trim());
const promoted = spawnSync(process.execPath, [cli, "promote", "penguins", "latest", "--to", "staging"], {
  cwd: repo,
  encoding: "utf8",
});
console.log(promoted.status === 0 ? promoted.stdout.trim() : `not promoted: ${promoted.stderr.trim()}`);
console.log(mlgate(["registry", "list"]).trim());

banner(`Done in ${seconds(started)}`);
console.log(`report:      ${join(repo, ".mlgate", "out", "report.md")}`);
console.log(`JSON result: ${join(repo, ".mlgate", "out", "result.json")}`);
console.log(`registry:    ${join(repo, ".mlgate", "registry")}`);
