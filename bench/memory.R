# Peak memory of an emix fit: n = 1e6, d = 10, k = 10, model VVV, a few EM
# iterations from the k-means labels of workloads.R's recipe.
#
# Usage: Rscript bench/memory.R [iterations]   (default 5)
#
# Reads the resident set size (VmRSS) and its high-water mark (VmHWM) from
# /proc/self/status before and after the fit. Before the fit the high-water
# mark is reset (by writing 5 to /proc/self/clear_refs, Linux 4.0 or later),
# so that the peak after the fit is the fit's own and not that of simulating
# the data and running k-means; where the reset is refused, the peak after
# the fit may be the earlier one. R's own account (gc()'s "max used", reset
# before the fit) is shown too. Linux only.

suppressPackageStartupMessages(library(emix))

script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) dirname(sub("^--file=", "", file_arg)) else "bench"
})
source(file.path(script_dir, "workloads.R"))

args <- commandArgs(trailingOnly = TRUE)
iters <- if (length(args) >= 1L) as.integer(args[1L]) else 5L
if (!file.exists("/proc/self/status")) stop("needs /proc/self/status (Linux)", call. = FALSE)

source(file.path(script_dir, "proc_memory.R")) # vm(), reset_hwm(), r_heap_max()

n <- 1e6
d <- 10
k <- 10
mb <- function(bytes) bytes / 1e6

threads <- if ("threads" %in% names(formals(emix_control))) emix_control()$threads else NA
cat(sprintf("emix memory: n = %g, d = %g, k = %g, VVV, %d EM iterations; %s, emix %s%s\n",
            n, d, k, iters, R.version.string, utils::packageVersion("emix"),
            if (is.na(threads)) "" else sprintf(", %d thread(s)", threads)))
at_start <- vm()
w <- make_workload(n, d, k)
invisible(gc())
before <- vm()
cat(sprintf("data x: %.0f MB; z (n x k responsibilities): %.0f MB\n",
            mb(n * d * 8), mb(n * k * 8)))
cat(sprintf("R started:                 RSS %7.1f MB, peak %7.1f MB\n", at_start[["rss"]], at_start[["hwm"]]))
cat(sprintf("after data and k-means:    RSS %7.1f MB, peak %7.1f MB\n", before[["rss"]], before[["hwm"]]))

reset <- reset_hwm()
invisible(gc(reset = TRUE))
start <- vm()
cat(sprintf("peak reset before the fit: %s (peak now %.1f MB)\n",
            if (reset) "yes" else "no, refused", start[["hwm"]]))

seconds <- system.time(
  fit <- emix(w$x, k, model = "VVV", init = w$labels,
              control = emix_control(tol = 0, max_iter = iters))
)[["elapsed"]]
heap <- r_heap_max(gc())
after <- vm()

cat(sprintf("after the fit:             RSS %7.1f MB, peak %7.1f MB  (%.1f s, %d iterations)\n",
            after[["rss"]], after[["hwm"]], seconds, fit$iter))
cat(sprintf("fit object: %.0f MB\n", mb(as.numeric(utils::object.size(fit)))))
cat(sprintf("peak during the fit above RSS before it: %.1f MB = %.1f x the data\n",
            after[["hwm"]] - start[["rss"]], (after[["hwm"]] - start[["rss"]]) / mb(n * d * 8)))
cat(sprintf("R heap max used since the reset (gc): %.1f MB\n", heap * 1.048576))
if (!reset) {
  cat("note: the peak could not be reset, so it may be that of generating the data.\n")
}
