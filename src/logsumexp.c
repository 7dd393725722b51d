/* Row-wise log-sum-exp: log joint densities -> responsibilities.
 *
 * Column-major nb x k block: the maximum and the sum are built by walking
 * the columns and updating a length-nb vector, so the inner loops are
 * contiguous. One exp per entry and one log per row. */
#include "emix.h"
#include <math.h>

int emix_logsumexp_rows(double *lj, int nb, int k, int ld, double *rowll)
{
    /* rowll first holds the row maxima, then the sums, then the answer */
    for (int i = 0; i < nb; i++) {
        rowll[i] = lj[i];
    }
    for (int c = 1; c < k; c++) {
        const double *col = lj + (R_xlen_t) ld * c;
        for (int i = 0; i < nb; i++) {
            if (col[i] > rowll[i]) {
                rowll[i] = col[i];
            }
        }
    }
    /* A row with no finite maximum (every component -Inf, or NaN) has no
     * responsibilities; report it rather than dividing -Inf by -Inf. */
    for (int i = 0; i < nb; i++) {
        if (!R_FINITE(rowll[i])) {
            return i;
        }
    }
    double sum[EMIX_BLOCK];
    for (int i0 = 0; i0 < nb; i0 += EMIX_BLOCK) {
        int m = nb - i0 < EMIX_BLOCK ? nb - i0 : EMIX_BLOCK;
        double *mx = rowll + i0;
        for (int i = 0; i < m; i++) {
            sum[i] = 0.0;
        }
        for (int c = 0; c < k; c++) {
            double *col = lj + (R_xlen_t) ld * c + i0;
            for (int i = 0; i < m; i++) {
                col[i] = exp(col[i] - mx[i]);
                sum[i] += col[i];
            }
        }
        for (int i = 0; i < m; i++) {
            double inv = 1.0 / sum[i];
            mx[i] += log(sum[i]);
            sum[i] = inv;
        }
        for (int c = 0; c < k; c++) {
            double *col = lj + (R_xlen_t) ld * c + i0;
            for (int i = 0; i < m; i++) {
                col[i] *= sum[i];
            }
        }
    }
    return -1;
}
