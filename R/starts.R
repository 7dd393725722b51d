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

# One start per number of components for a selection grid (emix_select()),
# shared by all its models so that their criteria differ by the models
# alone: a list named by k of label vectors in 1..k, one per row of x.
# k = 1 needs no start. Only "kmeans++" and "random" for now; the clusters
# of a k-means++ start are kept big enough for the most demanding model
# (VVV), so that no model fails for lack of rows at the start.
selection_starts <- function(x, ks, start, weights, control) {
  if (!start %in% c("kmeans++", "random")) {
    stop_arg("start", sprintf("= \"%s\" is not available yet; use \"kmeans++\" or \"random\".", start))
  }
  core <- core_control(control, x, weights)
  starts <- lapply(ks, function(k) {
    if (k == 1L) {
      return(rep(1L, nrow(x)))
    }
    core$min_rows <- needed_observations("VVV", k, ncol(x))$each
    as.integer(start_responsibilities(list(type = start, k = k), x, k, weights, core,
                                      control$seeds))
  })
  names(starts) <- as.character(ks)
  starts
}
