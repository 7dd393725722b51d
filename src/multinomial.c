/* The multinomial family: documents as word counts (Nigam et al. 2000).
 *
 * Model. Row i is a document, the counts x_i1 .. x_iV of V words, of
 * length L_i = sum_v x_iv. Given component c, the counts are multinomial:
 *   log f_c(x_i) = lgamma(L_i + 1) - sum_v lgamma(x_iv + 1) + sum_v x_iv log prob_cv.
 * The first two terms (the multinomial coefficient) move with no parameter:
 * row_offset() gives them and the loop adds their weighted sum to every
 * log-likelihood it reports, so emix's log-likelihood is the exact log
 * probability of the counts (as mixtools' multmixEM's is). log_joint and
 * expected_loglik leave it out. 0 log 0 = 0: a word that a component
 * never uses rules that component out only for documents that contain it.
 * A document with no words has log f_c = 0 under every component: its
 * posterior is the proportions, and it adds nothing to the log-likelihood
 * or to the word counts (it does count in N_c).
 *
 * Data: DENSE (n x V) or CSR (the nonzero counts row by row); R checks
 * that the counts are finite, non-negative whole numbers.
 *
 * Settings: settings[0] = smooth >= 0, the pseudo-count added to every
 * word of every component in the M-step (smooth = 0 is maximum likelihood).
 *
 * Parameter blocks: pro (k) and prob (k x V, row c = component c's word
 * probabilities). Internally the logs are kept k x V column-major (c
 * fastest), so that one word's k log-probabilities are contiguous for the
 * sparse E-step, and R's k x V matrix has that same layout.
 *
 * Statistics, one flat block of k + k V doubles: N_c = sum_i w_i r_ic
 * (k values), then n_cv = sum_i w_i r_ic x_iv (k x V, c fastest). They
 * are plain sums (no shift), so reshift has nothing to do.
 *
 * Conjugate prior: pi ~ Dirichlet(alpha, .., alpha), prob_c ~
 * Dirichlet(beta, .., beta) (prior blocks alpha and beta, one number
 * each). The posterior (blocks alpha (k), beta (k x V) and N (k)) has
 * alpha_c = alpha + N_c and beta_cv = beta + n_cv; VB and ME read
 * E log pi_c and E log prob_cv in place of the logs, and pro and prob are
 * then the posterior means. */
#include "emix.h"
#include <Rmath.h>
#include <math.h>
#include <string.h>

/* Rmath.h maps df to the F density; the family table's field has that name */
#undef df

typedef struct {
    int k, V;
    double smooth;
    double *pro;        /* k */
    double *prob;       /* k x V */
    double *log_weight; /* k: log pro_c, or E log pi_c for the Bayesian methods */
    double *log_prob;   /* k x V: log prob_cv, or E log prob_cv */
} multi_par;

typedef struct {
    int k, V;
    double *flat; /* N (k), then n (k x V) */
    double *N;
    double *n;
} multi_stats;

static void *multi_par_new(int k, int d, const double *settings, int nsettings)
{
    if (nsettings != 1 || !R_FINITE(settings[0]) || settings[0] < 0.0) {
        error("the multinomial family needs one setting, smooth >= 0");
    }
    multi_par *par = (multi_par *) R_alloc(1, sizeof(multi_par));
    size_t kv = (size_t) k * d;
    par->k = k;
    par->V = d;
    par->smooth = settings[0];
    par->pro = (double *) R_alloc(k, sizeof(double));
    par->prob = (double *) R_alloc(kv, sizeof(double));
    par->log_weight = (double *) R_alloc(k, sizeof(double));
    par->log_prob = (double *) R_alloc(kv, sizeof(double));
    return par;
}

static int multi_par_blocks(const void *vpar, emix_block *blocks)
{
    const multi_par *par = vpar;
    blocks[0] = (emix_block) {"pro", 1, {par->k, 0, 0}, 0};
    blocks[1] = (emix_block) {"prob", 2, {par->k, par->V, 0}, 0};
    /* given by the predictions of VB and ME: the expected logs of the
     * proportions and of the word probabilities, in place of the logs of
     * pro and prob (passed as logs: their exponentials can underflow) */
    blocks[2] = (emix_block) {"log_weight", 1, {par->k, 0, 0}, 1};
    blocks[3] = (emix_block) {"log_prob", 2, {par->k, par->V, 0}, 1};
    return 4;
}

static void multi_par_get(const void *vpar, int b, double *out)
{
    const multi_par *par = vpar;
    if (b == 0) {
        memcpy(out, par->pro, (size_t) par->k * sizeof(double));
    } else {
        memcpy(out, par->prob, (size_t) par->k * par->V * sizeof(double));
    }
}

/* the logs the E-step reads, from pro and prob */
static void take_logs(multi_par *par)
{
    size_t kv = (size_t) par->k * par->V;
    for (int c = 0; c < par->k; c++) {
        par->log_weight[c] = log(par->pro[c]);
    }
    for (size_t e = 0; e < kv; e++) {
        par->log_prob[e] = log(par->prob[e]);
    }
}

static emix_status multi_par_put(void *vpar, const double *const *values)
{
    multi_par *par = vpar;
    size_t kv = (size_t) par->k * par->V;
    /* R checks the values; these guard the C core against a bypass */
    for (int c = 0; c < par->k; c++) {
        if (!(values[0][c] >= 0.0) || !R_FINITE(values[0][c])) {
            error("pro must be finite and non-negative");
        }
    }
    for (size_t e = 0; e < kv; e++) {
        if (!(values[1][e] >= 0.0) || !R_FINITE(values[1][e])) {
            error("prob must be finite and non-negative");
        }
    }
    memcpy(par->pro, values[0], (size_t) par->k * sizeof(double));
    memcpy(par->prob, values[1], kv * sizeof(double));
    take_logs(par);
    double *logs[2] = {par->log_weight, par->log_prob};
    size_t len[2] = {(size_t) par->k, kv};
    for (int b = 0; b < 2; b++) {
        if (!values[2 + b]) {
            continue;
        }
        for (size_t e = 0; e < len[b]; e++) {
            if (ISNAN(values[2 + b][e]) || values[2 + b][e] == R_PosInf) {
                error("emix: '%s' must hold numbers below Inf", b ? "log_prob" : "log_weight");
            }
        }
        memcpy(logs[b], values[2 + b], len[b] * sizeof(double));
    }
    return EMIX_STATUS_OK;
}

/* accelerated EM: pro (k), then prob (k x V) */
static size_t multi_theta_len(const void *vpar)
{
    const multi_par *par = vpar;
    return (size_t) par->k * (1 + (size_t) par->V);
}

static void multi_theta_get(const void *vpar, const emix_control *ctl, double *theta)
{
    (void) ctl; /* probabilities have no units */
    const multi_par *par = vpar;
    memcpy(theta, par->pro, (size_t) par->k * sizeof(double));
    memcpy(theta + par->k, par->prob, (size_t) par->k * par->V * sizeof(double));
}

/* A probability extrapolated from zeros stays 0 (0 log 0 = 0 keeps it
 * harmless); one below 0 is no parameter. The sums are restored to 1 (see
 * emix_rescale_sum()). */
static int multi_theta_put(void *vpar, const emix_control *ctl, const double *theta,
                           int extrapolated)
{
    (void) ctl;
    (void) extrapolated; /* the simplex is linear: nothing to restore */
    multi_par *par = vpar;
    size_t len = multi_theta_len(par);
    for (size_t e = 0; e < len; e++) {
        if (!(theta[e] >= 0.0) || !R_FINITE(theta[e]) || (e < (size_t) par->k && theta[e] == 0.0)) {
            return 0;
        }
    }
    memcpy(par->pro, theta, (size_t) par->k * sizeof(double));
    memcpy(par->prob, theta + par->k, (len - par->k) * sizeof(double));
    emix_rescale_sum(par->pro, par->k, 1, 1.0);
    for (int c = 0; c < par->k; c++) {
        /* component c's probabilities, stride k */
        emix_rescale_sum(par->prob + c, par->V, par->k, 1.0);
    }
    take_logs(par);
    return 1;
}

/* The M-step with smooth > 0 is that of a Dirichlet(1 + smooth) prior on
 * each component's probabilities: smooth sum_cv log prob_cv, up to a
 * constant (-Inf for a probability of 0). */
static double multi_log_prior(const void *vpar)
{
    const multi_par *par = vpar;
    if (par->smooth == 0.0) {
        return 0.0;
    }
    double out = 0.0;
    for (size_t e = 0; e < (size_t) par->k * par->V; e++) {
        out += par->log_prob[e];
    }
    return par->smooth * out;
}

/* k - 1 free proportions, V - 1 free probabilities per component */
static double multi_df(const void *vpar)
{
    const multi_par *par = vpar;
    return (par->k - 1.0) + (double) par->k * (par->V - 1.0);
}

/* lgamma(L_i + 1) - sum_v lgamma(x_iv + 1) for every row */
static void multi_row_offset(const emix_data *dat, double *out)
{
    for (int i = 0; i < dat->n; i++) {
        out[i] = 0.0;
    }
    if (dat->kind == EMIX_CSR) {
        for (int i = 0; i < dat->n; i++) {
            double L = 0.0, s = 0.0;
            for (int p = dat->row_start[i]; p < dat->row_start[i + 1]; p++) {
                L += dat->x[p];
                s += lgammafn(dat->x[p] + 1.0);
            }
            out[i] = lgammafn(L + 1.0) - s;
        }
        return;
    }
    double *L = (double *) R_alloc(dat->n, sizeof(double));
    memset(L, 0, (size_t) dat->n * sizeof(double));
    for (int v = 0; v < dat->d; v++) {
        const double *xv = dat->x + (size_t) dat->n * v;
        for (int i = 0; i < dat->n; i++) {
            if (xv[i] != 0.0) { /* lgamma(1) = 0: most counts cost nothing */
                L[i] += xv[i];
                out[i] -= lgammafn(xv[i] + 1.0);
            }
        }
    }
    for (int i = 0; i < dat->n; i++) {
        out[i] += lgammafn(L[i] + 1.0);
    }
}

/* ---- the E-step ---- */

/* lj[i, c] = log_weight_c + sum_v x_iv log_prob_cv. Dense: word by word,
 * the block's rows as the vector lanes. A -Inf log-probability (a word the
 * component never uses, smooth = 0) must not meet a zero count, where it
 * would give NaN: it rules out only the rows that have the word. Sparse:
 * row by row, each nonzero count adding its word's k contiguous
 * log-probabilities to a k-vector. */
EMIX_HOT
static void multi_log_joint(const void *vpar, const emix_data *dat, int i0, int nb,
                            double *lj, double *scratch)
{
    const multi_par *par = vpar;
    int k = par->k, V = par->V;
    if (dat->kind == EMIX_CSR) {
        double *acc = scratch; /* k */
        for (int i = 0; i < nb; i++) {
            memcpy(acc, par->log_weight, (size_t) k * sizeof(double));
            for (int p = dat->row_start[i0 + i]; p < dat->row_start[i0 + i + 1]; p++) {
                double x = dat->x[p];
                const double *lp = par->log_prob + (size_t) k * dat->col[p];
                if (x == 0.0) {
                    continue; /* a stored zero */
                }
                EMIX_SIMD
                for (int c = 0; c < k; c++) {
                    acc[c] += x * lp[c];
                }
            }
            for (int c = 0; c < k; c++) {
                lj[i + (size_t) nb * c] = acc[c];
            }
        }
        return;
    }
    for (int c = 0; c < k; c++) {
        double *out = lj + (size_t) nb * c;
        for (int i = 0; i < nb; i++) {
            out[i] = par->log_weight[c];
        }
    }
    for (int v = 0; v < V; v++) {
        const double *xv = dat->x + (size_t) dat->n * v + i0;
        for (int c = 0; c < k; c++) {
            double *out = lj + (size_t) nb * c;
            double lp = par->log_prob[c + (size_t) k * v];
            if (lp == -INFINITY) {
                for (int i = 0; i < nb; i++) {
                    if (xv[i] != 0.0) {
                        out[i] = -INFINITY; /* plain C: no R global in the parallel E-step */
                    }
                }
                continue;
            }
            EMIX_SIMD
            for (int i = 0; i < nb; i++) {
                out[i] += xv[i] * lp;
            }
        }
    }
}

/* the dense statistics need the block's products w_i r_ic (nb x k); the
 * sparse E-step and statistics need k */
static size_t multi_scratch_size(const void *vpar)
{
    const multi_par *par = vpar;
    return (size_t) EMIX_BLOCK * par->k + par->k;
}

/* ---- sufficient statistics ---- */

static multi_stats *stats_alloc(int k, int V)
{
    multi_stats *st = (multi_stats *) R_alloc(1, sizeof(multi_stats));
    st->k = k;
    st->V = V;
    st->flat = (double *) R_alloc((size_t) k + (size_t) k * V, sizeof(double));
    st->N = st->flat;
    st->n = st->flat + k;
    return st;
}

static void *multi_stats_new(const void *vpar)
{
    const multi_par *par = vpar;
    return stats_alloc(par->k, par->V);
}

static double *multi_stats_flat(void *vst)
{
    return ((multi_stats *) vst)->flat;
}

static size_t multi_stats_len(const void *vpar)
{
    const multi_par *par = vpar;
    return (size_t) par->k + (size_t) par->k * par->V;
}

static void multi_stats_reset(void *vst, const void *vpar)
{
    multi_stats *st = vst;
    (void) vpar; /* plain sums: no shift */
    memset(st->flat, 0, ((size_t) st->k + (size_t) st->k * st->V) * sizeof(double));
}

EMIX_HOT
static void multi_stats_add(void *vst, const emix_data *dat, int i0, int nb,
                            const double *resp, int ld, double *scratch)
{
    multi_stats *st = vst;
    int k = st->k, V = st->V;
    if (dat->kind == EMIX_CSR) {
        double *wr = scratch; /* k: w_i r_ic of one row */
        for (int i = 0; i < nb; i++) {
            double w = emix_weight(dat, i0 + i);
            for (int c = 0; c < k; c++) {
                wr[c] = w * resp[i + (size_t) ld * c];
                st->N[c] += wr[c];
            }
            for (int p = dat->row_start[i0 + i]; p < dat->row_start[i0 + i + 1]; p++) {
                double x = dat->x[p];
                double *n = st->n + (size_t) k * dat->col[p];
                EMIX_SIMD
                for (int c = 0; c < k; c++) {
                    n[c] += x * wr[c];
                }
            }
        }
        return;
    }
    double *wr = scratch; /* nb x k */
    for (int c = 0; c < k; c++) {
        const double *r = resp + (size_t) ld * c;
        double *wrc = wr + (size_t) nb * c, Nc = 0.0;
        for (int i = 0; i < nb; i++) {
            wrc[i] = emix_weight(dat, i0 + i) * r[i];
            Nc += wrc[i];
        }
        st->N[c] += Nc;
    }
    for (int v = 0; v < V; v++) {
        const double *xv = dat->x + (size_t) dat->n * v + i0;
        for (int c = 0; c < k; c++) {
            const double *wrc = wr + (size_t) nb * c;
            double s = 0.0;
            EMIX_SIMD_SUM(s)
            for (int i = 0; i < nb; i++) {
                s += wrc[i] * xv[i];
            }
            st->n[c + (size_t) k * v] += s;
        }
    }
}

/* point masses: each row's counts go to its one component, O(nnz) or
 * O(nb V) instead of k times that */
static void multi_stats_add_labels(void *vst, const emix_data *dat, int i0, int nb,
                                   const double *resp, int ld, const int *labels,
                                   double *scratch)
{
    multi_stats *st = vst;
    int k = st->k;
    (void) resp;
    (void) ld;
    (void) scratch;
    for (int i = 0; i < nb; i++) {
        int c = labels[i];
        double w = emix_weight(dat, i0 + i);
        st->N[c] += w;
        if (dat->kind == EMIX_CSR) {
            for (int p = dat->row_start[i0 + i]; p < dat->row_start[i0 + i + 1]; p++) {
                st->n[c + (size_t) k * dat->col[p]] += w * dat->x[p];
            }
        } else {
            for (int v = 0; v < st->V; v++) {
                st->n[c + (size_t) k * v] += w * dat->x[i0 + i + (size_t) dat->n * v];
            }
        }
    }
}

static void multi_stats_merge(void *vinto, const void *vfrom, double alpha)
{
    multi_stats *into = vinto;
    const multi_stats *from = vfrom;
    size_t len = (size_t) into->k + (size_t) into->k * into->V;
    for (size_t e = 0; e < len; e++) {
        into->flat[e] += alpha * from->flat[e];
    }
}

static void multi_stats_reshift(void *vst, const void *vpar)
{
    (void) vst; /* plain sums: nothing to move */
    (void) vpar;
}

static void multi_stats_weights(const void *vst, double *N)
{
    const multi_stats *st = vst;
    memcpy(N, st->N, (size_t) st->k * sizeof(double));
}

/* ---- the M-step ---- */

/* a count that rounding left just below zero (statistics merged with
 * alpha = -1 by incremental EM) is zero */
static inline double count(double n)
{
    return n > 0.0 ? n : 0.0;
}

/* sum_v n_cv: the words component c holds */
static double word_total(const multi_stats *st, int c)
{
    double t = 0.0;
    for (int v = 0; v < st->V; v++) {
        t += count(st->n[c + (size_t) st->k * v]);
    }
    return t;
}

/* pro_c = N_c / W, prob_cv = (n_cv + smooth) / (sum_v n_cv + V smooth).
 * A component with no weight, or (smooth = 0) no words, has no estimate. */
static emix_status multi_mstep(const void *vst, void *vpar, const emix_control *ctl)
{
    const multi_stats *st = vst;
    multi_par *par = vpar;
    int k = par->k, V = par->V;
    double W = 0.0;
    for (int c = 0; c < k; c++) {
        double total = word_total(st, c) + V * par->smooth;
        if (!(st->N[c] > 0.0) || !(total > 0.0)) {
            emix_status status = EMIX_STATUS_OK;
            status.code = EMIX_EMPTY;
            status.component = c;
            status.value = st->N[c] / ctl->mean_weight;
            return status;
        }
        W += st->N[c];
    }
    for (int c = 0; c < k; c++) {
        double total = word_total(st, c) + V * par->smooth;
        par->pro[c] = st->N[c] / W;
        for (int v = 0; v < V; v++) {
            size_t cv = c + (size_t) k * v;
            par->prob[cv] = (count(st->n[cv]) + par->smooth) / total;
        }
    }
    take_logs(par);
    return EMIX_STATUS_OK;
}

/* a log that a zero multiplies counts nothing: 0 log 0 = 0. Incremental
 * EM's merges (alpha = -1) can leave a count of -1e-16 where the M-step saw
 * 0 (count()) and made log_p = -Inf: that too counts nothing. */
static inline double times_log(double n, double log_p)
{
    return n <= 0.0 ? 0.0 : n * log_p;
}

/* sum_c N_c log pro_c + sum_cv n_cv log prob_cv (the coefficient left to
 * the loop) */
static double multi_expected_loglik(const void *vst, const void *vpar)
{
    const multi_stats *st = vst;
    const multi_par *par = vpar;
    int k = par->k;
    double out = 0.0;
    for (int c = 0; c < k; c++) {
        out += times_log(st->N[c], par->log_weight[c]);
    }
    for (size_t e = 0; e < (size_t) k * par->V; e++) {
        out += times_log(st->n[e], par->log_prob[e]);
    }
    return out;
}

/* the statistics of z (n x k) or of labels in 1..k, over all rows */
static emix_status multi_stats_from_z(void *vpar, const emix_data *dat, const double *z,
                                      const int *labels, void *vst)
{
    multi_par *par = vpar;
    int k = par->k;
    double *scratch = (double *) R_alloc(multi_scratch_size(par), sizeof(double));
    int block_labels[EMIX_BLOCK];
    multi_stats_reset(vst, par);
    for (int i0 = 0; i0 < dat->n; i0 += EMIX_BLOCK) {
        int nb = dat->n - i0 < EMIX_BLOCK ? dat->n - i0 : EMIX_BLOCK;
        if (z) {
            multi_stats_add(vst, dat, i0, nb, z + i0, dat->n, scratch);
            continue;
        }
        for (int i = 0; i < nb; i++) {
            int l = labels[i0 + i];
            if (l < 1 || l > k) {
                error("label %d of row %d is not in 1..%d", l, i0 + i + 1, k);
            }
            block_labels[i] = l - 1;
        }
        multi_stats_add_labels(vst, dat, i0, nb, NULL, 0, block_labels, scratch);
    }
    return EMIX_STATUS_OK;
}

static emix_status multi_start(void *vpar, const emix_data *dat, const double *z,
                               const int *labels, const emix_control *ctl)
{
    multi_par *par = vpar;
    multi_stats *st = stats_alloc(par->k, par->V);
    multi_stats_from_z(par, dat, z, labels, st);
    return multi_mstep(st, par, ctl);
}

/* ---- the conjugate prior ---- */

typedef struct {
    multi_par *par; /* what the E-step reads */
    double alpha0, beta0;
    double *alpha; /* k: alpha + N_c */
    double *beta;  /* k x V: beta + n_cv */
    double *N;     /* k */
    double bound;
} multi_post;

static int multi_prior_blocks(const void *vpar, emix_block *blocks)
{
    (void) vpar;
    blocks[0] = (emix_block) {"alpha", 1, {1, 0, 0}, 0};
    blocks[1] = (emix_block) {"beta", 1, {1, 0, 0}, 0};
    return 2;
}

static void *multi_post_new(void *vpar, const double *const *prior)
{
    multi_par *par = vpar;
    double alpha = prior[0][0], beta = prior[1][0];
    if (!(alpha > 0.0) || !R_FINITE(alpha) || !(beta > 0.0) || !R_FINITE(beta)) {
        error("the multinomial prior needs alpha > 0 and beta > 0, both finite");
    }
    multi_post *post = (multi_post *) R_alloc(1, sizeof(multi_post));
    size_t kv = (size_t) par->k * par->V;
    post->par = par;
    post->alpha0 = alpha;
    post->beta0 = beta;
    post->alpha = (double *) R_alloc(par->k, sizeof(double));
    post->beta = (double *) R_alloc(kv, sizeof(double));
    post->N = (double *) R_alloc(par->k, sizeof(double));
    post->bound = NA_REAL;
    return post;
}

/* alpha_c = alpha + N_c, beta_cv = beta + n_cv; an empty component keeps
 * the prior (a slightly negative N from rounding counts as 0) */
static void posterior_from(const multi_stats *st, multi_post *post)
{
    int k = st->k;
    for (int c = 0; c < k; c++) {
        post->N[c] = count(st->N[c]);
        post->alpha[c] = post->alpha0 + post->N[c];
    }
    for (size_t e = 0; e < (size_t) k * st->V; e++) {
        post->beta[e] = post->beta0 + count(st->n[e]);
    }
}

/* The bound right after the update. With Elog pi_c = digamma(alpha_c) -
 * digamma(A), A = sum_c alpha_c, the pi terms are
 *   E log p(z | pi) + E log p(pi) - E log q(pi)
 *   = sum_c N_c Elog pi_c + log C(alpha0 1_k) + (alpha0 - 1) sum_c Elog pi_c
 *     - log C(alpha) - sum_c (alpha_c - 1) Elog pi_c
 *   = log C(alpha0 1_k) - log C(alpha),
 * since alpha_c - 1 = alpha0 - 1 + N_c; C(a) = Gamma(sum a) / prod Gamma(a_c)
 * is the Dirichlet normaliser. Likewise each component's word terms,
 * E log p(x | z, prob) + E log p(prob_c) - E log q(prob_c) with n_cv in
 * place of N_c, leave log C(beta0 1_V) - log C(beta_c). The multinomial
 * coefficient is the loop's (row_offset) and H(q(z)) too. */
static double dirichlet_log_norm_ratio(double prior, int m, const double *post, size_t step)
{
    double total = 0.0, out = lgammafn(m * prior) - m * lgammafn(prior);
    for (int j = 0; j < m; j++) {
        total += post[step * j];
        out += lgammafn(post[step * j]);
    }
    return out - lgammafn(total);
}

static emix_status multi_vb_update(const void *vst, void *vpost, const emix_control *ctl)
{
    const multi_stats *st = vst;
    multi_post *post = vpost;
    multi_par *par = post->par;
    int k = par->k, V = par->V;
    (void) ctl;
    posterior_from(st, post);

    double bound = dirichlet_log_norm_ratio(post->alpha0, k, post->alpha, 1);
    double A = 0.0;
    for (int c = 0; c < k; c++) {
        bound += dirichlet_log_norm_ratio(post->beta0, V, post->beta + c, k);
        A += post->alpha[c];
    }
    post->bound = bound;

    /* the E-step reads E log pi_c and E log prob_cv; pro and prob are the
     * posterior means */
    double digamma_A = digamma(A);
    for (int c = 0; c < k; c++) {
        double B = 0.0;
        for (int v = 0; v < V; v++) {
            B += post->beta[c + (size_t) k * v];
        }
        double digamma_B = digamma(B);
        par->pro[c] = post->alpha[c] / A;
        par->log_weight[c] = digamma(post->alpha[c]) - digamma_A;
        for (int v = 0; v < V; v++) {
            size_t cv = c + (size_t) k * v;
            par->prob[cv] = post->beta[cv] / B;
            par->log_prob[cv] = digamma(post->beta[cv]) - digamma_B;
        }
    }
    return EMIX_STATUS_OK;
}

static double multi_vb_bound(const void *vst, const void *vpost)
{
    (void) vst;
    return ((const multi_post *) vpost)->bound;
}

/* Draws whose log is below this are raised to it: a word probability of
 * e^-600 is already one no document will show. */
#define LOG_FLOOR (-600.0)

/* The log of a Gamma(a, scale 1) variate; for a < 1 the variate itself
 * underflows to 0 too often, so Gamma(a) = Gamma(a + 1) U^{1/a}, in logs. */
static double log_rgamma(double a)
{
    double g = a >= 1.0 ? log(rgamma(a, 1.0)) : log(rgamma(a + 1.0, 1.0)) + log(unif_rand()) / a;
    return g > LOG_FLOOR ? g : LOG_FLOOR;
}

/* A Dirichlet(a) draw of m values (step apart) from Gamma variates: its
 * logs into logp and the values into p. */
static void draw_dirichlet(const double *a, int m, size_t step, double *logp, double *p)
{
    double top = R_NegInf, sum = 0.0;
    for (int j = 0; j < m; j++) {
        logp[step * j] = log_rgamma(a[step * j]);
        top = logp[step * j] > top ? logp[step * j] : top;
    }
    for (int j = 0; j < m; j++) {
        sum += exp(logp[step * j] - top);
    }
    double lse = top + log(sum);
    for (int j = 0; j < m; j++) {
        logp[step * j] -= lse;
        p[step * j] = exp(logp[step * j]);
    }
}

/* Gibbs: pi ~ Dir(alpha_c), then each prob_c ~ Dir(beta_c), from the
 * statistics of the current labels, with R's generator */
static emix_status multi_draw(const void *vst, void *vpost)
{
    multi_post *post = vpost;
    multi_par *par = post->par;
    int k = par->k;
    posterior_from(vst, post);
    draw_dirichlet(post->alpha, k, 1, par->log_weight, par->pro);
    for (int c = 0; c < k; c++) {
        draw_dirichlet(post->beta + c, par->V, k, par->log_prob + c, par->prob + c);
    }
    return EMIX_STATUS_OK;
}

static int multi_post_blocks(const void *vpost, emix_block *blocks)
{
    const multi_post *post = vpost;
    int k = post->par->k, V = post->par->V;
    blocks[0] = (emix_block) {"alpha", 1, {k, 0, 0}, 0};
    blocks[1] = (emix_block) {"beta", 2, {k, V, 0}, 0};
    blocks[2] = (emix_block) {"N", 1, {k, 0, 0}, 0};
    return 3;
}

static void multi_post_get(const void *vpost, int b, double *out)
{
    const multi_post *post = vpost;
    int k = post->par->k;
    if (b == 0) {
        memcpy(out, post->alpha, (size_t) k * sizeof(double));
    } else if (b == 1) {
        memcpy(out, post->beta, (size_t) k * post->par->V * sizeof(double));
    } else {
        memcpy(out, post->N, (size_t) k * sizeof(double));
    }
}

static const emix_conjugate multi_conjugate = {
    .prior_blocks = multi_prior_blocks,
    .post_new = multi_post_new,
    .update = multi_vb_update,
    .bound = multi_vb_bound,
    .draw = multi_draw,
    .post_blocks = multi_post_blocks,
    .post_get = multi_post_get,
    .kept_draw = NULL,
    .draw_extras = NULL,
};

const emix_family emix_multinomial_family = {
    .name = "multinomial",
    .kinds = (1u << EMIX_DENSE) | (1u << EMIX_CSR),
    .par_new = multi_par_new,
    .par_blocks = multi_par_blocks,
    .par_get = multi_par_get,
    .par_put = multi_par_put,
    .df = multi_df,
    .start = multi_start,
    .stats_from_z = multi_stats_from_z,
    .row_offset = multi_row_offset,
    .log_joint = multi_log_joint,
    .scratch_size = multi_scratch_size,
    .stats_new = multi_stats_new,
    .stats_flat = multi_stats_flat,
    .stats_len = multi_stats_len,
    .stats_reset = multi_stats_reset,
    .stats_add = multi_stats_add,
    .stats_add_labels = multi_stats_add_labels,
    .stats_merge = multi_stats_merge,
    .stats_reshift = multi_stats_reshift,
    .stats_weights = multi_stats_weights,
    .mstep = multi_mstep,
    .expected_loglik = multi_expected_loglik,
    .theta_len = multi_theta_len,
    .theta_get = multi_theta_get,
    .theta_put = multi_theta_put,
    .log_prior = multi_log_prior,
    .conjugate = &multi_conjugate,
};
