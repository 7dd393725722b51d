# The Gaussian covariance models: names, words, parts and needs, read once
# from the C table (src/covariance.c), so the two cannot drift; aliases;
# and the univariate names.

# The table as a data frame, one row per model in the order of the codes:
# name, description, volume, shape, orientation ("E", "V" or "I"), full,
# pooled, iterative, and the support each component (each_d d + each_1)
# and all together (k + total_d d + total_1) need.
covariance_models <- local({
  table <- NULL
  function() {
    if (is.null(table)) {
      table <<- as.data.frame(.Call(C_ffi_covariance_models), stringsAsFactors = FALSE)
    }
    table
  }
})

# The fourteen names, in mclust's order.
gaussian_models <- function() covariance_models()$name

# With one variable the models reduce to two, named as in mclust.
univariate_models <- c("E", "V")

model_aliases <- c(spherical = "VII", diag = "VVI", tied = "EEE", full = "VVV")

# The row of the table for `model` (a univariate name counts as its
# multivariate twin), as a list; every fit reads it, so the rows are made
# once (a row of the data frame cost 0.1 ms).
model_row <- local({
  rows <- NULL
  function(model) {
    if (is.null(rows)) {
      table <- covariance_models()
      rows <<- lapply(stats::setNames(seq_len(nrow(table)), table$name),
                      function(i) lapply(table, `[[`, i))
    }
    rows[[multivariate_model(model)]]
  }
})

model_description <- function(model) {
  switch(EXPR = model,
    E = "univariate, equal variance",
    V = "univariate, unequal variance",
    model_row(model)$description
  )
}

# The canonical (mclust) name of `model` for data with `d` variables, or an
# error that lists the choices. For d = 1 every multivariate name maps to
# "E" or "V", by its volume; `d = NULL` (data not known yet) accepts every
# name as it is.
resolve_model <- function(model, d = NULL) {
  if (!is.character(model) || length(model) != 1L || is.na(model)) {
    stop_arg("model", "must be a single string such as \"VVV\".")
  }
  if (model %in% names(model_aliases)) {
    model <- unname(model_aliases[model])
  }
  if (!model %in% c(gaussian_models(), univariate_models)) {
    stop_arg("model", sprintf(
      "must be one of %s, or an alias %s; not \"%s\".",
      paste0("\"", gaussian_models(), "\"", collapse = ", "),
      paste0("\"", names(model_aliases), "\"", collapse = ", "),
      model
    ))
  }
  if (is.null(d)) {
    return(model)
  }
  if (d == 1L && model %in% gaussian_models()) {
    return(model_row(model)$volume)
  }
  if (d > 1L && model %in% univariate_models) {
    stop_arg("model", sprintf(
      "\"%s\" is a model for one variable; the data have %d. Use one of %s.",
      model, d, paste0("\"", gaussian_models(), "\"", collapse = ", ")
    ))
  }
  model
}

# The multivariate model that a univariate one is: in one dimension EII
# and VII are exactly E and V (sigma^2 shared, or one per component).
multivariate_model <- function(model) {
  if (model %in% univariate_models) c(E = "EII", V = "VII")[[model]] else model
}

# 0-based code used by the C core.
model_code <- function(model) core_code("gaussian_model", multivariate_model(model))

# Whether the model's M-step iterates (see ?emix_control, Inner iterations).
model_iterates <- function(model) model_row(model)$iterative

# The C family of a Gaussian fit, with or without a uniform noise
# component, and its settings: c(model code) or c(model code, log V).
gaussian_c_name <- function(log_volume = NULL) {
  if (is.null(log_volume)) "gaussian" else "gaussian_noise"
}
gaussian_settings <- function(model, log_volume = NULL) c(model_code(model), log_volume)
