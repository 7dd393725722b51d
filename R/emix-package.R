#' emix: finite mixture models fitted by EM with a compiled core
#'
#' emix fits finite Gaussian mixture models by the EM algorithm. The E-step
#' is computed in log space from Cholesky factors; the M-step reads only
#' weighted sufficient statistics. Both run in C over R's own matrices.
#'
#' Start with [emix()]; [emix_control()] sets the stopping rule, the ridge
#' and the policy for degenerate components. The fitted object works with
#' [print()], [summary()], [plot()][plot.emix()], [predict()][predict.emix()],
#' [logLik()], [AIC()], [BIC()], [coef()], [fitted()], [simulate()] and
#' [update()].
#'
#' @docType package
#' @name emix-package
#' @aliases emix-package
#' @keywords internal
#' @useDynLib emix, .registration = TRUE, .fixes = "C_"
NULL
