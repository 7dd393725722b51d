# Wall time of the whole default model selection, emix_select() beside
# mclust::Mclust(), and the best BIC each reaches.
#
# Data: W1 of workloads.R (make_workload(1e5, 5, 5)$x, n = 100 000, d = 5)
# and its first 5000 rows. W1's rows are drawn independently (each row's
# cluster is its own draw), so the first 5000 are a random sample of the
# same mixture; taking them needs no seed.
#
# Each fit runs once, with the defaults (k = 1..9, all fourteen models), in
# a child process of its own (so that one fitter's memory and forked workers
# do not disturb the next), stopped by `timeout` after --timeout seconds
# (400 by default), then shown as "> 400 s". Timed (elapsed, around the call
# only, not the loading of the data):
#   emix_select(x, progress = FALSE)              cores = its default, 2 processes
#   emix_select(x, cores = 1, progress = FALSE)   one process, E-step threads at their default
#   emix_select(x, cores = 1, control = emix_control(threads = 1), progress = FALSE)
#                                                 one process, one thread: mclust's footing
#   emix_select(x, screen = FALSE, progress = FALSE)
#                                                 every cell to emix's stopping rule (no screening)
#   Mclust(x, verbose = FALSE)                    G = 1:9, all models, its own start
#                                                 (mclust attached before the timing)
# R's generator is seeded (1) before each call: emix draws its starts and
# mclust its subset of 2000 rows for the hierarchical start from it.
#
# BIC is shown with R's sign (-2 log-likelihood + df log n, smaller is
# better); mclust's BIC is the negative, so its value is negated here.
#
# Run from the package root:
#   Rscript bench/select.R                   # both data sets, several minutes
#   Rscript bench/select.R --rows=5000       # the subset only
#   Rscript bench/select.R --timeout=100 --fitters=emix_cores2,mclust
suppressPackageStartupMessages(library(emix))

args <- commandArgs(trailingOnly = TRUE)
option <- function(name, default) {
  value <- sub(sprintf("^--%s=", name), "", grep(sprintf("^--%s=", name), args, value = TRUE))
  if (length(value) == 1L) strsplit(value, ",")[[1L]] else default
}

fitter_calls <- list(
  emix_cores2 = quote(emix_select(x, progress = FALSE)),
  emix_cores1 = quote(emix_select(x, cores = 1, progress = FALSE)),
  emix_cores1_thread1 = quote(emix_select(x, cores = 1, control = emix_control(threads = 1),
                                          progress = FALSE)),
  # not the default: every cell fitted to emix's stopping rule, to show
  # what the screening saves
  emix_cores2_unscreened = quote(emix_select(x, screen = FALSE, progress = FALSE)),
  mclust = quote(Mclust(x, verbose = FALSE))
)

# ---- child: one fit, its result saved to a file ------------------------------

if (length(args) >= 1L && args[1L] == "--child") {
  fitter <- args[2L]
  x <- readRDS(args[3L])
  # Mclust() must find mclustBIC() on the search path: mclust::Mclust(x)
  # without attaching fails with 'could not find function "mclustBIC"'
  if (fitter == "mclust") suppressPackageStartupMessages(library(mclust))
  set.seed(1)
  elapsed <- system.time(fit <- eval(fitter_calls[[fitter]]))[["elapsed"]]
  result <- if (startsWith(fitter, "emix")) {
    table <- fit$table
    best <- which.min(table$BIC)
    list(elapsed = elapsed, model = table$model[best], k = table$k[best],
         BIC = table$BIC[best], loglik = table$loglik[best],
         failed = sum(!is.na(table$error)),
         screened = sum(table$screened),
         cells = table[c("k", "model", "loglik", "df", "BIC", "converged", "iter", "screened", "error")])
  } else {
    bic <- -unclass(fit$BIC)  # R's sign
    cells <- expand.grid(k = as.integer(rownames(bic)), model = colnames(bic),
                         stringsAsFactors = FALSE)
    cells$BIC <- as.vector(bic)
    list(elapsed = elapsed, model = fit$modelName, k = fit$G, BIC = -fit$bic,
         loglik = fit$loglik, failed = sum(is.na(bic)), cells = cells)
  }
  saveRDS(result, args[4L])
  quit(save = "no")
}

# ---- parent ---------------------------------------------------------------

timeout <- as.numeric(option("timeout", "400"))
fitters <- option("fitters", names(fitter_calls))
rows <- as.numeric(option("rows", c("5000", "1e5")))
if (!requireNamespace("mclust", quietly = TRUE)) {
  fitters <- setdiff(fitters, "mclust")
}
if (Sys.which("timeout") == "") stop("this script needs the `timeout` command (coreutils)")

source("bench/workloads.R")
w1 <- make_workload(1e5, 5, 5)$x
script <- "bench/select.R"

# CPU seconds of the whole machine (/proc/stat, USER_HZ = 100) and of this
# process's waited-for children, to tell whether others ran meanwhile.
machine_cpu <- function() {
  if (!file.exists("/proc/stat")) return(NA_real_)
  ticks <- as.numeric(strsplit(readLines("/proc/stat", n = 1L), " +")[[1L]][-1L])
  sum(ticks[c(1:3, 6:8)]) / 100
}
children_cpu <- function() {
  t <- proc.time()
  sum(t[c("user.child", "sys.child")], na.rm = TRUE)
}

run_fitter <- function(fitter, data_file) {
  out <- tempfile(fileext = ".rds")
  before <- c(machine = machine_cpu(), own = children_cpu(), wall = unname(Sys.time()))
  status <- system2("timeout", c(timeout, file.path(R.home("bin"), "Rscript"), script,
                                 "--child", fitter, data_file, out))
  after <- c(machine = machine_cpu(), own = children_cpu(), wall = unname(Sys.time()))
  others <- (after[["machine"]] - before[["machine"]]) - (after[["own"]] - before[["own"]])
  result <- if (file.exists(out)) readRDS(out) else
    list(elapsed = NA_real_, model = NA_character_, k = NA_integer_, BIC = NA_real_,
         loglik = NA_real_, failed = NA_integer_, cells = NULL)
  result$status <- status
  result$timed_out <- status == 124L
  result$others_pct <- 100 * max(others, 0) / (after[["wall"]] - before[["wall"]])
  result
}

time_text <- function(r) {
  if (r$timed_out) sprintf("> %.0f s", timeout) else if (is.na(r$elapsed)) "failed" else
    sprintf("%.1f s", r$elapsed)
}

cat(sprintf("emix %s, mclust %s, %s; %d logical cores\n", utils::packageVersion("emix"),
            if (requireNamespace("mclust", quietly = TRUE)) utils::packageVersion("mclust") else "-",
            R.version.string, parallel::detectCores()))
cat("BIC with R's sign: -2 log-likelihood + df log(n), smaller is better.\n\n")

lines <- character(0)
results <- list()
for (n in rows) {
  x <- if (n < nrow(w1)) w1[seq_len(n), , drop = FALSE] else w1
  data_file <- tempfile(fileext = ".rds")
  saveRDS(x, data_file)
  for (fitter in fitters) {
    r <- run_fitter(fitter, data_file)
    results[[sprintf("%d/%s", as.integer(n), fitter)]] <- r
    cat(sprintf("n = %6d  %-32s %10s  %s k = %s  BIC %.3f  (other processes: %.0f%% of a core)\n",
                as.integer(n), fitter, time_text(r), r$model, r$k, r$BIC, r$others_pct))
  }
  mclust_run <- results[[sprintf("%d/mclust", as.integer(n))]]
  for (fitter in fitters) {
    r <- results[[sprintf("%d/%s", as.integer(n), fitter)]]
    ratio <- if (fitter == "mclust" || is.na(r$elapsed) || is.null(mclust_run)) "" else
      if (mclust_run$timed_out) sprintf("> %.0f", timeout / r$elapsed) else
        if (is.na(mclust_run$elapsed)) "" else sprintf("%.1f", mclust_run$elapsed / r$elapsed)
    lines <- c(lines, sprintf("| %s | %s | %s | %s | %s | %s | %s | %s |",
                              format(as.integer(n), big.mark = " "), fitter, time_text(r), ratio,
                              r$model, r$k, format(round(r$BIC, 2), nsmall = 2),
                              sprintf("%.0f%%", r$others_pct)))
  }
  # each best cell beside the other fitter's BIC of the same cell
  emix_cells <- results[[sprintf("%d/%s", as.integer(n), fitters[startsWith(fitters, "emix")][1L])]]$cells
  mclust_cells <- if ("mclust" %in% fitters) results[[sprintf("%d/mclust", as.integer(n))]]$cells
  if (!is.null(emix_cells) && !is.null(mclust_cells)) {
    both <- merge(emix_cells, mclust_cells, by = c("k", "model"), suffixes = c("_emix", "_mclust"))
    both$diff <- both$BIC_emix - both$BIC_mclust
    cat(sprintf("  cells where emix's BIC is lower (better) than mclust's by more than 1: %d; higher by more than 1: %d; of %d both fitted\n",
                sum(both$diff < -1, na.rm = TRUE), sum(both$diff > 1, na.rm = TRUE),
                sum(!is.na(both$diff))))
    worst <- both[order(-both$diff), ][1:3, c("k", "model", "BIC_emix", "BIC_mclust", "diff")]
    cat("  cells where emix is furthest behind mclust:\n")
    print(worst, row.names = FALSE)
  }
  cat("\n")
}

cat("| rows | fitter | elapsed | Mclust / this | best model | k | best BIC | other processes |\n")
cat("|---|---|---|---|---|---|---|---|\n")
cat(lines, sep = "\n")
cat("\n")
out_file <- option("out", NA)
if (!is.na(out_file)) saveRDS(results, out_file)
