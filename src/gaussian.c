/* The Gaussian family: log-densities, statistics and M-step for the
 * fourteen covariance models of covariance.c.
 *
 * Every sigma is kept with its lower Cholesky factor L (sigma = L L'), so
 * log N(x; mu, sigma) = -d/2 log(2 pi) - sum_j log L_jj - |L^{-1}(x - mu)|^2 / 2.
 * Rows are handled a block at a time with the rows as the inner loop, so the
 * compiler vectorises it and the block stays in cache. */
#include "gaussian.h"
#include <float.h>
#include <math.h>
#include <string.h>

int gauss_model_is_full(int model)
{
    return emix_cov_models[model].full;
}

/* models whose covariance is the same for every component */
int gauss_model_is_shared(int model)
{
    return emix_cov_models[model].pooled;
}

size_t gauss_cov_len(int d, int model)
{
    return gauss_model_is_full(model) ? (size_t) d * d : (size_t) d;
}

void gauss_cov_expand(const double *cov, int d, int k, int model, double *out)
{
    size_t dd = (size_t) d * d;
    if (gauss_model_is_full(model)) {
        memcpy(out, cov, dd * k * sizeof(double));
        return;
    }
    memset(out, 0, dd * k * sizeof(double));
    for (int c = 0; c < k; c++) {
        for (int j = 0; j < d; j++) {
            out[dd * c + j + (size_t) d * j] = cov[(size_t) d * c + j];
        }
    }
}

void gauss_cov_compact(const double *full, int d, int k, int model, double *cov)
{
    size_t dd = (size_t) d * d;
    if (gauss_model_is_full(model)) {
        memcpy(cov, full, dd * k * sizeof(double));
        return;
    }
    for (int c = 0; c < k; c++) {
        for (int j = 0; j < d; j++) {
            cov[(size_t) d * c + j] = full[dd * c + j + (size_t) d * j];
        }
    }
}

void gauss_par_alloc(gauss_par *par, int k, int d, int model)
{
    par->k = k;
    par->d = d;
    par->model = model;
    par->pro = (double *) R_alloc(k, sizeof(double));
    par->mean = (double *) R_alloc((size_t) k * d, sizeof(double));
    par->sigma = (double *) R_alloc(gauss_cov_len(d, model) * k, sizeof(double));
    par->chol = (double *) R_alloc(gauss_cov_len(d, model) * k, sizeof(double));
    par->logdet = (double *) R_alloc(k, sizeof(double));
    par->centre = (double *) R_alloc(d, sizeof(double));
    par->white_mean = (double *) R_alloc((size_t) k * d, sizeof(double));
    par->work = (double *) R_alloc(2 * (size_t) d, sizeof(double));
    par->zeros = (double *) R_alloc(d, sizeof(double));
    memset(par->zeros, 0, (size_t) d * sizeof(double));
    par->log_weight = NULL;
    cov_problem *cov = &par->cov;
    cov->k = k;
    cov->d = d;
    cov->scale = (double *) R_alloc(k, sizeof(double));
    cov->orient = (double *) R_alloc((size_t) d * d, sizeof(double));
    cov->warm = 0;
    size_t work = cov_work_size(model, k, d, &cov->lwork);
    cov->work = work ? (double *) R_alloc(work, sizeof(double)) : NULL;
    par->theta_work = (double *) R_alloc(gauss_theta_len(par), sizeof(double));
    par->saved_scale = (double *) R_alloc(k, sizeof(double));
    par->saved_orient = (double *) R_alloc((size_t) d * d, sizeof(double));
    par->saved = 0;
}

/* log pi_c, or the weight the Bayesian methods put in its place */
static inline double log_weight(const gauss_par *par, int c)
{
    return par->log_weight ? par->log_weight[c] : log(par->pro[c]);
}

size_t gauss_stats_len(int k, int d, int model)
{
    size_t scatter = gauss_cov_len(d, model) * (gauss_model_is_shared(model) ? 1 : k);
    return 2 * (size_t) k * d + k + scatter;
}

gauss_stats *gauss_stats_alloc(int k, int d, int model, size_t extra)
{
    gauss_stats *st = (gauss_stats *) R_alloc(1, sizeof(gauss_stats));
    st->k = k;
    st->d = d;
    st->full = gauss_model_is_full(model);
    st->pooled = gauss_model_is_shared(model);
    /* one flat block, in the order of the layout above gauss_stats */
    st->len = gauss_stats_len(k, d, model);
    st->flat = (double *) R_alloc(st->len + extra, sizeof(double));
    st->shift = st->flat;
    st->N = st->shift + (size_t) k * d;
    st->s = st->N + k;
    st->A = st->s + (size_t) k * d;
    st->work = (double *) R_alloc(st->full ? 3 * (size_t) d * d : (size_t) d, sizeof(double));
    return st;
}

/* entries of one component's scatter A_c */
static size_t scatter_len(const gauss_stats *st)
{
    return st->full ? (size_t) st->d * st->d : (size_t) st->d;
}

static size_t scatter_size(const gauss_stats *st)
{
    return scatter_len(st) * (st->pooled ? 1 : st->k);
}

void *gauss_stats_new(const void *vpar)
{
    const gauss_par *par = vpar;
    return gauss_stats_alloc(par->k, par->d, par->model, 0);
}

double *gauss_stats_flat(void *vst)
{
    return ((gauss_stats *) vst)->flat;
}

static size_t gauss_stats_size(const void *vpar)
{
    const gauss_par *par = vpar;
    return gauss_stats_len(par->k, par->d, par->model);
}

void gauss_stats_weights(const void *vst, double *N)
{
    const gauss_stats *st = vst;
    memcpy(N, st->N, (size_t) st->k * sizeof(double));
}

/* y = L^{-1} v for a d-vector, L lower triangular */
static void forward_solve(const double *L, int d, const double *v, double *y)
{
    for (int j = 0; j < d; j++) {
        double t = v[j];
        for (int l = 0; l < j; l++) {
            t -= L[j + (size_t) d * l] * y[l];
        }
        y[j] = t / L[j + (size_t) d * j];
    }
}

/* Whether D S D - I is positive definite, D = diag(1 / sqrt(factor *
 * yardstick)), for S symmetric (lower triangle read): whether every
 * eigenvalue of D S D exceeds 1, by a Cholesky factorisation, which costs
 * a small part of the eigenvalue that flattest_ratio() finds (called every
 * M-step for every full covariance, it took a third of an EM iteration on
 * 5000 rows of five variables). */
static int above_yardstick(const double *S, int d, const double *yardstick, double factor)
{
    double local[16 * 16], scale_local[16];
    const void *vmax = vmaxget();
    double *M = d <= 16 ? local : (double *) R_alloc((size_t) d * d, sizeof(double));
    double *scale = d <= 16 ? scale_local : (double *) R_alloc(d, sizeof(double));
    for (int j = 0; j < d; j++) {
        scale[j] = 1.0 / sqrt(factor * yardstick[j]);
    }
    int positive = 1;
    for (int j = 0; j < d && positive; j++) {
        for (int i = j; i < d; i++) {
            double m = scale[i] * S[i + (size_t) d * j] * scale[j] - (i == j);
            for (int l = 0; l < j; l++) {
                m -= M[i + (size_t) d * l] * M[j + (size_t) d * l];
            }
            if (i == j) {
                if (!(m > 0.0)) {
                    positive = 0;
                    break;
                }
                M[j + (size_t) d * j] = sqrt(m);
            } else {
                M[i + (size_t) d * j] = m / M[j + (size_t) d * j];
            }
        }
    }
    vmaxset(vmax);
    return positive;
}

/* The smallest eigenvalue of D S D, D = diag(1 / sqrt(factor * yardstick)),
 * for S symmetric positive definite (lower triangle read), and through
 * *variable the variable that weighs most in its eigenvector: how far S
 * rises above the yardstick in its flattest direction, whatever the order
 * of the variables. */
static double flattest_ratio(const double *S, int d, const double *yardstick, double factor,
                             int *variable)
{
    const void *vmax = vmaxget(); /* the scratch is freed on return */
    double *M = (double *) R_alloc((size_t) d * d, sizeof(double));
    double *scale = (double *) R_alloc(d, sizeof(double));
    for (int j = 0; j < d; j++) {
        scale[j] = 1.0 / sqrt(factor * yardstick[j]);
    }
    for (int j = 0; j < d; j++) {
        for (int l = j; l < d; l++) {
            M[l + (size_t) d * j] = scale[l] * S[l + (size_t) d * j] * scale[j];
        }
    }
    int one = 1, found = 0, info = 0, lwork = -1, liwork = -1, iwork_size = 0;
    double vl = 0.0, vu = 0.0, abstol = 0.0, lambda = 0.0, work_size = 0.0;
    double *vec = (double *) R_alloc(d, sizeof(double));
    int isuppz[2];
    F77_CALL(dsyevr)("V", "I", "L", &d, M, &d, &vl, &vu, &one, &one, &abstol, &found, &lambda,
                     vec, &d, isuppz, &work_size, &lwork, &iwork_size, &liwork, &info
                     FCONE FCONE FCONE);
    lwork = (int) work_size;
    liwork = iwork_size;
    double *work = (double *) R_alloc(lwork, sizeof(double));
    int *iwork = (int *) R_alloc(liwork, sizeof(int));
    F77_CALL(dsyevr)("V", "I", "L", &d, M, &d, &vl, &vu, &one, &one, &abstol, &found, &lambda,
                     vec, &d, isuppz, work, &lwork, iwork, &liwork, &info FCONE FCONE FCONE);
    *variable = 0;
    for (int j = 1; j < d; j++) {
        if (fabs(vec[j]) > fabs(vec[*variable])) {
            *variable = j;
        }
    }
    vmaxset(vmax);
    return info == 0 && found == 1 ? lambda : R_NaN;
}

emix_status gauss_factor(gauss_par *par, const double *yardstick, double factor, int spherical)
{
    emix_status status = EMIX_STATUS_OK;
    int d = par->d, k = par->k, info = 0;
    size_t len = gauss_cov_len(d, par->model);
    int full = gauss_model_is_full(par->model);
    int shared = gauss_model_is_shared(par->model);
    double mean_yardstick = 0.0;
    for (int j = 0; j < d; j++) {
        mean_yardstick += yardstick[j] / d;
    }
    for (int c = 0; c < k; c++) {
        double *L = par->chol + len * c;
        const double *S = par->sigma + len * c;
        memset(L, 0, len * sizeof(double));
        if (full) {
            for (int j = 0; j < d; j++) {
                for (int l = j; l < d; l++) {
                    L[l + (size_t) d * j] = S[l + (size_t) d * j];
                }
            }
            F77_CALL(dpotrf)("L", &d, L, &d, &info FCONE);
        } else {
            for (int j = 0; j < d; j++) {
                double v = S[j];
                if (!(v > 0.0)) {
                    info = j + 1;
                    break;
                }
                L[j] = sqrt(v);
            }
        }
        /* Collapse: the factorisation fails, or the covariance is at or
         * below the yardstick in some direction: for a diagonal one, a
         * variance at or below its variable's yardstick; for a full one, the
         * smallest eigenvalue of Y^{-1/2} S Y^{-1/2} at or below 1 (Y the
         * diagonal of yardsticks; status.value is that ratio). */
        int collapsed = info != 0;
        if (collapsed) {
            status.variable = info - 1;
            status.value = NA_REAL;
        }
        double logdet = 0.0;
        for (int j = 0; j < d && !collapsed; j++) {
            double ljj = L[gauss_entry(full, d, j, j)];
            if (!R_FINITE(ljj) || (!full &&
                                   ljj * ljj <= factor * (spherical ? mean_yardstick : yardstick[j]))) {
                collapsed = 1;
                status.variable = j;
                status.value = ljj * ljj;
            }
            logdet += 2.0 * log(ljj);
        }
        /* (a shared covariance is judged once) */
        if (!collapsed && factor > 0.0 && full && (!shared || c == 0)) {
            int variable = 0;
            /* the eigenvalue only where the factorisation says it may be
             * at or below 1: it decides, and the message reports it */
            double ratio = above_yardstick(S, d, yardstick, factor) ? 2.0 :
                flattest_ratio(S, d, yardstick, factor, &variable);
            if (!(ratio > 1.0)) {
                collapsed = 1;
                status.variable = variable;
                status.value = ratio;
            }
        }
        if (collapsed) {
            status.code = EMIX_COLLAPSED;
            status.component = shared ? -1 : c;
            return status;
        }
        par->logdet[c] = logdet;
    }
    /* The shared full model whitens each row once: the means in the
     * whitened, centred coordinates. */
    if (par->model == EMIX_EEE) {
        double *v = par->work, *y = par->work + d;
        for (int j = 0; j < d; j++) {
            double m = 0.0;
            for (int c = 0; c < k; c++) {
                m += par->pro[c] * par->mean[c + (size_t) k * j];
            }
            par->centre[j] = m;
        }
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < d; j++) {
                v[j] = par->mean[c + (size_t) k * j] - par->centre[j];
            }
            forward_solve(par->chol, d, v, y);
            for (int j = 0; j < d; j++) {
                par->white_mean[c + (size_t) k * j] = y[j];
            }
        }
    }
    return status;
}

/* Rows i0 .. i0 + nb - 1 of x minus `shift` (one value per column, stride
 * ld_shift), into y (nb x d) */
static inline void centred_block(const emix_data *dat, int i0, int nb, const double *shift,
                          int ld_shift, double *y)
{
    for (int j = 0; j < dat->d; j++) {
        const double *xj = dat->x + (size_t) dat->n * j + i0;
        double *yj = y + (size_t) nb * j;
        double m = shift[(size_t) ld_shift * j];
        EMIX_SIMD
        for (int i = 0; i < nb; i++) {
            yj[i] = xj[i] - m;
        }
    }
}

/* y <- L^{-1} y for every row of the nb x d block y, in place, and the
 * squared norms of the results into q: forward substitution with the rows
 * as the vector lanes, one column of y at a time. */
static inline void whiten_block(const double *L, int d, int nb, double *y, double *q)
{
    for (int i = 0; i < nb; i++) {
        q[i] = 0.0;
    }
    for (int j = 0; j < d; j++) {
        double *yj = y + (size_t) nb * j;
        for (int l = 0; l < j; l++) {
            const double *yl = y + (size_t) nb * l;
            double a = L[j + (size_t) d * l];
            EMIX_SIMD
            for (int i = 0; i < nb; i++) {
                yj[i] -= a * yl[i];
            }
        }
        double inv = 1.0 / L[j + (size_t) d * j];
        EMIX_SIMD
        for (int i = 0; i < nb; i++) {
            double t = yj[i] * inv;
            yj[i] = t;
            q[i] += t * t;
        }
    }
}

EMIX_HOT
void gauss_log_joint(const void *vpar, const emix_data *dat, int i0, int nb,
                            double *lj, double *scratch)
{
    const gauss_par *par = vpar;
    int k = par->k, d = par->d;
    size_t dd = (size_t) d * d;
    double *y = scratch; /* nb x d */

    if (par->model == EMIX_EEE) {
        /* one whitening for all components, then distances to the
         * whitened means */
        double *q = lj; /* borrow column 0 for the norms */
        centred_block(dat, i0, nb, par->centre, 1, y);
        whiten_block(par->chol, d, nb, y, q);
        for (int c = 0; c < k; c++) {
            double *out = lj + (size_t) nb * c;
            double base = log_weight(par, c) - 0.5 * (d * EMIX_LOG_2PI + par->logdet[c]);
            for (int i = 0; i < nb; i++) {
                out[i] = 0.0;
            }
            for (int j = 0; j < d; j++) {
                const double *yj = y + (size_t) nb * j;
                double m = par->white_mean[c + (size_t) k * j];
                EMIX_SIMD
                for (int i = 0; i < nb; i++) {
                    double t = yj[i] - m;
                    out[i] += t * t;
                }
            }
            EMIX_SIMD
            for (int i = 0; i < nb; i++) {
                out[i] = base - 0.5 * out[i];
            }
        }
        return;
    }

    int full = gauss_model_is_full(par->model);
    for (int c = 0; c < k; c++) {
        double *q = lj + (size_t) nb * c;
        double base = log_weight(par, c) - 0.5 * (d * EMIX_LOG_2PI + par->logdet[c]);
        if (full) {
            if (!gauss_whiten_norms_small(par->chol + dd * c, d, dat, i0, nb, par->mean + c, k,
                                          q)) {
                centred_block(dat, i0, nb, par->mean + c, k, y);
                whiten_block(par->chol + dd * c, d, nb, y, q);
            }
        } else {
            /* diagonal: straight from the data, nothing stored */
            for (int i = 0; i < nb; i++) {
                q[i] = 0.0;
            }
            int j = 0;
            for (; j + 1 < d; j += 2) {
                /* two columns a pass, to halve the traffic on q */
                const double *x0 = dat->x + (size_t) dat->n * j + i0;
                const double *x1 = x0 + dat->n;
                double m0 = par->mean[c + (size_t) k * j];
                double m1 = par->mean[c + (size_t) k * (j + 1)];
                double iv0 = 1.0 / par->sigma[(size_t) d * c + j];
                double iv1 = 1.0 / par->sigma[(size_t) d * c + j + 1];
                EMIX_SIMD
                for (int i = 0; i < nb; i++) {
                    double t0 = x0[i] - m0, t1 = x1[i] - m1;
                    q[i] += t0 * t0 * iv0 + t1 * t1 * iv1;
                }
            }
            for (; j < d; j++) {
                const double *xj = dat->x + (size_t) dat->n * j + i0;
                double m = par->mean[c + (size_t) k * j];
                double iv = 1.0 / par->sigma[(size_t) d * c + j];
                EMIX_SIMD
                for (int i = 0; i < nb; i++) {
                    double t = xj[i] - m;
                    q[i] += t * t * iv;
                }
            }
        }
        EMIX_SIMD
        for (int i = 0; i < nb; i++) {
            q[i] = base - 0.5 * q[i];
        }
    }
}

void gauss_stats_reset(void *vst, const void *vpar)
{
    gauss_stats *st = vst;
    const gauss_par *par = vpar;
    int k = st->k, d = st->d;
    memcpy(st->shift, par->mean, (size_t) k * d * sizeof(double));
    memset(st->N, 0, (size_t) k * sizeof(double));
    memset(st->s, 0, (size_t) k * d * sizeof(double));
    memset(st->A, 0, scatter_size(st) * sizeof(double));
}

void gauss_stats_merge(void *vinto, const void *vfrom, double alpha)
{
    gauss_stats *into = vinto;
    const gauss_stats *from = vfrom;
    int k = into->k, d = into->d;
    for (int c = 0; c < k; c++) {
        into->N[c] += alpha * from->N[c];
    }
    for (size_t e = 0; e < (size_t) k * d; e++) {
        into->s[e] += alpha * from->s[e];
    }
    for (size_t e = 0; e < scatter_size(into); e++) {
        into->A[e] += alpha * from->A[e];
    }
}

/* From shift h to the current means m, exactly: with delta = h - m,
 * s' = s + N delta and A' = A + s delta' + delta s' + N delta delta'. */
void gauss_stats_reshift(void *vst, const void *vpar)
{
    gauss_stats *st = vst;
    const gauss_par *par = vpar;
    int k = st->k, d = st->d;
    double *delta = st->work; /* d */
    for (int c = 0; c < k; c++) {
        for (int j = 0; j < d; j++) {
            size_t cj = c + (size_t) k * j;
            delta[j] = st->shift[cj] - par->mean[cj];
        }
        double *A = st->A + (st->pooled ? 0 : scatter_len(st) * c);
        for (int j = 0; j < d; j++) {
            for (int l = st->full ? 0 : j; l <= j; l++) {
                A[gauss_entry(st->full, d, j, l)] += st->s[c + (size_t) k * j] * delta[l] +
                                         delta[j] * st->s[c + (size_t) k * l] +
                                         st->N[c] * delta[j] * delta[l];
            }
        }
        for (int j = 0; j < d; j++) {
            size_t cj = c + (size_t) k * j;
            st->s[cj] += st->N[c] * delta[j];
            st->shift[cj] = par->mean[cj];
        }
    }
}

/* A[j, l] += sum_i u_j[i] y_l[i] for l <= j: the lower triangle of U'Y,
 * four columns of Y at a time so each u_j[i] is loaded once per four. */
EMIX_HOT
static void scatter_lower(const double *u, const double *y, int nb, int d, double *A)
{
    for (int j = 0; j < d; j++) {
        const double *uj = u + (size_t) nb * j;
        int l = 0;
        for (; l + 3 <= j; l += 4) {
            const double *y0 = y + (size_t) nb * l, *y1 = y0 + nb, *y2 = y1 + nb, *y3 = y2 + nb;
            double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
            EMIX_SIMD_SUM(a0, a1, a2, a3)
            for (int i = 0; i < nb; i++) {
                a0 += uj[i] * y0[i];
                a1 += uj[i] * y1[i];
                a2 += uj[i] * y2[i];
                a3 += uj[i] * y3[i];
            }
            A[j + (size_t) d * l] += a0;
            A[j + (size_t) d * (l + 1)] += a1;
            A[j + (size_t) d * (l + 2)] += a2;
            A[j + (size_t) d * (l + 3)] += a3;
        }
        for (; l <= j; l++) {
            const double *yl = y + (size_t) nb * l;
            double a = 0.0;
            EMIX_SIMD_SUM(a)
            for (int i = 0; i < nb; i++) {
                a += uj[i] * yl[i];
            }
            A[j + (size_t) d * l] += a;
        }
    }
}

EMIX_HOT
void gauss_stats_add(void *vst, const emix_data *dat, int i0, int nb,
                            const double *resp, int ld, double *scratch)
{
    gauss_stats *st = vst;
    int k = st->k, d = st->d;
    double *wr = scratch;                /* nb products w_i r_ic, with weights */
    double *y = scratch + nb;            /* nb x d rows minus the shift */
    double *u = y + (size_t) nb * d;     /* nb x d: v times y */
    for (int c = 0; c < k; c++) {
        const double *r = resp + (size_t) ld * c;
        const double *v = r; /* the row weights w_i r_ic */
        double Nc = 0.0;
        if (dat->w) {
            const double *w = dat->w + i0;
            EMIX_SIMD_SUM(Nc)
            for (int i = 0; i < nb; i++) {
                wr[i] = w[i] * r[i];
                Nc += wr[i];
            }
            v = wr;
        } else {
            EMIX_SIMD_SUM(Nc)
            for (int i = 0; i < nb; i++) {
                Nc += r[i];
            }
        }
        st->N[c] += Nc;
        if (Nc == 0.0) {
            continue;
        }
        double *A = st->A + (st->pooled ? 0 : scatter_len(st) * c);
        if (!st->full) {
            /* diagonal: sums straight from the data, nothing stored */
            for (int j = 0; j < d; j++) {
                const double *xj = dat->x + (size_t) dat->n * j + i0;
                double sh = st->shift[c + (size_t) k * j], sj = 0.0, ajj = 0.0;
                EMIX_SIMD_SUM(sj, ajj)
                for (int i = 0; i < nb; i++) {
                    double t = xj[i] - sh;
                    double u = v[i] * t;
                    sj += u;
                    ajj += u * t;
                }
                st->s[c + (size_t) k * j] += sj;
                A[j] += ajj;
            }
            continue;
        }
        if (gauss_moments_small(d, dat, i0, nb, st->shift + c, k, v, st->s + c, k, A)) {
            continue;
        }
        centred_block(dat, i0, nb, st->shift + c, k, y);
        for (int j = 0; j < d; j++) {
            const double *yj = y + (size_t) nb * j;
            double *uj = u + (size_t) nb * j;
            double sj = 0.0;
            EMIX_SIMD_SUM(sj)
            for (int i = 0; i < nb; i++) {
                double t = v[i] * yj[i];
                uj[i] = t;
                sj += t;
            }
            st->s[c + (size_t) k * j] += sj;
        }
        scatter_lower(u, y, nb, d, A);
    }
}

/* Point masses, full models: each component's rows of the block are
 * gathered, centred at its shift, and only they enter its scatter, which
 * so costs n d^2 / 2 in all instead of k times that. The diagonal models'
 * sums are cheaper over the one-hot columns, in vector lanes. */
EMIX_HOT
void gauss_stats_add_labels(void *vst, const emix_data *dat, int i0, int nb,
                            const double *resp, int ld, const int *labels, double *scratch)
{
    gauss_stats *st = vst;
    if (!st->full) {
        gauss_stats_add(vst, dat, i0, nb, resp, ld, scratch);
        return;
    }
    int k = st->k, d = st->d;
    size_t dd = (size_t) d * d;
    double *v = scratch;                 /* m row weights */
    double *y = scratch + nb;            /* m x d rows minus the shift */
    double *u = y + (size_t) nb * d;     /* m x d: v times y */
    int rows[EMIX_BLOCK];
    for (int c = 0; c < k; c++) {
        int m = 0;
        for (int i = 0; i < nb; i++) {
            if (labels[i] == c) {
                rows[m++] = i0 + i;
            }
        }
        if (m == 0) {
            continue;
        }
        double Nc = 0.0;
        for (int t = 0; t < m; t++) {
            v[t] = emix_weight(dat, rows[t]);
            Nc += v[t];
        }
        st->N[c] += Nc;
        double *A = st->A + (st->pooled ? 0 : dd * c);
        for (int j = 0; j < d; j++) {
            const double *xj = dat->x + (size_t) dat->n * j;
            double sh = st->shift[c + (size_t) k * j], sj = 0.0;
            double *yj = y + (size_t) m * j, *uj = u + (size_t) m * j;
            for (int t = 0; t < m; t++) {
                yj[t] = xj[rows[t]] - sh;
            }
            EMIX_SIMD_SUM(sj)
            for (int t = 0; t < m; t++) {
                uj[t] = v[t] * yj[t];
                sj += uj[t];
            }
            st->s[c + (size_t) k * j] += sj;
        }
        scatter_lower(u, y, m, d, A);
    }
}

/* The covariance the model's constraint starts from, into the lower
 * triangle (full models) or the stored diagonal of out: component c's scatter S_c, or for the
 * shared models the pooled sum_c (N_c / W) S_c. From the shifted
 * statistics, N_c S_c = A_c - N_c delta_c delta_c' with delta_c = s_c / N_c. */
static void scatter_matrix(const gauss_stats *st, int c, double W, double *out)
{
    int k = st->k, d = st->d;
    size_t len = scatter_len(st);
    int first = st->pooled ? 0 : c, last = st->pooled ? k - 1 : c;
    const double *A = st->A + (st->pooled ? 0 : len * c);
    double denom = st->pooled ? W : st->N[c];
    memset(out, 0, len * sizeof(double));
    for (int j = 0; j < d; j++) {
        for (int l = st->full ? 0 : j; l <= j; l++) {
            double correction = 0.0;
            for (int h = first; h <= last; h++) {
                correction += st->s[h + (size_t) k * j] * st->s[h + (size_t) k * l] / st->N[h];
            }
            size_t at = gauss_entry(st->full, d, j, l);
            out[at] = (A[at] - correction) / denom;
        }
    }
}

/* Whether every component has the observations its covariance needs (the
 * model's row of emix_cov_models): an effective size n_c = N_c / (mean
 * weight) of at least each_d d + each_1, and all together at least
 * k + total_d d + total_1 when the model pools some part. Below that the
 * maximum likelihood covariance is singular, and with a ridge it is the
 * ridge's: a spike of density, not a fit. */
static emix_status check_support(const gauss_stats *st, int model, double mean_weight)
{
    emix_status status = EMIX_STATUS_OK;
    const emix_cov_model *m = &emix_cov_models[model];
    int k = st->k, d = st->d;
    double need = m->each_d * d + m->each_1, total = 0.0;
    for (int c = 0; c < k; c++) {
        double n_c = st->N[c] / mean_weight;
        if (!(n_c >= need)) {
            status.code = EMIX_EMPTY;
            status.component = c;
            status.value = n_c;
            return status;
        }
        total += n_c;
    }
    int pools = m->total_d != 0.0 || m->total_1 != 0.0;
    if (pools && !(total >= k + m->total_d * d + m->total_1)) {
        status.code = EMIX_EMPTY;
        status.value = total;
    }
    return status;
}

emix_status gauss_mstep(const void *vst, void *vpar, const emix_control *ctl)
{
    const gauss_stats *st = vst;
    gauss_par *par = vpar;
    int k = par->k, d = par->d, model = par->model;
    const emix_cov_model *m = &emix_cov_models[model];
    size_t len = gauss_cov_len(d, model);
    int full = m->full;
    if (!ctl->var_scale) {
        error("emix: the Gaussian family needs 'control$var_scale', the scales of its ridge");
    }
    emix_status status = check_support(st, model, ctl->mean_weight);
    if (status.code != EMIX_OK) {
        return status;
    }

    double W = 0.0;
    for (int c = 0; c < k; c++) {
        W += st->N[c];
    }
    for (int c = 0; c < k; c++) {
        par->pro[c] = st->N[c] / W;
        for (int j = 0; j < d; j++) {
            size_t cj = c + (size_t) k * j;
            par->mean[cj] = st->shift[cj] + st->s[cj] / st->N[c];
        }
    }

    /* Each component's covariance about its mean (the pooled one for a
     * pooled model) plus the ridge R: reg times each variable's squared
     * robust scale. The structure's fit then keeps its constraint exactly
     * (see covariance.h); for the spherical models the ridge so adds reg
     * times the mean of the squared scales. */
    for (int c = 0; c < (m->pooled ? 1 : k); c++) {
        double *sig = par->sigma + len * c;
        scatter_matrix(st, c, W, sig);
        for (int j = 0; j < d; j++) {
            size_t jj = gauss_entry(full, d, j, j);
            if (sig[jj] < 0.0) {
                sig[jj] = 0.0; /* rounding only; collapse is judged below */
            }
            sig[jj] += ctl->reg * ctl->var_scale[j];
            for (int l = 0; full && l < j; l++) {
                sig[l + (size_t) d * j] = sig[j + (size_t) d * l];
            }
        }
    }
    /* A shape of its own fitted under a constraint (EVI, EVE, VVE, EVV) is
     * judged on the component's own S_c + R first: the constraint would
     * rescale a scatter that the data leave (nearly) singular, and the fit
     * would hide the collapse (a variance at the ridge blown up with the
     * others to the common volume). VVI and VVV are judged below, their
     * fit being S_c + R itself. */
    if (m->shape == 'V' && (m->volume == 'E' || m->orientation == 'E')) {
        status = gauss_factor(par, ctl->var_scale, ctl->reg + 1e-10, 0);
        if (status.code != EMIX_OK) {
            return status;
        }
    }
    cov_problem *cov = &par->cov;
    cov->N = st->N;
    cov->tol = ctl->inner_tol;
    cov->max_iter = ctl->inner_max_iter;
    cov_result fitted = m->fit(cov, par->sigma);
    status.inner = fitted.iter;
    status.inner_capped = fitted.capped;
    if (fitted.failed) {
        status.code = EMIX_COLLAPSED;
        status.component = m->pooled ? -1 : fitted.component;
        status.value = NA_REAL;
        return status;
    }
    for (int c = 1; m->pooled && c < k; c++) {
        memcpy(par->sigma + len * c, par->sigma, len * sizeof(double));
    }
    /* Collapse: the data add almost nothing to the ridge in some direction.
     * S + R is at least R in every direction whatever S is, so the
     * yardstick is the ridge R plus 1e-10 of the variables' scales squared
     * (that alone without a ridge): a component thin in some direction but
     * wider than that, a genuine one, is not flagged, one whose scatter is
     * singular there always is. A constrained model is judged on its own
     * Sigma_c, which the constraint may hold away from S_c + R. */
    int spherical = m->shape == 'I';
    emix_status factored = gauss_factor(par, ctl->var_scale, ctl->reg + 1e-10,
                                        ctl->reg > 0.0 && spherical);
    factored.inner = status.inner;
    factored.inner_capped = status.inner_capped;
    return factored;
}

/* tr(sigma^{-1} M) for sigma = L L' and M symmetric, both given by their
 * lower triangles: sigma^{-1} from the Cholesky factor (LAPACK dpotri),
 * then the sum of the elementwise products. */
static double trace_solve(const double *L, int d, const double *M, double *work)
{
    size_t dd = (size_t) d * d;
    int info = 0;
    memcpy(work, L, dd * sizeof(double));
    F77_CALL(dpotri)("L", &d, work, &d, &info FCONE);
    double tr = 0.0;
    for (int l = 0; l < d; l++) {
        tr += work[l + (size_t) d * l] * M[l + (size_t) d * l];
        for (int j = l + 1; j < d; j++) {
            tr += 2.0 * work[j + (size_t) d * l] * M[j + (size_t) d * l];
        }
    }
    return tr;
}

/* E_q[log p(x, z | par)] from statistics gathered under q:
 * sum_c N_c (log pi_c - (d log 2 pi + log det sigma_c) / 2) - tr(sigma_c^{-1} M_c) / 2,
 * with M_c = sum_i w_i r_ic (x_i - mean_c)(x_i - mean_c)' = N_c S_c when the
 * means are those of the M-step from the same statistics (the ridge moves
 * only the covariances). */
double gauss_expected_loglik(const void *vst, const void *vpar)
{
    const gauss_stats *st = vst;
    const gauss_par *par = vpar;
    int k = par->k, d = par->d;
    size_t dd = (size_t) d * d;
    double W = 0.0, q = 0.0;
    for (int c = 0; c < k; c++) {
        W += st->N[c];
        q += st->N[c] * (log(par->pro[c]) - 0.5 * (d * EMIX_LOG_2PI + par->logdet[c]));
    }
    double *M = st->work; /* d x d, or d; trace_solve uses the rest of work */
    for (int c = 0; c < (st->pooled ? 1 : k); c++) {
        scatter_matrix(st, c, W, M);
        double scale = st->pooled ? W : st->N[c];
        double tr = 0.0;
        if (st->full) {
            tr = trace_solve(par->chol + dd * c, d, M, st->work + dd);
        } else {
            for (int j = 0; j < d; j++) {
                tr += M[j] / par->sigma[(size_t) d * c + j];
            }
        }
        q -= 0.5 * scale * tr;
    }
    /* the statistics' means against the parameters' (0 after an M-step,
     * not for the proposals of accelerated EM):
     * N_c (xbar_c - mu_c)' Sigma_c^-1 (xbar_c - mu_c) */
    double *v = st->work, *y = st->work + d;
    for (int c = 0; c < k; c++) {
        if (!(st->N[c] > 0.0)) {
            continue;
        }
        for (int j = 0; j < d; j++) {
            size_t cj = c + (size_t) k * j;
            v[j] = st->shift[cj] + st->s[cj] / st->N[c] - par->mean[cj];
        }
        double m = 0.0;
        if (st->full) {
            forward_solve(par->chol + dd * c, d, v, y);
            for (int j = 0; j < d; j++) {
                m += y[j] * y[j];
            }
        } else {
            for (int j = 0; j < d; j++) {
                m += v[j] * v[j] / par->sigma[(size_t) d * c + j];
            }
        }
        q -= 0.5 * st->N[c] * m;
    }
    return q;
}

size_t gauss_scratch_size(const void *vpar)
{
    const gauss_par *par = vpar;
    return (size_t) EMIX_BLOCK * (2 * (size_t) par->d + 1);
}


emix_status gauss_stats_from_z(gauss_par *par, const emix_data *dat, const double *z,
                               const int *labels, double min_weight, gauss_stats *st)
{
    int n = dat->n, d = dat->d, k = par->k;
    emix_status status = EMIX_STATUS_OK;
    double *scratch = (double *) R_alloc(gauss_scratch_size(par), sizeof(double));
    double *one_hot = (double *) R_alloc((size_t) EMIX_BLOCK * k, sizeof(double));

    /* Pass 1, about the data's mean, gives each component's mean; pass 2,
     * about those means, gives centred scatter. */
    emix_col_moments(dat, par->centre, NULL);
    for (int j = 0; j < d; j++) {
        for (int c = 0; c < k; c++) {
            par->mean[c + (size_t) k * j] = par->centre[j];
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        gauss_stats_reset(st, par);
        for (int i0 = 0; i0 < n; i0 += EMIX_BLOCK) {
            int nb = n - i0 < EMIX_BLOCK ? n - i0 : EMIX_BLOCK;
            if (z) {
                gauss_stats_add(st, dat, i0, nb, z + i0, n, scratch);
            } else {
                /* labels 1..k: their one-hot block, never the whole n x k */
                memset(one_hot, 0, (size_t) EMIX_BLOCK * k * sizeof(double));
                for (int i = 0; i < nb; i++) {
                    one_hot[i + (size_t) nb * (labels[i0 + i] - 1)] = 1.0;
                }
                gauss_stats_add(st, dat, i0, nb, one_hot, nb, scratch);
            }
        }
        for (int c = 0; pass == 0 && c < k; c++) {
            if (!(st->N[c] >= min_weight)) {
                status.code = EMIX_EMPTY;
                status.component = c;
                return status;
            }
            /* an empty component (allowed by the Bayesian methods) keeps
             * the data's mean as its shift */
            for (int j = 0; j < d && st->N[c] > 0.0; j++) {
                size_t cj = c + (size_t) k * j;
                par->mean[cj] = st->shift[cj] + st->s[cj] / st->N[c];
            }
        }
    }
    return status;
}

emix_status gauss_mstep_from_z(gauss_par *par, const emix_data *dat,
                               const double *z, const int *labels, const emix_control *ctl)
{
    gauss_stats *st = gauss_stats_alloc(par->k, dat->d, par->model, 0);
    /* an empty component passes here (its mean is the data's): the M-step
     * judges whether each has the observations it needs */
    emix_status status = gauss_stats_from_z(par, dat, z, labels, 0.0, st);
    if (status.code != EMIX_OK) {
        return status;
    }
    return gauss_mstep(st, par, ctl);
}

/* ---- The table's other entries ------------------------------------------ */

/* settings: c(model), the covariance model's code (the enum in gaussian.h) */
static void *gauss_par_new(int k, int d, const double *settings, int nsettings)
{
    if (nsettings != 1 || !(settings[0] >= 0 && settings[0] < EMIX_NMODELS) ||
        settings[0] != floor(settings[0])) {
        error("emix: the Gaussian family's settings must be c(model), a model code from 0 "
              "to %d", EMIX_NMODELS - 1);
    }
    gauss_par *par = (gauss_par *) R_alloc(1, sizeof(gauss_par));
    gauss_par_alloc(par, k, d, (int) settings[0]);
    return par;
}

int gauss_par_blocks(const void *vpar, emix_block *blocks)
{
    const gauss_par *par = vpar;
    int k = par->k, d = par->d;
    blocks[0] = (emix_block) {"pro", 1, {k, 0, 0}, 0};
    blocks[1] = (emix_block) {"mean", 2, {k, d, 0}, 0};
    blocks[2] = (emix_block) {"sigma", 3, {d, d, k}, 0};
    /* given by the Bayesian methods' predictions: log weights in place of
     * log pro (VB, ME), and a Gibbs draw's own factors (VVV) */
    blocks[3] = (emix_block) {"log_weight", 1, {k, 0, 0}, 1};
    blocks[4] = (emix_block) {"chol", 3, {d, d, k}, 1};
    return 5;
}

void gauss_par_get(const void *vpar, int b, double *out)
{
    const gauss_par *par = vpar;
    int k = par->k, d = par->d;
    switch (b) {
    case 0:
        memcpy(out, par->pro, (size_t) k * sizeof(double));
        break;
    case 1:
        memcpy(out, par->mean, (size_t) k * d * sizeof(double));
        break;
    case 2:
        /* a diagonal model's sigma becomes a d x d x k array only here */
        gauss_cov_expand(par->sigma, d, k, par->model, out);
        break;
    case 3:
        for (int c = 0; c < k; c++) {
            out[c] = par->log_weight ? par->log_weight[c] : log(par->pro[c]);
        }
        break;
    default:
        gauss_cov_expand(par->chol, d, k, par->model, out);
    }
}

/* Given lower Cholesky factors (d x d x k) in place of sigma's own, for
 * the unshared full model, whose E-step reads only the factors: a Gibbs
 * draw's factor can hold a covariance that sigma, rounded, no longer does.
 * Only the lower triangles are read; each diagonal must be a positive
 * normal number, so that its inverse and log are finite. */
static void given_factors(gauss_par *par, const double *L)
{
    int d = par->d, k = par->k;
    size_t dd = (size_t) d * d;
    if (par->model != EMIX_VVV) {
        error("emix: 'chol' is accepted for model VVV (code %d) only", EMIX_VVV);
    }
    for (int c = 0; c < k; c++) {
        double logdet = 0.0;
        memset(par->chol + dd * c, 0, dd * sizeof(double));
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                double v = L[dd * c + i + (size_t) d * j];
                if (!R_FINITE(v) || (i == j && !(v >= DBL_MIN))) {
                    error("emix: 'chol' must hold finite lower triangles with positive "
                          "diagonals of at least %g; element [%d, %d, %d] is %g",
                          DBL_MIN, i + 1, j + 1, c + 1, v);
                }
                par->chol[dd * c + i + (size_t) d * j] = v;
            }
            logdet += 2.0 * log(L[dd * c + j + (size_t) d * j]);
        }
        par->logdet[c] = logdet;
    }
}

/* Parameters given from R: any values in mean and sigma (a NaN gives NaN
 * rows, a sigma that is not positive definite a status); pro finite and
 * >= 0. Collapse is not judged: a zero yardstick accepts any positive
 * definite sigma. */
emix_status gauss_par_put(void *vpar, const double *const *values)
{
    gauss_par *par = vpar;
    int k = par->k, d = par->d;
    for (int c = 0; c < k; c++) {
        if (!(R_FINITE(values[0][c]) && values[0][c] >= 0.0)) {
            error("emix: 'pro' must hold finite values of at least 0; element %d is %g", c + 1,
                  values[0][c]);
        }
    }
    memcpy(par->pro, values[0], (size_t) k * sizeof(double));
    memcpy(par->mean, values[1], (size_t) k * d * sizeof(double));
    /* a diagonal model reads only the diagonals: its kernels ignore the rest */
    gauss_cov_compact(values[2], d, k, par->model, par->sigma);
    if (values[3]) {
        for (int c = 0; c < k; c++) {
            if (ISNAN(values[3][c]) || values[3][c] == R_PosInf) {
                error("emix: 'log_weight' must hold numbers below Inf; element %d is %g",
                      c + 1, values[3][c]);
            }
        }
        par->log_weight = (double *) R_alloc(k, sizeof(double));
        memcpy(par->log_weight, values[3], (size_t) k * sizeof(double));
    }
    if (values[4]) {
        given_factors(par, values[4]);
        return EMIX_STATUS_OK;
    }
    return gauss_factor(par, par->zeros, 0.0, 0);
}

/* ---- Accelerated EM: the parameters as one vector ------------------------ */

/* pro (k), mean (k x d), then sigma as stored (gauss_cov_len() entries per
 * component; a shared one repeated, which a linear step keeps equal), each
 * variable in units of its robust scale s_j: mean_cj / s_j and
 * sigma_jl / (s_j s_l) */
size_t gauss_theta_len(const void *vpar)
{
    const gauss_par *par = vpar;
    return (size_t) par->k * (1 + par->d) + gauss_cov_len(par->d, par->model) * par->k;
}

/* theta = values / unit (to = 1) or values = theta * unit (to = 0) */
static void theta_units(const gauss_par *par, const double *var_scale, double *theta, int to)
{
    size_t k = par->k;
    int d = par->d, full = gauss_model_is_full(par->model);
    size_t len = gauss_cov_len(d, par->model);
    double *mean = theta + k, *sigma = theta + k + k * d;
    for (int j = 0; j < d; j++) {
        double sj = sqrt(var_scale[j]);
        for (size_t c = 0; c < k; c++) {
            mean[c + k * j] = to ? mean[c + k * j] / sj : mean[c + k * j] * sj;
        }
        for (int l = full ? 0 : j; l < (full ? d : j + 1); l++) {
            double unit = sj * sqrt(var_scale[l]);
            for (size_t c = 0; c < k; c++) {
                double *v = sigma + len * c + gauss_entry(full, d, j, l);
                *v = to ? *v / unit : *v * unit;
            }
        }
    }
}

void gauss_theta_get(const void *vpar, const emix_control *ctl, double *theta)
{
    const gauss_par *par = vpar;
    size_t k = par->k, kd = k * par->d;
    memcpy(theta, par->pro, k * sizeof(double));
    memcpy(theta + k, par->mean, kd * sizeof(double));
    memcpy(theta + k + kd, par->sigma, gauss_cov_len(par->d, par->model) * k * sizeof(double));
    theta_units(par, ctl->var_scale, theta, 1);
}

/* Whether a linear combination of the model's covariances is again one of
 * them: the models whose constraint is a linear space (a shared or a free
 * matrix, diagonal or spherical or full). lambda_c A, lambda D_c A D_c' and
 * the like are not. */
static int model_is_linear(const emix_cov_model *m)
{
    return m->shape == 'I' ||
           (m->volume == m->shape && (m->orientation == 'I' || m->orientation == m->shape));
}

/* Proposed parameters. The proportions are rescaled to sum to `mass` (1,
 * or what a noise component leaves): see emix_rescale_sum(). Where the
 * model's constraint is not a linear space, the proposed covariances leave
 * it: such a mixture can have a higher likelihood than any of the model's,
 * and the M-step from it a lower one. They are taken back into the model
 * by its own fit to them, weighted by the proportions: the member nearest
 * them in the likelihood's sense (least weighted Kullback-Leibler
 * divergence), from the last M-step's parts; theirs become the next
 * M-step's warm start (see gauss_par). */
int gauss_theta_put(void *vpar, const emix_control *ctl, const double *theta,
                    int extrapolated)
{
    return gauss_theta_put_mass(vpar, ctl, theta, extrapolated, 1.0);
}

int gauss_theta_put_mass(void *vpar, const emix_control *ctl, const double *theta,
                         int extrapolated, double mass)
{
    gauss_par *par = vpar;
    size_t len = gauss_theta_len(par), k = par->k, kd = k * par->d;
    const emix_cov_model *m = &emix_cov_models[par->model];
    size_t dd = (size_t) par->d * par->d;
    if (extrapolated && !model_is_linear(m)) {
        /* the parts of the last M-step, the warm start of the next, which a
         * refused proposal goes back to (the loops make one proposal after
         * each M-step); saved before anything can refuse the proposal, so
         * that the put restoring the M-step's parameters finds them */
        memcpy(par->saved_scale, par->cov.scale, k * sizeof(double));
        memcpy(par->saved_orient, par->cov.orient, dd * sizeof(double));
        par->saved = 1;
    }
    for (size_t c = 0; c < k; c++) {
        if (!(theta[c] > 0.0)) {
            return 0;
        }
    }
    /* in the data's units, in the table's own storage: theta is const */
    double *values = par->theta_work;
    memcpy(values, theta, len * sizeof(double));
    theta_units(par, ctl->var_scale, values, 0);
    for (size_t e = 0; e < len; e++) {
        if (!R_FINITE(values[e])) {
            return 0;
        }
    }
    memcpy(par->pro, values, k * sizeof(double));
    emix_rescale_sum(par->pro, k, 1, mass);
    memcpy(par->mean, values + k, kd * sizeof(double));
    memcpy(par->sigma, values + k + kd, (len - k - kd) * sizeof(double));
    if (!extrapolated && par->saved) {
        memcpy(par->cov.scale, par->saved_scale, k * sizeof(double));
        memcpy(par->cov.orient, par->saved_orient, dd * sizeof(double));
        par->saved = 0;
    }
    if (extrapolated && !model_is_linear(m)) {
        par->cov.N = par->pro;
        if (m->fit(&par->cov, par->sigma).failed) {
            return 0;
        }
    }
    return gauss_factor(par, par->zeros, 0.0, 0).code == EMIX_OK;
}

/* free parameters: k - 1 proportions, k d means and the covariances' */
double gauss_df(const void *vpar)
{
    const gauss_par *par = vpar;
    return (par->k - 1.0) + (double) par->k * par->d + cov_df(par->model, par->k, par->d);
}

static emix_status gauss_start(void *par, const emix_data *dat, const double *z,
                               const int *labels, const emix_control *ctl)
{
    return gauss_mstep_from_z(par, dat, z, labels, ctl);
}

static emix_status gauss_stats_of_z(void *par, const emix_data *dat, const double *z,
                                    const int *labels, void *stats)
{
    return gauss_stats_from_z(par, dat, z, labels, 0.0, stats);
}

const emix_family emix_gaussian_family = {
    .name = "gaussian",
    .kinds = 1u << EMIX_DENSE,
    .par_new = gauss_par_new,
    .par_blocks = gauss_par_blocks,
    .par_get = gauss_par_get,
    .par_put = gauss_par_put,
    .df = gauss_df,
    .start = gauss_start,
    .stats_from_z = gauss_stats_of_z,
    .row_offset = NULL,
    .log_joint = gauss_log_joint,
    .scratch_size = gauss_scratch_size,
    .stats_new = gauss_stats_new,
    .stats_flat = gauss_stats_flat,
    .stats_len = gauss_stats_size,
    .stats_reset = gauss_stats_reset,
    .stats_add = gauss_stats_add,
    .stats_add_labels = gauss_stats_add_labels,
    .stats_merge = gauss_stats_merge,
    .stats_reshift = gauss_stats_reshift,
    .stats_weights = gauss_stats_weights,
    .mstep = gauss_mstep,
    .expected_loglik = gauss_expected_loglik,
    .theta_len = gauss_theta_len,
    .theta_get = gauss_theta_get,
    .theta_put = gauss_theta_put,
    .conjugate = &emix_gaussian_conjugate,
};
