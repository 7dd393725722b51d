/* The rows left out of the hierarchical agglomeration (src/hc_vvv.c) join
 * the cluster of the nearest centre. */
#include "emix.h"

void emix_nearest_centre(const emix_data *dat, const double *inv_var, const double *centres,
                         int k, int *labels)
{
    int n = dat->n, d = dat->d;
    for (int i = 0; i < n; i++) {
        double best = R_PosInf;
        int nearest = 0;
        for (int c = 0; c < k; c++) {
            double dist = 0.0;
            for (int j = 0; j < d; j++) {
                double t = dat->x[i + (size_t) n * j] - centres[c + (size_t) k * j];
                dist += inv_var[j] * t * t;
            }
            if (dist < best) {
                best = dist;
                nearest = c;
            }
        }
        labels[i] = nearest + 1;
        if ((i & 65535) == 65535) {
            R_CheckUserInterrupt();
        }
    }
}
