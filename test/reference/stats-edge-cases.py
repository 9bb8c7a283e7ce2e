#!/usr/bin/env python3
"""Reference values pinned in test/unit/stats/mwu-ties.test.ts and min-effect.test.ts.

Not run by the tests (they must not depend on SciPy); run by hand to reproduce
the pinned numbers: `python3 test/reference/stats-edge-cases.py` (SciPy >= 1.9 for
permutation_test; the pinned values were computed with SciPy 1.17.1).

Exact p-values with ties come from a per-value subset-sum dynamic program over
doubled mid-ranks in exact Python integers — a different algorithm from the
TypeScript one (per tie group, with binomial weights) — and are cross-checked
with SciPy's permutation_test, which enumerates every split.
"""
from fractions import Fraction
from math import comb
import numpy as np
from scipy import stats

def midranks2(pooled):
    s = sorted(pooled); r = {}
    i = 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]: j += 1
        r[s[i]] = i + 1 + j  # doubled mid-rank
        i = j
    return [r[v] for v in pooled]

def exact_p(a, b):
    """Per-value subset-sum DP in exact integers (not the per-group DP of the TS code)."""
    n1 = len(a); pooled = a + b; r2 = midranks2(pooled)
    dp = [dict() for _ in range(n1 + 1)]; dp[0][0] = 1
    for v in r2:
        for c in range(n1 - 1, -1, -1):
            for s, k in list(dp[c].items()):
                dp[c + 1][s + v] = dp[c + 1].get(s + v, 0) + k
    total = comb(len(pooled), n1)
    obs = sum(r2[:n1])
    lo = sum(k for s, k in dp[n1].items() if s <= obs)
    hi = sum(k for s, k in dp[n1].items() if s >= obs)
    smin, smax = min(dp[n1]), max(dp[n1])
    p = min(Fraction(1), Fraction(2 * min(lo, hi), total))
    minp = min(Fraction(1), Fraction(2 * min(dp[n1][smin], dp[n1][smax]), total))
    u = Fraction(obs, 2) - Fraction(n1 * (n1 + 1), 2)
    return u, p, minp

def scipy_perm(a, b):
    stat = lambda x, y, axis: stats.mannwhitneyu(x, y, axis=axis, method='asymptotic').statistic
    return stats.permutation_test((a, b), stat, permutation_type='independent', alternative='two-sided', n_resamples=np.inf).pvalue

cases = {
 'A 6v6 each side tied': ([1.0]*6, [2.0]*6),
 'B 5v5 each side tied': ([1.0]*5, [2.0]*5),
 'C base 1000x6 vs 1000x3,1100x3': ([1000.0]*6, [1000.0]*3 + [1100.0]*3),
 'D asymmetric': ([1,1,2,3,3,3,4], [2,2,3,5,6]),
 'E larger side first': ([5,5,5,6,7,7,8,9,9,9], [4,5,6,6,9]),
 'F identical 5v5': ([1,2,3,4,5], [5,4,3,2,1]),
}
for name, (a, b) in cases.items():
    u, p, minp = exact_p([float(x) for x in a], [float(x) for x in b])
    print(name, 'U =', u, 'p =', p, float(p), 'minP =', minp, float(minp), 'scipy perm =', scipy_perm(a, b),
          'scipy asymptotic =', stats.mannwhitneyu(a, b, method='asymptotic').pvalue)
left = [310, 195, 530, 155, 530, 245, 385, 450, 465, 545, 170, 180, 125, 180, 230, 75, 430, 480, 495, 295]
right = [116, 171, 176, 421, 111, 326, 481, 111, 346, 441, 261, 411, 206, 521, 456, 446, 296, 51, 426, 261]
u, p, minp = exact_p([float(x) for x in left], [float(x) for x in right])
print('ClickHouse', u, p, float(p), float(minp))

# The minimum-effect edge cases: the IEEE-754 double results every language gives.
print('10000 -> 9500:', (9500 / 10000 - 1) * 100, ' exact: -5 %')
print('10000 -> 9000:', (9000 / 10000 - 1) * 100, ' exact: -10 %')
print('10000 -> 10500:', (10500 / 10000 - 1) * 100, ' exact: +5 %')
