#!/usr/bin/python3
"""Write the pickle-scanner fixtures in test/fixtures/pickles/.

Run with Debian's scikit-learn (apt-get install python3-sklearn; joblib comes with it), from anywhere:

    /usr/bin/python3 scripts/gen-pickle-fixtures.py

Nothing written here is ever loaded, by this script or by the tests: the malicious fixtures are
built from `__reduce__` return values and hand-written opcodes, and *pickling* an object only records
the callable's name, it never calls it. Every payload would create MARKER if it ever ran, so the
tests can prove that scanning did not execute anything.

Files:
  benign-logreg-p{2,4,5}.pkl   a fitted LogisticRegression, pickle.dumps(protocol=N)
  benign-logreg.joblib         the same via joblib.dump (raw arrays written inside the pickle stream)
  benign-logreg-z3.joblib      joblib.dump(compress=3): zlib
  benign-logreg-gz.joblib      joblib.dump(compress=("gzip", 3))
  benign-logreg-bz2.joblib     joblib.dump(compress=("bz2", 3)): not scannable without bz2
  benign-logreg-xz.joblib      joblib.dump(compress=("xz", 3)): not scannable without lzma
  benign-object-array.npy      np.save(allow_pickle=True) of an object array (a pickle after the header)
  benign-float-array.npy       a plain float array (no pickle at all)
  benign-arrays.npz            np.savez_compressed of a float and an object array (a zip of .npy, deflated)
  benign-objects.joblib        joblib.dump of a dict holding an object array (nested pickle in the stream)
  benign-mixed-p{0,4}.joblib   joblib arrays of many dtypes (unicode, structured, object, datetime, Fortran
                               order) at protocols 0 and 4 (copyreg._reconstructor vs NEWOBJ wrappers)
  benign-forest.joblib         a StandardScaler + RandomForestClassifier pipeline
  kitchen-sink-p{0..5}.pkl     builtin values that exercise most opcodes (ints of every width, LONG1/LONG4,
                               bytes, sets, recursion, memo past 256 entries, persistent ids, out-of-band
                               buffers at protocol 5)
  opcodes-misc.pkl             hand-written: DUP, SHORT_BINSTRING, BINSTRING, BINUNICODE8, BINBYTES8 and
                               EXT1/EXT2/EXT4 (unknown imports: the extension registry)
  unknown-class-p4.pkl         a class from __main__ pickled with NEWOBJ_EX: an unknown import (warning)
  torch.zip look-alikes:
  benign-torch.zip             a torch.save-like zip: archive/data.pkl with torch._utils._rebuild_tensor_v2
  torchscript-like.zip         benign-torch.zip plus a code/*.py entry (TorchScript code is not scanned)
  benign-torch-legacy.pt       the pre-1.6 torch.save layout: five pickles, then raw storage bytes
  mal-reduce-p2.pkl            __reduce__ -> (os.system, (cmd,)); CPython records it as posix.system
  mal-reduce-p0.pkl            the same at protocol 0 (GLOBAL opcode, text arguments)
  mal-os-system-global.pkl     hand-written protocol 0: GLOBAL "os\\nsystem", REDUCE
  mal-inst.pkl                 hand-written protocol 0: INST "os\\nsystem" (calls without REDUCE)
  mal-popen-p4.pkl             __reduce__ -> (subprocess.Popen, ([...],)), protocol 4 (STACK_GLOBAL)
  mal-eval-p4.pkl              __reduce__ -> (builtins.eval, (src,)), protocol 4
  mal-exec-p5.pkl              __reduce__ -> (builtins.exec, (src,)), protocol 5
  mal-memo.pkl                 hand-written protocol 4: module/name strings memoized (BINPUT) early and
                               fetched back (BINGET/LONG_BINGET) right before STACK_GLOBAL
  mal-string-escape.pkl        hand-written protocol 4: "os" and "system" as Python 2 STRING opcodes with
                               escapes ('\\x6fs'), which Python 3 decodes to str for STACK_GLOBAL
  mal-getattr.pkl              hand-written: builtins.getattr(builtins.__import__("os"), "system")
  mal-dotted.pkl               hand-written protocol 4: STACK_GLOBAL("collections", "os.system"), an
                               attribute path through a harmless module
  mal-partial.pkl              functools.partial(os.system, cmd)
  mal-second-pickle.pkl        a benign pickle followed by a malicious one (joblib/torch read several)
  mal-object-array.npy         an object .npy whose pickle reduces to os.system
  mal-object.npz               np.savez with that object array next to a harmless one
  mal-torch.zip                torch.save-like zip whose archive/data.pkl reduces to os.system (stored)
  mal-torch-deflated.zip       the same entry, deflated
  mal-joblib-z3.joblib         joblib-style zlib stream wrapping the os.system pickle
  mal-obj.pkl                  hand-written protocol 1: OBJ with os.system as the class
  truncated.pkl                benign-logreg-p4.pkl cut in the middle
  manifest.json                for every file pickletools can parse (plain pickles, back to back): its
                               opcode count, pickle count and GLOBAL/INST names, to check the scanner's walk
"""

import io
import json
import os
import pickle
import pickletools
import struct
import subprocess
import sys
import types
import zipfile
from collections import OrderedDict
from functools import partial

import joblib
import numpy as np
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "pickles")
MARKER = "/tmp/mlgate-pickle-scan-pwned"
CMD = f"touch {MARKER}"
SRC = f"open({MARKER!r}, 'w').write('pwned')"


def write(name, data):
    with open(os.path.join(OUT_DIR, name), "wb") as fh:
        fh.write(data)


class Reduce:
    """Pickles as `fn(*args)`: pickle only writes fn's module and name, it calls nothing."""

    def __init__(self, fn, args):
        self.fn = fn
        self.args = args

    def __reduce__(self):
        return (self.fn, self.args)


# ---- benign ------------------------------------------------------------------------------------------


def benign():
    x, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=500, random_state=0).fit(x, y)
    for proto in (2, 4, 5):
        write(f"benign-logreg-p{proto}.pkl", pickle.dumps(model, protocol=proto))
    joblib.dump(model, os.path.join(OUT_DIR, "benign-logreg.joblib"))
    joblib.dump(model, os.path.join(OUT_DIR, "benign-logreg-z3.joblib"), compress=3)
    for method in ("gzip", "bz2", "xz"):
        short = {"gzip": "gz"}.get(method, method)
        joblib.dump(model, os.path.join(OUT_DIR, f"benign-logreg-{short}.joblib"), compress=(method, 3))

    objects = np.array([{"a": 1}, "text", 3, (1.5, None)], dtype=object)
    np.save(os.path.join(OUT_DIR, "benign-object-array.npy"), objects, allow_pickle=True)
    np.save(os.path.join(OUT_DIR, "benign-float-array.npy"), np.arange(12, dtype=np.float64).reshape(3, 4))
    np.savez_compressed(os.path.join(OUT_DIR, "benign-arrays.npz"), floats=np.ones(3), objects=objects)
    joblib.dump(
        {"objects": objects, "floats": np.ones((2, 3), dtype=np.float32), "names": ["a", "b"]},
        os.path.join(OUT_DIR, "benign-objects.joblib"),
    )

    mixed = {
        "unicode": np.array(["x", "yy"], dtype="U2"),
        "structured": np.zeros(3, dtype=[("a", "<i4"), ("b", "<f8")]),
        "objects": np.array([None, 1, "z"], dtype=object),
        "dates": np.array(["2020-01-01", "2021-06-30"], dtype="M8[D]"),
        "fortran": np.asfortranarray(np.arange(6, dtype=np.int16).reshape(3, 2)),
        "empty": np.zeros((0, 4)),
        "scalar": np.array(7.5),
    }
    for proto in (0, 4):
        joblib.dump(mixed, os.path.join(OUT_DIR, f"benign-mixed-p{proto}.joblib"), protocol=proto)
    forest = make_pipeline(
        StandardScaler(), RandomForestClassifier(n_estimators=2, max_depth=3, random_state=0)
    )
    joblib.dump(forest.fit(x, y), os.path.join(OUT_DIR, "benign-forest.joblib"))

    truncated = pickle.dumps(model, protocol=4)
    write("truncated.pkl", truncated[: len(truncated) // 2])


# ---- torch look-alikes (torch is not installed: stub modules give pickle the names it records) ---------


def torch_stubs():
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    FloatStorage.__module__ = "torch"
    FloatStorage.__qualname__ = "FloatStorage"

    def _rebuild_tensor_v2(*args):
        raise AssertionError("never called: this only gives pickle a name to record")

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    torch.FloatStorage = FloatStorage
    torch._utils = utils
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    sys.modules["torch"] = torch
    sys.modules["torch._utils"] = utils
    return FloatStorage, _rebuild_tensor_v2


class TorchLikePickler(pickle.Pickler):
    """Writes storages as persistent ids, like torch.save does."""

    def persistent_id(self, obj):
        if isinstance(obj, StorageRef):
            return ("storage", obj.storage_type, obj.key, "cpu", obj.numel)
        return None


class StorageRef:
    def __init__(self, storage_type, key, numel):
        self.storage_type = storage_type
        self.key = key
        self.numel = numel


class Tensor:
    def __init__(self, rebuild, storage):
        self.rebuild = rebuild
        self.storage = storage

    def __reduce__(self):
        return (self.rebuild, (self.storage, 0, (2, 2), (2, 1), False, OrderedDict()))


def torch_pickle(obj, protocol=2):
    buf = io.BytesIO()
    TorchLikePickler(buf, protocol=protocol).dump(obj)
    return buf.getvalue()


def torch_zip(name, data_pkl, compression=zipfile.ZIP_STORED, extra=()):
    buf = io.BytesIO()
    entries = [
        ("archive/data.pkl", data_pkl),
        ("archive/byteorder", b"little"),
        ("archive/data/0", struct.pack("<4f", 1.0, 2.0, 3.0, 4.0)),
        ("archive/version", b"3\n"),
        *extra,
    ]
    with zipfile.ZipFile(buf, "w") as zf:
        for entry, data in entries:
            # A fixed timestamp keeps the fixture byte-identical across runs.
            info = zipfile.ZipInfo(entry, date_time=(2024, 1, 1, 0, 0, 0))
            zf.writestr(info, data, compress_type=compression)
    write(name, buf.getvalue())


def torch_fixtures():
    float_storage, rebuild = torch_stubs()
    state = OrderedDict(weight=Tensor(rebuild, StorageRef(float_storage, "0", 4)))
    torch_zip("benign-torch.zip", torch_pickle(state))
    torch_zip(
        "torchscript-like.zip",
        torch_pickle(state),
        extra=[("archive/code/__torch__/model.py", b"def forward(self, x):\n    return x\n")],
    )
    torch_zip("mal-torch.zip", torch_pickle(OrderedDict(weight=Reduce(os.system, (CMD,)))))
    torch_zip(
        "mal-torch-deflated.zip",
        torch_pickle(OrderedDict(weight=Reduce(os.system, (CMD,)))),
        compression=zipfile.ZIP_DEFLATED,
    )
    # torch < 1.6 (torch/serialization.py _legacy_save): magic number, protocol version, sys info, the
    # object, the storage keys, then each storage as an int64 element count and raw bytes.
    legacy = b"".join(
        [
            pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2),
            pickle.dumps(1001, protocol=2),
            pickle.dumps({"protocol_version": 1001, "little_endian": True, "type_sizes": {"int": 4}}, 2),
            torch_pickle(state),
            pickle.dumps(["0"], protocol=2),
            struct.pack("<q4f", 4, 1.0, 2.0, 3.0, 4.0),
        ]
    )
    write("benign-torch-legacy.pt", legacy)
    del sys.modules["torch"], sys.modules["torch._utils"]


# ---- malicious, via __reduce__ ---------------------------------------------------------------------


def via_reduce():
    write("mal-reduce-p2.pkl", pickle.dumps(Reduce(os.system, (CMD,)), protocol=2))
    write("mal-reduce-p0.pkl", pickle.dumps(Reduce(os.system, (CMD,)), protocol=0))
    write("mal-popen-p4.pkl", pickle.dumps(Reduce(subprocess.Popen, (["touch", MARKER],)), protocol=4))
    write("mal-eval-p4.pkl", pickle.dumps(Reduce(eval, (SRC,)), protocol=4))
    write("mal-exec-p5.pkl", pickle.dumps(Reduce(exec, (SRC,)), protocol=5))
    write("mal-partial.pkl", pickle.dumps(Reduce(partial(os.system, CMD), ()), protocol=4))
    write(
        "mal-second-pickle.pkl",
        pickle.dumps({"ok": [1, 2, 3]}, protocol=4) + pickle.dumps(Reduce(os.system, (CMD,)), protocol=4),
    )
    buf = io.BytesIO()
    np.save(buf, np.array([Reduce(os.system, (CMD,))], dtype=object), allow_pickle=True)
    write("mal-object-array.npy", buf.getvalue())
    bad = np.array([Reduce(os.system, (CMD,))], dtype=object)
    np.savez(os.path.join(OUT_DIR, "mal-object.npz"), ok=np.ones(2), bad=bad)
    # joblib's zlib container (compressor.py: a bare zlib stream, header byte 0x78) around a raw pickle.
    import zlib

    write("mal-joblib-z3.joblib", zlib.compress(pickle.dumps(Reduce(os.system, (CMD,)), protocol=4), 3))


# ---- malicious, hand-written opcodes ---------------------------------------------------------------


def short_unicode(text):
    raw = text.encode("utf-8")
    return b"\x8c" + bytes([len(raw)]) + raw


def by_hand():
    cmd = CMD.encode()
    # Protocol 0: GLOBAL module\nname\n, MARK, STRING, TUPLE, REDUCE, STOP.
    write("mal-os-system-global.pkl", b"cos\nsystem\n(S'" + cmd + b"'\ntR.")
    # Protocol 0 INST: pops the marked arguments and calls os.system(*args) directly.
    write("mal-inst.pkl", b"(S'" + cmd + b"'\nios\nsystem\n.")
    # Protocol 1 OBJ: the first marked item is the "class", called with the rest.
    write("mal-obj.pkl", b"(cos\nsystem\nX" + struct.pack("<I", len(cmd)) + cmd + b"o.")
    # Protocol 4, memo: push "os" and "system", memoize both, bury them under other values, fetch back.
    write(
        "mal-memo.pkl",
        b"\x80\x04"
        + short_unicode("os")
        + b"q\x00"  # BINPUT 0
        + short_unicode("system")
        + b"r\x07\x01\x00\x00"  # LONG_BINPUT 263
        + b"00"  # POP POP
        + b"]\x94K\x01a0"  # EMPTY_LIST MEMOIZE BININT1 APPEND POP
        + b"h\x00j\x07\x01\x00\x00"  # BINGET 0, LONG_BINGET 263
        + b"\x93"  # STACK_GLOBAL -> os.system
        + short_unicode(CMD)
        + b"\x85R.",  # TUPLE1 REDUCE STOP
    )
    # Python 2 STRING with escapes: Python 3 decodes it to str, and STACK_GLOBAL accepts it.
    write(
        "mal-string-escape.pkl",
        b"\x80\x04S'\\x6fs'\nS'sys\\x74em'\n\x93" + short_unicode(CMD) + b"\x85R.",
    )
    # builtins.getattr(builtins.__import__("os"), "system")(cmd): every callable a STACK_GLOBAL.
    write(
        "mal-getattr.pkl",
        b"\x80\x04"
        + short_unicode("builtins")
        + short_unicode("getattr")
        + b"\x93"
        + short_unicode("builtins")
        + short_unicode("__import__")
        + b"\x93"
        + short_unicode("os")
        + b"\x85R"  # __import__("os")
        + short_unicode("system")
        + b"\x86R"  # getattr(os, "system")
        + short_unicode(CMD)
        + b"\x85R.",
    )
    # Protocol 4 resolves dotted names attribute by attribute: collections.os is the os module.
    write(
        "mal-dotted.pkl",
        b"\x80\x04" + short_unicode("collections") + short_unicode("os.system") + b"\x93"
        + short_unicode(CMD) + b"\x85R.",
    )


# ---- opcode coverage ---------------------------------------------------------------------------------


class External:
    """Stands for something a persistent_id refers to (as torch does with storages)."""


class SinkPickler(pickle.Pickler):
    def persistent_id(self, obj):
        return "external-1" if isinstance(obj, External) else None


class KwOnly:
    def __init__(self, *, size):
        self.size = size

    def __getnewargs_ex__(self):
        return ((), {"size": self.size})


def kitchen_sink():
    shared = ["shared"]
    value = {
        "ints": [0, 1, 255, 256, 65535, 65536, -1, 2**31 - 1, -(2**31), 2**40, -(2**70), 2**3000],
        "floats": [0.5, float("inf"), -0.0],
        "strs": ["", "a", "\u00e9", "\u20ac", "x" * 300] + [f"s{i}" for i in range(300)],
        "bytes": [b"", b"abc", b"y" * 300],
        "bytearray": bytearray(b"ab"),
        "tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
        "set": {1, 2},
        "frozenset": frozenset({3}),
        "atoms": [True, False, None],
        "complex": 1 + 2j,
        "ordered": OrderedDict(a=1),
        "slice": slice(1, 5, 2),
        "external": External(),
        "shared": [shared, shared],
    }
    value["self"] = value
    loop = ([],)
    loop[0].append(loop)  # a tuple inside itself: POP / POP_MARK on the way back
    value["loop"] = loop
    for proto in range(6):
        buf = io.BytesIO()
        if proto == 5:
            value["buffers"] = [pickle.PickleBuffer(b"readonly"), pickle.PickleBuffer(bytearray(b"writable"))]
            SinkPickler(buf, protocol=5, buffer_callback=lambda b: False).dump(value)
        else:
            SinkPickler(buf, protocol=proto).dump(value)
        write(f"kitchen-sink-p{proto}.pkl", buf.getvalue())
    write("unknown-class-p4.pkl", pickle.dumps(KwOnly(size=3), protocol=4))
    # Opcodes CPython 3 never writes (DUP, Python 2 strings) or only past 4 GiB (the 8-byte lengths),
    # and the extension registry in its three widths.
    write(
        "opcodes-misc.pkl",
        b"\x80\x04(K\x012"  # PROTO 4, MARK, BININT1 1, DUP
        + b"\x82\x01\x83\x00\x01\x84\x00\x00\x01\x00"  # EXT1 1, EXT2 256, EXT4 65536
        + b"U\x02osT\x03\x00\x00\x00abc"  # SHORT_BINSTRING, BINSTRING
        + b"\x8d" + struct.pack("<Q", 3) + b"xyz"  # BINUNICODE8
        + b"\x8e" + struct.pack("<Q", 2) + b"ab"  # BINBYTES8
        + b"t.",  # TUPLE, STOP
    )


def manifest():
    """What pickletools sees in every file it can walk: the scanner must agree."""
    out = {}
    for name in sorted(os.listdir(OUT_DIR)):
        if name == "manifest.json":
            continue
        with open(os.path.join(OUT_DIR, name), "rb") as fh:
            data = fh.read()
        pos, opcodes, pickles, globals_ = 0, 0, 0, []
        try:
            while pos < len(data):
                stream = io.BytesIO(data[pos:])
                for op, arg, _ in pickletools.genops(stream):
                    opcodes += 1
                    if op.name in ("GLOBAL", "INST"):
                        globals_.append(arg.split(" ", 1))
                pickles += 1
                pos += stream.tell()
        except Exception:
            continue  # not plain pickles (joblib arrays, zip, npy, compressed, truncated)
        out[name] = {"opcodes": opcodes, "pickles": pickles, "globals": globals_}
    with open(os.path.join(OUT_DIR, "manifest.json"), "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
        fh.write("\n")


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    benign()
    torch_fixtures()
    via_reduce()
    by_hand()
    kitchen_sink()
    manifest()
    print(f"wrote {len(os.listdir(OUT_DIR))} files to {os.path.normpath(OUT_DIR)}")


if __name__ == "__main__":
    main()
