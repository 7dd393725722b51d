/* A uniform noise component beside the Gaussian ones (Banfield and Raftery
 * 1993): density 1 / V over a region of volume V, with its own proportion
 * pi_0. It is a family that wraps the Gaussian table: the log joint has the
 * k Gaussian columns and a last column log pi_0 - log V; the statistics are
 * the Gaussian ones (which read only the first k columns of the
 * responsibilities) plus the noise weight N_0; the M-step is the Gaussian
 * one, after which the Gaussian proportions are scaled by 1 - pi_0, with
 * pi_0 = N_0 / (N_0 + sum_c N_c). */
#include "gaussian.h"
#include <math.h>
#include <string.h>

/* The flat block of statistics is the Gaussian one followed by N0. */
typedef struct {
    gauss_stats *gauss; /* the Gaussian statistics */
    double *N0;         /* sum_i w_i r_i0, the weight of the noise column */
} noise_stats;

static const emix_family *const G = &emix_gaussian_family;

/* log pi_0, or -Inf (not NaN) for an empty noise component; called in the
 * parallel E-step, so plain C (INFINITY), no R API */
static double log_noise_weight(const noise_par *np)
{
    return np->pro0 > 0.0 ? log(np->pro0) : -INFINITY;
}

static void noise_log_joint(const void *vpar, const emix_data *dat, int i0, int nb,
                            double *lj, double *scratch)
{
    const noise_par *np = vpar;
    G->log_joint(np->g, dat, i0, nb, lj, scratch);
    /* A row so far out that its whitened distance overflows (Inf - Inf in
     * the triangular solve) gets NaN; its density under that component is
     * 0, and the noise is there to take it. */
    size_t gauss_cells = (size_t) nb * np->g->k;
    for (size_t e = 0; e < gauss_cells; e++) {
        lj[e] = isnan(lj[e]) ? -INFINITY : lj[e];
    }
    double *col = lj + gauss_cells;
    double value = log_noise_weight(np) - np->log_volume;
    for (int i = 0; i < nb; i++) {
        col[i] = value;
    }
}

static void *noise_stats_new(const void *vpar)
{
    const noise_par *np = vpar;
    noise_stats *st = (noise_stats *) R_alloc(1, sizeof(noise_stats));
    st->gauss = gauss_stats_alloc(np->g->k, np->g->d, np->g->model, 1);
    st->N0 = st->gauss->flat + st->gauss->len;
    *st->N0 = 0.0;
    return st;
}

static double *noise_stats_flat(void *vst)
{
    return ((noise_stats *) vst)->gauss->flat;
}

static size_t noise_stats_len(const void *vpar)
{
    const noise_par *np = vpar;
    return gauss_stats_len(np->g->k, np->g->d, np->g->model) + 1;
}

static void noise_stats_weights(const void *vst, double *N)
{
    const noise_stats *st = vst;
    gauss_stats_weights(st->gauss, N);
    N[st->gauss->k] = *st->N0;
}

static void noise_stats_reset(void *vst, const void *vpar)
{
    noise_stats *st = vst;
    const noise_par *np = vpar;
    G->stats_reset(st->gauss, np->g);
    *st->N0 = 0.0;
}

/* the noise column of a block: resp + ld * k */
static double noise_column_weight(const emix_data *dat, int i0, int nb, const double *r0)
{
    double N0 = 0.0;
    for (int i = 0; i < nb; i++) {
        N0 += emix_weight(dat, i0 + i) * r0[i];
    }
    return N0;
}

static void noise_stats_add(void *vst, const emix_data *dat, int i0, int nb,
                            const double *resp, int ld, double *scratch)
{
    noise_stats *st = vst;
    const gauss_stats *gs = st->gauss;
    G->stats_add(st->gauss, dat, i0, nb, resp, ld, scratch);
    *st->N0 += noise_column_weight(dat, i0, nb, resp + (size_t) ld * gs->k);
}

/* labels equal to k (the noise) match no Gaussian component, so the
 * Gaussian statistics skip those rows */
static void noise_stats_add_labels(void *vst, const emix_data *dat, int i0, int nb,
                                   const double *resp, int ld, const int *labels,
                                   double *scratch)
{
    noise_stats *st = vst;
    const gauss_stats *gs = st->gauss;
    G->stats_add_labels(st->gauss, dat, i0, nb, resp, ld, labels, scratch);
    *st->N0 += noise_column_weight(dat, i0, nb, resp + (size_t) ld * gs->k);
}

static void noise_stats_merge(void *vinto, const void *vfrom, double alpha)
{
    noise_stats *into = vinto;
    const noise_stats *from = vfrom;
    G->stats_merge(into->gauss, from->gauss, alpha);
    *into->N0 += alpha * *from->N0;
}

static void noise_stats_reshift(void *vst, const void *vpar)
{
    noise_stats *st = vst;
    const noise_par *np = vpar;
    G->stats_reshift(st->gauss, np->g);
}

/* pi_0 from the noise weight and the Gaussian weight W; the Gaussian
 * proportions (which sum to 1 among themselves) are scaled by 1 - pi_0 */
static void noise_set_proportion(noise_par *np, double N0, double W)
{
    /* incremental EM subtracts and adds back a block's weight: a noise
     * weight that should be 0 may come out as -1e-17 */
    if (N0 < 0.0) {
        N0 = 0.0;
    }
    np->pro0 = N0 / (N0 + W);
    for (int c = 0; c < np->g->k; c++) {
        np->g->pro[c] *= 1.0 - np->pro0;
    }
}

static emix_status noise_mstep(const void *vst, void *vpar, const emix_control *ctl)
{
    const noise_stats *st = vst;
    noise_par *np = vpar;
    emix_status status = G->mstep(st->gauss, np->g, ctl);
    if (status.code != EMIX_OK) {
        return status;
    }
    const gauss_stats *gs = st->gauss;
    double W = 0.0;
    for (int c = 0; c < gs->k; c++) {
        W += gs->N[c];
    }
    noise_set_proportion(np, *st->N0, W);
    return status;
}

static double noise_expected_loglik(const void *vst, const void *vpar)
{
    const noise_stats *st = vst;
    const noise_par *np = vpar;
    double q = G->expected_loglik(st->gauss, np->g);
    /* 0 log 0 = 0: no weight on an empty noise component */
    if (*st->N0 > 0.0) {
        q += *st->N0 * (log_noise_weight(np) - np->log_volume);
    }
    return q;
}

static size_t noise_scratch_size(const void *vpar)
{
    const noise_par *np = vpar;
    return G->scratch_size(np->g);
}


void noise_par_init(noise_par *np, gauss_par *g, double log_volume)
{
    np->g = g;
    np->log_volume = log_volume;
    np->pro0 = 0.0;
}

/* Each Gaussian column's statistics from z0, about its current shift
 * (g->mean), into st; a column of no weight at all is empty (the M-step
 * then judges whether the others hold enough observations). */
static emix_status start_pass(noise_par *np, const emix_data *dat, const double *z0,
                              gauss_stats *st, double *scratch)
{
    emix_status status = EMIX_STATUS_OK;
    int n = dat->n;
    G->stats_reset(st, np->g);
    for (int i0 = 0; i0 < n; i0 += EMIX_BLOCK) {
        int nb = n - i0 < EMIX_BLOCK ? n - i0 : EMIX_BLOCK;
        G->stats_add(st, dat, i0, nb, z0 + i0, n, scratch);
    }
    for (int c = 0; c < st->k; c++) {
        if (!(st->N[c] > 0.0)) {
            status.code = EMIX_EMPTY;
            status.component = c;
            return status;
        }
    }
    return status;
}

/* The start: the exact M-step from an n x (k + 1) matrix z0. The Gaussian
 * statistics are first taken about each column's most probable row, not
 * about the data's mean as gauss_mstep_from_z() does: with an extreme row
 * in the data (the case noise is for) the data's mean is far from every
 * component, and the sums about it would cancel. A second pass is about the
 * means the first finds. */
emix_status noise_start(noise_par *np, const emix_data *dat, const double *z0,
                        const emix_control *ctl)
{
    gauss_par *g = np->g;
    if (!z0) {
        error("emix: a fit with noise starts from an n x (k + 1) matrix 'start'");
    }
    int n = dat->n, k = g->k, d = dat->d;
    gauss_stats *st = G->stats_new(g);
    double *scratch = (double *) R_alloc(G->scratch_size(g), sizeof(double));
    for (int c = 0; c < k; c++) {
        int top = 0;
        for (int i = 1; i < n; i++) {
            if (z0[i + (size_t) n * c] > z0[top + (size_t) n * c]) {
                top = i;
            }
        }
        for (int j = 0; j < d; j++) {
            g->mean[c + (size_t) k * j] = dat->x[top + (size_t) n * j];
        }
    }
    emix_status status = start_pass(np, dat, z0, st, scratch);
    if (status.code != EMIX_OK) {
        return status;
    }
    for (size_t e = 0; e < (size_t) k * d; e++) {
        g->mean[e] = st->shift[e] + st->s[e] / st->N[e % k];
    }
    status = start_pass(np, dat, z0, st, scratch);
    if (status.code != EMIX_OK) {
        return status;
    }
    status = G->mstep(st, g, ctl);
    if (status.code != EMIX_OK) {
        return status;
    }
    double W = 0.0;
    for (int c = 0; c < k; c++) {
        W += st->N[c];
    }
    noise_set_proportion(np, noise_column_weight(dat, 0, n, z0 + (size_t) n * k), W);
    return status;
}

/* ---- The table's other entries ------------------------------------------ */

/* settings: c(model, log V); k counts the columns of z, the noise last. V
 * is one positive double (a given volume) or a product of d of them (the
 * sides of a box), so |log V| is at most about 745 d; within that bound
 * log pi_0 - log V, summed over the rows, stays far from overflow. */
static void *noise_par_new(int k, int d, const double *settings, int nsettings)
{
    if (nsettings != 2 || !(settings[1] >= -746.0 * d && settings[1] <= 710.0 * d)) {
        error("emix: the noise family's settings must be c(model, log_volume) with "
              "log_volume from %g to %g", -746.0 * d, 710.0 * d);
    }
    if (k < 2) {
        error("emix: a fit with noise has at least one Gaussian column and the noise");
    }
    gauss_par *g = emix_gaussian_family.par_new(k - 1, d, settings, 1);
    noise_par *np = (noise_par *) R_alloc(1, sizeof(noise_par));
    noise_par_init(np, g, settings[1]);
    return np;
}

/* the Gaussian blocks, with pro of length k + 1, the noise last */
static int noise_par_blocks(const void *vpar, emix_block *blocks)
{
    const noise_par *np = vpar;
    gauss_par_blocks(np->g, blocks);
    blocks[0].dim[0] = np->g->k + 1;
    return 3;
}

static void noise_par_get(const void *vpar, int b, double *out)
{
    const noise_par *np = vpar;
    gauss_par_get(np->g, b, out);
    if (b == 0) {
        out[np->g->k] = np->pro0;
    }
}

static emix_status noise_par_put(void *vpar, const double *const *values)
{
    noise_par *np = vpar;
    const double *gauss_values[5] = {values[0], values[1], values[2], NULL, NULL};
    emix_status status = gauss_par_put(np->g, gauss_values);
    np->pro0 = values[0][np->g->k];
    if (!(R_FINITE(np->pro0) && np->pro0 >= 0.0)) {
        error("emix: 'pro' must hold finite values of at least 0; its noise entry is %g",
              np->pro0);
    }
    return status;
}

/* the Gaussian parameters and the noise's proportion */
static double noise_df(const void *vpar)
{
    const noise_par *np = vpar;
    return gauss_df(np->g) + 1.0;
}

static emix_status noise_start_entry(void *vpar, const emix_data *dat, const double *z,
                                     const int *labels, const emix_control *ctl)
{
    (void) labels;
    return noise_start(vpar, dat, z, ctl);
}

/* accelerated EM: the Gaussian vector, then pro0 */
static size_t noise_theta_len(const void *vpar)
{
    const noise_par *np = vpar;
    return gauss_theta_len(np->g) + 1;
}

static void noise_theta_get(const void *vpar, const emix_control *ctl, double *theta)
{
    const noise_par *np = vpar;
    gauss_theta_get(np->g, ctl, theta);
    theta[gauss_theta_len(np->g)] = np->pro0;
}

static int noise_theta_put(void *vpar, const emix_control *ctl, const double *theta,
                           int extrapolated)
{
    noise_par *np = vpar;
    double pro0 = theta[gauss_theta_len(np->g)];
    if (!(pro0 >= 0.0 && pro0 < 1.0) ||
        !gauss_theta_put_mass(np->g, ctl, theta, extrapolated, 1.0 - pro0)) {
        return 0;
    }
    np->pro0 = pro0;
    return 1;
}

const emix_family emix_noise_family = {
    .name = "gaussian_noise",
    .kinds = 1u << EMIX_DENSE,
    .par_new = noise_par_new,
    .par_blocks = noise_par_blocks,
    .par_get = noise_par_get,
    .par_put = noise_par_put,
    .df = noise_df,
    .start = noise_start_entry,
    .stats_from_z = NULL, /* no Bayesian methods */
    .row_offset = NULL,
    .log_joint = noise_log_joint,
    .scratch_size = noise_scratch_size,
    .stats_new = noise_stats_new,
    .stats_flat = noise_stats_flat,
    .stats_len = noise_stats_len,
    .stats_reset = noise_stats_reset,
    .stats_add = noise_stats_add,
    .stats_add_labels = noise_stats_add_labels,
    .stats_merge = noise_stats_merge,
    .stats_reshift = noise_stats_reshift,
    .stats_weights = noise_stats_weights,
    .mstep = noise_mstep,
    .expected_loglik = noise_expected_loglik,
    .theta_len = noise_theta_len,
    .theta_get = noise_theta_get,
    .theta_put = noise_theta_put,
    .conjugate = NULL,
};
