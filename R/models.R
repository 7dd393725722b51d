# The Gaussian covariance models: names, aliases, C codes, parameter counts.

gaussian_models <- c("EII", "VII", "EEI", "VVI", "EEE", "VVV")

model_aliases <- c(spherical = "VII", diag = "VVI", tied = "EEE", full = "VVV")

model_descriptions <- c(
  EII = "spherical, equal volume",
  VII = "spherical, varying volume",
  EEI = "diagonal, equal volume and shape",
  VVI = "diagonal, varying volume and shape",
  EEE = "ellipsoidal, equal volume, shape and orientation",
  VVV = "ellipsoidal, varying volume, shape and orientation"
)

# The canonical (mclust) name of `model`, or an error that lists the choices.
resolve_model <- function(model) {
  if (!is.character(model) || length(model) != 1L || is.na(model)) {
    stop_arg("model", "must be a single string such as \"VVV\".")
  }
  if (model %in% names(model_aliases)) {
    return(unname(model_aliases[model]))
  }
  if (!model %in% gaussian_models) {
    stop_arg("model", sprintf(
      "must be one of %s, or an alias %s; not \"%s\".",
      paste0("\"", gaussian_models, "\"", collapse = ", "),
      paste0("\"", names(model_aliases), "\"", collapse = ", "),
      model
    ))
  }
  model
}

# 0-based code used by the C core (same order as `gaussian_models`).
model_code <- function(model) match(model, gaussian_models) - 1L

# Free parameters: k - 1 proportions, k * d means, and the covariances.
model_df <- function(model, k, d) {
  covariance <- switch(model,
    EII = 1,
    VII = k,
    EEI = d,
    VVI = k * d,
    EEE = d * (d + 1) / 2,
    VVV = k * d * (d + 1) / 2
  )
  (k - 1) + k * d + covariance
}
