/* Gibbs sampling for the conjugate Gaussian mixture of bayes.c. Sweep s
 * draws theta_s from p(theta | z_{s-1}, x), then z_s from p(z | theta_s, x)
 * (the S-step of the E-step, with uniforms from R's generator), which also
 * gives log p(x | theta_s) and the statistics of z_s for the next sweep.
 * Every draw comes from R's generator, outside the parallel E-step, so
 * set.seed() reproduces the chain whatever the number of threads. */
#include "gaussian.h"
#include <Rmath.h>
#include <math.h>
#include <string.h>

/* Draws whose logarithm is below this are raised to it, so that no scale
 * or its inverse overflows: a precision of e^-600 is already a component
 * spread over everything. */
#define LOG_FLOOR (-600.0)

/* The log of a Gamma(a, scale 1) variate. For a < 1 the variate itself
 * underflows to 0 too often, so use Gamma(a) = Gamma(a + 1) U^{1/a}, in
 * logs. */
static double log_rgamma(double a)
{
    double g = a >= 1.0 ? log(rgamma(a, 1.0))
                        : log(rgamma(a + 1.0, 1.0)) + log(unif_rand()) / a;
    return g > LOG_FLOOR ? g : LOG_FLOOR;
}

/* pi ~ Dirichlet(alpha) from Gamma(alpha_c) variates, in logs */
static void draw_proportions(bayes_par *bp)
{
    int k = bp->g->k;
    double *logg = bp->g->log_weight, top = R_NegInf;
    for (int c = 0; c < k; c++) {
        logg[c] = log_rgamma(bp->alpha[c]);
        top = logg[c] > top ? logg[c] : top;
    }
    double sum = 0.0;
    for (int c = 0; c < k; c++) {
        sum += exp(logg[c] - top);
    }
    double lse = top + log(sum);
    for (int c = 0; c < k; c++) {
        logg[c] -= lse;
        bp->g->pro[c] = exp(logg[c]);
    }
}

/* Sigma_c ~ inverse Wishart(Psi_c, nu_c) by Bartlett's construction, kept
 * lower triangular: with Psi_c = L L' and T lower triangular, T_jj^2 ~
 * chi-square(nu - d + j) (j = 1..d) and T_ij ~ N(0, 1) below the diagonal,
 * Sigma_c = C C' with C = L T^{-1}, so C is Sigma_c's Cholesky factor.
 * Returns the LAPACK status (0 when Psi_c is positive definite). */
static int draw_wishart_factor(const double *psi, double nu, int d, double *C, double *T)
{
    size_t dd = (size_t) d * d;
    int info = 0;
    double *L = C;
    memcpy(L, psi, dd * sizeof(double));
    F77_CALL(dpotrf)("L", &d, L, &d, &info FCONE);
    if (info != 0) {
        return info;
    }
    memset(T, 0, dd * sizeof(double));
    for (int j = 0; j < d; j++) {
        /* chi-square(f) = 2 Gamma(f / 2) */
        T[j + (size_t) d * j] = exp(0.5 * (M_LN2 + log_rgamma(0.5 * (nu - d + j + 1))));
        for (int i = j + 1; i < d; i++) {
            T[i + (size_t) d * j] = norm_rand();
        }
    }
    F77_CALL(dtrtri)("L", "N", &d, T, &d, &info FCONE FCONE);
    /* C = L T^{-1}, both lower triangular, in place: column j of the
     * product needs columns j.. of L, so go left to right */
    for (int j = 0; j < d; j++) {
        for (int i = d - 1; i >= j; i--) {
            double v = 0.0;
            for (int l = j; l <= i; l++) {
                v += L[i + (size_t) d * l] * T[l + (size_t) d * j];
            }
            C[i + (size_t) d * j] = v;
        }
    }
    for (int j = 0; j < d; j++) {
        for (int i = 0; i < j; i++) {
            C[i + (size_t) d * j] = 0.0;
        }
    }
    return info;
}

/* theta from the posterior in bp: proportions, then per component the
 * covariance and the mean mu_c ~ N(m_c, Sigma_c / kappa_c). The drawn
 * factor C is kept as the Cholesky factor: factorising C C' again could
 * lose a draw with a tiny variance, which is a legitimate draw. The
 * diagonal models' C, Sigma and Psi are their stored diagonals. */
emix_status bayes_draw(bayes_par *bp)
{
    int k = bp->g->k, d = bp->g->d, model = bp->g->model, full = model == EMIX_VVV;
    size_t len = gauss_cov_len(d, model);
    double *T = bp->work;
    emix_status status = EMIX_STATUS_OK;
    draw_proportions(bp);
    for (int c = 0; c < k; c++) {
        double *sig = bp->g->sigma + len * c, *C = bp->g->chol + len * c;
        const double *psi = bp->scale + len * c;
        double nu = bp->nu[c];
        int info = 0;
        memset(C, 0, len * sizeof(double));
        if (full) {
            info = draw_wishart_factor(psi, nu, d, C, T);
        } else {
            /* precisions ~ Gamma(nu / 2, rate psi_jj / 2) (VVI) or
             * Gamma(nu d / 2, rate tr(psi) / 2) (VII, psi = tr(psi) / d I) */
            double shape = model == EMIX_VVI ? 0.5 * nu : 0.5 * nu * d;
            double log_sd = 0.0;
            for (int j = 0; j < d; j++) {
                if (j == 0 || model == EMIX_VVI) {
                    double rate = 0.5 * psi[j] * (model == EMIX_VVI ? 1 : d);
                    log_sd = -0.5 * (log_rgamma(shape) - log(rate));
                }
                C[j] = exp(log_sd);
            }
        }
        double logdet = 0.0;
        for (int j = 0; j < d; j++) {
            logdet += 2.0 * log(C[gauss_entry(full, d, j, j)]);
        }
        if (info != 0 || !R_FINITE(logdet)) {
            status.code = EMIX_COLLAPSED;
            status.component = c;
            return status;
        }
        bp->g->logdet[c] = logdet;
        double scale = 1.0 / sqrt(bp->kappa[c]);
        double *u = T; /* d normals */
        for (int j = 0; j < d; j++) {
            u[j] = norm_rand();
        }
        if (!full) {
            /* Sigma = C C' and mu_c += C u / sqrt(kappa_c), C diagonal */
            for (int j = 0; j < d; j++) {
                sig[j] = C[j] * C[j];
                double v = C[j] * u[j];
                bp->g->mean[c + (size_t) k * j] += scale * v;
            }
            continue;
        }
        /* Sigma = C C' */
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                double v = 0.0;
                for (int l = 0; l <= j; l++) {
                    v += C[i + (size_t) d * l] * C[j + (size_t) d * l];
                }
                sig[i + (size_t) d * j] = v;
                sig[j + (size_t) d * i] = v;
            }
        }
        for (int i = 0; i < d; i++) {
            double v = 0.0;
            for (int l = 0; l <= i; l++) {
                v += C[i + (size_t) d * l] * u[l];
            }
            bp->g->mean[c + (size_t) k * i] += scale * v;
        }
    }
    /* the log weights of a draw are log pi_c themselves */
    return status;
}

/* How closely the factor found again from sigma = C C' must give back the
 * drawn factor C: L^{-1} C = I to this, entry by entry, so that the E-step
 * from sigma has C's densities to half the digits. It is no tighter because
 * the default prior (df = d) draws empty components with condition numbers
 * of 1e8 and more, whose factors come back only to 1e-10 or so: those keep
 * using sigma, so that ordinary fits are what they were. */
#define REFACTOR_TOL 1.5e-8

/* Whether the E-step, which factorises sigma again, gets the drawn factor C
 * back: sigma's factor L exists, its squared diagonal is positive and finite
 * (the E-step's own test), and L^{-1} C is the identity to REFACTOR_TOL. A
 * draw from a prior with df near d - 1 can have eigenvalues near 1e263 and
 * 0, which sigma no longer holds. L and M are d x d scratch. */
static int factor_recoverable(const double *sigma, const double *C, int d, double *L, double *M)
{
    size_t dd = (size_t) d * d;
    int info = 0;
    memcpy(L, sigma, dd * sizeof(double));
    F77_CALL(dpotrf)("L", &d, L, &d, &info FCONE);
    if (info != 0) {
        return 0;
    }
    for (int j = 0; j < d; j++) {
        double ljj = L[j + (size_t) d * j];
        if (!R_FINITE(ljj) || !(ljj * ljj > 0.0)) {
            return 0;
        }
    }
    memcpy(M, C, dd * sizeof(double));
    double one = 1.0;
    F77_CALL(dtrsm)("L", "L", "N", "N", &d, &d, &one, L, &d, M, &d FCONE FCONE FCONE FCONE);
    for (int j = 0; j < d; j++) {
        for (int i = j; i < d; i++) {
            double e = M[i + (size_t) d * j] - (i == j);
            if (!(fabs(e) <= REFACTOR_TOL)) {
                return 0;
            }
        }
    }
    return 1;
}

/* Keeps the factors of kept draw r when the E-step could not get them back
 * from its sigma; the store grows by doubling (R_alloc, freed with the
 * call) up to `draws`. Only the full model is checked: a diagonal factor is
 * the square root of sigma's diagonal, which the E-step takes again to the
 * last bit. */
void bayes_keep_factors(bayes_par *bp, int r, int draws)
{
    int k = bp->g->k, d = bp->g->d;
    size_t dd = (size_t) d * d, size = dd * k;
    if (bp->g->model != EMIX_VVV) {
        return;
    }
    /* scratch for the check, allocated once: R_alloc memory lives until
     * the call returns, so one block per draw would add up */
    if (!bp->chol_scratch) {
        bp->chol_scratch = (double *) R_alloc(2 * dd, sizeof(double));
    }
    double *scratch = bp->chol_scratch;
    int recoverable = 1;
    for (int c = 0; c < k && recoverable; c++) {
        recoverable = factor_recoverable(bp->g->sigma + dd * c, bp->g->chol + dd * c, d, scratch,
                                         scratch + dd);
    }
    if (recoverable) {
        return;
    }
    if (bp->nchol == bp->chol_capacity) {
        int capacity = bp->chol_capacity > 0 ? 2 * bp->chol_capacity : 4;
        capacity = capacity < draws ? capacity : draws;
        double *chol = (double *) R_alloc(size * capacity, sizeof(double));
        int *which = (int *) R_alloc(capacity, sizeof(int));
        if (bp->nchol > 0) {
            memcpy(chol, bp->chol, size * bp->nchol * sizeof(double));
            memcpy(which, bp->chol_draw, (size_t) bp->nchol * sizeof(int));
        }
        bp->chol = chol;
        bp->chol_draw = which;
        bp->chol_capacity = capacity;
    }
    memcpy(bp->chol + size * bp->nchol, bp->g->chol, size * sizeof(double));
    bp->chol_draw[bp->nchol] = r;
    bp->nchol++;
}

/* The kept factors as the draws' extra blocks: chol (d x d x k x nchol)
 * and chol_draws (the kept draws they belong to, 1-based). */
int bayes_factor_blocks(const bayes_par *bp, emix_block *blocks, const double **values)
{
    int d = bp->g->d, k = bp->g->k;
    double *which = (double *) R_alloc(bp->nchol > 0 ? bp->nchol : 1, sizeof(double));
    for (int f = 0; f < bp->nchol; f++) {
        which[f] = bp->chol_draw[f] + 1.0;
    }
    blocks[0] = (emix_block) {"chol", 4, {d, d, k, bp->nchol}, 0};
    blocks[1] = (emix_block) {"chol_draws", 1, {bp->nchol, 0, 0, 0}, 0};
    values[0] = bp->chol;
    values[1] = which;
    return 2;
}
