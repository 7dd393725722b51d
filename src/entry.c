/* What the entry points share: views of R objects as C types and the
 * pieces of their result lists. */
#include "emix.h"
#include "entry.h"
#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

/* ---- Checks of what R passes -------------------------------------------
 * R checks every argument before it calls C, but the routines can be
 * called directly (emix:::C_...); each adapter checks everything it reads,
 * so that no call can read past a vector or index out of range. */

SEXP list_elt(SEXP list, const char *name)
{
    if (TYPEOF(list) != VECSXP) {
        error("emix: expected a named list holding '%s'", name);
    }
    SEXP names = getAttrib(list, R_NamesSymbol);
    if (TYPEOF(names) != STRSXP || XLENGTH(names) != XLENGTH(list)) {
        error("emix: expected a named list holding '%s'; it has no names", name);
    }
    for (R_xlen_t i = 0; i < XLENGTH(list); i++) {
        if (STRING_ELT(names, i) != NA_STRING && strcmp(CHAR(STRING_ELT(names, i)), name) == 0) {
            return VECTOR_ELT(list, i);
        }
    }
    error("emix: list element '%s' is missing", name);
    return R_NilValue; /* not reached */
}

int check_int(SEXP s, const char *what, int lo, int hi)
{
    double v = NA_REAL;
    if (TYPEOF(s) == INTSXP && XLENGTH(s) == 1 && INTEGER(s)[0] != NA_INTEGER) {
        v = INTEGER(s)[0];
    } else if (TYPEOF(s) == REALSXP && XLENGTH(s) == 1) {
        v = REAL(s)[0];
    }
    if (!R_FINITE(v) || v != floor(v) || v < lo || v > hi) {
        error("emix: '%s' must be a single whole number from %d to %d", what, lo, hi);
    }
    return (int) v;
}

double check_real(SEXP s, const char *what, double lo, double hi)
{
    double v = NA_REAL;
    if (TYPEOF(s) == INTSXP && XLENGTH(s) == 1 && INTEGER(s)[0] != NA_INTEGER) {
        v = INTEGER(s)[0];
    } else if (TYPEOF(s) == REALSXP && XLENGTH(s) == 1) {
        v = REAL(s)[0];
    }
    if (!R_FINITE(v) || v < lo || v > hi) {
        if (R_FINITE(hi)) {
            error("emix: '%s' must be a single finite number from %g to %g", what, lo, hi);
        }
        error("emix: '%s' must be a single finite number of at least %g", what, lo);
    }
    return v;
}

const double *check_reals(SEXP s, const char *what, R_xlen_t len, double lo)
{
    if (TYPEOF(s) != REALSXP || XLENGTH(s) != len) {
        error("emix: '%s' must be a double vector of length %lld", what, (long long) len);
    }
    const double *v = REAL(s);
    for (R_xlen_t e = 0; e < len; e++) {
        if (!R_FINITE(v[e]) || v[e] < lo) {
            if (R_FINITE(lo)) {
                error("emix: '%s' must hold finite values of at least %g; element %lld is %g",
                      what, lo, (long long) e + 1, v[e]);
            }
            error("emix: '%s' must hold finite values; element %lld is %g", what,
                  (long long) e + 1, v[e]);
        }
    }
    return v;
}

const double *check_array(SEXP s, const char *what, int ndim, const int *dims)
{
    SEXP dim = getAttrib(s, R_DimSymbol);
    R_xlen_t len = 1;
    int ok = TYPEOF(dim) == INTSXP && LENGTH(dim) == ndim;
    for (int j = 0; j < ndim; j++) {
        ok = ok && INTEGER(dim)[j] == dims[j];
        len *= dims[j];
    }
    if (!ok) {
        if (ndim == 2) {
            error("emix: '%s' must be a %d x %d double matrix", what, dims[0], dims[1]);
        }
        error("emix: '%s' must be a %d x %d x %d double array", what, dims[0], dims[1], dims[2]);
    }
    if (TYPEOF(s) != REALSXP || XLENGTH(s) != len) {
        error("emix: '%s' must be of type double", what);
    }
    return REAL(s);
}

int check_columns(SEXP s, const char *what, int nrow)
{
    SEXP dim = getAttrib(s, R_DimSymbol);
    if (TYPEOF(s) != REALSXP || TYPEOF(dim) != INTSXP || LENGTH(dim) != 2 ||
        (nrow >= 0 && INTEGER(dim)[0] != nrow) || INTEGER(dim)[1] < 1) {
        error("emix: '%s' must be a double matrix with %s and at least one column",
              what, nrow >= 0 ? "one row per observation" : "rows");
    }
    return INTEGER(dim)[1];
}

int check_rows(SEXP s, const char *what, int ncol)
{
    SEXP dim = getAttrib(s, R_DimSymbol);
    if (TYPEOF(s) != REALSXP || TYPEOF(dim) != INTSXP || LENGTH(dim) != 2 ||
        INTEGER(dim)[1] != ncol || INTEGER(dim)[0] < 1) {
        error("emix: '%s' must be a double matrix with %d column%s and at least one row",
              what, ncol, ncol == 1 ? "" : "s");
    }
    return INTEGER(dim)[0];
}

void start_view(SEXP start, int n, int k, const double **z0, const int **labels)
{
    *z0 = NULL;
    *labels = NULL;
    if (TYPEOF(start) == REALSXP) {
        int dims[2] = {n, k};
        check_array(start, "start", 2, dims);
        *z0 = check_reals(start, "start", (R_xlen_t) n * k, 0.0);
        return;
    }
    *labels = check_labels(start, "start", n, k);
}

const int *check_labels(SEXP s, const char *what, int n, int k)
{
    if (TYPEOF(s) != INTSXP || XLENGTH(s) != n) {
        error("emix: '%s' must be an integer vector of %d labels", what, n);
    }
    const int *lab = INTEGER(s);
    for (int i = 0; i < n; i++) {
        if (lab[i] == NA_INTEGER || lab[i] < 1 || lab[i] > k) {
            error("emix: '%s' must hold labels from 1 to %d; element %d is out of range",
                  what, k, i + 1);
        }
    }
    return lab;
}

emix_data data_view(SEXP x, SEXP w)
{
    SEXP dim = getAttrib(x, R_DimSymbol);
    if (TYPEOF(x) != REALSXP || TYPEOF(dim) != INTSXP || LENGTH(dim) != 2 ||
        INTEGER(dim)[0] < 1 || INTEGER(dim)[1] < 1) {
        error("emix: 'x' must be a double matrix with at least one row and one column");
    }
    emix_data dat;
    dat.x = REAL(x);
    dat.n = INTEGER(dim)[0];
    dat.d = INTEGER(dim)[1];
    dat.w = isNull(w) ? NULL : check_reals(w, "weights", dat.n, 0.0);
    return dat;
}

emix_control control_view(SEXP control, int d)
{
    emix_control ctl;
    ctl.tol = check_real(list_elt(control, "tol"), "control$tol", 0.0, R_PosInf);
    ctl.max_iter = check_int(list_elt(control, "max_iter"), "control$max_iter", 0, INT_MAX);
    ctl.rule = check_int(list_elt(control, "rule_code"), "control$rule_code", 0, EMIX_RULE_MEAN);
    ctl.total_weight = check_real(list_elt(control, "total_weight"), "control$total_weight",
                                  DBL_MIN, R_PosInf);
    ctl.reg = check_real(list_elt(control, "reg"), "control$reg", 0.0, R_PosInf);
    ctl.mean_weight = check_real(list_elt(control, "mean_weight"), "control$mean_weight",
                                 DBL_MIN, R_PosInf);
    ctl.var_scale = check_reals(list_elt(control, "var_scale"), "control$var_scale", d, 0.0);
    ctl.threads = check_int(list_elt(control, "threads"), "control$threads", 1, INT_MAX);
    ctl.q_step = check_int(list_elt(control, "q_step"), "control$q_step", 0, EMIX_Q_DRAW);
    ctl.blocks = check_int(list_elt(control, "blocks"), "control$blocks", 0, INT_MAX);
    return ctl;
}

/* status as c(code, component, row, iteration), 1-based where it applies */
SEXP status_vector(emix_status st, int iter)
{
    SEXP out = PROTECT(allocVector(INTSXP, 4));
    INTEGER(out)[0] = st.code;
    INTEGER(out)[1] = st.component >= 0 ? st.component + 1 : NA_INTEGER;
    INTEGER(out)[2] = st.row >= 0 ? st.row + 1 : NA_INTEGER;
    INTEGER(out)[3] = iter;
    UNPROTECT(1);
    return out;
}

/* what a failure found: c(variable (1-based) or NA, effective size or variance) */
SEXP status_detail(emix_status st)
{
    SEXP out = PROTECT(allocVector(REALSXP, 2));
    REAL(out)[0] = st.code == EMIX_COLLAPSED && st.variable >= 0 ? st.variable + 1.0 : NA_REAL;
    REAL(out)[1] = st.code == EMIX_OK ? NA_REAL : st.value;
    UNPROTECT(1);
    return out;
}

SEXP copy_real(const double *src, R_xlen_t len)
{
    SEXP out = PROTECT(allocVector(REALSXP, len));
    memcpy(REAL(out), src, (size_t) len * sizeof(double));
    UNPROTECT(1);
    return out;
}

/* pro, mean (k x d) and sigma (d x d x k) as R objects, into list slots 0-2;
 * a diagonal model's sigma becomes a d x d x k array only here */
void set_parameters(SEXP out, const gauss_par *par)
{
    int k = par->k, d = par->d;
    SET_VECTOR_ELT(out, 0, copy_real(par->pro, k));
    SEXP mean = PROTECT(allocMatrix(REALSXP, k, d));
    memcpy(REAL(mean), par->mean, (size_t) k * d * sizeof(double));
    SET_VECTOR_ELT(out, 1, mean);
    SEXP sigma = PROTECT(alloc3DArray(REALSXP, d, d, k));
    gauss_cov_expand(par->sigma, d, k, par->model, REAL(sigma));
    SET_VECTOR_ELT(out, 2, sigma);
    UNPROTECT(2);
}

/* 0-based labels of the start for a point-mass q-step: the labels given,
 * or each row's most probable component under the responsibilities given. */
int *start_labels(const double *z0, const int *labels, int n, int k)
{
    int *out = (int *) R_alloc(n, sizeof(int));
    for (int i = 0; i < n; i++) {
        if (labels) {
            out[i] = labels[i] - 1;
            continue;
        }
        int best = 0;
        for (int c = 1; c < k; c++) {
            if (z0[i + (size_t) n * c] > z0[i + (size_t) n * best]) {
                best = c;
            }
        }
        out[i] = best;
    }
    return out;
}


void result_alloc(emix_result *res, int max_iter)
{
    res->capacity = 0;
    res->max_entries = (size_t) max_iter + 1;
    res->trace = res->bound = res->objective = NULL;
    emix_result_reserve(res, 0);
    res->iter = 0;
    res->converged = 0;
    res->loglik = NA_REAL;
    res->abs_loglik = NA_REAL;
    res->status = (emix_status) {EMIX_OK, -1, -1, -1, 0.0};
    res->status_iter = 0;
}

SEXP run_result(const gauss_par *par, const emix_result *res, SEXP z)
{
    const char *names[] = {"pro", "mean", "sigma", "loglik", "trace", "bound", "objective",
                           "iter", "converged", "z", "abs_loglik", "status", "status_detail", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    set_parameters(out, par);
    SET_VECTOR_ELT(out, 3, ScalarReal(res->loglik));
    int ntrace = res->status.code == EMIX_OK ? res->iter + 1 : res->status_iter;
    SET_VECTOR_ELT(out, 4, copy_real(res->trace, ntrace));
    SET_VECTOR_ELT(out, 5, copy_real(res->bound, ntrace));
    SET_VECTOR_ELT(out, 6, copy_real(res->objective, ntrace));
    SET_VECTOR_ELT(out, 7, ScalarInteger(res->iter));
    SET_VECTOR_ELT(out, 8, ScalarLogical(res->converged));
    SET_VECTOR_ELT(out, 9, z);
    SET_VECTOR_ELT(out, 10, ScalarReal(res->abs_loglik));
    SET_VECTOR_ELT(out, 11, status_vector(res->status, res->status_iter));
    SET_VECTOR_ELT(out, 12, status_detail(res->status));
    UNPROTECT(1);
    return out;
}
