# Seconds per EM iteration of a multinomial mixture on sparse documents
# (documents.R: n = 1e5 documents, V = 2e4 words, about 5e6 nonzeros,
# k = 20 topics): emix against the same EM written in R with Matrix's sparse
# products, the code a user would otherwise write. Both start from the true
# topics of the documents, smooth the word probabilities by 0.01 and run on
# one thread.
#
# Usage: Rscript bench/multinomial_iteration.R [options]
#   --n=N --V=V --k=K --seed=S   size of the documents (default 1e5, 2e4, 20)
#   --smooth=S     added to every word count in the M-step (default 0.01)
#   --iters=N      iterations per timed fit, the same for both (default:
#                  chosen per fitter from a short pilot)
#   --target=S     seconds of a timed fit when N is chosen (default 2)
#   --repeats=R    timed pairs per fitter; the medians are used (default 3)
#   --budget=S     stop repeating a fitter once its pairs took S seconds
#                  (default 30); at least one pair is always run
#
# emix is timed again on the package's default number of threads when that
# is more than one, with a check that its trace is the same.
#
# Seconds per iteration = (time of N iterations - time of 1) / (N - 1), as in
# em_iteration.R, so the set-up (checks, the conversion of the matrix, the
# M-step from the labels, the final E-step, building the result) cancels.
# The R fit's N is at most emix's, and its log-likelihoods after 0..N
# iterations, plus the multinomial coefficient (which emix includes), are
# compared with emix's trace.

suppressPackageStartupMessages({
  library(Matrix)
  library(emix)
})

script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) dirname(sub("^--file=", "", file_arg)) else "bench"
})
source(file.path(script_dir, "documents.R")) # make_documents()

parse_options <- function(args) {
  opts <- list(n = 1e5, V = 2e4, k = 20, seed = 20261130, smooth = 0.01, iters = NA,
               target = 2, repeats = 3, budget = 30)
  for (a in args) {
    key <- sub("^--([^=]+)=.*$", "\\1", a)
    if (!grepl("^--[^=]+=", a) || !key %in% names(opts)) {
      stop(sprintf("unknown option '%s'; see the head of multinomial_iteration.R", a), call. = FALSE)
    }
    opts[[key]] <- as.numeric(sub("^--[^=]+=", "", a))
  }
  if (!is.na(opts$iters) && opts$iters < 2) stop("--iters must be at least 2", call. = FALSE)
  opts
}

# ---- the EM a user would write with Matrix -------------------------------

# EM for a mixture of multinomials from hard labels: `iters` E-step/M-step
# pairs after the M-step from the labels, then one more E-step, so that it
# returns the log-likelihood (without the multinomial coefficient) of the
# parameters after 0, 1, ..., iters iterations, as emix's trace holds them.
# With transpose = TRUE the E-step multiplies by t(x), made once, which
# Matrix does about three times as fast as x %*% (it walks the columns of a
# compressed-column matrix, that is the documents of t(x)).
r_multinomial_em <- function(x, labels, k, iters, smooth, transpose = FALSE) {
  n <- nrow(x)
  V <- ncol(x)
  xt <- if (transpose) Matrix::t(x)
  m_step <- function(z) {
    counts <- as.matrix(crossprod(x, z)) # V x k expected word counts
    list(log_pro = log(colSums(z) / n),
         log_prob = log(t(counts + smooth) / (colSums(counts) + V * smooth))) # k x V
  }
  e_step <- function(par) {
    score <- if (transpose) crossprod(xt, t(par$log_prob)) else x %*% t(par$log_prob)
    score <- as.matrix(score) + rep(par$log_pro, each = n)
    top <- score[cbind(seq_len(n), max.col(score, ties.method = "first"))]
    z <- exp(score - top)
    total <- rowSums(z)
    list(z = z / total, loglik = sum(top + log(total)))
  }
  z <- matrix(0, n, k)
  z[cbind(seq_len(n), labels)] <- 1
  par <- m_step(z)
  loglik <- numeric(iters + 1L)
  for (it in seq_len(iters)) {
    e <- e_step(par)
    loglik[it] <- e$loglik
    par <- m_step(e$z)
  }
  loglik[iters + 1L] <- e_step(par)$loglik
  loglik
}

# log of the multinomial coefficients, sum_i log(L_i! / prod_v x_iv!)
multinomial_coefficient <- function(x) {
  sum(lgamma(Matrix::rowSums(x) + 1)) - sum(lgamma(x@x + 1))
}

# ---- timing ----------------------------------------------------------------

# Seconds per iteration of run(iters) from pairs of fits of 1 and N
# iterations (wall clock, each after a garbage collection), and the value of
# the last fit of N.
seconds_per_iteration <- function(run, iters, repeats, budget) {
  clock <- function(iters) {
    invisible(gc(verbose = FALSE))
    start <- proc.time()[["elapsed"]]
    value <- run(iters)
    list(seconds = proc.time()[["elapsed"]] - start, value = value)
  }
  one <- many <- numeric(0)
  repeat {
    one <- c(one, clock(1L)$seconds)
    last <- clock(iters)
    many <- c(many, last$seconds)
    if (length(one) >= repeats || sum(one, many) > budget) break
  }
  list(value = (stats::median(many) - stats::median(one)) / (iters - 1L),
       last = last$value, pairs = length(one))
}

# N for a fit of about `target` seconds of iterations from pilot fits of 1
# and 4: at least 10, at most `upper`. The per-iteration time is taken as at
# least a 40th of the 4-iteration fit, since the difference of two short
# fits can come out near 0 on a busy machine and ask for thousands.
pilot_iters <- function(run, target, upper) {
  clock <- function(iters) {
    invisible(gc(verbose = FALSE))
    system.time(run(iters))[["elapsed"]]
  }
  one <- clock(1L)
  four <- clock(4L)
  seconds <- max((four - one) / 3, four / 40, 1e-5)
  as.integer(min(max(ceiling(target / seconds), 10), upper))
}

# ---- main ------------------------------------------------------------------

opts <- parse_options(commandArgs(trailingOnly = TRUE))
has_family <- exists("multinomial_mix", envir = asNamespace("emix"), inherits = FALSE)
cpu <- grep("^model name", readLines("/proc/cpuinfo", warn = FALSE), value = TRUE)
cat("emix multinomial EM iteration benchmark,", format(Sys.time(), "%Y-%m-%d %H:%M %Z"), "\n")
cat(sprintf("%s; Matrix %s; emix %s; BLAS %s\n", R.version.string, utils::packageVersion("Matrix"),
            utils::packageVersion("emix"), basename(extSoftVersion()[["BLAS"]])))
cat(sprintf("CPU: %s (%d logical)\n", if (length(cpu)) sub("^[^:]*: *", "", cpu[1L]) else "unknown",
            parallel::detectCores()))

generated <- system.time(docs <- make_documents(opts$n, opts$V, opts$k, opts$seed))[["elapsed"]]
x <- docs$x
k <- as.integer(opts$k)
nnz <- length(x@x)
cat(sprintf("documents: n = %d, V = %d, k = %d, %d nonzeros (%.1f per document), made in %.1f s; smooth = %g\n\n",
            nrow(x), ncol(x), k, nnz, nnz / nrow(x), generated, opts$smooth))

load_average <- function() {
  if (file.exists("/proc/loadavg")) scan("/proc/loadavg", n = 1L, quiet = TRUE) else NA_real_
}
load_before <- load_average()

# with tol = 0 every fit stops at max_iter, as intended: that warning is muffled;
# plain EM, so that emix's iterations are the R fits' iterations
emix_runner <- function(threads) {
  function(iters) {
    withCallingHandlers(
      emix(x, k, family = emix::multinomial_mix(smooth = opts$smooth), init = docs$labels,
           control = emix_control(tol = 0, max_iter = iters, threads = threads,
                                  accelerate = FALSE)),
      emix_warning_max_iter = function(w) invokeRestart("muffleWarning")
    )
  }
}
run_emix <- emix_runner(1L)
fitters <- list(
  "R with Matrix" = function(iters) r_multinomial_em(x, docs$labels, k, iters, opts$smooth),
  "R, t(x) made once" = function(iters) {
    r_multinomial_em(x, docs$labels, k, iters, opts$smooth, transpose = TRUE)
  }
)

emix_iters <- NA_integer_
em <- NULL
if (has_family) {
  emix_iters <- if (is.na(opts$iters)) pilot_iters(run_emix, opts$target, 5000L) else as.integer(opts$iters)
  message(sprintf("emix: N = %d", emix_iters))
  em <- seconds_per_iteration(run_emix, emix_iters, opts$repeats, opts$budget)
  stopifnot(em$last$iter == emix_iters)
} else {
  message("this emix has no multinomial_mix(): only the R fits are timed")
}
coefficient <- multinomial_coefficient(x)
# a multiply-add counts 2: E-step x (log prob)' and M-step x' z, 2 nnz k each
flops <- 4 * nnz * k
rows <- list()
for (name in names(fitters)) {
  iters <- if (!is.na(opts$iters)) as.integer(opts$iters) else
    pilot_iters(fitters[[name]], opts$target, if (is.na(emix_iters)) 5000L else emix_iters)
  message(sprintf("%s: N = %d", name, iters))
  timing <- seconds_per_iteration(fitters[[name]], iters, opts$repeats, opts$budget)
  r_trace <- timing$last + coefficient
  agreement <- NA_real_
  if (has_family) {
    emix_trace <- em$last$trace$loglik[match(0:iters, em$last$trace$iter)]
    agreement <- max(abs(r_trace - emix_trace) / abs(emix_trace))
  }
  rows[[name]] <- data.frame(fitter = name, N = iters, pairs = timing$pairs, seconds = timing$value,
                             loglik = r_trace[iters + 1L], rel_diff = agreement)
}
if (has_family) {
  rows[["emix"]] <- data.frame(fitter = "emix (1 thread)", N = emix_iters, pairs = em$pairs,
                               seconds = em$value, loglik = em$last$loglik, rel_diff = NA_real_)
  # the package's default number of threads, for scale; the answer must not
  # depend on it
  threads <- emix_control()$threads
  if (threads > 1L) {
    message(sprintf("emix on %d threads: N = %d", threads, emix_iters))
    more <- seconds_per_iteration(emix_runner(threads), emix_iters, opts$repeats, opts$budget)
    rows[["more"]] <- data.frame(fitter = sprintf("emix (%d threads)", threads), N = emix_iters,
                                 pairs = more$pairs, seconds = more$value, loglik = more$last$loglik,
                                 rel_diff = max(abs(more$last$trace$loglik - em$last$trace$loglik) /
                                                  abs(em$last$trace$loglik)))
  }
}
table <- do.call(rbind, rows)
emix_seconds <- if (has_family) em$value else NA_real_
shown <- data.frame(
  fitter = table$fitter, N = table$N, pairs = table$pairs,
  `s/iter` = sprintf("%.4f", table$seconds),
  `GFLOP/s` = sprintf("%.2f", flops / table$seconds / 1e9),
  `x emix` = sprintf("%.1f", table$seconds / emix_seconds),
  `loglik after N` = sprintf("%.10g", table$loglik),
  `rel.diff to emix` = sprintf("%.1e", table$rel_diff),
  check.names = FALSE
)
shown[] <- lapply(shown, function(col) sub("^(NA|NaN)$", "-", col))
options(width = 200)
print(shown, row.names = FALSE, right = TRUE)
cat("\ns/iter: (time of N iterations - time of 1) / (N - 1), medians of the timed pairs.\n")
cat(sprintf("GFLOP/s: 4 nnz k = %.2g floating-point operations per iteration (the E-step and M-step products).\n",
            flops))
cat("x emix: seconds per iteration over emix's on one thread (target for R with Matrix: at least 8).\n")
cat("loglik: with the multinomial coefficient (added to the R fits' sums).\n")
cat("rel.diff: largest |loglik(other) - loglik(emix)| / |loglik(emix)| over iterations 0..N\n")
cat("(emix on one thread; 0 for more threads means the same trace bit for bit).\n")
cat(sprintf("load average (1 min) before and after the runs: %.2f, %.2f on %d logical CPUs\n",
            load_before, load_average(), parallel::detectCores()))
