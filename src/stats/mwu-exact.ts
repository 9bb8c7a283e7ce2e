/**
 * Exact null distribution of the Mann-Whitney U statistic without ties.
 *
 * U counts pairs (x_i > y_j) between m x's and n y's. Under H0 every one of
 * the C(m+n, m) orderings is equally likely. Looking at the largest of the
 * m+n values: it is an x with probability m/(m+n), and then it beats all n
 * y's; otherwise it is a y and adds nothing. Hence (Mann & Whitney 1947)
 *   P(m, n, u) = m/(m+n)·P(m-1, n, u-n) + n/(m+n)·P(m, n-1, u),
 *   P(0, n, 0) = P(m, 0, 0) = 1.
 * Working with probabilities rather than counts keeps every step an addition
 * of positive numbers (no overflow of C(100, 50) ≈ 1e29, no cancellation).
 * Cost is about m²n²/4 additions: ~1.6 M for m = n = 50.
 */

/** Distributions already computed, by `m,n` (power simulations ask for the same sizes thousands of times). */
const CACHE = new Map<string, Float64Array>();
const CACHE_LIMIT = 256;

/** P(U = u) for u = 0..m·n (memoised; the returned array must not be modified). */
export function exactUDistribution(m: number, n: number): Float64Array {
  const key = `${m},${n}`;
  const cached = CACHE.get(key);
  if (cached) return cached;
  const dist = computeUDistribution(m, n);
  if (CACHE.size >= CACHE_LIMIT) CACHE.delete(CACHE.keys().next().value ?? key);
  CACHE.set(key, dist);
  return dist;
}

function computeUDistribution(m: number, n: number): Float64Array {
  // prev[j] holds the distribution for (i-1, j); cur[j] for (i, j).
  let prev: Float64Array[] = [];
  for (let j = 0; j <= n; j++) prev.push(Float64Array.of(1)); // i = 0
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)]; // j = 0
    for (let j = 1; j <= n; j++) {
      const dist = new Float64Array(i * j + 1);
      const fromX = prev[j]; // (i-1, j), shifted by j
      const fromY = cur[j - 1]; // (i, j-1)
      const px = i / (i + j);
      const py = j / (i + j);
      if (fromX) for (let u = 0; u < fromX.length; u++) dist[u + j] = (dist[u + j] ?? 0) + px * (fromX[u] ?? 0);
      if (fromY) for (let u = 0; u < fromY.length; u++) dist[u] = (dist[u] ?? 0) + py * (fromY[u] ?? 0);
      cur.push(dist);
    }
    prev = cur;
  }
  return prev[n] ?? Float64Array.of(1);
}

/**
 * Exact two-sided p-value for an integer U, as R's wilcox.test computes it:
 * 2·P(U ≤ u) when u is at or below the mean m·n/2, else 2·P(U ≥ u), capped at 1.
 */
export function exactTwoSidedP(u: number, m: number, n: number): number {
  const dist = exactUDistribution(m, n);
  let tail = 0;
  if (u <= (m * n) / 2) {
    for (let k = 0; k <= u; k++) tail += dist[k] ?? 0;
  } else {
    for (let k = u; k < dist.length; k++) tail += dist[k] ?? 0;
  }
  return Math.min(1, 2 * tail);
}

/** C(n, k) as a double (exact up to 2^53, relative error ~1e-15 beyond). */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const kk = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= kk; i++) c = (c * (n - kk + i)) / i;
  return c < 2 ** 53 ? Math.round(c) : c;
}

/** Smallest exact two-sided p-value possible with sample sizes m and n: 2 / C(m+n, m). */
export function exactMinP(m: number, n: number): number {
  if (m === 0 || n === 0) return 1;
  return Math.min(1, 2 / choose(m + n, m));
}
