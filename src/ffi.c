/* What the entry points share: views of R objects as C types and the
 * pieces of their result lists. */
#include "ffi.h"
#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

/* ---- Checks of what R passes -------------------------------------------
 * R checks every argument before it calls C, but the routines can be
 * called directly (emix:::C_...); each adapter checks everything it reads,
 * so that no call can read past a vector or index out of range. */

SEXP list_elt_or_null(SEXP list, const char *name)
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
    return R_NilValue;
}

SEXP list_elt(SEXP list, const char *name)
{
    SEXP out = list_elt_or_null(list, name);
    if (isNull(out)) {
        error("emix: list element '%s' is missing", name);
    }
    return out;
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
    if (ndim == 1 && isNull(dim)) {
        ok = 1; /* a plain vector */
    }
    if (!ok) {
        char shape[64];
        int at = 0;
        for (int j = 0; j < ndim && j < 4; j++) {
            at += snprintf(shape + at, sizeof shape - at, j ? " x %d" : "%d", dims[j]);
        }
        error("emix: '%s' must be a %s double %s", what, shape,
              ndim == 1 ? "vector" : (ndim == 2 ? "matrix" : "array"));
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

/* A row-compressed sparse matrix from R: list(x, row_start, col, dim) with
 * row_start (n + 1 offsets, from 0, non-decreasing, ending at nnz) and col
 * (0-based, increasing within a row, below d). Checked entry by entry in
 * O(nnz), so that no kernel can index out of bounds. */
static emix_data csr_view(SEXP x)
{
    emix_data dat;
    SEXP dim = list_elt(x, "dim"), vals = list_elt(x, "x");
    SEXP start = list_elt(x, "row_start"), col = list_elt(x, "col");
    if (TYPEOF(dim) != INTSXP || XLENGTH(dim) != 2 || INTEGER(dim)[0] < 1 ||
        INTEGER(dim)[1] < 1) {
        error("emix: a sparse 'x' must have dim, two positive integers");
    }
    dat.kind = EMIX_CSR;
    dat.n = INTEGER(dim)[0];
    dat.d = INTEGER(dim)[1];
    if (TYPEOF(vals) != REALSXP || TYPEOF(start) != INTSXP || TYPEOF(col) != INTSXP ||
        XLENGTH(start) != (R_xlen_t) dat.n + 1 || XLENGTH(col) != XLENGTH(vals) ||
        XLENGTH(vals) > INT_MAX) {
        error("emix: a sparse 'x' must hold x (double), row_start (n + 1 integers) and col "
              "(one integer per value), with at most %d values", INT_MAX);
    }
    const int *rs = INTEGER(start), *cl = INTEGER(col);
    int nnz = (int) XLENGTH(vals);
    if (rs[0] != 0 || rs[dat.n] != nnz) {
        error("emix: a sparse 'x' must have row_start from 0 to its number of values");
    }
    for (int i = 0; i < dat.n; i++) {
        if (rs[i + 1] < rs[i]) {
            error("emix: a sparse 'x' must have non-decreasing row_start; row %d", i + 1);
        }
        for (int e = rs[i]; e < rs[i + 1]; e++) {
            if (cl[e] < 0 || cl[e] >= dat.d || (e > rs[i] && cl[e] <= cl[e - 1])) {
                error("emix: a sparse 'x' must have columns from 0 to %d, increasing within "
                      "a row; row %d", dat.d - 1, i + 1);
            }
        }
    }
    dat.x = REAL(vals);
    dat.row_start = rs;
    dat.col = cl;
    return dat;
}

emix_data data_view(SEXP x, SEXP w)
{
    emix_data dat;
    if (inherits(x, "emix_csr")) {
        dat = csr_view(x);
    } else {
        SEXP dim = getAttrib(x, R_DimSymbol);
        if (TYPEOF(x) != REALSXP || TYPEOF(dim) != INTSXP || LENGTH(dim) != 2 ||
            INTEGER(dim)[0] < 1 || INTEGER(dim)[1] < 1) {
            error("emix: 'x' must be a double matrix with at least one row and one column");
        }
        dat.kind = EMIX_DENSE;
        dat.x = REAL(x);
        dat.row_start = dat.col = NULL;
        dat.n = INTEGER(dim)[0];
        dat.d = INTEGER(dim)[1];
    }
    dat.w = isNull(w) ? NULL : check_reals(w, "weights", dat.n, 0.0);
    return dat;
}

emix_data dense_view(SEXP x, SEXP w)
{
    emix_data dat = data_view(x, w);
    if (dat.kind != EMIX_DENSE) {
        error("emix: 'x' must be a dense double matrix here");
    }
    return dat;
}

emix_control control_view(SEXP control, int d)
{
    emix_control ctl;
    ctl.tol = check_real(list_elt(control, "tol"), "control$tol", 0.0, R_PosInf);
    ctl.max_iter = check_int(list_elt(control, "max_iter"), "control$max_iter", 0, INT_MAX);
    ctl.rule = check_int(list_elt(control, "rule_code"), "control$rule_code", 0, EMIX_RULE_AITKEN);
    ctl.total_weight = check_real(list_elt(control, "total_weight"), "control$total_weight",
                                  DBL_MIN, R_PosInf);
    ctl.reg = check_real(list_elt(control, "reg"), "control$reg", 0.0, R_PosInf);
    ctl.mean_weight = check_real(list_elt(control, "mean_weight"), "control$mean_weight",
                                 DBL_MIN, R_PosInf);
    SEXP var_scale = list_elt_or_null(control, "var_scale");
    ctl.var_scale = isNull(var_scale)
                        ? NULL
                        : check_reals(var_scale, "control$var_scale", d, 0.0);
    ctl.threads = check_int(list_elt(control, "threads"), "control$threads", 1, INT_MAX);
    ctl.inner_tol = check_real(list_elt(control, "inner_tol"), "control$inner_tol", 0.0,
                               R_PosInf);
    ctl.inner_max_iter = check_int(list_elt(control, "inner_max_iter"),
                                   "control$inner_max_iter", 1, INT_MAX);
    ctl.accelerate = check_int(list_elt(control, "accelerate"), "control$accelerate", 0, 1);
    return ctl;
}

emix_method method_view(SEXP method)
{
    emix_method m;
    m.loop = check_int(list_elt(method, "loop"), "method$loop", 0, EMIX_NLOOPS - 1);
    m.q_step = check_int(list_elt(method, "q_step"), "method$q_step", 0, EMIX_Q_DRAW);
    m.blocks = check_int(list_elt(method, "blocks"), "method$blocks", 0, INT_MAX);
    m.burnin = check_int(list_elt(method, "burnin"), "method$burnin", 0, INT_MAX);
    m.draws = check_int(list_elt(method, "draws"), "method$draws", 1, INT_MAX);
    m.thin = check_int(list_elt(method, "thin"), "method$thin", 1, INT_MAX);
    if (m.loop == EMIX_LOOP_IEM && (m.q_step != EMIX_Q_SOFT || m.blocks < 1)) {
        error("emix: incremental EM has a soft q-step and at least one block");
    }
    if (m.loop == EMIX_LOOP_BAYES && m.q_step == EMIX_Q_DRAW) {
        error("emix: 'method$q_step' must be 0 (variational Bayes) or 1 "
              "(maximization-expectation)");
    }
    if (m.loop == EMIX_LOOP_GIBBS && (m.q_step != EMIX_Q_DRAW ||
                                      m.burnin + (double) m.draws * m.thin > INT_MAX)) {
        error("emix: Gibbs sampling draws its labels (q_step 2) and runs burnin + draws * "
              "thin sweeps, at most %d", INT_MAX);
    }
    return m;
}

const emix_family *family_view(SEXP family)
{
    if (TYPEOF(family) != STRSXP || XLENGTH(family) != 1 || STRING_ELT(family, 0) == NA_STRING) {
        error("emix: 'family' must be the name of a registered family");
    }
    const emix_family *fam = emix_family_find(CHAR(STRING_ELT(family, 0)));
    if (!fam) {
        error("emix: no family is registered as '%s'", CHAR(STRING_ELT(family, 0)));
    }
    return fam;
}

void settings_view(SEXP settings, const double **values, int *n)
{
    if (isNull(settings)) {
        *values = NULL;
        *n = 0;
        return;
    }
    if (TYPEOF(settings) != REALSXP || XLENGTH(settings) > 64) {
        error("emix: 'settings' must be a double vector of at most 64 values");
    }
    *values = REAL(settings);
    *n = (int) XLENGTH(settings);
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

SEXP alloc_block(const emix_block *b, int extra)
{
    int ndim = b->ndim + (extra > 0);
    SEXP dims = PROTECT(allocVector(INTSXP, ndim));
    for (int j = 0; j < b->ndim; j++) {
        INTEGER(dims)[j] = b->dim[j];
    }
    if (extra > 0) {
        INTEGER(dims)[b->ndim] = extra;
    }
    SEXP out = PROTECT(ndim == 1 ? allocVector(REALSXP, INTEGER(dims)[0])
                                 : allocArray(REALSXP, dims));
    UNPROTECT(2);
    return out;
}

void blocks_view(SEXP list, const char *what, const emix_block *blocks, int nblocks,
                 const double **values)
{
    if (TYPEOF(list) != VECSXP) {
        error("emix: '%s' must be a named list", what);
    }
    for (int b = 0; b < nblocks; b++) {
        SEXP v = list_elt_or_null(list, blocks[b].name);
        if (isNull(v) && blocks[b].optional) {
            values[b] = NULL;
            continue;
        }
        if (isNull(v)) {
            error("emix: '%s' must hold '%s'", what, blocks[b].name);
        }
        char name[128];
        snprintf(name, sizeof name, "%s$%s", what, blocks[b].name);
        values[b] = check_array(v, name, blocks[b].ndim, blocks[b].dim);
    }
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

/* ---- Interrupts (declared in emix.h: the loops call it) ---------------- */

static void check_interrupt(void *unused)
{
    (void) unused;
    R_CheckUserInterrupt();
}

int emix_interrupt_pending(void)
{
    /* an interrupt jumps out of check_interrupt, and only as far as here */
    return !R_ToplevelExec(check_interrupt, NULL);
}
