/* Restrictions of q, the distribution over labels in the free energy, to
 * point masses: at each row's most probable component (the C-step of
 * classification EM, Celeux and Govaert 1992), or at a component drawn from
 * the row's responsibilities (the S-step of stochastic EM, Celeux and
 * Diebolt 1985). A point mass has entropy 0, so the bound becomes the
 * classification log-likelihood sum_i w_i log(pi_zi f_zi(x_i)). */
#include "emix.h"
#include <math.h>

/* Row i of the nb x k block: a point mass on `label`; log(pi f) of it. */
static double point_mass(double *resp, int nb, int k, int i, int label, double rowll)
{
    double obj = rowll + log(resp[i + (size_t) nb * label]);
    for (int c = 0; c < k; c++) {
        resp[i + (size_t) nb * c] = c == label ? 1.0 : 0.0;
    }
    return obj;
}

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
        rowobj[i] = point_mass(resp, nb, k, i, best, rowll[i]);
    }
    return changed;
}

/* The first label whose cumulative responsibility exceeds u (inverse CDF),
 * or the last one with positive responsibility if rounding leaves the sum
 * just below u. */
static int draw_label(const double *resp, int nb, int k, int i, double u)
{
    double cum = 0.0;
    int last = 0;
    for (int c = 0; c < k; c++) {
        double r = resp[i + (size_t) nb * c];
        if (r > 0.0) {
            last = c;
        }
        cum += r;
        if (u < cum) {
            return c;
        }
    }
    return last;
}

int emix_sstep_block(double *resp, int nb, int k, const double *rowll, const double *u,
                     int *labels, double *rowobj)
{
    int changed = 0;
    for (int i = 0; i < nb; i++) {
        int label = draw_label(resp, nb, k, i, u[i]);
        changed += label != labels[i];
        labels[i] = label;
        rowobj[i] = point_mass(resp, nb, k, i, label, rowll[i]);
    }
    return changed;
}

/* Labels (1-based) drawn for the rows of the n x k responsibility matrix z
 * with the uniforms u: the S-step on its own, for checking it. */
SEXP emix_draw_labels(SEXP z, SEXP u)
{
    int n = INTEGER(getAttrib(z, R_DimSymbol))[0];
    int k = INTEGER(getAttrib(z, R_DimSymbol))[1];
    SEXP out = PROTECT(allocVector(INTSXP, n));
    for (int i = 0; i < n; i++) {
        INTEGER(out)[i] = draw_label(REAL(z) + i, n, k, 0, REAL(u)[i]) + 1;
    }
    UNPROTECT(1);
    return out;
}
