#' Mixture families
#'
#' A family says what the components of a mixture are: the distribution of
#' one component, its parameters, how the data are checked, how a fit is
#' started and printed. [emix()] takes it as its `family` argument, as
#' [stats::glm()] takes a [stats::family()] object. Two families come with
#' the package:
#' * [gaussian_mix()]: multivariate normal components, with a choice of
#'   covariance models (the default family; `emix(model = )` is a shortcut
#'   for `family = gaussian_mix(model = )`);
#' * [multinomial_mix()]: multinomial components over the columns of a
#'   count matrix, such as a document-term matrix (dense or a sparse
#'   `Matrix::dgCMatrix`).
#'
#' Every family is fitted by the same compiled loop, with any of the
#' methods of [emix()]: `"em"`, `"cem"`, `"sem"` and `"iem"` for every
#' family, and `"vb"`, `"me"` and `"gibbs"` for the families with a
#' conjugate prior (both above). `vignette("writing-a-family", package =
#' "emix")` shows how a family is built, in C and in R.
#'
#' @param x A family object.
#' @param ... Ignored.
#' @return `print()` returns `x` invisibly.
#' @seealso [gaussian_mix()], [multinomial_mix()], [emix()]
#' @examples
#' gaussian_mix("VVI")
#' fit <- emix(~ ., data = faithful, k = 2, family = gaussian_mix("VVI"))
#' fit$family
#' @name emix_family
NULL

# A family object is a list of class c("emix_family_<name>", "emix_family")
# holding its name, its title (printed as "<title> fitted by EM"), the
# registry name of its C table (c_name) and the functions the fit calls.
# Each function is documented at the Gaussian family's (R/gaussian.R), the
# reference instance; vignette("writing-a-family") walks through them with
# the multinomial family:
#   prepare(family, x, k, weights, init, nstart, method, control)
#       (method: the method object, see ?emix_method) checks the data and
#       the arguments, and returns the prepared fit:
#       a list with at least data (what the C core reads: a double matrix,
#       or an "emix_csr" list), n, d, vars, weights, k, init, core (the
#       loop's settings for C), c_name, settings (the numbers the C family
#       reads), prior (the conjugate prior's blocks, for vb, me, gibbs);
#   start(prep, s)         the s-th start: list(start = an n x k matrix or
#                          n labels, core = the settings for that start);
#   context(prep, k)       what an error message about a degenerate
#                          component needs (see stop_degenerate());
#   drop(prep, z, j)       the start once component j is dropped;
#   order(run)             the order the components are reported in;
#   reorder(run, perm)     the parameters in that order;
#   finish(run, prep)      fields to add to the fit;
#   header(fit)            the first line of print();
#   print_parameters(fit, shown, digits), summary_parameters(fit, shown),
#   print_summary(summary, digits)  what print() and summary() show;
#   coef(fit), simulate(fit, component), newdata(fit, newdata),
#   variables(fit)         for those methods: the parameters as a matrix,
#                          values drawn from the given components, new data
#                          in the form the C core reads, the variables' names;
#   draws(res, prep), draw_parameters(draws, s)  a Gibbs run's draws, and
#                          the parameters of draw s for the E-step;
#   estep(fit, x, threads, expected)  the E-step at the fit's parameters
#                          (expected = TRUE: VB's and ME's q(z));
#   plots                  the plot types of plot.emix() beyond the trace.
new_emix_family <- function(name, title, parameters, c_name, settings = numeric(), ...,
                            class = NULL) {
  family <- list(name = name, title = title, parameters = parameters, c_name = c_name,
                 settings = settings, ...)
  validate_emix_family(structure(family, class = c(class, paste0("emix_family_", name),
                                                   "emix_family")))
}

family_functions <- c("prepare", "start", "context", "drop", "order", "reorder", "finish",
                      "header", "print_parameters", "summary_parameters", "print_summary",
                      "coef", "simulate", "newdata", "variables", "draws", "draw_parameters",
                      "estep")

validate_emix_family <- function(family) {
  missing <- setdiff(family_functions, names(family))
  if (length(missing) > 0L) {
    stop(sprintf("internal error: the %s family lacks %s", family$name,
                 paste(missing, collapse = ", ")), call. = FALSE)
  }
  not_function <- family_functions[!vapply(family[family_functions], is.function, NA)]
  if (length(not_function) > 0L) {
    stop(sprintf("internal error: the %s family's %s must be functions", family$name,
                 paste(not_function, collapse = ", ")), call. = FALSE)
  }
  if (!is.character(family$parameters) || family$parameters[1L] != "pro") {
    stop("internal error: a family's first parameter block is `pro`", call. = FALSE)
  }
  family
}

#' @rdname emix_family
#' @export
print.emix_family <- function(x, ...) {
  cat(sprintf("Mixture family: %s\n", family_label(x)))
  invisible(x)
}

family_label <- function(family) {
  if (is.function(family$label)) family$label(family) else family$title
}

# The family of a fit: `family` as given, or the Gaussian family with
# `model` (the shortcut) when it is NULL.
resolve_family <- function(family, model, model_given) {
  if (is.null(family)) {
    return(gaussian_mix(model))
  }
  # as glm() takes "binomial" or binomial: a name or the constructor gives
  # the family with its defaults
  constructors <- list(gaussian = gaussian_mix, multinomial = multinomial_mix)
  if (is.character(family) && length(family) == 1L && family %in% names(constructors)) {
    family <- constructors[[family]]
  }
  if (is.function(family)) {
    family <- family()
  }
  if (!inherits(family, "emix_family")) {
    stop_arg("family", "must be a family object such as `gaussian_mix()` or `multinomial_mix()`, or the name \"gaussian\" or \"multinomial\".")
  }
  if (model_given) {
    stop_arg("model", if (inherits(family, "emix_family_gaussian")) {
      "must be given inside the family when `family` is given: use `family = gaussian_mix(model = ...)`."
    } else {
      sprintf("is a setting of the Gaussian family; the %s family does not take it. Drop `model`.",
              family$name)
    })
  }
  family
}

# The registered families with a conjugate prior, as the C registry says
# (their tables have conjugate slots): the Bayesian methods need one.
conjugate_families <- function() {
  conjugate <- core_codes("conjugate")
  names(conjugate)[conjugate]
}

# The number of free parameters of a family's fit with k components of d
# variables, from the C table (the one source of degrees of freedom).
family_df <- function(c_name, settings, k, d) {
  .Call(C_ffi_family_info, c_name, as.double(settings), as.integer(k), as.integer(d))$df
}

#' Parameters of a mixture fit, in the family's shapes
#'
#' The fitted parameters as a named list, one element per block of the
#' family: for a Gaussian fit `pro` (the mixing proportions), `mean`
#' (`k x d`) and `sigma` (`d x d x k`); for a multinomial fit `pro` and
#' `prob` (`k x V`, each row a component's word probabilities). [coef()]
#' gives the same numbers as one matrix.
#'
#' @param object A fit from [emix()].
#' @return A named list of numeric vectors, matrices and arrays.
#' @seealso [coef.emix()], [emix_family]
#' @examples
#' fit <- emix(~ ., data = faithful, k = 2)
#' str(emix_parameters(fit))
#' @export
emix_parameters <- function(object) {
  if (!inherits(object, "emix")) {
    stop_arg("object", "must be a fit from `emix()`.")
  }
  object[object$family$parameters]
}
