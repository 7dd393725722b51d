# The cost and the quality of the default start (init = "kmeans++").
#
# For W1 (n = 1e5, d = 5, k = 5) and for n = 1e6, d = 20, k = 5, both VVV
# with the default control: seconds for the start alone and for the whole
# fit (medians of 5 runs on W1, one run on the large data), and on W1 how many of 20 seeds reach the optimum, the log-likelihood
# EM reaches from the true labels (to 1e-6 relative).
#
# The data are workloads.R's simulate_clusters() (its recipe for W1), with
# the true labels kept; the start is measured with the size rule of a VVV
# component, as emix_fit() sets it.
#
# Run from the package root:  Rscript bench/start.R
suppressPackageStartupMessages(library(emix))

script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) dirname(sub("^--file=", "", file_arg)) else "bench"
})
source(file.path(script_dir, "workloads.R")) # simulate_clusters()

# seconds of the start alone, as emix_fit() calls it
start_seconds <- function(x, k, control = emix_control()) {
  core <- emix:::core_control(control, x, NULL)
  core$min_rows <- emix:::needed_observations("VVV", k, ncol(x))$each
  init <- emix:::check_init("kmeans++", x, k)
  system.time(emix:::start_responsibilities(init, x, k, NULL, core, control$seeds))[["elapsed"]]
}

# the median of `times` timings (seeds 1, 2, ...), as the machine is shared
report <- function(name, x, k, labels, seeds = 0L, times = 1L) {
  fit <- NULL
  start <- median(vapply(seq_len(times), function(s) {
    set.seed(s)
    start_seconds(x, k)
  }, numeric(1)))
  fit_time <- median(vapply(seq_len(times), function(s) {
    set.seed(s)
    system.time(fit <<- emix(x, k = k))[["elapsed"]]
  }, numeric(1)))
  cat(sprintf("%s: start %.3f s, whole fit %.3f s (start %.1f%% of the fit; %d EM iterations)\n",
              name, start, fit_time, 100 * start / fit_time, fit$iter))
  if (seeds > 0L) {
    optimum <- emix(x, k = k, init = labels)$loglik
    reached <- vapply(seq_len(seeds), function(s) {
      set.seed(s)
      abs(emix(x, k = k)$loglik - optimum) <= 1e-6 * abs(optimum)
    }, logical(1))
    cat(sprintf("%s: %d of %d seeds reach the optimum %.4f\n", name, sum(reached), seeds, optimum))
  }
}

w1 <- simulate_clusters(1e5, 5, 5)
report("W1 (1e5 x 5, k = 5, VVV)", w1$x, 5L, w1$labels, seeds = 20L, times = 5L)
big <- simulate_clusters(1e6, 20, 5)
report("1e6 x 20, k = 5, VVV", big$x, 5L, big$labels)
