# residuals() for "emix" fits: an error that points to what a mixture gives.

#' Mixtures have no residuals
#'
#' A mixture model describes the distribution of the data, not a response
#' given predictors, so there is no fitted value to subtract and no
#' residual. `residuals()` is an error rather than a silent `NULL`; what a
#' mixture gives per observation are the posterior probabilities of the
#' components and the most probable component, from [fitted.emix()] or
#' [predict.emix()], and the (log-)density, from [predict.emix()].
#'
#' @param object A fit returned by [emix()].
#' @param ... Ignored.
#' @return Never returns: it signals an error of class `emix_error_argument`.
#' @seealso [fitted.emix()], [predict.emix()]
#' @examples
#' fit <- emix(~ ., data = faithful, k = 2)
#' try(residuals(fit))
#' head(fitted(fit, type = "posterior"))
#' head(predict(fit, type = "logdensity"))
#' @exportS3Method stats::residuals emix
residuals.emix <- function(object, ...) {
  stop_arg("object", "is a mixture fit, which has no residuals: it models the distribution of the data, not a response. Use `fitted(object, type = \"posterior\")` or `type = \"class\"` for the components of each row, or `predict(object, type = \"logdensity\")` for its density.")
}
