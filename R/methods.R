# The model generics for "emix" fits: print(), summary(), logLik(), nobs(),
# coef() and fitted().

#' Print and summarise a Gaussian mixture fit
#'
#' `print()` shows in a few lines what was fitted and how well: the model,
#' the log-likelihood, the BIC, the convergence and the proportions and
#' means of the components. `summary()` adds the covariances (for more
#' than one variable also in the model's form: volume, shape and
#' orientation, see `decomposition` below), the
#' information criteria AIC, BIC and ICL and the sizes of the components.
#' Both say when a ridge was used (so the numbers are those of the
#' ridge-regularised estimates; see `reg` in [emix_control()]), how many
#' starts were set aside as degenerate, and, for a Bayesian fit, how many
#' components are empty: those are left out of the tables. A stochastic EM
#' fit runs a fixed number of iterations, and is said to have run them.
#'
#' @section Information criteria:
#' All three are on R's smaller-is-better scale, as [stats::AIC()] and
#' [stats::BIC()]: with log-likelihood \eqn{\ell}{l}, \eqn{p} free
#' parameters (`df`) and \eqn{N} observations ([nobs()], the sum of the
#' weights if there are weights),
#' * AIC \eqn{= -2\ell + 2p}{= -2 l + 2 p},
#' * BIC \eqn{= -2\ell + p \log N}{= -2 l + p log(N)},
#' * ICL \eqn{= \mathrm{BIC} + 2\,\mathrm{EN}}{= BIC + 2 EN}, where
#'   \eqn{\mathrm{EN} = -\sum_i w_i \sum_c z_{ic} \log z_{ic}}{EN = -sum_i w_i sum_c z[i, c] log z[i, c]}
#'   is the entropy of the posterior probabilities \eqn{z} (with weights
#'   \eqn{w_i}, 1 without weights). This is the BIC penalised by the
#'   uncertainty of the classification (Biernacki, Celeux and Govaert, 2000):
#'   it favours well separated components. mclust reports BIC and ICL with
#'   the opposite sign (larger is better), and its ICL penalises by the
#'   posterior probabilities of the hard classification only,
#'   \eqn{-\sum_i \log \max_c z_{ic}}{-sum_i log max_c z[i, c]}, instead of EN.
#'
#' @param x,object A fit returned by [emix()]; for `print.summary.emix()`,
#'   the result of `summary()`.
#' @param digits Number of significant digits to print.
#' @param ... Ignored.
#'
#' @return `print()` returns its argument invisibly. `summary()` returns an
#'   object of class `"summary.emix"`, a list with
#' \describe{
#'   \item{`call`, `model`, `description`, `k`, `d`, `n`}{the call, the
#'     covariance model and its description, the numbers of components,
#'     variables and rows.}
#'   \item{`nobs`, `weighted`}{the number of observations (the sum of the
#'     weights when there are weights) and whether there are weights.}
#'   \item{`loglik`, `df`, `criteria`, `entropy`}{the log-likelihood, the
#'     number of free parameters, a named vector of `AIC`, `BIC` and `ICL`
#'     and the entropy EN of the posterior; see the section *Information
#'     criteria*.}
#'   \item{`components`}{a data frame with one row per component:
#'     `proportion` (mixing proportion), `size` (rows whose most probable
#'     component it is) and `N` (its soft size, the weighted sum of the
#'     posterior probabilities, \eqn{\sum_i w_i z_{ic}}{sum_i w_i z[i, c]}).}
#'   \item{`classification`}{the table of the rows by most probable
#'     component.}
#'   \item{`mean`, `sigma`}{the `k x d` means and the `d x d x k`
#'     covariances.}
#'   \item{`decomposition`}{the covariances in the form the model has,
#'     \eqn{\Sigma_c = \lambda_c D_c A_c D_c^\top}{Sigma_c = lambda_c D_c A_c D_c'}:
#'     a list of `scale` (the volume \eqn{\lambda_c = \det(\Sigma_c)^{1/d}}{lambda_c = det(Sigma_c)^(1/d)},
#'     one value if the model's volume is equal across components, one per
#'     component if it varies), `shape` (the diagonal of \eqn{A_c}{A_c},
#'     determinant 1: `NULL` for a spherical model, a vector if equal, a
#'     `d x k` matrix if varying) and `orientation` (\eqn{D_c}{D_c}, whose
#'     columns are the axes: `NULL` for a spherical or diagonal model, a
#'     `d x d` matrix if equal, a `d x d x k` array if varying). The axes
#'     are the eigenvectors of the covariance (of the first component when
#'     the orientation is shared) in decreasing order of eigenvalue, each
#'     with the sign that makes its largest entry positive; a diagonal
#'     model's shape is in the order of the variables.}
#'   \item{`converged`, `iter`, `dropped`, `control`}{whether the stopping
#'     rule held, after how many iterations, how many components were
#'     dropped on the way and the settings used.}
#' }
#' @references Biernacki, C., Celeux, G. and Govaert, G. (2000). Assessing a
#'   mixture model for clustering with the integrated completed likelihood.
#'   *IEEE Transactions on Pattern Analysis and Machine Intelligence*, 22(7),
#'   719--725.
#'
#'   Celeux, G. and Govaert, G. (1995). Gaussian parsimonious clustering
#'   models. *Pattern Recognition*, 28(5), 781--793.
#' @seealso [emix()], [logLik.emix()], [coef.emix()], [plot.emix()]
#' @examples
#' fit <- emix(~ ., data = faithful, k = 2)
#' fit
#' s <- summary(fit)
#' s
#' s$criteria
#' s$components
#' @export
print.emix <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(fit_header(x), "\n", sep = "")
  cat(sprintf(
    "%s, log-likelihood = %s, df = %s, BIC = %s\n",
    observations_text(x$n, nobs.emix(x), !is.null(x$weights), digits),
    format_number(x$loglik, digits), format(x$df),
    format_number(stats::BIC(logLik.emix(x)), digits)
  ))
  cat(convergence_text(x), "\n", sep = "")
  bayes <- bayes_text(x, digits)
  if (!is.null(bayes)) {
    cat(bayes, "\n", sep = "")
  }
  if (!is.null(x$noise)) {
    cat(noise_text(x, digits), "\n", sep = "")
  }
  # a Bayesian fit's empty components are not part of the fit: left out
  shown <- shown_components(x)
  cat("\nMixing proportions:\n")
  print(x$pro[shown], digits = digits)
  x$family$print_parameters(x, shown, digits)
  invisible(x)
}

# The components the tables show: all, except a Bayesian fit's empty ones.
shown_components <- function(x) {
  occupied <- occupied_mask(x)
  if (is.null(occupied)) seq_len(x$k) else which(occupied)
}

#' @rdname print.emix
#' @export
summary.emix <- function(object, ...) {
  k <- object$k
  w <- if (is.null(object$weights)) rep(1, object$n) else object$weights
  z <- object$z
  ll <- logLik.emix(object)
  nobs <- attr(ll, "nobs")
  entropy <- posterior_entropy(object)
  bic <- -2 * object$loglik + log(nobs) * object$df
  labels <- c(seq_len(k), if (!is.null(object$noise)) 0L) # 0: the noise
  components <- data.frame(
    proportion = unname(object$pro),
    size = tabulate(match(object$classification, labels), nbins = length(labels)),
    N = unname(colSums(w * z)),
    row.names = names(object$pro)
  )
  shown <- shown_components(object)
  structure(
    c(list(
      call = object$call,
      model = object$model,
      method = object$method,
      family = object$family,
      k = k,
      d = object$d,
      n = object$n,
      nobs = nobs,
      weighted = !is.null(object$weights),
      loglik = object$loglik,
      df = object$df,
      criteria = c(AIC = -2 * object$loglik + 2 * object$df, BIC = bic,
                   ICL = bic + 2 * entropy),
      entropy = entropy,
      components = components[c(shown, if (!is.null(object$noise)) k + 1L), , drop = FALSE],
      classification = table(component = factor(object$classification,
                                                 levels = c(shown, if (!is.null(object$noise)) 0L))),
      converged = object$converged,
      start_objective = object$start_objective,
      iter = object$iter,
      dropped = object$dropped,
      control = object$control,
      bayes = bayes_text(object, max(3L, getOption("digits") - 3L)),
      noise = if (!is.null(object$noise)) noise_text(object, max(3L, getOption("digits") - 3L))
    ), object$family$summary_parameters(object, shown)),
    class = "summary.emix"
  )
}

# The entropy of a fit's posterior probabilities, weighted by the rows'
# weights: ICL = BIC + 2 * this (see ?summary.emix).
# A zero entry counts 0, the limit of z log z (src/logsumexp.c).
posterior_entropy <- function(fit) {
  .Call(C_ffi_posterior_entropy, fit$z, fit$weights)
}

#' @rdname print.emix
#' @method print summary.emix
#' @export
print.summary.emix <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(fit_header(x), "\n", sep = "")
  if (!is.null(x$call)) {
    cat("\nCall:\n")
    print(x$call)
  }
  cat("\nData: ", data_text(x$n, x$nobs, x$weighted, digits),
      sprintf(", %d variable%s\n", x$d, plural(x$d)), sep = "")
  cat(convergence_text(x), "\n", sep = "")
  if (!is.null(x$bayes)) {
    cat(x$bayes, "\n", sep = "")
  }
  if (!is.null(x$noise)) {
    cat(x$noise, "\n", sep = "")
  }
  cat("\n")
  values <- format_number(c(x$loglik, x$criteria), digits)
  fit_table <- data.frame(
    "log-likelihood" = values[1L], df = format(x$df),
    nobs = format_number(x$nobs, digits),
    AIC = values[2L], BIC = values[3L], ICL = values[4L],
    check.names = FALSE
  )
  print(fit_table, row.names = FALSE)
  cat(sprintf("ICL = BIC + 2 * entropy of the posterior (%s); smaller is better.\n",
              format(x$entropy, digits = digits)))
  cat("\nComponents (size: rows classified to it; N: sum of weighted posterior):\n")
  print(x$components, digits = digits)
  x$family$print_summary(x, digits)
  invisible(x)
}

#' Log-likelihood and number of observations of a mixture fit
#'
#' `logLik()` returns the log-likelihood of the data at the fitted
#' parameters, with the number of free parameters and of observations as
#' attributes, so that [stats::AIC()] and [stats::BIC()] work.
#'
#' The number of free parameters (`df`) is \eqn{k - 1} proportions,
#' \eqn{kd} means, and the covariances' parameters as mclust counts them
#' (`nMclustParams()`): from 1 (`"EII"`) to \eqn{k d(d+1)/2} (`"VVV"`),
#' see [emix()], section *Covariance models*, for each model; plus 1 for the
#' proportion of a noise component. The number of observations is the number of
#' rows used, or the sum of the weights when the fit has weights (which have
#' frequency meaning).
#'
#' With a ridge (`reg > 0` in [emix_control()]) the log-likelihood is the
#' ordinary one at the ridge-regularised estimates, with the same `df`.
#'
#' A Bayesian fit (`method = "vb"`, `"me"`, `"gibbs"`) counts only its
#' occupied components in `df` (`fit$occupied` for `"vb"` and `"me"`; for
#' `"gibbs"`, the components that hold a row in the kept draw), as an empty
#' component has no parameters the data speak to; its log-likelihood is
#' that of the returned parameters (for which an empty component's
#' proportion is tiny), so AIC and BIC are those of a mixture of the
#' occupied components. `print()` and `summary()` leave the empty
#' components out of their tables and say how many there are.
#'
#' @param object A fit returned by [emix()].
#' @param ... Ignored.
#' @return `logLik()`: an object of class `"logLik"`, the log-likelihood with
#'   attributes `df` and `nobs`. `nobs()`: the number of observations, a
#'   single number.
#' @seealso [print.emix()] for the information criteria.
#' @examples
#' fit <- emix(~ ., data = faithful, k = 2)
#' logLik(fit)
#' nobs(fit)
#' AIC(fit)
#' BIC(fit)
#' # choosing the number of components by BIC
#' fits <- lapply(1:3, function(k) emix(~ ., data = faithful, k = k))
#' sapply(fits, BIC)
#' @exportS3Method stats::logLik emix
logLik.emix <- function(object, ...) {
  structure(object$loglik, df = object$df, nobs = nobs.emix(object), class = "logLik")
}

#' @rdname logLik.emix
#' @exportS3Method stats::nobs emix
nobs.emix <- function(object, ...) {
  if (is.null(object$weights)) object$n else sum(object$weights)
}

#' Parameters of a mixture fit
#'
#' The fitted parameters as one numeric matrix with a column per component.
#'
#' The rows are, in this order:
#' * `pro`: the mixing proportion;
#' * `mean.<var>`: the mean of each variable, in the order of the data;
#' * `sigma.<var_i>.<var_j>`: the lower triangle of the covariance matrix,
#'   diagonal included (\eqn{i \ge j}{i >= j}), column by column: for
#'   variables `a`, `b`, `c` that is `sigma.a.a`, `sigma.b.a`, `sigma.c.a`,
#'   `sigma.b.b`, `sigma.c.b`, `sigma.c.c`, the order of
#'   `s[lower.tri(s, diag = TRUE)]`.
#'
#' The covariances are given in full whatever the model, so for the
#' constrained models (such as `"EEE"`, or the diagonal ones) some values are
#' repeated or zero: the rows are not the free parameters, whose number is
#' `attr(logLik(object), "df")`.
#'
#' @param object A fit returned by [emix()].
#' @param ... Ignored.
#' @return A numeric matrix with \eqn{1 + d + d(d+1)/2} rows and `k` columns
#'   named `"1"` to `"k"`, one per normal component: a noise component has
#'   no column (its proportion is `object$pro["noise"]`).
#' @seealso [emix()] for the fields `pro`, `mean` and `sigma`, which hold the
#'   same values in their natural shapes.
#' @examples
#' fit <- emix(~ ., data = faithful, k = 2)
#' coef(fit)
#' coef(fit)["mean.waiting", ]
#' @exportS3Method stats::coef emix
coef.emix <- function(object, ...) {
  object$family$coef(object)
}

#' Fitted posterior probabilities or classes
#'
#' The posterior probabilities of the components for the rows the model was
#' fitted to, or their most probable component.
#'
#' As for other models, rows dropped because of missing values are padded
#' back with `NA` when the fit used `na.action = na.exclude`
#' ([stats::napredict()]); with the default [stats::na.omit()] there is one
#' row per row used.
#'
#' @param object A fit returned by [emix()].
#' @param type `"posterior"` for the `n x k` matrix of posterior
#'   probabilities, or `"class"` for the most probable component of each
#'   row.
#' @param ... Ignored.
#' @return A matrix with one column per component (`"posterior"`) or an
#'   integer vector (`"class"`).
#' @seealso [predict.emix()], which computes the same for new data.
#' @examples
#' fit <- emix(~ ., data = faithful, k = 2)
#' head(fitted(fit))
#' table(fitted(fit, type = "class"))
#' # missing values padded back
#' d <- faithful
#' d$waiting[2] <- NA
#' fit <- emix(~ ., data = d, k = 2, na.action = na.exclude)
#' head(fitted(fit, type = "class"))
#' @exportS3Method stats::fitted emix
fitted.emix <- function(object, type = c("posterior", "class"), ...) {
  type <- match_choice(type, "type")
  out <- switch(type, posterior = object$z, class = object$classification)
  stats::napredict(object$na.action, out)
}

# Helpers for printing ------------------------------------------------------

fit_header <- function(x) {
  x$family$header(x)
}

observations_text <- function(n, nobs, weighted, digits) {
  if (weighted) {
    sprintf("n = %d rows (weights summing to %s)", n, format_number(nobs, digits))
  } else {
    sprintf("n = %d", n)
  }
}

data_text <- function(n, nobs, weighted, digits) {
  rows <- sprintf("%d row%s", n, plural(n))
  if (weighted) {
    sprintf("%s (weights summing to %s)", rows, format_number(nobs, digits))
  } else {
    rows
  }
}

convergence_text <- function(x) {
  if (is.na(x$converged)) {
    return(sprintf("Ran %d sweep%s.", x$iter, plural(x$iter)))
  }
  iterations <- sprintf("%d iteration%s", x$iter, plural(x$iter))
  accelerated <- sum(x$trace$accelerated)
  if (accelerated > 0L) {
    # accelerated EM: proposals that were kept count as iterations, and
    # those rejected cost an E-step each besides
    iterations <- sprintf("%s (%d accelerated; %d E-steps)", iterations, accelerated, x$esteps)
  }
  out <- if (identical(x$method, "sem")) {
    sprintf("Ran %s (stochastic EM runs a fixed number).", iterations)
  } else if (x$converged) {
    sprintf("Converged after %s.", iterations)
  } else {
    sprintf("Not converged: stopped after %s (`max_iter`).", iterations)
  }
  if (!is.null(x$dropped) && x$dropped > 0L) {
    out <- sprintf("%s %d component%s dropped on the way.", out, x$dropped,
                   if (x$dropped == 1L) " was" else "s were")
  }
  set_aside <- sum(is.na(x$start_objective))
  if (set_aside > 0L) {
    out <- sprintf("%s %d of %d starts ended in a degenerate component and were set aside (see $start_errors).",
                   out, set_aside, length(x$start_objective))
  }
  if (x$control$reg > 0 && !x$method %in% bayes_methods &&
      inherits(x$family, "emix_family_gaussian")) {
    # the numbers are those of the ridge-regularised estimates: say so
    out <- sprintf("%s Ridge reg = %s (relative to each variable's robust scale squared).",
                   out, format(x$control$reg))
  }
  out
}

# What a Bayesian fit adds: its objective and the occupied components
# (NULL for the other methods).
bayes_text <- function(x, digits) {
  UseMethod("bayes_text")
}

#' @export
bayes_text.emix <- function(x, digits) NULL

#' @export
bayes_text.emix_vb <- function(x, digits) objective_text(x, "ELBO", digits)

#' @export
bayes_text.emix_me <- function(x, digits) objective_text(x, "log p(x, z)", digits)

objective_text <- function(x, objective, digits) {
  sprintf("%s = %s; %d of %d components occupied.%s", objective,
          format_number(x$objective, digits), x$occupied, x$k, empty_text(x))
}

#' @export
bayes_text.emix_gibbs <- function(x, digits) {
  counts <- table(x$draws$occupied)
  share <- paste0(names(counts), ": ", format(100 * as.vector(counts) / sum(counts), digits = 3),
                  "%", collapse = ", ")
  sprintf("%d draws kept (burn-in %d, thin %d); occupied components over the draws: %s.%s",
          length(x$draws$loglik), x$method_settings$burnin, x$method_settings$thin, share,
          sub("components empty", "components empty in the kept draw", empty_text(x)))
}

# How many components of a Bayesian fit are empty, for bayes_text().
empty_text <- function(x) {
  empty <- sum(!occupied_mask(x))
  if (empty > 0L) {
    sprintf(" %d of %d components empty: left out of the tables and of df.", empty, x$k)
  } else {
    ""
  }
}

# The covariances as fitted, then (for more than one variable) the
# decomposition lambda * D A D' in the parts the model has.
print_covariances <- function(sigma, model, digits,
                              decomposition = covariance_decomposition(sigma, model)) {
  vars <- dimnames(sigma)[[1L]]
  components <- dimnames(sigma)[[3L]]
  d <- length(vars)
  covariance <- function(c) matrix(sigma[, , c], d, d, dimnames = list(vars, vars))
  variances <- function(c) stats::setNames(sigma[cbind(seq_len(d), seq_len(d), c)], vars)
  # by the model's row: one covariance for all, or one each; full or diagonal
  row <- model_row(model)
  if (row$pooled && row$full) {
    cat("Covariance (common to all components):\n")
    print(covariance(1L), digits = digits)
  } else if (model == "E") {
    cat("Variance (common to all components):\n")
    print(variances(1L), digits = digits)
  } else if (row$pooled) {
    cat("Variances (diagonal covariance common to all components):\n")
    print(variances(1L), digits = digits)
  } else if (!row$full) {
    cat("Variances (diagonal covariances), one row per component:\n")
    table <- t(vapply(seq_along(components), variances, numeric(d)))
    if (d == 1L) {
      table <- t(table)
    }
    dimnames(table) <- list(components, vars)
    print(table, digits = digits)
  } else {
    cat("Covariances:\n")
    for (c in seq_along(components)) {
      cat("Component ", components[c], "\n", sep = "")
      print(covariance(c), digits = digits)
    }
  }
  # for one variable the variance printed is lambda, and there is no more
  if (d > 1L) {
    print_decomposition(decomposition, digits)
  }
  invisible(sigma)
}

format_number <- function(v, digits) format(v, digits = digits + 3L)

plural <- function(n) if (n == 1L) "" else "s"
