/**
 * Finds the pickles inside a model artifact and scans them with `scanPickle`, never loading anything.
 *
 * Containers, recognised by content (magic bytes), not by extension:
 * - raw pickle (PROTO 0x80, or a protocol 0/1 opcode in a pickle-like file) and torch's legacy
 *   (< 1.6) format: five pickles, then raw storage bytes that no unpickler reads;
 * - joblib: a raw pickle stream with array bytes inline, or compressed the way joblib's
 *   `compressor.py` writes it: zlib (0x78), gzip (1f 8b), the pre-0.9.3 `ZF` header + zlib;
 *   bz2 / xz / lzma / lz4 have no decoder in node:zlib and are reported as not scannable;
 * - zip archives (torch.save since 1.6: `archive/data.pkl`; numpy `.npz`): the central directory is
 *   parsed here, stored and deflated entries read, every `*.pkl` and `*.npy` entry scanned;
 * - `.npy` (`\x93NUMPY`): when the header's dtype holds Python objects (`|O`), the data after the
 *   header is a pickle (np.load with allow_pickle=True) and is scanned.
 * Files above `maxBytes` (default 512 MiB, also the cap on any decompressed stream) are not read.
 */
import { open, readFile, stat } from "node:fs/promises";
import { extname } from "node:path";
import { gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import { type PickleScanResult, scanPickle } from "../core/pickle-scan.js";

export type ArtifactFormat = "pickle" | "joblib" | "torch-zip" | "numpy" | "unknown";

export interface ArtifactFinding {
  /** failure: do not load (dangerous import, or a pickle that could not be scanned); warning: unknown import. */
  severity: "failure" | "warning";
  /** The archive entry it is in (`archive/data.pkl`), or null for the file itself. */
  entry: string | null;
  module: string | null;
  name: string | null;
  /** Byte offset in the (decompressed) pickle stream. */
  offset: number | null;
  message: string;
}

export interface ScannedPickle {
  entry: string | null;
  scan: PickleScanResult;
}

export interface ArtifactScan {
  path: string;
  format: ArtifactFormat;
  /** How the pickle stream was compressed (`zlib`, `gzip`, `bz2`, …); null when it was not. */
  compression: string | null;
  findings: ArtifactFinding[];
  /** Every pickle stream scanned, with its own result. */
  pickles: ScannedPickle[];
  /** Why the file could not be scanned completely (unreadable, corrupt container or pickle): treat as unsafe. */
  error: string | null;
}

export interface ArtifactScanOptions {
  /** Largest file, and largest decompressed stream, that is scanned. Default 512 MiB. */
  maxBytes?: number;
}

export const DEFAULT_MAX_SCAN_BYTES = 512 * 1024 * 1024;

/** Extensions that are pickles by convention; content that starts with any opcode is scanned as one. */
const PICKLE_EXTENSIONS = new Set([
  ".pkl",
  ".pickle",
  ".joblib",
  ".jbl",
  ".pt",
  ".pth",
  ".bin",
  ".ckpt",
  ".sav",
  ".p",
]);
const JOBLIB_EXTENSIONS = new Set([".joblib", ".jbl"]);

/** Opcode bytes of pickletools.opcodes (protocols 0–5). */
const OPCODE_BYTES = new Set(
  Array.from("(.012BCFGIJKLMNPQRSTUVXabcdeghijlopqrstu}])", (c) => c.charCodeAt(0)).concat(
    Array.from({ length: 0x98 - 0x80 + 1 }, (_, i) => 0x80 + i),
  ),
);

/** torch/serialization.py MAGIC_NUMBER 0x1950a86a20f9469cfc6c as the LONG1 of the legacy format's first pickle. */
const TORCH_LEGACY_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** Compressors joblib can write that node:zlib cannot read (joblib/compressor.py prefixes). */
const UNREADABLE_COMPRESSIONS: { name: string; magic: number[] }[] = [
  { name: "bz2", magic: ascii("BZh") },
  { name: "xz", magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: "lzma", magic: [0x5d, 0x00] },
  { name: "lz4", magic: [0x04, 0x22, 0x4d, 0x18] },
];

class ContainerError extends Error {}

/** node:zlib's answer when the output would pass `maxOutputLength`. */
function isTooLarge(e: unknown): boolean {
  return e instanceof RangeError || (e as { code?: string } | null)?.code === "ERR_BUFFER_TOO_LARGE";
}

/**
 * Whether a file may hold a pickle and so needs `scanArtifact`: a pickle-based extension, or
 * first bytes of a pickle (PROTO), a zip, a .npy, or a zlib/gzip/old-joblib stream. Other
 * formats (ONNX, safetensors, JSON, …) are not scanned, so their size never matters here.
 */
export async function mayHoldPickle(path: string): Promise<boolean> {
  if (
    PICKLE_EXTENSIONS.has(extname(path).toLowerCase()) ||
    [".npy", ".npz", ".bin"].includes(extname(path).toLowerCase())
  )
    return true;
  const file = await open(path).catch(() => undefined);
  if (!file) return false;
  try {
    const head = new Uint8Array(8);
    const { bytesRead } = await file.read(head, 0, 8, 0);
    const b = head.subarray(0, bytesRead);
    return (
      (b[0] === 0x80 && (b[1] ?? 0) <= 5) ||
      startsWith(b, ascii("PK\x03\x04")) ||
      startsWith(b, [0x93, ...ascii("NUMPY")]) ||
      startsWith(b, [0x1f, 0x8b]) ||
      startsWith(b, ascii("ZF")) ||
      (b[0] === 0x78 && [0x01, 0x5e, 0x9c, 0xda].includes(b[1] ?? -1))
    );
  } finally {
    await file.close();
  }
}

/** Reads the file (up to `maxBytes`) and scans every pickle in it. Never throws. */
export async function scanArtifact(path: string, options: ArtifactScanOptions = {}): Promise<ArtifactScan> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SCAN_BYTES;
  try {
    const info = await stat(path);
    if (!info.isFile()) return emptyScan(path, `${path} is not a regular file`);
    if (info.size > maxBytes) {
      const scan = emptyScan(path, null);
      scan.findings.push(
        fileFinding("failure", `too large to scan (${info.size} bytes > ${maxBytes}); treat as unsafe`),
      );
      return scan;
    }
    return scanArtifactBytes(path, await readFile(path), options);
  } catch (e) {
    return emptyScan(path, `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** `scanArtifact` on bytes already in memory; `path` only names the file and gives its extension. */
export function scanArtifactBytes(
  path: string,
  bytes: Uint8Array,
  options: ArtifactScanOptions = {},
): ArtifactScan {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SCAN_BYTES;
  const scan = emptyScan(path, null);
  const ext = extname(path).toLowerCase();
  try {
    if (startsWith(bytes, ascii("PK\x03\x04")) || startsWith(bytes, ascii("PK\x05\x06"))) {
      scanZip(scan, bytes, maxBytes);
    } else if (startsWith(bytes, [0x93, ...ascii("NUMPY")])) {
      scan.format = "numpy";
      scanNpy(scan, null, bytes);
    } else if (startsWith(bytes, ascii("ZF"))) {
      // joblib < 0.9.3: "ZF", the length in hex padded to 19 characters (one more in Python 2), zlib data.
      const start = bytes[21] === 0x20 ? 22 : 21;
      const zfile = bytes.subarray(start);
      scanCompressed(scan, ext, "zlib (joblib ZF)", () => inflateSync(zfile, { maxOutputLength: maxBytes }));
    } else if (bytes[0] === 0x78 && bytes.length > 1 && ((0x78 << 8) | bytes[1]!) % 31 === 0) {
      scanCompressed(scan, ext, "zlib", () => inflateSync(bytes, { maxOutputLength: maxBytes }));
    } else if (startsWith(bytes, [0x1f, 0x8b])) {
      scanCompressed(scan, ext, "gzip", () => gunzipSync(bytes, { maxOutputLength: maxBytes }));
    } else if (UNREADABLE_COMPRESSIONS.some((c) => startsWith(bytes, c.magic))) {
      const { name } = UNREADABLE_COMPRESSIONS.find((c) => startsWith(bytes, c.magic))!;
      scan.compression = name;
      if (PICKLE_EXTENSIONS.has(ext)) {
        scan.format = "joblib";
        scan.findings.push(fileFinding("failure", `compressed with ${name}: cannot scan, treat as unsafe`));
      } else {
        scan.findings.push(
          fileFinding("warning", `compressed with ${name}: cannot tell whether it holds a pickle`),
        );
      }
    } else {
      scanPickleStream(scan, bytes, ext);
    }
  } catch (e) {
    scan.error =
      e instanceof ContainerError ? e.message : `cannot scan: ${e instanceof Error ? e.message : String(e)}`;
  }
  return scan;
}

function emptyScan(path: string, error: string | null): ArtifactScan {
  return { path, format: "unknown", compression: null, findings: [], pickles: [], error };
}

function fileFinding(
  severity: ArtifactFinding["severity"],
  message: string,
  entry: string | null = null,
): ArtifactFinding {
  return { severity, entry, module: null, name: null, offset: null, message };
}

/**
 * Scans `bytes` if they are a pickle: one that starts with PROTO, any opcode in a file with a pickle
 * extension, or (protocol 0 being plain text) anything else that parses as pickles to the end.
 */
function scanPickleStream(scan: ArtifactScan, bytes: Uint8Array, ext: string): boolean {
  const first = bytes[0] ?? -1;
  let result: PickleScanResult | null = null;
  if (first === 0x80 || (PICKLE_EXTENSIONS.has(ext) && OPCODE_BYTES.has(first))) {
    const legacyTorch = startsWith(bytes, TORCH_LEGACY_MAGIC, 2) || startsWith(bytes, TORCH_LEGACY_MAGIC, 0);
    result = scanPickle(bytes, legacyTorch ? { maxPickles: 5 } : {});
  } else if (OPCODE_BYTES.has(first)) {
    const attempt = scanPickle(bytes);
    if (attempt.error === null && attempt.pickles > 0) result = attempt;
  }
  if (result === null) return false;
  const joblib =
    JOBLIB_EXTENSIONS.has(ext) ||
    scan.compression !== null ||
    result.imports.some((i) => i.module === "joblib.numpy_pickle");
  scan.format = joblib ? "joblib" : "pickle";
  addPickle(scan, null, result);
  return true;
}

/** joblib's zlib / gzip containers (or any such stream): decompressed under the cap, then scanned. */
function scanCompressed(
  scan: ArtifactScan,
  ext: string,
  compression: string,
  decompress: () => Buffer,
): void {
  scan.compression = compression;
  let inflated: Buffer;
  try {
    inflated = decompress();
  } catch (e) {
    if (isTooLarge(e)) {
      const severity = PICKLE_EXTENSIONS.has(ext) ? "failure" : "warning";
      scan.findings.push(fileFinding(severity, `too large to scan once decompressed (${compression})`));
      return;
    }
    if (!PICKLE_EXTENSIONS.has(ext)) return; // some other file that happens to start like zlib
    throw new ContainerError(`corrupt ${compression} stream: ${e instanceof Error ? e.message : String(e)}`);
  }
  scanPickleStream(scan, inflated, ext);
}

/** Findings from one pickle stream; its parse error becomes the artifact's error. */
function addPickle(scan: ArtifactScan, entry: string | null, result: PickleScanResult): void {
  scan.pickles.push({ entry, scan: result });
  for (const d of result.dangerous) {
    scan.findings.push({
      severity: "failure",
      entry,
      module: d.module,
      name: d.name,
      offset: d.offset,
      message: `${d.module}.${d.name}: ${d.why}`,
    });
  }
  for (const u of result.unknown) {
    scan.findings.push({
      severity: "warning",
      entry,
      module: u.module,
      name: u.name,
      offset: u.offset,
      message: `unknown import ${u.module}.${u.name}: ${u.why}`,
    });
  }
  if (result.error !== null && scan.error === null) {
    scan.error = `${entry ? `${entry}: ` : ""}not a valid pickle: ${result.error}`;
  }
}

// ---- .npy ----------------------------------------------------------------------------------------------

/** numpy/lib/format.py: magic, version, header length (2 bytes in 1.0, 4 in 2.0/3.0), a dict literal. */
function scanNpy(scan: ArtifactScan, entry: string | null, bytes: Uint8Array): void {
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes || (major !== 1 && major !== 2 && major !== 3)) {
    throw new ContainerError(`${entry ?? "npy"}: unsupported or truncated .npy header`);
  }
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) throw new ContainerError(`${entry ?? "npy"}: truncated .npy header`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(8 + lengthBytes, dataStart),
  );
  // An object type code ('|O', 'O8', '>O') anywhere in the descr: the data is pickle.dump(array).
  const strings = Array.from(header.matchAll(/'([^']*)'|"([^"]*)"/g), (m) => m[1] ?? m[2] ?? "");
  if (strings.some((s) => /^[<>|=]?O\d*$/.test(s))) {
    addPickle(scan, entry, scanPickle(bytes.subarray(dataStart), { joblibArrays: false }));
  }
}

// ---- zip -----------------------------------------------------------------------------------------------

interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

/** The central directory (APPNOTE.TXT 4.3.16, with the ZIP64 end record and extra field 0x0001). */
function readZipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, n: number, what: string): void => {
    if (at < 0 || at + n > bytes.length) throw new ContainerError(`corrupt zip: ${what} out of bounds`);
  };
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new ContainerError("corrupt zip: no end of central directory record");
  let count = view.getUint16(eocd + 10, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) {
    need(eocd - 20, 20, "zip64 locator");
    if (view.getUint32(eocd - 20, true) !== 0x07064b50)
      throw new ContainerError("corrupt zip: missing zip64 locator");
    const record = u64(view, eocd - 20 + 8);
    need(record, 56, "zip64 end record");
    if (view.getUint32(record, true) !== 0x06064b50)
      throw new ContainerError("corrupt zip: bad zip64 end record");
    count = u64(view, record + 32);
    cdOffset = u64(view, record + 48);
  }
  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    need(at, 46, "central directory");
    if (view.getUint32(at, true) !== 0x02014b50)
      throw new ContainerError("corrupt zip: bad central directory entry");
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    need(at + 46, nameLength + extraLength, "entry name");
    const entry: ZipEntry = {
      name: new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    };
    // ZIP64 extra field: only the fields saturated in the record are present, in this order.
    for (let x = at + 46 + nameLength; x + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(x, true);
      const len = view.getUint16(x + 2, true);
      if (id === 0x0001) {
        let f = x + 4;
        const next = (): number => {
          need(f, 8, "zip64 extra field");
          const v = u64(view, f);
          f += 8;
          return v;
        };
        if (entry.size === 0xffffffff) entry.size = next();
        if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
        if (entry.localOffset === 0xffffffff) entry.localOffset = next();
      }
      x += 4 + len;
    }
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function readZipEntry(bytes: Uint8Array, entry: ZipEntry, maxBytes: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== 0x04034b50) {
    throw new ContainerError(`corrupt zip: bad local header for ${entry.name}`);
  }
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  if (start + entry.compressedSize > bytes.length)
    throw new ContainerError(`corrupt zip: ${entry.name} is truncated`);
  const data = bytes.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return data;
  return inflateRawSync(data, { maxOutputLength: maxBytes });
}

function scanZip(scan: ArtifactScan, bytes: Uint8Array, maxBytes: number): void {
  const entries = readZipEntries(bytes);
  const pickles = entries.filter((e) => e.name.endsWith(".pkl"));
  const arrays = entries.filter((e) => e.name.endsWith(".npy"));
  scan.format = pickles.length > 0 ? "torch-zip" : arrays.length > 0 ? "numpy" : "unknown";
  if (entries.some((e) => /(^|\/)code\/.*\.py$/.test(e.name))) {
    scan.findings.push(
      fileFinding(
        "warning",
        "TorchScript archive: its code/ entries run under torch.jit.load and are not scanned",
      ),
    );
  }
  for (const entry of [...pickles, ...arrays]) {
    if (entry.flags & 1) {
      scan.findings.push(
        fileFinding("failure", "encrypted zip entry: cannot scan, treat as unsafe", entry.name),
      );
      continue;
    }
    if (entry.method !== 0 && entry.method !== 8) {
      scan.findings.push(
        fileFinding(
          "failure",
          `zip compression method ${entry.method}: cannot scan, treat as unsafe`,
          entry.name,
        ),
      );
      continue;
    }
    if (entry.size > maxBytes) {
      scan.findings.push(
        fileFinding("failure", `too large to scan (${entry.size} bytes); treat as unsafe`, entry.name),
      );
      continue;
    }
    let data: Uint8Array;
    try {
      data = readZipEntry(bytes, entry, maxBytes);
    } catch (e) {
      if (e instanceof ContainerError) throw e;
      if (isTooLarge(e)) {
        scan.findings.push(
          fileFinding("failure", "too large to scan once inflated; treat as unsafe", entry.name),
        );
        continue;
      }
      throw new ContainerError(
        `corrupt zip: cannot inflate ${entry.name}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (entry.name.endsWith(".npy")) {
      if (startsWith(data, [0x93, ...ascii("NUMPY")])) scanNpy(scan, entry.name, data);
    } else {
      addPickle(scan, entry.name, scanPickle(data, { joblibArrays: false }));
    }
  }
}

/** The overall call: `unsafe` on any failure finding or scan error, `warnings` on unknown imports only. */
export function artifactVerdict(scan: ArtifactScan): "safe" | "warnings" | "unsafe" {
  if (scan.error !== null || scan.findings.some((f) => f.severity === "failure")) return "unsafe";
  return scan.findings.length > 0 ? "warnings" : "safe";
}
