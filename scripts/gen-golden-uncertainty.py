#!/usr/bin/python3
"""Generate the golden fixtures of mlgate's uncertainty engine in test/golden/uncertainty/.

Run from the repository root with Debian's scikit-learn and SciPy (apt-get install python3-sklearn):

    /usr/bin/python3 scripts/gen-golden-uncertainty.py

Writes:
  breast_cancer_models.csv   label plus the positive-class probability of three real models trained on
                             scikit-learn's breast cancer data (logistic regression, a depth-2 decision
                             tree whose scores tie heavily, Gaussian naive Bayes), on the same test rows
  uncertainty.json           {delong: per model and per pair, mcnemar: model pairs and synthetic counts,
                              normal_quantiles: scipy.stats.norm.ppf values}

DeLong: the reference below is the fast algorithm of Sun & Xu 2014 ("Fast implementation of DeLong's
algorithm for comparing the areas under correlated receiver operating characteristic curves", IEEE Signal
Processing Letters 21(11):1389-1393) in NumPy, checked here against the O(m*n) definition of DeLong,
DeLong & Clarke-Pearson 1988. Intervals: estimate +- norm.ppf((1 + confidence) / 2) * sqrt(variance); the
single-AUC interval is clipped to [0, 1]. p = 2 * norm.sf(|z|).
McNemar: b = rows only the first model classifies correctly, c = rows only the second does; exact
binomial p = scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue when b + c < 25, otherwise the
continuity-corrected statistic (|b - c| - 1)^2 / (b + c) with p = scipy.stats.chi2.sf(statistic, 1)
(statsmodels' mcnemar(exact=..., correction=True)).

Deterministic: fixed random_state everywhere, datasets shipped with scikit-learn, no network.
"""

import json
import math
import os
import sys

import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "golden", "uncertainty")
RANDOM_STATE = 0
CONFIDENCE = 0.95


def midrank(x):
    """Sun & Xu 2014, Algorithm 1: midranks (1-based) of x, ties sharing the mean of their ranks."""
    order = np.argsort(x, kind="mergesort")
    z = x[order]
    n = len(x)
    t = np.zeros(n, dtype=float)
    i = 0
    while i < n:
        j = i
        while j < n and z[j] == z[i]:
            j += 1
        t[i:j] = 0.5 * (i + j - 1) + 1
        i = j
    out = np.empty(n, dtype=float)
    out[order] = t
    return out


def fast_delong(y, scores):
    """Sun & Xu 2014, Algorithm 2 for k score vectors of the same rows: AUCs and their covariance."""
    y = np.asarray(y, dtype=int)
    positives = np.flatnonzero(y == 1)
    negatives = np.flatnonzero(y == 0)
    m, n = len(positives), len(negatives)
    k = len(scores)
    v10 = np.empty((k, m))
    v01 = np.empty((k, n))
    aucs = np.empty(k)
    for r, s in enumerate(scores):
        s = np.asarray(s, dtype=float)
        x, yy = s[positives], s[negatives]
        tx, ty, tz = midrank(x), midrank(yy), midrank(np.concatenate([x, yy]))
        aucs[r] = tz[:m].sum() / m / n - (m + 1.0) / 2.0 / n
        v10[r] = (tz[:m] - tx) / n
        v01[r] = 1.0 - (tz[m:] - ty) / m
    s10 = np.atleast_2d(np.cov(v10))
    s01 = np.atleast_2d(np.cov(v01))
    return aucs, s10 / m + s01 / n, v10, v01


def slow_delong_components(y, s):
    """DeLong et al. 1988 by definition: psi(x, y) = 1 if x > y, 1/2 if equal, 0 otherwise."""
    y = np.asarray(y, dtype=int)
    x, yy = s[y == 1], s[y == 0]
    psi = (x[:, None] > yy[None, :]) + 0.5 * (x[:, None] == yy[None, :])
    return psi.mean(axis=1), psi.mean(axis=0)


def delong_single(y, s):
    aucs, cov, v10, v01 = fast_delong(y, [s])
    slow10, slow01 = slow_delong_components(y, np.asarray(s, dtype=float))
    assert np.allclose(v10[0], slow10, rtol=0, atol=1e-12) and np.allclose(v01[0], slow01, rtol=0, atol=1e-12)
    assert math.isclose(aucs[0], roc_auc_score(y, s), rel_tol=1e-12)
    variance = float(cov[0, 0])
    half = stats.norm.ppf((1 + CONFIDENCE) / 2) * math.sqrt(variance)
    auc = float(aucs[0])
    return {"auc": auc, "variance": variance, "ci": [max(0.0, auc - half), min(1.0, auc + half)]}


def delong_pair(y, first, second):
    aucs, cov, _, _ = fast_delong(y, [first, second])
    delta = float(aucs[0] - aucs[1])
    variance = float(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    sd = math.sqrt(variance)
    z = delta / sd
    half = stats.norm.ppf((1 + CONFIDENCE) / 2) * sd
    return {
        "auc": [float(aucs[0]), float(aucs[1])],
        "delta": delta,
        "variance": variance,
        "z": z,
        "p_value": float(2 * stats.norm.sf(abs(z))),
        "ci": [delta - half, delta + half],
    }


def mcnemar(b, c):
    n = b + c
    if n < 25:
        p = 1.0 if n == 0 else float(stats.binomtest(min(b, c), n, 0.5).pvalue)
        return {"b": b, "c": c, "method": "exact", "statistic": None, "p_value": p}
    statistic = (abs(b - c) - 1) ** 2 / n
    return {"b": b, "c": c, "method": "chi-square", "statistic": statistic, "p_value": float(stats.chi2.sf(statistic, 1))}


def discordant(y, first, second, threshold=0.5):
    right1 = (first >= threshold).astype(int) == y
    right2 = (second >= threshold).astype(int) == y
    return int(np.sum(right1 & ~right2)), int(np.sum(~right1 & right2))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=RANDOM_STATE, stratify=y)
    models = {
        "logreg": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=RANDOM_STATE)),
        "tree": DecisionTreeClassifier(max_depth=2, random_state=RANDOM_STATE),
        "nb": GaussianNB(),
    }
    scores = {name: model.fit(X_tr, y_tr).predict_proba(X_te)[:, 1] for name, model in models.items()}
    names = list(models)
    with open(os.path.join(OUT_DIR, "breast_cancer_models.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(["label"] + [f"score_{name}" for name in names]) + "\n")
        for i in range(len(y_te)):
            f.write(",".join([str(int(y_te[i]))] + [repr(float(scores[name][i])) for name in names]) + "\n")

    pairs = [("logreg", "tree"), ("logreg", "nb"), ("nb", "tree")]
    # A tiny hand-made case with ties across the classes.
    tiny_y = np.array([0, 0, 1, 1, 1, 0, 1])
    tiny_a = np.array([0.1, 0.4, 0.4, 0.8, 0.8, 0.8, 0.3])
    tiny_b = np.array([0.2, 0.2, 0.9, 0.5, 0.2, 0.6, 0.7])
    doc = {
        "sklearn_version": sklearn.__version__,
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "confidence": CONFIDENCE,
        "delong": {
            "models": {name: delong_single(y_te, scores[name]) for name in names},
            "pairs": [{"first": a, "second": b, **delong_pair(y_te, scores[a], scores[b])} for a, b in pairs],
            "tiny": {
                "y": tiny_y.tolist(),
                "first": tiny_a.tolist(),
                "second": tiny_b.tolist(),
                "single": delong_single(tiny_y, tiny_a),
                "pair": delong_pair(tiny_y, tiny_a, tiny_b),
            },
        },
        "mcnemar": {
            "pairs": [
                {"first": a, "second": b, **mcnemar(*discordant(y_te, scores[a], scores[b]))} for a, b in pairs
            ],
            "counts": [
                mcnemar(b, c)
                for b, c in [(0, 0), (1, 0), (0, 5), (3, 9), (12, 12), (10, 14), (20, 4), (13, 12), (12, 13),
                             (30, 45), (100, 130), (0, 30), (400, 330)]
            ],
        },
        "normal_quantiles": [
            {"p": p, "z": float(stats.norm.ppf(p))}
            for p in [0.5, 0.6, 0.9, 0.95, 0.975, 0.995, 0.9995, 0.02, 0.025, 1e-6, 0.999999, 1e-12]
        ],
    }
    with open(os.path.join(OUT_DIR, "uncertainty.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    for pair in doc["delong"]["pairs"]:
        print(f"delong {pair['first']} vs {pair['second']}: delta={pair['delta']:.4f} p={pair['p_value']:.3g}",
              file=sys.stderr)
    for pair in doc["mcnemar"]["pairs"]:
        print(f"mcnemar {pair['first']} vs {pair['second']}: b={pair['b']} c={pair['c']} p={pair['p_value']:.3g}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
