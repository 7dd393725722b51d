/* The k-means start: k-means++ seeding (Arthur and Vassilvitskii 2007) and
 * weighted Lloyd iterations.
 *
 * Distances are those of the standardised data,
 *   D(i, c) = sum_j (x_ij - c_j)^2 / var_j,
 * computed from the raw columns with one scale factor per variable, so that
 * the variables weigh alike without an n x d standardised copy; the centres
 * stay in the data's units. Rows are taken a block of EMIX_BLOCK at a time
 * with the rows as the inner loop, as in the E-step, so the loops vectorise.
 *
 * The random draws come from R's generator (the caller brackets them with
 * GetRNGstate / PutRNGstate) and are made outside any parallel region. The
 * Lloyd pass runs over chunks of rows that depend on n only, with one set of
 * sums per chunk added in chunk order, so the result does not depend on the
 * number of threads. */
#include "emix.h"
#include "omp_compat.h"
#include <math.h>
#include <string.h>

/* out[i] = D(row i0 + i, centre) for a block of nb rows; the centre's
 * coordinate j is centre[stride * j] (a row of the k x d centre matrix, or a
 * row of the data itself). */
EMIX_HOT
static void block_distance(const emix_data *dat, const double *inv_var, int i0, int nb,
                           const double *centre, size_t stride, double *out)
{
    for (int i = 0; i < nb; i++) {
        out[i] = 0.0;
    }
    for (int j = 0; j < dat->d; j++) {
        const double *xj = dat->x + (size_t) dat->n * j + i0;
        double m = centre[stride * j], s = inv_var[j];
        EMIX_SIMD
        for (int i = 0; i < nb; i++) {
            double t = xj[i] - m;
            out[i] += s * t * t;
        }
    }
}

/* Each row's nearest centre (the first on a tie) and its distance. Built
 * for each instruction set as the distances are: at the baseline the
 * selection below stays scalar, and took three quarters of a Lloyd pass. */
EMIX_HOT
static void block_nearest(const emix_data *dat, const double *inv_var, int i0, int nb,
                          const double *centres, int k, double *dist, double *best_d,
                          int *best_c)
{
    block_distance(dat, inv_var, i0, nb, centres, (size_t) k, best_d);
    for (int i = 0; i < nb; i++) {
        best_c[i] = 0;
    }
    for (int c = 1; c < k; c++) {
        block_distance(dat, inv_var, i0, nb, centres + c, (size_t) k, dist);
        /* selects rather than branches, so the loop vectorises */
        EMIX_SIMD
        for (int i = 0; i < nb; i++) {
            int closer = dist[i] < best_d[i];
            best_d[i] = closer ? dist[i] : best_d[i];
            best_c[i] = closer ? c : best_c[i];
        }
    }
}

/* The weight a row gets in the next draw: w_i D_i^2 for k-means++, w_i for
 * a row away from every centre drawn so far for the random start. */
static inline double draw_mass(const emix_data *dat, const double *nearest, int i, int mode)
{
    double w = emix_weight(dat, i);
    if (nearest == NULL) {
        return w;
    }
    return mode == EMIX_SEED_PP ? w * nearest[i] : (nearest[i] > 0.0 ? w : 0.0);
}

/* A row drawn with probability draw_mass / total by the inverse CDF, or -1
 * when the total is zero. */
static int draw_row(const emix_data *dat, const double *nearest, int mode)
{
    double total = 0.0;
    for (int i = 0; i < dat->n; i++) {
        total += draw_mass(dat, nearest, i, mode);
    }
    if (!(total > 0.0)) {
        return -1;
    }
    double u = unif_rand() * total, acc = 0.0;
    int last = -1;
    for (int i = 0; i < dat->n; i++) {
        double m = draw_mass(dat, nearest, i, mode);
        if (m > 0.0) {
            acc += m;
            last = i;
            if (acc > u) {
                return i;
            }
        }
    }
    return last; /* u within rounding of the total */
}

int emix_kmeans_seed(const emix_data *dat, const double *inv_var, int k, int mode, int *rows,
                     double *nearest)
{
    EMIX_ALIGNED double dist[EMIX_BLOCK];
    rows[0] = draw_row(dat, NULL, mode);
    if (rows[0] < 0) {
        return 0;
    }
    for (int c = 1; c < k; c++) {
        /* nearest[i]: distance to the closest centre drawn so far */
        const double *centre = dat->x + rows[c - 1];
        for (int i0 = 0; i0 < dat->n; i0 += EMIX_BLOCK) {
            int nb = dat->n - i0 < EMIX_BLOCK ? dat->n - i0 : EMIX_BLOCK;
            block_distance(dat, inv_var, i0, nb, centre, (size_t) dat->n, dist);
            double *near = nearest + i0;
            for (int i = 0; i < nb; i++) {
                near[i] = c == 1 || dist[i] < near[i] ? dist[i] : near[i];
            }
        }
        rows[c] = draw_row(dat, nearest, mode);
        if (rows[c] < 0) {
            return c;
        }
    }
    return k;
}

/* Per chunk: the weights N (k) and sums s (k x d, about the current
 * centres) of its rows by nearest centre, its inertia and changed labels. */
typedef struct {
    double *N, *s, inertia;
    int changed;
    double *dist, *best_d, *weight; /* EMIX_BLOCK each */
    int *best_c;
} lloyd_chunk;

/* Assigns the rows of chunk ch to their nearest centres and sums them. */
static void lloyd_assign_chunk(const emix_data *dat, const double *inv_var, const double *centres,
                               int k, int first, int end, int *labels, int with_sums,
                               lloyd_chunk *ch)
{
    int d = dat->d, n = dat->n;
    memset(ch->N, 0, (size_t) k * sizeof(double));
    memset(ch->s, 0, (size_t) k * d * sizeof(double));
    /* in locals: through ch they would be stored and reloaded every row */
    double inertia = 0.0;
    int changed = 0;
    for (int i0 = first; i0 < end; i0 += EMIX_BLOCK) {
        int nb = end - i0 < EMIX_BLOCK ? end - i0 : EMIX_BLOCK;
        block_nearest(dat, inv_var, i0, nb, centres, k, ch->dist, ch->best_d, ch->best_c);
        double *wb = ch->weight;
        for (int i = 0; i < nb; i++) {
            double w = wb[i] = emix_weight(dat, i0 + i);
            changed += labels[i0 + i] != ch->best_c[i];
            labels[i0 + i] = ch->best_c[i];
            ch->N[ch->best_c[i]] += w;
            inertia += w * ch->best_d[i];
        }
        for (int j = 0; j < d && with_sums; j++) {
            const double *xj = dat->x + (size_t) n * j + i0;
            double *sj = ch->s + (size_t) k * j;
            const double *cj = centres + (size_t) k * j;
            for (int i = 0; i < nb; i++) {
                int c = ch->best_c[i];
                sj[c] += wb[i] * (xj[i] - cj[c]);
            }
        }
    }
    ch->inertia = inertia;
    ch->changed = changed;
}

/* A component without rows of positive weight takes the row of positive
 * weight nearest its centre from a component that has more than one. */
static void lloyd_fill_empty(const emix_data *dat, const double *inv_var, const double *centres,
                             int k, int *labels)
{
    int n = dat->n;
    int *count = (int *) R_alloc(k, sizeof(int));
    memset(count, 0, (size_t) k * sizeof(int));
    for (int i = 0; i < n; i++) {
        count[labels[i]] += emix_weight(dat, i) > 0.0;
    }
    EMIX_ALIGNED double dist[EMIX_BLOCK];
    for (int c = 0; c < k; c++) {
        if (count[c] > 0) {
            continue;
        }
        int best = -1;
        double best_d = R_PosInf;
        for (int i0 = 0; i0 < n; i0 += EMIX_BLOCK) {
            int nb = n - i0 < EMIX_BLOCK ? n - i0 : EMIX_BLOCK;
            block_distance(dat, inv_var, i0, nb, centres + c, (size_t) k, dist);
            for (int i = 0; i < nb; i++) {
                int row = i0 + i;
                if (emix_weight(dat, row) > 0.0 && count[labels[row]] > 1 && dist[i] < best_d) {
                    best_d = dist[i];
                    best = row;
                }
            }
        }
        if (best >= 0) {
            count[labels[best]]--;
            labels[best] = c;
            count[c] = 1;
        }
    }
}

void emix_lloyd(const emix_data *dat, const double *inv_var, int k, double *centres,
                int max_iter, int nthreads, int *labels, emix_lloyd_result *res)
{
    int n = dat->n, d = dat->d;
    int per_chunk = (n + EMIX_MAX_CHUNKS - 1) / EMIX_MAX_CHUNKS;
    int chunk_rows = ((per_chunk + EMIX_BLOCK - 1) / EMIX_BLOCK) * EMIX_BLOCK;
    if (chunk_rows < EMIX_BLOCK) {
        chunk_rows = EMIX_BLOCK;
    }
    int nchunk = (n + chunk_rows - 1) / chunk_rows;
    if ((double) n * k < EMIX_PARALLEL_MIN || nthreads < 1) {
        nthreads = 1;
    }
    if (nthreads > nchunk) {
        nthreads = nchunk;
    }
    lloyd_chunk *chunks = (lloyd_chunk *) R_alloc(nchunk, sizeof(lloyd_chunk));
    for (int ch = 0; ch < nchunk; ch++) {
        chunks[ch].N = (double *) R_alloc(k, sizeof(double));
        chunks[ch].s = (double *) R_alloc((size_t) k * d, sizeof(double));
        chunks[ch].dist = (double *) R_alloc(EMIX_BLOCK, sizeof(double));
        chunks[ch].best_d = (double *) R_alloc(EMIX_BLOCK, sizeof(double));
        chunks[ch].weight = (double *) R_alloc(EMIX_BLOCK, sizeof(double));
        chunks[ch].best_c = (int *) R_alloc(EMIX_BLOCK, sizeof(int));
    }
    double *N = (double *) R_alloc(k, sizeof(double));
    double *s = (double *) R_alloc((size_t) k * d, sizeof(double));
    for (int i = 0; i < n; i++) {
        labels[i] = -1;
    }
    res->iter = 0;
    for (int t = 0;; t++) {
#ifdef _OPENMP
#pragma omp parallel for num_threads(nthreads) schedule(static) if (nthreads > 1)
#endif
        for (int ch = 0; ch < nchunk; ch++) {
            int first = ch * chunk_rows;
            int end = first + chunk_rows < n ? first + chunk_rows : n;
            /* the last pass moves no centre: no sums needed */
            lloyd_assign_chunk(dat, inv_var, centres, k, first, end, labels, t < max_iter,
                               &chunks[ch]);
        }
        memset(N, 0, (size_t) k * sizeof(double));
        memset(s, 0, (size_t) k * d * sizeof(double));
        double inertia = 0.0;
        int changed = 0;
        for (int ch = 0; ch < nchunk; ch++) {
            for (int e = 0; e < k * d; e++) {
                s[e] += chunks[ch].s[e];
            }
            for (int c = 0; c < k; c++) {
                N[c] += chunks[ch].N[c];
            }
            inertia += chunks[ch].inertia;
            changed += chunks[ch].changed;
        }
        res->inertia = inertia;
        /* the labels are those of the current centres: done when they did
         * not move (the centres would not either) or the budget is spent */
        if ((t > 0 && changed == 0) || t == max_iter) {
            break;
        }
        R_CheckUserInterrupt();
        /* each centre moves to the weighted mean of its rows: the sums are
         * about the old centre, so the update is a small correction; a
         * centre without weight stays where it is */
        for (int c = 0; c < k; c++) {
            if (N[c] > 0.0) {
                for (int j = 0; j < d; j++) {
                    centres[c + (size_t) k * j] += s[c + (size_t) k * j] / N[c];
                }
            }
        }
        res->iter = t + 1;
    }
    lloyd_fill_empty(dat, inv_var, centres, k, labels);
}
