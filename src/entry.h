/* Helpers of the entry points (entry.c); only the *_r.c files use them. */
#ifndef EMIX_ENTRY_H
#define EMIX_ENTRY_H

#include "emix.h"

/* element `name` of a named list, or an error */
SEXP list_elt(SEXP list, const char *name);
emix_data data_view(SEXP x, SEXP w);
emix_control control_view(SEXP control);
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
