# update() for "emix" fits: refit through the stored call, with a one-sided
# formula updated as a one-sided formula.

#' Refit a mixture with some arguments changed
#'
#' `update()` refits a fit from [emix()] by evaluating its call again with
#' the arguments given here put in: the number of components, the model,
#' the method, the start, the settings.
#' The data are found again by the names in the call, so they must still
#' exist where `update()` is called.
#'
#' A fit made through a formula can have its formula changed with
#' `formula.`, as for [stats::update.formula()]: `. ~ . - x` and `~ . - x`
#' both drop the variable `x` (the response side of a mixture's formula is
#' empty, so `.` on the left is ignored). A fit to a matrix or data frame
#' has no formula to change: give it the new data through `x` instead.
#'
#' @param object A fit returned by [emix()].
#' @param formula. Changes to the formula, such as `~ . - waiting`; only for
#'   fits made through a formula.
#' @param ... Arguments of [emix()] to change, by name, such as `k = 3` or
#'   `model = "VVI"`.
#' @param evaluate If `FALSE`, the new call is returned instead of
#'   evaluated.
#' @return The new fit, an object of class `"emix"`; or the call, if
#'   `evaluate = FALSE`.
#' @seealso [emix()]
#' @examples
#' fit <- emix(~ ., data = iris[1:4], k = 2, model = "VVI")
#' fit3 <- update(fit, k = 3)
#' fit3$k
#' # the same fit without Sepal.Width
#' fit_sw <- update(fit, . ~ . - Sepal.Width)
#' colnames(fit_sw$mean)
#' update(fit, ~ . - Sepal.Width, model = "VVV", evaluate = FALSE)
#' @exportS3Method stats::update emix
update.emix <- function(object, formula., ..., evaluate = TRUE) {
  call <- object$call
  if (is.null(call)) {
    stop_arg("object", "has no call to refit from; call `emix()` again.")
  }
  if (!missing(formula.)) {
    if (!inherits(formula., "formula")) {
      stop_arg("formula.", "must be a formula such as `~ . - x`; give other changes by name, such as `k = 3`.")
    }
    if (is.null(object$terms)) {
      stop_arg("formula.", "can only change a fit made through a formula; this one was fitted to a matrix or data frame. Give the new data as `x` instead.")
    }
    call$formula <- update_one_sided(stats::formula(object$terms), formula.)
  }
  changes <- as.list(substitute(list(...)))[-1L]
  if (length(changes) > 0L && (is.null(names(changes)) || any(names(changes) == ""))) {
    stop_arg("...", "must give every argument to change by name, such as `k = 3`.")
  }
  for (name in names(changes)) {
    call[name] <- list(changes[[name]]) # list(): a NULL value is kept, as given
  }
  if (evaluate) eval(call, parent.frame()) else call
}

# update.formula() for one-sided formulas: the left side of `new`, if it is
# `.`, stands for the old (absent) response, so it is dropped.
update_one_sided <- function(old, new) {
  new <- stats::as.formula(new)
  if (length(new) == 3L && identical(new[[2L]], quote(.))) {
    new <- new[-2L]
  }
  stats::update.formula(old, new)
}
