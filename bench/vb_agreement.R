# Variational Bayes of emix against scikit-learn's BayesianGaussianMixture
# (Dirichlet distribution prior, full covariances) from the same start and
# the same prior: the proportions and means after the same number of
# updates, and their largest relative difference.
#
# Usage: Rscript bench/vb_agreement.R [ITERS]   (default 20)
#
# scikit-learn's default prior on the covariance is cov(x) with divisor
# n - 1, emix's the divisor n, so the prior is given to emix explicitly.
# Only the full model is compared: scikit-learn's diagonal and spherical
# variants use the Wishart's expected log-determinant for their
# precisions, where emix uses independent Gamma precisions (?emix_prior).

suppressPackageStartupMessages(library(emix))
args <- commandArgs(trailingOnly = TRUE)
iters <- if (length(args) >= 1L) as.integer(args[1L]) else 20L
# the first of python3, /usr/bin/python3 that imports scikit-learn
python <- Filter(function(py) {
  nzchar(Sys.which(py)) && identical(suppressWarnings(system2(
    py, c("-c", shQuote("import sklearn.mixture")), stdout = FALSE, stderr = FALSE)), 0L)
}, c("python3", "/usr/bin/python3"))
if (length(python) == 0L) stop("scikit-learn is not available to python3", call. = FALSE)
python <- python[[1L]]

x <- as.matrix(faithful)
k <- 4L
set.seed(1)
labels <- stats::kmeans(x, k)$cluster
fit <- emix(x, k = k, method = vb(prior = emix_prior(alpha = 1 / k, scale = stats::cov(x))),
            init = labels, control = emix_control(max_iter = iters, tol = 0))

data_file <- tempfile(fileext = ".csv")
on.exit(unlink(data_file))
utils::write.table(cbind(x, labels), data_file, sep = ",", row.names = FALSE, col.names = FALSE)
code <- sprintf(paste(
  "import numpy as np, warnings",
  "from sklearn.mixture import BayesianGaussianMixture",
  "warnings.filterwarnings('ignore')",
  "d = np.loadtxt('%s', delimiter=',')",
  "x, lab = d[:, :-1], d[:, -1].astype(int)",
  "resp = np.zeros((x.shape[0], %d)); resp[np.arange(x.shape[0]), lab - 1] = 1.0",
  "gm = BayesianGaussianMixture(n_components=%d, covariance_type='full', tol=0.0, reg_covar=0.0,",
  "    max_iter=%d, weight_concentration_prior_type='dirichlet_distribution')",
  "gm._initialize_parameters = lambda X, random_state: gm._initialize(X, resp)",
  "gm.fit(x)",
  "print(' '.join(repr(v) for v in np.concatenate([gm.weights_, gm.means_.ravel(order='F')])))",
  sep = "\n"), data_file, k, k, iters)
out <- system2(python, c("-c", shQuote(code)), stdout = TRUE)
theirs <- as.numeric(strsplit(out[length(out)], " ")[[1L]])
ours <- c(fit$pro, fit$mean)
cat(sprintf("faithful, k = %d, VVV, %d updates from the same k-means labels\n", k, iters))
print(rbind(emix = ours, sklearn = theirs), digits = 10)
cat(sprintf("largest relative difference: %.2g\n", max(abs(ours - theirs) / abs(ours))))
