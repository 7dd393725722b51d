/* The C-step of classification EM (Celeux and Govaert 1992): each row's
 * responsibilities are replaced by a point mass on its most probable
 * component. This restricts q in the free energy to point masses, whose
 * entropy is 0, so the bound becomes the classification log-likelihood
 * sum_i w_i log(pi_zi f_zi(x_i)). */
#include "emix.h"
#include <math.h>

int emix_cstep_block(double *resp, int nb, int k, const double *rowll, int *labels,
                     double *rowobj)
{
    int changed = 0;
    for (int i = 0; i < nb; i++) {
        int best = 0;
        for (int c = 1; c < k; c++) {
            if (resp[i + (size_t) nb * c] > resp[i + (size_t) nb * best]) {
                best = c;
            }
        }
        /* a tie keeps the current label, so that CEM ends in finitely
         * many steps */
        int cur = labels[i];
        if (cur >= 0 && resp[i + (size_t) nb * cur] == resp[i + (size_t) nb * best]) {
            best = cur;
        }
        changed += best != cur;
        labels[i] = best;
        /* log(pi_c f_c(x_i)) = row log-likelihood + log r_ic */
        rowobj[i] = rowll[i] + log(resp[i + (size_t) nb * best]);
        for (int c = 0; c < k; c++) {
            resp[i + (size_t) nb * c] = c == best ? 1.0 : 0.0;
        }
    }
    return changed;
}
