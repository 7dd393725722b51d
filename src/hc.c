/* Model-based hierarchical agglomeration (Banfield and Raftery 1993;
 * Fraley 1998) under the EII model, the start that emix_select() can share
 * between models.
 *
 * Every row starts as a cluster of its own; each step merges the pair whose
 * merge lowers the classification log-likelihood of the model least. Under
 * EII (one spherical covariance sigma^2 I, fixed while merging) that
 * decrease is, up to the factor 1 / (2 sigma^2),
 *   cost(a, b) = w_a w_b / (w_a + w_b) * D(mean_a, mean_b),
 * the growth of the within-cluster sum of squares: Ward's criterion. w_a is
 * a cluster's weight (sum of its rows' weights) and D the squared distance
 * in standardised units, sum_j (u_j - v_j)^2 / var_j, as in the k-means
 * start. Clusters are kept as weighted means, so memory is O(m d).
 *
 * Each active cluster keeps its nearest cluster by cost (on a tie the lower
 * index). After a merge only the clusters whose nearest was one of the two
 * merged, and to which the merged cluster costs more, need a full scan;
 * every other one compares its nearest with the new cluster alone (so
 * tied rows, which merge at no cost, cause no scans). The pair merged is the least cost, on a tie the lowest
 * (first, second) pair of indices, so the tree is deterministic. */
#include "emix.h"
#include <math.h>

/* The cost of merging clusters a and b. */
static double merge_cost(const double *mean, const double *size, const double *inv_var, int d,
                         int a, int b)
{
    const double *u = mean + (size_t) d * a, *v = mean + (size_t) d * b;
    double dist = 0.0;
    for (int j = 0; j < d; j++) {
        double t = u[j] - v[j];
        dist += inv_var[j] * t * t;
    }
    return size[a] * size[b] / (size[a] + size[b]) * dist;
}

/* Cluster x's nearest active cluster (the lowest index on a tie), by a scan
 * of all of them; -1 and +Inf when x is the only one. */
static void scan_nearest(const double *mean, const double *size, const int *active,
                         const double *inv_var, int m, int d, int x, int *nn, double *nn_cost)
{
    nn[x] = -1;
    nn_cost[x] = R_PosInf;
    for (int y = 0; y < m; y++) {
        if (y != x && active[y]) {
            double c = merge_cost(mean, size, inv_var, d, x, y);
            if (c < nn_cost[x]) {
                nn_cost[x] = c;
                nn[x] = y;
            }
        }
    }
}

/* Row i's label among `count` clusters: 1.. in the order in which the rows
 * first meet their clusters. `first` is m scratch. */
static void write_labels(const int *group, int m, int *first, int *out)
{
    int next = 0;
    for (int i = 0; i < m; i++) {
        first[i] = 0;
    }
    for (int i = 0; i < m; i++) {
        int g = group[i];
        if (first[g] == 0) {
            first[g] = ++next;
        }
        out[i] = first[g];
    }
}

void emix_hc_ward(const emix_data *dat, const double *inv_var, const int *ks, int nk,
                  int *merge, double *cost, int *labels, emix_hc_scratch *s)
{
    int m = dat->n, d = dat->d;
    double *mean = s->mean, *size = s->size, *nn_cost = s->nn_cost;
    int *nn = s->nn, *active = s->active, *group = s->group;
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < d; j++) {
            mean[(size_t) d * i + j] = dat->x[i + (size_t) m * j];
        }
        size[i] = emix_weight(dat, i);
        active[i] = 1;
        group[i] = i;
        nn[i] = -1;
        nn_cost[i] = R_PosInf;
    }
    /* all pairs once, in increasing order of both indices, so that a
     * strict comparison keeps the lowest index on a tie */
    for (int a = 0; a < m; a++) {
        for (int b = a + 1; b < m; b++) {
            double c = merge_cost(mean, size, inv_var, d, a, b);
            if (c < nn_cost[a]) {
                nn_cost[a] = c;
                nn[a] = b;
            }
            if (c < nn_cost[b]) {
                nn_cost[b] = c;
                nn[b] = a;
            }
        }
        if ((a & 255) == 255) {
            R_CheckUserInterrupt();
        }
    }
    for (int count = m; count >= 1; count--) {
        for (int q = 0; q < nk; q++) {
            if (ks[q] == count) {
                write_labels(group, m, s->first, labels + (size_t) m * q);
            }
        }
        if (count == 1) {
            break;
        }
        /* the least cost; its owner is the lower of the pair, since the
         * partner holds the same cost (merge_cost is symmetric) */
        int a = -1;
        double best = R_PosInf;
        for (int x = 0; x < m; x++) {
            if (active[x] && (a < 0 || nn_cost[x] < best)) {
                best = nn_cost[x];
                a = x;
            }
        }
        int b = nn[a];
        if (b < a) {
            int t = a;
            a = b;
            b = t;
        }
        int step = m - count;
        merge[step] = a + 1;
        merge[(size_t) step + (m - 1)] = b + 1;
        cost[step] = best;
        /* the merged cluster takes a's place */
        double total = size[a] + size[b];
        for (int j = 0; j < d; j++) {
            double *u = mean + (size_t) d * a;
            u[j] = (size[a] * u[j] + size[b] * mean[(size_t) d * b + j]) / total;
        }
        size[a] = total;
        active[b] = 0;
        for (int i = 0; i < m; i++) {
            if (group[i] == b) {
                group[i] = a;
            }
        }
        nn[a] = -1;
        nn_cost[a] = R_PosInf;
        for (int x = 0; x < m; x++) {
            if (!active[x] || x == a) {
                continue;
            }
            double c = merge_cost(mean, size, inv_var, d, x, a);
            if (c < nn_cost[a]) {
                nn_cost[a] = c;
                nn[a] = x;
            }
            if (nn[x] == a || nn[x] == b) {
                /* its nearest was merged: the merged cluster is nearest
                 * still if it costs no more (every other costs at least
                 * that much, and a is below b), else a scan finds it */
                if (c <= nn_cost[x]) {
                    nn_cost[x] = c;
                    nn[x] = a;
                } else {
                    scan_nearest(mean, size, active, inv_var, m, d, x, nn, nn_cost);
                }
            } else if (c < nn_cost[x] || (c == nn_cost[x] && a < nn[x])) {
                nn_cost[x] = c;
                nn[x] = a;
            }
        }
        if ((step & 63) == 63) {
            R_CheckUserInterrupt();
        }
    }
}

void emix_nearest_centre(const emix_data *dat, const double *inv_var, const double *centres,
                         int k, int *labels)
{
    int n = dat->n, d = dat->d;
    for (int i = 0; i < n; i++) {
        double best = R_PosInf;
        int nearest = 0;
        for (int c = 0; c < k; c++) {
            double dist = 0.0;
            for (int j = 0; j < d; j++) {
                double t = dat->x[i + (size_t) n * j] - centres[c + (size_t) k * j];
                dist += inv_var[j] * t * t;
            }
            if (dist < best) {
                best = dist;
                nearest = c;
            }
        }
        labels[i] = nearest + 1;
        if ((i & 65535) == 65535) {
            R_CheckUserInterrupt();
        }
    }
}
