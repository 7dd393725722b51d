/* The EM loop, for any family: E-step (log joint densities, log-sum-exp,
 * responsibilities) fused with the accumulation of sufficient statistics,
 * then the M-step from those statistics, until the stopping rule holds.
 *
 * Trace entry t is the log-likelihood after t M-steps; the E-step at the
 * parameters of step t computes it for free. */
#include "emix.h"
#include <math.h>
#include <string.h>

double emix_estep(const emix_family *fam, const void *par, void *stats,
                  const emix_data *dat, int k, double *z, double *rowll,
                  double *abs_ll, emix_status *status)
{
    int n = dat->n;
    double *lj = (double *) R_alloc((size_t) EMIX_BLOCK * k, sizeof(double));
    double *rl = (double *) R_alloc(EMIX_BLOCK, sizeof(double));
    double *scratch = (double *) R_alloc(fam->scratch_size(par), sizeof(double));
    double ll = 0.0, all = 0.0;

    status->code = EMIX_OK;
    if (stats) {
        fam->stats_reset(stats, par);
    }
    for (int i0 = 0; i0 < n; i0 += EMIX_BLOCK) {
        int nb = n - i0 < EMIX_BLOCK ? n - i0 : EMIX_BLOCK;
        fam->log_joint(par, dat, i0, nb, lj, scratch);
        int bad = emix_logsumexp_rows(lj, nb, k, nb, rl);
        if (bad >= 0) {
            status->code = EMIX_ZERO_DENSITY;
            status->row = i0 + bad;
            return R_NegInf;
        }
        /* a partial sum per block keeps the order of additions fixed */
        double block_ll = 0.0, block_abs = 0.0;
        for (int i = 0; i < nb; i++) {
            double w = emix_weight(dat, i0 + i);
            block_ll += w * rl[i];
            block_abs += w * fabs(rl[i]);
        }
        ll += block_ll;
        all += block_abs;
        if (rowll) {
            memcpy(rowll + i0, rl, (size_t) nb * sizeof(double));
        }
        if (z) {
            for (int c = 0; c < k; c++) {
                memcpy(z + (size_t) n * c + i0, lj + (size_t) nb * c,
                       (size_t) nb * sizeof(double));
            }
        }
        if (stats) {
            fam->stats_add(stats, dat, i0, nb, lj, nb, scratch);
        }
    }
    if (abs_ll) {
        *abs_ll = all;
    }
    return ll;
}

static int emix_converged(double prev, double cur, const emix_control *ctl)
{
    double change = fabs(cur - prev);
    if (ctl->rule == EMIX_RULE_RELATIVE) {
        change /= 1.0 + fabs(cur);
    }
    return change < ctl->tol;
}

void emix_em(const emix_family *fam, void *par, void *stats,
             const emix_data *dat, int k, double *z, const emix_control *ctl,
             emix_result *res)
{
    res->iter = 0;
    res->converged = 0;
    res->status.code = EMIX_OK;
    res->status_iter = 0;
    for (int t = 0;; t++) {
        double ll = emix_estep(fam, par, stats, dat, k, z, NULL,
                               &res->abs_loglik, &res->status);
        res->loglik = ll;
        if (res->status.code != EMIX_OK) {
            res->status_iter = t;
            return;
        }
        res->trace[t] = ll;
        if (t > 0 && emix_converged(res->trace[t - 1], ll, ctl)) {
            res->converged = 1;
            return;
        }
        if (t == ctl->max_iter) {
            return;
        }
        R_CheckUserInterrupt();
        emix_status st = fam->mstep(stats, par, ctl);
        if (st.code != EMIX_OK) {
            res->status = st;
            res->status_iter = t + 1;
            return;
        }
        res->iter = t + 1;
    }
}
