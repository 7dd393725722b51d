#' The Gaussian mixture family
#'
#' Mixtures of multivariate normal components, the default family of
#' [emix()]: `emix(x, k)` is `emix(x, k, family = gaussian_mix("VVV"))`, and
#' `emix(x, k, model = m)` is a shortcut for `family = gaussian_mix(m)`.
#' The covariance models are described in [emix()] (section *Covariance
#' models*); the C family is `src/gaussian.c`.
#'
#' @param model The covariance model: one of mclust's fourteen, `"EII"`,
#'   `"VII"`, `"EEI"`, `"VEI"`, `"EVI"`, `"VVI"`, `"EEE"`, `"VEE"`, `"EVE"`,
#'   `"VVE"`, `"EEV"`, `"VEV"`, `"EVV"`, `"VVV"` (for one variable `"E"`
#'   or `"V"`), or an alias `"spherical"`, `"diag"`, `"tied"`, `"full"`.
#' @return A family object (class `"emix_family"`), see [emix_family].
#' @references Banfield, J. D. and Raftery, A. E. (1993). Model-based
#'   Gaussian and non-Gaussian clustering. *Biometrics*, 49(3), 803--821.
#'
#'   Celeux, G. and Govaert, G. (1995). Gaussian parsimonious clustering
#'   models. *Pattern Recognition*, 28(5), 781--793.
#'
#'   Flury, B. N. and Gautschi, W. (1986). An algorithm for simultaneous
#'   orthogonal transformation of several positive definite symmetric
#'   matrices to nearly diagonal form. *SIAM Journal on Scientific and
#'   Statistical Computing*, 7(1), 169--184.
#'
#'   Fraley, C. and Raftery, A. E. (2002). Model-based clustering,
#'   discriminant analysis, and density estimation. *Journal of the American
#'   Statistical Association*, 97(458), 611--631.
#' @seealso [emix()], [emix_family], [multinomial_mix()]
#' @examples
#' fit <- emix(~ ., data = faithful, k = 2, family = gaussian_mix("EEE"))
#' fit
#' # a common orientation, with shapes and volumes of their own
#' fit <- emix(~ ., data = iris[1:4], k = 3, model = "VVE")
#' summary(fit)
#' @export
gaussian_mix <- function(model = "VVV") {
  model <- resolve_model(model)
  new_emix_family(
    name = "gaussian",
    title = "Gaussian mixture",
    parameters = c("pro", "mean", "sigma"),
    c_name = "gaussian",
    settings = model_code(model),
    model = model,
    # a uniform noise component beside the normal ones: emix(noise = )
    noise = FALSE,
    noise_volume = NULL,
    label = function(family) sprintf("Gaussian, model %s (%s)", family$model,
                                     model_description(family$model)),
    prepare = gaussian_prepare,
    start = gaussian_start,
    context = function(prep, k, core) {
      failure_context(prep$method$name, prep$model, k, prep$data, core, prep$control,
                      noise = !is.null(prep$noise))
    },
    drop = function(prep, z, j, core) {
      drop_component(z, j, prep$data, prep$weights, core$var_scale)
    },
    order = function(run) {
      # the noise, if any, stays the last column
      k <- nrow(run$mean)
      c(component_order(run$pro[seq_len(k)], run$mean), if (length(run$pro) > k) k + 1L)
    },
    reorder = function(run, perm) {
      gaussian <- perm[seq_len(nrow(run$mean))]
      run$pro <- run$pro[perm]
      run$mean <- run$mean[gaussian, , drop = FALSE]
      run$sigma <- run$sigma[, , gaussian, drop = FALSE]
      run
    },
    finish = function(run, prep) {
      components <- as.character(seq_len(nrow(run$mean)))
      dimnames(run$mean) <- list(components, prep$vars)
      dimnames(run$sigma) <- list(prep$vars, prep$vars, components)
      run$noise <- prep$region[c("volume", "log_density", "box")]
      run$model <- prep$model
      run
    },
    header = function(fit) {
      sprintf("Gaussian mixture fitted by %s: %d component%s, model %s (%s)",
              method_names[[fit$method]], fit$k, plural(fit$k), fit$model,
              model_description(fit$model))
    },
    print_parameters = function(fit, shown, digits) {
      cat("\nMeans:\n")
      print(fit$mean[shown, , drop = FALSE], digits = digits)
    },
    summary_parameters = function(fit, shown) {
      list(description = model_description(fit$model),
           mean = fit$mean[shown, , drop = FALSE],
           sigma = fit$sigma[, , shown, drop = FALSE],
           decomposition = covariance_decomposition(fit$sigma[, , shown, drop = FALSE], fit$model))
    },
    print_summary = gaussian_print_summary,
    coef = gaussian_coef,
    simulate = gaussian_simulate,
    newdata = new_data_matrix,
    variables = function(fit) colnames(fit$mean),
    draws = gaussian_draws,
    draw_parameters = gaussian_draw_parameters,
    estep = gaussian_fit_estep,
    plots = c("classification", "density", "uncertainty")
  )
}

# Checks the data and the arguments of a Gaussian fit, and returns the
# prepared fit (see new_emix_family() for its fields).
gaussian_prepare <- function(family, x, k, weights, init, nstart, method, control) {
  method_object <- method
  method <- method$name
  x <- check_data(x)
  n <- nrow(x)
  # emix() has resolved the model for these data (for one variable, "E" or
  # "V"); a model for one variable with several is still refused
  model <- family$model
  if (model %in% univariate_models) {
    model <- resolve_model(model, ncol(x))
  }
  weights <- check_weights(weights, n)
  noise <- check_noise(family$noise, family$noise_volume, n, method)
  # an init matrix may carry the noise as a last column (with noise = TRUE
  # and k not given, it does: k is then its other columns)
  noise_column <- if (!is.null(k)) {
    noise_in_init(init, noise, k)
  } else {
    as.integer(!is.null(noise) && is.null(noise$rows) && is.matrix(init) && is.numeric(init))
  }
  init <- check_init(init, x, if (is.null(k)) NULL else k + noise_column)
  k <- init$k - noise_column
  check_sizes(n, ncol(x), k + !is.null(noise),
              draws = if (method_object$loop == "gibbs") method_object$draws else 0L)
  if (nstart > 1L && init$type %in% c("labels", "matrix", "parameters")) {
    stop_arg("nstart", "must be 1 when `init` is given as labels, a matrix or parameters: every start would be the same.")
  }
  if (!has_distinct_rows(x, k, weights)) {
    stop_arg("k", sprintf("must not exceed the number of distinct rows of the data (of positive weight); k = %d.", k))
  }
  if (method_object$loop == "iem") {
    check_iem_memory(method_object$blocks, n, k, ncol(x), model)
  }
  core <- core_control(control, x, weights)
  # the k-means start avoids clusters smaller than a component needs
  core$min_rows <- needed_observations(model, k, ncol(x))$each
  prior <- NULL
  if (method_object$bayesian) {
    check_bayes_model(model, method)
    prior <- resolve_prior(method_object$prior, x, weights, k, model)
  }
  region <- if (!is.null(noise)) noise_region(x, weights, family$noise_volume)
  # the family as fitted: its model resolved for these data
  family$model <- model
  family$c_name <- gaussian_c_name(region$log_volume)
  family$settings <- gaussian_settings(model, region$log_volume)
  list(family = family, data = x, n = n, d = ncol(x), vars = variable_names(x),
       row_names = rownames(x),
       weights = weights, k = k, init = init, core = core, control = control, model = model,
       noise = noise, region = region, prior = prior,
       c_name = family$c_name, settings = family$settings,
       extra_columns = as.integer(!is.null(noise)),
       inner_iterations = model_iterates(model))
}

# The s-th start of a Gaussian fit.
gaussian_start <- function(prep, s) {
  init <- prep$init
  core <- prep$core
  # the quantile and hierarchical starts are deterministic: further starts
  # are k-means++
  if (init$type %in% c("quantile", "hc") && s > 1L) {
    init <- list(type = "kmeans++", k = prep$k)
  }
  if (is.null(prep$noise)) {
    start <- start_responsibilities(init, prep$data, prep$k, prep$weights, core,
                                    prep$control$seeds)
  } else {
    start <- noise_start(init, prep$data, prep$k, prep$weights, prep$noise, core,
                         prep$control$seeds)
    core$var_scale <- noise_ridge_scale(prep$data, prep$weights, start)
  }
  list(start = start, core = core)
}

# The E-step of a Gaussian fit at its own parameters on the rows of x (a
# noise component, if any, is the last column).
gaussian_fit_estep <- function(fit, x, threads, expected = FALSE) {
  if (!is.null(fit$noise)) {
    return(noise_estep(fit, x, threads))
  }
  # VB and ME: the expected log weights in place of log pi
  gaussian_estep(x, fit$pro, fit$mean, fit$sigma, fit$model, threads = threads,
                 log_weight = if (expected) fit$posterior$log_weight)
}

# What summary() of a Gaussian fit prints after the components.
gaussian_print_summary <- function(x, digits) {
  cat("\nMeans:\n")
  print(x$mean, digits = digits)
  cat("\n")
  print_covariances(x$sigma, x$model, digits, x$decomposition)
}

# coef() of a Gaussian fit: see ?coef.emix
gaussian_coef <- function(object) {
  vars <- colnames(object$mean)
  d <- length(vars)
  k <- object$k # the Gaussian components; a noise component has no column
  lower <- lower.tri(diag(d), diag = TRUE)
  where <- which(lower, arr.ind = TRUE)
  covariances <- matrix(apply(object$sigma, 3L, function(s) s[lower]), ncol = k)
  out <- rbind(
    matrix(object$pro[seq_len(k)], nrow = 1L),
    t(object$mean),
    covariances
  )
  dimnames(out) <- list(
    c("pro", paste0("mean.", vars),
      paste("sigma", vars[where[, "row"]], vars[where[, "col"]], sep = ".")),
    names(object$pro)[seq_len(k)]
  )
  out
}


# n x d values drawn from the components `component` (0: the noise) of a
# Gaussian fit, for simulate().
gaussian_simulate <- function(object, component) {
  total <- length(component)
  k <- object$k
  d <- ncol(object$mean)
  values <- matrix(stats::rnorm(total * d), total, d)
  for (c in seq_len(k)) {
    rows <- component == c
    if (any(rows)) {
      values[rows, ] <- values[rows, , drop = FALSE] %*% chol(object$sigma[, , c]) +
        rep(object$mean[c, ], each = sum(rows))
    }
  }
  if (!is.null(object$noise)) {
    values[component == 0L, ] <- uniform_in_box(sum(component == 0L), object$noise$box)
  }
  colnames(values) <- colnames(object$mean)
  values
}
