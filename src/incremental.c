/* Incremental EM (Neal and Hinton 1998). The free energy F(q, theta) is a
 * sum over rows, so q can be improved one block of rows at a time: an
 * E-step on one block, then an M-step from the running total of the
 * statistics, in which that block's old contribution is replaced by its
 * new one. Every step raises F; the log-likelihood itself is only known
 * at the start and at the end. Blocks are the chunks of the workspace. */
#include "emix.h"
#include <math.h>

void emix_iem(const emix_family *fam, void *par, void *total,
              const emix_data *dat, int k, double *z, const emix_control *ctl,
              emix_workspace *ws, emix_result *res)
{
    emix_estep_sums sums = {0.0, 0.0, 0.0, 0};
    double *buf = ws->thread_buf[0];
    res->iter = 0;
    res->converged = 0;
    res->status.code = EMIX_OK;
    res->status_iter = 0;
    res->bound[0] = NA_REAL;

    /* a full E-step at the start: every block's statistics and their total */
    double ll = emix_estep(fam, par, total, dat, k, z, NULL, &sums, &res->status, ws);
    res->loglik = ll;
    if (res->status.code != EMIX_OK) {
        return;
    }
    res->esteps = 1;
    res->trace[0] = ll;
    res->objective[0] = ll; /* after a full E-step, F equals the log-likelihood */
    res->to_limit[0] = NA_REAL;

    for (int done = 0; done < ctl->max_iter; done++) {
        int t = done + 1; /* the sweep; never beyond max_iter, so no overflow */
        emix_result_reserve(res, (size_t) t);
        R_CheckUserInterrupt();
        res->inner[t] = 0.0;
        res->accelerated[t] = 0.0;
        res->esteps++; /* a sweep's partial E-steps cover every row once */
        for (int ch = 0; ch < ws->nchunk; ch++) {
            emix_status st = fam->mstep(total, par, ctl);
            emix_result_inner(res, t, st, 1);
            if (st.code != EMIX_OK) {
                res->status = st;
                res->status_iter = t;
                return;
            }
            /* replace block ch's statistics by new ones at these parameters */
            fam->stats_reshift(total, par);
            fam->stats_reshift(ws->chunk_stats[ch], par);
            fam->stats_merge(total, ws->chunk_stats[ch], -1.0);
            emix_estep_chunk(fam, par, dat, k, z, NULL, ws, ch, buf);
            if (ws->chunk_bad[ch] >= 0) {
                res->status.code = EMIX_ZERO_DENSITY;
                res->status.row = ws->chunk_bad[ch];
                res->status_iter = t;
                return;
            }
            fam->stats_merge(total, ws->chunk_stats[ch], 1.0);
        }
        emix_status st = fam->mstep(total, par, ctl);
        emix_result_inner(res, t, st, 1);
        if (st.code != EMIX_OK) {
            res->status = st;
            res->status_iter = t;
            return;
        }
        /* F after the sweep's last M-step: E_q[log p(x, z)] from the total
         * statistics, plus the entropy of q summed over the blocks */
        double entropy = 0.0;
        for (int ch = 0; ch < ws->nchunk; ch++) {
            entropy += ws->chunk_ent[ch];
        }
        double F = fam->expected_loglik(total, par) + entropy;
        res->objective[t] = F;
        res->bound[t] = F;
        res->trace[t] = NA_REAL;
        res->iter = t;
        res->to_limit[t] = emix_aitken_distance(res->objective, t);
        if (emix_converged(res->objective, t, ctl)) {
            res->converged = 1;
            break;
        }
    }
    /* the log-likelihood and responsibilities at the returned parameters */
    ll = emix_estep(fam, par, NULL, dat, k, z, NULL, &sums, &res->status, ws);
    res->esteps++;
    res->loglik = ll;
    res->abs_loglik = sums.abs_loglik;
    if (res->status.code != EMIX_OK) {
        res->status_iter = res->iter;
        return;
    }
    res->trace[res->iter] = ll;
}
