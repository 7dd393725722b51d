# The Bayesian members of the family: variational Bayes and
# maximization-expectation (one compiled loop, a soft or a point-mass
# q-step) and the Gibbs sampler; what they return beside the parameters.

bayes_methods <- c("vb", "me", "gibbs")
bayes_models <- c("VII", "VVI", "VVV")

check_bayes_model <- function(model, method) {
  if (!model %in% c(bayes_models, "V")) { # "V": VII for one variable
    stop_arg("model", sprintf(
      "must be one of %s for method \"%s\"; \"%s\" is available with \"em\", \"cem\", \"sem\" and \"iem\".",
      paste0("\"", bayes_models, "\"", collapse = ", "), method, model
    ))
  }
  model
}

# A component counts as occupied when it holds at least half the mean
# observation weight (one observation's worth, rounded).
occupied_components <- function(N, weights) {
  sum(N >= 0.5 * (if (is.null(weights)) 1 else mean(weights)))
}

# Which components of a Bayesian fit are occupied (NULL for the other
# methods): VB's by occupied_components()' rule, ME's when they hold a row,
# Gibbs's when the kept draw gives them a row. Only these count in df.
occupied_mask <- function(fit) {
  UseMethod("occupied_mask")
}

#' @export
occupied_mask.emix <- function(fit) NULL

#' @export
occupied_mask.emix_vb <- function(fit) {
  fit$posterior$N >= 0.5 * (if (is.null(fit$weights)) 1 else mean(fit$weights))
}

#' @export
occupied_mask.emix_me <- function(fit) fit$posterior$N > 0

#' @export
occupied_mask.emix_gibbs <- function(fit) {
  tabulate(fit$draws$labels[, fit$best_draw], nbins = fit$k) > 0
}

# The trace of a Bayesian method: its objective per iteration; the
# log-likelihood is not computed on the way (NA).
bayes_trace <- function(objective, k, iter = seq_along(objective) - 1L) {
  data.frame(iter = iter, loglik = NA_real_, objective = objective,
             change = c(NA, diff(objective)), bound = NA_real_, gap = NA_real_,
             k = rep(k, length(objective)))
}

# VB or ME from `start` (responsibilities or labels). The returned
# parameters are the posterior means of pi and mu and E[Lambda]^{-1};
# `loglik` is the log-likelihood there.
run_bayes <- function(prep, start, core, control) {
  k <- prep$k
  weights <- prep$weights
  me <- prep$method$name == "me"
  if (me) {
    # ME stops when no row moves: its objective takes discrete steps
    core$tol <- 0
  }
  res <- bayes_call(prep, start, core)
  objective <- res$run$objective
  merge <- rep(FALSE, length(objective))
  if (me) {
    # ME: after the sweeps converge, merge the pair of components whose
    # merger raises log p(x, z) most, sweep again, until no merger helps
    # (or max_iter is used up: only a converged run's labels are those its
    # objective was computed from)
    while (isTRUE(res$run$converged) && length(objective) <= control$max_iter) {
      merged <- best_merge(prep, max.col(res$run$z, ties.method = "first"), core,
                           res$run$objective[length(res$run$objective)])
      if (is.null(merged)) {
        break
      }
      # a merger counts as an iteration
      core$max_iter <- max(0L, control$max_iter - length(objective))
      res <- bayes_call(prep, merged, core)
      objective <- c(objective, res$run$objective)
      merge <- c(merge, TRUE, rep(FALSE, length(res$run$objective) - 1L))
    }
  }
  run <- res$run
  run$iter <- length(objective) - 1L
  trace <- bayes_trace(objective, k)
  if (me) {
    trace$merge <- merge
  }
  # each update maximises the bound over one factor of q, so it never falls
  fall <- -trace$change > 1e-9 * pmax(1, abs(c(NA, trace$objective[-nrow(trace)])))
  if (any(fall, na.rm = TRUE)) {
    i <- which(fall)[1L]
    warn_not_monotone(-trace$change[i], trace$iter[i])
  }
  plug_in <- core_estep(prep$c_name, prep$settings, run[prep$family$parameters], prep$data,
                        weights, core$threads)
  run$loglik <- plug_in$loglik
  run$trace <- trace
  run$objective <- trace$objective[nrow(trace)]
  run$posterior <- res$posterior
  run$occupied <- if (me) {
    sum(res$posterior$N > 0)
  } else {
    occupied_components(res$posterior$N, weights)
  }
  run$prior <- prep$prior
  run$dropped <- 0L
  # the likelihood's free parameters are those of the occupied components
  run$df <- family_df(prep$c_name, prep$settings, run$occupied, prep$d)
  run
}

bayes_call <- function(prep, start, core) {
  res <- core_run(prep$c_name, prep$settings, prep$data, prep$weights, start, prep$k, core,
                  method_core(prep$method), prep$prior)
  if (res$status[1L] != 0L) {
    stop_bayes(res$status, prep$method$name, prep$prior)
  }
  posterior <- res$posterior
  res$posterior <- NULL
  list(run = c(res$parameters, res[names(res) != "parameters"]), posterior = posterior)
}

# The Bayesian methods never stop on an empty component; what can go wrong
# is a covariance (E[Lambda]^{-1}, or a Gibbs draw) that is numerically
# singular or not finite. Under the default prior (scaled to the data) that
# is the data's doing, nearly collinear variables, so the prior is blamed
# only when the user set its `scale` or `df`.
stop_bayes <- function(status, method, prior = NULL) {
  if (status_name(status[1L]) == "interrupted") {
    stop_degenerate(status, NULL, 0L, NULL)
  }
  where <- sprintf("%s %d", if (method == "gibbs") "sweep" else "iteration", status[4L])
  zero_density <- status_name(status[1L]) == "zero_density"
  what <- if (zero_density) {
    sprintf("observation %d has zero density under every component", status[3L])
  } else {
    sprintf("the covariance of component %d is numerically singular or not finite", status[2L])
  }
  advice <- if (isTRUE(attr(prior, "given"))) {
    "Check the prior: a `scale` on the scale of the data's covariance and `df` well above d - 1 keep the covariances proper (see ?emix_prior)."
  } else if (zero_density) {
    "Check the data for extreme values, or rescale them."
  } else {
    sprintf("The data are probably (nearly) collinear, or the component sits on a lower-dimensional subspace: remove variables that are (nearly) linear combinations of others, try fewer components (`k`), or give a prior with a larger scale (`method = %s(prior = emix_prior(scale = ))`, see ?emix_prior).", method)
  }
  stop_degenerate_condition(
    if (zero_density) "emix_error_zero_density" else "emix_error_collapsed",
    sprintf("%s stopped at %s: %s. %s", method_names[[method]], where, what, advice),
    component = status[2L], iteration = status[4L], code = status[1L])
}

# The labels after the merger of two occupied components that raises
# log p(x, z) above `current` the most, or NULL when none does. Each
# candidate is scored by the compiled update from its partition (the
# objective of a run with no iteration).
best_merge <- function(prep, labels, core, current) {
  occupied <- sort(unique(labels))
  if (length(occupied) < 2L) {
    return(NULL)
  }
  core$max_iter <- 0L
  best <- NULL
  best_value <- current + 1e-9 * max(1, abs(current))
  for (a in occupied) {
    for (b in occupied[occupied > a]) {
      candidate <- labels
      candidate[candidate == b] <- a
      # a merger whose update fails (a singular covariance) cannot be the
      # best one: skip it
      value <- tryCatch(
        bayes_call(prep, candidate, core)$run$objective[1L],
        emix_error_degenerate = function(e) -Inf
      )
      if (value > best_value) {
        best <- candidate
        best_value <- value
      }
    }
  }
  best
}

# Gibbs sampling from the labels `start`. The returned parameters are those
# of the kept draw with the largest log-likelihood, with the posterior
# probabilities there; all kept draws are in `draws`.
run_gibbs <- function(prep, start, core, method) {
  k <- prep$k
  res <- core_run(prep$c_name, prep$settings, prep$data, prep$weights, start, k, core,
                  method_core(method), prep$prior)
  if (res$status[1L] != 0L) {
    stop_bayes(res$status, "gibbs", prep$prior)
  }
  best <- which.max(res$loglik)
  draws <- prep$family$draws(res, prep)
  sweeps <- length(res$trace)
  trace <- bayes_trace(res$trace, k, iter = seq_len(sweeps))
  trace$loglik <- res$trace
  trace$occupied <- res$occupied
  kept <- seq_len(sweeps) > method$burnin & (seq_len(sweeps) - method$burnin) %% method$thin == 0L
  trace$kept <- kept
  draws$loglik <- res$loglik
  draws$occupied <- res$occupied[kept]
  draws$labels <- res$labels
  run <- prep$family$draw_parameters(draws, best)
  plug_in <- core_estep(prep$c_name, prep$settings, run, prep$data, prep$weights, core$threads)
  occupied_table <- tabulate(draws$occupied, nbins = k)
  c(run[names(run) != "chol"], list(
    loglik = plug_in$loglik,
    z = plug_in$z,
    trace = trace,
    objective = res$loglik[best],
    iter = sweeps,
    converged = NA,
    draws = draws,
    best_draw = best,
    occupied = which.max(occupied_table),
    # the kept draw's occupied components are its free parameters
    df = family_df(prep$c_name, prep$settings, sum(tabulate(res$labels[, best], nbins = k) > 0),
                   prep$d),
    prior = prep$prior,
    dropped = 0L
  ))
}

# A Gaussian Gibbs run's kept draws in the shapes the fit keeps them: pro
# (draws x k), mean (k x d x draws), sigma (d x d x k x draws), and the
# factors the E-step cannot get back from sigma (chol, chol_draws).
gaussian_draws <- function(res, prep) {
  components <- as.character(seq_len(prep$k))
  draws <- list(pro = t(res$draws$pro), mean = res$draws$mean, sigma = res$draws$sigma,
                chol = res$extras$chol, chol_draws = as.integer(res$extras$chol_draws))
  colnames(draws$pro) <- components
  dimnames(draws$mean) <- list(components, prep$vars, NULL)
  dimnames(draws$sigma) <- dimnames(draws$chol) <- list(prep$vars, prep$vars, components, NULL)
  draws
}

# The parameters of kept draw s of a Gaussian Gibbs fit's `draws`, for the
# E-step: with the draw's own Cholesky factors when the sampler kept them
# (its sigma, factorised again, does not give them back: see
# gibbs_gaussian.c).
gaussian_draw_parameters <- function(draws, s) {
  k <- ncol(draws$pro)
  d <- dim(draws$mean)[2L]
  stored <- match(s, draws$chol_draws)
  list(pro = draws$pro[s, ], mean = matrix(draws$mean[, , s], k, d),
       sigma = array(draws$sigma[, , , s], c(d, d, k)),
       chol = if (!is.na(stored)) array(draws$chol[, , , stored], c(d, d, k)))
}

# The E-step at kept draw s of a Gibbs fit.
gibbs_draw_estep <- function(fit, s, x, threads) {
  core_estep(fit$family$c_name, fit$family$settings, fit$family$draw_parameters(fit$draws, s),
             x, fit$weights, threads)
}

#' Posterior co-clustering probabilities
#'
#' The probability that two observations belong to the same component, for
#' every pair: a summary of a mixture fit that does not depend on how the
#' components are numbered. For a Gibbs fit (`method = "gibbs"`) it is the
#' fraction of kept draws in which rows \eqn{i} and \eqn{j} carry the same
#' label, which label switching does not disturb. For the other methods it
#' is \eqn{\sum_c z_{ic} z_{jc}} from the posterior probabilities `z`, as if
#' the labels were independent given the fitted parameters.
#'
#' The result is an \eqn{n \times n}{n x n} matrix, so for large data sets
#' compute it on a subset of the fitted rows through `rows`.
#'
#' @param object A fit from [emix()].
#' @param rows Which fitted rows to use (indices into the rows the model was
#'   fitted to); by default all.
#' @return A symmetric matrix of probabilities with ones on the diagonal.
#' @seealso [emix()]
#' @examples
#' set.seed(1)
#' fit <- emix(~ ., data = faithful, k = 4, method = gibbs(burnin = 100, draws = 200))
#' p <- coclustering(fit, rows = 1:20)
#' round(p[1:5, 1:5], 2)
#' @export
coclustering <- function(object, rows = NULL) {
  if (!inherits(object, "emix")) {
    stop_arg("object", "must be a fit from `emix()`.")
  }
  if (is.null(rows)) {
    rows <- seq_len(object$n)
  }
  if (!is.numeric(rows) || any(!is.finite(rows)) || any(rows < 1 | rows > object$n) ||
      any(rows != round(rows))) {
    stop_arg("rows", sprintf("must be row numbers between 1 and %d.", object$n))
  }
  out <- same_component_probability(object, rows)
  names <- rownames(object$x)[rows]
  dimnames(out) <- list(names, names)
  out
}

# The probabilities of coclustering() for the fitted rows `rows`.
same_component_probability <- function(object, rows) {
  UseMethod("same_component_probability")
}

#' @export
same_component_probability.emix <- function(object, rows) {
  tcrossprod(object$z[rows, , drop = FALSE])
}

#' @export
same_component_probability.emix_gibbs <- function(object, rows) {
  labels <- object$draws$labels[rows, , drop = FALSE]
  out <- matrix(0, length(rows), length(rows))
  for (c in seq_len(object$k)) {
    same <- labels == c
    storage.mode(same) <- "double"
    out <- out + tcrossprod(same)
  }
  out / ncol(labels)
}

# The posterior of variational Bayes or ME with its components in the
# order `perm`.
reorder_posterior <- function(posterior, perm) {
  for (field in c("alpha", "kappa", "df", "N", "log_weight")) {
    posterior[[field]] <- posterior[[field]][perm]
  }
  if (!is.null(posterior$scale)) {
    posterior$scale <- posterior$scale[, , perm, drop = FALSE]
  }
  if (!is.null(posterior$beta)) { # the multinomial family's k x V
    posterior$beta <- posterior$beta[perm, , drop = FALSE]
  }
  posterior
}
