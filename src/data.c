/* Checks and moments of the data matrix, without the n x d temporaries that
 * is.finite() or sweep() would allocate in R. */
#include "emix.h"
#include <math.h>

void emix_col_moments(const emix_data *dat, double *mean, double *var)
{
    int n = dat->n;
    double W = 0.0;
    for (int i = 0; i < n; i++) {
        W += emix_weight(dat, i);
    }
    for (int j = 0; j < dat->d; j++) {
        const double *xj = dat->x + (size_t) n * j;
        double m = 0.0;
        for (int i = 0; i < n; i++) {
            m += emix_weight(dat, i) * xj[i];
        }
        mean[j] = m / W;
        if (var) {
            double s = 0.0;
            for (int i = 0; i < n; i++) {
                double t = xj[i] - mean[j];
                s += emix_weight(dat, i) * t * t;
            }
            var[j] = s / W;
        }
    }
}
