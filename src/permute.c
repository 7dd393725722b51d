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

/* .Call adapter: permutes the columns of the double matrix z in place by
 * perm, a permutation of 1..ncol(z) (column c becomes column perm[c]); z
 * must not be shared with any other R object. */
SEXP emix_permute_columns_r(SEXP z, SEXP perm)
{
    SEXP dim = getAttrib(z, R_DimSymbol);
    if (!isReal(z) || !isInteger(dim) || LENGTH(dim) != 2) {
        error("internal error in emix: z must be a double matrix");
    }
    int n = INTEGER(dim)[0], k = INTEGER(dim)[1];
    if (!isInteger(perm) || LENGTH(perm) != k) {
        error("internal error in emix: perm must be an integer vector of length ncol(z)");
    }
    int *p = (int *) R_alloc(k, sizeof(int));
    char *seen = (char *) R_alloc(k, 1);
    memset(seen, 0, (size_t) k);
    for (int c = 0; c < k; c++) {
        int v = INTEGER(perm)[c];
        if (v == NA_INTEGER || v < 1 || v > k || seen[v - 1]) {
            error("internal error in emix: perm must be a permutation of 1..ncol(z)");
        }
        seen[v - 1] = 1;
        p[c] = v - 1;
    }
    emix_permute_columns(REAL(z), (size_t) n, k, p);
    return z;
}
