/* Accelerated EM: squared extrapolation of the EM map (SQUAREM, Varadhan
 * and Roland 2008, their scheme S3), kept monotone.
 *
 * EM's map theta -> M(theta) converges linearly, and slowly where the
 * components overlap. From theta0, two EM steps give theta1 = M(theta0) and
 * theta2 = M(theta1); with r = theta1 - theta0 and v = theta2 - 2 theta1 +
 * theta0, the step
 *     theta' = theta0 + 2 alpha r + alpha^2 v,   alpha = |r| / |v|,
 * jumps along the path EM was taking (alpha = 1 gives theta2). theta' is
 * kept when its log-likelihood is at least theta1's, so the trace never
 * falls. Otherwise EM's step from theta' (SQUAREM's stabilising step) is
 * kept if it is at least theta1's, and failing that, or when theta' is no
 * parameter (a proportion <= 0, a covariance that is not positive
 * definite), the cycle ends at theta2, a plain EM step. The next cycle
 * starts from whichever it ended at, so the returned parameters and
 * log-likelihood belong together, as in plain EM. The parameters are the
 * family's vector (theta_get), in units of the data's scales, so that
 * alpha, and so the path, do not depend on the data's units.
 *
 * Every E-step is a trace row except those of rejected steps (and of a
 * jump followed by its stabilising step), which only count in
 * res->esteps. A jump's row has the bound F(q1, theta'), with q1 the
 * posterior at theta1; a stabilising step's row F(q', theta''), with q'
 * the posterior at the jump theta' it was made from: each a lower bound on
 * its row's log-likelihood, as every row's bound is, the gap being the KL
 * divergence of that q from the row's posterior. Both rows are marked
 * accelerated.
 *
 * The stopping rule is applied once per cycle, after its plain EM step from
 * theta0 to theta1, with the rise still to come bounded as explained at
 * the rule below; the log-likelihoods of the accelerated sequence itself,
 * whose steps are of different kinds, give no ratio to extrapolate by (on
 * overlapping data their Aitken estimate stopped 0.3 below the optimum
 * where the tolerance asked for 0.001).
 *
 * Anderson acceleration (the fixed point of a secant model of the EM map
 * from the last ten steps) was tried in its place: it gained more on large
 * overlapping data, but on smaller problems its monotone test rejected
 * most of its proposals and it took more E-steps than this scheme. */
#include "emix.h"
#include <math.h>
#include <string.h>

/* The cycles whose rates must all be below 1 for the rule to hold. */
#define RECENT 3

/* Extrapolation pays only for a step clearly longer than EM's own; this
 * close to alpha = 1 the cycle takes theta2 and saves an E-step. */
#define MIN_ALPHA 1.01

/* The cap on alpha starts at 1 (the first cycle is plain EM, measuring the
 * path), grows this many times each time a step at the cap is kept and
 * shrinks as much when one is rejected (the SQUAREM package's mstep = 4). */
#define STEP_GROWTH 4.0

typedef struct {
    const emix_family *fam;
    void *par;
    void *stats;
    const emix_data *dat;
    int k;
    double *z;
    emix_workspace *ws;
    emix_result *res;
    emix_estep_sums sums;
} cycle_state;

/* An E-step at the current parameters, into the statistics and z. */
static double estep(cycle_state *s, emix_status *status)
{
    s->res->esteps++;
    return emix_estep(s->fam, s->par, s->stats, s->dat, s->k, s->z, NULL, &s->sums, status,
                      s->ws);
}

/* Entry t of the trace: the E-step just made, at parameters extrapolated
 * or not. */
static void record(cycle_state *s, int t, double ll, int extrapolated)
{
    emix_result *res = s->res;
    res->loglik = ll;
    res->abs_loglik = s->sums.abs_loglik;
    res->trace[t] = ll;
    res->objective[t] = s->sums.objective;
    res->accelerated[t] = extrapolated;
    res->to_limit[t] = NA_REAL;
    res->iter = t;
}

/* An E-step that makes entry t; 0 when it failed (a row of zero density
 * under every component), with the status set as plain EM sets it. */
static int estep_entry(cycle_state *s, int t)
{
    emix_result *res = s->res;
    double ll = estep(s, &res->status);
    if (res->status.code != EMIX_OK) {
        res->loglik = ll;
        res->status_iter = t;
        return 0;
    }
    record(s, t, ll, 0);
    return 1;
}

/* The M-step from the statistics of entry t, making the parameters of
 * entry t + 1 and its bound F(q_t, theta_{t+1}); 0 when it failed. */
static int mstep_entry(cycle_state *s, int t, const emix_control *ctl, emix_status *st)
{
    emix_result *res = s->res;
    double entropy = s->sums.entropy;
    emix_result_reserve(res, (size_t) t + 1);
    *st = s->fam->mstep(s->stats, s->par, ctl);
    emix_result_inner(res, t + 1, *st, 0);
    if (st->code != EMIX_OK) {
        return 0;
    }
    res->bound[t + 1] = s->fam->expected_loglik(s->stats, s->par) + entropy;
    return 1;
}

void emix_em_accelerated(const emix_family *fam, void *par, void *stats,
                         const emix_data *dat, int k, double *z, const emix_control *ctl,
                         emix_workspace *ws, emix_result *res)
{
    size_t len = fam->theta_len(par);
    double *theta0 = (double *) R_alloc(4 * len, sizeof(double));
    double *theta1 = theta0 + len, *theta2 = theta1 + len, *jump = theta2 + len;
    cycle_state s = {fam, par, stats, dat, k, z, ws, res, {0.0, 0.0, 0.0, 0}};
    res->to_limit[0] = NA_REAL;
    double step_max = 1.0;
    double lambda = R_NaN, recent[RECENT];
    int cycle = 0;
    /* when the last entry is extrapolated: the plain entry it replaced
     * (theta2 is still in its buffer), to go back to if the M-step from the
     * extrapolated parameters fails */
    int last_extrapolated = 0;
    double plain_bound = NA_REAL, plain_inner = 0.0;

    res->iter = 0;
    res->converged = 0;
    res->status = EMIX_STATUS_OK;
    res->status_iter = 0;
    res->bound[0] = NA_REAL;
    int t = 0;
    if (!estep_entry(&s, t)) {
        return;
    }

    for (;;) {
        if (t == ctl->max_iter) {
            return;
        }
        R_CheckUserInterrupt();
        emix_status st;
        /* the first EM step of the cycle: theta1 = M(theta0) */
        fam->theta_get(par, ctl, theta0);
        if (!mstep_entry(&s, t, ctl, &st)) {
            if (last_extrapolated) {
                /* the extrapolated parameters are no start for an M-step
                 * (a component too thin for it): replace their entry by
                 * theta2, which plain EM would have taken */
                if (!fam->theta_put(par, ctl, theta2, 0)) {
                    error("emix: parameters made by an M-step were refused");
                }
                res->bound[t] = plain_bound;
                res->inner[t] = plain_inner;
                last_extrapolated = 0;
                step_max = 1.0;
                if (!estep_entry(&s, t)) {
                    return;
                }
                continue;
            }
            res->status = st;
            res->status_iter = t + 1;
            return;
        }
        last_extrapolated = 0;
        double loglik0 = res->trace[t];
        t++;
        if (!estep_entry(&s, t)) {
            return;
        }
        double loglik1 = res->trace[t], entropy1 = s.sums.entropy;
        /* the second: theta2 = M(theta1), which the rule needs even at
         * max_iter */
        fam->theta_get(par, ctl, theta1);
        if (!mstep_entry(&s, t, ctl, &st)) {
            res->status = st;
            res->status_iter = t + 1;
            return;
        }
        fam->theta_get(par, ctl, theta2);
        double bound2 = res->bound[t + 1], inner2 = res->inner[t + 1];

        /* the step length |r| / |v|, within [1, step_max]; v = 0 (EM moving
         * in a straight line at constant speed) takes the cap */
        double rr = 0.0, vv = 0.0, ss = 0.0;
        for (size_t e = 0; e < len; e++) {
            double r = theta1[e] - theta0[e], v = theta2[e] - 2.0 * theta1[e] + theta0[e];
            rr += r * r;
            vv += v * v;
            ss += (r + v) * (r + v); /* theta2 - theta1 */
        }
        /* How far row t (theta1) is from the limit. Near the optimum, with
         * I_c the complete-data information, EM's map has Jacobian
         * J = I - I_c^-1 I_o and rates lambda_i (its eigenvalues, largest
         * lambda); EM's step f from theta1 raises F by gain = f' I_c f / 2,
         * and L rises to its limit by delta' I_o delta / 2 (delta the
         * distance to it): in J's eigenvectors sum (1 - lambda_i) delta_i^2 / 2
         * against sum (1 - lambda_i)^2 delta_i^2 / 2, so the rise to come is
         * at most gain / (1 - lambda). lambda is measured on the cycle's two
         * plain EM steps, |theta2 - theta1| / |theta1 - theta0|. Right after
         * a jump that is the rate of the fast directions the jump excited,
         * below the slow ones', so lambda is the slowest rate below 1 seen
         * in any cycle. A rate of 1 or more in the last RECENT cycles means
         * EM is not (yet) seen to converge here: moving off a saddle point,
         * or along a plateau, where no rate says how far it will go. */
        double rate = sqrt(ss / rr);
        recent[cycle++ % RECENT] = rate;
        if (rate < 1.0 && !(rate <= lambda)) {
            lambda = rate;
        }
        int settled = !ISNAN(lambda);
        for (int c = 0; c < RECENT && c < cycle; c++) {
            settled = settled && recent[c] < 1.0;
        }
        double gain = fabs(bound2 - loglik1);
        res->to_limit[t] = settled ? gain / (1.0 - lambda) : R_PosInf;
        int holds = emix_rule_holds(loglik0, loglik1, res->to_limit[t], ctl);
        if (holds || t == ctl->max_iter) {
            /* theta2 is not taken: the returned parameters are those of
             * the last E-step, whose log-likelihood is reported */
            if (!fam->theta_put(par, ctl, theta1, 0)) {
                error("emix: parameters made by an M-step were refused");
            }
            res->converged = holds;
            return;
        }
        double alpha = sqrt(rr / vv);
        alpha = alpha >= 1.0 ? alpha : 1.0; /* also for 0 / 0 */
        alpha = alpha <= step_max ? alpha : step_max;

        int kept = 0;
        if (alpha >= MIN_ALPHA) {
            for (size_t e = 0; e < len; e++) {
                double r = theta1[e] - theta0[e], v = theta2[e] - 2.0 * theta1[e] + theta0[e];
                jump[e] = theta0[e] + 2.0 * alpha * r + alpha * alpha * v;
            }
            if (fam->theta_put(par, ctl, jump, 1)) {
                double bound = fam->expected_loglik(stats, par) + entropy1;
                emix_status est = EMIX_STATUS_OK;
                double ll = estep(&s, &est);
                if (est.code == EMIX_OK && ll >= loglik1) {
                    kept = 1;
                    t++;
                    record(&s, t, ll, 1);
                    res->bound[t] = bound;
                    res->inner[t] = 0.0; /* no M-step made these parameters */
                } else if (est.code == EMIX_OK && R_FINITE(ll)) {
                    /* an overshoot along a curved path: EM's step from the
                     * extrapolated parameters often falls back above theta1
                     * (SQUAREM's stabilising step); that E-step is then no
                     * row, as a rejected one's is not */
                    double entropy = s.sums.entropy;
                    emix_status mst = fam->mstep(stats, par, ctl);
                    res->inner_capped += mst.inner_capped;
                    if (mst.code == EMIX_OK) {
                        double bound_back = fam->expected_loglik(stats, par) + entropy;
                        est = EMIX_STATUS_OK;
                        ll = estep(&s, &est);
                        if (est.code == EMIX_OK && ll >= loglik1) {
                            kept = 2;
                            t++;
                            record(&s, t, ll, 1);
                            res->bound[t] = bound_back;
                            res->inner[t] = mst.inner;
                        }
                    }
                }
            }
            if (!kept) {
                if (!fam->theta_put(par, ctl, theta2, 0)) {
                    error("emix: parameters made by an M-step were refused");
                }
            }
        }
        if (kept) {
            /* a stabilised step's parameters were made by an M-step */
            last_extrapolated = kept == 1;
            plain_bound = bound2;
            plain_inner = inner2;
            if (alpha == step_max) {
                step_max *= STEP_GROWTH;
            }
        } else {
            t++;
            if (!estep_entry(&s, t)) {
                return;
            }
            if (alpha >= MIN_ALPHA && alpha == step_max) {
                step_max = step_max / STEP_GROWTH > 1.0 ? step_max / STEP_GROWTH : 1.0;
            } else if (alpha == step_max) {
                step_max *= STEP_GROWTH; /* the cap held EM back: let it reach further */
            }
        }
    }
}
