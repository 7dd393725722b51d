/* The Gaussian family: log-densities, statistics and M-step for the six
 * covariance models EII VII EEI VVI EEE VVV.
 *
 * Every sigma is kept with its lower Cholesky factor L (sigma = L L'), so
 * log N(x; mu, sigma) = -d/2 log(2 pi) - sum_j log L_jj - |L^{-1}(x - mu)|^2 / 2.
 * Rows are handled a block at a time with the rows as the inner loop, so the
 * compiler can vectorise it and the block stays in cache. */
#include "emix.h"
#include <math.h>
#include <string.h>
#include <float.h>

#define LOG_2PI 1.837877066409345483560659472811

int gauss_model_is_full(int model)
{
    return model == EMIX_EEE || model == EMIX_VVV;
}

/* models whose covariance is the same for every component */
int gauss_model_is_shared(int model)
{
    return model == EMIX_EII || model == EMIX_EEI || model == EMIX_EEE;
}

void gauss_par_alloc(gauss_par *par, int k, int d, int model)
{
    par->k = k;
    par->d = d;
    par->model = model;
    par->pro = (double *) R_alloc(k, sizeof(double));
    par->mean = (double *) R_alloc((size_t) k * d, sizeof(double));
    par->sigma = (double *) R_alloc((size_t) d * d * k, sizeof(double));
    par->chol = (double *) R_alloc((size_t) d * d * k, sizeof(double));
    par->logdet = (double *) R_alloc(k, sizeof(double));
}

void gauss_stats_alloc(gauss_stats *st, int k, int d, int model)
{
    st->k = k;
    st->d = d;
    st->full = gauss_model_is_full(model);
    st->shift = (double *) R_alloc((size_t) k * d, sizeof(double));
    st->N = (double *) R_alloc(k, sizeof(double));
    st->s = (double *) R_alloc((size_t) k * d, sizeof(double));
    st->A = (double *) R_alloc((size_t) d * d * k, sizeof(double));
}

emix_status gauss_factor(gauss_par *par, const double *var_scale)
{
    emix_status status = {EMIX_OK, -1, -1};
    int d = par->d, info = 0;
    size_t dd = (size_t) d * d;
    int shared = gauss_model_is_shared(par->model);
    for (int c = 0; c < par->k; c++) {
        double *L = par->chol + dd * c;
        const double *S = par->sigma + dd * c;
        memset(L, 0, dd * sizeof(double));
        if (gauss_model_is_full(par->model)) {
            for (int j = 0; j < d; j++) {
                for (int l = j; l < d; l++) {
                    L[l + (size_t) d * j] = S[l + (size_t) d * j];
                }
            }
            F77_CALL(dpotrf)("L", &d, L, &d, &info FCONE);
        } else {
            for (int j = 0; j < d; j++) {
                double v = S[j + (size_t) d * j];
                if (!(v > 0.0)) {
                    info = j + 1;
                    break;
                }
                L[j + (size_t) d * j] = sqrt(v);
            }
        }
        /* Collapse: the factorisation fails, or a conditional variance
         * L_jj^2 is negligible next to the data's variance of variable j. */
        int collapsed = info != 0;
        double logdet = 0.0;
        for (int j = 0; j < d && !collapsed; j++) {
            double ljj = L[j + (size_t) d * j];
            if (!R_FINITE(ljj) || ljj * ljj <= 1e-10 * var_scale[j]) {
                collapsed = 1;
            }
            logdet += 2.0 * log(ljj);
        }
        if (collapsed) {
            status.code = EMIX_COLLAPSED;
            status.component = shared ? -1 : c;
            return status;
        }
        par->logdet[c] = logdet;
    }
    return status;
}

static void gauss_log_joint(const void *vpar, const emix_data *dat, int i0, int nb,
                            double *lj, double *scratch)
{
    const gauss_par *par = vpar;
    int k = par->k, d = par->d, n = dat->n;
    size_t dd = (size_t) d * d;
    int full = gauss_model_is_full(par->model);
    double *y = scratch; /* nb x d */
    for (int c = 0; c < k; c++) {
        const double *L = par->chol + dd * c;
        double *q = lj + (size_t) nb * c;
        double base = log(par->pro[c]) - 0.5 * (d * LOG_2PI + par->logdet[c]);
        for (int i = 0; i < nb; i++) {
            q[i] = 0.0;
        }
        for (int j = 0; j < d; j++) {
            const double *xj = dat->x + (size_t) n * j + i0;
            double *yj = y + (size_t) nb * j;
            double mu = par->mean[c + (size_t) k * j];
            for (int i = 0; i < nb; i++) {
                yj[i] = xj[i] - mu;
            }
            if (full) {
                /* forward substitution, one column of y at a time */
                for (int l = 0; l < j; l++) {
                    double a = L[j + (size_t) d * l];
                    const double *yl = y + (size_t) nb * l;
                    for (int i = 0; i < nb; i++) {
                        yj[i] -= a * yl[i];
                    }
                }
            }
            double inv = 1.0 / L[j + (size_t) d * j];
            for (int i = 0; i < nb; i++) {
                double t = yj[i] * inv;
                yj[i] = t;
                q[i] += t * t;
            }
        }
        for (int i = 0; i < nb; i++) {
            q[i] = base - 0.5 * q[i];
        }
    }
}

static void gauss_stats_reset(void *vst, const void *vpar)
{
    gauss_stats *st = vst;
    const gauss_par *par = vpar;
    int k = st->k, d = st->d;
    memcpy(st->shift, par->mean, (size_t) k * d * sizeof(double));
    memset(st->N, 0, (size_t) k * sizeof(double));
    memset(st->s, 0, (size_t) k * d * sizeof(double));
    memset(st->A, 0, (size_t) d * d * k * sizeof(double));
}

static void gauss_stats_add(void *vst, const emix_data *dat, int i0, int nb,
                            const double *resp, int ld, double *scratch)
{
    gauss_stats *st = vst;
    int k = st->k, d = st->d, n = dat->n;
    size_t dd = (size_t) d * d;
    double *v = scratch;           /* nb weights w_i r_ic */
    double *y = scratch + nb;      /* nb x d rows minus the shift */
    for (int c = 0; c < k; c++) {
        const double *r = resp + (size_t) ld * c;
        double Nc = 0.0;
        for (int i = 0; i < nb; i++) {
            v[i] = dat->w ? dat->w[i0 + i] * r[i] : r[i];
            Nc += v[i];
        }
        st->N[c] += Nc;
        if (Nc == 0.0) {
            continue;
        }
        double *A = st->A + dd * c;
        for (int j = 0; j < d; j++) {
            const double *xj = dat->x + (size_t) n * j + i0;
            double *yj = y + (size_t) nb * j;
            double sh = st->shift[c + (size_t) k * j], sj = 0.0;
            for (int i = 0; i < nb; i++) {
                yj[i] = xj[i] - sh;
                sj += v[i] * yj[i];
            }
            st->s[c + (size_t) k * j] += sj;
            int l0 = st->full ? 0 : j;
            for (int l = l0; l <= j; l++) {
                const double *yl = y + (size_t) nb * l;
                double a = 0.0;
                for (int i = 0; i < nb; i++) {
                    a += v[i] * yj[i] * yl[i];
                }
                A[j + (size_t) d * l] += a;
            }
        }
    }
}

/* Within-component covariance S_c (lower triangle, or diagonal) from the
 * shifted statistics: S_c = A_c / N_c - delta delta', delta = s_c / N_c. */
static void component_scatter(const gauss_stats *st, int c, double *S)
{
    int k = st->k, d = st->d;
    size_t dd = (size_t) d * d;
    const double *A = st->A + dd * c;
    double Nc = st->N[c];
    memset(S, 0, dd * sizeof(double));
    for (int j = 0; j < d; j++) {
        double dj = st->s[c + (size_t) k * j] / Nc;
        int l0 = st->full ? 0 : j;
        for (int l = l0; l <= j; l++) {
            double dl = st->s[c + (size_t) k * l] / Nc;
            S[j + (size_t) d * l] = A[j + (size_t) d * l] / Nc - dj * dl;
        }
        if (S[j + (size_t) d * j] < 0.0) {
            S[j + (size_t) d * j] = 0.0; /* rounding only; collapse check follows */
        }
    }
}

static emix_status gauss_mstep(const void *vst, void *vpar, const emix_control *ctl)
{
    const gauss_stats *st = vst;
    gauss_par *par = vpar;
    int k = par->k, d = par->d, model = par->model;
    size_t dd = (size_t) d * d;
    emix_status status = {EMIX_OK, -1, -1};

    double W = 0.0;
    for (int c = 0; c < k; c++) {
        if (!(st->N[c] >= ctl->min_weight)) {
            status.code = EMIX_EMPTY;
            status.component = c;
            return status;
        }
        W += st->N[c];
    }
    for (int c = 0; c < k; c++) {
        par->pro[c] = st->N[c] / W;
        for (int j = 0; j < d; j++) {
            size_t cj = c + (size_t) k * j;
            par->mean[cj] = st->shift[cj] + st->s[cj] / st->N[c];
        }
    }

    /* Per-component scatter into sigma; shared models pool it into
     * component 0's slot, weighted by N_c / W. */
    double *S = (double *) R_alloc(dd, sizeof(double));
    double *pooled = par->sigma; /* slot 0 */
    int shared = gauss_model_is_shared(model);
    if (shared) {
        memset(pooled, 0, dd * sizeof(double));
    }
    for (int c = 0; c < k; c++) {
        double *out = shared ? pooled : par->sigma + dd * c;
        double f = shared ? st->N[c] / W : 1.0;
        component_scatter(st, c, S);
        if (!shared) {
            memset(out, 0, dd * sizeof(double));
        }
        for (size_t e = 0; e < dd; e++) {
            out[e] += f * S[e];
        }
    }

    /* The model's constraint, the ridge, and symmetry. */
    for (int c = 0; c < (shared ? 1 : k); c++) {
        double *sig = par->sigma + dd * c;
        if (model == EMIX_EII || model == EMIX_VII) {
            double tr = 0.0;
            for (int j = 0; j < d; j++) {
                tr += sig[j + (size_t) d * j];
            }
            memset(sig, 0, dd * sizeof(double));
            for (int j = 0; j < d; j++) {
                sig[j + (size_t) d * j] = tr / d;
            }
        }
        for (int j = 0; j < d; j++) {
            sig[j + (size_t) d * j] += ctl->reg;
            for (int l = 0; l < j; l++) {
                sig[l + (size_t) d * j] = sig[j + (size_t) d * l];
            }
        }
    }
    if (shared) {
        for (int c = 1; c < k; c++) {
            memcpy(par->sigma + dd * c, par->sigma, dd * sizeof(double));
        }
    }
    return gauss_factor(par, ctl->var_scale);
}

static size_t gauss_scratch_size(const void *vpar)
{
    const gauss_par *par = vpar;
    return (size_t) EMIX_BLOCK * (par->d + 1);
}

const emix_family emix_gaussian_family = {
    "gaussian",
    gauss_log_joint,
    gauss_stats_reset,
    gauss_stats_add,
    gauss_mstep,
    gauss_scratch_size
};

emix_status gauss_mstep_from_z(gauss_par *par, gauss_stats *st, const emix_data *dat,
                               const double *z, const emix_control *ctl)
{
    int n = dat->n, d = dat->d, k = par->k;
    emix_status status = {EMIX_OK, -1, -1};
    double *scratch = (double *) R_alloc(gauss_scratch_size(par), sizeof(double));

    /* Pass 1 about the weighted column means of the data gives each
     * component's mean; pass 2 about those means gives centred scatter. */
    double W = 0.0;
    for (int i = 0; i < n; i++) {
        W += emix_weight(dat, i);
    }
    for (int j = 0; j < d; j++) {
        const double *xj = dat->x + (size_t) n * j;
        double m = 0.0;
        for (int i = 0; i < n; i++) {
            m += emix_weight(dat, i) * xj[i];
        }
        for (int c = 0; c < k; c++) {
            par->mean[c + (size_t) k * j] = m / W;
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        gauss_stats_reset(st, par);
        for (int i0 = 0; i0 < n; i0 += EMIX_BLOCK) {
            int nb = n - i0 < EMIX_BLOCK ? n - i0 : EMIX_BLOCK;
            gauss_stats_add(st, dat, i0, nb, z + i0, n, scratch);
        }
        if (pass == 0) {
            for (int c = 0; c < k; c++) {
                if (!(st->N[c] >= ctl->min_weight)) {
                    status.code = EMIX_EMPTY;
                    status.component = c;
                    return status;
                }
                for (int j = 0; j < d; j++) {
                    size_t cj = c + (size_t) k * j;
                    par->mean[cj] = st->shift[cj] + st->s[cj] / st->N[c];
                }
            }
        }
    }
    return gauss_mstep(st, par, ctl);
}
