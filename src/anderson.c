/* Accelerated EM, its second phase: Anderson acceleration of the EM map,
 * kept monotone.
 *
 * With the residual f = G(x) - x of EM's map G, the phase keeps the last
 * MEMORY steps' differences Delta g_j of the maps and Delta f_j of the
 * residuals, and proposes
 *     x_new = G(x) - sum_j gamma_j Delta g_j,  gamma = argmin |f - sum_j gamma_j Delta f_j|,
 * the point the secant model of G built from those steps takes for the
 * fixed point: a quasi-Newton step, of which EM's own step is the special
 * case gamma = 0 (Anderson 1965; Walker and Ni 2011; for EM, Henderson and
 * Varadhan 2019).
 *
 * x_new is kept when its objective (accel_objective()) is at least x's.
 * A kept proposal costs one E-step, as an EM iteration does. A refused one
 * (lower, or no parameter) costs two: the phase takes EM's step G(x) and hands back to
 * squared extrapolation, since far from the optimum, or where EM's path
 * bends, the secant model misleads (alone, this phase took up to twice
 * squared extrapolation's E-steps on problems of a few thousand rows,
 * most of its proposals refused).
 *
 * A proposal's row has the bound F(q, x_new), q the posterior at x: a
 * lower bound on its log-likelihood, as every row's bound is, the gap
 * being KL(q || p(z | x, x_new)). The rule is judged at every row, on EM's
 * step from it, with the rate |G(x_t) - G(x_{t-1})| / |x_t - x_{t-1}| of
 * each step. */
#include "accelerate.h"
#include <math.h>
#include <string.h>

/* The steps remembered (accelerate.h). More reach further on slow
 * problems but fewer on moderate ones; each costs O(MEMORY^2 theta_len)
 * per iteration, nothing next to an E-step. */
#define MEMORY ACCEL_ANDERSON_MEMORY

/* The remembered differences: column j of df and dg (len each), in a ring
 * of MEMORY. */
typedef struct {
    size_t len;
    double *df, *dg;
    double *f_last, *g_last; /* the last step's residual and map */
    int count, next, have_last;
} history;

/* Adds the step with residual f and map g; returns its rate
 * |Delta g| / |Delta x| (NaN for the first step). */
static double history_add(history *h, const double *f, const double *g)
{
    size_t len = h->len;
    double rate = R_NaN;
    if (h->have_last) {
        double *df = h->df + len * h->next, *dg = h->dg + len * h->next;
        double gg = 0.0, xx = 0.0;
        for (size_t e = 0; e < len; e++) {
            df[e] = f[e] - h->f_last[e];
            dg[e] = g[e] - h->g_last[e];
            gg += dg[e] * dg[e];
            xx += (dg[e] - df[e]) * (dg[e] - df[e]); /* Delta x = Delta g - Delta f */
        }
        rate = sqrt(gg / xx);
        h->next = (h->next + 1) % MEMORY;
        h->count = h->count < MEMORY ? h->count + 1 : MEMORY;
    }
    memcpy(h->f_last, f, len * sizeof(double));
    memcpy(h->g_last, g, len * sizeof(double));
    h->have_last = 1;
    return rate;
}

/* The proposal g - DG gamma into out, gamma solving the least squares by
 * its normal equations (a ridge of 1e-10 of their mean diagonal keeps
 * nearly parallel differences solvable); 0 when there is none. */
static int propose(const history *h, const double *f, const double *g, double *out)
{
    int m = h->count;
    size_t len = h->len;
    if (m == 0) {
        return 0;
    }
    double A[MEMORY * MEMORY], b[MEMORY], diagonal = 0.0;
    for (int i = 0; i < m; i++) {
        const double *di = h->df + len * i;
        for (int j = 0; j <= i; j++) {
            const double *dj = h->df + len * j;
            double v = 0.0;
            for (size_t e = 0; e < len; e++) {
                v += di[e] * dj[e];
            }
            A[i + m * j] = A[j + m * i] = v;
        }
        diagonal += A[i + m * i] / m;
        double v = 0.0;
        for (size_t e = 0; e < len; e++) {
            v += di[e] * f[e];
        }
        b[i] = v;
    }
    if (!(diagonal > 0.0) || !R_FINITE(diagonal)) {
        return 0;
    }
    for (int i = 0; i < m; i++) {
        A[i + m * i] += 1e-10 * diagonal;
    }
    int info = 0, one = 1;
    F77_CALL(dposv)("L", &m, &one, A, &m, b, &m, &info FCONE);
    if (info != 0) {
        return 0;
    }
    for (size_t e = 0; e < len; e++) {
        double v = g[e];
        for (int i = 0; i < m; i++) {
            v -= h->dg[len * i + e] * b[i];
        }
        out[e] = v;
    }
    return 1;
}

accel_phase_end accel_anderson_phase(accel_state *s)
{
    const emix_family *fam = s->fam;
    const emix_control *ctl = s->ctl;
    emix_result *res = s->res;
    size_t len = s->len;
    /* x, g, f, proposal; then the history's f_last, g_last, df, dg */
    double *x = s->anderson_work;
    double *g = x + len, *f = g + len, *proposal = f + len;
    history h = {len, NULL, NULL, proposal + len, proposal + 2 * len, 0, 0, 0};
    h.df = h.g_last + len;
    h.dg = h.df + len * MEMORY;

    for (;;) {
        R_CheckUserInterrupt();
        /* EM's step from row t: g = G(x), with the bound F(q_t, g) */
        fam->theta_get(s->par, ctl, x);
        double entropy = s->sums.entropy;
        double objective = accel_objective(s, res->trace[res->iter]);
        accel_mstep_result m = accel_mstep_row(s);
        if (m == ACCEL_MSTEP_FAILED) {
            return ACCEL_DONE;
        }
        if (m == ACCEL_MSTEP_RETRACTED) {
            /* row t is now EM's step the proposal displaced: the secant
             * model starts afresh from it */
            h.count = h.next = h.have_last = 0;
            continue;
        }
        int t = res->iter;
        double bound = res->bound[t + 1], inner = res->inner[t + 1];
        fam->theta_get(s->par, ctl, g);
        for (size_t e = 0; e < len; e++) {
            f[e] = g[e] - x[e];
        }
        double rate = history_add(&h, f, g);
        if (!ISNAN(rate)) {
            accel_note_rate(s, rate);
        }
        /* the change judged is EM's step's from row t, a proposal's own
         * being no sign of convergence: the rise of the free energy it
         * reaches, a lower bound on it (the rule of squared extrapolation
         * judges a plain step's change too) */
        res->to_limit[t] = accel_to_limit(s, bound - res->trace[t]);
        int holds = emix_rule_holds(res->trace[t], bound, res->to_limit[t], ctl);
        if (holds || t == ctl->max_iter) {
            accel_finish(s, x, holds);
            return ACCEL_DONE;
        }

        int kept = 0; /* 1: a proposal kept; -1: one refused; 0: none made */
        if (propose(&h, f, g, proposal)) {
            kept = -1;
        }
        if (kept && fam->theta_put(s->par, ctl, proposal, 1)) {
            double proposal_bound = fam->expected_loglik(s->stats, s->par) + entropy;
            emix_status est = EMIX_STATUS_OK;
            double ll = accel_estep(s, &est);
            if (est.code == EMIX_OK && accel_objective(s, ll) >= objective) {
                kept = 1;
                accel_record(s, t + 1, ll, 1);
                res->bound[t + 1] = proposal_bound;
                res->inner[t + 1] = 0.0; /* no M-step made these parameters */
                s->proposed = 1;
                memcpy(s->plain, g, len * sizeof(double));
                s->plain_bound = bound;
                s->plain_inner = inner;
            }
        }
        if (kept <= 0) {
            /* EM's own step; after a refused proposal, squared
             * extrapolation's cycles take over from it */
            s->proposed = 0;
            if (kept < 0 && !fam->theta_put(s->par, ctl, g, 0)) {
                error("emix: parameters made by an M-step were refused");
            }
            if (!accel_estep_row(s, t + 1)) {
                return ACCEL_DONE;
            }
            if (kept < 0) {
                return ACCEL_SWITCH;
            }
        }
    }
}
