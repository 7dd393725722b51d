/* Shared types of the emix C core.
 *
 * Kernels take plain pointers into R's column-major memory and never see a
 * SEXP; the SEXP adapters that R calls live in gaussian_r.c. */
#ifndef EMIX_H
#define EMIX_H

#define USE_FC_LEN_T
#include <R.h>
#include <Rinternals.h>
#include <R_ext/BLAS.h>
#include <R_ext/Lapack.h>
#ifndef FCONE
#define FCONE
#endif
#include <stddef.h>

/* Comparisons in the vectorised loops (the row maximum, the clamp in exp)
 * must not be treated as possible traps, or GCC keeps them as branches and
 * will not vectorise; emix never reads the floating-point exception flags.
 * (Clang assumes this by default.) */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

/* The hot kernels are compiled twice on x86-64 with GCC: for the baseline
 * (SSE2) and for AVX2 with FMA; the loader picks the one the processor
 * runs. Elsewhere they are compiled once, as usual. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11 && defined(__x86_64__) && \
    defined(__linux__)
#define EMIX_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define EMIX_HOT
#endif

/* Asks the compiler to vectorise the loop that follows (OpenMP 4 simd);
 * without OpenMP it is a plain loop. */
#ifdef _OPENMP
#define EMIX_SIMD _Pragma("omp simd")
#define EMIX_SIMD_SUM(...) _Pragma(EMIX_STR(omp simd reduction(+ : __VA_ARGS__)))
#define EMIX_STR(x) #x
#else
#define EMIX_SIMD
#define EMIX_SIMD_SUM(...)
#endif

/* Rows are processed in blocks of this many, so that a block of data, its k
 * log-densities and the scratch built from them stay in cache. */
#define EMIX_BLOCK 256

/* The data: n x d column-major, with optional observation weights. */
typedef struct {
    const double *x;
    const double *w; /* NULL means every weight is 1 */
    int n;
    int d;
} emix_data;

static inline double emix_weight(const emix_data *dat, int i)
{
    return dat->w ? dat->w[i] : 1.0;
}

/* What went wrong, if anything; R turns the code into a message. */
enum {
    EMIX_OK = 0,
    EMIX_EMPTY = 1,       /* a component has too few observations for its covariance */
    EMIX_COLLAPSED = 2,   /* a covariance matrix is (nearly) singular */
    EMIX_ZERO_DENSITY = 3, /* an observation has no finite log-density under any component */
    EMIX_INTERRUPTED = 4   /* the user interrupted a loop that holds R's RNG state */
};

typedef struct {
    int code;
    int component; /* 0-based; -1 for a covariance shared by all */
    int row;       /* 0-based, or -1 */
    int variable;  /* EMIX_COLLAPSED: the variable (0-based) whose conditional variance failed */
    double value;  /* EMIX_EMPTY: the effective size found; EMIX_COLLAPSED: that variance */
} emix_status;

/* Settings of one fit, checked in R. */
enum { EMIX_RULE_RELATIVE = 0, EMIX_RULE_ABSOLUTE = 1, EMIX_RULE_MEAN = 2 };

typedef struct {
    double tol;
    int max_iter;
    int rule;
    double total_weight;     /* W = sum of the weights: the mean rule's divisor */
    double reg;              /* ridge on covariance diagonals, relative to var_scale */
    double mean_weight;      /* the mean observation weight: N_c / mean_weight is the
                              * effective number of observations of component c */
    const double *var_scale; /* the d squared robust scales of the data (scale.c): what
                              * the ridge and the collapse yardstick are relative to */
    int threads;
    int q_step;              /* EMIX_Q_SOFT, EMIX_Q_MODE or EMIX_Q_DRAW */
    int blocks;              /* incremental EM: blocks of rows; 0 for the other methods */
} emix_control;

/* ---- Log-sum-exp (logsumexp.c) ------------------------------------------ */

/* Turns an nb x k block (nb <= EMIX_BLOCK) of log joint densities (leading
 * dimension ld) into responsibilities in place and writes each row's
 * log-likelihood to rowll and the entropy -sum_c r log r of its
 * responsibilities to rowent. A row with no finite maximum gets log-likelihood
 * -Inf (or NaN) and NaN responsibilities. Returns the first such row
 * (0-based in the block), or -1 when every row is fine. */
int emix_logsumexp_rows(double *lj, int nb, int k, int ld, double *rowll, double *rowent);

/* r[i] <- rowll[i] + log r[i] for responsibilities 0 < r[i] <= 1: the log
 * joint density of the component a row's point mass is on. */
void emix_log_point_mass(const double *rowll, int nb, double *r);

/* ---- Point-mass restrictions of q (qstep.c) ----------------------------- */

/* The q-step after each E-step: keep the responsibilities (EM), or replace
 * them by point masses at the mode (classification EM) or at a draw
 * (stochastic EM). */
enum { EMIX_Q_SOFT = 0, EMIX_Q_MODE = 1, EMIX_Q_DRAW = 2 };

/* Replace the responsibilities of an nb x k block (leading dimension nb) by
 * point masses on each row's most probable component, a tie keeping the
 * row's current label (labels: 0-based, -1 for none, updated); writes
 * log(pi_c f_c(x_i)) of the chosen c to rowobj. Returns how many labels
 * changed. */
int emix_cstep_block(double *resp, int nb, int k, const double *rowll, int *labels,
                     double *rowobj);
/* The same with the component drawn from the responsibilities, by the
 * inverse CDF at the uniforms u. */
int emix_sstep_block(double *resp, int nb, int k, const double *rowll, const double *u,
                     int *labels, double *rowobj);

/* ---- The family table and the loop (run.c) -------------------------------- */

/* A family is this table; a new family is a new file filling it in. The
 * functions called inside the parallel E-step (log_joint, stats_reset,
 * stats_add) use only the memory they are given: no R API. */
typedef struct {
    const char *name;
    /* log pi_c + log f_c(x_i) for rows i0 .. i0 + nb - 1 into lj (nb x k) */
    void (*log_joint)(const void *par, const emix_data *dat, int i0, int nb,
                      double *lj, double *scratch);
    /* new statistics for these parameters (R_alloc; outside parallel code) */
    void *(*stats_new)(const void *par);
    /* empty the statistics and shift them by the current parameters */
    void (*stats_reset)(void *stats, const void *par);
    /* add rows i0 .. i0 + nb - 1 with their responsibilities (leading dim ld) */
    void (*stats_add)(void *stats, const emix_data *dat, int i0, int nb,
                      const double *resp, int ld, double *scratch);
    /* the same for point masses: row i0 + i wholly in component labels[i]
     * (0-based), resp the same as one-hot columns */
    void (*stats_add_labels)(void *stats, const emix_data *dat, int i0, int nb,
                             const double *resp, int ld, const int *labels,
                             double *scratch);
    /* into += alpha * from, for statistics with the same shift */
    void (*stats_merge)(void *into, const void *from, double alpha);
    /* the same statistics, shifted by the current parameters instead */
    void (*stats_reshift)(void *stats, const void *par);
    /* parameters from statistics */
    emix_status (*mstep)(const void *stats, void *par, const emix_control *ctl);
    /* E_q[log p(x, z | par)] for the q the statistics were accumulated under */
    double (*expected_loglik)(const void *stats, const void *par);
    /* doubles of scratch that log_joint and stats_add need for one block */
    size_t (*scratch_size)(const void *par);
    /* 1 when the parameters are a distribution (variational Bayes,
     * maximization-expectation): the objective is then the bound itself,
     * evaluated after each parameter step */
    int bayesian;
} emix_family;

/* Rows are cut into chunks that depend on n only; each chunk's statistics
 * are summed in row order, and the chunks are summed in chunk order, so the
 * result does not depend on the number of threads. */
#define EMIX_MAX_CHUNKS 32

/* Fewer rows times components than this run on one thread. */
#define EMIX_PARALLEL_MIN 65536.0

typedef struct {
    int nthreads;
    int tolerant;         /* 1: rows of zero density get -Inf and go on; 0: stop */
    int q_step;           /* EMIX_Q_SOFT, EMIX_Q_MODE or EMIX_Q_DRAW */
    int *labels;          /* n current labels (0-based) of a point-mass q-step */
    double *uniforms;     /* n uniforms for the draws of EMIX_Q_DRAW, refilled
                           * from R's generator before each E-step */
    int nchunk;
    int chunk_rows;
    void **chunk_stats;   /* nchunk statistics */
    double *chunk_ll;     /* nchunk partial log-likelihoods */
    double *chunk_abs;    /* nchunk partial sums of |row log-likelihood| */
    double *chunk_ent;    /* nchunk partial sums of the rows' entropies */
    double *chunk_obj;    /* nchunk partial classification log-likelihoods */
    int *chunk_changed;   /* nchunk counts of changed labels */
    int *chunk_bad;       /* nchunk first rows with zero density, or -1 */
    double **thread_buf;  /* per thread: lj, row log-likelihoods, scratch */
} emix_workspace;

/* Allocates (R_alloc) what the E-step needs for n rows and k components,
 * with rows cut into `parts` chunks of about equal size, or, for parts = 0,
 * into the default chunks of whole blocks. */
void emix_workspace_init(emix_workspace *ws, const emix_family *fam, const void *par,
                         int n, int k, int nthreads, int with_stats, int parts);

/* The E-step of chunk ch alone, with the scratch buffer buf: its rows'
 * responsibilities into z, its statistics into ws->chunk_stats[ch], its
 * sums into the chunk slots of ws. */
void emix_estep_chunk(const emix_family *fam, const void *par, const emix_data *dat,
                      int k, double *z, double *rowll, emix_workspace *ws, int ch,
                      double *buf);

/* What the loop leaves behind. */
typedef struct {
    int iter;          /* M-steps taken after the start */
    int converged;
    double loglik;     /* at the returned parameters */
    double abs_loglik; /* sum of w_i |log-likelihood of row i|: the rounding yardstick */
    size_t capacity;    /* entries of trace, objective and bound allocated */
    size_t max_entries; /* max_iter + 1: no run needs more */
    double *trace;     /* log-likelihoods; entries 0 .. iter filled */
    double *objective; /* values of the method's objective: the
                        * log-likelihood (EM, SEM) or the classification
                        * log-likelihood at the new labels (CEM) */
    double *bound;     /* bound[t] = F(q_{t-1}, theta_t), the free
                        * energy after M-step t; bound[0] is NaN, except for a
                        * Bayesian family, whose caller sets it at the start */
    emix_status status;
    int status_iter;   /* iteration at which status was raised */
} emix_result;

/* Room for entries 0 .. t of trace, objective and bound (t < max_iter + 1):
 * they grow by doubling as iterations run, so a large max_iter costs
 * nothing until it is used. */
void emix_result_reserve(emix_result *res, size_t t);

/* One E-step over all rows at the parameters par: responsibilities into z
 * (n x k, or NULL), row log-likelihoods into rowll (or NULL), statistics
 * into stats (or NULL). Returns the weighted log-likelihood and, through
 * sums (or NULL), the weighted sums of the rows' absolute log-likelihoods
 * and of their entropies. */
typedef struct {
    double abs_loglik;
    double entropy;   /* of q: 0 for point masses */
    double objective; /* the method's objective */
    int changed;      /* labels changed by a point-mass q-step */
} emix_estep_sums;

double emix_estep(const emix_family *fam, const void *par, void *stats,
                  const emix_data *dat, int k, double *z, double *rowll,
                  emix_estep_sums *sums, emix_status *status, emix_workspace *ws);

/* Whether the user asked to interrupt. Unlike R_CheckUserInterrupt() it
 * returns, so that a loop drawing random numbers can save R's RNG state
 * (PutRNGstate) before R acts on the interrupt. */
int emix_interrupt_pending(void);

/* Whether the stopping rule holds between two values of the objective. */
int emix_converged(double prev, double cur, const emix_control *ctl);

/* EM from the parameters par until the rule or max_iter stops it. */
void emix_em(const emix_family *fam, void *par, void *stats,
             const emix_data *dat, int k, double *z, const emix_control *ctl,
             emix_workspace *ws, emix_result *res);

/* Incremental EM (incremental.c): sweeps over the chunks of ws, an E-step on
 * one chunk then an M-step from the running total of the statistics, until
 * the rule (on the free energy, once per sweep) or max_iter sweeps stop it. */
void emix_iem(const emix_family *fam, void *par, void *total,
              const emix_data *dat, int k, double *z, const emix_control *ctl,
              emix_workspace *ws, emix_result *res);

/* ---- The Gaussian family (gaussian.c) ------------------------------------ */

/* Covariance models, in mclust's names; R uses the same order. */
enum { EMIX_EII = 0, EMIX_VII, EMIX_EEI, EMIX_VVI, EMIX_EEE, EMIX_VVV, EMIX_NMODELS };

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
    /* k values used in place of log pi_c by the Bayesian methods (the
     * expected log weight and the Occam terms), or NULL */
    double *log_weight;
} gauss_par;

/* Weighted statistics about a shift per component (the current means):
 * N_c = sum w r, s_c = sum w r (x - shift_c), A_c = sum w r (x - shift_c)(x - shift_c)'.
 * They add over rows. A_c keeps its lower triangle (full models) or its
 * diagonal (diagonal models); for the shared models one A holds the sum over
 * the components. */
typedef struct {
    int k, d, full, pooled;
    double *shift; /* k x d */
    double *N;     /* k */
    double *s;     /* k x d */
    double *A;     /* k matrices of gauss_cov_len entries, or one when pooled */
    double *work;  /* scratch for the M-step and the bound: 3 d x d (full), d (diagonal) */
} gauss_stats;

extern const emix_family emix_gaussian_family;

int gauss_model_is_full(int model);
int gauss_model_is_shared(int model);
void gauss_par_alloc(gauss_par *par, int k, int d, int model);
gauss_stats *gauss_stats_alloc(int k, int d, int model);
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
/* The Gaussian family's table entries, which the Bayesian methods share. */
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
/* the log-volume argument of an entry point for data with d variables,
 * checked: NA_real_ for none */
double noise_log_volume_arg(SEXP log_volume, int d);
/* run_result() with pro of length k + 1, the noise last */
SEXP noise_run_result(const noise_par *np, const emix_result *res, SEXP z);

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

/* The posterior q(theta) of every component, and what the E-step reads:
 * a bayes_par starts with a gauss_par, so the Gaussian kernels take it as
 * one. Its means are the posterior means m_c, its covariances are
 * E[Lambda_c]^{-1}, and log_weight holds E log pi_c plus the terms of
 * E log|Lambda_c| and d / kappa_c that the plain density lacks. */
typedef struct {
    gauss_par g;
    const bayes_prior *prior;
    double *N;      /* k: the weight behind each posterior */
    double *alpha, *kappa, *nu; /* k each */
    double *scale;  /* Psi_c, stored as sigma is: diagonal for VVI, a multiple of I for VII */
    double bound;   /* the bound after the last update, less the entropy of q(z) */
    double *work;   /* d x d (VVV), d (VII, VVI) */
} bayes_par;

int bayes_model_ok(int model);
void bayes_prior_init(bayes_prior *prior, int d, int model);
void bayes_par_alloc(bayes_par *bp, int k, int d, int model, const bayes_prior *prior);
/* The conjugate update of every component from the statistics st. */
void bayes_posterior(const gauss_stats *st, bayes_par *bp);

/* Variational Bayes with a soft q-step, maximization-expectation with a
 * point-mass one: both update q(theta) from the statistics of q(z). */
extern const emix_family emix_vb_family;

/* What the Gibbs sampler keeps: per sweep the log-likelihood of the drawn
 * parameters and the number of occupied components; per kept sweep the
 * parameters and the labels (1-based); and the drawn Cholesky factors
 * (d x d x k each) of the nchol kept draws whose sigma does not give them
 * back when factorised again (emix_gibbs allocates these). */
typedef struct {
    int burnin, draws, thin;
    double *trace; /* burnin + draws * thin */
    int *occupied; /* burnin + draws * thin */
    double *pro, *mean, *sigma, *loglik; /* k x draws, k x d x draws, d x d x k x draws
                                          * (expanded, as R returns it), draws */
    int *labels;   /* n x draws */
    double *chol;  /* d x d x k x nchol */
    int *chol_draw; /* nchol kept draws (0-based) */
    int nchol, chol_capacity;
} gibbs_draws;

/* Gibbs sampling from the statistics st of the starting labels (ws->labels). */
emix_status emix_gibbs(bayes_par *bp, gauss_stats *st, const emix_data *dat,
                       emix_workspace *ws, gibbs_draws *out);

/* ---- The k-means start (kmeans.c, kmeans_r.c) ------------------------------ */

/* How the seeding draws each next centre: k-means++ (in proportion to
 * weight times the distance to the nearest centre so far) or at random (in
 * proportion to weight, among rows away from every centre so far). */
enum { EMIX_SEED_PP = 0, EMIX_SEED_RANDOM = 1 };

/* Draws k centre rows (0-based, into rows) with R's generator; distances
 * are weighted by inv_var (1 / the variables' variances). nearest is n
 * scratch. Returns how many were drawn: fewer than k when the rows of
 * positive weight run out of distinct points. */
int emix_kmeans_seed(const emix_data *dat, const double *inv_var, int k, int mode, int *rows,
                     double *nearest);

typedef struct {
    int iter;       /* centre updates made */
    double inertia; /* sum of w_i D(i, nearest centre) at the returned labels */
} emix_lloyd_result;

/* Weighted Lloyd iterations from the k x d centres (updated in place) until
 * no label moves or max_iter updates; labels (n, 0-based) are the nearest
 * centres at the end, except that a component left without rows of positive
 * weight takes the nearest such row from a component with several. */
void emix_lloyd(const emix_data *dat, const double *inv_var, int k, double *centres,
                int max_iter, int nthreads, int *labels, emix_lloyd_result *res);

SEXP emix_kmeans_seed_r(SEXP x, SEXP w, SEXP inv_var, SEXP k, SEXP mode);
SEXP emix_kmeans_lloyd_r(SEXP x, SEXP w, SEXP inv_var, SEXP centres, SEXP max_iter,
                         SEXP threads);

/* ---- Reordering components (permute.c) ------------------------------------ */

/* Column c of the n x k matrix z becomes its column perm[c] (0-based), in
 * place with one column of scratch. */
void emix_permute_columns(double *z, size_t n, int k, const int *perm);
SEXP emix_permute_columns_r(SEXP z, SEXP perm);

/* ---- Entry points that R calls (gaussian_r.c) ----------------------------- */

SEXP emix_estep_gaussian(SEXP x, SEXP w, SEXP pro, SEXP mean, SEXP sigma, SEXP model,
                         SEXP threads, SEXP log_weight, SEXP chol);
SEXP emix_mstep_gaussian(SEXP x, SEXP w, SEXP z, SEXP model, SEXP control);
SEXP emix_run_gaussian(SEXP x, SEXP w, SEXP start, SEXP k, SEXP model, SEXP control,
                       SEXP log_volume);
SEXP emix_openmp_info(void);

/* ---- Entry points of the Bayesian methods (bayes_r.c) --------------------- */

SEXP emix_run_bayes(SEXP x, SEXP w, SEXP start, SEXP k, SEXP model, SEXP control,
                    SEXP prior);
SEXP emix_gibbs_gaussian(SEXP x, SEXP w, SEXP start, SEXP k, SEXP model, SEXP control,
                         SEXP prior, SEXP sampling);

/* ---- Entry points on the data matrix (data.c) ----------------------------- */

/* Weighted column means (d) and, unless var is NULL, variances (divisor
 * the sum of the weights), by two passes. */
void emix_col_moments(const emix_data *dat, double *mean, double *var);

SEXP emix_first_nonfinite(SEXP x);

/* ---- Robust scales of the data's columns (scale.c) ------------------------ */

/* 1.4826 x weighted MAD per column, else IQR / 1.349, else the sd */
void emix_robust_scale(const emix_data *dat, double *scale);
SEXP emix_robust_scale_r(SEXP x, SEXP w);
SEXP emix_col_moments_r(SEXP x, SEXP w);

/* ---- Entry point for checking the S-step (qstep.c) ------------------------ */

SEXP emix_draw_labels(SEXP z, SEXP u);

#endif
