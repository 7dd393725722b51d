# Several starts, checked against the same starts run one at a time.

# Two well separated clusters of 50 rows in two variables; with k = 3 and
# random starts, some starts of CEM empty a component and others do not.
two_clusters <- function() {
  set.seed(3)
  rbind(matrix(rnorm(100), 50), matrix(rnorm(100, 5), 50))
}

# The fits of `nstart` single starts of emix(x, ...) drawn one after the
# other from the stream of set.seed(seed), as emix(x, ..., nstart =) draws
# them; a start that fails gives its emix_error_degenerate condition.
one_start_at_a_time <- function(x, nstart, seed, ...) {
  set.seed(seed)
  lapply(seq_len(nstart), function(s) {
    tryCatch(emix(x, ...), emix_error_degenerate = function(e) e)
  })
}
