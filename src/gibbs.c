/* Gibbs sampling for the conjugate Gaussian mixture of bayes.c. Sweep s
 * draws theta_s from p(theta | z_{s-1}, x), then z_s from p(z | theta_s, x)
 * (the S-step of the E-step, with uniforms from R's generator), which also
 * gives log p(x | theta_s) and the statistics of z_s for the next sweep.
 * Every draw comes from R's generator, outside the parallel E-step, so
 * set.seed() reproduces the chain whatever the number of threads. */
#include "emix.h"
#include <Rmath.h>
#include <math.h>
#include <string.h>

/* pi ~ Dirichlet(alpha) through log-Gamma draws: for a < 1 a Gamma(a)
 * variate underflows to 0 too often, so use Gamma(a) = Gamma(a + 1) U^{1/a}
 * in logs. */
static void draw_proportions(bayes_par *bp)
{
    int k = bp->g.k;
    double *logg = bp->g.log_weight, top = R_NegInf;
    for (int c = 0; c < k; c++) {
        double a = bp->alpha[c];
        logg[c] = log(rgamma(a + 1.0, 1.0)) + log(unif_rand()) / a;
        top = logg[c] > top ? logg[c] : top;
    }
    double sum = 0.0;
    for (int c = 0; c < k; c++) {
        sum += exp(logg[c] - top);
    }
    double lse = top + log(sum);
    for (int c = 0; c < k; c++) {
        logg[c] -= lse;
        bp->g.pro[c] = exp(logg[c]);
    }
}

/* Sigma_c ~ inverse Wishart(Psi_c, nu_c) by Bartlett's construction, kept
 * lower triangular: with Psi_c = L L' and T lower triangular, T_jj^2 ~
 * chi-square(nu - d + j) (j = 1..d) and T_ij ~ N(0, 1) below the diagonal,
 * Sigma_c = C C' with C = L T^{-1}, so C is Sigma_c's Cholesky factor. */
static void draw_wishart_factor(const double *psi, double nu, int d, double *C, double *T)
{
    size_t dd = (size_t) d * d;
    int info = 0;
    double *L = C;
    memcpy(L, psi, dd * sizeof(double));
    F77_CALL(dpotrf)("L", &d, L, &d, &info FCONE);
    memset(T, 0, dd * sizeof(double));
    for (int j = 0; j < d; j++) {
        T[j + (size_t) d * j] = sqrt(rchisq(nu - d + j + 1));
        for (int i = j + 1; i < d; i++) {
            T[i + (size_t) d * j] = norm_rand();
        }
    }
    F77_CALL(dtrtri)("L", "N", &d, T, &d, &info FCONE FCONE);
    /* C = L T^{-1}, both lower triangular, in place: column j of the
     * product needs columns j.. of L, so go left to right */
    for (int j = 0; j < d; j++) {
        for (int i = d - 1; i >= j; i--) {
            double v = 0.0;
            for (int l = j; l <= i; l++) {
                v += L[i + (size_t) d * l] * T[l + (size_t) d * j];
            }
            C[i + (size_t) d * j] = v;
        }
    }
    for (int j = 0; j < d; j++) {
        for (int i = 0; i < j; i++) {
            C[i + (size_t) d * j] = 0.0;
        }
    }
}

/* theta from the posterior in bp: proportions, then per component the
 * covariance and the mean mu_c ~ N(m_c, Sigma_c / kappa_c). */
static emix_status draw_parameters(bayes_par *bp, const emix_control *ctl)
{
    int k = bp->g.k, d = bp->g.d, model = bp->g.model;
    size_t dd = (size_t) d * d;
    double *T = bp->work;
    draw_proportions(bp);
    for (int c = 0; c < k; c++) {
        double *sig = bp->g.sigma + dd * c, *C = bp->g.chol + dd * c;
        const double *psi = bp->scale + dd * c;
        double nu = bp->nu[c];
        memset(C, 0, dd * sizeof(double));
        if (model == EMIX_VVV) {
            draw_wishart_factor(psi, nu, d, C, T);
        } else if (model == EMIX_VVI) {
            for (int j = 0; j < d; j++) {
                C[j + (size_t) d * j] = 1.0 / sqrt(rgamma(0.5 * nu, 2.0 / psi[j + (size_t) d * j]));
            }
        } else {
            /* psi is tr(Psi) / d times I */
            double sd = 1.0 / sqrt(rgamma(0.5 * nu * d, 2.0 / (d * psi[0])));
            for (int j = 0; j < d; j++) {
                C[j + (size_t) d * j] = sd;
            }
        }
        /* Sigma = C C' */
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                double v = 0.0;
                for (int l = 0; l <= j; l++) {
                    v += C[i + (size_t) d * l] * C[j + (size_t) d * l];
                }
                sig[i + (size_t) d * j] = v;
                sig[j + (size_t) d * i] = v;
            }
        }
        double scale = 1.0 / sqrt(bp->kappa[c]);
        double *u = T; /* d normals, then the mean */
        for (int j = 0; j < d; j++) {
            u[j] = norm_rand();
        }
        for (int i = 0; i < d; i++) {
            double v = 0.0;
            for (int l = 0; l <= i; l++) {
                v += C[i + (size_t) d * l] * u[l];
            }
            bp->g.mean[c + (size_t) k * i] += scale * v;
        }
    }
    /* the log weights of a draw are log pi_c themselves */
    return gauss_factor(&bp->g, ctl->var_scale);
}

emix_status emix_gibbs(bayes_par *bp, gauss_stats *st, const emix_data *dat,
                       const emix_control *ctl, emix_workspace *ws, gibbs_draws *out)
{
    int n = dat->n, k = bp->g.k, d = bp->g.d;
    size_t dd = (size_t) d * d;
    int sweeps = out->burnin + out->draws * out->thin;
    emix_status status = {EMIX_OK, -1, -1};
    emix_estep_sums sums;
    /* draw_proportions fills log_weight with log pi, which the E-step reads;
     * the mean slots receive the posterior means before each draw */
    for (int s = 0; s < sweeps; s++) {
        if (emix_interrupt_pending()) {
            status.code = EMIX_INTERRUPTED;
            return status;
        }
        bayes_posterior(st, bp);
        status = draw_parameters(bp, ctl);
        if (status.code != EMIX_OK) {
            status.row = s; /* the sweep, for the message */
            return status;
        }
        for (int i = 0; i < n; i++) {
            ws->uniforms[i] = unif_rand();
        }
        double ll = emix_estep(&emix_vb_family, bp, st, dat, k, NULL, NULL, &sums, &status, ws);
        if (status.code != EMIX_OK) {
            return status;
        }
        int occupied = 0;
        for (int c = 0; c < k; c++) {
            occupied += st->N[c] > 0.0;
        }
        out->trace[s] = ll;
        out->occupied[s] = occupied;
        int kept = s + 1 - out->burnin;
        if (kept > 0 && kept % out->thin == 0) {
            int r = kept / out->thin - 1;
            memcpy(out->pro + (size_t) k * r, bp->g.pro, (size_t) k * sizeof(double));
            memcpy(out->mean + (size_t) k * d * r, bp->g.mean, (size_t) k * d * sizeof(double));
            memcpy(out->sigma + dd * k * r, bp->g.sigma, dd * k * sizeof(double));
            out->loglik[r] = ll;
            int *lab = out->labels + (size_t) n * r;
            for (int i = 0; i < n; i++) {
                lab[i] = ws->labels[i] + 1;
            }
        }
    }
    return status;
}
