/* The fourteen covariance structures of the Gaussian family: one table row
 * each, and the covariance part of their M-steps (see covariance.h).
 *
 * Closed forms (Celeux and Govaert 1995): EII VII EEI VVI EEE VVV, EVI,
 * EEV and EVV. Inner iterations, each step of which lowers phi, until
 * the parameters settle:
 * - VEI, VEE, VEV: the shared shape (and orientation) given the volumes,
 *   then the volumes given it (Celeux and Govaert's fixed point);
 * - EVE, VVE: the shapes and volumes given the shared orientation D, then D
 *   by a sweep of Jacobi rotations (see orientation_sweep()).
 * The inner iterations start from the last M-step's parts, so an M-step
 * cut short by the cap is still a generalised EM step. */
#include "covariance.h"
#include <float.h>
#include <math.h>
#include <string.h>

static const double ONE = 1.0, ZERO = 0.0;

/* C = op(A) op(B) for d x d matrices */
static void mult(const char *ta, const char *tb, int d, const double *A, const double *B,
                 double *C)
{
    F77_CALL(dgemm)(ta, tb, &d, &d, &d, &ONE, A, &d, B, &d, &ZERO, C, &d FCONE FCONE);
}

/* The eigenvalues of the symmetric d x d matrix A (lower triangle read)
 * in decreasing order, and their eigenvectors as the columns of vec.
 * Returns LAPACK's info. */
static int eigen_decreasing(int d, const double *A, double *val, double *vec, double *work,
                            int lwork)
{
    int info = 0;
    memcpy(vec, A, (size_t) d * d * sizeof(double));
    F77_CALL(dsyev)("V", "L", &d, vec, &d, val, work, &lwork, &info FCONE FCONE);
    for (int a = 0, b = d - 1; a < b; a++, b--) {
        double t = val[a];
        val[a] = val[b];
        val[b] = t;
        for (int j = 0; j < d; j++) {
            t = vec[j + (size_t) d * a];
            vec[j + (size_t) d * a] = vec[j + (size_t) d * b];
            vec[j + (size_t) d * b] = t;
        }
    }
    return info;
}

/* out = D diag(delta) D', both triangles */
static void compose(int d, const double *D, const double *delta, double *out)
{
    for (int j = 0; j < d; j++) {
        for (int l = 0; l <= j; l++) {
            double v = 0.0;
            for (int m = 0; m < d; m++) {
                v += D[j + (size_t) d * m] * delta[m] * D[l + (size_t) d * m];
            }
            out[j + (size_t) d * l] = out[l + (size_t) d * j] = v;
        }
    }
}

static double log_geometric_mean(const double *v, int d)
{
    double s = 0.0;
    for (int j = 0; j < d; j++) {
        s += log(v[j]);
    }
    return s / d;
}

/* the first entry that is not a positive finite number, or -1 */
static int first_nonpositive(const double *v, int len)
{
    for (int i = 0; i < len; i++) {
        if (!(v[i] > 0.0 && v[i] <= DBL_MAX)) {
            return i;
        }
    }
    return -1;
}

/* whether every entry is a positive finite number */
static int all_positive(const double *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!(v[i] > 0.0 && v[i] <= DBL_MAX)) {
            return 0;
        }
    }
    return 1;
}

/* The largest change from old to new (len values), relative to the new
 * values' sizes when `relative`, else absolute: what the inner iterations
 * stop on. A change of parameters, not of phi, which near the optimum
 * changes by the square of their distance to it. */
static double largest_change(const double *old, const double *cur, size_t len, int relative)
{
    double most = 0.0;
    for (size_t i = 0; i < len; i++) {
        double change = fabs(cur[i] - old[i]) / (relative ? fabs(cur[i]) : 1.0);
        most = change > most || ISNAN(change) ? change : most;
    }
    return most;
}

static double total_weight(const cov_problem *pb)
{
    double n = 0.0;
    for (int c = 0; c < pb->k; c++) {
        n += pb->N[c];
    }
    return n;
}

static size_t entries(const cov_problem *pb, int full)
{
    return full ? (size_t) pb->d * pb->d : (size_t) pb->d;
}

/* ---- Closed forms ------------------------------------------------------- */

/* EEI VVI EEE VVV: S_c + R itself (one pooled for EEI and EEE) */
static cov_result fit_unconstrained(cov_problem *pb, double *sigma)
{
    (void) pb;
    (void) sigma;
    return (cov_result) {0, 0, 0, -1};
}

/* EII, VII: lambda_c = tr(S_c) / d; diagonal storage */
static cov_result fit_spherical(cov_problem *pb, double *sigma, int ncomp)
{
    int d = pb->d;
    for (int c = 0; c < ncomp; c++) {
        double *s = sigma + (size_t) d * c, tr = 0.0;
        for (int j = 0; j < d; j++) {
            tr += s[j];
        }
        for (int j = 0; j < d; j++) {
            s[j] = tr / d;
        }
    }
    return (cov_result) {0, 0, 0, -1};
}

static cov_result fit_eii(cov_problem *pb, double *sigma)
{
    return fit_spherical(pb, sigma, 1);
}

static cov_result fit_vii(cov_problem *pb, double *sigma)
{
    return fit_spherical(pb, sigma, pb->k);
}

/* EVI: Sigma_c = lambda B_c with B_c = diag(S_c) / g_c, g_c their
 * geometric mean, and lambda = sum_c N_c g_c / n. */
static cov_result fit_evi(cov_problem *pb, double *sigma)
{
    int k = pb->k, d = pb->d;
    double lambda = 0.0, *g = pb->work;
    for (int c = 0; c < k; c++) {
        if (!all_positive(sigma + (size_t) d * c, d)) {
            return (cov_result) {0, 0, 1, c};
        }
        g[c] = exp(log_geometric_mean(sigma + (size_t) d * c, d));
        lambda += pb->N[c] * g[c];
    }
    lambda /= total_weight(pb);
    for (int c = 0; c < k; c++) {
        for (int j = 0; j < d; j++) {
            sigma[j + (size_t) d * c] *= lambda / g[c];
        }
        pb->scale[c] = lambda;
    }
    return (cov_result) {0, 0, 0, -1};
}

/* EVV: Sigma_c = lambda S_c / g_c with g_c = det(S_c)^(1/d) and lambda =
 * sum_c N_c g_c / n. */
static cov_result fit_evv(cov_problem *pb, double *sigma)
{
    int k = pb->k, d = pb->d, info = 0;
    size_t dd = (size_t) d * d;
    double lambda = 0.0, *g = pb->work, *L = g + k;
    for (int c = 0; c < k; c++) {
        memcpy(L, sigma + dd * c, dd * sizeof(double));
        F77_CALL(dpotrf)("L", &d, L, &d, &info FCONE);
        if (info != 0) {
            return (cov_result) {0, 0, 1, c};
        }
        double logdet = 0.0;
        for (int j = 0; j < d; j++) {
            logdet += 2.0 * log(L[j + (size_t) d * j]);
        }
        g[c] = exp(logdet / d);
        lambda += pb->N[c] * g[c];
    }
    lambda /= total_weight(pb);
    for (int c = 0; c < k; c++) {
        for (size_t e = 0; e < dd; e++) {
            sigma[dd * c + e] *= lambda / g[c];
        }
        pb->scale[c] = lambda;
    }
    return (cov_result) {0, 0, 0, -1};
}

/* The eigen-decompositions S_c = L_c Omega_c L_c' (decreasing), for EEV
 * and VEV: vectors k d x d, values d x k. S_c is positive semi-definite, so
 * an eigenvalue below 0 is rounding and becomes 0: a component of low rank
 * is no failure when the shape is shared. Returns the component whose
 * decomposition failed, or -1. */
static int eigen_all(cov_problem *pb, const double *sigma, double *vec, double *val,
                     double *lapack)
{
    int k = pb->k, d = pb->d;
    size_t dd = (size_t) d * d;
    for (int c = 0; c < k; c++) {
        double *v = val + (size_t) d * c;
        if (eigen_decreasing(d, sigma + dd * c, v, vec + dd * c, lapack, pb->lwork) != 0) {
            return c;
        }
        for (int j = 0; j < d; j++) {
            v[j] = v[j] > 0.0 ? v[j] : 0.0;
        }
    }
    return -1;
}

/* EEV: Sigma_c = L_c M L_c' with M = sum_c N_c Omega_c / n (lambda A). */
static cov_result fit_eev(cov_problem *pb, double *sigma)
{
    int k = pb->k, d = pb->d;
    size_t dd = (size_t) d * d;
    double *lapack = pb->work, *vec = lapack + pb->lwork, *val = vec + dd * k, *M = val + (size_t) d * k;
    int failed = eigen_all(pb, sigma, vec, val, lapack);
    if (failed >= 0) {
        return (cov_result) {0, 0, 1, failed};
    }
    double n = total_weight(pb);
    for (int j = 0; j < d; j++) {
        M[j] = 0.0;
        for (int c = 0; c < k; c++) {
            M[j] += pb->N[c] * val[j + (size_t) d * c] / n;
        }
    }
    if (!all_positive(M, d)) {
        return (cov_result) {0, 0, 1, -1};
    }
    double lambda = exp(log_geometric_mean(M, d));
    for (int c = 0; c < k; c++) {
        compose(d, vec + dd * c, M, sigma + dd * c);
        pb->scale[c] = lambda;
    }
    return (cov_result) {0, 0, 0, -1};
}

/* ---- Varying volumes around a shared shape: VEI, VEE, VEV ------------------ */

/* The volumes' first values: the last M-step's, or tr(S_c) / d. Returns
 * a component whose scatter is nil (on one point, without a ridge), or -1. */
static int start_volumes(cov_problem *pb, const double *diag, size_t stride, size_t step)
{
    if (pb->warm) {
        return -1;
    }
    for (int c = 0; c < pb->k; c++) {
        double tr = 0.0;
        for (int j = 0; j < pb->d; j++) {
            tr += diag[stride * c + step * j];
        }
        pb->scale[c] = tr / pb->d;
    }
    return first_nonpositive(pb->scale, pb->k);
}

/* The shared diagonal shape given the volumes, from variances v (d x k, or
 * step apart): B = b / geometric mean(b), b_j = sum_c N_c v_cj / lambda_c.
 * Then the volumes given B: lambda_c = sum_j v_cj / B_j / d. Returns -1,
 * or a component whose volume is not positive (its scatter is nil), or
 * k when the shared shape has a zero. */
static int shape_then_volumes(cov_problem *pb, const double *v, size_t stride, size_t step,
                              double *B)
{
    int k = pb->k, d = pb->d;
    for (int j = 0; j < d; j++) {
        B[j] = 0.0;
        for (int c = 0; c < k; c++) {
            B[j] += pb->N[c] * v[stride * c + step * j] / pb->scale[c];
        }
    }
    if (!all_positive(B, d)) {
        return k;
    }
    double g = exp(log_geometric_mean(B, d));
    for (int j = 0; j < d; j++) {
        B[j] /= g;
    }
    for (int c = 0; c < k; c++) {
        double t = 0.0;
        for (int j = 0; j < d; j++) {
            t += v[stride * c + step * j] / B[j];
        }
        pb->scale[c] = t / d;
    }
    return first_nonpositive(pb->scale, k);
}

/* After one more iteration of volumes and shape: whether to stop, because
 * no volume moved from `before` by more than tol (relative), or the cap is
 * reached (res->capped); `before` then gets the volumes. */
static int volumes_settled(cov_problem *pb, cov_result *res, double *before)
{
    res->iter++;
    int k = pb->k;
    if (largest_change(before, pb->scale, k, 1) <= pb->tol) {
        return 1;
    }
    memcpy(before, pb->scale, (size_t) k * sizeof(double));
    res->capped = res->iter >= pb->max_iter;
    return res->capped;
}

/* VEI (v the diagonals, d apart) and VEV (v the eigenvalues): iterate
 * shape_then_volumes() until the volumes settle; the shape into B, the
 * volumes before the last iteration into `before` (k). */
static cov_result volumes_and_shape(cov_problem *pb, const double *v, double *B,
                                    double *before)
{
    cov_result res = {0, 0, 0, -1};
    int d = pb->d;
    int bad = start_volumes(pb, v, d, 1);
    memcpy(before, pb->scale, (size_t) pb->k * sizeof(double));
    for (;;) {
        if (bad < 0) {
            bad = shape_then_volumes(pb, v, d, 1, B);
        }
        if (bad >= 0) {
            res.failed = 1;
            res.component = bad < pb->k ? bad : -1;
            return res;
        }
        if (volumes_settled(pb, &res, before)) {
            return res;
        }
    }
}

/* VEI: Sigma_c = lambda_c B, B diagonal */
static cov_result fit_vei(cov_problem *pb, double *sigma)
{
    int k = pb->k, d = pb->d;
    double *B = pb->work, *before = B + d;
    cov_result res = volumes_and_shape(pb, sigma, B, before);
    if (res.failed) {
        return res;
    }
    for (int c = 0; c < k; c++) {
        for (int j = 0; j < d; j++) {
            sigma[j + (size_t) d * c] = pb->scale[c] * B[j];
        }
    }
    pb->warm = 1;
    return res;
}

/* VEV: Sigma_c = lambda_c L_c A L_c', L_c the eigenvectors of S_c */
static cov_result fit_vev(cov_problem *pb, double *sigma)
{
    int k = pb->k, d = pb->d;
    size_t dd = (size_t) d * d;
    double *lapack = pb->work, *vec = lapack + pb->lwork, *val = vec + dd * k, *A = val + (size_t) d * k;
    double *delta = A + d, *before = delta + d;
    int failed = eigen_all(pb, sigma, vec, val, lapack);
    if (failed >= 0) {
        return (cov_result) {0, 0, 1, failed};
    }
    cov_result res = volumes_and_shape(pb, val, A, before);
    if (res.failed) {
        return res;
    }
    for (int c = 0; c < k; c++) {
        for (int j = 0; j < d; j++) {
            delta[j] = pb->scale[c] * A[j];
        }
        compose(d, vec + dd * c, delta, sigma + dd * c);
    }
    pb->warm = 1;
    return res;
}

/* VEE: Sigma_c = lambda_c C, det C = 1. Given the volumes, C = M / det(M)^(1/d)
 * with M = sum_c N_c S_c / lambda_c; given C, lambda_c = tr(C^{-1} S_c) / d. */
static cov_result fit_vee(cov_problem *pb, double *sigma)
{
    cov_result res = {0, 0, 0, -1};
    int k = pb->k, d = pb->d, info = 0;
    size_t dd = (size_t) d * d;
    double *M = pb->work, *Minv = M + dd, *before = Minv + dd;
    int bad = start_volumes(pb, sigma, dd, (size_t) d + 1);
    if (bad >= 0) {
        return (cov_result) {0, 0, 1, bad};
    }
    memcpy(before, pb->scale, (size_t) k * sizeof(double));
    double root = 1.0; /* det(M)^(1/d) */
    for (;;) {
        memset(M, 0, dd * sizeof(double));
        for (int c = 0; c < k; c++) {
            double a = pb->N[c] / pb->scale[c];
            for (size_t e = 0; e < dd; e++) {
                M[e] += a * sigma[dd * c + e];
            }
        }
        memcpy(Minv, M, dd * sizeof(double));
        F77_CALL(dpotrf)("L", &d, Minv, &d, &info FCONE);
        if (info != 0) {
            res.failed = 1;
            return res;
        }
        double logdet = 0.0;
        for (int j = 0; j < d; j++) {
            logdet += 2.0 * log(Minv[j + (size_t) d * j]);
        }
        root = exp(logdet / d);
        F77_CALL(dpotri)("L", &d, Minv, &d, &info FCONE);
        /* C^{-1} = root M^{-1}: lambda_c = root tr(M^{-1} S_c) / d */
        for (int c = 0; c < k; c++) {
            const double *S = sigma + dd * c;
            double tr = 0.0;
            for (int l = 0; l < d; l++) {
                tr += Minv[l + (size_t) d * l] * S[l + (size_t) d * l];
                for (int j = l + 1; j < d; j++) {
                    tr += 2.0 * Minv[j + (size_t) d * l] * S[j + (size_t) d * l];
                }
            }
            pb->scale[c] = root * tr / d;
        }
        bad = first_nonpositive(pb->scale, k);
        if (bad >= 0) {
            res.failed = 1;
            res.component = bad;
            return res;
        }
        if (volumes_settled(pb, &res, before)) {
            break;
        }
    }
    /* Sigma_c = lambda_c M / root, from the last M (M is whole: both
     * triangles were summed) */
    for (int c = 0; c < k; c++) {
        for (size_t e = 0; e < dd; e++) {
            sigma[dd * c + e] = pb->scale[c] * M[e] / root;
        }
    }
    pb->warm = 1;
    return res;
}

/* ---- A shared orientation with varying shapes: EVE, VVE ------------------- */

/* T_c = diag(D' S_c D), d x k; tmp is d x d */
static void projected_variances(const cov_problem *pb, const double *sigma, const double *D,
                                double *T, double *tmp)
{
    int d = pb->d;
    size_t dd = (size_t) d * d;
    for (int c = 0; c < pb->k; c++) {
        mult("N", "N", d, sigma + dd * c, D, tmp);
        for (int j = 0; j < d; j++) {
            double v = 0.0;
            for (int l = 0; l < d; l++) {
                v += D[l + (size_t) d * j] * tmp[l + (size_t) d * j];
            }
            T[j + (size_t) d * c] = v;
        }
    }
}

/* Given D, the best diagonals delta_c of Sigma_c = D diag(delta_c) D' into
 * delta (d x k), and phi at them (NaN tells a failure). EVE: delta_c = lambda T_c / g_c with
 * g_c = the geometric mean of T_c and lambda = sum_c N_c g_c / n, so
 * phi = n d (log lambda + 1). VVE: delta_c = T_c, phi = sum_c N_c (sum_j
 * log T_cj + d). Returns NaN when some T_cj is not positive. */
static double best_diagonals(cov_problem *pb, int equal_volume, const double *T, double *delta)
{
    int k = pb->k, d = pb->d;
    if (!all_positive(T, (size_t) d * k)) {
        return R_NaN;
    }
    double phi = 0.0, lambda = 0.0, n = total_weight(pb);
    for (int c = 0; c < k; c++) {
        double lg = log_geometric_mean(T + (size_t) d * c, d);
        if (equal_volume) {
            lambda += pb->N[c] * exp(lg) / n;
        } else {
            pb->scale[c] = exp(lg);
            phi += pb->N[c] * d * (lg + 1.0);
        }
    }
    for (int c = 0; c < k; c++) {
        double g = exp(log_geometric_mean(T + (size_t) d * c, d));
        for (int j = 0; j < d; j++) {
            /* T / g first: lambda T can overflow where both are finite */
            delta[j + (size_t) d * c] = equal_volume ? T[j + (size_t) d * c] / g * lambda
                                                     : T[j + (size_t) d * c];
        }
        if (equal_volume) {
            pb->scale[c] = lambda;
        }
    }
    return equal_volume ? n * d * (log(lambda) + 1.0) : phi;
}

/* One sweep of Jacobi rotations lowering f(D) = sum_c tr(S_c D Lambda_c D'),
 * Lambda_c = N_c diag(1 / delta_c), with the diagonals held: each pair of
 * columns (p, q) of D is turned by the angle that minimises f, in closed
 * form (as in Flury and Gautschi's algorithm for common principal
 * components). With a_c, b_c, m_c the entries (p, p), (q, q), (p, q) of
 * D' S_c D and g_c = Lambda_c,p - Lambda_c,q, turning by theta changes f by
 *   alpha (cos 2 theta - 1) + beta sin 2 theta,
 *   alpha = sum_c g_c (a_c - b_c) / 2,  beta = sum_c g_c m_c,
 * least at 2 theta = atan2(-beta, -alpha). Y (k d x d) keeps S_c D, whose
 * columns turn with D's. Majorization-minimization (Browne and McNicholas
 * 2014) lowers f too, but took 11005 iterations where these sweeps took 14
 * (quakes, k = 2, VVE). */
static void orientation_sweep(const cov_problem *pb, const double *sigma, const double *delta,
                              double *D, double *Y)
{
    int k = pb->k, d = pb->d;
    size_t dd = (size_t) d * d;
    for (int c = 0; c < k; c++) {
        mult("N", "N", d, sigma + dd * c, D, Y + dd * c);
    }
    for (int p = 0; p < d - 1; p++) {
        for (int q = p + 1; q < d; q++) {
            double *dp = D + (size_t) d * p, *dq = D + (size_t) d * q;
            double alpha = 0.0, beta = 0.0;
            for (int c = 0; c < k; c++) {
                const double *yp = Y + dd * c + (size_t) d * p, *yq = Y + dd * c + (size_t) d * q;
                double a = 0.0, b = 0.0, m = 0.0;
                for (int j = 0; j < d; j++) {
                    a += dp[j] * yp[j];
                    b += dq[j] * yq[j];
                    m += dp[j] * yq[j];
                }
                double g = pb->N[c] / delta[p + (size_t) d * c] - pb->N[c] / delta[q + (size_t) d * c];
                alpha += 0.5 * g * (a - b);
                beta += g * m;
            }
            if (alpha == 0.0 && beta == 0.0) {
                continue;
            }
            double theta = 0.5 * atan2(-beta, -alpha), cs = cos(theta), sn = sin(theta);
            for (int c = 0; c <= k; c++) {
                /* the columns of D (c = k) and of every S_c D turn alike */
                double *u = c < k ? Y + dd * c + (size_t) d * p : dp;
                double *v = c < k ? Y + dd * c + (size_t) d * q : dq;
                for (int j = 0; j < d; j++) {
                    double up = u[j], vq = v[j];
                    u[j] = cs * up + sn * vq;
                    v[j] = -sn * up + cs * vq;
                }
            }
        }
    }
}

/* The largest change between two sets of k covariances (d x d each), each
 * entry relative to the scale of its row and column, sqrt(S_jj S_ll): what
 * the inner iterations of EVE and VVE stop on. Not D's change: where two
 * axes have nearly the same diagonals, D turns freely between them while
 * the covariances (and phi) stay put. */
static double covariance_change(const double *old, const double *cur, int k, int d)
{
    size_t dd = (size_t) d * d;
    double most = 0.0;
    for (int c = 0; c < k; c++) {
        const double *o = old + dd * c, *s = cur + dd * c;
        for (int j = 0; j < d; j++) {
            for (int l = 0; l <= j; l++) {
                double scale = sqrt(s[j + (size_t) d * j]) * sqrt(s[l + (size_t) d * l]);
                double change = fabs(s[j + (size_t) d * l] - o[j + (size_t) d * l]) / scale;
                most = change > most || ISNAN(change) ? change : most;
            }
        }
    }
    return most;
}

/* The change below which the covariances count as settled: tol, or what
 * rounding leaves of them, about eps times the largest condition number
 * max_j delta_cj / min_j delta_cj (a thin component's entries relative to
 * its smallest axis can move by that much from sweep to sweep). */
static double settled_change(const cov_problem *pb, const double *delta)
{
    double cond = 1.0;
    for (int c = 0; c < pb->k; c++) {
        const double *v = delta + (size_t) pb->d * c;
        double lo = v[0], hi = v[0];
        for (int j = 1; j < pb->d; j++) {
            lo = v[j] < lo ? v[j] : lo;
            hi = v[j] > hi ? v[j] : hi;
        }
        cond = hi / lo > cond ? hi / lo : cond;
    }
    double floor = 64.0 * DBL_EPSILON * cond;
    return pb->tol > floor ? pb->tol : floor;
}

/* The inner iterations of EVE and VVE from the orientation D: sweeps of D,
 * then the best diagonals (into delta, d x k), until the covariances
 * settle or the cap. w holds T (d x k), a d x d scratch, Y, and two sets of
 * k covariances (k d x d each). Returns phi (NaN: a failure). */
static double common_orientation_from(cov_problem *pb, const double *sigma, int equal_volume,
                                      double *D, double *delta, cov_result *res, double *w)
{
    int k = pb->k, d = pb->d;
    size_t dd = (size_t) d * d;
    double *T = w, *tmp = T + (size_t) d * k, *Y = tmp + dd, *prev = Y + dd * k;
    double *cur = prev + dd * k;
    projected_variances(pb, sigma, D, T, tmp);
    double phi = best_diagonals(pb, equal_volume, T, delta);
    for (int c = 0; c < k && R_FINITE(phi); c++) {
        compose(d, D, delta + (size_t) d * c, prev + dd * c);
    }
    while (R_FINITE(phi)) {
        if (res->iter >= pb->max_iter) {
            res->capped = 1;
            break;
        }
        orientation_sweep(pb, sigma, delta, D, Y);
        res->iter++;
        projected_variances(pb, sigma, D, T, tmp);
        phi = best_diagonals(pb, equal_volume, T, delta);
        if (!R_FINITE(phi)) {
            break;
        }
        for (int c = 0; c < k; c++) {
            compose(d, D, delta + (size_t) d * c, cur + dd * c);
        }
        if (covariance_change(prev, cur, k, d) <= settled_change(pb, delta)) {
            break;
        }
        memcpy(prev, cur, dd * k * sizeof(double));
    }
    return phi;
}

/* EVE (equal volume) and VVE: Sigma_c = D diag(delta_c) D'. From the last
 * M-step's D; the first M-step, which has none, screens the eigenvectors of
 * the pooled S and of each S_c by SCREEN_SWEEPS sweeps each, since phi can
 * have several minima over D, and continues the best. */
#define SCREEN_SWEEPS 5
static cov_result fit_common_orientation(cov_problem *pb, double *sigma, int equal_volume)
{
    cov_result res = {0, 0, 0, -1};
    int k = pb->k, d = pb->d;
    size_t dd = (size_t) d * d;
    double *lapack = pb->work, *delta = lapack + pb->lwork, *val = delta + (size_t) d * k;
    double *start = val + d, *pooled = start + dd; /* d x d each */
    double *w = pooled + dd;
    double *D = pb->orient, n = total_weight(pb);
    if (pb->warm) {
        double phi = common_orientation_from(pb, sigma, equal_volume, D, delta, &res, w);
        res.failed = !R_FINITE(phi);
    } else {
        memset(pooled, 0, dd * sizeof(double));
        for (int c = 0; c < k; c++) {
            for (size_t e = 0; e < dd; e++) {
                pooled[e] += pb->N[c] * sigma[dd * c + e] / n;
            }
        }
        /* screen the starts by a few sweeps each, then continue the best */
        int cap = pb->max_iter;
        pb->max_iter = cap < SCREEN_SWEEPS ? cap : SCREEN_SWEEPS;
        double best = R_PosInf;
        for (int c = -1; c < k; c++) {
            cov_result tried = {0, 0, 0, -1};
            if (eigen_decreasing(d, c < 0 ? pooled : sigma + dd * c, val, start, lapack,
                                 pb->lwork) != 0) {
                continue;
            }
            double phi = common_orientation_from(pb, sigma, equal_volume, start, delta, &tried, w);
            res.iter += tried.iter;
            if (phi < best) {
                best = phi;
                memcpy(D, start, dd * sizeof(double));
            }
        }
        pb->max_iter = cap;
        if (!R_FINITE(best)) {
            res.failed = 1;
            return res;
        }
        cov_result rest = {0, 0, 0, -1};
        double phi = common_orientation_from(pb, sigma, equal_volume, D, delta, &rest, w);
        res.iter += rest.iter;
        res.capped = rest.capped;
        res.failed = !R_FINITE(phi);
    }
    if (res.failed) {
        return res;
    }
    for (int c = 0; c < k; c++) {
        compose(d, D, delta + (size_t) d * c, sigma + dd * c);
    }
    pb->warm = 1;
    return res;
}

static cov_result fit_eve(cov_problem *pb, double *sigma)
{
    return fit_common_orientation(pb, sigma, 1);
}

static cov_result fit_vve(cov_problem *pb, double *sigma)
{
    return fit_common_orientation(pb, sigma, 0);
}

/* ---- The table -------------------------------------------------------------- */

/* name, words; volume, shape, orientation; full, pooled, iterative;
 * support each_d, each_1, total_d, total_1; fit */
const emix_cov_model emix_cov_models[EMIX_NMODELS] = {
    {"EII", "spherical, equal volume", 'E', 'I', 'I', 0, 1, 0, 0, 1, 0, 1, fit_eii},
    {"VII", "spherical, varying volume", 'V', 'I', 'I', 0, 0, 0, 0, 2, 0, 0, fit_vii},
    {"EEI", "diagonal, equal volume and shape", 'E', 'E', 'I', 0, 1, 0, 0, 1, 0, 1,
        fit_unconstrained},
    {"VEI", "diagonal, varying volume, equal shape", 'V', 'E', 'I', 0, 0, 1, 0, 2, 0, 1,
        fit_vei},
    {"EVI", "diagonal, equal volume, varying shape", 'E', 'V', 'I', 0, 0, 0, 0, 2, 0, 0,
        fit_evi},
    {"VVI", "diagonal, varying volume and shape", 'V', 'V', 'I', 0, 0, 0, 0, 2, 0, 0,
        fit_unconstrained},
    {"EEE", "ellipsoidal, equal volume, shape and orientation", 'E', 'E', 'E', 1, 1, 0,
        0, 1, 1, 0, fit_unconstrained},
    {"VEE", "ellipsoidal, varying volume, equal shape and orientation", 'V', 'E', 'E', 1,
        0, 1, 0, 2, 1, 0, fit_vee},
    {"EVE", "ellipsoidal, equal volume and orientation, varying shape", 'E', 'V', 'E', 1,
        0, 1, 1, 1, 1, 0, fit_eve},
    {"VVE", "ellipsoidal, varying volume and shape, equal orientation", 'V', 'V', 'E', 1,
        0, 1, 1, 1, 1, 0, fit_vve},
    {"EEV", "ellipsoidal, equal volume and shape, varying orientation", 'E', 'E', 'V', 1,
        0, 0, 0, 1, 1, 0, fit_eev},
    {"VEV", "ellipsoidal, varying volume and orientation, equal shape", 'V', 'E', 'V', 1,
        0, 1, 0, 2, 1, 0, fit_vev},
    {"EVV", "ellipsoidal, equal volume, varying shape and orientation", 'E', 'V', 'V', 1,
        0, 0, 1, 1, 0, 0, fit_evv},
    {"VVV", "ellipsoidal, varying volume, shape and orientation", 'V', 'V', 'V', 1, 0, 0,
        1, 1, 0, 0, fit_unconstrained},
};

double cov_df(int model, int k, int d)
{
    const emix_cov_model *m = &emix_cov_models[model];
    double K = k, D = d;
    double volume = m->volume == 'V' ? K : 1.0;
    double shape = m->shape == 'I' ? 0.0 : (m->shape == 'V' ? K : 1.0) * (D - 1.0);
    double orient = m->orientation == 'I' ? 0.0
                                          : (m->orientation == 'V' ? K : 1.0) * D * (D - 1.0) / 2.0;
    return volume + shape + orient;
}

size_t cov_work_size(int model, int k, int d, int *lwork)
{
    /* LAPACK's optimal workspace for eigen-decompositions of d x d */
    double query = 0.0, dummy = 0.0;
    int minus = -1, info = 0;
    F77_CALL(dsyev)("V", "L", &d, &dummy, &d, &dummy, &query, &minus, &info FCONE FCONE);
    *lwork = (int) query + 3 * d; /* at least what dsyev needs, queried or not */
    size_t dd = (size_t) d * d, K = (size_t) k, D = (size_t) d;
    switch (model) {
    case EMIX_EVI: return K;
    case EMIX_EVV: return K + dd;
    case EMIX_VEI: return D + K;
    case EMIX_VEE: return 2 * dd + K;
    case EMIX_EEV: return *lwork + K * dd + K * D + D;
    case EMIX_VEV: return *lwork + K * dd + K * D + 2 * D + K;
    case EMIX_EVE:
    case EMIX_VVE: return *lwork + 2 * K * D + D + 3 * dd + 3 * K * dd;
    default: return 0;
    }
}
