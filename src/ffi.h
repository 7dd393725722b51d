/* The adapters R calls: the one header that includes Rinternals.h. Every
 * function R calls is an ffi_* function in a *_ffi.c file; it checks the
 * SEXPs it reads (R has checked them already, but emix:::C_ffi_* can be
 * called directly), turns them into the core's C types, runs a kernel and
 * builds the result. The helpers below are ffi.c's. */
#ifndef EMIX_FFI_H
#define EMIX_FFI_H

#include "emix.h"
#include <Rinternals.h>

/* Checks: each returns what it checked, or stops with an error() that
 * names `what` and says what it must be. */

/* element `name` of a named list, or an error */
SEXP list_elt(SEXP list, const char *name);
/* element `name` of a named list, or R_NilValue when it has none */
SEXP list_elt_or_null(SEXP list, const char *name);
/* a single whole number (integer or double) in lo..hi */
int check_int(SEXP s, const char *what, int lo, int hi);
/* a single finite number (integer or double) in [lo, hi] */
double check_real(SEXP s, const char *what, double lo, double hi);
/* a double vector of length len with finite values >= lo */
const double *check_reals(SEXP s, const char *what, R_xlen_t len, double lo);
/* a double array with exactly these ndim (1 to 4) dimensions; any values
 * (ndim 1: a plain vector of that length, with or without a dim) */
const double *check_array(SEXP s, const char *what, int ndim, const int *dims);
/* a double matrix with nrow rows (any number when nrow < 0) and at least
 * one column: its number of columns */
int check_columns(SEXP s, const char *what, int nrow);
/* a double matrix with ncol columns and at least one row: its number of rows */
int check_rows(SEXP s, const char *what, int ncol);
/* an integer vector of n labels in 1..k */
const int *check_labels(SEXP s, const char *what, int n, int k);
/* the start of a run: n x k responsibilities (*z0) or n labels (*labels) */
void start_view(SEXP start, int n, int k, const double **z0, const int **labels);
/* x: a double matrix, at least 1 x 1, or a row-compressed sparse matrix
 * (a list of class "emix_csr": x, row_start, col, dim, checked here);
 * w: NULL or n finite weights >= 0 */
emix_data data_view(SEXP x, SEXP w);
/* the same, and dense: for the kernels that read only dense data */
emix_data dense_view(SEXP x, SEXP w);
/* the loop's settings (R's core_control()) for data with d variables */
emix_control control_view(SEXP control, int d);
/* the method: list(loop, q_step, blocks, burnin, draws, thin) */
emix_method method_view(SEXP method);
/* the registered family named by `family` (a string) */
const emix_family *family_view(SEXP family);
/* the family's settings: a double vector, or NULL */
void settings_view(SEXP settings, const double **values, int *n);
/* status as c(code, component, row, iteration), 1-based where it applies */
SEXP status_vector(emix_status st, int iter);
/* what a failure found: c(variable (1-based) or NA, effective size or variance) */
SEXP status_detail(emix_status st);
SEXP copy_real(const double *src, R_xlen_t len);
/* a double array of a block's dimensions (one more, `extra`, when > 0) */
SEXP alloc_block(const emix_block *b, int extra);
/* the blocks of a parameter list (names and dimensions from blocks),
 * checked: values[b] is NULL for an optional block the list lacks */
void blocks_view(SEXP list, const char *what, const emix_block *blocks, int nblocks,
                 const double **values);
/* 0-based labels of the start for a point-mass q-step: the labels given,
 * or each row's most probable component under the responsibilities given */
int *start_labels(const double *z0, const int *labels, int n, int k);

/* ---- The entry points (init.c registers them) ---------------------------- */

SEXP ffi_run(SEXP family, SEXP settings, SEXP x, SEXP w, SEXP start, SEXP k, SEXP control,
             SEXP method, SEXP prior);
SEXP ffi_estep(SEXP family, SEXP settings, SEXP parameters, SEXP x, SEXP w, SEXP threads);
SEXP ffi_mstep(SEXP family, SEXP settings, SEXP x, SEXP w, SEXP z, SEXP control);
SEXP ffi_stats(SEXP family, SEXP settings, SEXP parameters, SEXP x, SEXP w, SEXP threads);
SEXP ffi_stats_merge(SEXP family, SEXP settings, SEXP k, SEXP d, SEXP a, SEXP b);
SEXP ffi_mstep_stats(SEXP family, SEXP settings, SEXP k, SEXP d, SEXP stats, SEXP control);
SEXP ffi_family_info(SEXP family, SEXP settings, SEXP k, SEXP d);
SEXP ffi_codes(void);
SEXP ffi_covariance_models(void);
SEXP ffi_openmp_info(void);
SEXP ffi_first_nonfinite(SEXP x);
SEXP ffi_col_moments(SEXP x, SEXP w);
SEXP ffi_robust_scale(SEXP x, SEXP w);
SEXP ffi_permute_columns(SEXP z, SEXP perm);
SEXP ffi_posterior_entropy(SEXP z, SEXP w);
SEXP ffi_draw_labels(SEXP z, SEXP u);
SEXP ffi_kmeans_seed(SEXP x, SEXP w, SEXP inv_var, SEXP k, SEXP mode);
SEXP ffi_kmeans_lloyd(SEXP x, SEXP w, SEXP inv_var, SEXP centres, SEXP max_iter,
                      SEXP threads);
SEXP ffi_hc_vvv(SEXP x, SEXP w, SEXP alpha, SEXP beta, SEXP ks);
SEXP ffi_nearest_centre(SEXP x, SEXP inv_var, SEXP centres);

#endif
