# The Gaussian covariance models: names, aliases, C codes, parameter counts.

gaussian_models <- c("EII", "VII", "EEI", "VVI", "EEE", "VVV")

# With one variable the six models reduce to two, named as in mclust.
univariate_models <- c("E", "V")

model_aliases <- c(spherical = "VII", diag = "VVI", tied = "EEE", full = "VVV")

model_descriptions <- c(
  EII = "spherical, equal volume",
  VII = "spherical, varying volume",
  EEI = "diagonal, equal volume and shape",
  VVI = "diagonal, varying volume and shape",
  EEE = "ellipsoidal, equal volume, shape and orientation",
  VVV = "ellipsoidal, varying volume, shape and orientation",
  E = "univariate, equal variance",
  V = "univariate, unequal variance"
)

# What each multivariate model becomes for one variable: a variance shared
# by the components, or one per component.
univariate_of <- c(EII = "E", EEI = "E", EEE = "E", VII = "V", VVI = "V", VVV = "V")

# The canonical (mclust) name of `model` for data with `d` variables, or an
# error that lists the choices. For d = 1 every multivariate name maps to
# "E" or "V"; `d = NULL` (data not known yet) accepts every name as it is.
resolve_model <- function(model, d = NULL) {
  if (!is.character(model) || length(model) != 1L || is.na(model)) {
    stop_arg("model", "must be a single string such as \"VVV\".")
  }
  if (model %in% names(model_aliases)) {
    model <- unname(model_aliases[model])
  }
  if (!model %in% c(gaussian_models, univariate_models)) {
    stop_arg("model", sprintf(
      "must be one of %s, or an alias %s; not \"%s\".",
      paste0("\"", gaussian_models, "\"", collapse = ", "),
      paste0("\"", names(model_aliases), "\"", collapse = ", "),
      model
    ))
  }
  if (is.null(d)) {
    return(model)
  }
  if (d == 1L && model %in% gaussian_models) {
    return(unname(univariate_of[model]))
  }
  if (d > 1L && model %in% univariate_models) {
    stop_arg("model", sprintf(
      "\"%s\" is a model for one variable; the data have %d. Use one of %s.",
      model, d, paste0("\"", gaussian_models, "\"", collapse = ", ")
    ))
  }
  model
}

# The multivariate model that a univariate one is: in one dimension EII
# and VII are exactly E and V (sigma^2 shared, or one per component).
multivariate_model <- function(model) {
  if (model %in% univariate_models) c(E = "EII", V = "VII")[[model]] else model
}

# 0-based code used by the C core (same order as `gaussian_models`).
model_code <- function(model) core_code("gaussian_model", multivariate_model(model))

# The C family of a Gaussian fit, with or without a uniform noise
# component, and its settings: c(model code) or c(model code, log V).
gaussian_c_name <- function(log_volume = NULL) {
  if (is.null(log_volume)) "gaussian" else "gaussian_noise"
}
gaussian_settings <- function(model, log_volume = NULL) c(model_code(model), log_volume)

# Free parameters: k - 1 proportions, k * d means, and the covariances.
model_df <- function(model, k, d) {
  covariance <- switch(multivariate_model(model),
    EII = 1,
    VII = k,
    EEI = d,
    VVI = k * d,
    EEE = d * (d + 1) / 2,
    VVV = k * d * (d + 1) / 2
  )
  (k - 1) + k * d + covariance
}
