#!/usr/bin/python3
"""Generate the golden metric fixtures in test/golden/metrics/ from real scikit-learn.

Run from the repository root with Debian's scikit-learn (apt-get install python3-sklearn):

    /usr/bin/python3 scripts/gen-golden-metrics.py

For every case it writes:
  test/golden/metrics/<case>.csv   label plus score | proba_<class>... | prediction, floats via repr()
  test/golden/metrics/<case>.json  {case, task, options, sklearn_version, numpy_version, metrics,
                                    sklearn_warnings, deviations}

`metrics` holds what `mlgate evaluate` must report. It is scikit-learn's value, or null where
scikit-learn raises or returns NaN. `deviations` lists the few places where mlgate's documented
convention (PRODUCT.md 3.2: an undefined metric is null, never a made-up number) replaces the number
scikit-learn returns with a warning; the number scikit-learn returned is kept there for reference.
`sklearn_warnings` maps a metric to the warnings scikit-learn emitted for it: mlgate must add a note
naming that metric.

Deterministic: fixed random_state everywhere, datasets shipped with scikit-learn, no network.
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    f1_score,
    log_loss,
    matthews_corrcoef,
    max_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    median_absolute_error,
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


def binary_metrics(y, score, pred):
    """y, pred in {0, 1}; score = probability of class 1."""
    metrics, sk_warnings = evaluate(
        {
            "accuracy": lambda: accuracy_score(y, pred),
            "balanced_accuracy": lambda: balanced_accuracy_score(y, pred),
            "precision": lambda: precision_score(y, pred),
            "recall": lambda: recall_score(y, pred),
            "f1": lambda: f1_score(y, pred),
            "roc_auc": lambda: roc_auc_score(y, score),
            "average_precision": lambda: average_precision_score(y, score),
            # labels=[0, 1]: the binary task knows both classes, so a one-class slice still has a log loss.
            "log_loss": lambda: log_loss(y, score, labels=[0, 1]),
            "brier": lambda: brier_score_loss(y, score),
            "mcc": lambda: matthews_corrcoef(y, pred),
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


def multiclass_metrics(y, proba, pred, classes):
    """y, pred: class labels; proba: (n, k) with columns in `classes` order (sorted)."""
    k = len(classes)
    y_bin = label_binarize(y, classes=classes)
    metrics, sk_warnings = evaluate(
        {
            "accuracy": lambda: accuracy_score(y, pred),
            "balanced_accuracy": lambda: balanced_accuracy_score(y, pred),
            "precision": lambda: precision_score(y, pred, average="macro"),
            "recall": lambda: recall_score(y, pred, average="macro"),
            "f1": lambda: f1_score(y, pred, average="macro"),
            "precision_macro": lambda: precision_score(y, pred, average="macro"),
            "recall_macro": lambda: recall_score(y, pred, average="macro"),
            "f1_macro": lambda: f1_score(y, pred, average="macro"),
            "f1_weighted": lambda: f1_score(y, pred, average="weighted"),
            "f1_micro": lambda: f1_score(y, pred, average="micro"),
            "roc_auc": lambda: roc_auc_score(y, proba, multi_class="ovr", average="macro"),
            "average_precision": lambda: average_precision_score(y_bin, proba, average="macro"),
            "log_loss": lambda: log_loss(y, proba, labels=classes),
            "mcc": lambda: matthews_corrcoef(y, pred),
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


def regression_metrics(y, pred):
    metrics, sk_warnings = evaluate(
        {
            "mae": lambda: mean_absolute_error(y, pred),
            "mse": lambda: mean_squared_error(y, pred),
            "rmse": lambda: np.sqrt(mean_squared_error(y, pred)),
            "r2": lambda: r2_score(y, pred),
            "mape": lambda: mean_absolute_percentage_error(y, pred),
            "max_error": lambda: max_error(y, pred),
            "median_ae": lambda: median_absolute_error(y, pred),
        }
    )
    return metrics, sk_warnings, {}


def fmt(value):
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def write_case(name, task, options, header, rows, result):
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
    write_case(name, "binary", options, ["label", "score"], rows, binary_metrics(y, score, pred))


def multiclass_case(name, y, proba, classes):
    y = np.asarray(y)
    proba = np.asarray(proba, dtype=float)
    pred = np.asarray(classes)[np.argmax(proba, axis=1)]  # argmax: ties go to the first (sorted) class
    header = ["label"] + [f"proba_{c}" for c in classes]
    rows = [(str(y[i]), *(float(p) for p in proba[i])) for i in range(len(y))]
    write_case(name, "multiclass", {}, header, rows, multiclass_metrics(y, proba, pred, list(classes)))


def regression_case(name, y, pred):
    y = np.asarray(y, dtype=float)
    pred = np.asarray(pred, dtype=float)
    rows = [(float(a), float(b)) for a, b in zip(y, pred)]
    write_case(name, "regression", {}, ["label", "prediction"], rows, regression_metrics(y, pred))


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
