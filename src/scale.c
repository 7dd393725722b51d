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
#include <string.h>

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

/* The (r + 1)-th smallest of v[0..m-1] (r < m), by Hoare's selection with
 * the median of three as the pivot: v is reordered so that v[r] holds it,
 * nothing larger before it and nothing smaller after it. */
static double select_rank(double *v, size_t m, size_t r)
{
    size_t lo = 0, hi = m - 1;
    while (lo < hi) {
        double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];
        double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = lo, j = hi;
        /* the pivot is one of the values, so both scans stop inside */
        for (;;) {
            while (v[i] < pivot) {
                i++;
            }
            while (pivot < v[j]) {
                j--;
            }
            if (i >= j) {
                break;
            }
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
            i++;
            j--;
        }
        /* now v[lo..i-1] <= pivot <= v[j+1..hi], i >= j */
        if (i == j) {
            /* v[j] is the pivot, in its place: the rest lies either side */
            if (r == j) {
                break;
            }
            if (r < j) {
                hi = j - 1;
            } else {
                lo = j + 1;
            }
        } else if (r <= j) {
            hi = j;
        } else if (r >= i) {
            lo = i;
        } else {
            break; /* j < r < i: v[r] is the pivot */
        }
    }
    return v[r];
}

/* The mean of ranks r and r + 1 of v[0..m-1] when both is set (r + 1 < m),
 * else rank r. Reorders v. */
static double middle_of(double *v, size_t m, size_t r, int both)
{
    double lower = select_rank(v, m, r);
    if (!both) {
        return lower;
    }
    /* rank r + 1 is the smallest of those after rank r */
    double upper = v[r + 1];
    for (size_t i = r + 2; i < m; i++) {
        upper = v[i] < upper ? v[i] : upper;
    }
    return 0.5 * (lower + upper);
}

/* Below this many values the median is one selection over them all. */
#define BRACKET_MIN 4096

/* The median of m unit-weight values as weighted_quantile(., 0.5) defines
 * it (R's quantile type 2): the middle value, or the mean of the two
 * middle ones. v is left as it was; scratch holds m doubles.
 *
 * On many values, selection over them all costs a mispredicted branch per
 * comparison. Instead a strided sample of ns = m^(2/3) values brackets the
 * median: its ranks ns/2 plus and minus 2 sqrt(ns), 4 standard deviations
 * of the sample rank of the median. One branch-free pass counts the values
 * below the bracket and copies those inside, about 4 m / sqrt(ns), and the
 * selection runs on the copy. Should the bracket miss (the counts say so
 * exactly), the selection runs over all values. */
static double unit_median(const double *v, size_t m, double *scratch)
{
    size_t r = (m - 1) / 2;
    int both = m % 2 == 0;
    if (m >= BRACKET_MIN) {
        size_t ns = (size_t) pow((double) m, 2.0 / 3.0);
        size_t step = m / ns;
        for (size_t t = 0; t < ns; t++) {
            scratch[t] = v[t * step];
        }
        double centre = (double) r * ns / m, spread = 2.0 * sqrt((double) ns);
        size_t rl = centre > spread ? (size_t) (centre - spread) : 0;
        size_t rh = (size_t) (centre + spread) + 1;
        rh = rh < ns ? rh : ns - 1;
        double lo = select_rank(scratch, ns, rl);
        double hi = select_rank(scratch, ns, rh);
        size_t below = 0, inside = 0;
        for (size_t i = 0; i < m; i++) {
            double x = v[i];
            below += x < lo;
            scratch[inside] = x;
            inside += x >= lo && x <= hi;
        }
        if (below <= r && r + both < below + inside) {
            return middle_of(scratch, inside, r - below, both);
        }
    }
    memcpy(scratch, v, m * sizeof(double));
    return middle_of(scratch, m, r, both);
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
        double median, s;
        if (dat->w == NULL) {
            /* unit weights: no weights to carry, and a bracket first */
            median = unit_median(xj, n, w);
            for (size_t i = 0; i < n; i++) {
                v[i] = fabs(xj[i] - median);
            }
            s = 1.4826 * unit_median(v, n, w);
        } else {
            load_column(dat, xj, 0.0, 0, v, w);
            median = weighted_quantile(v, w, n, W, 0.5);
            load_column(dat, xj, median, 1, v, w);
            s = 1.4826 * weighted_quantile(v, w, n, W, 0.5);
        }
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
