# Argument checks shared by the fitting functions. Each error names the
# argument and says what would be accepted.

stop_arg <- function(arg, msg) {
  stop(structure(
    class = c("emix_error_argument", "error", "condition"),
    list(message = sprintf("`%s` %s", arg, msg), call = NULL, argument = arg)
  ))
}

# Calls maker (emix_control() or emix_prior()) with the fields of the list
# `value`, so that a stored object is checked by the same code that made it.
# An error on a field is re-raised under the argument's name:
# "`max_iter` must ..." becomes "`control$max_iter` must ...".
rebuild_checked <- function(maker, value, arg) {
  fields <- setdiff(names(formals(maker)), "...")
  tryCatch(
    do.call(maker, unclass(value)),
    emix_error_argument = function(e) {
      field <- e$argument
      if (!sub("\\$.*$", "", field) %in% fields) {
        stop(e)
      }
      prefix <- sprintf("`%s` ", field)
      stop_arg(paste0(arg, "$", field), substring(conditionMessage(e), nchar(prefix) + 1L))
    }
  )
}

# The fields of a list that should hold exactly the arguments of `maker`:
# an error naming `arg` for unnamed, unknown or repeated ones, and, when
# `complete`, for missing ones.
check_fields <- function(value, maker, arg, complete) {
  fields <- setdiff(names(formals(maker)), "...")
  made_by <- sprintf("Make it with `%s()`.", deparse(substitute(maker)))
  given <- names(value)
  if (length(value) > 0L && (is.null(given) || any(is.na(given) | given == ""))) {
    stop_arg(arg, paste("must have a name for every setting.", made_by))
  }
  unknown <- setdiff(given, fields)
  if (length(unknown) > 0L) {
    stop_arg(arg, sprintf("has unknown settings: %s. %s",
                          paste0("`", unknown, "`", collapse = ", "), made_by))
  }
  if (anyDuplicated(given)) {
    stop_arg(arg, sprintf("has a setting given twice: %s. %s",
                          paste0("`", unique(given[duplicated(given)]), "`", collapse = ", "), made_by))
  }
  absent <- setdiff(fields, given)
  if (complete && length(absent) > 0L) {
    stop_arg(arg, sprintf("is missing settings: %s. %s",
                          paste0("`", absent, "`", collapse = ", "), made_by))
  }
}

# Names quoted in backticks for a message: at most `max` of them, then how
# many more, so that a wide data set does not flood the console.
name_list <- function(names, max = 5L) {
  shown <- paste0("`", names[seq_len(min(max, length(names)))], "`", collapse = ", ")
  if (length(names) > max) {
    shown <- sprintf("%s and %d more", shown, length(names) - max)
  }
  shown
}

check_count <- function(x, arg, min = 1L) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || !is.finite(x) || x != round(x) ||
      x < min || x > .Machine$integer.max) {
    stop_arg(arg, sprintf("must be a single whole number of at least %d.", min))
  }
  as.integer(x)
}

check_flag <- function(x, arg) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    stop_arg(arg, "must be TRUE or FALSE.")
  }
  x
}

check_number <- function(x, arg, min = 0) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || !is.finite(x) || x < min) {
    stop_arg(arg, sprintf("must be a single finite number of at least %s.", format(min)))
  }
  as.numeric(x)
}

# TRUE for a variable that is a number per row, or several (a matrix, as
# poly() gives): plain numerics and AsIs ones (I()), not factors or dates.
is_numeric_variable <- function(col) {
  is.numeric(col) && (!is.object(col) || inherits(col, c("AsIs", "matrix")))
}

# A numeric (double) matrix of finite values, from a matrix or a data frame
# of numeric columns. Column names, where there are any, must be distinct
# and non-empty: predict() matches new data by them. A matrix without
# column names gets x1..xd, except a large double matrix, which is returned
# as given: naming a matrix the caller also holds would copy all of it.
# variable_names() gives the names in every case.
check_data <- function(x, arg = "x") {
  if (caches(x)) {
    return(x) # the data of a grid, checked when kept (keep_data_scales())
  }
  if (inherits(x, "sparseMatrix")) {
    stop_arg(arg, sprintf(
      "is a sparse matrix (class \"%s\"), which the Gaussian family does not read. For counts such as a document-term matrix use `family = multinomial_mix()`, which reads it as it is; for Gaussian components convert it with `as.matrix()` if it fits in memory.",
      class(x)[1L]
    ))
  }
  if (is.data.frame(x)) {
    numeric_col <- vapply(x, is_numeric_variable, logical(1))
    if (!all(numeric_col)) {
      bad <- names(x)[!numeric_col]
      stop_arg(arg, sprintf(
        "must have numeric columns only; %s %s not numeric. Convert or drop %s.",
        paste0("`", bad, "`", collapse = ", "),
        if (length(bad) == 1L) "is" else "are",
        if (length(bad) == 1L) "it" else "them"
      ))
    }
    x <- as.matrix(x)
  }
  if (is.vector(x) && is.numeric(x)) {
    x <- matrix(x, ncol = 1L)
  }
  if (!is.matrix(x) || !(is.numeric(x) || is.logical(x) && all(is.na(x)))) {
    stop_arg(arg, "must be a numeric matrix or a data frame of numeric columns.")
  }
  if (nrow(x) == 0L || ncol(x) == 0L) {
    stop_arg(arg, "must have at least one row and one column.")
  }
  check_column_names(colnames(x), arg)
  if (!is.double(x)) {
    storage.mode(x) <- "double"
  }
  if (is.null(colnames(x)) && length(x) <= 1e6) {
    colnames(x) <- variable_names(x)
  }
  first_bad <- .Call(C_ffi_first_nonfinite, x)
  if (first_bad > 0) {
    row <- (first_bad - 1) %% nrow(x) + 1
    col <- (first_bad - 1) %/% nrow(x) + 1
    value <- x[row, col]
    advice <- if (is.na(value) && arg == "x") {
      "Remove incomplete rows, or use the formula interface, whose `na.action` drops them."
    } else {
      "Remove or transform such rows."
    }
    stop_arg(arg, sprintf(
      "must contain finite values only; row %d of `%s` is %s. %s",
      row, variable_names(x)[col], format(value), advice
    ))
  }
  check_scale(x, arg)
  x
}

# The names of the variables of a data matrix: its column names, or
# x1..xd when it has none.
variable_names <- function(x) {
  names <- colnames(x)
  if (is.null(names)) paste0("x", seq_len(ncol(x))) else names
}

# Column names are all absent, or all present and distinct.
check_column_names <- function(names, arg) {
  if (is.null(names)) {
    return(invisible())
  }
  empty <- which(is.na(names) | names == "")
  if (length(empty) > 0L) {
    stop_arg(arg, sprintf(
      "has %s column %s %s: name every column (predict() matches columns by name), e.g. `colnames(%s) <- make.names(colnames(%s), unique = TRUE)`.",
      if (length(empty) == 1L) "an empty or NA name for" else "empty or NA names for",
      if (length(empty) == 1L) "number" else "numbers",
      paste(empty, collapse = ", "), arg, arg
    ))
  }
  repeated <- unique(names[duplicated(names)])
  if (length(repeated) > 0L) {
    stop_arg(arg, sprintf(
      "has duplicated column names (%s): predict() matches columns by name, so give each column its own, e.g. `colnames(%s) <- make.unique(colnames(%s))`.",
      paste0("`", repeated, "`", collapse = ", "), arg, arg
    ))
  }
  invisible()
}

# k against the data, and the sizes of the arrays a fit would allocate
# against R's limit on a vector's length (2^52 elements), checked before
# anything is allocated. `draws`: the draws a Gibbs sampler keeps, 0 for
# the other methods.
check_sizes <- function(n, d, k, draws = 0L) {
  if (k > n) {
    stop_arg("k", sprintf("must not exceed the number of rows (%d); k = %d.", n, k))
  }
  arrays <- c(
    sprintf("the %d x %d posterior (rows x components)", n, k),
    sprintf("the %d x %d x %d covariance array", d, d, k),
    sprintf("the %d x %d kept labels (rows x draws)", n, draws),
    sprintf("the %d x %d x %d x %d kept covariances", d, d, k, draws)
  )
  elements <- c(as.double(n) * k, as.double(d) * d * k,
                as.double(n) * draws, as.double(d) * d * k * draws)
  too_big <- which(elements > 2^52)
  if (length(too_big) > 0L) {
    stop_arg(if (too_big[1L] <= 2L) "k" else "method$draws", sprintf(
      "is too large for these data: %s would have %s elements, more than R's limit of 2^52 on a vector's length.",
      arrays[too_big[1L]], format(elements[too_big[1L]], big.mark = ",", scientific = FALSE)))
  }
  invisible()
}
# Every column's variance must be a normal double: a column whose values
# differ but whose variance overflows, underflows to 0 or is subnormal
# would be taken for constant or make every covariance collapse.
check_scale <- function(x, arg) {
  var <- unweighted_variances(x)
  suspect <- which(!is.finite(var) | var < .Machine$double.xmin)
  for (j in suspect) {
    spread <- diff(range(x[, j]))
    if (spread > 0) {
      stop_arg(arg, sprintf(
        "has a column, `%s`, whose values spread over %s: its variance %s double precision, which holds the variances of spreads between about 1e-154 and 1e154. Rescale the column, e.g. with `scale()` or by a power of ten.",
        variable_names(x)[j], format(spread, digits = 3),
        if (is.finite(var[j])) "underflows" else "overflows"
      ))
    }
  }
  invisible(x)
}

# Frequency weights too large for doubles are better scaled down by the user
# (which changes nobs()) than silently.
weights_overflow_advice <- "Divide them by a constant, e.g. `weights / max(weights)`: the maximum-likelihood estimates are unchanged, the log-likelihood and `nobs()` scale with them."

check_weights <- function(weights, n) {
  if (is.null(weights)) {
    return(NULL)
  }
  if (!is.numeric(weights) || length(weights) != n) {
    stop_arg("weights", sprintf("must be a numeric vector with one value per row (%d).", n))
  }
  if (anyNA(weights) || any(!is.finite(weights)) || any(weights < 0)) {
    stop_arg("weights", "must be finite and non-negative; found NA, infinite or negative values.")
  }
  if (!is.finite(sum(weights))) {
    stop_arg("weights", paste("sum to more than double precision can hold.", weights_overflow_advice))
  }
  if (sum(weights) <= 0) {
    stop_arg("weights", "must have a positive sum.")
  }
  as.numeric(weights)
}

# TRUE when x has at least k distinct rows among those of positive weight.
# Looks at a growing head of the rows first, so large data are rarely scanned.
# For the data of a grid (keep_data_scales()), the largest k found is kept.
has_distinct_rows <- function(x, k, weights = NULL) {
  kept <- caches(x) && identical(weights, scale_cache$weights)
  if (kept && k <= scale_cache$distinct) {
    return(TRUE)
  }
  found <- count_at_least(x, k, weights)
  if (kept && found) {
    scale_cache$distinct <- k
  }
  found
}

# has_distinct_rows() without what it keeps.
count_at_least <- function(x, k, weights) {
  if (!is.null(weights)) {
    x <- x[weights > 0, , drop = FALSE]
  }
  n <- nrow(x)
  m <- min(n, 8L * k + 64L)
  repeat {
    if (distinct_rows(x[seq_len(m), , drop = FALSE]) >= k) {
      return(TRUE)
    }
    if (m == n) {
      return(FALSE)
    }
    m <- min(n, 8L * m)
  }
}

# The number of distinct rows of a matrix: the rows sorted, those that
# differ from the one before. As unique() counts them, four times as
# fast on 100 rows (every fit checks its data this way).
distinct_rows <- function(x) {
  n <- nrow(x)
  if (n <= 1L) {
    return(n)
  }
  sorted <- x[do.call(order, lapply(seq_len(ncol(x)), function(j) x[, j])), , drop = FALSE]
  1L + sum(rowSums(sorted[-1L, , drop = FALSE] != sorted[-n, , drop = FALSE]) > 0)
}
