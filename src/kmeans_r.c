/* The entry points of the k-means start. R checks the arguments before it
 * calls them, but every length and range read here is checked again, so
 * that no input can make the kernels read or write out of bounds. */
#include "emix.h"
#include <string.h>

/* The data as a view, after checking x (a double matrix), w (NULL or n
 * doubles) and inv_var (d positive finite doubles). */
static emix_data checked_data(SEXP x, SEXP w, SEXP inv_var)
{
    SEXP dim = getAttrib(x, R_DimSymbol);
    if (!isReal(x) || !isInteger(dim) || LENGTH(dim) != 2) {
        error("internal error in emix: x must be a double matrix");
    }
    emix_data dat = {REAL(x), NULL, INTEGER(dim)[0], INTEGER(dim)[1]};
    if (dat.n < 1 || dat.d < 1) {
        error("internal error in emix: x must have rows and columns");
    }
    if (!isNull(w)) {
        if (!isReal(w) || XLENGTH(w) != dat.n) {
            error("internal error in emix: w must be NULL or one double per row");
        }
        dat.w = REAL(w);
    }
    if (!isReal(inv_var) || XLENGTH(inv_var) != dat.d) {
        error("internal error in emix: inv_var must be one double per column");
    }
    for (int j = 0; j < dat.d; j++) {
        if (!R_FINITE(REAL(inv_var)[j]) || REAL(inv_var)[j] <= 0.0) {
            error("internal error in emix: inv_var must be positive and finite");
        }
    }
    return dat;
}

static int checked_int(SEXP v, const char *name, int lo, int hi)
{
    if ((!isInteger(v) && !isReal(v)) || XLENGTH(v) != 1) {
        error("internal error in emix: %s must be a single number", name);
    }
    int value = asInteger(v);
    if (value == NA_INTEGER || value < lo || value > hi) {
        error("internal error in emix: %s must be in %d..%d", name, lo, hi);
    }
    return value;
}

/* k centre rows (1-based) drawn by k-means++ (mode 0) or at random
 * (mode 1); fewer when the rows of positive weight have fewer distinct
 * points. Uses R's random number generator. */
SEXP emix_kmeans_seed_r(SEXP x, SEXP w, SEXP inv_var, SEXP k_, SEXP mode_)
{
    emix_data dat = checked_data(x, w, inv_var);
    int k = checked_int(k_, "k", 1, dat.n);
    int mode = checked_int(mode_, "mode", EMIX_SEED_PP, EMIX_SEED_RANDOM);
    int *rows = (int *) R_alloc(k, sizeof(int));
    double *nearest = (double *) R_alloc(dat.n, sizeof(double));
    GetRNGstate();
    int drawn = emix_kmeans_seed(&dat, REAL(inv_var), k, mode, rows, &nearest[0]);
    PutRNGstate();
    SEXP out = PROTECT(allocVector(INTSXP, drawn));
    for (int c = 0; c < drawn; c++) {
        INTEGER(out)[c] = rows[c] + 1;
    }
    UNPROTECT(1);
    return out;
}

/* Weighted Lloyd iterations from the k x d matrix `centres` (not modified):
 * list(labels (1-based), centres, inertia, iter). */
SEXP emix_kmeans_lloyd_r(SEXP x, SEXP w, SEXP inv_var, SEXP centres, SEXP max_iter,
                         SEXP threads)
{
    emix_data dat = checked_data(x, w, inv_var);
    SEXP cdim = getAttrib(centres, R_DimSymbol);
    if (!isReal(centres) || !isInteger(cdim) || LENGTH(cdim) != 2 ||
        INTEGER(cdim)[1] != dat.d || INTEGER(cdim)[0] < 1) {
        error("internal error in emix: centres must be a double matrix with ncol(x) columns");
    }
    int k = INTEGER(cdim)[0];
    for (R_xlen_t e = 0; e < XLENGTH(centres); e++) {
        if (!R_FINITE(REAL(centres)[e])) {
            error("internal error in emix: centres must be finite");
        }
    }
    int iter = checked_int(max_iter, "max_iter", 0, 1 << 30);
    int nthreads = checked_int(threads, "threads", 1, 1 << 16);

    const char *names[] = {"labels", "centres", "inertia", "iter", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SEXP labels = PROTECT(allocVector(INTSXP, dat.n));
    SEXP moved = PROTECT(allocMatrix(REALSXP, k, dat.d));
    memcpy(REAL(moved), REAL(centres), (size_t) k * dat.d * sizeof(double));
    emix_lloyd_result res;
    emix_lloyd(&dat, REAL(inv_var), k, REAL(moved), iter, nthreads, INTEGER(labels), &res);
    for (int i = 0; i < dat.n; i++) {
        INTEGER(labels)[i] += 1;
    }
    SET_VECTOR_ELT(out, 0, labels);
    SET_VECTOR_ELT(out, 1, moved);
    SET_VECTOR_ELT(out, 2, ScalarReal(res.inertia));
    SET_VECTOR_ELT(out, 3, ScalarInteger(res.iter));
    UNPROTECT(3);
    return out;
}
