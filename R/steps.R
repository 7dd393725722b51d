# The single E-step and M-step of the compiled core, for predict() and for
# checking each step on its own.

# Responsibilities and log-likelihoods of the rows of x at given parameters.
# A row with zero density under every component gets row_loglik -Inf and
# NaN responsibilities. `log_weight`, if given, replaces log(pro) (the
# expected log weights of variational Bayes); `chol`, if given (d x d x k,
# model VVV), the Cholesky factors of sigma (a Gibbs draw's own factors).
gaussian_estep <- function(x, pro, mean, sigma, model = "VVV", weights = NULL,
                           threads = emix_control()$threads, log_weight = NULL,
                           chol = NULL) {
  storage.mode(x) <- "double"
  mean <- matrix(as.double(mean), length(pro), ncol(x))
  sigma <- array(as.double(sigma), c(ncol(x), ncol(x), length(pro)))
  parameters <- list(pro = as.double(pro), mean = mean, sigma = sigma,
                     log_weight = log_weight,
                     chol = if (!is.null(chol)) array(as.double(chol), dim(sigma)))
  res <- core_estep("gaussian", gaussian_settings(model), parameters, x, weights, threads)
  if (status_name(res$status[1L]) == "collapsed") {
    stop_degenerate_condition("emix_error_collapsed", sprintf(
      "The covariance matrix of component %d is not positive definite.", res$status[2L]
    ), component = res$status[2L])
  }
  res[c("z", "row_loglik", "loglik")]
}

# Parameters from responsibilities z (n x k), exact when reg = 0.
gaussian_mstep <- function(x, z, model = "VVV", weights = NULL, reg = 0) {
  storage.mode(x) <- "double"
  storage.mode(z) <- "double"
  core <- core_control(emix_control(reg = reg), x, weights)
  res <- core_mstep("gaussian", gaussian_settings(model), x, weights, z, core)
  res <- c(res$parameters, res[names(res) != "parameters"])
  if (res$status[1L] != 0L) {
    stop_degenerate(res$status, res$status_detail, 0L,
                    failure_context("em", model, ncol(z), x, core, emix_control(reg = reg)))
  }
  res[c("pro", "mean", "sigma")]
}
