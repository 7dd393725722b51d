/* Registration of the routines R calls; nothing is found by name at run time. */
#include "emix.h"
#include <R_ext/Rdynload.h>
#include <R_ext/Visibility.h>

#define CALLDEF(name, n) {#name, (DL_FUNC) &name, n}

static const R_CallMethodDef call_methods[] = {
    CALLDEF(emix_estep_gaussian, 9),
    CALLDEF(emix_mstep_gaussian, 5),
    CALLDEF(emix_run_gaussian, 7),
    CALLDEF(emix_run_bayes, 7),
    CALLDEF(emix_gibbs_gaussian, 8),
    CALLDEF(emix_openmp_info, 0),
    CALLDEF(emix_first_nonfinite, 1),
    CALLDEF(emix_col_moments_r, 2),
    CALLDEF(emix_robust_scale_r, 2),
    CALLDEF(emix_draw_labels, 2),
    CALLDEF(emix_kmeans_seed_r, 5),
    CALLDEF(emix_kmeans_lloyd_r, 6),
    CALLDEF(emix_permute_columns_r, 2),
    {NULL, NULL, 0}
};

void attribute_visible R_init_emix(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
}
