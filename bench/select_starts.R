# Which start of model selection finds the highest log-likelihood most often.
#
# For each data set, each start strategy of selection_starts() ("hc",
# "kmeans++", "random", "short") gives one partition per k = 2..6; EM of
# every covariance model runs from it (emix(init = labels), default
# control). For each (data, k, model) the best log-likelihood over the
# strategies is the reference; a strategy reaches it when its fit is within
# 1e-6 (relative) of it. A fit that fails (a degenerate component) counts
# as not reaching it. Reported per strategy: fits that reach the best, fits
# that failed, seconds of the starts and of the EM fits.
#
# Also mclust's own start (hierarchical agglomeration under VVV on SVD-scaled
# data), when mclust is installed, for comparison: "hc" reproduces it, so
# the two lines should agree. Last, the cost of each start on n = 1e5 rows.
# About 40 s (the fits take most of it).
#
# Run from the package root:  Rscript bench/select_starts.R [--models=EII,VVV] [--seed=1]
# (--seed: the seed set before each strategy's starts; the data are fixed)
suppressPackageStartupMessages(library(emix))

args <- commandArgs(trailingOnly = TRUE)
models_arg <- sub("^--models=", "", grep("^--models=", args, value = TRUE))
models <- if (length(models_arg) == 1L) strsplit(models_arg, ",")[[1L]] else
  c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV",
    "EVV", "VVV")
ks <- 2:6
seed_arg <- sub("^--seed=", "", grep("^--seed=", args, value = TRUE))
start_seed <- if (length(seed_arg) == 1L) as.integer(seed_arg) else 1L
strategies <- c("hc", "kmeans++", "random", "short")
# for comparison: mclust's start, its hierarchical agglomeration under VVV
# on the SVD-scaled data (hc(), hclass()), which "hc" reproduces
if (requireNamespace("mclust", quietly = TRUE)) {
  suppressPackageStartupMessages(library(mclust)) # hc() finds hcVVV() on the search path
  strategies <- c(strategies, "mclust_hc")
}
mclust_hc_starts <- function(x, ks) {
  tree <- mclust::hc(x, modelName = "VVV", use = "SVD")
  labels <- mclust::hclass(tree, ks)
  stats::setNames(lapply(seq_along(ks), function(q) as.integer(labels[, q])), ks)
}
run_start <- Sys.time()

set.seed(20261130)
simulate <- function(n, means, sds) {
  k <- nrow(means)
  g <- sample.int(k, n, replace = TRUE)
  means[g, ] + matrix(rnorm(n * ncol(means)), n) * sds[g]
}
data_sets <- list(
  faithful = as.matrix(faithful),
  iris = as.matrix(iris[1:4]),
  USArrests = as.matrix(USArrests),
  swiss = as.matrix(swiss),
  quakes = as.matrix(quakes[1:4]),
  trees = as.matrix(trees),
  # four overlapping spherical clusters of unequal spread, n = 600, d = 3
  sim_overlap = simulate(600, rbind(c(0, 0, 0), c(2, 0, 0), c(0, 2.5, 0), c(1, 1, 3)),
                         c(1, 0.5, 1.5, 0.8)),
  # three elongated clusters side by side, n = 900, d = 2
  sim_elongated = simulate(900, rbind(c(0, 0), c(0, 3), c(0, 6)), c(1, 1, 1)) %*%
    diag(c(8, 1))
)
if (requireNamespace("MASS", quietly = TRUE)) {
  data_sets$crabs <- as.matrix(MASS::crabs[4:8])
}

rows <- list()
for (name in names(data_sets)) {
  x <- data_sets[[name]]
  for (strategy in strategies) {
    set.seed(start_seed)
    start_time <- system.time(gcFirst = FALSE, 
      starts <- if (strategy == "mclust_hc") mclust_hc_starts(x, ks) else
        emix:::selection_starts(x, ks, strategy, NULL, emix_control())
    )[["elapsed"]]
    for (k in ks) {
      for (model in models) {
        loglik <- NA_real_
        fit_time <- system.time(gcFirst = FALSE, loglik <- tryCatch(
          suppressWarnings(emix(x, k = k, model = model, init = starts[[as.character(k)]])$loglik),
          emix_error_degenerate = function(e) NA_real_
        ))[["elapsed"]]
        rows[[length(rows) + 1L]] <- data.frame(
          data = name, strategy = strategy, k = k, model = model, loglik = loglik,
          start_seconds = start_time / (length(ks) * length(models)), fit_seconds = fit_time)
      }
    }
  }
  cat(name, "done\n")
}
res <- do.call(rbind, rows)
best <- ave(res$loglik, res$data, res$k, res$model, FUN = function(v) {
  if (all(is.na(v))) NA_real_ else max(v, na.rm = TRUE)
})
res$reached <- !is.na(res$loglik) & !is.na(best) & res$loglik >= best - 1e-6 * abs(best)
cases <- sum(!is.na(best)) / length(strategies)
summary_table <- do.call(rbind, lapply(strategies, function(s) {
  r <- res[res$strategy == s, ]
  data.frame(strategy = s, reached = sum(r$reached), of = cases,
             failed = sum(is.na(r$loglik)), start_seconds = round(sum(r$start_seconds), 2),
             fit_seconds = round(sum(r$fit_seconds), 2))
}))
print(summary_table, row.names = FALSE)
cat("\nReached the best, by data set:\n")
print(with(res, tapply(reached, list(data, strategy), sum)))
cat("\nReached the best, by k:\n")
print(with(res, tapply(reached, list(k, strategy), sum)))
cat(sprintf("\nOnly this strategy reached the best: %s\n", paste(vapply(strategies, function(s) {
  only <- with(res, tapply(reached & strategy == s, list(data, k, model), sum) == 1 &
                 tapply(reached, list(data, k, model), sum) == 1)
  sprintf("%s %d", s, sum(only, na.rm = TRUE))
}, character(1)), collapse = ", ")))
cat(sprintf("\nWall time: %.0f s\n", as.numeric(difftime(Sys.time(), run_start, units = "secs"))))

# The cost on larger data: five clusters, n = 1e5, d = 5, k = 1..9.
set.seed(3)
n <- 1e5
big <- matrix(rnorm(n * 5), n) + 3 * sample(0:4, n, replace = TRUE)
cat("\nSeconds of the starts for k = 1..9, n = 1e5, d = 5:\n")
for (strategy in setdiff(strategies, "mclust_hc")) {
  set.seed(start_seed)
  cat(sprintf("  %-9s %.2f\n", strategy, system.time(gcFirst = FALSE,
    emix:::selection_starts(big, 1:9, strategy, NULL, emix_control()))[["elapsed"]]))
}
cat(sprintf("  one VVV fit at k = 5 (default start): %.2f\n",
            system.time(gcFirst = FALSE, emix(big, k = 5))[["elapsed"]]))
