/* Helpers of the entry points (entry.c); only the *_r.c files use them. */
#ifndef EMIX_ENTRY_H
#define EMIX_ENTRY_H

#include "emix.h"

/* Checks: each returns what it checked, or stops with an error() that
 * names `what` and says what it must be. */

/* element `name` of a named list, or an error */
SEXP list_elt(SEXP list, const char *name);
/* a single whole number (integer or double) in lo..hi */
int check_int(SEXP s, const char *what, int lo, int hi);
/* a single finite number (integer or double) in [lo, hi] */
double check_real(SEXP s, const char *what, double lo, double hi);
/* a double vector of length len with finite values >= lo */
const double *check_reals(SEXP s, const char *what, R_xlen_t len, double lo);
/* a double array with exactly these ndim (2 or 3) dimensions; any values */
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
/* x: a double matrix, at least 1 x 1; w: NULL or n finite weights >= 0 */
emix_data data_view(SEXP x, SEXP w);
/* the settings core_control() makes, for data with d variables */
emix_control control_view(SEXP control, int d);
/* status as c(code, component, row, iteration), 1-based where it applies */
SEXP status_vector(emix_status st, int iter);
/* what a failure found: c(variable (1-based) or NA, effective size or variance) */
SEXP status_detail(emix_status st);
SEXP copy_real(const double *src, R_xlen_t len);
/* pro, mean (k x d) and sigma (d x d x k) as R objects, into list slots 0-2 */
void set_parameters(SEXP out, const gauss_par *par);
/* 0-based labels of the start for a point-mass q-step: the labels given,
 * or each row's most probable component under the responsibilities given */
int *start_labels(const double *z0, const int *labels, int n, int k);
/* an emix_result with room for max_iter iterations, nothing done yet */
void result_alloc(emix_result *res, int max_iter);
/* the list every run returns: parameters, log-likelihood, trace, bound,
 * objective, iterations, convergence, z, the rounding yardstick, status */
SEXP run_result(const gauss_par *par, const emix_result *res, SEXP z);

#endif
