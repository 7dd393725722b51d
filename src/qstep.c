/* Restrictions of q, the distribution over labels in the free energy, to
 * point masses: at each row's most probable component (the C-step of
 * classification EM, Celeux and Govaert 1992), or at a component drawn from
 * the row's responsibilities (the S-step of stochastic EM, Celeux and
 * Diebolt 1985). A point mass has entropy 0, so the bound becomes the
 * classification log-likelihood sum_i w_i log(pi_zi f_zi(x_i)). */
#include "emix.h"
#include <math.h>

/* The block's responsibilities become point masses on labels[i]; rowobj[i]
 * gets the responsibility each had, whose log emix_log_point_mass() takes
 * for the whole block at once. Rows are the vector lanes throughout, with
 * the labels as doubles so that every lane has one width. */
EMIX_HOT
static void point_masses(double *resp, int nb, int k, const int *labels, double *rowobj)
{
    EMIX_ALIGNED double lab[EMIX_BLOCK];
    for (int i = 0; i < nb; i++) {
        lab[i] = labels[i];
        rowobj[i] = 0.0;
    }
    for (int c = 0; c < k; c++) {
        double *rc = resp + (size_t) nb * c;
        double cc = c;
        EMIX_SIMD
        for (int i = 0; i < nb; i++) {
            int here = lab[i] == cc;
            rowobj[i] = here ? rc[i] : rowobj[i];
            rc[i] = here ? 1.0 : 0.0;
        }
    }
}

EMIX_HOT
int emix_cstep_block(double *resp, int nb, int k, const double *rowll, int *labels,
                     double *rowobj)
{
    EMIX_ALIGNED double best[EMIX_BLOCK], top[EMIX_BLOCK];
    for (int i = 0; i < nb; i++) {
        best[i] = 0.0;
        top[i] = resp[i];
    }
    for (int c = 1; c < k; c++) {
        const double *rc = resp + (size_t) nb * c;
        double cc = c;
        EMIX_SIMD
        for (int i = 0; i < nb; i++) {
            int higher = rc[i] > top[i];
            best[i] = higher ? cc : best[i];
            top[i] = higher ? rc[i] : top[i];
        }
    }
    int changed = 0;
    for (int i = 0; i < nb; i++) {
        /* a tie keeps the current label, so that CEM ends in finitely
         * many steps */
        int cur = labels[i], b = (int) best[i];
        if (cur >= 0 && resp[i + (size_t) nb * cur] == top[i]) {
            b = cur;
        }
        changed += b != cur;
        labels[i] = b;
    }
    point_masses(resp, nb, k, labels, rowobj);
    emix_log_point_mass(rowll, nb, rowobj);
    return changed;
}

/* The first label whose cumulative responsibility exceeds u (inverse CDF),
 * or the last one with positive responsibility if rounding leaves the sum
 * just below u. */
int emix_draw_label(const double *resp, int nb, int k, int i, double u)
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
        int label = emix_draw_label(resp, nb, k, i, u[i]);
        changed += label != labels[i];
        labels[i] = label;
    }
    point_masses(resp, nb, k, labels, rowobj);
    emix_log_point_mass(rowll, nb, rowobj);
    return changed;
}
