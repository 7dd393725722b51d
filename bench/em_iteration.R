# Seconds per EM iteration of emix, mclust and scikit-learn on the workloads
# of workloads.R, all from the same k-means labels, with tol = 0 (so a fixed
# number of iterations runs) and no ridge.
#
# Usage: Rscript bench/em_iteration.R [options] [W1 W2 W3]   (default: all)
#   --iters=N      iterations per timed fit, the same for every fitter
#                  (default: chosen per fitter and row from a short pilot)
#   --target=S     seconds of a timed fit when N is chosen (default 2)
#   --repeats=R    timed pairs per fitter; the medians are used (default 3)
#   --budget=S     stop repeating a fitter once its pairs took S seconds
#                  (default 15); at least one pair is always run
#   --threads=A[,B...]  emix's threads: the first count gives the main
#                  columns (ratios, GFLOP/s), the others extra columns
#                  (default: 1, and the package's default if that is more;
#                  mclust and scikit-learn here run on one thread)
#   --out=FILE     also write the table as CSV
#
# Seconds per iteration = (time of N iterations - time of 1) / (N - 1), so
# the set-up (checks, the start, the final E-step, building the result)
# cancels. One iteration is an E-step and an M-step. The three fitters run
# the same computation: emix with max_iter = N, mclust with itmax = N + 1
# (its count includes the M-step from the start) and scikit-learn with
# max_iter = N all end at the parameters after N M-steps past the start.
# The N of mclust and scikit-learn is at most emix's, and the table shows
# the relative difference of their final log-likelihoods to emix's after
# the same number of iterations (from emix's trace) to confirm it.

suppressPackageStartupMessages(library(emix))

script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) dirname(sub("^--file=", "", file_arg)) else "bench"
})
source(file.path(script_dir, "workloads.R"))

# ---- options ---------------------------------------------------------------

parse_args <- function(args) {
  opts <- list(iters = NA_integer_, target = 2, repeats = 3L, budget = 15, threads = NULL,
               out = NA_character_)
  is_opt <- startsWith(args, "--")
  for (a in args[is_opt]) {
    key <- sub("^--([^=]+)=.*$", "\\1", a)
    value <- sub("^--[^=]+=", "", a)
    if (!grepl("=", a, fixed = TRUE) || !key %in% names(opts)) {
      stop(sprintf("unknown option '%s'; see the head of em_iteration.R", a), call. = FALSE)
    }
    opts[[key]] <- switch(key,
      iters = , repeats = as.integer(value),
      target = , budget = as.numeric(value),
      threads = as.integer(strsplit(value, ",", fixed = TRUE)[[1L]]),
      out = value
    )
  }
  if (!is.na(opts$iters) && opts$iters < 2L) stop("--iters must be at least 2", call. = FALSE)
  if (is.na(opts$repeats) || opts$repeats < 1L) stop("--repeats must be at least 1", call. = FALSE)
  if (!is.null(opts$threads) && (anyNA(opts$threads) || any(opts$threads < 1L))) {
    stop("--threads must be whole numbers of at least 1", call. = FALSE)
  }
  chosen <- args[!is_opt]
  if (length(chosen) == 0L) chosen <- names(workloads)
  unknown <- setdiff(chosen, names(workloads))
  if (length(unknown) > 0L) {
    stop(sprintf("unknown workload(s) %s; choose from %s", paste(unknown, collapse = ", "),
                 paste(names(workloads), collapse = ", ")), call. = FALSE)
  }
  opts$workloads <- chosen
  opts
}

# ---- timing ----------------------------------------------------------------

# Wall-clock seconds of run(iters), after a garbage collection, and its value.
timed <- function(run, iters) {
  invisible(gc(verbose = FALSE))
  start <- proc.time()[["elapsed"]]
  value <- run(iters)
  list(seconds = proc.time()[["elapsed"]] - start, value = value)
}

# Seconds per iteration from pairs of fits of 1 and of N iterations. With
# `ran` (iterations a fit actually ran), a fit of N that stopped after m < N
# iterations ends the measurement at once with `short = m`.
per_iteration <- function(run, iters, repeats, budget, ran = NULL) {
  one <- many <- numeric(0)
  for (r in seq_len(repeats)) {
    a <- timed(run, 1L)
    b <- timed(run, iters)
    if (!is.null(ran) && (ran(a$value) != 1L || ran(b$value) != iters)) {
      return(list(short = c(ran(a$value), ran(b$value))))
    }
    one <- c(one, a$seconds)
    many <- c(many, b$seconds)
    if (sum(one, many) > budget) break
  }
  list(
    s_per_iter = (stats::median(many) - stats::median(one)) / (iters - 1L),
    first = a$value, last = b$value, repeats = length(one)
  )
}

# Floating-point operations of one EM iteration (E-step + M-step), counting
# a multiply-add as 2.
em_flops <- function(model, n, d, k) {
  switch(model,
    VVV = (k * n * d^2 + 3 * k * n * d) + (k * n * d^2 + 5 * k * n * d),
    EEE = (n * d^2 + 2 * n * k * d) + (2 * n * k * d + 2 * k * d^2),
    VVI = (4 * n * k * d) + (4 * n * k * d),
    VII = (2 * n * k * d) + (2 * n * k * d + 2 * n * k),
    NA_real_
  )
}

sklearn_names <- c(VVV = "full", EEE = "tied", VVI = "diag", VII = "spherical")

# The first of python3, /usr/bin/python3 that imports scikit-learn, or NULL.
find_python <- function() {
  for (py in c("python3", "/usr/bin/python3")) {
    if (!nzchar(Sys.which(py))) next
    status <- suppressWarnings(system2(py, c("-c", shQuote("import sklearn.mixture")),
                                       stdout = FALSE, stderr = FALSE))
    if (identical(status, 0L)) return(unname(Sys.which(py)))
  }
  NULL
}

run_sklearn <- function(python, path, model, iters, repeats, budget) {
  errors <- tempfile()
  on.exit(unlink(errors))
  out <- suppressWarnings(system2(
    python, c(shQuote(file.path(script_dir, "sklearn_iter.py")), shQuote(path),
              sklearn_names[[model]], iters, repeats, budget),
    stdout = TRUE, stderr = errors
  ))
  fields <- regmatches(out, regexpr("s_per_iter=.*$", out))
  if (length(fields) != 1L) {
    message("scikit-learn failed:\n", paste(readLines(errors), collapse = "\n"))
    return(NULL)
  }
  pairs <- strsplit(strsplit(fields, " ", fixed = TRUE)[[1]], "=", fixed = TRUE)
  values <- stats::setNames(vapply(pairs, `[`, "", 2L), vapply(pairs, `[`, "", 1L))
  list(s_per_iter = as.numeric(values[["s_per_iter"]]), loglik = as.numeric(values[["loglik"]]),
       n_iter = as.integer(values[["n_iter"]]), repeats = as.integer(values[["repeats"]]),
       version = values[["sklearn"]])
}

rel_diff <- function(a, b) abs(a - b) / abs(a)

# CPU seconds spent by the whole machine (busy and stolen time, from
# /proc/stat, USER_HZ = 100) and by this process and its children, to tell
# whether anything else ran during the measurements.
machine_cpu <- function() {
  if (!file.exists("/proc/stat")) return(NA_real_)
  ticks <- as.numeric(strsplit(readLines("/proc/stat", n = 1L), " +")[[1L]][-1L])
  sum(ticks[c(1:3, 6:8)]) / 100  # user, nice, system, irq, softirq, steal
}
own_cpu <- function() {
  t <- proc.time()
  sum(t[c("user.self", "sys.self", "user.child", "sys.child")], na.rm = TRUE)
}

thread_note <- function(threads) if (is.na(threads)) "" else sprintf(" on %d thread%s", threads, if (threads > 1L) "s" else "")

# ---- one row of the table --------------------------------------------------

# Iterations for a fit of about `target` seconds, from a pilot's seconds per
# iteration: at least 10, at most `upper`.
choose_iters <- function(per_iter, target, upper) {
  as.integer(min(max(ceiling(target / max(per_iter, 1e-5)), 10), upper))
}

# Each fitter is timed over N iterations chosen from its own pilot (so the
# slow ones do not take minutes), at most emix's N; its final log-likelihood
# is compared with emix's after the same number of iterations, which emix's
# trace holds.
bench_model <- function(name, w, model, opts, python, path) {
  n <- nrow(w$x)
  d <- ncol(w$x)
  k <- max(w$labels)
  fixed <- !is.na(opts$iters)
  emix_runner <- function(threads) {
    # plain EM: an accelerated fit's iterations are not the EM iterations
    # mclust and scikit-learn run
    control <- list(tol = 0, reg = 0, accelerate = FALSE)
    if (!is.na(threads)) control$threads <- threads
    function(iters) {
      emix(w$x, k, model = model, init = w$labels,
           control = do.call(emix_control, c(control, list(max_iter = iters))))
    }
  }
  pilot <- function(run) (timed(run, 6L)$seconds - timed(run, 1L)$seconds) / 5

  run_emix <- emix_runner(opts$threads[1L])
  iters <- if (fixed) opts$iters else choose_iters(pilot(run_emix), opts$target, 5000L)
  message(sprintf("%s %s", name, model))
  em <- per_iteration(run_emix, iters, opts$repeats, opts$budget)
  stopifnot(em$first$iter == 1L, em$last$iter == iters)
  emix_ll_at <- function(it) em$last$trace$loglik[em$last$trace$iter == it]
  row <- data.frame(
    workload = name, n = n, d = d, k = k, model = model,
    iters = iters, mclust_iters = NA_integer_, sklearn_iters = NA_integer_,
    emix = em$s_per_iter, mclust = NA_real_, sklearn = NA_real_,
    mclust_emix = NA_real_, sklearn_emix = NA_real_,
    emix_gflops = em_flops(model, n, d, k) / em$s_per_iter / 1e9,
    ll_mclust = NA_real_, ll_sklearn = NA_real_,
    pairs_emix = em$repeats, pairs_mclust = NA_integer_, pairs_sklearn = NA_integer_
  )
  message(sprintf("  emix    %.5f s/iter, N = %d (%d pairs)%s", em$s_per_iter, iters, em$repeats,
                  thread_note(opts$threads[1L])))
  for (threads in opts$threads[-1L]) {
    more <- per_iteration(emix_runner(threads), iters, opts$repeats, opts$budget)
    same <- identical(more$last$loglik, em$last$loglik)
    row[[paste0("emix_", threads, "thr")]] <- more$s_per_iter
    row[[paste0("same_ll_", threads, "thr")]] <- same
    message(sprintf("  emix    %.5f s/iter, N = %d (%d pairs)%s, log-likelihood %s", more$s_per_iter,
                    iters, more$repeats, thread_note(threads), if (same) "identical" else "DIFFERENT"))
  }

  if (requireNamespace("mclust", quietly = TRUE)) {
    # mclust::me() only dispatches to me<model>() by name, in the caller's
    # frame; call that function directly so mclust need not be attached.
    me_model <- getExportedValue("mclust", paste0("me", model))
    z0 <- mclust::unmap(w$labels)
    run_mclust <- function(iters) {
      # itmax counts the M-step from the start, which emix's max_iter does not
      suppressWarnings(me_model(data = w$x, z = z0, control = mclust::emControl(
        tol = c(0, 0), itmax = c(iters + 1L, iters + 1L))))
    }
    mclust_ran <- function(fit) as.integer(abs(attr(fit, "info")[["iterations"]])) - 1L
    mc_iters <- if (fixed) iters else choose_iters(pilot(run_mclust), opts$target, iters)
    mc <- per_iteration(run_mclust, mc_iters, opts$repeats, opts$budget, ran = mclust_ran)
    # Even with tol = 0 mclust stops once the log-likelihood repeats exactly
    # (EM at a fixed point in floating point); time it over what it runs.
    if (!is.null(mc$short) && mc$short[1L] == 1L && mc$short[2L] >= 2L) {
      mc_iters <- mc$short[2L]
      message(sprintf("  mclust stops after %d iterations (log-likelihood unchanged)", mc_iters))
      mc <- per_iteration(run_mclust, mc_iters, opts$repeats, opts$budget, ran = mclust_ran)
    }
    if (is.null(mc$short)) {
      row$mclust <- mc$s_per_iter
      row$mclust_iters <- mc_iters
      row$mclust_emix <- mc$s_per_iter / em$s_per_iter
      row$ll_mclust <- rel_diff(emix_ll_at(mc_iters), mc$last$loglik)
      row$pairs_mclust <- mc$repeats
      message(sprintf("  mclust  %.5f s/iter, N = %d (%d pairs)", mc$s_per_iter, mc_iters, mc$repeats))
    } else {
      message(sprintf("  mclust ran %d and %d iterations instead of 1 and %d; not reported",
                      mc$short[1L], mc$short[2L], mc_iters))
    }
  }

  if (!is.null(python)) {
    sk_iters <- iters
    if (!fixed) {
      sk_pilot <- run_sklearn(python, path, model, 6L, 1L, Inf)
      if (!is.null(sk_pilot)) sk_iters <- choose_iters(sk_pilot$s_per_iter, opts$target, iters)
    }
    sk <- run_sklearn(python, path, model, sk_iters, opts$repeats, opts$budget)
    if (!is.null(sk) && sk$n_iter == sk_iters) {
      row$sklearn <- sk$s_per_iter
      row$sklearn_iters <- sk_iters
      row$sklearn_emix <- sk$s_per_iter / em$s_per_iter
      row$ll_sklearn <- rel_diff(emix_ll_at(sk_iters), sk$loglik)
      row$pairs_sklearn <- sk$repeats
      message(sprintf("  sklearn %.5f s/iter, N = %d (%d pairs)", sk$s_per_iter, sk_iters, sk$repeats))
    } else if (!is.null(sk)) {
      message(sprintf("  scikit-learn ran %d iterations instead of %d; not reported", sk$n_iter, sk_iters))
    }
  }
  row
}

# ---- main ------------------------------------------------------------------

opts <- parse_args(commandArgs(trailingOnly = TRUE))
# emix before its `threads` setting is run as it is (NA: the package decides).
if ("threads" %in% names(formals(emix_control))) {
  if (is.null(opts$threads)) opts$threads <- unique(c(1L, emix_control()$threads))
} else {
  opts$threads <- NA_integer_
}
have_mclust <- requireNamespace("mclust", quietly = TRUE)
python <- find_python()

cpu <- grep("^model name", readLines("/proc/cpuinfo", warn = FALSE), value = TRUE)
cat("emix EM iteration benchmark,", format(Sys.time(), "%Y-%m-%d %H:%M %Z"), "\n")
cat(sprintf("%s; emix %s; BLAS %s\n", R.version.string, utils::packageVersion("emix"),
            basename(extSoftVersion()[["BLAS"]])))
cat(sprintf("CPU: %s (%d logical)\n", if (length(cpu)) sub("^[^:]*: *", "", cpu[1L]) else "unknown",
            parallel::detectCores()))
cat("emix threads:", if (is.na(opts$threads[1L])) "not settable in this version" else
      paste(opts$threads, collapse = ", "), "\n")
cat("mclust:", if (have_mclust) as.character(utils::packageVersion("mclust")) else "not installed, skipped", "\n")
cat("scikit-learn:", if (is.null(python)) "not importable, skipped" else paste("via", python), "\n\n")

rows <- list()
cpu_start <- c(machine = machine_cpu(), own = own_cpu(), wall = proc.time()[["elapsed"]])
for (name in opts$workloads) {
  p <- workloads[[name]]
  message(sprintf("generating %s (n = %g, d = %g, k = %g)", name, p[["n"]], p[["d"]], p[["k"]]))
  w <- make_workload(p[["n"]], p[["d"]], p[["k"]])
  path <- NULL
  if (!is.null(python)) {
    path <- tempfile(paste0("emix-", name, "-"), fileext = ".bin")
    write_workload(w, path)
  }
  for (model in workload_models[[name]]) {
    rows[[length(rows) + 1L]] <- bench_model(name, w, model, opts, python, path)
  }
  if (!is.null(path)) unlink(path)
  rm(w)
}
table <- do.call(rbind, rows)
extra_threads <- opts$threads[-1L]
cpu_end <- c(machine = machine_cpu(), own = own_cpu(), wall = proc.time()[["elapsed"]])

shown <- data.frame(
  workload = table$workload,
  `n,d,k` = sprintf("%d,%d,%d", as.integer(table$n), as.integer(table$d), as.integer(table$k)),
  model = table$model,
  `N e/m/s` = paste(table$iters, table$mclust_iters, table$sklearn_iters, sep = "/"),
  `emix s/it` = sprintf("%.5f", table$emix),
  `mclust s/it` = sprintf("%.5f", table$mclust),
  `sklearn s/it` = sprintf("%.5f", table$sklearn),
  `mclust/emix` = sprintf("%.2f", table$mclust_emix),
  `sklearn/emix` = sprintf("%.2f", table$sklearn_emix),
  `emix GFLOP/s` = sprintf("%.2f", table$emix_gflops),
  check.names = FALSE
)
for (threads in extra_threads) {
  seconds <- table[[paste0("emix_", threads, "thr")]]
  shown[[sprintf("emix s/it %dthr", threads)]] <- sprintf("%.5f", seconds)
  shown[[sprintf("speedup %dthr", threads)]] <- sprintf("%.2f", table$emix / seconds)
}
shown <- data.frame(
  shown,
  `ll rel.diff mclust` = sprintf("%.1e", table$ll_mclust),
  `ll rel.diff sklearn` = sprintf("%.1e", table$ll_sklearn),
  pairs = paste(table$pairs_emix, table$pairs_mclust, table$pairs_sklearn, sep = "/"),
  check.names = FALSE
)
shown[] <- lapply(shown, function(col) gsub("NA", "-", col, fixed = TRUE))
options(width = 250)
print(shown, row.names = FALSE, right = TRUE)
cat("\ns/it: seconds per EM iteration = (time of N iterations - time of 1) / (N - 1), medians of",
    "up to", opts$repeats, "timed pairs per fitter.\n")
cat("N e/m/s: the N of emix/mclust/sklearn", if (is.na(opts$iters)) paste0("(each chosen for fits of about ",
    opts$target, " s, at most emix's).\n") else "(set by --iters).\n")
cat("ll rel.diff: |loglik(emix) - loglik(other)| / |loglik(emix)| after the same number of iterations.\n")
cat("GFLOP/s: emix's rate on the nominal FLOP count of one iteration of the model (see README.md).\n")
cat("pairs: timed pairs used for emix/mclust/sklearn.\n")
if (!is.na(opts$threads[1L])) {
  cat(sprintf("emix's main columns on %d thread(s); mclust and scikit-learn single-threaded here (reference BLAS).\n",
              opts$threads[1L]))
}
for (threads in extra_threads) {
  cat(sprintf("emix on %d threads gave the same log-likelihood, bit for bit, as on %d in %d of %d rows.\n",
              threads, opts$threads[1L], sum(table[[paste0("same_ll_", threads, "thr")]]), nrow(table)))
}
elsewhere <- unname((cpu_end["machine"] - cpu_start["machine"]) - (cpu_end["own"] - cpu_start["own"]))
wall <- unname(cpu_end["wall"] - cpu_start["wall"])
if (!is.na(elsewhere)) {
  cat(sprintf("CPU used by other processes during the run: %.0f s over %.0f s (%.0f%% of one core)%s\n",
              max(elsewhere, 0), wall, 100 * max(elsewhere, 0) / wall,
              if (elsewhere > 0.1 * wall) "; the timings may be inflated, run again on a quiet machine" else ""))
}
if (!is.na(opts$out)) {
  utils::write.csv(table, opts$out, row.names = FALSE)
  cat("table written to", opts$out, "\n")
}
