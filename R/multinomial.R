# The multinomial family: documents by word counts. The C side is
# src/multinomial.c; this file checks and shapes the counts, starts the fit,
# and gives the family's printing, simulation and prediction.

# ---- the counts ----------------------------------------------------------

# The entry of a count matrix that first breaks the rule `bad` (a logical
# vector over the stored values), as "row i, column `name`".
count_location <- function(row, col, names) {
  sprintf("row %d, column %s", row, if (is.null(names)) col else paste0("`", names[col], "`"))
}

# Stops at the values that are not counts: non-finite, negative or
# fractional, in that order of checks, naming the first such entry by row
# (then column). locate(e) gives the rows and columns of stored values e.
check_count_values <- function(values, locate, names, arg) {
  rules <- list(
    list(bad = function(v) !is.finite(v), what = "is not finite (NA, NaN or Inf)",
         fix = "Remove or replace the documents with missing counts."),
    list(bad = function(v) v < 0, what = "is negative",
         fix = "Counts of words must be 0 or more."),
    list(bad = function(v) v != round(v), what = "is not a whole number",
         fix = "Give the raw counts of words, not frequencies or weights (document weights go in `weights`).")
  )
  for (rule in rules) {
    bad <- which(rule$bad(values))
    bad <- bad[!is.na(bad)]
    if (length(bad) > 0L) {
      at <- locate(bad)
      first <- which.min(at[, 1L])
      stop_arg(arg, sprintf("must hold word counts, but the value at %s, %s, %s (%d such value%s in all). %s",
                            count_location(at[first, 1L], at[first, 2L], names),
                            format(values[bad[first]]),
                            rule$what, length(bad), if (length(bad) == 1L) "" else "s",
                            rule$fix))
    }
  }
}

# The counts as the C driver reads them: a dense double matrix, or the CSR
# form (the nonzero counts row by row) of a Matrix::dgCMatrix, built from its
# slots without a dense copy. Returns list(kind, x, row_start, col, n, V,
# names, lengths), lengths being the documents' word totals.
multinomial_data <- function(x, arg = "x") {
  if (inherits(x, "dgCMatrix")) {
    n <- x@Dim[1L]
    V <- x@Dim[2L]
    names <- x@Dimnames[[2L]]
    column_of <- rep.int(seq_len(V), diff(x@p))
    check_count_values(x@x, function(e) cbind(x@i[e] + 1L, column_of[e]), names, arg)
    # CSC to CSR: a stable sort of the entries by row keeps each row's
    # columns increasing
    by_row <- order(x@i, method = "radix")
    row <- x@i[by_row]
    data <- list(kind = "csr", x = x@x[by_row], col = column_of[by_row] - 1L,
                 row_start = c(0L, cumsum(tabulate(row + 1L, n))), n = n, V = V,
                 names = names, row_names = x@Dimnames[[1L]])
    data$lengths <- rowsum_counts(data, data$x)
    return(data)
  }
  if (inherits(x, "Matrix")) {
    stop_arg(arg, sprintf("is a \"%s\" of the Matrix package; the multinomial family reads a numeric matrix or a \"dgCMatrix\". Convert it with `as(as(x, \"CsparseMatrix\"), \"generalMatrix\")`, or `as.matrix(x)` if it is small.",
                          class(x)[1L]))
  }
  if (is.data.frame(x)) {
    stop_arg(arg, "is a data frame; the multinomial family reads a numeric matrix of word counts (documents in rows, words in columns) or a Matrix::dgCMatrix. Convert it with `as.matrix()` if every column is a count.")
  }
  if (!is.matrix(x) || !(is.numeric(x) || is.logical(x))) {
    stop_arg(arg, sprintf("must be a numeric matrix of word counts (documents in rows, words in columns) or a Matrix::dgCMatrix, not %s.",
                          if (is.matrix(x)) sprintf("a %s matrix", typeof(x)) else sprintf("an object of class \"%s\"", class(x)[1L])))
  }
  n <- nrow(x)
  names <- colnames(x)
  check_count_values(as.vector(x), function(e) arrayInd(e, dim(x)), names, arg)
  storage.mode(x) <- "double"
  list(kind = "dense", x = x, n = n, V = ncol(x), names = names, row_names = rownames(x),
       lengths = rowSums(x))
}

# The sum over each document's stored entries of `values` (one per nonzero
# count, in the CSR order), 0 for a document with none.
rowsum_counts <- function(data, values) {
  out <- numeric(data$n)
  rows <- rep.int(seq_len(data$n), diff(data$row_start))
  if (length(rows) > 0L) {
    sums <- rowsum(values, rows, reorder = TRUE)
    out[as.integer(rownames(sums))] <- sums[, 1L]
  }
  out
}

# sum_v x_iv log q_v for every document i and one log-distribution lq
document_scores <- function(data, lq) {
  if (data$kind == "dense") {
    return(drop(data$x %*% lq))
  }
  rowsum_counts(data, data$x * lq[data$col + 1L])
}

# the counts of document i as a length-V vector
document_counts <- function(data, i) {
  if (data$kind == "dense") {
    return(data$x[i, ])
  }
  out <- numeric(data$V)
  at <- seq_len(data$row_start[i + 1L] - data$row_start[i]) + data$row_start[i]
  out[data$col[at] + 1L] <- data$x[at]
  out
}

# ---- the start -----------------------------------------------------------

# k-means++ on documents under the multinomial log-likelihood (the Bregman
# divergence of the multinomial, Banerjee et al. 2005): a seed document s
# stands for its word frequencies mixed half and half with the uniform
# distribution, q_s = x_s / (2 L_s) + 1 / (2 V), which no document's words
# can be impossible under, whatever the lengths and V; and
# document i lies at D(i, s) = sum_v x_iv log(x_iv / L_i) - sum_v x_iv log q_sv
# = L_i KL(x_i / L_i || q_s) >= 0 from it. The first seed is drawn in
# proportion to the weights, each next one in proportion to w_i times the
# distance to the nearest seed so far. Then one E-step with equal
# proportions gives the responsibilities the fit starts from. O(nnz k),
# never a dense copy of sparse counts.
multinomial_seed_start <- function(data, k, weights = NULL) {
  w <- if (is.null(weights)) rep(1, data$n) else weights
  self <- self_information(data)
  seeds <- integer(0)
  q <- matrix(0, k, data$V)
  nearest <- rep(Inf, data$n)
  candidates <- w > 0 & data$lengths > 0
  if (!any(candidates)) {
    candidates <- w > 0
  }
  for (j in seq_len(k)) {
    p <- if (j == 1L || !any(is.finite(nearest) & nearest > 0 & candidates)) {
      ifelse(candidates, w, 0)
    } else {
      ifelse(candidates & is.finite(nearest), w * nearest, 0)
    }
    p[seeds] <- 0
    if (!any(p > 0)) {
      p <- ifelse(w > 0, 1, 0)
      p[seeds] <- 0
    }
    s <- sample.int(data$n, 1L, prob = p)
    seeds <- c(seeds, s)
    counts <- document_counts(data, s)
    q[j, ] <- if (sum(counts) > 0) counts / (2 * sum(counts)) + 0.5 / data$V else 1 / data$V
    nearest <- pmin(nearest, pmax(self - document_scores(data, log(q[j, ])), 0))
  }
  lj <- vapply(seq_len(k), function(j) document_scores(data, log(q[j, ])), numeric(data$n))
  lj <- matrix(lj, data$n, k)
  top <- apply(lj, 1L, max)
  z <- exp(lj - top)
  z / rowSums(z)
}

# sum_v x_iv log(x_iv / L_i) for every document (0 for one with no words)
self_information <- function(data) {
  if (data$kind == "dense") {
    terms <- ifelse(data$x > 0, data$x * log(data$x / data$lengths), 0)
    return(rowSums(terms))
  }
  rows <- rep.int(seq_len(data$n), diff(data$row_start))
  rowsum_counts(data, ifelse(data$x > 0, data$x * log(data$x / data$lengths[rows]), 0))
}

# ---- the prior -------------------------------------------------------------

#' Prior of the Bayesian methods for the multinomial family
#'
#' The conjugate prior that `method = "vb"`, `"me"` and `"gibbs"` put on
#' the parameters of [multinomial_mix()]: the proportions have a symmetric
#' Dirichlet distribution, \eqn{\pi \sim \mathrm{Dirichlet}(\alpha, \dots,
#' \alpha)}, and each component's word probabilities another,
#' \eqn{p_c \sim \mathrm{Dirichlet}(\beta, \dots, \beta)} over the \eqn{V}
#' words. The posterior has the same form, with
#' \eqn{\alpha_c = \alpha + N_c} and \eqn{\beta_{cv} = \beta + n_{cv}}, where
#' \eqn{N_c} is the (weighted) number of documents given to component
#' \eqn{c} and \eqn{n_{cv}} the number of times they use word \eqn{v}.
#'
#' @param alpha Dirichlet concentration \eqn{\alpha > 0} of each proportion.
#'   Default `1 / k`: below 1, so that components without documents of
#'   their own are emptied.
#' @param beta Dirichlet concentration \eqn{\beta > 0} of each word
#'   probability. Default 1, the uniform distribution over each component's
#'   word probabilities.
#' @return A list of class `"emix_multinomial_prior"`; a `NULL` entry is
#'   filled in when the model is fitted.
#' @seealso [multinomial_mix()], [emix()]
#' @export
multinomial_prior <- function(alpha = NULL, beta = NULL) {
  positive <- function(value, arg) {
    if (!is.null(value) && (!is.numeric(value) || length(value) != 1L ||
                            !is.finite(value) || value <= 0)) {
      stop_arg(arg, "must be a single positive number.")
    }
    if (is.null(value)) NULL else as.double(value)
  }
  structure(list(alpha = positive(alpha, "alpha"), beta = positive(beta, "beta")),
            class = "emix_multinomial_prior")
}

#' @export
print.emix_multinomial_prior <- function(x, ...) {
  show <- function(v, default) if (is.null(v)) default else format(v, digits = 4)
  cat("<emix_multinomial_prior>\n")
  cat(sprintf("  alpha = %s, beta = %s\n", show(x$alpha, "1/k"), show(x$beta, "1")))
  invisible(x)
}

# ---- printing and simulation ------------------------------------------------

# The `top` most probable words of each component, a k-row character
# matrix: the column names of the data, or w1, w2, ... without them.
multinomial_top_words <- function(prob, names = NULL, top = 8L) {
  V <- ncol(prob)
  if (is.null(names)) {
    names <- paste0("w", seq_len(V))
  }
  top <- min(top, V)
  out <- t(apply(prob, 1L, function(p) names[order(p, decreasing = TRUE)[seq_len(top)]]))
  matrix(out, nrow(prob), top, dimnames = list(rownames(prob), NULL))
}

# Documents drawn from the mixture: the i-th has lengths[i] words, its
# component drawn from pro and its counts from that component's
# multinomial. Returns list(x = counts (length(lengths) x V), labels).
multinomial_draw_documents <- function(pro, prob, lengths) {
  n <- length(lengths)
  labels <- sample.int(length(pro), n, replace = TRUE, prob = pro)
  x <- matrix(0, n, ncol(prob))
  for (i in seq_len(n)) {
    x[i, ] <- stats::rmultinom(1L, lengths[i], prob[labels[i], ])
  }
  list(x = x, labels = labels)
}
