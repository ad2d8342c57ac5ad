import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { classifyImport, type PickleScanResult, scanPickle } from "../../src/core/pickle-scan.js";
import { artifactVerdict, scanArtifact, scanArtifactBytes } from "../../src/io/artifact-scan.js";

// Fixtures come from scripts/gen-pickle-fixtures.py; every payload in them would create MARKER if run.
const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, "..", "fixtures", "pickles");
const MARKER = "/tmp/mlgate-pickle-scan-pwned";
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));
const bytesOf = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));
const shortUnicode = (s: string): string => `\x8c${String.fromCharCode(s.length)}${s}`;
const pairs = (r: PickleScanResult, list: "dangerous" | "unknown" | "imports"): string[] =>
  r[list].map((f) => `${f.module}.${f.name}`);

interface ManifestEntry {
  opcodes: number;
  pickles: number;
  globals: [string, string][];
}
const manifest = JSON.parse(readFileSync(join(FIXTURES, "manifest.json"), "utf8")) as Record<
  string,
  ManifestEntry
>;

describe("scanPickle walks opcodes exactly as pickletools does", () => {
  const names = Object.keys(manifest);

  it("covers the plain-pickle fixtures", () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(names).toContain("opcodes-misc.pkl");
    expect(names).toContain("kitchen-sink-p5.pkl");
  });

  it.each(names)("%s: same opcode count, pickle count and GLOBAL/INST names", (name) => {
    const expected = manifest[name]!;
    const r = scanPickle(fixture(name));
    expect(r.error).toBeNull();
    expect(r.opcodes).toBe(expected.opcodes);
    expect(r.pickles).toBe(expected.pickles);
    // GLOBAL/INST imports appear in order among all imports (STACK_GLOBAL ones are interleaved).
    const seen = r.imports.map((i) => `${i.module} ${i.name}`);
    let at = 0;
    for (const [module, gname] of expected.globals) {
      at = seen.indexOf(`${module} ${gname}`, at);
      expect(at, `${module}.${gname}`).toBeGreaterThanOrEqual(0);
      at++;
    }
  });

  it("reports the PROTO of the first pickle, null for protocols 0 and 1", () => {
    expect([0, 1, 2, 3, 4, 5].map((p) => scanPickle(fixture(`kitchen-sink-p${p}.pkl`)).protocol)).toEqual([
      null,
      null,
      2,
      3,
      4,
      5,
    ]);
  });

  it("recovers STACK_GLOBAL names pushed through the memo (MEMOIZE/BINGET) in real protocol 4 pickles", () => {
    const r = scanPickle(fixture("benign-logreg-p4.pkl"));
    expect(pairs(r, "imports")).toEqual(
      expect.arrayContaining([
        "sklearn.linear_model._logistic.LogisticRegression",
        "numpy.core.multiarray._reconstruct",
        "numpy.ndarray",
        "numpy.dtype",
      ]),
    );
  });
});

describe("malicious fixtures are flagged dangerous with the right module and name", () => {
  const cases: [file: string, expected: string[]][] = [
    ["mal-reduce-p2.pkl", ["posix.system"]], // CPython records os.system under its real module
    ["mal-reduce-p0.pkl", ["posix.system"]],
    ["mal-os-system-global.pkl", ["os.system"]],
    ["mal-inst.pkl", ["os.system"]],
    ["mal-obj.pkl", ["os.system"]],
    ["mal-popen-p4.pkl", ["subprocess.Popen"]],
    ["mal-eval-p4.pkl", ["builtins.eval"]],
    ["mal-exec-p5.pkl", ["builtins.exec"]],
    ["mal-memo.pkl", ["os.system"]],
    ["mal-string-escape.pkl", ["os.system"]],
    ["mal-getattr.pkl", ["builtins.getattr", "builtins.__import__"]],
    ["mal-dotted.pkl", ["collections.os.system"]],
    ["mal-partial.pkl", ["posix.system", "functools.partial"]],
    ["mal-second-pickle.pkl", ["posix.system"]],
  ];

  it.each(cases)("%s → %j", (file, expected) => {
    const r = scanPickle(fixture(file));
    expect(r.error).toBeNull();
    expect(pairs(r, "dangerous")).toEqual(expect.arrayContaining(expected));
    expect(r.dangerous.every((d) => d.why.length > 0 && d.offset >= 0)).toBe(true);
  });

  it("points at the opcode that imports", () => {
    const bytes = fixture("mal-os-system-global.pkl");
    const [finding] = scanPickle(bytes).dangerous;
    expect(finding?.offset).toBe(0);
    expect(String.fromCharCode(bytes[finding!.offset]!)).toBe("c"); // GLOBAL
  });

  it("finds the payload in the second pickle of a file", () => {
    const r = scanPickle(fixture("mal-second-pickle.pkl"));
    expect(r.pickles).toBe(2);
    expect(r.dangerous[0]!.offset).toBeGreaterThan(20);
  });

  const containers: [file: string, format: string, entry: string | null, compression: string | null][] = [
    ["mal-object-array.npy", "numpy", null, null],
    ["mal-object.npz", "numpy", "bad.npy", null],
    ["mal-torch.zip", "torch-zip", "archive/data.pkl", null],
    ["mal-torch-deflated.zip", "torch-zip", "archive/data.pkl", null],
    ["mal-joblib-z3.joblib", "joblib", null, "zlib"],
  ];

  it.each(containers)("%s: found inside its %s container", async (file, format, entry, compression) => {
    const scan = await scanArtifact(join(FIXTURES, file));
    expect(scan.error).toBeNull();
    expect(scan.format).toBe(format);
    expect(scan.compression).toBe(compression);
    expect(artifactVerdict(scan)).toBe("unsafe");
    const failure = scan.findings.find((f) => f.severity === "failure");
    expect(failure).toMatchObject({ entry, module: "posix", name: "system" });
  });
});

describe("benign artifacts pass", () => {
  const benign: [file: string, format: string][] = [
    ["benign-logreg-p2.pkl", "pickle"],
    ["benign-logreg-p4.pkl", "pickle"],
    ["benign-logreg-p5.pkl", "pickle"],
    ["benign-logreg.joblib", "joblib"],
    ["benign-logreg-z3.joblib", "joblib"],
    ["benign-logreg-gz.joblib", "joblib"],
    ["benign-mixed-p0.joblib", "joblib"],
    ["benign-mixed-p4.joblib", "joblib"],
    ["benign-forest.joblib", "joblib"],
    ["benign-objects.joblib", "joblib"],
    ["benign-object-array.npy", "numpy"],
    ["benign-float-array.npy", "numpy"],
    ["benign-arrays.npz", "numpy"],
    ["benign-torch.zip", "torch-zip"],
    ["benign-torch-legacy.pt", "pickle"],
    ...[0, 1, 2, 3, 4, 5].map((p): [string, string] => [`kitchen-sink-p${p}.pkl`, "pickle"]),
  ];

  // Not even unknown-import warnings: everything these import is on the allowlist.
  it.each(benign)("%s (%s): no findings at all", async (file, format) => {
    const scan = await scanArtifact(join(FIXTURES, file));
    expect(scan.error).toBeNull();
    expect(scan.findings).toEqual([]);
    expect(scan.format).toBe(format);
    expect(artifactVerdict(scan)).toBe("safe");
  });

  it("scans the pickles inside: torch zip entry, npz member, npy object data, joblib stream", async () => {
    const entries = async (file: string) =>
      (await scanArtifact(join(FIXTURES, file))).pickles.map((p) => p.entry);
    expect(await entries("benign-torch.zip")).toEqual(["archive/data.pkl"]);
    expect(await entries("benign-arrays.npz")).toEqual(["objects.npy"]);
    expect(await entries("benign-object-array.npy")).toEqual([null]);
    expect(await entries("benign-float-array.npy")).toEqual([]); // no object dtype, no pickle
    expect(await entries("benign-logreg-z3.joblib")).toEqual([null]);
  });

  it("skips joblib's inline array bytes exactly: without the skip the stream is not a pickle", () => {
    const bytes = fixture("benign-logreg.joblib");
    expect(scanPickle(bytes)).toMatchObject({ error: null, pickles: 1, trailingBytes: 0 });
    expect(scanPickle(bytes, { joblibArrays: false }).error).toMatch(/invalid opcode/);
  });

  it("reads torch's legacy format as five pickles and leaves the raw storages alone", async () => {
    const scan = await scanArtifact(join(FIXTURES, "benign-torch-legacy.pt"));
    expect(scan.pickles[0]!.scan.pickles).toBe(5);
    expect(pairs(scan.pickles[0]!.scan, "imports")).toEqual(
      expect.arrayContaining(["torch._utils._rebuild_tensor_v2", "collections.OrderedDict"]),
    );
  });
});

describe("warnings and unscannable files", () => {
  it("an unlisted class is an unknown import (warning), not a failure", async () => {
    const scan = await scanArtifact(join(FIXTURES, "unknown-class-p4.pkl"));
    expect(artifactVerdict(scan)).toBe("warnings");
    expect(scan.findings).toEqual([
      expect.objectContaining({ severity: "warning", module: "__main__", name: "KwOnly" }),
    ]);
  });

  it("extension registry codes (EXT1/2/4) are unknown imports", () => {
    const r = scanPickle(fixture("opcodes-misc.pkl"));
    expect(r.dangerous).toEqual([]);
    expect(r.unknown.map((u) => u.name)).toEqual(["1", "256", "65536"]);
  });

  it.each([
    ["benign-logreg-bz2.joblib", "bz2"],
    ["benign-logreg-xz.joblib", "xz"],
  ])("%s: compressed with %s, reported as not scannable (a failure)", async (file, method) => {
    const scan = await scanArtifact(join(FIXTURES, file));
    expect(scan.compression).toBe(method);
    expect(scan.findings).toEqual([
      expect.objectContaining({
        severity: "failure",
        message: `compressed with ${method}: cannot scan, treat as unsafe`,
      }),
    ]);
    expect(artifactVerdict(scan)).toBe("unsafe");
  });

  it("a truncated pickle sets error (never throws) and is unsafe", async () => {
    const r = scanPickle(fixture("truncated.pkl"));
    expect(r.error).toMatch(/truncated/);
    const scan = await scanArtifact(join(FIXTURES, "truncated.pkl"));
    expect(scan.error).toMatch(/not a valid pickle: truncated/);
    expect(artifactVerdict(scan)).toBe("unsafe");
  });

  it("files and decompressed streams over the cap are not read", async () => {
    const big = await scanArtifact(join(FIXTURES, "benign-logreg-p4.pkl"), { maxBytes: 100 });
    expect(big.findings).toEqual([
      expect.objectContaining({ severity: "failure", message: expect.stringMatching(/too large/) }),
    ]);
    const bomb = scanArtifactBytes("bomb.joblib", deflateSync(new Uint8Array(10_000)), { maxBytes: 1000 });
    expect(bomb.findings[0]?.message).toMatch(/too large to scan once decompressed/);
  });

  it("TorchScript code entries are named as not scanned (a warning)", async () => {
    const scan = await scanArtifact(join(FIXTURES, "torchscript-like.zip"));
    expect(artifactVerdict(scan)).toBe("warnings");
    expect(scan.findings.map((f) => f.message)).toEqual([expect.stringMatching(/TorchScript archive/)]);
  });

  it("a missing file or a corrupt zip is an error value", async () => {
    expect((await scanArtifact(join(FIXTURES, "nope.pkl"))).error).toMatch(/cannot read/);
    const zip = fixture("mal-torch.zip");
    expect(scanArtifactBytes("cut.zip", zip.subarray(0, zip.length - 30)).error).toMatch(/corrupt zip/);
  });

  it("text that is not a pickle is format unknown, with nothing to report", () => {
    for (const text of ["Some notes about the model\n", "x^2 + y^2\n"]) {
      expect(scanArtifactBytes("notes.txt", bytesOf(text))).toMatchObject({
        format: "unknown",
        findings: [],
        error: null,
      });
    }
    const csv = scanArtifactBytes("data.csv.gz", gzipSync(bytesOf("a,b\n1,2\n")));
    expect(csv).toMatchObject({ format: "unknown", compression: "gzip", findings: [], error: null });
  });

  it("reads joblib's pre-0.9.3 ZF container (hex length header, then zlib)", () => {
    const pickle = fixture("mal-os-system-global.pkl");
    const header = `ZF0x${pickle.length.toString(16)}`.padEnd(21, " ");
    const scan = scanArtifactBytes("old.pkl", Buffer.concat([bytesOf(header), deflateSync(pickle)]));
    expect(scan).toMatchObject({ format: "joblib", compression: "zlib (joblib ZF)", error: null });
    expect(scan.findings[0]).toMatchObject({ severity: "failure", module: "os", name: "system" });
  });

  it("a protocol-0 pickle is found by content whatever its name", () => {
    const scan = scanArtifactBytes("model.weights", fixture("mal-reduce-p0.pkl"));
    expect(scan.format).toBe("pickle");
    expect(artifactVerdict(scan)).toBe("unsafe");
  });
});

describe("edge cases of the walker", () => {
  it("flags STACK_GLOBAL on names computed while loading", () => {
    // module = builtins.str("os") computed by a call: the scanner cannot know it, so it fails it.
    const r = scanPickle(
      bytesOf(
        `\x80\x04${shortUnicode("builtins")}${shortUnicode("str")}\x93${shortUnicode("os")}\x85R${shortUnicode("system")}\x93.`,
      ),
    );
    expect(r.dangerous.map((d) => d.why)).toEqual([
      "STACK_GLOBAL with a module or name computed while loading",
    ]);
  });

  it.each([
    ["STACK_GLOBAL on bytes", `\x80\x04C\x02osC\x06system\x93.`, /requires str/],
    ["memo miss", `\x80\x04h\x05.`, /memo key 5 not found/],
    ["stack underflow", `\x80\x04R.`, /stack underflow/],
    ["unbalanced MARK", `\x80\x04t.`, /could not find MARK/],
    ["future protocol", `\x80\x06N.`, /unsupported pickle protocol 6/],
    ["unquoted STRING", `Sos\n.`, /must be quoted/],
    ["no STOP", `\x80\x04N`, /no STOP/],
    ["frame past the end", `\x80\x04\x95\xff\x00\x00\x00\x00\x00\x00\x00N.`, /truncated/],
  ])("%s → error", (_label, input, message) => {
    const r = scanPickle(bytesOf(input));
    expect(r.error).toMatch(message);
    expect(r.dangerous).toEqual([]);
  });

  it("past the memo limit, early entries still resolve and late ones fail closed", () => {
    const buried = (key: number) =>
      `\x80\x04${shortUnicode("os")}\x94${shortUnicode("system")}\x94NNN\x94\x94\x94000h\x00h${String.fromCharCode(key)}\x93.`;
    // Keys 0-1 are "os"/"system"; with room for 2 entries, keys 2-4 are untracked.
    expect(pairs(scanPickle(bytesOf(buried(1)), { maxMemoEntries: 2 }), "dangerous")).toEqual(["os.system"]);
    const late = scanPickle(bytesOf(buried(4)), { maxMemoEntries: 2 });
    expect(late.dangerous.map((d) => d.why)).toEqual([
      "STACK_GLOBAL with a name from an untracked memo entry",
    ]);
    expect(late.unknown.map((u) => u.why)).toEqual(["more than 2 memo entries: later ones are not tracked"]);
    expect(scanPickle(bytesOf(buried(4))).error).toMatch(/requires str/); // tracked: None is not a str
  });

  it("bounds the stack instead of running out of memory", () => {
    const nones = new Uint8Array(4_000_010).fill(0x4e);
    nones.set([0x80, 4]);
    expect(scanPickle(nones).error).toMatch(/stack deeper than 4000000 items/);
  });

  it("keeps imports found before an error", () => {
    const r = scanPickle(bytesOf("cos\nsystem\n\xff"));
    expect(r.error).toMatch(/invalid opcode 0xff/);
    expect(pairs(r, "dangerous")).toEqual(["os.system"]);
  });

  it("bytes after the last pickle that start no pickle are trailing, not an error", () => {
    const r = scanPickle(bytesOf("\x80\x04N.\n\n"));
    expect(r).toMatchObject({ error: null, pickles: 1, trailingBytes: 2 });
    expect(scanPickle(new Uint8Array()).error).toMatch(/empty/);
  });
});

describe("classifyImport", () => {
  it.each([
    ["numpy.core.multiarray", "_reconstruct", "safe"],
    ["numpy._core.multiarray", "_reconstruct", "safe"],
    ["sklearn.tree._tree", "Tree", "safe"],
    ["scipy.sparse._csr", "csr_matrix", "safe"],
    ["copy_reg", "_reconstructor", "safe"],
    ["builtins", "frozenset", "safe"],
    ["torch._utils", "_rebuild_tensor_v2", "safe"],
    ["torch", "FloatStorage", "safe"],
    ["torch", "bfloat16", "safe"],
    ["joblib.numpy_pickle", "NumpyArrayWrapper", "safe"],
    ["os", "system", "dangerous"],
    ["os.path", "join", "dangerous"],
    ["nt", "system", "dangerous"],
    ["__builtin__", "eval", "dangerous"],
    ["builtins", "getattr", "dangerous"],
    ["operator", "attrgetter", "dangerous"],
    ["torch", "load", "dangerous"],
    ["numpy", "load", "dangerous"],
    ["numpy", "testing._private.utils.runstring", "dangerous"],
    ["sklearn.base", "os", "dangerous"],
    ["joblib", "load", "dangerous"],
    ["joblib.numpy_pickle_compat", "NDArrayWrapper", "dangerous"],
    ["mylib.tools", "system", "dangerous"],
    ["shutil", "rmtree", "dangerous"],
    ["builtins", "type", "unknown"],
    ["functools", "partial", "unknown"],
    ["sklearn.datasets", "fetch_openml", "unknown"],
    ["scipy.sparse", "load_npz", "unknown"],
    ["pandas.core.frame", "DataFrame", "unknown"],
  ])("%s.%s is %s", (module, name, verdict) => {
    expect(classifyImport(module, name).verdict).toBe(verdict);
  });
});

describe("scanning never runs anything", () => {
  beforeAll(() => rmSync(MARKER, { force: true }));

  it("every fixture is scanned and no payload created its marker file", async () => {
    const files = readdirSync(FIXTURES);
    for (const file of files) {
      const scan = await scanArtifact(join(FIXTURES, file));
      if (file.startsWith("mal-")) expect(artifactVerdict(scan), file).toBe("unsafe");
    }
    expect(files.filter((f) => f.startsWith("mal-")).length).toBeGreaterThanOrEqual(19);
    expect(existsSync(MARKER)).toBe(false);
  });

  it("the scanner's sources import nothing that can run a process or code", () => {
    for (const file of ["src/core/pickle-scan.ts", "src/io/artifact-scan.ts"]) {
      const source = readFileSync(join(HERE, "..", "..", file), "utf8");
      const imports = Array.from(source.matchAll(/from "([^"]+)"/g), (m) => m[1]);
      expect(
        imports.every((i) =>
          ["node:fs/promises", "node:path", "node:zlib", "../core/pickle-scan.js"].includes(i!),
        ),
      ).toBe(true);
      expect(source).not.toMatch(/child_process|\beval\(|new Function|vm\./);
    }
  });
});

describe("hostile input never throws (fast-check)", () => {
  const never = (bytes: Uint8Array): void => {
    const r = scanPickle(bytes);
    expect(r.opcodes).toBeGreaterThanOrEqual(0);
    expect(r.error === null || typeof r.error === "string").toBe(true);
  };

  it("random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), never), { numRuns: 2000 });
  });

  it("random opcode soup after a PROTO header", () => {
    const opcode = fc.constantFrom(
      ...Array.from(
        "(.012BCFGIJKLMNPQRSTUVXabcdeghijlopqrstu}])\x80\x85\x86\x87\x88\x89\x8a\x8c\x93\x94\x95\x97\x98",
        (c) => c.charCodeAt(0),
      ),
    );
    const soup = fc.array(fc.oneof(opcode, fc.integer({ min: 0, max: 255 })), { maxLength: 300 });
    fc.assert(
      fc.property(soup, (ops) => never(new Uint8Array([0x80, 4, ...ops]))),
      { numRuns: 2000 },
    );
  });

  it("corrupted real fixtures (byte flips) through every container", () => {
    const files = [
      "benign-logreg-p4.pkl",
      "benign-logreg.joblib",
      "benign-torch.zip",
      "benign-object-array.npy",
      "benign-logreg-z3.joblib",
    ];
    const originals = files.map(fixture);
    fc.assert(
      fc.property(
        fc.nat({ max: files.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (which, flips) => {
          const bytes = originals[which]!.slice();
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          const scan = scanArtifactBytes(files[which]!, bytes);
          expect(["safe", "warnings", "unsafe"]).toContain(artifactVerdict(scan));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("every strict prefix of a single pickle is an error, never a pass", () => {
    const bytes = fixture("kitchen-sink-p4.pkl");
    for (let n = 0; n < bytes.length; n++)
      expect(scanPickle(bytes.subarray(0, n)).error, `prefix ${n}`).not.toBeNull();
  });
});
