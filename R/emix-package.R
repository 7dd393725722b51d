#' emix: finite mixture models fitted by EM with a compiled core
#'
#' emix fits finite mixture models by the EM algorithm and its relatives.
#' The E-step is computed in log space; the M-step reads only weighted
#' sufficient statistics. Both run in C over R's own matrices (dense, or
#' sparse for the multinomial family).
#'
#' Start with [emix()]; the family ([gaussian_mix()], [multinomial_mix()])
#' says what the components are, the method ([emix_method]) how they are
#' fitted, and [emix_control()] sets the stopping rule, the ridge and the
#' policy for degenerate components. The fitted object works with
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
