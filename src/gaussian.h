/* The Gaussian family's types (gaussian.c, noise.c), and its conjugate
 * prior for the Bayesian methods (bayes.c, gibbs_gaussian.c). */
#ifndef EMIX_GAUSSIAN_H
#define EMIX_GAUSSIAN_H

#include "covariance.h"
#include "emix.h"
#include <R_ext/BLAS.h>
#include <R_ext/Lapack.h>

/* ---- The Gaussian family (gaussian.c) ------------------------------------ */

/* The covariance models are the rows of emix_cov_models (covariance.h). */

/* A diagonal covariance is stored as its d diagonal entries (its Cholesky
 * factor as their square roots): nothing needs the zeros, and d x d per
 * component would be the fit's largest allocation at large d. The entries
 * of one component's sigma, chol or scatter: */
size_t gauss_cov_len(int d, int model);
/* where entry (j, l) of one component's matrix lies: in the d x d matrix
 * (full models), or at j of the diagonal (diagonal models, l == j) */
static inline size_t gauss_entry(int full, int d, int j, int l)
{
    return full ? j + (size_t) d * l : (size_t) j;
}

typedef struct {
    int k, d, model;
    double *pro;    /* k proportions */
    double *mean;   /* k x d, column-major: mean[c + k * j] */
    double *sigma;  /* k covariance matrices, gauss_cov_len(d, model) entries each */
    double *chol;   /* their lower Cholesky factors, stored alike */
    double *logdet; /* k values of log det(sigma_c) */
    /* for a shared full covariance: rows are whitened once, y = L^{-1}(x - centre) */
    double *centre;     /* d: the proportion-weighted mean of the means */
    double *white_mean; /* k x d: L^{-1}(mean_c - centre) */
    double *work;       /* 2 d scratch for the factorisation */
    double *zeros;      /* d zeros: the yardstick of parameters whose collapse is
                         * not judged (given ones, extrapolated ones) */
    /* k values used in place of log pi_c by the Bayesian methods (the
     * expected log weight and the Occam terms), or NULL */
    double *log_weight;
    /* the covariance structure's M-step, and what it keeps between M-steps */
    cov_problem cov;
    /* accelerated EM: extrapolated covariances taken back into the model
     * leave their parts in cov as the next M-step's warm start (that step
     * is then a generalised EM step from them); the parts before the jump
     * are kept here, and put back with the parameters they belong to when
     * the jump is rejected (theta_put with extrapolated = 0), even after an
     * M-step from the jump (SQUAREM's stabilising step) changed them */
    double *saved_scale, *saved_orient;
    int saved;
    double *theta_work; /* gauss_theta_len() doubles for theta_put */
} gauss_par;

/* Weighted statistics about a shift per component (the current means):
 * N_c = sum w r, s_c = sum w r (x - shift_c), A_c = sum w r (x - shift_c)(x - shift_c)'.
 * They add over rows. A_c keeps its lower triangle (full models) or its
 * diagonal (diagonal models); for the shared models one A holds the sum over
 * the components. */
typedef struct {
    int k, d, full, pooled;
    double *flat;  /* the statistics as one block: shift, N, s, A (R's ffi_stats) */
    size_t len;    /* its length, gauss_stats_len() */
    double *shift; /* k x d */
    double *N;     /* k */
    double *s;     /* k x d */
    double *A;     /* k matrices of gauss_cov_len entries, or one when pooled */
    double *work;  /* scratch for the M-step and the bound: 3 d x d (full), d (diagonal) */
} gauss_stats;

/* Register kernels for few variables (gauss_small_d.c); each returns 0,
 * and does nothing, when d (the variables, dat->d) is above GAUSS_SMALL_D.
 * gauss_whiten_norms_small: q[i] = |L^{-1}(x_i - mean)|^2 for the block's
 * rows, mean with stride ld_mean, L d x d lower.
 * gauss_moments_small: s_j += sum_i v_i y_ij (s with stride ld_s) and
 * A[j, l] += sum_i v_i y_ij y_il for l <= j (A d x d), y_i = x_i - shift. */
#define GAUSS_SMALL_D 8
int gauss_whiten_norms_small(const double *L, int d, const emix_data *dat, int i0, int nb,
                             const double *mean, int ld_mean, double *q);
int gauss_moments_small(int d, const emix_data *dat, int i0, int nb, const double *shift,
                        int ld_shift, const double *v, double *s, int ld_s, double *A);

extern const emix_family emix_gaussian_family;
extern const emix_conjugate emix_gaussian_conjugate;

/* the family's theta_* entries, which the noise family extends */
size_t gauss_theta_len(const void *par);
void gauss_theta_get(const void *par, const emix_control *ctl, double *theta);
int gauss_theta_put(void *par, const emix_control *ctl, const double *theta, int extrapolated);
/* the same, with proportions that sum to `mass` (a noise component takes
 * the rest) */
int gauss_theta_put_mass(void *par, const emix_control *ctl, const double *theta,
                         int extrapolated, double mass);
int gauss_model_is_full(int model);
int gauss_model_is_shared(int model);
void gauss_par_alloc(gauss_par *par, int k, int d, int model);
/* the statistics' doubles: shift (k x d), N (k), s (k x d), then A (k
 * scatters, or one when pooled, of gauss_cov_len() entries each) */
size_t gauss_stats_len(int k, int d, int model);
/* statistics whose flat block has `extra` doubles of room after them (for
 * a family that wraps the Gaussian one) */
gauss_stats *gauss_stats_alloc(int k, int d, int model, size_t extra);
/* k covariances as the d x d x k array R sees (the diagonal ones spread,
 * zeros off the diagonal), and back (a diagonal model reads only the
 * diagonals) */
void gauss_cov_expand(const double *cov, int d, int k, int model, double *out);
void gauss_cov_compact(const double *full, int d, int k, int model, double *cov);
/* Cholesky factors and log-determinants of every sigma; flags collapse: a
 * squared diagonal entry of a factor at or below factor * yardstick_j (or
 * factor times the mean of the yardsticks, when spherical). */
emix_status gauss_factor(gauss_par *par, const double *yardstick, double factor, int spherical);
/* The exact M-step from an n x k responsibility matrix z, or else from
 * labels in 1..k: two passes, the second centred at the means found by the
 * first. */
emix_status gauss_mstep_from_z(gauss_par *par, const emix_data *dat,
                               const double *z, const int *labels, const emix_control *ctl);
/* The statistics of that M-step, about the means it finds, into st; a
 * component whose weight is below min_weight is empty (an error): the
 * callers pass 0 and leave the judgement to the M-step's rules. */
emix_status gauss_stats_from_z(gauss_par *par, const emix_data *dat, const double *z,
                               const int *labels, double min_weight, gauss_stats *st);
/* The Gaussian family's table entries, which the noise family shares. */
void gauss_log_joint(const void *par, const emix_data *dat, int i0, int nb, double *lj,
                     double *scratch);
void *gauss_stats_new(const void *par);
void gauss_stats_reset(void *stats, const void *par);
void gauss_stats_add(void *stats, const emix_data *dat, int i0, int nb, const double *resp,
                     int ld, double *scratch);
void gauss_stats_add_labels(void *stats, const emix_data *dat, int i0, int nb,
                            const double *resp, int ld, const int *labels, double *scratch);
void gauss_stats_merge(void *into, const void *from, double alpha);
void gauss_stats_reshift(void *stats, const void *par);
size_t gauss_scratch_size(const void *par);
double *gauss_stats_flat(void *stats);
void gauss_stats_weights(const void *stats, double *N);
emix_status gauss_mstep(const void *stats, void *par, const emix_control *ctl);
double gauss_expected_loglik(const void *stats, const void *par);
int gauss_par_blocks(const void *par, emix_block *blocks);
void gauss_par_get(const void *par, int b, double *out);
emix_status gauss_par_put(void *par, const double *const *values);
double gauss_df(const void *par);

/* ---- A uniform noise component beside the Gaussian ones (noise.c) -------- */

/* The Gaussian parameters, whose k proportions sum to 1 - pro0, and the
 * noise: proportion pro0 and density 1 / V everywhere. */
typedef struct {
    gauss_par *g;
    double pro0;
    double log_volume; /* log V */
} noise_par;

/* The Gaussian family with a last column for the noise. */
extern const emix_family emix_noise_family;

void noise_par_init(noise_par *np, gauss_par *g, double log_volume);
/* The start: the exact M-step from an n x (k + 1) matrix z0, the noise
 * last */
emix_status noise_start(noise_par *np, const emix_data *dat, const double *z0,
                        const emix_control *ctl);

/* ---- Conjugate Bayesian Gaussian mixtures (bayes.c, gibbs.c) -------------- */

/* The prior: pi ~ Dirichlet(alpha 1); per component a Normal-Wishart
 * (VVV), a Normal-Gamma per variable (VVI) or one Normal-Gamma (VII):
 * precision Lambda ~ W(scale^{-1}, nu) (VVV), lambda_j ~ Gamma(nu / 2,
 * rate scale_jj / 2) (VVI), lambda ~ Gamma(nu d / 2, rate tr(scale) / 2)
 * (VII), and mu | Lambda ~ N(mean, (kappa Lambda)^{-1}). */
typedef struct {
    double alpha, kappa, nu;
    const double *mean;  /* d */
    const double *scale; /* d x d, positive definite: Psi_0 = W_0^{-1} */
    double log_norm;     /* the normalising term of one component's prior */
} bayes_prior;

/* The posterior q(theta) of every component, and g, what the E-step reads:
 * its means are the posterior means m_c, its covariances are
 * E[Lambda_c]^{-1}, and log_weight holds E log pi_c plus the terms of
 * E log|Lambda_c| and d / kappa_c that the plain density lacks (VB, ME), or
 * a draw (Gibbs). */
typedef struct {
    gauss_par *g;
    bayes_prior prior;
    double *N;      /* k: the weight behind each posterior */
    double *alpha, *kappa, *nu; /* k each */
    double *scale;  /* Psi_c, stored as sigma is: diagonal for VVI, a multiple of I for VII */
    double bound;   /* the bound after the last update, less the entropy of q(z) */
    double *work;   /* d x d (VVV), d (VII, VVI) */
    /* Gibbs: the drawn factors (d x d x k each) of the nchol kept draws
     * whose sigma does not give them back when factorised again */
    double *chol;
    int *chol_draw; /* which kept draws (0-based) */
    int nchol, chol_capacity;
    double *chol_scratch; /* 2 d x d for checking a draw's factors, or NULL */
} bayes_par;

int bayes_model_ok(int model);
/* The conjugate update of every component from the statistics st. */
void bayes_posterior(const gauss_stats *st, bayes_par *bp);
/* The Gibbs draw of every component's parameters from the posterior
 * (gibbs_gaussian.c), into bp->g; log_weight gets log pi. */
emix_status bayes_draw(bayes_par *bp);
/* Gibbs: the drawn Cholesky factors of kept draws whose sigma does not
 * give them back when factorised again (gibbs_gaussian.c). */
void bayes_keep_factors(bayes_par *bp, int r, int draws);
int bayes_factor_blocks(const bayes_par *bp, emix_block *blocks, const double **values);

#endif
