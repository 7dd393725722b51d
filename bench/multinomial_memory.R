# Peak memory an emix multinomial fit adds on sparse documents (documents.R:
# n = 1e5, V = 2e4, about 5e6 nonzeros, k = 20), beside the size of the
# sparse matrix plus the n x k matrix of responsibilities the fit returns.
#
# Usage: Rscript bench/multinomial_memory.R [--n=1e5] [--V=2e4] [--k=20]
#          [--iters=10] [--threads=T] [--smooth=0.01]
#
# The documents are made here and saved to a temporary file; each fit runs
# in a fresh R process (Rscript, this file with --child) that reads them,
# collects garbage, resets the high-water mark of its resident set (VmHWM,
# by writing 5 to /proc/self/clear_refs, Linux 4.0 or later), fits, and
# reads VmRSS and VmHWM again (proc_memory.R). The peak above the resident
# set just before the fit counts everything the fit touches, whoever
# allocated it: R vectors, the C core's R_alloc scratch (R vectors too),
# plain malloc and thread stacks. R's own account (gc()'s "max used" above
# what was in use before the fit) is shown beside it; it sees R_alloc but not
# malloc or thread stacks.
#
# glibc raises its mmap threshold after a large block is freed, after which
# freed memory can stay in the process and be reused without showing in the
# resident set; the child is therefore started with MALLOC_MMAP_THRESHOLD_
# and MALLOC_TRIM_THRESHOLD_ fixed at 128 kB (their defaults), which turns
# that off, so every large block is returned when freed and a fit cannot
# hide behind memory its process held before. One run with glibc's ordinary
# behaviour is shown for comparison.
#
# Fits: from the true topics (init = labels) with tol = 0 and max_iter =
# --iters, and from the family's default start with the same control; on the
# package's default number of threads unless --threads is given.

script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) dirname(sub("^--file=", "", file_arg)) else "bench"
})
script <- file.path(script_dir, "multinomial_memory.R")
if (!file.exists("/proc/self/status")) stop("needs /proc/self/status (Linux)", call. = FALSE)

args <- commandArgs(trailingOnly = TRUE)
opts <- list(n = 1e5, V = 2e4, k = 20, seed = 20261130, iters = 10, threads = NA, smooth = 0.01,
             child = NA, data = NA, start = NA)
for (a in args) {
  key <- sub("^--([^=]+)=.*$", "\\1", a)
  if (!grepl("^--[^=]+=", a) || !key %in% names(opts)) {
    stop(sprintf("unknown option '%s'; see the head of multinomial_memory.R", a), call. = FALSE)
  }
  value <- sub("^--[^=]+=", "", a)
  opts[[key]] <- if (key %in% c("data", "start")) value else as.numeric(value)
}
mb <- function(bytes) bytes / 1e6

# ---- the child: one fit, measured ------------------------------------------

if (!is.na(opts$child)) {
  suppressPackageStartupMessages({
    library(Matrix)
    library(emix)
  })
  source(file.path(script_dir, "proc_memory.R")) # vm(), reset_hwm(), r_heap_max()
  docs <- readRDS(opts$data)
  x <- docs$x
  labels <- docs$labels
  rm(docs)
  control <- list(tol = 0, max_iter = as.integer(opts$iters))
  if (!is.na(opts$threads)) control$threads <- as.integer(opts$threads)
  control <- do.call(emix_control, control)
  family <- multinomial_mix(smooth = opts$smooth)
  invisible(gc())
  reset <- reset_hwm()
  heap_before <- r_heap_max(gc(reset = TRUE))
  before <- vm()
  # with tol = 0 the fit stops at max_iter, as intended: that warning is muffled
  seconds <- system.time(withCallingHandlers(
    fit <- if (opts$start == "labels") {
      emix(x, opts$k, family = family, init = labels, control = control)
    } else {
      emix(x, opts$k, family = family, control = control)
    },
    emix_warning_max_iter = function(w) invokeRestart("muffleWarning")
  ))[["elapsed"]]
  heap_peak <- r_heap_max(gc())
  after <- vm()
  # one line of name=value fields for the parent
  cat(sprintf("result reset=%d rss_before=%.3f hwm_after=%.3f rss_after=%.3f heap_before=%.3f heap_peak=%.3f fit=%.3f fit_x=%.3f seconds=%.2f iter=%d threads=%d\n",
              reset, before[["rss"]], after[["hwm"]], after[["rss"]], heap_before * 1.048576,
              heap_peak * 1.048576, mb(as.numeric(utils::object.size(fit))),
              mb(as.numeric(utils::object.size(fit$x))), seconds, fit$iter,
              if (is.null(fit$control$threads)) NA_integer_ else fit$control$threads))
  quit(save = "no")
}

# ---- the parent: make the documents, run the fits, report ------------------

suppressPackageStartupMessages(library(emix))
source(file.path(script_dir, "documents.R")) # make_documents()
if (!exists("multinomial_mix", envir = asNamespace("emix"), inherits = FALSE)) {
  stop("this emix has no multinomial_mix(); install one that has", call. = FALSE)
}
docs <- make_documents(opts$n, opts$V, opts$k, opts$seed)
data_file <- tempfile("emix-documents-", fileext = ".rds")
on.exit(unlink(data_file))
saveRDS(list(x = docs$x, labels = docs$labels), data_file, compress = FALSE)
n <- nrow(docs$x)
k <- as.integer(opts$k)
x_mb <- mb(as.numeric(utils::object.size(docs$x)))
z_mb <- mb(8 * n * k)
cat(sprintf("emix multinomial memory: n = %d, V = %d, k = %d, %d nonzeros; %s, emix %s\n",
            n, ncol(docs$x), k, length(docs$x@x), R.version.string, utils::packageVersion("emix")))
cat(sprintf("sparse matrix x: %.1f MB; responsibilities (n x k): %.1f MB; together %.1f MB\n\n",
            x_mb, z_mb, x_mb + z_mb))
rm(docs)

child <- function(start, fixed_malloc) {
  env <- if (fixed_malloc) c("MALLOC_MMAP_THRESHOLD_=131072", "MALLOC_TRIM_THRESHOLD_=131072") else character(0)
  child_args <- c(script, "--child=1", paste0("--data=", data_file),
                  paste0("--start=", start), sprintf("--%s=%s", c("k", "iters", "threads", "smooth"),
                                                     c(k, opts$iters, opts$threads, opts$smooth)))
  child_args <- child_args[!grepl("=NA$", child_args)]
  out <- system2(file.path(R.home("bin"), "Rscript"), child_args, stdout = TRUE, env = env)
  line <- grep("^result ", out, value = TRUE)
  if (length(line) != 1L) stop("the fit failed:\n", paste(out, collapse = "\n"), call. = FALSE)
  pairs <- strsplit(strsplit(sub("^result ", "", line), " ", fixed = TRUE)[[1L]], "=", fixed = TRUE)
  stats::setNames(as.numeric(vapply(pairs, `[`, "", 2L)), vapply(pairs, `[`, "", 1L))
}

runs <- list(
  list(label = "true topics, malloc fixed", start = "labels", fixed = TRUE),
  list(label = "true topics, glibc default", start = "labels", fixed = FALSE),
  list(label = "default start, malloc fixed", start = "default", fixed = TRUE)
)
rows <- lapply(runs, function(run) {
  r <- child(run$start, run$fixed)
  data.frame(
    fit = run$label, threads = as.integer(r[["threads"]]), iter = as.integer(r[["iter"]]),
    seconds = r[["seconds"]],
    `RSS before` = r[["rss_before"]], `peak` = r[["hwm_after"]],
    `peak added` = r[["hwm_after"]] - r[["rss_before"]],
    `/ (x + z)` = (r[["hwm_after"]] - r[["rss_before"]]) / (x_mb + z_mb),
    `R heap added` = r[["heap_peak"]] - r[["heap_before"]],
    `fit object` = r[["fit"]], `its x` = r[["fit_x"]], reset = r[["reset"]] == 1,
    check.names = FALSE
  )
})
table <- do.call(rbind, rows)
options(width = 200)
print(format(table, digits = 3, nsmall = 1), row.names = FALSE)
cat("\nseconds: the whole fit, the start included.\n")
cat("MB = 1e6 bytes. RSS before: resident set of the child just before the fit (data loaded);\n")
cat("peak: high-water mark of its resident set during the fit; peak added = peak - RSS before;\n")
cat("/ (x + z): peak added over the sparse matrix plus the responsibilities (target: at most 3);\n")
cat("R heap added: gc()'s max used during the fit less what was in use before it;\n")
cat("fit object: object.size() of the result; its x: object.size() of the data the result keeps\n")
cat("(fit$x, in whatever form the family keeps it).\n")
if (!all(table$reset)) cat("note: the peak could not be reset in some run, so it may be an earlier one.\n")
