/* Accelerated EM, its first phase: squared extrapolation of the EM map
 * (SQUAREM, Varadhan and Roland 2008, their scheme S3), kept monotone.
 *
 * From theta0, two EM steps give theta1 = G(theta0) and theta2 = G(theta1);
 * with r = theta1 - theta0 and v = theta2 - 2 theta1 + theta0, the step
 *     theta' = theta0 + 2 alpha r + alpha^2 v,   alpha = |r| / |v|,
 * jumps along the path EM was taking (alpha = 1 gives theta2). theta' is
 * kept when its objective (accel_objective()) is at least theta1's.
 * Otherwise EM's step from theta' (SQUAREM's stabilising step) is kept if
 * its objective is, and failing that, or when theta' is no parameter, the
 * cycle ends at theta2, a plain EM step. The next cycle starts from
 * whichever it ended at.
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
 * The stopping rule is judged once per cycle, at theta1, after the plain
 * EM step from theta0; the cycle's rate for it is
 * |theta2 - theta1| / |theta1 - theta0|. */
#include "accelerate.h"
#include <math.h>
#include <string.h>

/* Extrapolation pays only for a step clearly longer than EM's own; this
 * close to alpha = 1 the cycle takes theta2 and saves an E-step. */
#define MIN_ALPHA 1.01

/* The jump from theta0 along the cycle's path, kept when its objective (or
 * that of EM's step from it) is at least objective1, theta1's; 1 for the
 * jump kept, 2 for its stabilising step, 0 for neither (the parameters are
 * then theta2's again). */
static int try_jump(accel_state *s, const double *theta0, const double *theta1,
                    const double *theta2, double alpha, double objective1, double entropy1,
                    double *jump)
{
    const emix_family *fam = s->fam;
    emix_result *res = s->res;
    for (size_t e = 0; e < s->len; e++) {
        double r = theta1[e] - theta0[e], v = theta2[e] - 2.0 * theta1[e] + theta0[e];
        jump[e] = theta0[e] + 2.0 * alpha * r + alpha * alpha * v;
    }
    int kept = 0;
    if (fam->theta_put(s->par, s->ctl, jump, 1)) {
        double bound = fam->expected_loglik(s->stats, s->par) + entropy1;
        emix_status est = EMIX_STATUS_OK;
        double ll = accel_estep(s, &est);
        if (est.code == EMIX_OK && accel_objective(s, ll) >= objective1) {
            kept = 1;
            accel_record(s, res->iter + 1, ll, 1);
            res->bound[res->iter] = bound;
            res->inner[res->iter] = 0.0; /* no M-step made these parameters */
        } else if (est.code == EMIX_OK && R_FINITE(ll)) {
            /* an overshoot along a curved path: EM's step from the
             * extrapolated parameters often falls back above theta1; that
             * E-step is then no row, as a rejected one's is not */
            double entropy = s->sums.entropy;
            emix_status mst = fam->mstep(s->stats, s->par, s->ctl);
            res->inner_capped += mst.inner_capped;
            if (mst.code == EMIX_OK) {
                double bound_back = fam->expected_loglik(s->stats, s->par) + entropy;
                est = EMIX_STATUS_OK;
                ll = accel_estep(s, &est);
                if (est.code == EMIX_OK && accel_objective(s, ll) >= objective1) {
                    kept = 2;
                    accel_record(s, res->iter + 1, ll, 1);
                    res->bound[res->iter] = bound_back;
                    res->inner[res->iter] = mst.inner;
                }
            }
        }
    }
    if (!kept && !fam->theta_put(s->par, s->ctl, theta2, 0)) {
        error("emix: parameters made by an M-step were refused");
    }
    return kept;
}

accel_phase_end accel_squarem_phase(accel_state *s, double step_max)
{
    const emix_family *fam = s->fam;
    const emix_control *ctl = s->ctl;
    emix_result *res = s->res;
    size_t len = s->len;
    double *theta0 = s->squarem_work;
    double *theta1 = theta0 + len, *theta2 = theta1 + len, *jump = theta2 + len;

    for (;;) {
        if (res->iter == ctl->max_iter) {
            return ACCEL_DONE;
        }
        R_CheckUserInterrupt();
        /* the first EM step of the cycle: theta1 = G(theta0) */
        fam->theta_get(s->par, ctl, theta0);
        accel_mstep_result m = accel_mstep_row(s);
        if (m == ACCEL_MSTEP_FAILED) {
            return ACCEL_DONE;
        }
        if (m == ACCEL_MSTEP_RETRACTED) {
            step_max = 1.0;
            continue;
        }
        s->proposed = 0;
        double loglik0 = res->trace[res->iter];
        if (!accel_estep_row(s, res->iter + 1)) {
            return ACCEL_DONE;
        }
        int t = res->iter;
        double loglik1 = res->trace[t], entropy1 = s->sums.entropy;
        double objective1 = accel_objective(s, loglik1);
        /* the second: theta2 = G(theta1), which the rule needs even at
         * max_iter */
        fam->theta_get(s->par, ctl, theta1);
        if (accel_mstep_row(s) != ACCEL_MSTEP_OK) {
            return ACCEL_DONE;
        }
        fam->theta_get(s->par, ctl, theta2);
        double bound2 = res->bound[t + 1], inner2 = res->inner[t + 1];

        double rr = 0.0, vv = 0.0, ss = 0.0;
        for (size_t e = 0; e < len; e++) {
            double r = theta1[e] - theta0[e], v = theta2[e] - 2.0 * theta1[e] + theta0[e];
            rr += r * r;
            vv += v * v;
            ss += (r + v) * (r + v); /* theta2 - theta1 */
        }
        accel_note_rate(s, sqrt(ss / rr));
        res->to_limit[t] = accel_to_limit(s, bound2 - loglik1);
        int holds = emix_rule_holds(loglik0, loglik1, res->to_limit[t], ctl);
        if (holds || t == ctl->max_iter) {
            /* theta2 is not taken: the returned parameters are those of
             * the last E-step, whose log-likelihood is reported */
            accel_finish(s, theta1, holds);
            return ACCEL_DONE;
        }
        if (step_max >= ACCEL_ANDERSON_CAP && R_FINITE(res->to_limit[t])) {
            /* handed over at theta2, a plain EM step, whose M-step's parts
             * are the warm start of the next */
            return accel_estep_row(s, t + 1) ? ACCEL_SWITCH : ACCEL_DONE;
        }

        /* the step length |r| / |v|, within [1, step_max]; v = 0 (EM moving
         * in a straight line at constant speed) takes the cap */
        double alpha = sqrt(rr / vv);
        alpha = alpha >= 1.0 ? alpha : 1.0; /* also for 0 / 0 */
        alpha = alpha <= step_max ? alpha : step_max;
        int kept = alpha >= MIN_ALPHA
                       ? try_jump(s, theta0, theta1, theta2, alpha, objective1, entropy1, jump)
                       : 0;
        if (kept) {
            /* a stabilising step's parameters were made by an M-step */
            s->proposed = kept == 1;
            memcpy(s->plain, theta2, len * sizeof(double));
            s->plain_bound = bound2;
            s->plain_inner = inner2;
            if (alpha == step_max) {
                step_max *= ACCEL_STEP_GROWTH;
            }
        } else {
            if (!accel_estep_row(s, t + 1)) {
                return ACCEL_DONE;
            }
            if (alpha >= MIN_ALPHA && alpha == step_max) {
                step_max = step_max / ACCEL_STEP_GROWTH > 1.0 ? step_max / ACCEL_STEP_GROWTH : 1.0;
            } else if (alpha == step_max) {
                step_max *= ACCEL_STEP_GROWTH; /* the cap held EM back: let it reach further */
            }
        }
    }
}
