"""Seconds per EM iteration of scikit-learn's GaussianMixture.

Usage: python3 sklearn_iter.py FILE COVARIANCE ITERS [REPEATS [BUDGET]]

With COVARIANCE prefixed by "vb-" (vb-full, vb-diag, ...) it times
BayesianGaussianMixture instead: variational Bayes with a Dirichlet
distribution prior on the weights and scikit-learn's default priors
otherwise; loglik is then its lower bound.

FILE is a workload written by write_workload() in workloads.R (int32 n, d, k;
x by rows as float64; labels in 1..k as int32). COVARIANCE is full, tied,
diag or spherical. The fit starts from the responsibilities given by the
labels (an M-step from them), with tol = 0 and reg_covar = 0, so exactly
ITERS iterations run. The time per iteration is
(time of ITERS iterations - time of 1) / (ITERS - 1), from the medians over
up to REPEATS runs of each (default 1); no further pair of runs starts once
the runs so far took BUDGET seconds (default: no limit). Prints one line of
key=value pairs: s_per_iter, loglik (the log-likelihood at the final parameters, a sum over
the observations), n_iter, iters, repeats and the versions used.
"""
import statistics
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture, GaussianMixture


def read_workload(path):
    n, d, k = (int(v) for v in np.fromfile(path, dtype=np.int32, count=3))
    x = np.fromfile(path, dtype=np.float64, offset=12, count=n * d).reshape(n, d)
    labels = np.fromfile(path, dtype=np.int32, offset=12 + 8 * n * d, count=n)
    return x, labels, k


def fit_seconds(x, resp, covariance, max_iter):
    k = resp.shape[1]
    if covariance.startswith("vb-"):
        gm = BayesianGaussianMixture(
            n_components=k, covariance_type=covariance[3:], tol=0.0, reg_covar=0.0,
            max_iter=max_iter, n_init=1,
            weight_concentration_prior_type="dirichlet_distribution")
    else:
        gm = GaussianMixture(n_components=k, covariance_type=covariance, tol=0.0,
                             reg_covar=0.0, max_iter=max_iter, n_init=1)
    # Start from the given responsibilities rather than from k-means.
    gm._initialize_parameters = lambda X, random_state: gm._initialize(X, resp)
    start = time.perf_counter()
    gm.fit(x)
    return time.perf_counter() - start, gm


def main(argv):
    if len(argv) not in (4, 5, 6):
        sys.exit(__doc__)
    path, covariance, iters = argv[1], argv[2], int(argv[3])
    repeats = int(argv[4]) if len(argv) >= 5 else 1
    budget = float(argv[5]) if len(argv) == 6 else float("inf")
    if iters < 2 or repeats < 1:
        sys.exit("ITERS must be at least 2 and REPEATS at least 1")
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    x, labels, k = read_workload(path)
    resp = np.zeros((x.shape[0], k))
    resp[np.arange(x.shape[0]), labels - 1] = 1.0

    one, many = [], []
    for _ in range(repeats):
        seconds, _ = fit_seconds(x, resp, covariance, 1)
        one.append(seconds)
        seconds, gm = fit_seconds(x, resp, covariance, iters)
        many.append(seconds)
        if sum(one) + sum(many) > budget:
            break
    per_iter = (statistics.median(many) - statistics.median(one)) / (iters - 1)
    if covariance.startswith("vb-"):
        loglik = gm.lower_bound_
    else:
        loglik = gm.score(x) * x.shape[0]
    print(f"s_per_iter={per_iter:.6g} loglik={loglik:.17g} n_iter={gm.n_iter_} "
          f"iters={iters} repeats={len(one)} sklearn={sklearn.__version__} numpy={np.__version__}")


if __name__ == "__main__":
    main(sys.argv)
