/* The EM loop, for any family: the E-step (log joint densities, log-sum-exp,
 * responsibilities) fused with the accumulation of sufficient statistics,
 * then the M-step from those statistics, until the stopping rule holds.
 *
 * The E-step runs over fixed chunks of rows, in parallel when OpenMP is
 * there; each chunk has its own statistics and partial sums, combined in
 * chunk order afterwards, so the answer does not depend on the thread count.
 * Trace entry t is the log-likelihood after t M-steps: the E-step at the
 * parameters of step t computes it for free. Beside it the loop records the
 * free energy F(q, theta) = E_q[log p(x, z | theta)] + H(q) after each
 * M-step, from the statistics: log-likelihood = F + KL(q || posterior).
 * With a point-mass q-step after the E-step (classification or stochastic
 * EM) F is the classification log-likelihood of the labels chosen. */
#include "emix.h"
#include "omp_compat.h"
#include <float.h>
#include <math.h>
#include <string.h>

void emix_workspace_init(emix_workspace *ws, const emix_family *fam, const void *par,
                         const emix_data *dat, int k, int nthreads, int with_stats, int parts)
{
    /* in size_t, so that no n or parts overflows; parts beyond n mean one
     * row per chunk */
    size_t rows = dat->n > 0 ? (size_t) dat->n : 1;
    size_t per_chunk;
    if (parts > 0) {
        per_chunk = (rows + (size_t) parts - 1) / (size_t) parts;
    } else {
        /* chunks of whole blocks, at most EMIX_MAX_CHUNKS of them: enough to
         * share among threads, few enough to keep their statistics small.
         * Every chunk's statistics are emptied and merged each iteration,
         * so all of them together are kept no larger than the data: large
         * statistics (a multinomial's k x V counts) mean fewer chunks. The
         * count depends on the data and the family, never on the threads. */
        size_t data_len = dat->kind == EMIX_CSR ? (size_t) dat->row_start[dat->n]
                                                : rows * (size_t) dat->d;
        size_t stats_len = fam->stats_len(par), chunks = EMIX_MAX_CHUNKS;
        if (stats_len > 0 && data_len / stats_len < chunks) {
            chunks = data_len / stats_len > 1 ? data_len / stats_len : 1;
        }
        size_t blocks = (rows + chunks - 1) / chunks;
        blocks = (blocks + EMIX_BLOCK - 1) / EMIX_BLOCK;
        per_chunk = (blocks < 1 ? 1 : blocks) * EMIX_BLOCK;
    }
    ws->chunk_rows = per_chunk < rows ? (int) per_chunk : (int) rows;
    ws->nchunk = (int) ((rows + (size_t) ws->chunk_rows - 1) / (size_t) ws->chunk_rows);
    /* more threads than chunks would have nothing to do */
    ws->nthreads = nthreads < 1 ? 1 : (nthreads > ws->nchunk ? ws->nchunk : nthreads);
    ws->tolerant = 0;
    ws->chunk_stats = (void **) R_alloc(ws->nchunk, sizeof(void *));
    for (int ch = 0; ch < ws->nchunk; ch++) {
        ws->chunk_stats[ch] = with_stats ? fam->stats_new(par) : NULL;
    }
    ws->chunk_ll = (double *) R_alloc(ws->nchunk, sizeof(double));
    ws->chunk_abs = (double *) R_alloc(ws->nchunk, sizeof(double));
    ws->chunk_ent = (double *) R_alloc(ws->nchunk, sizeof(double));
    ws->chunk_obj = (double *) R_alloc(ws->nchunk, sizeof(double));
    ws->chunk_changed = (int *) R_alloc(ws->nchunk, sizeof(int));
    ws->q_step = EMIX_Q_SOFT;
    ws->labels = NULL;
    ws->uniforms = NULL;
    ws->chunk_bad = (int *) R_alloc(ws->nchunk, sizeof(int));
    size_t per_thread = (size_t) EMIX_BLOCK * k + 2 * EMIX_BLOCK + fam->scratch_size(par);
    ws->thread_buf = (double **) R_alloc(ws->nthreads, sizeof(double *));
    for (int t = 0; t < ws->nthreads; t++) {
        /* 8 doubles to spare for the alignment; the parts of the buffer are
         * whole blocks of rows, so they start on cache lines too */
        ws->thread_buf[t] = emix_align64((double *) R_alloc(per_thread + 8, sizeof(double)));
    }
}

/* One chunk of the E-step; touches only its own rows and chunk slots. */
void emix_estep_chunk(const emix_family *fam, const void *par, const emix_data *dat,
                      int k, double *z, double *rowll, emix_workspace *ws, int ch,
                      double *buf)
{
    int n = dat->n;
    int first = ch * ws->chunk_rows;
    int end = ws->chunk_rows < n - first ? first + ws->chunk_rows : n;
    double *lj = buf;
    double *rl = lj + (size_t) EMIX_BLOCK * k;
    double *re = rl + EMIX_BLOCK;
    double *scratch = re + EMIX_BLOCK;
    void *stats = ws->chunk_stats[ch];
    double ll = 0.0, abs_ll = 0.0, ent = 0.0, obj = 0.0;
    int changed = 0;

    ws->chunk_bad[ch] = -1;
    if (stats) {
        fam->stats_reset(stats, par);
    }
    for (int i0 = first; i0 < end; i0 += EMIX_BLOCK) {
        int nb = end - i0 < EMIX_BLOCK ? end - i0 : EMIX_BLOCK;
        fam->log_joint(par, dat, i0, nb, lj, scratch);
        int bad = emix_logsumexp_rows(lj, nb, k, nb, rl, re);
        if (bad >= 0 && ws->chunk_bad[ch] < 0) {
            ws->chunk_bad[ch] = i0 + bad;
        }
        if (bad >= 0 && !ws->tolerant) {
            return;
        }
        if (rowll) {
            memcpy(rowll + i0, rl, (size_t) nb * sizeof(double));
        }
        if (z) {
            for (int c = 0; c < k; c++) {
                memcpy(z + (size_t) n * c + i0, lj + (size_t) nb * c,
                       (size_t) nb * sizeof(double));
            }
        }
        if (ws->q_step != EMIX_Q_SOFT) {
            /* point masses: re now holds each row's classification
             * log-likelihood, and q has no entropy */
            changed += ws->q_step == EMIX_Q_MODE
                           ? emix_cstep_block(lj, nb, k, rl, ws->labels + i0, re)
                           : emix_sstep_block(lj, nb, k, rl, ws->uniforms + i0,
                                              ws->labels + i0, re);
            for (int i = 0; i < nb; i++) {
                obj += emix_weight(dat, i0 + i) * re[i];
                re[i] = 0.0;
            }
        }
        for (int i = 0; i < nb; i++) {
            double w = emix_weight(dat, i0 + i);
            ll += w * rl[i];
            abs_ll += w * fabs(rl[i]);
            ent += w * re[i];
        }
        if (stats && ws->q_step != EMIX_Q_SOFT) {
            fam->stats_add_labels(stats, dat, i0, nb, lj, nb, ws->labels + i0, scratch);
        } else if (stats) {
            fam->stats_add(stats, dat, i0, nb, lj, nb, scratch);
        }
    }
    ws->chunk_ll[ch] = ll;
    ws->chunk_abs[ch] = abs_ll;
    ws->chunk_ent[ch] = ent;
    ws->chunk_obj[ch] = obj;
    ws->chunk_changed[ch] = changed;
}

double emix_estep(const emix_family *fam, const void *par, void *stats,
                  const emix_data *dat, int k, double *z, double *rowll,
                  emix_estep_sums *sums, emix_status *status, emix_workspace *ws)
{
    status->code = EMIX_OK;
    int nchunk = ws->nchunk;
    /* Threads only pay when there is work to share: waking them costs a
     * few microseconds, and much more when the processors are busy. */
    int nthreads = ws->nthreads < nchunk ? ws->nthreads : nchunk;
    if ((double) dat->n * k < EMIX_PARALLEL_MIN) {
        nthreads = 1;
    }
#ifdef _OPENMP
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1) if (nthreads > 1)
#endif
    for (int ch = 0; ch < nchunk; ch++) {
        emix_estep_chunk(fam, par, dat, k, z, rowll, ws, ch,
                         ws->thread_buf[omp_get_thread_num()]);
    }

    double ll = 0.0, all = 0.0, ent = 0.0, obj = 0.0;
    int changed = 0;
    if (stats) {
        fam->stats_reset(stats, par);
    }
    for (int ch = 0; ch < nchunk; ch++) {
        if (ws->chunk_bad[ch] >= 0 && status->code == EMIX_OK) {
            status->code = EMIX_ZERO_DENSITY;
            status->row = ws->chunk_bad[ch];
            if (!ws->tolerant) {
                return R_NegInf;
            }
        }
        ll += ws->chunk_ll[ch];
        all += ws->chunk_abs[ch];
        ent += ws->chunk_ent[ch];
        obj += ws->chunk_obj[ch];
        changed += ws->chunk_changed[ch];
        if (stats) {
            fam->stats_merge(stats, ws->chunk_stats[ch], 1.0);
        }
    }
    if (sums) {
        sums->abs_loglik = all;
        sums->entropy = ent;
        sums->objective = ws->q_step == EMIX_Q_MODE ? obj : ll;
        sums->changed = changed;
    }
    return ll;
}

/* The ratios of changes the Aitken estimate takes the largest of. */
#define AITKEN_WINDOW 3

double emix_aitken_distance(const double *value, int t)
{
    if (t < 2) {
        return NA_REAL;
    }
    double ratio = 0.0;
    for (int j = t; j >= 2 && j > t - AITKEN_WINDOW; j--) {
        double r = fabs(value[j] - value[j - 1]) / fabs(value[j - 1] - value[j - 2]);
        ratio = r > ratio || ISNAN(r) ? r : ratio;
    }
    if (!(ratio < 1.0)) {
        return R_PosInf;
    }
    return fabs(value[t] - value[t - 1]) * ratio / (1.0 - ratio);
}

int emix_rule_holds(double prev, double cur, double distance, const emix_control *ctl)
{
    double change = fabs(cur - prev);
    /* the yardstick each rule divides by: per unit of weight (mean,
     * Aitken), so that multiplying the weights by a constant, or the data
     * (whose log-likelihood then shifts by a constant), leaves it; relative
     * to the value (relative); none (absolute) */
    double scale = ctl->rule == EMIX_RULE_ABSOLUTE   ? 1.0
                   : ctl->rule == EMIX_RULE_RELATIVE ? 1.0 + fabs(cur)
                                                     : ctl->total_weight;
    if (!(change / scale < ctl->tol)) {
        return 0;
    }
    /* a change within rounding of the value (one component: every step
     * lands on the same moments) leaves nothing to estimate from */
    if (ctl->rule != EMIX_RULE_AITKEN || change <= 64.0 * DBL_EPSILON * fabs(cur)) {
        return 1;
    }
    return distance / scale < ctl->tol; /* NaN: no */
}

int emix_converged(const double *value, int t, const emix_control *ctl)
{
    return t >= 1 && emix_rule_holds(value[t - 1], value[t], emix_aitken_distance(value, t), ctl);
}

void emix_result_reserve(emix_result *res, size_t t)
{
    if (t < res->capacity) {
        return;
    }
    size_t cap = res->capacity < 32 ? 32 : 2 * res->capacity;
    while (cap <= t) {
        cap *= 2;
    }
    if (cap > res->max_entries) {
        cap = res->max_entries > t ? res->max_entries : t + 1;
    }
    double **arrays[6] = {&res->trace, &res->objective, &res->bound, &res->inner,
                          &res->accelerated, &res->to_limit};
    for (int a = 0; a < 6; a++) {
        /* R_alloc memory lives until the call returns: the old blocks are
         * given back then, at most as much again as the final ones */
        double *grown = (double *) R_alloc(cap, sizeof(double));
        if (res->capacity > 0) {
            memcpy(grown, *arrays[a], res->capacity * sizeof(double));
        }
        *arrays[a] = grown;
    }
    res->capacity = cap;
}

void emix_result_inner(emix_result *res, int t, emix_status st, int add)
{
    double most = add && res->inner[t] > st.inner ? res->inner[t] : st.inner;
    res->inner[t] = most;
    res->inner_capped += st.inner_capped;
}

void emix_result_init(emix_result *res, int max_iter)
{
    res->capacity = 0;
    res->max_entries = (size_t) max_iter + 1;
    res->trace = res->bound = res->objective = res->inner = res->accelerated = NULL;
    res->to_limit = NULL;
    emix_result_reserve(res, 0);
    res->inner[0] = 0.0;
    res->accelerated[0] = 0.0;
    res->to_limit[0] = NA_REAL;
    res->inner_capped = 0;
    res->esteps = 0;
    res->iter = 0;
    res->converged = 0;
    res->loglik = NA_REAL;
    res->abs_loglik = NA_REAL;
    res->entropy = NA_REAL;
    res->status = EMIX_STATUS_OK;
    res->status_iter = 0;
}

void emix_em(const emix_family *fam, const emix_step *step, void *stats,
             const emix_data *dat, int k, double *z, const emix_control *ctl,
             emix_workspace *ws, emix_result *res)
{
    const void *par = step->estep_par;
    res->iter = 0;
    res->converged = 0;
    res->status.code = EMIX_OK;
    res->status_iter = 0;
    emix_estep_sums sums = {0.0, 0.0, 0.0, 0};
    if (!step->bayesian) {
        res->bound[0] = NA_REAL;
    }
    for (int t = 0;; t++) {
        if (ws->q_step == EMIX_Q_DRAW) {
            /* R's generator, outside the parallel region: set.seed() makes
             * the draws, and so the fit, reproducible */
            for (int i = 0; i < dat->n; i++) {
                ws->uniforms[i] = unif_rand();
            }
        }
        double ll = emix_estep(fam, par, stats, dat, k, z, NULL, &sums, &res->status, ws);
        res->esteps++;
        res->loglik = ll;
        res->abs_loglik = sums.abs_loglik;
        res->entropy = ws->q_step == EMIX_Q_SOFT ? sums.entropy : NA_REAL;
        if (res->status.code != EMIX_OK) {
            res->status_iter = t;
            return;
        }
        res->trace[t] = ll;
        res->accelerated[t] = 0.0;
        /* a Bayesian method's objective is its bound after the last
         * parameter step: the ELBO (VB) or log p(x, z) (ME) */
        res->objective[t] = step->bayesian ? res->bound[t] : sums.objective;
        res->to_limit[t] = emix_aitken_distance(res->objective, t);
        /* the rule on the objective; CEM also stops when no label moved,
         * as the next M-step would give the same parameters; SEM is a
         * Markov chain, which runs max_iter steps */
        if (t > 0 && ((ws->q_step != EMIX_Q_DRAW &&
                       t > 0 && emix_rule_holds(res->objective[t - 1], res->objective[t],
                                                res->to_limit[t], ctl)) ||
                      (ws->q_step == EMIX_Q_MODE && sums.changed == 0))) {
            res->converged = 1;
            return;
        }
        if (t == ctl->max_iter) {
            return;
        }
        if (ws->q_step != EMIX_Q_DRAW) {
            R_CheckUserInterrupt();
        } else if (emix_interrupt_pending()) {
            res->status.code = EMIX_INTERRUPTED;
            res->status_iter = t;
            return;
        }
        emix_result_reserve(res, (size_t) t + 1);
        emix_status st = step->update(stats, step->theta, ctl);
        emix_result_inner(res, t + 1, st, 0);
        if (st.code != EMIX_OK) {
            res->status = st;
            res->status_iter = t + 1;
            return;
        }
        /* the free energy F(q_t, theta_{t+1}) = E_q[log p(x, z)] + H(q_t):
         * a lower bound on the next log-likelihood, above this one (for a
         * Bayesian method, the evidence lower bound) */
        res->bound[t + 1] = step->objective(stats, step->theta) + sums.entropy;
        res->iter = t + 1;
    }
}
