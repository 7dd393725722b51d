/* Reordering the components of a fit: the columns of the n x k posterior
 * matrix are permuted in place, so that no second n x k matrix is made. */
#include "emix.h"
#include <string.h>

void emix_permute_columns(double *z, size_t n, int k, const int *perm)
{
    /* column c of the result is column perm[c] of the input: follow each
     * cycle of the permutation with one column of scratch */
    double *tmp = (double *) R_alloc(n, sizeof(double));
    char *done = (char *) R_alloc(k, 1);
    memset(done, 0, (size_t) k);
    for (int start = 0; start < k; start++) {
        if (done[start] || perm[start] == start) {
            done[start] = 1;
            continue;
        }
        memcpy(tmp, z + n * start, n * sizeof(double));
        int c = start;
        while (perm[c] != start) {
            memcpy(z + n * c, z + n * perm[c], n * sizeof(double));
            done[c] = 1;
            c = perm[c];
        }
        memcpy(z + n * c, tmp, n * sizeof(double));
        done[c] = 1;
    }
}
