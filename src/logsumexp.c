/* Row-wise log-sum-exp: log joint densities -> responsibilities; and the
 * entropy of responsibilities, the term of ICL.
 *
 * Column-major nb x k block: the maximum and the sum are built by walking
 * the columns and updating a length-nb vector, so every inner loop is
 * contiguous and vectorises. One exp per entry and one log per row, both
 * written here so that they vectorise (the C library's are scalar calls). */
#include "emix.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

/* exp(v) for v <= 0, branch-free so that the compiler vectorises the loops
 * that call it (the C library's exp is a scalar call). v = n ln 2 + r with
 * n = round(v / ln 2) and |r| <= ln(2) / 2 (ln 2 split in two parts, as
 * Cody and Waite), exp(r) by its Taylor polynomial of degree 13 (truncation
 * below 2e-17 relative), and 2^n put straight into the exponent bits.
 * Arguments below -708 give 0; the relative error elsewhere is a few units
 * in the last place. */
static inline double exp_nonpositive(double v)
{
    const double log2e = 1.4426950408889634074;
    const double ln2_hi = 6.93147180369123816490e-01;
    const double ln2_lo = 1.90821492927058770002e-10;
    const double shifter = 6755399441055744.0; /* 1.5 * 2^52: adding it rounds to an integer */
    double x = v < -708.0 ? -708.0 : v;
    double t = x * log2e + shifter;
    double n = t - shifter;
    double r = (x - n * ln2_hi) - n * ln2_lo;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    /* the low bits of t hold n; 2^n has exponent field n + 1023 */
    int64_t tb, sb;
    memcpy(&tb, &t, sizeof tb);
    memcpy(&sb, &shifter, sizeof sb);
    int64_t eb = (tb - sb + 1023) << 52;
    double scale;
    memcpy(&scale, &eb, sizeof scale);
    return v < -708.0 ? 0.0 : p * scale;
}

/* log(x) for finite x >= 1 (a row's sum of shifted exponentials lies in
 * [1, k]), branch-free like exp_nonpositive. x = m 2^e with m in
 * [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172,
 * by its odd series to s^23 (truncation below 1e-17 relative). */
static inline double log_atleast1(double x)
{
    const double ln2_hi = 6.93147180369123816490e-01;
    const double ln2_lo = 1.90821492927058770002e-10;
    int64_t xb, mb;
    memcpy(&xb, &x, sizeof xb);
    /* exponent relative to sqrt(1/2): shift the bits by those of 0.7071... */
    const int64_t root_half = 0x3fe6a09e667f3bcdLL;
    int64_t e = (xb - root_half) >> 52;
    mb = xb - (e << 52);
    double m;
    memcpy(&m, &mb, sizeof m);
    double s = (m - 1.0) / (m + 1.0);
    double s2 = s * s;
    double p = 2.0 / 23.0;
    p = p * s2 + 2.0 / 21.0;
    p = p * s2 + 2.0 / 19.0;
    p = p * s2 + 2.0 / 17.0;
    p = p * s2 + 2.0 / 15.0;
    p = p * s2 + 2.0 / 13.0;
    p = p * s2 + 2.0 / 11.0;
    p = p * s2 + 2.0 / 9.0;
    p = p * s2 + 2.0 / 7.0;
    p = p * s2 + 2.0 / 5.0;
    p = p * s2 + 2.0 / 3.0;
    p = p * s2 + 2.0;
    /* e >= 0 as x >= 1; turn it into a double through the bits of 2^52 + e,
     * since a vector int64 -> double conversion needs AVX-512 */
    int64_t eb = 0x4330000000000000LL | e;
    double ed;
    memcpy(&ed, &eb, sizeof ed);
    ed -= 4503599627370496.0;
    return ed * ln2_hi + (s * p + ed * ln2_lo);
}

EMIX_HOT
int emix_logsumexp_rows(double *lj, int nb, int k, int ld, double *rowll, double *rowent)
{
    double *mx = rowll; /* holds the row maxima until the end */
    memcpy(mx, lj, (size_t) nb * sizeof(double));
    for (int c = 1; c < k; c++) {
        const double *col = lj + (size_t) ld * c;
        EMIX_SIMD
        for (int i = 0; i < nb; i++) {
            /* a NaN wins, so that the row is reported below */
            mx[i] = (col[i] > mx[i] || col[i] != col[i]) ? col[i] : mx[i];
        }
    }
    /* A row with no finite maximum (every component -Inf, or NaN) has no
     * responsibilities: it gets log-likelihood -Inf (NaN for NaN) and NaN
     * responsibilities, never the NaN of -Inf - (-Inf) spread further. Its
     * entries are zeroed meanwhile so the loops below stay branch-free. */
    int bad[EMIX_BLOCK], nbad = 0;
    EMIX_ALIGNED double bad_value[EMIX_BLOCK];
    for (int i = 0; i < nb; i++) {
        if (!isfinite(mx[i])) {
            bad[nbad] = i;
            bad_value[nbad++] = isnan(mx[i]) ? mx[i] : R_NegInf;
            mx[i] = 0.0;
            for (int c = 0; c < k; c++) {
                lj[i + (size_t) ld * c] = 0.0;
            }
        }
    }
    /* with a_c = l_c - max and sum = sum_c e^{a_c}: r_c = e^{a_c} / sum,
     * log-likelihood max + log(sum), entropy log(sum) - sum_c e^{a_c} a_c / sum */
    EMIX_ALIGNED double sum[EMIX_BLOCK], ea[EMIX_BLOCK];
    memset(sum, 0, (size_t) nb * sizeof(double));
    memset(ea, 0, (size_t) nb * sizeof(double));
    for (int c = 0; c < k; c++) {
        double *col = lj + (size_t) ld * c;
        EMIX_SIMD
        for (int i = 0; i < nb; i++) {
            double a = col[i] - mx[i];
            double e = exp_nonpositive(a);
            col[i] = e;
            sum[i] += e;
            ea[i] += a > -708.0 ? e * a : 0.0; /* e = 0 there, and a may be -Inf */
        }
    }
    EMIX_SIMD
    for (int i = 0; i < nb; i++) {
        double log_sum = log_atleast1(sum[i]);
        double inv = 1.0 / sum[i];
        mx[i] += log_sum;
        ea[i] = log_sum - ea[i] * inv;
        sum[i] = inv;
    }
    if (rowent) {
        memcpy(rowent, ea, (size_t) nb * sizeof(double));
    }
    for (int c = 0; c < k; c++) {
        double *col = lj + (size_t) ld * c;
        EMIX_SIMD
        for (int i = 0; i < nb; i++) {
            col[i] *= sum[i];
        }
    }
    for (int b = 0; b < nbad; b++) {
        rowll[bad[b]] = bad_value[b];
        if (rowent) {
            rowent[bad[b]] = R_NaN;
        }
        for (int c = 0; c < k; c++) {
            lj[bad[b] + (size_t) ld * c] = R_NaN;
        }
    }
    return nbad > 0 ? bad[0] : -1;
}

EMIX_HOT
void emix_log_point_mass(const double *rowll, int nb, double *r)
{
    EMIX_ALIGNED double tiny[EMIX_BLOCK];
    EMIX_SIMD
    for (int i = 0; i < nb; i++) {
        /* 1 / r >= 1, and finite above 1e-300; the rare smaller r are
         * redone below with the library's log */
        tiny[i] = r[i];
        double v = log_atleast1(1.0 / (r[i] > 1e-300 ? r[i] : 1e-300));
        r[i] = rowll[i] - v;
    }
    for (int i = 0; i < nb; i++) {
        if (tiny[i] <= 1e-300) {
            r[i] = rowll[i] + log(tiny[i]);
        }
    }
}

/* The entropy of the posterior, -sum_i w_i sum_c z_ic log z_ic, of an n x k
 * column-major matrix (w NULL for unit weights), with the log vectorised as
 * in emix_log_point_mass(): z log z = -z log(1 / z) for z in (1e-300, 1].
 * A zero entry counts 0 (the limit of z log z); the rare others (tiny,
 * rounded above 1, NaN) take the library's log, so that a NaN spreads. */
EMIX_HOT
double emix_posterior_entropy(const double *z, size_t n, int k, const double *w)
{
    double total = 0.0;
    EMIX_ALIGNED double row[EMIX_BLOCK];
    for (size_t i0 = 0; i0 < n; i0 += EMIX_BLOCK) {
        int nb = n - i0 < EMIX_BLOCK ? (int) (n - i0) : EMIX_BLOCK;
        memset(row, 0, (size_t) nb * sizeof(double));
        for (int c = 0; c < k; c++) {
            const double *col = z + n * c + i0;
            EMIX_SIMD
            for (int i = 0; i < nb; i++) {
                int plain = col[i] > 1e-300 && col[i] <= 1.0;
                double v = plain ? col[i] : 1.0;
                row[i] += v * log_atleast1(1.0 / v);
            }
            for (int i = 0; i < nb; i++) {
                double v = col[i];
                if (!(v > 1e-300 && v <= 1.0) && v != 0.0) {
                    row[i] -= v * log(v);
                }
            }
        }
        for (int i = 0; i < nb; i++) {
            total += (w ? w[i0 + i] : 1.0) * row[i];
        }
    }
    return total;
}
