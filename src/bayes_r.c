/* The entry points R calls for the Bayesian methods: variational Bayes and
 * maximization-expectation (one loop, a soft or a point-mass q-step) and
 * the Gibbs sampler. */
#include "emix.h"
#include "entry.h"
#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

/* The prior, checked and completed in R: alpha, kappa, df, mean, scale. */
static bayes_prior prior_view(SEXP prior, int d, int model)
{
    bayes_prior pr;
    int scale_dims[2] = {d, d};
    pr.alpha = check_real(list_elt(prior, "alpha"), "prior$alpha", DBL_MIN, R_PosInf);
    pr.kappa = check_real(list_elt(prior, "kappa"), "prior$kappa", DBL_MIN, R_PosInf);
    /* df > d - 1 (VVV) or df > 0: the precision's prior is proper */
    double df_min = model == EMIX_VVV ? d - 1.0 : 0.0;
    pr.nu = check_real(list_elt(prior, "df"), "prior$df", nextafter(df_min, R_PosInf),
                       R_PosInf);
    pr.mean = check_reals(list_elt(prior, "mean"), "prior$mean", d, R_NegInf);
    check_array(list_elt(prior, "scale"), "prior$scale", 2, scale_dims);
    pr.scale = check_reals(list_elt(prior, "scale"), "prior$scale", (R_xlen_t) d * d, R_NegInf);
    bayes_prior_init(&pr, d, model);
    return pr;
}

/* the covariance model: one that has a conjugate prior */
static int bayes_model_view(SEXP model)
{
    int code = check_int(model, "model", 0, EMIX_NMODELS - 1);
    if (!bayes_model_ok(code)) {
        error("emix: 'model' must be VII, VVI or VVV (code %d, %d or %d) for the Bayesian methods",
              EMIX_VII, EMIX_VVI, EMIX_VVV);
    }
    return code;
}

/* -sum_i w_i sum_c z_ic log z_ic of a start given as responsibilities */
static double start_entropy(const double *z, const emix_data *dat, int k)
{
    double h = 0.0;
    for (int c = 0; c < k; c++) {
        const double *zc = z + (size_t) dat->n * c;
        for (int i = 0; i < dat->n; i++) {
            if (zc[i] > 0.0) {
                h -= emix_weight(dat, i) * zc[i] * log(zc[i]);
            }
        }
    }
    return h;
}

/* alpha, kappa, df, N, scale (d x d x k) and the E-step's log weights */
static SEXP posterior_list(const bayes_par *bp)
{
    int k = bp->g.k, d = bp->g.d;
    const char *names[] = {"alpha", "kappa", "df", "N", "scale", "log_weight", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, copy_real(bp->alpha, k));
    SET_VECTOR_ELT(out, 1, copy_real(bp->kappa, k));
    SET_VECTOR_ELT(out, 2, copy_real(bp->nu, k));
    SET_VECTOR_ELT(out, 3, copy_real(bp->N, k));
    SEXP scale = PROTECT(alloc3DArray(REALSXP, d, d, k));
    gauss_cov_expand(bp->scale, d, k, bp->g.model, REAL(scale));
    SET_VECTOR_ELT(out, 4, scale);
    SET_VECTOR_ELT(out, 5, copy_real(bp->g.log_weight, k));
    UNPROTECT(2);
    return out;
}

/* VB (control q_step 0) or ME (q_step 1) from `start`: responsibilities
 * (n x k) or labels in 1..k, from which q(theta) is first updated. */
SEXP emix_run_bayes(SEXP x, SEXP w, SEXP start, SEXP k_, SEXP model_, SEXP control,
                    SEXP prior)
{
    emix_data dat = data_view(x, w);
    emix_control ctl = control_view(control, dat.d);
    int k = check_int(k_, "k", 1, dat.n), n = dat.n, model = bayes_model_view(model_);
    if (ctl.q_step == EMIX_Q_DRAW) {
        error("emix: 'control$q_step' must be 0 (variational Bayes) or 1 (maximization-expectation)");
    }
    const double *z0;
    const int *labels;
    start_view(start, n, k, &z0, &labels);
    bayes_prior pr = prior_view(prior, dat.d, model);
    bayes_par bp;
    bayes_par_alloc(&bp, k, dat.d, model, &pr);
    gauss_stats *st = gauss_stats_alloc(k, dat.d, model);

    SEXP z = PROTECT(allocMatrix(REALSXP, n, k));
    memset(REAL(z), 0, (size_t) n * k * sizeof(double));
    emix_result res;
    result_alloc(&res, ctl.max_iter);
    res.status = gauss_stats_from_z(&bp.g, &dat, z0, labels, 0.0, st);
    if (res.status.code == EMIX_OK) {
        res.status = emix_vb_family.mstep(st, &bp, &ctl);
    }
    if (res.status.code == EMIX_OK) {
        res.bound[0] = bp.bound + (z0 ? start_entropy(z0, &dat, k) : 0.0);
        emix_workspace ws;
        emix_workspace_init(&ws, &emix_vb_family, &bp, n, k, ctl.threads, 1, 0);
        ws.q_step = ctl.q_step;
        if (ctl.q_step == EMIX_Q_MODE) {
            ws.labels = start_labels(z0, labels, n, k);
        }
        emix_em(&emix_vb_family, &bp, st, &dat, k, REAL(z), &ctl, &ws, &res);
    }

    const char *names[] = {"run", "posterior", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, run_result(&bp.g, &res, z));
    SET_VECTOR_ELT(out, 1, posterior_list(&bp));
    UNPROTECT(2);
    return out;
}

/* Gibbs sampling from the labels `start` (1..k); sampling is
 * c(burnin, draws, thin). */
SEXP emix_gibbs_gaussian(SEXP x, SEXP w, SEXP start, SEXP k_, SEXP model_, SEXP control,
                         SEXP prior, SEXP sampling)
{
    emix_data dat = data_view(x, w);
    emix_control ctl = control_view(control, dat.d);
    int k = check_int(k_, "k", 1, dat.n), n = dat.n, d = dat.d;
    int model = bayes_model_view(model_);
    const int *start_lab = check_labels(start, "start", n, k);
    if (TYPEOF(sampling) != INTSXP || XLENGTH(sampling) != 3) {
        error("emix: 'sampling' must be an integer vector c(burnin, draws, thin)");
    }
    const int *smp = INTEGER(sampling);
    if (smp[0] == NA_INTEGER || smp[0] < 0 || smp[1] == NA_INTEGER || smp[1] < 1 ||
        smp[2] == NA_INTEGER || smp[2] < 1 || smp[0] + (double) smp[1] * smp[2] > INT_MAX) {
        error("emix: 'sampling' must be c(burnin >= 0, draws >= 1, thin >= 1) with "
              "burnin + draws * thin at most %d sweeps", INT_MAX);
    }
    bayes_prior pr = prior_view(prior, d, model);
    bayes_par bp;
    bayes_par_alloc(&bp, k, d, model, &pr);
    gauss_stats *st = gauss_stats_alloc(k, d, model);

    gibbs_draws out;
    out.burnin = smp[0];
    out.draws = smp[1];
    out.thin = smp[2];
    int sweeps = out.burnin + out.draws * out.thin, S = out.draws;

    const char *names[] = {"pro", "mean", "sigma", "loglik", "labels", "trace", "occupied",
                           "status", "chol", "chol_draws", ""};
    SEXP res = PROTECT(mkNamed(VECSXP, names));
    SET_VECTOR_ELT(res, 0, allocMatrix(REALSXP, k, S));
    SET_VECTOR_ELT(res, 1, alloc3DArray(REALSXP, k, d, S));
    SEXP dims = PROTECT(allocVector(INTSXP, 4));
    INTEGER(dims)[0] = d;
    INTEGER(dims)[1] = d;
    INTEGER(dims)[2] = k;
    INTEGER(dims)[3] = S;
    SET_VECTOR_ELT(res, 2, allocArray(REALSXP, dims));
    SET_VECTOR_ELT(res, 3, allocVector(REALSXP, S));
    SET_VECTOR_ELT(res, 4, allocMatrix(INTSXP, n, S));
    SET_VECTOR_ELT(res, 5, allocVector(REALSXP, sweeps));
    SET_VECTOR_ELT(res, 6, allocVector(INTSXP, sweeps));
    out.pro = REAL(VECTOR_ELT(res, 0));
    out.mean = REAL(VECTOR_ELT(res, 1));
    out.sigma = REAL(VECTOR_ELT(res, 2));
    out.loglik = REAL(VECTOR_ELT(res, 3));
    out.labels = INTEGER(VECTOR_ELT(res, 4));
    out.trace = REAL(VECTOR_ELT(res, 5));
    out.occupied = INTEGER(VECTOR_ELT(res, 6));

    out.nchol = 0;
    emix_status status = gauss_stats_from_z(&bp.g, &dat, NULL, start_lab, 0.0, st);
    int sweep = 0;
    if (status.code == EMIX_OK) {
        emix_workspace ws;
        emix_workspace_init(&ws, &emix_vb_family, &bp, n, k, ctl.threads, 1, 0);
        ws.q_step = EMIX_Q_DRAW;
        ws.labels = start_labels(NULL, start_lab, n, k);
        ws.uniforms = (double *) R_alloc(n, sizeof(double));
        GetRNGstate();
        status = emix_gibbs(&bp, st, &dat, &ws, &out);
        PutRNGstate();
        if (status.code == EMIX_COLLAPSED) {
            sweep = status.row + 1;
            status.row = -1;
        }
    }
    SET_VECTOR_ELT(res, 7, status_vector(status, sweep));
    /* the factors the E-step cannot get back from sigma, with their draws
     * (1-based) */
    INTEGER(dims)[3] = out.nchol;
    SEXP chol = PROTECT(allocArray(REALSXP, dims));
    if (out.nchol > 0) {
        memcpy(REAL(chol), out.chol, (size_t) d * d * k * out.nchol * sizeof(double));
    }
    SET_VECTOR_ELT(res, 8, chol);
    SEXP chol_draws = PROTECT(allocVector(INTSXP, out.nchol));
    for (int f = 0; f < out.nchol; f++) {
        INTEGER(chol_draws)[f] = out.chol_draw[f] + 1;
    }
    SET_VECTOR_ELT(res, 9, chol_draws);
    UNPROTECT(4);
    return res;
}
