# Seconds per EM iteration of each of the fourteen Gaussian covariance
# models on W1 of workloads.R (n = 1e5, d = 5, k = 5), emix beside mclust's
# me<MODEL>(), both on one thread and from the same k-means labels.
# The target is emix at least 5 times as fast as mclust for every model.
#
# Usage: Rscript bench/covariance_models.R [--models=EII,VEI,...] [--iterations=20] [--repeats=3]
#   --models       models to time (default: all fourteen)
#   --iterations   m, the EM iterations of a long fit (default 20, at least 2)
#   --repeats      timed rounds; medians are used (default 3)
#
# What is timed: for each model a round is four fits, alternating the two
# fitters (emix 1, mclust 1, emix m, mclust m iterations) so that a slow
# patch of the shared machine hits both alike; rounds are repeated. Seconds
# per iteration = (median time of the m-iteration fits - median time of
# the 1-iteration fits) / (m - 1), so what both fits share (checking the
# arguments, the M-step from the labels, the final E-step, building the
# result) cancels. Times are the process's user CPU seconds (proc.time()),
# not wall clock: another process on the machine then slows a fit less.
#
# The fits run the same number of EM iterations (an E-step and an M-step):
# emix with max_iter = m, mclust with itmax = m + 1, because mclust counts
# the M-step from the start as an iteration and emix does not. Both use
# tol = 0 (no stopping on convergence) and no ridge (reg = 0 in emix;
# mclust has none). Inner iterations of the models that need them (VEI,
# VEE, EVE, VVE, VEV) keep each fitter's own default rule; mclust's is a
# relative tolerance of sqrt(.Machine$double.eps). mclust stops even with
# tol = 0 when the log-likelihood repeats exactly; a fitter that runs fewer
# iterations is timed over those it ran and marked in the table.
#
# The table also gives each fitter's log-likelihood at the end (after the
# same number of iterations, so they should agree closely) and the inner
# iterations mclust reports of the long fit. mclust gives no mean: for VEI
# and VEV it reports the most any outer iteration took, for VEE, EVE and
# VVE those of the last outer iteration; EVI, EEV, EVV and the six models
# in closed form have none. A model emix does not accept is shown as "not
# available" (mclust is still timed, which gives emix's target).

# One thread for OpenMP and for any threaded BLAS. A BLAS reads these when
# it is loaded, before any line of this script runs, so the script starts
# itself again with them set when they are not.
single_thread <- c(OMP_NUM_THREADS = "1", OPENBLAS_NUM_THREADS = "1", MKL_NUM_THREADS = "1",
                   BLIS_NUM_THREADS = "1", VECLIB_MAXIMUM_THREADS = "1")
script_file <- sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE))
# EMIX_BENCH_RESTARTED guards against starting again more than once.
if (!identical(unname(Sys.getenv(names(single_thread))), unname(single_thread)) &&
    length(script_file) == 1L && !nzchar(Sys.getenv("EMIX_BENCH_RESTARTED"))) {
  status <- system2(file.path(R.home("bin"), "Rscript"),
                    c(shQuote(script_file), shQuote(commandArgs(trailingOnly = TRUE))),
                    env = c(paste0(names(single_thread), "=", single_thread), "EMIX_BENCH_RESTARTED=1"))
  quit(save = "no", status = status)
}

suppressPackageStartupMessages(library(emix))
if (!requireNamespace("mclust", quietly = TRUE)) stop("this benchmark needs mclust", call. = FALSE)
source(file.path(if (length(script_file) == 1L) dirname(script_file) else "bench", "workloads.R"))

all_models <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE",
                "EEV", "VEV", "EVV", "VVV")

# ---- options ---------------------------------------------------------------

parse_options <- function(args) {
  opts <- list(models = all_models, iterations = 20L, repeats = 3L)
  for (a in args) {
    key <- sub("^--([^=]+)=.*$", "\\1", a)
    if (!grepl("^--[^=]+=", a) || !key %in% names(opts)) {
      stop(sprintf("unknown argument '%s'; see the head of covariance_models.R", a), call. = FALSE)
    }
    value <- sub("^--[^=]+=", "", a)
    opts[[key]] <- if (key == "models") toupper(strsplit(value, ",", fixed = TRUE)[[1L]]) else
      suppressWarnings(as.integer(value))
  }
  unknown <- setdiff(opts$models, all_models)
  if (length(unknown) > 0L) {
    stop(sprintf("--models: unknown %s; choose from %s", paste(unknown, collapse = ", "),
                 paste(all_models, collapse = ",")), call. = FALSE)
  }
  if (is.na(opts$iterations) || opts$iterations < 2L) stop("--iterations must be a whole number of at least 2", call. = FALSE)
  if (is.na(opts$repeats) || opts$repeats < 1L) stop("--repeats must be a whole number of at least 1", call. = FALSE)
  opts
}

# ---- the two fitters -------------------------------------------------------

# Each fitter is a function of the number of EM iterations that returns the
# iterations it ran, its final log-likelihood and (mclust) inner iterations.
emix_fitter <- function(w, model) {
  k <- max(w$labels)
  function(iterations) {
    fit <- emix(w$x, k, model = model, init = w$labels,
                control = emix_control(tol = 0, max_iter = iterations, reg = 0, threads = 1L,
                                       accelerate = FALSE))
    list(ran = fit$iter, loglik = fit$loglik, inner = NA_real_,
         trace = stats::setNames(fit$trace$loglik, fit$trace$iter))
  }
}

mclust_fitter <- function(w, model) {
  # me<MODEL>() is what mclust::me() dispatches to; calling it directly
  # spares attaching mclust.
  me_model <- getExportedValue("mclust", paste0("me", model))
  z <- mclust::unmap(w$labels)
  function(iterations) {
    control <- mclust::emControl(tol = c(0, sqrt(.Machine$double.eps)),
                                 itmax = c(iterations + 1L, .Machine$integer.max))
    fit <- suppressWarnings(me_model(data = w$x, z = z, control = control))
    if (is.na(fit$loglik)) stop(attr(fit, "WARNING"), call. = FALSE)
    # info's first element is the outer count under any of its names
    # (iterations, niterout); negative when the limit was reached
    info <- attr(fit, "info")
    inner <- attr(info, "inner")
    list(ran = abs(as.integer(unlist(info)[[1L]])) - 1L, loglik = fit$loglik,
         inner = if (is.null(inner)) NA_real_ else abs(unname(inner[[1L]])))
  }
}

# Whether emix takes `model`, tried on 2000 rows so that a model added
# later is timed without editing this script: NULL if it does, else why
# not. Other errors are left to the timed fits, which report them.
emix_refusal <- function(w, model) {
  rows <- seq_len(2000L)
  tryCatch({
    suppressWarnings(emix(w$x[rows, ], max(w$labels), model = model, init = w$labels[rows],
                          control = emix_control(max_iter = 1L, threads = 1L)))
    NULL
  }, emix_error_argument = conditionMessage, error = function(e) NULL)
}

# ---- timing ----------------------------------------------------------------

# User CPU seconds of fit(iterations), after a garbage collection, and what
# it returned; an error becomes list(error = message).
timed <- function(fit, iterations) {
  invisible(gc(verbose = FALSE))
  start <- proc.time()[["user.self"]]
  result <- tryCatch(fit(iterations), error = function(e) list(error = conditionMessage(e)))
  result$seconds <- proc.time()[["user.self"]] - start
  result
}

# One model: rounds of emix 1, mclust 1, emix m, mclust m iterations.
time_model <- function(w, model, iterations, repeats) {
  fitters <- list(emix = emix_fitter(w, model), mclust = mclust_fitter(w, model))
  refusal <- emix_refusal(w, model)
  if (!is.null(refusal)) fitters$emix <- NULL
  runs <- list()
  for (r in seq_len(repeats)) {
    for (m in c(1L, iterations)) {
      for (name in names(fitters)) {
        runs[[length(runs) + 1L]] <- c(list(fitter = name, asked = m), timed(fitters[[name]], m))
      }
    }
  }
  summary <- lapply(c(emix = "emix", mclust = "mclust"), function(name) summarise_runs(runs, name))
  if (!is.null(refusal)) summary$emix$note <- refusal
  summary
}

# Seconds per iteration, iterations run and final results of one fitter.
summarise_runs <- function(runs, name) {
  mine <- Filter(function(run) run$fitter == name, runs)
  if (length(mine) == 0L) return(list(status = "not available"))
  failed <- Filter(function(run) !is.null(run$error), mine)
  if (length(failed) > 0L) return(list(status = paste("failed:", failed[[1L]]$error)))
  field <- function(runs, f) vapply(runs, `[[`, numeric(1), f)
  short <- Filter(function(run) run$asked == 1L, mine)
  long <- Filter(function(run) run$asked > 1L, mine)
  ran <- c(unique(field(short, "ran")), unique(field(long, "ran")))
  if (length(ran) != 2L || ran[2L] <= ran[1L]) {
    return(list(status = sprintf("runs of different lengths: %s", paste(field(mine, "ran"), collapse = ","))))
  }
  last <- long[[length(long)]]
  list(status = "ok", ran = ran[2L], asked = long[[1L]]$asked,
       s_per_iter = (stats::median(field(long, "seconds")) - stats::median(field(short, "seconds"))) /
         (ran[2L] - ran[1L]),
       loglik = last$loglik, inner = last$inner, trace = last$trace)
}

# ---- the table -------------------------------------------------------------

seconds_cell <- function(s) {
  if (s$status != "ok") return(s$status)
  sprintf("%.5f%s", s$s_per_iter, if (s$ran < s$asked) sprintf(" (%d it.)", as.integer(s$ran)) else "")
}

table_row <- function(model, s) {
  e <- s$emix
  m <- s$mclust
  both <- e$status == "ok" && m$status == "ok"
  cells <- c(
    model, seconds_cell(e), seconds_cell(m),
    if (both) sprintf("%.1f", m$s_per_iter / e$s_per_iter) else "-",
    if (e$status == "ok") sprintf("%.6f", e$loglik) else "-",
    if (m$status == "ok") sprintf("%.6f", m$loglik) else "-",
    if (both) sprintf("%.1e", abs(e$trace[[as.character(m$ran)]] - m$loglik) / abs(m$loglik)) else "-",
    if (m$status == "ok" && !is.na(m$inner)) format(m$inner) else "-"
  )
  paste0("| ", paste(cells, collapse = " | "), " |")
}

# ---- main ------------------------------------------------------------------

opts <- parse_options(commandArgs(trailingOnly = TRUE))
load_average <- function() if (file.exists("/proc/loadavg")) readLines("/proc/loadavg") else "unknown"

cat("Seconds per EM iteration on W1 (n = 1e5, d = 5, k = 5), one thread,",
    format(Sys.time(), "%Y-%m-%d %H:%M %Z"), "\n")
cat(sprintf("%s; emix %s; mclust %s\nBLAS %s; LAPACK %s\n", R.version.string,
            utils::packageVersion("emix"), utils::packageVersion("mclust"),
            extSoftVersion()[["BLAS"]], La_library()))
cat(paste0(names(single_thread), "=", Sys.getenv(names(single_thread)), collapse = " "), "\n")
cat(sprintf("m = %d iterations, %d rounds; load average before: %s\n\n",
            opts$iterations, opts$repeats, load_average()))

w <- make_workload(1e5, 5, 5)
rows <- character(0)
refused <- character(0)
for (model in opts$models) {
  message("timing ", model)
  s <- time_model(w, model, opts$iterations, opts$repeats)
  rows <- c(rows, table_row(model, s))
  if (!is.null(s$emix$note)) refused[[model]] <- s$emix$note
}

cat("| model | emix s/iter | mclust s/iter | mclust / emix | loglik emix | loglik mclust | rel. diff | mclust inner it. |\n")
cat("|---|---|---|---|---|---|---|---|\n")
cat(rows, sep = "\n")
cat("\ns/iter: user CPU seconds per EM iteration, (median of m-iteration fits - median of",
    "1-iteration fits) / (m - 1); \"(j it.)\" if a fitter stopped after j < m iterations.\n")
cat("loglik: after the m iterations; rel. diff = |emix - mclust| / |mclust| after the iterations",
    "mclust ran (from emix's trace).\n")
cat("mclust inner it.: most inner iterations of an outer one (VEI, VEV), or those of the",
    "last outer iteration (VEE, EVE, VVE), as mclust reports them.\n")
if (length(refused) > 0L) {
  cat(sprintf("\nNot available in this emix: %s. It says, for %s: %s\n",
              paste(names(refused), collapse = ", "), names(refused)[1L], refused[[1L]]))
}
cat(sprintf("load average after: %s\n", load_average()))
