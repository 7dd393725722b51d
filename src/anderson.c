/* Accelerated EM: Anderson acceleration of the EM map, kept monotone.
 *
 * EM's map x -> G(x) (an E-step, then an M-step) converges linearly, and
 * slowly where the components overlap. Anderson acceleration (Anderson
 * 1965; for EM, Henderson and Varadhan 2019) keeps the last few steps'
 * differences, Delta g_j of the maps and Delta f_j of the residuals
 * f = G(x) - x, and proposes
 *     x_new = G(x) - sum_j gamma_j Delta g_j,  gamma = argmin |f - sum_j gamma_j Delta f_j|,
 * the point the secant model of G built from those steps takes for the
 * fixed point: a quasi-Newton step, of which EM's own step is the
 * special case gamma = 0.
 *
 * x_new is kept when its log-likelihood is at least that of x, so the trace
 * never falls; otherwise, or when x_new is no parameter (a proportion <= 0,
 * a covariance that is not positive definite), the iteration takes G(x),
 * EM's step, and the remembered steps are forgotten. Either way the E-step at the new parameters is the next
 * iteration's, so an accepted proposal costs one E-step, as an EM
 * iteration does, and a rejected one two. The parameters are the family's
 * vector (theta_get), in units of the data's scales, so that the least
 * squares, and so the path, do not depend on the data's units.
 *
 * Every E-step is a trace row except a rejected proposal's, which only
 * counts in res->esteps. A proposal's bound is F(q, x_new), q the
 * posterior at x: a lower bound on its log-likelihood, as every row's
 * bound is, and the gap is KL(q || p(z | x, x_new)).
 *
 * Henderson and Varadhan's DAAREM also damps the step; the monotone test
 * and the restart kept it stable here. On overlapping data (n = 1e5,
 * d = 5, k = 5, VVV) it reached the optimum's log-likelihood within 1e-9
 * (relative) in about 150 iterations, where squared extrapolation (SQUAREM,
 * Varadhan and Roland 2008, kept monotone) took 453 and EM about 6000. */
#include "emix.h"
#include <math.h>
#include <string.h>

/* The steps remembered. More reach further on slow problems (20: 120
 * iterations on those data) but fewer on moderate ones; each costs
 * O(memory^2 * theta_len) per iteration, nothing next to an E-step. */
#define MEMORY 10

/* The longest run of plain EM steps after rejected proposals. */
#define MAX_PAUSE 16

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
} loop_state;

/* An E-step at the current parameters, into the statistics and z. */
static double estep(loop_state *s, emix_status *status)
{
    s->res->esteps++;
    return emix_estep(s->fam, s->par, s->stats, s->dat, s->k, s->z, NULL, &s->sums, status,
                      s->ws);
}

/* Row t of the trace: the E-step just made, at parameters proposed or
 * not. */
static void record(loop_state *s, int t, double ll, int proposed)
{
    emix_result *res = s->res;
    res->loglik = ll;
    res->abs_loglik = s->sums.abs_loglik;
    res->trace[t] = ll;
    res->objective[t] = s->sums.objective;
    res->accelerated[t] = proposed;
    res->iter = t;
}

/* An E-step that makes row t; 0 when it failed (a row of zero density
 * under every component), with the status set as plain EM sets it. */
static int estep_row(loop_state *s, int t)
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

/* The remembered differences: column j of df and dg (len each) in a ring
 * of MEMORY. */
typedef struct {
    size_t len;
    double *df, *dg;
    double *f_last, *g_last; /* the last iteration's residual and map */
    int count, next, have_last;
    double slowest; /* the largest rate |Delta g| / |Delta x| below 1 seen, or NaN */
} history;

static void history_add(history *h, const double *f, const double *g)
{
    size_t len = h->len;
    if (h->have_last) {
        double *df = h->df + len * h->next, *dg = h->dg + len * h->next;
        double gg = 0.0, xx = 0.0;
        for (size_t e = 0; e < len; e++) {
            df[e] = f[e] - h->f_last[e];
            dg[e] = g[e] - h->g_last[e];
            gg += dg[e] * dg[e];
            xx += (dg[e] - df[e]) * (dg[e] - df[e]); /* Delta x = Delta g - Delta f */
        }
        double rate = sqrt(gg / xx);
        if (rate < 1.0 && !(rate <= h->slowest)) {
            h->slowest = rate;
        }
        h->next = (h->next + 1) % MEMORY;
        h->count = h->count < MEMORY ? h->count + 1 : MEMORY;
    }
    memcpy(h->f_last, f, len * sizeof(double));
    memcpy(h->g_last, g, len * sizeof(double));
    h->have_last = 1;
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

void emix_em_accelerated(const emix_family *fam, void *par, void *stats,
                         const emix_data *dat, int k, double *z, const emix_control *ctl,
                         emix_workspace *ws, emix_result *res)
{
    size_t len = fam->theta_len(par);
    double *x = (double *) R_alloc(len, sizeof(double));
    double *g = (double *) R_alloc(len, sizeof(double));
    double *f = (double *) R_alloc(len, sizeof(double));
    double *proposal = (double *) R_alloc(len, sizeof(double));
    history h = {len,
                 (double *) R_alloc(len * MEMORY, sizeof(double)),
                 (double *) R_alloc(len * MEMORY, sizeof(double)),
                 (double *) R_alloc(len, sizeof(double)),
                 (double *) R_alloc(len, sizeof(double)),
                 0, 0, 0, R_NaN};
    loop_state s = {fam, par, stats, dat, k, z, ws, res, {0.0, 0.0, 0.0, 0}};
    /* when the last row is a proposal: EM's step it replaced (still in
     * h.g_last) and that step's bound and inner iterations, to go back to
     * if the M-step from the proposal fails */
    int last_proposed = 0;
    /* after a rejected proposal, EM's plain steps for `pause` iterations
     * (1, 2, 4, ... up to MAX_PAUSE after consecutive rejections): far from
     * the optimum the secant model is poor, and each rejection costs an
     * E-step */
    int pause = 0, backoff = 1;
    double plain_bound = NA_REAL, plain_inner = 0.0;

    res->iter = 0;
    res->converged = 0;
    res->status = EMIX_STATUS_OK;
    res->status_iter = 0;
    res->bound[0] = NA_REAL;
    int t = 0;
    if (!estep_row(&s, t)) {
        return;
    }
    res->to_limit[0] = R_NaN;
    for (;;) {
        if (t == ctl->max_iter) {
            return;
        }
        R_CheckUserInterrupt();
        /* EM's step from x: g = G(x), with the bound F(q, g) */
        fam->theta_get(par, ctl, x);
        double entropy = s.sums.entropy;
        emix_result_reserve(res, (size_t) t + 1);
        emix_status st = fam->mstep(stats, par, ctl);
        emix_result_inner(res, t + 1, st, 0);
        if (st.code != EMIX_OK) {
            if (last_proposed) {
                /* the proposal is no start for an M-step (a component too
                 * thin for it): its row becomes EM's step it replaced, and
                 * the secant model starts afresh */
                if (!fam->theta_put(par, ctl, h.g_last, 0)) {
                    error("emix: parameters made by an M-step were refused");
                }
                res->bound[t] = plain_bound;
                res->inner[t] = plain_inner;
                res->rejected++;
                h.count = h.next = h.have_last = 0;
                last_proposed = 0;
                if (!estep_row(&s, t)) {
                    return;
                }
                continue;
            }
            res->status = st;
            res->status_iter = t + 1;
            return;
        }
        double bound = fam->expected_loglik(stats, par) + entropy;
        double inner = res->inner[t + 1];
        fam->theta_get(par, ctl, g);
        for (size_t e = 0; e < len; e++) {
            f[e] = g[e] - x[e];
        }
        history_add(&h, f, g);

        /* How far row t is from the limit. Near the optimum, with I_c the
         * complete-data information, EM's map has Jacobian J = I - I_c^-1 I_o
         * and rates lambda_i (its eigenvalues, largest lambda); the M-step
         * raises F by gain = f' I_c f / 2, and L rises to its limit by
         * delta' I_o delta / 2 (delta the distance to it): in J's
         * eigenvectors sum (1 - lambda_i) delta_i^2 / 2 against
         * sum (1 - lambda_i)^2 delta_i^2 / 2, so the rise to come is at
         * most gain / (1 - lambda). lambda is taken as the slowest rate of
         * the remembered steps seen so far. */
        double gain = fabs(bound - res->trace[t]);
        res->to_limit[t] = h.slowest < 1.0 ? gain / (1.0 - h.slowest) : R_PosInf;
        if (t >= 1 && emix_rule_holds(res->trace[t - 1], res->trace[t], res->to_limit[t], ctl)) {
            /* row t's parameters are returned, with its log-likelihood */
            if (!fam->theta_put(par, ctl, x, 0)) {
                error("emix: parameters made by an M-step were refused");
            }
            res->converged = 1;
            return;
        }

        int kept = 0;
        int may = pause == 0;
        pause -= pause > 0;
        if (may && propose(&h, f, g, proposal)) {
            if (fam->theta_put(par, ctl, proposal, 1)) {
                double proposal_bound = fam->expected_loglik(stats, par) + entropy;
                emix_status est = EMIX_STATUS_OK;
                double ll = estep(&s, &est);
                if (est.code == EMIX_OK && ll >= res->trace[t]) {
                    kept = 1;
                    t++;
                    record(&s, t, ll, 1);
                    res->to_limit[t] = R_NaN;
                    res->bound[t] = proposal_bound;
                    res->inner[t] = 0.0; /* no M-step made these parameters */
                }
            }
            if (!kept) {
                /* the secant model misled: start it afresh, after a pause
                 * (together 521 E-steps on six test problems, where keeping
                 * the model took 621) */
                h.count = h.next = 0;
                res->rejected++;
                pause = backoff;
                backoff = backoff < MAX_PAUSE ? 2 * backoff : MAX_PAUSE;
                if (!fam->theta_put(par, ctl, g, 0)) {
                    error("emix: parameters made by an M-step were refused");
                }
            }
        }
        last_proposed = kept;
        if (kept) {
            backoff = 1;
        }
        if (kept) {
            plain_bound = bound;
            plain_inner = inner;
        } else {
            t++;
            res->bound[t] = bound;
            res->to_limit[t] = R_NaN;
            if (!estep_row(&s, t)) {
                return;
            }
        }
    }
}
