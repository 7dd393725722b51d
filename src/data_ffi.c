/* The entry points on a data matrix and on a responsibility matrix that the
 * R side calls for its checks, its starts and its tests of the S-step. */
#include "ffi.h"
#include <math.h>
#include <string.h>

/* The first non-finite entry of x in column-major order, 1-based, or 0. */
SEXP ffi_first_nonfinite(SEXP x)
{
    if (TYPEOF(x) != REALSXP) {
        error("emix: 'x' must be a double vector or matrix");
    }
    const double *v = REAL(x);
    R_xlen_t len = XLENGTH(x);
    for (R_xlen_t e = 0; e < len; e++) {
        if (!isfinite(v[e])) {
            return ScalarReal((double) e + 1.0);
        }
    }
    return ScalarReal(0.0);
}

/* Weighted column means and variances: list(mean, var). */
SEXP ffi_col_moments(SEXP x, SEXP w)
{
    emix_data dat = dense_view(x, w);
    int d = dat.d;
    const char *names[] = {"mean", "var", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SEXP mean = PROTECT(allocVector(REALSXP, d));
    SEXP var = PROTECT(allocVector(REALSXP, d));
    emix_col_moments(&dat, REAL(mean), REAL(var));
    SET_VECTOR_ELT(out, 0, mean);
    SET_VECTOR_ELT(out, 1, var);
    UNPROTECT(3);
    return out;
}

/* The d robust scales of x (n x d) with weights w (or NULL). */
SEXP ffi_robust_scale(SEXP x, SEXP w)
{
    emix_data dat = dense_view(x, w);
    SEXP out = PROTECT(allocVector(REALSXP, dat.d));
    emix_robust_scale(&dat, REAL(out));
    UNPROTECT(1);
    return out;
}

/* Permutes the columns of the double matrix z in place by
 * perm, a permutation of 1..ncol(z) (column c becomes column perm[c]); z
 * must not be shared with any other R object. */
SEXP ffi_permute_columns(SEXP z, SEXP perm)
{
    int k = check_columns(z, "z", -1);
    int n = INTEGER(getAttrib(z, R_DimSymbol))[0];
    const int *given = check_labels(perm, "perm", k, k);
    int *p = (int *) R_alloc(k, sizeof(int));
    char *seen = (char *) R_alloc(k, 1);
    memset(seen, 0, (size_t) k);
    for (int c = 0; c < k; c++) {
        if (seen[given[c] - 1]) {
            error("emix: 'perm' must be a permutation of 1..ncol(z); %d appears twice",
                  given[c]);
        }
        seen[given[c] - 1] = 1;
        p[c] = given[c] - 1;
    }
    if (n > 0) { /* no rows: nothing to move */
        emix_permute_columns(REAL(z), (size_t) n, k, p);
    }
    return z;
}

/* The entropy of the responsibility matrix z, weighted by w (NULL for
 * none): -sum_i w_i sum_c z_ic log z_ic, the term of ICL. */
SEXP ffi_posterior_entropy(SEXP z, SEXP w)
{
    int k = check_columns(z, "z", -1);
    int n = INTEGER(getAttrib(z, R_DimSymbol))[0];
    const double *wv = isNull(w) ? NULL : check_reals(w, "weights", n, 0.0);
    return ScalarReal(emix_posterior_entropy(REAL(z), (size_t) n, k, wv));
}

/* Labels (1-based) drawn for the rows of the n x k responsibility matrix z
 * with the uniforms u: the S-step on its own, for checking it. */
SEXP ffi_draw_labels(SEXP z, SEXP u)
{
    int k = check_columns(z, "z", -1);
    int n = INTEGER(getAttrib(z, R_DimSymbol))[0];
    check_reals(u, "u", n, R_NegInf);
    SEXP out = PROTECT(allocVector(INTSXP, n));
    for (int i = 0; i < n; i++) {
        INTEGER(out)[i] = emix_draw_label(REAL(z) + i, n, k, 0, REAL(u)[i]) + 1;
    }
    UNPROTECT(1);
    return out;
}
