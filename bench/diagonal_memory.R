# Peak memory of a diagonal-model fit at large d: emix(x, k = 3, model = "VVI")
# for x of 2000 x 2000 and 1000 x 5000 (three groups, variances varying by
# group and variable).
#
# Usage: Rscript bench/diagonal_memory.R [n d [n d ...]]
#        (default: 2000 2000 1000 5000)
#
# For each fit: the high-water mark of the resident set (VmHWM, reset before
# the fit by writing 5 to /proc/self/clear_refs, as bench/memory.R does)
# above the resident set just before the fit, R's own account (gc()'s "max
# used", reset before the fit), and for scale the data and the d x d x k
# covariance array the fit returns. The C core keeps a diagonal model's
# covariances as diagonals, so that array (which R's interface promises) is
# the only d x d x k allocation left. Linux only.

suppressPackageStartupMessages(library(emix))
script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) dirname(sub("^--file=", "", file_arg)) else "bench"
})
source(file.path(script_dir, "proc_memory.R")) # vm(), reset_hwm(), r_heap_max()
if (!file.exists("/proc/self/status")) stop("needs /proc/self/status (Linux)", call. = FALSE)

args <- as.numeric(commandArgs(trailingOnly = TRUE))
sizes <- if (length(args) >= 2L) matrix(args, nrow = 2L) else matrix(c(2000, 2000, 1000, 5000), nrow = 2L)

mb <- function(bytes) bytes / 1e6

# three groups of rows with different centres and per-variable spreads
make_data <- function(n, d, k = 3L) {
  set.seed(1)
  group <- sample.int(k, n, replace = TRUE)
  centres <- matrix(rnorm(k * d, sd = 2), k, d)
  spreads <- matrix(runif(k * d, 0.5, 2), k, d)
  centres[group, ] + spreads[group, ] * matrix(rnorm(n * d), n, d)
}

cat(sprintf("emix %s, %s, %d thread(s): emix(x, k = 3, model = \"VVI\")\n",
            utils::packageVersion("emix"), R.version.string, emix_control()$threads))
for (case in seq_len(ncol(sizes))) {
  n <- sizes[1L, case]
  d <- sizes[2L, case]
  x <- make_data(n, d)
  invisible(gc())
  reset <- reset_hwm()
  invisible(gc(reset = TRUE))
  before <- vm()
  seconds <- system.time(fit <- emix(x, k = 3, model = "VVI"))[["elapsed"]]
  heap <- r_heap_max(gc()) * 1.048576
  after <- vm()
  cat(sprintf("\nn = %g, d = %g: data %.0f MB, returned sigma (d x d x 3) %.0f MB; %d iterations, %.1f s\n",
              n, d, mb(8 * n * d), mb(8 * d * d * 3), fit$iter, seconds))
  cat(sprintf("  peak above the RSS before the fit: %8.1f MB%s\n", after[["hwm"]] - before[["rss"]],
              if (reset) "" else " (peak not reset: may be an earlier one)"))
  cat(sprintf("  R heap max used (gc):              %8.1f MB\n", heap))
  rm(fit, x)
}
