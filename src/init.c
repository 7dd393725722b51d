/* Registration of the routines R calls; nothing is found by name at run time. */
#include "ffi.h"
#include <R_ext/Rdynload.h>
#include <R_ext/Visibility.h>

#define CALLDEF(name, n) {#name, (DL_FUNC) &name, n}

static const R_CallMethodDef call_methods[] = {
    CALLDEF(ffi_run, 9),
    CALLDEF(ffi_estep, 6),
    CALLDEF(ffi_mstep, 6),
    CALLDEF(ffi_stats, 6),
    CALLDEF(ffi_stats_merge, 6),
    CALLDEF(ffi_mstep_stats, 6),
    CALLDEF(ffi_family_info, 4),
    CALLDEF(ffi_codes, 0),
    CALLDEF(ffi_covariance_models, 0),
    CALLDEF(ffi_openmp_info, 0),
    CALLDEF(ffi_first_nonfinite, 1),
    CALLDEF(ffi_col_moments, 2),
    CALLDEF(ffi_robust_scale, 2),
    CALLDEF(ffi_draw_labels, 2),
    CALLDEF(ffi_kmeans_seed, 5),
    CALLDEF(ffi_kmeans_lloyd, 6),
    CALLDEF(ffi_hc_vvv, 5),
    CALLDEF(ffi_nearest_centre, 3),
    CALLDEF(ffi_permute_columns, 2),
    CALLDEF(ffi_posterior_entropy, 2),
    {NULL, NULL, 0}
};

void attribute_visible R_init_emix(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
}
