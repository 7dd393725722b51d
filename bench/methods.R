# Seconds per iteration of each member of the EM family in emix, on the
# workload W1 of workloads.R (n = 1e5, d = 5, k = 5), from its k-means
# labels, and scikit-learn's variational Bayes beside emix's.
#
# Usage: Rscript bench/methods.R [--threads=N] [--iters=N]
#
# Seconds per iteration = (time of a run of N iterations - time of a run
# of 1) / (its iterations - 1), medians of 3 pairs, so the set-up cancels.
# "Iteration" means one E-step (or S-step, or C-step) and one parameter
# step: for "gibbs" a sweep, for "iem" a sweep over all blocks. cem and me
# also stop when no label moves, and only then does me try mergers of
# components; their N is kept below the iterations they need to stop, so
# that only iterations are timed.

suppressPackageStartupMessages(library(emix))

script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) dirname(sub("^--file=", "", file_arg)) else "bench"
})
source(file.path(script_dir, "workloads.R"))

args <- commandArgs(trailingOnly = TRUE)
option <- function(name, default) {
  hit <- grep(sprintf("^--%s=", name), args, value = TRUE)
  if (length(hit) == 1L) as.integer(sub("^[^=]+=", "", hit)) else default
}
threads <- option("threads", 1L)
iters <- option("iters", 30L)

w <- make_workload(1e5, 5, 5)
methods <- c("em", "cem", "sem", "vb", "me", "gibbs", "iem")

# A fit of `n` iterations of `method`, timed.
run <- function(method, model, n) {
  # Gibbs runs burnin + draws sweeps, whatever max_iter
  settings <- if (method == "gibbs") gibbs(burnin = n - 1L, draws = 1L) else method
  control <- switch(method,
    gibbs = emix_control(threads = threads),
    me = emix_control(max_iter = n, tol = 0, threads = threads),
    # plain EM iterations, not accelerated ones (which can take two E-steps)
    em = emix_control(max_iter = n, tol = 0, reg = 0, threads = threads, accelerate = FALSE),
    emix_control(max_iter = n, tol = 0, reg = 0, threads = threads)
  )
  invisible(gc(verbose = FALSE))
  set.seed(1)
  seconds <- system.time(
    fit <- emix(w$x, k = 5, model = model, method = settings, init = w$labels,
                control = control)
  )[["elapsed"]]
  # the iterations before the first merger of me, or all
  merges <- c(which(fit$trace$merge %in% TRUE), nrow(fit$trace) + 1L)
  list(seconds = seconds, iter = fit$iter, sweeps = merges[1L] - 2L)
}

per_iteration <- function(method, model) {
  n <- iters
  if (method %in% c("cem", "me")) {
    n <- min(n, run(method, model, 1000L)$sweeps - 1L)
  }
  pairs <- replicate(3L, {
    one <- run(method, model, 1L)
    many <- run(method, model, n)
    c(one$seconds, many$seconds, one$iter, many$iter)
  })
  span <- pairs[4L, 1L] - pairs[3L, 1L]
  if (span < 1L) {
    return(c(s_per_iter = NA, iterations = pairs[4L, 1L]))
  }
  c(s_per_iter = (stats::median(pairs[2L, ]) - stats::median(pairs[1L, ])) / span,
    iterations = pairs[4L, 1L])
}

python <- local({
  found <- NULL
  for (py in c("python3", "/usr/bin/python3")) {
    if (is.null(found) && nzchar(Sys.which(py)) && identical(suppressWarnings(system2(
      py, c("-c", shQuote("import sklearn.mixture")), stdout = FALSE, stderr = FALSE)), 0L)) {
      found <- unname(Sys.which(py))
    }
  }
  found
})
sklearn_vb <- function(model) {
  if (is.null(python)) return(NA_real_)
  path <- tempfile(fileext = ".bin")
  on.exit(unlink(path))
  write_workload(w, path)
  cov <- c(VVV = "vb-full", VVI = "vb-diag", VII = "vb-spherical")[[model]]
  out <- system2(python, c(shQuote(file.path(script_dir, "sklearn_iter.py")), shQuote(path),
                           cov, iters, 3L), stdout = TRUE)
  as.numeric(sub("^s_per_iter=([^ ]+) .*$", "\\1", out[length(out)]))
}

rows <- list()
for (model in c("VVV", "VVI", "VII")) {
  for (method in methods) {
    r <- per_iteration(method, model)
    rows[[length(rows) + 1L]] <- data.frame(model = model, method = method,
                                            iterations = r[["iterations"]],
                                            s_per_iter = signif(r[["s_per_iter"]], 3))
  }
  rows[[length(rows) + 1L]] <- data.frame(model = model, method = "sklearn vb",
                                          iterations = iters,
                                          s_per_iter = signif(sklearn_vb(model), 3))
}
table <- do.call(rbind, rows)
table$relative_to_em <- round(table$s_per_iter /
  table$s_per_iter[table$method == "em"][match(table$model, c("VVV", "VVI", "VII"))], 2)
cat(sprintf("W1 (n = 1e5, d = 5, k = 5), emix on %d thread%s, N = %d\n", threads,
            if (threads > 1L) "s" else "", iters))
print(table, row.names = FALSE)
