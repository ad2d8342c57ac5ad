#!/usr/bin/python3
"""Generate the golden drift fixtures in test/golden/drift/ from real SciPy.

Run from the repository root with Debian's SciPy/NumPy/scikit-learn (apt-get install python3-sklearn
python3-scipy), after `npm ci` (it reads node_modules/vega-datasets):

    /usr/bin/python3 scripts/gen-golden-drift.py

For every case it writes test/golden/drift/<case>.json:
  {case, source, scipy_version, numpy_version, columns: [{name, kind, exact, reference, current, expected}]}
where a numeric sample is {"values": [...]} or {"values": [...], "weights": [...]} (weights are
multiplicities; "weights_are_counts": true when they are integers, so the test can expand them) and a
categorical sample is {"counts": {"category": n}}. `expected` holds what src/core/drift.ts must return:
  auto          {method, statistic, p_value, drifted}        columnDrift(..., {method: "auto"})
  methods       {<method>: {statistic, p_value, drifted}}    columnDrift(..., {method}) for every method
                                                             that applies (ks/wasserstein: numeric only)
  ks_2samp      {auto|exact|asymp: {statistic, pvalue, mode}} scipy.stats.ks_2samp(ref, cur, method=...)
  wasserstein_distance                                      scipy.stats.wasserstein_distance (weighted)
  jensenshannon {p, q, distance}                            scipy.spatial.distance.jensenshannon(p, q)
It also writes test/golden/drift/special-functions.json: scipy.stats.kstwo.sf, scipy.special.smirnov,
chdtrc, ndtr and gammaln on a grid that reaches every branch SciPy's code takes.

How mlgate turns samples into the cells of chisquare / jensenshannon / psi / kl / hellinger (replicated
below with NumPy, the same rules as Evidently's `get_binned_data`):
  - categorical: one cell per category, categories in code-point order;
  - numeric with <= 20 distinct reference values: one cell per distinct value (reference + current);
  - numeric with > 20 distinct reference values: np.histogram over np.histogram_bin_edges(concat(ref, cur),
    "sturges"); with weights the Sturges size is the number of rows the weights represent;
  - shares = cell count / rows; psi and kl first replace empty cells by min(non-zero share)/1e6 when that
    share is <= 1e-4, else by 1e-4 (Evidently's `feel_zeroes`); jensenshannon and hellinger do not;
  - chisquare: expected = reference counts * (current rows / reference rows) (Evidently); cells empty on both
    sides are dropped; a cell with current > 0 and reference 0 gives statistic null, p 0, drifted;
  - z: values as categories, the first category (sorted) vs the rest, p = 2 * norm.sf(|z|).

Deterministic: datasets shipped with scikit-learn and vega-datasets, no randomness, no network.
"""

import csv
import json
import math
import os
import warnings

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance
from scipy.stats._stats_py import _attempt_exact_2kssamp
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT_DIR = os.path.join(ROOT, "test", "golden", "drift")
VEGA = os.path.join(ROOT, "node_modules", "vega-datasets", "data")

DEFAULT_THRESHOLDS = {
    "ks": 0.05, "chisquare": 0.05, "z": 0.05, "wasserstein": 0.1,
    "jensenshannon": 0.1, "psi": 0.1, "kl": 0.1, "hellinger": 0.1,
}
NUMERIC_METHODS = ["ks", "chisquare", "z", "wasserstein", "jensenshannon", "psi", "kl", "hellinger"]
CATEGORICAL_METHODS = ["chisquare", "z", "jensenshannon", "psi", "kl", "hellinger"]


# ----------------------------------------------------------------------------------------------
# Samples
# ----------------------------------------------------------------------------------------------

class Numeric:
    def __init__(self, values, weights=None):
        self.values = np.asarray(values, dtype=float)
        self.weights = None if weights is None else np.asarray(weights, dtype=float)
        assert np.all(np.isfinite(self.values))
        if self.weights is not None:
            assert np.all(self.weights > 0)

    @property
    def total(self):
        return float(self.values.size) if self.weights is None else float(np.sum(self.weights))

    def counts_are_integers(self):
        return self.weights is not None and bool(np.all(self.weights == np.round(self.weights)))

    def expanded(self):
        if self.weights is None:
            return self.values
        assert self.counts_are_integers()
        return np.repeat(self.values, self.weights.astype(int))

    def to_json(self):
        out = {"values": [float(v) for v in self.values]}
        if self.weights is not None:
            out["weights"] = [float(w) for w in self.weights]
            out["weights_are_counts"] = self.counts_are_integers()
        return out


class Categorical:
    def __init__(self, labels=None, counts=None):
        if counts is None:
            keys, n = np.unique(np.asarray(labels, dtype=str), return_counts=True)
            counts = {str(k): int(c) for k, c in zip(keys, n)}
        self.counts = dict(counts)

    @property
    def total(self):
        return float(sum(self.counts.values()))

    def to_json(self):
        return {"counts": self.counts}


def value_counts(values):
    keys, n = np.unique(np.asarray(values, dtype=float), return_counts=True)
    return Numeric(keys, n.astype(float))


# ----------------------------------------------------------------------------------------------
# Cells (mlgate's binning, replicated)
# ----------------------------------------------------------------------------------------------

def sturges_edges(lo, hi, size):
    first, last = lo, hi
    if first == last:
        first, last = first - 0.5, last + 0.5
    width = (hi - lo) / (np.log2(size) + 1.0)
    bins = int(np.ceil((last - first) / width)) if width else 1
    return np.linspace(first, last, bins + 1)


def numeric_value_cells(ref, cur):
    keys = np.unique(np.concatenate([ref.values, cur.values]))

    def count(s):
        w = np.ones(s.values.size) if s.weights is None else s.weights
        out = np.zeros(keys.size)
        np.add.at(out, np.searchsorted(keys, s.values), w)
        return out

    return [repr(float(k)) for k in keys], count(ref), count(cur), False


def numeric_cells(ref, cur):
    if np.unique(ref.values).size <= 20:
        return numeric_value_cells(ref, cur)
    both = np.concatenate([ref.values, cur.values])
    edges = sturges_edges(both.min(), both.max(), ref.total + cur.total)
    if ref.weights is None and cur.weights is None:
        assert np.array_equal(edges, np.histogram_bin_edges(both, bins="sturges"))
    else:
        expanded = np.concatenate([ref.expanded(), cur.expanded()]) if (
            ref.counts_are_integers() and cur.counts_are_integers()) else None
        if expanded is not None:
            assert np.array_equal(edges, np.histogram_bin_edges(expanded, bins="sturges"))
    rc = np.histogram(ref.values, edges, weights=ref.weights)[0].astype(float)
    cc = np.histogram(cur.values, edges, weights=cur.weights)[0].astype(float)
    return [f"bin{i}" for i in range(rc.size)], rc, cc, True


def categorical_cells(ref, cur):
    keys = sorted(set(ref.counts) | set(cur.counts))  # Python str order = code-point order
    rc = np.array([ref.counts.get(k, 0) for k in keys], dtype=float)
    cc = np.array([cur.counts.get(k, 0) for k in keys], dtype=float)
    return keys, rc, cc, False


def cells_for(ref, cur):
    return numeric_cells(ref, cur) if isinstance(ref, Numeric) else categorical_cells(ref, cur)


def fill_zeros(shares):
    nz = shares[shares != 0]
    fill = nz.min() / 10**6 if nz.min() <= 0.0001 else 0.0001
    out = shares.copy()
    np.place(out, out == 0, fill)
    return out


# ----------------------------------------------------------------------------------------------
# Methods
# ----------------------------------------------------------------------------------------------

def weighted_ks_statistic(ref, cur):
    """Two-sided KS statistic between weighted ECDFs (equals ks_2samp's on expanded integer weights)."""
    allv = np.concatenate([ref.values, cur.values])

    def ecdf(s):
        order = np.argsort(s.values, kind="mergesort")
        v = s.values[order]
        w = np.ones(v.size) if s.weights is None else s.weights[order]
        cw = np.concatenate([[0.0], np.cumsum(w)])
        return cw[np.searchsorted(v, allv, side="right")] / cw[-1]

    diffs = ecdf(ref) - ecdf(cur)
    min_s = np.clip(-diffs.min(), 0, 1)
    max_s = diffs.max()
    return float(min_s if min_s > max_s else max_s)


def scipy_ks_p_value(d, n1, n2, mode):
    """SciPy 1.10's own mode choice and p-value functions, applied to a given statistic."""
    g = math.gcd(n1, n2)
    if mode == "auto":
        mode = "exact" if max(n1, n2) <= 10000 else "asymp"
    elif mode == "exact" and (n1 // g) >= np.iinfo(np.int32).max / (n2 // g):
        mode = "asymp"
    if mode == "exact":
        ok, d, prob = _attempt_exact_2kssamp(n1, n2, g, d, "two-sided")
        if not ok:
            mode = "asymp"
    if mode == "asymp":
        m, n = sorted([float(n1), float(n2)], reverse=True)
        prob = stats.kstwo.sf(d, np.round(m * n / (m + n)))
    return {"statistic": float(d), "pvalue": float(np.clip(prob, 0, 1)), "mode": mode}


def ks_modes(ref, cur):
    out = {}
    if ref.weights is None or ref.counts_are_integers():
        if cur.weights is None or cur.counts_are_integers():
            a, b = ref.expanded(), cur.expanded()
            for mode in ["auto", "exact", "asymp"]:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    res = stats.ks_2samp(a, b, method=mode)
                fell_back = any("Switching to" in str(w.message) for w in caught)
                if mode == "auto":
                    used = "exact" if max(a.size, b.size) <= 10000 else "asymp"
                else:
                    used = "asymp" if (mode == "asymp" or fell_back) else "exact"
                out[mode] = {"statistic": float(res.statistic), "pvalue": float(res.pvalue), "mode": used}
                assert out[mode] == scipy_ks_p_value(weighted_ks_statistic(ref, cur), a.size, b.size, mode) or \
                    abs(out[mode]["pvalue"] - scipy_ks_p_value(
                        weighted_ks_statistic(ref, cur), a.size, b.size, mode)["pvalue"]) <= 1e-15
            return out, True
    d = weighted_ks_statistic(ref, cur)
    n1 = max(1, int(round(ref.total)))
    n2 = max(1, int(round(cur.total)))
    return {mode: scipy_ks_p_value(d, n1, n2, mode) for mode in ["auto", "exact", "asymp"]}, False


def std_of(s):
    if s.weights is None:
        return float(np.std(s.values))
    mean = np.average(s.values, weights=s.weights)
    return float(np.sqrt(np.average((s.values - mean) ** 2, weights=s.weights)))


def run_method(method, ref, cur):
    """(statistic, p_value, forced_drifted) for one method, following mlgate's definitions."""
    if method == "ks":
        modes, _ = ks_modes(ref, cur)
        return modes["auto"]["statistic"], modes["auto"]["pvalue"], None
    if method == "wasserstein":
        w = stats.wasserstein_distance(ref.values, cur.values, ref.weights, cur.weights)
        return float(w / max(std_of(ref), 0.001)), None, None
    if method == "z":
        if isinstance(ref, Numeric):
            _, rc, cc, _ = numeric_value_cells(ref, cur)
        else:
            _, rc, cc, _ = categorical_cells(ref, cur)
        if np.count_nonzero((rc > 0) | (cc > 0)) < 2:
            return 0.0, 1.0, None
        n1, n2 = ref.total, cur.total
        p1 = (n1 - rc[0]) / n1
        p2 = (n2 - cc[0]) / n2
        pooled = float(p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
        return float(z), float(2 * stats.norm.sf(abs(z))), None
    labels, rc, cc, _ = cells_for(ref, cur)
    r = rc / ref.total
    c = cc / cur.total
    if method == "chisquare":
        if np.any((rc == 0) & (cc > 0)):
            return None, 0.0, True
        keep = (rc > 0) | (cc > 0)
        k_norm = cur.total / ref.total
        res = stats.chisquare(cc[keep], rc[keep] * k_norm)
        p = float(res.pvalue) if np.count_nonzero(keep) > 1 else 1.0
        return float(res.statistic), p, None
    if method == "jensenshannon":
        return float(distance.jensenshannon(r, c)), None, None
    if method == "psi":
        rf, cf = fill_zeros(r), fill_zeros(c)
        psi = 0.0
        for i in range(rf.size):
            psi += (rf[i] - cf[i]) * np.log(rf[i] / cf[i])
        return float(psi), None, None
    if method == "kl":
        return float(stats.entropy(fill_zeros(r), fill_zeros(c))), None, None
    if method == "hellinger":
        bc = 0.0
        for i in range(r.size):
            bc += math.sqrt(r[i] * c[i])
        return float(math.sqrt(1 - min(max(bc, 0.0), 1.0))), None, None
    raise ValueError(method)


def drifted(method, statistic, p_value, forced, threshold):
    if forced is not None:
        return forced
    if method == "ks":
        return p_value is not None and p_value <= threshold
    if method in ("chisquare", "z"):
        return p_value is not None and p_value < threshold
    return statistic is not None and statistic >= threshold


def auto_method(ref, cur):
    if isinstance(ref, Numeric):
        unique = np.unique(np.concatenate([ref.values, cur.values])).size
    else:
        unique = len(set(ref.counts) | set(cur.counts))
    numeric = isinstance(ref, Numeric)
    if ref.total <= 1000:
        if numeric and unique > 5:
            return "ks"
        return "chisquare" if unique > 2 else "z"
    return "wasserstein" if numeric and unique > 5 else "jensenshannon"


def column(name, ref, cur, exact=True):
    numeric = isinstance(ref, Numeric)
    methods = {}
    for method in NUMERIC_METHODS if numeric else CATEGORICAL_METHODS:
        s, p, forced = run_method(method, ref, cur)
        methods[method] = {"statistic": s, "p_value": p,
                           "drifted": drifted(method, s, p, forced, DEFAULT_THRESHOLDS[method])}
    chosen = auto_method(ref, cur)
    expected = {"auto": {"method": chosen, **methods[chosen]}, "methods": methods}
    if numeric:
        modes, _ = ks_modes(ref, cur)
        expected["ks_2samp"] = modes
        expected["wasserstein_distance"] = float(
            stats.wasserstein_distance(ref.values, cur.values, ref.weights, cur.weights))
    _, rc, cc, _ = cells_for(ref, cur)
    p, q = rc / ref.total, cc / cur.total
    expected["jensenshannon"] = {"p": [float(v) for v in p], "q": [float(v) for v in q],
                                 "distance": float(distance.jensenshannon(p, q))}
    return {"name": name, "kind": "numeric" if numeric else "categorical", "exact": exact,
            "reference": ref.to_json(), "current": cur.to_json(), "expected": expected}


def write_case(case, source, columns):
    doc = {"case": case, "source": source, "scipy_version": scipy.__version__,
           "numpy_version": np.__version__, "columns": columns}
    path = os.path.join(OUT_DIR, f"{case}.json")
    with open(path, "w") as f:
        json.dump(doc, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {os.path.getsize(path)} bytes, {len(columns)} columns")


# ----------------------------------------------------------------------------------------------
# Cases
# ----------------------------------------------------------------------------------------------

def frame_columns(data, names, ref_mask, cur_mask, wanted):
    idx = [list(names).index(n) for n in wanted]
    return [column(n, Numeric(data[ref_mask, j]), Numeric(data[cur_mask, j])) for n, j in zip(wanted, idx)]


def seattle():
    with open(os.path.join(VEGA, "seattle-weather.csv")) as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["year"] = r["date"][:4]
    return rows


def seattle_numeric(rows, years, field):
    return Numeric([float(r[field]) for r in rows if r["year"] in years])


def seattle_weather(rows, years):
    return Categorical([r["weather"] for r in rows if r["year"] in years])


def main():
    os.makedirs(OUT_DIR, exist_ok=True)

    bc = load_breast_cancer()
    write_case("breast_cancer_by_target", "sklearn breast_cancer: reference benign (357), current malignant (212)",
               frame_columns(bc.data, bc.feature_names, bc.target == 1, bc.target == 0,
                             ["mean radius", "mean texture", "mean smoothness", "worst concavity"]))

    wine = load_wine()
    write_case("wine_class0_vs_class1", "sklearn wine: reference class 0 (59), current class 1 (71)",
               frame_columns(wine.data, wine.feature_names, wine.target == 0, wine.target == 1,
                             ["alcohol", "magnesium", "proline", "hue"]))

    diabetes = load_diabetes(scaled=False)
    sex = diabetes.data[:, 1]
    write_case("diabetes_by_sex", "sklearn diabetes (unscaled): reference sex=1 (235), current sex=2 (207)",
               frame_columns(diabetes.data, diabetes.feature_names, sex == 1, sex == 2,
                             ["age", "bmi", "bp", "s4", "s5"]))
    age = diabetes.data[:, 0]
    young = age < np.median(age)
    write_case("diabetes_sex_by_age", "sklearn diabetes (unscaled): column sex, reference age < median, "
               "current age >= median (two values: z-test)",
               frame_columns(diabetes.data, diabetes.feature_names, young, ~young, ["sex"]))

    iris = load_iris()
    write_case("iris_setosa_vs_versicolor", "sklearn iris: reference setosa (50), current versicolor (50)",
               frame_columns(iris.data, iris.feature_names, iris.target == 0, iris.target == 1,
                             list(iris.feature_names)))
    species = np.array(iris.target_names)[iris.target]
    write_case("iris_species_shift", "sklearn iris species: reference rows 0-99 (setosa, versicolor), "
               "current rows 50-149 (versicolor, virginica): a category only in the current data",
               [column("species", Categorical(species[:100]), Categorical(species[50:]))])

    rows = seattle()
    write_case("seattle_2012_vs_2015", "vega-datasets seattle-weather.csv: reference 2012 (366 days), "
               "current 2015 (365 days)",
               [column(f, seattle_numeric(rows, {"2012"}, f), seattle_numeric(rows, {"2015"}, f))
                for f in ["precipitation", "temp_max", "temp_min", "wind"]]
               + [column("weather", seattle_weather(rows, {"2012"}), seattle_weather(rows, {"2015"}))])
    write_case("seattle_2014_vs_2015_weather", "vega-datasets seattle-weather.csv weather: reference 2014, "
               "current 2015 (drizzle only in the current data)",
               [column("weather", seattle_weather(rows, {"2014"}), seattle_weather(rows, {"2015"}))])
    old = {"2012", "2013", "2014"}
    write_case("seattle_2012_2014_vs_2015", "vega-datasets seattle-weather.csv: reference 2012-2014 (1096 days, "
               "> 1000 rows: Wasserstein / Jensen-Shannon), current 2015",
               [column(f, seattle_numeric(rows, old, f), seattle_numeric(rows, {"2015"}, f))
                for f in ["precipitation", "temp_max", "temp_min", "wind"]]
               + [column("weather", seattle_weather(rows, old), seattle_weather(rows, {"2015"}))])

    def wind_weighted(years):
        sel = [r for r in rows if r["year"] in years]
        return Numeric([float(r["temp_max"]) for r in sel], [float(r["wind"]) for r in sel])
    write_case("seattle_temp_max_wind_weighted", "vega-datasets seattle-weather.csv temp_max weighted by wind "
               "(fractional weights, exact=false): reference 2012, current 2015",
               [column("temp_max", wind_weighted({"2012"}), wind_weighted({"2015"}), exact=False)])

    digits = load_digits()
    pixels = digits.data
    even = np.arange(pixels.shape[0]) % 2 == 0
    write_case("digits_pixels_even_vs_odd", "sklearn digits: all 64 pixel values of even-indexed images "
               "(57536) vs odd-indexed images (57472), stored as value counts (> 10000: asymptotic KS)",
               [column("pixel", value_counts(pixels[even].ravel()), value_counts(pixels[~even].ravel()))])
    low = digits.target < 5
    write_case("digits_pixels_by_target", "sklearn digits: pixels 0 (constant 0), 8 (3 values), 40 (5 values); "
               "reference digits 0-4, current digits 5-9",
               [column(f"pixel_{j}", Numeric(pixels[low, j]), Numeric(pixels[~low, j])) for j in [0, 8, 40]])

    with open(os.path.join(VEGA, "flights-20k.json")) as f:
        flights = json.load(f)
    first, rest = flights[:12000], flights[12000:]
    write_case("flights_first12000_vs_last8000", "vega-datasets flights-20k.json: reference the first 12000 "
               "flights, current the last 8000; numeric columns stored as value counts",
               [column(f, value_counts([r[f] for r in first]), value_counts([r[f] for r in rest]))
                for f in ["delay", "distance"]]
               + [column("origin", Categorical([r["origin"] for r in first]),
                         Categorical([r["origin"] for r in rest]))])
    write_case("flights_delay_small_current", "vega-datasets flights-20k.json delay: reference the first 12000 "
               "flights (as value counts), current 60 flights from the rest (asymptotic KS with n = 60)",
               [column("delay", value_counts([r["delay"] for r in first]),
                       Numeric([r["delay"] for r in rest[::133][:60]]))])

    write_case("constant_columns", "synthetic edge cases: identical constants, different constants, "
               "one category on both sides",
               [column("same_constant", Numeric([3.5] * 40), Numeric([3.5] * 30)),
                column("different_constants", Numeric([1.0] * 40), Numeric([2.0] * 30)),
                column("one_category", Categorical(counts={"a": 40}), Categorical(counts={"a": 30}))])

    write_special_functions()


def write_special_functions():
    kstwo = []
    ns = [1, 2, 3, 5, 10, 17, 50, 140, 141, 500, 2500, 10000, 100000, 100001, 250000, 1000000, 2000000]
    base_x = np.linspace(0.001, 0.95, 20)
    for n in ns:
        special_x = [0.5 / n, 0.75 / n, 1.0 / n, 1.5 / n, (n - 1) / n, (n - 0.5) / n]
        regimes = np.sqrt(np.array([0.3, 0.754, 0.76, 1.0, 2.0, 2.19, 2.21, 3.9, 4.1, 10, 19, 100, 369, 371]) / n)
        for x in np.concatenate([base_x, special_x, regimes]):
            x = float(x)
            if 0 < x < 1:
                kstwo.append([n, x, float(stats.kstwo.sf(x, n)), float(special.smirnov(n, x))])
    chdtrc = []
    for df in [1, 2, 3, 4, 7, 10, 50, 333, 10000]:
        for x in [0.001, 0.1, 1, 2, df * 0.5, df * 0.9, df, df * 1.1, df * 2, df * 5, df + 50, df + 200, 5000]:
            chdtrc.append([df, float(x), float(special.chdtrc(df, x))])
    ndtr = [[float(x), float(special.ndtr(x))] for x in np.linspace(-38, 38, 153)]
    gammaln = [[x, float(special.gammaln(x))]
               for x in [1e-10, 1e-3, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 7.5, 14.9, 15, 20, 100, 1e5, 1e7]]
    doc = {"scipy_version": scipy.__version__, "kstwo_sf_and_smirnov": kstwo, "chdtrc": chdtrc,
           "ndtr": ndtr, "gammaln": gammaln}
    path = os.path.join(OUT_DIR, "special-functions.json")
    with open(path, "w") as f:
        json.dump(doc, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
