/* OpenMP when the compiler has it, one thread otherwise, so the package
 * builds everywhere (WRE 1.2.1.1). emix never calls omp_set_num_threads:
 * each parallel region names its thread count. */
#ifndef EMIX_OMP_COMPAT_H
#define EMIX_OMP_COMPAT_H

#ifdef _OPENMP
#include <omp.h>
#else
static inline int omp_get_thread_num(void) { return 0; }
static inline int omp_get_num_procs(void) { return 1; }
static inline int omp_get_thread_limit(void) { return 1; }
#endif

#endif
