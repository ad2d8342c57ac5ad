/**
 * Equal-width histogram between a column's min and max, derived from the kept values
 * (exact) or from the quantile sketch's weighted items (each bin's count is then off by
 * at most 2·ε·n for the sketch's rank error ε). Derived rather than accumulated: fixed bin
 * edges cannot be known before the stream ends, and a derived histogram merges for free.
 */

export interface Histogram {
  /** bins + 1 edges; the last bin includes the max. */
  edges: number[];
  counts: number[];
}

export function equalWidthHistogram(
  values: ArrayLike<number>,
  weights: ArrayLike<number> | null,
  min: number,
  max: number,
  bins = 20,
): Histogram {
  if (values.length === 0) return { edges: [], counts: [] };
  if (min === max) {
    let total = 0;
    for (let i = 0; i < values.length; i++) total += weights ? weights[i]! : 1;
    return { edges: [min, max], counts: [total] };
  }
  // Halved differences and convex combinations: no overflow even for min −1e308, max 1e308.
  const halfRange = max * 0.5 - min * 0.5;
  const edges = Array.from({ length: bins + 1 }, (_, i) =>
    i === bins ? max : min * (1 - i / bins) + max * (i / bins),
  );
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let bin = Math.floor(((v * 0.5 - min * 0.5) / halfRange) * bins);
    if (bin >= bins) bin = bins - 1;
    else if (bin < 0) bin = 0;
    counts[bin]! += weights ? weights[i]! : 1;
  }
  return { edges, counts };
}
