/* The entry points of the hierarchical start. R checks the arguments and
 * draws the subset of rows before it calls them; the checks run again here,
 * so that no input can make the kernels read or write out of bounds. */
#include "ffi.h"
#include <float.h>

/* The VVV agglomeration of the rows of x (weights w, NULL or positive, a
 * weight counting as that many rows), regularised by alpha and beta as
 * mclust's hcVVV(): list(merge, cost, labels), labels an nrow(x) x
 * length(ks) integer matrix, column q the partition into ks[q] clusters.
 * Scratch O(nrow(x)^2 / 2 + nrow(x) * ncol(x)). */
SEXP ffi_hc_vvv(SEXP x, SEXP w, SEXP alpha, SEXP beta, SEXP ks)
{
    emix_data dat = dense_view(x, w);
    double a = check_real(alpha, "alpha", 0.0, R_PosInf);
    double b = check_real(beta, "beta", DBL_MIN, R_PosInf);
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
    int m = dat.n, d = dat.d;
    emix_hc_vvv_scratch s;
    s.cost = (double *) R_alloc((size_t) m * (m - 1) / 2 + 1, sizeof(double));
    s.mean = (double *) R_alloc((size_t) m * d, sizeof(double));
    s.pool = (double *) R_alloc((size_t) m * d, sizeof(double));
    s.inv_diag = (double *) R_alloc((size_t) m * d, sizeof(double));
    s.work = (double *) R_alloc((size_t) d * d, sizeof(double));
    s.vec = (double *) R_alloc(d, sizeof(double));
    s.vec2 = (double *) R_alloc(d, sizeof(double));
    double **reals[] = {&s.row_cost, &s.size, &s.trace, &s.term, &s.logdet, &s.lemma_det};
    for (size_t e = 0; e < sizeof(reals) / sizeof(reals[0]); e++) {
        *reals[e] = (double *) R_alloc(m, sizeof(double));
    }
    int **ints[] = {&s.row_arg, &s.rows, &s.rank, &s.rep,  &s.head,
                    &s.tail,    &s.next, &s.first, &s.label};
    for (size_t e = 0; e < sizeof(ints) / sizeof(ints[0]); e++) {
        *ints[e] = (int *) R_alloc(m, sizeof(int));
    }

    const char *names[] = {"merge", "cost", "labels", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SEXP merge = PROTECT(allocMatrix(INTSXP, m - 1, 2));
    SEXP cost = PROTECT(allocVector(REALSXP, m - 1));
    SEXP labels = PROTECT(allocMatrix(INTSXP, m, nk));
    emix_hc_vvv(&dat, a, b, INTEGER(ks), nk, INTEGER(merge), REAL(cost), INTEGER(labels), &s);
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
