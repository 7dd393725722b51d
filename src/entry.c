/* What the entry points share: views of R objects as C types and the
 * pieces of their result lists. */
#include "emix.h"
#include "entry.h"
#include <string.h>

SEXP list_elt(SEXP list, const char *name)
{
    SEXP names = getAttrib(list, R_NamesSymbol);
    for (R_xlen_t i = 0; i < XLENGTH(list); i++) {
        if (strcmp(CHAR(STRING_ELT(names, i)), name) == 0) {
            return VECTOR_ELT(list, i);
        }
    }
    error("internal error in emix: list element '%s' is missing", name);
    return R_NilValue; /* not reached */
}

emix_data data_view(SEXP x, SEXP w)
{
    SEXP dim = getAttrib(x, R_DimSymbol);
    emix_data dat;
    dat.x = REAL(x);
    dat.w = isNull(w) ? NULL : REAL(w);
    dat.n = INTEGER(dim)[0];
    dat.d = INTEGER(dim)[1];
    return dat;
}

emix_control control_view(SEXP control)
{
    emix_control ctl;
    ctl.tol = asReal(list_elt(control, "tol"));
    ctl.max_iter = asInteger(list_elt(control, "max_iter"));
    ctl.rule = asInteger(list_elt(control, "rule_code"));
    ctl.reg = asReal(list_elt(control, "reg"));
    ctl.mean_weight = asReal(list_elt(control, "mean_weight"));
    ctl.var_scale = REAL(list_elt(control, "var_scale"));
    ctl.threads = asInteger(list_elt(control, "threads"));
    ctl.q_step = asInteger(list_elt(control, "q_step"));
    ctl.blocks = asInteger(list_elt(control, "blocks"));
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

/* pro, mean (k x d) and sigma (d x d x k) as R objects, into list slots 0-2 */
void set_parameters(SEXP out, const gauss_par *par)
{
    int k = par->k, d = par->d;
    SET_VECTOR_ELT(out, 0, copy_real(par->pro, k));
    SEXP mean = PROTECT(allocMatrix(REALSXP, k, d));
    memcpy(REAL(mean), par->mean, (size_t) k * d * sizeof(double));
    SET_VECTOR_ELT(out, 1, mean);
    SEXP sigma = PROTECT(alloc3DArray(REALSXP, d, d, k));
    memcpy(REAL(sigma), par->sigma, (size_t) d * d * k * sizeof(double));
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
    res->trace = (double *) R_alloc((size_t) max_iter + 1, sizeof(double));
    res->bound = (double *) R_alloc((size_t) max_iter + 1, sizeof(double));
    res->objective = (double *) R_alloc((size_t) max_iter + 1, sizeof(double));
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
