/* Reordering the components of a fit: the columns of the n x k posterior
 * matrix are permuted in place, so that no second n x k matrix is made. */
#include "emix.h"
#include "entry.h"
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

/* .Call adapter: permutes the columns of the double matrix z in place by
 * perm, a permutation of 1..ncol(z) (column c becomes column perm[c]); z
 * must not be shared with any other R object. */
SEXP emix_permute_columns_r(SEXP z, SEXP perm)
{
    int k = check_columns(z, "z", -1);
    int n = INTEGER(getAttrib(z, R_DimSymbol))[0];
    const int *given = check_labels(perm, "perm", k, k);
    int *p = (int *) R_alloc(k, sizeof(int));
    char *seen = (char *) R_alloc(k, 1);
    memset(seen, 0, (size_t) k);
    for (int c = 0; c < k; c++) {
        if (seen[given[c] - 1]) {
            error("emix: 'perm' must be a permutation of 1..ncol(z); %d appears twice",
                  given[c]);
        }
        seen[given[c] - 1] = 1;
        p[c] = given[c] - 1;
    }
    if (n > 0) { /* no rows: nothing to move */
        emix_permute_columns(REAL(z), (size_t) n, k, p);
    }
    return z;
}
