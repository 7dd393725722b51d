# simulate() for "emix" fits: new data sets drawn from the fitted mixture.

#' Simulate data from a mixture fit
#'
#' Draws `nsim` data sets from the fitted mixture, each of `n` rows (by
#' default as many as the fit used, `object$n`). For every row a component
#' \eqn{c} is drawn with the mixing proportions as probabilities, then the
#' observation from the normal distribution with that component's mean and
#' covariance, as
#' \eqn{\mu_c + R_c^\top u}{mean[c, ] + t(R[c]) u} with \eqn{u} a vector of
#' independent standard normals and \eqn{R_c} the upper Cholesky factor of
#' \eqn{\Sigma_c = R_c^\top R_c}{sigma[, , c] = t(R[c]) R[c]}.
#'
#' The random numbers come from R's generator, as for [stats::simulate()]:
#' with `seed = NULL` the current stream is used and moved on; with a number,
#' [set.seed()] is called with it and the generator's previous state is
#' restored on exit, so a given seed always gives the same data and the
#' stream of the session is not disturbed.
#'
#' For a fit with a noise component, a row drawn from the noise (component
#' 0, with probability `pro["noise"]`) is uniform on the box the noise was
#' fitted on (see the section *Noise* of [emix()]); its normal draws are
#' discarded.
#'
#' With weights, the fit's rows are observations of unequal weight, but
#' each simulated row is one observation; draw larger data sets with a
#' larger `n`.
#'
#' The two bookkeeping columns are named `.sim` and `.component`, with a
#' leading dot, so that they cannot be mistaken for variables of the fit: a
#' fit whose variables are called `sim` or `component` simulates without
#' clash (a variable called `.sim` or `.component` is an error). They are
#' columns rather than attributes because columns survive subsetting,
#' [split()] and [rbind()], which attributes do not. To refit to a
#' simulated data set, name the variables in the formula (or drop the two
#' columns): `~ .` would take them as variables.
#'
#' @param object A fit returned by [emix()].
#' @param nsim Number of data sets to draw, a whole number \eqn{\ge 1}.
#' @param seed `NULL`, or a number passed to [set.seed()]; see Details.
#' @param n Number of rows of each data set, a whole number \eqn{\ge 1};
#'   by default `object$n`. Give it by its full name: `simulate(fit, n = 1000)`
#'   means 1000 rows (an exact name wins over the partial match with `nsim`).
#' @param ... Ignored.
#' @return A data frame of `nsim * n` rows with columns `.sim` (which data
#'   set, `1..nsim`), `.component` (the component drawn, `1..k`, 0 for the
#'   noise) and then one
#'   column per variable of the fit, named as in the fit. It has an
#'   attribute `"seed"` as described in [stats::simulate()]: the seed with
#'   the kind of generator as attribute `"kind"` when `seed` is given, and
#'   otherwise the value of `.Random.seed` before the draws.
#' @seealso [stats::simulate()], [emix()]
#' @examples
#' fit <- emix(~ ., data = faithful, k = 2)
#' sims <- simulate(fit, nsim = 2, seed = 1)
#' head(sims)
#' table(sims$.sim, sims$.component)
#' nrow(simulate(fit, n = 1000, seed = 1))
#' # refit to a simulated data set
#' emix(~ eruptions + waiting, data = sims[sims$.sim == 1, ], k = 2)
#' @exportS3Method stats::simulate emix
simulate.emix <- function(object, nsim = 1, seed = NULL, n = object$n, ...) {
  nsim <- check_count(nsim, "nsim")
  n <- check_count(n, "n")
  total <- as.double(nsim) * n
  if (total > .Machine$integer.max) {
    stop_arg("n", sprintf("times `nsim` must be at most %d rows (a data frame's limit); it is %.0f.",
                          .Machine$integer.max, total))
  }
  vars <- object$family$variables(object)
  bookkeeping <- c(".sim", ".component")
  clash <- intersect(vars, bookkeeping)
  if (length(clash) > 0L) {
    stop_arg("object", sprintf(
      "has a variable named %s, the name of a bookkeeping column of simulate(); refit with the variable renamed.",
      paste0("`", clash, "`", collapse = " and ")))
  }
  if (!is.null(seed) && !(is.numeric(seed) && length(seed) == 1L && is.finite(seed) &&
                           abs(seed) <= .Machine$integer.max)) {
    stop_arg("seed", "must be NULL or a single whole number, as for `set.seed()`.")
  }
  if (!exists(".Random.seed", envir = .GlobalEnv, inherits = FALSE)) {
    stats::runif(1L)
  }
  if (is.null(seed)) {
    rng_state <- get(".Random.seed", envir = .GlobalEnv)
  } else {
    saved_seed <- get(".Random.seed", envir = .GlobalEnv)
    set.seed(seed)
    rng_state <- structure(seed, kind = as.list(RNGkind()))
    on.exit(assign(".Random.seed", saved_seed, envir = .GlobalEnv))
  }
  component <- sample.int(length(object$pro), total, replace = TRUE, prob = object$pro)
  component[component > object$k] <- 0L # the noise
  values <- object$family$simulate(object, component)
  out <- data.frame(
    .sim = rep(seq_len(nsim), each = n),
    .component = component,
    values,
    check.names = FALSE
  )
  attr(out, "seed") <- rng_state
  out
}
