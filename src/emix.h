/* The emix C core: the data view, the family table, the methods' loop and
 * the kernels they share.
 *
 * This header does not include Rinternals.h, so no kernel can see a SEXP:
 * the adapters that R calls are the ffi_* functions of the *_ffi.c files,
 * declared in ffi.h, the one header that includes it. A family is one file
 * that fills an emix_family table (see vignette("writing-a-family")) and
 * one line of the registry in families.c. */
#ifndef EMIX_H
#define EMIX_H

#define USE_FC_LEN_T
#include <R.h>
#include <R_ext/BLAS.h>
#include <R_ext/Lapack.h>
#ifndef FCONE
#define FCONE
#endif
#include <stddef.h>
#include <stdint.h>

/* Comparisons in the vectorised loops (the row maximum, the clamp in exp)
 * must not be treated as possible traps, or GCC keeps them as branches and
 * will not vectorise; emix never reads the floating-point exception flags.
 * (Clang assumes this by default.) */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

/* The hot kernels are compiled three times on x86-64 with GCC: for the
 * baseline (SSE2), for AVX2 with FMA and for AVX-512 (eight doubles a
 * vector: an EM iteration of 100 000 rows, 5 variables, 7 components took
 * 3.1 ms against 5.0 with AVX2); the loader picks the one the processor
 * runs. Elsewhere they are compiled once, as usual. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11 && defined(__x86_64__) && \
    defined(__linux__)
#define EMIX_HOT __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define EMIX_HOT
#endif

/* Kernels instantiated for a constant size (gauss_small_d.c) are inlined
 * into each instance, and their loops over that size unrolled, so that the
 * small arrays they use become registers. Other compilers get plain inline
 * functions and unroll as they see fit. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8
#define EMIX_INLINE static inline __attribute__((always_inline))
#define EMIX_UNROLL _Pragma("GCC unroll 8")
#elif defined(__clang__)
#define EMIX_INLINE static inline __attribute__((always_inline))
#define EMIX_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
/* GCC before 8 has no unroll pragma */
#define EMIX_INLINE static inline __attribute__((always_inline))
#define EMIX_UNROLL
#else
#define EMIX_INLINE static inline
#define EMIX_UNROLL
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

/* The kernels' buffers start on a cache line (64 bytes), so that their
 * vector loads never straddle two lines. Otherwise their alignment, and so
 * the speed of an iteration, changed with where R's heap and the stack
 * happened to be: from one installed copy of the package to another, the
 * same code took 0.05 or 0.09 s per iteration of W3. */
#if defined(__GNUC__) || defined(__clang__)
#define EMIX_ALIGNED __attribute__((aligned(64)))
#else
#define EMIX_ALIGNED
#endif

/* p rounded up to a multiple of 64 bytes; p must have 64 bytes to spare. */
static inline double *emix_align64(double *p)
{
    return (double *) (((uintptr_t) p + 63u) & ~(uintptr_t) 63u);
}

#define EMIX_LOG_2PI 1.837877066409345483560659472811

/* The data: n rows of d columns, with optional observation weights, held
 * dense (n x d column-major) or row-compressed sparse (CSR: the nonzero
 * entries row by row, as the CSC form of the transpose; R converts a
 * Matrix::dgCMatrix once). A family says which kinds it reads. */
enum { EMIX_DENSE = 0, EMIX_CSR = 1, EMIX_NKINDS };

typedef struct {
    int kind;
    const double *x;      /* DENSE: n x d values; CSR: the nnz nonzero values */
    const int *row_start; /* CSR: n + 1 offsets into x and col, row_start[0] = 0 */
    const int *col;       /* CSR: the 0-based column of each value, increasing in a row */
    const double *w;      /* NULL means every weight is 1 */
    int n;
    int d;
} emix_data;

static inline double emix_weight(const emix_data *dat, int i)
{
    return dat->w ? dat->w[i] : 1.0;
}

/* What went wrong, if anything; R turns the code into a classed condition
 * (stop_emix() in R/conditions.R). R reads these codes from ffi_codes(), so
 * this enum is their one source. */
enum {
    EMIX_OK = 0,
    EMIX_EMPTY = 1,       /* a component has too few observations for its parameters */
    EMIX_COLLAPSED = 2,   /* a covariance matrix is (nearly) singular */
    EMIX_ZERO_DENSITY = 3, /* an observation has no finite log-density under any component */
    EMIX_INTERRUPTED = 4,  /* the user interrupted a loop that holds R's RNG state */
    EMIX_NSTATUS
};

typedef struct {
    int code;
    int component; /* 0-based; -1 for a covariance shared by all */
    int row;       /* 0-based, or -1 */
    int variable;  /* EMIX_COLLAPSED: the variable (0-based) whose conditional variance failed */
    double value;  /* EMIX_EMPTY: the effective size found; EMIX_COLLAPSED: that variance */
    int iter;      /* the iteration (or Gibbs sweep, 0-based) it happened at; -1 unknown */
    int inner;     /* from an M-step: the iterations of its inner loop (0: none) */
    int inner_capped; /* 1: that loop stopped at its cap, short of its tolerance */
} emix_status;

#define EMIX_STATUS_OK ((emix_status) {EMIX_OK, -1, -1, -1, 0.0, -1, 0, 0})

/* Settings of one fit, checked in R. */
enum { EMIX_RULE_RELATIVE = 0, EMIX_RULE_ABSOLUTE = 1, EMIX_RULE_MEAN = 2,
       EMIX_RULE_AITKEN = 3 };

typedef struct {
    double tol;
    int max_iter;
    int rule;
    double total_weight;     /* W = sum of the weights: the mean rule's divisor */
    double reg;              /* ridge on covariance diagonals, relative to var_scale */
    double mean_weight;      /* the mean observation weight: N_c / mean_weight is the
                              * effective number of observations of component c */
    const double *var_scale; /* the d squared robust scales of the data (scale.c): what
                              * the ridge and the collapse yardstick are relative to;
                              * NULL for a family without a ridge */
    int threads;
    double inner_tol;        /* an M-step's inner iterations (the Gaussian models */
    int inner_max_iter;      /* VEI VEE EVE VVE VEV): relative tolerance and cap */
    int accelerate;          /* EM: accelerated (accelerate.c) where the
                              * family can */
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
/* -sum_i w_i sum_c z_ic log z_ic of an n x k matrix; w NULL for unit weights */
double emix_posterior_entropy(const double *z, size_t n, int k, const double *w);

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
/* The component of row i of an nb x k block of responsibilities at which
 * their cumulative sum first reaches u (0-based) */
int emix_draw_label(const double *resp, int nb, int k, int i, double u);
int emix_sstep_block(double *resp, int nb, int k, const double *rowll, const double *u,
                     int *labels, double *rowobj);

/* ---- The family table ---------------------------------------------------- */

/* One block of parameters (or of a prior or posterior) as R sees it: a
 * named double array of up to four dimensions, column-major. R builds
 * and checks these from the table, so a family never sees a SEXP. */
#define EMIX_MAX_BLOCKS 8
typedef struct {
    const char *name;
    int ndim;
    int dim[4];
    int optional; /* for par_put: may be absent (NULL) */
} emix_block;

/* What a family offers the Bayesian methods: a conjugate prior, the
 * posterior q(theta) it gives from weighted statistics, and draws from it.
 * A family without one has conjugate = NULL, and R refuses vb, me and
 * gibbs for it with the list of families that have one. */
typedef struct {
    /* the prior's blocks for k components of d variables; returns how many */
    int (*prior_blocks)(const void *par, emix_block *blocks);
    /* q(theta) for the parameters par, under the prior given as the values
     * of prior_blocks() (checked here, with error()); par is what the
     * E-step reads, which update() and draw() set */
    void *(*post_new)(void *par, const double *const *prior);
    /* q(theta) from the statistics of q(z); sets par so that the family's
     * log_joint gives E_q[log p(x_i, z_i = c | theta)] (VB, ME), and keeps
     * the bound for bound() */
    emix_status (*update)(const void *stats, void *post, const emix_control *ctl);
    /* the evidence lower bound after the last update, less the entropy of
     * q(z), which the loop adds (signature of expected_loglik) */
    double (*bound)(const void *stats, const void *post);
    /* Gibbs: theta drawn from p(theta | labels) given the statistics of
     * the labels, into par, with R's generator (outside parallel code) */
    emix_status (*draw)(const void *stats, void *post);
    /* the posterior's blocks and values, for the fit's $posterior */
    int (*post_blocks)(const void *post, emix_block *blocks);
    void (*post_get)(const void *post, int b, double *out);
    /* optional (or NULL), Gibbs: called after kept draw r (0-based) is
     * stored, and at the end for extra blocks of the draws (names and
     * values; returns how many) */
    void (*kept_draw)(void *post, int r, int draws);
    int (*draw_extras)(const void *post, emix_block *blocks, const double **values);
} emix_conjugate;

/* A family is this table. The functions called inside the parallel E-step
 * (log_joint, stats_reset, stats_add, stats_add_labels) use only the
 * memory they are given: no R API. Everything else runs outside parallel
 * code and may signal a malformed argument with error(). */
typedef struct {
    const char *name;     /* the registry's name (families.c), R's family$c_name */
    unsigned kinds;       /* the data kinds it reads: bits 1 << EMIX_DENSE, ... */

    /* ---- parameters ---- */
    /* parameters for k components (the columns of z) of d variables, with
     * the family's settings (R's family$settings: their meaning is the
     * family's, documented in its file); R_alloc */
    void *(*par_new)(int k, int d, const double *settings, int nsettings);
    /* the blocks R reads (par_get) and gives (par_put); returns how many */
    int (*par_blocks)(const void *par, emix_block *blocks);
    void (*par_get)(const void *par, int b, double *out);
    /* set every block (an optional one may be NULL) and prepare what the
     * E-step needs (factors, logs); a failure of that is the status */
    emix_status (*par_put)(void *par, const double *const *values);
    /* the number of free parameters, as in logLik's df */
    double (*df)(const void *par);
    /* the start: the exact M-step from an n x k responsibility matrix z, or
     * else from labels in 1..k */
    emix_status (*start)(void *par, const emix_data *dat, const double *z, const int *labels,
                         const emix_control *ctl);
    /* the statistics of z (or of labels in 1..k) into stats, at no
     * particular parameters: the Bayesian methods start from these (an
     * empty component is no error for them) */
    emix_status (*stats_from_z)(void *par, const emix_data *dat, const double *z,
                                const int *labels, void *stats);
    /* optional (or NULL): a part of each row's log-density that no
     * parameter moves (the multinomial coefficient), into out (n values);
     * the loop adds its weighted sum to the log-likelihoods it reports */
    void (*row_offset)(const emix_data *dat, double *out);

    /* ---- the E-step ---- */
    /* log pi_c + log f_c(x_i) for rows i0 .. i0 + nb - 1 into lj (nb x k) */
    void (*log_joint)(const void *par, const emix_data *dat, int i0, int nb,
                      double *lj, double *scratch);
    /* doubles of scratch that log_joint and stats_add need for one block */
    size_t (*scratch_size)(const void *par);

    /* ---- sufficient statistics: one flat block of doubles each ---- */
    /* new statistics for these parameters (R_alloc; outside parallel code) */
    void *(*stats_new)(const void *par);
    /* the flat block (its layout is documented in the family's file) and
     * its length: what ffi_stats() returns and ffi_mstep_stats() reads */
    double *(*stats_flat)(void *stats);
    size_t (*stats_len)(const void *par);
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
    /* the weight N_c of each component (k values) */
    void (*stats_weights)(const void *stats, double *N);

    /* ---- the M-step ---- */
    /* parameters from statistics */
    emix_status (*mstep)(const void *stats, void *par, const emix_control *ctl);
    /* E_q[log p(x, z | par)] for the q the statistics were accumulated under */
    double (*expected_loglik)(const void *stats, const void *par);

    /* ---- optional (or NULL): accelerated EM (accelerate.c) ---- */
    /* the parameters an M-step sets, as one vector of theta_len() doubles
     * whose linear combinations the accelerations propose, in units that do not depend on
     * the data's (ctl->var_scale), so that the length of an extrapolated
     * step does not either */
    size_t (*theta_len)(const void *par);
    void (*theta_get)(const void *par, const emix_control *ctl, double *theta);
    /* set them from theta and prepare the E-step, as par_put does. An
     * extrapolated theta may lie outside the family's constraints, which
     * theta_put then restores; it returns 0 for a theta outside the
     * parameter space (a proportion at or below 0, a covariance that is
     * not positive definite), and par must then be set again before it is
     * read. A put with `extrapolated` set keeps the last M-step's warm start
     * of its inner iterations, which the next put without it restores. No
     * degeneracy is judged: the next M-step does that. A theta
     * that theta_get read from an M-step's parameters is put back as it was
     * (to rounding), with no constraint to restore. */
    int (*theta_put)(void *par, const emix_control *ctl, const double *theta, int extrapolated);
    /* the log prior density of par, up to a constant, where the M-step is a
     * MAP step that raises the log-likelihood plus it (NULL: a maximum
     * likelihood M-step); proposals are judged on that sum */
    double (*log_prior)(const void *par);

    /* ---- optional ---- */
    const emix_conjugate *conjugate; /* NULL: no Bayesian methods */
} emix_family;

/* The registry (families.c): the family named `name`, or NULL. */
const emix_family *emix_family_find(const char *name);
/* the i-th family of the registry, or NULL past the last */
const emix_family *emix_family_at(int i);

/* ---- Methods -------------------------------------------------------------- */

/* The loops (R's method objects name theirs; R reads the codes from
 * ffi_codes()). */
enum { EMIX_LOOP_EM = 0, EMIX_LOOP_IEM = 1, EMIX_LOOP_BAYES = 2, EMIX_LOOP_GIBBS = 3,
       EMIX_NLOOPS };

typedef struct {
    int loop;   /* EMIX_LOOP_* */
    int q_step; /* EMIX_Q_SOFT, EMIX_Q_MODE or EMIX_Q_DRAW */
    int blocks; /* incremental EM: blocks of rows */
    int burnin, draws, thin; /* Gibbs sampling */
} emix_method;

/* What the loop calls after each E-step: the family's M-step (EM and its
 * q-step variants), or the conjugate update of q(theta) (variational Bayes,
 * maximization-expectation), with the objective each raises. */
typedef struct {
    emix_status (*update)(const void *stats, void *theta, const emix_control *ctl);
    double (*objective)(const void *stats, const void *theta);
    void *theta;     /* the family's parameters, or its posterior */
    void *estep_par; /* what the E-step reads: the parameters */
    int bayesian;    /* 1: the objective is the bound after each update */
} emix_step;

/* Rows are cut into chunks that depend on the data and the family only (n,
 * the data's size and the statistics' length); each chunk's statistics are
 * summed in row order, and the chunks are summed in chunk order, so the
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

/* Allocates (R_alloc) what the E-step needs for the rows of dat and k
 * components, with rows cut into `parts` chunks of about equal size, or,
 * for parts = 0, into the default chunks of whole blocks: at most
 * EMIX_MAX_CHUNKS, and no more than keep their statistics within the
 * data's size. */
void emix_workspace_init(emix_workspace *ws, const emix_family *fam, const void *par,
                         const emix_data *dat, int k, int nthreads, int with_stats, int parts);

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
    double entropy;    /* sum of w_i times the entropy of row i's responsibilities,
                        * at the returned parameters: set by the soft q-step of
                        * emix_em only, NA otherwise */
    size_t capacity;    /* entries of trace, objective and bound allocated */
    size_t max_entries; /* max_iter + 1: no run needs more */
    double *trace;     /* log-likelihoods; entries 0 .. iter filled */
    double *objective; /* values of the method's objective: the
                        * log-likelihood (EM, SEM) or the classification
                        * log-likelihood at the new labels (CEM) */
    double *bound;     /* bound[t] = F(q_{t-1}, theta_t), the free
                        * energy after M-step t; bound[0] is NaN, except for a
                        * Bayesian method, whose caller sets it at the start */
    double *inner;     /* inner[t]: the inner iterations of the M-step that gave
                        * the parameters of entry t (the most in an incremental
                        * sweep); inner[0] is the start's */
    double *accelerated; /* 1 where entry t's parameters were proposed by
                          * accelerated EM, else 0 */
    double *to_limit;  /* the estimated rise of the objective from entry t to
                        * its limit, which the Aitken rule judges (Inf: not
                        * seen to converge yet; NA: not estimated there) */
    int esteps;        /* E-steps over all rows, those of rejected steps included */
    int inner_capped;  /* M-steps whose inner iterations reached their cap */
    emix_status status;
    int status_iter;   /* iteration at which status was raised */
} emix_result;

/* Records the inner iterations of the M-step that gave entry t (with add,
 * the most of those so far and this one) and whether it hit their cap. */
void emix_result_inner(emix_result *res, int t, emix_status st, int add);

/* An emix_result with room for max_iter iterations, nothing done yet. */
void emix_result_init(emix_result *res, int max_iter);

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

/* Aitken's estimate (Boehning et al. 1994) of the rise still to come from
 * value[t] to the limit of value[0 .. t]: a linearly converging sequence
 * shrinks its steps by a ratio a, so its limit lies change * a / (1 - a)
 * beyond the last value. The ratio is the largest of the last three ratios
 * of consecutive changes (the last five values are read): an accelerated
 * sequence's steps are of different kinds, and one small ratio would
 * promise a limit too near. NA for t < 2, Inf when a ratio is 1 or more. */
double emix_aitken_distance(const double *value, int t);
/* Whether the stopping rule holds after a step that took the objective
 * from prev to cur, with `distance` the estimated rise still to come: for
 * the Aitken rule, when both the change and that distance are below the
 * tolerance (the rule's scale applied); for the others, when the change
 * is. A change within rounding of the value holds for every rule. */
int emix_rule_holds(double prev, double cur, double distance, const emix_control *ctl);
/* The rule at value t of the sequence value[0 .. t], with Aitken's
 * distance. */
int emix_converged(const double *value, int t, const emix_control *ctl);

/* EM, or one of its relatives that `step` and ws->q_step make of it, from
 * the parameters step->estep_par until the rule or max_iter stops it. */
void emix_em(const emix_family *fam, const emix_step *step, void *stats,
             const emix_data *dat, int k, double *z, const emix_control *ctl,
             emix_workspace *ws, emix_result *res);

/* Rescales v[0], v[stride], ... (n values) to sum to total, for a
 * family's theta_put (accelerate.c says why). */
void emix_rescale_sum(double *v, size_t n, size_t stride, double total);

/* Accelerated EM (accelerate.c): squared extrapolation (squarem.c), handing
 * over to Anderson acceleration (anderson.c) where EM is slow and back
 * where it bends; a proposal is kept only when it does not lower the
 * log-likelihood. Needs the family's theta_* entries and a soft q-step. */
void emix_em_accelerated(const emix_family *fam, void *par, void *stats,
                         const emix_data *dat, int k, double *z, const emix_control *ctl,
                         emix_workspace *ws, emix_result *res);

/* Incremental EM (incremental.c): sweeps over the chunks of ws, an E-step on
 * one chunk then an M-step from the running total of the statistics, until
 * the rule (on the free energy, once per sweep) or max_iter sweeps stop it. */
void emix_iem(const emix_family *fam, void *par, void *total,
              const emix_data *dat, int k, double *z, const emix_control *ctl,
              emix_workspace *ws, emix_result *res);

/* ---- The k-means start (kmeans.c) ------------------------------ */

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

/* ---- Hierarchical agglomeration (hc_vvv.c, hc.c) ------------------------- */

/* Scratch of emix_hc_vvv for m rows of d variables: cost m (m - 1) / 2
 * doubles; mean, pool and inv_diag m * d; row_cost, size, trace, term,
 * logdet and lemma_det m;
 * work d * d; vec and vec2 d; row_arg, rows, rank, rep, head, tail, next,
 * first and label m ints. */
typedef struct {
    double *cost, *row_cost, *mean, *pool, *inv_diag, *size, *trace, *term, *logdet, *lemma_det,
        *work, *vec, *vec2;
    int *row_arg, *rows, *rank, *rep, *head, *tail, *next, *first, *label;
} emix_hc_vvv_scratch;

/* The agglomeration of the m rows of dat (weights > 0, a weight counting as
 * that many rows) under the VVV classification likelihood, regularised as
 * mclust's hcVVV(alpha, beta): merge ((m - 1) x 2, 1-based, each cluster
 * named by its first row, the lower name first), cost (m - 1, the change of
 * the criterion at each merge) and labels (m x nk, column q the partition
 * into ks[q] clusters, labelled 1.. in order of first row). */
void emix_hc_vvv(const emix_data *dat, double alpha, double beta, const int *ks, int nk,
                 int *merge, double *cost, int *labels, emix_hc_vvv_scratch *s);

/* Each row's nearest of the k x d centres (1-based, the first on a tie) in
 * the distances scaled by inv_var: the rows left out of the agglomeration
 * join its clusters so. Unlike emix_lloyd it never moves a row to fill a
 * centre that no row is nearest to. */
void emix_nearest_centre(const emix_data *dat, const double *inv_var, const double *centres,
                         int k, int *labels);

/* ---- Reordering components (permute.c) ------------------------------------ */

/* Column c of the n x k matrix z becomes its column perm[c] (0-based), in
 * place with one column of scratch. */
void emix_permute_columns(double *z, size_t n, int k, const int *perm);

/* ---- Gibbs sampling (gibbs.c) ---------------------------------------------- */

/* What a Gibbs run keeps: per sweep the log-likelihood of the drawn
 * parameters and the number of occupied components; per kept sweep the
 * parameter blocks (each block's values, then the next draw's), the
 * log-likelihood and the labels (1-based). The caller allocates them. */
typedef struct {
    int burnin, draws, thin;
    double *trace;  /* burnin + draws * thin */
    int *occupied;  /* burnin + draws * thin */
    int nblocks;
    emix_block blocks[EMIX_MAX_BLOCKS];
    double *values[EMIX_MAX_BLOCKS]; /* block length x draws each */
    double *loglik; /* draws */
    int *labels;    /* n x draws */
} emix_gibbs_draws;

/* Gibbs sampling for a family with a conjugate prior, from the statistics
 * of the starting labels (ws->labels, 0-based). */
emix_status emix_gibbs(const emix_family *fam, void *post, void *par, void *stats,
                       const emix_data *dat, int k, emix_workspace *ws, emix_gibbs_draws *out);

/* ---- Moments of the data matrix (data.c) ----------------------------- */

/* Weighted column means (d) and, unless var is NULL, variances (divisor
 * the sum of the weights), by two passes. */
void emix_col_moments(const emix_data *dat, double *mean, double *var);

/* ---- Robust scales of the data's columns (scale.c) ------------------------ */

/* 1.4826 x weighted MAD per column, else IQR / 1.349, else the sd */
void emix_robust_scale(const emix_data *dat, double *scale);

#endif
