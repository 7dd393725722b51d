# Memory readings shared by the memory benchmarks (Linux only).

# VmRSS and VmHWM of this process, in MB (10^6 bytes).
vm <- function() {
  status <- readLines("/proc/self/status")
  kb <- function(field) {
    line <- grep(paste0("^", field, ":"), status, value = TRUE)
    as.numeric(sub("^[^:]*:\\s*([0-9]+) kB.*$", "\\1", line))
  }
  c(rss = kb("VmRSS"), hwm = kb("VmHWM")) * 1024 / 1e6
}

# Resets VmHWM to the current RSS (Linux 4.0 or later); FALSE where refused.
reset_hwm <- function() {
  tryCatch({
    writeLines("5", "/proc/self/clear_refs")
    TRUE
  }, error = function(e) FALSE, warning = function(w) FALSE)
}

r_heap_max <- function(g) sum(g[, ncol(g)])  # "max used" in Mb, cells and vectors
