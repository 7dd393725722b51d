# Inference methods as objects, as glm() takes a family: each constructor
# checks its own settings once and returns what the fitting loop reads.

#' Inference methods
#'
#' The `method` argument of [emix()] takes one of these objects, or its name
#' as a string (`method = "vb"` is `method = vb()`, with the defaults). Each
#' is one choice of the distribution \eqn{q} over the component labels (and,
#' for the Bayesian ones, over the parameters) on the same compiled loop;
#' see [emix()], section *Methods*, for what each maximises.
#'
#' * `em()`: EM (Dempster, Laird and Rubin 1977): \eqn{q} the posterior
#'   probabilities, the log-likelihood never falls.
#' * `cem()`: classification EM (Celeux and Govaert 1992): \eqn{q} a point
#'   mass at the most probable component; maximises the classification
#'   log-likelihood; with model `"EII"` it is k-means with a common variance
#'   and estimated proportions.
#' * `sem()`: stochastic EM (Celeux and Diebolt 1985): \eqn{q} a point mass
#'   at a label drawn from the posterior; runs `max_iter` iterations (set in
#'   [emix_control()]), reproducible under [set.seed()].
#' * `iem(blocks)`: incremental EM (Neal and Hinton 1998): the rows are cut
#'   into `blocks` blocks, and each E-step over one block is followed by an
#'   M-step from all blocks' statistics.
#' * `vb(prior)`: variational Bayes (Bishop 2006, chapter 10): a factorised
#'   posterior over labels and parameters under a conjugate prior; the
#'   objective is the ELBO, and surplus components empty.
#' * `me(prior)`: maximization-expectation, Bayesian k-means (Kurihara and
#'   Welling 2009): point-mass labels, parameters integrated out; the
#'   objective is \eqn{\log p(x, z)}{log p(x, z)}, and components are merged
#'   while that raises it.
#' * `gibbs(prior, burnin, draws, thin)`: a Gibbs sampler over labels and
#'   parameters, reproducible under [set.seed()]; it keeps its draws.
#'
#' Settings about the loop itself (tolerance, iterations, ridge, threads)
#' are in [emix_control()], common to all methods.
#'
#' Each object is a list of class `c("emix_method_<name>", "emix_method")`
#' with `name` (`"em"`, ...), `label` (its name in words, as printed),
#' `q_step` (what the E-step puts in \eqn{q}: 0 the posterior probabilities,
#' 1 a point mass at the mode, 2 a point mass at a draw), `loop` (which
#' compiled loop runs it: `"em"`, `"iem"`, `"bayes"` or `"gibbs"`),
#' `bayesian` (`TRUE` for `vb()`, `me()` and `gibbs()`) and its settings.
#' [emix()] checks the object again when it uses it, so a setting edited
#' afterwards (`m$blocks <- 0`) meets the same checks. A fit keeps the
#' object in `fit$method_settings` (and the name in `fit$method`), and its
#' class is `c("emix_<name>", "emix")`.
#'
#' @param blocks Number of blocks of rows for incremental EM, a whole number
#'   \eqn{\ge 1}. More blocks than rows mean one row per block. Incremental
#'   EM keeps one set of sufficient statistics (\eqn{O(k d^2)} numbers) per
#'   block: [emix()] refuses a number of blocks whose statistics would take
#'   more than 1 GB, and says how many blocks fit.
#' @param prior The prior of the Bayesian methods, from [emix_prior()] (or
#'   [multinomial_prior()] for the multinomial family);
#'   `NULL` (the default) for the weakly informative prior worked out from
#'   the data, `emix_prior()` with every argument left at its default. It is
#'   kept as given and checked when the fit uses it.
#' @param burnin,draws,thin Gibbs sampling: the sampler runs
#'   `burnin + draws * thin` sweeps and keeps every `thin`-th sweep after
#'   the first `burnin`, `draws` in all. The kept labels take
#'   `4 * n * draws` bytes.
#' @param x A method object.
#' @param ... Ignored.
#'
#' @return A list of class `c("emix_method_<name>", "emix_method")`; see
#'   *Details*.
#' @references
#' Bishop, C. M. (2006). *Pattern Recognition and Machine Learning*.
#' Springer, New York. Chapter 10.
#'
#' Celeux, G. and Diebolt, J. (1985). The SEM algorithm: a probabilistic
#' teacher algorithm derived from the EM algorithm for the mixture problem.
#' *Computational Statistics Quarterly*, 2(1), 73--82.
#'
#' Celeux, G. and Govaert, G. (1992). A classification EM algorithm for
#' clustering and two stochastic versions. *Computational Statistics & Data
#' Analysis*, 14(3), 315--332.
#'
#' Dempster, A. P., Laird, N. M. and Rubin, D. B. (1977). Maximum likelihood
#' from incomplete data via the EM algorithm. *Journal of the Royal
#' Statistical Society, Series B*, 39(1), 1--38.
#'
#' Kurihara, K. and Welling, M. (2009). Bayesian k-means as a
#' "maximization-expectation" algorithm. *Neural Computation*, 21(4),
#' 1145--1172.
#'
#' Neal, R. M. and Hinton, G. E. (1998). A view of the EM algorithm that
#' justifies incremental, sparse, and other variants. In M. I. Jordan (ed.),
#' *Learning in Graphical Models*, 355--368. Kluwer, Dordrecht.
#' @seealso [emix()], [emix_control()] for the loop's settings,
#'   [emix_prior()].
#' @examples
#' iem(blocks = 20)
#' gibbs(burnin = 100, draws = 200)
#' fit <- emix(~ ., data = faithful, k = 2, method = cem())
#' class(fit)
#' # "vb" is vb() with its defaults
#' fit <- emix(~ ., data = faithful, k = 6,
#'             method = vb(prior = emix_prior(alpha = 1e-3)))
#' fit$occupied
#' fit$method_settings
#' @name emix_method
NULL

method_names <- c(em = "EM", cem = "classification EM", sem = "stochastic EM",
                  vb = "variational Bayes", me = "maximization-expectation",
                  gibbs = "Gibbs sampling", iem = "incremental EM")

# The q-step of each method, by the C core's names (ffi_codes()): keep the
# responsibilities, a point mass at the mode, a point mass at a draw.
method_q_step <- c(em = "soft", cem = "mode", sem = "draw", vb = "soft", me = "mode",
                   gibbs = "draw", iem = "soft")

# The compiled loop that runs each method.
method_loop <- c(em = "em", cem = "em", sem = "em", vb = "bayes", me = "bayes",
                 gibbs = "gibbs", iem = "iem")

# What every method object holds, before its own settings.
method_fields <- c("name", "label", "q_step", "loop", "bayesian")
new_emix_method <- function(name, settings = list()) {
  structure(
    c(list(name = name, label = method_names[[name]],
           q_step = core_code("q_step", method_q_step[[name]]),
           loop = method_loop[[name]], bayesian = name %in% bayes_methods),
      settings),
    class = c(paste0("emix_method_", name), "emix_method")
  )
}

#' @rdname emix_method
#' @export
em <- function() new_emix_method("em")

#' @rdname emix_method
#' @export
cem <- function() new_emix_method("cem")

#' @rdname emix_method
#' @export
sem <- function() new_emix_method("sem")

#' @rdname emix_method
#' @export
iem <- function(blocks = 10L) {
  new_emix_method("iem", list(blocks = check_count(blocks, "blocks")))
}

#' @rdname emix_method
#' @export
vb <- function(prior = NULL) new_emix_method("vb", list(prior = prior))

#' @rdname emix_method
#' @export
me <- function(prior = NULL) new_emix_method("me", list(prior = prior))

#' @rdname emix_method
#' @export
gibbs <- function(prior = NULL, burnin = 500L, draws = 1000L, thin = 1L) {
  burnin <- check_count(burnin, "burnin", min = 0L)
  draws <- check_count(draws, "draws")
  thin <- check_count(thin, "thin")
  sweeps <- burnin + draws * as.double(thin)
  if (sweeps > .Machine$integer.max) {
    stop_arg("draws", sprintf(
      "times `thin`, plus `burnin`, must be at most %d sweeps; it is %.0f.",
      .Machine$integer.max, sweeps))
  }
  new_emix_method("gibbs", list(prior = prior, burnin = burnin, draws = draws, thin = thin))
}

method_makers <- list(em = em, cem = cem, sem = sem, iem = iem, vb = vb, me = me, gibbs = gibbs)

#' @rdname emix_method
#' @export
print.emix_method <- function(x, ...) {
  cat(sprintf("<emix_method: %s (\"%s\")>\n", x$label, x$name))
  settings <- setdiff(names(x), c(method_fields, "prior"))
  if (length(settings) > 0L) {
    cat(" ", paste(settings, "=", vapply(settings, function(s) format(x[[s]]), ""),
                   collapse = ", "), "\n")
  }
  if (x$bayesian) {
    if (is.null(x$prior)) {
      cat("  prior: the default, worked out from the data\n")
    } else {
      print(x$prior)
    }
  }
  invisible(x)
}

# The method object for `method`: a name gives the method with its
# defaults; an object is checked again by rebuilding it through its
# constructor, so that one edited after it was made (`m$blocks <- 0`) meets
# the same checks, and one whose fixed fields were edited is refused.
as_emix_method <- function(method) {
  if (is.character(method) && length(method) == 1L && method %in% names(method_makers)) {
    return(method_makers[[method]]())
  }
  if (!inherits(method, "emix_method")) {
    stop_arg("method", sprintf(
      "must be one of %s, or a method object such as `iem(blocks = 20)` (see ?emix_method).",
      paste0("\"", names(method_makers), "\"", collapse = ", ")))
  }
  name <- method$name
  if (!is.character(name) || length(name) != 1L || !name %in% names(method_makers)) {
    stop_arg("method$name", sprintf("must be one of %s: make the method with its function, such as `vb()`.",
                                    paste0("\"", names(method_makers), "\"", collapse = ", ")))
  }
  maker <- method_makers[[name]]
  made_by <- sprintf("Make it with `%s()`.", name)
  fixed <- method_fields
  settings <- names(formals(maker))
  given <- names(method)
  if (is.null(given) || any(is.na(given) | given == "") || anyDuplicated(given)) {
    stop_arg("method", paste("must have one distinct name for every field.", made_by))
  }
  unknown <- setdiff(given, c(fixed, settings))
  if (length(unknown) > 0L) {
    stop_arg("method", sprintf("has fields that `%s()` does not make: %s. %s", name,
                               paste0("`", unknown, "`", collapse = ", "), made_by))
  }
  absent <- setdiff(c(fixed, settings), given)
  if (length(absent) > 0L) {
    stop_arg("method", sprintf("is missing fields: %s. %s",
                               paste0("`", absent, "`", collapse = ", "), made_by))
  }
  rebuilt <- rebuild_checked(maker, unclass(method)[settings], "method")
  same <- vapply(fixed, function(f) identical(method[[f]], rebuilt[[f]]), logical(1))
  if (!all(same) || !identical(class(method), class(rebuilt))) {
    edited <- if (all(same)) "its class" else paste0("`", fixed[!same], "`", collapse = ", ")
    stop_arg("method", sprintf("has had %s changed from what `%s()` makes. %s",
                               edited, name, made_by))
  }
  rebuilt
}
