# Synthetic workloads for the speed benchmarks.
#
# make_workload(n, d, k) simulates n points in d dimensions from k Gaussian
# clusters and returns list(x = n x d matrix, labels = a k-means partition in
# 1..k), the start every fitter is timed from. The recipe is fixed (seed,
# calls and their order), so the same n, d, k give the same numbers on every
# run with the same R: cluster means N(0, 3^2), cluster j drawn with
# probability proportional to j, each cluster's noise a standard normal
# times (I + N(0, 0.4^2) entries), then k-means (20 Lloyd-type iterations at
# most, seed 1).
#
# write_workload(w, path) stores a workload for other languages: int32 n,
# d, k; then x by rows as float64; then the labels as int32.

make_workload <- function(n, d, k, seed = 20261125L) {
  sim <- simulate_clusters(n, d, k, seed)
  set.seed(1)
  start <- stats::kmeans(sim$x, k, iter.max = 20)
  list(x = sim$x, labels = start$cluster)
}

# The simulated points and the cluster each was drawn from (the truth).
simulate_clusters <- function(n, d, k, seed = 20261125L) {
  set.seed(seed)
  centres <- matrix(stats::rnorm(k * d, sd = 3), nrow = k, ncol = d)
  cluster <- sample.int(k, n, replace = TRUE, prob = seq_len(k))
  x <- centres[cluster, , drop = FALSE]
  for (j in seq_len(k)) {
    rows <- which(cluster == j)
    shape <- matrix(stats::rnorm(d * d, sd = 0.4), nrow = d, ncol = d) + diag(d)
    noise <- matrix(stats::rnorm(length(rows) * d), ncol = d)
    x[rows, ] <- x[rows, ] + noise %*% shape
  }
  list(x = x, labels = cluster)
}

write_workload <- function(w, path) {
  con <- file(path, open = "wb")
  on.exit(close(con))
  header <- c(nrow(w$x), ncol(w$x), max(w$labels))
  writeBin(as.integer(header), con, size = 4L)
  writeBin(as.double(t(w$x)), con)
  writeBin(as.integer(w$labels), con, size = 4L)
  invisible(path)
}

# The workloads of the benchmarks, and the covariance models timed on each.
workloads <- list(
  W1 = c(n = 1e5, d = 5, k = 5),
  W2 = c(n = 1e6, d = 2, k = 3),
  W3 = c(n = 2e4, d = 50, k = 10)
)
workload_models <- list(
  W1 = c("VVV", "EEE", "VII", "VVI"),
  W2 = "VVV",
  W3 = "VVV"
)
