/**
 * Evaluation metrics that equal scikit-learn's (1.2+) on the same input, as pure functions over typed arrays.
 *
 * Conventions (PRODUCT.md 3.1/3.2):
 * - each function mirrors the scikit-learn function named in its comment, including its default
 *   `zero_division="warn"` (the value is 0.0 and a note names the metric);
 * - a metric scikit-learn cannot compute on the input (it raises or returns NaN) is `null` plus a note,
 *   never NaN;
 * - means use NumPy's pairwise summation, so sums round like `np.mean` / `np.sum` do;
 * - every note starts with the metric name(s) it is about, then ": ".
 *
 * Also here: the extra outputs (confusion matrix, per-class scores, calibration bins and ECE) and the
 * weighted resamplers the bootstrap runs 1,000 times (sorted once; each resample one pass over typed arrays).
 *
 * No I/O here: callers validate and convert user data (see prediction-table.ts).
 */

export interface MetricSet {
  metrics: Record<string, number | null>;
  notes: string[];
}

export const BINARY_METRICS = [
  "accuracy",
  "balanced_accuracy",
  "precision",
  "recall",
  "f1",
  "roc_auc",
  "average_precision",
  "log_loss",
  "brier",
  "mcc",
] as const;

export const MULTICLASS_METRICS = [
  "accuracy",
  "balanced_accuracy",
  "precision",
  "recall",
  "f1",
  "precision_macro",
  "recall_macro",
  "f1_macro",
  "f1_weighted",
  "f1_micro",
  "roc_auc",
  "average_precision",
  "log_loss",
  "mcc",
] as const;

export const REGRESSION_METRICS = ["mae", "mse", "rmse", "r2", "mape", "max_error", "median_ae"] as const;

/** np.finfo(np.float64).eps: the clipping bound of sklearn's log_loss and mape. */
const FLOAT64_EPS = 2 ** -52;

/* ------------------------------------------------------------------------------------------------ */
/* Entry points                                                                                       */
/* ------------------------------------------------------------------------------------------------ */

/** y[i] = 1 for the positive class, 0 otherwise; score = probability/score of positive class; pred = predicted class (1/0). */
export function binaryMetrics(y: Uint8Array, score: Float64Array, pred: Uint8Array): MetricSet {
  assertSameLength(y.length, score.length, pred.length);
  assertFinite(score, "score");
  const n = y.length;
  if (n === 0) return emptyMetricSet(BINARY_METRICS);
  const notes: string[] = [];
  const cm = binaryConfusion(y, pred);
  const metrics: Record<string, number | null> = {};
  metrics.accuracy = (cm.tp + cm.tn) / n;
  metrics.balanced_accuracy = binaryBalancedAccuracy(cm, notes);
  const prf = binaryPrecisionRecallF1(cm, notes);
  metrics.precision = prf.precision;
  metrics.recall = prf.recall;
  metrics.f1 = prf.f1;
  const ranking = rankByScore(y, score);
  metrics.roc_auc = definedForBothClasses(ranking, "roc_auc", notes, rocAucFromRanking);
  metrics.average_precision = definedForBothClasses(
    ranking,
    "average_precision",
    notes,
    averagePrecisionFromRanking,
  );
  metrics.log_loss = binaryLogLoss(y, score, notes);
  metrics.brier = brierScore(y, score, notes);
  metrics.mcc = matthewsCorrcoef(confusionToMatrix(cm), 2, notes);
  return finiteOrNull({ metrics, notes });
}

/** y[i] = class index 0..k-1; proba[c][i] = probability of class c; pred[i] = predicted class index. */
export function multiclassMetrics(
  y: Int32Array,
  proba: Float64Array[],
  pred: Int32Array,
  classCount: number,
): MetricSet {
  assertMulticlassShape(y, proba, pred, classCount);
  const n = y.length;
  if (n === 0) return emptyMetricSet(MULTICLASS_METRICS);
  const notes: string[] = [];
  const matrix = confusionMatrix(y, pred, classCount);
  const metrics: Record<string, number | null> = {};
  metrics.accuracy = trace(matrix, classCount) / n;
  metrics.balanced_accuracy = balancedAccuracy(matrix, classCount, notes);
  const macro = macroPrecisionRecallF1(matrix, classCount, notes);
  metrics.precision = macro.precision;
  metrics.recall = macro.recall;
  metrics.f1 = macro.f1;
  metrics.precision_macro = macro.precision;
  metrics.recall_macro = macro.recall;
  metrics.f1_macro = macro.f1;
  metrics.f1_weighted = macro.f1Weighted;
  metrics.f1_micro = microF1(matrix, classCount, n);
  const rowSumsOk = probabilityRowsSumToOne(proba, n);
  const ranking = multiclassRankingMetrics(y, proba, classCount, rowSumsOk, notes);
  metrics.roc_auc = ranking.rocAuc;
  metrics.average_precision = ranking.averagePrecision;
  metrics.log_loss = multiclassLogLoss(y, proba, classCount, rowSumsOk, notes);
  metrics.mcc = matthewsCorrcoef(matrix, classCount, notes);
  return finiteOrNull({ metrics, notes });
}

export function regressionMetrics(y: Float64Array, pred: Float64Array): MetricSet {
  assertSameLength(y.length, pred.length, pred.length);
  assertFinite(y, "y");
  assertFinite(pred, "pred");
  const n = y.length;
  if (n === 0) return emptyMetricSet(REGRESSION_METRICS);
  const notes: string[] = [];
  const absErrors = new Float64Array(n);
  const sqErrors = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = y[i]! - pred[i]!;
    absErrors[i] = Math.abs(d);
    sqErrors[i] = d * d;
  }
  const mse = numpySum(sqErrors) / n;
  return finiteOrNull({
    metrics: {
      mae: numpySum(absErrors) / n,
      mse,
      rmse: Math.sqrt(mse),
      r2: r2Score(y, sqErrors, notes),
      mape: meanAbsolutePercentageError(y, absErrors, notes),
      max_error: maxOf(absErrors),
      median_ae: median(absErrors),
    },
    notes,
  });
}

/* ------------------------------------------------------------------------------------------------ */
/* Shared helpers                                                                                     */
/* ------------------------------------------------------------------------------------------------ */

function emptyMetricSet(names: readonly string[]): MetricSet {
  const metrics: Record<string, number | null> = {};
  for (const name of names) metrics[name] = null;
  return { metrics, notes: [`${names.join(", ")}: no rows to evaluate; every metric is undefined`] };
}

/**
 * The last guard of "never NaN": a value that is not finite (non-finite input from a caller that skipped
 * validation, or overflow, where scikit-learn would return inf or nan) becomes null with a note.
 */
function finiteOrNull(result: MetricSet): MetricSet {
  for (const [name, value] of Object.entries(result.metrics)) {
    if (value === null || Number.isFinite(value)) continue;
    result.metrics[name] = null;
    result.notes.push(`${name}: the result is not a finite number (${value}); reported as undefined`);
  }
  return result;
}

function assertSameLength(a: number, b: number, c: number): void {
  if (a !== b || a !== c) throw new RangeError(`metric inputs differ in length: ${a}, ${b}, ${c}`);
}

/** Inputs are validated upstream (prediction-table.ts); a non-finite value here is a caller bug. */
function assertFinite(values: Float64Array, name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new RangeError(`${name}[${i}] is not finite: ${values[i]}`);
  }
}

function assertMulticlassShape(y: Int32Array, proba: Float64Array[], pred: Int32Array, k: number): void {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`classCount must be an integer >= 2, got ${k}`);
  if (proba.length !== k) throw new RangeError(`expected ${k} probability columns, got ${proba.length}`);
  for (const column of proba) {
    assertSameLength(y.length, column.length, pred.length);
    assertFinite(column, "proba");
  }
  for (let i = 0; i < y.length; i++) {
    const t = y[i]!;
    const p = pred[i]!;
    if (t < 0 || t >= k || p < 0 || p >= k) throw new RangeError(`class index out of range at row ${i}`);
  }
}

/**
 * Sum in NumPy's order (`pairwise_sum_DOUBLE` in numpy/core/src/umath/loops_utils.h): blocks of at most
 * 128 with 8 accumulators, recursive halving above that. `np.sum`/`np.mean`/`np.average` round the same way.
 */
export function numpySum(values: Float64Array): number {
  return 0 + pairwiseSum(values, 0, values.length);
}

function pairwiseSum(a: Float64Array, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = start; i < start + n; i++) res += a[i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[start]!;
    let r1 = a[start + 1]!;
    let r2 = a[start + 2]!;
    let r3 = a[start + 3]!;
    let r4 = a[start + 4]!;
    let r5 = a[start + 5]!;
    let r6 = a[start + 6]!;
    let r7 = a[start + 7]!;
    const blockEnd = start + (n - (n % 8));
    let i = start + 8;
    for (; i < blockEnd; i += 8) {
      r0 += a[i]!;
      r1 += a[i + 1]!;
      r2 += a[i + 2]!;
      r3 += a[i + 3]!;
      r4 += a[i + 4]!;
      r5 += a[i + 5]!;
      r6 += a[i + 6]!;
      r7 += a[i + 7]!;
    }
    // NumPy's combination order: ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    const low = r0 + r1 + (r2 + r3);
    const high = r4 + r5 + (r6 + r7);
    let res = low + high;
    for (; i < start + n; i++) res += a[i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

function numpyMean(values: Float64Array): number {
  return numpySum(values) / values.length;
}

function maxOf(values: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

/**
 * np.median: the middle value, or the mean of the two middle values, found by selection (O(n) expected,
 * like np.partition) on a copy instead of a full sort.
 */
function median(values: Float64Array): number {
  const work = Float64Array.from(values);
  const mid = work.length >> 1;
  const upper = selectKth(work, mid);
  if (work.length % 2 === 1) return upper;
  // After selection everything left of `mid` is <= work[mid]: the lower middle is their maximum.
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < mid; i++) if (work[i]! > lower) lower = work[i]!;
  return (lower + upper) / 2;
}

/**
 * Rearranges `a` so that a[k] is the k-th smallest value, smaller-or-equal values before it and
 * greater-or-equal after (Hoare quickselect, median-of-three pivot). Falls back to a full sort if the
 * partitions stop shrinking fast enough, so the worst case stays O(n log n).
 */
function selectKth(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  let budget = 4 * Math.ceil(Math.log2(a.length + 1)) + 8;
  while (right > left) {
    if (budget-- === 0) {
      a.subarray(left, right + 1).sort();
      return a[k]!;
    }
    const pivot = medianOfThree(a[left]!, a[(left + right) >> 1]!, a[right]!);
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}

function medianOfThree(x: number, y: number, z: number): number {
  return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
}

/** F-score from precision and recall as sklearn's precision_recall_fscore_support (beta = 1). */
function fScore(precision: number, recall: number): number {
  const denom = precision + recall;
  return denom === 0 ? 0 : (2 * precision * recall) / denom;
}

/* ------------------------------------------------------------------------------------------------ */
/* Confusion-matrix metrics                                                                           */
/* ------------------------------------------------------------------------------------------------ */

interface BinaryConfusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

function binaryConfusion(y: Uint8Array, pred: Uint8Array): BinaryConfusion {
  const cm = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) {
      if (pred[i] === 1) cm.tp++;
      else cm.fn++;
    } else if (pred[i] === 1) cm.fp++;
    else cm.tn++;
  }
  return cm;
}

/** Row-major 2x2 matrix, rows = true class (0, 1), columns = predicted class. */
function confusionToMatrix(cm: BinaryConfusion): Float64Array {
  return Float64Array.of(cm.tn, cm.fp, cm.fn, cm.tp);
}

/** sklearn.metrics.confusion_matrix: row-major k x k, rows = true class, columns = predicted class. */
function confusionMatrix(y: Int32Array, pred: Int32Array, k: number): Float64Array {
  const matrix = new Float64Array(k * k);
  for (let i = 0; i < y.length; i++) matrix[y[i]! * k + pred[i]!]! += 1;
  return matrix;
}

function trace(matrix: Float64Array, k: number): number {
  let sum = 0;
  for (let c = 0; c < k; c++) sum += matrix[c * k + c]!;
  return sum;
}

interface ClassTotals {
  /** diagonal: correctly predicted rows of the class */
  tp: Float64Array;
  /** row sums: rows whose true class is c */
  trueSum: Float64Array;
  /** column sums: rows predicted as c */
  predSum: Float64Array;
}

function classTotals(matrix: Float64Array, k: number): ClassTotals {
  const tp = new Float64Array(k);
  const trueSum = new Float64Array(k);
  const predSum = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const count = matrix[t * k + p]!;
      trueSum[t]! += count;
      predSum[p]! += count;
    }
    tp[t] = matrix[t * k + t]!;
  }
  return { tp, trueSum, predSum };
}

/**
 * sklearn.metrics.balanced_accuracy_score: mean recall over the labels present in y_true or y_pred;
 * labels only predicted (no true rows) are dropped with a warning.
 */
function balancedAccuracy(matrix: Float64Array, k: number, notes: string[]): number {
  const { tp, trueSum, predSum } = classTotals(matrix, k);
  const recalls: number[] = [];
  let predictedOnly = 0;
  for (let c = 0; c < k; c++) {
    if (trueSum[c]! > 0) recalls.push(tp[c]! / trueSum[c]!);
    else if (predSum[c]! > 0) predictedOnly++;
  }
  if (predictedOnly > 0) {
    notes.push(
      "balanced_accuracy: the predictions contain classes absent from the labels; " +
        "they are left out of the average, as scikit-learn does",
    );
  }
  return numpyMean(Float64Array.from(recalls));
}

function binaryBalancedAccuracy(cm: BinaryConfusion, notes: string[]): number {
  return balancedAccuracy(confusionToMatrix(cm), 2, notes);
}

/** sklearn precision_score / recall_score / f1_score with average="binary", pos_label=1, zero_division="warn". */
function binaryPrecisionRecallF1(
  cm: BinaryConfusion,
  notes: string[],
): { precision: number; recall: number; f1: number } {
  const predicted = cm.tp + cm.fp;
  const actual = cm.tp + cm.fn;
  if (predicted === 0) {
    notes.push("precision: no row is predicted positive (0/0); set to 0.0 as scikit-learn does");
  }
  if (actual === 0) {
    notes.push("recall: no row has the positive label (0/0); set to 0.0 as scikit-learn does");
  }
  if (predicted === 0 && actual === 0) {
    notes.push("f1: no positive labels and no positive predictions; set to 0.0 as scikit-learn does");
  }
  const precision = predicted === 0 ? 0 : cm.tp / predicted;
  const recall = actual === 0 ? 0 : cm.tp / actual;
  return { precision, recall, f1: fScore(precision, recall) };
}

interface AveragedScores {
  precision: number;
  recall: number;
  f1: number;
  f1Weighted: number;
}

/**
 * sklearn precision_recall_fscore_support with average="macro" / "weighted" over the labels present in
 * y_true or y_pred (sklearn's default `labels`), zero_division="warn".
 */
function macroPrecisionRecallF1(matrix: Float64Array, k: number, notes: string[]): AveragedScores {
  const { tp, trueSum, predSum } = classTotals(matrix, k);
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  const weighted: number[] = [];
  let weightTotal = 0;
  let neverPredicted = 0;
  let neverTrue = 0;
  for (let c = 0; c < k; c++) {
    if (trueSum[c] === 0 && predSum[c] === 0) continue; // not in unique_labels(y_true, y_pred)
    if (predSum[c] === 0) neverPredicted++;
    if (trueSum[c] === 0) neverTrue++;
    const p = predSum[c] === 0 ? 0 : tp[c]! / predSum[c]!;
    const r = trueSum[c] === 0 ? 0 : tp[c]! / trueSum[c]!;
    const f = fScore(p, r);
    precision.push(p);
    recall.push(r);
    f1.push(f);
    weighted.push(f * trueSum[c]!);
    weightTotal += trueSum[c]!;
  }
  if (neverPredicted > 0) {
    notes.push(
      `precision, precision_macro: ${neverPredicted} class(es) are never predicted (0/0); ` +
        "their precision is set to 0.0 as scikit-learn does",
    );
  }
  if (neverTrue > 0) {
    notes.push(
      `recall, recall_macro: ${neverTrue} predicted class(es) never occur in the labels (0/0); ` +
        "their recall is set to 0.0 as scikit-learn does",
    );
  }
  return {
    precision: numpyMean(Float64Array.from(precision)),
    recall: numpyMean(Float64Array.from(recall)),
    f1: numpyMean(Float64Array.from(f1)),
    // np.average(f1, weights=true_sum) = sum(f1 * w) / sum(w); sum(w) = n > 0 here
    f1Weighted: numpySum(Float64Array.from(weighted)) / weightTotal,
  };
}

/** sklearn f1_score(average="micro"): pooled tp / pooled predicted and pooled true counts. */
function microF1(matrix: Float64Array, k: number, n: number): number {
  const correct = trace(matrix, k);
  return fScore(correct / n, correct / n);
}

/** sklearn.metrics.matthews_corrcoef: covariance form over the confusion matrix; 0.0 when undefined. */
function matthewsCorrcoef(matrix: Float64Array, k: number, notes: string[]): number {
  const { trueSum, predSum } = classTotals(matrix, k);
  const nCorrect = trace(matrix, k);
  let nSamples = 0;
  let dotTP = 0;
  let dotPP = 0;
  let dotTT = 0;
  for (let c = 0; c < k; c++) {
    nSamples += predSum[c]!;
    dotTP += trueSum[c]! * predSum[c]!;
    dotPP += predSum[c]! * predSum[c]!;
    dotTT += trueSum[c]! * trueSum[c]!;
  }
  const covYtYp = nCorrect * nSamples - dotTP;
  const covYpYp = nSamples ** 2 - dotPP;
  const covYtYt = nSamples ** 2 - dotTT;
  if (covYpYp * covYtYt === 0) {
    notes.push(
      "mcc: the labels or the predictions hold a single class (0/0); set to 0.0 as scikit-learn does",
    );
    return 0;
  }
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}

/* ------------------------------------------------------------------------------------------------ */
/* Ranking metrics                                                                                    */
/* ------------------------------------------------------------------------------------------------ */

/**
 * Scores grouped by distinct value, highest first (sklearn's `_binary_clf_curve` thresholds):
 * group g holds pos[g] positives and neg[g] negatives sharing one score.
 */
interface Ranking {
  pos: Float64Array;
  neg: Float64Array;
  groups: number;
  totalPos: number;
  totalNeg: number;
}

/** Groups the scores of positives and negatives; isPositive(i) says whether row i is positive. */
function rankScores(score: Float64Array, isPositive: (i: number) => boolean): Ranking {
  let totalPos = 0;
  for (let i = 0; i < score.length; i++) if (isPositive(i)) totalPos++;
  const totalNeg = score.length - totalPos;
  const posScores = new Float64Array(totalPos);
  const negScores = new Float64Array(totalNeg);
  let p = 0;
  let q = 0;
  for (let i = 0; i < score.length; i++) {
    if (isPositive(i)) posScores[p++] = score[i]!;
    else negScores[q++] = score[i]!;
  }
  // Built-in numeric typed-array sort of each class's scores (no index permutation, no comparator),
  // then a merge from the top: O(n log n) without allocating objects.
  posScores.sort();
  negScores.sort();
  return mergeDescending(posScores, negScores, totalPos, totalNeg);
}

function mergeDescending(
  posScores: Float64Array,
  negScores: Float64Array,
  totalPos: number,
  totalNeg: number,
): Ranking {
  const pos = new Float64Array(totalPos + totalNeg);
  const neg = new Float64Array(totalPos + totalNeg);
  let i = totalPos - 1;
  let j = totalNeg - 1;
  let g = 0;
  while (i >= 0 || j >= 0) {
    const top = i < 0 ? negScores[j]! : j < 0 ? posScores[i]! : Math.max(posScores[i]!, negScores[j]!);
    // `===` groups -0 with 0, as np.diff does when finding distinct thresholds.
    while (i >= 0 && posScores[i] === top) {
      pos[g]!++;
      i--;
    }
    while (j >= 0 && negScores[j] === top) {
      neg[g]!++;
      j--;
    }
    g++;
  }
  return { pos, neg, groups: g, totalPos, totalNeg };
}

function rankByScore(y: Uint8Array, score: Float64Array): Ranking {
  return rankScores(score, (i) => y[i] === 1);
}

function definedForBothClasses(
  ranking: Ranking,
  name: string,
  notes: string[],
  compute: (ranking: Ranking) => number,
): number | null {
  if (ranking.totalPos === 0 || ranking.totalNeg === 0) {
    notes.push(`${name}: only one class is present in the labels; the metric is undefined`);
    return null;
  }
  return compute(ranking);
}

/**
 * sklearn.metrics.roc_auc_score (binary): trapezoid under the ROC curve whose points are the distinct
 * score thresholds, so tied scores form one diagonal segment. Summed in integer counts, divided once.
 */
function rocAucFromRanking(r: Ranking): number {
  let twiceArea = 0;
  let tpAbove = 0;
  for (let g = 0; g < r.groups; g++) {
    twiceArea += r.neg[g]! * (2 * tpAbove + r.pos[g]!);
    tpAbove += r.pos[g]!;
  }
  return twiceArea / (2 * r.totalPos * r.totalNeg);
}

/**
 * sklearn.metrics.average_precision_score (binary): sum over distinct thresholds of
 * (recall_t - recall_{t-1}) * precision_t, a step function without interpolation; ties form one step.
 */
function averagePrecisionFromRanking(r: Ranking): number {
  let ap = 0;
  let tp = 0;
  let fp = 0;
  for (let g = 0; g < r.groups; g++) {
    tp += r.pos[g]!;
    fp += r.neg[g]!;
    if (r.pos[g]! > 0) ap += (r.pos[g]! / r.totalPos) * (tp / (tp + fp));
  }
  return ap;
}

/** np.allclose(1, proba.sum(axis=1)): sklearn's check before a multiclass ROC AUC. */
function probabilityRowsSumToOne(proba: Float64Array[], n: number): boolean {
  for (let i = 0; i < n; i++) {
    const s = rowSum(proba, i);
    if (!(Math.abs(1 - s) <= 1e-8 + 1e-5 * Math.abs(s))) return false;
  }
  return true;
}

/** Row sum in NumPy's order for a reduction over the last axis (pairwise; sequential below 8 classes). */
function rowSum(proba: Float64Array[], i: number): number {
  if (proba.length < 8) {
    let s = 0;
    for (const column of proba) s += column[i]!;
    return s;
  }
  return numpySum(Float64Array.from(proba, (column) => column[i]!));
}

function classesMissingFromLabels(y: Int32Array, k: number): number[] {
  const seen = new Uint8Array(k);
  for (let i = 0; i < y.length; i++) seen[y[i]!] = 1;
  const missing: number[] = [];
  for (let c = 0; c < k; c++) if (seen[c] === 0) missing.push(c);
  return missing;
}

/**
 * One ranking per one-vs-rest problem, as sklearn `_average_binary_score` builds them from
 * label_binarize(y). With 2 classes sklearn treats the problem as binary: one ranking, of the second class.
 */
function oneVsRestRankings(y: Int32Array, proba: Float64Array[], k: number): Ranking[] {
  if (k === 2) return [rankScores(proba[1]!, (i) => y[i] === 1)];
  return proba.map((column, c) => rankScores(column, (i) => y[i] === c));
}

/** Unweighted mean of a ranking metric over the one-vs-rest problems (average="macro"). */
function macroAverage(rankings: Ranking[], compute: (ranking: Ranking) => number): number {
  return numpyMean(Float64Array.from(rankings, compute));
}

/**
 * sklearn roc_auc_score(y, proba, multi_class="ovr", average="macro") and
 * average_precision_score(label_binarize(y, classes), proba, average="macro").
 * Both need every class present in the labels: sklearn raises for ROC AUC, and the average precision of
 * a class without rows is undefined (sklearn 1.2 reports 0.0 with a warning; mlgate reports null).
 */
function multiclassRankingMetrics(
  y: Int32Array,
  proba: Float64Array[],
  k: number,
  rowSumsOk: boolean,
  notes: string[],
): { rocAuc: number | null; averagePrecision: number | null } {
  const missing = classesMissingFromLabels(y, k);
  if (missing.length > 0) {
    notes.push(
      `roc_auc, average_precision: ${missing.length} of ${k} classes have no rows in the labels; ` +
        "one-vs-rest ROC AUC and average precision are undefined",
    );
    return { rocAuc: null, averagePrecision: null };
  }
  const rankings = oneVsRestRankings(y, proba, k);
  let rocAuc: number | null = macroAverage(rankings, rocAucFromRanking);
  if (!rowSumsOk && k > 2) {
    notes.push(
      "roc_auc: the probability rows do not sum to 1; scikit-learn refuses multiclass ROC AUC on them",
    );
    rocAuc = null;
  }
  return { rocAuc, averagePrecision: macroAverage(rankings, averagePrecisionFromRanking) };
}

/* ------------------------------------------------------------------------------------------------ */
/* Probability losses                                                                                 */
/* ------------------------------------------------------------------------------------------------ */

function clipProbability(p: number): number {
  return Math.min(Math.max(p, FLOAT64_EPS), 1 - FLOAT64_EPS);
}

/**
 * sklearn.metrics.log_loss(y, score, labels=[0, 1]) (eps="auto"): clip p to [eps, 1 - eps], build the
 * rows [1 - p, p], divide each by its sum, average -log of the true class's entry.
 */
function binaryLogLoss(y: Uint8Array, score: Float64Array, notes: string[]): number {
  const n = y.length;
  const losses = new Float64Array(n);
  let outside = 0;
  for (let i = 0; i < n; i++) {
    const raw = score[i]!;
    if (raw < 0 || raw > 1) outside++;
    losses[i] = binaryLogLossTerm(y[i]!, raw);
  }
  if (outside > 0) {
    notes.push(
      `log_loss: ${outside} score(s) lie outside [0, 1]; clipped to [eps, 1 - eps] as scikit-learn does`,
    );
  }
  return numpyMean(losses);
}

/** One row's loss in binaryLogLoss: clip, build [1 - p, p], normalise, -log of the true class's entry. */
function binaryLogLossTerm(y: number, score: number): number {
  const p = clipProbability(score);
  const q = 1 - p;
  const sum = q + p;
  return -Math.log((y === 1 ? p : q) / sum);
}

/**
 * sklearn.metrics.log_loss(y, proba, labels=classes) (eps="auto"): each probability clipped to
 * [eps, 1 - eps], each row divided by its sum, -log of the true class's entry averaged.
 */
function multiclassLogLoss(
  y: Int32Array,
  proba: Float64Array[],
  k: number,
  rowSumsOk: boolean,
  notes: string[],
): number {
  const losses = multiclassLogLossTerms(y, proba, k);
  if (!rowSumsOk) {
    notes.push(
      "log_loss: some probability rows do not sum to 1; each row was divided by its sum, as scikit-learn does",
    );
  }
  return numpyMean(losses);
}

/** Each row's loss in multiclassLogLoss. */
function multiclassLogLossTerms(y: Int32Array, proba: Float64Array[], k: number): Float64Array {
  const n = y.length;
  const losses = new Float64Array(n);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) row[c] = clipProbability(proba[c]![i]!);
    const sum = k < 8 ? sequentialSum(row) : numpySum(row);
    losses[i] = -Math.log(row[y[i]!]! / sum);
  }
  return losses;
}

function sequentialSum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

/** sklearn.metrics.brier_score_loss (pos_label=1): mean squared difference; raises outside [0, 1]. */
function brierScore(y: Uint8Array, score: Float64Array, notes: string[]): number | null {
  const n = y.length;
  const squares = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = score[i]!;
    if (s < 0 || s > 1) {
      notes.push(
        "brier: scores must be probabilities in [0, 1]; the Brier score is undefined (scikit-learn raises)",
      );
      return null;
    }
    const d = y[i]! - s;
    squares[i] = d * d;
  }
  return numpyMean(squares);
}

/* ------------------------------------------------------------------------------------------------ */
/* Regression                                                                                         */
/* ------------------------------------------------------------------------------------------------ */

/**
 * sklearn.metrics.r2_score (force_finite=True): NaN (here null) below 2 rows; with a constant label the
 * denominator is 0 and sklearn returns 1.0 for perfect predictions, otherwise 0.0.
 */
function r2Score(y: Float64Array, sqErrors: Float64Array, notes: string[]): number | null {
  const n = y.length;
  if (n < 2) {
    notes.push("r2: undefined with fewer than 2 rows (scikit-learn returns NaN)");
    return null;
  }
  const mean = numpyMean(y);
  const deviations = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = y[i]! - mean;
    deviations[i] = d * d;
  }
  const numerator = numpySum(sqErrors);
  const denominator = numpySum(deviations);
  if (denominator === 0) {
    const value = numerator === 0 ? 1 : 0;
    notes.push(`r2: the label is constant (zero variance); set to ${value.toFixed(1)} as scikit-learn does`);
    return value;
  }
  return 1 - numerator / denominator;
}

/** sklearn.metrics.mean_absolute_percentage_error: |y - pred| / max(|y|, eps), averaged. */
function meanAbsolutePercentageError(y: Float64Array, absErrors: Float64Array, notes: string[]): number {
  const n = y.length;
  const ratios = new Float64Array(n);
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const scale = Math.abs(y[i]!);
    if (scale < FLOAT64_EPS) zeros++;
    ratios[i] = absErrors[i]! / Math.max(scale, FLOAT64_EPS);
  }
  if (zeros > 0) {
    notes.push(
      `mape: ${zeros} label(s) are 0; their error is divided by machine epsilon as scikit-learn does, ` +
        "which makes mape very large",
    );
  }
  return numpyMean(ratios);
}

/* ------------------------------------------------------------------------------------------------ */
/* Sort order                                                                                         */
/* ------------------------------------------------------------------------------------------------ */

/** Below this length a comparator sort beats the radix sort's fixed cost (4 x 65,536 counters). */
const RADIX_MIN_LENGTH = 4096;
const RADIX_BUCKETS = 65536;
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Row indices in ascending order of `values` (finite numbers), ties in row order. Large inputs use a
 * least-significant-digit radix sort over the IEEE-754 bits mapped to order-preserving unsigned keys
 * (4 passes of 16 bits, no comparator calls). -0 sorts just before +0; callers group equal scores with
 * `===`, which puts them in one group, as np.diff does.
 */
export function sortOrder(values: Float64Array): Int32Array {
  const n = values.length;
  if (n < RADIX_MIN_LENGTH || !LITTLE_ENDIAN) {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort((a, b) => values[a]! - values[b]! || a - b);
  }
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  let index = new Int32Array(n);
  const counts = new Uint32Array(4 * RADIX_BUCKETS);
  for (let i = 0; i < n; i++) {
    let h = words[2 * i + 1]!;
    let l = words[2 * i]!;
    // Negative numbers: flip every bit (larger magnitude sorts first); positive: set the sign bit.
    if (h >= 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    hi[i] = h;
    lo[i] = l;
    index[i] = i;
    counts[l & 0xffff]!++;
    counts[RADIX_BUCKETS + (l >>> 16)]!++;
    counts[2 * RADIX_BUCKETS + (h & 0xffff)]!++;
    counts[3 * RADIX_BUCKETS + (h >>> 16)]!++;
  }
  let nextHi = new Uint32Array(n);
  let nextLo = new Uint32Array(n);
  let nextIndex = new Int32Array(n);
  for (let pass = 0; pass < 4; pass++) {
    const key = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    const histogram = counts.subarray(pass * RADIX_BUCKETS, (pass + 1) * RADIX_BUCKETS);
    if (histogram[(key[0]! >>> shift) & 0xffff] === n) continue; // one digit value for every row
    let sum = 0;
    for (let d = 0; d < RADIX_BUCKETS; d++) {
      const c = histogram[d]!;
      histogram[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const dest = histogram[(key[i]! >>> shift) & 0xffff]!++;
      nextIndex[dest] = index[i]!;
      nextHi[dest] = hi[i]!;
      nextLo[dest] = lo[i]!;
    }
    [index, nextIndex] = [nextIndex, index];
    [hi, nextHi] = [nextHi, hi];
    [lo, nextLo] = [nextLo, lo];
  }
  return index;
}

/* ------------------------------------------------------------------------------------------------ */
/* Details: confusion matrix, per-class scores, calibration                                           */
/* ------------------------------------------------------------------------------------------------ */

export interface ClassScores {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface CalibrationBin {
  lo: number;
  hi: number;
  count: number;
  mean_predicted: number;
  fraction_positive: number;
}

export interface Calibration {
  ece: number;
  bins: CalibrationBin[];
}

export interface PredictionDetails {
  /** rows = true class, columns = predicted class, both in `classes` order */
  confusion_matrix: number[][];
  per_class: ClassScores[];
  /** binary: of the score; multiclass: top-label (max probability vs argmax correct); regression: null */
  calibration: Calibration | null;
  notes: string[];
}

/**
 * sklearn confusion_matrix(y, pred, labels=classes) and precision_recall_fscore_support(y, pred,
 * labels=classes, average=None) with zero_division "warn" (0.0 and a note). y and pred hold indices into
 * `classes`, or -1 for a label outside them (the unnamed negative class of a one-class binary slice):
 * such a row is left out of the matrix, as confusion_matrix does, but still counts in the predicted and
 * true totals of the class on its other side, as precision_recall_fscore_support does.
 */
export function classDetails(
  y: Int32Array,
  pred: Int32Array,
  classes: readonly string[],
  notes: string[],
): Pick<PredictionDetails, "confusion_matrix" | "per_class"> {
  const k = classes.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const trueSum = new Float64Array(k);
  const predSum = new Float64Array(k);
  for (let i = 0; i < y.length; i++) {
    const t = y[i]!;
    const p = pred[i]!;
    if (t >= 0) trueSum[t]!++;
    if (p >= 0) predSum[p]!++;
    if (t >= 0 && p >= 0) matrix[t]![p]!++;
  }
  const neverPredicted: string[] = [];
  const neverTrue: string[] = [];
  const perClass = classes.map((label, c) => {
    const tp = matrix[c]![c]!;
    if (predSum[c] === 0) neverPredicted.push(label);
    if (trueSum[c] === 0) neverTrue.push(label);
    const precision = predSum[c] === 0 ? 0 : tp / predSum[c]!;
    const recall = trueSum[c] === 0 ? 0 : tp / trueSum[c]!;
    return { class: label, precision, recall, f1: fScore(precision, recall), support: trueSum[c]! };
  });
  if (neverPredicted.length > 0) {
    notes.push(
      `per_class: precision of ${listClasses(neverPredicted)} is 0/0 (never predicted); set to 0.0 as scikit-learn does`,
    );
  }
  if (neverTrue.length > 0) {
    notes.push(
      `per_class: recall of ${listClasses(neverTrue)} is 0/0 (no rows with that label); set to 0.0 as scikit-learn does`,
    );
  }
  return { confusion_matrix: matrix, per_class: perClass };
}

function listClasses(labels: string[]): string {
  return labels.map((l) => JSON.stringify(l)).join(", ");
}

const CALIBRATION_BINS = 10;

/**
 * Reliability bins as sklearn.calibration.calibration_curve(correct, confidence, n_bins=10,
 * strategy="uniform") computes them: edges np.linspace(0, 1, 11); a value goes to the bin
 * np.searchsorted(edges[1:-1], value) picks (side "left": bins are (lo, hi], the first is [0, 0.1]);
 * sums in row order (np.bincount); empty bins are left out. ECE = sum over bins of
 * count / n * |fraction_positive - mean_predicted| (Naeini et al. 2015, Guo et al. 2017).
 * Values outside [0, 1] make calibration undefined (calibration_curve raises): null and a note.
 */
export function calibrationBins(
  correct: Uint8Array,
  confidence: Float64Array,
  notes: string[],
): Calibration | null {
  const n = confidence.length;
  if (n === 0) {
    notes.push("calibration: no rows; undefined");
    return null;
  }
  const edges = Float64Array.from({ length: CALIBRATION_BINS + 1 }, (_, i) =>
    i === CALIBRATION_BINS ? 1 : i * (1 / CALIBRATION_BINS),
  );
  const sums = new Float64Array(CALIBRATION_BINS);
  const positives = new Float64Array(CALIBRATION_BINS);
  const totals = new Float64Array(CALIBRATION_BINS);
  for (let i = 0; i < n; i++) {
    const v = confidence[i]!;
    if (!(v >= 0 && v <= 1)) {
      notes.push("calibration: probabilities must lie in [0, 1]; undefined (scikit-learn raises)");
      return null;
    }
    // First guess from the arithmetic, then settled against the edges themselves (0.30000000000000004).
    let b = Math.min(CALIBRATION_BINS - 1, Math.max(0, Math.ceil(v * CALIBRATION_BINS) - 1));
    while (b > 0 && edges[b]! >= v) b--;
    while (b < CALIBRATION_BINS - 1 && edges[b + 1]! < v) b++;
    sums[b]! += v;
    positives[b]! += correct[i]!;
    totals[b]!++;
  }
  const bins: CalibrationBin[] = [];
  const gaps: number[] = [];
  for (let b = 0; b < CALIBRATION_BINS; b++) {
    const count = totals[b]!;
    if (count === 0) continue;
    const bin = {
      lo: edges[b]!,
      hi: edges[b + 1]!,
      count,
      mean_predicted: sums[b]! / count,
      fraction_positive: positives[b]! / count,
    };
    bins.push(bin);
    gaps.push((count / n) * Math.abs(bin.fraction_positive - bin.mean_predicted));
  }
  return { ece: numpySum(Float64Array.from(gaps)), bins };
}

/* ------------------------------------------------------------------------------------------------ */
/* Weighted resamples (the bootstrap's inner loop)                                                    */
/* ------------------------------------------------------------------------------------------------ */

/**
 * Metrics of many weighted resamples of one prediction set; the scores are sorted once, when the
 * resampler is built, and every resample is one pass over typed arrays.
 *
 * `evaluate(weights, out)` writes out[m] = metric names[m] of the resample in which the row at position j
 * counts weights[j] times; NaN where the metric is undefined (null in the unweighted functions). The value
 * equals the unweighted function on the rows repeated that many times (np.repeat), which is
 * scikit-learn's `sample_weight` for positive integer weights; a row with weight 0 is absent.
 * Position j holds row order[j]; `order` null means row order.
 */
export interface MetricResampler {
  readonly names: readonly string[];
  readonly order: Int32Array | null;
  evaluate(weights: Uint8Array, out: Float64Array): void;
}

const PRED_BIT = 1;
const LABEL_BIT = 2;
const GROUP_END_BIT = 4;

function writeMetrics(
  names: readonly string[],
  values: Record<string, number | null>,
  out: Float64Array,
): void {
  for (let m = 0; m < names.length; m++) {
    const v = values[names[m]!];
    out[m] = v === null || v === undefined || !Number.isFinite(v) ? Number.NaN : v;
  }
}

function checkWeights(weights: Uint8Array, out: Float64Array, n: number, metrics: number): void {
  if (weights.length !== n) throw new RangeError(`expected ${n} weights, got ${weights.length}`);
  if (out.length < metrics) throw new RangeError(`output holds ${out.length} values, need ${metrics}`);
}

/** Weighted binaryMetrics: positions in descending score order, so ranking metrics need no sort. */
export function binaryResampler(y: Uint8Array, score: Float64Array, pred: Uint8Array): MetricResampler {
  assertSameLength(y.length, score.length, pred.length);
  assertFinite(score, "score");
  const n = y.length;
  const ascending = sortOrder(score);
  const order = new Int32Array(n);
  const flags = new Uint8Array(n);
  const losses = new Float64Array(n);
  const squares = new Float64Array(n);
  let brierDefined = true;
  for (let j = 0; j < n; j++) {
    const i = ascending[n - 1 - j]!;
    const s = score[i]!;
    const last = j === n - 1 || score[ascending[n - 2 - j]!]! !== s;
    order[j] = i;
    flags[j] = (pred[i] === 1 ? PRED_BIT : 0) | (y[i] === 1 ? LABEL_BIT : 0) | (last ? GROUP_END_BIT : 0);
    losses[j] = binaryLogLossTerm(y[i]!, s);
    const d = y[i]! - s;
    squares[j] = d * d;
    if (s < 0 || s > 1) brierDefined = false;
  }
  const scratch: string[] = [];
  const sums = new Float64Array(10);
  return {
    names: BINARY_METRICS,
    order,
    evaluate(weights: Uint8Array, out: Float64Array): void {
      checkWeights(weights, out, n, BINARY_METRICS.length);
      sums.fill(0);
      for (let start = 0; start < n; start += PASS_CHUNK) {
        binaryWeightedSums(weights, flags, losses, squares, start, Math.min(n, start + PASS_CHUNK), sums);
      }
      const lossSum = sums[0]!;
      const squareSum = sums[1]!;
      const predictedPos = sums[2]!;
      const truePos = sums[3]!;
      const twiceArea = sums[4]!;
      const precisionSum = sums[5]!;
      const tpAbove = sums[6]!;
      const fpAbove = sums[7]!;
      const falsePos = predictedPos - truePos;
      const cm = { tp: truePos, fp: falsePos, fn: tpAbove - truePos, tn: fpAbove - falsePos };
      const total = tpAbove + fpAbove;
      if (total === 0) {
        out.fill(Number.NaN, 0, BINARY_METRICS.length);
        return;
      }
      scratch.length = 0;
      const prf = binaryPrecisionRecallF1(cm, scratch);
      const positives = cm.tp + cm.fn;
      const negatives = cm.tn + cm.fp;
      const ranked = positives > 0 && negatives > 0;
      writeMetrics(
        BINARY_METRICS,
        {
          accuracy: (cm.tp + cm.tn) / total,
          balanced_accuracy: binaryBalancedAccuracy(cm, scratch),
          precision: prf.precision,
          recall: prf.recall,
          f1: prf.f1,
          roc_auc: ranked ? twiceArea / (2 * positives * negatives) : null,
          average_precision: ranked ? precisionSum / positives : null,
          log_loss: lossSum / total,
          brier: brierDefined ? squareSum / total : null,
          mcc: matthewsCorrcoef(confusionToMatrix(cm), 2, scratch),
        },
        out,
      );
    },
  };
}

/**
 * Rows per call of binaryWeightedSums. Many short calls let V8 optimize the function as a whole, with type
 * feedback for every statement. With long calls it optimizes the running loop instead (on-stack
 * replacement) before the code after the loop has ever run, and that version can deoptimize at every loop
 * exit (seen with --trace-deopt: hundreds of deopts, 2x slower). Short stretches also keep counts in int32.
 */
const PASS_CHUNK = 2048;

/**
 * The pass over the rows of binaryResampler, one stretch [start, end) per call; `sums` carries the running sums
 * from one stretch to the next: [log loss, squared error, predicted positive, true positive (all
 * weighted), twice the ROC area, the average-precision sum, positives, negatives, and the positives and
 * rows of a score group still open (tied scores)].
 *
 * Written for V8 (each choice measured, together about 2.5x): counts are int32 (`| 0`) and the remaining
 * sums doubles (`+ -0`); an int32 product that may be 0 compiles to a data-dependent branch (the -0 check)
 * that random weights mispredict, so labels select by bit masks, not by multiplying.
 */
function binaryWeightedSums(
  weights: Uint8Array,
  flags: Uint8Array,
  losses: Float64Array,
  squares: Float64Array,
  start: number,
  end: number,
  sums: Float64Array,
): void {
  let lossSum = sums[0]! + -0;
  let squareSum = sums[1]! + -0;
  let twiceArea = sums[4]! + -0;
  let precisionSum = sums[5]! + -0;
  let tpAbove = sums[6]! + -0;
  let fpAbove = sums[7]! + -0;
  const predictedBefore = sums[2]!;
  const trueBefore = sums[3]!;
  let predictedPos = 0; // at most 255 · PASS_CHUNK: int32 within a stretch
  let truePos = 0;
  // int32 while one group of tied scores weighs less than 2^31 (Poisson weights average 1)
  let openPos = sums[8]! | 0;
  let openAll = sums[9]! | 0;
  for (let j = start; j < end; j++) {
    const w = weights[j]!;
    const f = flags[j]!;
    const labelMask = -((f >> 1) & 1);
    const predicted = w & -(f & 1);
    const positive = w & labelMask;
    predictedPos = (predictedPos + predicted) | 0;
    truePos = (truePos + (predicted & labelMask)) | 0;
    lossSum += w * losses[j]!;
    squareSum += w * squares[j]!;
    if (f < GROUP_END_BIT) {
      // The next row ties with this one: the group closes later.
      openPos = (openPos + positive) | 0;
      openAll = (openAll + w) | 0;
      continue;
    }
    // One distinct score: the ROC trapezoid and the average-precision step of rocAucFromRanking and
    // averagePrecisionFromRanking, with weighted counts. While nothing is above yet, groupPos is 0 too,
    // so `|| 1` only turns 0 / 0 into 0.
    const groupPos = (openPos + positive) | 0;
    const groupNeg = (openAll + w - groupPos) | 0;
    openPos = 0;
    openAll = 0;
    twiceArea += groupNeg * (2 * tpAbove + groupPos);
    tpAbove += groupPos;
    fpAbove += groupNeg;
    precisionSum += (groupPos * tpAbove) / (tpAbove + fpAbove || 1);
  }
  sums[0] = lossSum;
  sums[1] = squareSum;
  sums[2] = predictedBefore + predictedPos;
  sums[3] = trueBefore + truePos;
  sums[4] = twiceArea;
  sums[5] = precisionSum;
  sums[6] = tpAbove;
  sums[7] = fpAbove;
  sums[8] = openPos;
  sums[9] = openAll;
}

/** One one-vs-rest ranking in descending score order: row per position and label/group-end flags. */
interface SortedRanking {
  order: Int32Array;
  flags: Uint8Array;
}

function sortedRanking(score: Float64Array, isPositive: (i: number) => boolean): SortedRanking {
  const n = score.length;
  const ascending = sortOrder(score);
  const order = new Int32Array(n);
  const flags = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const i = ascending[n - 1 - j]!;
    const last = j === n - 1 || score[ascending[n - 2 - j]!]! !== score[i];
    order[j] = i;
    flags[j] = (isPositive(i) ? LABEL_BIT : 0) | (last ? GROUP_END_BIT : 0);
  }
  return { order, flags };
}

/** ROC AUC and average precision of a ranking with row weights (row order); NaN for a single class. */
function weightedRankingScores(r: SortedRanking, weights: Uint8Array): { rocAuc: number; ap: number } {
  // [twice the ROC area, average-precision sum, positives, negatives, open group's positives and rows]
  const sums = new Float64Array(6);
  for (let start = 0; start < r.order.length; start += PASS_CHUNK) {
    rankingStretch(r.order, r.flags, weights, start, Math.min(r.order.length, start + PASS_CHUNK), sums);
  }
  const [twiceArea, precisionSum, tpAbove, fpAbove] = [sums[0]!, sums[1]!, sums[2]!, sums[3]!];
  if (tpAbove === 0 || fpAbove === 0) return { rocAuc: Number.NaN, ap: Number.NaN };
  return { rocAuc: twiceArea / (2 * tpAbove * fpAbove), ap: precisionSum / tpAbove };
}

/** The ranking part of binaryWeightedSums (see there for the V8 notes), weights gathered by `order`. */
function rankingStretch(
  order: Int32Array,
  flags: Uint8Array,
  weights: Uint8Array,
  start: number,
  end: number,
  sums: Float64Array,
): void {
  let twiceArea = sums[0]! + -0;
  let precisionSum = sums[1]! + -0;
  let tpAbove = sums[2]! + -0;
  let fpAbove = sums[3]! + -0;
  let openPos = sums[4]! | 0;
  let openAll = sums[5]! | 0;
  for (let j = start; j < end; j++) {
    const w = weights[order[j]!]!;
    const f = flags[j]!;
    const positive = w & -((f >> 1) & 1);
    if (f < GROUP_END_BIT) {
      openPos = (openPos + positive) | 0;
      openAll = (openAll + w) | 0;
      continue;
    }
    const groupPos = (openPos + positive) | 0;
    const groupNeg = (openAll + w - groupPos) | 0;
    openPos = 0;
    openAll = 0;
    twiceArea += groupNeg * (2 * tpAbove + groupPos);
    tpAbove += groupPos;
    fpAbove += groupNeg;
    precisionSum += (groupPos * tpAbove) / (tpAbove + fpAbove || 1);
  }
  sums[0] = twiceArea;
  sums[1] = precisionSum;
  sums[2] = tpAbove;
  sums[3] = fpAbove;
  sums[4] = openPos;
  sums[5] = openAll;
}

/** Weighted confusion cells (matrix[cellOf[i]] += w), log-loss sum and total weight, one stretch per call. */
function confusionStretch(
  cellOf: Int32Array,
  losses: Float64Array,
  weights: Uint8Array,
  start: number,
  end: number,
  matrix: Float64Array,
  sums: Float64Array,
): void {
  let lossSum = sums[0]! + -0;
  let total = sums[1]! + -0;
  for (let i = start; i < end; i++) {
    const w = weights[i]!;
    matrix[cellOf[i]!]! += w;
    lossSum += w * losses[i]!;
    total += w;
  }
  sums[0] = lossSum;
  sums[1] = total;
}

/** Weighted multiclassMetrics; positions in row order (each one-vs-rest ranking keeps its own order). */
export function multiclassResampler(
  y: Int32Array,
  proba: Float64Array[],
  pred: Int32Array,
  classCount: number,
): MetricResampler {
  assertMulticlassShape(y, proba, pred, classCount);
  const n = y.length;
  const k = classCount;
  const cellOf = new Int32Array(n);
  for (let i = 0; i < n; i++) cellOf[i] = y[i]! * k + pred[i]!;
  const losses = multiclassLogLossTerms(y, proba, k);
  const rowSumsOk = probabilityRowsSumToOne(proba, n);
  // As oneVsRestRankings: with 2 classes, one ranking of the second class.
  const columns = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
  const rankings = columns.map((c) => sortedRanking(proba[c]!, (i) => y[i] === c));
  const matrix = new Float64Array(k * k);
  const sums = new Float64Array(2);
  const scratch: string[] = [];
  return {
    names: MULTICLASS_METRICS,
    order: null,
    evaluate(weights: Uint8Array, out: Float64Array): void {
      checkWeights(weights, out, n, MULTICLASS_METRICS.length);
      matrix.fill(0);
      sums.fill(0);
      for (let start = 0; start < n; start += PASS_CHUNK) {
        confusionStretch(cellOf, losses, weights, start, Math.min(n, start + PASS_CHUNK), matrix, sums);
      }
      const lossSum = sums[0]!;
      const total = sums[1]!;
      if (total === 0) {
        out.fill(Number.NaN, 0, MULTICLASS_METRICS.length);
        return;
      }
      scratch.length = 0;
      const macro = macroPrecisionRecallF1(matrix, k, scratch);
      const { trueSum } = classTotals(matrix, k);
      let rocAuc: number | null = null;
      let averagePrecision: number | null = null;
      if (trueSum.every((t) => t > 0)) {
        const scores = rankings.map((r) => weightedRankingScores(r, weights));
        averagePrecision = numpyMean(Float64Array.from(scores, (s) => s.ap));
        rocAuc = rowSumsOk || k === 2 ? numpyMean(Float64Array.from(scores, (s) => s.rocAuc)) : null;
      }
      writeMetrics(
        MULTICLASS_METRICS,
        {
          accuracy: trace(matrix, k) / total,
          balanced_accuracy: balancedAccuracy(matrix, k, scratch),
          precision: macro.precision,
          recall: macro.recall,
          f1: macro.f1,
          precision_macro: macro.precision,
          recall_macro: macro.recall,
          f1_macro: macro.f1,
          f1_weighted: macro.f1Weighted,
          f1_micro: microF1(matrix, k, total),
          roc_auc: rocAuc,
          average_precision: averagePrecision,
          log_loss: lossSum / total,
          mcc: matthewsCorrcoef(matrix, k, scratch),
        },
        out,
      );
    },
  };
}

/** Weighted regressionMetrics: positions in ascending order of the absolute error (for the median). */
export function regressionResampler(y: Float64Array, pred: Float64Array): MetricResampler {
  assertSameLength(y.length, pred.length, pred.length);
  assertFinite(y, "y");
  assertFinite(pred, "pred");
  const n = y.length;
  const absErrors = new Float64Array(n);
  for (let i = 0; i < n; i++) absErrors[i] = Math.abs(y[i]! - pred[i]!);
  const order = sortOrder(absErrors);
  const sortedAbs = new Float64Array(n);
  const sortedY = new Float64Array(n);
  const ratios = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    sortedAbs[j] = absErrors[i]!;
    sortedY[j] = y[i]!;
    ratios[j] = absErrors[i]! / Math.max(Math.abs(y[i]!), FLOAT64_EPS);
  }
  const passes = regressionPasses(sortedAbs, sortedY, ratios);
  // [weight, |error|, squared error, label, mape ratio (all weighted), last position with a weight]
  const sums = new Float64Array(6);
  return {
    names: REGRESSION_METRICS,
    order,
    evaluate(weights: Uint8Array, out: Float64Array): void {
      checkWeights(weights, out, n, REGRESSION_METRICS.length);
      sums.fill(0);
      sums[5] = -1;
      for (let start = 0; start < n; start += PASS_CHUNK) {
        passes.sums(weights, start, Math.min(n, start + PASS_CHUNK), sums);
      }
      const total = sums[0]!;
      const squareSum = sums[2]!;
      if (total === 0) {
        out.fill(Number.NaN, 0, REGRESSION_METRICS.length);
        return;
      }
      // r2_score with sample_weight: the denominator around the weighted mean, in a second pass.
      const mean = sums[3]! / total;
      let deviationSum = 0;
      for (let start = 0; start < n; start += PASS_CHUNK) {
        deviationSum += passes.deviations(weights, start, Math.min(n, start + PASS_CHUNK), mean);
      }
      let r2: number | null = null;
      if (total >= 2) r2 = deviationSum === 0 ? (squareSum === 0 ? 1 : 0) : 1 - squareSum / deviationSum;
      const mse = squareSum / total;
      writeMetrics(
        REGRESSION_METRICS,
        {
          mae: sums[1]! / total,
          mse,
          rmse: Math.sqrt(mse),
          r2,
          mape: sums[4]! / total,
          max_error: sortedAbs[sums[5]!]!,
          median_ae: weightedMedian(sortedAbs, weights, total),
        },
        out,
      );
    },
  };
}

/** The two passes of regressionResampler, one stretch per call (see PASS_CHUNK, binaryWeightedSums). */
function regressionPasses(sortedAbs: Float64Array, sortedY: Float64Array, ratios: Float64Array) {
  return {
    sums(weights: Uint8Array, start: number, end: number, sums: Float64Array): void {
      let total = sums[0]! + -0;
      let absSum = sums[1]! + -0;
      let squareSum = sums[2]! + -0;
      let ySum = sums[3]! + -0;
      let ratioSum = sums[4]! + -0;
      let last = sums[5]!;
      for (let j = start; j < end; j++) {
        const w = weights[j]!;
        const a = sortedAbs[j]!;
        total += w;
        absSum += w * a;
        squareSum += w * (a * a); // square first, as the per-row squared errors are
        ySum += w * sortedY[j]!;
        ratioSum += w * ratios[j]!;
        if (w > 0) last = j;
      }
      sums[0] = total;
      sums[1] = absSum;
      sums[2] = squareSum;
      sums[3] = ySum;
      sums[4] = ratioSum;
      sums[5] = last;
    },
    deviations(weights: Uint8Array, start: number, end: number, mean: number): number {
      let sum = -0;
      for (let j = start; j < end; j++) {
        const d = sortedY[j]! - mean;
        sum += weights[j]! * (d * d);
      }
      return sum;
    },
  };
}

/** np.median of the values repeated weights[j] times; `sorted` ascending, total = sum of the weights. */
function weightedMedian(sorted: Float64Array, weights: Uint8Array, total: number): number {
  const upper = Math.floor(total / 2); // 0-based position of the upper middle
  const lower = total % 2 === 1 ? upper : upper - 1;
  let seen = 0;
  let lowerValue = Number.NaN;
  for (let j = 0; j < sorted.length; j++) {
    seen += weights[j]!;
    if (Number.isNaN(lowerValue) && seen > lower) lowerValue = sorted[j]!;
    if (seen > upper) return lower === upper ? lowerValue : (lowerValue + sorted[j]!) / 2;
  }
  return Number.NaN;
}
