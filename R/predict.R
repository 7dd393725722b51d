# predict() for "emix" fits: classes, posterior probabilities and densities
# of new observations, from the compiled E-step at the fitted parameters.

#' Predict from a mixture fit
#'
#' Posterior probabilities of the components, the most probable component,
#' or the fitted mixture density, for new observations or for the data the
#' model was fitted to.
#'
#' @section New data:
#' * For a fit by the formula interface, `newdata` is a data frame (or a
#'   matrix with column names) holding the variables of the formula; the
#'   formula is applied to it as to the data, so transformations such as
#'   `log(x)` in the formula are applied again.
#' * For a fit to a matrix or data frame, the columns of `newdata` are
#'   matched to the variables of the fit by name when `newdata` has column
#'   names (other columns are ignored), and otherwise by position, in which
#'   case there must be one column per variable. A numeric vector is taken
#'   as one column when the fit has a single variable.
#'
#' @section Noise:
#' For a fit with a noise component (`emix(noise = TRUE)`), `"posterior"`
#' has `k + 1` columns, the last named `"noise"`; `"class"` is 0 for rows
#' whose most probable component is the noise; and `"density"` is
#' \eqn{f(x) = \sum_c \pi_c \phi(x; \mu_c, \Sigma_c) + \pi_0 / V}{f(x) = sum_c pro[c] phi(x; mean[c, ], sigma[, , c]) + pro0 / V}.
#' As in mclust, the noise density \eqn{1/V} is taken to hold everywhere,
#' also outside the region of volume \eqn{V} it was fitted on, so a new row
#' far from the data gets density \eqn{\pi_0 / V} and class 0.
#'
#' @section Bayesian fits:
#' For `method = "vb"` and `"me"`, `"posterior"` and `"class"` give the
#' variational \eqn{q(z)} of each row under the fitted \eqn{q(\theta)}
#' (for the fitted rows, the `z` of the fit), and `"density"` is the mixture
#' density at the returned parameters (the posterior means of the
#' proportions and means, and \eqn{E[\Lambda_c]^{-1}} as covariances), not
#' the Student-t posterior predictive. For `method = "gibbs"`, `"posterior"`
#' and `"class"` are those at the kept draw with the largest log-likelihood,
#' and `"density"` is the posterior predictive density: the mean over the
#' kept draws of each draw's mixture density, which label switching does not
#' affect.
#'
#' For a Gaussian fit, a row of `newdata` with a missing or infinite value
#' gives `NA` in the result: rows are never dropped, so the result always
#' has one row (or element) per row of `newdata`. Counts for a multinomial
#' fit are checked as the data of [multinomial_mix()] are: a missing count
#' is an error.
#'
#' A finite row so far from every component that its density underflows to
#' 0 under each of them (for a Gibbs fit: under every kept draw) has
#' `"logdensity"` `-Inf` and `"density"` 0; its posterior probabilities are
#' undefined (0/0), so `"posterior"` gives `NA` for that row and `"class"`
#' `NA`. No type ever returns `NaN`.
#'
#' Without `newdata`, the prediction is for the rows the model was fitted
#' to, padded back with `NA` for rows left out by `na.action = na.exclude`
#' (see [stats::napredict()]), as for [fitted.emix()].
#'
#' @param object A fit returned by [emix()].
#' @param newdata New observations; see the section *New data*. If missing,
#'   the data used for the fit.
#' @param type What to predict:
#'   * `"class"`: the most probable component (an integer in `1..k`, or 0 for
#'     the noise; see the section *Noise*);
#'   * `"posterior"`: the posterior probabilities of the components;
#'   * `"density"`: the density of the fitted mixture,
#'     \eqn{f(x) = \sum_c \pi_c \phi(x; \mu_c, \Sigma_c)}{f(x) = sum_c pro[c] phi(x; mean[c, ], sigma[, , c])};
#'   * `"logdensity"`: its logarithm, computed in log space so that it is
#'     accurate far in the tails where the density underflows to 0.
#' @param ... Must be empty: a misspelt argument is an error rather than
#'   silently ignored.
#' @return For `"posterior"`, a matrix with one row per observation and one
#'   column per component (named `"1"` to `"k"`); otherwise a vector with one
#'   element per observation, integer for `"class"`.
#' @seealso [fitted.emix()], [emix()]
#' @examples
#' fit <- emix(~ ., data = faithful, k = 2)
#' new <- data.frame(eruptions = c(2, 3.5, 5), waiting = c(50, 70, 85))
#' predict(fit, new)
#' predict(fit, new, type = "posterior")
#' predict(fit, new, type = "density")
#' # the training data
#' table(predict(fit), fitted(fit, type = "class"))
#'
#' # a fit to a matrix: columns matched by name
#' fit2 <- emix(as.matrix(iris[1:4]), k = 3, model = "VVI")
#' predict(fit2, iris[c(1, 51, 101), 4:1], type = "posterior")
#' @exportS3Method stats::predict emix
predict.emix <- function(object, newdata,
                         type = c("class", "posterior", "density", "logdensity"), ...) {
  check_dots_empty(...)
  type <- match_choice(type, "type")
  if (missing(newdata) || is.null(newdata)) {
    out <- predict_matrix(object, object$x, type)
    return(stats::napredict(object$na.action, out))
  }
  predict_matrix(object, object$family$newdata(object, newdata), type)
}

# The E-step of predict() on complete rows x: their posterior `z` and their
# log-density under the fit `row_loglik` (for `type`, what is asked).
new_rows_estep <- function(object, x, type) {
  UseMethod("new_rows_estep")
}

#' @export
new_rows_estep.emix <- function(object, x, type) {
  object$family$estep(object, x, object$control$threads, expected = FALSE)
}

# q(z) of new rows under q(theta): the E-step with expected logarithms in
# place of the parameters' own (for a Gaussian fit, the expected log
# weights in place of log pi)
#' @export
new_rows_estep.emix_vb <- function(object, x, type) {
  res <- NextMethod()
  res$z <- object$family$estep(object, x, object$control$threads, expected = TRUE)$z
  res
}

#' @export
new_rows_estep.emix_me <- new_rows_estep.emix_vb

# the kept draw's parameters, and its own Cholesky factors where it has
# them; the density is the posterior predictive over all kept draws
#' @export
new_rows_estep.emix_gibbs <- function(object, x, type) {
  res <- gibbs_draw_estep(object, object$best_draw, x, object$control$threads)
  if (type %in% c("density", "logdensity")) {
    res$row_loglik <- predictive_logdensity(object, x)
  }
  res
}

# Predictions for the rows of a numeric matrix in the variables of the fit;
# rows with a non-finite value give NA.
predict_matrix <- function(object, x, type) {
  sparse <- inherits(x, "emix_csr")
  n <- if (sparse) x$dim[1L] else nrow(x)
  row_names <- if (sparse) x$dimnames[[1L]] else rownames(x)
  k <- length(object$pro)
  # a sparse matrix was checked whole: it has no missing values
  complete <- if (sparse) rep(TRUE, n) else rowSums(!is.finite(x)) == 0L
  z <- matrix(NA_real_, n, k, dimnames = list(row_names, names(object$pro)))
  row_loglik <- stats::setNames(rep(NA_real_, n), row_names)
  if (any(complete)) {
    xc <- if (all(complete)) x else x[complete, , drop = FALSE]
    res <- new_rows_estep(object, xc, type)
    zc <- res$z
    row_loglik[complete] <- res$row_loglik
    # A row of zero density under every component (far from all of them)
    # has no posterior: the E-step's 0/0 is NaN, reported as NA.
    zc[!is.finite(rowSums(zc)), ] <- NA_real_
    z[complete, ] <- zc
  }
  switch(type,
    class = {
      out <- most_probable_component(z)
      out[which(out > object$k)] <- 0L # the noise, as mclust
      stats::setNames(out, row_names)
    },
    posterior = z,
    density = exp(row_loglik),
    logdensity = row_loglik
  )
}

# The most probable component of each row of the posterior z (the first on
# a tie); NA for a row without a posterior (NA or NaN).
most_probable_component <- function(z) {
  out <- rep(NA_integer_, nrow(z))
  defined <- is.finite(rowSums(z))
  out[defined] <- max.col(z[defined, , drop = FALSE], ties.method = "first")
  out
}

# `newdata` as a numeric matrix whose columns are the variables of the fit.
new_data_matrix <- function(object, newdata) {
  vars <- colnames(object$mean)
  if (!is.null(object$terms)) {
    x <- formula_data_matrix(object$terms, newdata)
  } else {
    x <- default_data_matrix(newdata, vars)
  }
  if (!identical(colnames(x), vars)) {
    stop_arg("newdata", sprintf(
      "gives the variables %s, but the model was fitted to %s.",
      paste0("`", colnames(x), "`", collapse = ", "),
      paste0("`", vars, "`", collapse = ", ")
    ))
  }
  x
}

# The model matrix of `newdata` under the formula of the fit, without the
# intercept, as emix.formula() builds it; missing values are kept.
formula_data_matrix <- function(terms, newdata) {
  if (is.matrix(newdata)) {
    newdata <- as.data.frame(newdata)
  }
  if (!is.data.frame(newdata) && !is.list(newdata)) {
    stop_arg("newdata", "must be a data frame holding the variables of the formula.")
  }
  terms <- stats::delete.response(terms)
  mf <- tryCatch(
    stats::model.frame(terms, newdata, na.action = stats::na.pass),
    error = function(e) {
      stop_arg("newdata", sprintf(
        "must hold the variables of the formula (%s): %s",
        paste0("`", all.vars(terms), "`", collapse = ", "), conditionMessage(e)
      ))
    }
  )
  numeric_design(terms, mf, "newdata")
}

# `newdata` for a fit to a matrix: columns by name when named, else by
# position.
default_data_matrix <- function(newdata, vars) {
  d <- length(vars)
  if (is.vector(newdata) && is.numeric(newdata) && d == 1L) {
    newdata <- matrix(newdata, ncol = 1L, dimnames = list(names(newdata), vars))
  }
  if (!is.matrix(newdata) && !is.data.frame(newdata)) {
    stop_arg("newdata", "must be a matrix or a data frame.")
  }
  if (!is.null(colnames(newdata))) {
    missing_vars <- setdiff(vars, colnames(newdata))
    if (length(missing_vars) > 0L) {
      stop_arg("newdata", sprintf(
        "must have a column for every variable of the fit; %s %s missing.",
        paste0("`", missing_vars, "`", collapse = ", "),
        if (length(missing_vars) == 1L) "is" else "are"
      ))
    }
    newdata <- newdata[, vars, drop = FALSE]
  } else if (ncol(newdata) != d) {
    stop_arg("newdata", sprintf(
      "without column names must have one column per variable of the fit (%d), not %d.",
      d, ncol(newdata)
    ))
  }
  if (is.data.frame(newdata)) {
    numeric_col <- vapply(newdata, is_numeric_variable, logical(1))
    if (!all(numeric_col)) {
      stop_arg("newdata", sprintf(
        "must have numeric columns only; %s %s not numeric.",
        paste0("`", names(newdata)[!numeric_col], "`", collapse = ", "),
        if (sum(!numeric_col) == 1L) "is" else "are"
      ))
    }
    row_names <- rownames(newdata)
    newdata <- as.matrix(newdata)
    rownames(newdata) <- row_names
  }
  if (!is.numeric(newdata) && !(is.logical(newdata) && all(is.na(newdata)))) {
    stop_arg("newdata", "must be numeric.")
  }
  storage.mode(newdata) <- "double"
  colnames(newdata) <- vars
  newdata
}

# The log posterior predictive density of the rows of x under a Gibbs fit:
# the log of the mean over the kept draws of each draw's mixture density.
predictive_logdensity <- function(object, x) {
  n <- if (inherits(x, "emix_csr")) x$dim[1L] else nrow(x)
  per_draw <- vapply(seq_along(object$draws$loglik), function(s) {
    gibbs_draw_estep(object, s, x, threads = object$control$threads)$row_loglik
  }, numeric(n))
  per_draw <- matrix(per_draw, n)
  top <- apply(per_draw, 1L, max)
  out <- top + log(rowMeans(exp(per_draw - top)))
  # zero density under every draw: log 0, not -Inf - -Inf
  out[top == -Inf] <- -Inf
  out
}
