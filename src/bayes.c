/* Conjugate Bayesian Gaussian mixtures: the posterior update of q(theta)
 * from weighted statistics, and the variational family that variational
 * Bayes and maximization-expectation share (Bishop, PRML 10.2).
 *
 * The E-step is the Gaussian one: E_q[log N(x; mu, Lambda^{-1})] is a
 * Gaussian log-density with mean m_c and covariance E[Lambda_c]^{-1},
 * plus a per-component constant, which goes into gauss_par.log_weight.
 * Right after the update from the statistics of q(z), the bound is
 *   log C(alpha_0) - log C(alpha) + sum_c [Z_c - Z_0 + d/2 log(kappa_0 / kappa_c)]
 *   - W d / 2 log(2 pi) + H(q(z)),
 * with C the Dirichlet normaliser and Z the log normalising integral of a
 * component's Wishart (or Gamma) precision distribution: every data term
 * cancels. With point masses it is log p(x, z), the objective of ME. */
#include "gaussian.h"
#include <Rmath.h>
#include <float.h>
#include <math.h>
#include <string.h>

int bayes_model_ok(int model)
{
    return model == EMIX_VII || model == EMIX_VVI || model == EMIX_VVV;
}

/* The log of the normalising integral of a component's precision
 * distribution with scale Psi and degrees of freedom nu: -log B(Psi^{-1}, nu)
 * for the Wishart (VVV), log Gamma(a) - a log b for a Gamma with shape a and
 * rate b, summed over the variables (VVI) or for the one precision (VII).
 * The log marginal likelihood of a component's data is its value under the
 * posterior less its value under the prior, plus the kappa and 2 pi terms.
 * The diagonal models read scale's diagonal entries step apart: d + 1 in
 * the prior's d x d matrix, 1 in a posterior's stored diagonal. */
static double log_norm(const double *scale, size_t step, double nu, int d, int model,
                       double *work)
{
    double out = 0.0;
    if (model == EMIX_VVV) {
        int info = 0;
        size_t dd = (size_t) d * d;
        memcpy(work, scale, dd * sizeof(double));
        F77_CALL(dpotrf)("L", &d, work, &d, &info FCONE);
        if (info != 0) {
            return R_NaN; /* not positive definite: gauss_factor reports it */
        }
        double logdet = 0.0;
        for (int j = 0; j < d; j++) {
            logdet += 2.0 * log(work[j + (size_t) d * j]);
            out += lgammafn(0.5 * (nu - j));
        }
        out += 0.25 * d * (d - 1) * log(M_PI) + 0.5 * nu * d * M_LN2 - 0.5 * nu * logdet;
    } else if (model == EMIX_VVI) {
        for (int j = 0; j < d; j++) {
            double a = 0.5 * nu, b = 0.5 * scale[step * j];
            out += lgammafn(a) - a * log(b);
        }
    } else {
        double tr = 0.0;
        for (int j = 0; j < d; j++) {
            tr += scale[step * j];
        }
        double a = 0.5 * nu * d, b = 0.5 * tr;
        out = lgammafn(a) - a * log(b);
    }
    return out;
}

/* From shifted statistics (see gauss_stats), with e = xbar_c - m_0:
 *   m_c = m_0 + (N_c / kappa_c) e,
 *   Psi_c = Psi_0 + N_c S_c + kappa_0 N_c / kappa_c e e',
 * where N_c S_c = A_c - s_c s_c' / N_c. The diagonal models need only the
 * diagonal of Psi_c, VII only its trace. An empty component keeps the prior. */
void bayes_posterior(const gauss_stats *st, bayes_par *bp)
{
    const bayes_prior *pr = &bp->prior;
    int k = bp->g->k, d = bp->g->d, model = bp->g->model, full = model == EMIX_VVV;
    size_t len = gauss_cov_len(d, model);
    double *e = bp->work; /* d */
    for (int c = 0; c < k; c++) {
        double N = st->N[c] > 0.0 ? st->N[c] : 0.0;
        double kappa = pr->kappa + N;
        bp->N[c] = N;
        bp->alpha[c] = pr->alpha + N;
        bp->kappa[c] = kappa;
        bp->nu[c] = pr->nu + N;
        for (int j = 0; j < d; j++) {
            size_t cj = c + (size_t) k * j;
            e[j] = N > 0.0 ? st->shift[cj] + st->s[cj] / N - pr->mean[j] : 0.0;
            bp->g->mean[cj] = pr->mean[j] + N / kappa * e[j];
        }
        double *psi = bp->scale + len * c;
        const double *A = st->A + len * c;
        double shrink = pr->kappa * N / kappa;
        memset(psi, 0, len * sizeof(double));
        for (int j = 0; j < d; j++) {
            for (int l = (full ? 0 : j); l <= j; l++) {
                double v = pr->scale[j + (size_t) d * l] + shrink * e[j] * e[l];
                if (N > 0.0) {
                    v += A[gauss_entry(full, d, j, l)] -
                         st->s[c + (size_t) k * j] * st->s[c + (size_t) k * l] / N;
                }
                psi[gauss_entry(full, d, j, l)] = v;
                psi[gauss_entry(full, d, l, j)] = v;
            }
        }
        if (model == EMIX_VII) {
            double tr = 0.0;
            for (int j = 0; j < d; j++) {
                tr += psi[j];
            }
            for (int j = 0; j < d; j++) {
                psi[j] = tr / d;
            }
        }
    }
}

/* E log pi_c + E log|Lambda_c| / 2 - d / (2 kappa_c) + log|Sigma_c| / 2 with
 * Sigma_c = E[Lambda_c]^{-1}: what the plain Gaussian log-density lacks of
 * E_q[log pi_c + log N(x; mu_c, Lambda_c^{-1})]. For VVV,
 * E log|Lambda| = sum_j psi((nu + 1 - j) / 2) + d log 2 - log|Psi|
 * and log|Sigma| = log|Psi| - d log nu; the Gamma models are alike. */
static double log_weight(const bayes_par *bp, int c, double digamma_total)
{
    int d = bp->g->d, model = bp->g->model;
    double nu = bp->nu[c];
    double out = digamma(bp->alpha[c]) - digamma_total - 0.5 * d / bp->kappa[c];
    if (model == EMIX_VVV) {
        for (int j = 0; j < d; j++) {
            out += 0.5 * digamma(0.5 * (nu - j));
        }
        out += 0.5 * d * log(2.0 / nu);
    } else {
        double a = model == EMIX_VVI ? 0.5 * nu : 0.5 * nu * d; /* the Gamma shape */
        out += 0.5 * d * (digamma(a) - log(a));
    }
    return out;
}

static emix_status vb_update(const void *vst, void *vpost, const emix_control *ctl)
{
    bayes_par *bp = vpost;
    const bayes_prior *pr = &bp->prior;
    int k = bp->g->k, d = bp->g->d, model = bp->g->model;
    size_t len = gauss_cov_len(d, model);
    bayes_posterior(vst, bp);

    double total_alpha = 0.0, W = 0.0, bound = 0.0;
    for (int c = 0; c < k; c++) {
        total_alpha += bp->alpha[c];
        W += bp->N[c];
        bound += lgammafn(bp->alpha[c]) - lgammafn(pr->alpha);
        bound += log_norm(bp->scale + len * c, 1, bp->nu[c], d, model, bp->work) - pr->log_norm +
                 0.5 * d * log(pr->kappa / bp->kappa[c]);
    }
    bound += lgammafn(k * pr->alpha) - lgammafn(total_alpha) - 0.5 * W * d * EMIX_LOG_2PI;
    bp->bound = bound;

    /* what the E-step reads: E[Lambda_c]^{-1} = Psi_c / nu_c for VVV and
     * VVI (whose Psi_c is diagonal), tr(Psi_c) / (d nu_c) I for VII, which
     * bayes_posterior already spread over the diagonal */
    double digamma_total = digamma(total_alpha);
    for (int c = 0; c < k; c++) {
        for (size_t e = 0; e < len; e++) {
            bp->g->sigma[len * c + e] = bp->scale[len * c + e] / bp->nu[c];
        }
        bp->g->pro[c] = bp->alpha[c] / total_alpha;
        bp->g->log_weight[c] = log_weight(bp, c, digamma_total);
    }
    /* no ridge here: the prior keeps the covariances proper, and only a
     * numerically singular one is flagged */
    return gauss_factor(bp->g, ctl->var_scale, 1e-10, 0);
}

/* the bound, less the entropy of q(z), which the loop adds */
static double vb_bound(const void *vst, const void *vpar)
{
    (void) vst;
    return ((const bayes_par *) vpar)->bound;
}

/* ---- The conjugate slots of the Gaussian family ----------------------------- */

/* alpha, kappa, df (scalars), mean (d) and scale (d x d), checked and
 * completed in R (emix_prior()) */
static int prior_blocks(const void *vpar, emix_block *blocks)
{
    const gauss_par *par = vpar;
    int d = par->d;
    blocks[0] = (emix_block) {"alpha", 1, {1, 0, 0}, 0};
    blocks[1] = (emix_block) {"kappa", 1, {1, 0, 0}, 0};
    blocks[2] = (emix_block) {"df", 1, {1, 0, 0}, 0};
    blocks[3] = (emix_block) {"mean", 1, {d, 0, 0}, 0};
    blocks[4] = (emix_block) {"scale", 2, {d, d, 0}, 0};
    return 5;
}

static void *post_new(void *vpar, const double *const *prior)
{
    gauss_par *g = vpar;
    int k = g->k, d = g->d, model = g->model;
    if (!bayes_model_ok(model)) {
        error("emix: the Bayesian methods fit models VII, VVI and VVV (codes %d, %d, %d)",
              EMIX_VII, EMIX_VVI, EMIX_VVV);
    }
    bayes_par *bp = (bayes_par *) R_alloc(1, sizeof(bayes_par));
    bayes_prior *pr = &bp->prior;
    /* df > d - 1 (VVV) or df > 0: the precision's prior is proper */
    double df_min = model == EMIX_VVV ? d - 1.0 : 0.0;
    if (!(R_FINITE(prior[0][0]) && prior[0][0] >= DBL_MIN) ||
        !(R_FINITE(prior[1][0]) && prior[1][0] >= DBL_MIN) ||
        !(R_FINITE(prior[2][0]) && prior[2][0] > df_min)) {
        error("emix: the prior's alpha and kappa must be positive and finite, and its df "
              "finite and above %g", df_min);
    }
    for (size_t e = 0; e < (size_t) d * d; e++) {
        if (!R_FINITE(prior[4][e]) || (e < (size_t) d && !R_FINITE(prior[3][e]))) {
            error("emix: the prior's mean and scale must hold finite values");
        }
    }
    pr->alpha = prior[0][0];
    pr->kappa = prior[1][0];
    pr->nu = prior[2][0];
    pr->mean = prior[3];
    pr->scale = prior[4];
    double *work = model == EMIX_VVV ? (double *) R_alloc((size_t) d * d, sizeof(double)) : NULL;
    pr->log_norm = log_norm(pr->scale, (size_t) d + 1, pr->nu, d, model, work);

    bp->g = g;
    g->log_weight = (double *) R_alloc(k, sizeof(double));
    bp->N = (double *) R_alloc(k, sizeof(double));
    bp->alpha = (double *) R_alloc(k, sizeof(double));
    bp->kappa = (double *) R_alloc(k, sizeof(double));
    bp->nu = (double *) R_alloc(k, sizeof(double));
    bp->scale = (double *) R_alloc(gauss_cov_len(d, model) * k, sizeof(double));
    bp->work = (double *) R_alloc(model == EMIX_VVV ? (size_t) d * d : (size_t) d,
                                  sizeof(double));
    bp->bound = NA_REAL;
    bp->chol = NULL;
    bp->chol_draw = NULL;
    bp->nchol = bp->chol_capacity = 0;
    bp->chol_scratch = NULL;
    return bp;
}

static emix_status gibbs_draw(const void *vst, void *vpost)
{
    bayes_par *bp = vpost;
    bayes_posterior(vst, bp);
    return bayes_draw(bp);
}

/* alpha, kappa, df, N, scale (d x d x k) and the E-step's log weights */
static int post_blocks(const void *vpost, emix_block *blocks)
{
    const bayes_par *bp = vpost;
    int k = bp->g->k, d = bp->g->d;
    blocks[0] = (emix_block) {"alpha", 1, {k, 0, 0}, 0};
    blocks[1] = (emix_block) {"kappa", 1, {k, 0, 0}, 0};
    blocks[2] = (emix_block) {"df", 1, {k, 0, 0}, 0};
    blocks[3] = (emix_block) {"N", 1, {k, 0, 0}, 0};
    blocks[4] = (emix_block) {"scale", 3, {d, d, k}, 0};
    blocks[5] = (emix_block) {"log_weight", 1, {k, 0, 0}, 0};
    return 6;
}

static void post_get(const void *vpost, int b, double *out)
{
    const bayes_par *bp = vpost;
    int k = bp->g->k;
    const double *from[] = {bp->alpha, bp->kappa, bp->nu, bp->N, NULL, bp->g->log_weight};
    if (b == 4) {
        gauss_cov_expand(bp->scale, bp->g->d, k, bp->g->model, out);
    } else {
        memcpy(out, from[b], (size_t) k * sizeof(double));
    }
}

static void kept_draw(void *vpost, int r, int draws)
{
    bayes_keep_factors(vpost, r, draws);
}

static int draw_extras(const void *vpost, emix_block *blocks, const double **values)
{
    return bayes_factor_blocks(vpost, blocks, values);
}

const emix_conjugate emix_gaussian_conjugate = {
    .prior_blocks = prior_blocks,
    .post_new = post_new,
    .update = vb_update,
    .bound = vb_bound,
    .draw = gibbs_draw,
    .post_blocks = post_blocks,
    .post_get = post_get,
    .kept_draw = kept_draw,
    .draw_extras = draw_extras,
};
