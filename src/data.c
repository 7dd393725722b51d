/* Checks and moments of the data matrix, without the n x d temporaries that
 * is.finite() or sweep() would allocate in R. */
#include "emix.h"
#include "entry.h"
#include <math.h>

void emix_col_moments(const emix_data *dat, double *mean, double *var)
{
    int n = dat->n;
    double W = 0.0;
    for (int i = 0; i < n; i++) {
        W += emix_weight(dat, i);
    }
    for (int j = 0; j < dat->d; j++) {
        const double *xj = dat->x + (size_t) n * j;
        double m = 0.0;
        for (int i = 0; i < n; i++) {
            m += emix_weight(dat, i) * xj[i];
        }
        mean[j] = m / W;
        if (var) {
            double s = 0.0;
            for (int i = 0; i < n; i++) {
                double t = xj[i] - mean[j];
                s += emix_weight(dat, i) * t * t;
            }
            var[j] = s / W;
        }
    }
}

/* The first non-finite entry of x in column-major order, 1-based, or 0. */
SEXP emix_first_nonfinite(SEXP x)
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
SEXP emix_col_moments_r(SEXP x, SEXP w)
{
    emix_data dat = data_view(x, w);
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
