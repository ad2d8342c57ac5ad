/**
 * A static scanner for Python pickles: walks the opcodes (protocols 0–5, every opcode of CPython's
 * `pickletools`) and reports which callables the stream imports, without ever loading it.
 *
 * Only imports can run code: GLOBAL / INST / STACK_GLOBAL name a callable, REDUCE / NEWOBJ / INST / OBJ /
 * BUILD call it. So the walker keeps a small symbolic stack and memo (strings, ints, tuples, dicts and
 * "the result of calling X") to recover STACK_GLOBAL's module and name however they were pushed (any
 * string opcode, memo PUT/GET, DUP), and classifies every import:
 * - dangerous (a failure): modules and callables that run code or touch the system (os, subprocess,
 *   builtins.eval, …; `DANGEROUS_MODULES` / `DANGEROUS_BUILTINS` below), any attribute path that goes
 *   through one (`collections` + `os.system`), and a STACK_GLOBAL whose names are computed at load time;
 * - safe: an allowlist of what numpy / scikit-learn / PyTorch / joblib artifacts need (`SAFE_*` below);
 * - unknown (a warning): everything else, including extension-registry codes (EXT1/2/4) and calls of a
 *   value computed while loading. An allowlist cannot know every harmless class, and a denylist cannot
 *   know every harmful one: unknown imports are not proven safe.
 *
 * Stack discipline (MARK, underflow, memo misses) follows CPython's `pickle._Unpickler`, so a stream the
 * real unpickler rejects is reported as an error at the same place, with the imports before it kept.
 * joblib writes raw array bytes inside its pickle stream after each `NumpyArrayWrapper`; the walker
 * skips them exactly as `joblib.numpy_pickle.NumpyUnpickler.load_build` reads them.
 */

export type ImportVerdict = "safe" | "dangerous" | "unknown";

export interface PickleImport {
  module: string;
  name: string;
  /** Byte offset of the opcode that names it. */
  offset: number;
}

export interface PickleFinding extends PickleImport {
  why: string;
}

export interface PickleScanResult {
  /** PROTO of the first pickle; null when it has none (protocols 0 and 1 write no PROTO). */
  protocol: number | null;
  /** Every import, in stream order (first 10,000). */
  imports: PickleImport[];
  /** Imports that run code or touch the system: the artifact must not be loaded. */
  dangerous: PickleFinding[];
  /** Imports outside the allowlist (and calls of computed values): not known to be safe. */
  unknown: PickleFinding[];
  /** Opcodes walked, over all pickles. */
  opcodes: number;
  /** Complete pickles (ended by STOP) in the input; joblib and torch write several back to back. */
  pickles: number;
  /** Bytes after the last pickle that do not start another one (no unpickler can run them). */
  trailingBytes: number;
  /** Why the walk stopped early (truncated, invalid opcode, stack underflow…); findings before it stand. */
  error: string | null;
}

export interface PickleScanOptions {
  /** Read at most this many pickles; the rest is ignored (torch's legacy format: raw storages after 5). */
  maxPickles?: number;
  /** Skip the raw array bytes joblib writes after each NumpyArrayWrapper, as joblib.load does. Default true. */
  joblibArrays?: boolean;
  /** Memo entries tracked per pickle before later ones become untracked. Default 8,000,000. */
  maxMemoEntries?: number;
}

/** Keep reports bounded on hostile input; one dangerous finding is enough to fail. */
const MAX_LISTED = 10_000;
/** Items kept per symbolic container: enough for shapes, dtype states and wrapper dicts. */
const MAX_ITEMS = 256;
/**
 * Memory bounds (a 512 MiB pickle can hold ~170M memo entries): the memo tracks this many entries and
 * containers keep this many items in all, then later memo entries are "untracked"; the stack may hold
 * this many items. A legitimate model never comes close; hostile input gets findings, not an OOM.
 */
const MAX_MEMO_ENTRIES = 8_000_000;
const MAX_RETAINED_ITEMS = 8_000_000;
const MAX_STACK = 4_000_000;
/** Strings longer than this are not decoded (a module or attribute name is never that long). */
const MAX_DECODED_STRING = 1 << 16;
const HIGHEST_PROTOCOL = 5;

// ---- classification ---------------------------------------------------------------------------------

/** Python 2 module names that `_compat_pickle` maps to Python 3 ones (fix_imports, protocols < 3). */
const PY2_MODULES: Record<string, string> = {
  __builtin__: "builtins",
  exceptions: "builtins",
  copy_reg: "copyreg",
  cPickle: "pickle",
  commands: "subprocess",
};

/** Whole modules (and their submodules) whose callables run code, spawn processes, or touch files/network. */
const DANGEROUS_MODULES: Record<string, string> = {
  os: "runs shell commands and touches the file system",
  posix: "runs shell commands and touches the file system (os on POSIX)",
  nt: "runs shell commands and touches the file system (os on Windows)",
  subprocess: "spawns processes",
  _posixsubprocess: "spawns processes",
  pty: "spawns processes",
  sys: "changes the interpreter (modules, hooks, exit)",
  shutil: "copies, moves and deletes files",
  socket: "opens network connections",
  _socket: "opens network connections",
  importlib: "imports arbitrary modules",
  zipimport: "imports arbitrary modules",
  pkgutil: "imports arbitrary modules",
  runpy: "runs arbitrary modules and scripts",
  code: "runs arbitrary source code",
  codeop: "compiles arbitrary source code",
  timeit: "runs arbitrary source code",
  trace: "runs arbitrary source code",
  profile: "runs arbitrary source code",
  cProfile: "runs arbitrary source code",
  pdb: "runs arbitrary source code",
  bdb: "runs arbitrary source code",
  webbrowser: "launches programs",
  pydoc: "launches programs (pager)",
  platform: "runs shell commands",
  pickle: "loads a nested pickle",
  _pickle: "loads a nested pickle",
  dill: "loads a nested pickle",
  cloudpickle: "loads a nested pickle",
  joblib: "loads a nested pickle",
  marshal: "loads code objects",
  types: "builds functions and code objects",
  ctypes: "calls native code",
  _ctypes: "calls native code",
  multiprocessing: "spawns processes",
  _multiprocessing: "spawns processes",
  asyncio: "spawns processes and opens connections",
  signal: "changes signal handlers",
  _thread: "starts threads",
  io: "opens files",
  _io: "opens files",
  fileinput: "opens files",
  tempfile: "creates files",
  site: "changes the import system",
  ensurepip: "installs packages",
  venv: "creates environments",
  pip: "installs packages",
  distutils: "runs build commands",
  setuptools: "runs build commands",
  urllib: "opens network connections",
  http: "opens network connections",
  requests: "opens network connections",
  ftplib: "opens network connections",
  smtplib: "opens network connections",
  telnetlib: "opens network connections",
  xmlrpc: "opens network connections",
  "numpy.testing": "runs arbitrary source code (runstring)",
  "numpy.f2py": "runs compilers",
  "numpy.distutils": "runs build commands",
  "numpy.ctypeslib": "loads native libraries",
  "torch.hub": "downloads and runs code",
  "torch.serialization": "loads a nested torch pickle",
  "sklearn.utils._joblib": "re-exports joblib (nested loads)",
  "sklearn.utils._testing": "runs Python scripts",
  "pandas.io.pickle": "loads a nested pickle",
};

/** Single callables, where the rest of their module is fine. */
const DANGEROUS_CALLABLES: Record<string, string> = {
  "operator.attrgetter": "reads arbitrary attributes (e.g. __globals__)",
  "operator.methodcaller": "calls arbitrary methods",
  "_operator.attrgetter": "reads arbitrary attributes (e.g. __globals__)",
  "_operator.methodcaller": "calls arbitrary methods",
  "torch.load": "loads a nested torch pickle",
  "torch.jit.load": "loads TorchScript code",
  "torch.storage._load_from_bytes": "loads a nested torch pickle",
  "numpy.load": "loads a nested pickle (allow_pickle)",
  "numpy.lib.npyio.load": "loads a nested pickle (allow_pickle)",
  "pandas.read_pickle": "loads a nested pickle",
  "joblib.numpy_pickle_compat.NDArrayWrapper": "old joblib format: loads another file with allow_pickle=True",
  "joblib.numpy_pickle_compat.ZNDArrayWrapper": "old joblib format: loads another file",
};

const DANGEROUS_BUILTINS: Record<string, string> = {
  eval: "evaluates code",
  exec: "runs code",
  execfile: "runs a file",
  compile: "compiles code",
  open: "opens files",
  file: "opens files",
  __import__: "imports arbitrary modules",
  reload: "re-imports modules",
  getattr: "reads arbitrary attributes (reaches any callable)",
  setattr: "overwrites attributes",
  delattr: "deletes attributes",
  globals: "exposes module globals",
  locals: "exposes local variables",
  vars: "exposes namespaces",
  breakpoint: "starts a debugger",
  input: "reads the terminal",
  raw_input: "reads the terminal",
  help: "starts a pager",
  exit: "exits the interpreter",
  quit: "exits the interpreter",
};

/** Attribute names that run code wherever they live (also checked in dotted attribute paths). */
const DANGEROUS_NAME =
  /^(system|popen\d?|Popen|eval|exec|execfile|__import__|import_module|load_module|run_path|run_module|runstring|getoutput|getstatusoutput|check_output|check_call|spawn[lv]p?e?|exec[lv]p?e?|posix_spawnp?|fork|forkpty|__builtins__|__globals__|__subclasses__|__code__)$/;

/** Modules commonly re-exported as attributes (`sklearn.base.os`); only these when the name ends the path. */
const MODULE_OBJECT_NAME =
  /^(os|posix|nt|sys|subprocess|builtins|__builtin__|shutil|socket|importlib|runpy|pickle|_pickle|marshal|ctypes|pty)$/;

const SAFE_BUILTINS = new Set([
  "set",
  "frozenset",
  "slice",
  "complex",
  "bytearray",
  "bytes",
  "int",
  "float",
  "str",
  "list",
  "tuple",
  "dict",
  "bool",
  "range",
  "object",
  "Ellipsis",
  "NotImplemented",
]);

const NUMPY_SCALARS =
  "bool_ bool int8 int16 int32 int64 uint8 uint16 uint32 uint64 intc uintc intp uintp longlong ulonglong " +
  "float16 float32 float64 float128 longdouble half single double complex64 complex128 complex256 " +
  "clongdouble csingle cdouble str_ bytes_ void object_ datetime64 timedelta64 generic number";

/** Exact `module.name` pairs that numpy, scikit-learn, PyTorch and joblib artifacts are made of. */
const SAFE_CALLABLES = new Set([
  "copyreg._reconstructor",
  "copyreg.__newobj__",
  "copyreg.__newobj_ex__",
  "_codecs.encode",
  "collections.OrderedDict",
  "collections.defaultdict",
  "collections.deque",
  "collections.Counter",
  "collections.ChainMap",
  "datetime.datetime",
  "datetime.date",
  "datetime.time",
  "datetime.timedelta",
  "datetime.timezone",
  "decimal.Decimal",
  "fractions.Fraction",
  "uuid.UUID",
  "re._compile",
  "numpy.ndarray",
  "numpy.dtype",
  "numpy.matrix",
  ...NUMPY_SCALARS.split(" ").map((s) => `numpy.${s}`),
  ...["numpy.core", "numpy._core"].flatMap((m) => [
    `${m}.multiarray._reconstruct`,
    `${m}.multiarray.scalar`,
    `${m}.numeric._frombuffer`,
  ]),
  "numpy.ma.core._mareconstruct",
  "numpy.ma.core.MaskedArray",
  "numpy.random._pickle.__randomstate_ctor",
  "numpy.random._pickle.__bit_generator_ctor",
  "numpy.random._pickle.__generator_ctor",
  "joblib.numpy_pickle.NumpyArrayWrapper",
  "torch._utils._rebuild_tensor",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_parameter",
  "torch._utils._rebuild_parameter_with_state",
  "torch._tensor._rebuild_from_type_v2",
  "torch.Size",
  "torch.Tensor",
  "torch.device",
  "torch.storage.UntypedStorage",
  "torch.storage.TypedStorage",
  "torch.nn.parameter.Parameter",
]);

/** Module prefixes whose plain (undotted) names are allowed, except the denied ones above. */
const SAFE_MODULE_PREFIXES = ["sklearn", "scipy.sparse", "numpy.dtypes", "torch.nn.modules"];
/** In allowed modules, names that read, write or fetch files stay unknown. */
const IO_LIKE_NAME = /^(load|save|read|write|fetch|open|dump|run)/;
const TORCH_DTYPE =
  /^(float|double|half|bfloat16|int|long|short|uint|bool|complex|cfloat|cdouble|qint|quint)\d*(_?x?\d+)?$/;

function withinModule(module: string, prefix: string): boolean {
  return module === prefix || module.startsWith(`${prefix}.`);
}

function dangerousModuleOf(path: string): string | null {
  const parts = path.split(".");
  for (let i = parts.length; i > 0; i--) {
    const prefix = parts.slice(0, i).join(".");
    if (prefix in DANGEROUS_MODULES) return prefix;
  }
  return null;
}

export interface ImportClassification {
  verdict: ImportVerdict;
  why: string;
}

const classificationCache = new Map<string, ImportClassification>();

/**
 * Safe, dangerous or unknown, for `module` + `name` as a pickle names them (protocol 4 resolves dotted
 * names attribute by attribute, so `name` may be a path like `os.system`).
 */
export function classifyImport(rawModule: string, name: string): ImportClassification {
  const key = `${rawModule}\n${name}`;
  const cached = classificationCache.get(key);
  if (cached) return cached;
  const result = classifyUncached(rawModule, name);
  if (classificationCache.size < 4096) classificationCache.set(key, result);
  return result;
}

/** The Python 3 name of a module a protocol 0–2 pickle may name the Python 2 way. */
function py3Module(module: string): string {
  const top = module.split(".")[0] ?? module;
  return top in PY2_MODULES ? PY2_MODULES[top] + module.slice(top.length) : module;
}

function classifyUncached(rawModule: string, name: string): ImportClassification {
  const module = py3Module(rawModule);
  const full = `${module}.${name}`;
  // Exact allowlisted pairs first: joblib's array wrapper lives in a module that also has `load`.
  if (SAFE_CALLABLES.has(full)) return { verdict: "safe", why: "on the allowlist" };
  const denied = DANGEROUS_CALLABLES[full];
  if (denied) return { verdict: "dangerous", why: `${full} ${denied}` };
  const dangerousModule = dangerousModuleOf(module);
  if (dangerousModule) {
    return { verdict: "dangerous", why: `${dangerousModule} ${DANGEROUS_MODULES[dangerousModule]}` };
  }
  const segments = name.split(".");
  const first = segments[0] ?? name;
  if (module === "builtins" && first in DANGEROUS_BUILTINS) {
    return { verdict: "dangerous", why: `builtins.${first} ${DANGEROUS_BUILTINS[first]}` };
  }
  // An attribute path can reach a harmful module from a harmless one: `collections` + `os.system`,
  // `numpy` + `testing._private.utils.runstring`.
  for (let i = 1; i < segments.length; i++) {
    const path = segments.slice(0, i).join(".");
    const reached = dangerousModuleOf(path) ?? dangerousModuleOf(`${module}.${path}`);
    if (reached) {
      return {
        verdict: "dangerous",
        why: `attribute path ${name} reaches ${reached}, which ${DANGEROUS_MODULES[reached]}`,
      };
    }
  }
  for (const segment of segments) {
    if (DANGEROUS_NAME.test(segment)) {
      return { verdict: "dangerous", why: `${segment} runs code or commands wherever it is defined` };
    }
  }
  const last = segments[segments.length - 1] ?? name;
  if (MODULE_OBJECT_NAME.test(last)) {
    return {
      verdict: "dangerous",
      why: `${full} is the ${last} module object, a step towards its callables`,
    };
  }
  if (segments.length > 1)
    return { verdict: "unknown", why: `attribute path ${full} is not on the allowlist` };
  if (module === "builtins") {
    return SAFE_BUILTINS.has(name)
      ? { verdict: "safe", why: "builtin type" }
      : { verdict: "unknown", why: `builtins.${name} is not on the allowlist` };
  }
  if (module === "torch" && (/^[A-Z][A-Za-z]*Storage$/.test(name) || TORCH_DTYPE.test(name))) {
    return { verdict: "safe", why: "torch storage type or dtype" };
  }
  if (SAFE_MODULE_PREFIXES.some((p) => withinModule(module, p))) {
    if (name.startsWith("__") || IO_LIKE_NAME.test(name)) {
      return { verdict: "unknown", why: `${full} reads or writes files, or is a dunder` };
    }
    if (withinModule(module, "sklearn.datasets") || withinModule(module, "sklearn.externals")) {
      return { verdict: "unknown", why: `${module} fetches data or vendors other packages` };
    }
    return { verdict: "safe", why: "allowlisted module" };
  }
  return { verdict: "unknown", why: `${full} is not on the allowlist` };
}

// ---- symbolic values --------------------------------------------------------------------------------

type Value =
  // Strings are decoded only when read (STACK_GLOBAL operands, state keys): most never are.
  | { k: "str"; at: number; len: number; latin1: boolean; text: string | null | undefined }
  | { k: "int"; v: number | null } // null: beyond 2^53, or not a plain decimal
  | { k: "none" }
  | { k: "atom" } // float, bool, bytes, buffers: nothing the scanner needs to look into
  | { k: "seq"; items: Value[] } // tuple, list, set, frozenset
  | { k: "dict"; entries: [Value, Value][] }
  | { k: "global"; module: string; name: string; verdict: ImportVerdict }
  | { k: "obj"; callee: Value; args: Value | null; attrs: Map<string, Value> | null }
  | { k: "opaque" } // persistent ids, extension objects
  | { k: "untracked" }; // a memo entry past MAX_MEMO_ENTRIES

const ATOM: Value = { k: "atom" };
const NONE: Value = { k: "none" };
const OPAQUE: Value = { k: "opaque" };
const UNTRACKED: Value = { k: "untracked" };
/** STACK_GLOBAL operands that may be a str the scanner cannot read (anything else makes CPython raise). */
const UNREADABLE_NAME = new Set<Value["k"]>(["obj", "opaque", "str", "untracked"]);

function textValue(text: string): Value {
  return { k: "str", at: 0, len: text.length, latin1: false, text };
}

function describe(v: Value): string {
  if (v.k === "global") return `${v.module}.${v.name}`;
  if (v.k === "obj") return `the result of calling ${describe(v.callee)}`;
  if (v.k === "str") return "a string";
  return `a ${v.k} value`;
}

class ScanStop extends Error {}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

const SIMPLE_ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
};

/** Python's `codecs.escape_decode` for the STRING opcode's quoted argument. */
function decodeEscapes(raw: string): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== "\\" || i + 1 >= raw.length) {
      out += c;
      continue;
    }
    const n = raw[++i]!;
    if (n in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[n];
    else if (n === "x" && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      out += String.fromCharCode(Number.parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(raw.slice(i))![0];
      out += String.fromCharCode(Number.parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else out += `\\${n}`;
  }
  return out;
}

/** Python's raw-unicode-escape codec, used by the UNICODE opcode. */
function decodeRawUnicodeEscape(raw: string): string {
  return raw.replace(
    /\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g,
    (_m, u4: string | undefined, u8?: string) => {
      const code = Number.parseInt(u4 ?? u8 ?? "0", 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : _m;
    },
  );
}

function parseDecimal(text: string): number | null {
  const t = text.trim().replace(/L$/, "");
  if (!/^[+-]?\d+$/.test(t)) return null;
  const v = Number(t);
  return Number.isSafeInteger(v) ? v : null;
}

/** What all walkers of one input share: the result and the memory budget. */
interface ScanState {
  out: PickleScanResult;
  retained: number;
  maxMemoEntries: number;
}

// ---- the walker ---------------------------------------------------------------------------------------

const JOBLIB_WRAPPER = "joblib.numpy_pickle.NumpyArrayWrapper";
const PARTIALS = new Set(["functools.partial", "_functools.partial"]);
/** numpy.dtype's BUILD state is a tuple, kept under a key no Python attribute can have. */
const DTYPE_STATE = "\0dtype-state";
/** Callables that construct an instance of the class in their first argument. */
const CONSTRUCTORS = new Set(["copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__"]);

function setAttr(obj: Value & { k: "obj" }, key: string, value: Value): void {
  obj.attrs ??= new Map();
  obj.attrs.set(key, value);
}

/** The class an object was made from (`module.name`): its callee, or the class copyreg got. */
function classOf(obj: Value & { k: "obj" }): string | null {
  let cls = obj.callee;
  if (cls.k === "global" && CONSTRUCTORS.has(`${cls.module}.${cls.name}`) && obj.args?.k === "seq") {
    cls = obj.args.items[0] ?? cls;
  }
  if (cls.k !== "global") return null;
  return `${cls.module.replace(/^numpy\._core\b/, "numpy.core")}.${cls.name}`;
}

/** Walks one pickle (MARK stack, memo) and appends what it finds to a shared result. */
class PickleWalker {
  private stack: Value[] = [];
  private readonly metastack: Value[][] = [];
  /** The memo: dense keys (MEMOIZE, sequential PUTs) in an array, far-off ones in a map. */
  private readonly memo: (Value | undefined)[] = [];
  private readonly sparseMemo = new Map<number, Value>();
  private memoSize = 0;
  private readonly flaggedPartials = new Set<Value>();
  private pos: number;
  private opStart = 0;

  private memoOverflow = false;
  private readonly out: PickleScanResult;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly state: ScanState,
    private readonly joblibArrays: boolean,
    private readonly recordProtocol: boolean,
    start: number,
  ) {
    this.out = state.out;
    this.pos = start;
  }

  /** Adds to a symbolic container while the per-container and global budgets last. */
  private keep<T>(items: T[], item: T): void {
    if (items.length < MAX_ITEMS && this.state.retained < MAX_RETAINED_ITEMS) {
      items.push(item);
      this.state.retained++;
    }
  }

  private fail(message: string): never {
    throw new ScanStop(`${message} (opcode at offset ${this.opStart})`);
  }

  private need(n: number): void {
    if (n > this.bytes.length - this.pos) this.fail(`truncated: needs ${n} more bytes`);
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  private uint(n: 2 | 4 | 8): number {
    this.need(n);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + this.bytes[this.pos + i]!;
    this.pos += n;
    return v; // uint8 lengths above 2^53 fail `need` anyway
  }

  private int4(): number {
    const v = this.uint(4);
    return v >= 0x80000000 ? v - 0x100000000 : v;
  }

  /** Steps over `n` bytes of argument; returns where they start. */
  private skip(n: number): number {
    this.need(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail("truncated: missing newline");
    const s = this.bytes.subarray(this.pos, end);
    this.pos = end + 1;
    return utf8.decode(s);
  }

  /** A string whose bytes are `n` bytes from here; decoded later by `textOf` if at all. */
  private str(n: number, isLatin1: boolean): Value {
    const at = this.skip(n);
    return { k: "str", at, len: n, latin1: isLatin1, text: undefined };
  }

  /** The text of a string value; null for anything else, or a string too long to be a name. */
  private textOf(v: Value | undefined): string | null {
    if (v?.k !== "str") return null;
    if (v.text === undefined) {
      const raw = this.bytes.subarray(v.at, v.at + v.len);
      v.text = v.len > MAX_DECODED_STRING ? null : (v.latin1 ? latin1 : utf8).decode(raw);
    }
    return v.text;
  }

  private push(v: Value): void {
    if (this.stack.length >= MAX_STACK)
      this.fail(`stack deeper than ${MAX_STACK} items: not scanned further`);
    this.stack.push(v);
  }

  private pop(): Value {
    const v = this.stack.pop();
    if (v === undefined) this.fail("stack underflow");
    return v;
  }

  private top(): Value {
    const v = this.stack[this.stack.length - 1];
    if (v === undefined) this.fail("stack underflow");
    return v;
  }

  private popMark(): Value[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (previous === undefined) this.fail("could not find MARK");
    this.stack = previous;
    return items;
  }

  private memoGet(key: number): Value {
    const v = this.memo[key] ?? this.sparseMemo.get(key);
    if (v !== undefined) return v;
    if (this.memoOverflow) return UNTRACKED;
    this.fail(`memo key ${key} not found`);
  }

  private memoPut(key: number): void {
    if (key < 0) this.fail("negative PUT argument");
    const v = this.top();
    const limit = this.state.maxMemoEntries;
    if (this.memoSize >= limit && this.memo[key] === undefined && !this.sparseMemo.has(key)) {
      if (!this.memoOverflow) {
        this.flagUnknown(
          "<memo>",
          "<untracked>",
          `more than ${limit} memo entries: later ones are not tracked`,
        );
      }
      this.memoOverflow = true;
      this.memoSize++;
      return;
    }
    if (key <= this.memo.length) {
      if (this.memo[key] === undefined && !this.sparseMemo.delete(key)) this.memoSize++;
      this.memo[key] = v;
    } else {
      if (!this.sparseMemo.has(key)) this.memoSize++;
      this.sparseMemo.set(key, v);
    }
  }

  private importGlobal(module: string, name: string, offset: number): Value {
    const { imports, dangerous, unknown } = this.out;
    if (imports.length < MAX_LISTED) imports.push({ module, name, offset });
    const { verdict, why } = classifyImport(module, name);
    if (verdict === "dangerous" && dangerous.length < MAX_LISTED)
      dangerous.push({ module, name, offset, why });
    if (verdict === "unknown" && unknown.length < MAX_LISTED) unknown.push({ module, name, offset, why });
    return { k: "global", module: py3Module(module), name, verdict };
  }

  private flagUnknown(module: string, name: string, why: string): void {
    if (this.out.unknown.length < MAX_LISTED)
      this.out.unknown.push({ module, name, offset: this.opStart, why });
  }

  /** REDUCE / NEWOBJ / OBJ / INST: a call of `callee` with `args`. */
  private call(callee: Value, args: Value | null): Value {
    const obj: Value & { k: "obj" } = { k: "obj", callee, args, attrs: null };
    if (callee.k !== "global") {
      this.flagUnknown("<computed>", "<call>", `calls ${describe(callee)}, a value computed while loading`);
    } else if (PARTIALS.has(`${callee.module}.${callee.name}`)) {
      this.checkPartial(obj, args);
    }
    return obj;
  }

  /** functools.partial(f, ...) and its __setstate__((f, args, kw, dict)) call `f` later: name it once. */
  private checkPartial(partial: Value, args: Value | null): void {
    if (args?.k !== "seq" || this.flaggedPartials.has(partial)) return;
    const wrapped = args.items.find((i) => i.k === "global" && i.verdict === "dangerous");
    if (wrapped?.k !== "global" || this.out.dangerous.length >= MAX_LISTED) return;
    this.flaggedPartials.add(partial);
    this.out.dangerous.push({
      module: "functools",
      name: "partial",
      offset: this.opStart,
      why: `wraps ${wrapped.module}.${wrapped.name}`,
    });
  }

  private build(state: Value, obj: Value & { k: "obj" }): void {
    if (PARTIALS.has(classOf(obj) ?? "")) this.checkPartial(obj, state);
    // BUILD without __setstate__ updates __dict__ from a dict, or from (dict, slotstate).
    const dicts =
      state.k === "dict" ? [state] : state.k === "seq" ? state.items.filter((i) => i.k === "dict") : [];
    for (const d of dicts) {
      for (const [key, value] of d.entries) {
        const text = this.textOf(key);
        if (text !== null) setAttr(obj, text, value);
      }
    }
  }

  /** joblib.numpy_pickle.NumpyArrayWrapper.read_array: the array bytes that follow the BUILD. */
  private skipJoblibArray(wrapper: Value & { k: "obj" }): void {
    const shape = wrapper.attrs?.get("shape");
    const dtype = wrapper.attrs?.get("dtype");
    const where = `joblib array wrapper at offset ${this.opStart}`;
    if (
      shape?.k !== "seq" ||
      dtype?.k !== "obj" ||
      classOf(dtype) !== "numpy.dtype" ||
      dtype.args?.k !== "seq"
    ) {
      this.fail(`${where}: shape or dtype is not a literal, cannot find where its data ends`);
    }
    let count = 1n;
    for (const dim of shape.items) {
      if (dim.k !== "int" || dim.v === null || dim.v < 0) this.fail(`${where}: shape is not a tuple of ints`);
      count *= BigInt(dim.v);
    }
    const typeCode = dtype.args.items[0];
    const parsed = /^[<>|=]?([a-zA-Z])(\d*)/.exec(this.textOf(typeCode) ?? "");
    if (!parsed) this.fail(`${where}: dtype is not a literal type code`);
    const dstate = dtype.attrs?.get(DTYPE_STATE);
    const elsize = dstate?.k === "seq" ? dstate.items[5] : undefined;
    const flags = dstate?.k === "seq" ? dstate.items[7] : undefined;
    const hasObject = parsed[1] === "O" || (flags?.k === "int" && flags.v !== null && flags.v % 2 === 1);
    if (hasObject) {
      // Object arrays are written as a nested `pickle.dump(array, protocol=2)`, read by plain pickle.load.
      this.pos = new PickleWalker(this.bytes, this.state, false, false, this.pos).run();
      return;
    }
    const itemsize =
      elsize?.k === "int" && elsize.v !== null && elsize.v > 0 ? BigInt(elsize.v) : BigInt(parsed[2] || "0");
    if (itemsize <= 0n) this.fail(`${where}: unknown item size for dtype ${this.textOf(typeCode) ?? ""}`);
    const alignment = wrapper.attrs?.get("numpy_array_alignment_bytes");
    if (alignment !== undefined && alignment.k !== "none") this.skip(this.u8()); // padding length, padding
    const size = count * itemsize;
    if (size > BigInt(this.bytes.length - this.pos))
      this.fail(`${where}: truncated array data (${size} bytes)`);
    this.pos += Number(size);
  }

  /** Walks from the start position to STOP; returns the position after STOP. */
  run(): number {
    const bytes = this.bytes;
    for (;;) {
      this.opStart = this.pos;
      if (this.pos >= bytes.length) this.fail("truncated: no STOP opcode");
      const op = bytes[this.pos++]!;
      this.out.opcodes++;
      switch (op) {
        // -- integers
        case 0x49: {
          // INT: decimal line; "00"/"01" are protocol 0's False/True
          const text = this.line();
          this.push(text === "00" || text === "01" ? ATOM : { k: "int", v: parseDecimal(text) });
          break;
        }
        case 0x4a: // BININT
          this.push({ k: "int", v: this.int4() });
          break;
        case 0x4b: // BININT1
          this.push({ k: "int", v: this.u8() });
          break;
        case 0x4d: // BININT2
          this.push({ k: "int", v: this.uint(2) });
          break;
        case 0x4c: // LONG
          this.push({ k: "int", v: parseDecimal(this.line()) });
          break;
        case 0x8a: // LONG1
          this.push(this.long(this.u8()));
          break;
        case 0x8b: {
          // LONG4
          const n = this.int4();
          if (n < 0) this.fail("LONG4 with a negative byte count");
          this.push(this.long(n));
          break;
        }
        // -- strings and bytes
        case 0x53: {
          // STRING: a quoted Python 2 literal; Python 3 decodes it to str (encoding="ASCII")
          const text = this.line();
          const q = text[0];
          if (text.length < 2 || (q !== "'" && q !== '"') || text[text.length - 1] !== q) {
            this.fail("the STRING opcode argument must be quoted");
          }
          this.push(textValue(decodeEscapes(text.slice(1, -1))));
          break;
        }
        case 0x54: {
          // BINSTRING
          const n = this.int4();
          if (n < 0) this.fail("BINSTRING with a negative length");
          this.push(this.str(n, true));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          this.push(this.str(this.u8(), true));
          break;
        case 0x42: // BINBYTES
          this.skip(this.uint(4));
          this.push(ATOM);
          break;
        case 0x43: // SHORT_BINBYTES
          this.skip(this.u8());
          this.push(ATOM);
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          this.skip(this.uint(8));
          this.push(ATOM);
          break;
        case 0x97: // NEXT_BUFFER: out-of-band data, not in the stream
          this.push(ATOM);
          break;
        case 0x98: // READONLY_BUFFER
          this.top();
          break;
        case 0x56: // UNICODE: raw-unicode-escape line
          this.push(textValue(decodeRawUnicodeEscape(this.line())));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.str(this.u8(), false));
          break;
        case 0x58: // BINUNICODE
          this.push(this.str(this.uint(4), false));
          break;
        case 0x8d: // BINUNICODE8
          this.push(this.str(this.uint(8), false));
          break;
        // -- other atoms
        case 0x4e: // NONE
          this.push(NONE);
          break;
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
          this.push(ATOM);
          break;
        case 0x46: // FLOAT
          this.line();
          this.push(ATOM);
          break;
        case 0x47: // BINFLOAT
          this.skip(8);
          this.push(ATOM);
          break;
        // -- containers
        case 0x5d: // EMPTY_LIST
        case 0x29: // EMPTY_TUPLE
        case 0x8f: // EMPTY_SET
          this.push({ k: "seq", items: [] });
          break;
        case 0x7d: // EMPTY_DICT
          this.push({ k: "dict", entries: [] });
          break;
        case 0x61: {
          // APPEND
          const v = this.pop();
          const list = this.top();
          if (list.k === "seq") this.keep(list.items, v);
          break;
        }
        case 0x65: // APPENDS
        case 0x90: {
          // ADDITEMS
          const items = this.popMark();
          const target = this.top();
          if (target.k === "seq") for (const v of items) this.keep(target.items, v);
          break;
        }
        case 0x6c: // LIST
        case 0x74: // TUPLE
        case 0x91: // FROZENSET
          {
            const items: Value[] = [];
            for (const v of this.popMark()) this.keep(items, v);
            this.push({ k: "seq", items });
            break;
          }
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: {
          // TUPLE3
          const n = op - 0x84;
          const items: Value[] = [];
          for (let i = 0; i < n; i++) items.unshift(this.pop());
          this.push({ k: "seq", items });
          break;
        }
        case 0x64: {
          // DICT
          const items = this.popMark();
          const entries: [Value, Value][] = [];
          for (let i = 0; i + 1 < items.length; i += 2) this.keep(entries, [items[i]!, items[i + 1]!]);
          this.push({ k: "dict", entries });
          break;
        }
        case 0x73: {
          // SETITEM
          const v = this.pop();
          const key = this.pop();
          const dict = this.top();
          if (dict.k === "dict") this.keep(dict.entries, [key, v]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          const dict = this.top();
          if (dict.k === "dict") {
            for (let i = 0; i + 1 < items.length; i += 2) this.keep(dict.entries, [items[i]!, items[i + 1]!]);
          }
          break;
        }
        // -- stack manipulation
        case 0x30: // POP: the top item, or the topmost MARK when the current frame is empty
          if (this.stack.length > 0) this.stack.pop();
          else this.popMark();
          break;
        case 0x32: // DUP
          this.push(this.top());
          break;
        case 0x28: // MARK
          if (this.metastack.length >= MAX_STACK)
            this.fail(`more than ${MAX_STACK} open MARKs: not scanned further`);
          this.metastack.push(this.stack);
          this.stack = [];
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        // -- memo
        case 0x67: {
          // GET
          const key = parseDecimal(this.line());
          if (key === null) this.fail("GET argument is not an integer");
          this.push(this.memoGet(Number(key)));
          break;
        }
        case 0x68: // BINGET
          this.push(this.memoGet(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.push(this.memoGet(this.uint(4)));
          break;
        case 0x70: {
          // PUT
          const key = parseDecimal(this.line());
          if (key === null) this.fail("PUT argument is not an integer");
          this.memoPut(Number(key));
          break;
        }
        case 0x71: // BINPUT
          this.memoPut(this.u8());
          break;
        case 0x72: // LONG_BINPUT
          this.memoPut(this.uint(4));
          break;
        case 0x94: // MEMOIZE
          this.memoPut(this.memoSize); // len(memo), as CPython
          break;
        // -- imports and calls
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: {
          // EXT4
          const code = op === 0x82 ? this.u8() : op === 0x83 ? this.uint(2) : this.int4();
          this.flagUnknown(
            "<extension>",
            String(code),
            `extension registry code ${code}: resolves to whatever copyreg.add_extension registered`,
          );
          this.push(OPAQUE);
          break;
        }
        case 0x63: {
          // GLOBAL
          const module = this.line();
          const name = this.line();
          this.push(this.importGlobal(module, name, this.opStart));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          const moduleText = this.textOf(module);
          const nameText = this.textOf(name);
          if (moduleText !== null && nameText !== null) {
            this.push(this.importGlobal(moduleText, nameText, this.opStart));
          } else if (
            (moduleText !== null || UNREADABLE_NAME.has(module.k)) &&
            (nameText !== null || UNREADABLE_NAME.has(name.k))
          ) {
            // Names produced by calls at load time, too long to read, or past the memo limit: the
            // scanner cannot tell what gets imported, so neither can a reviewer.
            if (this.out.dangerous.length < MAX_LISTED) {
              const untracked = module.k === "untracked" || name.k === "untracked";
              this.out.dangerous.push({
                module: moduleText ?? "<computed>",
                name: nameText ?? "<computed>",
                offset: this.opStart,
                why: untracked
                  ? "STACK_GLOBAL with a name from an untracked memo entry"
                  : "STACK_GLOBAL with a module or name computed while loading",
              });
            }
            this.push(OPAQUE);
          } else {
            this.fail("STACK_GLOBAL requires str"); // CPython raises here too
          }
          break;
        }
        case 0x69: {
          // INST: GLOBAL + calls the class with the marked arguments
          const module = this.line();
          const name = this.line();
          const callee = this.importGlobal(module, name, this.opStart);
          this.push(this.call(callee, { k: "seq", items: this.popMark() }));
          break;
        }
        case 0x6f: {
          // OBJ: first marked item is the class, the rest its arguments
          const items = this.popMark();
          const cls = items.shift();
          if (cls === undefined) this.fail("OBJ without a class");
          this.push(this.call(cls, { k: "seq", items }));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop();
          const callee = this.pop();
          this.push(this.call(callee, args));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.pop();
          const cls = this.pop();
          this.push(this.call(cls, args));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          this.pop(); // kwargs
          const args = this.pop();
          const cls = this.pop();
          this.push(this.call(cls, args));
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop();
          const obj = this.top();
          if (obj.k !== "obj") break;
          this.build(state, obj);
          const cls = classOf(obj);
          if (cls === "numpy.dtype") setAttr(obj, DTYPE_STATE, state);
          if (this.joblibArrays && cls === JOBLIB_WRAPPER) {
            this.skipJoblibArray(obj);
            this.stack[this.stack.length - 1] = ATOM; // joblib replaces the wrapper with the array
          }
          break;
        }
        // -- persistent ids (torch storages): resolved by the loader's persistent_load, no import
        case 0x50: // PERSID
          this.line();
          this.push(OPAQUE);
          break;
        case 0x51: // BINPERSID
          this.pop();
          this.push(OPAQUE);
          break;
        // -- framing and protocol
        case 0x80: {
          // PROTO
          const proto = this.u8();
          if (proto > HIGHEST_PROTOCOL) this.fail(`unsupported pickle protocol ${proto}`);
          if (this.recordProtocol && this.out.protocol === null) this.out.protocol = proto;
          break;
        }
        case 0x95: {
          // FRAME: a length hint; CPython only checks the frame is there
          const n = this.uint(8);
          this.need(n);
          break;
        }
        case 0x2e: // STOP
          this.pop();
          return this.pos;
        default:
          this.fail(`invalid opcode 0x${op.toString(16).padStart(2, "0")}`);
      }
    }
  }

  private long(n: number): Value {
    const at = this.skip(n);
    if (n > 8) return { k: "int", v: null };
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[at + i]!);
    if (n > 0 && this.bytes[at + n - 1]! >= 0x80) v -= 1n << BigInt(8 * n); // two's complement
    const num = Number(v);
    return { k: "int", v: Number.isSafeInteger(num) ? num : null };
  }
}

/**
 * Scans every pickle in `bytes` (back to back, as joblib and torch write them). Never throws: a
 * truncated or malformed stream sets `error`, keeping what was found before it.
 */
export function scanPickle(bytes: Uint8Array, options: PickleScanOptions = {}): PickleScanResult {
  const out: PickleScanResult = {
    protocol: null,
    imports: [],
    dangerous: [],
    unknown: [],
    opcodes: 0,
    pickles: 0,
    trailingBytes: 0,
    error: null,
  };
  const state: ScanState = { out, retained: 0, maxMemoEntries: options.maxMemoEntries ?? MAX_MEMO_ENTRIES };
  const maxPickles = options.maxPickles ?? Number.POSITIVE_INFINITY;
  const joblibArrays = options.joblibArrays ?? true;
  if (bytes.length === 0) {
    out.error = "empty: no pickle data";
    return out;
  }
  let pos = 0;
  let walked = 0;
  while (pos < bytes.length && walked < maxPickles) {
    const opcodesBefore = out.opcodes;
    try {
      pos = new PickleWalker(bytes, state, joblibArrays, walked === 0, pos).run();
      walked++;
      out.pickles++;
    } catch (e) {
      // After a complete pickle, bytes whose very first opcode is invalid are not another pickle:
      // every unpickler stops there, before running anything.
      if (
        walked > 0 &&
        out.opcodes - opcodesBefore <= 1 &&
        e instanceof ScanStop &&
        /invalid opcode/.test(e.message)
      ) {
        out.opcodes = opcodesBefore;
        out.trailingBytes = bytes.length - pos;
        return out;
      }
      out.error = e instanceof ScanStop ? e.message : `scanner failure: ${String(e)}`;
      return out;
    }
  }
  return out;
}
