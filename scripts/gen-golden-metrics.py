#!/usr/bin/python3
"""Generate the golden metric fixtures in test/golden/metrics/ from real scikit-learn.

Run from the repository root with Debian's scikit-learn (apt-get install python3-sklearn):

    /usr/bin/python3 scripts/gen-golden-metrics.py

For every case it writes:
  test/golden/metrics/<case>.csv   label plus score | proba_<class>... | prediction, floats via repr()
  test/golden/metrics/<case>.json  {case, task, options, sklearn_version, numpy_version, metrics,
                                    sklearn_warnings, deviations, details, weighted}

`metrics` holds what `mlgate evaluate` must report. It is scikit-learn's value, or null where
scikit-learn raises or returns NaN. `deviations` lists the few places where mlgate's documented
convention (PRODUCT.md 3.2: an undefined metric is null, never a made-up number) replaces the number
scikit-learn returns with a warning; the number scikit-learn returned is kept there for reference.
`sklearn_warnings` maps a metric to the warnings scikit-learn emitted for it: mlgate must add a note
naming that metric.

`details` (classification) holds confusion_matrix(labels=classes), precision_recall_fscore_support(
labels=classes, average=None) and the reliability bins of calibration_curve(n_bins=10, strategy="uniform")
with their counts and the expected calibration error (ECE = sum count/n * |fraction_positive -
mean_predicted| over the non-empty bins, computed here with NumPy). Binary: of the score; multiclass:
top-label (confidence = max probability, correct = argmax == label).

`weighted` holds integer row weights (0-3) and the metrics of the rows repeated that many times
(np.repeat), which is what mlgate's weighted evaluation (the bootstrap's) means. `sample_weight_metrics`
are scikit-learn's own `sample_weight=` results for the metrics where they equal the repeated rows (all but
median_ae, whose weighted percentile is not the median of the repeated rows, and max_error, which takes no
weights); the script asserts that equality.

Deterministic: fixed random_state everywhere, datasets shipped with scikit-learn, no network.
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    log_loss,
    matthews_corrcoef,
    max_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    median_absolute_error,
    precision_recall_fscore_support,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, label_binarize

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "golden", "metrics")
RANDOM_STATE = 0


def call(fn):
    """Run one sklearn metric: (value or None when it raises / returns NaN, warning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = float(fn())
        except ValueError as exc:
            return None, [f"raised ValueError: {exc}"]
    messages = [
        str(w.message) for w in caught if not issubclass(w.category, (DeprecationWarning, FutureWarning))
    ]
    if math.isnan(value):
        return None, messages + ["returned NaN"]
    return value, messages


def evaluate(calls):
    metrics, sk_warnings = {}, {}
    for name, fn in calls.items():
        value, messages = call(fn)
        metrics[name] = value
        if messages:
            sk_warnings[name] = messages
    return metrics, sk_warnings


def binary_metrics(y, score, pred, w=None):
    """y, pred in {0, 1}; score = probability of class 1; w = sample_weight."""
    metrics, sk_warnings = evaluate(
        {
            "accuracy": lambda: accuracy_score(y, pred, sample_weight=w),
            "balanced_accuracy": lambda: balanced_accuracy_score(y, pred, sample_weight=w),
            "precision": lambda: precision_score(y, pred, sample_weight=w),
            "recall": lambda: recall_score(y, pred, sample_weight=w),
            "f1": lambda: f1_score(y, pred, sample_weight=w),
            "roc_auc": lambda: roc_auc_score(y, score, sample_weight=w),
            "average_precision": lambda: average_precision_score(y, score, sample_weight=w),
            # labels=[0, 1]: the binary task knows both classes, so a one-class slice still has a log loss.
            "log_loss": lambda: log_loss(y, score, labels=[0, 1], sample_weight=w),
            "brier": lambda: brier_score_loss(y, score, sample_weight=w),
            "mcc": lambda: matthews_corrcoef(y, pred, sample_weight=w),
        }
    )
    deviations = {}
    if len(np.unique(y)) < 2 and metrics["average_precision"] is not None:
        # sklearn 1.2 sets recall to 1 (no positives) and returns a number with a warning;
        # mlgate reports the metric as undefined, like roc_auc.
        deviations["average_precision"] = {
            "sklearn": metrics["average_precision"],
            "mlgate": None,
            "why": "only one class present in y_true: average precision is undefined",
        }
        metrics["average_precision"] = None
    return metrics, sk_warnings, deviations


def multiclass_metrics(y, proba, pred, classes, w=None):
    """y, pred: class labels; proba: (n, k) with columns in `classes` order (sorted); w = sample_weight."""
    k = len(classes)
    y_bin = label_binarize(y, classes=classes)
    metrics, sk_warnings = evaluate(
        {
            "accuracy": lambda: accuracy_score(y, pred, sample_weight=w),
            "balanced_accuracy": lambda: balanced_accuracy_score(y, pred, sample_weight=w),
            "precision": lambda: precision_score(y, pred, average="macro", sample_weight=w),
            "recall": lambda: recall_score(y, pred, average="macro", sample_weight=w),
            "f1": lambda: f1_score(y, pred, average="macro", sample_weight=w),
            "precision_macro": lambda: precision_score(y, pred, average="macro", sample_weight=w),
            "recall_macro": lambda: recall_score(y, pred, average="macro", sample_weight=w),
            "f1_macro": lambda: f1_score(y, pred, average="macro", sample_weight=w),
            "f1_weighted": lambda: f1_score(y, pred, average="weighted", sample_weight=w),
            "f1_micro": lambda: f1_score(y, pred, average="micro", sample_weight=w),
            "roc_auc": lambda: roc_auc_score(y, proba, multi_class="ovr", average="macro", sample_weight=w),
            "average_precision": lambda: average_precision_score(y_bin, proba, average="macro", sample_weight=w),
            "log_loss": lambda: log_loss(y, proba, labels=classes, sample_weight=w),
            "mcc": lambda: matthews_corrcoef(y, pred, sample_weight=w),
        }
    )
    assert k >= 3, "the golden multiclass cases use >= 3 classes (label_binarize is one column for 2)"
    deviations = {}
    absent = [c for c in classes if c not in set(y)]
    if absent and metrics["average_precision"] is not None:
        deviations["average_precision"] = {
            "sklearn": metrics["average_precision"],
            "mlgate": None,
            "why": f"classes {absent} have no rows in y_true: their one-vs-rest average precision is undefined",
        }
        metrics["average_precision"] = None
    return metrics, sk_warnings, deviations


def regression_metrics(y, pred, w=None):
    calls = {
        "mae": lambda: mean_absolute_error(y, pred, sample_weight=w),
        "mse": lambda: mean_squared_error(y, pred, sample_weight=w),
        "rmse": lambda: np.sqrt(mean_squared_error(y, pred, sample_weight=w)),
        "r2": lambda: r2_score(y, pred, sample_weight=w),
        "mape": lambda: mean_absolute_percentage_error(y, pred, sample_weight=w),
        "max_error": lambda: max_error(y, pred),
        "median_ae": lambda: median_absolute_error(y, pred),
    }
    if w is not None:
        # No sample_weight equivalent of the repeated rows' max and median (see the module docstring).
        del calls["max_error"], calls["median_ae"]
        if len(y) < 2:
            # sklearn counts rows, not weights: r2 of one row is NaN, of that row repeated it is defined.
            del calls["r2"]
    metrics, sk_warnings = evaluate(calls)
    return metrics, sk_warnings, {}


def calibration_details(correct, confidence):
    """Reliability bins and ECE exactly as calibration_curve(n_bins=10, strategy="uniform") bins them."""
    correct = np.asarray(correct, dtype=int)
    confidence = np.asarray(confidence, dtype=float)
    if len(confidence) == 0 or confidence.min() < 0 or confidence.max() > 1:
        return None
    prob_true, prob_pred = calibration_curve(correct, confidence, n_bins=10, strategy="uniform")
    edges = np.linspace(0.0, 1.0, 11)
    binids = np.searchsorted(edges[1:-1], confidence)  # the assignment calibration_curve makes
    counts = np.bincount(binids, minlength=10)
    nonzero = np.flatnonzero(counts)
    assert len(nonzero) == len(prob_true)
    ece = np.sum(counts[nonzero] / len(confidence) * np.abs(prob_true - prob_pred))
    bins = [
        {
            "lo": float(edges[b]),
            "hi": float(edges[b + 1]),
            "count": int(counts[b]),
            "mean_predicted": float(prob_pred[j]),
            "fraction_positive": float(prob_true[j]),
        }
        for j, b in enumerate(nonzero)
    ]
    return {"ece": float(ece), "bins": bins}


def class_details(y, pred, labels):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-division warnings: mlgate notes them, values are 0.0
        precision, recall, f1, support = precision_recall_fscore_support(y, pred, labels=labels, average=None)
    return {
        "confusion_matrix": confusion_matrix(y, pred, labels=labels).tolist(),
        "per_class": [
            {
                "class": str(c),
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, c in enumerate(labels)
        ],
    }


def case_weights(name, n):
    """Integer weights 0-3, seeded by the case name; at least one row keeps a positive weight."""
    rng = np.random.default_rng([ord(ch) for ch in name])
    w = rng.integers(0, 4, size=n)
    if w.sum() == 0:
        w[0] = 2
    return w


def weighted_case(name, n, metrics_of):
    """metrics_of(rows, w): metrics of the rows (index array) with sample_weight w (None = unweighted)."""
    w = case_weights(name, n)
    repeated = np.repeat(np.arange(n), w)
    metrics, _, _ = metrics_of(repeated, None)
    doc = {"weights": [int(v) for v in w], "metrics": metrics, "sample_weight_metrics": {}}
    # scikit-learn keeps zero-weight rows in its label sets (unique_labels), so its sample_weight is
    # compared on the rows with a positive weight.
    positive = w > 0
    sw_metrics, _, _ = metrics_of(np.flatnonzero(positive), w[positive])
    for metric, value in sw_metrics.items():
        expected = metrics[metric]
        if value is None or expected is None:
            assert value is None and expected is None, (name, metric, value, expected)
        else:
            assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12), (name, metric, value, expected)
        doc["sample_weight_metrics"][metric] = value
    return doc


def fmt(value):
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def write_case(name, task, options, header, rows, result, details=None, weighted=None):
    metrics, sk_warnings, deviations = result
    with open(os.path.join(OUT_DIR, f"{name}.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(fmt(v) for v in row) + "\n")
    doc = {
        "case": name,
        "task": task,
        "options": options,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "n": len(rows),
        "metrics": metrics,
        "sklearn_warnings": sk_warnings,
        "deviations": deviations,
        "details": details,
        "weighted": weighted,
    }
    with open(os.path.join(OUT_DIR, f"{name}.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, indent=2, sort_keys=False)
        f.write("\n")
    print(f"{name}: n={len(rows)}", file=sys.stderr)


def binary_case(name, y, score, threshold=0.5, extra_options=None):
    y = np.asarray(y, dtype=int)
    score = np.asarray(score, dtype=float)
    pred = (score >= threshold).astype(int)
    options = {"threshold": threshold, **(extra_options or {})}
    rows = [(int(a), float(b)) for a, b in zip(y, score)]
    labels = sorted(set(int(v) for v in y) | {1})  # mlgate's classes: the labels present plus the positive
    details = {**class_details(y, pred, labels), "calibration": calibration_details(y, score)}
    weighted = weighted_case(name, len(y), lambda r, w: binary_metrics(y[r], score[r], pred[r], w))
    write_case(
        name, "binary", options, ["label", "score"], rows, binary_metrics(y, score, pred), details, weighted
    )


def multiclass_case(name, y, proba, classes):
    y = np.asarray(y)
    proba = np.asarray(proba, dtype=float)
    pred = np.asarray(classes)[np.argmax(proba, axis=1)]  # argmax: ties go to the first (sorted) class
    header = ["label"] + [f"proba_{c}" for c in classes]
    rows = [(str(y[i]), *(float(p) for p in proba[i])) for i in range(len(y))]
    correct = (pred == y).astype(int)
    details = {**class_details(y, pred, list(classes)), "calibration": calibration_details(correct, proba.max(axis=1))}
    weighted = weighted_case(
        name, len(y), lambda r, w: multiclass_metrics(y[r], proba[r], pred[r], list(classes), w)
    )
    result = multiclass_metrics(y, proba, pred, list(classes))
    write_case(name, "multiclass", {}, header, rows, result, details, weighted)


def regression_case(name, y, pred):
    y = np.asarray(y, dtype=float)
    pred = np.asarray(pred, dtype=float)
    rows = [(float(a), float(b)) for a, b in zip(y, pred)]
    weighted = weighted_case(name, len(y), lambda r, w: regression_metrics(y[r], pred[r], w))
    write_case(name, "regression", {}, ["label", "prediction"], rows, regression_metrics(y, pred), None, weighted)


def binary_cases():
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=RANDOM_STATE, stratify=y)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=RANDOM_STATE))
    model.fit(X_tr, y_tr)
    score = model.predict_proba(X_te)[:, 1]

    binary_case("binary_breast_cancer_logreg", y_te, score)
    # Heavily tied scores: ROC AUC must be the trapezoid over distinct thresholds, AP groups ties.
    binary_case("binary_tied_scores", y_te, np.round(score, 1))
    binary_case("binary_threshold_0_3", y_te, score, threshold=0.3)
    # A slice holding only the positive class: roc_auc undefined (sklearn raises).
    positives = y_te == 1
    binary_case("binary_single_class", y_te[positives][:40], score[positives][:40])
    binary_case("binary_one_row", y_te[:1], score[:1])
    # Rows the model scores below 0.5 (positives among them): nothing predicted positive,
    # so precision is 0/0 -> 0.0 with a warning (sklearn's default zero_division).
    low = score < 0.5
    assert y_te[low].sum() > 0, "the zero-division slice needs at least one positive"
    binary_case("binary_zero_division", y_te[low], score[low])


def multiclass_cases():
    X, y = load_wine(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.4, random_state=RANDOM_STATE, stratify=y)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=RANDOM_STATE))
    model.fit(X_tr, y_tr)
    proba = model.predict_proba(X_te)
    classes = [int(c) for c in model.classes_]
    multiclass_case("multiclass_wine_logreg", y_te, proba, classes)
    # A slice without class 2: roc_auc raises in sklearn (classes in y_true != columns).
    keep = y_te != 2
    multiclass_case("multiclass_wine_missing_class", y_te[keep], proba[keep], classes)

    iris = load_iris()
    names = iris.target_names[iris.target]  # string labels: setosa, versicolor, virginica
    X_tr, X_te, y_tr, y_te = train_test_split(
        iris.data, names, test_size=0.5, random_state=RANDOM_STATE, stratify=names
    )
    # 4 neighbours: probabilities are multiples of 0.25, so scores tie and argmax ties (2 vs 2) occur.
    knn = KNeighborsClassifier(n_neighbors=4).fit(X_tr[:, :2], y_tr)
    proba = knn.predict_proba(X_te[:, :2])
    classes = [str(c) for c in knn.classes_]
    assert classes == sorted(classes)
    multiclass_case("multiclass_iris_knn_ties", y_te, proba, classes)


def regression_cases():
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=RANDOM_STATE)
    pred = LinearRegression().fit(X_tr, y_tr).predict(X_te)
    regression_case("regression_diabetes_linear", y_te, pred)
    regression_case("regression_one_row", y_te[:1], pred[:1])
    # Constant label: r2's denominator is 0; sklearn (force_finite=True) returns 0.0 (1.0 if perfect).
    regression_case("regression_constant_label", np.full(12, 150.0), pred[:12])
    # Zeros in the label: mape divides by machine epsilon, as sklearn does.
    y_zero = y_te[:20].copy()
    y_zero[::5] = 0.0
    regression_case("regression_zero_labels", y_zero, pred[:20])


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    binary_cases()
    multiclass_cases()
    regression_cases()


if __name__ == "__main__":
    main()
