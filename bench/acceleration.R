# Accelerated EM against plain EM and mclust's EM: the wall time to reach
# the optimum, and how far each stopping point is from it.
#
# Data (all VVV, from a fixed start, no ridge: reg = 0 in every emix fit, as
# mclust has none):
#   overlap  set.seed(1); n = 1e5, d = 5, k = 5; means N(0, 1.2^2), labels
#            uniform, unit spherical noise; start = the true labels;
#   W1       make_workload(1e5, 5, 5) of workloads.R, start = its k-means
#            labels (the workload of em_iteration.R and select.R);
#   overlap1 as overlap but means N(0, 1): more overlap, slower EM.
#
# The optimum L* of each: a long run of plain EM from the same start,
#   emix(x, k, "VVV", init = lab, control = emix_control(reg = 0,
#        accelerate = FALSE, rule = "absolute", tol = 1e-9, max_iter = 20000))
# which stops where a step changes the log-likelihood by no more than
# rounding (a change within 64 eps |L| satisfies every rule; an absolute
# change of 1e-9 is below that here), or after 20000 iterations; and an
# accelerated run with the same rule (at most 5000 iterations), since plain
# EM can still be short of the optimum after 20000 iterations (overlap1).
# L* is the higher of the two; the table reports both runs' distances to it
# and the first iteration of the plain run within 1e-9 (relative) of L*.
#
# Fits timed (elapsed, median of --repeats runs, 3 by default; a fit whose
# first run takes more than --slow seconds, 20 by default, is run once):
#   emix default      emix(x, k, "VVV", init = lab, control = emix_control(reg = 0))
#                     accelerated, rule "aitken", tol 1e-8
#   emix plain aitken accelerate = FALSE, the same rule
#   emix plain mean   accelerate = FALSE, rule = "mean" (the former default)
#   mclust 1e-8       mclust::meVVV(x, z = unmap(lab), control = emControl(tol = 1e-8))
#   mclust default    mclust::meVVV(x, z = unmap(lab), control = emControl())
# each emix fit on emix's default threads and on one thread (mclust runs on
# one). Columns: iterations (emix: fit$iter; mclust: its count, which
# includes the M-step from the start), E-steps (emix: fit$esteps),
# converged, gap = (L* - L) / |L*|, and the time of mclust with tol 1e-8
# divided by this fit's (the target: at least 10 for emix's default).
#
# Run from the package root:
#   Rscript bench/acceleration.R                       # all three, a few minutes
#   Rscript bench/acceleration.R --sets=overlap --repeats=1
suppressPackageStartupMessages(library(emix))

args <- commandArgs(trailingOnly = TRUE)
option <- function(name, default) {
  value <- sub(sprintf("^--%s=", name), "", grep(sprintf("^--%s=", name), args, value = TRUE))
  if (length(value) == 1L) strsplit(value, ",")[[1L]] else default
}
repeats <- as.integer(option("repeats", "3"))
slow <- as.numeric(option("slow", "20"))
sets_wanted <- option("sets", c("overlap", "W1", "overlap1"))
have_mclust <- requireNamespace("mclust", quietly = TRUE)

# ---- data --------------------------------------------------------------------

overlapping <- function(mean_sd, seed = 1L, n = 1e5, d = 5, k = 5) {
  set.seed(seed)
  mu <- matrix(rnorm(k * d, sd = mean_sd), k)
  lab <- sample(k, n, TRUE)
  x <- mu[lab, ] + matrix(rnorm(n * d), n)
  list(x = x, k = k, lab = lab)
}

make_set <- function(name) {
  switch(name,
    overlap = overlapping(1.2),
    overlap1 = overlapping(1),
    W1 = {
      source("bench/workloads.R", local = TRUE)
      w <- make_workload(1e5, 5, 5)
      list(x = w$x, k = 5, lab = w$labels)
    },
    stop("unknown data set ", name))
}

# ---- fitters -------------------------------------------------------------------

default_threads <- emix_control()$threads

emix_fit <- function(s, threads, ...) {
  # a plain-EM fit that reaches max_iter warns; the table shows it as not converged
  suppressWarnings(emix(s$x, s$k, model = "VVV", init = s$lab,
                        control = emix_control(reg = 0, threads = threads, ...)))
}
emix_fitters <- list(
  "emix default" = function(s, threads) emix_fit(s, threads),
  "emix plain aitken" = function(s, threads) emix_fit(s, threads, accelerate = FALSE),
  "emix plain mean" = function(s, threads) emix_fit(s, threads, accelerate = FALSE, rule = "mean")
)
mclust_fitters <- list(
  "mclust tol 1e-8" = function(s) mclust::meVVV(s$x, z = mclust::unmap(s$lab),
                                                control = mclust::emControl(tol = 1e-8)),
  "mclust default" = function(s) mclust::meVVV(s$x, z = mclust::unmap(s$lab),
                                               control = mclust::emControl())
)

# Median elapsed seconds over the runs, and the last run's fit.
timed <- function(call) {
  times <- numeric(0)
  repeat {
    gc()
    elapsed <- system.time(fit <- call())[["elapsed"]]
    times <- c(times, elapsed)
    if (length(times) >= repeats || elapsed > slow) break
  }
  list(fit = fit, seconds = stats::median(times), runs = length(times))
}

# ---- the optimum -----------------------------------------------------------------

optimum <- function(s) {
  plain_time <- system.time(plain <- emix(s$x, s$k, model = "VVV", init = s$lab,
    control = emix_control(reg = 0, accelerate = FALSE, rule = "absolute", tol = 1e-9,
                           max_iter = 20000L)))[["elapsed"]]
  fast <- emix(s$x, s$k, model = "VVV", init = s$lab,
               control = emix_control(reg = 0, rule = "absolute", tol = 1e-9, max_iter = 5000L))
  best <- max(plain$loglik, fast$loglik)
  within <- which((best - plain$trace$loglik) / abs(best) <= 1e-9)
  list(loglik = best, plain_loglik = plain$loglik, plain_iter = plain$iter,
       plain_seconds = plain_time, plain_converged = plain$converged,
       plain_to_limit = utils::tail(plain$trace$to_limit, 1L),
       fast_loglik = fast$loglik, fast_iter = fast$iter,
       first_within = if (length(within)) plain$trace$iter[within[1L]] else NA_integer_)
}

# ---- run -------------------------------------------------------------------------

cat(sprintf("emix %s, mclust %s, %s; %d logical cores; emix's default threads: %d\n",
            utils::packageVersion("emix"),
            if (have_mclust) utils::packageVersion("mclust") else "-",
            R.version.string, parallel::detectCores(), default_threads))
load_before <- if (file.exists("/proc/loadavg")) readLines("/proc/loadavg") else NA

rows <- list()
optima <- list()
for (name in sets_wanted) {
  s <- make_set(name)
  best <- optimum(s)
  optima[[name]] <- best
  cat(sprintf(paste0("\n%s: L* = %.6f; plain EM stopped at iteration %d (%.1f s, converged %s, ",
                     "to_limit %.2g), within 1e-9 of L* from iteration %d; ",
                     "accelerated: %d iterations, (L* - L)/|L*| = %.1e; plain: %.1e\n"),
              name, best$loglik, best$plain_iter, best$plain_seconds, best$plain_converged,
              best$plain_to_limit, best$first_within, best$fast_iter,
              (best$loglik - best$fast_loglik) / abs(best$loglik),
              (best$loglik - best$plain_loglik) / abs(best$loglik)))
  gap <- function(loglik) (best$loglik - loglik) / abs(best$loglik)

  set_rows <- list()
  if (have_mclust) {
    for (fitter in names(mclust_fitters)) {
      t <- timed(function() mclust_fitters[[fitter]](s))
      set_rows[[fitter]] <- data.frame(
        data = name, fitter = fitter, threads = 1L, seconds = t$seconds, runs = t$runs,
        iter = attr(t$fit, "info")[["iterations"]], esteps = NA_integer_,
        converged = is.null(t$fit$WARNING) && attr(t$fit, "returnCode") == 0L,
        gap = gap(t$fit$loglik))
    }
  }
  for (fitter in names(emix_fitters)) {
    for (threads in unique(c(default_threads, 1L))) {
      t <- timed(function() emix_fitters[[fitter]](s, threads))
      set_rows[[paste(fitter, threads)]] <- data.frame(
        data = name, fitter = fitter, threads = threads, seconds = t$seconds, runs = t$runs,
        iter = t$fit$iter, esteps = t$fit$esteps, converged = t$fit$converged,
        gap = gap(t$fit$loglik))
    }
  }
  set_rows <- do.call(rbind, set_rows)
  reference <- set_rows$seconds[set_rows$fitter == "mclust tol 1e-8"]
  set_rows$mclust_ratio <- if (length(reference)) reference / set_rows$seconds else NA_real_
  print(set_rows, row.names = FALSE, digits = 3)
  rows[[name]] <- set_rows
}
load_after <- if (file.exists("/proc/loadavg")) readLines("/proc/loadavg") else NA
cat(sprintf("\nload average before: %s\n              after: %s\n", load_before, load_after))

# ---- markdown table -----------------------------------------------------------------

cat("\n| data | L* | plain EM: iterations run | (L* - L)/\\|L*\\| | first within 1e-9 | accelerated: iterations run | (L* - L)/\\|L*\\| |\n")
cat("|---|---|---|---|---|---|---|\n")
for (name in names(optima)) {
  o <- optima[[name]]
  cat(sprintf("| %s | %.6f | %d | %.1e | %s | %d | %.1e |\n", name, o$loglik, o$plain_iter,
              (o$loglik - o$plain_loglik) / abs(o$loglik),
              if (is.na(o$first_within)) "never" else o$first_within, o$fast_iter,
              (o$loglik - o$fast_loglik) / abs(o$loglik)))
}
cat("\n| data | fitter | threads | seconds | iterations | E-steps | converged | (L* - L)/\\|L*\\| | mclust 1e-8 / this |\n")
cat("|---|---|---|---|---|---|---|---|---|\n")
for (r in rows) {
  for (i in seq_len(nrow(r))) {
    cat(sprintf("| %s | %s | %d | %.3f%s | %d | %s | %s | %.1e | %s |\n",
                r$data[i], r$fitter[i], r$threads[i], r$seconds[i],
                if (r$runs[i] < repeats) sprintf(" (%d run)", r$runs[i]) else "",
                r$iter[i], if (is.na(r$esteps[i])) "" else r$esteps[i],
                if (r$converged[i]) "yes" else "no", r$gap[i],
                if (is.na(r$mclust_ratio[i])) "" else sprintf("%.1f", r$mclust_ratio[i])))
  }
}
