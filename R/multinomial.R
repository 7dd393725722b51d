# The multinomial family: documents by word counts. The C side is
# src/multinomial.c; this file checks and shapes the counts, starts the fit,
# and gives the family's printing, simulation and prediction.

# ---- the counts ----------------------------------------------------------

# An entry of a count matrix as "row i, column `name`" (or column j
# without names).
count_location <- function(row, col, names) {
  sprintf("row %d, column %s", row, if (is.null(names)) col else paste0("`", names[col], "`"))
}

# Stops at the values that are not counts: non-finite, negative or
# fractional, in that order of checks, naming the first such entry by row
# (then column). locate(e) gives the rows and columns of stored values e.
check_count_values <- function(values, locate, names, arg) {
  rules <- list(
    list(bad = function(v) !is.finite(v), what = "is missing or infinite",
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
      stop_arg(arg, sprintf("must hold word counts, but the value at %s, %s, %s (%s). %s",
                            count_location(at[first, 1L], at[first, 2L], names),
                            format(values[bad[first]]), rule$what,
                            if (length(bad) == 1L) "the only such value" else sprintf("one of %d such values", length(bad)),
                            rule$fix))
    }
  }
}

# The counts as the C driver reads them: a dense double matrix, or for a
# Matrix::dgCMatrix its CSR form (the nonzero counts row by row, class
# "emix_csr": dim, dimnames, x, row_start, col), built from the slots
# without a dense copy.
multinomial_data <- function(x, arg = "x") {
  if (inherits(x, "dgCMatrix")) {
    n <- x@Dim[1L]
    V <- x@Dim[2L]
    if (n < 1L || V < 1L) {
      stop_arg(arg, "must have at least one document (row) and one word (column).")
    }
    column_of <- rep.int(seq_len(V), diff(x@p))
    check_count_values(x@x, function(e) cbind(x@i[e] + 1L, column_of[e]), x@Dimnames[[2L]], arg)
    # CSC to CSR: a stable sort of the entries by row keeps each row's
    # columns increasing
    by_row <- order(x@i, method = "radix")
    return(structure(
      list(dim = c(n, V), dimnames = x@Dimnames, x = as.double(x@x[by_row]),
           row_start = c(0L, cumsum(tabulate(x@i + 1L, n))), col = column_of[by_row] - 1L),
      class = "emix_csr"
    ))
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
                          describe_type(x)))
  }
  if (nrow(x) < 1L || ncol(x) < 1L) {
    stop_arg(arg, "must have at least one document (row) and one word (column).")
  }
  check_count_values(as.vector(x), function(e) arrayInd(e, dim(x)), colnames(x), arg)
  storage.mode(x) <- "double"
  x
}

data_rows <- function(data) if (inherits(data, "emix_csr")) data$dim[1L] else nrow(data)
data_words <- function(data) if (inherits(data, "emix_csr")) data$dim[2L] else ncol(data)
data_word_names <- function(data) {
  if (inherits(data, "emix_csr")) data$dimnames[[2L]] else colnames(data)
}
data_row_names <- function(data) {
  if (inherits(data, "emix_csr")) data$dimnames[[1L]] else rownames(data)
}

# The sum over each document's stored entries of `values` (one per nonzero
# count, in the CSR order), 0 for a document with none.
rowsum_counts <- function(data, values) {
  n <- data_rows(data)
  out <- numeric(n)
  rows <- rep.int(seq_len(n), diff(data$row_start))
  if (length(rows) > 0L) {
    sums <- rowsum(values, rows, reorder = TRUE)
    out[as.integer(rownames(sums))] <- sums[, 1L]
  }
  out
}

# sum_v f(x_iv) for every document i, given f(x) for the stored values
# (for dense counts, f(0) must be 0)
document_sum <- function(data, fx) {
  if (inherits(data, "emix_csr")) rowsum_counts(data, fx) else rowSums(fx)
}

# the stored values: the dense matrix, or the nonzero counts
stored_values <- function(data) if (inherits(data, "emix_csr")) data$x else data

# the documents' lengths (their numbers of words)
document_lengths <- function(data) document_sum(data, stored_values(data))

# the counts of document i as a length-V vector
document_counts <- function(data, i) {
  if (!inherits(data, "emix_csr")) {
    return(data[i, ])
  }
  out <- numeric(data$dim[2L])
  at <- seq_len(data$row_start[i + 1L] - data$row_start[i]) + data$row_start[i]
  out[data$col[at] + 1L] <- data$x[at]
  out
}

# ---- the start -----------------------------------------------------------

# k-means++ on documents under the multinomial log-likelihood (the Bregman
# divergence of the multinomial, Banerjee et al. 2005): a seed document s
# stands for its word frequencies mixed half and half with the uniform
# distribution, q_s = x_s / (2 L_s) + 1 / (2 V), which no document's words
# can be impossible under, whatever the lengths and V; and document i lies
# at D(i, s) = sum_v x_iv log(x_iv / L_i) - sum_v x_iv log q_sv
# = L_i KL(x_i / L_i || q_s) >= 0 from it. The first seed is drawn in
# proportion to the weights, each next one in proportion to w_i times the
# distance to the nearest seed so far. `seeds` seedings are drawn on a
# subsample of the documents (screen_rows(), as the Gaussian start) and the
# one whose mixture of seed distributions (equal proportions) gives the
# subsample the highest log-likelihood is kept; one E-step under it gives
# the responsibilities the fit starts from. O(nnz k) per seeding, never a
# dense copy of sparse counts.
multinomial_seed_start <- function(data, k, weights = NULL, seeds = 10L, threads = 1L) {
  n <- data_rows(data)
  m <- screen_rows(n, k)
  rows <- if (m < n) sort(sample.int(n, m)) else seq_len(n)
  sub <- if (m < n) data_subset(data, rows) else data
  sub_w <- if (is.null(weights)) rep(1, m) else weights[rows]
  lengths <- document_lengths(sub)
  # the divergence of a document from q is its log-probability under its
  # own frequencies less that under q, the multinomial coefficient cancelling
  own <- self_information(sub, lengths) + lgamma(lengths + 1) -
    document_sum(sub, lgamma(stored_values(sub) + 1))
  best <- NULL
  for (s in seq_len(seeds)) {
    q <- seed_distributions(sub, k, sub_w, lengths, own, threads)
    score <- seed_estep(sub, q, sub_w, threads)$loglik
    if (is.null(best) || score > best$score) {
      best <- list(q = q, score = score)
    }
  }
  seed_estep(data, best$q, weights, threads)$z
}

# One k-means++ seeding (see multinomial_seed_start()): the k x V seed
# distributions.
seed_distributions <- function(data, k, w, lengths, own, threads) {
  n <- data_rows(data)
  V <- data_words(data)
  chosen <- integer(0)
  q <- matrix(0, k, V)
  nearest <- rep(Inf, n)
  candidates <- w > 0 & lengths > 0
  if (!any(candidates)) {
    candidates <- w > 0
  }
  for (j in seq_len(k)) {
    p <- if (j == 1L || !any(nearest > 0 & candidates)) {
      ifelse(candidates, w, 0)
    } else {
      ifelse(candidates, w * nearest, 0)
    }
    p[chosen] <- 0
    if (!any(p > 0)) { # fewer distinct documents than k: any other one
      p <- ifelse(w > 0, 1, 0)
      p[chosen] <- 0
    }
    s <- draw_index(if (any(p > 0)) p else rep(1, n))
    chosen <- c(chosen, s)
    counts <- document_counts(data, s)
    q[j, ] <- if (sum(counts) > 0) counts / (2 * sum(counts)) + 0.5 / V else 1 / V
    score <- seed_estep(data, q[j, , drop = FALSE], NULL, threads)$row_loglik
    nearest <- pmin(nearest, pmax(own - score, 0))
  }
  q
}

# The compiled E-step under the seed distributions q (k x V) with equal
# proportions: z, row_loglik and the weighted loglik.
seed_estep <- function(data, q, weights, threads) {
  core_estep("multinomial", 0, list(pro = rep(1 / nrow(q), nrow(q)), prob = q), data, weights,
             threads)
}

# An index drawn in proportion to p, by the inverse CDF at one uniform: a
# rounding difference in p (dense and sparse sums) moves the draw only if
# the uniform falls on it, whereas sample.int() sorts p, so that it could
# reorder near ties. O(n), not O(n log n).
draw_index <- function(p) {
  cdf <- cumsum(p)
  min(length(p), findInterval(stats::runif(1L) * cdf[length(cdf)], cdf) + 1L)
}

# The documents `rows` of the counts, in the same form
data_subset <- function(data, rows) {
  if (!inherits(data, "emix_csr")) {
    return(data[rows, , drop = FALSE])
  }
  lengths <- diff(data$row_start)[rows]
  at <- sequence(lengths, from = data$row_start[rows] + 1L)
  structure(list(dim = c(length(rows), data$dim[2L]),
                 dimnames = list(data$dimnames[[1L]][rows], data$dimnames[[2L]]),
                 x = data$x[at], row_start = c(0L, cumsum(lengths)), col = data$col[at]),
            class = "emix_csr")
}

# sum_v x_iv log(x_iv / L_i) for every document (0 for one with no words)
self_information <- function(data, lengths) {
  if (!inherits(data, "emix_csr")) {
    return(rowSums(ifelse(data > 0, data * log(data / lengths), 0)))
  }
  rows <- rep.int(seq_len(data$dim[1L]), diff(data$row_start))
  rowsum_counts(data, ifelse(data$x > 0, data$x * log(data$x / lengths[rows]), 0))
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
#' The defaults were chosen by measurement (`bench/multinomial_prior.R`).
#' Started with `k = 10` on synthetic documents (3 to 5 topics over 30 to
#' 1000 words, documents of 15 to 50 words, 90% or 70% of a document's
#' words from its topic's own block; 15 fits per method), variational Bayes
#' and ME with `alpha = 0.01, beta = 5` ended with the true number of
#' occupied components in every fit. With smaller `beta` VB keeps surplus
#' components (`beta = 2`: 13 of 15 right, `beta = 1`: 10 of 15): a
#' component with a sharper word distribution explains its few documents
#' better than the bound charges for it. ME, which merges components after
#' it converges, found the truth for every `beta` tried. On 1000 documents
#' over 5000 words (5 topics, 4 fits) VB found 5 every time with
#' `beta = 5` and once with `beta = 2`. A larger `beta` smooths more: words
#' used fewer than about `beta` times in a component count little.
#'
#' @param alpha Dirichlet concentration \eqn{\alpha > 0} of each proportion.
#'   Default 0.01: well below 1, so that components without documents of
#'   their own are emptied.
#' @param beta Dirichlet concentration \eqn{\beta > 0} of each word
#'   probability. Default 5 (see above).
#' @return A list of class `"emix_multinomial_prior"`; a `NULL` entry is
#'   filled in when the model is fitted, and the fit keeps the prior it used
#'   as `fit$prior`.
#' @references Kurihara, K. and Welling, M. (2009). Bayesian k-means as a
#'   "maximization-expectation" algorithm. *Neural Computation*, 21(4),
#'   1145--1172.
#' @seealso [multinomial_mix()], [emix()]
#' @examples
#' multinomial_prior(beta = 1)
#' set.seed(2)
#' topics <- rbind(c(0.3, 0.3, 0.3, 0.04, 0.03, 0.03),
#'                 c(0.03, 0.03, 0.04, 0.3, 0.3, 0.3))
#' x <- t(sapply(rep(1:2, each = 30), function(c) rmultinom(1, 30, topics[c, ])))
#' fit <- emix(x, k = 5, family = multinomial_mix(),
#'             method = vb(prior = multinomial_prior()))
#' fit$occupied
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
  cat(sprintf("  alpha = %s, beta = %s\n", show(x$alpha, "0.01"), show(x$beta, "5")))
  invisible(x)
}

# ---- printing and simulation ------------------------------------------------

# The `top` most probable words of each component (a row of prob, with
# the words as column names), a k-row character matrix.
multinomial_top_words <- function(prob, top = 8L) {
  names <- colnames(prob)
  top <- min(top, ncol(prob))
  out <- t(apply(prob, 1L, function(p) names[order(p, decreasing = TRUE)[seq_len(top)]]))
  matrix(out, nrow(prob), top, dimnames = list(rownames(prob), NULL))
}

# ---- the family ---------------------------------------------------------------

#' The multinomial mixture family (documents by word counts)
#'
#' Mixtures of multinomial components over the columns of a count matrix,
#' such as a document-term matrix: row \eqn{i} is a document, the counts
#' \eqn{x_{i1}, \dots, x_{iV}} of \eqn{V} words, and component \eqn{c}
#' draws each of its \eqn{L_i = \sum_v x_{iv}} words independently with
#' probabilities \eqn{p_{c1}, \dots, p_{cV}} (Nigam et al. 2000):
#' \deqn{\log f_c(x_i) = \log \frac{L_i!}{\prod_v x_{iv}!} + \sum_v x_{iv} \log p_{cv}.}
#' The data may be a numeric matrix or a sparse `Matrix::dgCMatrix`, which
#' is read as it is (the E-step and the statistics cost one pass over the
#' nonzero counts per component, and no dense copy is made); the counts must
#' be finite, non-negative whole numbers. Observation weights count
#' documents, as for every family.
#'
#' The log-likelihood is the exact log-probability of the counts: it
#' includes the multinomial coefficient \eqn{\log(L_i! / \prod_v x_{iv}!)},
#' which no parameter moves, as `mixtools::multmixEM()` does too. A term
#' \eqn{0 \log 0} counts 0, so a word that a component never uses
#' (possible with `smooth = 0`) rules that component out only for the
#' documents that contain the word. A document with no words is allowed:
#' its posterior probabilities are the mixing proportions, and it adds 0 to
#' the log-likelihood and nothing to the word counts (it does count towards
#' the proportions).
#'
#' The M-step is \eqn{\pi_c = N_c / W} and
#' \eqn{p_{cv} = (n_{cv} + s) / (\sum_{v'} n_{cv'} + V s)}, with
#' \eqn{N_c = \sum_i w_i z_{ic}}, \eqn{n_{cv} = \sum_i w_i z_{ic} x_{iv}},
#' \eqn{W} the sum of the weights and \eqn{s} = `smooth`: \eqn{s = 0} is
#' maximum likelihood, \eqn{s > 0} the maximum a posteriori estimate under a
#' Dirichlet\eqn{(1 + s)} prior on each component's word probabilities
#' (Lidstone smoothing), which keeps every probability positive. A component
#' with no documents (or, for \eqn{s = 0}, no words) has no estimate: the
#' fit stops with a classed `emix_error_empty`, or drops it with
#' `emix_control(empty = "drop")`. The number of free parameters is
#' \eqn{(k - 1) + k (V - 1)}.
#'
#' The default start (`init = "kmeans++"`) is k-means++ seeding under the
#' multinomial divergence: a seed document stands for its word frequencies
#' mixed half and half with the uniform distribution, the first seed is
#' drawn in proportion to the weights and each next one in proportion to the
#' weight times the divergence \eqn{L_i \mathrm{KL}(x_i / L_i \,\|\, q)} of
#' the document from its nearest seed so far (Banerjee et al. 2005).
#' `emix_control(seeds = )` seedings (10 by default) are drawn on a
#' subsample of the documents (at most the larger of 2000 and 200 per
#' component), the one under which the subsample is most probable is kept,
#' and one E-step with equal proportions gives the responsibilities EM
#' starts from. It never forms a dense copy of sparse counts, and each start
#' of `nstart` draws new seeds. `init = "random"` starts from a random
#' partition; labels, a responsibility matrix, a previous multinomial fit or
#' `list(pro, prob)` are accepted as for the Gaussian family.
#'
#' The Bayesian methods (`"vb"`, `"me"`, `"gibbs"`) put the conjugate prior
#' of [multinomial_prior()] on the parameters (given through
#' the method, as in `method = vb(prior = multinomial_prior(beta = 1))`;
#' `NULL` takes its defaults); `smooth` plays no part there. The fit's `pro`
#' and `prob` are then the posterior means, and `fit$posterior` holds the
#' posterior's `alpha` (k), `beta` (k x V) and `N` (k). A Gibbs fit keeps
#' every kept draw's word probabilities in `fit$draws$prob`, \eqn{8 k V}
#' bytes per draw (400 MB for 1000 draws of 10 components over 5000 words):
#' keep fewer draws for large vocabularies.
#'
#' `print()` and `summary()` list each component's most probable words, by
#' the column names of the data; `coef()` gives `pro` and `prob` as one
#' matrix; `predict()` takes new counts, dense or sparse, whose columns
#' are matched to the fit's words by name (in any order; other columns are
#' ignored) or, without names, by position; `simulate()`
#' draws documents of the fitted documents' lengths.
#'
#' @param smooth The pseudo-count \eqn{s \ge 0} added to every word of every
#'   component in the M-step; 0 is maximum likelihood.
#' @return A family object (class `"emix_family"`), see [emix_family].
#' @references Nigam, K., McCallum, A. K., Thrun, S. and Mitchell, T. (2000).
#'   Text classification from labeled and unlabeled documents using EM.
#'   *Machine Learning*, 39(2/3), 103--134.
#'
#'   Banerjee, A., Merugu, S., Dhillon, I. S. and Ghosh, J. (2005).
#'   Clustering with Bregman divergences. *Journal of Machine Learning
#'   Research*, 6, 1705--1749.
#' @seealso [multinomial_prior()], [emix()], [emix_family]
#' @examples
#' # documents on two topics, the first using words a-c more, the second d-f
#' set.seed(1)
#' topics <- rbind(c(0.3, 0.3, 0.3, 0.04, 0.03, 0.03),
#'                 c(0.03, 0.03, 0.04, 0.3, 0.3, 0.3))
#' x <- t(sapply(rep(1:2, each = 20), function(c) rmultinom(1, 30, topics[c, ])))
#' colnames(x) <- letters[1:6]
#' fit <- emix(x, k = 2, family = multinomial_mix())
#' fit
#' round(fit$prob, 2)
#' table(fit$classification, rep(1:2, each = 20))
#' # the same fit from sparse counts
#' if (requireNamespace("Matrix", quietly = TRUE)) {
#'   sparse <- Matrix::Matrix(x, sparse = TRUE)
#'   emix(sparse, k = 2, family = multinomial_mix())$loglik
#' }
#' @export
multinomial_mix <- function(smooth = 0.01) {
  smooth <- check_number(smooth, "smooth")
  new_emix_family(
    name = "multinomial",
    title = "Multinomial mixture",
    parameters = c("pro", "prob"),
    c_name = "multinomial",
    settings = smooth,
    smooth = smooth,
    label = function(family) sprintf("multinomial, smooth = %s", format(family$smooth)),
    prepare = multinomial_prepare,
    start = multinomial_start,
    context = multinomial_context,
    drop = function(prep, z, j, core) drop_posterior_column(z, j),
    order = function(run) order(-run$pro, -run$prob[, 1L]),
    reorder = function(run, perm) {
      run$pro <- run$pro[perm]
      run$prob <- run$prob[perm, , drop = FALSE]
      run
    },
    finish = function(run, prep) {
      dimnames(run$prob) <- list(as.character(seq_len(nrow(run$prob))), prep$vars)
      run
    },
    header = function(fit) {
      sprintf("Multinomial mixture fitted by %s: %d component%s over %d word%s%s",
              method_names[[fit$method]], fit$k, plural(fit$k), fit$d, plural(fit$d),
              # smoothing is the M-step's; the Bayesian methods have their prior
              if (fit$method %in% bayes_methods) "" else sprintf(", smooth = %s", format(fit$family$smooth)))
    },
    print_parameters = function(fit, shown, digits) {
      cat("\nMost probable words:\n")
      print(noquote(multinomial_top_words(fit$prob[shown, , drop = FALSE], top = 6L)))
    },
    summary_parameters = function(fit, shown) {
      list(top_words = multinomial_top_words(fit$prob[shown, , drop = FALSE], top = 10L),
           top_prob = multinomial_top_prob(fit$prob[shown, , drop = FALSE], top = 10L))
    },
    print_summary = function(x, digits) {
      cat("\nMost probable words (probability):\n")
      shown <- matrix(sprintf("%s (%s)", x$top_words, format(x$top_prob, digits = 2L)),
                      nrow(x$top_words), dimnames = dimnames(x$top_words))
      print(noquote(shown))
    },
    coef = function(object) {
      out <- rbind(pro = object$pro, t(object$prob))
      rownames(out) <- c("pro", paste0("prob.", colnames(object$prob)))
      out
    },
    simulate = multinomial_simulate,
    newdata = multinomial_newdata,
    variables = function(fit) colnames(fit$prob),
    draws = function(res, prep) {
      components <- as.character(seq_len(prep$k))
      draws <- list(pro = t(res$draws$pro), prob = res$draws$prob)
      colnames(draws$pro) <- components
      dimnames(draws$prob) <- list(components, prep$vars, NULL)
      draws
    },
    draw_parameters = function(draws, s) {
      list(pro = draws$pro[s, ], prob = matrix(draws$prob[, , s], ncol(draws$pro)))
    },
    estep = multinomial_fit_estep,
    plots = "uncertainty"
  )
}

# Checks the counts and the arguments of a multinomial fit, and returns the
# prepared fit (see new_emix_family() for its fields).
multinomial_prepare <- function(family, x, k, weights, init, nstart, method, control) {
  data <- multinomial_data(x)
  n <- data_rows(data)
  V <- data_words(data)
  vars <- data_word_names(data)
  if (is.null(vars)) {
    vars <- paste0("w", seq_len(V))
  }
  weights <- check_weights(weights, n)
  init <- multinomial_check_init(init, n, V, vars, k)
  k <- init$k
  if (k > n) {
    stop_arg("k", sprintf("must not exceed the number of documents (%d); k = %d.", n, k))
  }
  if (nstart > 1L && init$type %in% c("labels", "matrix", "parameters")) {
    stop_arg("nstart", "must be 1 when `init` is given as labels, a matrix or parameters: every start would be the same.")
  }
  draws <- if (method$loop == "gibbs") method$draws else 0L
  sizes <- c(as.double(n) * k, as.double(k) * V * max(1L, draws))
  if (any(sizes > 2^52)) {
    stop_arg("k", sprintf("is too large for these data: the %s would have more than 2^52 elements, R's limit on a vector's length.",
                          if (sizes[1L] > 2^52) "posterior (documents x components)" else "kept word probabilities (components x words x draws)"))
  }
  if (method$loop == "iem") {
    bytes <- 8 * min(method$blocks, n) * (k + as.double(k) * V)
    if (bytes > iem_max_bytes) {
      stop_arg("blocks", sprintf("= %d would make incremental EM keep %s of statistics (k + k V numbers per block); it refuses more than %s. Use fewer blocks, or method = \"em\".",
                                 method$blocks, format_bytes(bytes), format_bytes(iem_max_bytes)))
    }
  }
  core <- list(
    tol = control$tol, max_iter = control$max_iter, rule_code = core_code("rule", control$rule),
    total_weight = if (is.null(weights)) as.double(n) else sum(weights),
    reg = 0, mean_weight = if (is.null(weights)) 1 else mean(weights),
    threads = control$threads, inner_tol = control$inner_tol,
    inner_max_iter = control$inner_max_iter, accelerate = as.integer(control$accelerate)
  )
  prior <- if (method$bayesian) resolve_multinomial_prior(method$prior)
  list(family = family, data = data, n = n, d = V, vars = vars, row_names = data_row_names(data),
       weights = weights, k = k, init = init, core = core, control = control, prior = prior,
       c_name = family$c_name, settings = family$settings, extra_columns = 0L)
}

# init as the start of a multinomial fit: list(type, k, and the labels,
# responsibilities or parameters given)
multinomial_check_init <- function(init, n, V, vars, k) {
  if (inherits(init, "emix") || is.list(init) && !is.data.frame(init)) {
    if (!all(c("pro", "prob") %in% names(init))) {
      stop_arg("init", "as parameters must be a multinomial fit or a list with `pro` (k proportions) and `prob` (a k x V matrix of word probabilities).")
    }
    pro <- init$pro
    prob <- init$prob
    if (!is.numeric(pro) || length(pro) < 1L || any(!is.finite(pro)) || any(pro < 0) ||
        abs(sum(pro) - 1) > 1e-8) {
      stop_arg("init", "must have `pro`, non-negative proportions summing to 1.")
    }
    if (!is.matrix(prob) || !is.numeric(prob) || !identical(dim(prob), c(length(pro), V)) ||
        any(!is.finite(prob)) || any(prob < 0) || any(abs(rowSums(prob) - 1) > 1e-8)) {
      stop_arg("init", sprintf("must have `prob`, a %d x %d matrix (components x words) of non-negative word probabilities, each row summing to 1.",
                               length(pro), V))
    }
    if (!is.null(colnames(prob)) && !identical(colnames(prob), vars)) {
      stop_arg("init", "has word probabilities for other words (column names) than the data's.")
    }
    if (!is.null(k) && check_count(k, "k") != length(pro)) {
      stop_arg("init", sprintf("holds parameters of %d components, but `k` is %d. Leave `k` out, or give parameters of %d components.",
                               length(pro), as.integer(k), as.integer(k)))
    }
    storage.mode(prob) <- "double"
    return(list(type = "parameters", k = length(pro), pro = as.double(pro), prob = unname(prob)))
  }
  k <- if (is.null(k)) start_k(init, n) else check_count(k, "k")
  if (is.character(init) && length(init) == 1L && init %in% c("kmeans++", "random")) {
    return(list(type = init, k = k))
  }
  partition <- check_init_partition(init, n, k)
  if (!is.null(partition)) {
    return(partition)
  }
  stop_arg("init", sprintf(
    "must be \"kmeans++\", \"random\", a numeric vector or factor of labels, a numeric matrix of responsibilities, a multinomial fit or a list(pro, prob) of parameters; it is %s.",
    describe_type(init)))
}

# The s-th start of a multinomial fit: responsibilities or labels.
multinomial_start <- function(prep, s) {
  init <- prep$init
  start <- switch(init$type,
    "kmeans++" = multinomial_seed_start(prep$data, prep$k, prep$weights, prep$control$seeds,
                                        prep$core$threads),
    random = sample(rep_len(seq_len(prep$k), prep$n)),
    labels = init$labels,
    matrix = init$z,
    parameters = {
      e <- core_estep(prep$c_name, prep$settings, list(pro = init$pro, prob = init$prob),
                      prep$data, prep$weights, prep$core$threads)
      bad <- which(!is.finite(e$row_loglik))
      if (length(bad) > 0L) {
        stop_arg("init", sprintf("gives document %d probability 0 under every component: it uses a word that no component of the parameters uses.",
                                 bad[1L]))
      }
      e$z
    }
  )
  list(start = start, core = prep$core)
}

# What stop_degenerate() needs to word a failed multinomial fit.
multinomial_context <- function(prep, k, core) {
  smooth <- prep$family$smooth
  list(
    method = prep$method$name, k = k, d = prep$d, vars = prep$vars,
    empty = prep$control$empty,
    describe = function(code, component, row, found) {
      if (code == "empty") {
        what <- if (found > 0) {
          sprintf("component %d holds documents (%s effective) but no words, so with smooth = 0 its word probabilities are undefined",
                  component, format(signif(found, 3L)))
        } else {
          sprintf("component %d holds no documents", component)
        }
        options <- c(if (k > 1L) "fewer components (`k`)",
                     if (k > 1L) "another start (`init = \"random\"`, a partition or parameters, `nstart`)",
                     if (smooth == 0 && found > 0) "`smooth` > 0 in `multinomial_mix()`",
                     if (k > 1L && prep$control$empty == "error") "`control = emix_control(empty = \"drop\")`")
      } else {
        what <- sprintf("document %d has probability 0 under every component: it uses a word that no component uses",
                        row)
        options <- "`smooth` > 0 in `multinomial_mix()`, so that every word has a positive probability"
      }
      list(what = what, advice = sprintf("Try %s.", paste(options, collapse = ", or ")))
    }
  )
}

# Responsibilities without column j, renormalised; the documents that
# belonged to j alone are shared out in proportion to the other
# components' weights.
drop_posterior_column <- function(z, j) {
  z <- z[, -j, drop = FALSE]
  total <- rowSums(z)
  lost <- total <= 0
  if (any(lost)) {
    share <- colSums(z)
    share <- if (sum(share) > 0) share / sum(share) else rep(1 / ncol(z), ncol(z))
    z[lost, ] <- rep(share, each = sum(lost))
    total[lost] <- 1
  }
  z / total
}

# The E-step of a multinomial fit at its parameters on the documents of x.
# For VB and ME with expected = TRUE: q(z) under q(theta), which reads
# E log pi_c and E log p_cv in place of the logs of pro and prob (given as
# logs: a tiny beta makes their exponentials underflow to 0).
multinomial_fit_estep <- function(fit, x, threads, expected = FALSE) {
  parameters <- list(pro = unname(fit$pro), prob = unname(fit$prob))
  if (expected && !is.null(fit$posterior)) {
    alpha <- fit$posterior$alpha
    beta <- unname(fit$posterior$beta)
    parameters$log_weight <- digamma(alpha) - digamma(sum(alpha))
    parameters$log_prob <- digamma(beta) - digamma(rowSums(beta))
  }
  core_estep(fit$family$c_name, fit$family$settings, parameters, x, NULL, threads)
}

# New counts for predict(): the words of the fit, dense or sparse; columns
# with names are matched to the fit's words by name (in any order, others
# ignored), columns without by position.
multinomial_newdata <- function(fit, newdata) {
  if (!is.null(fit$terms)) {
    # a fit to a formula: its terms applied to the new data frame
    newdata <- formula_data_matrix(fit$terms, newdata)
  }
  vars <- colnames(fit$prob)
  names_given <- colnames(newdata)
  if (!is.null(names_given) && all(vars %in% names_given) && !identical(names_given, vars)) {
    newdata <- newdata[, match(vars, names_given), drop = FALSE]
  }
  data <- multinomial_data(newdata, arg = "newdata")
  given <- data_word_names(data)
  if (data_words(data) != length(vars) || !is.null(given) && !identical(given, vars)) {
    stop_arg("newdata", sprintf("must have the %d words (columns) of the fit%s; it has %d%s.",
                                length(vars),
                                if (!is.null(given)) sprintf(", %s", name_list(vars)) else "",
                                data_words(data),
                                if (!is.null(given)) sprintf(", %s", name_list(given)) else ""))
  }
  data
}

# Counts drawn for simulate(): document j has the length of fitted document
# ((j - 1) mod n) + 1 and the counts of its component's multinomial.
multinomial_simulate <- function(object, component) {
  lengths <- document_lengths(object$x)
  lengths <- rep_len(lengths, length(component))
  out <- matrix(0, length(component), ncol(object$prob), dimnames = list(NULL, colnames(object$prob)))
  for (j in seq_along(component)) {
    out[j, ] <- stats::rmultinom(1L, lengths[j], object$prob[component[j], ])
  }
  out
}

# The probabilities of the words multinomial_top_words() lists.
multinomial_top_prob <- function(prob, top = 8L) {
  top <- min(top, ncol(prob))
  out <- t(apply(prob, 1L, function(p) sort(p, decreasing = TRUE)[seq_len(top)]))
  matrix(out, nrow(prob), top, dimnames = list(rownames(prob), NULL))
}

# The prior of a Bayesian multinomial fit: the method's multinomial_prior()
# with its defaults filled in. NULL, or an emix_prior() with every setting
# at its default, stands for the defaults; a Gaussian prior with settings
# is refused.
resolve_multinomial_prior <- function(prior) {
  if (is.null(prior) || inherits(prior, "emix_prior") && is_default_gaussian_prior(prior)) {
    prior <- multinomial_prior()
  }
  if (!inherits(prior, "emix_multinomial_prior")) {
    stop_arg("prior", "must be made by `multinomial_prior()` for the multinomial family.")
  }
  prior <- multinomial_prior(prior$alpha, prior$beta) # checked again
  structure(list(alpha = if (is.null(prior$alpha)) 0.01 else prior$alpha,
                 beta = if (is.null(prior$beta)) 5 else prior$beta),
            class = "emix_multinomial_prior")
}

is_default_gaussian_prior <- function(prior) {
  is.null(prior$alpha) && identical(prior$kappa, 1) && is.null(prior$mean) &&
    is.null(prior$df) && is.null(prior$scale)
}
