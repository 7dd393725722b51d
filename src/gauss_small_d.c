/* The two Gaussian kernels of every EM iteration, for few variables
 * (d <= GAUSS_SMALL_D): the squared Mahalanobis norms of a block of rows
 * and the weighted moments of a block about a shift.
 *
 * The general kernels (gaussian.c) go one column of the block at a time,
 * so each step of the triangular solve, and each entry of a scatter, reads
 * and writes whole columns; at d = 5 they spend their time on loads and
 * stores, and each scatter entry's sum waits on the latency of the one
 * before. Here the number of variables is a constant of each instance, so
 * a row's d values stay in vector registers: the whitening does the same
 * operations as whiten_block in the same order (the same bits), and the
 * moments keep one accumulator per lane and entry, every one independent.
 * On W1 of bench/em_iteration.R (1e5 rows, d = 5, k = 5, VVV) an EM
 * iteration took 1.6 to 1.9 times less time with these kernels. */
#include "emix.h"
#include "gaussian.h"

/* The loops over rows (and lanes) are marked for vectorisation for GCC,
 * which vectorises them as intended. Clang declines these loops and, when
 * a loop marked so is not vectorised, warns at every build: it is left to
 * vectorise them as it sees fit. */
#if defined(__clang__)
#define SMALL_SIMD
#else
#define SMALL_SIMD EMIX_SIMD
#endif

/* Lanes of the moment accumulators: four doubles fill an AVX2 register. */
#define LANES 4
#define MAX_LOWER (GAUSS_SMALL_D * (GAUSS_SMALL_D + 1) / 2)

/* q[i] = |L^{-1} (x_i - mean)|^2 for rows i0 .. i0 + nb - 1, with D
 * variables; mean has stride ld_mean. */
EMIX_INLINE void
whiten_norms_d(const int D, const double *L, const emix_data *dat, int i0, int nb,
               const double *mean, int ld_mean, double *q)
{
    EMIX_ALIGNED double a[GAUSS_SMALL_D * GAUSS_SMALL_D], inv[GAUSS_SMALL_D], mu[GAUSS_SMALL_D];
    const double *x[GAUSS_SMALL_D];
    for (int j = 0; j < D; j++) {
        mu[j] = mean[(size_t) ld_mean * j];
        inv[j] = 1.0 / L[j + (size_t) D * j];
        x[j] = dat->x + (size_t) dat->n * j + i0;
        for (int l = 0; l < j; l++) {
            a[j + D * l] = L[j + (size_t) D * l];
        }
    }
    SMALL_SIMD
    for (int i = 0; i < nb; i++) {
        double t[GAUSS_SMALL_D];
        double norm = 0.0;
        EMIX_UNROLL
        for (int j = 0; j < D; j++) {
            double y = x[j][i] - mu[j];
            EMIX_UNROLL
            for (int l = 0; l < j; l++) {
                y -= a[j + D * l] * t[l];
            }
            y *= inv[j];
            t[j] = y;
            norm += y * y;
        }
        q[i] = norm;
    }
}

/* Row i's terms into lane w of the accumulators. */
EMIX_INLINE void
moment_row(const int D, const double *const *x, const double *m, double vi, int i,
           double (*acc_s)[LANES], double (*acc_a)[LANES], int w)
{
    double y[GAUSS_SMALL_D];
    EMIX_UNROLL
    for (int j = 0; j < D; j++) {
        y[j] = x[j][i] - m[j];
    }
    EMIX_UNROLL
    for (int j = 0; j < D; j++) {
        double u = vi * y[j];
        acc_s[j][w] += u;
        EMIX_UNROLL
        for (int l = 0; l <= j; l++) {
            acc_a[j * (j + 1) / 2 + l][w] += u * y[l];
        }
    }
}

/* s_j += sum_i v_i y_ij and A[j, l] += sum_i v_i y_ij y_il (l <= j, A d x d
 * column-major) with y_i = x_i - shift (stride ld_shift), D variables. */
EMIX_INLINE void
moments_d(const int D, const emix_data *dat, int i0, int nb, const double *shift,
          int ld_shift, const double *v, double *s, double *A)
{
    EMIX_ALIGNED double acc_s[GAUSS_SMALL_D][LANES], acc_a[MAX_LOWER][LANES], m[GAUSS_SMALL_D];
    const double *x[GAUSS_SMALL_D];
    for (int j = 0; j < D; j++) {
        m[j] = shift[(size_t) ld_shift * j];
        x[j] = dat->x + (size_t) dat->n * j + i0;
        for (int w = 0; w < LANES; w++) {
            acc_s[j][w] = 0.0;
        }
    }
    for (int p = 0; p < D * (D + 1) / 2; p++) {
        for (int w = 0; w < LANES; w++) {
            acc_a[p][w] = 0.0;
        }
    }
    /* rows i + w go to lane w; the last nb % LANES rows to the first lanes */
    int i = 0;
    for (; i + LANES <= nb; i += LANES) {
        SMALL_SIMD
        for (int w = 0; w < LANES; w++) {
            moment_row(D, x, m, v[i + w], i + w, acc_s, acc_a, w);
        }
    }
    for (int w = 0; i + w < nb; w++) {
        moment_row(D, x, m, v[i + w], i + w, acc_s, acc_a, w);
    }
    for (int j = 0; j < D; j++) {
        s[j] += (acc_s[j][0] + acc_s[j][1]) + (acc_s[j][2] + acc_s[j][3]);
        for (int l = 0; l <= j; l++) {
            const double *p = acc_a[j * (j + 1) / 2 + l];
            A[j + (size_t) D * l] += (p[0] + p[1]) + (p[2] + p[3]);
        }
    }
}

/* One instance per D: the switch hands each a constant. */
#define GAUSS_SMALL_CASES(CALL)                                                          \
    case 1: CALL(1); break;                                                              \
    case 2: CALL(2); break;                                                              \
    case 3: CALL(3); break;                                                              \
    case 4: CALL(4); break;                                                              \
    case 5: CALL(5); break;                                                              \
    case 6: CALL(6); break;                                                              \
    case 7: CALL(7); break;                                                              \
    case 8: CALL(8); break;

EMIX_HOT
int gauss_whiten_norms_small(const double *L, int d, const emix_data *dat, int i0, int nb,
                             const double *mean, int ld_mean, double *q)
{
#define WHITEN(D) whiten_norms_d(D, L, dat, i0, nb, mean, ld_mean, q)
    switch (d) {
        GAUSS_SMALL_CASES(WHITEN)
    default:
        return 0;
    }
#undef WHITEN
    return 1;
}

EMIX_HOT
int gauss_moments_small(int d, const emix_data *dat, int i0, int nb, const double *shift,
                        int ld_shift, const double *v, double *s, int ld_s, double *A)
{
    double sums[GAUSS_SMALL_D] = {0.0};
#define MOMENTS(D) moments_d(D, dat, i0, nb, shift, ld_shift, v, sums, A)
    switch (d) {
        GAUSS_SMALL_CASES(MOMENTS)
    default:
        return 0;
    }
#undef MOMENTS
    for (int j = 0; j < d; j++) {
        s[(size_t) ld_s * j] += sums[j];
    }
    return 1;
}
