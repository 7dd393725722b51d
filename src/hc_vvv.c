/* Model-based hierarchical agglomeration under the VVV model (Banfield and
 * Raftery 1993; Fraley 1998), the start that emix_select() shares between
 * models, with the criterion and the regularisation of mclust's hcVVV().
 *
 * Every row starts as a cluster of its own; each step merges the pair whose
 * merge costs least. A cluster of size n (its weight: a row of weight w
 * counts as w rows), scatter matrix W about its mean and trace t = tr(W)
 * contributes the term
 *   T = n log(det(W / n) + beta (t + a) / n),
 * and n log(beta (t + a) / n) while n <= d (W is singular there) or when W
 * is singular for other reasons; a merge costs T(a u b) - T(a) - T(b). The
 * trace term regularises small clusters: `a` is alpha times the mean
 * variance of the variables (sum_i w_i |x_i - mean|^2 / (N d)), at least
 * DBL_EPSILON. As in mclust, a pair of two single rows of unit weight
 * takes the trace form even in one variable, where n = 2 > d.
 *
 * Each cluster keeps its size, mean, trace, term and an upper triangular
 * factor R of its scatter (W = R'R), of min(rows - 1, d) rows: the factor
 * of a merge is R_a with the rows of R_b and sqrt(n_a n_b / n) (mean_a -
 * mean_b) added by Givens rotations. The factors' rows live in one m x d
 * pool, the rows of a cluster's factor in the pool rows of its first
 * members (a cluster never needs more rows than it has members), so memory
 * is O(m d) besides the m (m - 1) / 2 pair costs.
 *
 * The clusters occupy slots 0..L (L + 1 clusters). Merging slots i < j puts
 * the merged cluster in slot i and the cluster of slot L in slot j, so the
 * slots stay 0..L - 1; the pair chosen is the least cost and, on a tie, the
 * last in the order (0,1), (0,2), (1,2), (0,3), ... of the slots. These are
 * mclust's slots and its order, so ties (repeated rows) are broken as in
 * hcVVV(). Each slot j keeps the least cost of its pairs (i, j), i < j
 * (on a tie the largest i); after a merge only the pairs of the slots i and
 * j change, so a slot's least cost is found again by a scan of its pairs
 * only when it was one of these. Time is O(m^2 d) for the first costs and
 * O(m d^3) at most per merge, besides such scans. */
#include "emix.h"
#include <float.h>
#include <math.h>
#include <string.h>

/* The pair (i, j), i < j, in the packed triangle of costs. */
static inline size_t pair_index(int i, int j)
{
    return (size_t) j * (j - 1) / 2 + i;
}

/* Adds the row v (length d, overwritten) to the upper trapezoidal factor R
 * (d x d row-major, `used` rows): Givens rotations against the existing
 * rows zero v's leading entries, and what is left of v becomes a new row
 * while there are fewer than d. Returns the number of rows after. */
static int add_row(double *R, int used, double *v, int d)
{
    for (int i = 0; i < used; i++) {
        double *r = R + (size_t) d * i;
        double a = r[i], b = v[i];
        if (b == 0.0) {
            continue;
        }
        /* not hypot(): a and b are entries of factors of scatters in the
         * standardised coordinates, far from overflow, and hypot() would
         * take a quarter of the time */
        double h = sqrt(a * a + b * b), c = a / h, s = b / h;
        for (int j = i; j < d; j++) {
            double rj = r[j], vj = v[j];
            r[j] = c * rj + s * vj;
            v[j] = c * vj - s * rj;
        }
        v[i] = 0.0;
    }
    if (used < d) {
        double *r = R + (size_t) d * used;
        for (int j = 0; j < d; j++) {
            r[j] = j < used ? 0.0 : v[j];
        }
        used++;
    }
    return used;
}

/* log det(R'R / n) for a factor of d rows; -Inf when a diagonal entry is 0. */
static double log_det_scatter(const double *R, int used, int d, double n)
{
    if (used < d) {
        return R_NegInf;
    }
    double s = 0.0;
    for (int i = 0; i < d; i++) {
        double r = fabs(R[(size_t) d * i + i]);
        if (r == 0.0) {
            return R_NegInf;
        }
        s += log(r);
    }
    return 2.0 * s - d * log(n);
}

/* A cluster's term (see the top of the file) from its size, trace and
 * log det(W / n) (-Inf for the trace form). */
static double cluster_term(double n, double trace, double logdet, double alpha, double beta)
{
    double t = log(beta * (trace + alpha) / n);
    if (logdet == R_NegInf) {
        return n * t;
    }
    double hi = fmax(logdet, t), lo = fmin(logdet, t);
    return n * (hi + log1p(exp(lo - hi)));
}

/* The same term from det(W / n) itself, with one log in place of up to
 * d + 3 (logs, log1p, exp) of the logarithmic form, which the costs of the
 * merges spend most of their time in; NAN when det is NAN or det + beta
 * (t + a) / n overflows (the caller takes the logarithmic form then). */
static double cluster_term_det(double n, double trace, double det, double alpha, double beta)
{
    double sum = det + beta * (trace + alpha) / n;
    return sum <= DBL_MAX ? n * log(sum) : NAN;
}

/* det(R'R / n) of a factor of d rows, as the product of (R_ii^2 / n): 0
 * when R is singular; NAN when a partial product leaves the normal range
 * of doubles, where it would overflow or lose digits (the logarithmic
 * form is taken then). */
static double det_scatter(const double *R, int used, int d, double n)
{
    if (used < d) {
        return 0.0;
    }
    for (int i = 0; i < d; i++) {
        if (R[(size_t) d * i + i] == 0.0) {
            return 0.0;
        }
    }
    double p = 1.0;
    for (int i = 0; i < d; i++) {
        double r = R[(size_t) d * i + i];
        p *= r * r / n;
        if (!(p >= DBL_MIN && p <= DBL_MAX)) {
            return NAN;
        }
    }
    return p;
}

typedef struct {
    emix_hc_vvv_scratch *s;
    int d;
    double alpha, beta;
} hc_state;

/* The merge of slots a and b: its size, trace and term, and, when `R` is
 * not NULL or the term needs it, its factor in R (d x d; scratch when R is
 * NULL). Returns the term. */
static double merged_term(const hc_state *st, int a, int b, double *size, double *trace, int *used,
                          double *R)
{
    const emix_hc_vvv_scratch *s = st->s;
    int d = st->d;
    double na = s->size[a], nb = s->size[b], n = na + nb;
    const double *ma = s->mean + (size_t) d * a, *mb = s->mean + (size_t) d * b;
    double f = sqrt(na * nb / n), dist = 0.0;
    double *v = s->vec;
    for (int j = 0; j < d; j++) {
        v[j] = f * (ma[j] - mb[j]);
        dist += v[j] * v[j];
    }
    *size = n;
    *trace = s->trace[a] + s->trace[b] + dist;
    int single_pair = s->rows[a] == 1 && s->rows[b] == 1 && na == 1.0 && nb == 1.0;
    int trace_form = n <= d || single_pair || *trace == 0.0;
    *used = 0;
    if (trace_form && R == NULL) {
        return cluster_term(n, *trace, R_NegInf, st->alpha, st->beta);
    }
    /* start from the factor with more rows: fewer rotations */
    int base = a, other = b;
    if (s->rank[b] > s->rank[a]) {
        base = b;
        other = a;
    }
    if (R == NULL && s->rank[base] + s->rank[other] + 1 < d) {
        /* W_a + W_b + v v' is singular, as its factor would say: the
         * trace form */
        return cluster_term(n, *trace, R_NegInf, st->alpha, st->beta);
    }
    if (R == NULL && s->rank[other] == 0 && s->rows[other] == 1) {
        /* a single row joins: W = W_base + v v' */
        int rank = s->rank[base];
        if (rank == d && s->logdet[base] > R_NegInf) {
            /* det(W + v v') = det(W) (1 + |y|^2) with R'y = v (the matrix
             * determinant lemma): no rotations. R'y = v is solved row by
             * row of R, in the order of the cluster's pool rows, with the
             * reciprocals of R's diagonal kept with the cluster. */
            double *y = s->vec2, q = 0.0;
            const double *inv = s->inv_diag + (size_t) d * base;
            memcpy(y, v, d * sizeof(double));
            int member = s->head[base];
            for (int u = 0; u < d; u++) {
                const double *ru = s->pool + (size_t) d * member;
                double yu = y[u] * inv[u];
                for (int t = u + 1; t < d; t++) {
                    y[t] -= ru[t] * yu;
                }
                q += yu * yu;
                member = s->next[member];
            }
            if (s->lemma_det[base] > 0.0 && s->size[other] == 1.0) {
                /* det(W / n) = det(W_base) / n^d (1 + |y|^2), the first
                 * factor kept with the cluster for a row of weight 1 (a
                 * product that overflows gives NAN) */
                double term = cluster_term_det(n, *trace, s->lemma_det[base] * (1.0 + q),
                                               st->alpha, st->beta);
                if (!isnan(term)) {
                    return term;
                }
            }
            return cluster_term(n, *trace, s->logdet[base] + log1p(q) - d * log(n), st->alpha,
                                st->beta);
        }
    }
    if (R == NULL) {
        R = s->work;
    }
    int member = s->head[base];
    for (int t = 0; t < s->rank[base]; t++) {
        memcpy(R + (size_t) d * t, s->pool + (size_t) d * member, d * sizeof(double));
        member = s->next[member];
    }
    int u = s->rank[base];
    double *row = s->vec2;
    member = s->head[other];
    for (int t = 0; t < s->rank[other]; t++) {
        memcpy(row, s->pool + (size_t) d * member, d * sizeof(double));
        u = add_row(R, u, row, d);
        member = s->next[member];
    }
    u = add_row(R, u, v, d);
    *used = u;
    if (trace_form) {
        return cluster_term(n, *trace, R_NegInf, st->alpha, st->beta);
    }
    double term = cluster_term_det(n, *trace, det_scatter(R, u, d, n), st->alpha, st->beta);
    if (!isnan(term)) {
        return term;
    }
    return cluster_term(n, *trace, log_det_scatter(R, u, d, n), st->alpha, st->beta);
}

/* The cost of merging slots a and b. */
static double pair_cost(const hc_state *st, int a, int b)
{
    double size, trace;
    int used;
    double t = merged_term(st, a, b, &size, &trace, &used, NULL);
    return t - st->s->term[a] - st->s->term[b];
}

/* Slot j's least cost over its pairs (i, j), i < j, the largest i on a tie. */
static void scan_row(emix_hc_vvv_scratch *s, int j)
{
    const double *c = s->cost + pair_index(0, j);
    double best = c[0];
    int arg = 0;
    for (int i = 1; i < j; i++) {
        if (c[i] <= best) {
            best = c[i];
            arg = i;
        }
    }
    s->row_cost[j] = best;
    s->row_arg[j] = arg;
}

/* Slot h's least cost after its pair with slot c changed. */
static void update_row(emix_hc_vvv_scratch *s, int h, int c)
{
    double v = s->cost[pair_index(c, h)];
    if (s->row_arg[h] == c) {
        scan_row(s, h);
    } else if (v < s->row_cost[h] || (v == s->row_cost[h] && c > s->row_arg[h])) {
        s->row_cost[h] = v;
        s->row_arg[h] = c;
    }
}

/* Labels 1.. of the rows among the slots 0..last, numbered in the order of
 * their first rows. */
static void write_labels(const emix_hc_vvv_scratch *s, int m, int last, int *out)
{
    int *slot = s->first;
    for (int c = 0; c <= last; c++) {
        for (int row = s->head[c]; row >= 0; row = s->next[row]) {
            slot[row] = c;
        }
    }
    int *label = s->label;
    for (int c = 0; c <= last; c++) {
        label[c] = 0;
    }
    int next = 0;
    for (int i = 0; i < m; i++) {
        if (label[slot[i]] == 0) {
            label[slot[i]] = ++next;
        }
        out[i] = label[slot[i]];
    }
}

/* The mean variance of the variables, sum_i w_i |x_i - mean|^2 / (N d). */
static double mean_variance(const emix_data *dat)
{
    int m = dat->n, d = dat->d;
    double total = 0.0, ss = 0.0;
    for (int i = 0; i < m; i++) {
        total += emix_weight(dat, i);
    }
    for (int j = 0; j < d; j++) {
        const double *x = dat->x + (size_t) m * j;
        double mean = 0.0;
        for (int i = 0; i < m; i++) {
            mean += emix_weight(dat, i) * x[i];
        }
        mean /= total;
        for (int i = 0; i < m; i++) {
            double t = x[i] - mean;
            ss += emix_weight(dat, i) * t * t;
        }
    }
    return ss / (total * d);
}

void emix_hc_vvv(const emix_data *dat, double alpha, double beta, const int *ks, int nk,
                 int *merge, double *cost, int *labels, emix_hc_vvv_scratch *s)
{
    int m = dat->n, d = dat->d;
    hc_state st = {s, d, fmax(alpha * mean_variance(dat), DBL_EPSILON), beta};
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < d; j++) {
            s->mean[(size_t) d * i + j] = dat->x[i + (size_t) m * j];
        }
        s->size[i] = emix_weight(dat, i);
        s->trace[i] = 0.0;
        s->term[i] = cluster_term(s->size[i], 0.0, R_NegInf, st.alpha, st.beta);
        s->logdet[i] = R_NegInf;
        s->lemma_det[i] = 0.0;
        s->rows[i] = 1;
        s->rank[i] = 0;
        s->rep[i] = i;
        s->head[i] = s->tail[i] = i;
        s->next[i] = -1;
    }
    for (int j = 1; j < m; j++) {
        double *c = s->cost + pair_index(0, j);
        for (int i = 0; i < j; i++) {
            c[i] = pair_cost(&st, i, j);
        }
        scan_row(s, j);
        if ((j & 63) == 63) {
            R_CheckUserInterrupt();
        }
    }
    for (int last = m - 1;;) {
        for (int q = 0; q < nk; q++) {
            if (ks[q] == last + 1) {
                write_labels(s, m, last, labels + (size_t) m * q);
            }
        }
        if (last == 0) {
            break;
        }
        /* the least cost, the last slot on a tie */
        int j = 1;
        for (int h = 2; h <= last; h++) {
            if (s->row_cost[h] <= s->row_cost[j]) {
                j = h;
            }
        }
        int i = s->row_arg[j];
        int step = m - 1 - last;
        int ri = s->rep[i], rj = s->rep[j];
        merge[step] = (ri < rj ? ri : rj) + 1;
        merge[(size_t) step + (m - 1)] = (ri < rj ? rj : ri) + 1;
        cost[step] = s->row_cost[j];

        /* the merged cluster in slot i */
        double size, trace;
        int used;
        double term = merged_term(&st, i, j, &size, &trace, &used, s->work);
        double *mi = s->mean + (size_t) d * i, *mj = s->mean + (size_t) d * j;
        for (int t = 0; t < d; t++) {
            mi[t] = (s->size[i] * mi[t] + s->size[j] * mj[t]) / size;
        }
        s->size[i] = size;
        s->trace[i] = trace;
        s->term[i] = term;
        s->logdet[i] = used == d ? log_det_scatter(s->work, used, d, 1.0) : R_NegInf;
        s->lemma_det[i] = 0.0;
        if (s->logdet[i] > R_NegInf) {
            for (int t = 0; t < d; t++) {
                s->inv_diag[(size_t) d * i + t] = 1.0 / s->work[(size_t) d * t + t];
            }
            /* det(W) / (size + 1)^d, for a row of weight 1 joining; 0
             * (not kept) outside the normal range of doubles */
            double lemma = det_scatter(s->work, used, d, size + 1.0);
            s->lemma_det[i] = isnan(lemma) ? 0.0 : lemma;
        }
        s->rows[i] += s->rows[j];
        s->rank[i] = used;
        s->rep[i] = ri < rj ? ri : rj;
        s->next[s->tail[i]] = s->head[j];
        s->tail[i] = s->tail[j];
        int row = s->head[i];
        for (int t = 0; t < used; t++) {
            memcpy(s->pool + (size_t) d * row, s->work + (size_t) d * t, d * sizeof(double));
            row = s->next[row];
        }

        /* the last slot's cluster moves to slot j, with its pair costs */
        if (j != last) {
            for (int t = 0; t < d; t++) {
                mj[t] = s->mean[(size_t) d * last + t];
            }
            s->size[j] = s->size[last];
            s->trace[j] = s->trace[last];
            s->term[j] = s->term[last];
            s->logdet[j] = s->logdet[last];
            s->lemma_det[j] = s->lemma_det[last];
            memcpy(s->inv_diag + (size_t) d * j, s->inv_diag + (size_t) d * last,
                   d * sizeof(double));
            s->rows[j] = s->rows[last];
            s->rank[j] = s->rank[last];
            s->rep[j] = s->rep[last];
            s->head[j] = s->head[last];
            s->tail[j] = s->tail[last];
            for (int h = 0; h < last; h++) {
                if (h < j) {
                    s->cost[pair_index(h, j)] = s->cost[pair_index(h, last)];
                } else if (h > j) {
                    s->cost[pair_index(j, h)] = s->cost[pair_index(h, last)];
                }
            }
        }
        last--;

        /* the merged cluster's pairs, and the least cost of each slot */
        for (int h = 0; h <= last; h++) {
            if (h != i) {
                double c = pair_cost(&st, i, h);
                s->cost[h < i ? pair_index(h, i) : pair_index(i, h)] = c;
            }
        }
        if (i > 0) {
            scan_row(s, i);
        }
        if (j <= last) {
            scan_row(s, j);
        }
        for (int h = i + 1; h <= last; h++) {
            if (h == j) {
                continue;
            }
            if (h > j && j <= last) {
                /* both its pairs with i and with j changed */
                int a = s->row_arg[h];
                if (a == i || a == j) {
                    scan_row(s, h);
                } else {
                    update_row(s, h, i);
                    update_row(s, h, j);
                }
            } else {
                update_row(s, h, i);
            }
        }
        if ((step & 31) == 31) {
            R_CheckUserInterrupt();
        }
    }
}
