/* The covariance structures of the Gaussian family (covariance.c): mclust's
 * fourteen models, Sigma_c = lambda_c D_c A_c D_c' with volume lambda_c,
 * shape A_c (diagonal, det 1) and orientation D_c (orthogonal), each equal
 * across components (E), varying (V) or the identity (I). Banfield and
 * Raftery (1993); Celeux and Govaert (1995). One row of a table per model:
 * R reads its names, words, parts, needs and degrees of freedom from it
 * (ffi_covariance_models()), and the M-step calls its fit. */
#ifndef EMIX_COVARIANCE_H
#define EMIX_COVARIANCE_H

#include "emix.h"

/* The codes, in mclust's order; R reads them from ffi_codes(). */
enum {
    EMIX_EII = 0, EMIX_VII, EMIX_EEI, EMIX_VEI, EMIX_EVI, EMIX_VVI, EMIX_EEE,
    EMIX_VEE, EMIX_EVE, EMIX_VVE, EMIX_EEV, EMIX_VEV, EMIX_EVV, EMIX_VVV, EMIX_NMODELS
};

/* The covariance part of one M-step. On entry sigma holds the regularised
 * covariance S_c + R of every component (of the pooled data, component 0
 * alone, for a pooled model), stored as sigma is (d x d with both
 * triangles, or the diagonal); the fit overwrites it with the model's
 * Sigma_c, the maximiser of
 *   -phi/2, phi = sum_c N_c (log det Sigma_c + tr(Sigma_c^{-1} (S_c + R))),
 * over the model's constraint. With R = 0 that is the M-step of EM; with a
 * ridge it is the M-step of a penalised likelihood, and the structure is
 * kept exactly. */
typedef struct {
    int k, d;
    const double *N; /* k weights N_c > 0 */
    double tol;      /* inner iterations: the largest change of the volumes or
                      * of the covariances (relative; covariance.c) */
    int max_iter;    /* and their cap */
    /* The last M-step's parts, the inner iterations' warm start: a GEM
     * step from there never lowers the likelihood, whatever the cap. */
    double *scale;  /* k volumes lambda_c */
    double *orient; /* d x d: the shared orientation D (EVE, VVE) */
    int warm;       /* 1 when they hold the last M-step's values */
    double *work;   /* cov_work_size() doubles */
    int lwork;      /* of them, LAPACK's */
} cov_problem;

typedef struct {
    int iter;   /* inner iterations (0: a closed form) */
    int capped; /* 1: stopped by the cap before the tolerance held */
    int failed; /* 1: no positive definite Sigma (a zero variance, no factor) */
    int component; /* when failed: the component (0-based), or -1 for a shared part */
} cov_result;

typedef struct {
    const char *name;        /* mclust's */
    const char *description; /* in words, for print() */
    char volume, shape, orientation; /* 'E', 'V' or 'I' */
    int full;      /* sigma stored d x d, else its diagonal */
    int pooled;    /* one Sigma for all: only the pooled scatter is needed */
    int iterative; /* the fit iterates (tol, max_iter) */
    /* Support: each component needs an effective size n_c of at least
     * each_d d + each_1, and, when total_d or total_1 is not 0, all
     * together at least k + total_d d + total_1. Below that the estimate
     * is singular whatever the data. */
    double each_d, each_1, total_d, total_1;
    cov_result (*fit)(cov_problem *pb, double *sigma);
} emix_cov_model;

extern const emix_cov_model emix_cov_models[EMIX_NMODELS];

/* free parameters of k covariances of d variables, as mclust counts them:
 * 1 or k volumes, 0, d - 1 or k (d - 1) shapes, 0, d (d - 1) / 2 or
 * k d (d - 1) / 2 orientations */
double cov_df(int model, int k, int d);
/* doubles of cov_problem.work for the model (LAPACK's lwork included) */
size_t cov_work_size(int model, int k, int d, int *lwork);

#endif
