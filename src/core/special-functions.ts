/**
 * Special functions behind mlgate's drift p-values, ported so the numbers equal SciPy 1.10's.
 *
 * - `logGamma`: Stirling series after shifting the argument up (Abramowitz & Stegun 6.1.40).
 * - `chiSquareSurvival`: `scipy.special.chdtrc` = igamc(df/2, x/2); the regularized incomplete gamma uses
 *   Cephes' power series and continued fraction (igam.c; Numerical Recipes 3rd ed. §6.2).
 * - `normalCdf` / `normalSurvival`: Cephes `ndtr` with its `erf`/`erfc` rational approximations (ndtr.c),
 *   so the upper tail keeps full relative accuracy (`normalSurvival(10)` ≈ 7.6e-24, not 0).
 * - `smirnovSurvival`: `scipy.special.smirnov`, the exact one-sided one-sample KS survival function
 *   (Birnbaum–Tingey / Smirnov sum; Cephes kolmogorov.c as rewritten by van Mulbregt, arXiv:1802.06966).
 * - `kolmogorovSmirnovSurvival`: `scipy.stats.kstwo.sf(x, n)`, the exact two-sided one-sample KS
 *   distribution as `scipy/stats/_ksstats.py` computes it (Simard & L'Ecuyer 2011 algorithm choice:
 *   Ruben–Gambino, Durbin matrix (Marsaglia–Tsang–Wang), Pomeranz, Pelz–Good, 2·Smirnov). SciPy's
 *   `ks_2samp(method="asymp")` p-value is `kstwo.sf(d, round(n1*n2/(n1+n2)))`.
 *
 * Pure functions, no I/O.
 */

const LOG_2PI = Math.log(2 * Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const MACHEP = 2.220446049250313e-16; // 2^-52
/** Cephes MAXLOG = log(DBL_MAX) and MINLOG = log(2^-1075) (the smallest denormal). */
const MAXLOG = 709.782712893384;
const MINLOG = -745.1332191019412;

/** Bernoulli-number terms B_2j / (2j (2j-1)) for j = 8..1, highest first (as in scipy's `_ksstats.py`). */
const STIRLING_COEFFS = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
];

function polyval(coeffs: readonly number[], x: number): number {
  let y = 0;
  for (const c of coeffs) y = y * x + c;
  return y;
}

/** Cephes `p1evl`: polynomial with an implied leading coefficient 1. */
function p1evl(coeffs: readonly number[], x: number): number {
  let y = x + coeffs[0]!;
  for (let i = 1; i < coeffs.length; i++) y = y * x + coeffs[i]!;
  return y;
}

/** x * 2^e without overflowing or underflowing in the intermediate power (C's `ldexp`). */
export function ldexp(x: number, e: number): number {
  let y = x;
  let k = e;
  while (k > 1000) {
    y *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    y *= 2 ** -1000;
    k += 1000;
  }
  return y * 2 ** k;
}

function clip01(p: number): number {
  return Math.min(Math.max(p, 0), 1);
}

/** NumPy's `np.round`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * log Γ(x) for x > 0: shift x up to >= 15 with Γ(x+1) = xΓ(x), then the Stirling series with eight
 * Bernoulli terms (Abramowitz & Stegun 6.1.40); ~1e-15 absolute accuracy.
 */
export function logGamma(x: number): number {
  if (Number.isNaN(x) || x <= 0) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return x;
  let shift = 0;
  let z = x;
  if (z < 15) {
    let prod = 1;
    while (z < 15) {
      prod *= z;
      z += 1;
    }
    shift = Math.log(prod);
  }
  const rz = 1 / z;
  const series = rz * polyval(STIRLING_COEFFS, rz * rz);
  return (z - 0.5) * Math.log(z) - z + LOG_2PI / 2 + series - shift;
}

/** Cephes `igam_pow` series (DLMF 8.11.4): P(a, x) for x < a + 1. */
function lowerGammaSeries(a: number, x: number): number {
  const ax = a * Math.log(x) - x - logGamma(a);
  if (ax < -MAXLOG) return 0;
  let r = a;
  let c = 1;
  let ans = 1;
  for (let i = 0; i < 1_000_000; i++) {
    r += 1;
    c *= x / r;
    ans += c;
    if (c <= MACHEP * ans) break;
  }
  return (ans * Math.exp(ax)) / a;
}

/** Cephes `igamc` continued fraction (Legendre's, evaluated by the three-term recurrence): Q(a, x). */
function upperGammaFraction(a: number, x: number): number {
  const axLog = a * Math.log(x) - x - logGamma(a);
  if (axLog < -MAXLOG) return 0;
  const big = 4.503599627370496e15;
  const biginv = 2.220446049250313e-16;
  let y = 1 - a;
  let z = x + y + 1;
  let c = 0;
  let pkm2 = 1;
  let qkm2 = x;
  let pkm1 = x + 1;
  let qkm1 = z * x;
  let ans = pkm1 / qkm1;
  for (let i = 0; i < 1_000_000; i++) {
    c += 1;
    y += 1;
    z += 2;
    const yc = y * c;
    const pk = pkm1 * z - pkm2 * yc;
    const qk = qkm1 * z - qkm2 * yc;
    let t = 1;
    if (qk !== 0) {
      const r = pk / qk;
      t = Math.abs((ans - r) / r);
      ans = r;
    }
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    if (Math.abs(pk) > big) {
      pkm2 *= biginv;
      pkm1 *= biginv;
      qkm2 *= biginv;
      qkm1 *= biginv;
    }
    if (t <= MACHEP) break;
  }
  return ans * Math.exp(axLog);
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a) (`scipy.special.gammaincc`), a > 0, x >= 0. */
export function regularizedGammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || x < 0 || a <= 0) return Number.NaN;
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x < 1 || x < a) return 1 - lowerGammaSeries(a, x);
  return upperGammaFraction(a, x);
}

/** Regularized lower incomplete gamma P(a, x) (`scipy.special.gammainc`). */
export function regularizedGammaP(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || x < 0 || a <= 0) return Number.NaN;
  if (x === 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (x > 1 && x > a) return 1 - upperGammaFraction(a, x);
  return lowerGammaSeries(a, x);
}

/** Chi-square survival function `scipy.special.chdtrc(df, x)` = `scipy.stats.chi2.sf(x, df)`, df > 0. */
export function chiSquareSurvival(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}

// Cephes ndtr.c coefficients (erfc for 1 <= x < 8: P/Q; x >= 8: R/S; erf for |x| <= 1: T/U).
const ERFC_P = [
  2.461969814735305e-10, 0.5641895648310689, 7.463210564422699, 48.63719709856814, 196.5208329560771,
  526.4451949954773, 934.5285271719576, 1027.5518868951572, 557.5353353693994,
];
const ERFC_Q = [
  13.228195115474499, 86.70721408859897, 354.9377788878199, 975.7085017432055, 1823.9091668790973,
  2246.3376081871097, 1656.6630919416134, 557.5353408177277,
];
const ERFC_R = [
  0.5641895835477551, 1.275366707599781, 5.019050422511805, 6.160210979930536, 7.4097426995044895,
  2.9788666537210022,
];
const ERFC_S = [
  2.2605286322011726, 9.396035249380015, 12.048953980809666, 17.08144507475659, 9.608968090632859,
  3.369076451000815,
];
const ERF_T = [9.604973739870516, 90.02601972038427, 2232.005345946843, 7003.325141128051, 55592.30130103949];
const ERF_U = [
  33.56171416475031, 521.3579497801527, 4594.323829709801, 22629.000061389095, 49267.39426086359,
];

/** Cephes `erf`. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return -erf(-x);
  if (x > 1) return 1 - erfc(x);
  const z = x * x;
  return (x * polyval(ERF_T, z)) / p1evl(ERF_U, z);
}

/** Cephes `erfc`, accurate in relative terms far into the upper tail (underflows past x ≈ 26.6). */
export function erfc(a: number): number {
  if (Number.isNaN(a)) return Number.NaN;
  const x = Math.abs(a);
  if (x < 1) return 1 - erf(a);
  const z = -a * a;
  if (z < -MAXLOG) return a < 0 ? 2 : 0;
  const ez = Math.exp(z);
  const p = x < 8 ? polyval(ERFC_P, x) : polyval(ERFC_R, x);
  const q = x < 8 ? p1evl(ERFC_Q, x) : p1evl(ERFC_S, x);
  let y = (ez * p) / q;
  if (a < 0) y = 2 - y;
  if (y !== 0) return y;
  return a < 0 ? 2 : 0;
}

/** Standard normal CDF, Cephes `ndtr` (`scipy.special.ndtr`, `scipy.stats.norm.cdf`). */
export function normalCdf(a: number): number {
  if (Number.isNaN(a)) return Number.NaN;
  const x = a * Math.SQRT1_2;
  const z = Math.abs(x);
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
  const y = 0.5 * erfc(z);
  return x > 0 ? 1 - y : y;
}

/** Standard normal survival function `scipy.stats.norm.sf(x)` = `ndtr(-x)`. */
export function normalSurvival(x: number): number {
  return normalCdf(-x);
}

// ---------------------------------------------------------------------------------------------
// One-sided KS (Smirnov) distribution: scipy.special.smirnov
// ---------------------------------------------------------------------------------------------

/** Exact a*b as hi + lo (Dekker's product with Veltkamp splitting). */
function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  const split = 134217729; // 2^27 + 1
  const ca = split * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = split * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  const err = ah * bh - p + ah * bl + al * bh + al * bl;
  return [p, err];
}

/** floor(n*x) and its fractional part, computed exactly (Cephes `modNX`). */
function floorAndFraction(n: number, x: number): { floor: number; alpha: number } {
  const [hi, lo] = twoProduct(n, x);
  let fl = Math.floor(hi);
  let alpha: number;
  if (hi === fl) {
    alpha = lo;
    if (alpha < 0) {
      fl -= 1;
      alpha += 1;
    }
  } else {
    alpha = hi - fl + lo;
  }
  if (alpha >= 1) {
    fl += 1;
    alpha = 0;
  }
  return { floor: fl, alpha };
}

/**
 * `scipy.special.smirnov(n, x)`: P(D_n^+ >= x) for the one-sided one-sample KS statistic.
 *
 * Follows Cephes kolmogorov.c `_smirnov`: the same special cases (x <= 1/n, x >= 1 - 1/n, underflow,
 * n > 1e6 approximation) and the lower Smirnov/Birnbaum–Tingey sum with the same early termination.
 * Cephes sums in double-double; here each term is formed in log space (the binomial's log with a
 * compensated sum), which stays within ~3e-11 relative of SciPy on the golden grid (n up to 2e6).
 * Cephes switches to the upper sum for x <= 0.5/sqrt(n) (where the survival function is near 1); the
 * lower sum gives the same value there.
 */
export function smirnovSurvival(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1) || !Number.isInteger(n)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const { floor: nxfl, alpha } = floorAndFraction(n, x);
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  if (alpha === 0) n1mxfl -= 1;
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const cdf = x * (1 + x) ** (n - 1);
    return clip01(1 - cdf);
  }
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return clip01((1 - x) ** n);
  if (n > 1_000_000) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    return clip01(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }
  const nTerms = n1mxfl + 1;
  const vmid = Math.floor(n / 2);
  // A_0 = (1-x)^n / x; A_v = C(n,v) (1 - x - v/n)^(n-v) (x + v/n)^(v-1).
  let sum = Math.exp(n * Math.log1p(-x)) / x;
  // log C(n, j), accumulated with Neumaier's compensated sum so thousands of steps do not drift.
  let logBinom = 0;
  let logBinomLow = 0;
  for (let j = 1; j < nTerms; j++) {
    const step = Math.log((n - j + 1) / j);
    const t = logBinom + step;
    logBinomLow += Math.abs(logBinom) >= Math.abs(step) ? logBinom - t + step : step - t + logBinom;
    logBinom = t;
    const lower = x + j / n;
    const upper = (n - j) / n - x;
    const logTerm = logBinom + logBinomLow + (j - 1) * Math.log(lower) + (n - j) * Math.log(upper);
    const aj = upper > 0 ? Math.exp(logTerm) : 0;
    if (Number.isFinite(aj) && aj !== 0) sum += aj;
    if (aj !== 0) {
      if (4 * (nTerms - j) * Math.abs(aj) < MACHEP * sum && j !== nTerms - 1) break;
    } else if (j > vmid) {
      break;
    }
  }
  return clip01(x * sum);
}

// ---------------------------------------------------------------------------------------------
// Two-sided one-sample KS distribution: scipy.stats.kstwo (scipy/stats/_ksstats.py)
// ---------------------------------------------------------------------------------------------

const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;

/** log(n! / n^n) by Stirling with n*log(n) removed up front (`_log_nfactorial_div_n_pow_n`). */
function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * polyval(STIRLING_COEFFS, rn / n);
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!;
      if (aik === 0) continue;
      const rowB = k * m;
      const rowO = i * m;
      for (let j = 0; j < m; j++) out[rowO + j]! += aik * b[rowB + j]!;
    }
  }
  return out;
}

/** CDF P(D_n <= d) by Durbin's matrix algorithm as Marsaglia, Tsang & Wang (2003) evaluate it. */
function kolmogorovCdfDurbinMatrix(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H: Float64Array = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    v[j - 1] = 1 - h ** j;
    w[j - 1] = fac;
    fac /= j;
    v[j - 1]! *= fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)]!;
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r]!;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!;

  let Hpwr: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) Hpwr[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let Hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      Hpwr = matmul(Hpwr, H, m);
      expnt += Hexpnt;
    }
    H = matmul(H, H, m);
    Hexpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > EP128) {
      for (let i = 0; i < H.length; i++) H[i]! /= EP128;
      Hexpnt += E128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = Hpwr[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt);
  return clip01(p);
}

function pomeranzBounds(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** CDF P(D_n <= x) by the Pomeranz (1974) recursion, as `_kolmogn_Pomeranz` implements it. */
function kolmogorovCdfPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1;
  twogpower[0] = 1;
  onem2gpower[0] = 1;
  let expnt = 0;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1]! * gOverN) / m;
    twogpower[m] = (twogpower[m - 1]! * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1]! * oneMinusTwoGOverN) / m;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let [j1, j2] = pomeranzBounds(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]) — only the entries that are kept.
      const segStart = k1 - V0s;
      const segLen = Math.min(ln2, npwrs - segStart);
      const pLen = Math.min(ln2, npwrs);
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      let maxV = 0;
      for (let c = 0; c < convLen; c++) {
        const idx = convStart + c;
        let s = 0;
        const lo = Math.max(0, idx - pLen + 1);
        const hi = Math.min(idx, segLen - 1);
        for (let a = lo; a <= hi; a++) s += V0[segStart + a]! * pwrs[idx - a]!;
        V1[c] = s;
        if (s > maxV) maxV = s;
      }
      if (maxV > 0 && maxV < EM128) {
        for (let c = 0; c < V1.length; c++) V1[c]! *= EP128;
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = ldexp(ans, expnt);
  return clip01(ans);
}

/** Pelz–Good (1976) approximation to P(D_n <= x) (`_kolmogn_PelzGood`); not clipped, like SciPy's. */
function kolmogorovCdfPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const PI2 = Math.PI ** 2;
  const PI4 = Math.PI ** 4;
  const PI6 = Math.PI ** 6;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qpower = q ** (8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qpower + coeffs[i]!;
  }
  const denominators = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT_2PI) / denominators[i]!;
  q = Math.exp(-PI2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qk = q ** k2;
    const kpi = Math.PI * k;
    k2extra += k2 * qk;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk;
  }
  K[2]! += (k2extra * PI2 * SQRT_2PI) / (-36 * z3);
  K[3]! += (k3extra * PI2 * SQRT_2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i]! / n ** (i / 2);
  return sum;
}

/**
 * `scipy.stats.kstwo.sf(x, n)`: P(D_n >= x) for the two-sided one-sample KS statistic, choosing the
 * algorithm exactly as SciPy 1.10's `_kolmogn(n, x, cdf=False)` does.
 */
export function kolmogorovSmirnovSurvival(n: number, x: number): number {
  if (Number.isNaN(x) || !Number.isInteger(n) || n <= 0) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: 1/2n <= x <= 1/n
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1 - cdf);
  }
  if (t >= n - 1) return clip01(2 * (1 - x) ** n); // Ruben–Gambino
  if (x >= 0.5) return clip01(2 * smirnovSurvival(n, x));
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return clip01(1 - kolmogorovCdfDurbinMatrix(n, x));
    if (nxSquared <= 4) return clip01(1 - kolmogorovCdfPomeranz(n, x));
    return clip01(2 * smirnovSurvival(n, x));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clip01(2 * smirnovSurvival(n, x));
  let cdf: number;
  if (nxSquared >= 18) cdf = 1;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdf = kolmogorovCdfDurbinMatrix(n, x);
  else cdf = kolmogorovCdfPelzGood(n, x);
  return clip01(1 - cdf);
}
