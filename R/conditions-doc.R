# Documentation only: the condition classes that emix signals.

#' Conditions signalled by emix
#'
#' Errors and warnings from [emix()] and its methods carry classes, so that
#' a program can catch one kind of failure with [tryCatch()] or
#' [withCallingHandlers()] and read its fields, rather than match the text
#' of a message (which may be reworded).
#'
#' @section Errors:
#' * `emix_error_argument`: an argument is not acceptable (wrong type,
#'   length or range; data with non-finite values, constant columns or a
#'   scale that double precision cannot hold; weights that overflow; a
#'   sparse matrix). The message names the argument and says what to do.
#'   Field `argument`: the name of the argument, such as `"k"`, `"x"`,
#'   `"weights"` or `"..."`.
#' * `emix_error_degenerate`: the fit cannot go on because a component
#'   degenerated. Fields `component` (the component, or `NA` when the
#'   covariance shared by all components is at fault), `iteration` (when it
#'   happened; 0 is the start), `code` (1 too few observations, 2 a
#'   collapsed covariance, 3 an observation with zero density), `method`
#'   (the method that stopped), and for codes 1 and 2 `found` and `needed`
#'   (the component's effective number of observations and the number its
#'   covariance needs; for a collapse, what was found against the yardstick)
#'   and `variable` (the variable involved in a collapse). The rules are in
#'   [emix_control()], section *Degenerate components*. Its subclasses say
#'   which, so each can be caught alone:
#'   * `emix_error_empty`: a component is supported by fewer effective
#'     observations than its covariance needs (code 1);
#'     `emix_control(empty = "drop")` drops such components instead;
#'   * `emix_error_collapsed`: a covariance matrix is singular or, in some
#'     direction, the data add (almost) nothing to the ridge: the component sits on a
#'     point or a lower-dimensional subspace (code 2);
#'   * `emix_error_zero_density`: an observation has zero density under
#'     every component (code 3).
#' * `emix_error_starts`: every one of the `nstart` starts failed. Field
#'   `errors`: the condition of each start, in order.
#'
#' @section Warnings:
#' * `emix_warning_max_iter`: `max_iter` iterations ran out before the
#'   stopping rule held; the fit is returned, with `converged = FALSE`.
#' * `emix_warning_inner_max_iter`: in some M-step of a Gaussian model
#'   without a closed-form M-step (`"VEI"`, `"VEE"`, `"EVE"`, `"VVE"`,
#'   `"VEV"`) the inner iterations reached `inner_max_iter` before
#'   `inner_tol` held (see [emix_control()], section *Inner iterations*).
#'   Field `capped`: how many M-steps did.
#' * `emix_warning_not_monotone`: the objective of a method that cannot
#'   lower it fell by more than rounding explains: EM's log-likelihood,
#'   CEM's classification log-likelihood or the free energy of `"iem"`
#'   (checked with `reg = 0`, since the ridge makes the M-step that of a
#'   penalised likelihood), or the bound of `"vb"` and `"me"`. The fit may
#'   be numerically unreliable (nearly singular covariances, or variables of
#'   very different scales). Fields `fall` and `iteration`.
#'
#' @name emix_conditions
#' @seealso [emix()], [emix_control()]
#' @examples
#' # catch a bad argument and read which one it was
#' e <- tryCatch(emix(~ ., data = faithful, k = 0),
#'               emix_error_argument = function(e) e)
#' e$argument
#' conditionMessage(e)
#'
#' # ten copies of one point: a component holding only them collapses (a
#' # ridge does not hide it); catch that and fit again, dropping it
#' x <- rbind(as.matrix(faithful), matrix(c(3, 70), 10, 2, byrow = TRUE))
#' start <- rep(1:3, c(100, 172, 10))
#' fit <- tryCatch(
#'   emix(x, k = 3, init = start),
#'   emix_error_degenerate = function(e) {
#'     message("component ", e$component, " degenerated at iteration ",
#'             e$iteration, "; refitting without it")
#'     emix(x, k = 3, init = start, control = emix_control(empty = "drop"))
#'   }
#' )
#' fit$k
NULL
