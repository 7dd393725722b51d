/* The table of covariance structures (covariance.c), for R. */
#include "covariance.h"
#include "ffi.h"

/* list(name, description, volume, shape, orientation, full, pooled,
 * iterative, each_d, each_1, total_d, total_1), one entry per model in the
 * order of the codes */
SEXP ffi_covariance_models(void)
{
    const char *names[] = {"name", "description", "volume", "shape", "orientation", "full",
                           "pooled", "iterative", "each_d", "each_1", "total_d", "total_1", ""};
    int n = EMIX_NMODELS;
    SEXP out = PROTECT(mkNamed(VECSXP, names));
    for (int col = 0; col < 5; col++) {
        SET_VECTOR_ELT(out, col, allocVector(STRSXP, n));
    }
    for (int col = 5; col < 8; col++) {
        SET_VECTOR_ELT(out, col, allocVector(LGLSXP, n));
    }
    for (int col = 8; col < 12; col++) {
        SET_VECTOR_ELT(out, col, allocVector(REALSXP, n));
    }
    for (int m = 0; m < n; m++) {
        const emix_cov_model *row = &emix_cov_models[m];
        char parts[3][2] = {{row->volume, 0}, {row->shape, 0}, {row->orientation, 0}};
        SET_STRING_ELT(VECTOR_ELT(out, 0), m, mkChar(row->name));
        SET_STRING_ELT(VECTOR_ELT(out, 1), m, mkChar(row->description));
        for (int p = 0; p < 3; p++) {
            SET_STRING_ELT(VECTOR_ELT(out, 2 + p), m, mkChar(parts[p]));
        }
        LOGICAL(VECTOR_ELT(out, 5))[m] = row->full;
        LOGICAL(VECTOR_ELT(out, 6))[m] = row->pooled;
        LOGICAL(VECTOR_ELT(out, 7))[m] = row->iterative;
        REAL(VECTOR_ELT(out, 8))[m] = row->each_d;
        REAL(VECTOR_ELT(out, 9))[m] = row->each_1;
        REAL(VECTOR_ELT(out, 10))[m] = row->total_d;
        REAL(VECTOR_ELT(out, 11))[m] = row->total_1;
    }
    UNPROTECT(1);
    return out;
}
