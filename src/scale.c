/* A robust scale per variable, for the ridge and the collapse yardstick:
 * 1.4826 times the weighted median absolute deviation from the weighted
 * median; where that is 0 (more than half the weight on tied values),
 * IQR / 1.349, then the standard deviation. One extreme row moves none of
 * them much, whereas it can make the variance as large as it likes.
 *
 * Weighted quantiles are those of the weighted empirical distribution F,
 * averaged at its flat steps: q(p) = (min{x : F(x) >= p} + min{x : F(x) > p}) / 2,
 * which for unit weights is R's quantile(type = 2) and for whole weights the
 * quantile of the repeated rows. Each is found by selection, O(n) expected,
 * with 2n doubles of scratch per call and no n x d temporary. */
#include "emix.h"
#include <math.h>

static void swap2(double *v, double *w, size_t a, size_t b)
{
    double t = v[a];
    v[a] = v[b];
    v[b] = t;
    t = w[a];
    w[a] = w[b];
    w[b] = t;
}

/* The smallest v[i] whose cumulative weight (of all entries <= it) reaches
 * target: >= target, or > target when strict. v and w are reordered. */
static double weighted_select(double *v, double *w, size_t m, double target, int strict)
{
    size_t lo = 0, hi = m;
    double below = 0.0; /* weight of the entries left of lo, all smaller */
    for (;;) {
        /* median of three as the pivot */
        double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
        double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        /* three-way partition of [lo, hi): < pivot, == pivot, > pivot */
        size_t lt = lo, i = lo, gt = hi;
        double w_lt = 0.0, w_eq = 0.0;
        while (i < gt) {
            if (v[i] < pivot) {
                w_lt += w[i];
                swap2(v, w, lt++, i++);
            } else if (v[i] > pivot) {
                swap2(v, w, i, --gt);
            } else {
                w_eq += w[i];
                i++;
            }
        }
        double upto_lt = below + w_lt, upto_eq = upto_lt + w_eq;
        if (lt > lo && (strict ? upto_lt > target : upto_lt >= target)) {
            hi = lt;
        } else if (gt == hi || (strict ? upto_eq > target : upto_eq >= target)) {
            return pivot; /* also the last value, should rounding leave target unreached */
        } else {
            below = upto_eq;
            lo = gt;
        }
    }
}

/* q(p) as above, from the m values v with weights w (total W); reorders them */
static double weighted_quantile(double *v, double *w, size_t m, double W, double p)
{
    /* Partial sums of the weights carry rounding (weights of 1e-10 do not
     * add up exactly): a band of 1e-12 W around p W counts as reaching it,
     * so that a common scale of the weights does not change the answer. */
    double band = 1e-12 * W;
    double first = weighted_select(v, w, m, p * W - band, 0);
    double last = weighted_select(v, w, m, p * W + band, 1);
    return 0.5 * (first + last);
}

/* column xj into v (or its absolute deviations from centre), weights into w */
static void load_column(const emix_data *dat, const double *xj, double centre, int deviations,
                        double *v, double *w)
{
    for (int i = 0; i < dat->n; i++) {
        v[i] = deviations ? fabs(xj[i] - centre) : xj[i];
        w[i] = emix_weight(dat, i);
    }
}

void emix_robust_scale(const emix_data *dat, double *scale)
{
    size_t n = (size_t) dat->n;
    double *v = (double *) R_alloc(n, sizeof(double));
    double *w = (double *) R_alloc(n, sizeof(double));
    double *mean = (double *) R_alloc(dat->d, sizeof(double));
    double *var = (double *) R_alloc(dat->d, sizeof(double));
    double W = 0.0;
    for (size_t i = 0; i < n; i++) {
        W += emix_weight(dat, (int) i);
    }
    emix_col_moments(dat, mean, var);
    for (int j = 0; j < dat->d; j++) {
        const double *xj = dat->x + n * j;
        load_column(dat, xj, 0.0, 0, v, w);
        double median = weighted_quantile(v, w, n, W, 0.5);
        load_column(dat, xj, median, 1, v, w);
        double s = 1.4826 * weighted_quantile(v, w, n, W, 0.5);
        if (!(s > 0.0)) {
            load_column(dat, xj, 0.0, 0, v, w);
            double q3 = weighted_quantile(v, w, n, W, 0.75);
            s = (q3 - weighted_quantile(v, w, n, W, 0.25)) / 1.349;
        }
        if (!(s > 0.0)) {
            s = sqrt(var[j]);
        }
        scale[j] = s;
    }
}
