/* The entry points R calls for the Gaussian family: thin adapters that check
 * the SEXP arguments (R has checked them already, but these routines can be
 * called directly), turn them into C types, run a kernel and build a named
 * result list. */
#include "emix.h"
#include "entry.h"
#include "omp_compat.h"
#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

/* Given lower Cholesky factors (d x d x k) in place of sigma's own, for
 * the unshared full model, whose E-step reads only the factors: a Gibbs
 * draw's factor can hold a covariance that sigma, rounded, no longer does.
 * Only the lower triangles are read; each diagonal must be a positive
 * normal number, so that its inverse and log are finite. */
static emix_status given_factors(gauss_par *par, SEXP chol)
{
    int d = par->d, k = par->k, dims[3] = {d, d, par->k};
    size_t dd = (size_t) d * d;
    emix_status status = {EMIX_OK, -1, -1, -1, 0.0};
    if (par->model != EMIX_VVV) {
        error("emix: 'chol' is accepted for model VVV (code %d) only", EMIX_VVV);
    }
    const double *L = check_array(chol, "chol", 3, dims);
    for (int c = 0; c < k; c++) {
        double logdet = 0.0;
        memset(par->chol + dd * c, 0, dd * sizeof(double));
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                double v = L[dd * c + i + (size_t) d * j];
                if (!R_FINITE(v) || (i == j && !(v >= DBL_MIN))) {
                    error("emix: 'chol' must hold finite lower triangles with positive "
                          "diagonals of at least %g; element [%d, %d, %d] is %g",
                          DBL_MIN, i + 1, j + 1, c + 1, v);
                }
                par->chol[dd * c + i + (size_t) d * j] = v;
            }
            logdet += 2.0 * log(L[dd * c + j + (size_t) d * j]);
        }
        par->logdet[c] = logdet;
    }
    return status;
}

/* The E-step at given parameters; log_weight (NULL, or k values) replaces
 * log pro, as the Bayesian methods' expected log weights do; chol (NULL, or
 * d x d x k factors, model VVV) replaces the factorisation of sigma. */
SEXP emix_estep_gaussian(SEXP x, SEXP w, SEXP pro, SEXP mean, SEXP sigma, SEXP model,
                         SEXP threads, SEXP log_weight, SEXP chol)
{
    emix_data dat = data_view(x, w);
    int n = dat.n, d = dat.d;
    if (TYPEOF(pro) != REALSXP || XLENGTH(pro) < 1 || XLENGTH(pro) > INT_MAX) {
        error("emix: 'pro' must be a double vector of at least one proportion");
    }
    int k = LENGTH(pro);
    check_reals(pro, "pro", k, 0.0);
    int mean_dims[2] = {k, d}, sigma_dims[3] = {d, d, k};
    /* any values: a NaN gives NaN rows, a sigma that is not positive
     * definite a status */
    check_array(mean, "mean", 2, mean_dims);
    check_array(sigma, "sigma", 3, sigma_dims);
    int nthreads = check_int(threads, "threads", 1, INT_MAX);
    gauss_par par;
    gauss_par_alloc(&par, k, d, check_int(model, "model", 0, EMIX_NMODELS - 1));
    memcpy(par.pro, REAL(pro), (size_t) k * sizeof(double));
    memcpy(par.mean, REAL(mean), (size_t) k * d * sizeof(double));
    /* a diagonal model reads only the diagonals: its kernels ignore the rest */
    gauss_cov_compact(REAL(sigma), d, k, par.model, par.sigma);
    if (!isNull(log_weight)) {
        par.log_weight = (double *) check_reals(log_weight, "log_weight", k, R_NegInf);
    }

    /* the parameters are given, so collapse is not judged here: a zero
     * yardstick accepts any positive definite sigma */
    double *zero_scale = (double *) R_alloc(dat.d, sizeof(double));
    memset(zero_scale, 0, (size_t) dat.d * sizeof(double));
    emix_status st = isNull(chol) ? gauss_factor(&par, zero_scale, 0.0, 0)
                                  : given_factors(&par, chol);

    const char *names[] = {"z", "row_loglik", "loglik", "status", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SEXP z = PROTECT(allocMatrix(REALSXP, n, k));
    SEXP rowll = PROTECT(allocVector(REALSXP, n));
    double ll = NA_REAL;
    if (st.code == EMIX_OK) {
        emix_workspace ws;
        emix_workspace_init(&ws, &emix_gaussian_family, &par, n, k, nthreads, 0, 0);
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
    emix_control ctl = control_view(control, dat.d);
    int k = check_columns(z, "z", dat.n);
    check_reals(z, "z", (R_xlen_t) dat.n * k, 0.0);
    gauss_par par;
    gauss_par_alloc(&par, k, dat.d, check_int(model, "model", 0, EMIX_NMODELS - 1));
    emix_status status = gauss_mstep_from_z(&par, &dat, REAL(z), NULL, &ctl);

    const char *names[] = {"pro", "mean", "sigma", "status", "status_detail", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    set_parameters(out, &par);
    SET_VECTOR_ELT(out, 3, status_vector(status, 0));
    SET_VECTOR_ELT(out, 4, status_detail(status));
    UNPROTECT(1);
    return out;
}

/* EM from `start`: an n x k responsibility matrix, or an integer vector of
 * labels in 1..k. With a log-volume log V (not NA) a uniform noise component
 * of density 1 / V is fitted too: then `start` is an n x (k + 1) matrix whose
 * last column is the noise, and z and pro get k + 1 columns. */
SEXP emix_run_gaussian(SEXP x, SEXP w, SEXP start, SEXP k_, SEXP model, SEXP control,
                       SEXP log_volume)
{
    emix_data dat = data_view(x, w);
    emix_control ctl = control_view(control, dat.d);
    int k = check_int(k_, "k", 1, dat.n), n = dat.n;
    if (ctl.blocks > 0 && ctl.q_step != EMIX_Q_SOFT) {
        error("emix: incremental EM ('control$blocks' > 0) has a soft q-step ('q_step' 0)");
    }
    gauss_par par;
    gauss_par_alloc(&par, k, dat.d, check_int(model, "model", 0, EMIX_NMODELS - 1));
    noise_par np;
    noise_par_init(&np, &par, noise_log_volume_arg(log_volume, dat.d));
    int noise = !ISNAN(np.log_volume);
    const emix_family *fam = noise ? &emix_noise_family : &emix_gaussian_family;
    void *fpar = noise ? (void *) &np : (void *) &par;
    int kz = k + noise; /* columns of z */
    const double *z0;
    const int *labels;
    start_view(start, n, kz, &z0, &labels);
    if (noise && !z0) {
        error("emix: a fit with noise starts from an n x (k + 1) matrix 'start'");
    }

    SEXP z = PROTECT(allocMatrix(REALSXP, n, kz));
    emix_result res;
    result_alloc(&res, ctl.max_iter);

    /* the start: one exact M-step from the given responsibilities */
    res.status = noise ? noise_start(&np, &dat, z0, &ctl)
                       : gauss_mstep_from_z(&par, &dat, z0, labels, &ctl);
    if (res.status.code == EMIX_OK) {
        void *st = fam->stats_new(fpar);
        emix_workspace ws;
        emix_workspace_init(&ws, fam, fpar, n, kz, ctl.threads, 1, ctl.blocks);
        ws.q_step = ctl.q_step;
        if (ctl.q_step != EMIX_Q_SOFT) {
            ws.labels = start_labels(z0, labels, n, kz);
        }
        if (ctl.q_step == EMIX_Q_DRAW) {
            ws.uniforms = (double *) R_alloc(n, sizeof(double));
            GetRNGstate();
        }
        if (ctl.blocks > 0) {
            emix_iem(fam, fpar, st, &dat, kz, REAL(z), &ctl, &ws, &res);
        } else {
            emix_em(fam, fpar, st, &dat, kz, REAL(z), &ctl, &ws, &res);
        }
        if (ctl.q_step == EMIX_Q_DRAW) {
            PutRNGstate();
        }
    } else {
        /* the start itself, for the R side's handling of the failure */
        if (z0) {
            memcpy(REAL(z), z0, (size_t) n * kz * sizeof(double));
        } else {
            memset(REAL(z), 0, (size_t) n * k * sizeof(double));
            for (int i = 0; i < n; i++) {
                REAL(z)[i + (size_t) n * (labels[i] - 1)] = 1.0;
            }
        }
    }

    SEXP out = noise ? noise_run_result(&np, &res, z) : run_result(&par, &res, z);
    UNPROTECT(1);
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
