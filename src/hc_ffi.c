/* The entry point of the hierarchical start. R checks the arguments and
 * draws the subset of rows before it calls it; the checks run again here,
 * so that no input can make the kernel read or write out of bounds. */
#include "ffi.h"
#include <float.h>

/* Ward's agglomeration of the rows of x (weights w, NULL or positive),
 * distances scaled by inv_var: list(merge, cost, labels), labels an
 * nrow(x) x length(ks) integer matrix, column q the partition into ks[q]
 * clusters. Scratch O(nrow(x) * ncol(x)). */
SEXP ffi_hc(SEXP x, SEXP w, SEXP inv_var, SEXP ks)
{
    emix_data dat = dense_view(x, w);
    const double *scale = check_reals(inv_var, "inv_var", dat.d, DBL_MIN);
    if (dat.w != NULL) {
        for (int i = 0; i < dat.n; i++) {
            if (!(dat.w[i] > 0.0)) {
                error("`w` must be positive for the hierarchical start (row %d is not).", i + 1);
            }
        }
    }
    if (!isInteger(ks) || XLENGTH(ks) < 1) {
        error("`ks` must be an integer vector of at least one number of clusters.");
    }
    int nk = LENGTH(ks);
    for (int q = 0; q < nk; q++) {
        if (INTEGER(ks)[q] < 1 || INTEGER(ks)[q] > dat.n) {
            error("`ks` must lie in 1..%d (the rows).", dat.n);
        }
    }
    int m = dat.n;
    emix_hc_scratch s;
    s.mean = (double *) R_alloc((size_t) m * dat.d, sizeof(double));
    s.size = (double *) R_alloc(m, sizeof(double));
    s.nn_cost = (double *) R_alloc(m, sizeof(double));
    s.nn = (int *) R_alloc(m, sizeof(int));
    s.active = (int *) R_alloc(m, sizeof(int));
    s.group = (int *) R_alloc(m, sizeof(int));
    s.first = (int *) R_alloc(m, sizeof(int));

    const char *names[] = {"merge", "cost", "labels", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SEXP merge = PROTECT(allocMatrix(INTSXP, m - 1, 2));
    SEXP cost = PROTECT(allocVector(REALSXP, m - 1));
    SEXP labels = PROTECT(allocMatrix(INTSXP, m, nk));
    emix_hc_ward(&dat, scale, INTEGER(ks), nk, INTEGER(merge), REAL(cost), INTEGER(labels), &s);
    SET_VECTOR_ELT(out, 0, merge);
    SET_VECTOR_ELT(out, 1, cost);
    SET_VECTOR_ELT(out, 2, labels);
    UNPROTECT(4);
    return out;
}

/* Each row's nearest centre (1-based) of the k x d matrix `centres`. */
SEXP ffi_nearest_centre(SEXP x, SEXP inv_var, SEXP centres)
{
    emix_data dat = dense_view(x, R_NilValue);
    const double *scale = check_reals(inv_var, "inv_var", dat.d, DBL_MIN);
    int k = check_rows(centres, "centres", dat.d);
    const double *c = check_reals(centres, "centres", (R_xlen_t) k * dat.d, R_NegInf);
    SEXP labels = PROTECT(allocVector(INTSXP, dat.n));
    emix_nearest_centre(&dat, scale, c, k, INTEGER(labels));
    UNPROTECT(1);
    return labels;
}
