/* The generic entry points: one driver runs any registered family with any
 * method, and the pieces of an iteration (E-step, statistics of a block of
 * rows, merging statistics, M-step from statistics) are callable on their
 * own, so that R can run EM over shards of data held elsewhere. */
#include "ffi.h"
#include "gaussian.h" /* the covariance models' names, for ffi_codes() */
#include "omp_compat.h"
#include <limits.h>
#include <math.h>
#include <string.h>

static const char *kind_names[EMIX_NKINDS] = {"dense", "sparse (CSR)"};

/* the data x (and weights w) for family fam, which must read its kind */
static emix_data family_data(const emix_family *fam, SEXP x, SEXP w)
{
    emix_data dat = data_view(x, w);
    if (!(fam->kinds & (1u << dat.kind))) {
        error("emix: the %s family does not read %s data", fam->name, kind_names[dat.kind]);
    }
    return dat;
}

static void *family_par(const emix_family *fam, SEXP settings, int k, int d)
{
    const double *values;
    int nsettings;
    settings_view(settings, &values, &nsettings);
    return fam->par_new(k, d, values, nsettings);
}

/* the parameters as a named list of the family's (non-optional) blocks */
static SEXP parameter_list(const emix_family *fam, const void *par)
{
    emix_block blocks[EMIX_MAX_BLOCKS];
    int nb = fam->par_blocks(par, blocks), nout = 0;
    for (int b = 0; b < nb; b++) {
        nout += !blocks[b].optional;
    }
    SEXP out = PROTECT(allocVector(VECSXP, nout));
    SEXP names = PROTECT(allocVector(STRSXP, nout));
    for (int b = 0, at = 0; b < nb; b++) {
        if (blocks[b].optional) {
            continue;
        }
        SEXP v = PROTECT(alloc_block(&blocks[b], 0));
        fam->par_get(par, b, REAL(v));
        SET_VECTOR_ELT(out, at, v);
        SET_STRING_ELT(names, at, mkChar(blocks[b].name));
        UNPROTECT(1);
        at++;
    }
    setAttrib(out, R_NamesSymbol, names);
    UNPROTECT(2);
    return out;
}

/* parameters given from R, as the family's blocks: the first block is the
 * k proportions, whose length gives k */
static void *given_parameters(const emix_family *fam, SEXP settings, SEXP parameters, int d,
                              emix_status *status)
{
    SEXP pro = list_elt(parameters, "pro");
    if (TYPEOF(pro) != REALSXP || XLENGTH(pro) < 1 || XLENGTH(pro) > INT_MAX) {
        error("emix: 'parameters$pro' must be a double vector of at least one proportion");
    }
    void *par = family_par(fam, settings, LENGTH(pro), d);
    emix_block blocks[EMIX_MAX_BLOCKS];
    const double *values[EMIX_MAX_BLOCKS];
    int nb = fam->par_blocks(par, blocks);
    blocks_view(parameters, "parameters", blocks, nb, values);
    *status = fam->par_put(par, values);
    return par;
}

/* the weighted sum of the rows' offsets (0 for a family without), and the
 * offsets themselves into rowoff unless it is NULL */
static double data_offset(const emix_family *fam, const emix_data *dat, double *rowoff,
                          double *abs_sum)
{
    *abs_sum = 0.0;
    if (!fam->row_offset) {
        if (rowoff) {
            memset(rowoff, 0, (size_t) dat->n * sizeof(double));
        }
        return 0.0;
    }
    double *off = rowoff ? rowoff : (double *) R_alloc(dat->n, sizeof(double));
    fam->row_offset(dat, off);
    double sum = 0.0;
    for (int i = 0; i < dat->n; i++) {
        sum += emix_weight(dat, i) * off[i];
        *abs_sum += emix_weight(dat, i) * fabs(off[i]);
    }
    return sum;
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

static SEXP flat_stats(const emix_family *fam, const void *par, void *stats)
{
    return copy_real(fam->stats_flat(stats), (R_xlen_t) fam->stats_len(par));
}

/* ---- The loops ------------------------------------------------------------ */

/* EM, CEM, SEM or incremental EM: the start is one exact M-step. Returns
 * 0 when that start failed. */
static int run_em(const emix_family *fam, void *par, const emix_data *dat, int k,
                   const double *z0, const int *labels, const emix_control *ctl,
                   const emix_method *m, double *z, emix_result *res)
{
    int n = dat->n;
    res->status = fam->start(par, dat, z0, labels, ctl);
    emix_result_inner(res, 0, res->status, 0);
    if (res->status.code != EMIX_OK) {
        return 0;
    }
    void *st = fam->stats_new(par);
    emix_workspace ws;
    emix_workspace_init(&ws, fam, par, dat, k, ctl->threads, 1,
                        m->loop == EMIX_LOOP_IEM ? m->blocks : 0);
    ws.q_step = m->q_step;
    if (m->q_step != EMIX_Q_SOFT) {
        ws.labels = start_labels(z0, labels, n, k);
    }
    if (m->q_step == EMIX_Q_DRAW) {
        ws.uniforms = (double *) R_alloc(n, sizeof(double));
        GetRNGstate();
    }
    if (m->loop == EMIX_LOOP_IEM) {
        emix_iem(fam, par, st, dat, k, z, ctl, &ws, res);
    } else {
        if (ctl->accelerate && m->q_step == EMIX_Q_SOFT && fam->theta_len) {
            emix_em_accelerated(fam, par, st, dat, k, z, ctl, &ws, res);
        } else {
            emix_step step = {fam->mstep, fam->expected_loglik, par, par, 0};
            emix_em(fam, &step, st, dat, k, z, ctl, &ws, res);
        }
    }
    if (m->q_step == EMIX_Q_DRAW) {
        PutRNGstate();
    }
    return 1;
}

/* VB (soft q-step) or ME (point masses): q(theta) is first updated from
 * the statistics of the start */
static void run_bayes(const emix_family *fam, void *par, void *post, const emix_data *dat,
                      int k, const double *z0, const int *labels, const emix_control *ctl,
                      const emix_method *m, double *z, emix_result *res)
{
    const emix_conjugate *conj = fam->conjugate;
    int n = dat->n;
    void *st = fam->stats_new(par);
    res->status = fam->stats_from_z(par, dat, z0, labels, st);
    if (res->status.code == EMIX_OK) {
        res->status = conj->update(st, post, ctl);
    }
    if (res->status.code != EMIX_OK) {
        return;
    }
    res->bound[0] = conj->bound(st, post) + (z0 ? start_entropy(z0, dat, k) : 0.0);
    emix_workspace ws;
    emix_workspace_init(&ws, fam, par, dat, k, ctl->threads, 1, 0);
    ws.q_step = m->q_step;
    if (m->q_step == EMIX_Q_MODE) {
        ws.labels = start_labels(z0, labels, n, k);
    }
    emix_step step = {conj->update, conj->bound, post, par, 1};
    emix_em(fam, &step, st, dat, k, z, ctl, &ws, res);
}

/* the list every EM-type run returns */
static SEXP run_result(const emix_family *fam, const void *par, const emix_result *res, SEXP z,
                       double offset, double abs_offset)
{
    const char *names[] = {"parameters", "loglik", "trace", "bound", "objective", "iter",
                           "converged", "z", "abs_loglik", "status", "status_detail",
                           "posterior", "inner", "inner_capped", "accelerated", "esteps",
                           "to_limit", "entropy", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, parameter_list(fam, par));
    SET_VECTOR_ELT(out, 1, ScalarReal(res->loglik + offset));
    int ntrace = res->status.code == EMIX_OK ? res->iter + 1 : res->status_iter;
    double *series[3] = {res->trace, res->bound, res->objective};
    for (int a = 0; a < 3; a++) {
        SEXP v = PROTECT(copy_real(series[a], ntrace));
        for (int t = 0; t < ntrace; t++) {
            REAL(v)[t] += offset; /* NA and NaN stay */
        }
        SET_VECTOR_ELT(out, 2 + a, v);
        UNPROTECT(1);
    }
    SET_VECTOR_ELT(out, 5, ScalarInteger(res->iter));
    SET_VECTOR_ELT(out, 6, ScalarLogical(res->converged));
    SET_VECTOR_ELT(out, 7, z);
    SET_VECTOR_ELT(out, 8, ScalarReal(res->abs_loglik + abs_offset));
    SET_VECTOR_ELT(out, 9, status_vector(res->status, res->status_iter));
    SET_VECTOR_ELT(out, 10, status_detail(res->status));
    /* the trace's inner iterations, as long as its other series */
    SET_VECTOR_ELT(out, 12, copy_real(res->inner, ntrace));
    SET_VECTOR_ELT(out, 13, ScalarInteger(res->inner_capped));
    SEXP accelerated = PROTECT(allocVector(LGLSXP, ntrace));
    for (int t = 0; t < ntrace; t++) {
        LOGICAL(accelerated)[t] = res->accelerated[t] != 0.0;
    }
    SET_VECTOR_ELT(out, 14, accelerated);
    UNPROTECT(1);
    SET_VECTOR_ELT(out, 15, ScalarInteger(res->esteps));
    SET_VECTOR_ELT(out, 16, copy_real(res->to_limit, ntrace));
    SET_VECTOR_ELT(out, 17, ScalarReal(res->entropy));
    UNPROTECT(1);
    return out;
}

static SEXP posterior_list(const emix_conjugate *conj, const void *post)
{
    emix_block blocks[EMIX_MAX_BLOCKS];
    int nb = conj->post_blocks(post, blocks);
    SEXP out = PROTECT(allocVector(VECSXP, nb));
    SEXP names = PROTECT(allocVector(STRSXP, nb));
    for (int b = 0; b < nb; b++) {
        SEXP v = PROTECT(alloc_block(&blocks[b], 0));
        conj->post_get(post, b, REAL(v));
        SET_VECTOR_ELT(out, b, v);
        SET_STRING_ELT(names, b, mkChar(blocks[b].name));
        UNPROTECT(1);
    }
    setAttrib(out, R_NamesSymbol, names);
    UNPROTECT(2);
    return out;
}

/* Gibbs sampling from labels: list(draws (the parameter blocks, one more
 * dimension for the draws), loglik, labels, trace, occupied, status,
 * extras (the family's extra blocks)) */
static SEXP run_gibbs(const emix_family *fam, void *par, void *post, const emix_data *dat,
                      int k, const int *start_lab, const emix_control *ctl,
                      const emix_method *m, double offset)
{
    int n = dat->n;
    emix_gibbs_draws out;
    out.burnin = m->burnin;
    out.draws = m->draws;
    out.thin = m->thin;
    int sweeps = out.burnin + out.draws * out.thin, S = out.draws;
    const char *names[] = {"draws", "loglik", "labels", "trace", "occupied", "status",
                           "extras", ""};
    SEXP res = PROTECT(mkNamed(VECSXP, names));
    emix_block blocks[EMIX_MAX_BLOCKS];
    int nb = fam->par_blocks(par, blocks);
    out.nblocks = 0;
    SEXP draws = PROTECT(allocVector(VECSXP, nb));
    SEXP draw_names = PROTECT(allocVector(STRSXP, nb));
    for (int b = 0; b < nb; b++) {
        if (blocks[b].optional) {
            break; /* optional blocks come last */
        }
        SEXP v = alloc_block(&blocks[b], S);
        SET_VECTOR_ELT(draws, b, v);
        SET_STRING_ELT(draw_names, b, mkChar(blocks[b].name));
        out.blocks[b] = blocks[b];
        out.values[b] = REAL(v);
        out.nblocks++;
    }
    draws = PROTECT(lengthgets(draws, out.nblocks));
    draw_names = PROTECT(lengthgets(draw_names, out.nblocks));
    setAttrib(draws, R_NamesSymbol, draw_names);
    SET_VECTOR_ELT(res, 0, draws);
    SET_VECTOR_ELT(res, 1, allocVector(REALSXP, S));
    SET_VECTOR_ELT(res, 2, allocMatrix(INTSXP, n, S));
    SET_VECTOR_ELT(res, 3, allocVector(REALSXP, sweeps));
    SET_VECTOR_ELT(res, 4, allocVector(INTSXP, sweeps));
    out.loglik = REAL(VECTOR_ELT(res, 1));
    out.labels = INTEGER(VECTOR_ELT(res, 2));
    out.trace = REAL(VECTOR_ELT(res, 3));
    out.occupied = INTEGER(VECTOR_ELT(res, 4));

    void *st = fam->stats_new(par);
    emix_status status = fam->stats_from_z(par, dat, NULL, start_lab, st);
    int sweep = 0;
    if (status.code == EMIX_OK) {
        emix_workspace ws;
        emix_workspace_init(&ws, fam, par, dat, k, ctl->threads, 1, 0);
        ws.q_step = EMIX_Q_DRAW;
        ws.labels = start_labels(NULL, start_lab, n, k);
        ws.uniforms = (double *) R_alloc(n, sizeof(double));
        GetRNGstate();
        status = emix_gibbs(fam, post, par, st, dat, k, &ws, &out);
        PutRNGstate();
        if (status.code == EMIX_COLLAPSED) {
            sweep = status.iter + 1;
        }
    }
    for (int s = 0; s < sweeps; s++) {
        out.trace[s] += offset;
    }
    for (int r = 0; r < S; r++) {
        out.loglik[r] += offset;
    }
    SET_VECTOR_ELT(res, 5, status_vector(status, sweep));
    emix_block extra[EMIX_MAX_BLOCKS];
    const double *values[EMIX_MAX_BLOCKS];
    int ne = fam->conjugate->draw_extras ? fam->conjugate->draw_extras(post, extra, values) : 0;
    SEXP extras = PROTECT(allocVector(VECSXP, ne));
    SEXP extra_names = PROTECT(allocVector(STRSXP, ne));
    for (int e = 0; e < ne; e++) {
        SEXP v = PROTECT(alloc_block(&extra[e], 0));
        if (XLENGTH(v) > 0) {
            memcpy(REAL(v), values[e], (size_t) XLENGTH(v) * sizeof(double));
        }
        SET_VECTOR_ELT(extras, e, v);
        SET_STRING_ELT(extra_names, e, mkChar(extra[e].name));
        UNPROTECT(1);
    }
    setAttrib(extras, R_NamesSymbol, extra_names);
    SET_VECTOR_ELT(res, 6, extras);
    UNPROTECT(7);
    return res;
}

/* ---- The entry points ----------------------------------------------------- */

/* The fit of `family` (with its settings) to x from `start`: an n x k
 * responsibility matrix, or labels in 1..k; the loop and q-step are the
 * method's; prior is the conjugate prior's blocks (or NULL) for vb, me
 * and gibbs. */
SEXP ffi_run(SEXP family, SEXP settings, SEXP x, SEXP w, SEXP start, SEXP k_, SEXP control,
             SEXP method, SEXP prior)
{
    const emix_family *fam = family_view(family);
    emix_data dat = family_data(fam, x, w);
    emix_control ctl = control_view(control, dat.d);
    emix_method m = method_view(method);
    int k = check_int(k_, "k", 1, dat.n), n = dat.n;
    const double *z0;
    const int *labels;
    start_view(start, n, k, &z0, &labels);
    int bayesian = m.loop == EMIX_LOOP_BAYES || m.loop == EMIX_LOOP_GIBBS;
    if (bayesian && !fam->conjugate) {
        error("emix: the %s family has no conjugate prior for the Bayesian methods", fam->name);
    }
    if (m.loop == EMIX_LOOP_GIBBS && !labels) {
        error("emix: Gibbs sampling starts from labels");
    }
    void *par = family_par(fam, settings, k, dat.d);
    void *post = NULL;
    if (bayesian) {
        emix_block blocks[EMIX_MAX_BLOCKS];
        const double *values[EMIX_MAX_BLOCKS];
        int nb = fam->conjugate->prior_blocks(par, blocks);
        blocks_view(prior, "prior", blocks, nb, values);
        post = fam->conjugate->post_new(par, values);
    }
    double abs_offset, offset = data_offset(fam, &dat, NULL, &abs_offset);
    if (m.loop == EMIX_LOOP_GIBBS) {
        return run_gibbs(fam, par, post, &dat, k, labels, &ctl, &m, offset);
    }

    SEXP z = PROTECT(allocMatrix(REALSXP, n, k));
    memset(REAL(z), 0, (size_t) n * k * sizeof(double));
    emix_result res;
    emix_result_init(&res, ctl.max_iter);
    if (bayesian) {
        run_bayes(fam, par, post, &dat, k, z0, labels, &ctl, &m, REAL(z), &res);
    } else {
        if (!run_em(fam, par, &dat, k, z0, labels, &ctl, &m, REAL(z), &res)) {
            /* the start itself failed: give it back, for the R side's
             * handling of the failure */
            if (z0) {
                memcpy(REAL(z), z0, (size_t) n * k * sizeof(double));
            } else {
                for (int i = 0; i < n; i++) {
                    REAL(z)[i + (size_t) n * (labels[i] - 1)] = 1.0;
                }
            }
        }
    }
    SEXP out = PROTECT(run_result(fam, par, &res, z, offset, abs_offset));
    if (bayesian) {
        SET_VECTOR_ELT(out, 11, posterior_list(fam->conjugate, post));
    }
    UNPROTECT(2);
    return out;
}

/* The E-step at given parameters (a list of the family's blocks): z,
 * row_loglik, loglik and status. A row of zero density is an answer here
 * (-Inf), not an error. */
SEXP ffi_estep(SEXP family, SEXP settings, SEXP parameters, SEXP x, SEXP w, SEXP threads)
{
    const emix_family *fam = family_view(family);
    emix_data dat = family_data(fam, x, w);
    int nthreads = check_int(threads, "threads", 1, INT_MAX), n = dat.n;
    emix_status st;
    void *par = given_parameters(fam, settings, parameters, dat.d, &st);
    int k = LENGTH(list_elt(parameters, "pro"));
    const char *names[] = {"z", "row_loglik", "loglik", "status", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SEXP z = PROTECT(allocMatrix(REALSXP, n, k));
    SEXP rowll = PROTECT(allocVector(REALSXP, n));
    double ll = NA_REAL;
    if (st.code != EMIX_OK) {
        /* parameters that cannot be used: nothing is computed */
        for (size_t e = 0; e < (size_t) n * k; e++) {
            REAL(z)[e] = NA_REAL;
        }
        for (int i = 0; i < n; i++) {
            REAL(rowll)[i] = NA_REAL;
        }
    } else {
        emix_workspace ws;
        emix_workspace_init(&ws, fam, par, &dat, k, nthreads, 0, 0);
        ws.tolerant = 1;
        ll = emix_estep(fam, par, NULL, &dat, k, REAL(z), REAL(rowll), NULL, &st, &ws);
        if (fam->row_offset) {
            double abs_sum, *off = (double *) R_alloc(n, sizeof(double));
            ll += data_offset(fam, &dat, off, &abs_sum);
            for (int i = 0; i < n; i++) {
                REAL(rowll)[i] += off[i];
            }
        }
    }
    SET_VECTOR_ELT(out, 0, z);
    SET_VECTOR_ELT(out, 1, rowll);
    SET_VECTOR_ELT(out, 2, ScalarReal(ll));
    SET_VECTOR_ELT(out, 3, status_vector(st, 0));
    UNPROTECT(3);
    return out;
}

/* what an M-step returns: list(parameters, status, status_detail); no
 * parameters (NULL) when it failed, as they are not all set */
static SEXP mstep_result(const emix_family *fam, const void *par, emix_status status)
{
    const char *names[] = {"parameters", "status", "status_detail", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, status.code == EMIX_OK ? parameter_list(fam, par) : R_NilValue);
    SET_VECTOR_ELT(out, 1, status_vector(status, 0));
    SET_VECTOR_ELT(out, 2, status_detail(status));
    UNPROTECT(1);
    return out;
}

/* The exact M-step from an n x k responsibility matrix z. */
SEXP ffi_mstep(SEXP family, SEXP settings, SEXP x, SEXP w, SEXP z, SEXP control)
{
    const emix_family *fam = family_view(family);
    emix_data dat = family_data(fam, x, w);
    emix_control ctl = control_view(control, dat.d);
    int k = check_columns(z, "z", dat.n);
    check_reals(z, "z", (R_xlen_t) dat.n * k, 0.0);
    void *par = family_par(fam, settings, k, dat.d);
    return mstep_result(fam, par, fam->start(par, &dat, REAL(z), NULL, &ctl));
}

/* The statistics of the rows of x under q(z) at the given parameters (one
 * flat block, laid out as the family's file documents), with their
 * log-likelihood: the E-step of one shard. */
SEXP ffi_stats(SEXP family, SEXP settings, SEXP parameters, SEXP x, SEXP w, SEXP threads)
{
    const emix_family *fam = family_view(family);
    emix_data dat = family_data(fam, x, w);
    int nthreads = check_int(threads, "threads", 1, INT_MAX);
    emix_status st;
    void *par = given_parameters(fam, settings, parameters, dat.d, &st);
    int k = LENGTH(list_elt(parameters, "pro"));
    const char *names[] = {"stats", "loglik", "status", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    void *stats = fam->stats_new(par);
    double ll = NA_REAL;
    if (st.code == EMIX_OK) {
        emix_workspace ws;
        emix_workspace_init(&ws, fam, par, &dat, k, nthreads, 1, 0);
        ll = emix_estep(fam, par, stats, &dat, k, NULL, NULL, NULL, &st, &ws);
        double abs_sum;
        ll += data_offset(fam, &dat, NULL, &abs_sum);
    } else {
        fam->stats_reset(stats, par);
    }
    SET_VECTOR_ELT(out, 0, flat_stats(fam, par, stats));
    SET_VECTOR_ELT(out, 1, ScalarReal(ll));
    SET_VECTOR_ELT(out, 2, status_vector(st, 0));
    UNPROTECT(1);
    return out;
}

/* statistics of length stats_len for k components of d variables */
static void *given_stats(const emix_family *fam, const void *par, SEXP s, const char *what)
{
    void *stats = fam->stats_new(par);
    size_t len = fam->stats_len(par);
    if (TYPEOF(s) != REALSXP || (size_t) XLENGTH(s) != len) {
        error("emix: '%s' must be a double vector of %.0f statistics", what, (double) len);
    }
    memcpy(fam->stats_flat(stats), REAL(s), len * sizeof(double));
    return stats;
}

/* a + b, for statistics taken at the same parameters (the same shift) */
SEXP ffi_stats_merge(SEXP family, SEXP settings, SEXP k_, SEXP d_, SEXP a, SEXP b)
{
    const emix_family *fam = family_view(family);
    int k = check_int(k_, "k", 1, INT_MAX), d = check_int(d_, "d", 1, INT_MAX);
    void *par = family_par(fam, settings, k, d);
    void *sa = given_stats(fam, par, a, "a"), *sb = given_stats(fam, par, b, "b");
    fam->stats_merge(sa, sb, 1.0);
    return flat_stats(fam, par, sa);
}

/* The M-step from statistics: list(parameters, status, status_detail). */
SEXP ffi_mstep_stats(SEXP family, SEXP settings, SEXP k_, SEXP d_, SEXP stats, SEXP control)
{
    const emix_family *fam = family_view(family);
    int k = check_int(k_, "k", 1, INT_MAX), d = check_int(d_, "d", 1, INT_MAX);
    emix_control ctl = control_view(control, d);
    void *par = family_par(fam, settings, k, d);
    void *st = given_stats(fam, par, stats, "stats");
    return mstep_result(fam, par, fam->mstep(st, par, &ctl));
}

/* What R needs to know of a family for k components of d variables: its
 * degrees of freedom, its parameter blocks, the length of its statistics,
 * the data kinds it reads and whether it has a conjugate prior. */
SEXP ffi_family_info(SEXP family, SEXP settings, SEXP k_, SEXP d_)
{
    const emix_family *fam = family_view(family);
    int k = check_int(k_, "k", 1, INT_MAX), d = check_int(d_, "d", 1, INT_MAX);
    void *par = family_par(fam, settings, k, d);
    emix_block blocks[EMIX_MAX_BLOCKS];
    int nb = fam->par_blocks(par, blocks);
    const char *names[] = {"df", "parameters", "stats_len", "kinds", "conjugate", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, ScalarReal(fam->df(par)));
    SEXP pn = PROTECT(allocVector(STRSXP, nb));
    for (int b = 0; b < nb; b++) {
        SET_STRING_ELT(pn, b, mkChar(blocks[b].name));
    }
    SET_VECTOR_ELT(out, 1, pn);
    SET_VECTOR_ELT(out, 2, ScalarReal((double) fam->stats_len(par)));
    int nk = 0;
    for (int kind = 0; kind < EMIX_NKINDS; kind++) {
        nk += (fam->kinds >> kind) & 1u;
    }
    SEXP kinds = PROTECT(allocVector(INTSXP, nk));
    for (int kind = 0, at = 0; kind < EMIX_NKINDS; kind++) {
        if ((fam->kinds >> kind) & 1u) {
            INTEGER(kinds)[at++] = kind;
        }
    }
    SET_VECTOR_ELT(out, 3, kinds);
    SET_VECTOR_ELT(out, 4, ScalarLogical(fam->conjugate != NULL));
    UNPROTECT(3);
    return out;
}

static SEXP named_codes(const char *const *names, int n)
{
    SEXP out = PROTECT(allocVector(INTSXP, n));
    SEXP nm = PROTECT(allocVector(STRSXP, n));
    for (int i = 0; i < n; i++) {
        INTEGER(out)[i] = i;
        SET_STRING_ELT(nm, i, mkChar(names[i]));
    }
    setAttrib(out, R_NamesSymbol, nm);
    UNPROTECT(2);
    return out;
}

/* Every code the R side passes or reads, named: the one source of the
 * enums of emix.h; and which registered families have a conjugate prior. The names are in the enums' order, which the
 * static_assert-like checks below tie to them. */
SEXP ffi_codes(void)
{
    static const char *const status[] = {"ok", "empty", "collapsed", "zero_density", "interrupted"};
    static const char *const loop[] = {"em", "iem", "bayes", "gibbs"};
    static const char *const q_step[] = {"soft", "mode", "draw"};
    static const char *const rule[] = {"relative", "absolute", "mean", "aitken"};
    static const char *const kind[] = {"dense", "csr"};
    typedef char status_names_match[(sizeof status / sizeof *status == EMIX_NSTATUS) ? 1 : -1];
    typedef char loop_names_match[(sizeof loop / sizeof *loop == EMIX_NLOOPS) ? 1 : -1];
    typedef char kind_names_match[(sizeof kind / sizeof *kind == EMIX_NKINDS) ? 1 : -1];
    (void) sizeof(status_names_match);
    (void) sizeof(loop_names_match);
    (void) sizeof(kind_names_match);
    const char *names[] = {"status", "loop", "q_step", "rule", "kind", "family", "gaussian_model",
                           "conjugate", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, named_codes(status, EMIX_NSTATUS));
    SET_VECTOR_ELT(out, 1, named_codes(loop, EMIX_NLOOPS));
    SET_VECTOR_ELT(out, 2, named_codes(q_step, EMIX_Q_DRAW + 1));
    SET_VECTOR_ELT(out, 3, named_codes(rule, EMIX_RULE_AITKEN + 1));
    SET_VECTOR_ELT(out, 4, named_codes(kind, EMIX_NKINDS));
    int nfam = 0;
    while (emix_family_at(nfam)) {
        nfam++;
    }
    const char **fnames = (const char **) R_alloc(nfam > 0 ? nfam : 1, sizeof(char *));
    for (int f = 0; f < nfam; f++) {
        fnames[f] = emix_family_at(f)->name;
    }
    SET_VECTOR_ELT(out, 5, named_codes(fnames, nfam));
    const char *models[EMIX_NMODELS];
    for (int m = 0; m < EMIX_NMODELS; m++) {
        models[m] = emix_cov_models[m].name;
    }
    SET_VECTOR_ELT(out, 6, named_codes(models, EMIX_NMODELS));
    /* which registered families have a conjugate prior (vb, me, gibbs) */
    SEXP conjugate = PROTECT(allocVector(LGLSXP, nfam));
    for (int f = 0; f < nfam; f++) {
        LOGICAL(conjugate)[f] = emix_family_at(f)->conjugate != NULL;
    }
    setAttrib(conjugate, R_NamesSymbol, getAttrib(VECTOR_ELT(out, 5), R_NamesSymbol));
    SET_VECTOR_ELT(out, 7, conjugate);
    UNPROTECT(1);
    UNPROTECT(1);
    return out;
}

/* c(OpenMP compiled in, processors, OpenMP thread limit) for the R side's
 * choice of a default thread count */
SEXP ffi_openmp_info(void)
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
