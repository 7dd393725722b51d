/* The entry points of the k-means start. R checks the arguments before it
 * calls them; the checks of ffi.c run again here, so that no input can
 * make the kernels read or write out of bounds. */
#include "ffi.h"
#include <float.h>
#include <limits.h>
#include <string.h>

/* The data (x, weights w) and inv_var, d positive finite scale factors of
 * the squared distances. */
static emix_data kmeans_data(SEXP x, SEXP w, SEXP inv_var, const double **scale)
{
    emix_data dat = dense_view(x, w);
    *scale = check_reals(inv_var, "inv_var", dat.d, DBL_MIN);
    return dat;
}

/* k centre rows (1-based) drawn by k-means++ (mode 0) or at random
 * (mode 1); fewer when the rows of positive weight have fewer distinct
 * points. Uses R's random number generator. */
SEXP ffi_kmeans_seed(SEXP x, SEXP w, SEXP inv_var, SEXP k_, SEXP mode_)
{
    const double *scale;
    emix_data dat = kmeans_data(x, w, inv_var, &scale);
    int k = check_int(k_, "k", 1, dat.n);
    int mode = check_int(mode_, "mode", EMIX_SEED_PP, EMIX_SEED_RANDOM);
    int *rows = (int *) R_alloc(k, sizeof(int));
    double *nearest = (double *) R_alloc(dat.n, sizeof(double));
    GetRNGstate();
    int drawn = emix_kmeans_seed(&dat, scale, k, mode, rows, nearest);
    PutRNGstate();
    SEXP out = PROTECT(allocVector(INTSXP, drawn));
    for (int c = 0; c < drawn; c++) {
        INTEGER(out)[c] = rows[c] + 1;
    }
    UNPROTECT(1);
    return out;
}

/* Weighted Lloyd iterations from the k x d matrix `centres` (not modified):
 * list(labels (1-based), centres, inertia, iter). Any number of threads is
 * accepted, as everywhere else: emix_lloyd uses at most one per chunk. */
SEXP ffi_kmeans_lloyd(SEXP x, SEXP w, SEXP inv_var, SEXP centres, SEXP max_iter,
                         SEXP threads)
{
    const double *scale;
    emix_data dat = kmeans_data(x, w, inv_var, &scale);
    int k = check_rows(centres, "centres", dat.d);
    check_reals(centres, "centres", (R_xlen_t) k * dat.d, R_NegInf);
    int iter = check_int(max_iter, "max_iter", 0, INT_MAX);
    int nthreads = check_int(threads, "threads", 1, INT_MAX);

    const char *names[] = {"labels", "centres", "inertia", "iter", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SEXP labels = PROTECT(allocVector(INTSXP, dat.n));
    SEXP moved = PROTECT(allocMatrix(REALSXP, k, dat.d));
    memcpy(REAL(moved), REAL(centres), (size_t) k * dat.d * sizeof(double));
    emix_lloyd_result res;
    emix_lloyd(&dat, scale, k, REAL(moved), iter, nthreads, INTEGER(labels), &res);
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
