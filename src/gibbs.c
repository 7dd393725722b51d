/* Gibbs sampling for any family with a conjugate prior. Sweep s draws
 * theta_s from p(theta | z_{s-1}, x) (the family's draw from the statistics
 * of the labels), then z_s from p(z | theta_s, x) (the S-step of the
 * E-step, with uniforms from R's generator), which also gives
 * log p(x | theta_s) and the statistics of z_s for the next sweep. Every
 * draw comes from R's generator, outside the parallel E-step, so set.seed()
 * reproduces the chain whatever the number of threads. */
#include "emix.h"
#include <string.h>

static size_t block_length(const emix_block *b)
{
    size_t len = 1;
    for (int j = 0; j < b->ndim; j++) {
        len *= (size_t) b->dim[j];
    }
    return len;
}

emix_status emix_gibbs(const emix_family *fam, void *post, void *par, void *stats,
                       const emix_data *dat, int k, emix_workspace *ws, emix_gibbs_draws *out)
{
    const emix_conjugate *conj = fam->conjugate;
    int n = dat->n;
    int sweeps = out->burnin + out->draws * out->thin;
    emix_status status = EMIX_STATUS_OK;
    emix_estep_sums sums;
    double *N = (double *) R_alloc(k, sizeof(double));
    for (int s = 0; s < sweeps; s++) {
        if (emix_interrupt_pending()) {
            status.code = EMIX_INTERRUPTED;
            status.iter = s;
            return status;
        }
        status = conj->draw(stats, post);
        if (status.code != EMIX_OK) {
            status.iter = s;
            return status;
        }
        for (int i = 0; i < n; i++) {
            ws->uniforms[i] = unif_rand();
        }
        double ll = emix_estep(fam, par, stats, dat, k, NULL, NULL, &sums, &status, ws);
        if (status.code != EMIX_OK) {
            status.iter = s;
            return status;
        }
        fam->stats_weights(stats, N);
        int occupied = 0;
        for (int c = 0; c < k; c++) {
            occupied += N[c] > 0.0;
        }
        out->trace[s] = ll;
        out->occupied[s] = occupied;
        int kept = s + 1 - out->burnin;
        if (kept > 0 && kept % out->thin == 0) {
            int r = kept / out->thin - 1;
            for (int b = 0; b < out->nblocks; b++) {
                size_t len = block_length(&out->blocks[b]);
                fam->par_get(par, b, out->values[b] + len * r);
            }
            out->loglik[r] = ll;
            if (conj->kept_draw) {
                conj->kept_draw(post, r, out->draws);
            }
            int *lab = out->labels + (size_t) n * r;
            for (int i = 0; i < n; i++) {
                lab[i] = ws->labels[i] + 1;
            }
        }
    }
    return status;
}
