#' Prior of the Bayesian methods
#'
#' The conjugate prior that `method = "vb"`, `"me"` and `"gibbs"` of
#' [emix()] put on the parameters, given to them through
#' `vb(prior = )`, `me(prior = )` or `gibbs(prior = )` (see [emix_method]). Every argument left `NULL` takes a default worked
#' out from the data when the model is fitted; the defaults are those of
#' scikit-learn's `BayesianGaussianMixture` with a Dirichlet prior on the
#' proportions (except that `scale` divides by the sum of the weights where
#' scikit-learn divides by \eqn{n - 1}): weakly informative, each worth
#' about one observation. Under the same prior and from the same start, the
#' variational updates of `"VVV"` agree with scikit-learn's `"full"` ones
#' to about \eqn{10^{-14}}. Its `"diag"` and `"spherical"` variants differ
#' from `"VVI"` and `"VII"` here, which give each precision its own Gamma
#' distribution (below).
#'
#' @section The model:
#' The proportions have a symmetric Dirichlet prior,
#' \eqn{\pi \sim \mathrm{Dirichlet}(\alpha_0, \dots, \alpha_0)}. Given its
#' precision, each component's mean is normal,
#' \eqn{\mu_c \mid \Lambda_c \sim N(m_0, (\kappa_0 \Lambda_c)^{-1})}, and the
#' precision \eqn{\Lambda_c = \Sigma_c^{-1}} has, with \eqn{\Psi_0} = `scale`
#' and \eqn{\nu_0} = `df`:
#' * `"VVV"`: a Wishart distribution with \eqn{\nu_0} degrees of freedom and
#'   scale matrix \eqn{\Psi_0^{-1}}, so \eqn{E[\Lambda_c] = \nu_0 \Psi_0^{-1}};
#'   \eqn{\nu_0 > d - 1} is required.
#' * `"VVI"`: independent precisions per variable,
#'   \eqn{\lambda_{cj} \sim \mathrm{Gamma}(\nu_0 / 2, \mathrm{rate} = \Psi_{0,jj} / 2)}.
#' * `"VII"`: one precision per component,
#'   \eqn{\lambda_c \sim \mathrm{Gamma}(\nu_0 d / 2, \mathrm{rate} = \mathrm{tr}(\Psi_0) / 2)}.
#'
#' For the diagonal and spherical models only the diagonal, respectively
#' the trace, of `scale` matters. In each case the prior is the
#' one-dimensional Wishart of the variables (or of their pooled squares) and
#' the posterior has the same form, with
#' \eqn{\alpha_c = \alpha_0 + N_c}, \eqn{\kappa_c = \kappa_0 + N_c},
#' \eqn{\nu_c = \nu_0 + N_c}, \eqn{m_c = (\kappa_0 m_0 + N_c \bar x_c) / \kappa_c}
#' and \eqn{\Psi_c = \Psi_0 + N_c S_c + \frac{\kappa_0 N_c}{\kappa_c}(\bar x_c - m_0)(\bar x_c - m_0)'},
#' where \eqn{N_c}, \eqn{\bar x_c} and \eqn{S_c} are the weight, mean and
#' covariance of the rows given to component \eqn{c}.
#'
#' @param alpha Dirichlet concentration \eqn{\alpha_0 > 0} of each
#'   proportion. Default `1 / k`. Smaller values empty superfluous components
#'   faster (\eqn{10^{-3}} is usual when pruning is the aim); values above 1
#'   keep components alive.
#' @param kappa Prior sample size \eqn{\kappa_0 > 0} of the means. Default 1.
#' @param mean Prior mean \eqn{m_0} of the component means, one value per
#'   variable. Default: the (weighted) column means of the data.
#' @param df Degrees of freedom \eqn{\nu_0} of the precision's prior. Default
#'   \eqn{d}, the number of variables; it must exceed \eqn{d - 1} for
#'   `"VVV"` and 0 otherwise.
#' @param scale The \eqn{d \times d}{d x d} positive definite matrix
#'   \eqn{\Psi_0}, the inverse of the Wishart scale matrix. Default: the
#'   (weighted) covariance matrix of the data, divisor the sum of the weights.
#' @return A list of class `"emix_prior"`; `NULL` entries are filled in
#'   when a model is fitted, and the fit keeps the prior it used as
#'   `fit$prior`. It is checked again when it is used, so a value edited
#'   afterwards (`p$alpha <- -1`) meets the same checks.
#' @seealso [emix()], [emix_method]
#' @examples
#' emix_prior(alpha = 1e-3)
#' fit <- emix(~ ., data = faithful, k = 6, method = vb(prior = emix_prior(alpha = 1e-3)))
#' fit$occupied
#' fit$prior$scale
#' @export
emix_prior <- function(alpha = NULL, kappa = 1, mean = NULL, df = NULL, scale = NULL) {
  positive <- function(value, arg) {
    if (!is.null(value) && (!is.numeric(value) || length(value) != 1L ||
                            !is.finite(value) || value <= 0)) {
      stop_arg(arg, "must be a single positive number.")
    }
    value
  }
  if (!is.null(mean) && (!is.numeric(mean) || any(!is.finite(mean)))) {
    stop_arg("mean", "must be a numeric vector of finite values, one per variable.")
  }
  if (!is.null(scale) && (!is.numeric(scale) || any(!is.finite(scale)))) {
    stop_arg("scale", "must be a numeric matrix of finite values.")
  }
  structure(
    list(alpha = positive(alpha, "alpha"), kappa = positive(kappa, "kappa"),
         mean = mean, df = positive(df, "df"), scale = scale),
    class = "emix_prior"
  )
}

#' @export
print.emix_prior <- function(x, ...) {
  show <- function(v, default) {
    if (is.null(v)) default else paste(format(v, digits = 4), collapse = " ")
  }
  cat("<emix_prior>\n")
  cat(sprintf("  alpha = %s, kappa = %s, df = %s\n", show(x$alpha, "1/k"),
              show(x$kappa, "1"), show(x$df, "d")))
  cat(sprintf("  mean = %s\n", show(x$mean, "the column means of the data")))
  if (is.null(x$scale)) {
    cat("  scale = the covariance matrix of the data\n")
  } else {
    cat("  scale =\n")
    print(x$scale)
  }
  invisible(x)
}

# A prior checked again by rebuilding it through emix_prior(), so that one
# edited after it was made (`p$alpha <- -1`) meets the same checks.
as_emix_prior <- function(prior) {
  if (!inherits(prior, "emix_prior")) {
    stop_arg("prior", "must be made by `emix_prior()`.")
  }
  check_fields(prior, emix_prior, "prior", complete = TRUE)
  rebuild_checked(emix_prior, prior, "prior")
}

# The prior with its defaults worked out for data x (weighted) and k
# components, checked against the dimensions and the model.
resolve_prior <- function(prior, x, weights, k, model) {
  # NULL: every setting at its default, worked out from the data
  prior <- as_emix_prior(if (is.null(prior)) emix_prior() else prior)
  d <- ncol(x)
  moments <- NULL
  if (is.null(prior$mean) || is.null(prior$scale)) {
    w <- if (is.null(weights)) rep(1, nrow(x)) else weights
    moments <- stats::cov.wt(x, wt = w / sum(w), method = "ML")
  }
  alpha <- if (is.null(prior$alpha)) 1 / k else prior$alpha
  df <- if (is.null(prior$df)) d else prior$df
  mean <- if (is.null(prior$mean)) unname(moments$center) else as.double(prior$mean)
  scale <- if (is.null(prior$scale)) unname(moments$cov) else prior$scale
  if (length(mean) != d) {
    stop_arg("prior", sprintf("has a `mean` of length %d; the data have %d variables.", length(mean), d))
  }
  scale <- as.matrix(scale)
  storage.mode(scale) <- "double"
  if (!identical(dim(scale), c(d, d)) || !isSymmetric(unname(scale)) ||
      inherits(try(chol(scale), silent = TRUE), "try-error")) {
    if (is.null(prior$scale)) {
      stop_arg("x", "has (nearly) collinear variables: their covariance matrix, the prior's default `scale`, is singular. Remove variables that are (nearly) linear combinations of others, or give `emix_prior(scale = )`.")
    }
    stop_arg("prior", sprintf("must have a `scale` that is a symmetric positive definite %d x %d matrix.", d, d))
  }
  if (model == "VVV" && df <= d - 1) {
    stop_arg("prior", sprintf("must have `df` > d - 1 = %d for model \"VVV\", so that the Wishart prior is proper.", d - 1L))
  }
  kappa <- if (is.null(prior$kappa)) 1 else prior$kappa
  # `given`: whether the user set what governs the covariances, so that an
  # error blames the prior only then
  structure(list(alpha = alpha, kappa = kappa, mean = mean, df = df,
                 scale = unname(scale)),
            class = "emix_prior", given = !is.null(prior$scale) || !is.null(prior$df))
}
