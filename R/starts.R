# Several starts: a start that ends in a degenerate state (an empty or
# collapsed component) is recorded and the others go on; the fit fails
# only when every start fails.

# Evaluates `expr`, which assigns a start's run and gives NULL; returns
# NULL, or, when `several` starts are run, the emix_error_degenerate
# condition it raised. Other conditions (argument errors, interrupts) pass
# through. The run is assigned rather than returned because a value passed
# back through tryCatch() stays referenced by its promises, and naming the
# n x k posterior afterwards would then copy it.
try_start <- function(expr, several) {
  if (!several) {
    return(expr)
  }
  tryCatch(expr, emix_error_degenerate = function(e) e)
}

# The error when all `nstart` starts failed, `errors` their conditions:
# how many failed for which reason, and the first one's message in full.
stop_all_starts_failed <- function(errors, nstart) {
  reason <- vapply(errors, failure_reason, character(1))
  counts <- sort(table(reason), decreasing = TRUE)
  parts <- sprintf("%d %s", as.integer(counts), names(counts))
  parts[1L] <- sprintf("%d had %s", as.integer(counts[1L]), names(counts)[1L])
  stop(structure(
    class = c("emix_error_starts", "emix_error_degenerate", "error", "condition"),
    list(message = sprintf(
      "All %d starts failed: %s. The first (start %s): %s",
      nstart, paste(parts, collapse = ", "), names(errors)[1L], conditionMessage(errors[[1L]])),
      call = NULL, errors = errors)
  ))
}

# What went wrong in a degenerate start, in a few words, from its code.
failure_reason <- function(error) {
  switch(as.character(error$code),
    "1" = "an empty component",
    "2" = "a collapsed covariance matrix",
    "3" = "a row of zero density under every component",
    "another degenerate state"
  )
}
