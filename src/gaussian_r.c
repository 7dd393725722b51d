/* The entry points R calls for the Gaussian family: thin adapters that turn
 * SEXP arguments (already checked by R) into C types, run a kernel and build
 * a named result list. */
#include "emix.h"
#include "omp_compat.h"
#include <string.h>

static SEXP list_elt(SEXP list, const char *name)
{
    SEXP names = getAttrib(list, R_NamesSymbol);
    for (R_xlen_t i = 0; i < XLENGTH(list); i++) {
        if (strcmp(CHAR(STRING_ELT(names, i)), name) == 0) {
            return VECTOR_ELT(list, i);
        }
    }
    error("internal error in emix: control element '%s' is missing", name);
    return R_NilValue; /* not reached */
}

static emix_data data_view(SEXP x, SEXP w)
{
    SEXP dim = getAttrib(x, R_DimSymbol);
    emix_data dat;
    dat.x = REAL(x);
    dat.w = isNull(w) ? NULL : REAL(w);
    dat.n = INTEGER(dim)[0];
    dat.d = INTEGER(dim)[1];
    return dat;
}

static emix_control control_view(SEXP control)
{
    emix_control ctl;
    ctl.tol = asReal(list_elt(control, "tol"));
    ctl.max_iter = asInteger(list_elt(control, "max_iter"));
    ctl.rule = asInteger(list_elt(control, "rule_code"));
    ctl.reg = asReal(list_elt(control, "reg"));
    ctl.min_weight = asReal(list_elt(control, "min_weight"));
    ctl.var_scale = REAL(list_elt(control, "var_scale"));
    ctl.threads = asInteger(list_elt(control, "threads"));
    ctl.q_step = asInteger(list_elt(control, "q_step"));
    ctl.blocks = asInteger(list_elt(control, "blocks"));
    return ctl;
}

/* status as c(code, component, row, iteration), 1-based where it applies */
static SEXP status_vector(emix_status st, int iter)
{
    SEXP out = PROTECT(allocVector(INTSXP, 4));
    INTEGER(out)[0] = st.code;
    INTEGER(out)[1] = st.component >= 0 ? st.component + 1 : NA_INTEGER;
    INTEGER(out)[2] = st.row >= 0 ? st.row + 1 : NA_INTEGER;
    INTEGER(out)[3] = iter;
    UNPROTECT(1);
    return out;
}

static SEXP copy_real(const double *src, R_xlen_t len)
{
    SEXP out = PROTECT(allocVector(REALSXP, len));
    memcpy(REAL(out), src, (size_t) len * sizeof(double));
    UNPROTECT(1);
    return out;
}

/* pro, mean (k x d) and sigma (d x d x k) as R objects, into list slots 0-2 */
static void set_parameters(SEXP out, const gauss_par *par)
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

SEXP emix_estep_gaussian(SEXP x, SEXP w, SEXP pro, SEXP mean, SEXP sigma, SEXP model,
                         SEXP threads)
{
    emix_data dat = data_view(x, w);
    int k = LENGTH(pro), n = dat.n;
    gauss_par par;
    gauss_par_alloc(&par, k, dat.d, asInteger(model));
    memcpy(par.pro, REAL(pro), (size_t) k * sizeof(double));
    memcpy(par.mean, REAL(mean), (size_t) k * dat.d * sizeof(double));
    memcpy(par.sigma, REAL(sigma), (size_t) dat.d * dat.d * k * sizeof(double));

    /* the parameters are given, so collapse is not judged here: a zero
     * yardstick accepts any positive definite sigma */
    double *zero_scale = (double *) R_alloc(dat.d, sizeof(double));
    memset(zero_scale, 0, (size_t) dat.d * sizeof(double));
    emix_status st = gauss_factor(&par, zero_scale);

    const char *names[] = {"z", "row_loglik", "loglik", "status", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SEXP z = PROTECT(allocMatrix(REALSXP, n, k));
    SEXP rowll = PROTECT(allocVector(REALSXP, n));
    double ll = NA_REAL;
    if (st.code == EMIX_OK) {
        emix_workspace ws;
        emix_workspace_init(&ws, &emix_gaussian_family, &par, n, k, asInteger(threads), 0, 0);
        ws.tolerant = 1; /* at given parameters, a far-away row is an answer, not an error */
        ll = emix_estep(&emix_gaussian_family, &par, NULL, &dat, k, REAL(z),
                        REAL(rowll), NULL, &st, &ws);
    }
    SET_VECTOR_ELT(out, 0, z);
    SET_VECTOR_ELT(out, 1, rowll);
    SET_VECTOR_ELT(out, 2, ScalarReal(ll));
    SET_VECTOR_ELT(out, 3, status_vector(st, 0));
    UNPROTECT(3);
    return out;
}

SEXP emix_mstep_gaussian(SEXP x, SEXP w, SEXP z, SEXP model, SEXP control)
{
    emix_data dat = data_view(x, w);
    emix_control ctl = control_view(control);
    int k = INTEGER(getAttrib(z, R_DimSymbol))[1];
    gauss_par par;
    gauss_par_alloc(&par, k, dat.d, asInteger(model));
    emix_status status = gauss_mstep_from_z(&par, &dat, REAL(z), NULL, &ctl);

    const char *names[] = {"pro", "mean", "sigma", "status", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    set_parameters(out, &par);
    SET_VECTOR_ELT(out, 3, status_vector(status, 0));
    UNPROTECT(1);
    return out;
}

/* 0-based labels of the start for a point-mass q-step: the labels given,
 * or each row's most probable component under the responsibilities given. */
static int *start_labels(const double *z0, const int *labels, int n, int k)
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

/* EM from `start`: an n x k responsibility matrix, or an integer vector of
 * labels in 1..k. */
SEXP emix_run_gaussian(SEXP x, SEXP w, SEXP start, SEXP k_, SEXP model, SEXP control)
{
    emix_data dat = data_view(x, w);
    emix_control ctl = control_view(control);
    int k = asInteger(k_), n = dat.n;
    const double *z0 = isReal(start) ? REAL(start) : NULL;
    const int *labels = isReal(start) ? NULL : INTEGER(start);
    gauss_par par;
    gauss_par_alloc(&par, k, dat.d, asInteger(model));

    const char *names[] = {"pro", "mean", "sigma", "loglik", "trace", "bound", "objective",
                           "iter", "converged", "z", "abs_loglik", "status", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SEXP z = PROTECT(allocMatrix(REALSXP, n, k));
    emix_result res;
    res.trace = (double *) R_alloc((size_t) ctl.max_iter + 1, sizeof(double));
    res.bound = (double *) R_alloc((size_t) ctl.max_iter + 1, sizeof(double));
    res.objective = (double *) R_alloc((size_t) ctl.max_iter + 1, sizeof(double));
    res.iter = 0;
    res.converged = 0;
    res.loglik = NA_REAL;
    res.abs_loglik = NA_REAL;
    res.status_iter = 0;

    /* the start: one exact M-step from the given responsibilities */
    res.status = gauss_mstep_from_z(&par, &dat, z0, labels, &ctl);
    if (res.status.code == EMIX_OK) {
        void *st = emix_gaussian_family.stats_new(&par);
        emix_workspace ws;
        emix_workspace_init(&ws, &emix_gaussian_family, &par, n, k, ctl.threads, 1, ctl.blocks);
        ws.q_step = ctl.q_step;
        if (ctl.q_step != EMIX_Q_SOFT) {
            ws.labels = start_labels(z0, labels, n, k);
        }
        if (ctl.q_step == EMIX_Q_DRAW) {
            ws.uniforms = (double *) R_alloc(n, sizeof(double));
            GetRNGstate();
        }
        if (ctl.blocks > 0) {
            emix_iem(&emix_gaussian_family, &par, st, &dat, k, REAL(z), &ctl, &ws, &res);
        } else {
            emix_em(&emix_gaussian_family, &par, st, &dat, k, REAL(z), &ctl, &ws, &res);
        }
        if (ctl.q_step == EMIX_Q_DRAW) {
            PutRNGstate();
        }
    } else {
        /* the start itself, for the R side's handling of the failure */
        if (z0) {
            memcpy(REAL(z), z0, (size_t) n * k * sizeof(double));
        } else {
            memset(REAL(z), 0, (size_t) n * k * sizeof(double));
            for (int i = 0; i < n; i++) {
                REAL(z)[i + (size_t) n * (labels[i] - 1)] = 1.0;
            }
        }
    }

    set_parameters(out, &par);
    SET_VECTOR_ELT(out, 3, ScalarReal(res.loglik));
    int ntrace = res.status.code == EMIX_OK ? res.iter + 1 : res.status_iter;
    SET_VECTOR_ELT(out, 4, copy_real(res.trace, ntrace));
    SET_VECTOR_ELT(out, 5, copy_real(res.bound, ntrace));
    SET_VECTOR_ELT(out, 6, copy_real(res.objective, ntrace));
    SET_VECTOR_ELT(out, 7, ScalarInteger(res.iter));
    SET_VECTOR_ELT(out, 8, ScalarLogical(res.converged));
    SET_VECTOR_ELT(out, 9, z);
    SET_VECTOR_ELT(out, 10, ScalarReal(res.abs_loglik));
    SET_VECTOR_ELT(out, 11, status_vector(res.status, res.status_iter));
    UNPROTECT(2);
    return out;
}

/* c(OpenMP compiled in, processors, OpenMP thread limit) for the R side's
 * choice of a default thread count */
SEXP emix_openmp_info(void)
{
    SEXP out = PROTECT(allocVector(INTSXP, 3));
#ifdef _OPENMP
    INTEGER(out)[0] = 1;
#else
    INTEGER(out)[0] = 0;
#endif
    INTEGER(out)[1] = omp_get_num_procs();
    INTEGER(out)[2] = omp_get_thread_limit();
    UNPROTECT(1);
    return out;
}
